"""Solve every strategy of a plan, summarise them as tables, and re-solve under drawn costs.

``compare_strategies`` solves the nested strategies on the same inputs; ``strategy_tables`` turns
the solutions into pyarrow tables (one row per strategy; allocations by product x country x
instrument; costs by member; indicators before/after; duals); ``sensitivity`` draws the cost
parameters uniformly within their stated ranges (``numpy.random.default_rng(seed)``, one draw
shared by all strategies) and re-solves.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from friendshore.deadline import check as check_deadline
from friendshore.errors import InfeasibleError
from friendshore.planning.diagnose import describe_row
from friendshore.planning.model import PlanSolution, solve_plan, status_quo
from friendshore.planning.problem import STRATEGIES, CostParameters, PlanProblem, Strategy

__all__ = ["Outcome", "compare_strategies", "sensitivity", "strategy_tables"]

_MUSD = 1e6  # USD per million USD
_ROLES = {0: "other", 1: "partner", 2: "lead"}


@dataclass(frozen=True)
class Outcome:
    """One strategy: its solution, or why it has none."""

    strategy: Strategy
    solution: PlanSolution | None
    error: InfeasibleError | None = None


def compare_strategies(problem: PlanProblem, strategies: Sequence[Strategy] = STRATEGIES) -> list[Outcome]:
    out = []
    for strategy in strategies:
        try:
            out.append(Outcome(strategy, solve_plan(problem, strategy)))
        except InfeasibleError as exc:
            out.append(Outcome(strategy, None, exc))
    return out


def _weighted(values: np.ndarray, weight: np.ndarray) -> float | None:
    ok = np.isfinite(values) & (weight > 0)
    if not ok.any():
        return None
    return float(np.sum(values[ok] * weight[ok]) / np.sum(weight[ok]))


def _year_index(problem: PlanProblem, year: int) -> int:
    return problem.years.index(year)


def _target_marginal(problem: PlanProblem, sol: PlanSolution) -> float | None:
    """d cost / d target share (USD per unit of share; <= 0): sum of the target rows' duals x D."""
    if "target" not in sol.duals:
        return None
    keys, dual, _ = sol.duals["target"]
    return float(np.sum(dual * problem.demand[keys["p"]]) * _MUSD)


def _supplier_marginal(problem: PlanProblem, sol: PlanSolution) -> float | None:
    if "supplier" not in sol.duals:
        return None
    keys, dual, _ = sol.duals["supplier"]
    # the row's bound is max(sigma D, N) - N: it moves with sigma only where sigma D > N
    moves = problem.max_supplier_share * problem.demand[keys["p"]] > problem.baseline[keys["p"], keys["s"]]
    return float(np.sum(np.where(moves, dual * problem.demand[keys["p"]], 0.0)) * _MUSD)


def strategy_tables(
    problem: PlanProblem, outcomes: Sequence[Outcome], *, report_year: int
) -> dict[str, pa.Table]:
    """The main table (``strategies``) and the detail tables of a comparison."""
    y = _year_index(problem, report_year)
    w = problem.weight if problem.weight.size else np.ones(len(problem.products))
    before_share = problem.concern_share_before()
    rows, alloc, members, indicators, duals = [], [], [], [], []
    sq = status_quo(problem)
    hhi_before = _hhi_before(problem)
    for outcome in outcomes:
        sol = outcome.solution
        row: dict[str, object] = {
            "strategy": outcome.strategy,
            "status": sol.status if sol is not None else "infeasible",
            "total_cost_usd": sol.total_cost * _MUSD if sol is not None else None,
            "concern_share_before": _weighted(before_share, w),
            "concern_share_after": None,
            "target_concern_share": problem.target_share,
            "target_from": problem.target_from,
            "hhi_before": _weighted(hhi_before, w),
            "hhi_after": None,
            "shortfall_share": None,
            "target_cost_usd_per_pp": None,
            "supplier_cap_cost_usd_per_pp": None,
            "binding": "",
        }
        if sol is None:
            assert outcome.error is not None
            row["binding"] = "; ".join(outcome.error.binding[:5]) or str(outcome.error)
            rows.append(row)
            continue
        share = sol.concern_share(problem)[:, y]
        hhi = sol.hhi(problem)[:, y]
        row["concern_share_after"] = _weighted(share, w)
        row["hhi_after"] = _weighted(hhi, w)
        with np.errstate(invalid="ignore", divide="ignore"):
            short = np.where(problem.demand[:, None] > 0, sol.shortfall / problem.demand[:, None], 0.0)
        row["shortfall_share"] = float(short.max()) if short.size else 0.0
        tm = _target_marginal(problem, sol)
        row["target_cost_usd_per_pp"] = -0.01 * tm + 0.0 if tm is not None else None
        sm = _supplier_marginal(problem, sol)
        row["supplier_cap_cost_usd_per_pp"] = -0.01 * sm + 0.0 if sm is not None else None
        row["binding"] = "; ".join(_binding(problem, sol)[:5])
        for name, value in sorted(sol.costs.items()):
            row[f"cost_{name}_usd"] = value * _MUSD
        rows.append(row)
        alloc += _allocations(problem, sol)
        members += _members(problem, sol)
        indicators += _indicators(problem, sol, sq, y)
        duals += _duals(problem, sol)
    cost_cols = sorted({k for r in rows for k in r if k.startswith("cost_") and k.endswith("_usd")})
    for r in rows:
        for c in cost_cols:
            r.setdefault(c, None)
    return {
        "strategies": pa.Table.from_pylist(rows),
        "allocations": _table(alloc, _ALLOC_SCHEMA),
        "costs_by_member": _table(members, _MEMBER_SCHEMA),
        "indicators": _table(indicators, _INDICATOR_SCHEMA),
        "duals": _table(duals, _DUAL_SCHEMA),
    }


def _table(rows: list[dict[str, object]], schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pylist(rows, schema=schema)


def _hhi_before(problem: PlanProblem) -> np.ndarray:
    D = np.where(problem.demand > 0, problem.demand, 1.0)
    out = ((problem.baseline / D[:, None]) ** 2).sum(axis=1)
    if problem.concern_baseline.size:
        out += ((problem.concern_baseline / D[:, None]) ** 2).sum(axis=1)
    else:
        out += (problem.concern / D) ** 2
    return np.asarray(np.where(problem.demand > 0, out, np.nan))


def _binding(problem: PlanProblem, sol: PlanSolution) -> list[str]:
    """Policy constraints that bind with a non-zero shadow price, largest |dual x scale| first."""
    found: list[tuple[float, str]] = []
    for family in ("target", "supplier", "budget", "burden_high", "burden_low", "expansion"):
        if family not in sol.duals:
            continue
        keys, dual, slack = sol.duals[family]
        scale = problem.demand[keys["p"]] if "p" in keys else np.ones(len(dual))
        hit = (np.abs(dual) > 1e-9) & (np.abs(slack) <= 1e-7 * np.maximum(scale, 1.0))
        if family in ("target", "supplier") and hit.any():  # one line per family and product
            by_p: dict[int, float] = {}
            for i in np.nonzero(hit)[0]:
                by_p[int(keys["p"][i])] = by_p.get(int(keys["p"][i]), 0.0) + abs(float(dual[i] * scale[i]))
            label = "concern-share target" if family == "target" else "maximum supplier share"
            for p, v in by_p.items():
                found.append((v, f"{label} for {problem.products[p]}"))
            continue
        for i in np.nonzero(hit)[0]:
            found.append((abs(float(dual[i] * scale[i])), describe_row(problem, family, keys, int(i))))
    found.sort(key=lambda t: -t[0])
    return [text for _, text in found]


_ALLOC_SCHEMA = pa.schema(
    [("strategy", pa.string()), ("hs6", pa.string()), ("country", pa.string()), ("role", pa.string()),
     ("instrument", pa.string()), ("unit", pa.string()), ("year", pa.int32()), ("quantity", pa.float64()),
     ("value_kusd", pa.float64())]
)  # fmt: skip


def _allocations(problem: PlanProblem, sol: PlanSolution) -> list[dict[str, object]]:
    """Per product x country x instrument x year: offtake, new capacity commissioned, supply from
    new capacity; per product x year: stock bought, released, held; concern supply."""
    out: list[dict[str, object]] = []
    price_kusd = problem.price * 1e3  # kUSD per unit
    blocks = (("offtake", sol.offtake), ("new_capacity", sol.capacity_built), ("new_supply", sol.new_supply))
    for name, arr in blocks:
        for p, s, t in zip(
            *np.nonzero(arr > 1e-9 * np.maximum(problem.demand[:, None, None], 1.0)), strict=True
        ):
            q = float(arr[p, s, t])
            out.append(
                {"strategy": sol.strategy, "hs6": problem.products[p], "country": problem.countries[s],
                 "role": _ROLES[int(problem.role[s])], "instrument": name, "unit": problem.units[p],
                 "year": problem.years[t], "quantity": q, "value_kusd": q * float(price_kusd[p, s])}
            )  # fmt: skip
    for name, arr2 in (("stock_bought", sol.stock_bought), ("stock_released", sol.stock_released),
                       ("stock_held", sol.stock)):  # fmt: skip
        for p, t in zip(*np.nonzero(arr2 > 1e-9 * np.maximum(problem.demand[:, None], 1.0)), strict=True):
            q = float(arr2[p, t])
            out.append(
                {"strategy": sol.strategy, "hs6": problem.products[p], "country": "", "role": "stockpile",
                 "instrument": name, "unit": problem.units[p], "year": problem.years[t], "quantity": q,
                 "value_kusd": q * float(problem.concern_price[p]) * 1e3}
            )  # fmt: skip
    return out


_MEMBER_SCHEMA = pa.schema(
    [("strategy", pa.string()), ("member", pa.string()), ("gdp_share", pa.float64()), ("cost_usd", pa.float64()),
     ("cost_share", pa.float64()), ("budget_usd", pa.float64()), ("budget_dual", pa.float64()), ("basis", pa.string())]
)  # fmt: skip


def _members(problem: PlanProblem, sol: PlanSolution) -> list[dict[str, object]]:
    total = sol.total_cost
    free = not np.isfinite(sol.pay).all()
    pay = problem.gdp_share * total if free else sol.pay
    budget_dual = np.zeros(len(problem.members))
    if "budget" in sol.duals:
        keys, dual, _ = sol.duals["budget"]
        budget_dual[keys["m"]] = dual
    return [
        {"strategy": sol.strategy, "member": m, "gdp_share": float(problem.gdp_share[i]),
         "cost_usd": float(pay[i]) * _MUSD, "cost_share": float(pay[i] / total) if abs(total) > 1e-12 else None,
         "budget_usd": float(problem.budget[i]) * _MUSD if np.isfinite(problem.budget[i]) else None,
         "budget_dual": float(budget_dual[i]) if np.isfinite(problem.budget[i]) else None,
         "basis": "pro rata to GDP (no burden band or budget in the plan)" if free else "optimised"}
        for i, m in enumerate(problem.members)
    ]  # fmt: skip


_INDICATOR_SCHEMA = pa.schema(
    [("strategy", pa.string()), ("hs6", pa.string()), ("year", pa.int32()), ("unit", pa.string()),
     ("demand", pa.float64()), ("concern_share_before", pa.float64()), ("concern_share_after", pa.float64()),
     ("concern_share_no_action", pa.float64()), ("hhi_before", pa.float64()), ("hhi_after", pa.float64()),
     ("shortfall", pa.float64()), ("disrupted", pa.bool_())]
)  # fmt: skip


def _indicators(problem: PlanProblem, sol: PlanSolution, sq: PlanSolution, y: int) -> list[dict[str, object]]:
    del y
    share = sol.concern_share(problem)
    sq_share = sq.concern_share(problem)
    hhi = sol.hhi(problem)
    before = problem.concern_share_before()
    hb = _hhi_before(problem)
    disrupted = problem.disrupted()
    out: list[dict[str, object]] = []
    for p, code in enumerate(problem.products):
        for t, year in enumerate(problem.years):
            out.append(
                {"strategy": sol.strategy, "hs6": code, "year": year, "unit": problem.units[p],
                 "demand": float(problem.demand[p]), "concern_share_before": float(before[p]),
                 "concern_share_after": float(share[p, t]), "concern_share_no_action": float(sq_share[p, t]),
                 "hhi_before": float(hb[p]), "hhi_after": float(hhi[p, t]), "shortfall": float(sol.shortfall[p, t]),
                 "disrupted": bool(disrupted[t])}
            )  # fmt: skip
    return out


_DUAL_SCHEMA = pa.schema(
    [("strategy", pa.string()), ("constraint", pa.string()), ("family", pa.string()), ("hs6", pa.string()),
     ("country", pa.string()), ("member", pa.string()), ("year", pa.int32()), ("dual", pa.float64()),
     ("dual_unit", pa.string()), ("binding", pa.bool_())]
)  # fmt: skip
_DUAL_FAMILIES = ("demand", "target", "supplier", "expansion", "budget", "burden_high", "burden_low")


def _duals(problem: PlanProblem, sol: PlanSolution) -> list[dict[str, object]]:
    """Shadow prices of the constraints people set (USD per unit of the constraint's bound)."""
    out: list[dict[str, object]] = []
    for family in _DUAL_FAMILIES:
        if family not in sol.duals:
            continue
        keys, dual, slack = sol.duals[family]
        for i in range(len(dual)):
            if family in ("demand", "supplier") and abs(dual[i]) <= 1e-12:
                continue  # only the ones that carry a price (there are many)
            p = int(keys["p"][i]) if "p" in keys else None
            unit = "USD per USD" if p is None else f"USD per {'t' if problem.units[p] == 't' else 'kUSD'}"
            out.append(
                {"strategy": sol.strategy, "constraint": describe_row(problem, family, keys, i), "family": family,
                 "hs6": problem.products[p] if p is not None else None,
                 "country": problem.countries[int(keys["s"][i])] if "s" in keys else None,
                 "member": problem.members[int(keys["m"][i])] if "m" in keys else None,
                 "year": problem.years[int(keys["y"][i])] if "y" in keys else None,
                 "dual": float(dual[i]) * (_MUSD if p is not None else 1.0), "dual_unit": unit,
                 "binding": bool(abs(dual[i]) > 1e-9 and abs(slack[i]) <= 1e-7 * max(1.0, float(problem.demand[p]) if p is not None else 1.0))}
            )  # fmt: skip
    return out


def sensitivity(
    problem: PlanProblem,
    costs_for: Callable[[Mapping[str, float]], CostParameters],
    ranges: Sequence[tuple[str, float, float]],
    *,
    draws: int,
    seed: int,
    strategies: Sequence[Strategy],
) -> tuple[pa.Table, pa.Table]:
    """Re-solve ``draws`` times with each ranged cost parameter drawn uniformly in [low, high].

    Returns the summary (one row per strategy: how often it is cheapest, feasible share, cost
    quantiles) and the draws (one row per draw and strategy). A strategy counts as cheapest in a
    draw when its cost is within 1e-6 (relative) of the cheapest feasible action strategy; ties
    count for each. ``status_quo`` (no action) is left out: it does not meet demand in a disruption.
    """
    rng = np.random.default_rng(seed)
    acting = [s for s in strategies if s != "status_quo"]
    records: list[dict[str, object]] = []
    costs = np.full((draws, len(acting)), np.nan)
    for d in range(draws):
        check_deadline()
        values = {key: float(rng.uniform(low, high)) for key, low, high in ranges}
        drawn = problem.with_costs(costs_for(values))
        for j, strategy in enumerate(acting):
            with contextlib.suppress(InfeasibleError):
                costs[d, j] = solve_plan(drawn, strategy).total_cost * _MUSD
            records.append({"draw": d, "strategy": strategy, "total_cost_usd": None if np.isnan(costs[d, j]) else costs[d, j],
                            **{f"param:{k}": v for k, v in values.items()}})  # fmt: skip
    summary = []
    best = np.nanmin(np.where(np.isnan(costs), np.inf, costs), axis=1) if len(acting) else np.zeros(0)
    for j, strategy in enumerate(acting):
        c = costs[:, j]
        ok = ~np.isnan(c)
        cheapest = ok & np.isfinite(best) & (c <= best + 1e-6 * np.maximum(np.abs(best), 1.0))
        q = np.quantile(c[ok], [0.05, 0.5, 0.95]) if ok.any() else [None] * 3
        summary.append(
            {"strategy": strategy, "draws": draws, "feasible_share": float(ok.mean()) if draws else None,
             "cheapest_share": float(cheapest.mean()) if draws else None,
             "cost_min_usd": float(c[ok].min()) if ok.any() else None, "cost_p05_usd": q[0], "cost_median_usd": q[1],
             "cost_p95_usd": q[2], "cost_max_usd": float(c[ok].max()) if ok.any() else None}
        )  # fmt: skip
    return pa.Table.from_pylist(summary), pa.Table.from_pylist(records)
