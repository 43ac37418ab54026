"""Who could supply a product instead of a country of concern, and can reshoring replace it?

Methods: ``friendshore.metrics.partners`` and docs/methods/partners.md (composite indicator after
the OECD/JRC Handbook, with Monte Carlo rank intervals).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.columns import describe, with_product
from friendshore.analyses.context import Context, Who, deprecated_alias, open_world_trade
from friendshore.analyses.coverage import NOT_LOADED, PARTIAL, FlowsLoaded, flows_loaded, possessive
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Provenance, Result
from friendshore.errors import UnknownCodeError, UserError
from friendshore.metrics.parameters import (
    DEFAULT_UNCERTAINTY,
    NORMALISATIONS,
    Normalisation,
    Uncertainty,
    Weights,
    load_weights,
    require_number,
)
from friendshore.nomenclature.labels import basket_members, is_basket, label_of, short_label
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

__all__ = ["FULL_BASKET", "partner_columns", "partners", "product_codes", "reshoring"]

_HS6_RE = re.compile(r"^\d{6}$")

#: How many products of a basket must be loaded for RCA and complexity to mean something (BACI has ~5,000).
FULL_BASKET = 1000
#: The most Monte Carlo draws an analysis runs (1,000 is the default; more only narrows the noise).
MAX_DRAWS = 100_000

_KEYS = ["rank", "n_candidates", "candidate", "in_coalition", "export_kusd", "share_ex_concern", "rca", "density", "wgi_mean",
         "ideal_point_distance", "distw_km", "score", "rank_median", "rank_p05", "rank_p95", "missing"]  # fmt: skip


def product_codes(
    trade: ibis.Table,
    *,
    year: int,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    ctx: Context | None = None,
) -> tuple[list[str], list[str]]:
    """The HS6 codes asked for (``product``: one code or a comma-separated list; or a taxonomy
    ``sector``/``stage``) that have exports in ``year``, and notes on the codes left out.

    With ``ctx``, a code whose world trade is not loaded in the year is said to be not loaded (never
    "no exports"); a code left out of a complete partition had no exports at all."""
    if (product is None) == (sector is None and stage is None):
        raise UserError("give either --product HS6 or --sector SECTOR (with an optional --stage)")
    if product is not None:
        asked = [c.strip() for c in product.split(",") if c.strip()]
        bad = [c for c in asked if not _HS6_RE.match(c)]
        if bad or not asked:
            raise UserError(f"'{product}' is not an HS6 code: give 6 digits, e.g. 850511")
    else:
        from friendshore.nomenclature.taxonomy import sector_codes

        asked = sector_codes(sector, stage=stage)
    year_t = trade.filter((trade.year == year) & trade.hs6.isin(asked) & (trade.value_kusd > 0))
    found = sorted(year_t.select("hs6").distinct().to_pyarrow().column("hs6").to_pylist())
    unknown: list[str] = []
    notes: list[str] = []
    if ctx is not None:
        loaded = flows_loaded(ctx, who=None, role="exports", years=[year], hs6=asked)
        unknown = [c for c in loaded.codes(PARTIAL, NOT_LOADED) if c not in found]
        if unknown:
            notes += FlowsLoaded(loaded.name, "exports", {k: v for k, v in loaded.status.items() if k[1] in unknown},
                                 loaded.holds).notes()  # fmt: skip
    if not found:
        what = product or f"sector '{sector}'" + (f", stage '{stage}'" if stage else "")
        if unknown:
            raise UserError(
                "; ".join(notes)
                + ": nothing to assess (load a full BACI year with 'friendshore ingest baci FILE')"
            )
        raise UnknownCodeError(f"no exports of {what} in {year} in the loaded trade")
    left = sorted(set(asked) - set(found) - set(unknown))
    if left:
        notes.append(
            f"{len(left)} of the {len(asked)} codes asked had no exports in {year} (their trade is loaded): "
            + ", ".join(left)
        )
    return found, notes


def _products_title(codes: Sequence[str]) -> str:
    """The products of a title: up to two by their labels, more as a count."""
    if len(codes) <= 2:
        return "; ".join(short_label(c) for c in codes)
    return f"{len(codes)} products"


def _basket_notes(codes: Sequence[str]) -> list[str]:
    """A note per basket code asked: what it bundles, and that its trade is not any one member's."""
    return [
        f"{short_label(c)} bundles {', '.join(basket_members(c))}: its trade is the basket's, not any one "
        "member's, so it says nothing about one material alone"
        for c in codes
        if is_basket(c)
    ]


def _geodist_year(provenance: Sequence[Provenance]) -> int | None:
    for item in provenance:
        if item.table == "geography":
            found = re.search(r"(19|20)\d\d", item.release)
            if found:
                return int(found.group(0))
    return None


def partner_columns(who: Who, year: int, provenance: Sequence[Provenance]) -> list[Column]:
    """The partners table's columns with their bases and source years."""
    name = label_of(who.label)
    world = "world exports of the products, by value"
    return [
        Column(
            "rank", "rank", "count", description="rank among all candidates (1 is best), by the given weights"
        ),
        Column(
            "n_candidates",
            "of",
            "count",
            description="how many candidates are ranked (every exporter "
            "of the products outside the importer and the countries of concern)",
        ),
        Column(
            "world_share", "share of world exports", "share", description="the candidate's share", basis=world
        ),
        Column(
            "share_ex_concern",
            "share of non-concern exports",
            "share",
            description="the candidate's share of the exports from outside the countries of concern",
            basis="exports of the products by every country outside the countries of concern, by value",
        ),
        Column(
            "export_kusd", "exports", "kusd", description="the candidate's exports of the products", year=year
        ),
        Column(
            "wgi_mean",
            "WGI (mean)",
            "index",
            description="mean of the six WGI estimates, of the year in wgi_year",
            year_column="wgi_year",
        ),
        Column(
            "ideal_point_distance",
            "UNGA distance",
            "index",
            description="distance between UNGA ideal "
            f"points of the candidate and {name}, of the year in un_year",
            year_column="un_year",
        ),
        Column(
            "distw_km",
            "distance",
            "km",
            description=f"CEPII GeoDist population-weighted distance to {name}",
            year=_geodist_year(provenance),
        ),
        Column(
            "rank_p05",
            "rank p5",
            "index",
            description="5th percentile of the candidate's rank over the Monte Carlo draws (among all candidates)",
        ),
        Column(
            "rank_p95",
            "rank p95",
            "index",
            description="95th percentile of the candidate's rank over the Monte Carlo draws (among all candidates)",
        ),
    ]


def _resolve_weights(weights: Path | Mapping[str, float] | None) -> Weights:
    if weights is None:
        return Weights()
    if isinstance(weights, Mapping):
        return Weights.from_mapping(weights)
    return load_weights(weights)


def _parties(
    ctx: Context,
    *,
    importer: str,
    exclude: str | None,
    coalition: str | None,
    year: int,
    members_at: date | None,
) -> tuple[Who, tuple[str, ...], tuple[str, ...], list[str]]:
    who = ctx.who(importer, year=year, members_at=members_at)
    notes: list[str] = []
    excluded: tuple[str, ...] = ()
    if exclude:
        excluded = ctx.who(exclude, year=year, members_at=members_at).members
        overlap = sorted(set(excluded) & set(who.members))
        if overlap:
            excluded = tuple(c for c in excluded if c not in overlap)
            notes.append(f"{', '.join(overlap)} is the importer, so it is not excluded as a supplier")
    partners = ctx.who(coalition, year=year, members_at=members_at).members if coalition else ()
    return who, excluded, partners, notes


@documented(year="analysis_year")
def partners(
    settings: Settings,
    *,
    importer: str,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    concern: str | None = "countries-of-concern",
    coalition: str | None = None,
    members_at: date | None = None,
    weights: Path | Mapping[str, float] | None = None,
    normalisation: Normalisation = "minmax",
    draws: int = DEFAULT_UNCERTAINTY.draws,
    seed: int = DEFAULT_UNCERTAINTY.seed,
    concentration: float = 50.0,
    draw_normalisations: Sequence[Normalisation] = NORMALISATIONS,  # type: ignore[assignment]
    top: int = 25,
    include: Sequence[str] = (),
    release: str | None = None,
    exclude: str | None = None,
) -> Result:
    """Ranked friend-shoring candidates for an importer (ISO3 or group) and a product or sector.

    Every exporter outside the importer and ``concern`` is a candidate and is ranked: ``rank`` is
    among all ``n_candidates``, and so are the Monte Carlo intervals; ``top`` only chooses how many
    of the best-ranked rows are shown (``include`` adds a named exporter with its true rank). One
    ranking per question: the brief and the API read these columns.
    ``weights``: a TOML/JSON file or a mapping of indicator weights (default: equal per dimension).
    ``concentration`` 0 keeps the weights fixed in the draws. Capacities, shares and RCA need every
    country's trade: products whose world trade is not loaded are left out, with a note that names
    them. ``release`` reads trade of that BACI release only.

    Parameters
    ----------
    importer
        Importer: ISO3 code or group (e.g. USA, quad, eu27).
    product
        HS6 code, or several separated by commas (e.g. 850511).
    sector
        Technology instead of --product (see 'friendshore taxonomy').
    stage
        With --sector: ore, refined, component, ...
    year
    concern
        Country or group of concern, left out as a supplier.
    coalition
        Partner group: flagged in the table, counted apart in --show reshoring.
    members_at
    weights
        TOML or JSON file of indicator weights (see docs/methods/partners.md).
    normalisation
        Normalisation of the base ranking: minmax, zscore or rank.
    draws
        Monte Carlo draws of the uncertainty analysis.
    seed
        Random seed of the draws (same seed, same intervals).
    concentration
        Dirichlet concentration of the weight draws; 0 keeps the weights fixed.
    draw_normalisations
        Normalisations the draws choose from (repeat; default: all three).
    top
        Show the N best-ranked candidates (0: all); every exporter is ranked.
    include
        Always list this exporter, e.g. IND (repeat for several), with its rank among all.
    release
    exclude
        Deprecated: the old name of --concern (kept for one release).
    """
    from friendshore.metrics.partners import partner_candidates

    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise UserError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise UserError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise UserError(f"top must be a whole number >= 0 (0: every exporter), got {top!r}")
    require_number(concentration, "the Dirichlet concentration", minimum=0.0)
    from friendshore.nomenclature.groups import iso3_codes

    unknown = [c for c in include if str(c).upper() not in iso3_codes()]
    if unknown:  # an exporter that is no country would be left out of the answer silently
        raise UserError(
            f"include '{unknown[0]}' is not an ISO 3166-1 alpha-3 country code (e.g. IND, VNM, MEX)"
        )
    uncertainty = Uncertainty(
        draws=draws,
        seed=seed,
        concentration=concentration if concentration > 0 else None,
        normalisations=tuple(draw_normalisations),
    )
    concern, renamed = deprecated_alias(
        concern, exclude, new="concern", old="exclude", default="countries-of-concern"
    )
    chosen_weights = _resolve_weights(weights)
    ctx, year, trade, world_note = open_world_trade(settings, year, release=release)
    who, excluded, members, notes = _parties(
        ctx, importer=importer, exclude=concern, coalition=coalition, year=year, members_at=members_at
    )
    codes, code_notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage, ctx=ctx)
    code_notes = [*renamed, *code_notes, *[n for n in (world_note, *ctx.trade_notes()) if n]]
    result = partner_candidates(
        trade,
        hs6=codes,
        year=year,
        importer=who.members,
        exclude=excluded,
        coalition=members,
        governance=ctx.optional("governance"),
        alignment=ctx.optional("alignment"),
        geography=ctx.optional("geography"),
        top=top if top > 0 else None,
        include=[c.upper() for c in include],
        weights=chosen_weights,
        normalisation=normalisation,
        uncertainty=uncertainty,
    )
    products = _products_title(codes)
    exclusion = f"; concern: {label_of(concern, home=settings.home)}" if excluded and concern else ""
    title = f"Friend-shoring candidates for {label_of(who.label, home=settings.home)}: {products}, {year}{exclusion}"
    n_candidates = int(result.meta["n_exporters"])
    shown = result.table.num_rows
    all_notes = [
        *code_notes,
        *notes,
        *result.notes,
        f"rank is among all {n_candidates} candidates (every exporter of the product outside the importer "
        f"and the countries of concern); the {shown} rows shown are the best-ranked"
        + (" and the ones named with include" if include else ""),
        f"the median rank and the 5-95% interval come from {uncertainty.draws} Monte Carlo draws of weights and "
        f"normalisations over all {n_candidates} candidates (seed {uncertainty.seed}); rank and score use "
        f"the given weights and {normalisation} normalisation",
    ]
    all_notes += _basket_notes(codes)
    n_products = int(trade.filter(trade.year == year).hs6.nunique().to_pyarrow().as_py())
    if n_products < FULL_BASKET:
        all_notes.append(
            f"rca and density use the {n_products} HS6 codes loaded for {year}: a basket this small "
            "makes them relative to that basket (a technical check), not to the candidates' whole exports"
        )
    parameters = {
        "importer": who.to_json(),
        "products": codes,
        "sector": sector,
        "stage": stage,
        "year": year,
        "concern": {"label": concern, "members": list(excluded)} if concern else None,
        "coalition": {"label": coalition, "members": list(members)} if coalition else None,
        "weights": chosen_weights.as_dict(),
        "normalisation": normalisation,
        "draws": draws,
        "seed": seed,
        "concentration": concentration,
        "draw_normalisations": list(draw_normalisations),
        "top": top,
        "include": list(include),
        "release": release,
        **{k: v for k, v in result.meta.items() if k not in ("notes", "weights")},
    }
    table = result.table
    provenance = ctx.provenance()
    return Result(
        "partners",
        title,
        table,
        parameters,
        provenance,
        tuple(all_notes),
        describe(table, key=_KEYS, extra=partner_columns(who, year, provenance)),
    )


def reshoring(
    settings: Settings,
    *,
    importer: str,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    concern: str = "countries-of-concern",
    coalition: str | None = None,
    members_at: date | None = None,
    release: str | None = None,
    exclude: str | None = None,
) -> Result:
    """Reshoring versus friend-shoring per product: could home, the coalition or others replace the
    imports from the country or group of concern? An ``all`` row sums several products. Capacities
    are world exports: products whose world trade is not loaded are left out, with a note naming
    them. A basket code (811292: gallium, germanium and other metals) is never treated as one
    material: what home or a partner exports under it need not be what is imported under it, so its
    ``*_share`` columns are null (``basket`` says so) and the ``all`` row leaves it out.
    ``exclude`` is the old name of ``concern`` (kept for one release)."""
    from friendshore.metrics.partners import reshoring_comparison

    concern_name, renamed = deprecated_alias(
        concern, exclude, new="concern", old="exclude", default="countries-of-concern"
    )
    ctx, year, trade, world_note = open_world_trade(settings, year, release=release)
    who, concern_members, members, notes = _parties(
        ctx, importer=importer, exclude=concern_name, coalition=coalition, year=year, members_at=members_at
    )
    if not concern_members:
        raise UserError(f"'{concern_name}' has no members outside the importer: nothing to replace")
    codes, code_notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage, ctx=ctx)
    code_notes = [*renamed, *code_notes, *[n for n in (world_note, *ctx.trade_notes()) if n]]
    expr = reshoring_comparison(
        trade, hs6=codes, year=year, importer=who.members, concern=concern_members, coalition=members
    )
    table = expr.to_pyarrow().sort_by([("imports_from_concern_kusd", "descending"), ("hs6", "ascending")])
    table = _baskets_apart(table)
    if table.num_rows > 1:
        table = pa.concat_tables([table, _total_row(table)])
    notes = [*code_notes, *notes, *_basket_notes(codes)]
    if any(is_basket(c) for c in codes):
        notes.append(
            "basket codes have no share that home, the coalition or others could fill (their exports under "
            "the code need not be the material imported under it), and the 'all' row leaves them out"
        )
    if not coalition:
        notes.append(
            "no --coalition given: every supplier outside the importer and the excluded counts as 'others'"
        )
    notes.append(
        "capacities are today's exports to all destinations: an upper bound on what could be redirected"
    )
    name = label_of(who.label, home=settings.home)
    title = (
        f"Reshoring vs friend-shoring for {name}, {year}: replacing imports from "
        f"{label_of(concern_name, home=settings.home)}"
    )
    parameters = {
        "importer": who.to_json(),
        "products": codes,
        "year": year,
        "concern": {"label": concern_name, "members": list(concern_members)},
        "coalition": {"label": coalition, "members": list(members)} if coalition else None,
        "release": release,
    }
    keys = [
        "hs6",
        "imports_from_concern_kusd",
        "home_share",
        "coalition_share",
        "others_share",
        "uncovered_share",
        "basket",
    ]
    base = f"{possessive(name)} imports of the product from the countries of concern, by value"
    extra = [
        Column(f"{part}_{kind}", f"{label} {word}", "share", description=f"{text} {what}", basis=base)
        for part, label in (("home", "home"), ("coalition", "coalition"), ("others", "others'"))
        for kind, word, text in (
            ("cover", "cover", "capacity (world exports) over"),
            ("share", "fill", "the part that could be filled, in order home, coalition, others, of"),
        )
        for what in ("the imports from the countries of concern",)
    ]
    extra += [
        Column(
            "uncovered_share", "not covered", "share", description="the part no one could fill", basis=base
        ),
        Column(
            "basket", "basket", "flag", description="the code bundles several materials: no share is computed"
        ),
    ]
    table, keys = with_product(table, keys)
    return Result(
        "reshoring",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=extra),
    )


_FILL = ("home_share", "coalition_share", "others_share", "uncovered_share")


def _baskets_apart(table: pa.Table) -> pa.Table:
    """A ``basket`` column; the fill shares of a basket code null (see ``reshoring``)."""
    basket = pa.array([is_basket(c) for c in table.column("hs6").to_pylist()], pa.bool_())
    for name in (*_FILL, "home_cover", "coalition_cover", "others_cover"):
        i = table.schema.get_field_index(name)
        column = pc.if_else(basket, pa.scalar(None, table.schema.field(name).type), table.column(name))
        table = table.set_column(i, name, column)
    return table.append_column("basket", basket)


def _total_row(table: pa.Table) -> pa.Table:
    table = table.filter(pc.invert(table.column("basket")))
    total = {
        name: pc.sum(table.column(name)).as_py() or 0.0
        for name in table.column_names
        if name.endswith("_kusd")
    }
    d = total["imports_from_concern_kusd"]

    def used(name: str) -> float:
        return float(
            pc.sum(
                pc.multiply(table.column(name).fill_null(0.0), table.column("imports_from_concern_kusd"))
            ).as_py()
            or 0.0
        )

    row: dict[str, object] = {"hs6": "all", **total}
    for part in ("home", "coalition", "others"):
        row[f"{part}_cover"] = total[f"{part}_capacity_kusd"] / d if d > 0 else None
        row[f"{part}_share"] = used(f"{part}_share") / d if d > 0 else None
    row["uncovered_share"] = used("uncovered_share") / d if d > 0 else None
    row["basket"] = False
    return pa.Table.from_pylist([row], schema=table.schema)
