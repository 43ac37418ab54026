"""What a brief is made of: sections of sentences, charts and tables, every number quoted from a
``Result``.

A ``Figure`` is one number as it appears in the text, with where it came from: the analysis call
(``Call``: function and keyword arguments), the table, the row (by its key columns) and the column.
Tests re-run the call and compare; the renderer only prints ``Figure.text``.
"""

from __future__ import annotations

import string
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from friendshore.analyses.result import Result, json_safe
from friendshore.reporting.charts import Chart

__all__ = ["Call", "ChartBlock", "Figure", "Gap", "Section", "Sentence", "TableBlock", "plain", "sentence"]


def plain(value: Any) -> Any:
    """A value as JSON carries it: ``json_safe`` plus text for anything else (paths)."""
    import json

    return json.loads(json.dumps(json_safe(value), default=str))


@dataclass(frozen=True)
class Call:
    """One analysis call of the brief: ``module:function`` with its keyword arguments."""

    key: str
    target: str
    kwargs: Mapping[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "function": self.target, "arguments": plain(dict(self.kwargs))}


@dataclass(frozen=True)
class Figure:
    """A number quoted from a result: the text people read and the cell it came from."""

    text: str
    value: Any
    unit: str
    call: str
    column: str
    row: Mapping[str, Any]
    table: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "value": plain(self.value),
            "unit": self.unit,
            "call": self.call,
            "table": self.table,
            "row": plain(dict(self.row)),
            "column": self.column,
        }


@dataclass(frozen=True)
class Sentence:
    """Text with figures in it (``parts`` alternate plain text and ``Figure``s), and the section it
    links to."""

    parts: tuple[str | Figure, ...]
    link: str = ""

    @property
    def text(self) -> str:
        return "".join(p if isinstance(p, str) else p.text for p in self.parts)

    @property
    def figures(self) -> list[Figure]:
        return [p for p in self.parts if isinstance(p, Figure)]


def sentence(template: str, link: str = "", **values: str | Figure) -> Sentence:
    """``sentence("{share} of imports come from {who}", share=fig, who="CHN")``."""
    parts: list[str | Figure] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        if literal:
            parts.append(literal)
        if name is not None:
            parts.append(values[name])
    return Sentence(tuple(parts), link)


@dataclass(frozen=True)
class ChartBlock:
    chart: Chart


@dataclass(frozen=True)
class TableBlock:
    """A table as people read it (formatted cells) and the CSV that holds all of it."""

    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]
    csv: str
    shown: int
    total: int
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Gap:
    """What a section could not show, in one line (never a guess in its place)."""

    text: str


Block = ChartBlock | TableBlock | Gap | Sentence


@dataclass
class Section:
    """One numbered section: a headline (number first), then charts and tables."""

    id: str
    number: int
    title: str
    question: str
    headline: Sentence | None = None
    blocks: list[Block] = field(default_factory=list)
    findings: list[Sentence] = field(default_factory=list)
    results: dict[str, Result] = field(default_factory=dict)

    @property
    def charts(self) -> list[Chart]:
        return [b.chart for b in self.blocks if isinstance(b, ChartBlock)]

    @property
    def gaps(self) -> list[Gap]:
        return [b for b in self.blocks if isinstance(b, Gap)]


def table_rows(
    result: Result,
    columns: Sequence[str],
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    limit: int = 12,
    table: Any = None,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[bool, ...], int]:
    """Headers, formatted rows (``format_value`` by unit), which columns are numbers, and the
    number of rows. ``labels`` adds a readable name after a code (``{"hs6": {"850511": "..."}}``)."""
    from friendshore.analyses.columns import CATALOGUE
    from friendshore.analyses.result import Column, guess_unit
    from friendshore.reporting.format import format_value

    data = result.table if table is None else table
    cols = [c for c in columns if c in data.column_names]
    described = {
        c: result.column(c)
        if c in result.table.column_names
        else CATALOGUE.get(c) or Column(c, unit=guess_unit(data.schema.field(c).type))
        for c in cols
    }
    headers = tuple(described[c].title for c in cols)
    numeric = tuple(described[c].unit not in ("code", "text", "flag", "date", "year") for c in cols)
    out = []
    for row in data.select(cols).slice(0, limit).to_pylist():
        cells = []
        for c in cols:
            text = format_value(row[c], described[c].unit)
            extra = (labels or {}).get(c, {}).get(str(row[c]))
            cells.append(f"{text} {extra}" if extra else text)
        out.append(tuple(cells))
    return headers, tuple(out), numeric, data.num_rows
