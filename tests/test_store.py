"""The warehouse store: atomic partition replacement, consistent readers, provenance."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pyarrow as pa
import pytest

from friendshore.errors import SchemaError, UserError
from friendshore.settings import load_settings
from friendshore.warehouse import connect, read_manifest, run_query, transaction
from friendshore.warehouse.store import GRACE_SECONDS, SourceFile

SRC = (SourceFile("gdp.csv", "0" * 64),)


def gdp(release: str, values: dict[tuple[str, int], float]) -> pa.Table:
    return pa.table(
        {
            "release": [release] * len(values),
            "country": [c for c, _ in values],
            "year": pa.array([y for _, y in values], pa.int16()),
            "gdp_usd": list(values.values()),
        }
    )


def test_commit_makes_all_partitions_visible_at_once(home: Path) -> None:
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 1.0}), source="t", release="a", files=SRC
        )
        tx.replace(
            "gdp", {"release": "b"}, gdp("b", {("IND", 2020): 2.0}), source="t", release="b", files=SRC
        )
        assert read_manifest(home).partitions("gdp") == []  # nothing visible before the commit
    manifest = read_manifest(home)
    assert sorted(p.key["release"] for p in manifest.partitions("gdp")) == ["a", "b"]
    assert manifest.rows("gdp") == 2


def test_failure_inside_a_transaction_changes_nothing(home: Path) -> None:
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 1.0}), source="t", release="a", files=SRC
        )
    before = (home / "manifest.json").read_bytes()
    files_before = sorted(home.rglob("*.parquet"))
    with pytest.raises(RuntimeError), transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 9.0}), source="t", release="a", files=SRC
        )
        raise RuntimeError("boom")
    assert (home / "manifest.json").read_bytes() == before
    assert sorted(home.rglob("*.parquet")) == files_before


def test_rows_must_match_their_partition(home: Path) -> None:
    with pytest.raises(SchemaError, match="release='a'"), transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("b", {("USA", 2020): 1.0}), source="t", release="a", files=SRC
        )
    assert not (home / "manifest.json").exists()


def test_missing_column_is_a_schema_error(home: Path) -> None:
    with pytest.raises(SchemaError, match="gdp_usd"), transaction(home) as tx:
        tx.replace(
            "gdp",
            {"release": "a"},
            gdp("a", {("USA", 2020): 1.0}).drop_columns(["gdp_usd"]),
            source="t",
            release="a",
            files=SRC,
        )


def test_reader_keeps_its_snapshot_during_a_load(home: Path) -> None:
    """A connection opened before a load sees the old data, one opened after sees the new."""
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 1.0}), source="t", release="a", files=SRC
        )
    settings = load_settings(home=home)
    old = connect(settings)
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 5.0}), source="t", release="a", files=SRC
        )
    new = connect(settings)
    assert old.table("gdp").gdp_usd.sum().execute() == 1.0  # type: ignore[attr-defined]
    assert run_query(new, "select sum(gdp_usd) from gdp").column(0)[0].as_py() == 5.0
    with pytest.raises(UserError, match="connect again"):  # its cache went when the new one was built
        run_query(old, "select sum(gdp_usd) from gdp")


def test_superseded_files_are_collected_after_the_grace_period(home: Path) -> None:
    for value in (1.0, 2.0):
        with transaction(home) as tx:
            tx.replace(
                "gdp", {"release": "a"}, gdp("a", {("USA", 2020): value}), source="t", release="a", files=SRC
            )
    assert len(list(home.rglob("*.parquet"))) == 2  # the old file lives on within the grace period
    live = home / read_manifest(home).files("gdp")[0]
    old = next(p for p in home.rglob("*.parquet") if p != live)
    stale = time.time() - GRACE_SECONDS - 10
    os.utime(old, (stale, stale))
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "b"}, gdp("b", {("USA", 2020): 3.0}), source="t", release="b", files=SRC
        )
    assert not old.exists()
    assert live.exists()


def test_manifest_records_provenance(home: Path) -> None:
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 1.0}), source="wdi-gdp", release="a", files=SRC
        )
    data = json.loads((home / "manifest.json").read_text())
    part = data["tables"]["gdp"][0]
    assert part["source"] == "wdi-gdp"
    assert part["files"] == [{"name": "gdp.csv", "sha256": "0" * 64, "member": None}]
    assert part["rows"] == 1
    assert part["loaded_at"].endswith("+00:00")


def test_duckdb_cache_follows_the_manifest(home: Path) -> None:
    from friendshore.warehouse.duckdb_cache import cache_path

    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 1.0}), source="t", release="a", files=SRC
        )
    connect(load_settings(home=home))
    first = cache_path(home)
    assert first is not None
    assert first.exists()
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "a"}, gdp("a", {("USA", 2020): 2.0}), source="t", release="a", files=SRC
        )
    second = cache_path(home)
    assert second != first
    new = connect(load_settings(home=home))
    assert run_query(new, "select sum(gdp_usd) from gdp").column(0)[0].as_py() == 2.0
    assert second is not None
    assert second.exists()
    assert not first.exists()  # the old version's cache is removed when the new one is built
