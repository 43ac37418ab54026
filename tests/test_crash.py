"""Crash safety (issue 20): an ingest killed at several points of a large-ish load.

A child process runs the real command line (``friendshore.interfaces.cli.run``) on a copy of a
loaded warehouse, with one function patched to kill the process (SIGKILL, or SIGINT for Ctrl-C)
at a chosen point: no sleeps, the same point every run. Afterwards the warehouse must open,
``friendshore data verify`` must pass, and exactly the old data must be there (the new data, when
the kill comes after the manifest swap); the next load removes the temporaries the kill left.
"""

from __future__ import annotations

import hashlib
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from friendshore.warehouse import read_manifest, run_query

BAD = Path(__file__).parent / "data" / "bad"
COUNTRIES = BAD / "baci" / "country_codes_V202601.csv"
CODES = (156, 490, 699, 842)
NEW_PRODUCTS = 8000
NEW_ROWS = NEW_PRODUCTS * 12

#: Runs in the child: patch one function to kill the process at the chosen point, then run the CLI.
CHILD = r"""
import os, signal, sys
import pyarrow.parquet as pq
from friendshore.warehouse import store
from friendshore.interfaces.cli import run

point, sig = sys.argv[1], getattr(signal, sys.argv[2])

def die():
    os.kill(os.getpid(), sig)

if point == "mid-write":  # the second block of the yearly file, while its partition is written
    from friendshore.sources import baci_fast
    real_write, real_feed, calls = pq.ParquetWriter.write_table, baci_fast._Scan.take, []
    def write_table(self, *a, **k):  # the reference reader
        calls.append(1)
        if len(calls) == 2:
            die()
        return real_write(self, *a, **k)
    def feed(*a, **k):  # the fast path: each block read and checked while DuckDB writes the partition
        calls.append(1)
        if len(calls) == 2:
            die()
        return real_feed(*a, **k)
    pq.ParquetWriter.write_table = write_table
    baci_fast._Scan.take = feed
elif point == "before-manifest":  # every partition file written and hashed, manifest untouched
    real_manifest = store._write_manifest
    def write_manifest(home, manifest):
        die()
        return real_manifest(home, manifest)
    store._write_manifest = write_manifest
elif point == "manifest-written":  # the new manifest fsynced under its temporary name, not swapped
    real_replace = os.replace
    def replace(src, dst, *a, **k):
        if str(src).endswith(".tmp") and str(dst).endswith("manifest.json"):
            die()
        return real_replace(src, dst, *a, **k)
    store.os.replace = replace
elif point == "after-commit":  # manifest swapped, replaced files not yet stamped or collected
    def collect(home, manifest):
        die()
    store._collect_garbage = collect
sys.exit(run(sys.argv[3:]))
"""


def _baci(path: Path, year: int, scale: float, products: int) -> None:
    pairs = [(i, j) for i in CODES for j in CODES if i != j]
    with open(path, "w") as fh:
        fh.write("t,i,j,k,v,q\n")
        for n in range(products):
            for i, j in pairs:
                fh.write(f"{year},{i},{j},{100000 + n},{scale * ((n * 7 + i + j) % 1000) / 8:.3f},NA\n")


def _tree(home: Path) -> dict[str, str]:
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


def _totals(home: Path) -> list[dict[str, Any]]:
    sql = "select year, count(*) as n, sum(value_kusd) as v from trade group by year order by year"
    return run_query(load_settings(home=home), sql).to_pylist()


@pytest.fixture(scope="module")
def loads(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """A warehouse with 2023 and 2024 loaded (the old data), and a new, larger 2024 file."""
    root = tmp_path_factory.mktemp("crash")
    old23, old24, new24 = (root / "y2023", root / "y2024", root / "new")
    for folder in (old23, old24, new24):
        folder.mkdir()
    _baci(old23 / "BACI_HS17_Y2023_V202601.csv", 2023, 1.0, 2000)
    _baci(old24 / "BACI_HS17_Y2024_V202601.csv", 2024, 1.0, 2000)
    new = new24 / "BACI_HS17_Y2024_V202601.csv"
    _baci(new, 2024, 3.0, NEW_PRODUCTS)  # 96,000 rows, about 2.7 MB: three Arrow batches
    home = root / "base"
    for path in (old23 / "BACI_HS17_Y2023_V202601.csv", old24 / "BACI_HS17_Y2024_V202601.csv"):
        assert run(["--home", str(home), "ingest", "baci", str(path), "--countries", str(COUNTRIES)]) == 0
    return {"root": root, "home": home, "new": new, "old": _totals(home)}


def _killed_load(
    loads: dict[str, Any], name: str, point: str, sig: str
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    home = loads["root"] / name
    shutil.copytree(loads["home"], home)
    args = ["--home", str(home), "ingest", "baci", str(loads["new"]), "--countries", str(COUNTRIES)]
    done = subprocess.run(
        [sys.executable, "-c", CHILD, point, sig, *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return home, done


@pytest.mark.parametrize(
    ("point", "sig", "committed"),
    [
        ("mid-write", "SIGKILL", False),
        ("before-manifest", "SIGKILL", False),
        ("manifest-written", "SIGKILL", False),
        ("after-commit", "SIGKILL", True),
        ("mid-write", "SIGINT", False),
    ],
)
def test_a_killed_ingest_leaves_a_consistent_warehouse(
    loads: dict[str, Any],
    point: str,
    sig: str,
    committed: bool,
    capsys: pytest.CaptureFixture[str],
    reliability: Any,
) -> None:
    manifest_before = (loads["home"] / "manifest.json").read_bytes()
    home, done = _killed_load(loads, f"{point}-{sig}", point, sig)
    if sig == "SIGKILL":
        assert done.returncode == -signal.SIGKILL, done.stderr
    else:  # Ctrl-C: rolled back, exit 130, one line saying nothing changed
        assert done.returncode == 130, done.stderr
        assert "nothing was changed" in done.stderr
        assert "Traceback" not in done.stderr
    verified = run(["--home", str(home), "data", "verify", "--format", "csv"]) == 0
    capsys.readouterr()
    totals = _totals(home)
    if committed:
        expected_2024 = {"year": 2024, "n": NEW_ROWS}
        consistent = verified and {k: totals[1][k] for k in ("year", "n")} == expected_2024
        consistent = consistent and totals[0] == loads["old"][0]
    else:
        consistent = verified and totals == loads["old"]
        consistent = consistent and (home / "manifest.json").read_bytes() == manifest_before
    reliability("crash", f"ingest baci, {sig} at {point}", clean=consistent, data_lost=not consistent)
    assert verified
    if committed:
        assert totals[1]["n"] == NEW_ROWS
        assert totals[0] == loads["old"][0]
    else:
        assert totals == loads["old"]
        assert (home / "manifest.json").read_bytes() == manifest_before

    # the next load removes what the kill left: manifest and cache temporaries
    if point == "manifest-written":
        assert list(home.glob(".manifest.json.*.tmp"))
    (home / "cache" / ".leftover.tmp").write_text("partial cache")
    good = BAD / "wdi" / "good" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"
    assert run(["--home", str(home), "ingest", "wdi-gdp", str(good)]) == 0
    capsys.readouterr()
    assert not list(home.glob(".manifest.json.*.tmp"))
    assert not (home / "cache" / ".leftover.tmp").exists()
    assert run(["--home", str(home), "data", "verify", "--format", "csv"]) == 0
    capsys.readouterr()
    named = {p.file for parts in read_manifest(home).tables.values() for p in parts}
    base = {p.relative_to(loads["home"]).as_posix() for p in loads["home"].glob("data/*/*.parquet")}
    left = [p for p in home.glob("data/*/*.parquet") if p.relative_to(home).as_posix() not in named | base]
    assert (
        len(left) <= 2
    )  # the killed load's unnamed trade and countries files (removed after the grace period)


def test_two_ingest_processes_at_once_lose_nothing(loads: dict[str, Any], reliability: Any) -> None:
    """Two loads started together on one warehouse: one waits for the other's lock; both land."""
    home = loads["root"] / "concurrent"
    shutil.copytree(loads["home"], home)
    before = {p.file for parts in read_manifest(home).tables.values() for p in parts}
    cli = [sys.executable, "-m", "friendshore", "--home", str(home), "ingest"]
    procs = [
        subprocess.Popen(
            [*cli, "baci", str(loads["new"]), "--countries", str(COUNTRIES)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ),
        subprocess.Popen(
            [*cli, "wdi-gdp", str(BAD / "wdi" / "good" / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv")],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        ),
    ]
    codes = [p.wait(timeout=300) for p in procs]
    for p in procs:
        assert p.stderr is not None
        p.stderr.close()
    manifest = read_manifest(home)
    both = manifest.rows("gdp") == 4 and any(p.rows == NEW_ROWS for p in manifest.partitions("trade"))
    verified = run(["--home", str(home), "data", "verify", "--format", "csv"]) == 0
    reliability("concurrency", "two ingest processes at once", clean=codes == [0, 0] and both and verified)
    assert codes == [0, 0]
    assert both
    assert verified
    assert _totals(home)[0] == loads["old"][0]  # 2023 untouched
    assert before - {p.file for parts in manifest.tables.values() for p in parts}  # 2024 replaced
