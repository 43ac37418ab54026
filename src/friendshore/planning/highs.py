"""HiGHS for the planner: pass the arrays of a ``PlanLP`` to HiGHS, solve (for a MILP, re-solve
the LP with the projects fixed to get duals), and build solvers that print nothing."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Any

import numpy as np

from friendshore.planning.lp import PlanLP
from friendshore.planning.problem import FloatArray

__all__ = ["Solved", "new_highs", "solve_lp"]


@dataclass(frozen=True)
class Solved:
    """What HiGHS returned: status, objective, primal and dual values."""

    status: str
    objective: float
    col_value: FloatArray
    row_value: FloatArray
    row_dual: FloatArray
    col_dual: FloatArray


def solve_lp(lp: PlanLP, *, mip_gap: float = 1e-6, time_limit: float | None = None) -> Solved:
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
        return Solved(status, float("nan"), np.zeros(0), np.zeros(0), np.zeros(0), np.zeros(0))
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
            return Solved("Optimal", objective, values, np.zeros(lp.num_row), np.zeros(lp.num_row),
                           np.zeros(lp.num_col))  # fmt: skip
        sol = h.getSolution()
        values = np.asarray(sol.col_value, dtype=np.float64)
    return Solved(
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
