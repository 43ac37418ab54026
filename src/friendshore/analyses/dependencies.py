"""Where does an importer depend on few suppliers, and which products are world chokepoints?

Methods: ``friendshore.metrics.dependence`` and docs/methods/dependence.md (the EC strategic-
dependency screen, SWD(2021) 352; CEPII GeoDep's world export HHI).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.columns import describe, with_product
from friendshore.analyses.context import Who, deprecated_alias, open_trade
from friendshore.analyses.coverage import COMPLETE, FlowsLoaded, flows_loaded, possessive, with_coverage
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError
from friendshore.metrics.parameters import (
    CHOKEPOINT_HHI,
    DEFAULT_EC_THRESHOLDS,
    EcThresholds,
    require_fraction,
)
from friendshore.nomenclature.labels import label_of
from friendshore.settings import Settings

__all__ = ["chokepoints", "dependencies", "product_selection"]

Level = Literal["technology", "stage"]

_DEPENDENCE_KEYS = [
    "importer", "year", "hs6", "import_value_kusd", "n_suppliers", "top_supplier", "top_share",
    "hhi", "on_share", "ec_flag",
]  # fmt: skip
_TREND_KEYS = ["importer", "year", "hs6", "import_value_kusd", "top_supplier", "top_share", "d_top_share",
               "hhi", "d_hhi", "on_share", "d_on_share", "ec_flag"]  # fmt: skip


def product_selection(sector: str | None, stage: str | None) -> list[str] | None:
    """The HS6 codes of a taxonomy sector and/or stage (``None``: every product)."""
    if sector is None and stage is None:
        return None
    from friendshore.nomenclature.taxonomy import sector_codes

    return sector_codes(sector, stage=stage)


@documented(year="analysis_year")
def dependencies(
    settings: Settings,
    *,
    importer: str,
    year: int | None = None,
    concern: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    flagged_only: bool = False,
    include_intra: bool = False,
    members_at: date | None = None,
    all_years: bool = False,
    churn: bool = False,
    by: Level | None = None,
    hhi: float = DEFAULT_EC_THRESHOLDS.hhi,
    extra_ratio: float = DEFAULT_EC_THRESHOLDS.extra_import_ratio,
    cover: float = DEFAULT_EC_THRESHOLDS.import_export_ratio,
    release: str | None = None,
    on: str | None = None,
) -> Result:
    """Import dependence of a country or group per HS6 product, with the EC screen's flag.

    ``concern`` adds the share of imports from a country or group (``on`` is its old name, kept for
    one release); ``all_years`` every loaded year with
    the change from the year before; ``churn`` how many flagged products stay flagged a year later;
    ``by`` aggregates products by technology or stage. For a group only imports from outside the
    group count (``include_intra`` counts trade between members too). Trade is read in HS 2017, one
    revision and the newest release per year (``release`` picks one; docs/warehouse.md); measures
    the loaded trade does not cover (an importer's exports) are null. See docs/methods/dependence.md.

    Parameters
    ----------
    importer
        ISO3 code or group (e.g. USA, pax-silica).
    year
    concern
        Share of imports from this ISO3 code or group of concern (e.g. CHN).
    on
        Deprecated: the old name of concern.
    sector
        Technology, e.g. semiconductors (see 'friendshore taxonomy').
    stage
    flagged_only
        Only products flagged by the EC screen.
    include_intra
        For a group: count trade between members as imports too.
    members_at
    all_years
        Every loaded year, with the change in shares and HHI from the year before.
    churn
        How many flagged products are still flagged the next year.
    by
        Aggregate the products by technology or stage.
    hhi
        EC screen: HHI threshold.
    extra_ratio
        EC screen: extra-group share of imports.
    cover
        EC screen: imports / exports threshold.
    release
    """
    import ibis

    from friendshore.metrics.dependence import (
        dependence_trends,
        flag_churn,
        import_dependence,
        summarise_by,
    )
    from friendshore.nomenclature.taxonomy import select_taxonomy

    concern, renamed = deprecated_alias(concern, on, new="concern", old="on")
    thresholds = EcThresholds(hhi=hhi, extra_import_ratio=extra_ratio, import_export_ratio=cover)
    ctx, trade, year = open_trade(settings, year, release=release)
    if all_years or churn:
        ctx.read_years(None)
    who = ctx.who(importer, year=year, members_at=members_at)
    on_who = ctx.who(concern, year=year, members_at=members_at) if concern else None
    expr = import_dependence(
        trade,
        importer=who.members,
        label=who.label,
        year=None if (all_years or churn) else year,
        on=on_who.members if on_who else None,
        hs6=product_selection(sector, stage),
        include_intra=include_intra,
        thresholds=thresholds,
        imports_known=ctx.known("imports", who.members),
        exports_known=ctx.known("exports", who.members),
    )
    parameters = {
        "importer": who.to_json(),
        "year": "all" if (all_years or churn) else year,
        "concern": on_who.to_json() if on_who else None,
        "sector": sector,
        "stage": stage,
        "flagged_only": flagged_only,
        "include_intra": include_intra,
        "all_years": all_years,
        "churn": churn,
        "by": by,
        "ec_thresholds": {"hhi": hhi, "extra_ratio": extra_ratio, "cover": cover},
        "release": release,
    }
    notes = [*renamed, *(w.describe() for w in (who, on_who) if w is not None and w.is_group)]
    base = _import_base(label_of(who.label, home=settings.home), who.is_group and not include_intra)
    notes.append(f"shares are of {base}")
    missing_exports = ctx.coverage_note(
        "exports",
        who.members,
        lacking=f"{who.label}'s exports are not in the loaded trade, so export_kusd, the imports/exports "
        "ratio and the EC screen's third criterion are null, and so is ec_flag where the other two hold",
    )
    missing_imports = ctx.coverage_note(
        "imports",
        who.members,
        lacking=f"{who.label}'s imports from every supplier are not in the loaded trade, so the "
        "measures of those products are null",
    )
    notes += [n for n in (missing_exports, missing_imports) if n]
    notes += ctx.trade_notes()
    asked = product_selection(sector, stage)
    if asked is None and by is not None:
        asked = sorted(set(select_taxonomy().column("hs6").to_pylist()))
    loaded = flows_loaded(
        ctx, who=who, role="imports", years=ctx.loaded_years() if (all_years or churn) else [year], hs6=asked
    )
    notes += loaded.notes()
    if churn:
        table = flag_churn(expr).order_by(["importer", "year"]).to_pyarrow()
        title = f"Persistence of EC-flagged dependencies of {who.label}"
        return Result(
            "dependencies",
            title,
            table,
            parameters,
            ctx.provenance(),
            tuple(notes),
            describe(table, key=table.column_names),
        )
    if all_years:
        expr = dependence_trends(expr)
    if flagged_only:
        expr = expr.filter(expr.ec_flag.fill_null(False))
    if by is not None:
        taxonomy = select_taxonomy().select(["hs6", "technology", "stage"])
        expr = summarise_by(expr, ibis.memtable(taxonomy), by=[by])
    sort = [c for c in ("importer", "year", "hs6", by) if c is not None and c in expr.columns]
    table = expr.order_by(sort).to_pyarrow()
    if by is not None:
        table = _summary_coverage(table, loaded, taxonomy, by=by, importer=who.label)
    elif not flagged_only:
        table = with_coverage(table, loaded, fixed={"importer": who.label})
        table = table.take(pc.sort_indices(table, [("year", "ascending"), ("hs6", "ascending")]))
    if table.num_rows == 0 and not flagged_only:
        raise UnknownCodeError(
            f"{loaded.name} imported none of the products asked in {year} (its imports of them are loaded: "
            "none is a known zero)"
        )
    if by is not None:
        keys = ["importer", "year", by, *[c for c in table.column_names if c not in ("importer", "year", by)]]
    else:
        keys = _TREND_KEYS if all_years else _DEPENDENCE_KEYS
    if on_who is None:
        keys = [k for k in keys if k not in ("on_share", "d_on_share")]
    if not loaded.complete:
        keys = [*keys, "coverage" if by is None else "n_not_loaded"]
    table, keys = with_product(table, keys)
    title = f"Import dependence of {label_of(who.label, home=settings.home)}" + (
        "" if all_years else f", {year}"
    )
    if on_who is not None:
        title += f", share from {label_of(on_who.label, home=settings.home)}"
    return Result(
        "dependencies",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=_dependence_columns(who, on_who, include_intra, year)),
    )


def _import_base(importer: str, extra_group: bool) -> str:
    """Whose total a supplier share is of: ``India's imports of the product, by value``."""
    outside = " from outside the group" if extra_group else ""
    return f"{possessive(importer)} imports of the product{outside}, by value"


def _dependence_columns(who: Who, on_who: Who | None, include_intra: bool, year: int) -> list[Column]:
    """The shares of a dependence table with their base (whose imports, by value)."""
    name = label_of(who.label)
    base = _import_base(name, who.is_group and not include_intra)
    concern = label_of(on_who.label) if on_who else "the countries of concern"
    return [
        Column("top_share", "top share", "share", description="the top supplier's share", basis=base),
        Column(
            "top3_share", "top-3 share", "share", description="the three largest suppliers' share", basis=base
        ),
        Column(
            "hhi", "HHI", "index", description="Herfindahl-Hirschman index of supplier shares", basis=base
        ),
        Column(
            "on_share", f"share from {concern}", "share", description=f"the share from {concern}", basis=base
        ),
        Column(
            "d_on_share",
            f"change in share from {concern}",
            "share",
            description="change from the year before",
            basis=base,
        ),
        Column(
            "d_top_share",
            "change in top share",
            "share",
            description="change in the top supplier's share from the year before, in points",
            basis=base,
        ),
        Column(
            "persistence",
            "persistence",
            "share",
            description="the products flagged in the year that are still flagged the next year",
            basis="the products flagged in the year, by count",
        ),
        Column(
            "extra_import_ratio",
            "extra-group share",
            "share",
            description="imports from outside the group over all imports",
            basis=f"{possessive(name)} imports of the product from everyone, by value",
        ),
        Column(
            "coverage",
            "imports loaded",
            "text",
            description=f"whether {possessive(name)} imports of the product in the year are loaded: complete, "
            "partial (some suppliers' flows only) or not loaded (its measures are null, not zero)",
        ),
        Column(
            "n_not_loaded",
            "products not loaded",
            "count",
            description="products of the group whose imports are not loaded (or only in part): the group's "
            "value and share are then null",
        ),
    ]


def _summary_coverage(
    table: pa.Table, loaded: FlowsLoaded, taxonomy: pa.Table, *, by: str, importer: str
) -> pa.Table:
    """A by-technology (or stage) summary with ``n_not_loaded`` per group: a group with a product
    whose imports are not fully loaded has a null value and share (a sum of what is loaded would
    read as the whole); a group none of whose products is loaded gets a row of nulls."""
    group_of: dict[str, set[str]] = {}
    for row in taxonomy.to_pylist():
        group_of.setdefault(str(row["hs6"]), set()).add(str(row[by]))
    gaps: dict[tuple[int, str], int] = {}
    for (y, code), status in loaded.status.items():
        if status != COMPLETE:
            for group in group_of.get(code, ()):
                gaps[(y, group)] = gaps.get((y, group), 0) + 1
    rows = table.to_pylist()
    seen = {(int(r["year"]), str(r[by])) for r in rows}
    for (y, group), _ in sorted(gaps.items()):
        if (y, group) not in seen:
            rows.append({**{c: None for c in table.column_names}, "importer": importer, "year": y, by: group})
    for r in rows:
        r["n_not_loaded"] = gaps.get((int(r["year"]), str(r[by])), 0)
        if r["n_not_loaded"]:
            r["import_value_kusd"] = None
            r["on_share"] = None
    rows.sort(key=lambda r: (int(r["year"]), str(r[by])))
    schema = table.schema.append(pa.field("n_not_loaded", pa.int64()))
    return pa.Table.from_pylist(rows, schema=schema)


@documented(year="analysis_year")
def chokepoints(
    settings: Settings,
    *,
    year: int | None = None,
    sector: str | None = None,
    stage: str | None = None,
    hhi: float = CHOKEPOINT_HHI,
    exposure: bool = False,
    min_share: float = 0.5,
    release: str | None = None,
) -> Result:
    """World chokepoints: products whose world exports are concentrated (world HHI above ``hhi``).

    With ``exposure``: the importers that buy at least ``min_share`` of a chokepoint product from
    its top world exporter. Products whose loaded trade does not hold every country (a file of
    one importer's imports) have null measures and a note.

    Parameters
    ----------
    year
    sector
        Technology, e.g. semiconductors (see 'friendshore taxonomy').
    stage
    hhi
        World export HHI above which a product is a chokepoint.
    exposure
        List the importers exposed to each chokepoint instead.
    min_share
        With --exposure: share bought from the top exporter.
    release
    """
    import ibis

    from friendshore.metrics.dependence import chokepoint_exposure
    from friendshore.metrics.dependence import chokepoints as chokepoint_table

    require_fraction(hhi, "the chokepoint HHI threshold (--hhi)")
    require_fraction(min_share, "the minimum share from the top exporter (--min-share)")
    ctx, trade, year = open_trade(settings, year, release=release)
    codes = product_selection(sector, stage)
    world = ctx.known("world")
    notes = [
        n
        for n in (
            ctx.coverage_note(
                "world",
                lacking="world totals and shares are null where not every country's exports are loaded",
            ),
            *ctx.trade_notes(),
        )
        if n
    ]
    parameters = {
        "year": year,
        "sector": sector,
        "stage": stage,
        "hhi": hhi,
        "exposure": exposure,
        "min_share": min_share,
        "release": release,
    }
    loaded = flows_loaded(ctx, who=None, role="exports", years=[year], hs6=codes)
    notes += loaded.notes()
    if exposure:
        exposed = chokepoint_exposure(
            trade, year=year, hs6=codes, hhi_threshold=hhi, min_share=min_share, world_known=world
        )
        order = ["year", "hs6", ibis.desc("import_value_kusd"), "importer"]
        table = exposed.order_by(order).to_pyarrow()
        keys = [
            "hs6",
            "top_exporter",
            "world_hhi",
            "importer",
            "import_value_kusd",
            "share_from_top_exporter",
        ]
        title = (
            f"Importers buying at least {min_share:.0%} of a chokepoint product from its top exporter, {year}"
        )
    else:
        expr = chokepoint_table(trade, year=year, hs6=codes, hhi_threshold=hhi, world_known=world)
        table = expr.order_by([ibis.desc("world_hhi"), "hs6"]).to_pyarrow()
        keys = ["hs6", "world_export_kusd", "top_exporter", "top_share", "top3_share", "world_hhi", "n_exporters",
                "chokepoint"]  # fmt: skip
        title = f"World export concentration, {year} (chokepoint: world HHI above {hhi:g})"
        table = with_coverage(table, loaded, fixed={"year": year})
        if not loaded.complete:
            keys.append("coverage")
    base = "world exports of the product, by value"
    extra = [
        Column("top_share", "top share", "share", description="the top exporter's share", basis=base),
        Column(
            "top3_share",
            "top-3 share",
            "share",
            description="the three largest exporters' share",
            basis=base,
        ),
        Column("world_hhi", "world HHI", "index", description="HHI of exporters' shares", basis=base),
        Column(
            "share_from_top_exporter",
            "share from top exporter",
            "share",
            description="the importer's imports from the product's top world exporter",
            basis="the importer's imports of the product, by value",
        ),
        Column(
            "coverage",
            "world flows loaded",
            "text",
            description="whether every country's trade in the product is loaded: complete, partial (the "
            "measures are null) or not loaded (null, not zero)",
        ),
    ]
    table, keys = with_product(table, keys)
    return Result(
        "chokepoints",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=extra),
    )
