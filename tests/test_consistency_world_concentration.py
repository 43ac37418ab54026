"""Consistency check (our computation against another's, on the same BACI release and year): world
HS6 export concentration computed by friendshore from the critical-materials sample against
``baci_hs17_2024_strategic_layers/product_concentration.csv`` (made by another project from the full
BACI HS17 V202601 2024 file), for the codes both cover. They must agree.

That file is a validation reference only (its repository asks that it not be redistributed): this
test reads it from the shared data folder, and nothing in the package does."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from friendshore.metrics.dependence import chokepoints
from friendshore.settings import load_settings
from friendshore.warehouse import connect


def reference(sample_data: Path) -> dict[str, dict[str, str]]:
    path = sample_data / "baci_hs17_2024_strategic_layers" / "product_concentration.csv"
    with open(path, newline="") as fh:
        lines = [line for line in fh if not line.startswith("#")]
    return {r["hs6"]: r for r in csv.DictReader(lines)}


def test_world_concentration_agrees(sample_home: Path, sample_data: Path) -> None:
    ref = reference(sample_data)
    trade = connect(load_settings(home=sample_home, sample_data=sample_data)).table("trade")
    loaded = set(trade.filter(trade.year == 2024).select("hs6").distinct().to_pyarrow().column(0).to_pylist())
    both = sorted(loaded & set(ref))
    assert both == ["250490", "280469", "283691", "811212", "811292", "850511"]
    ours = chokepoints(trade, year=2024, hs6=both).to_pandas().set_index("hs6")
    for code in both:
        theirs, mine = ref[code], ours.loc[code]
        assert mine.world_export_kusd == pytest.approx(float(theirs["world_kusd"]), abs=0.0015), code
        assert mine.world_hhi * 10_000 == pytest.approx(float(theirs["export_hhi"]), abs=0.05), code
        assert mine.top_exporter == theirs["top_exporter"], code
        assert mine.top_share * 100 == pytest.approx(float(theirs["top_share_pct"]), abs=0.005), code
