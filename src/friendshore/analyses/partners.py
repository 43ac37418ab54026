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

from friendshore.analyses.columns import describe
from friendshore.analyses.context import Context, Who, open_context
from friendshore.analyses.result import Result
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
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

__all__ = ["FULL_BASKET", "partners", "product_codes", "reshoring"]

_HS6_RE = re.compile(r"^\d{6}$")

#: How many products of a basket must be loaded for RCA and complexity to mean something (BACI has ~5,000).
FULL_BASKET = 1000
#: The most Monte Carlo draws an analysis runs (1,000 is the default; more only narrows the noise).
MAX_DRAWS = 100_000

_KEYS = ["rank", "candidate", "in_coalition", "export_kusd", "share_ex_concern", "rca", "density", "wgi_mean",
         "ideal_point_distance", "distw_km", "score", "rank_median", "rank_p05", "rank_p95", "missing"]  # fmt: skip


def product_codes(
    trade: ibis.Table,
    *,
    year: int,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
) -> tuple[list[str], list[str]]:
    """The HS6 codes asked for (``product``: one code or a comma-separated list; or a taxonomy
    ``sector``/``stage``) that have exports in ``year``, and notes on the codes left out."""
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
    if not found:
        what = product or f"sector '{sector}'" + (f", stage '{stage}'" if stage else "")
        raise UnknownCodeError(
            f"no exports of {what} in {year} in the warehouse (the BACI sample holds only 31 "
            "critical-material HS6 codes; load a full BACI year with 'friendshore ingest baci FILE')"
        )
    notes = []
    left = sorted(set(asked) - set(found))
    if left:
        notes.append(
            f"{len(left)} of the {len(asked)} codes asked have no exports in {year}: {', '.join(left)}"
        )
    return found, notes


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


def partners(
    settings: Settings,
    *,
    importer: str,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    exclude: str | None = "countries-of-concern",
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
) -> Result:
    """Ranked friend-shoring candidates for an importer (ISO3 or group) and a product or sector.

    ``weights``: a TOML/JSON file or a mapping of indicator weights (default: equal per dimension).
    ``concentration`` 0 keeps the weights fixed in the draws; ``top`` 0 keeps every exporter.
    Capacities, shares and RCA need every country's trade: products whose loaded trade holds less
    are left out, with a note. ``release`` reads trade of that BACI release only.

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
        Analysis year (default: the latest loaded).
    exclude
        Country or group of concern, left out as a supplier.
    coalition
        Partner group: flagged in the table, counted apart in --show reshoring.
    members_at
        Resolve groups at this date (default: the end of the year).
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
        Keep the largest N exporters as candidates (0: all).
    include
        Always list this exporter, e.g. IND (repeat for several).
    release
        Read trade of this BACI release only, e.g. V202501 (default: the newest per year).
    """
    from friendshore.metrics.partners import partner_candidates

    if isinstance(draws, bool) or not isinstance(draws, int) or not 1 <= draws <= MAX_DRAWS:
        raise UserError(f"draws must be a whole number from 1 to {MAX_DRAWS:,}, got {draws!r}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise UserError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    if isinstance(top, bool) or not isinstance(top, int) or top < 0:
        raise UserError(f"top must be a whole number >= 0 (0: every exporter), got {top!r}")
    require_number(concentration, "the Dirichlet concentration", minimum=0.0)
    uncertainty = Uncertainty(
        draws=draws,
        seed=seed,
        concentration=concentration if concentration > 0 else None,
        normalisations=tuple(draw_normalisations),
    )
    chosen_weights = _resolve_weights(weights)
    ctx = open_context(settings, release=release)
    ctx.table("trade")
    year = ctx.check_year(year)
    trade, world_note = ctx.world_trade()
    who, excluded, members, notes = _parties(
        ctx, importer=importer, exclude=exclude, coalition=coalition, year=year, members_at=members_at
    )
    codes, code_notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage)
    code_notes += [n for n in (world_note, *ctx.trade_notes()) if n]
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
    products = ", ".join(codes) if len(codes) <= 4 else f"{len(codes)} HS6 codes"
    exclusion = f" without {exclude} ({', '.join(excluded)})" if excluded else ""
    title = f"Friend-shoring candidates for {who.label}: {products}, {year}{exclusion}"
    all_notes = [
        *code_notes,
        *notes,
        *result.notes,
        f"ranks are medians and 5-95% intervals over {uncertainty.draws} Monte Carlo draws of weights "
        f"and normalisations (seed {uncertainty.seed}); rank and score use the given weights and "
        f"{normalisation} normalisation",
    ]
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
        "exclude": {"label": exclude, "members": list(excluded)} if exclude else None,
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
    return Result(
        "partners",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(all_notes),
        describe(table, key=_KEYS),
    )


def reshoring(
    settings: Settings,
    *,
    importer: str,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    year: int | None = None,
    exclude: str = "countries-of-concern",
    coalition: str | None = None,
    members_at: date | None = None,
    release: str | None = None,
) -> Result:
    """Reshoring versus friend-shoring per product: could home, the coalition or others replace the
    imports from the country or group of concern? An ``all`` row sums several products. Capacities
    are world exports: products whose loaded trade does not hold every country are left out."""
    from friendshore.metrics.partners import reshoring_comparison

    ctx = open_context(settings, release=release)
    ctx.table("trade")
    year = ctx.check_year(year)
    trade, world_note = ctx.world_trade()
    who, concern, members, notes = _parties(
        ctx, importer=importer, exclude=exclude, coalition=coalition, year=year, members_at=members_at
    )
    if not concern:
        raise UserError(f"'{exclude}' has no members outside the importer: nothing to replace")
    codes, code_notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage)
    code_notes += [n for n in (world_note, *ctx.trade_notes()) if n]
    expr = reshoring_comparison(
        trade, hs6=codes, year=year, importer=who.members, concern=concern, coalition=members
    )
    table = expr.to_pyarrow().sort_by([("imports_from_concern_kusd", "descending"), ("hs6", "ascending")])
    if table.num_rows > 1:
        table = pa.concat_tables([table, _total_row(table)])
    notes = [*code_notes, *notes]
    if not coalition:
        notes.append(
            "no --coalition given: every supplier outside the importer and the excluded counts as 'others'"
        )
    notes.append(
        "capacities are today's exports to all destinations: an upper bound on what could be redirected"
    )
    title = f"Reshoring vs friend-shoring for {who.label}, {year}: replacing imports from {exclude}"
    parameters = {
        "importer": who.to_json(),
        "products": codes,
        "year": year,
        "exclude": {"label": exclude, "members": list(concern)},
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
    ]
    return Result(
        "reshoring",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys),
    )


def _total_row(table: pa.Table) -> pa.Table:
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
    return pa.Table.from_pylist([row], schema=table.schema)
