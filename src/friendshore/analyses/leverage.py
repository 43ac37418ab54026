"""Which holders have leverage over a target: the share of the target's imports they supply that the
rest of the world could not replace.

Method: ``friendshore.metrics.leverage`` and docs/methods/leverage.md.
"""

from __future__ import annotations

import re
from datetime import date
from typing import TYPE_CHECKING

import pyarrow as pa

from friendshore.analyses.columns import describe, with_product
from friendshore.analyses.context import deprecated_alias, open_trade
from friendshore.analyses.coverage import NOT_LOADED, PARTIAL, flows_loaded, possessive, with_coverage
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError, UserError
from friendshore.nomenclature.labels import label_of
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

__all__ = ["asked_codes", "leverage"]

_HS6_RE = re.compile(r"^\d{6}$")

#: How many holders the ``holders`` text column names per product.
_SHOWN_HOLDERS = 5

_KEYS = ["hs6", "import_value_kusd", "holder_share", "top_holder", "top_holder_share", "holder_hhi",
         "replaceable_share", "leverage", "holders"]  # fmt: skip
_HOLDER_KEYS = ["hs6", "holder", "rank", "value_kusd", "share", "share_in_group", "unilateral_leverage"]


def asked_codes(product: str | None, sector: str | None, stage: str | None) -> list[str] | None:
    """The HS6 codes asked: ``product`` (one code or a comma-separated list), a taxonomy sector
    and/or stage, or ``None`` for every product."""
    if product is not None:
        if sector is not None or stage is not None:
            raise UserError("give either --product or --sector/--stage, not both")
        codes = [c.strip() for c in product.split(",") if c.strip()]
        bad = [c for c in codes if not _HS6_RE.match(c)]
        if bad or not codes:
            raise UserError(
                f"'{product}' is not an HS6 code: give 6 digits, e.g. 848620 (several: 848620,848690)"
            )
        return sorted(set(codes))
    if sector is None and stage is None:
        return None
    from friendshore.nomenclature.taxonomy import sector_codes

    return sector_codes(sector, stage=stage)


def _holders_text(holders: pa.Table) -> dict[str, str]:
    out: dict[str, list[tuple[int, str]]] = {}
    for row in holders.to_pylist():
        if row["rank"] <= _SHOWN_HOLDERS:
            out.setdefault(row["hs6"], []).append((row["rank"], f"{row['holder']} {row['share']:.1%}"))
    return {k: ", ".join(text for _, text in sorted(v)) for k, v in out.items()}


@documented(year="analysis_year")
def leverage(
    settings: Settings,
    *,
    holder: str | None = None,
    concern: str = "countries-of-concern",
    sector: str | None = None,
    stage: str | None = None,
    product: str | None = None,
    year: int | None = None,
    members_at: date | None = None,
    per_holder: bool = False,
    over: str | None = None,
    by: str | None = None,
) -> Result:
    """Leverage of a holder country or group (``holder``) over a target country or group (``concern``)
    per HS6 product the target imports: the holders' share of its imports, the concentration of
    their supply, how much the rest of the world could replace, and the unreplaceable share.

    ``per_holder`` shows one row per holder and product (each member's share and its unilateral
    leverage) instead of one row per product. A product whose imports by the target are not loaded
    (or loaded only in part) is a row of nulls (``coverage`` says which) with a note naming it: it
    is unknown, not zero.
    See docs/methods/leverage.md.

    Parameters
    ----------
    concern
        Target: ISO3 code or group (e.g. CHN, countries-of-concern).
    holder
        Holders: ISO3 code or group (e.g. pax-silica, NLD); required.
    sector
        Technology, e.g. semiconductors (see 'friendshore taxonomy').
    stage
    product
        HS6 code, or several separated by commas (e.g. 848620,854231).
    year
    members_at
    per_holder
        One row per holder and product (its share and unilateral leverage).
    over
        Deprecated: the old name of --concern (kept for one release).
    by
        Deprecated: the old name of --holder (kept for one release).
    """
    import ibis

    from friendshore.analyses.coverage import trade_coverage
    from friendshore.metrics.leverage import holder_leverage
    from friendshore.metrics.leverage import leverage as leverage_table

    over, renamed = deprecated_alias(concern, over, new="concern", old="over", default="countries-of-concern")
    holder_code, renamed_holder = deprecated_alias(holder, by, new="holder", old="by")
    if holder_code is None:
        raise UserError(
            "give the holders whose leverage to measure: an ISO3 code or group, e.g. --holder pax-silica"
        )
    ctx, trade, year = open_trade(settings, year)
    target = ctx.who(over, year=year, members_at=members_at)
    holders_of = ctx.who(holder_code, year=year, members_at=members_at)
    notes = [*renamed, *renamed_holder, *(w.describe() for w in (target, holders_of) if w.is_group)]
    overlap = sorted(set(target.members) & set(holders_of.members))
    holders = [c for c in holders_of.members if c not in overlap]
    if overlap:
        notes.append(f"{', '.join(overlap)} is in the target, so it is not counted as a holder")
    if not holders:
        raise UserError(f"'{holder_code}' has no members outside '{over}': nobody holds leverage over it")
    asked = asked_codes(product, sector, stage)
    loaded = flows_loaded(ctx, who=target, role="imports", years=[year], hs6=asked)
    not_loaded = loaded.codes(PARTIAL, NOT_LOADED)
    notes += [f"{n}: their rows are null (unknown, not zero)" for n in loaded.notes()]
    imported = [
        c for c in _imported(trade, year=year, members=target.members, hs6=asked) if c not in not_loaded
    ]
    if not imported:
        if not_loaded:
            raise UserError(
                "; ".join(loaded.notes())
                + " (load BACI trade that holds them: 'friendshore ingest baci FILE')"
            )
        raise UnknownCodeError(
            f"{loaded.name} imported none of the products asked in {year} (its imports of them are loaded)"
        )
    if asked is not None:
        left = sorted(set(asked) - set(imported) - set(not_loaded))
        if left:
            notes.append(
                f"{len(left)} of the {len(asked)} codes asked had no imports by {loaded.name} in {year} "
                f"(its imports of them are loaded): {', '.join(left)}"
            )
    cover = trade_coverage(ctx, year=year, hs6=imported, members=target.members)
    codes = sorted(set(imported) & cover.imports)
    unknown = sorted(set(codes) - cover.world)
    kw = {
        "target": target.members,
        "holders": holders,
        "year": year,
        "hs6": codes,
        "world_known": sorted(cover.world),
    }
    products = leverage_table(trade, **kw)  # type: ignore[arg-type]
    per = holder_leverage(trade, **kw)  # type: ignore[arg-type]
    per_table = per.order_by(["hs6", "rank"]).to_pyarrow()
    order = [ibis.desc(products.leverage.fill_null(-1.0)), ibis.desc("holder_share"), "hs6"]
    table = products.order_by(order).to_pyarrow()
    text = _holders_text(per_table)
    table = table.append_column(
        "holders", pa.array([text.get(c, "") for c in table.column("hs6").to_pylist()])
    )
    if unknown:
        notes.append(
            f"others_third_kusd, replaceable_share and leverage are null for {len(unknown)} of {len(codes)} "
            f"products: the rest of the world's exports to third countries are not loaded "
            f"({cover.describe(unknown)}); load a full BACI year for them"
        )
    notes += ctx.trade_notes()
    notes += [
        f"shares are of {possessive(loaded.name)} imports of the product from outside it, by value; "
        f"holders: {label_of(holders_of.label, home=settings.home)}",
        "leverage = the share of the target's imports that the holders supply and that the rest of the "
        "world's current exports to third countries could not replace (an upper bound on replacement, so "
        "a lower bound on leverage); it ignores stocks, quality, certification, contracts and the "
        "holders' own dependence on the target (docs/methods/leverage.md)",
    ]
    parameters = {
        "concern": target.to_json(),
        "holder": {**holders_of.to_json(), "counted": holders},
        "products": codes,
        "sector": sector,
        "stage": stage,
        "year": year,
        "per_holder": per_holder,
        "world_known": sorted(cover.world),
    }
    title = f"Leverage of {label_of(holders_of.label, home=settings.home)} over {loaded.name}, {year}"
    base = f"{possessive(loaded.name)} imports of the product from outside it, by value"
    extra = [
        Column(
            "holders",
            "largest holders",
            "text",
            description="the largest holders with their shares",
            basis=base,
        ),
        Column("holder_share", "holders' share", "share", description="what the holders supply", basis=base),
        Column(
            "top_holder_share", "its share", "share", description="what the top holder supplies", basis=base
        ),
        Column("share", "share", "share", description="what this holder supplies", basis=base),
        Column(
            "share_in_group",
            "share within holders",
            "share",
            description="this holder's part of the holders' supply",
            basis="the holders' supply of the product to the target, by value",
        ),
        Column(
            "replaceable_share",
            "replaceable",
            "share",
            description="the part of the holders' supply that the rest of the world's exports to third "
            "countries could replace",
            basis="the holders' supply of the product to the target, by value",
        ),
        Column(
            "leverage",
            "leverage",
            "share",
            description="the part of the target's imports the holders supply and no one else could replace",
            basis=base,
        ),
        Column(
            "unilateral_leverage",
            "unilateral leverage",
            "share",
            description="the part of the target's imports this holder supplies and no one else could replace",
            basis=base,
        ),
    ]
    per_table, holder_keys = with_product(per_table, _HOLDER_KEYS)
    if not_loaded:  # a row of nulls per product not loaded: unknown, never 0 and never left out silently
        table = with_coverage(table, loaded, fixed={}, year=year)
    table, keys = with_product(table, [*_KEYS, "coverage"] if not_loaded else _KEYS)
    if per_holder:
        return Result(
            "leverage",
            title + ", by holder",
            per_table,
            parameters,
            ctx.provenance(),
            tuple(notes),
            describe(per_table, key=holder_keys, extra=extra),
            tables={"products": table},
        )
    return Result(
        "leverage",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=extra),
        tables={"holders": per_table},
    )


def _imported(trade: ibis.Table, *, year: int, members: tuple[str, ...], hs6: list[str] | None) -> list[str]:
    t = trade.filter(
        (trade.year == year)
        & trade.importer.isin(list(members))
        & ~trade.exporter.isin(list(members))
        & (trade.value_kusd > 0)
    )
    if hs6 is not None:
        t = t.filter(t.hs6.isin(hs6))
    return sorted(str(c) for c in t.select("hs6").distinct().to_pyarrow().column(0).to_pylist())
