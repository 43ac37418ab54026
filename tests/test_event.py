"""The event view: dated measures with sources, periods, hand-computed shifts, the real 848620 rows
around 7 October 2022 against a direct computation from the raw files, and backend parity."""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import defaultdict
from pathlib import Path

import ibis
import pandas as pd
import pytest

from friendshore.analyses.event import dated_measures, event, event_periods
from friendshore.errors import UnknownCodeError, UserError
from friendshore.interfaces.cli import run
from friendshore.metrics.shifts import period_shift, yearly_shares
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.connect import require_table

# --- the dated measures --------------------------------------------------------------------------


def test_the_event_view_reads_the_registers_measures() -> None:
    from friendshore.register import load_register

    measures = {m.id: m for m in dated_measures()}
    assert set(measures) == set(load_register(None).measures)
    oct22 = measures["us-bis-2022-10-advanced-computing-sme"]
    assert oct22.date == dt.date(2022, 10, 7)
    assert oct22.verified
    assert "Federal Register" in oct22.citation
    assert measures["nl-2023-09-advanced-sme"].who == ("NLD",)
    assert measures["jp-2023-07-sme"].date == dt.date(2023, 7, 23)


# --- periods and the shift metric, by hand --------------------------------------------------------


def test_periods() -> None:
    assert event_periods(dt.date(2022, 10, 7), 3) == ([2019, 2020, 2021], [2023, 2024, 2025], 2022)
    assert event_periods(dt.date(2023, 1, 1), 2) == ([2021, 2022], [2023, 2024], None)
    with pytest.raises(UserError, match="window"):
        event_periods(dt.date(2023, 1, 1), 0)


HAND = pd.DataFrame(
    [
        (2020, "USA", "CHN", "848620", 30.0),
        (2020, "JPN", "CHN", "848620", 70.0),
        (2021, "USA", "CHN", "848620", 10.0),
        (2021, "JPN", "CHN", "848620", 90.0),
        (2023, "JPN", "CHN", "848620", 150.0),
        (2023, "NLD", "CHN", "848620", 50.0),
        (2023, "USA", "CHN", "848690", 40.0),
        (2022, "USA", "CHN", "848620", 999.0),  # the event year: in neither period
        (2023, "HKG", "CHN", "848620", 100.0),  # intra-group when the importer is CHN+HKG
        (2021, "USA", "DEU", "848620", 500.0),  # another importer
    ],
    columns=["year", "exporter", "importer", "hs6", "value_kusd"],
)


def test_period_shift_by_hand() -> None:
    t = ibis.memtable(HAND)
    out = period_shift(
        t, importer=["CHN", "HKG"], hs6=["848620"], before=[2020, 2021], after=[2023], of=["USA"]
    )
    rows = out.to_pandas().set_index("supplier")
    usa, jpn, nld = rows.loc["USA"], rows.loc["JPN"], rows.loc["NLD"]
    assert usa.value_before_kusd == 20.0
    assert usa.value_after_kusd == 0.0
    assert usa.share_before == pytest.approx(40 / 200)
    assert usa.share_after == 0.0
    assert jpn.share_before == pytest.approx(160 / 200)
    assert jpn.share_after == pytest.approx(0.75)
    assert jpn.d_share == pytest.approx(0.75 - 0.8)
    assert jpn.value_change_pct == pytest.approx(100 * (150 / 80 - 1))
    assert pd.isna(nld.value_change_pct)
    assert nld.value_before_kusd == 0.0
    assert "HKG" not in rows.index
    assert usa.of_before_kusd == 20.0
    assert jpn.of_before_kusd == 0.0
    codes = period_shift(t, importer=["CHN"], hs6=["848620", "848690"], before=[2021], after=[2023], by="hs6")
    c = codes.to_pandas().set_index("hs6")
    assert c.loc["848690"].share_after == pytest.approx(40 / 340)
    assert c.loc["848620"].value_after_kusd == pytest.approx(300.0)
    years = yearly_shares(t, importer=["CHN"], hs6=["848620"], years=[2022, 2023]).to_pandas()
    assert years.groupby("year").share.sum().tolist() == pytest.approx([1.0, 1.0])
    with pytest.raises(UserError, match="both before and after"):
        period_shift(t, importer=["CHN"], hs6=["848620"], before=[2021], after=[2021])


# --- the real rows: China's imports of wafer-fab tools around 7 October 2022 -----------------------


def raw_shares(sample_data: Path, code: str, years: list[int]) -> tuple[dict[str, float], float]:
    """Pooled supplier shares and the mean annual total, with the csv module from the raw files."""
    iso = {}
    with open(sample_data / "baci_critical_materials" / "country_codes_V202601.csv", newline="") as fh:
        iso = {r["country_code"]: r["country_iso3"] for r in csv.DictReader(fh)}
    iso["490"] = "TWN"
    by: dict[str, float] = defaultdict(float)
    for year in years:
        path = (
            sample_data / "baci_hs07_china_semiconductor_imports" / f"BACI_HS07_Y{year}_V202601_chn-semis.csv"
        )
        with open(path, newline="") as fh:
            for r in csv.DictReader(fh):
                if r["k"] == code:
                    by[iso[r["i"]]] += float(r["v"])
    total = sum(by.values())
    return {c: v / total for c, v in by.items()}, total / len(years)


def test_848620_around_october_2022_matches_the_raw_files(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    result = event(settings, importer="CHN", products="848620", date=dt.date(2022, 10, 7))
    assert result.parameters["before"] == [2019, 2020, 2021]
    assert result.parameters["after"] == [2023, 2024]  # 2025 is not loaded
    before, total_before = raw_shares(sample_data, "848620", [2019, 2020, 2021])
    after, total_after = raw_shares(sample_data, "848620", [2023, 2024])
    rows = {r["supplier"]: r for r in result.rows()}
    for supplier in ("USA", "NLD", "JPN"):
        assert rows[supplier]["share_before"] == pytest.approx(before[supplier], rel=1e-12)
        assert rows[supplier]["share_after"] == pytest.approx(after[supplier], rel=1e-12)
    assert sum(r["value_before_kusd"] for r in rows.values()) == pytest.approx(total_before, rel=1e-12)
    assert sum(r["value_after_kusd"] for r in rows.values()) == pytest.approx(total_after, rel=1e-12)
    # what the rows say: the US share roughly halved while the Dutch share rose
    assert rows["USA"]["share_after"] < rows["USA"]["share_before"]
    assert rows["NLD"]["share_after"] > rows["NLD"]["share_before"]
    notes = " ".join(result.notes)
    assert "not a causal estimate" in notes
    assert "2025" in notes
    assert "us-bis-2022-10-advanced-computing-sme" in notes  # the measure of that day is named


def test_event_id_takes_date_products_and_parties(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    result = event(settings, importer="CHN", event="us-bis-2022-10-advanced-computing-sme", output="codes")
    assert result.parameters["products"] == ["848620", "848690", "854231"]
    assert result.parameters["date"] == "2022-10-07"
    assert result.parameters["imposing"] == ["USA"]
    codes = {r["hs6"]: r for r in result.rows()}
    assert {"848610", "848640", "854232", "854239"} <= set(codes)  # the same headings, not asked
    assert codes["848620"]["asked"]
    assert not codes["848640"]["asked"]
    assert sum(r["share_before"] for r in codes.values()) == pytest.approx(1.0)
    suppliers = {r["supplier"]: r for r in result.tables["suppliers"].to_pylist()}
    assert suppliers["USA"]["imposing"]
    assert not suppliers["JPN"]["imposing"]
    _, usa_before = raw_shares(sample_data, "848620", [2019, 2020, 2021])
    assert codes["848620"]["value_before_kusd"] == pytest.approx(usa_before, rel=1e-12)


def test_event_cli_and_errors(chips_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--home", str(chips_home), "event", "--importer", "CHN", "--products", "848620,848690",
            "--date", "2022-10-07", "--output", "years", "--format", "json"]  # fmt: skip
    assert run(args) == 0
    rows = json.loads(capsys.readouterr().out)
    periods = {r["year"]: r["period"] for r in rows}
    assert periods[2021] == "before"
    assert periods[2022] == "event year"
    assert periods[2024] == "after"
    assert run(["--home", str(chips_home), "event", "--importer", "CHN", "--event", "nope"]) == 2
    assert "us-bis-2023-10-sme" in capsys.readouterr().err
    assert run(["--home", str(chips_home), "event", "--importer", "CHN", "--date", "2022-10-07"]) == 2
    settings = load_settings(home=chips_home)
    with pytest.raises(UserError, match="needs trade in 2005-2007"):
        event(settings, importer="CHN", products="848620", date=dt.date(2008, 6, 1))
    with pytest.raises(UnknownCodeError, match="no imports by 'CHN'"):
        event(settings, importer="CHN", products="999999", date=dt.date(2020, 6, 1))


def test_shift_parity(backend: str, chips_home: Path) -> None:
    def run_on(name: str) -> pd.DataFrame:
        trade = require_table(connect(load_settings(home=chips_home, backend=name)), "trade")  # type: ignore[arg-type]
        expr = period_shift(
            trade,
            importer=["CHN"],
            hs6=["848620", "848690"],
            before=[2019, 2020, 2021],
            after=[2023, 2024],
            of=["USA"],
        )
        frame: pd.DataFrame = expr.to_pandas().sort_values("supplier").reset_index(drop=True)
        return frame

    pd.testing.assert_frame_equal(run_on(backend), run_on("duckdb"), check_dtype=False, rtol=1e-9)
