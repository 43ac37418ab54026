r"""Supply risk of critical materials from any importer's point of view: the EU CRM method
(Blengini et al. 2017, generalised to any country or group, per stage, with an alignment variant)
and the GeoPolRisk method (Gemechu et al. 2015; Santillán-Saldivar et al. 2021; Koyamparambath et
al. 2024).

``SR = [HHI_WGI(global supply) * IR/2 + HHI_WGI(sourcing) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR``.
The formulas, the WGI rescaling, the year and unit rules, what is not confirmed from the JRC's text,
and hand-worked examples: docs/methods/supply-risk.md. Ibis in, Ibis out (DuckDB and Spark).

Modules, along the method's seams: ``global_supply`` (world production shares), ``sourcing`` (the
importer's suppliers and import reliance, units reconciled), ``scoring`` (governance scores, the
weighted HHI, the EU score), ``geopolrisk`` (the GeoPolRisk score and characterisation factor).
"""

from __future__ import annotations

from friendshore.metrics.parameters import DEFAULT_SR_PARAMS as DEFAULT_PARAMS
from friendshore.metrics.parameters import DEFAULT_SR_THRESHOLDS as DEFAULT_THRESHOLDS
from friendshore.metrics.parameters import CriticalityThresholds, SupplyRiskParams
from friendshore.metrics.supply_risk.geopolrisk import (
    geopolrisk,
    geopolrisk_inputs,
    geopolrisk_score,
    hhi_normalised,
    import_risk,
    political_instability,
    political_scores,
)
from friendshore.metrics.supply_risk.global_supply import global_supply
from friendshore.metrics.supply_risk.scoring import (
    SUPPLY_RISK_COLUMNS,
    alignment_scores,
    calc_supply_risk,
    hhi_weighted,
    supply_risk,
    wgi_scores,
)
from friendshore.metrics.supply_risk.sourcing import importer_sourcing

__all__ = [
    "DEFAULT_PARAMS",
    "DEFAULT_THRESHOLDS",
    "SUPPLY_RISK_COLUMNS",
    "CriticalityThresholds",
    "SupplyRiskParams",
    "alignment_scores",
    "calc_supply_risk",
    "geopolrisk",
    "geopolrisk_inputs",
    "geopolrisk_score",
    "global_supply",
    "hhi_normalised",
    "hhi_weighted",
    "import_risk",
    "importer_sourcing",
    "political_instability",
    "political_scores",
    "supply_risk",
    "wgi_scores",
]
