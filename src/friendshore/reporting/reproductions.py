"""The registered reproductions (one function each). Add new ones here or import their module."""

from __future__ import annotations

import tempfile
from pathlib import Path

from friendshore.metrics.dependence import chokepoints
from friendshore.reporting.reproduce import Check
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest_baci import ingest_baci

__all__: list[str] = []

_BACI_SHARES = {
    # hs6: (exporter, published share) — MANIFEST of baci_critical_materials, BACI HS17 V202601, 2024
    "850511": ("CHN", 0.627),
    "810411": ("CHN", 0.715),
    "810194": ("CHN", 0.618),
    "283691": ("CHL", 0.745),
}


def baci_world_shares(settings: Settings) -> list[Check]:
    csv = Path(settings.sample_data) / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv"
    with tempfile.TemporaryDirectory() as tmp:
        ingest_baci(Path(tmp), [csv])
        trade = connect(load_settings(home=tmp, sample_data=settings.sample_data)).table("trade")
        table = chokepoints(trade, year=2024, hs6=list(_BACI_SHARES)).to_pandas().set_index("hs6")
    checks = []
    for hs6, (exporter, published) in _BACI_SHARES.items():
        row = table.loc[hs6]
        ours = float(row.top_share) if row.top_exporter == exporter else float("nan")
        checks.append(
            Check(
                f"world_export_share.{hs6}.{exporter}", published, round(ours, 6), 0.0005, "BACI HS17 V202601"
            )
        )
    return checks
