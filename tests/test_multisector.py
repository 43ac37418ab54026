"""The multi-sector model (Caliendo & Parro 2015 in changes): kernels by hand, closed-form welfare
formulas, identities, the zero shock, convergence failure, and the two real baselines."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from friendshore.errors import ConvergenceError, SchemaError, UnknownCodeError, UserError
from friendshore.models.multisector import (
    Decouple,
    ExportTax,
    MultiSectorBaseline,
    MultiSectorConvergenceError,
    Tariff,
    TradeCost,
    apply_changes,
    baseline_from_caliendo_parro,
    baseline_from_kite,
    calibrate,
    simulate,
)
from friendshore.models.multisector.kernels import (
    calc_expenditure,
    calc_input_cost,
    calc_price_index,
    calc_trade_shares,
    calc_welfare_decomposition,
)
from friendshore.sources.caliendo_parro import CP_COUNTRIES, read_caliendo_parro
from friendshore.sources.wiod_kite import read_kite

# -- kernels, by hand ------------------------------------------------------------------------------


def test_price_index_and_shares_by_hand() -> None:
    # one sector, two countries; importer 0 buys 60 % at home, 40 % from 1; theta 4
    shares = np.array([[[0.6], [0.4]], [[0.3], [0.7]]])
    cost = np.array([[1.1], [1.0]])
    kappa = np.ones((2, 2, 1))
    theta = np.array([4.0])
    price = calc_price_index(shares, kappa, cost, theta)
    # (0.6 * 1.1^-4 + 0.4)^(-1/4) = (0.6 * 0.6830135 + 0.4)^(-0.25) = 0.8098081^(-0.25)
    assert price[0, 0] == pytest.approx(1.0541549, abs=1e-6)
    assert price[1, 0] == pytest.approx((0.3 * 1.1**-4 + 0.7) ** -0.25, rel=1e-12)
    new = calc_trade_shares(shares, kappa, cost, price, theta)
    np.testing.assert_allclose(new.sum(axis=1), 1.0, rtol=1e-12)
    assert new[0, 0, 0] == pytest.approx(0.6 * (1.1 / 1.0541549) ** -4, rel=1e-6)
    # a prohibitive cost on 1 -> 0 leaves 0 its own producers only
    cut = kappa.copy()
    cut[0, 1, 0] = math.inf
    assert calc_price_index(shares, cut, cost, theta)[0, 0] == pytest.approx(1.1 * 0.6**-0.25, rel=1e-12)
    assert (
        calc_trade_shares(shares, cut, cost, calc_price_index(shares, cut, cost, theta), theta)[0, 1, 0] == 0
    )


def test_input_cost_by_hand() -> None:
    va = np.array([[0.4, 0.5]])
    io = np.array([[[0.3, 0.2], [0.3, 0.3]]])  # io[n, input k, user j]; columns sum to 1 - va
    log_p = np.log(np.array([[1.2, 0.9]]))
    log_c = calc_input_cost(np.log(np.array([1.1])), log_p, va, io)
    assert np.exp(log_c[0, 0]) == pytest.approx(1.1**0.4 * 1.2**0.3 * 0.9**0.3, rel=1e-12)
    assert np.exp(log_c[0, 1]) == pytest.approx(1.1**0.5 * 1.2**0.2 * 0.9**0.3, rel=1e-12)


def test_expenditure_solves_the_linear_system() -> None:
    rng = np.random.default_rng(3)
    n, j = 3, 2
    shares = rng.random((n, n, j))
    shares /= shares.sum(axis=1, keepdims=True)
    tariff = rng.random((n, n, j)) * 0.1
    tariff[np.arange(n), np.arange(n), :] = 0
    tax = np.zeros((n, n, j))
    va = rng.uniform(0.3, 0.6, (n, j))
    io = rng.random((n, j, j))
    io = io / io.sum(axis=1, keepdims=True) * (1 - va)[:, None, :]
    alpha = rng.random((n, j))
    alpha /= alpha.sum(axis=1, keepdims=True)
    exogenous = np.array([10.0, 5.0, 8.0])
    x, _, change = calc_expenditure(
        shares, tariff, tax, io, alpha, exogenous, start=np.ones((n, j)), tol=1e-15
    )
    assert change < 1e-14
    # the same system written out as a matrix and solved directly
    producer = shares / (1 + tariff)
    a = np.zeros((n, j, n, j))
    for nn in range(n):
        for jj in range(j):
            for mm in range(n):
                for kk in range(j):
                    a[nn, jj, mm, kk] = io[nn, jj, kk] * producer[mm, nn, kk]
                    if mm == nn:
                        a[nn, jj, mm, kk] += (
                            alpha[nn, jj]
                            * (shares[nn, :, kk] * tariff[nn, :, kk] / (1 + tariff[nn, :, kk])).sum()
                        )
    direct = np.linalg.solve(np.eye(n * j) - a.reshape(n * j, n * j), (alpha * exogenous[:, None]).ravel())
    np.testing.assert_allclose(x.ravel(), direct, rtol=1e-12)


def test_welfare_decomposition_by_hand() -> None:
    # two countries, one sector: 0 imports 10 from 1 at a 10 % tariff, 1 imports 20 from 0 tariff-free
    flows = np.array([[[50.0], [10.0]], [[20.0], [80.0]]])
    tariff = np.array([[[0.0], [0.1]], [[0.0], [0.0]]])
    new = np.array([[[50.0], [12.0]], [[20.0], [80.0]]])
    cost = np.array([[1.02], [1.01]])
    income = np.array([100.0, 110.0])
    tot, vot, tech = calc_welfare_decomposition(flows, new, tariff, cost, np.ones_like(flows), income)
    # tot_0 = (E_01 dc_0 - M_01 dc_1) / I_0 = (20 * 0.02 - 10 * 0.01) / 100
    assert tot[0] == pytest.approx((20 * 0.02 - 10 * 0.01) / 100 * 100)
    assert tot[1] == pytest.approx((10 * 0.01 - 20 * 0.02) / 110 * 100)
    # vot_0 = tau M (M_hat - c_hat_1) / I_0 = 0.1 * 10 * (1.2 - 1.01) / 100
    assert vot[0] == pytest.approx(0.1 * 10 * (1.2 - 1.01) / 100 * 100)
    assert vot[1] == 0
    assert np.all(tech == 0)
    assert (income * tot).sum() == pytest.approx(0.0, abs=1e-12)


# -- small synthetic baselines ----------------------------------------------------------------------


def synthetic(
    n: int = 4, j: int = 3, *, seed: int = 0, va: float | None = None, tariffs: bool = True
) -> MultiSectorBaseline:
    rng = np.random.default_rng(seed)
    spending = rng.lognormal(0, 1, (n, n, j))
    spending[np.arange(n), np.arange(n), :] *= 5  # home bias
    expenditure = spending.sum(axis=1)
    shares = spending / expenditure[:, None, :]
    tariff = rng.uniform(0, 0.15, (n, n, j)) if tariffs else np.zeros((n, n, j))
    tariff[np.arange(n), np.arange(n), :] = 0
    va_share = np.full((n, j), va) if va is not None else rng.uniform(0.3, 0.7, (n, j))
    io = rng.random((n, j, j))
    io = io / io.sum(axis=1, keepdims=True) * (1 - va_share)[:, None, :]
    alpha = rng.random((n, j))
    alpha /= alpha.sum(axis=1, keepdims=True)
    deficit = rng.normal(0, 1, n)
    return MultiSectorBaseline(
        countries=tuple(f"C{k}" for k in range(n)),
        sectors=tuple(f"S{k}" for k in range(j)),
        theta=rng.uniform(3, 8, j),
        shares=shares,
        tariff=tariff,
        export_tax=np.zeros((n, n, j)),
        va_share=va_share,
        io_share=io,
        alpha=alpha,
        value_added=rng.uniform(20, 60, n),
        deficit=deficit - deficit.mean(),
        expenditure=expenditure,
        source="synthetic",
        unit="usd",
    )


@pytest.mark.parametrize("deficits", ["data", "zero"])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_zero_shock_leaves_the_calibrated_baseline_unchanged(seed: int, deficits: str) -> None:
    base = calibrate(synthetic(seed=seed), deficits=deficits)  # type: ignore[arg-type]
    sim = simulate(base, [])
    eq = sim.equilibrium
    for hat in (eq.wage_hat, eq.cost_hat, eq.price_hat):
        np.testing.assert_allclose(hat, 1.0, atol=1e-10)
    np.testing.assert_allclose(eq.shares, base.shares, atol=1e-12)
    np.testing.assert_allclose(eq.expenditure, base.expenditure, rtol=1e-10)
    numbers = sim.countries.drop(columns=["country", "income_baseline"]).to_numpy()
    assert np.abs(numbers).max() < 1e-8  # percent: 1e-10 as a ratio
    assert sim.sectors[["output_change_pct", "price_change_pct"]].abs().max().max() < 1e-8


def test_calibration_is_an_equilibrium() -> None:
    raw = synthetic(seed=4)
    base = calibrate(raw)
    np.testing.assert_array_equal(base.shares, raw.shares)  # deficits 'data': shares as in the data
    labour = (base.va_share * base.output).sum(axis=1)
    np.testing.assert_allclose(labour, base.value_added, rtol=1e-9)
    assert base.value_added.sum() == pytest.approx(raw.value_added.sum(), rel=1e-12)
    # trade balance: imports - exports = deficit
    flows = base.flows
    idx = np.arange(len(base.countries))
    imports = flows.sum(axis=(1, 2)) - flows[idx, idx, :].sum(axis=1)
    exports = flows.sum(axis=(0, 2)) - flows[idx, idx, :].sum(axis=1)
    np.testing.assert_allclose(imports - exports, base.deficit, atol=1e-8 * base.value_added.sum())


@pytest.mark.parametrize("seed", [0, 5])
def test_counterfactual_identities(seed: int) -> None:
    """Walras' law (world value added is the numeraire), shares sum to 1, and the world's
    income-weighted terms-of-trade effects net out: ``sum_n I_n tot_n = 0``."""
    base = calibrate(synthetic(seed=seed))
    sim = simulate(base, [Tariff(add=0.2, exporters=("C0",), importers=("C1", "C2"))])
    eq = sim.equilibrium
    assert (eq.wage_hat * base.value_added).sum() == pytest.approx(base.value_added.sum(), rel=1e-12)
    np.testing.assert_allclose(eq.shares.sum(axis=1), 1.0, atol=1e-12)
    labour = (base.va_share * eq.output).sum(axis=1)
    np.testing.assert_allclose(labour, eq.wage_hat * base.value_added, rtol=1e-9)
    countries = sim.countries.set_index("country")
    income = countries["income_baseline"].to_numpy()
    assert (income * countries["tot_pct"].to_numpy()).sum() == pytest.approx(0.0, abs=1e-9 * income.sum())


def test_decomposition_is_first_order_exact() -> None:
    """For a small tariff change the decomposition equals the exact real-income change to first order."""
    base = calibrate(synthetic(seed=7), deficits="zero")
    for step in (0.001, 0.01):
        sim = simulate(base, [Tariff(add=step, exporters=("C1",), importers=("C0",))]).countries.set_index(
            "country"
        )
        gap = (sim["welfare_pct"] - sim["real_income_pct"]).abs().max()
        scale = sim["real_income_pct"].abs().max()
        assert gap < 0.05 * scale + 1e-9, (step, gap, scale)


def one_sector(theta: float, va: float, seed: int = 11) -> MultiSectorBaseline:
    """One sector, no tariffs, no deficits, intermediates (if any) from the sector itself."""
    base = synthetic(n=4, j=1, seed=seed, va=va, tariffs=False)
    return MultiSectorBaseline(
        **{
            **base.__dict__,
            "theta": np.array([theta]),
            "io_share": np.full((4, 1, 1), 1 - va),
            "alpha": np.ones((4, 1)),
            "deficit": np.zeros(4),
        }
    )


@pytest.mark.parametrize(("theta", "va"), [(4.0, 1.0), (6.0, 0.5)])
def test_welfare_matches_the_closed_form(theta: float, va: float) -> None:
    """With one sector, iceberg costs and no deficits, welfare is ``pi_hat_nn^(-1/(theta va))``
    (Arkolakis, Costinot & Rodriguez-Clare 2012; with roundabout production, Costinot & Rodriguez-Clare
    2014) -- an independent check of the whole solver."""
    base = calibrate(one_sector(theta, va), deficits="zero")
    sim = simulate(
        base, [TradeCost(factor=1.3, exporters=("C0", "C1"), importers=("C2", "C3"), symmetric=True)]
    )
    idx = np.arange(4)
    pi_hat = sim.equilibrium.shares[idx, idx, 0] / base.shares[idx, idx, 0]
    closed = (pi_hat ** (-1.0 / (theta * va)) - 1.0) * 100.0
    np.testing.assert_allclose(sim.countries["real_income_pct"].to_numpy(), closed, rtol=1e-7)
    assert (sim.countries["real_income_pct"] < 0).all()  # higher trade costs: everyone loses here


def test_forced_non_convergence_raises_with_diagnostics() -> None:
    base = calibrate(synthetic(seed=1))
    with pytest.raises(MultiSectorConvergenceError, match="did not converge") as info:
        simulate(base, [Tariff(add=0.5, exporters=("C0",))], max_iter=2)
    assert isinstance(info.value, ConvergenceError)
    assert list(info.value.diagnostics["converged"]) == [False]
    assert len(info.value.history) == 2
    assert info.value.history["wage_gap"].iloc[-1] > 1e-10


def test_damping_is_halved_when_the_gap_grows() -> None:
    base = calibrate(synthetic(seed=2))
    sim = simulate(base, [Tariff(add=1.0, exporters=("C0",))], damping=1.0)
    history = sim.history.loc[sim.history["stage"] == "counterfactual"]
    assert history["wage_gap"].iloc[-1] < 1e-10
    grew = history["wage_gap"].diff() > 0
    if grew.any():  # each growth halves the next step
        assert history["damping"].iloc[-1] < 1.0


def test_changes_select_flows() -> None:
    base = synthetic()
    policy = apply_changes(
        base,
        [
            Tariff(rate=0.3, exporters=("C0",), importers=("C1",), sectors=("S2",)),
            ExportTax(rate=0.1, exporters=("C2",)),
            TradeCost(prohibitive=True, exporters=("C3",), importers=("C0",), sectors=("S0",)),
            Decouple(("C1",), ("C2", "C3"), cost=0.5),
        ],
    )
    assert policy.tariff[1, 0, 2] == 0.3
    assert policy.tariff[1, 0, 1] == base.tariff[1, 0, 1]
    assert policy.export_tax[0, 2, 0] == 0.1
    assert policy.export_tax[2, 2, 0] == 0
    assert math.isinf(policy.iceberg_hat[0, 3, 0])
    assert policy.iceberg_hat[0, 3, 1] == 1
    assert policy.iceberg_hat[1, 2, 0] == policy.iceberg_hat[2, 1, 0] == 1.5
    assert policy.prohibitive
    with pytest.raises(UserError, match="selects no flow"):
        apply_changes(base, [Tariff(rate=0.1, exporters=("C0",), importers=("C0",))])
    with pytest.raises(UserError, match="negative"):
        apply_changes(base, [Tariff(add=-5.0)])
    with pytest.raises(UnknownCodeError, match="not an economy"):
        apply_changes(base, [Tariff(rate=0.1, exporters=("XXX",))])
    with pytest.raises(UserError, match="overlap"):
        apply_changes(base, [Decouple(("C0", "C1"), ("C1",))])


def test_cutting_every_source_is_refused() -> None:
    base = synthetic(n=3, j=1, seed=3)
    shares = base.shares.copy()
    shares[0, :, 0] = [0.0, 1.0, 0.0]  # country 0 buys sector S0 only from C1
    raw = MultiSectorBaseline(**{**base.__dict__, "shares": shares})
    calibrated = calibrate(raw)
    with pytest.raises(UserError, match="cut C0 off from every source of sector S0"):
        simulate(calibrated, [TradeCost(prohibitive=True, exporters=("C1",), importers=("C0",))])


def test_baseline_checks_its_arrays() -> None:
    base = synthetic()
    with pytest.raises(SchemaError, match="sum to 1"):
        MultiSectorBaseline(**{**base.__dict__, "alpha": base.alpha * 2})
    with pytest.raises(SchemaError, match="shape"):
        MultiSectorBaseline(**{**base.__dict__, "theta": base.theta[:1]})
    with pytest.raises(UserError, match="calibrate it first"):
        simulate(base, [])


# -- the real baselines ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cp_raw(sample_data: Path) -> MultiSectorBaseline:
    return baseline_from_caliendo_parro(read_caliendo_parro(sample_data / "caliendo_parro_2015"))


def test_cp2015_country_order_fits_the_data(cp_raw: MultiSectorBaseline) -> None:
    """The country labels are the paper's order: the data agree with well-known facts of 1993."""
    output = cp_raw.output.sum(axis=1)
    assert CP_COUNTRIES[int(np.argmax(output[:-1]))] == "USA"  # largest economy except the rest of the world
    flows = cp_raw.flows.sum(axis=2)
    np.fill_diagonal(flows, 0)
    for country in ("CAN", "MEX"):
        assert CP_COUNTRIES[int(np.argmax(flows[cp_raw.index(country)]))] == "USA"
    surplus = -cp_raw.deficit
    assert CP_COUNTRIES[int(np.argmax(surplus))] == "JPN"
    assert cp_raw.meta["tradable_sectors"] == 20
    assert cp_raw.shares[:, :, 20:].sum(axis=1) == pytest.approx(1.0)
    assert np.allclose(np.einsum("nnj->nj", cp_raw.shares[:, :, 20:]), 1.0)  # services are not traded


@pytest.fixture(scope="module")
def kite(sample_data: Path) -> MultiSectorBaseline:
    return calibrate(baseline_from_kite(read_kite(sample_data / "kite_wiod2014_initial_conditions")))


def test_kite_baseline(kite: MultiSectorBaseline) -> None:
    assert len(kite.countries) == 44
    assert len(kite.sectors) == 50
    assert {"CHN", "IND", "JPN", "KOR", "TWN", "USA", "ROW"} <= set(kite.countries)
    assert kite.sector_name("C17") == "computer, electronic and optical products"
    assert kite.theta[kite.sector_index("C17")] == pytest.approx(1.0, abs=1e-3)  # KITE's 1/theta, about 1
    assert kite.meta["calibration"]["largest_trade_share_change"] == 0.0  # shares kept
    assert 0 < kite.meta["calibration"]["largest_value_added_change_pct"] < 10


def test_china_stops_c17_exports_to_the_us(kite: MultiSectorBaseline) -> None:
    sim = simulate(
        kite, [TradeCost(prohibitive=True, exporters=("CHN",), importers=("USA",), sectors=("C17",))]
    )
    countries = sim.countries.set_index("country")
    assert "welfare_pct" not in countries.columns  # the first-order decomposition is undefined
    assert countries.at["USA", "real_income_pct"] < 0
    assert countries.at["CHN", "real_income_pct"] < 0
    assert countries.at["USA", "real_income_pct"] < countries.at["CHN", "real_income_pct"]
    assert np.isfinite(countries.at["IND", "real_income_pct"])
    # the flow stops; every other supplier of C17 gains in the US (trade diversion)
    us = sim.diversion(importer="USA", sector="C17").set_index("exporter")
    assert us.at["CHN", "trade_counterfactual"] == 0
    others = us.drop(index="CHN")
    assert (others["trade_change"] > 0).all()
    sectors = sim.sectors.set_index(["country", "sector"])
    assert sectors.at[("USA", "C17"), "price_change_pct"] > 0
    assert sectors.at[("USA", "C17"), "output_change_pct"] > 0
    assert sectors.at[("CHN", "C17"), "output_change_pct"] < 0
    eq = sim.equilibrium
    assert (eq.wage_hat * kite.value_added).sum() == pytest.approx(kite.value_added.sum(), rel=1e-12)
    assert sim.diagnostics["converged"].all()
    assert isinstance(sim.history, pd.DataFrame)
    assert len(sim.history) == sim.meta["iterations"] + kite.meta["calibration"]["iterations"]


def test_zero_shock_on_the_wiod_baseline(kite: MultiSectorBaseline) -> None:
    """A change that changes nothing (trade costs times 1) leaves WIOD-2014 at its baseline to 1e-10."""
    sim = simulate(kite, [TradeCost(factor=1.0, exporters=("CHN",), importers=("USA",), sectors=("C17",))])
    eq = sim.equilibrium
    assert sim.meta["iterations"] == 1
    for hat in (eq.wage_hat, eq.cost_hat, eq.price_hat):
        np.testing.assert_allclose(hat, 1.0, atol=1e-10)
    np.testing.assert_allclose(eq.output, kite.output, rtol=1e-10, atol=1e-12 * kite.output.max())
    assert sim.countries.drop(columns=["country", "income_baseline"]).abs().max().max() < 1e-8
