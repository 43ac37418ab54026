"""Ready-made partner, complexity and chip analyses: user words in, materialised tables out.

Like ``friendshore.metrics.views``, this is where the command line (and the API) turn an ISO3
code or group name, an HS6 code or sector slug and a year into metric calls, so that the
interfaces stay thin and agree. Groups are resolved at the end of the analysis year unless
``members_at`` is given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Literal

import ibis
import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import UnknownCodeError, UserError
from friendshore.metrics.chips import (
    DEFAULT_CHOKEPOINT_SHARE,
    chip_overview,
    chip_position,
    chip_providers,
    input_stages,
    match_inputs,
)
from friendshore.metrics.complexity import SAMPLE_NOTE, complexity
from friendshore.metrics.partners import (
    DEFAULT_UNCERTAINTY,
    DEFAULT_WEIGHTS,
    Normalisation,
    PartnerCandidates,
    Uncertainty,
    Weights,
    partner_candidates,
    reshoring_comparison,
)
from friendshore.metrics.views import latest_year, resolve_who
from friendshore.nomenclature.taxonomy import sector_codes
from friendshore.settings import Settings
from friendshore.warehouse import connect, require_table

__all__ = [
    "ComplexityLevel",
    "ViewResult",
    "chips_view",
    "complexity_view",
    "partners_view",
    "product_codes",
    "reshoring_view",
]

ComplexityLevel = Literal["country", "product", "rca", "density"]

_HS6_RE = re.compile(r"^\d{6}$")

#: How many products of a basket must be loaded for complexity to mean something (BACI has ~5,000).
_FULL_BASKET = 1000


@dataclass(frozen=True)
class ViewResult:
    """A materialised table, a title for people and notes to show beside it."""

    table: pa.Table
    title: str = ""
    notes: tuple[str, ...] = ()


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


def _optional(con: object, name: str) -> ibis.Table | None:
    return con.table(name) if name in con.list_tables() else None  # type: ignore[attr-defined]


def partners_view(
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
    weights: Weights = DEFAULT_WEIGHTS,
    normalisation: Normalisation = "minmax",
    uncertainty: Uncertainty = DEFAULT_UNCERTAINTY,
    top: int | None = 25,
    include: Sequence[str] = (),
) -> PartnerCandidates:
    """Ranked friend-shoring candidates for an importer (ISO3 or group), a product or sector."""
    con = connect(settings)
    trade = require_table(con, "trade")
    year = year or latest_year(trade)
    who = resolve_who(importer, year=year, members_at=members_at, settings=settings)
    codes, notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage)
    excluded: tuple[str, ...] = ()
    if exclude:
        excluded = resolve_who(exclude, year=year, members_at=members_at, settings=settings).members
        overlap = sorted(set(excluded) & set(who.members))
        if overlap:
            excluded = tuple(c for c in excluded if c not in overlap)
            notes.append(f"{', '.join(overlap)} is the importer, so it is not excluded as a supplier")
    partners = (
        resolve_who(coalition, year=year, members_at=members_at, settings=settings).members
        if coalition
        else ()
    )
    result = partner_candidates(
        trade,
        hs6=codes,
        year=year,
        importer=who.members,
        exclude=excluded,
        coalition=partners,
        governance=_optional(con, "governance"),
        alignment=_optional(con, "alignment"),
        geography=_optional(con, "geography"),
        top=top,
        include=include,
        weights=weights,
        normalisation=normalisation,
        uncertainty=uncertainty,
    )
    meta = dict(result.meta)
    products = ", ".join(codes) if len(codes) <= 4 else f"{len(codes)} HS6 codes"
    exclusion = f" without {exclude} ({', '.join(excluded)})" if excluded else ""
    meta["title"] = f"Friend-shoring candidates for {who.label}: {products}, {year}{exclusion}"
    meta["importer_label"] = who.label
    meta["members_at"] = who.as_of.isoformat()
    meta["notes"] = [
        *notes,
        *result.notes,
        f"ranks are medians and 5-95% intervals over {uncertainty.draws} Monte Carlo draws of weights "
        f"and normalisations (seed {uncertainty.seed}); rank and score use the given weights and "
        f"{normalisation} normalisation",
    ]
    n_products = int(trade.filter(trade.year == year).hs6.nunique().to_pyarrow().as_py())
    if n_products < _FULL_BASKET:
        meta["notes"].append(
            f"rca and density use the {n_products} HS6 codes loaded for {year}: a basket this small "
            "makes them relative to that basket (a technical check), not to the candidates' whole exports"
        )
    return PartnerCandidates(table=result.table, meta=meta)


def reshoring_view(
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
) -> ViewResult:
    """Reshoring versus friend-shoring per product, with an ``all`` row for several products."""
    con = connect(settings)
    trade = require_table(con, "trade")
    year = year or latest_year(trade)
    who = resolve_who(importer, year=year, members_at=members_at, settings=settings)
    codes, notes = product_codes(trade, year=year, product=product, sector=sector, stage=stage)
    concern = resolve_who(exclude, year=year, members_at=members_at, settings=settings).members
    concern = tuple(c for c in concern if c not in who.members)
    if not concern:
        raise UserError(f"'{exclude}' has no members outside the importer: nothing to replace")
    partners = (
        resolve_who(coalition, year=year, members_at=members_at, settings=settings).members
        if coalition
        else ()
    )
    expr = reshoring_comparison(
        trade, hs6=codes, year=year, importer=who.members, concern=concern, coalition=partners
    )
    table = expr.to_pyarrow().sort_by([("imports_from_concern_kusd", "descending"), ("hs6", "ascending")])
    if table.num_rows > 1:
        table = pa.concat_tables([table, _total_row(table)])
    if not coalition:
        notes.append(
            "no --coalition given: every supplier outside the importer and the excluded counts as 'others'"
        )
    notes.append(
        "capacities are today's exports to all destinations: an upper bound on what could be redirected"
    )
    title = f"Reshoring vs friend-shoring for {who.label}, {year}: replacing imports from {exclude}"
    return ViewResult(table, title, tuple(notes))


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


def complexity_view(
    settings: Settings,
    *,
    year: int | None = None,
    level: ComplexityLevel = "country",
    threshold: float = 1.0,
) -> ViewResult:
    """ECI by country, PCI by product, RCA by country and product, or density and COG."""
    con = connect(settings)
    trade = require_table(con, "trade")
    year = year or latest_year(trade)
    result = complexity(trade, year=year, threshold=threshold)
    if level == "country":
        table = result.countries.select(["country", "eci", "diversity"]).sort_by(
            [("eci", "descending"), ("country", "ascending")]
        )
    elif level == "product":
        table = result.products.select(["hs6", "pci", "ubiquity"]).sort_by(
            [("pci", "descending"), ("hs6", "ascending")]
        )
    elif level == "rca":
        cells = result.cells.filter(pc.greater(result.cells.column("export_kusd"), 0))
        table = cells.select(["country", "hs6", "rca"]).sort_by(
            [("country", "ascending"), ("hs6", "ascending")]
        )
    elif level == "density":
        table = result.cells.select(["country", "hs6", "rca", "present", "density", "cog"])
    else:
        raise UserError(f"unknown level '{level}' (use country, product, rca or density)")
    notes: list[str] = []
    if result.meta["n_products"] < _FULL_BASKET:
        notes.append(f"{result.meta['n_products']} HS6 codes loaded for {year}: {SAMPLE_NOTE}")
    title = f"Economic complexity ({level}), {year}: {result.meta['n_countries']} countries, {result.meta['n_products']} products"
    return ViewResult(table, title, tuple(notes))


def chips_view(
    settings: Settings,
    *,
    input_name: str | None = None,
    country: str | None = None,
    threshold: float = DEFAULT_CHOKEPOINT_SHARE,
    chokepoints_only: bool = False,
) -> ViewResult:
    """The semiconductor supply chain from the ETO tables.

    No option: every input with its top countries and a ``chokepoint`` flag; ``country``: that
    country's position at every input; ``input_name`` (an ETO id or part of a name): the input's
    providers, countries and firms (of ``country`` only when it is given too).
    """
    if not 0 < threshold <= 1:
        raise UserError(f"the chokepoint threshold is a share in (0, 1], got {threshold}")
    con = connect(settings)
    inputs = require_table(con, "chip_inputs")
    provision = require_table(con, "chip_provision")
    nodes = inputs.select("input_id", "input_name", "stage_name").to_pyarrow().to_pylist()
    sequence = _optional(con, "chip_sequence")
    edges = sequence.select("input_id", "related_id").to_pyarrow().to_pylist() if sequence is not None else []
    stages = input_stages(nodes, edges)
    notes = [
        "ETO's regional rows (EUR, 'Various countries') are not single countries and are left out of "
        "country shares; vintages differ by input (column year)",
    ]
    code = country.upper() if country else None
    if input_name is not None:
        ids = match_inputs(nodes, input_name)
        table = (
            chip_providers(provision, input_ids=ids, country=code)
            .to_pandas()
            .assign(_unknown=lambda f: f["share"].isna())
            .sort_values(
                ["input_id", "provider_type", "_unknown", "share", "provider_name"],
                ascending=[True, True, True, False, True],
                kind="stable",
            )
            .drop(columns="_unknown")
        )
        table = pa.Table.from_pandas(table, preserve_index=False)
        title = f"Providers of {', '.join(ids)}" + (f" based in {code}" if code else "")
        if table.num_rows == 0:
            notes.append(f"ETO lists no provider based in {code} for {', '.join(ids)}")
    elif code is not None:
        table = chip_position(inputs, provision, country=code).to_pyarrow().sort_by("input_id")
        firms = _firm_names(provision, code)
        table = table.append_column(
            "firms", pa.array([firms.get(i, "") for i in table.column("input_id").to_pylist()])
        )
        title = f"Position of {code} in the semiconductor supply chain (ETO)"
        listed = pc.sum(table.column("listed").cast(pa.int64())).as_py() or 0
        with_firms = sum(1 for i in table.column("input_id").to_pylist() if firms.get(i))
        if listed == 0 and with_firms == 0:
            notes.append(
                f"ETO lists {code} for none of the {table.num_rows} inputs with country data, and no firm "
                f"based in {code}: no measured share at any stage"
            )
        else:
            notes.append(
                f"{code} is listed as a country for {listed} of {table.num_rows} inputs; its firms for {with_firms}"
            )
    else:
        expr = chip_overview(inputs, provision, threshold=threshold)
        if chokepoints_only:
            expr = expr.filter(expr.chokepoint.fill_null(False))
        table = (
            expr.to_pandas()
            .assign(_unknown=lambda f: f["top_share"].isna())
            .sort_values(["_unknown", "top_share", "input_id"], ascending=[True, False, True], kind="stable")
            .drop(columns="_unknown")
        )
        table = pa.Table.from_pandas(table, preserve_index=False)
        n = pc.sum(table.column("chokepoint").fill_null(False).cast(pa.int64())).as_py() or 0
        title = f"Semiconductor supply-chain inputs (ETO): {n} with one country above {threshold:.0%}"
        notes.append(
            f"chokepoint = one country holds more than {threshold:.0%} (SIA & BCG 2021 count points where one "
            "region holds more than 65%)"
        )
    ids = table.column("input_id").to_pylist()
    table = table.add_column(
        table.schema.get_field_index("input_name") + 1, "stage", pa.array([stages.get(i, "") for i in ids])
    )
    return ViewResult(table, title, tuple(notes))


def _firm_names(provision: ibis.Table, code: str) -> dict[str, str]:
    firms = provision.filter((provision.provider_type == "organization") & (provision.country == code))
    rows = firms.select("input_id", "provider_name").distinct().to_pyarrow().to_pylist()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(str(row["input_id"]), []).append(str(row["provider_name"]))
    return {k: "; ".join(sorted(v)) for k, v in out.items()}
