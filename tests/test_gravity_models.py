"""Structural gravity models: hand-computed cases, properties, the US-China tariff, errors."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from friendshore.errors import ConvergenceError, SchemaError, UnknownCodeError, UserError
from friendshore.models.gravity import (
    GEBaseline,
    GravityConvergenceError,
    SetVariable,
    Tariff,
    build_baseline,
    counterfactual_costs,
    estimate_gravity,
    gravity_table,
    simulate,
)
from friendshore.models.gravity.estimate import _quiet_dependencies
from friendshore.models.gravity.solvers import (
    DIAGNOSTIC_COLUMNS,
    solve_full_endowment,
    solve_ppml_fixed_effects,
)
from friendshore.sources.gegravity_sample import read_gegravity_sample
from friendshore.sources.geodist import read_geodist_dyadic
from friendshore.sources.yotov import read_yotov_panel
from helpers import examples

YOTOV_COSTS = {"ln_dist": -0.791, "cntg": 0.674, "intl_brdr": -2.474}


def square(flows: np.ndarray, border: np.ndarray | None = None, codes: str = "ABCDEFGH") -> pd.DataFrame:
    """A bilateral table from an N x N matrix (exporters in rows), with an international-border dummy."""
    n = flows.shape[0]
    names = list(codes[:n])
    border = (1.0 - np.eye(n)) if border is None else border
    return pd.DataFrame(
        {
            "exporter": np.repeat(names, n),
            "importer": np.tile(names, n),
            "trade": flows.ravel(),
            "border": border.ravel(),
        }
    )


@pytest.fixture(scope="module")
def yotov(sample_data: Path) -> pd.DataFrame:
    return read_yotov_panel(sample_data / "yotov_agtpa" / "1_TradeWithoutBorder.dta")


@pytest.fixture(scope="module")
def yotov_baseline(yotov: pd.DataFrame) -> GEBaseline:
    return build_baseline(yotov, coefficients=YOTOV_COSTS, sigma=7.0, year=2006)


# --- hand-computed cases ---------------------------------------------------------------------


def test_two_symmetric_countries_removing_the_border_by_hand() -> None:
    """Symmetric countries: D = P'^(1-s)/P^(1-s) = lambda_ii + lambda_ij T'/T; with A's consumer price
    index as numeraire both factory-gate prices rise by D^(-1/(1-s)), which is also real GDP."""
    flows = np.array([[90.0, 10.0], [10.0, 90.0]])
    sigma, border = 5.0, -np.log(9.0)  # T_ij = 1/9: the table is exactly a gravity fit
    base = build_baseline(square(flows), coefficients={"border": border}, sigma=sigma, reference="A")
    np.testing.assert_allclose(base.flows, flows, rtol=1e-12)
    d = 0.9 + 0.1 * 9.0  # lambda_ii + lambda_ij * T'/T
    price = d ** (-1 / (1 - sigma))
    for method in ("exact", "geppml"):
        result = simulate(
            base, [SetVariable("border", 0.0)], method=method, tol=1e-12 if method == "geppml" else None
        )
        c = result.countries.set_index("country")
        np.testing.assert_allclose(c["factory_gate_price_change_pct"], (price - 1) * 100, rtol=1e-8)
        np.testing.assert_allclose(c["real_gdp_change_pct"], (price - 1) * 100, rtol=1e-8)
        np.testing.assert_allclose(c["imr_change_pct"], 0.0, atol=1e-8)
        pairs = result.pairs.set_index(["exporter", "importer"])
        assert pairs.at[("A", "A"), "trade_counterfactual"] == pytest.approx(90 * price / d, rel=1e-8)
        assert pairs.at[("A", "B"), "trade_counterfactual"] == pytest.approx(10 * 9 * price / d, rel=1e-8)


def test_ppml_fixed_effects_match_pyfixest(sample_data: Path) -> None:
    """The fixed-point solution of the PPML first-order conditions is pyfixest's fepois estimate."""
    import pyfixest as pf

    data = read_gegravity_sample(sample_data / "gegravity_sample" / "sample_data_set.dlm")
    data = data.assign(
        offset=-0.791 * data["ln_dist"] + 0.674 * data["contiguity"] - 2.474 * data["international"]
    )
    with _quiet_dependencies():
        fit = pf.fepois(
            "trade ~ 1 | exporter + importer",
            data=data,
            offset="offset",
            iwls_tol=1e-12,
            demeaner=pf.MapDemeaner(fixef_tol=1e-12),
        )
        fitted = np.asarray(fit.predict(type="response"))
    base = build_baseline(
        data.assign(year=2006),
        coefficients={"ln_dist": -0.791, "contiguity": 0.674, "international": -2.474},
        sigma=7.0,
        year=2006,
    )
    ours = base.pairs().set_index(["exporter", "importer"])["trade_baseline"]
    theirs = pd.Series(fitted, index=pd.MultiIndex.from_frame(data[["exporter", "importer"]]))
    np.testing.assert_allclose(ours.loc[theirs.index].to_numpy(), theirs.to_numpy(), rtol=1e-8)


def test_fixed_effects_kernel_normalises_the_reference_importer() -> None:
    rng = np.random.default_rng(3)
    cost = rng.uniform(0.1, 1.0, (5, 5))
    flows = rng.uniform(1, 10, (5, 5))
    fe = solve_ppml_fixed_effects(cost, output=flows.sum(1), expenditure=flows.sum(0), reference=2)
    assert fe.exp_chi[2] == 1.0
    np.testing.assert_allclose(fe.fitted.sum(1), flows.sum(1), rtol=1e-10)
    np.testing.assert_allclose(fe.fitted.sum(0), flows.sum(0), rtol=1e-10)


# --- properties ------------------------------------------------------------------------------


def test_a_zero_shock_leaves_the_baseline_unchanged(yotov_baseline: GEBaseline) -> None:
    same = [SetVariable("intl_brdr", 1.0)]  # international pairs already have intl_brdr = 1
    for method in ("exact", "geppml"):
        result = simulate(yotov_baseline, same, method=method)
        numbers = result.countries.drop(columns=["country", "output_baseline", "exports_baseline"])
        np.testing.assert_allclose(numbers.to_numpy(), 0.0, atol=1e-8)
        np.testing.assert_allclose(
            result.pairs["trade_counterfactual"], result.pairs["trade_baseline"], rtol=1e-10
        )


def test_invariant_to_row_order_and_to_the_currency_unit(
    yotov: pd.DataFrame, yotov_baseline: GEBaseline
) -> None:
    change = [Tariff(0.25, exporters=("CHN",), importers=("USA",))]
    reference = simulate(yotov_baseline, change).countries
    shuffled = yotov.sample(frac=1.0, random_state=1).assign(trade=yotov["trade"] * 1000.0)
    other = simulate(
        build_baseline(shuffled, coefficients=YOTOV_COSTS, sigma=7.0, year=2006), change
    ).countries
    pct = [c for c in reference.columns if c.endswith("_pct")]
    np.testing.assert_allclose(other[pct].to_numpy(), reference[pct].to_numpy(), atol=1e-8)
    np.testing.assert_allclose(other["output_baseline"], reference["output_baseline"] * 1000.0, rtol=1e-12)


@settings(max_examples=examples(25), deadline=None)
@given(
    st.lists(st.floats(0.0, 50.0), min_size=16, max_size=16),
    st.floats(0.5, 30.0),
    st.floats(-3.0, 3.0),
    st.floats(1.5, 12.0),
)
def test_exact_solution_is_an_equilibrium_with_positive_prices(
    foreign: list[float], home: float, border_change: float, sigma: float
) -> None:
    flows = np.array(foreign).reshape(4, 4)
    np.fill_diagonal(flows, home * 10.0)
    base = build_baseline(square(flows), coefficients={"border": 1.0}, sigma=sigma, reference="A")
    result = simulate(base, [SetVariable("border", border_change, exporters=("B", "C"))])
    c = result.countries
    assert (c["factory_gate_price_change_pct"] > -100).all()
    assert (c["real_gdp_change_pct"] > -100).all()
    price = 1 + c["factory_gate_price_change_pct"].to_numpy() / 100
    new = result.pairs["trade_counterfactual"].to_numpy().reshape(4, 4)
    np.testing.assert_allclose(new.sum(axis=1), price * base.output, rtol=1e-8)
    assert new.sum() == pytest.approx((price * base.output).sum(), rel=1e-10)


# --- the US-China tariff -------------------------------------------------------------------


def test_us_tariff_on_china_diverts_us_imports_to_india(yotov_baseline: GEBaseline) -> None:
    assert {"CHN", "IND", "USA"} <= set(yotov_baseline.countries)
    change = [Tariff(0.25, exporters=("CHN",), importers=("USA",))]
    for method in ("exact", "geppml"):
        result = simulate(yotov_baseline, change, method=method)
        pairs = result.pairs.set_index(["exporter", "importer"])
        assert pairs.at[("IND", "USA"), "trade_change_pct"] > 0
        # the tariffed flow falls by about 1.25^(1-sigma) - 1 = -74 % before GE adjustments
        assert -80 < pairs.at[("CHN", "USA"), "trade_change_pct"] < -65
        assert pairs.at[("CHN", "USA"), "cost_change_pct"] == pytest.approx(25.0)
        diversion = result.diversion("USA")
        assert diversion["exporter"].iloc[-1] == "CHN"  # the largest loser
        gainers = set(diversion.loc[diversion["trade_change"] > 0, "exporter"])
        assert {"IND", "MEX", "JPN"} <= gainers
        c = result.countries.set_index("country")
        assert c.at["CHN", "factory_gate_price_change_pct"] < 0 < c.at["IND", "exports_change_pct"]


def test_tariff_elasticity_and_symmetry(yotov_baseline: GEBaseline) -> None:
    base_cost = yotov_baseline.cost
    i, j = yotov_baseline.index("CHN"), yotov_baseline.index("USA")
    one_way = counterfactual_costs(yotov_baseline, [Tariff(0.1, exporters=("CHN",), importers=("USA",))])
    assert one_way[i, j] / base_cost[i, j] == pytest.approx(1.1**-6)
    assert one_way[j, i] == base_cost[j, i]
    both = counterfactual_costs(
        yotov_baseline, [Tariff(0.1, exporters=("CHN",), importers=("USA",), symmetric=True, elasticity=4.0)]
    )
    assert both[j, i] / base_cost[j, i] == pytest.approx(1.1**-4)
    everyone = counterfactual_costs(yotov_baseline, [SetVariable("intl_brdr", 0.0)])
    np.testing.assert_allclose(np.diag(everyone), np.diag(base_cost))


# --- results API ---------------------------------------------------------------------------


def test_results_tables(yotov_baseline: GEBaseline) -> None:
    result = simulate(yotov_baseline, [SetVariable("intl_brdr", 0.0)])
    assert len(result.countries) == 69
    assert len(result.pairs) == 69 * 69
    assert list(result.diagnostics.columns) == list(DIAGNOSTIC_COLUMNS)
    assert result.diagnostics["converged"].all()
    tidy = result.tidy()
    assert set(tidy.columns) == {"country", "measure", "value"}
    assert len(tidy) == 69 * (len(result.countries.columns) - 1)
    assert result.country("CAN")["real_gdp_change_pct"] > 0
    assert result.meta["method"] == "exact"
    assert result.meta["changes"][0]["variable"] == "intl_brdr"
    with pytest.raises(UnknownCodeError):
        result.country("XXX")


# --- errors ---------------------------------------------------------------------------------


def test_a_baseline_without_domestic_trade_is_refused(sample_data: Path) -> None:
    """BACI has no flows from a country to itself: general equilibrium needs them."""
    baci = pd.read_parquet(
        sample_data / "baci_critical_materials" / "baci_hs17_v202601_2024_critical31.parquet"
    )
    pairs = baci.groupby(["exporter", "importer"], as_index=False)["value_kusd"].sum()
    assert not (pairs["exporter"] == pairs["importer"]).any()
    with pytest.raises(UserError, match=r"no domestic \(intra-national\) trade.*exporter == importer"):
        build_baseline(
            pairs.assign(one=1.0), coefficients={"one": 0.0}, sigma=5.0, reference="USA", trade="value_kusd"
        )


def test_baci_pairs_with_geodist_estimate_but_cannot_simulate(sample_data: Path) -> None:
    """BACI 2024 critical materials summed to pairs + CEPII GeoDist: PPML works, GE needs domestic sales."""
    geography = read_geodist_dyadic(sample_data / "cepii_geodist" / "dist_cepii.csv")
    baci = pd.read_parquet(
        sample_data / "baci_critical_materials" / "baci_hs17_v202601_2024_critical31.parquet"
    )
    with pytest.raises(UserError, match=r"GeoDist has no distance for \d+ pairs \(countries ASM"):
        gravity_table(baci, geography)
    known = set(geography.column("origin").to_pylist())
    table = gravity_table(baci.loc[baci["exporter"].isin(known) & baci["importer"].isin(known)], geography)
    assert table["trade"].sum() == pytest.approx(
        baci.loc[baci["exporter"].isin(known) & baci["importer"].isin(known), "value_kusd"].sum()
    )
    assert (table["intl_brdr"] == 1).all()
    fit = estimate_gravity(
        table, "trade ~ ln_dist + cntg + lang + clny | exporter + importer", vcov="hetero", cluster=None
    )
    assert -1.2 < fit.coef("ln_dist") < -0.4
    assert fit.nobs_dropped > 0  # exporters that never sell to some partner are separated
    with pytest.raises(UserError, match="no domestic"):
        build_baseline(table, coefficients=fit.coefficients, sigma=5.0, reference="USA")


@pytest.mark.parametrize(
    ("mutate", "kwargs", "error", "match"),
    [
        (lambda d: d.drop(index=1), {}, UserError, "not square"),
        (lambda d: pd.concat([d, d.iloc[[3]]]), {}, UserError, "more than once"),
        (lambda d: d.drop(columns="border"), {}, SchemaError, "no column 'border'"),
        (lambda d: d.assign(trade=-d["trade"]), {}, UserError, "domestic"),
        (lambda d: d, {"sigma": 1.0}, UserError, "sigma"),
        (lambda d: d, {"reference": "ZZZ"}, UnknownCodeError, "reference country 'ZZZ'"),
        (lambda d: pd.concat([d.assign(year=1), d.assign(year=2)]), {}, UserError, "pass year="),
    ],
)
def test_bad_baselines_say_what_is_wrong(mutate, kwargs, error, match) -> None:  # type: ignore[no-untyped-def]
    data = mutate(square(np.array([[5.0, 1.0, 1.0], [1.0, 5.0, 1.0], [1.0, 1.0, 5.0]])))
    options = {"coefficients": {"border": -1.0}, "sigma": 5.0, "reference": "A", **kwargs}
    with pytest.raises(error, match=match):
        build_baseline(data, **options)


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        (SetVariable("rta", 1.0), UserError, "'rta' is not a cost variable"),
        (Tariff(0.1, exporters=("XXX",)), UnknownCodeError, "country 'XXX'"),
        (Tariff(-1.0), UserError, "above -1"),
        (SetVariable("intl_brdr", 0.0, exporters=("USA",), importers=("USA",)), UserError, "selects no pair"),
    ],
)
def test_bad_changes_say_what_is_wrong(yotov_baseline: GEBaseline, change, error, match) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error, match=match):
        simulate(yotov_baseline, [change])


def test_bad_options_are_refused(yotov_baseline: GEBaseline) -> None:
    change = [SetVariable("intl_brdr", 0.0)]
    with pytest.raises(UserError, match="method"):
        simulate(yotov_baseline, change, method="newton")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="no gegravity variant"):
        simulate(yotov_baseline, change, method="geppml", market_clearing="gegravity")
    with pytest.raises(UserError, match="no counterfactual"):
        simulate(yotov_baseline, [])


def test_non_convergence_raises_with_diagnostics_never_nan(yotov_baseline: GEBaseline) -> None:
    change = [SetVariable("intl_brdr", 0.0)]
    with pytest.raises(GravityConvergenceError, match="stopping rule") as caught:
        simulate(yotov_baseline, change, method="geppml", max_iter=2)
    assert isinstance(caught.value, ConvergenceError)
    table = caught.value.diagnostics
    assert list(table.columns) == list(DIAGNOSTIC_COLUMNS)
    assert not table["converged"].iloc[-1]
    with pytest.raises(
        GravityConvergenceError, match="full-endowment equilibrium did not converge"
    ) as caught:
        solve_full_endowment(
            yotov_baseline.flows,
            counterfactual_costs(yotov_baseline, change) / yotov_baseline.cost,
            sigma=7.0,
            reference=yotov_baseline.reference_index,
            tol=1e-30,  # below floating-point precision: no method can reach it
            max_iter=2,
        )
    assert caught.value.diagnostics["residual"].iloc[0] > 1e-30
    assert "Levenberg-Marquardt" in caught.value.diagnostics["method"].iloc[0]


def test_estimate_gravity_errors_name_the_field(yotov: pd.DataFrame) -> None:
    with pytest.raises(SchemaError) as missing:
        estimate_gravity(yotov, "trade ~ ln_dist + wto | exporter + importer", cluster=None, vcov="hetero")
    assert missing.value.field == "wto"
    with pytest.raises(UserError, match="estimator"):
        estimate_gravity(yotov, "trade ~ ln_dist | exporter", estimator="gmm")  # type: ignore[arg-type]
    with pytest.raises(UserError, match="no '~'"):
        estimate_gravity(yotov, "trade ln_dist", vcov="hetero", cluster=None)


def test_estimates_table(yotov: pd.DataFrame) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        fit = estimate_gravity(
            yotov, "trade ~ ln_dist + cntg + intl_brdr | exporter + importer", vcov="hetero", cluster=None
        )
    table = fit.tidy()
    assert list(table.columns) == [
        "term",
        "estimate",
        "std_error",
        "statistic",
        "p_value",
        "ci_low",
        "ci_high",
    ]
    assert fit.coef("intl_brdr") == pytest.approx(-2.47445, abs=1e-5)
    assert (table["ci_low"] < table["estimate"]).all()
    assert fit.nobs == 4761
    assert fit.nobs_dropped == 0
    with pytest.raises(UserError, match="no term 'rta'"):
        fit.coef("rta")
