"""Published results that friendshore reproduces, runnable by users and by the test suite.

``REPRODUCTIONS`` is a static table: name, title, citation, kind and the function that computes
the checks (``"module:function"``, imported only when the reproduction runs, so that listing them
loads no model). Each function returns ``Check``s: ``ours`` computed in the run (never stored)
beside the ``published`` figure, with a tolerance and where the figure is printed (``compare``).

``kind`` is ``published`` when the figure was printed by a publication (a table, a page, a results
file); ``consistency`` when it is a check of our numbers against our own data (e.g. a share read
back from the file it was loaded from): ``friendshore reproduce --list`` shows only the former by
default. ``tests/published/`` runs the same functions.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from friendshore.analyses.reproductions.compare import Check
from friendshore.errors import unknown
from friendshore.settings import Settings
from friendshore.sources.catalogue import catalogue_source

__all__ = ["REPRODUCTIONS", "Entry", "Kind", "reproduction", "run_reproduction"]

Kind = Literal["published", "consistency"]

_GUIDE = catalogue_source("yotov-agtpa").citation
_GEGRAVITY_DOC = catalogue_source("gegravity-sample").citation


@dataclass(frozen=True)
class Entry:
    """One reproduction: what it is, who published it, and the function that computes it."""

    name: str
    title: str
    citation: str
    target: str  # "module:function", the function taking Settings and returning list[Check]
    kind: Kind = "published"

    def run(self, settings: Settings) -> list[Check]:
        module, _, function = self.target.partition(":")
        compute: Callable[[Settings], list[Check]] = getattr(importlib.import_module(module), function)
        return compute(settings)


REPRODUCTIONS: dict[str, Entry] = {
    entry.name: entry
    for entry in (
        Entry(
            "baci-world-shares",
            "Top exporters' world shares of critical materials, BACI 2024",
            "CEPII BACI HS17 V202601, 2024 (Gaulier & Zignago 2010); figures as checked in the sample "
            "data MANIFEST (permanent magnets, magnesium, tungsten, lithium carbonate)",
            "friendshore.analyses.reproductions.baci:baci_world_shares",
            kind="consistency",
        ),
        Entry(
            "yotov-ch1-app1",
            "Traditional gravity estimates: PPML and OLS with exporter-time and importer-time fixed effects",
            f"{_GUIDE}, chapter 1, application 1 (table 1), as re-estimated in the tradepolicy R package",
            "friendshore.analyses.reproductions.gravity:ch1_app1",
        ),
        Entry(
            "yotov-ch1-app2",
            'The "distance puzzle" resolved: distance elasticities by year (PPML, internal distance, home bias)',
            f"{_GUIDE}, chapter 1, application 2 (table 2), as re-estimated in the tradepolicy R package",
            "friendshore.analyses.reproductions.gravity:ch1_app2",
        ),
        Entry(
            "yotov-ch1-app3",
            "Regional trade agreement effects: pair fixed effects, lead, phasing-in, globalization",
            f"{_GUIDE}, chapter 1, application 3 (table 3), as re-estimated in the tradepolicy R package",
            "friendshore.analyses.reproductions.gravity:ch1_app3",
        ),
        Entry(
            "yotov-ch2-app1",
            "Trade without borders: full-endowment general equilibrium effects of removing international borders",
            f"{_GUIDE}, chapter 2, application 1 (TradeWithoutBorder.do, 1_TradeWithoutBorder_FULL.xls); sigma = 7",
            "friendshore.analyses.reproductions.gravity:ch2_app1",
        ),
        Entry(
            "yotov-ch2-app2",
            "Effects of NAFTA: trade costs from pair fixed effects (Anderson & Yotov two-stage), general equilibrium",
            f"{_GUIDE}, chapter 2, application 2 (RTAsEffects.do; table p. 116, 2_RTAsEffects_FULL.xls, as printed "
            "by the tradepolicy R package); sigma = 7; effects of NAFTA read as baseline vs the no-NAFTA counterfactual",
            "friendshore.analyses.reproductions.gravity:ch2_app2",
        ),
        Entry(
            "cp2015-nafta",
            "NAFTA's tariff reductions in a multi-sector model with input-output links: welfare and real wages",
            "Caliendo & Parro (2015), 'Estimates of the Trade and Welfare Effects of NAFTA', Review of Economic "
            "Studies 82(1), 1-44 (abstract; replication data); decomposition and real wages as replicated by the "
            "cp2015 R package (paulofelipe/cp2015)",
            "friendshore.analyses.reproductions.shocks:cp2015_nafta",
        ),
        Entry(
            "gegravity-sample",
            "gegravity's sample: PPML estimates and the CAN-JPN agreement example (gegravity's system)",
            f"{_GEGRAVITY_DOC} docstring example and examples/examples_OneSectorGE.py "
            "(peter-herman/gegravity); data: examples/sample_data_set.dlm",
            "friendshore.analyses.reproductions.gravity:gegravity_sample",
        ),
        Entry(
            "eto-chip-shares",
            "Country shares of the semiconductor supply chain (fabrication, ATP, design, EUV, wafers)",
            "Emerging Technology Observatory, Advanced Semiconductor Supply Chain Dataset (CSET 2021, "
            "'The Semiconductor Supply Chain: Assessing National Competitiveness', updated with SIA, WSTS "
            "and TechInsights data), georgetown-cset/eto-chip-explorer",
            "friendshore.analyses.reproductions.partners:eto_chip_shares",
            kind="consistency",
        ),
        Entry(
            "taiwan-ic-exports",
            "Taiwan's exports of integrated circuits (8542) to China: Taiwan's customs record beside BACI's",
            "Customs Administration, Ministry of Finance (Taiwan), trade statistics portal, exports of CCC "
            "8542 by destination, 2013-2024 (taiwan_customs_ic_exports); CEPII BACI HS07 V202601, China's "
            "imports from code 490. A gap is expected (origin vs destination, CIF vs FOB, re-exports); the "
            "tolerance is Taiwan's exports of 8542 to Hong Kong that year",
            "friendshore.analyses.reproductions.chips:taiwan_ic_exports",
            kind="consistency",
        ),
        Entry(
            "crm-main-suppliers",
            "Share of the main global supplier per critical material: EU CRM 2023 vs our global-supply term",
            "European Commission (2023), Study on the critical raw materials for the EU 2023, final report, "
            "DOI 10.2873/725585, Table A (as compiled in critical-materials-atlas derived_eucrm.json); ours: "
            "the same country's share of world production in BGS World Mineral Statistics, mean of 2016-2020.",
            "friendshore.analyses.reproductions.risk:crm_main_suppliers",
        ),
        Entry(
            "mineral-production-shares",
            "Leading producers' shares of world mine and refinery production (USGS MCS 2026, BGS WMS)",
            "U.S. Geological Survey (2026), Mineral Commodity Summaries 2026 data release (world production "
            "and Table 7); British Geological Survey, World Mineral Statistics",
            "friendshore.analyses.reproductions.risk:mineral_production_shares",
        ),
        Entry(
            "eu-crm-2023-sr",
            "Supply risk per material, EU CRM 2023: recomputed from the EU's published inputs (EU viewpoint)",
            "European Commission (2023), Study on the critical raw materials for the EU 2023, final report, "
            "DOI 10.2873/725585: supply risk (Annex 4, pp. 61-62), global supply and EU sourcing shares with "
            "the trade factor t (Appendix 7) as transcribed in erikemilsson/EU-Critical-Raw-Materials-CRM-"
            "Reports-Datasets; import reliance, EoL-RIR and SI(SR) as transcribed by meyerdata/CritMAT; "
            "governance: World Bank WGI 2021 (assumed)",
            "friendshore.analyses.reproductions.eu_crm:eu_crm_2023_sr",
        ),
    )
}


def reproduction(name: str) -> Entry:
    try:
        return REPRODUCTIONS[name]
    except KeyError:
        raise unknown("reproduction", name, sorted(REPRODUCTIONS)) from None


def run_reproduction(name: str, settings: Settings) -> list[Check]:
    return reproduction(name).run(settings)
