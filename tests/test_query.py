"""Read-only SQL: the engine itself refuses writes, files, settings and a second statement.

Regression tests for issue 20: ``select E'\\' -- '; copy (...) to 'x.csv'; --'`` wrote a file
(sqlglot and DuckDB split the text differently), ``read_text('/etc/passwd')`` and friends read any
file, and every engine exception became a user error.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pytest

from friendshore.errors import ReadOnlyQueryError, UserError
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from friendshore.warehouse import read_manifest, run_query, transaction
from friendshore.warehouse.duckdb_cache import cache_path
from friendshore.warehouse.query import check_read_only, query_connection
from friendshore.warehouse.store import SourceFile

PAYLOAD = "select E'\\' -- '; copy (select 42 as pwned) to '{target}'; --'"


def _digest_tree(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.name != ".lock"
    }


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small warehouse (one gdp partition, a '[/x]' country name) with its DuckDB cache built."""
    home = tmp_path_factory.mktemp("query") / "warehouse"
    table = pa.table(
        {
            "release": ["r1", "r1"],
            "country": ["USA", "[/x]"],
            "year": pa.array([2020, 2020], pa.int16()),
            "gdp_usd": [1.0, 2.0],
        }
    )
    with transaction(home) as tx:
        tx.replace(
            "gdp", {"release": "r1"}, table, source="t", release="r1", files=(SourceFile("g.csv", "0" * 64),)
        )
    assert run_query(load_settings(home=home), "select count(*) from gdp").column(0)[0].as_py() == 2
    return home


@pytest.mark.parametrize(
    "sql",
    [
        "select 1 as x",
        "SELECT count(*) FROM gdp WHERE year = 2020",
        "with t as (select 1 as a) select a from t",
        "select 1 union all select 2",
        "select * from gdp order by gdp_usd desc limit 5",
        "select * from range(3)",
        "select x from unnest([1, 2]) as t(x)",
    ],
)
def test_reads_pass(warehouse: Path, sql: str) -> None:
    assert run_query(load_settings(home=warehouse), sql).num_rows >= 1


@pytest.mark.parametrize(
    "sql",
    [
        "drop table gdp",
        "delete from gdp",
        "insert into gdp values (1)",
        "update gdp set gdp_usd = 0",
        "create table x as select 1",
        "copy gdp to 'x.csv'",
        "attach 'other.db'",
        "select 1; drop table gdp",
        "pragma version",
        "set threads = 1",
        "install httpfs",
        "load httpfs",
        "export database 'somewhere'",
        PAYLOAD.format(target="x.csv"),
    ],
)
def test_writes_refused(sql: str, reliability: Any) -> None:
    try:
        check_read_only(sql)
    except ReadOnlyQueryError:
        reliability("sql", sql, clean=True)
        return
    reliability("sql", sql, escaped=True)
    pytest.fail(f"not refused: {sql}")


@pytest.mark.parametrize(
    "sql",
    [
        "select * from read_text('/etc/passwd')",
        "select * from read_text('/proc/self/environ')",
        "select * from read_csv('/etc/passwd')",
        "select * from read_csv_auto('/etc/passwd')",
        "select * from read_csv('https://example.com/x.csv')",
        "select * from read_blob('/etc/hostname')",
        "select * from glob('/*')",
        "select * from sniff_csv('/etc/passwd')",
        "select * from read_parquet('/tmp/elsewhere.parquet')",
        "select * from read_json('/etc/passwd')",
        "select * from duckdb_settings()",
        "select * from duckdb_databases()",
        "select * from query('select 1')",
        "select current_setting('home_directory')",
        "select * from gdp where country in (select * from read_text('/etc/passwd'))",
        "with t as (select * from glob('/*')) select * from t",
        "select * from '/etc/hosts.csv'",
    ],
)
def test_file_access_refused(warehouse: Path, sql: str, reliability: Any) -> None:
    try:
        run_query(load_settings(home=warehouse), sql)
    except ReadOnlyQueryError:
        reliability("sql", sql, clean=True)
        return
    reliability("sql", sql, escaped=True)
    pytest.fail(f"not refused: {sql}")


def test_the_engine_itself_refuses_files_and_settings(warehouse: Path) -> None:
    """Past the statement gate, the connection cannot write or read a file, nor unlock itself."""
    cache = cache_path(warehouse)
    assert cache is not None
    assert cache.exists()
    before = _digest_tree(warehouse)
    target = warehouse.parent / "pwned.csv"
    with query_connection(cache) as db:
        for statement in (
            f"copy (select 42) to '{target}'",
            f"copy (select 42) to '{cache}' (format csv, use_tmp_file false)",  # the attached file
            f"copy (select 42) to '{cache}.wal' (format csv)",
            "select * from read_text('/etc/passwd')",
            f"attach '{warehouse / 'other.db'}' as o",
            "install httpfs",
        ):
            with pytest.raises(duckdb.PermissionException):
                db.execute(statement)
        with pytest.raises(duckdb.InvalidInputException, match="locked"):
            db.execute("set enable_external_access = true")
        assert db.execute("select count(*) from gdp").fetchone() == (2,)
    assert not target.exists()
    assert _digest_tree(warehouse) == before
    assert not list(cache.parent.glob(".query-*"))  # the private link folder is gone


def test_payload_from_the_issue_writes_nothing(
    warehouse: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reliability: Any,
) -> None:
    monkeypatch.chdir(tmp_path)
    before = _digest_tree(warehouse)
    for target in ("x.csv", str(warehouse / read_manifest(warehouse).files("gdp")[0])):
        payload = PAYLOAD.format(target=target)
        code = run(["--home", str(warehouse), "sql", payload])
        err = capsys.readouterr().err
        wrote = (tmp_path / "x.csv").exists() or _digest_tree(warehouse) != before
        # the report names no temporary folder or file (it is the same from run to run)
        shown = (
            payload.replace(target, "WAREHOUSE/data/gdp/PARTITION.parquet") if target != "x.csv" else payload
        )
        reliability("sql", f"cli: {shown}", clean=code == 2 and not wrote, escaped=wrote, data_lost=wrote)
        assert code == 2
        assert err.startswith("error:")
        assert "exactly one SQL statement" in err
    assert not (tmp_path / "x.csv").exists()
    assert _digest_tree(warehouse) == before


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ("select 'unterminated", "does not parse"),
        ("select $1$", "does not parse"),
        ("select $1", "query failed"),
        ("select 'a'::int", "query failed"),
        ("select * from no_such_table", "query failed"),
        ("selec from where", "does not parse"),
        ("", "exactly one SQL statement"),
    ],
)
def test_query_errors_are_user_errors(
    warehouse: Path, sql: str, message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--home", str(warehouse), "sql", sql]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert message in err
    assert len(err.strip().splitlines()) == 1
    assert "Traceback" not in err


def test_engine_failures_that_are_not_about_the_query_are_internal(tmp_path: Path) -> None:
    """A cache file that is not a database is not the user's query's fault: it is not a UserError."""
    bogus = tmp_path / "duckdb-0.duckdb"
    bogus.write_bytes(b"not a database" * 100)
    with pytest.raises(duckdb.IOException), query_connection(bogus):
        pass


def test_sql_is_refused_on_spark_without_starting_it(
    warehouse: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "select reflect('java.lang.System', 'getenv', 'HOME')"
    with pytest.raises(UserError, match="refused on --backend pyspark"):
        run_query(load_settings(home=warehouse, backend="pyspark"), sql)
    assert run(["--home", str(warehouse), "--backend", "pyspark", "sql", sql]) == 2
    assert "--backend duckdb" in capsys.readouterr().err


def test_markup_in_a_result_cell_prints_as_text(warehouse: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(warehouse), "sql", "select country, '[bold]x[/bold]' as y from gdp"]) == 0
    out = capsys.readouterr().out
    assert "[/x]" in out
    assert "[bold]x[/bold]" in out


def test_no_file_is_left_in_the_working_folder(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run_query(load_settings(home=warehouse), "select * from range(100000) order by range desc")
    assert os.listdir(tmp_path) == []
