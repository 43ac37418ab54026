"""Reproductions for the partner and chip analyses (``friendshore.metrics.chips``).

* ``eto-chip-shares``: the country shares the ETO Advanced Semiconductor Supply Chain dataset
  publishes for fabrication capacity, assembly/test/packaging, logic chip design, EUV lithography
  tools and wafers, read back through ``chip_position`` (the path the ``chips`` command takes).

The ETO sample is loaded into a temporary warehouse, so the check does not depend on what the
user's warehouse holds.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from friendshore.analyses.reproductions.compare import Check, compare, published_values
from friendshore.metrics.chips import chip_position
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source

__all__ = ["eto_chip_shares"]


def eto_chip_shares(settings: Settings) -> list[Check]:
    """ETO country shares read back through ``chip_position`` (the path the ``chips`` command takes)."""
    wanted = published_values("eto-chip-shares")
    folder = Path(settings.sample_data) / "eto_chip_explorer"
    ours: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        ingest_source(Path(tmp), "eto", folder)
        con = connect(load_settings(home=tmp, sample_data=settings.sample_data))
        inputs, provision = con.table("chip_inputs"), con.table("chip_provision")
        for country in sorted({p.keys["iso3"] for p in wanted}):
            rows = chip_position(inputs, provision, country=country).to_pyarrow().to_pylist()
            shares = {row["input_id"]: row["share"] for row in rows if row["share"] is not None}
            for p in wanted:
                if p.keys["iso3"] == country and p.keys["input_id"] in shares:
                    ours[p.quantity] = float(shares[p.keys["input_id"]])
    return compare("eto-chip-shares", ours)
