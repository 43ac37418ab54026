"""Ibis's repeated work answered from a memory (``warehouse.ibis_speed``) gives Ibis's own answers:
the schemas sqlglot gives for every column of every loaded table, and the complexity scores and
SQL that Ibis's own ``complexity`` gives for the analyses' queries."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import ibis
import pytest
import sqlglot as sg
import sqlglot.expressions as sge
from ibis.backends.sql import rewrites
from ibis.backends.sql.datatypes import DuckDBType

from friendshore.analyses.supply_risk import supply_risk
from friendshore.settings import load_settings
from friendshore.warehouse import ibis_speed
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


def _ibis_complexity(node: Any) -> int:
    """Ibis's own score: the function ``speed_up_ibis`` replaced (not a copy of its code, so a new
    Ibis whose score differs fails here)."""
    ibis_speed.speed_up_ibis()
    assert ibis_speed.ibis_complexity is not None
    assert ibis_speed.ibis_complexity is not ibis_speed.complexity
    return int(ibis_speed.ibis_complexity(node))


def test_the_remembered_score_is_ibis_score_on_small_graphs() -> None:
    t = ibis.table({"a": "int64", "b": "string"}, name="t")
    shared = (t.a + 1).name("c")
    s = t.select(shared, d=shared * 2, e=shared * shared).filter(lambda r: r.c > 3)
    impure = t.select(r=ibis.random() + t.a)
    for expr in (t, s, s.select("d"), impure, s.group_by("c").aggregate(n=s.e.sum())):
        node = expr.op()
        assert ibis_speed.complexity(node) == _ibis_complexity(node)
    assert ibis_speed.complexity(impure.op()) >= sys.maxsize


def test_the_remembered_score_and_sql_are_ibis_own_on_an_analysis(
    sample_home: Path, sample_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every score an analysis's queries ask for equals Ibis's own, and the queries compile to the
    same SQL text as with Ibis's own score."""
    asked: list[int] = []
    compiled: dict[str, list[str]] = {"ours": [], "ibis": []}
    settings = load_settings(home=sample_home, sample_data=sample_data)
    backend = type(open_snapshot(settings).con)
    compile_sql = backend.compile

    def record(into: str) -> Any:
        def compile(self: Any, expr: Any, **kw: Any) -> Any:
            sql = compile_sql(self, expr, **kw)
            compiled[into].append(str(sql))
            return sql

        return compile

    def both(node: Any) -> int:
        ours = ibis_speed.complexity(node)
        assert ours == _ibis_complexity(node), node
        asked.append(ours)
        return ours

    monkeypatch.setattr(rewrites, "complexity", both)
    monkeypatch.setattr(backend, "compile", record("ours"))
    supply_risk(settings, importer="IND", year=2024)
    assert len(asked) >= 20  # 27 with Ibis 12
    monkeypatch.setattr(rewrites, "complexity", _ibis_complexity)
    monkeypatch.setattr(backend, "compile", record("ibis"))
    supply_risk(settings, importer="IND", year=2024)
    assert compiled["ours"]
    assert [_unnamed(q) for q in compiled["ours"]] == [_unnamed(q) for q in compiled["ibis"]]


def _unnamed(sql: str) -> str:
    """The SQL with the generated names of in-memory tables (new for each call) left out."""
    return re.sub(r"ibis_\w+_memtable_\w+", "memtable", sql)
