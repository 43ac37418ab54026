"""Reproductions for the critical-material supply-risk method (``friendshore.metrics.supply_risk``).

* ``crm-main-suppliers``: the "major global supplier" of each material in the EU's 2023 criticality
  assessment against the top producer of our global-supply term, for every material and stage the
  catalogue covers.
* ``mineral-production-shares``: leading producers' shares of world production as USGS and BGS
  publish them, through the same global-supply code path.

Both load the USGS and BGS sample files into a temporary warehouse, so they do not depend on what
the user's warehouse holds.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import ibis.expr.types as ir

from friendshore.metrics.supply_risk import global_supply
from friendshore.reporting.reproduce import Check
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source

__all__ = ["EU_CRM_2023_MAIN_SUPPLIERS", "PRODUCTION_SHARES"]

#: EU CRM 2023, Table A "major global supplier", for the materials and stages the catalogue covers:
#: (material, stage) -> (ISO3, published share, our comparison year). We understand the EU assessment
#: to average 2016-2020 (not confirmed from the report) and compare at 2020, or at the first year of
#: the only series there is (USGS gallium, 2024).
EU_CRM_2023_MAIN_SUPPLIERS: dict[tuple[str, str], tuple[str, float, int]] = {
    ("cobalt", "mining"): ("COD", 0.63, 2020),
    ("copper", "mining"): ("CHL", 0.28, 2020),
    ("graphite", "mining"): ("CHN", 0.67, 2020),
    ("nickel", "refining"): ("CHN", 0.33, 2020),
    ("gallium", "refining"): ("CHN", 0.94, 2024),
}

#: (material, stage, ISO3, year) -> (published share, tolerance, where it is published).
PRODUCTION_SHARES: dict[tuple[str, str, str, int], tuple[float, float, str]] = {
    ("rare-earths", "mining", "CHN", 2024): (
        0.71,
        0.005,
        "USGS MCS 2026 world production: 270,000 of 380,000 t REO (71%)",
    ),
    ("rare-earths", "mining", "CHN", 2025): (0.69, 0.005, "USGS MCS 2026 Table 7, leading producer 69%"),
    ("rare-earths", "mining", "CHN", 2021): (
        0.673,
        0.0005,
        "BGS World Mineral Statistics, rare earth oxides 2021 (67.3%)",
    ),
    ("cobalt", "mining", "COD", 2024): (
        0.75,
        0.005,
        "USGS MCS 2026 world production: 226,000 of 302,000 t Co (75%)",
    ),
    ("cobalt", "mining", "COD", 2025): (0.74, 0.005, "USGS MCS 2026 Table 7, leading producer 74%"),
    ("lithium", "mining", "AUS", 2024): (
        0.37,
        0.005,
        "USGS MCS 2026 world production: 82,700 of 222,000 t Li (37%)",
    ),
    ("lithium", "mining", "AUS", 2025): (0.32, 0.005, "USGS MCS 2026 Table 7, leading producer 32%"),
    ("gallium", "refining", "CHN", 2025): (1.00, 0.005, "USGS MCS 2026 Table 7, leading producer 100%"),
}


@contextmanager
def _production(settings: Settings) -> Iterator[ir.Table]:
    """``mineral_production`` of the USGS and BGS sample files, in a temporary warehouse."""
    sample = Path(settings.sample_data)
    with tempfile.TemporaryDirectory() as tmp:
        ingest_source(Path(tmp), "usgs-mcs", sample / "usgs_mcs2026_subset")
        ingest_source(
            Path(tmp), "bgs", sample / "bgs_world_mineral_statistics" / "bgs_wms_production_1970_2021.csv.gz"
        )
        con = connect(load_settings(home=tmp, sample_data=sample))
        yield con.table("mineral_production")


def _shares(production: ir.Table, material: str, stage: str, year: int) -> dict[str, object]:
    """Country -> share, plus the series used (``_source``, ``_commodity``, ``_year``)."""
    rows = global_supply(production, year=year, material=[material], stage=stage).to_pyarrow().to_pylist()  # type: ignore[arg-type]
    out: dict[str, object] = {str(r["country"]): r["share"] for r in rows if r["share"] is not None}
    if rows:
        out["_source"] = rows[0]["production_source"]
        out["_commodity"] = rows[0]["production_commodity"]
        out["_year"] = rows[0]["production_year"]
    return out


def _top(shares: dict[str, object]) -> tuple[str | None, float]:
    """The top producer by the one rule of ``metrics.rules.top_of`` (a tie to the later ISO3)."""
    from friendshore.metrics.rules import top_of

    countries = {k: float(v) for k, v in shares.items() if not k.startswith("_")}  # type: ignore[arg-type]
    return top_of(countries) or (None, float("nan"))


def _run(settings: Settings, body: Callable[[ir.Table], list[Check]]) -> list[Check]:
    with _production(settings) as production:
        return body(production)


def crm_main_suppliers(settings: Settings) -> list[Check]:
    def body(production: ir.Table) -> list[Check]:
        checks = []
        for (material, stage), (iso3, pct, year) in EU_CRM_2023_MAIN_SUPPLIERS.items():
            shares = _shares(production, material, stage, year)
            top, share = _top(shares)
            note = (
                f"EU 2023: {iso3} {pct:.0%}; ours: {top} {share:.1%} "
                f"({shares.get('_source')} '{shares.get('_commodity')}' {shares.get('_year')})"
            )
            checks.append(
                Check(
                    f"main_supplier.{material}.{stage}.{iso3}",
                    1.0,
                    1.0 if top == iso3 else 0.0,
                    0.0,
                    note,
                )
            )
        return checks

    return _run(settings, body)


def mineral_production_shares(settings: Settings) -> list[Check]:
    def body(production: ir.Table) -> list[Check]:
        checks = []
        for (material, stage, iso3, year), (published, tolerance, where) in PRODUCTION_SHARES.items():
            shares = _shares(production, material, stage, year)
            ours = shares.get(iso3)
            value = float(ours) if isinstance(ours, float) and shares.get("_year") == year else float("nan")
            checks.append(
                Check(
                    f"world_share.{material}.{stage}.{iso3}.{year}",
                    published,
                    round(value, 6),
                    tolerance,
                    f"{where}; ours from {shares.get('_source')} '{shares.get('_commodity')}'",
                )
            )
        return checks

    return _run(settings, body)
