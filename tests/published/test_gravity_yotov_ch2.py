"""Published check: Yotov et al. (2016) chapter 2, application 1 ("trade without borders").

GEPPML must give the published full-endowment real-GDP and price changes within 0.05 percentage
points; the exact solver reports its distance from them and never returns an impossible value.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from friendshore.analyses.reproductions import run_reproduction
from friendshore.interfaces.cli import run
from friendshore.models.gravity import (
    GEBaseline,
    GESimulation,
    SetVariable,
    build_baseline,
    estimate_gravity,
    simulate,
)
from friendshore.settings import load_settings
from friendshore.sources.yotov import read_yotov_ge_results, read_yotov_panel

pytestmark = pytest.mark.published

BORDERS = [SetVariable("intl_brdr", 0.0)]


@pytest.fixture(scope="module")
def published(sample_data: Path) -> pd.DataFrame:
    path = sample_data / "yotov_agtpa" / "results" / "1_TradeWithoutBorder_FULL.xls"
    return read_yotov_ge_results(path).set_index("country")


@pytest.fixture(scope="module")
def baseline(sample_data: Path) -> GEBaseline:
    data = read_yotov_panel(sample_data / "yotov_agtpa" / "1_TradeWithoutBorder.dta")
    fit = estimate_gravity(
        data, "trade ~ ln_dist + cntg + intl_brdr | exporter + importer", vcov="hetero", cluster=None
    )
    return build_baseline(data, coefficients=fit.coefficients, sigma=7.0, reference="DEU", year=2006)


@pytest.fixture(scope="module")
def geppml(baseline: GEBaseline) -> GESimulation:
    return simulate(baseline, BORDERS, method="geppml")


@pytest.fixture(scope="module")
def exact(baseline: GEBaseline) -> GESimulation:
    return simulate(baseline, BORDERS)


def test_coefficients_are_the_guides(baseline: GEBaseline) -> None:
    assert baseline.coefficients == pytest.approx(
        {"ln_dist": -0.7912879, "cntg": 0.6736456, "intl_brdr": -2.47445}, abs=1e-6
    )
    assert len(baseline.countries) == 69


@pytest.mark.parametrize(
    ("ours", "theirs"),
    [("real_gdp_change_pct", "change_rgdp_full"), ("factory_gate_price_change_pct", "change_price_full")],
)
def test_geppml_within_005_points_for_every_country(
    geppml: GESimulation, published: pd.DataFrame, ours: str, theirs: str
) -> None:
    result = geppml.countries.set_index("country")
    assert list(result.index) == list(published.index)
    gap = (result[ours] - published[theirs]).abs()
    assert gap.max() < 0.05, gap.idxmax()


def test_geppml_other_published_columns(geppml: GESimulation, published: pd.DataFrame) -> None:
    result = geppml.countries.set_index("country")
    assert (result["imr_change_pct"] - published["change_imr_full"]).abs().max() < 0.05
    assert (result["exports_change_pct"] - published["change_xi_full"]).abs().max() < 0.05
    # the conditional equilibrium has no stopping rule: it is exact
    assert (result["exports_change_conditional_pct"] - published["change_xi_cdl"]).abs().max() < 1e-6


def test_geppml_applies_the_guides_stopping_rule(geppml: GESimulation) -> None:
    rules = geppml.diagnostics.loc[geppml.diagnostics["stage"].str.startswith("GEPPML stopping rule")]
    assert len(rules) >= 2
    assert not rules["converged"].iloc[:-1].any()
    assert rules["converged"].iloc[-1]
    assert rules["residual"].iloc[-1] < 0.01 <= rules["residual"].iloc[-2]


def test_exact_solution_is_possible_on_this_case(exact: GESimulation) -> None:
    """gegravity 0.3 returns negative prices (real GDP -277 % for NPL) here; ours cannot."""
    countries = exact.countries.set_index("country")
    assert (countries["factory_gate_price_change_pct"] > -100).all()
    assert (countries["real_gdp_change_pct"] > -100).all()
    assert np.isfinite(exact.pairs.select_dtypes("number").to_numpy()).all()
    assert countries.loc[["NPL", "NER", "MWI"], "real_gdp_change_pct"].gt(0).all()
    full = exact.diagnostics.set_index("stage").loc["full endowment"]
    assert full["converged"]
    assert full["residual"] < 1e-10


def test_exact_solution_clears_every_market(baseline: GEBaseline, exact: GESimulation) -> None:
    countries = exact.countries.set_index("country").loc[list(baseline.countries)]
    price = 1 + countries["factory_gate_price_change_pct"].to_numpy() / 100
    n = len(baseline.countries)
    flows = exact.pairs["trade_counterfactual"].to_numpy().reshape(n, n)
    output = price * baseline.output
    np.testing.assert_allclose(flows.sum(axis=1), output, rtol=1e-9)
    # expenditure stays proportional to income, scaled to world output (Walras' law)
    spending = flows.sum(axis=0)
    assert spending.sum() == pytest.approx(output.sum(), rel=1e-12)
    ratio = spending / (baseline.expenditure / baseline.output * output)
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)


def test_exact_gap_to_published_is_reported(
    sample_data: Path, exact: GESimulation, published: pd.DataFrame
) -> None:
    checks = {
        c.quantity: c for c in run_reproduction("yotov-ch2-app1", load_settings(sample_data=sample_data))
    }
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert len([q for q in checks if q.startswith("rgdp_full_pct.")]) == 69
    assert len([q for q in checks if q.startswith("price_full_pct.")]) == 69
    gap = (exact.countries.set_index("country")["real_gdp_change_pct"] - published["change_rgdp_full"]).abs()
    assert checks["exact.change_rgdp_full_pct.median_gap"].ours == pytest.approx(gap.median())
    assert checks["exact.change_rgdp_full_pct.largest_gap"].ours == pytest.approx(gap.max())
    assert checks["rgdp_full_pct.CAN"].published == pytest.approx(published.at["CAN", "change_rgdp_full"])


def test_cli_reproduce_json(
    sample_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))
    assert run(["reproduce", "yotov-ch2-app1", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["quantity"] for r in rows} >= {"ppml.ln_dist", "rgdp_full_pct.CAN", "price_full_pct.CAN"}
    assert all(r["ok"] for r in rows)
