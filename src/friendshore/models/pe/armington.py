"""The product-level partial equilibrium in levels: Armington (CES) demand across suppliers in each
importer, a constant-elasticity export supply per exporter, one world price per exporter and
product, every market cleared (the multi-country GSIM form of Francois & Hall, solved exactly
rather than linearised; equations in docs/methods/shocks.md).

Everything is in changes from the baseline (``x_hat = x' / x``) on one product's trade matrix
``V[i, v]`` (exporter ``i`` to importer ``v``, values at world prices, so baseline quantities with
prices normalised to 1). Policies: ad-valorem tariffs by pair (``tariff_before``, ``tariff_after``)
and export restrictions as quantity caps by pair (``cut[i, v]``: the share of the flow withheld;
1 removes the variety). Kernels are pure numpy; ``solve_pe`` finds the world prices with
``scipy.optimize.root``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from friendshore.deadline import check as check_deadline
from friendshore.errors import ConvergenceError, UserError

__all__ = [
    "PESolution",
    "calc_composite_price",
    "calc_consumer_surplus",
    "calc_demand",
    "calc_producer_surplus",
    "solve_pe",
]

Array = npt.NDArray[np.float64]

#: Largest residual (log excess demand) accepted as a solution.
TOLERANCE = 1e-10


def calc_composite_price(theta: Array, price: Array, sigma: float, keep: npt.NDArray[np.bool_]) -> Array:
    """The CES price index of each importer, in changes:

    ``P_hat_v = (sum_i theta_iv P_hat_iv^(1 - sigma))^(1 / (1 - sigma))`` over the varieties kept
    (``keep``; a removed variety's term is 0, its price infinite, which needs ``sigma > 1``), with
    ``theta_iv`` the baseline spending shares at internal prices; ``sigma = 1``: ``exp(sum theta ln P_hat)``.
    """
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        if sigma == 1.0:
            return np.exp(np.where(keep, theta * np.log(price), 0.0).sum(axis=0))  # type: ignore[no-any-return]
        terms = np.where(keep, theta * price ** (1.0 - sigma), 0.0)
        return terms.sum(axis=0) ** (1.0 / (1.0 - sigma))  # type: ignore[no-any-return]


def calc_demand(price: Array, composite: Array, sigma: float, eta: Array) -> Array:
    """Demand for each variety, in changes: ``q_hat_iv = P_hat_v^(-eta_v) (P_hat_iv / P_hat_v)^(-sigma)``
    (total import demand of elasticity ``-eta_v``, substitution across suppliers ``sigma``); an
    importer left with no supplier has an infinite price index and buys nothing."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        out = composite ** (-eta) * (price / composite) ** (-sigma)
    return np.where(np.isfinite(composite), out, 0.0)


def calc_consumer_surplus(spending: Array, composite: Array, eta: Array) -> Array:
    """The change in consumer surplus under the composite demand ``Q = Q0 P^(-eta)``:
    ``dCS_v = -E_v int_1^P_hat u^(-eta) du = -E_v (P_hat^(1 - eta) - 1) / (1 - eta)``
    (``-E_v ln P_hat`` for ``eta = 1``), ``E_v`` the baseline spending at internal prices. An importer
    cut off from every supplier (``P_hat`` infinite) loses the whole area under its demand curve,
    ``-E_v / (eta - 1)``, finite for ``eta > 1`` and infinite otherwise."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        return _surplus(spending, composite, eta)


def _surplus(spending: Array, composite: Array, eta: Array) -> Array:
    log_p = np.log(composite)
    near_one = np.abs(1.0 - eta) < 1e-12
    safe = np.where(near_one, 1.0, 1.0 - eta)
    area = np.where(near_one, log_p, np.expm1(safe * log_p) / safe)
    return -spending * area


def calc_producer_surplus(exports: Array, world_price: Array, epsilon: Array) -> Array:
    """The change in exporters' surplus on the supply curve ``X = X0 p^epsilon``:
    ``dPS_i = X0_i int_1^p_hat u^epsilon du = X0_i (p_hat^(1 + epsilon) - 1) / (1 + epsilon)``
    (0 for an infinitely elastic supply, whose price does not move)."""
    finite = np.isfinite(epsilon)
    e = np.where(finite, epsilon, 0.0)
    out = exports * np.expm1((1.0 + e) * np.log(world_price)) / (1.0 + e)
    return np.where(finite, out, 0.0)


@dataclass(frozen=True)
class PESolution:
    """One product's counterfactual (arrays shaped as ``V``: exporters x importers).

    ``world_price``: ``p_hat_i``; ``price``: the internal price change ``P_hat_iv`` (tariff and
    any quota rent included; NaN where the variety is removed); ``quantity``: ``q_hat_iv`` (0 where
    removed); ``value_after``: what the exporter is paid, ``p_hat r_hat V q_hat`` (quota rents go to
    the exporter, tariffs to the importer); ``composite``: ``P_hat_v``; ``consumer_surplus``,
    ``tariff_revenue`` (after), ``tariff_revenue_before`` per importer; ``producer_surplus`` and
    ``quota_rent`` per exporter; ``iterations``, ``residual``, ``seconds``: the solver.
    """

    world_price: Array
    price: Array
    quantity: Array
    value_after: Array
    composite: Array
    consumer_surplus: Array
    tariff_revenue: Array
    tariff_revenue_before: Array
    producer_surplus: Array
    quota_rent: Array
    iterations: int
    residual: float
    seconds: float


def _as_matrix(x: float | Array, shape: tuple[int, int]) -> Array:
    return np.broadcast_to(np.asarray(x, dtype=float), shape).astype(float)


def _as_vector(x: float | Array, n: int, what: str) -> Array:
    out = np.broadcast_to(np.asarray(x, dtype=float), (n,)).astype(float)
    if np.any(np.isnan(out)) or np.any(out < 0):
        raise UserError(f"the {what} must be non-negative numbers")
    return out


@dataclass(frozen=True)
class _System:
    """The equations of one solve: ``residual(y)``, its ``jacobian(y)``, ``state(y)`` and the size of ``y``."""

    residual: Callable[[Array], Array]
    jacobian: Callable[[Array], Array]
    state: Callable[[Array], tuple[Array, Array, Array, Array, Array]]
    size: int
    spending: Array
    exports: Array
    keep: npt.NDArray[np.bool_]


def _system(v0: Array, t0: Array, t1: Array, c: Array, eta_v: Array, eps_i: Array, sigma: float) -> _System:
    n_exp = v0.shape[0]
    trade = v0 > 0
    keep = trade & (c < 1.0)
    capped = trade & (c > 0.0) & (c < 1.0)
    spending = (v0 * (1.0 + t0)).sum(axis=0)
    theta = np.divide(v0 * (1.0 + t0), spending, out=np.zeros_like(v0), where=spending > 0)
    exports = v0.sum(axis=1)
    free = (keep & ~capped).any(axis=1)
    priced = np.flatnonzero(free & np.isfinite(eps_i) & (exports > 0))
    pairs = np.argwhere(capped)
    wedge = (1.0 + t1) / (1.0 + t0)

    def unpack(y: Array) -> tuple[Array, Array]:
        log_p = np.zeros(n_exp)
        log_p[priced] = y[: priced.size]
        log_r = np.zeros(v0.shape)
        if pairs.size:
            log_r[pairs[:, 0], pairs[:, 1]] = y[priced.size :]
        return log_p, log_r

    def state(y: Array) -> tuple[Array, Array, Array, Array, Array]:
        log_p, log_r = unpack(y)
        price = np.exp(log_p)[:, None] * np.exp(log_r) * wedge
        composite = calc_composite_price(theta, price, sigma, keep)
        importing = spending > 0
        comp = np.where(importing, composite, 1.0)
        q = np.where(keep, calc_demand(price, comp[None, :], sigma, eta_v[None, :]), 0.0)
        return log_p, log_r, price, comp, q

    def residual(y: Array) -> Array:
        check_deadline()  # the solver calls it every step: a request past its time limit stops here
        log_p, _, _, _, q = state(y)
        out = np.empty(y.size)
        if priced.size:
            demand = (v0[priced] * q[priced]).sum(axis=1)
            out[: priced.size] = np.log(demand) - np.log(exports[priced]) - eps_i[priced] * log_p[priced]
        if pairs.size:
            out[priced.size :] = np.log(q[pairs[:, 0], pairs[:, 1]]) - np.log1p(-c[pairs[:, 0], pairs[:, 1]])
        return out

    def jacobian(y: Array) -> Array:
        """``d ln q_iv / d ln P_kv = -sigma [i = k] + (sigma - eta_v) s_kv`` with ``s_kv`` the
        current spending share of ``k`` in ``v``; the residuals' derivatives follow by the chain rule."""
        _, _, price, _, q = state(y)
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            terms = np.where(keep, theta * price ** (1.0 - sigma), 0.0)
            total = terms.sum(axis=0)
            share = np.divide(terms, total, out=np.zeros_like(terms), where=total > 0)
        slope = sigma - eta_v  # (v,)
        n_p = priced.size
        jac = np.zeros((y.size, y.size))
        if n_p:
            sold = v0[priced] * q[priced]
            weight = sold / sold.sum(axis=1, keepdims=True)  # w_iv
            jac[:n_p, :n_p] = (weight * slope) @ share[priced].T
            jac[:n_p, :n_p] -= np.diag(sigma + eps_i[priced])
        if pairs.size:
            a, b = pairs[:, 0], pairs[:, 1]
            rank = np.full(n_exp, -1)
            rank[priced] = np.arange(n_p)
            g = np.arange(len(pairs))
            if n_p:
                # market clearing of exporter i against the rent of pair (a, b)
                jac[:n_p, n_p + g] = weight[:, b] * slope[b] * share[a, b]
                own = rank[a] >= 0
                jac[rank[a[own]], n_p + g[own]] -= sigma * weight[rank[a[own]], b[own]]
                # the capped quantity against world prices
                jac[n_p + g, :n_p] = slope[b][:, None] * share[priced][:, b].T
                jac[n_p + g[own], rank[a[own]]] -= sigma
            same = b[:, None] == b[None, :]
            jac[n_p:, n_p:] = np.where(same, slope[b][:, None] * share[a, b][None, :], 0.0)
            jac[n_p:, n_p:] -= sigma * np.eye(len(pairs))
        return jac

    return _System(residual, jacobian, state, priced.size + len(pairs), spending, exports, keep)


def solve_pe(
    values: Array,
    *,
    sigma: float,
    eta: float | Array,
    epsilon: float | Array,
    tariff_before: float | Array = 0.0,
    tariff_after: float | Array | None = None,
    cut: float | Array = 0.0,
    tol: float = TOLERANCE,
) -> PESolution:
    """Solve one product's partial equilibrium after tariffs and quantity caps.

    Unknowns: ``ln p_hat_i`` for each exporter with a finite supply elasticity and a market it is
    free to sell in, and ``ln r_hat_iv`` (the quota rent) for each pair capped short of a ban.
    Equations (all in changes, ``V`` the baseline values, ``t`` tariffs, ``c`` the cut shares)::

        P_hat_iv = p_hat_i r_hat_iv (1 + t'_iv) / (1 + t_iv)            internal price
        theta_iv = V_iv (1 + t_iv) / sum_j V_jv (1 + t_jv)               spending shares
        P_hat_v  = (sum_i theta_iv P_hat_iv^(1-sigma))^(1/(1-sigma))     calc_composite_price
        q_hat_iv = P_hat_v^(-eta_v) (P_hat_iv / P_hat_v)^(-sigma)        calc_demand
        q_hat_iv = 1 - c_iv                      for 0 < c_iv < 1        (a binding cap: r_hat_iv)
        sum_v V_iv q_hat_iv = X_i p_hat_i^epsilon_i                      market clearing, X_i = sum_v V_iv

    Raises ``UserError`` for a ban with ``sigma <= 1`` (a removed variety would make the price
    index infinite) and ``ConvergenceError`` when the residual stays above ``tol``.
    """
    start = time.perf_counter()
    v0 = np.asarray(values, dtype=float)
    if v0.ndim != 2 or np.any(~np.isfinite(v0)) or np.any(v0 < 0):
        raise UserError("the trade matrix must be a 2-D array of non-negative finite values")
    n_exp, n_imp = v0.shape
    t0 = _as_matrix(tariff_before, v0.shape)
    t1 = t0 if tariff_after is None else _as_matrix(tariff_after, v0.shape)
    c = _as_matrix(cut, v0.shape)
    if np.any(t0 < 0) or np.any(t1 < 0) or np.any(~np.isfinite(t1)):
        raise UserError("tariffs must be finite and non-negative (0.25 is 25 %)")
    if np.any(c < 0) or np.any(c > 1):
        raise UserError("the share of a flow withheld must lie in [0, 1]")
    eta_v = _as_vector(eta, n_imp, "import demand elasticities")
    eps_i = _as_vector(epsilon, n_exp, "export supply elasticities")
    if not np.isfinite(sigma) or sigma <= 0:
        raise UserError(f"the substitution elasticity must be a positive number, not {sigma}")
    trade = v0 > 0
    if np.any(trade & (c >= 1.0)) and sigma <= 1.0:
        raise UserError(
            f"a full restriction needs a substitution elasticity above 1 (here {sigma:g}): with "
            "sigma <= 1 every supplier is essential and the price would be unbounded; give a higher "
            "substitution elasticity or a share below 1"
        )
    system = _system(v0, t0, t1, c, eta_v, eps_i, sigma)
    residual, jacobian, keep = system.residual, system.jacobian, system.keep
    spending, exports = system.spending, system.exports
    n_unknowns = system.size
    y = np.zeros(n_unknowns)
    iterations = 0
    worst = 0.0
    if n_unknowns:
        from scipy import optimize  # here: scipy is slow to import (CLI start-up)

        sol = optimize.root(residual, y, jac=jacobian, method="hybr", options={"xtol": 1e-13})
        iterations = int(sol.nfev)
        y = sol.x
        worst = float(np.max(np.abs(residual(y))))
        if not np.isfinite(worst) or worst > tol:
            start_y = y if np.isfinite(worst) else np.zeros(n_unknowns)
            sol = optimize.root(residual, start_y, jac=jacobian, method="lm")
            iterations += int(sol.nfev)
            y = sol.x
            worst = float(np.max(np.abs(residual(y))))
        if not np.isfinite(worst) or worst > tol:
            raise ConvergenceError(
                f"the partial equilibrium did not converge: largest log excess demand {worst:.3g} "
                f"(tolerance {tol:g}) after {iterations} evaluations; try other elasticities"
            )
    log_p, log_r, price, composite, q = system.state(y)
    world_price = np.exp(log_p)
    rent = np.exp(log_r)
    value_after = world_price[:, None] * rent * v0 * q
    return PESolution(
        world_price=world_price,
        price=np.where(keep, price, np.nan),
        quantity=q,
        value_after=value_after,
        composite=composite,
        consumer_surplus=calc_consumer_surplus(spending, composite, eta_v),
        tariff_revenue=(t1 * value_after).sum(axis=0),
        tariff_revenue_before=(t0 * v0).sum(axis=0),
        producer_surplus=calc_producer_surplus(exports, world_price, eps_i),
        quota_rent=(world_price[:, None] * (rent - 1.0) * v0 * q).sum(axis=1),
        iterations=iterations,
        residual=worst,
        seconds=time.perf_counter() - start,
    )
