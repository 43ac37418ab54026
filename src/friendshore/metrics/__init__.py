"""Metrics: pure functions from Ibis tables to Ibis tables, the same on DuckDB and Spark."""

from friendshore.metrics.dependence import (
    EcThresholds,
    chokepoint_exposure,
    chokepoints,
    dependence_screen,
    dependence_trends,
    flag_churn,
    import_dependence,
    summarise_by,
)

__all__ = [
    "EcThresholds",
    "chokepoint_exposure",
    "chokepoints",
    "dependence_screen",
    "dependence_trends",
    "flag_churn",
    "import_dependence",
    "summarise_by",
]
