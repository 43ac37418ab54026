"""Math kernels of one-sector structural gravity (numpy arrays in, arrays out).

Notation (Yotov et al. 2016, chapter 2; Anderson & van Wincoop 2003): ``N`` countries, exporters
``i`` in rows and importers ``j`` in columns. ``T`` holds the bilateral cost terms
``T_ij = t_ij^(1-sigma) = exp(b . z_ij)``; ``X`` the flows, ``Y_i = sum_j X_ij`` output and
``E_j = sum_i X_ij`` expenditure (domestic sales ``X_ii`` included).

The multilateral resistances appear in the normalisation of the guide's Stata code::

    X_ij = Y_i E_j T_ij / (OMR_i IMR_j),   IMR_ref = 1,

so that ``IMR_j = P_j^(1-sigma)`` (inward resistance, the consumer price index relative to the
reference country's) and ``OMR_i = Y * Pi_i^(1-sigma)`` (outward resistance, world output ``Y``
absorbed). Every kernel raises ``ConvergenceError`` carrying its diagnostics instead of returning
NaN, and works in logarithms where a sign could otherwise flip.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from friendshore.deadline import check as check_deadline
from friendshore.errors import ConvergenceError

__all__ = [
    "DIAGNOSTIC_COLUMNS",
    "EQUILIBRIUM_TOL",
    "FIXED_EFFECTS_TOL",
    "FixedEffects",
    "GravityConvergenceError",
    "MarketClearing",
    "PriceSolution",
    "calc_cost_terms",
    "diagnostics_frame",
    "diagnostics_row",
    "solve_full_endowment",
    "solve_ppml_fixed_effects",
]

Array = NDArray[np.float64]
MarketClearing = Literal["yotov2016", "gegravity"]

#: Fixed-point sweeps before the fixed-effects solver switches to Newton steps.
_IPF_STEPS = 2000
#: Default tolerances: largest relative gap in the PPML adding-up constraints, and largest log
#: market-clearing gap of the full-endowment equilibrium (both far below any reported digit).
FIXED_EFFECTS_TOL = 1e-12
EQUILIBRIUM_TOL = 1e-9

DIAGNOSTIC_COLUMNS = ("stage", "method", "iterations", "residual", "tolerance", "converged", "seconds")


class GravityConvergenceError(ConvergenceError):
    """A gravity solver did not converge; ``diagnostics`` is its diagnostics table."""

    def __init__(self, message: str, diagnostics: pd.DataFrame) -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{message}\n{diagnostics.to_string(index=False)}")


def diagnostics_frame(rows: list[dict[str, object]]) -> pd.DataFrame:
    """Solver diagnostics as a table: one row per stage (``DIAGNOSTIC_COLUMNS``)."""
    return pd.DataFrame(rows, columns=list(DIAGNOSTIC_COLUMNS))


def calc_cost_terms(variables: Array, coefficients: Array) -> Array:
    """``T_ij = t_ij^(1-sigma) = exp(sum_k b_k z_k,ij)`` for a stack ``variables[k, i, j]``."""
    return np.exp(np.tensordot(coefficients, variables, axes=1))


@dataclass(frozen=True)
class FixedEffects:
    """The PPML fixed effects of ``X_ij = exp(pi_i) exp(chi_j) T_ij`` with ``chi_ref = 0``."""

    exp_pi: Array
    exp_chi: Array
    fitted: Array
    iterations: int
    residual: float
    seconds: float
    method: str = "fixed point (PPML first-order conditions)"


def solve_ppml_fixed_effects(
    cost: Array,
    *,
    output: Array,
    expenditure: Array,
    reference: int,
    tol: float = FIXED_EFFECTS_TOL,
    max_iter: int = 500,
    stage: str = "ppml",
) -> FixedEffects:
    """PPML of flows ``X`` on exporter and importer fixed effects with the offset ``log(cost)``.

    The model ``X_ij = exp(pi_i + chi_j) T_ij`` has the Poisson first-order conditions

        sum_j exp(pi_i) exp(chi_j) T_ij = sum_j X_ij = Y_i   (every exporter i)
        sum_i exp(pi_i) exp(chi_j) T_ij = sum_i X_ij = E_j   (every importer j),

    the structural-gravity adding-up constraints: the flows enter only through their totals
    ``output`` (row sums) and ``expenditure`` (column sums), which must add up to the same world
    total. They are solved by alternating the two (iterative proportional fitting) with
    ``chi_ref = 0`` as in the guide's Stata code, until the largest relative gap in the importer
    constraints is below ``tol``; when that is slow (weakly linked countries), damped Newton steps
    on ``log exp(chi)`` take over (at most ``max_iter``; Jacobian ``I - A B`` with ``A``, ``B`` the
    column and row shares of the fit), and the sweeps resume if Newton stalls. The fit equals what a regression package returns for the same
    model (checked against pyfixest's ``fepois`` with an offset).
    """
    started = time.perf_counter()
    rows = np.asarray(output, dtype=float)
    cols = np.asarray(expenditure, dtype=float)
    if np.any(rows <= 0) or np.any(cols <= 0) or not np.all(np.isfinite(cost)):
        raise GravityConvergenceError(
            f"{stage}: a country has no positive output or expenditure, or a cost term is not finite; "
            "the fixed effects are not identified",
            diagnostics_frame([diagnostics_row(stage, "fixed point", 0, float("inf"), tol, False, 0.0)]),
        )
    exp_chi = np.ones_like(cols)
    residual = np.inf
    iterations = 0
    method = "fixed point (PPML first-order conditions)"
    for iterations in range(1, min(max_iter, _IPF_STEPS) + 1):  # noqa: B007  (used after the loop)
        check_deadline()
        exp_pi = rows / (cost @ exp_chi)
        residual = float(np.max(np.abs(exp_chi * (cost.T @ exp_pi) / cols - 1.0)))
        if residual < tol:
            break
        exp_chi = cols / (cost.T @ exp_pi)
        exp_chi = exp_chi / exp_chi[reference]
    if not residual < tol:  # weakly linked countries make the fixed point slow: Newton on log chi
        keep = np.arange(cols.size) != reference

        def gap(x: Array) -> tuple[Array, Array]:
            chi = np.ones_like(cols)
            chi[keep] = np.exp(x)
            fitted = cost * (rows / (cost @ chi))[:, None] * chi[None, :]
            a = (fitted / fitted.sum(axis=0)[None, :]).T
            b = fitted / fitted.sum(axis=1)[:, None]
            jac = np.eye(cols.size) - a @ b
            f = np.log(fitted.sum(axis=0)) - np.log(cols)
            return f[keep], jac[np.ix_(keep, keep)]

        with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
            x, steps, _ = _damped_newton(gap, np.log(exp_chi[keep]), tol / 10, max_iter)
        newton_chi = np.ones_like(cols)
        newton_chi[keep] = np.exp(x)
        iterations += steps
        method += " + damped Newton"
        if np.all(np.isfinite(newton_chi)):
            exp_chi = newton_chi
        exp_pi = rows / (cost @ exp_chi)
        residual = float(np.max(np.abs(exp_chi * (cost.T @ exp_pi) / cols - 1.0)))
        sweeps = 0
        while not residual < tol and sweeps < _IPF_STEPS * 100:  # Newton stalled: back to sweeps
            check_deadline()
            exp_chi = cols / (cost.T @ exp_pi)
            exp_chi = exp_chi / exp_chi[reference]
            exp_pi = rows / (cost @ exp_chi)
            residual = float(np.max(np.abs(exp_chi * (cost.T @ exp_pi) / cols - 1.0)))
            sweeps += 1
        if sweeps:
            iterations += sweeps
            method += " + fixed point"
    exp_pi = rows / (cost @ exp_chi)
    fitted = exp_pi[:, None] * exp_chi[None, :] * cost
    seconds = time.perf_counter() - started
    if not residual < tol or not np.all(np.isfinite(fitted)):
        raise GravityConvergenceError(
            f"{stage}: the PPML fixed effects did not converge in {max_iter} iterations "
            f"(largest relative gap {residual:.3g} > {tol:g})",
            diagnostics_frame(
                [
                    diagnostics_row(
                        stage,
                        method,
                        iterations,
                        residual,
                        tol,
                        False,
                        seconds,
                    )
                ]
            ),
        )
    return FixedEffects(exp_pi, exp_chi, fitted, iterations, residual, seconds, method)


@dataclass(frozen=True)
class PriceSolution:
    """Counterfactual factory-gate prices and what follows from them (hats are ratios to baseline).

    ``price`` is ``p'_i / p_i`` with the reference country's consumer price index held fixed
    (``imr_hat[reference] = 1``); ``imr_hat = P'^(1-sigma) / P^(1-sigma)``; ``flows`` the
    counterfactual ``X'_ij``; ``output`` and ``expenditure`` the counterfactual ``Y'`` and ``E'``.
    """

    price: Array
    imr_hat: Array
    flows: Array
    output: Array
    expenditure: Array
    iterations: int
    residual: float
    seconds: float
    method: str


def diagnostics_row(
    stage: str, method: str, iterations: int, residual: float, tol: float, converged: bool, seconds: float
) -> dict[str, object]:
    return {
        "stage": stage,
        "method": method,
        "iterations": int(iterations),
        "residual": float(residual),
        "tolerance": float(tol),
        "converged": bool(converged),
        "seconds": float(seconds),
    }


def solve_full_endowment(
    flows: Array,
    cost_change: Array,
    *,
    sigma: float,
    reference: int,
    market_clearing: MarketClearing = "yotov2016",
    tol: float = EQUILIBRIUM_TOL,
    max_iter: int = 500,
) -> PriceSolution:
    """Full-endowment general equilibrium of the one-sector Armington gravity model, in changes.

    With the baseline import shares ``lambda_ij = X_ij / E_j``, ``w_i = p_i'^(1-sigma)`` (hats
    omitted) and the cost change ``T'_ij / T_ij``, the counterfactual consumer price index is

        D_j = P_j'^(1-sigma) / P_j^(1-sigma) = sum_k lambda_kj (T'_kj / T_kj) w_k.

    ``market_clearing="yotov2016"`` solves the guide's full-endowment system: for every exporter ``i``

        p_i Y_i = sum_j X_ij (T'_ij / T_ij) w_i (E_j' / E_j) / D_j,
        E_j' = kappa phi_j p_j Y_j,   kappa = sum_i p_i Y_i / sum_j phi_j p_j Y_j,

    output at new prices equals the value of what the world buys from ``i``, and every country
    spends in proportion to its income (``phi_j = E_j / Y_j`` from the baseline). With trade
    imbalances, ``E_j' = phi_j Y_j'`` alone would make world spending differ from world output
    (Walras' law fails and the system has no solution); the common factor ``kappa`` (1 when
    relative prices do not move) restores the adding-up. The guide's GEPPML procedure instead stops
    at a point where its flows' column sums differ from ``phi_j Y_j'``; see ``solve_geppml``.

    ``market_clearing="gegravity"`` solves the system of USITC gegravity 0.3, which keeps output
    and expenditure at their baseline values inside the equilibrium conditions:

        Y_i = sum_j X_ij (T'_ij / T_ij) w_i / D_j,

    and reports flows as gegravity does, ``X'_ij = (Y'_i / Y') E'_j T'_ij x_omr_i x_imr_j``.

    Unknowns are ``log p`` (so prices stay positive and real GDP above -100 %), one country's price
    pinned during the solve (the system is homogeneous); the prices are then rescaled so that the
    reference country's ``D`` is 1. Damped Newton steps with the analytic Jacobian come first; if
    they stall (near autarky the system is badly conditioned), scipy's Levenberg-Marquardt and then
    a damped fixed point ``log p <- log p + gap / sigma`` take over. ``max_iter`` bounds the Newton steps (and the others in proportion).
    """
    started = time.perf_counter()
    n = flows.shape[0]
    output = flows.sum(axis=1)
    expenditure = flows.sum(axis=0)
    sales0 = flows * cost_change
    shares = sales0 / expenditure[None, :]
    keep = np.arange(n) != reference
    one_minus = 1.0 - sigma
    endogenous_income = market_clearing == "yotov2016"

    def residual_and_jacobian(log_p: Array) -> tuple[Array, Array]:
        p = np.exp(log_p)
        w = p**one_minus
        d = shares.T @ w
        if endogenous_income:
            income = p * output
            spending = p * expenditure
            kappa = income.sum() / spending.sum()
            demand = kappa * p / d
        else:
            demand = 1.0 / d
        m = sales0 * demand[None, :]
        sales = w * m.sum(axis=1)
        a = m / m.sum(axis=1)[:, None]
        b = one_minus * shares * w[:, None] / d[None, :]
        if endogenous_income:
            f = np.log(sales) - np.log(output) - log_p
            d_log_kappa = income / income.sum() - spending / spending.sum()
            jac = -sigma * np.eye(n) + a - a @ b.T + d_log_kappa[None, :]
        else:
            f = np.log(sales) - np.log(output)
            jac = one_minus * np.eye(n) - a @ b.T
        return f, jac

    def reduced(x: Array) -> tuple[Array, Array]:
        log_p = np.zeros(n)
        log_p[keep] = x
        f, jac = residual_and_jacobian(log_p)
        return f[keep], jac[np.ix_(keep, keep)]

    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        x, iterations, res = _damped_newton(reduced, np.zeros(n - 1), tol, max_iter)
        method = "damped Newton (analytic Jacobian)"
        if not res < tol:
            from scipy.optimize import root  # here: scipy is slow to import (CLI start-up)

            start = x if np.all(np.isfinite(x)) else np.zeros(n - 1)
            sol = root(
                reduced,
                start,
                jac=True,
                method="lm",
                options={"xtol": 1e-15, "ftol": 1e-15, "maxiter": 20 * max_iter},
            )
            iterations += int(sol.nfev)
            method += " + Levenberg-Marquardt (scipy lm)"
            if _max_abs(reduced(np.asarray(sol.x))[0]) < res:
                x = np.asarray(sol.x, dtype=float)
                res = _max_abs(reduced(x)[0])
        if not res < tol:
            x, extra, res = _damped_fixed_point(residual_and_jacobian, x, keep, sigma, tol, max_iter * 20)
            iterations += extra
            method += " + damped fixed point"
    log_p = np.zeros(n)
    log_p[keep] = x
    seconds = time.perf_counter() - started
    full_res = _max_abs(residual_and_jacobian(log_p)[0]) if np.all(np.isfinite(log_p)) else np.inf
    if not (full_res < tol * 10 and res < tol):
        table = diagnostics_frame(
            [diagnostics_row("full endowment", method, iterations, max(res, full_res), tol, False, seconds)]
        )
        raise GravityConvergenceError(
            f"the full-endowment equilibrium did not converge (largest log market-clearing gap "
            f"{max(res, full_res):.3g} > {tol:g}); the counterfactual may be too extreme for this baseline",
            table,
        )
    price = np.exp(log_p)
    d = shares.T @ price**one_minus
    price = price * d[reference] ** (-1.0 / one_minus)  # numeraire: reference CPI unchanged
    w = price**one_minus
    d = shares.T @ w
    new_output = price * output
    if endogenous_income:
        new_expenditure = price * expenditure * new_output.sum() / (price * expenditure).sum()
        new_flows = sales0 * w[:, None] * (new_expenditure / (expenditure * d))[None, :]
    else:  # gegravity: E' = phi Y' and X'_ij = (Y'_i / Y') E'_j T'_ij x_omr_i x_imr_j
        new_expenditure = price * expenditure
        new_flows = (
            sales0 * w[:, None] * (price / d)[None, :] * (price * output.sum() / new_output.sum())[:, None]
        )
    if not (np.all(price > 0) and np.all(np.isfinite(new_flows))):
        table = diagnostics_frame(
            [diagnostics_row("full endowment", method, iterations, full_res, tol, False, seconds)]
        )
        raise GravityConvergenceError(
            "the full-endowment equilibrium has non-positive or non-finite prices", table
        )
    return PriceSolution(
        price, d, new_flows, new_output, new_expenditure, iterations, full_res, seconds, method
    )


def _max_abs(values: Array) -> float:
    return float(np.max(np.abs(values))) if values.size and np.all(np.isfinite(values)) else float("inf")


def _damped_newton(
    fun: Callable[[Array], tuple[Array, Array]], x0: Array, tol: float, max_iter: int
) -> tuple[Array, int, float]:
    """Newton steps ``x <- x - t J^-1 f`` with ``t`` halved until ``|f|`` falls (Armijo backtracking).

    Gives up (returning the best point) when a step must be cut below ``t = 1e-4``: Newton is then
    stalling on a badly conditioned system and another method should take over.
    """
    x = np.asarray(x0, dtype=float)
    f, jac = fun(x)
    res = _max_abs(f)
    for it in range(1, max_iter + 1):
        check_deadline()
        if res < tol:
            return _polish(fun, x, f, jac, res, it - 1)
        try:
            step = np.linalg.solve(jac, -f)
        except np.linalg.LinAlgError:
            return x, it, res
        norm = float(np.linalg.norm(f))
        t = 1.0
        while t >= 1e-4:
            trial = x + t * step
            f_trial, jac_trial = fun(trial)
            if np.all(np.isfinite(f_trial)) and np.linalg.norm(f_trial) <= (1.0 - 1e-4 * t) * norm:
                break
            t /= 2.0
        else:
            return x, it, res
        x, f, jac = trial, f_trial, jac_trial
        res = _max_abs(f)
    return x, max_iter, res


def _polish(
    fun: Callable[[Array], tuple[Array, Array]], x: Array, f: Array, jac: Array, res: float, it: int
) -> tuple[Array, int, float]:
    """Up to two more full Newton steps once converged, kept while they lower the residual."""
    for _ in range(2):
        try:
            trial = x + np.linalg.solve(jac, -f)
        except np.linalg.LinAlgError:
            break
        f_trial, jac_trial = fun(trial)
        res_trial = _max_abs(f_trial)
        if not res_trial < res:
            break
        x, f, jac, res, it = trial, f_trial, jac_trial, res_trial, it + 1
    return x, it, res


def _damped_fixed_point(
    fun: Callable[[Array], tuple[Array, Array]],
    x0: Array,
    keep: NDArray[np.bool_],
    sigma: float,
    tol: float,
    max_iter: int,
) -> tuple[Array, int, float]:
    """``log p <- log p + gap / sigma``, then re-pinned (tatonnement; Armington goods are gross substitutes)."""
    x = np.where(np.isfinite(x0), x0, 0.0)
    res = np.inf
    for it in range(1, max_iter + 1):
        check_deadline()
        log_p = np.zeros(keep.size)
        log_p[keep] = x
        f, _ = fun(log_p)
        res = _max_abs(f)
        if res < tol:
            return x, it, res
        step = log_p + f / sigma
        x = step[keep] - step[~keep][0]
    return x, max_iter, res
