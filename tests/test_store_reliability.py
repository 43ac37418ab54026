"""Warehouse reliability (issue 20): the cache race, grace from replacement, temporaries, verify,
duplicate partitions, full disks, concurrent loads and readers, and one-transaction sample loads."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from friendshore.errors import UserError
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from friendshore.warehouse import duckdb_cache, open_snapshot, read_manifest, run_query, transaction
from friendshore.warehouse.duckdb_cache import cache_file
from friendshore.warehouse.store import GRACE_SECONDS, SourceFile, sha256_file, verify

SRC = (SourceFile("gdp.csv", "0" * 64),)


def gdp(release: str, value: float, country: str = "USA") -> pa.Table:
    return pa.table(
        {
            "release": [release],
            "country": [country],
            "year": pa.array([2020], pa.int16()),
            "gdp_usd": [value],
        }
    )


def load(home: Path, release: str, value: float) -> None:
    with transaction(home) as tx:
        tx.replace("gdp", {"release": release}, gdp(release, value), source="t", release=release, files=SRC)


def total(home: Path) -> float:
    return float(run_query(load_settings(home=home), "select sum(gdp_usd) from gdp").column(0)[0].as_py())


def tree(home: Path) -> dict[str, str]:
    """sha256 of every file under ``home`` (the lock file aside: flock does not change it)."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def test_a_query_during_a_load_never_caches_old_data_under_the_new_version(
    home: Path, monkeypatch: pytest.MonkeyPatch, reliability: Any
) -> None:
    """Reader reads manifest A; a load commits B before the reader takes the lock to build the
    cache. The cache built must hold A's data under A's name; B's cache is B's data."""
    load(home, "a", 1.0)
    real_lock = duckdb_cache.writer_lock
    done = []

    @contextmanager
    def load_first(path: Path) -> Iterator[None]:
        if not done:  # the writer wins the race once, between the read and the lock
            done.append(True)
            load(home, "a", 5.0)
        with real_lock(path):
            yield

    monkeypatch.setattr(duckdb_cache, "writer_lock", load_first)
    a = read_manifest(home)
    snapshot = open_snapshot(load_settings(home=home))
    assert done
    assert snapshot.manifest.digest == a.digest  # the version read is the version attached
    assert snapshot.con.table("gdp").gdp_usd.sum().execute() == 1.0  # type: ignore[attr-defined]
    assert cache_file(home, a.digest).exists()  # named after the manifest it was built from
    b = read_manifest(home)
    assert b.digest != a.digest
    now = total(home)
    reliability(
        "concurrency", "a query building the cache during a load", clean=now == 5.0, data_lost=now != 5.0
    )
    assert now == 5.0  # B's cache is built from B's files
    assert open_snapshot(load_settings(home=home)).manifest.digest == b.digest


def test_replaced_files_keep_their_grace_from_the_replacement(home: Path) -> None:
    load(home, "a", 1.0)
    first = home / read_manifest(home).files("gdp")[0]
    long_ago = time.time() - 10 * GRACE_SECONDS
    os.utime(first, (long_ago, long_ago))  # written long ago ...
    load(home, "a", 2.0)  # ... replaced just now: a running query may still read it
    assert first.exists()
    load(home, "b", 3.0)  # a later load within the grace period leaves it
    assert first.exists()
    stale = time.time() - GRACE_SECONDS - 10
    os.utime(first, (stale, stale))  # the grace period has passed since the replacement
    load(home, "c", 4.0)
    assert not first.exists()


def test_temporaries_of_killed_writers_are_cleaned_by_the_next_load(home: Path) -> None:
    load(home, "a", 1.0)
    left = [
        home / ".manifest.json.0123abcd.tmp",
        home / "cache" / ".0123abcd.tmp",
        home / "cache" / ".0123abcd.tmp.wal",
    ]
    for path in left:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("partial")
    load(home, "b", 2.0)
    assert [p for p in left if p.exists()] == []


def test_manifest_records_each_partition_files_sha256(home: Path) -> None:
    load(home, "a", 1.0)
    part = json.loads((home / "manifest.json").read_text())["tables"]["gdp"][0]
    assert part["sha256"] == sha256_file(home / part["file"])


def test_verify_finds_changed_missing_and_short_files(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    load(home, "a", 1.0)
    load(home, "b", 2.0)
    assert all(r["ok"] for r in verify(home))
    assert run(["--home", str(home), "data", "verify", "--format", "csv"]) == 0
    capsys.readouterr()
    files = {p.key["release"]: home / p.file for p in read_manifest(home).partitions("gdp")}
    data = bytearray(files["a"].read_bytes())
    data[len(data) // 2] ^= 0xFF
    files["a"].write_bytes(bytes(data))
    files["b"].unlink()
    problems = {r["partition"]: r["problem"] for r in verify(home) if not r["ok"]}
    assert problems == {"release=a": problems["release=a"], "release=b": "file is missing"}
    assert "sha256 differs" in problems["release=a"]
    assert run(["--home", str(home), "data", "verify"]) == 1
    assert "2 of 2 partition file(s) differ" in capsys.readouterr().err


def test_verify_checks_rows_of_partitions_loaded_before_hashes_were_recorded(home: Path) -> None:
    load(home, "a", 1.0)
    manifest = json.loads((home / "manifest.json").read_text())
    part = manifest["tables"]["gdp"][0]
    del part["sha256"]
    part["rows"] = 7
    (home / "manifest.json").write_text(json.dumps(manifest))
    (row,) = verify(home)
    assert not row["ok"]
    assert row["problem"] == "holds 1 rows, the manifest says 7"


def test_two_files_for_one_partition_are_refused(home: Path) -> None:
    load(home, "a", 1.0)
    before = tree(home)
    with pytest.raises(UserError, match="twice") as caught, transaction(home) as tx:
        tx.replace("gdp", {"release": "b"}, gdp("b", 2.0), source="t", release="b", files=SRC)
        tx.replace(
            "gdp",
            {"release": "b"},
            gdp("b", 3.0),
            source="t",
            release="b",
            files=(SourceFile("other.csv", ""),),
        )
    assert "gdp.csv" in str(caught.value)
    assert "other.csv" in str(caught.value)
    assert tree(home) == before


def test_a_full_disk_is_a_user_error_and_changes_nothing(
    home: Path, sample_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from friendshore.warehouse import store

    load(home, "a", 1.0)
    before = tree(home)

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store.pq, "write_table", full)
    wdi = sample_data / "wdi_gdp" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"
    assert run(["--home", str(home), "ingest", "wdi-gdp", str(wdi)]) == 2
    err = capsys.readouterr().err
    assert "No space left on device" in err
    assert "nothing was changed" in err
    assert len(err.strip().splitlines()) == 1
    assert tree(home) == before


@pytest.mark.parametrize("command", [["data", "status"], ["sql", "select 1"], ["ingest", "sample"]])
def test_home_pointing_at_a_file_is_a_user_error(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "not-a-folder"
    home.write_text("x")
    assert run(["--home", str(home), *command]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err
    assert "Traceback" not in err
    assert home.read_text() == "x"


def test_two_loads_at_once_lose_nothing(home: Path, reliability: Any) -> None:
    """The second writer waits for the lock and reads the manifest the first one committed."""
    load(home, "base", 1.0)
    staged, release, second_waiting = threading.Event(), threading.Event(), threading.Event()
    errors: list[BaseException] = []

    def first() -> None:
        try:
            with transaction(home) as tx:
                tx.replace("gdp", {"release": "one"}, gdp("one", 2.0), source="t", release="one", files=SRC)
                staged.set()
                assert release.wait(30)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    def second() -> None:
        try:
            assert staged.wait(30)
            second_waiting.set()
            load(home, "two", 3.0)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    assert second_waiting.wait(30)
    release.set()
    for t in threads:
        t.join(60)
    releases = sorted(p.key["release"] for p in read_manifest(home).partitions("gdp"))
    kept = not errors and releases == ["base", "one", "two"] and all(r["ok"] for r in verify(home))
    reliability("concurrency", "two loads at once (threads)", clean=kept, data_lost=not kept)
    assert errors == []
    assert releases == ["base", "one", "two"]
    assert total(home) == 6.0
    assert all(r["ok"] for r in verify(home))


def test_readers_during_a_load_see_the_old_or_the_new_data_never_a_mix(home: Path, reliability: Any) -> None:
    with transaction(home) as tx:
        for release in ("a", "b"):
            tx.replace("gdp", {"release": release}, gdp(release, 1.0), source="t", release=release, files=SRC)
    assert total(home) == 2.0  # builds the cache of the old version
    staged, release = threading.Event(), threading.Event()

    def loader() -> None:
        with transaction(home) as tx:
            tx.replace("gdp", {"release": "a"}, gdp("a", 10.0), source="t", release="a", files=SRC)
            tx.replace("gdp", {"release": "b"}, gdp("b", 10.0), source="t", release="b", files=SRC)
            staged.set()
            assert release.wait(30)

    thread = threading.Thread(target=loader)
    thread.start()
    assert staged.wait(30)
    during = total(home)
    release.set()
    thread.join(60)
    after = total(home)
    reliability("concurrency", "a reader during a load", clean=(during, after) == (2.0, 20.0))
    assert during == 2.0  # mid-load: both partitions old
    assert after == 20.0  # after the commit: both new


def test_ingest_sample_is_one_transaction(
    home: Path, sample_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failure (or a kill) after some sources were read leaves the warehouse as it was."""
    from friendshore.warehouse import ingest

    load(home, "a", 1.0)
    before = tree(home)
    real = ingest.stage_source

    def fail_on_bgs(tx: object, name: str, path: Path) -> None:
        if name == "bgs":
            raise KeyboardInterrupt  # Ctrl-C after BACI and most sources were staged
        real(tx, name, path)  # type: ignore[arg-type]

    monkeypatch.setattr(ingest, "stage_source", fail_on_bgs)
    assert run(["--home", str(home), "ingest", "sample"]) == 130
    assert "nothing was changed" in capsys.readouterr().err
    assert tree(home) == before
    assert list((home / "data").glob("*/*.parquet")) == [home / read_manifest(home).files("gdp")[0]]
