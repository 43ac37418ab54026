"""The planner's linear (or mixed-integer) programme built as arrays: columns, rows and the
row-wise sparse matrix HiGHS takes (``build_plan_lp``), with an elastic (phase-1) copy for the
infeasibility diagnosis. The model itself is written out in ``friendshore.planning.model``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from friendshore.planning.problem import ROLE_PARTNER, FloatArray, PlanProblem, Strategy

__all__ = ["ELASTIC_FAMILIES", "INF", "POLICY_FAMILIES", "IntArray", "PlanLP", "build_plan_lp", "row_scale"]

IntArray = npt.NDArray[np.int64]
INF = float("inf")
#: Constraint families the elastic copy may relax to find why a plan is infeasible: first the policy
#: choices alone (demand held), then, if the plan is physically impossible, demand and expansion too.
POLICY_FAMILIES = ("target", "supplier", "burden_high", "burden_low", "budget")
ELASTIC_FAMILIES = ("demand", "expansion", *POLICY_FAMILIES)


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


def row_scale(problem: PlanProblem, family: str, keys: dict[str, IntArray]) -> FloatArray:
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
        weight = 1.0 / row_scale(problem, family, keys)
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
