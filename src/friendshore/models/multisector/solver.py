"""The equilibrium solver of the multi-sector model in changes, and the calibration of baselines.

``solve_equilibrium`` finds the counterfactual equilibrium for new tariffs, export taxes, iceberg
costs and deficits (CP 2015, section 3.3, "equilibrium in relative changes"). Unknowns are the
wage changes ``w_hat`` (one per country); given them:

1. input costs and price indices solve the fixed point of eqs. (10)-(11) (``calc_input_cost``,
   ``calc_price_index``), iterated from the last solution until the largest change in
   ``ln P_hat`` is below ``tol / 10`` (a contraction: input shares are below 1);
2. trade shares follow from eq. (12); spending ``X'`` solves the linear system (13)-(14)
   (``calc_expenditure``) and gross output ``Y'`` follows;
3. the labour market of each country clears when ``sum_j gamma_n^j Y'_n^j = w_hat_n w_n L_n``.
   The update is the damped step ``ln w_hat <- ln w_hat + lambda (ln(labour demand / w L) - ln w_hat)``,
   followed by the normalisation ``sum_n w_hat_n w_n L_n = sum_n w_n L_n`` (world value added is
   the numeraire, as in CP 2015). ``lambda`` (``damping``, default 0.5) is halved, down to
   ``MIN_DAMPING``, whenever the largest gap grows from one iteration to the next: undamped steps
   (``lambda = 1``) diverge on both real baselines.

Deficits ``D_n`` are held fixed in units of the numeraire (or set as the caller says). By Walras'
law the labour-market gaps sum to zero when weighted by value added, so one normalisation makes
the system square. Convergence: the largest absolute log gap below ``tol`` (default 1e-10).
Failure raises ``MultiSectorConvergenceError`` with the diagnostics table and the iteration history.

``calibrate`` turns raw data into an exact equilibrium of the model: with ``deficits="data"`` it
keeps the data's trade shares and solves for value added (KITE's ``compute_initial_conditions``:
wages adjust until labour markets clear, prices fixed); with ``deficits="zero"`` it solves the
model's equilibrium with every deficit set to zero (CP 2015, section 5.1, and the cp2015 R
package's ``zero_aggregate_deficit``): the baseline of the paper's NAFTA experiment.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from friendshore.deadline import check as check_deadline
from friendshore.errors import ConvergenceError, UserError
from friendshore.models.gravity.solvers import DIAGNOSTIC_COLUMNS, diagnostics_frame, diagnostics_row
from friendshore.models.multisector.baseline import MultiSectorBaseline
from friendshore.models.multisector.kernels import (
    Array,
    calc_expenditure,
    calc_export_tax_revenue,
    calc_flows,
    calc_input_cost,
    calc_labour_demand,
    calc_output,
    calc_price_index,
    calc_tariff_revenue,
    calc_trade_shares,
    calc_wedge,
)

__all__ = [
    "DEFAULT_DAMPING",
    "DEFAULT_TOL",
    "DIAGNOSTIC_COLUMNS",
    "HISTORY_COLUMNS",
    "MIN_DAMPING",
    "Deficits",
    "Equilibrium",
    "MultiSectorConvergenceError",
    "calibrate",
    "solve_equilibrium",
]

Deficits = Literal["data", "zero"]
DEFAULT_DAMPING = 0.5
DEFAULT_TOL = 1e-10
DEFAULT_MAX_ITER = 2000
MIN_DAMPING = 1e-3
_INNER_MAX = 10_000

HISTORY_COLUMNS = (
    "stage",
    "iteration",
    "wage_gap",
    "damping",
    "price_iterations",
    "expenditure_iterations",
)


class MultiSectorConvergenceError(ConvergenceError):
    """The multi-sector solver did not converge; ``diagnostics`` and ``history`` are its tables."""

    def __init__(self, message: str, diagnostics: pd.DataFrame, history: pd.DataFrame) -> None:
        self.diagnostics = diagnostics
        self.history = history
        super().__init__(f"{message}\n{diagnostics.to_string(index=False)}")


@dataclass(frozen=True)
class Equilibrium:
    """A solved equilibrium: hats (ratios to the baseline) and counterfactual levels.

    ``wage_hat[n]``, ``cost_hat[n, j]``, ``price_hat[n, j]``; ``shares``, ``expenditure``,
    ``output``, ``income`` and the policy arrays are counterfactual levels.
    """

    wage_hat: Array
    cost_hat: Array
    price_hat: Array
    shares: Array
    expenditure: Array
    output: Array
    income: Array
    tariff: Array
    export_tax: Array
    iceberg_hat: Array
    deficit: Array
    iterations: int
    residual: float
    seconds: float
    damping: float
    diagnostics: pd.DataFrame
    history: pd.DataFrame

    @property
    def wedge(self) -> Array:
        return calc_wedge(self.tariff, self.export_tax)

    @property
    def flows(self) -> Array:
        """Counterfactual imports at producer prices ``M'[n, i, j]``."""
        return calc_flows(self.shares, self.expenditure, self.wedge)


def _cut_off(baseline: MultiSectorBaseline, price: Array) -> UserError:
    n, j = (int(k) for k in np.argwhere(~np.isfinite(price))[0])
    return UserError(
        f"the changes cut {baseline.countries[n]} off from every source of sector {baseline.sectors[j]} "
        f"({baseline.sector_name(baseline.sectors[j])}), including its own producers: its price would be "
        "unbounded and the model has no equilibrium; leave at least one supplier a finite cost"
    )


def _solve_prices(
    baseline: MultiSectorBaseline, log_wage: Array, log_price: Array, kappa_hat: Array, tol: float
) -> tuple[Array, Array, int]:
    """Input costs and price indices given wages: the fixed point of eqs. (10)-(11)."""
    for inner in range(1, _INNER_MAX + 1):
        check_deadline()
        log_cost = calc_input_cost(log_wage, log_price, baseline.va_share, baseline.io_share)
        price = calc_price_index(baseline.shares, kappa_hat, np.exp(log_cost), baseline.theta)
        if not np.all(np.isfinite(price)):
            raise _cut_off(baseline, price)
        new = np.log(price)
        change = float(np.max(np.abs(new - log_price)))
        log_price = new
        if change < tol:
            return log_cost, log_price, inner
    return log_cost, log_price, _INNER_MAX


def solve_equilibrium(
    baseline: MultiSectorBaseline,
    *,
    tariff: Array | None = None,
    export_tax: Array | None = None,
    iceberg_hat: Array | None = None,
    deficit: Array | None = None,
    fixed_shares: bool = False,
    damping: float = DEFAULT_DAMPING,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
    stage: str = "counterfactual",
) -> Equilibrium:
    """The equilibrium for new policy levels (``None``: as in the baseline); see the module docstring.

    ``tariff`` and ``export_tax`` are counterfactual ad-valorem levels ``[n, i, j]``;
    ``iceberg_hat`` the change in iceberg trade costs (``inf`` for a prohibitive cost);
    ``deficit`` the counterfactual deficits (they must sum to zero). ``fixed_shares`` holds prices
    and trade shares at the baseline and solves wages and spending only (the calibration).
    """
    if not 0.0 < damping <= 1.0:
        raise UserError(f"damping must be in (0, 1], got {damping}")
    if not (np.isfinite(tol) and tol > 0):
        raise UserError(f"the tolerance must be a positive number, got {tol}")
    if max_iter < 1:
        raise UserError(f"max_iter must be at least 1, got {max_iter}")
    started = time.perf_counter()
    shape = baseline.shares.shape
    tariff_new = baseline.tariff if tariff is None else np.asarray(tariff, dtype=np.float64)
    tax_new = baseline.export_tax if export_tax is None else np.asarray(export_tax, dtype=np.float64)
    iceberg = np.ones(shape) if iceberg_hat is None else np.asarray(iceberg_hat, dtype=np.float64)
    deficits = baseline.deficit if deficit is None else np.asarray(deficit, dtype=np.float64)
    for name, value in (("tariff", tariff_new), ("export_tax", tax_new), ("iceberg_hat", iceberg)):
        if value.shape != shape:
            raise UserError(f"{name} has shape {value.shape}, expected {shape}")
    if np.any(~np.isfinite(tariff_new)) or np.any(tariff_new < 0) or np.any(~np.isfinite(tax_new)):
        raise UserError("counterfactual tariffs and export taxes must be finite and >= 0")
    if np.any(tax_new < 0) or np.any(np.isnan(iceberg)) or np.any(iceberg <= 0):
        raise UserError("export taxes must be >= 0 and iceberg cost changes positive (inf: prohibitive)")
    if abs(float(deficits.sum())) > 1e-9 * float(baseline.value_added.sum()):
        raise UserError("counterfactual deficits must sum to zero over the world")
    wedge_new = (1.0 + tariff_new) * (1.0 + tax_new)
    kappa_hat = wedge_new / baseline.wedge * iceberg
    va = baseline.value_added
    world_va = float(va.sum())
    log_wage = np.zeros(len(baseline.countries))
    log_price = np.zeros_like(baseline.expenditure)
    log_cost = np.zeros_like(baseline.expenditure)
    shares = baseline.shares
    expenditure = baseline.expenditure.copy()
    step = float(damping)
    history: list[dict[str, Any]] = []
    gap = np.inf
    previous = np.inf
    converged = False
    iteration = 0
    method = "damped wage iteration (fixed trade shares)" if fixed_shares else "damped wage iteration"
    for iteration in range(1, max_iter + 1):
        check_deadline()
        price_iterations = 0
        if not fixed_shares:
            log_cost, log_price, price_iterations = _solve_prices(
                baseline, log_wage, log_price, kappa_hat, tol / 10.0
            )
            shares = calc_trade_shares(
                baseline.shares, kappa_hat, np.exp(log_cost), np.exp(log_price), baseline.theta
            )
        expenditure, x_iterations, _ = calc_expenditure(
            shares,
            tariff_new,
            tax_new,
            baseline.io_share,
            baseline.alpha,
            np.exp(log_wage) * va + deficits,
            start=expenditure,
            tol=tol / 100.0,
        )
        output = calc_output(shares, wedge_new, expenditure)
        demand = calc_labour_demand(baseline.va_share, output)
        with np.errstate(divide="ignore", invalid="ignore"):
            gaps = np.log(demand / va) - log_wage
        gap = float(np.max(np.abs(gaps))) if np.all(np.isfinite(gaps)) else float("inf")
        history.append(
            {
                "stage": stage,
                "iteration": iteration,
                "wage_gap": gap,
                "damping": step,
                "price_iterations": price_iterations,
                "expenditure_iterations": x_iterations,
            }
        )
        if gap < tol:
            converged = True
            break
        if not np.isfinite(gap):
            break
        if gap > previous:
            step = max(step / 2.0, MIN_DAMPING)
        previous = gap
        log_wage = log_wage + step * gaps
        log_wage = log_wage - np.log(float((np.exp(log_wage) * va).sum()) / world_va)
    seconds = time.perf_counter() - started
    diagnostics = diagnostics_frame([diagnostics_row(stage, method, iteration, gap, tol, converged, seconds)])
    trace = pd.DataFrame(history, columns=list(HISTORY_COLUMNS))
    if not converged:
        raise MultiSectorConvergenceError(
            f"{stage}: the multi-sector equilibrium did not converge in {iteration} iterations "
            f"(largest labour-market gap {gap:.3g} > {tol:g}, damping {step:g}); raise max_iter or lower "
            "the damping, or check the shock (a change that leaves a country nothing to sell has no "
            "equilibrium)",
            diagnostics,
            trace,
        )
    wage_hat = np.exp(log_wage)
    income = (
        wage_hat * va
        + calc_tariff_revenue(shares, tariff_new, wedge_new, expenditure)
        + calc_export_tax_revenue(shares, tax_new, wedge_new, expenditure)
        + deficits
    )
    values = (wage_hat, log_cost, log_price, shares, expenditure, output, income)
    if not all(np.all(np.isfinite(v)) for v in values) or np.any(income <= 0):
        raise MultiSectorConvergenceError(
            f"{stage}: the solution has non-finite values or a country with no income",
            diagnostics.assign(converged=False),
            trace,
        )
    return Equilibrium(
        wage_hat=wage_hat,
        cost_hat=np.exp(log_cost),
        price_hat=np.exp(log_price),
        shares=shares,
        expenditure=expenditure,
        output=output,
        income=income,
        tariff=tariff_new,
        export_tax=tax_new,
        iceberg_hat=iceberg,
        deficit=deficits,
        iterations=iteration,
        residual=gap,
        seconds=seconds,
        damping=step,
        diagnostics=diagnostics,
        history=trace,
    )


def calibrate(
    raw: MultiSectorBaseline,
    *,
    deficits: Deficits = "data",
    damping: float | None = None,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> MultiSectorBaseline:
    """An exact equilibrium of the model from raw data (see the module docstring).

    ``damping`` defaults to 1 with fixed trade shares (the wage step is then a linear map that
    does not overshoot) and to ``DEFAULT_DAMPING`` otherwise.
    ``meta["calibration"]`` records how far it moved value added and trade shares, and holds the
    diagnostics and the iteration history.
    """
    if deficits not in ("data", "zero"):
        raise UserError(f"deficits must be 'data' or 'zero', not {deficits!r}")
    if deficits == "data":
        eq = solve_equilibrium(
            raw, fixed_shares=True, damping=damping or 1.0, tol=tol, max_iter=max_iter, stage="calibration"
        )
        new_deficit = raw.deficit
    else:
        new_deficit = np.zeros_like(raw.deficit)
        eq = solve_equilibrium(
            raw,
            deficit=new_deficit,
            damping=damping or DEFAULT_DAMPING,
            tol=tol,
            max_iter=max_iter,
            stage="calibration (zero deficits)",
        )
    moved = {
        "deficits": deficits,
        "largest_value_added_change_pct": float(np.max(np.abs(eq.wage_hat - 1.0)) * 100.0),
        "largest_trade_share_change": float(np.max(np.abs(eq.shares - raw.shares))),
        "iterations": eq.iterations,
        "residual": eq.residual,
        "diagnostics": eq.diagnostics,
        "history": eq.history,
    }
    return replace(
        raw,
        shares=raw.shares if deficits == "data" else eq.shares / eq.shares.sum(axis=1, keepdims=True),
        expenditure=eq.expenditure,
        value_added=eq.wage_hat * raw.value_added,
        deficit=new_deficit,
        equilibrium=True,
        meta={**raw.meta, "calibration": moved},
    )
