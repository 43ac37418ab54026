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
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from friendshore.errors import InfeasibleError
from friendshore.planning.problem import ROLE_PARTNER, FloatArray, PlanProblem, Strategy

__all__ = [
    "ELASTIC_FAMILIES",
    "PlanLP",
    "PlanSolution",
    "build_plan_lp",
    "new_highs",
    "solve_lp",
    "solve_plan",
    "status_quo",
]

IntArray = npt.NDArray[np.int64]
INF = float("inf")
#: Constraint families the elastic copy may relax to find why a plan is infeasible: first the policy
#: choices alone (demand held), then, if the plan is physically impossible, demand and expansion too.
POLICY_FAMILIES = ("target", "supplier", "burden_high", "burden_low", "budget")
ELASTIC_FAMILIES = ("demand", "expansion", *POLICY_FAMILIES)
#: Variables whose value counts as a plan's action (tolerance in the product's unit, relative to D).
_TOL = 1e-9


@dataclass
class _Builder:
    """Columns and rows appended in vectorised blocks; the matrix is kept as COO triplets."""

    cost: list[FloatArray] = field(default_factory=list)
    lower: list[FloatArray] = field(default_factory=list)
    upper: list[FloatArray] = field(default_factory=list)
    integer: list[npt.NDArray[np.bool_]] = field(default_factory=list)
    row_lower: list[FloatArray] = field(default_factory=list)
    row_upper: list[FloatArray] = field(default_factory=list)
    rows_i: list[IntArray] = field(default_factory=list)
    cols_j: list[IntArray] = field(default_factory=list)
    vals: list[FloatArray] = field(default_factory=list)
    families: dict[str, tuple[int, int, dict[str, IntArray]]] = field(default_factory=dict)
    n_col: int = 0
    n_row: int = 0

    def cols(
        self, cost: FloatArray, lower: FloatArray, upper: FloatArray, *, integer: bool = False
    ) -> IntArray:
        n = len(cost)
        idx = np.arange(self.n_col, self.n_col + n, dtype=np.int64)
        self.cost.append(np.asarray(cost, dtype=np.float64))
        self.lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.integer.append(np.full(n, integer))
        self.n_col += n
        return idx

    def rows(self, family: str, lower: FloatArray, upper: FloatArray, keys: dict[str, IntArray]) -> IntArray:
        n = max(np.size(lower), np.size(upper))
        idx = np.arange(self.n_row, self.n_row + n, dtype=np.int64)
        self.row_lower.append(np.broadcast_to(np.asarray(lower, dtype=np.float64), (n,)))
        self.row_upper.append(np.broadcast_to(np.asarray(upper, dtype=np.float64), (n,)))
        self.families[family] = (self.n_row, self.n_row + n, keys)
        self.n_row += n
        return idx

    def coef(self, rows: IntArray, cols: IntArray, vals: FloatArray | float) -> None:
        rows, cols = np.asarray(rows, dtype=np.int64).ravel(), np.asarray(cols, dtype=np.int64).ravel()
        self.rows_i.append(rows)
        self.cols_j.append(cols)
        self.vals.append(np.broadcast_to(np.asarray(vals, dtype=np.float64), rows.shape).ravel())

    def arrays(self) -> dict[str, Any]:
        def cat(parts: list[Any], dtype: Any) -> Any:
            return np.concatenate(parts).astype(dtype) if parts else np.zeros(0, dtype=dtype)

        return {
            "cost": cat(self.cost, np.float64),
            "lower": cat(self.lower, np.float64),
            "upper": cat(self.upper, np.float64),
            "integer": cat(self.integer, bool),
            "row_lower": cat(self.row_lower, np.float64),
            "row_upper": cat(self.row_upper, np.float64),
            "i": cat(self.rows_i, np.int64),
            "j": cat(self.cols_j, np.int64),
            "v": cat(self.vals, np.float64),
        }


@dataclass(frozen=True)
class PlanLP:
    """A built model: HiGHS arrays (row-wise CSR) and where each variable block lives.

    ``index[name]`` is an int array shaped like the block (P x S x Y for ``o``), -1 where the
    variable does not exist. ``families[name] = (first row, end row, keys)`` names every row.
    """

    strategy: Strategy
    cost: FloatArray
    lower: FloatArray
    upper: FloatArray
    integer: npt.NDArray[np.bool_]
    row_lower: FloatArray
    row_upper: FloatArray
    start: IntArray
    index_: IntArray
    value: FloatArray
    index: dict[str, IntArray]
    families: dict[str, tuple[int, int, dict[str, IntArray]]]
    cost_blocks: dict[str, FloatArray]

    @property
    def num_col(self) -> int:
        return len(self.cost)

    @property
    def num_row(self) -> int:
        return len(self.row_lower)

    @property
    def is_mip(self) -> bool:
        return bool(self.integer.any())


def _block(shape: tuple[int, ...], mask: npt.NDArray[np.bool_], b: _Builder, cost: FloatArray,
           lower: FloatArray | float, upper: FloatArray, *, integer: bool = False) -> IntArray:  # fmt: skip
    """Add one column per True of ``mask`` (C order); return the index array of ``shape``."""
    index = np.full(shape, -1, dtype=np.int64)
    n = int(mask.sum())
    lo = np.broadcast_to(np.asarray(lower, dtype=np.float64), shape)[mask] if n else np.zeros(0)
    index[mask] = b.cols(cost[mask], lo, upper[mask], integer=integer)
    return index


def build_plan_lp(problem: PlanProblem, strategy: Strategy, *, elastic: tuple[str, ...] = ()) -> PlanLP:
    """Build the model of ``strategy`` as arrays (see the module docstring for the equations).

    ``elastic``: constraint families of a phase-1 copy used to explain infeasibility (original
    costs zero, a slack column on every row of those families at a cost of 1 per unit of violation
    relative to the row's scale).
    """
    if strategy == "status_quo":
        raise ValueError("status_quo solves no model: use status_quo(problem)")
    P, S, M, Y = problem.shape
    b = _Builder()
    disc = problem.discount()
    years = np.asarray(problem.years)
    D, B = problem.demand, problem.concern
    pX = problem.concern_price
    price = problem.price
    allowed = problem.allowed(strategy)
    costs = problem.costs
    index: dict[str, IntArray] = {}
    cost_blocks: dict[str, FloatArray] = {}

    # x: supply from countries of concern
    avail_x = problem.concern_available()
    index["x"] = _block((P, Y), np.ones((P, Y), bool), b, np.zeros((P, Y)), 0.0, avail_x)
    # o: offtake
    o_ub = problem.available[:, :, None] + problem.committed
    o_mask = allowed[None, :, None] & (o_ub > 0) & (D[:, None, None] > 0)
    premium = costs.offtake_premium[:, None] * price + np.maximum(price - pX[:, None], 0.0)
    o_cost = premium[:, :, None] * disc[None, None, :]
    index["o"] = _block((P, S, Y), o_mask, b, o_cost, 0.0, o_ub)
    cost_blocks["offtake"] = o_cost
    # k, z: new capacity and its supply
    cap = problem.expansion_cap()
    can_build = (
        allowed[None, :] & ((problem.role >= ROLE_PARTNER)[None, :] | (problem.output > 0)) & (cap > 0)
    )
    L = problem.lead_time
    t = np.arange(Y)
    k_mask = can_build[:, :, None] & (t[None, None, :] + L[:, None, None] <= Y - 1)
    z_mask = (
        can_build[:, :, None] & (t[None, None, :] >= L[:, None, None]) & k_mask.any(axis=2, keepdims=True)
    )
    k_cost = costs.capital_cost[:, :, None] * disc[None, None, :]
    z_cost = np.maximum(price - pX[:, None], 0.0)[:, :, None] * disc[None, None, :]
    cap3 = np.broadcast_to(cap[:, :, None], (P, S, Y))
    index["k"] = _block((P, S, Y), k_mask, b, k_cost, 0.0, cap3)
    index["z"] = _block((P, S, Y), z_mask, b, z_cost, 0.0, cap3)
    cost_blocks["capital"], cost_blocks["new_supply"] = k_cost, z_cost
    # w: projects (MILP)
    mip = bool(np.any(problem.min_project > 0) or np.any(costs.fixed_cost > 0))
    if mip:
        w_cost = costs.fixed_cost[:, None, None] * disc[None, None, :] * np.ones((P, S, Y))
        index["w"] = _block((P, S, Y), k_mask, b, w_cost, 0.0, np.ones((P, S, Y)), integer=True)
        cost_blocks["fixed"] = w_cost
    # stockpile
    disrupted = problem.disrupted()
    before = years < problem.disruption_start
    b_mask = np.broadcast_to(before[None, :], (P, Y)) & (D[:, None] > 0)
    r_mask = np.broadcast_to(disrupted[None, :], (P, Y)) & (D[:, None] > 0)
    buy_cost = pX[:, None] * disc[None, :]
    hold_cost = (costs.holding_cost_rate * pX)[:, None] * disc[None, :]
    index["b"] = _block((P, Y), b_mask, b, buy_cost, 0.0, np.full((P, Y), INF))
    index["r"] = _block((P, Y), r_mask, b, -buy_cost, 0.0, np.full((P, Y), INF))
    index["stock"] = _block((P, Y), np.ones((P, Y), bool), b, hold_cost, 0.0, np.full((P, Y), INF))
    cost_blocks["stock_buy"], cost_blocks["stock_release"], cost_blocks["holding"] = (
        buy_cost,
        -buy_cost,
        hold_cost,
    )

    pp, yy = np.meshgrid(np.arange(P), np.arange(Y), indexing="ij")
    ps_p, ps_s = np.meshgrid(np.arange(P), np.arange(S), indexing="ij")

    # demand: x + sum o + sum z + r = B
    rows = b.rows("demand", np.repeat(B, Y), np.repeat(B, Y), {"p": pp.ravel(), "y": yy.ravel()})
    rid = rows.reshape(P, Y)
    b.coef(rid, index["x"], 1.0)
    for name in ("o", "z"):
        m = index[name] >= 0
        b.coef(np.broadcast_to(rid[:, None, :], (P, S, Y))[m], index[name][m], 1.0)
    m = index["r"] >= 0
    b.coef(rid[m], index["r"][m], 1.0)

    # target: x <= tau D, from the target year
    tmask = np.broadcast_to((years >= problem.target_from)[None, :], (P, Y))
    if tmask.any() and problem.target_share < 1.0:
        tp, ty = pp[tmask], yy[tmask]
        rows = b.rows("target", np.full(len(tp), -INF), problem.target_share * D[tp], {"p": tp, "y": ty})
        b.coef(rows, index["x"][tp, ty], 1.0)

    # supplier: o + z <= max(sigma D, N) - N
    if problem.max_supplier_share < 1.0:
        has = (index["o"] >= 0) | (index["z"] >= 0)
        sp, ss, sy = np.nonzero(has)
        room = np.maximum(problem.max_supplier_share * D[:, None], problem.baseline) - problem.baseline
        rows = b.rows("supplier", np.full(len(sp), -INF), room[sp, ss], {"p": sp, "s": ss, "y": sy})
        for name in ("o", "z"):
            cols = index[name][sp, ss, sy]
            ok = cols >= 0
            b.coef(rows[ok], cols[ok], 1.0)

    # capacity: z_psy - sum_{y' <= y - L} k_psy' <= 0
    zp, zs, zy = np.nonzero(index["z"] >= 0)
    if len(zp):
        rows = b.rows("capacity", np.full(len(zp), -INF), np.zeros(len(zp)), {"p": zp, "s": zs, "y": zy})
        b.coef(rows, index["z"][zp, zs, zy], 1.0)
        for lag in range(Y):  # k commissioned in year y' = y - L - lag
            yk = zy - L[zp] - lag
            ok = yk >= 0
            cols = index["k"][zp[ok], zs[ok], yk[ok]]
            good = cols >= 0
            b.coef(rows[ok][good], cols[good], -1.0)

    # expansion: sum_y k_psy <= cap_ps
    built = (index["k"] >= 0).any(axis=2)
    ep, es = ps_p[built], ps_s[built]
    if len(ep):
        rows = b.rows("expansion", np.full(len(ep), -INF), cap[ep, es], {"p": ep, "s": es})
        kk = index["k"][ep, es, :]
        rr = np.broadcast_to(rows[:, None], kk.shape)
        ok = kk >= 0
        b.coef(rr[ok], kk[ok], 1.0)

    # project size (MILP): m D w <= k <= cap w
    if mip:
        kp, ks, ky = np.nonzero(index["k"] >= 0)
        keys = {"p": kp, "s": ks, "y": ky}
        kc, wc = index["k"][kp, ks, ky], index["w"][kp, ks, ky]
        hi = b.rows("project_max", np.full(len(kp), -INF), np.zeros(len(kp)), keys)
        b.coef(hi, kc, 1.0)
        b.coef(hi, wc, -cap[kp, ks])
        lo = b.rows("project_min", np.zeros(len(kp)), np.full(len(kp), INF), keys)
        b.coef(lo, kc, 1.0)
        b.coef(lo, wc, -(problem.min_project * D)[kp])

    # stock: S_y - S_{y-1} - b_y + r_y = S0 (y = 0) or 0
    rhs = np.zeros((P, Y))
    rhs[:, 0] = problem.initial_stock
    rows = b.rows("stock", rhs.ravel(), rhs.ravel(), {"p": pp.ravel(), "y": yy.ravel()}).reshape(P, Y)
    b.coef(rows, index["stock"], 1.0)
    b.coef(rows[:, 1:], index["stock"][:, :-1], -1.0)
    for name, sign in (("b", -1.0), ("r", 1.0)):
        m = index[name] >= 0
        b.coef(rows[m], index[name][m], sign)

    # total, burden sharing and budgets
    finite_budget = np.isfinite(problem.budget)
    if problem.burden_band is not None or finite_budget.any():
        total = b.cols(np.zeros(1), np.array([-INF]), np.array([INF]))
        pay_lo = -INF if np.any(problem.initial_stock > 0) else 0.0
        pay = b.cols(np.zeros(M), np.full(M, pay_lo), np.full(M, INF))
        index["total"], index["pay"] = total, pay
        arr_cost = np.concatenate(b.cost)
        used = np.nonzero(arr_cost[: total[0]])[0]
        row = b.rows("total", np.zeros(1), np.zeros(1), {})
        b.coef(np.full(len(used), row[0]), used, -arr_cost[used])
        b.coef(row, total, 1.0)
        row = b.rows("pay", np.zeros(1), np.zeros(1), {})
        b.coef(np.full(M, row[0]), pay, 1.0)
        b.coef(row, total, -1.0)
        if problem.burden_band is not None:
            band = problem.burden_band
            mm = np.arange(M)
            hi = b.rows("burden_high", np.full(M, -INF), np.zeros(M), {"m": mm})
            b.coef(hi, pay, 1.0)
            b.coef(hi, np.full(M, total[0]), -(1.0 + band) * problem.gdp_share)
            lo = b.rows("burden_low", np.zeros(M), np.full(M, INF), {"m": mm})
            b.coef(lo, pay, 1.0)
            b.coef(lo, np.full(M, total[0]), -max(0.0, 1.0 - band) * problem.gdp_share)
        bm = np.nonzero(finite_budget)[0]
        if len(bm):
            rows = b.rows("budget", np.full(len(bm), -INF), problem.budget[bm], {"m": bm})
            b.coef(rows, pay[bm], 1.0)

    if elastic:
        _add_elastic(b, problem, elastic)
    return _finish(b, strategy, index, cost_blocks)


def _row_scale(problem: PlanProblem, family: str, keys: dict[str, IntArray]) -> FloatArray:
    """The size against which a violation of a row is measured (its product's demand, the budget)."""
    if "p" in keys:
        return np.maximum(problem.demand[keys["p"]], 1e-12)
    if family == "budget":
        return np.maximum(problem.budget[keys["m"]], 1e-12)
    return np.ones(len(next(iter(keys.values()))) if keys else 1)


def _add_elastic(b: _Builder, problem: PlanProblem, families: tuple[str, ...]) -> None:
    for k in range(len(b.cost)):
        b.cost[k] = np.zeros_like(b.cost[k])
    lower = np.concatenate(b.row_lower)
    upper = np.concatenate(b.row_upper)
    for family in families:
        if family not in b.families:
            continue
        first, end, keys = b.families[family]
        rows = np.arange(first, end)
        weight = 1.0 / _row_scale(problem, family, keys)
        for sign, finite in ((-1.0, np.isfinite(upper[first:end])), (1.0, np.isfinite(lower[first:end]))):
            if not finite.any():
                continue
            cols = b.cols(weight[finite], np.zeros(int(finite.sum())), np.full(int(finite.sum()), INF))
            b.coef(rows[finite], cols, sign)


def _finish(b: _Builder, strategy: Strategy, index: dict[str, IntArray],
            cost_blocks: dict[str, FloatArray]) -> PlanLP:  # fmt: skip
    a = b.arrays()
    order = np.lexsort((a["j"], a["i"]))
    i, j, v = a["i"][order], a["j"][order], a["v"][order]
    keep = v != 0.0
    i, j, v = i[keep], j[keep], v[keep]
    start = np.zeros(b.n_row + 1, dtype=np.int64)
    np.cumsum(np.bincount(i, minlength=b.n_row), out=start[1:])
    return PlanLP(
        strategy=strategy,
        cost=a["cost"],
        lower=a["lower"],
        upper=a["upper"],
        integer=a["integer"],
        row_lower=a["row_lower"],
        row_upper=a["row_upper"],
        start=start,
        index_=j,
        value=v,
        index=index,
        families=b.families,
        cost_blocks=cost_blocks,
    )


@dataclass(frozen=True)
class _Solved:
    status: str
    objective: float
    col_value: FloatArray
    row_value: FloatArray
    row_dual: FloatArray
    col_dual: FloatArray


def solve_lp(lp: PlanLP, *, mip_gap: float = 1e-6, time_limit: float | None = None) -> _Solved:
    """Pass the arrays to HiGHS (``passModel``) and solve; for a MILP, re-solve the LP with the
    projects fixed to get duals."""
    import highspy

    model = highspy.HighsLp()
    model.num_col_ = lp.num_col
    model.num_row_ = lp.num_row
    model.col_cost_ = lp.cost
    model.col_lower_ = lp.lower
    model.col_upper_ = lp.upper
    model.row_lower_ = lp.row_lower
    model.row_upper_ = lp.row_upper
    model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
    model.a_matrix_.num_col_ = lp.num_col
    model.a_matrix_.num_row_ = lp.num_row
    model.a_matrix_.start_ = lp.start
    model.a_matrix_.index_ = lp.index_
    model.a_matrix_.value_ = lp.value
    if lp.is_mip:
        model.integrality_ = [
            highspy.HighsVarType.kInteger if flag else highspy.HighsVarType.kContinuous for flag in lp.integer
        ]
    h = new_highs()
    _options(h, mip_gap=mip_gap, time_limit=time_limit)
    h.passModel(model)
    h.run()
    status = h.modelStatusToString(h.getModelStatus())
    if status != "Optimal":
        return _Solved(status, float("nan"), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
    sol = h.getSolution()
    values = np.asarray(sol.col_value, dtype=np.float64)
    objective = float(h.getInfo().objective_function_value)
    if lp.is_mip:  # fix the projects, solve the LP for duals
        fixed = np.round(values[lp.integer])
        lower, upper = lp.lower.copy(), lp.upper.copy()
        lower[lp.integer], upper[lp.integer] = fixed, fixed
        model.col_lower_, model.col_upper_ = lower, upper
        model.integrality_ = []
        h = new_highs()
        _options(h, mip_gap=mip_gap, time_limit=time_limit)
        h.passModel(model)
        h.run()
        if h.modelStatusToString(h.getModelStatus()) != "Optimal":  # pragma: no cover - numerical corner
            return _Solved("Optimal", objective, values, np.zeros(lp.num_row), np.zeros(lp.num_row),
                           np.zeros(lp.num_col))  # fmt: skip
        sol = h.getSolution()
        values = np.asarray(sol.col_value, dtype=np.float64)
    return _Solved(
        "Optimal",
        objective,
        values,
        np.asarray(sol.row_value, dtype=np.float64),
        np.asarray(sol.row_dual, dtype=np.float64),
        np.asarray(sol.col_dual, dtype=np.float64),
    )


_BANNER_SHOWN = False


def new_highs() -> Any:
    """A ``highspy.Highs`` with no output. HiGHS prints a banner on stdout (from C, at the first
    construction in a process), which would corrupt ``--format json``: the first one is built with
    file descriptor 1 pointed at /dev/null."""
    global _BANNER_SHOWN
    import highspy

    if _BANNER_SHOWN:
        h = highspy.Highs()
    else:
        sys.stdout.flush()
        saved = os.dup(1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, 1)
            h = highspy.Highs()
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            os.close(devnull)
        _BANNER_SHOWN = True
    h.setOptionValue("output_flag", False)
    return h


def _options(h: Any, *, mip_gap: float, time_limit: float | None) -> None:
    h.setOptionValue("output_flag", False)
    h.setOptionValue("random_seed", 0)
    h.setOptionValue("threads", 1)
    h.setOptionValue("mip_rel_gap", mip_gap)
    if time_limit is not None:
        h.setOptionValue("time_limit", float(time_limit))


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


def _solution(problem: PlanProblem, lp: PlanLP, solved: _Solved) -> PlanSolution:
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
            scale = _row_scale(problem, family, keys)
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


def lp_row_activity(lp: PlanLP, values: FloatArray) -> FloatArray:
    """A x for the model's rows (CSR product)."""
    rows = np.repeat(np.arange(lp.num_row), np.diff(lp.start))
    return np.asarray(np.bincount(rows, weights=lp.value * values[lp.index_], minlength=lp.num_row))


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
