"""Consistency check (our data against an independent record, not a published result): BACI's
Taiwan (code 490) exports of 8542 to China against Taiwan's own customs record, 2013-2024.

The two differ (China records imports by origin, Taiwan exports by destination; CIF vs FOB;
re-exports): the check records the gap and bounds it by Taiwan's exports to Hong Kong, it does not
force the two equal. Both sides are also recomputed here from the raw files."""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import pytest

from friendshore.analyses.reproductions import REPRODUCTIONS, run_reproduction
from friendshore.analyses.reproductions.chips import customs_8542_exports
from friendshore.settings import load_settings


def test_entry_is_a_consistency_check() -> None:
    assert REPRODUCTIONS["taiwan-ic-exports"].kind == "consistency"


def test_gap_recorded_and_both_sides_match_the_raw_files(sample_data: Path) -> None:
    checks = run_reproduction("taiwan-ic-exports", load_settings(sample_data=sample_data))
    assert [c.quantity.rsplit(".", 1)[1] for c in checks] == [str(y) for y in range(2013, 2025)]
    # BACI side: China's imports of 8542 from code 490, summed with the csv module
    baci: dict[int, float] = defaultdict(float)
    for year in range(2013, 2025):
        path = (
            sample_data / "baci_hs07_china_semiconductor_imports" / f"BACI_HS07_Y{year}_V202601_chn-semis.csv"
        )
        with open(path, newline="") as fh:
            for r in csv.DictReader(fh):
                if r["i"] == "490" and r["j"] == "156" and r["k"].startswith("8542"):
                    baci[year] += float(r["v"])
    # customs side: the tidy file's full-year rows for China and Hong Kong, summed independently
    tidy: dict[tuple[int, str], float] = defaultdict(float)
    with gzip.open(
        sample_data / "taiwan_customs_ic_exports" / "taiwan_8542_exports_by_destination_tidy.csv.gz", "rt"
    ) as fh:
        for r in csv.DictReader(fh):
            if r["period_note"] == "full year":
                tidy[(int(r["year"]), r["importer_name_en"])] += float(r["value_usd"]) / 1000
    for check in checks:
        year = int(check.quantity.rsplit(".", 1)[1])
        assert check.ours == pytest.approx(baci[year], abs=0.001)
        assert check.published == pytest.approx(tidy[(year, "China")], abs=0.001)
        assert check.tolerance == pytest.approx(tidy[(year, "Hong Kong")], abs=0.001)
        assert check.ok, check  # the gap is within what the Hong Kong route can explain
        assert f"{check.ours / check.published - 1:+.1%}" in check.source
    # the sample-data MANIFEST's figure for 2024 (China 48.5 bn USD in Taiwan's record)
    assert checks[-1].published == pytest.approx(48.5e6, abs=0.05e6)


def test_customs_reader_adds_up_to_the_portal_world_totals(sample_data: Path) -> None:
    """Our reading of the destinations sums, every full year, to the portal's own world total
    (ROC years: 102 = 2013), read here with the csv module."""
    world: dict[int, float] = defaultdict(float)
    path = sample_data / "taiwan_customs_ic_exports" / "taiwan_exports_8542_world_2013_2025.csv"
    with open(path, newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    for row in rows[1:]:
        if not row[1].endswith("年") or "~" in row[1]:
            continue  # a preliminary part-year (2025)
        world[int(row[1].rstrip("年")) + 1911] += float(row[-1])
    ours: dict[int, float] = defaultdict(float)
    for (year, _), value in customs_8542_exports(load_settings(sample_data=sample_data)).items():
        ours[year] += value
    assert sorted(ours) == list(range(2013, 2025))
    for year, value in ours.items():
        assert value == pytest.approx(world[year], rel=1e-6), year
