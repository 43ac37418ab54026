"""Reproduction ``baci-world-shares``: top exporters' world shares read back through the chokepoints code."""

from __future__ import annotations

import tempfile
from pathlib import Path

from friendshore.analyses.reproductions.compare import Check, compare, published_values
from friendshore.metrics.dependence import chokepoints
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest_baci import ingest_baci

__all__: list[str] = []


def baci_world_shares(settings: Settings) -> list[Check]:
    """Top exporters' world shares in the BACI 2024 sample, through the chokepoints code path."""
    wanted = published_values("baci-world-shares")
    csv = Path(settings.sample_data) / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv"
    with tempfile.TemporaryDirectory() as tmp:
        ingest_baci(Path(tmp), [csv])
        trade = connect(load_settings(home=tmp, sample_data=settings.sample_data)).table("trade")
        codes = [p.keys["hs6"] for p in wanted]
        table = chokepoints(trade, year=2024, hs6=codes).to_pandas().set_index("hs6")
    ours = {
        p.quantity: round(float(table.loc[p.keys["hs6"]].top_share), 6)
        for p in wanted
        if table.loc[p.keys["hs6"]].top_exporter == p.keys["exporter"]
    }
    return compare("baci-world-shares", ours)
