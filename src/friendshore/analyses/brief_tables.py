"""The tables of the brief analysis's ``Result``: the ranked findings (its main table), every figure
quoted with the result, row and column it comes from, and the page-1 statements."""

from __future__ import annotations

import json

import pyarrow as pa

from friendshore.analyses.brief_evidence import Statement
from friendshore.analyses.result import Column

__all__ = ["FINDING_COLUMNS", "figures_table", "findings_table", "statements_table"]

FINDING_COLUMNS = (
    Column("rank", "rank", "count", True),
    Column("id", "id", "code"),
    Column("kind", "kind", "text"),
    Column("template", "judgement", "text", True),
    Column("value", "value", "number", True, description="the finding's main number, in its unit"),
    Column("unit", "unit", "text", True),
    Column("year", "year", "year", True),
    Column("basis", "base", "text", True),
    Column("result", "from", "text", True, description="the evidence key of the result it comes from"),
    Column("column", "column", "text"),
    Column("row", "row", "text", description="the row's key columns, as JSON"),
    Column("score", "score", "number", description="value at risk x HHI x share (exposures only)"),
)


def findings_table(findings: list[Statement]) -> pa.Table:
    rows = []
    for i, s in enumerate(findings, start=1):
        main = s.main
        rows.append(
            {
                "rank": i,
                "id": s.id,
                "kind": s.kind,
                "template": s.template,
                "value": json.dumps(main.value) if main else None,
                "unit": main.unit if main else None,
                "year": main.year if main else None,
                "basis": main.basis if main else None,
                "result": main.result if main else None,
                "column": main.column if main else None,
                "row": json.dumps(dict(main.row), default=str) if main else None,
                "score": s.score,
            }
        )
    schema = pa.schema([("rank", pa.int64()), ("id", pa.string()), ("kind", pa.string()),
                        ("template", pa.string()), ("value", pa.string()), ("unit", pa.string()),
                        ("year", pa.int64()), ("basis", pa.string()), ("result", pa.string()),
                        ("column", pa.string()), ("row", pa.string()), ("score", pa.float64())])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def figures_table(statements: list[Statement]) -> pa.Table:
    rows = [
        {
            "statement": s.id,
            "name": f.name,
            "value": json.dumps(f.value),
            "unit": f.unit,
            "year": f.year,
            "basis": f.basis,
            "digits": f.digits,
            "result": f.result,
            "table": f.table,
            "column": f.column,
            "row": json.dumps(dict(f.row), default=str),
        }
        for s in statements
        for f in s.figs
    ]
    schema = pa.schema([("statement", pa.string()), ("name", pa.string()), ("value", pa.string()),
                        ("unit", pa.string()), ("year", pa.int64()), ("basis", pa.string()),
                        ("digits", pa.int64()), ("result", pa.string()), ("table", pa.string()),
                        ("column", pa.string()), ("row", pa.string())])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)


def statements_table(statements: list[Statement]) -> pa.Table:
    rows = [{"id": s.id, "kind": s.kind, "template": s.template} for s in statements]
    schema = pa.schema([("id", pa.string()), ("kind", pa.string()), ("template", pa.string())])
    return pa.Table.from_pylist(rows, schema=schema)
