"""Multi-sector reproductions: Caliendo & Parro (2015), NAFTA's tariff reductions.

``ours`` is computed in the run from the paper's replication data in ``settings.sample_data``:
the 1993 baseline rebalanced to zero deficits, tariffs among Canada, Mexico and the US set to
their 2005 levels (every other tariff at 1993), the equilibrium solved, welfare decomposed as the
paper does. Published figures: ``reporting/published/cp2015_nafta.csv`` (with their sources).
"""

from __future__ import annotations

from pathlib import Path

from friendshore.models.multisector import Tariff, baseline_from_caliendo_parro, calibrate, simulate
from friendshore.reporting.published import read_published
from friendshore.reporting.reproduce import Check
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
    countries = result.countries.set_index("country")
    checks = []
    for quantity, published, tolerance, source in read_published("cp2015_nafta"):
        column, _, country = quantity.partition(".")
        value = countries.at[country, column]
        checks.append(Check(quantity, published, float(value), tolerance, source))  # type: ignore[arg-type]
    return checks
