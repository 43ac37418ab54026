"""Render Arrow tables for people (Rich table) or programs (CSV, JSON) on stdout."""

from __future__ import annotations

import csv
import json
import math
import sys
from typing import Any, Literal

import pyarrow as pa
from rich.console import Console
from rich.table import Table

__all__ = ["Format", "render"]

Format = Literal["table", "csv", "json"]


def _plain(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.6g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def render(table: pa.Table, fmt: Format, *, title: str | None = None, stdout: Any = None) -> None:
    """Write ``table`` to stdout as a Rich table, CSV (header + rows) or a JSON list of objects.

    The table view is for reading: one line per row, long text cut with an ellipsis. CSV and JSON
    carry every value in full.
    """
    out = stdout or sys.stdout
    rows = table.to_pylist()
    if fmt == "csv":
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in rows:
            writer.writerow(["" if v is None else _plain(v) for v in row.values()])
    elif fmt == "json":
        json.dump([{k: _plain(v) for k, v in row.items()} for row in rows], out, indent=1)
        out.write("\n")
    else:
        view = Table(title=title, show_lines=False)
        for name in table.column_names:
            numeric = pa.types.is_integer(table.schema.field(name).type) or pa.types.is_floating(
                table.schema.field(name).type
            )
            view.add_column(
                name,
                justify="right" if numeric else "left",
                no_wrap=True,
                overflow="ellipsis",
                max_width=None if numeric else 36,
            )
        for row in rows:
            view.add_row(*(_cell(v) for v in row.values()))
        tty = getattr(out, "isatty", lambda: False)()
        Console(file=out, width=None if tty else 1000).print(view)
