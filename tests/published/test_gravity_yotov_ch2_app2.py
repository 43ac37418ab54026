"""Published check: Yotov et al. (2016) chapter 2, application 2 (the effects of NAFTA).

Trade costs from pair fixed effects (Anderson & Yotov's two-stage procedure) must give the guide's
Stata estimates, and the GEPPML counterfactual (NAFTA removed, read backwards as the guide reports
it) the guide's table within 0.05 percentage points; the scenario file gives the same numbers.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.analyses.reproductions import Check, run_reproduction
from friendshore.models.examples import example_path
from friendshore.models.gravity.scenario import load_scenario, run_scenario
from friendshore.settings import load_settings

pytestmark = pytest.mark.published

SCENARIO = example_path("gravity", "nafta_pair_costs")


@pytest.fixture(scope="module")
def checks(sample_data: Path) -> dict[str, Check]:
    return {c.quantity: c for c in run_reproduction("yotov-ch2-app2", load_settings(sample_data=sample_data))}


def test_every_check_passes(checks: dict[str, Check]) -> None:
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["stage1.rta"].published == pytest.approx(0.5571853)
    assert checks["stage1.rta"].ours == pytest.approx(0.5571853, abs=1e-6)
    assert checks["stage2.ln_dist"].ours == pytest.approx(-0.8475027, abs=1e-6)
    assert len([q for q in checks if q.startswith("change_rgdp_full.")]) == 69
    assert checks["change_rgdp_full.MEX"].published == 3.81


def test_the_scenario_file_gives_the_same_numbers(sample_data: Path, checks: dict[str, Check]) -> None:
    spec = load_scenario(SCENARIO)
    run = run_scenario(spec, scenario_dir=SCENARIO.parent, sample_data=sample_data, scenario_file=SCENARIO)
    assert run.pair_costs is not None
    assert run.pair_costs.filled == 14  # 7 pairs that never trade, both directions
    countries = run.simulation.countries.set_index("country")
    for country in ("CAN", "MEX", "USA"):
        assert countries.at[country, "real_gdp_change_pct"] == pytest.approx(
            checks[f"change_rgdp_full.{country}"].ours, abs=1e-9
        )
        assert countries.at[country, "exports_change_pct"] == pytest.approx(
            checks[f"change_xi_full.{country}"].ours, abs=1e-9
        )
    # read backwards: NAFTA raised its members' real GDP; removing it (the experiment run) lowers it
    assert (countries.loc[["CAN", "MEX", "USA"], "real_gdp_change_pct"] > 0).all()
    assert run.simulation.meta["report"] == "baseline_vs_counterfactual"
