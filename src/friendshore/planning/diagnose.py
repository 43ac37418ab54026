"""Why a plan is infeasible: solve an elastic copy of the model and name, in words, the constraints
it had to violate (``explain_infeasible``); ``describe_row`` says what a constraint is."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from friendshore.errors import InfeasibleError
from friendshore.planning.highs import solve_lp
from friendshore.planning.lp import (
    ELASTIC_FAMILIES,
    POLICY_FAMILIES,
    IntArray,
    PlanLP,
    build_plan_lp,
    row_scale,
)
from friendshore.planning.problem import FloatArray, PlanProblem, Strategy

__all__ = ["describe_row", "explain_infeasible"]


def describe_row(problem: PlanProblem, family: str, keys: dict[str, IntArray], i: int) -> str:
    """A constraint in words, e.g. 'demand for 850511 in 2028'."""
    p = problem.products[keys["p"][i]] if "p" in keys else ""
    y = problem.years[keys["y"][i]] if "y" in keys else None
    s = problem.countries[keys["s"][i]] if "s" in keys else ""
    m = problem.members[keys["m"][i]] if "m" in keys else ""
    texts: dict[str, Callable[[], str]] = {
        "demand": lambda: f"demand for {p} in {y}",
        "target": lambda: f"concern-share target ({problem.target_share:.0%}) for {p} in {y}",
        "supplier": lambda: (
            f"maximum supplier share ({problem.max_supplier_share:.0%}) of {s} for {p} in {y}"
        ),
        "expansion": lambda: f"maximum expansion of {s} for {p}",
        "capacity": lambda: f"capacity on line in {s} for {p} in {y}",
        "burden_high": lambda: f"burden-sharing band (upper) of {m}",
        "burden_low": lambda: f"burden-sharing band (lower) of {m}",
        "budget": lambda: f"budget of {m}",
    }
    return texts.get(family, lambda: family)()


def explain_infeasible(problem: PlanProblem, strategy: Strategy) -> InfeasibleError:
    """Solve an elastic copy and name the constraints it had to violate, largest first: first with
    only the policy constraints relaxable (targets, supplier shares, burden band, budgets), then,
    if demand cannot be met whatever the policy, with demand and expansion limits too."""
    for families in (POLICY_FAMILIES, ELASTIC_FAMILIES):
        lp = build_plan_lp(problem, strategy, elastic=families)
        solved = solve_lp(lp, mip_gap=problem.mip_gap)
        if solved.status == "Optimal":
            break
    named: list[tuple[float, str]] = []
    if solved.status == "Optimal":
        for family in families:
            if family not in lp.families:
                continue
            first, end, keys = lp.families[family]
            base = _original_activity(lp, solved.col_value, first, end)
            over = np.maximum(base - lp.row_upper[first:end], 0.0)
            under = np.maximum(lp.row_lower[first:end] - base, 0.0)
            gap = over + under
            scale = row_scale(problem, family, keys)
            for i in np.nonzero(gap > 1e-7 * scale)[0]:
                unit = _unit_of(problem, family, keys, int(i))
                what = "short by" if under[i] > 0 else "over by"
                named.append((float(gap[i] / scale[i]),
                              f"{describe_row(problem, family, keys, int(i))} ({what} {gap[i]:,.4g} {unit})"))  # fmt: skip
    named.sort(key=lambda t: -t[0])
    binding = [text for _, text in named]
    shown = "; ".join(binding[:8]) + (f"; and {len(binding) - 8} more" if len(binding) > 8 else "")
    message = (
        f"the {strategy} plan is infeasible: these constraints cannot all hold (the smallest relaxation "
        f"violates {shown or 'constraints outside the relaxable families'}); relax a target, a budget, "
        "the burden band, lead times or expansion limits, or start the disruption later"
    )
    return InfeasibleError(message, binding=binding, strategy=strategy)


def _unit_of(problem: PlanProblem, family: str, keys: dict[str, IntArray], i: int) -> str:
    if family in ("budget", "burden_high", "burden_low"):
        return "million USD"
    if "p" in keys:
        unit = problem.units[keys["p"][i]]
        return "t a year" if unit == "t" else "kUSD a year (base-year prices)"
    return ""


def _original_activity(lp: PlanLP, values: FloatArray, first: int, end: int) -> FloatArray:
    """Row activity without the elastic slack columns (columns added after the model)."""
    elastic_start = max(
        (int(block.max()) + 1 for block in lp.index.values() if block.size and block.max() >= 0), default=0
    )
    seg = slice(lp.start[first], lp.start[end])
    rows = np.repeat(np.arange(first, end), np.diff(lp.start[first : end + 1]))
    cols, vals = lp.index_[seg], lp.value[seg]
    keep = cols < elastic_start
    return np.asarray(
        np.bincount(rows[keep] - first, weights=vals[keep] * values[cols[keep]], minlength=end - first)
    )
