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

from friendshore.metrics.chips import chip_position
from friendshore.reporting.reproduce import Check
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source

__all__ = ["ETO_SHARES"]

#: (ETO input id, ISO3) -> published share: ETO / CSET (2021, updated), as listed in the sample
#: data MANIFEST (fabrication capacity 2022, ATP 2022, logic design 2022, EUV 2025, wafers 2019).
ETO_SHARES: dict[tuple[str, str], float] = {
    ("S2", "CHN"): 0.24,
    ("S2", "TWN"): 0.18,
    ("S2", "JPN"): 0.17,
    ("S2", "KOR"): 0.17,
    ("S2", "USA"): 0.10,
    ("S3", "CHN"): 0.30,
    ("S3", "TWN"): 0.28,
    ("N6", "USA"): 0.65,
    ("N20", "NLD"): 1.00,
    ("N26", "JPN"): 0.56,
}


def eto_chip_shares(settings: Settings) -> list[Check]:
    folder = Path(settings.sample_data) / "eto_chip_explorer"
    with tempfile.TemporaryDirectory() as tmp:
        ingest_source(Path(tmp), "eto", folder)
        con = connect(load_settings(home=tmp, sample_data=settings.sample_data))
        inputs, provision = con.table("chip_inputs"), con.table("chip_provision")
        ours: dict[tuple[str, str], float] = {}
        for country in sorted({c for _, c in ETO_SHARES}):
            rows = chip_position(inputs, provision, country=country).to_pyarrow().to_pylist()
            for row in rows:
                if (row["input_id"], country) in ETO_SHARES and row["share"] is not None:
                    ours[(row["input_id"], country)] = float(row["share"])
    return [
        Check(
            f"share.{input_id}.{country}",
            published,
            ours.get((input_id, country), float("nan")),
            0.005,
            "ETO chip explorer (provision.csv)",
        )
        for (input_id, country), published in ETO_SHARES.items()
    ]
