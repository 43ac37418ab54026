"""Structural gravity: PPML estimation and one-sector general-equilibrium counterfactuals."""

from friendshore.models.gravity.baseline import (
    CostChange,
    GEBaseline,
    SetVariable,
    Tariff,
    build_baseline,
    counterfactual_costs,
)
from friendshore.models.gravity.data import gravity_table
from friendshore.models.gravity.estimate import GravityEstimates, estimate_gravity
from friendshore.models.gravity.ge import GESimulation, simulate
from friendshore.models.gravity.solvers import GravityConvergenceError

__all__ = [
    "CostChange",
    "GEBaseline",
    "GESimulation",
    "GravityConvergenceError",
    "GravityEstimates",
    "SetVariable",
    "Tariff",
    "build_baseline",
    "counterfactual_costs",
    "estimate_gravity",
    "gravity_table",
    "simulate",
]
