"""Multi-sector reproductions: Caliendo & Parro (2015), NAFTA's tariff reductions.

``ours`` is computed in the run from the paper's replication data in ``settings.sample_data``:
the 1993 baseline rebalanced to zero deficits, tariffs among Canada, Mexico and the US set to
their 2005 levels (every other tariff at 1993), the equilibrium solved, welfare decomposed as the
paper does. Published figures: ``analyses/reproductions/published/cp2015-nafta.csv`` (with their sources).
"""

from __future__ import annotations

from pathlib import Path

from friendshore.analyses.reproductions.compare import Check, compare
from friendshore.models.multisector import Tariff, baseline_from_caliendo_parro, calibrate, simulate
from friendshore.settings import Settings
from friendshore.sources.caliendo_parro import read_caliendo_parro

__all__: list[str] = []

NAFTA = ("CAN", "MEX", "USA")


def cp2015_nafta(settings: Settings) -> list[Check]:
    raw = baseline_from_caliendo_parro(
        read_caliendo_parro(Path(settings.sample_data) / "caliendo_parro_2015")
    )
    baseline = calibrate(raw, deficits="zero")
    result = simulate(baseline, [Tariff(to="cp2015-2005", exporters=NAFTA, importers=NAFTA)])
    ours: dict[str, float] = {}
    for row in result.countries.to_dict("records"):
        for measure in ("welfare_pct", "tot_pct", "vot_pct", "real_income_pct", "real_wage_pct"):
            ours[f"{measure}.{row['country']}"] = float(row[measure])
    return compare("cp2015-nafta", ours)
