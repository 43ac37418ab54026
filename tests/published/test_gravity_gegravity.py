"""Reference check against USITC gegravity 0.3 (a test-only dependency) on its own sample data."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from friendshore.analyses.reproductions import run_reproduction
from friendshore.models.gravity import GEBaseline, SetVariable, build_baseline, simulate
from friendshore.settings import load_settings
from friendshore.sources.gegravity_sample import read_gegravity_sample

pytestmark = pytest.mark.published

COSTS = {"ln_dist": -0.791, "contiguity": 0.674, "international": -2.474}


@pytest.fixture(scope="module")
def sample(sample_data: Path) -> Path:
    return sample_data / "gegravity_sample" / "sample_data_set.dlm"


@pytest.fixture(scope="module")
def gegravity_model(sample: Path) -> Any:
    """Borders removed on the sample by gegravity, its solvers at tolerance 1e-12 (gegravity is a pinned
    dev dependency: without it the test fails, it is not skipped)."""
    import gegravity as ge

    data = pd.read_csv(sample).rename(columns={"lndist": "ln_dist"})
    data["year"] = data["year"].astype(str)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        baseline = ge.BaselineData(
            data,
            imp_var_name="importer",
            exp_var_name="exporter",
            year_var_name="year",
            trade_var_name="trade",
            expend_var_name="E",
            output_var_name="Y",
        )
        estimates = pd.DataFrame({"var": list(COSTS), "beta": list(COSTS.values()), "se": 0.0})
        coeffs = ge.CostCoeffs(estimates=estimates, identifier_col="var", coeff_col="beta", stderr_col="se")
        model = ge.OneSectorGE(
            baseline,
            year="2006",
            cost_coeff_values=coeffs,
            cost_variables=list(COSTS),
            reference_importer="DEU",
            sigma=7,
            quiet=True,
        )
        model.build_baseline(omr_rescale=1000, mr_tolerance=1e-12, mr_max_iter=100_000)
        experiment = model.baseline_data.copy()
        experiment["international"] = 0
        model.define_experiment(experiment)
        model.simulate(ge_tolerance=1e-12, ge_max_iter=100_000)
    return model


@pytest.fixture(scope="module")
def baseline(sample: Path) -> GEBaseline:
    return build_baseline(
        read_gegravity_sample(sample),
        coefficients=COSTS,
        sigma=7.0,
        reference="DEU",
        output="output",
        expenditure="expenditure",
        year=2006,
    )


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [
        ("factory_gate_price_change_pct", "factory gate price change (percent)"),
        ("real_gdp_change_pct", "GDP change (percent)"),
        ("imr_change_pct", "imr change (percent)"),
        ("output_change_pct", "output change (percent)"),
        ("exports_change_pct", "foreign exports change (percent)"),
        ("imports_change_pct", "foreign imports change (percent)"),
        ("domestic_trade_change_pct", "intranational trade change (percent)"),
    ],
)
def test_same_system_agrees_with_gegravity_to_1e6(
    baseline: GEBaseline, gegravity_model: Any, ours: str, theirs: str
) -> None:
    result = simulate(baseline, [SetVariable("international", 0.0)], market_clearing="gegravity")
    mine = result.countries.set_index("country")[ours]
    reference = gegravity_model.country_results[theirs]
    assert list(mine.index) == list(reference.index)
    assert (mine - reference).abs().max() < 1e-6


def test_bilateral_trade_agrees_with_gegravity(baseline: GEBaseline, gegravity_model: Any) -> None:
    result = simulate(baseline, [SetVariable("international", 0.0)], market_clearing="gegravity")
    theirs = gegravity_model.bilateral_trade_results.reset_index()
    both = result.pairs.merge(theirs, on=["exporter", "importer"], validate="one_to_one")
    assert len(both) == 900
    np.testing.assert_allclose(both["trade_baseline"], both["baseline modeled trade"], rtol=1e-9)
    assert (both["trade_change_pct"] - both["trade change (percent)"]).abs().max() < 1e-6


def test_default_system_shares_baseline_and_conditional_equilibrium(
    baseline: GEBaseline, gegravity_model: Any
) -> None:
    """Baseline and conditional GE are the same model in both tools; only full endowment differs."""
    mr = gegravity_model.country_mr_terms
    ours = baseline.to_frame().set_index("country")
    np.testing.assert_allclose(ours["inward_resistance"], mr["baseline imr"], rtol=1e-9)
    result = simulate(baseline, [SetVariable("international", 0.0)]).countries.set_index("country")
    conditional = (mr["conditional imr"] / mr["baseline imr"] - 1) * 100
    assert (result["imr_change_conditional_pct"] - conditional).abs().max() < 1e-6
    # the guide's system moves expenditure with income; gegravity's keeps baseline shares
    gap = (result["real_gdp_change_pct"] - gegravity_model.country_results["GDP change (percent)"]).abs()
    assert 0.01 < gap.median() < 5


def test_reproduction_of_gegravitys_documented_example(sample_data: Path) -> None:
    checks = run_reproduction("gegravity-sample", load_settings(sample_data=sample_data))
    assert len(checks) >= 50
    off = [c for c in checks if not c.ok]
    assert not off, off
    names = {c.quantity for c in checks}
    assert {
        "ppml.ln_dist",
        "real_gdp_change_pct.CAN",
        "trade_change_pct.AUS.CAN",
        "baseline_imr.AUS",
    } <= names
