"""Product-level shocks on the warehouse's trade: an export restriction (``restriction``) and a
tariff (``tariff``), at two depths (methods: docs/methods/shocks.md).

* ``model="first-order"`` -- no prices: value at risk, what others could fill from their current
  exports, what stays unmet (``friendshore.metrics.shocks``); ``scope="importer"`` checks each
  importer as if only it were cut off, ``scope="world"`` cuts every importer at once so that they
  compete for the same capacity;
* ``model="pe"`` -- the product-level partial equilibrium (``friendshore.models.pe``): Armington
  demand, export supply, one world price per exporter, markets cleared; elasticities from CEPII's
  ProTEE or stated defaults. A tariff is always solved this way.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import Context, Who, open_trade
from friendshore.analyses.docs import COMMON, documented
from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError, UserError
from friendshore.metrics.parameters import require_fraction
from friendshore.settings import Settings

if TYPE_CHECKING:  # the model (numpy, scipy) loads when a PE analysis runs, not when the CLI starts
    from friendshore.analyses import shocks_pe as pe
    from friendshore.models.pe import Elasticities

__all__ = ["RestrictionModel", "RestrictionOutput", "Scope", "TariffOutput", "restriction", "tariff"]

RestrictionModel = Literal["first-order", "pe"]
Scope = Literal["importer", "world"]
RestrictionOutput = Literal["importers", "suppliers", "products", "world", "flows", "solver"]
TariffOutput = Literal["importers", "flows", "suppliers", "solver"]

# The parameters the two shocks share, documented once.
_DOCS = {
    **COMMON,
    "products": "HS6 code(s), comma-separated, e.g. 850511,810411.",
    "sector": "Technology, e.g. critical-minerals (see 'friendshore taxonomy').",
}
_SHARE_OF_IMPORTS = "the importer's imports of the product, by value"
_COLUMNS = (
    Column("restricting", "restricting", "code", True),
    Column("value_at_risk_kusd", "at risk", "kusd", True),
    Column("capacity_kusd", "others' capacity", "kusd", True),
    Column(
        "filled_kusd",
        "filled",
        "kusd",
        True,
        description="what other suppliers make up; in the partial equilibrium the change in purchases from "
        "suppliers not restricted at baseline prices, negative where their prices rise and the importer buys "
        "less from them too",
    ),
    Column("unmet_kusd", "unmet", "kusd", True),
    Column("at_risk_share", "at risk (share of imports)", "share", True, basis=_SHARE_OF_IMPORTS),
    Column("unmet_share", "unmet (share of imports)", "share", True, basis=_SHARE_OF_IMPORTS),
    Column("exports_kusd", "exports", "kusd", True),
    Column("extra_demand_kusd", "extra demand", "kusd", True),
    Column(
        "extra_demand_share",
        "extra demand (share of its exports)",
        "share",
        True,
        basis="the supplier's exports of the product, by value",
    ),
    Column("n_importers", "importers hit", "count", True),
    Column("world_imports_kusd", "world imports", "kusd", True),
    Column("others_exports_kusd", "other exporters' exports", "kusd", True),
    Column(
        "unmet_if_all_redirected_kusd",
        "unmet even if every other exporter redirected everything",
        "kusd",
        True,
    ),
    Column("trade_before_kusd", "trade before", "kusd", True),
    Column("trade_after_kusd", "trade after", "kusd", True, description="value paid to exporters"),
    Column("change_pct", "change in value (%)", "pct", True),
    Column("price_change_pct", "price change (%)", "pct", True),
    Column("consumer_surplus_change_kusd", "consumer surplus change", "kusd", True),
    Column("tariff_revenue_kusd", "tariff revenue", "kusd", True),
    Column("producer_surplus_change_kusd", "exporters' surplus change", "kusd", True),
    Column("quota_rent_kusd", "restriction rent", "kusd", False),
    Column("tariff_rate", "tariff (rate)", "number", False),
    Column("withheld_share", "share withheld", "number", False),
    Column("supplier", "supplier", "code", True),
    Column("product", "product", "text", True),
    Column("taxed", "taxed exporter", "code", True),
    Column("n_without_supplier", "importers left without any supplier", "count", True),
)

_SINGLE = "if only this importer were cut off"
_KEYS: dict[str, list[str]] = {
    "importers": ["product", "importer", "import_value_kusd", "value_at_risk_kusd", "capacity_kusd", "filled_kusd",
                  "unmet_kusd", "unmet_share", "price_change_pct", "consumer_surplus_change_kusd", "trade_after_kusd",
                  "change_pct"],
    "suppliers": ["product", "supplier", "exports_kusd", "extra_demand_kusd", "extra_demand_share",
                  "trade_before_kusd", "trade_after_kusd", "change_pct", "price_change_pct"],
    "products": ["product", "n_importers", "value_at_risk_kusd", "filled_kusd", "unmet_kusd"],
    "world": ["product", "n_importers", "value_at_risk_kusd", "filled_kusd", "unmet_kusd", "price_change_pct",
              "n_without_supplier", "unmet_if_all_redirected_kusd"],
    "flows": ["product", "importer", "supplier", "trade_before_kusd", "trade_after_kusd", "change_pct",
              "price_change_pct"],
    "solver": ["product", "exporters", "importers", "substitution", "evaluations", "residual", "seconds"],
}  # fmt: skip
_TARIFF_KEYS = {
    **_KEYS,
    "importers": ["product", "importer", "import_value_kusd", "price_change_pct", "consumer_surplus_change_kusd",
                  "tariff_revenue_kusd", "trade_after_kusd", "change_pct"],
}  # fmt: skip


def _what(product: str | None, sector: str | None, stage: str | None) -> str:
    """The products in words: labels for one or two codes, else the count or the sector."""
    from friendshore.nomenclature.labels import short_label

    if product is not None:
        codes = [c.strip() for c in product.split(",") if c.strip()]
        return "; ".join(short_label(c) for c in codes) if len(codes) <= 2 else f"{len(codes)} products"
    return ", ".join(
        x for x in (f"sector {sector}" if sector else "", f"stage {stage}" if stage else "") if x
    )


def _labelled(table: pa.Table) -> pa.Table:
    """``table`` with a ``product`` column (the label people read) after ``hs6``."""
    from friendshore.nomenclature.labels import short_label

    labels = pa.array([short_label(c) for c in table.column("hs6").to_pylist()], pa.string())
    return table.add_column(table.column_names.index("hs6") + 1, "product", labels)


def _unmet_first(row: dict[str, Any]) -> tuple[Any, ...]:
    return (-row["unmet_kusd"], -row["value_at_risk_kusd"], row["hs6"], row["importer"])


def _flow_order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["hs6"], row["importer"], -row["trade_before_kusd"], row["supplier"])


def _supplier_order(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row["hs6"], -row["trade_before_kusd"], row["supplier"])


def _opened(
    settings: Settings,
    year: int | None,
    members_at: date | None,
    actors: tuple[str, ...],
    products: str | None,
    sector: str | None,
    stage: str | None,
) -> tuple[Context, int, list[Who], list[str], list[str]]:
    """The context, the checked trade year, the ``actors`` resolved (in that order), then the HS6
    codes asked for and their notes."""
    from friendshore.analyses.partners import product_codes

    ctx, trade, year = open_trade(settings, year)
    whos = [ctx.who(actor, year=year, members_at=members_at) for actor in actors]
    codes, notes = product_codes(trade, year=year, product=products, sector=sector, stage=stage)
    return ctx, year, whos, codes, notes


def _add_rows(
    rows: dict[str, list[dict[str, Any]]], s: pe.Solved, label: str, shown: list[str] | None
) -> None:
    """Append one solved market's importer, supplier, flow and solver rows to ``rows``."""
    from friendshore.analyses import shocks_pe as pe

    rows["importers"] += pe.importer_rows(s, label, shown)
    rows["suppliers"] += pe.supplier_rows(s, label)
    rows["flows"] += pe.flow_rows(s, label, shown)
    rows["solver"].append(pe.solver_row(s, label))


@documented(_DOCS, year="trade_year", product="products")
def restriction(
    settings: Settings,
    *,
    exporter: str,
    product: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    share: float = 1.0,
    year: int | None = None,
    importer: str | None = None,
    members_at: date | None = None,
    model: RestrictionModel = "first-order",
    scope: Scope = "importer",
    substitution: float | None = None,
    import_demand: float | None = None,
    export_supply: float | None = None,
    output: RestrictionOutput = "importers",
) -> Result:
    """An export restriction: ``exporter`` (a country or a group acting together) withholds
    ``share`` of its exports of ``product`` (HS6 codes, comma-separated) or of a taxonomy
    ``sector``/``stage``, as the first-order check or in the partial equilibrium, for one importer at
    a time or for the world at once. Every table is also in ``Result.tables``; ``world`` (with
    ``scope="world"``) holds the world's value at risk, filled, unmet and price change per product.

    Parameters
    ----------
    exporter
        Restricting ISO3 code or group (acting jointly), e.g. CHN.
    product
    sector
    stage
    share
        Share of its exports withheld, in (0, 1] (1: a full ban).
    year
    importer
        Show only this importer (ISO3 or group).
    members_at
    model
        first-order (no prices: others' current exports are the capacity) or pe (partial equilibrium:
        prices, substitution, export supply; elasticities from ProTEE).
    scope
        importer (each importer as if only it were cut off) or world (every importer at once, competing
        for the same capacity).
    substitution
        PE: substitution elasticity between suppliers for every product (default: ProTEE by HS6).
    import_demand
        PE: import demand elasticity, a magnitude (default 1.25, an assumption).
    export_supply
        PE: export supply elasticity (default 1.5, an assumption).
    output
        importers, suppliers, products, world (scope world), flows or solver (model pe).
    """
    require_fraction(share, "the restricted share (--share)")
    if share == 0:
        raise UserError("a restricted share of 0 restricts nothing: give a share in (0, 1]")
    ctx, year, (who,), codes, notes = _opened(settings, year, members_at, (exporter,), product, sector, stage)
    target = ctx.who(importer, year=year, members_at=members_at) if importer else None
    sources: list[str] = []
    if model == "first-order":
        tables = _first_order(ctx, who, codes, share, year, target, scope, notes)
    else:
        tables = _pe_restriction(settings, ctx, who, codes, share, year, target, scope, notes, sources,
                                 (substitution, import_demand, export_supply))  # fmt: skip
    if output not in tables:
        raise UserError(
            f"--output {output} is not a table of the {model} model with scope {scope}: "
            f"choose one of {', '.join(tables)}"
        )
    if tables["importers"].num_rows == 0 and target is None:
        raise UnknownCodeError(f"{who.label} exported none of the products asked in {year}")
    if who.is_group:
        notes.insert(0, f"restricting jointly: {who.describe()}")
    if target is not None and target.is_group:
        notes.append(f"importers shown: {target.describe()}")
    notes += ctx.trade_notes()
    tables = {name: _labelled(t) if "hs6" in t.column_names else t for name, t in tables.items()}
    table = tables[output]
    view = _SINGLE if scope == "importer" else "every importer cut off at once"
    title = f"{who.label} restricts {share:.0%} of its exports of {_what(product, sector, stage)}, {year} ({view}): {output}"
    return Result(
        "restriction",
        title,
        table,
        {
            "exporter": who.to_json(),
            "product": product,
            "sector": sector,
            "stage": stage,
            "hs6": codes,
            "share": share,
            "year": year,
            "importer": target.to_json() if target else None,
            "model": model,
            "scope": scope,
            "substitution": substitution,
            "import_demand": import_demand,
            "export_supply": export_supply,
            "output": output,
        },
        ctx.provenance(),
        tuple(notes),
        describe(table, key=_KEYS[output], extra=_COLUMNS),
        tables=tables,
        sources=tuple(sources),
    )


def _first_order(
    ctx: Context,
    who: Who,
    codes: list[str],
    share: float,
    year: int,
    target: Who | None,
    scope: Scope,
    notes: list[str],
) -> dict[str, pa.Table]:
    import ibis

    from friendshore.metrics.shocks import (
        restriction_exposure,
        restriction_suppliers,
        restriction_world,
        restriction_world_totals,
    )

    trade = ctx.table("trade")
    args: dict[str, Any] = {
        "exporters": list(who.members),
        "label": who.label,
        "year": year,
        "hs6": codes,
        "share": share,
    }
    order = [ibis.desc("unmet_kusd"), ibis.desc("value_at_risk_kusd"), "hs6", "importer"]
    if scope == "world":
        exposure = restriction_world(trade, **args)
        if target is not None:
            exposure = exposure.filter(exposure.importer.isin(list(target.members)))
        totals = restriction_world_totals(trade, **args)
        notes += [
            "first order, every importer cut off at once: others' capacity is what suppliers that are "
            "neither restricting nor hit sell today to importers that are not hit (those buyers do "
            "without); each hit importer keeps what it already buys from others, and the filled part is "
            "split among importers by their share of the value at risk",
            "unmet even if every other exporter redirected everything: the value at risk less everything "
            "the other exporters sell today, a floor under the world's gap",
        ]
        return {
            "importers": exposure.order_by(order).to_pyarrow(),
            "world": totals.order_by([ibis.desc("value_at_risk_kusd"), "hs6"]).to_pyarrow(),
        }
    exposure = restriction_exposure(trade, **args)
    if target is not None:
        exposure = exposure.filter(exposure.importer.isin(list(target.members)))
    full = restriction_exposure(trade, **args)
    per_product = full.group_by(["year", "hs6", "restricting"]).aggregate(
        n_importers=full.count(),
        value_at_risk_kusd=full.value_at_risk_kusd.sum(),
        filled_kusd=full.filled_kusd.sum(),
        unmet_kusd=full.unmet_kusd.sum(),
    )
    suppliers = restriction_suppliers(trade, **args)
    notes += [
        f"first order, {_SINGLE}: others' capacity is their current exports of the product to third "
        "countries; each importer is checked alone, so importers compete for the same capacity and the "
        "sum over importers overstates what can be filled (scope world: every importer at once)",
        "fillable demand is shared among alternative suppliers in proportion to their capacity for each importer",
    ]
    return {
        "importers": exposure.order_by(order).to_pyarrow(),
        "suppliers": suppliers.order_by([ibis.desc("extra_demand_kusd"), "hs6", "supplier"]).to_pyarrow(),
        "products": per_product.order_by([ibis.desc("value_at_risk_kusd"), "hs6"]).to_pyarrow(),
    }


def _pe_setup(
    settings: Settings,
    ctx: Context,
    codes: list[str],
    year: int,
    notes: list[str],
    sources: list[str],
    overrides: tuple[float | None, float | None, float | None],
) -> tuple[dict[str, pe.Market], dict[str, Elasticities]]:
    from friendshore.analyses import shocks_pe as pe
    from friendshore.nomenclature.labels import short_label

    markets, coverage = pe.markets(ctx, year=year, codes=codes)
    notes += coverage
    missing = sorted(set(codes) - set(markets))
    if missing:
        notes.append(
            f"not loaded with every country's flows in {year}, so not modelled (unknown, not zero): "
            + "; ".join(short_label(c) for c in missing)
        )
    substitution, import_demand, export_supply = overrides
    values, e_notes, e_sources = pe.load_elasticities(
        settings,
        sorted(markets),
        substitution=substitution,
        import_demand=import_demand,
        export_supply=export_supply,
    )
    notes += e_notes + pe.elasticity_notes(values)
    sources += e_sources
    notes += [
        "partial equilibrium, product by product: Armington demand across suppliers in each importer, "
        "constant-elasticity export supply, one world price per exporter, every market cleared "
        "(docs/methods/shocks.md); elasticities marked 'assumption' are defaults, not estimates",
        "baseline tariffs are taken as zero (the warehouse holds no applied tariffs): an assumption",
        "filled and unmet are quantities valued at baseline prices; trade after is the value paid to "
        "exporters (a restriction's rent included, tariffs excluded)",
    ]
    return markets, values


def _pe_restriction(
    settings: Settings,
    ctx: Context,
    who: Who,
    codes: list[str],
    share: float,
    year: int,
    target: Who | None,
    scope: Scope,
    notes: list[str],
    sources: list[str],
    overrides: tuple[float | None, float | None, float | None],
) -> dict[str, pa.Table]:
    from friendshore.analyses import shocks_pe as pe

    markets, values = _pe_setup(settings, ctx, codes, year, notes, sources, overrides)
    shown = list(target.members) if target is not None else None
    rows: dict[str, list[dict[str, Any]]] = {
        k: [] for k in ("importers", "suppliers", "flows", "world", "solver")
    }
    label = who.label
    for code, market in markets.items():
        e = values[code]
        hit = market.mask(who.members)
        if not hit.any():
            continue
        if scope == "world":
            s = pe.solve_market(market, e, cut=np.where(hit, share, 0.0))
            _add_rows(rows, s, label, shown)
            rows["world"].append(pe.world_row(s, label, who.members))
            continue
        for v in np.flatnonzero(hit.any(axis=0)):
            name = market.importers[v]
            if shown is not None and name not in shown:
                continue
            single = np.zeros_like(market.values, dtype=bool)
            single[:, v] = hit[:, v]
            s = pe.solve_market(market, e, cut=np.where(single, share, 0.0))
            rows["importers"] += pe.importer_rows(s, label, [name])
            rows["flows"] += pe.flow_rows(s, label, [name])
            rows["solver"].append(pe.solver_row(s, f"{label} -> {name}"))
    sch = pe.SCHEMAS
    tables = {
        "importers": pe.table_of(rows["importers"], sch["importers"], _unmet_first),
        "flows": pe.table_of(rows["flows"], sch["flows"], _flow_order),
        "solver": pe.table_of(rows["solver"], sch["solver"]),
    }
    if scope == "world":
        tables["suppliers"] = pe.table_of(rows["suppliers"], sch["suppliers"], _supplier_order)
        tables["world"] = pe.table_of(
            rows["world"], sch["world"], lambda r: (-r["value_at_risk_kusd"], r["hs6"])
        )
        notes.append(
            "every importer cut off at once: the other suppliers' output is shared among importers by "
            "the model's prices; the world's unmet is the fall in the world's imports at baseline prices"
        )
    else:
        products = pe.importer_totals(rows["importers"])
        tables["products"] = pe.table_of(
            products, pe.PRODUCT_SCHEMA, lambda r: (-r["value_at_risk_kusd"], r["hs6"])
        )
        notes.append(
            f"partial equilibrium, {_SINGLE}: each importer solved alone (the others keep buying from "
            "the restricting exporter); the products table sums these single views, which overstates what "
            "can be filled when every importer is cut off (scope world)"
        )
    return tables


@documented(_DOCS, year="trade_year")
def tariff(
    settings: Settings,
    *,
    importer: str,
    exporter: str,
    products: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    rate: float = 0.25,
    year: int | None = None,
    members_at: date | None = None,
    substitution: float | None = None,
    import_demand: float | None = None,
    export_supply: float | None = None,
    output: TariffOutput = "importers",
) -> Result:
    """An ad-valorem tariff of ``rate`` by ``importer`` (every member) on imports from ``exporter``
    (every member) of ``products`` or of a taxonomy ``sector``/``stage``, solved in the product-level
    partial equilibrium: trade before and after per supplier and importer, prices, the importer's
    consumer surplus and tariff revenue, every supplier's exports and world price.

    Parameters
    ----------
    importer
        Importer setting the tariff: ISO3 code or group (every member applies it), e.g. USA.
    exporter
        Exporter taxed: ISO3 code or group, e.g. CHN.
    products
    sector
    stage
    rate
        Ad-valorem tariff, e.g. 0.25 for 25 % (on top of a duty-free baseline).
    year
    members_at
    substitution
        Substitution elasticity between suppliers for every product (default: ProTEE by HS6).
    import_demand
        Import demand elasticity, a magnitude (default 1.25, an assumption).
    export_supply
        Export supply elasticity (default 1.5, an assumption).
    output
        importers (the importer setting the tariff), flows (its imports by supplier), suppliers (every
        exporter's sales and world price) or solver.
    """
    from friendshore.analyses import shocks_pe as pe

    if not np.isfinite(rate) or rate < 0:
        raise UserError(f"a tariff rate must be a non-negative number (0.25 is 25 %), not {rate}")
    opened = _opened(settings, year, members_at, (exporter, importer), products, sector, stage)
    ctx, year, (taxed, setter), codes, notes = opened
    sources: list[str] = []
    markets, values = _pe_setup(settings, ctx, codes, year, notes, sources,
                                (substitution, import_demand, export_supply))  # fmt: skip
    label = taxed.label
    rows: dict[str, list[dict[str, Any]]] = {k: [] for k in ("importers", "flows", "suppliers", "solver")}
    members = list(setter.members)
    for code in codes:
        market = markets.get(code)
        if market is None:
            rows["importers"] += [pe.unknown_importer_row(year, code, label, m) for m in members]
            continue
        pairs = market.mask(taxed.members, members)
        s = pe.solve_market(market, values[code], tariff=np.where(pairs, rate, 0.0))
        shown = [m for m in members if m in market.importers]
        _add_rows(rows, s, label, shown)
        absent = sorted(set(members) - set(shown))
        if absent:
            notes.append(f"{code}: {', '.join(absent)} imported none of it in {year} (BACI)")
    sch = pe.SCHEMAS
    tables = {
        "importers": pe.table_of(rows["importers"], sch["importers"], lambda r: (r["hs6"], r["importer"])),
        "flows": pe.table_of(rows["flows"], sch["flows"], _flow_order),
        "suppliers": pe.table_of(rows["suppliers"], sch["suppliers"], _supplier_order),
        "solver": pe.table_of(rows["solver"], sch["solver"]),
    }
    tables = {name: _labelled(pe.for_tariff(t)) for name, t in tables.items()}
    for who, role in ((setter, "setting the tariff"), (taxed, "taxed")):
        if who.is_group:
            notes.insert(0, f"{role}: {who.describe()}")
    notes += ctx.trade_notes()
    table = tables[output]
    title = (
        f"{setter.label} tariff of {rate:.0%} on imports from {taxed.label} of "
        f"{_what(products, sector, stage)}, {year}: {output}"
    )
    return Result(
        "tariff",
        title,
        table,
        {
            "importer": setter.to_json(),
            "exporter": taxed.to_json(),
            "products": products,
            "sector": sector,
            "stage": stage,
            "hs6": codes,
            "rate": rate,
            "year": year,
            "substitution": substitution,
            "import_demand": import_demand,
            "export_supply": export_supply,
            "output": output,
        },
        ctx.provenance(),
        tuple(notes),
        describe(table, key=_TARIFF_KEYS[output], extra=_COLUMNS),
        tables=tables,
        sources=tuple(sources),
    )
