"""GEPPML: the general-equilibrium procedure of Yotov et al. (2016), chapter 2, step by step.

This follows the guide's Stata code for application 1 ("trade without borders",
``TradeWithoutBorder.do``) line by line, with each ``ppml ... EXPORTER_FE* IMPORTER_FE*, offset()``
solved by ``solve_ppml_fixed_effects`` (the same estimates, computed from the PPML first-order
conditions) and Germany's role as the reference importer (``ZZZ``) played by ``reference``:

I.   baseline: PPML with the baseline cost offset -> ``tradehat_BLN``, ``exp_pi_0``, ``exp_chi_0``;
     ``OMR_BLN = Y E_R / exp_pi``, ``IMR_BLN = E / (exp_chi E_R)``.
III.a conditional GE: PPML with the counterfactual offset -> ``tradehat_CDL``, ``exp_pi_1``;
     ``change_pricei_1 = ((exp_pi_1 / exp_pi_0) / (E_R_1 / E_R_0))^(1/(1-sigma))``.
III.b full endowment GE, iterating for ``s = 2, 3, ...``:
     ``trade_s = tradehat_{s-1} p_i p_j / (OMR_i IMR_j)`` (changes of step ``s-1``), PPML ->
     ``tradehat_s``; ``Y_s = sum_j tradehat_s``, ``E_s = phi Y_s`` with ``phi = E / Y`` (baseline),
     ``E_R_s`` the reference country's ``E_s``; new price, OMR and IMR changes;
     stop when the differences between the last two price changes,
     ``change_pricei_{s-1} - change_pricei_{s-2}``, have a standard deviation and an absolute
     maximum below ``tol`` (the guide: 0.01; ``abs(max(.))`` as its code has it).
IV.  ``change_pricei_FULL = ((exp_pi_S / exp_pi_0) / (E_R_S / E_R_0))^(1/(1-sigma))``,
     ``Y_FULL = change_pricei_FULL Y``, ``E_FULL = phi Y_FULL``, ``OMR_FULL = Y_FULL E_R_S / exp_pi_S``,
     ``IMR_FULL = E_S / (exp_chi_S E_R_S)``, ``X_FULL = Y_FULL E_FULL T' / (IMR_FULL OMR_FULL)``.

With the guide's tolerance the result is the published one, which stops short of the exact
equilibrium by up to about a percentage point (``solve_full_endowment`` finds the exact one; a
tighter ``tol`` here converges to it).
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

from friendshore.deadline import check as check_deadline
from friendshore.models.gravity.solvers import (
    FIXED_EFFECTS_TOL,
    Array,
    GravityConvergenceError,
    diagnostics_frame,
    diagnostics_row,
    solve_ppml_fixed_effects,
)

__all__ = ["GeppmlSolution", "solve_geppml"]


@dataclass(frozen=True)
class GeppmlSolution:
    """The guide's variables after its iterative procedure (names as in ``TradeWithoutBorder.do``)."""

    change_pricei_full: Array
    y_full: Array
    e_full: Array
    imr_bln: Array
    omr_bln: Array
    imr_cdl: Array
    omr_cdl: Array
    imr_full: Array
    omr_full: Array
    tradehat_bln: Array
    tradehat_cdl: Array
    x_full: Array
    iterations: int
    diagnostics: pd.DataFrame


def solve_geppml(
    flows: Array,
    cost_baseline: Array,
    cost_counterfactual: Array,
    *,
    sigma: float,
    reference: int,
    tol: float = 0.01,
    max_iter: int = 200,
    ppml_tol: float = FIXED_EFFECTS_TOL,
) -> GeppmlSolution:
    """Run the guide's GEPPML procedure (module docstring) on baseline ``flows`` (exporters in rows)."""
    rows: list[dict[str, object]] = []

    def ppml(trade: Array, cost: Array, stage: str) -> tuple[Array, Array, Array]:
        if not np.all(np.isfinite(trade)):
            raise GravityConvergenceError(
                f"{stage}: GEPPML's constructed trade flows are no longer finite; the procedure diverges "
                "for this shock (method='exact' solves the equilibrium directly)",
                diagnostics_frame(rows),
            )
        try:
            fe = solve_ppml_fixed_effects(
                cost,
                output=trade.sum(axis=1),
                expenditure=trade.sum(axis=0),
                reference=reference,
                tol=ppml_tol,
                stage=stage,
            )
        except GravityConvergenceError as exc:
            raise GravityConvergenceError(
                f"{str(exc).splitlines()[0]}; GEPPML can fail for large shocks "
                "(method='exact' solves the equilibrium directly)",
                pd.concat([diagnostics_frame(rows), exc.diagnostics], ignore_index=True),
            ) from None
        rows.append(diagnostics_row(stage, fe.method, fe.iterations, fe.residual, ppml_tol, True, fe.seconds))
        return fe.exp_pi, fe.exp_chi, fe.fitted

    inv = 1.0 / (1.0 - sigma)
    # Step I: baseline
    exp_pi_0, exp_chi_0, tradehat_bln = ppml(flows, cost_baseline, "GEPPML step I (baseline)")
    y = flows.sum(axis=1)
    e = flows.sum(axis=0)
    e_r_0 = e[reference]
    phi = e / y
    omr_bln = y * e_r_0 / exp_pi_0
    imr_bln = e / (exp_chi_0 * e_r_0)
    # Step III.a: conditional general equilibrium
    exp_pi_1, exp_chi_1, tradehat_cdl = ppml(flows, cost_counterfactual, "GEPPML step III.a (conditional)")
    omr_cdl = y * e_r_0 / exp_pi_1
    imr_cdl = e / (exp_chi_1 * e_r_0)
    # Step III.b: full endowment; s = 0 baseline, s = 1 conditional
    exp_pi = {0: exp_pi_0, 1: exp_pi_1}
    exp_chi = {0: exp_chi_0, 1: exp_chi_1}
    e_r = {0: e_r_0, 1: e_r_0}
    e_s = {0: e, 1: e}
    change_pricei = {0: np.zeros_like(y), 1: ((exp_pi_1 / exp_pi_0) / (e_r[1] / e_r[0])) ** inv}
    change_omr = {1: np.ones_like(y)}
    change_imr = {1: np.ones_like(y)}
    omr_full = {0: omr_bln, 1: y * e_r_0 / exp_pi_1}
    imr_full = {0: imr_bln, 1: e / (exp_chi_1 * e_r_0)}
    tradehat = {1: tradehat_cdl}
    s = 3
    sd_dif = max_dif = 1.0
    while sd_dif > tol or max_dif > tol:
        check_deadline()
        started = time.perf_counter()
        s1, s2, s3 = s - 1, s - 2, s - 3
        if s2 > max_iter:
            raise GravityConvergenceError(
                f"GEPPML did not meet its stopping rule (price changes stable within {tol:g}) "
                f"in {max_iter} iterations",
                diagnostics_frame(rows),
            )
        # (ii) endogenous income, expenditure and trade
        price_i = change_pricei[s2]
        trade = (
            tradehat[s2]
            * price_i[:, None]
            * price_i[None, :]
            / (change_omr[s2][:, None] * change_imr[s2][None, :])
        )
        # (iii) structural gravity re-estimated
        exp_pi[s1], exp_chi[s1], tradehat[s1] = ppml(
            trade, cost_counterfactual, f"GEPPML step III.b, iteration {s2}"
        )
        y_s = tradehat[s1].sum(axis=1)
        e_s[s1] = phi * y_s
        e_r[s1] = e_s[s1][reference]
        change_pricei[s1] = ((exp_pi[s1] / exp_pi[s2]) / (e_r[s1] / e_r[s2])) ** inv
        omr_full[s1] = y_s * e_r[s1] / exp_pi[s1]
        change_omr[s1] = omr_full[s1] / omr_full[s2]
        imr_full[s1] = e_s[s1] / (exp_chi[s1] * e_r[s1])
        change_imr[s1] = imr_full[s1] / imr_full[s2]
        dif = change_pricei[s2] - change_pricei[s3]
        sd_dif = float(np.std(dif, ddof=1))
        max_dif = float(abs(np.max(dif)))
        done = not (sd_dif > tol or max_dif > tol)
        rows.append(
            diagnostics_row(
                f"GEPPML stopping rule, iteration {s2}",
                "sd and |max| of price-change differences",
                s2,
                max(sd_dif, max_dif),
                tol,
                done,
                time.perf_counter() - started,
            )
        )
        tradehat.pop(s2)  # the only N x N history; later steps look back one step
        s += 1
    # Step IV: full endowment indexes from the last iteration S
    last = s - 2
    change_pricei_full = ((exp_pi[last] / exp_pi_0) / (e_r[last] / e_r_0)) ** inv
    y_full = change_pricei_full * y
    e_full = phi * y_full
    omr = y_full * e_r[last] / exp_pi[last]
    imr = e_s[last] / (exp_chi[last] * e_r[last])
    x_full = y_full[:, None] * e_full[None, :] * cost_counterfactual / (imr[None, :] * omr[:, None])
    if not (np.all(change_pricei_full > 0) and np.all(np.isfinite(x_full))):
        raise GravityConvergenceError(
            "GEPPML produced non-positive or non-finite prices", diagnostics_frame(rows)
        )
    return GeppmlSolution(
        change_pricei_full=change_pricei_full,
        y_full=y_full,
        e_full=e_full,
        imr_bln=imr_bln,
        omr_bln=omr_bln,
        imr_cdl=imr_cdl,
        omr_cdl=omr_cdl,
        imr_full=imr,
        omr_full=omr,
        tradehat_bln=tradehat_bln,
        tradehat_cdl=tradehat_cdl,
        x_full=x_full,
        iterations=last - 1,
        diagnostics=diagnostics_frame(rows),
    )
