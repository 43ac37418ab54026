"""The product-level partial equilibrium (``friendshore.models.pe``): hand-solved small worlds,
properties, SMART's closed forms, the linear GSIM, the elasticities."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from friendshore.errors import ConvergenceError, UserError
from friendshore.models.pe import (
    calc_smart_creation,
    calc_smart_diversion,
    elasticities_for,
    solve_gsim_linear,
    solve_pe,
    solve_smart,
)
from friendshore.models.pe.armington import _system
from friendshore.sources.protee import PROTEE_FILE, read_protee
from helpers import examples

INF = math.inf

# --- hand-solved: two suppliers, one importer ----------------------------------------------------

#: Supplier a (row 0) and b (row 1) each sell 50 to one importer.
TWO = np.array([[50.0], [50.0]])


def test_tariff_two_suppliers_by_hand() -> None:
    """sigma = 2, eta = 1, supply infinitely elastic, a 100 % tariff on a:
    P = (0.5 * 2^-1 + 0.5)^-1 = 4/3; q_a = P^-1 (2/P)^-2 = 1/3; q_b = P^-1 (1/P)^-2 = 4/3."""
    s = solve_pe(TWO, sigma=2.0, eta=1.0, epsilon=INF, tariff_after=np.array([[1.0], [0.0]]))
    assert s.composite[0] == pytest.approx(4 / 3, rel=1e-12)
    assert s.quantity[:, 0] == pytest.approx([1 / 3, 4 / 3], rel=1e-12)
    assert s.value_after[:, 0] == pytest.approx([50 / 3, 200 / 3], rel=1e-12)
    assert s.tariff_revenue[0] == pytest.approx(50 / 3, rel=1e-12)  # 100 % of a's 50/3
    assert s.consumer_surplus[0] == pytest.approx(-100 * math.log(4 / 3), rel=1e-12)  # eta = 1
    assert s.world_price == pytest.approx([1.0, 1.0])


def test_ban_two_suppliers_by_hand() -> None:
    """a banned, b's supply elasticity 1: P = theta_b^(1/(1-sigma)) p_b = 2 p_b, q_b = P^-1 (p_b/P)^-2
    = 2 / p_b = p_b, so p_b = q_b = sqrt 2; unmet = 50 - 50 (sqrt 2 - 1)."""
    s = solve_pe(TWO, sigma=2.0, eta=1.0, epsilon=np.array([INF, 1.0]), cut=np.array([[1.0], [0.0]]))
    root2 = math.sqrt(2)
    assert s.world_price[1] == pytest.approx(root2, rel=1e-10)
    assert s.quantity[:, 0] == pytest.approx([0.0, root2], rel=1e-10)
    assert s.composite[0] == pytest.approx(2 * root2, rel=1e-10)
    filled = 50 * (s.quantity[1, 0] - 1)
    assert 50 - filled == pytest.approx(50 * (2 - root2), rel=1e-10)
    assert math.isnan(s.price[0, 0])
    # exporter b's surplus on X = X0 p: 50 (p^2 - 1) / 2
    assert s.producer_surplus[1] == pytest.approx(50 * (2 - 1) / 2, rel=1e-10)


def test_half_restriction_two_suppliers_by_hand() -> None:
    """Half of a's flow withheld, supply infinitely elastic: with u = 1/r (r the rent on a),
    P = 2 / (1 + u) and q_a = P u^2 = 1/2, so 4u^2 = 1 + u, u = (1 + sqrt 17) / 8."""
    s = solve_pe(TWO, sigma=2.0, eta=1.0, epsilon=INF, cut=np.array([[0.5], [0.0]]))
    u = (1 + math.sqrt(17)) / 8
    assert s.quantity[0, 0] == pytest.approx(0.5, rel=1e-10)
    assert s.composite[0] == pytest.approx(2 / (1 + u), rel=1e-10)
    assert s.price[0, 0] == pytest.approx(1 / u, rel=1e-10)
    assert s.quantity[1, 0] == pytest.approx(2 / (1 + u), rel=1e-10)
    assert s.quota_rent[0] == pytest.approx(50 * 0.5 * (1 / u - 1), rel=1e-10)


# --- hand-solved: three importers sharing one supplier --------------------------------------------

#: R (row 0) sells 10 to importers 1 and 2; S (row 1) sells 10 to each of 1, 2, 3.
THREE = np.array([[10.0, 10.0, 0.0], [10.0, 10.0, 10.0]])


def test_ban_three_importers_share_one_supplier_by_hand() -> None:
    """R bans everyone, sigma = 2, eta = 1, S's supply elasticity 1. Importers 1 and 2: P = 2p,
    q_S = 2/p; importer 3: q_S = 1/p. Market clearing: 2 * 10 * 2/p + 10/p = 30 p, p = sqrt(5/3);
    the world's unmet is 20 at risk less what S sells more: 50 - 50/p."""
    cut = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 0.0]])
    s = solve_pe(THREE, sigma=2.0, eta=1.0, epsilon=np.array([INF, 1.0]), cut=cut)
    p = math.sqrt(5 / 3)
    assert s.world_price[1] == pytest.approx(p, rel=1e-10)
    assert s.quantity[1] == pytest.approx([2 / p, 2 / p, 1 / p], rel=1e-10)
    filled = (THREE[1] * (s.quantity[1] - 1)).sum()
    assert 20 - filled == pytest.approx(50 - 50 / p, rel=1e-10)


def test_tariff_three_importers_share_one_supplier_by_hand() -> None:
    """S alone sells 10 to each of three importers (eta = 1, supply elasticity 1); importer 1 taxes it
    50 %: 10 / (1.5 p) + 20 / p = 30 p, so p^2 = (2/3 + 2) / 3 = 8/9: part of the tariff falls on S."""
    values = np.array([[10.0, 10.0, 10.0]])
    s = solve_pe(values, sigma=3.0, eta=1.0, epsilon=1.0, tariff_after=np.array([[0.5, 0.0, 0.0]]))
    p = math.sqrt(8 / 9)
    assert s.world_price[0] == pytest.approx(p, rel=1e-10)
    assert s.composite == pytest.approx([1.5 * p, p, p], rel=1e-10)
    assert s.tariff_revenue[0] == pytest.approx(0.5 * p * 10 / (1.5 * p), rel=1e-10)


def test_a_single_importer_cut_off_has_a_smaller_gap_than_the_world() -> None:
    """In the three-importer world, cutting R off importer 1 alone leaves R's output to importer 2
    and S's price lower, so importer 1's gap is smaller than when R cuts everyone."""
    eps = np.array([INF, 1.0])
    world = solve_pe(THREE, sigma=2.0, eta=1.0, epsilon=eps, cut=np.array([[1.0, 1.0, 0], [0, 0, 0]]))
    single = solve_pe(THREE, sigma=2.0, eta=1.0, epsilon=eps, cut=np.array([[1.0, 0, 0], [0, 0, 0]]))
    assert single.world_price[1] < world.world_price[1]
    assert 10 - 10 * (single.quantity[1, 0] - 1) < 10 - 10 * (world.quantity[1, 0] - 1)


# --- properties ----------------------------------------------------------------------------------


@st.composite
def worlds(draw: st.DrawFn) -> tuple[np.ndarray, float, float, np.ndarray]:
    """A small product market: 2-5 exporters x 2-5 importers, every importer buying from two or more."""
    n_exp = draw(st.integers(2, 5))
    n_imp = draw(st.integers(2, 5))
    values = draw(
        hnp.arrays(np.float64, (n_exp, n_imp), elements=st.floats(0.0, 100.0, allow_subnormal=False))
    )
    values = np.where(values < 1.0, 0.0, values)
    assume(((values > 0).sum(axis=0) >= 2).all())
    eta = draw(st.floats(0.3, 3.0))
    sigma = eta + draw(st.floats(0.5, 8.0))  # gross substitutes
    eps = draw(hnp.arrays(np.float64, (n_exp,), elements=st.floats(0.2, 5.0)))
    return values, sigma, eta, eps


PROPS = settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPS
@given(worlds())
def test_a_zero_shock_changes_nothing(world: tuple[np.ndarray, float, float, np.ndarray]) -> None:
    values, sigma, eta, eps = world
    s = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, tariff_after=0.0, cut=0.0)
    traded = values > 0
    np.testing.assert_allclose(s.world_price, 1.0, atol=1e-12)
    np.testing.assert_allclose(s.quantity[traded], 1.0, atol=1e-12)
    np.testing.assert_allclose(s.value_after, values, rtol=1e-12)
    np.testing.assert_allclose(s.composite, 1.0, atol=1e-12)
    np.testing.assert_allclose(s.consumer_surplus, 0.0, atol=1e-9)
    np.testing.assert_allclose(s.tariff_revenue, 0.0, atol=1e-12)


@PROPS
@given(worlds(), st.floats(0.0, 1.0), st.floats(0.01, 1.0))
def test_a_higher_tariff_never_raises_the_taxed_suppliers_sales(
    world: tuple[np.ndarray, float, float, np.ndarray], low: float, step: float
) -> None:
    """Exporter 0 taxed by some importers: a higher rate never raises what they buy from it (value
    paid to the exporter, or quantity). Its sales elsewhere may rise: the taxing importers' demand
    moves to its competitors, whose prices rise in the other markets too. So its world price need not
    fall: with two exporters selling 1 to each of three importers, sigma = 5.375, eta = 0.375, supply
    elasticities 1, and the first importer taxing exporter 0 at 120 % and then 200 %, the world price
    goes from 0.94478 to 0.94547 (its sales to the taxing importer are almost gone by then, while its
    competitor's price keeps rising). The world price is not asserted."""
    values, sigma, eta, eps = world
    taxing = slice(0, max(1, values.shape[1] // 2))
    taxed = np.zeros_like(values)
    taxed[0, taxing] = 1.0
    before = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, tariff_after=taxed * low)
    after = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, tariff_after=taxed * (low + step))
    tol = 1e-9 * values.sum()
    assert after.value_after[0, taxing].sum() <= before.value_after[0, taxing].sum() + tol
    assert (values[0, taxing] * after.quantity[0, taxing]).sum() <= (
        values[0, taxing] * before.quantity[0, taxing]
    ).sum() + tol


@PROPS
@given(worlds(), st.floats(0.2, 1.0))
def test_the_world_gap_is_never_below_the_single_importers_gaps(
    world: tuple[np.ndarray, float, float, np.ndarray], share: float
) -> None:
    """Exporter 0 withholds ``share`` from every importer at once, or from one importer alone: each
    hit importer's unmet is at least what it is when only it is cut off, so the world's gap over the
    hit importers is at least the sum of their single gaps (and so at least the largest)."""
    values, sigma, eta, eps = world
    assume(sigma > 1.05)
    hit = values[0] > 0
    assume(hit.any())
    cut = np.zeros_like(values)
    cut[0] = np.where(hit, share, 0.0)
    everyone = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, cut=cut)
    singles, worlds_ = [], []
    for v in np.flatnonzero(hit):
        alone = np.zeros_like(values)
        alone[0, v] = share
        single = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, cut=alone)
        singles.append(values[:, v].sum() - (values[:, v] * single.quantity[:, v]).sum())
        worlds_.append(values[:, v].sum() - (values[:, v] * everyone.quantity[:, v]).sum())
        assert worlds_[-1] >= singles[-1] - 1e-9 * values.sum()
    assert sum(worlds_) >= sum(singles) - 1e-9 * values.sum()
    assert sum(worlds_) >= max(singles) - 1e-9 * values.sum() or min(worlds_) < 0


@PROPS
@given(worlds(), st.floats(0.0, 0.6), st.floats(0.0, 1.0))
def test_values_are_conserved(
    world: tuple[np.ndarray, float, float, np.ndarray], rate: float, share: float
) -> None:
    """Each exporter sells what it supplies, ``sum_v p V q = p X0 p^eps``; each importer spends
    ``sum_i P_iv V_iv q_iv = E_v P_v^(1 - eta)`` (CES: spending is price index times quantity index)."""
    values, sigma, eta, eps = world
    assume(sigma > 1.05)
    tariff = np.zeros_like(values)
    tariff[0] = rate
    cut = np.zeros_like(values)
    cut[-1] = share
    assume(((values > 0) & (cut < 1)).sum(axis=0).min() >= 1)
    s = solve_pe(values, sigma=sigma, eta=eta, epsilon=eps, tariff_after=tariff, cut=cut)
    free = ((values > 0) & (cut == 0)).any(axis=1)
    quantity = (values * s.quantity).sum(axis=1)
    np.testing.assert_allclose(quantity[free], (values.sum(axis=1) * s.world_price**eps)[free], rtol=1e-9)
    paid = np.where(values > 0, np.nan_to_num(s.price) * values * s.quantity, 0.0).sum(axis=0)
    np.testing.assert_allclose(paid, values.sum(axis=0) * s.composite ** (1 - eta), rtol=1e-9)


def test_the_jacobian_is_the_derivative_of_the_equations() -> None:
    rng = np.random.default_rng(7)
    values = rng.exponential(1.0, (7, 6)) * (rng.random((7, 6)) < 0.75)
    cut = np.zeros_like(values)
    cut[0], cut[1, 2] = 0.5, 1.0
    tariff = np.zeros_like(values)
    tariff[2, :3] = 0.3
    system = _system(
        values, np.zeros_like(values), tariff, cut, np.linspace(0.5, 2, 6), np.linspace(0.5, 3, 7), 3.0
    )
    y = rng.normal(0.0, 0.1, system.size)
    h = 1e-6
    numeric = np.column_stack(
        [(system.residual(y + h * e) - system.residual(y - h * e)) / (2 * h) for e in np.eye(system.size)]
    )
    np.testing.assert_allclose(system.jacobian(y), numeric, atol=1e-7)


# --- SMART's closed forms and the linear GSIM ------------------------------------------------------


@pytest.mark.parametrize("epsilon", [INF, 99.0, 1.5, 0.4])
@pytest.mark.parametrize("rate", [0.1, 0.25, -0.05])
def test_smart_creation_and_diversion_reproduce_the_closed_forms(epsilon: float, rate: float) -> None:
    """SMART for one importer, solved numerically, gives SMART's closed forms to 1e-9."""
    imports = np.array([300.0, 120.0, 80.0])
    before = np.array([0.10, 0.05, 0.05])
    after = before.copy()
    after[0] = before[0] + rate
    eta, sigma = 1.3, 2.5
    creation, diversion = solve_smart(
        imports, tariff_before=before, tariff_after=after, eta=eta, sigma=sigma, epsilon=epsilon, supplier=0
    )
    expected = calc_smart_creation(imports, before, after, eta, epsilon)
    np.testing.assert_allclose(creation, expected, rtol=1e-9, atol=1e-9)
    assert expected[1:] == pytest.approx([0.0, 0.0])
    x = (1 + after[0]) / (1 + before[0]) - 1  # the change in a's price relative to the others'
    td = calc_smart_diversion(imports[0], imports[1:].sum(), x, sigma)
    assert diversion[0] == pytest.approx(td, rel=1e-9)
    assert diversion.sum() == pytest.approx(0.0, abs=1e-9)  # diversion moves imports, creates none
    assert (diversion[0] < 0) == (rate > 0)


def test_smart_creation_by_hand() -> None:
    """TC = -eta M dt/(1+t) / (1 + eta/eps): 100 of imports, a tariff from 0 to 10 %, eta 2, eps 2: -10."""
    out = calc_smart_creation(np.array([100.0]), np.array([0.0]), np.array([0.1]), 2.0, 2.0)
    assert out[0] == pytest.approx(-10.0, rel=1e-12)


#: The 4-region GSIM example of Francois & Hall (US, Japan, EU, rest of the world; 1.25, 1.5, 5) as
#: a public R re-implementation of GSIM sets it out, with the world price changes it reports for a
#: US-EU agreement (0.0792, -0.0316, 0.0480, -0.0184). The primary document was not seen, so this is
#: a check against that replication, not a reproduction listed in ``reproduce``.
GSIM_FLOWS = np.array(
    [[0, 50, 200, 300], [500, 0, 150, 200], [300, 100, 200, 200], [50, 100, 110, 20]], dtype=float
)
GSIM_TARIFF = (
    np.array(
        [[1.0, 1.21, 1.41, 1.22], [1.37, 1.0, 1.31, 1.23], [1.32, 1.36, 1.0, 1.18], [1.57, 1.41, 1.25, 1.15]]
    )
    - 1
)


def test_linear_gsim_gives_the_reported_world_prices_of_the_four_region_example() -> None:
    after = GSIM_TARIFF.copy()
    after[2, 0] = after[0, 2] = 0.0  # EU-US free trade
    x, _ = solve_gsim_linear(
        GSIM_FLOWS, tariff_before=GSIM_TARIFF, tariff_after=after, eta=1.25, sigma=5.0, epsilon=1.5
    )
    assert np.round(x, 4) == pytest.approx([0.0792, -0.0316, 0.0480, -0.0184], abs=1e-12)


def test_the_levels_model_agrees_with_the_linear_gsim_to_first_order() -> None:
    after = GSIM_TARIFF.copy()
    after[2, 0] += 1e-6
    x, m = solve_gsim_linear(
        GSIM_FLOWS, tariff_before=GSIM_TARIFF, tariff_after=after, eta=1.25, sigma=5.0, epsilon=1.5
    )
    s = solve_pe(GSIM_FLOWS, sigma=5.0, eta=1.25, epsilon=1.5, tariff_before=GSIM_TARIFF, tariff_after=after)
    np.testing.assert_allclose(s.world_price - 1, x, rtol=1e-4)
    traded = GSIM_FLOWS > 0
    np.testing.assert_allclose((s.quantity - 1)[traded], m[traded], rtol=1e-4, atol=1e-12)


# --- refusals ------------------------------------------------------------------------------------


def test_refusals() -> None:
    with pytest.raises(UserError, match="substitution elasticity above 1"):
        solve_pe(TWO, sigma=0.8, eta=1.0, epsilon=1.0, cut=np.array([[1.0], [0.0]]))
    with pytest.raises(UserError, match="non-negative"):
        solve_pe(TWO, sigma=2.0, eta=1.0, epsilon=1.0, tariff_after=-0.1)
    with pytest.raises(UserError, match=r"\[0, 1\]"):
        solve_pe(TWO, sigma=2.0, eta=1.0, epsilon=1.0, cut=1.5)
    with pytest.raises(UserError, match="substitution elasticity must be"):
        solve_pe(TWO, sigma=-2.0, eta=1.0, epsilon=1.0)
    assert issubclass(ConvergenceError, Exception)


# --- elasticities ----------------------------------------------------------------------------------


def test_protee_elasticities(sample_data: Path) -> None:
    protee = read_protee(sample_data / PROTEE_FILE)
    assert len(protee) == 5050
    out = elasticities_for(["850511", "810411", "280530", "850760", "999999"], protee)
    assert out["850511"].substitution == pytest.approx(6.2538457)
    assert out["850511"].substitution_source == "ProTEE 0.1, HS4 average"  # flagged 'zero' in the file
    assert out["810411"].substitution == pytest.approx(38.8741)
    assert out["810411"].substitution_source == "ProTEE 0.1"
    # 850760 (lithium-ion batteries) came after HS 2007: the mean of ProTEE's 8507 codes
    values = [-r.elasticity for c, r in protee.items() if c.startswith("8507") and r.elasticity is not None]
    assert out["850760"].substitution == pytest.approx(sum(values) / len(values))
    assert out["850760"].substitution_source == "ProTEE 0.1, mean of its HS4 heading"
    # 280530 (rare-earth metals) has no value in ProTEE, nor has its heading: the default
    assert out["280530"].substitution == 5.0
    assert out["280530"].substitution_source == "assumption (no ProTEE value)"
    assert out["999999"].substitution_source.startswith("assumption")
    assert out["850511"].import_demand_source == "assumption"
    given_ = elasticities_for(["850511"], protee, substitution=3.0, import_demand=0.8, export_supply=2.0)
    assert (
        given_["850511"].substitution,
        given_["850511"].import_demand,
        given_["850511"].export_supply,
    ) == (
        3.0,
        0.8,
        2.0,
    )
    with pytest.raises(UserError, match="magnitude"):
        elasticities_for(["850511"], protee, import_demand=-1.0)
