"""Math kernels of the Caliendo & Parro (2015) multi-sector model in changes (numpy in, numpy out).

Notation (Caliendo & Parro 2015, *Review of Economic Studies* 82(1), section 3): ``N`` countries,
``J`` sectors. Arrays are indexed ``[n, i, j]`` = (importer/destination ``n``, exporter/origin
``i``, sector ``j``) for bilateral variables, ``[n, j]`` for country-sector variables and ``[n]``
for country variables. A hat (``x_hat``) is the ratio of a counterfactual value to its baseline.

========================  =======================================================================
``shares[n, i, j]``       ``pi_ni^j``: share of country ``n``'s spending on sector ``j`` bought from
                          ``i`` (at buyer prices, tariffs included; sums to 1 over ``i``)
``wedge[n, i, j]``        ``(1 + tau_ni^j)(1 + t_ni^j)``: import tariff of ``n`` times export tax of
                          ``i`` on that flow; ``shares / wedge`` is the producer's revenue share
``theta[j]``              the trade elasticity (Frechet dispersion of productivity) of sector ``j``
``va_share[n, j]``        ``gamma_n^j``: value added over gross output
``io_share[n, k, j]``     ``gamma_n^{k,j}``: input ``k`` per unit of sector ``j``'s gross output;
                          ``sum_k io_share[n, k, j] = 1 - va_share[n, j]``
``alpha[n, j]``           final-demand (Cobb-Douglas) share of sector ``j`` in ``n``
``expenditure[n, j]``     ``X_n^j``: total spending on sector ``j`` goods (intermediate and final)
========================  =======================================================================

Equilibrium conditions in changes (the paper's equations (10)-(15) with ``kappa_hat``, the change
in trade costs, equal to the change in ``(1 + tariff)(1 + export tax)`` times the change in iceberg
costs): see each kernel. Every kernel is pure: the solver (``solver.py``) iterates them.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from friendshore.deadline import check as check_deadline

__all__ = [
    "Array",
    "calc_expenditure",
    "calc_export_tax_revenue",
    "calc_flows",
    "calc_input_cost",
    "calc_labour_demand",
    "calc_output",
    "calc_price_index",
    "calc_tariff_revenue",
    "calc_trade_shares",
    "calc_wedge",
    "calc_welfare_decomposition",
]

Array = NDArray[np.float64]


def calc_input_cost(log_wage_hat: Array, log_price_hat: Array, va_share: Array, io_share: Array) -> Array:
    """Log change in the cost of the input bundle (CP 2015, eq. 10)::

        ln c_hat_n^j = gamma_n^j ln w_hat_n + sum_k gamma_n^{k,j} ln P_hat_n^k

    ``log_wage_hat[n]``, ``log_price_hat[n, k]``; returns ``[n, j]``.
    """
    return np.asarray(
        va_share * log_wage_hat[:, None] + np.einsum("nkj,nk->nj", io_share, log_price_hat), dtype=np.float64
    )


def _cost_terms(shares: Array, kappa_hat: Array, cost_hat: Array, theta: Array) -> Array:
    """``pi_ni^j (kappa_hat_ni^j c_hat_i^j)^(-theta^j)``; an infinite ``kappa_hat`` gives exactly 0."""
    with np.errstate(over="ignore", divide="ignore", invalid="ignore"):
        terms = shares * (kappa_hat * cost_hat[None, :, :]) ** (-theta)
    return np.asarray(np.where(shares > 0, terms, 0.0), dtype=np.float64)


def calc_price_index(shares: Array, kappa_hat: Array, cost_hat: Array, theta: Array) -> Array:
    """Change in the sectoral price index (CP 2015, eq. 11)::

        P_hat_n^j = [ sum_i pi_ni^j (kappa_hat_ni^j c_hat_i^j)^(-theta^j) ]^(-1/theta^j)

    Returns ``[n, j]``; ``inf`` where every source of ``n``'s sector ``j`` is cut off
    (``kappa_hat = inf`` on all of them), which the solver reports as an error.
    """
    total = _cost_terms(shares, kappa_hat, cost_hat, theta).sum(axis=1)
    with np.errstate(divide="ignore"):
        return np.asarray(total ** (-1.0 / theta), dtype=np.float64)


def calc_trade_shares(
    shares: Array, kappa_hat: Array, cost_hat: Array, price_hat: Array, theta: Array
) -> Array:
    """Counterfactual trade shares (CP 2015, eq. 12)::

        pi'_ni^j = pi_ni^j (kappa_hat_ni^j c_hat_i^j / P_hat_n^j)^(-theta^j)

    They sum to 1 over ``i`` whenever ``price_hat`` is the kernel's ``calc_price_index``.
    """
    return np.asarray(
        _cost_terms(shares, kappa_hat, cost_hat, theta) * price_hat[:, None, :] ** theta, dtype=np.float64
    )


def calc_wedge(tariff: Array, export_tax: Array) -> Array:
    """``(1 + tau_ni^j)(1 + t_ni^j)`` per flow: the importer's tariff times the exporter's export tax."""
    return np.asarray((1.0 + tariff) * (1.0 + export_tax), dtype=np.float64)


def calc_flows(shares: Array, expenditure: Array, wedge: Array) -> Array:
    """Imports ``M[n, i, j]`` of ``n`` from ``i`` at producer prices (before tariffs and export taxes)."""
    return np.asarray(shares * expenditure[:, None, :] / wedge, dtype=np.float64)


def calc_output(shares: Array, wedge: Array, expenditure: Array) -> Array:
    """Gross output at producer prices: ``Y_i^j = sum_n pi_ni^j X_n^j / ((1 + tau_ni^j)(1 + t_ni^j))``.

    Returns ``[i, j]``.
    """
    return np.asarray(np.einsum("nij,nj->ij", shares / wedge, expenditure), dtype=np.float64)


def calc_tariff_revenue(shares: Array, tariff: Array, wedge: Array, expenditure: Array) -> Array:
    """Tariff revenue of each importer: ``R_n = sum_j sum_i tau_ni^j pi_ni^j X_n^j / (1 + tau_ni^j)``.

    With an export tax on the flow the tariff is levied on the value including that tax:
    ``tau pi X / (1 + tau)`` either way. Returns ``[n]``.
    """
    rate = tariff / (1.0 + tariff)
    return np.asarray(((shares * rate).sum(axis=1) * expenditure).sum(axis=1), dtype=np.float64)


def calc_export_tax_revenue(shares: Array, export_tax: Array, wedge: Array, expenditure: Array) -> Array:
    """Export-tax revenue of each exporter: ``T_i = sum_j sum_n t_ni^j pi_ni^j X_n^j / w_ni^j``.

    (The exporter collects ``t`` on the producer price; ``w = (1 + tau)(1 + t)``.) Returns ``[i]``.
    """
    return np.asarray(np.einsum("nij,nj->i", shares * export_tax / wedge, expenditure), dtype=np.float64)


def calc_labour_demand(va_share: Array, output: Array) -> Array:
    """Value added demanded from each country: ``sum_j gamma_n^j Y_n^j`` (its wage bill ``w_n L_n``)."""
    return np.asarray((va_share * output).sum(axis=1), dtype=np.float64)


def calc_expenditure(
    shares: Array,
    tariff: Array,
    export_tax: Array,
    io_share: Array,
    alpha: Array,
    exogenous_income: Array,
    *,
    start: Array,
    tol: float,
    max_iter: int = 100_000,
) -> tuple[Array, int, float]:
    """Spending on each sector given trade shares (CP 2015, eqs. 13-14)::

        X_n^j = sum_k gamma_n^{j,k} Y_n^k + alpha_n^j I_n
        Y_n^k = sum_m pi_mn^k X_m^k / w_mn^k
        I_n   = exogenous_income_n + R_n + T_n          (value added + deficit, tariff and export-tax revenue)

    a linear system in ``X``, solved by fixed-point iteration from ``start`` until the largest
    change relative to the largest spending is below ``tol``. It is a contraction whenever every
    sector has a positive value-added share (the spectral radius is at most the largest
    intermediate plus tax share). Returns ``(X, iterations, last relative change)``.
    """
    wedge = calc_wedge(tariff, export_tax)
    producer = shares / wedge
    tariff_rate = (shares * tariff / (1.0 + tariff)).sum(axis=1)  # [n, k]
    tax_rate = shares * export_tax / wedge  # [n, i, k]
    x = np.asarray(start, dtype=np.float64).copy()
    change = np.inf
    for iteration in range(1, max_iter + 1):
        check_deadline()
        output = np.einsum("mnk,mk->nk", producer, x)
        income = exogenous_income + (tariff_rate * x).sum(axis=1) + np.einsum("mnk,mk->n", tax_rate, x)
        new = np.einsum("njk,nk->nj", io_share, output) + alpha * income[:, None]
        scale = float(np.max(np.abs(new))) or 1.0
        change = float(np.max(np.abs(new - x))) / scale
        x = new
        if not np.isfinite(change):
            return x, iteration, change
        if change < tol:
            return x, iteration, change
    return x, max_iter, change


def calc_welfare_decomposition(
    flows: Array,
    flows_new: Array,
    tariff: Array,
    cost_hat: Array,
    iceberg_hat: Array,
    income: Array,
) -> tuple[Array, Array, Array]:
    """Caliendo & Parro's (2015, eq. 22) decomposition of the welfare change of each country, in %::

        d ln W_n = 1/I_n sum_j sum_i (E_ni^j d ln c_n^j - M_ni^j d ln c_i^j)        terms of trade
                 + 1/I_n sum_j sum_i tau_ni^j M_ni^j (d ln M_ni^j - d ln c_i^j)     volume of trade
                 - 1/I_n sum_j sum_i (1 + tau_ni^j) M_ni^j d ln d_ni^j               technology (iceberg costs)

    evaluated, as the paper and the cp2015 R package do, at baseline flows with discrete changes
    (``d ln x`` read as ``x_hat - 1``). ``flows[n, i, j]`` are imports ``M_ni^j`` of ``n`` from ``i``
    at producer prices before tariffs (so ``E_ni^j = M_in^j``); ``income[n]`` the baseline ``I_n``;
    the last term (the cp2015 R package's extension) is zero when only tariffs change. Returns
    ``(terms_of_trade, volume_of_trade, technology)`` in percent. The terms-of-trade effects sum to
    zero over the world when weighted by income: ``sum_n I_n tot_n = 0``.
    """
    dc = cost_hat - 1.0
    exports_term = np.einsum("inj,nj->n", flows, dc)
    imports_term = np.einsum("nij,ij->n", flows, dc)
    tot = (exports_term - imports_term) / income * 100.0
    with np.errstate(divide="ignore", invalid="ignore"):
        m_hat = np.where(flows > 0, flows_new / np.where(flows > 0, flows, 1.0), 1.0)
    vot = (tariff * flows * (m_hat - cost_hat[None, :, :])).sum(axis=(1, 2)) / income * 100.0
    technology = -((1.0 + tariff) * flows * (iceberg_hat - 1.0)).sum(axis=(1, 2)) / income * 100.0
    return (
        np.asarray(tot, dtype=np.float64),
        np.asarray(vot, dtype=np.float64),
        np.asarray(technology, dtype=np.float64),
    )
