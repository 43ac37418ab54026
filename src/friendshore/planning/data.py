"""From the warehouse and a plan file to a ``PlanProblem``: quantities, prices, GDP shares.

What comes from data (BACI, one year, HS6 products of the plan; WDI GDP):

- demand ``D_p``: the coalition members' imports of the product, from outside the coalition
  (``include_intra`` adds imports between members), in tonnes; of which ``B_p`` from countries of
  concern and ``N_ps`` from each other supplier;
- ``available_ps``: each country's exports to destinations outside the coalition (what offtake
  agreements may redirect); ``output_ps``: its exports to everyone (today's output as trade shows it;
  domestic use is not seen);
- prices: the coalition's import unit value from each supplier (value / quantity of its exports to
  the members), else the supplier's export unit value to everyone, else the product's world export
  unit value; the price of supply from countries of concern is the members' import unit value from
  them;
- missing BACI quantities (``NA``) are imputed from the exporter's own unit value of the product
  (its world unit value when it reports no quantity at all); when less than
  ``min_quantity_coverage`` of the product's trade value has a quantity, the product is planned in
  value (kUSD at base-year prices) instead of tonnes, and price differences between suppliers drop
  out;
- GDP shares of the members: WDI GDP (current USD), each member's latest year up to the trade year
  (or ``burden.gdp_year``).

Everything else is a parameter of the plan file (``planning.plan_file``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa

from friendshore.errors import UnknownCodeError, UserError
from friendshore.planning.plan_file import InstrumentSpec, Param, PlanSpec
from friendshore.planning.problem import (
    INCLUDED_STATUSES,
    ROLE_LEAD,
    ROLE_OTHER,
    ROLE_PARTNER,
    CommittedCapacity,
    CostParameters,
    FloatArray,
    PlanProblem,
    QuantityUnit,
)

if TYPE_CHECKING:
    import ibis.expr.types as ir
    import pandas as pd

__all__ = ["PlanInputs", "RangedParameter", "plan_problem"]

#: kUSD per tonne (BACI) -> million USD per tonne.
_KUSD_TO_MUSD = 1e-3
_COST_PARAMETERS = ("capital", "fixed_cost_musd", "offtake_premium", "holding_cost_rate")


@dataclass(frozen=True)
class RangedParameter:
    """A cost parameter of the plan with a range: where it is in the file, and its range."""

    key: str
    value: float
    low: float
    high: float
    source: str


@dataclass(frozen=True)
class PlanInputs:
    """A resolved plan: the problem, what each product looks like in data, and how to redraw costs."""

    problem: PlanProblem
    products: pa.Table
    committed: pa.Table
    notes: tuple[str, ...]
    ranged: tuple[RangedParameter, ...]
    costs_for: Callable[[Mapping[str, float]], CostParameters] = field(repr=False)


def _where(spec: PlanSpec, hs6: str, name: str) -> str:
    override = spec.instruments.product.get(hs6)
    if override is not None and name in override.model_fields_set:
        return f'instruments.product."{hs6}".{name}'
    return f"instruments.{name}"


def _capital_param(spec: InstrumentSpec) -> tuple[str, Param]:
    if spec.capital_cost_usd_per_tpy is not None:
        return "capital_cost_usd_per_tpy", spec.capital_cost_usd_per_tpy
    assert spec.capital_intensity is not None
    return "capital_intensity", spec.capital_intensity


def _flows(trade: ir.Table, *, year: int, codes: Sequence[str], members: Sequence[str]) -> pd.DataFrame:
    t = trade.filter((trade.year == year) & trade.hs6.isin(list(codes)) & (trade.value_kusd > 0))
    to_m = t.importer.isin(list(members))
    has_q = t.qty_t.notnull() & (t.qty_t > 0)
    agg = t.group_by(["hs6", "exporter"]).aggregate(
        v_all=t.value_kusd.sum(),
        vq_all=t.value_kusd.sum(where=has_q),
        q_all=t.qty_t.sum(where=has_q),
        v_m=t.value_kusd.sum(where=to_m),
        vq_m=t.value_kusd.sum(where=to_m & has_q),
        q_m=t.qty_t.sum(where=to_m & has_q),
        v_out=t.value_kusd.sum(where=~to_m),
        vq_out=t.value_kusd.sum(where=~to_m & has_q),
        q_out=t.qty_t.sum(where=~to_m & has_q),
    )
    frame: pd.DataFrame = agg.to_pandas()
    # Sums are rounded to a thousandth of a dollar (1e-6 kUSD, 1e-6 t): engines add in different
    # orders, and a last-bit difference can send HiGHS to another vertex of a degenerate LP (the same
    # cost, other duals). The plan is then the same on DuckDB and Spark.
    numbers = [c for c in frame.columns if c not in ("hs6", "exporter")]
    frame[numbers] = frame[numbers].astype(float).round(6)
    return frame.fillna(0.0).sort_values(["hs6", "exporter"]).reset_index(drop=True)


def _gdp_shares(
    gdp: ir.Table | None, members: Sequence[str], *, year: int, needed: bool, notes: list[str]
) -> FloatArray:
    values = dict.fromkeys(members, np.nan)
    if gdp is not None:
        g = gdp.filter(gdp.country.isin(list(members)) & (gdp.year <= year) & gdp.gdp_usd.notnull())
        latest = g.group_by("country").aggregate(year=g.year.max())
        rows = (
            g.join(latest, ["country", "year"]).select("country", "year", "gdp_usd").to_pyarrow().to_pylist()
        )
        for row in rows:
            values[row["country"]] = float(row["gdp_usd"])
        years = sorted({int(r["year"]) for r in rows})
        if years:
            notes.append(
                f"GDP shares: WDI GDP (current USD), latest year up to {year} "
                f"({years[0]}{'-' + str(years[-1]) if len(years) > 1 else ''})"
            )
    missing = [m for m in members if not np.isfinite(values[m])]
    if missing:
        if needed:
            raise UserError(
                f"no GDP for {', '.join(missing)} up to {year}: burden sharing needs every member's GDP "
                "(load WDI GDP with 'friendshore ingest', or drop [burden] band)"
            )
        notes.append(f"no GDP for {', '.join(missing)}: their GDP share is taken as 0")
    arr = np.array([values[m] if np.isfinite(values[m]) else 0.0 for m in members], dtype=np.float64)
    total = arr.sum()
    return arr / total if total > 0 else np.full(len(members), 1.0 / max(len(members), 1))


def plan_problem(
    trade: ir.Table,
    gdp: ir.Table | None,
    spec: PlanSpec,
    *,
    year: int,
    members: Sequence[str],
    concern: Sequence[str],
    committed: Sequence[CommittedCapacity] = (),
) -> PlanInputs:
    """Resolve ``spec`` against the data of ``year`` (members and concern already resolved to ISO3)."""
    members = sorted(set(members))
    lead = list(spec.coalition.lead)
    outside = [c for c in lead if c not in members]
    if outside:
        raise UserError(
            f"coalition.lead {', '.join(outside)} is not a member of the coalition ({', '.join(members)})"
        )
    concern = sorted(set(concern) - set(members))
    notes: list[str] = []
    flows = _flows(trade, year=year, codes=spec.products.codes, members=members)
    present = sorted(set(flows["hs6"]))
    if not present:
        raise UnknownCodeError(
            f"no trade in {year} for {', '.join(spec.products.codes)} (load a BACI year that has them)"
        )
    left = sorted(set(spec.products.codes) - set(present))
    if left:
        notes.append(
            f"{len(left)} of the plan's codes have no trade in {year} and are left out: {', '.join(left)}"
        )
    committed = list(committed)
    countries = sorted(
        (set(flows["exporter"]) | set(members) | {c.country for c in committed}) - set(concern)
    )
    s_of = {c: i for i, c in enumerate(countries)}
    P, S, M = len(present), len(countries), len(members)
    years = tuple(range(spec.horizon.start, spec.horizon.start + spec.horizon.years))
    len(years)
    role = np.array(
        [ROLE_LEAD if c in lead else ROLE_PARTNER if c in members else ROLE_OTHER for c in countries],
        dtype=np.int8,
    )
    intra = spec.coalition.include_intra
    D, B, pX, weight = (np.zeros(P) for _ in range(4))
    N, avail, out, price = (np.zeros((P, S)) for _ in range(4))
    conc_base = np.zeros((P, len(concern)))
    units: list[QuantityUnit] = []
    world_uv = np.zeros(P)
    product_rows = []
    for p, code in enumerate(present):
        f = flows[flows["hs6"] == code]
        v_all = float(f["v_all"].sum())
        coverage = float(f["vq_all"].sum()) / v_all if v_all > 0 else 0.0
        q_total = float(f["q_all"].sum())
        uv_world = float(f["vq_all"].sum()) / q_total if q_total > 0 else float("nan")
        unit: QuantityUnit = (
            "t" if coverage >= spec.products.min_quantity_coverage and q_total > 0 else "kusd"
        )
        units.append(unit)
        uv_e = np.where(f["q_all"] > 0, f["vq_all"] / f["q_all"].where(f["q_all"] > 0, 1.0), uv_world)

        def qty(v: str, vq: str, q: str, uv: Any = uv_e, frame: pd.DataFrame = f, u: str = unit) -> Any:
            if u == "kusd":
                return frame[v].to_numpy(dtype=np.float64)
            return (frame[q] + (frame[v] - frame[vq]) / uv).to_numpy(dtype=np.float64)

        q_m, q_all, q_out = (
            qty("v_m", "vq_m", "q_m"),
            qty("v_all", "vq_all", "q_all"),
            qty("v_out", "vq_out", "q_out"),
        )
        exporters = f["exporter"].tolist()
        is_member = np.array([e in members for e in exporters])
        is_concern = np.array([e in concern for e in exporters])
        # imports between members are demand only with include_intra
        q_dem = np.where(is_member & (not intra), 0.0, q_m)
        v_dem = np.where(is_member & (not intra), 0.0, f["v_m"].to_numpy(dtype=np.float64))
        q_dem = np.maximum(q_dem, 0.0)
        import_uv = np.where(f["q_m"] > 0, f["vq_m"] / f["q_m"].where(f["q_m"] > 0, 1.0), uv_e)
        for i, e in enumerate(exporters):
            if is_concern[i]:
                conc_base[p, concern.index(e)] = q_dem[i]
                continue
            s = s_of[e]
            N[p, s] = q_dem[i]
            avail[p, s] = q_out[i]
            out[p, s] = q_all[i]
            price[p, s] = (import_uv[i] if unit == "t" else 1.0) * _KUSD_TO_MUSD
        no_price = price[p] == 0
        price[p, no_price] = (uv_world if unit == "t" else 1.0) * _KUSD_TO_MUSD
        B[p] = conc_base[p].sum()
        D[p] = B[p] + N[p].sum()
        weight[p] = float(np.sum(v_dem))
        cq = float(f.loc[is_concern, "q_m"].sum())
        pX[p] = (
            (float(f.loc[is_concern, "vq_m"].sum()) / cq if unit == "t" and cq > 0 else
             uv_world if unit == "t" else 1.0) * _KUSD_TO_MUSD
        )  # fmt: skip
        world_uv[p] = uv_world
        product_rows.append(
            {"hs6": code, "unit": unit, "quantity_coverage": coverage, "demand": D[p], "from_concern": B[p],
             "concern_share": B[p] / D[p] if D[p] > 0 else None, "import_value_kusd": weight[p],
             "concern_price_usd": pX[p] * 1e6, "world_unit_value_usd": uv_world * 1e3 if unit == "t" else None}
        )  # fmt: skip
        if unit == "kusd":
            notes.append(
                f"{code}: only {coverage:.0%} of its trade value has a BACI quantity, so it is planned in "
                "value (kUSD at base-year prices) and price differences between suppliers drop out"
            )
        elif coverage < 0.9999:
            notes.append(
                f"{code}: {1 - coverage:.2%} of trade value has no BACI quantity; those tonnes are imputed "
                "from the exporter's unit value"
            )
    if np.any(D <= 0):
        zero = [present[p] for p in range(P) if D[p] <= 0]
        notes.append(
            f"the coalition imports none of {', '.join(zero)} from outside in {year}: nothing to plan"
        )

    instr = [spec.instruments.for_product(code) for code in present]
    factor = np.array([min(spec.instruments.capital_cost_factor.get(c, 1.0), 1e9) for c in countries])
    for p, code in enumerate(present):
        if instr[p].capital_cost_usd_per_tpy is not None and units[p] == "kusd":
            notes.append(
                f"{code}: capital_cost_usd_per_tpy is per tonne but the product is planned in value; it is "
                "converted with the product's world unit value"
            )

    ranged = []
    seen: set[str] = set()
    base_values: dict[str, float] = {}
    keys: dict[tuple[int, str], str] = {}
    for p, code in enumerate(present):
        for name in _COST_PARAMETERS:
            if name == "capital":
                attr, param = _capital_param(instr[p])
            else:
                attr, param = name, getattr(instr[p], name)
            key = _where(spec, code, attr)
            keys[(p, name)] = key
            base_values[key] = param.value
            if param.ranged and key not in seen:
                assert param.low is not None
                assert param.high is not None
                ranged.append(RangedParameter(key, param.value, param.low, param.high, param.source))
                seen.add(key)
    dr = spec.horizon.discount_rate
    base_values["horizon.discount_rate"] = dr.value
    if dr.ranged:
        assert dr.low is not None
        assert dr.high is not None
        ranged.append(RangedParameter("horizon.discount_rate", dr.value, dr.low, dr.high, dr.source))

    def costs_for(values: Mapping[str, float]) -> CostParameters:
        def val(p: int, name: str) -> float:
            key = keys[(p, name)]
            return float(values.get(key, base_values[key]))

        capital = np.zeros((P, S))
        for p in range(P):
            attr, _ = _capital_param(instr[p])
            v = val(p, "capital")
            if attr == "capital_intensity":
                per_unit = v * (world_uv[p] if units[p] == "t" else 1.0) * _KUSD_TO_MUSD
            elif units[p] == "t":
                per_unit = v * 1e-6
            else:  # USD per t/yr -> million USD per kUSD/yr of capacity, through the world unit value
                per_unit = v * 1e-6 / world_uv[p] if world_uv[p] > 0 else v * 1e-6
            capital[p] = per_unit * factor
        return CostParameters(
            capital_cost=capital,
            fixed_cost=np.array([val(p, "fixed_cost_musd") for p in range(P)]),
            offtake_premium=np.array([val(p, "offtake_premium") for p in range(P)]),
            holding_cost_rate=np.array([val(p, "holding_cost_rate") for p in range(P)]),
            discount_rate=float(values.get("horizon.discount_rate", base_values["horizon.discount_rate"])),
        )

    committed_arr, committed_table = _committed(
        committed, spec, present=present, units=units, countries=countries, s_of=s_of, price=price,
        world_uv=world_uv, years=years, concern=concern, notes=notes,
    )  # fmt: skip
    budget = np.full(M, np.inf)
    for code, value in spec.burden.budgets_musd.items():
        if code not in members:
            raise UserError(f"burden.budgets_musd names {code}, which is not a member ({', '.join(members)})")
        budget[members.index(code)] = value
    gdp_year = spec.burden.gdp_year or year
    shares = _gdp_shares(gdp, members, year=gdp_year, needed=spec.burden.band is not None, notes=notes)
    problem = PlanProblem(
        products=tuple(present),
        units=tuple(units),
        countries=tuple(countries),
        role=role,
        members=tuple(members),
        years=years,
        demand=D,
        concern=B,
        concern_price=pX,
        baseline=N,
        available=avail,
        output=out,
        price=price,
        committed=committed_arr,
        costs=costs_for({}),
        lead_time=np.array([i.lead_time_years for i in instr], dtype=np.int64),
        max_expansion_ratio=np.array([i.max_expansion_ratio for i in instr]),
        greenfield_share=np.array([i.greenfield_share for i in instr]),
        min_project=np.array([i.min_project_share for i in instr]),
        initial_stock=np.array([i.initial_stock_share for i in instr]) * D,
        gdp_share=shares,
        budget=budget,
        concern_cut=spec.disruption.concern_cut,
        disruption_start=spec.disruption.start,
        disruption_end=spec.disruption_end,
        target_share=spec.targets.concern_share,
        target_from=spec.target_from,
        max_supplier_share=spec.targets.max_supplier_share,
        burden_band=spec.burden.band,
        weight=weight,
        concern_countries=tuple(concern),
        concern_baseline=conc_base,
        mip_gap=spec.mip_gap,
    )
    return PlanInputs(
        problem=problem,
        products=pa.Table.from_pylist(product_rows),
        committed=committed_table,
        notes=tuple(notes),
        ranged=tuple(ranged),
        costs_for=costs_for,
    )


_COMMITTED_SCHEMA = pa.schema(
    [("country", pa.string()), ("hs6", pa.string()), ("capacity", pa.float64()), ("unit", pa.string()),
     ("available_from", pa.date32()), ("first_year", pa.int32()), ("status", pa.string()),
     ("source_id", pa.string()), ("citation", pa.string()), ("counted", pa.bool_()), ("reason", pa.string()),
     ("capacity_in_plan_unit", pa.float64())]
)  # fmt: skip


def _committed(
    records: Sequence[CommittedCapacity],
    spec: PlanSpec,
    *,
    present: Sequence[str],
    units: Sequence[QuantityUnit],
    countries: Sequence[str],
    s_of: Mapping[str, int],
    price: FloatArray,
    world_uv: FloatArray,
    years: tuple[int, ...],
    concern: Sequence[str],
    notes: list[str],
) -> tuple[FloatArray, pa.Table]:
    P, S, Y = len(present), len(countries), len(years)
    arr = np.zeros((P, S, Y))
    rows = []
    statuses = set(INCLUDED_STATUSES) | ({"announced"} if spec.include_announced else set())
    for rec in records:
        reason, amount = "", None
        if rec.hs6 not in present:
            reason = "product not in the plan (or no trade in the year)"
        elif rec.country in concern:
            reason = "in a country of concern"
        elif rec.status not in statuses:
            reason = f"status '{rec.status}' (set include_announced = true to count announced capacity)"
        elif rec.first_year() > years[-1]:
            reason = "comes on line after the horizon"
        else:
            p, s = present.index(rec.hs6), s_of[rec.country]
            unit = units[p]
            uv_kusd_t = price[p, s] / _KUSD_TO_MUSD if unit == "t" else world_uv[p]
            if rec.unit == unit:
                amount = rec.capacity
            elif rec.unit == "t":  # tonnes -> kUSD at the country's unit value
                amount = rec.capacity * (uv_kusd_t if np.isfinite(uv_kusd_t) else np.nan)
            else:  # kUSD -> tonnes
                amount = rec.capacity / uv_kusd_t if uv_kusd_t and np.isfinite(uv_kusd_t) else np.nan
            if amount is None or not np.isfinite(amount):
                reason, amount = "no unit value to convert its unit", None
            else:
                on = np.asarray(years) >= rec.first_year()
                arr[p, s, on] += amount
        rows.append(
            {"country": rec.country, "hs6": rec.hs6, "capacity": rec.capacity, "unit": rec.unit,
             "available_from": rec.available_from, "first_year": rec.first_year(), "status": rec.status,
             "source_id": rec.source_id, "citation": rec.citation, "counted": not reason, "reason": reason,
             "capacity_in_plan_unit": amount}
        )  # fmt: skip
    if records:
        counted = sum(1 for r in rows if r["counted"])
        notes.append(f"committed capacity: {counted} of {len(records)} records counted (table 'committed')")
    return arr, pa.Table.from_pylist(rows, schema=_COMMITTED_SCHEMA)
