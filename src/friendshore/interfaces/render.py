"""Render results for people (a Rich table) or programs (CSV, JSON) on stdout.

Everything printed is data, never markup: cells, titles and messages go to Rich as ``Text``, so a
``[`` in a country group's name or an ETO description prints as it is. A table for people says
what each share shown is of (its base, in a caption) and the source year of a column or cell where
it differs from the analysis year; JSON with ``--with-meta`` carries both in ``meta.columns``.
"""

from __future__ import annotations

import csv
import json
import math
import re
import sys
from collections.abc import Sequence
from typing import Any, Literal

import pyarrow as pa
from rich.console import Console
from rich.table import Table
from rich.text import Text

from friendshore.analyses.result import Column, Result, guess_unit, json_safe, select_columns
from friendshore.reporting.format import analysis_year, column_heading, format_cell

__all__ = ["Format", "printable", "render", "render_result"]

Format = Literal["table", "csv", "json"]

#: Columns of names, printed whole (a product label is never cut off: "Rare-earth compounds, other than
#: cerium (284690, basket)").
_WHOLE = {"product", "name", "label"}
_NUMERIC_UNITS = {"share", "kusd", "usd", "pct", "t", "km", "index", "number", "count"}


#: Control characters (C0 but newline and tab, DEL, C1): a terminal obeys them (ESC ] 0; sets the
#: window title), so a table for people shows them escaped (``\x1b``); CSV and JSON keep the data.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """``text`` with every control character shown as ``\\xNN`` instead of sent to the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _csv_cell(value: Any) -> Any:
    """A CSV cell: empty when unknown (null, NaN); infinities as ``inf`` and ``-inf``."""
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    return "" if value is None else json_safe(value)


def _write_csv(table: pa.Table, out: Any) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.column_names)
    for row in table.to_pylist():
        writer.writerow([_csv_cell(v) for v in row.values()])


def _rows_json(table: pa.Table) -> list[dict[str, Any]]:
    return [{k: json_safe(v) for k, v in row.items()} for row in table.to_pylist()]


def _caption(described: Sequence[Column]) -> str | None:
    """What each share shown is of (its base): one line each."""
    lines = []
    for col in described:
        if col.basis:
            lines.append(f"{col.title}: share of {col.basis}")
    return "\n".join(dict.fromkeys(lines)) or None


def _print_table(
    table: pa.Table, described: Sequence[Column], title: str | None, out: Any, year: int | None = None
) -> None:
    caption = _caption(described)
    view = Table(
        title=Text(printable(title)) if title else None,
        caption=Text(printable(caption)) if caption else None,
        caption_justify="left",
        show_lines=False,
    )
    for col in described:
        numeric = col.unit in _NUMERIC_UNITS
        view.add_column(
            Text(printable(column_heading(col, year))),
            justify="right" if numeric else "left",
            no_wrap=True,
            overflow="ellipsis",
            max_width=None if numeric or col.name in _WHOLE else 36,
        )
    rows = table.to_pylist()
    for row in rows:
        view.add_row(*(Text(printable(format_cell(row[col.name], col, row, year))) for col in described))
    tty = getattr(out, "isatty", lambda: False)()
    Console(file=out, width=None if tty else 1000, markup=False, highlight=False).print(view)


def render(table: pa.Table, fmt: Format, *, title: str | None = None, stdout: Any = None) -> None:
    """Write a plain table: a Rich table (one line a row), CSV (header + rows) or a JSON list."""
    out = stdout or sys.stdout
    if fmt == "csv":
        _write_csv(table, out)
    elif fmt == "json":
        json.dump(_rows_json(table), out, indent=1)
        out.write("\n")
    else:
        described = [Column(n, unit=guess_unit(table.schema.field(n).type)) for n in table.column_names]
        _print_table(table, described, title, out)


def render_result(
    result: Result,
    fmt: Format,
    *,
    columns: Sequence[str] | Literal["key", "all"] = "key",
    with_meta: bool = False,
    stdout: Any = None,
) -> None:
    """Write a ``Result``: for people its key columns with units (``--columns`` for more); CSV and
    JSON carry every column unchanged; ``with_meta`` wraps JSON as ``{"rows": ..., "meta": ...}``."""
    out = stdout or sys.stdout
    if fmt == "csv":
        _write_csv(result.table, out)
    elif fmt == "json":
        rows = _rows_json(result.table)
        json.dump({"rows": rows, "meta": result.meta()} if with_meta else rows, out, indent=1)
        out.write("\n")
    else:
        names = select_columns(result, columns)
        _print_table(
            result.table, [result.column(n) for n in names], result.title, out, analysis_year(result)
        )
