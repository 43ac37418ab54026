"""The linearised forms the product-level model is checked against: SMART's trade creation and
trade diversion for one importer (the WITS tool; Laird & Yeats 1986, as set out by Jammes &
Olarreaga 2005, "Explaining SMART and GSIM") and the multi-country GSIM of Francois & Hall
(2003) in percentage changes.

``friendshore.models.pe.armington`` solves the same economics in levels; these forms are its
first-order limit (GSIM) and the tool practitioners know (SMART), kept as kernels with their
equations so that the tests can hold the solvers to them.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from friendshore.errors import UserError

__all__ = ["calc_smart_creation", "calc_smart_diversion", "solve_gsim_linear", "solve_smart"]

Array = npt.NDArray[np.float64]


def calc_smart_creation(
    imports: Array, tariff_before: Array, tariff_after: Array, eta: float, epsilon: float
) -> Array:
    """SMART's trade creation on each supplier's flow (elasticities as magnitudes)::

        TC_k = -eta M_k (dt_k / (1 + t_k)) / (1 + eta / epsilon)

    (SMART writes it with the signed import-demand elasticity ``e_m = -eta``:
    ``M e_m dt/(1+t) / (1 - e_m/e_x)``; ``epsilon = inf`` is SMART's default infinitely elastic supply.)
    """
    tau = (np.asarray(tariff_after) - np.asarray(tariff_before)) / (1.0 + np.asarray(tariff_before))
    damp = 1.0 + (eta / epsilon if np.isfinite(epsilon) else 0.0)
    return -eta * np.asarray(imports, dtype=float) * tau / damp


def calc_smart_diversion(
    imports_k: float, imports_rest: float, relative_price_change: float, sigma: float
) -> float:
    """SMART's trade diversion towards supplier ``k`` from the other suppliers ``K`` when the price
    of ``k`` relative to ``K`` changes by ``x = d(P_k/P_K)/(P_k/P_K)`` at constant total imports::

        TD_k = -M_k M_K sigma x / (M_k + M_K - M_k sigma x)

    (from ``(M_k'/M_K') = (M_k/M_K)(1 - sigma x)`` with ``M_k' + M_K' = M_k + M_K``).
    """
    x = relative_price_change
    return -imports_k * imports_rest * sigma * x / (imports_k + imports_rest - imports_k * sigma * x)


def solve_smart(
    imports: Array,
    *,
    tariff_before: Array,
    tariff_after: Array,
    eta: float,
    sigma: float,
    epsilon: float,
    supplier: int,
) -> tuple[Array, Array]:
    """SMART for one importer, solved numerically: the change in each supplier's imports from
    trade creation and from trade diversion when ``supplier``'s tariff moves and the others' do not.

    Creation: for each supplier the world price change ``x_k`` solves
    ``-eta (tau_k + x_k) = epsilon x_k`` (demand in percent changes equals supply), and
    ``TC_k = M_k epsilon x_k`` (``x_k = 0`` and ``TC_k = -eta M_k tau_k`` when supply is infinitely
    elastic). Diversion: the new imports from ``supplier`` solve the share equation
    ``M_k' / (T - M_k') = (M_k / M_K) (1 - sigma x)`` with ``T`` total imports held constant and
    ``x`` the relative price change; the others lose ``TD_k`` in proportion to their imports.
    Returns ``(creation, diversion)``, one value per supplier.
    """
    from scipy import optimize  # here: scipy is slow to import (CLI start-up)

    m = np.asarray(imports, dtype=float)
    t0, t1 = np.asarray(tariff_before, dtype=float), np.asarray(tariff_after, dtype=float)
    others = np.arange(m.size) != supplier
    if np.any(t1[others] != t0[others]):
        raise UserError("SMART's diversion here takes one supplier's tariff change at a time")
    tau = (t1 - t0) / (1.0 + t0)
    creation = np.zeros_like(m)
    for k in np.flatnonzero(tau != 0):
        if np.isfinite(epsilon):
            x = optimize.brentq(lambda z, k=k: -eta * (tau[k] + z) - epsilon * z, -1.0, 1.0, xtol=1e-15)
            creation[k] = m[k] * epsilon * x
        else:
            creation[k] = -eta * m[k] * tau[k]
    total, rest = m.sum(), m[others].sum()
    ratio = m[supplier] / rest * (1.0 - sigma * tau[supplier])
    new_k = optimize.brentq(lambda z: z - ratio * (total - z), 0.0, total, xtol=1e-14, rtol=1e-15)
    diversion = np.zeros_like(m)
    diversion[supplier] = new_k - m[supplier]
    diversion[others] = -diversion[supplier] * m[others] / rest
    return creation, diversion


def solve_gsim_linear(
    values: Array,
    *,
    tariff_before: Array,
    tariff_after: Array,
    eta: float | Array,
    sigma: float | Array,
    epsilon: float | Array,
) -> tuple[Array, Array]:
    """The multi-country GSIM of Francois & Hall (2003) in percentage changes, one product.

    With ``theta_iv`` the spending shares at internal prices, ``phi_iv = V_iv / sum_v V_iv`` the
    export shares, ``T = 1 + t`` and ``x_i`` the world price changes::

        N_iv  = -theta_iv eta_v - (1 - theta_iv) sigma_v           own-price elasticity
        C_kv  =  theta_kv (sigma_v - eta_v)                        cross-price elasticity
        m_iv  = N_iv (dT_iv + x_i) + sum_{k != i} C_kv (dT_kv + x_k)
        sum_v phi_iv m_iv = epsilon_i x_i                          market clearing (linear in x)

    Returns ``(x, m)``: world price changes and the percent (as a fraction) change in each flow's
    quantity; the value change is ``(1 + m)(1 + x) - 1``.
    """
    v = np.asarray(values, dtype=float)
    t0, t1 = np.asarray(tariff_before, dtype=float), np.asarray(tariff_after, dtype=float)
    n = v.shape[0]
    theta = v * (1 + t0) / (v * (1 + t0)).sum(axis=0)
    phi = v / v.sum(axis=1, keepdims=True)
    own = -theta * eta - (1 - theta) * sigma
    cross = theta * (sigma - eta)
    dt = (1 + t1) / (1 + t0) - 1

    def change(x: Array) -> Array:
        shock = dt + x[:, None]
        return own * shock + (cross * shock).sum(axis=0)[None, :] - cross * shock  # type: ignore[no-any-return]

    def excess(x: Array) -> Array:
        return (phi * change(x)).sum(axis=1) - epsilon * x  # type: ignore[no-any-return]

    base = excess(np.zeros(n))
    jac = np.column_stack([excess(np.eye(n)[k]) - base for k in range(n)])
    x: Array = np.linalg.solve(jac, -base).astype(np.float64)
    return x, change(x)
