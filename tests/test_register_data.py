"""Issue 28 (the register part): the shipped register at the scale of the real world. The measures
China and the US imposed since 2022 with their document numbers and dates, status changes as
entries of their own, the CHIPS Act awards and India Semiconductor Mission approvals with their
sources, money that never sums across currencies, and the counts in 'data status'."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from friendshore.analyses.register import register_counts, register_investments, register_measures
from friendshore.interfaces.cli import run
from friendshore.register import load_register, measures
from friendshore.settings import Settings

#: The Chinese measures issue 28 names, by document number.
CHINESE = {
    "MOFCOM/GACC Announcement No. 23 of 2023": ("cn-2023-08-gallium-germanium", date(2023, 8, 1)),
    "MOFCOM/GACC Announcement No. 39 of 2023": ("cn-2023-12-graphite", date(2023, 12, 1)),
    "MOFCOM/GACC Announcement No. 33 of 2024": ("cn-2024-09-antimony-superhard", date(2024, 9, 15)),
    "MOFCOM Announcement No. 46 of 2024": ("cn-2024-12-us-dual-use-ban", date(2024, 12, 3)),
    "MOFCOM/GACC Announcement No. 10 of 2025": ("cn-2025-02-w-te-bi-mo-in", date(2025, 2, 4)),
    "MOFCOM/GACC Announcement No. 18 of 2025": ("cn-2025-04-rare-earths", date(2025, 4, 4)),
    "MOFCOM/GACC Announcement No. 55 of 2025": ("cn-2025-10-superhard", date(2025, 11, 8)),
    "MOFCOM/GACC Announcement No. 56 of 2025": ("cn-2025-10-rare-earth-equipment", date(2025, 11, 8)),
    "MOFCOM/GACC Announcement No. 57 of 2025": ("cn-2025-10-five-heavy-rare-earths", date(2025, 11, 8)),
    "MOFCOM/GACC Announcement No. 58 of 2025": ("cn-2025-10-battery-graphite-anode", date(2025, 11, 8)),
    "MOFCOM Announcement No. 61 of 2025": ("cn-2025-10-rare-earths-overseas", date(2025, 10, 9)),
    "MOFCOM Announcement No. 62 of 2025": ("cn-2025-10-rare-earth-technologies", date(2025, 10, 9)),
    "MOFCOM/GACC Announcement No. 70 of 2025": ("cn-2025-11-suspension-oct-2025-controls", date(2025, 11, 7)),
}


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def test_28_register_measures_by_chn_lists_the_chinese_measures_with_numbers_and_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        run(
            ["--home", str(tmp_path), "register", "measures", "--who", "CHN", "-f", "csv", "--columns", "all"]
        )
        == 0
    )
    rows = {row["document_number"]: row for row in _csv(capsys.readouterr().out)}
    assert len(rows) >= 10
    for number, (measure, effective) in CHINESE.items():
        row = rows[number]
        assert row["id"] == measure
        assert row["effective"] == effective.isoformat()
        assert row["announced"], number
        assert row["issuer"].startswith("PRC Ministry of Commerce"), number
        assert row["source"], number
    for row in rows.values():
        assert row["products"] or row["items"], row["id"]  # HS6 codes where it names goods, else words


def test_28_register_measures_by_usa_on_chip_equipment_lists_the_bis_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--home", str(tmp_path), "register", "measures", "--who", "USA", "--technology", "chip-equipment"]
    assert run([*argv, "-f", "json", "--columns", "all"]) == 0
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert {
        "us-bis-2022-10-advanced-computing-sme",
        "us-bis-2023-10-sme",
        "us-bis-2024-12-fdp-hbm-sme",
        "us-bis-2024-12-entity-list-140",
        "us-bis-2025-09-veu-revocation",
    } <= set(rows)
    for row in rows.values():
        assert row["document_number"].startswith("Federal Register document 20"), row["id"]
        assert row["issuer"] == "US Department of Commerce, Bureau of Industry and Security"
        assert row["effective"]


@pytest.mark.parametrize(("country", "least"), [("USA", 20), ("IND", 8)])
def test_28_register_investments_per_country_each_with_a_source(
    country: str, least: int, tmp_path: Path
) -> None:
    result = register_investments(Settings(home=tmp_path), country=country)
    rows = result.table.to_pylist()
    assert len(rows) >= least
    for row in rows:
        assert row["source"], row["id"]
        assert row["country"] == country
        if row["amount_million"] is not None:
            assert row["currency"]
            assert (row["amount_musd"] is not None) == (row["currency"] == "USD")


def test_28_amounts_never_sum_across_currencies(tmp_path: Path) -> None:
    result = register_investments(Settings(home=tmp_path))
    rows = result.table.to_pylist()
    assert {row["currency"] for row in rows if row["currency"]} >= {"USD", "INR"}
    assert any("never add them across currencies" in note for note in result.notes)
    tata = next(row for row in rows if row["id"] == "tata-psmc-dholera-fab")
    assert (tata["amount_million"], tata["currency"], tata["amount_musd"]) == (910_000, "INR", None)
    intel = next(row for row in rows if row["id"] == "intel-chips-award")
    assert intel["amount_musd"] == 7865


def test_28_status_changes_are_dated_entries_naming_what_they_change() -> None:
    reg = load_register()
    changes = [m for m in reg.measures.values() if m.kind in ("suspension", "extension", "amendment")]
    assert {m.id for m in changes} >= {
        "cn-2025-11-suspension-oct-2025-controls",
        "cn-2025-11-us-ban-suspension",
    }
    for item in changes:
        for changed in item.changes:
            announced = reg.measures[changed].announced
            assert announced is not None
            assert announced <= item.effective, item.id
    suspension = reg.measures["cn-2025-11-suspension-oct-2025-controls"]
    assert len(suspension.changes) == 6
    assert suspension.end == date(2026, 11, 10)
    # suspended the day before they took effect: never in force
    superhard = reg.measures["cn-2025-10-superhard"]
    assert not any(superhard.in_force(date(2025, 11, d)) for d in range(1, 30))
    in_force = {m.id for m in measures(who="CHN", effective_at=date(2025, 12, 1))}
    assert "cn-2025-10-rare-earths-overseas" not in in_force
    assert "cn-2025-04-rare-earths" in in_force  # not suspended
    assert "cn-2024-12-us-dual-use-ban" in in_force  # clause 1 stays; clause 2's suspension is its own entry


def test_28_a_measure_names_the_entries_that_change_its_status(tmp_path: Path) -> None:
    rows = {
        row["id"]: row
        for row in register_measures(
            Settings(home=tmp_path), who="CHN", active_at=date(2026, 1, 10)
        ).table.to_pylist()
    }
    assert rows["cn-2024-12-us-dual-use-ban"]["changed_by"] == "cn-2025-11-us-ban-suspension"
    assert rows["cn-2025-11-us-ban-suspension"]["kind"] == "suspension"
    assert rows["cn-2025-04-rare-earths"]["changed_by"] is None


def test_28_every_shipped_measure_has_issuer_document_number_and_an_official_citation() -> None:
    reg = load_register()
    for item in reg.measures.values():
        assert item.issuer, item.id
        assert item.document_number, item.id
        assert item.announced is not None, item.id
        publishers = " ".join(source.publisher for source in reg.cite(item))
        official = {"CHN": "Ministry of Commerce", "USA": "Bureau of Industry and Security"}.get(item.who[0])
        if official is not None and official not in publishers:
            # the issuer's own document first; public reporting only where none was found
            assert not item.verified, item.id
            assert item.note.startswith("Public reporting only"), item.id


def test_28_measures_hitting_india_carry_hs6_for_the_brief(tmp_path: Path) -> None:
    result = register_measures(Settings(home=tmp_path), on="IND", active_at=date(2025, 6, 1))
    rows = result.table.to_pylist()
    ids = {row["id"] for row in rows}
    assert {"cn-2023-12-graphite", "cn-2025-04-rare-earths", "jp-2023-07-sme"} <= ids
    graphite = next(row for row in rows if row["id"] == "cn-2023-12-graphite")
    assert "250410" in graphite["products"].split(", ")


def test_28_data_status_shows_the_register_counts_and_newest_dates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    counts = {kind: (n, newest) for kind, n, newest in register_counts(tmp_path)}
    assert counts["measure"][0] == len(load_register().measures)
    assert counts["measure"][1] is not None
    assert counts["measure"][1] >= date(2026, 1, 6)
    assert run(["--home", str(tmp_path), "data", "status"]) == 0
    out = capsys.readouterr()
    assert f"{counts['investment'][0]} investments, newest" in out.out + out.err
