"""``friendshore leverage`` on the real China semiconductor rows (BACI HS07, China's imports only),
checked against an independent computation from the raw CSV files; and on the complete sample."""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from friendshore.analyses.leverage import leverage
from friendshore.errors import UserError
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings

CHIPS = ["854231", "854232", "854239", "848620"]


def raw_china_imports(sample_data: Path, year: int) -> dict[str, dict[str, float]]:
    """{hs6: {exporter ISO3: kUSD}} of China's imports, read with the csv module from the raw file."""
    iso = {}
    with open(sample_data / "baci_critical_materials" / "country_codes_V202601.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            iso[row["country_code"]] = row["country_iso3"]
    iso["490"] = "TWN"  # BACI's "Other Asia, nes" is Taiwan (the MANIFEST's convention)
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    name = f"BACI_HS07_Y{year}_V202601_chn-semis.csv"
    with open(sample_data / "baci_hs07_china_semiconductor_imports" / name, newline="") as fh:
        for row in csv.DictReader(fh):
            assert row["j"] == "156"
            out[row["k"]][iso[row["i"]]] += float(row["v"])
    return out


def test_pax_silica_holders_over_china_match_the_raw_files(
    chips_home: Path, sample_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(chips_home), "leverage", "--concern", "CHN", "--holder", "pax-silica", "--year", "2024",
            "--members-at", "2026-03-01", "--format", "json", "--with-meta"]  # fmt: skip
    assert run(args) == 0
    out = json.loads(capsys.readouterr().out)
    members = out["meta"]["parameters"]["holder"]["members"]
    assert {"KOR", "JPN", "SGP", "USA"} <= set(members)
    assert "NLD" not in members
    assert "TWN" not in members
    rows = {r["hs6"]: r for r in out["rows"]}
    raw = raw_china_imports(sample_data, 2024)
    for code in CHIPS:
        row, flows = rows[code], raw[code]
        total = sum(flows.values())
        held = {c: v for c, v in flows.items() if c in members}
        assert row["import_value_kusd"] == pytest.approx(total, rel=1e-12)
        assert row["holder_value_kusd"] == pytest.approx(sum(held.values()), rel=1e-12)
        assert row["holder_share"] == pytest.approx(sum(held.values()) / total, rel=1e-12)
        top = max(held, key=lambda c: held[c])
        assert row["top_holder"] == top
        assert row["holder_hhi"] == pytest.approx(sum((v / sum(held.values())) ** 2 for v in held.values()))
        # KOR, JPN and SGP each supply China with these ICs and tools: named among the holders
        for holder in ("KOR", "JPN", "SGP"):
            assert f"{holder} {flows[holder] / total:.1%}" in row["holders"]
        # China's imports only: the rest of the world's third-country exports are unknown -> null
        assert row["others_third_kusd"] is None
        assert row["leverage"] is None
    notes = " ".join(out["meta"]["notes"])
    assert "imports of CHN only" in notes
    assert "HS07" in notes


def test_per_holder_shares_match_the_raw_files(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    result = leverage(
        settings, concern="CHN", holder="pax-silica", product=",".join(CHIPS), year=2024,
        members_at=date(2026, 3, 1), per_holder=True,
    )  # fmt: skip
    assert result.parameters["products"] == sorted(CHIPS)
    raw = raw_china_imports(sample_data, 2024)
    rows = {(r["hs6"], r["holder"]): r for r in result.rows()}
    for code in CHIPS:
        total = sum(raw[code].values())
        for holder in ("KOR", "JPN", "SGP"):
            row = rows[(code, holder)]
            assert row["value_kusd"] == pytest.approx(raw[code][holder], rel=1e-12)
            assert row["share"] == pytest.approx(raw[code][holder] / total, rel=1e-12)
            assert row["unilateral_leverage"] is None
    assert rows[("854232", "KOR")]["rank"] == 1
    assert rows[("848620", "JPN")]["rank"] == 1
    assert "products" in result.tables


def test_taiwan_as_holder_and_a_sector(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    result = leverage(settings, concern="CHN", holder="TWN", sector="semiconductors", year=2024)
    raw = raw_china_imports(sample_data, 2024)
    rows = {r["hs6"]: r for r in result.rows()}
    assert set(rows) <= {"854231", "854232", "854233", "854239", "854290", "854110", "854121", "854129",
                         "854130", "854140", "854150", "854160", "854190", "381800", "280461", "281111",
                         "370790"}  # fmt: skip
    for code in ("854231", "854239"):
        assert rows[code]["holder_share"] == pytest.approx(raw[code]["TWN"] / sum(raw[code].values()))
        assert rows[code]["holder_hhi"] == pytest.approx(1.0)
        assert rows[code]["n_holders"] == 1


def test_errors_are_user_errors(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    # issue 26: the loaded trade holds China's imports only, so the United States' imports are
    # unknown, not absent ("no imports by 'USA'" was the old, wrong message)
    with pytest.raises(UserError, match=r"United States' imports of .* in 2024 are not loaded"):
        leverage(settings, concern="USA", holder="CHN", year=2024)
    with pytest.raises(UserError, match="no members outside"):
        leverage(settings, concern="pax-silica", holder="JPN", year=2024, members_at=date(2026, 3, 1))
    with pytest.raises(UserError, match="not an HS6 code"):
        leverage(settings, concern="CHN", holder="JPN", product="8486")


def test_by_is_the_old_name_of_holder_for_one_release(
    chips_home: Path, sample_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 27: ``by`` names the level of aggregation (dependencies); the holders are ``holder``.
    The old ``--by`` (CLI) and ``by`` (analysis, API) still work for one release, with a warning."""
    settings = load_settings(home=chips_home, sample_data=sample_data)
    asked: dict[str, Any] = {"concern": "CHN", "sector": "semiconductors", "year": 2024}
    new = leverage(settings, holder="TWN", **asked)
    old = leverage(settings, by="TWN", **asked)
    assert old.parameters == new.parameters
    assert old.table.column("hs6").equals(new.table.column("hs6"))  # sums may differ in the last bit
    assert old.table.column("holder_share").to_pylist() == pytest.approx(
        new.table["holder_share"].to_pylist()
    )
    assert any("'by' is deprecated" in n and "'holder'" in n for n in old.notes)
    assert not any("deprecated" in n for n in new.notes)
    with pytest.raises(UserError, match="old name of 'holder'"):
        leverage(settings, holder="TWN", by="JPN", **asked)
    with pytest.raises(UserError, match="--holder"):
        leverage(settings, **asked)

    cli = ["--home", str(chips_home), "leverage", "--concern", "CHN", "--sector", "semiconductors", "--year",
           "2024", "--format", "csv"]  # fmt: skip
    assert run([*cli, "--by", "TWN"]) == 0
    captured = capsys.readouterr()
    assert "--by is deprecated" in captured.err
    assert "use --holder" in captured.err
    # the old name gives the rows of the new one (the analysis's, above: one run fewer)
    assert [r["hs6"] for r in csv.DictReader(io.StringIO(captured.out))] == new.table["hs6"].to_pylist()
    assert run([*cli, "--holder", "TWN", "--by", "JPN"]) == 2
    assert run(cli) == 2
    assert "--holder" in capsys.readouterr().err

    from fastapi.testclient import TestClient

    from friendshore.interfaces.api.app import create_app

    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        query = "/api/leverage?concern=CHN&sector=semiconductors&year=2024&format=json"
        by_old = client.get(f"{query}&by=TWN")
        assert by_old.status_code == 200, by_old.text
        old_rows, new_rows = by_old.json()["rows"], new.rows()  # the new name's rows: the analysis's, above
        assert [r["hs6"] for r in old_rows] == [r["hs6"] for r in new_rows]
        assert [r["holder_share"] for r in old_rows] == pytest.approx([r["holder_share"] for r in new_rows])
        assert client.get(query).status_code == 400


def test_complete_sample_gives_a_score(sample_home: Path, sample_data: Path) -> None:
    """On the complete critical-materials sample the score is computed: China and Hong Kong over the
    United States for permanent magnets, against pandas-free arithmetic on the raw file."""
    settings = load_settings(home=sample_home, sample_data=sample_data)
    result = leverage(settings, concern="USA", holder="CHN", product="850511", year=2024)
    row = result.rows()[0]
    iso = {}
    with open(sample_data / "baci_critical_materials" / "country_codes_V202601.csv", newline="") as fh:
        iso = {r["country_code"]: r["country_iso3"] for r in csv.DictReader(fh)}
    m = v = x = 0.0
    with open(
        sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv", newline=""
    ) as fh:
        for r in csv.DictReader(fh):
            if r["k"] != "850511":
                continue
            exporter, importer, value = iso[r["i"]], iso[r["j"]], float(r["v"])
            if importer == "USA":
                m += value
                v += value if exporter == "CHN" else 0.0
            elif exporter not in ("USA", "CHN"):
                x += value
    assert row["holder_share"] == pytest.approx(v / m)
    assert row["others_third_kusd"] == pytest.approx(x)
    assert row["leverage"] == pytest.approx(max(v - x, 0.0) / m)
    assert not math.isnan(row["replaceable_share"])
    assert not any("not loaded" in n for n in result.notes)
