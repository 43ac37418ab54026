"""Issue 30, items 6 and 8 (sql): the engine's views are refused like its functions; every DuckDB
type renders in every format; a repeated column name is renamed, never dropped."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from friendshore.errors import ReadOnlyQueryError
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from friendshore.warehouse import run_query

VIEWS = [
    "select * from pg_settings",
    "select * from pg_catalog.pg_settings",
    "select name, value from PG_SETTINGS where name = 'allowed_paths'",
    "select * from duckdb_databases",
    "select * from pragma_database_list",
    "select * from information_schema.schemata",
    "select * from system.main.duckdb_settings",
    "with s as (select * from pg_settings) select * from s",
    "select (select count(*) from duckdb_databases) n",
]


@pytest.mark.parametrize("sql", VIEWS)
def test_30_6_catalog_and_settings_views_are_refused(tmp_path: Path, sql: str, reliability: Any) -> None:
    settings = load_settings(home=tmp_path / "warehouse")
    try:
        run_query(settings, sql)
    except ReadOnlyQueryError:
        reliability("sql", sql, clean=True)
        return
    reliability("sql", sql, escaped=True)
    pytest.fail(f"not refused: {sql}")


TYPES = (
    "select 'a\\x00b'::blob as b, 170141183460469231731687303715884105727::hugeint as h, "
    "1.50::decimal(10, 2) as d, '12:30:01'::time as t, '0101'::bit as bits, "
    "123456789012345678901234567890::varint as v, 340282366920938463463374607431768211455::uhugeint as u, "
    "'infinity'::date as inf_date, '-infinity'::timestamp as minus_inf_ts, interval 3 day as i"
)


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
def test_30_8_every_type_renders_in_every_format(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--home", str(tmp_path / "w"), "sql", "--format", fmt, TYPES])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "internal error" not in err
    if fmt == "json":
        (row,) = json.loads(out)
        assert row["h"] == "170141183460469231731687303715884105727"  # exact, as a string
        assert row["u"] == "340282366920938463463374607431768211455"
        assert row["d"] == "1.50"
        assert row["bits"] == "0101"
        assert (row["inf_date"], row["minus_inf_ts"]) == ("infinity", "-infinity")
        assert row["t"] == "12:30:01"
    elif fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(out)))
        assert rows[0]["inf_date"] == "infinity"


def test_30_8_repeated_column_names_are_renamed_not_dropped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for fmt in ("table", "csv", "json"):
        code = run(["--home", str(tmp_path / "w"), "sql", "--format", fmt, "select 'a' as x, 'b' as x"])
        out, err = capsys.readouterr()
        assert code == 0, err
        assert "a" in out
        assert "b" in out
    table = run_query(load_settings(home=tmp_path / "w"), "select 'a' as x, 'b' as x, 'c' as x_2")
    assert table.column_names == ["x", "x_2", "x_2_2"]
    assert table.to_pylist() == [{"x": "a", "x_2": "b", "x_2_2": "c"}]


def test_30_8_deep_nested_list_is_no_internal_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "select " + "[" * 500 + "1" + "]" * 500 + " as deep"
    for fmt in ("table", "csv", "json"):
        code = run(["--home", str(tmp_path / "w"), "sql", "--format", fmt, sql])
        _, err = capsys.readouterr()
        assert code in (0, 2), err
        assert "internal error" not in err


def test_30_9_csv_writes_infinity_as_inf(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sql = "select 'inf'::double as a, '-inf'::double as b, 'nan'::double as c, null::double as d"
    assert run(["--home", str(tmp_path / "w"), "sql", "--format", "csv", sql]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "inf,-inf,,"


def test_30_9_terminal_table_strips_control_characters(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "select chr(27) || ']0;pwned' || chr(7) || chr(155) || '2J' as title"
    assert run(["--home", str(tmp_path / "w"), "sql", sql]) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out
    assert "\x07" not in out
    assert "\x9b" not in out
    assert "\\x1b]0;pwned\\x07" in out
