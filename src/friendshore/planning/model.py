"""The coalition planner as a linear (or mixed-integer) programme, built as arrays for HiGHS.

The model (docs/methods/planner.md has it in full). Indices: product p, candidate country s,
member m, year y; discount factor d_y = (1 + r)^-(y - y0).

Variables (all >= 0): x_py supply from countries of concern; o_psy offtake (redirected supply)
from s; k_psy new capacity commissioned in s in year y (on line from y + L_p); z_psy supply from
that new capacity; b_py stock bought (years before the disruption), r_py stock released (years of
the disruption), S_py stock held; w_psy in {0, 1} a project (only with a minimum project size or
a fixed cost: then the model is a MILP); pay_m each member's share of the cost; T the total.

Objective (million USD, present value), relative to buying today's supply at today's prices:

    min  sum_y d_y [ sum_ps o_psy (pi_p c_ps + (c_ps - c^X_p)^+)          offtake premium
                   + sum_ps z_psy (c_ps - c^X_p)^+                         dearer supply
                   + sum_ps k_psy K_ps + sum_ps w_psy F_p                  capital, fixed cost
                   + sum_p c^X_p (b_py - r_py) + sum_p h_p c^X_p S_py ]    stockpile

Constraints:
    demand       x_py + sum_s o_psy + sum_s z_psy + r_py = B_p                      (every p, y)
    concern      x_py <= A_py   (A = B, or (1 - cut) B in disruption years; a bound)
    target       x_py <= tau D_p                                                  (y >= target year)
    supplier     o_psy + z_psy <= max(sigma D_p, N_ps) - N_ps                        (sigma < 1)
    offtake      o_psy <= available_ps + committed_psy                               (a bound)
    capacity     z_psy <= sum_{y' <= y - L_p} k_psy'
    expansion    sum_y k_psy <= rho_p output_ps + g_p D_p [s a member]
    stock        S_py = S_p,y-1 + b_py - r_py,  S_p,-1 = initial stock
    project      m_p D_p w_psy <= k_psy <= cap_ps w_psy                              (MILP only)
    total        T = the objective;  sum_m pay_m = T
    burden       (1 - beta) g_m T <= pay_m <= (1 + beta) g_m T                       (with a band)
    budget       pay_m <= budget_m

Strategies switch countries on: reshoring only the lead importer(s), friend-shoring the lead and
the coalition partners, open every country outside the countries of concern. ``status_quo`` does
nothing (no model is solved: supply from countries of concern is what the disruption leaves).

An infeasible plan raises ``InfeasibleError`` naming the constraints that cannot all hold: an
elastic (phase-1) copy of the model lets demand, target, supplier-share, expansion, burden and
budget constraints be violated at a cost proportional to the violation (scaled by the product's
demand or the member's budget) and reports the ones it has to violate.

The code: ``planning.lp`` builds the arrays, ``planning.highs`` solves them, ``planning.diagnose``
names the constraints of an infeasible plan; this module turns a solve into a ``PlanSolution``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from friendshore.errors import InfeasibleError
from friendshore.planning.diagnose import explain_infeasible
from friendshore.planning.highs import Solved, solve_lp
from friendshore.planning.lp import IntArray, PlanLP, build_plan_lp
from friendshore.planning.problem import FloatArray, PlanProblem, Strategy

__all__ = ["PlanSolution", "solve_plan", "status_quo"]


@dataclass(frozen=True)
class PlanSolution:
    """The optimal plan of one strategy. Quantities are in each product's unit, money in million
    USD (present value). Arrays are zero where a variable does not exist."""

    strategy: Strategy
    status: str
    total_cost: float
    x: FloatArray  # P x Y
    offtake: FloatArray  # P x S x Y
    capacity_built: FloatArray  # P x S x Y (commissioned in year y)
    new_supply: FloatArray  # P x S x Y
    stock_bought: FloatArray  # P x Y
    stock_released: FloatArray  # P x Y
    stock: FloatArray  # P x Y
    projects: FloatArray  # P x S x Y
    pay: FloatArray  # M (NaN when the plan has no burden sharing or budgets)
    costs: dict[str, float]  # component -> million USD
    duals: dict[str, tuple[dict[str, IntArray], FloatArray, FloatArray]]  # family -> keys, dual, slack
    shortfall: FloatArray  # P x Y (status quo only)

    def supply_from(self, problem: PlanProblem) -> FloatArray:
        """P x S x Y: what each candidate country supplies (today's imports + offtake + new supply)."""
        return np.asarray(problem.baseline[:, :, None] + self.offtake + self.new_supply, dtype=np.float64)

    def concern_share(self, problem: PlanProblem) -> FloatArray:
        """P x Y: share of demand supplied by countries of concern."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(
                np.where(problem.demand[:, None] > 0, self.x / problem.demand[:, None], 0.0), dtype=np.float64
            )

    def hhi(self, problem: PlanProblem) -> FloatArray:
        """P x Y: Herfindahl index of supply (countries of concern split as today; the stockpile
        and any shortfall count as one source each)."""
        D = np.where(problem.demand > 0, problem.demand, 1.0)[:, None]
        shares = self.supply_from(problem) / D[:, :, None]
        out = (shares**2).sum(axis=1)
        if problem.concern_baseline.size:
            split = problem.concern_baseline / np.where(problem.concern > 0, problem.concern, 1.0)[:, None]
            out += ((split[:, :, None] * self.x[:, None, :] / D[:, :, None]) ** 2).sum(axis=1)
        else:
            out += (self.x / D) ** 2
        out += (self.stock_released / D) ** 2 + (self.shortfall / D) ** 2
        return np.asarray(np.where(problem.demand[:, None] > 0, out, np.nan), dtype=np.float64)


def _take(values: FloatArray, index: IntArray) -> FloatArray:
    out = np.zeros(index.shape)
    ok = index >= 0
    out[ok] = values[index[ok]]
    return out


def status_quo(problem: PlanProblem) -> PlanSolution:
    """No action: countries of concern supply what the disruption leaves; the rest is short."""
    P, S, M, Y = problem.shape
    x = problem.concern_available()
    zero3 = np.zeros((P, S, Y))
    zero2 = np.zeros((P, Y))
    return PlanSolution(
        "status_quo", "no action", 0.0, x, zero3, zero3, zero3, zero2, zero2, zero2, zero3,
        np.full(M, np.nan), {}, {}, problem.concern[:, None] - x,
    )  # fmt: skip


def solve_plan(problem: PlanProblem, strategy: Strategy, *, time_limit: float | None = None) -> PlanSolution:
    """Solve one strategy; ``InfeasibleError`` (naming the constraints) when no plan meets them."""
    if strategy == "status_quo":
        return status_quo(problem)
    lp = build_plan_lp(problem, strategy)
    solved = solve_lp(lp, mip_gap=problem.mip_gap, time_limit=time_limit)
    if solved.status != "Optimal":
        if "nfeasible" in solved.status:
            raise explain_infeasible(problem, strategy)
        raise InfeasibleError(f"{strategy}: HiGHS stopped with status '{solved.status}'")
    return _solution(problem, lp, solved)


def _solution(problem: PlanProblem, lp: PlanLP, solved: Solved) -> PlanSolution:
    P, S, M, Y = problem.shape
    v = solved.col_value
    idx = lp.index
    costs: dict[str, float] = {}
    block_cols = {"offtake": "o", "capital": "k", "new_supply": "z", "fixed": "w", "stock_buy": "b",
                  "stock_release": "r", "holding": "stock"}  # fmt: skip
    for name, col in block_cols.items():
        if col in idx and name in lp.cost_blocks:
            ok = idx[col] >= 0
            costs[name] = float((lp.cost_blocks[name][ok] * v[idx[col][ok]]).sum())
    duals: dict[str, tuple[dict[str, IntArray], FloatArray, FloatArray]] = {}
    if solved.row_dual.size:
        for family, (first, end, keys) in lp.families.items():
            act = solved.row_value[first:end]
            slack = np.minimum(lp.row_upper[first:end] - act, act - lp.row_lower[first:end])
            duals[family] = (keys, solved.row_dual[first:end], slack)
    pay = _take(v, idx["pay"]) if "pay" in idx else np.full(M, np.nan)
    total = float(lp.cost @ v)
    return PlanSolution(
        strategy=lp.strategy,
        status="optimal",
        total_cost=total,
        x=_take(v, idx["x"]),
        offtake=_take(v, idx["o"]),
        capacity_built=_take(v, idx["k"]),
        new_supply=_take(v, idx["z"]),
        stock_bought=_take(v, idx["b"]),
        stock_released=_take(v, idx["r"]),
        stock=_take(v, idx["stock"]),
        projects=_take(v, idx["w"]) if "w" in idx else np.zeros((P, S, Y)),
        pay=pay,
        costs=costs,
        duals=duals,
        shortfall=np.zeros((P, Y)),
    )
