"""The DuckDB type names Ibis parses are parsed once per process (``warehouse.connect``): the
schemas read through that memory are those sqlglot gives for every column of every loaded table."""

from __future__ import annotations

from pathlib import Path

import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql.datatypes import DuckDBType

from friendshore.settings import load_settings
from friendshore.warehouse.connect import open_snapshot


def test_remembered_type_names_give_sqlglots_schema(sample_home: Path, sample_data: Path) -> None:
    snap = open_snapshot(load_settings(home=sample_home, backend="duckdb", sample_data=sample_data))
    assert getattr(DuckDBType.from_string, "remembered", False)
    checked = 0
    for name in ("trade", "gdp", "governance", "mineral_production"):
        if not snap.has(name):
            continue
        described = snap.con.raw_sql(f'DESCRIBE "{name}"').fetchall()
        schema = snap.table(name).schema()
        for column, text, null, *_ in described:
            parsed = DuckDBType.to_ibis(
                sg.parse_one(text, into=sge.DataType, read="duckdb"), nullable=null == "YES"
            )
            assert schema[column] == parsed, (name, column, text)
            checked += 1
        schema_again = snap.table(name).schema()  # the second read comes from the memory
        assert schema_again == schema
    assert checked >= 10
