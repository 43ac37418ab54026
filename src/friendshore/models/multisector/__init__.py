"""Multi-sector general equilibrium with input-output links: Caliendo & Parro (2015) in changes.

Baselines from the paper's NAFTA data (``baseline_from_caliendo_parro``) and KITE's WIOD-2014
initial conditions (``baseline_from_kite``), made exact equilibria by ``calibrate``; counterfactual
tariffs, export taxes, trade costs and bloc decoupling (``changes``) solved by ``simulate``
(``solve_equilibrium``: damped wage iteration, diagnostics, ``MultiSectorConvergenceError``).
Methods: docs/methods/shocks.md.
"""

from friendshore.models.multisector.baseline import (
    MultiSectorBaseline,
    baseline_from_caliendo_parro,
    baseline_from_kite,
)
from friendshore.models.multisector.changes import (
    Change,
    Decouple,
    ExportTax,
    PolicyArrays,
    Tariff,
    TradeCost,
    apply_changes,
)
from friendshore.models.multisector.simulate import MultiSectorSimulation, simulate
from friendshore.models.multisector.solver import (
    Equilibrium,
    MultiSectorConvergenceError,
    calibrate,
    solve_equilibrium,
)

__all__ = [
    "Change",
    "Decouple",
    "Equilibrium",
    "ExportTax",
    "MultiSectorBaseline",
    "MultiSectorConvergenceError",
    "MultiSectorSimulation",
    "PolicyArrays",
    "Tariff",
    "TradeCost",
    "apply_changes",
    "baseline_from_caliendo_parro",
    "baseline_from_kite",
    "calibrate",
    "simulate",
    "solve_equilibrium",
]
