"""One catalogue of sources: every id that a result's provenance, the warehouse, the fetcher and data
status use is catalogued once, with publisher, release, licence, landing page and citation."""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.analyses.warehouse_status import data_status
from friendshore.errors import UnknownCodeError
from friendshore.settings import load_settings
from friendshore.sources.catalogue import catalogue, catalogue_source, methods_row
from friendshore.sources.downloads import DOWNLOADS
from friendshore.warehouse.ingest import SOURCES
from friendshore.warehouse.ingest_baci import SOURCE as BACI


def test_every_loader_and_download_names_a_catalogued_source() -> None:
    ids = set(catalogue())
    assert BACI in ids
    assert set(SOURCES) <= ids, sorted(set(SOURCES) - ids)
    assert {d.source for d in DOWNLOADS.values()} <= ids


def test_entries_are_complete_and_say_how_to_get_the_data() -> None:
    for entry in catalogue().values():
        assert entry.publisher, entry.id
        assert entry.title, entry.id
        assert entry.licence, entry.id
        assert entry.citation, entry.id
        assert entry.landing_page == "" or entry.landing_page.startswith("https://"), entry.id  # "": unknown
        assert bool(entry.download) != bool(entry.manual), entry.id


def test_unknown_ids_are_named_not_guessed() -> None:
    with pytest.raises(UnknownCodeError, match="known: cepii-baci"):
        catalogue_source("baci-typo")
    assert methods_row("baci-typo")["publisher"] == "not in the catalogue"
    assert methods_row("cepii-baci")["publisher"] == "CEPII"


def test_data_status_reads_the_publisher_from_the_catalogue(sample_home: Path) -> None:
    rows = data_status(load_settings(home=sample_home)).rows()
    assert rows
    for row in rows:
        assert row["source"] in catalogue(), row["source"]
        assert row["publisher"] == catalogue()[row["source"]].publisher


def test_the_catalogue_is_a_result_for_the_cli(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from friendshore.interfaces.cli import run

    assert run(["data", "sources", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in rows] == list(catalogue())
    assert rows[0]["citation"].startswith("Gaulier")
