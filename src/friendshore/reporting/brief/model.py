"""What a rendered brief is made of: page 1 (from the brief analysis's ``Result``), sections of
charts and tables (from the evidence results), and the files written.

The brief analysis (``friendshore.analyses.brief``) decides; this module only holds what is shown.
Sentences are the analysis's templates with ``{name}`` for each figure; ``render_statement`` formats
each figure by its unit (``reporting/format.py``) and nothing else.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from friendshore.analyses.brief_evidence import Evidence
from friendshore.analyses.result import Result, json_safe
from friendshore.reporting.charts import Chart
from friendshore.reporting.format import format_value

__all__ = ["Brief", "BriefFiles", "ChartBlock", "Gap", "Section", "TableBlock", "Text", "plain", "statements",
           "table_rows"]  # fmt: skip


def plain(value: Any) -> Any:
    """A value as JSON carries it: ``json_safe`` plus text for anything else (paths)."""
    return json.loads(json.dumps(json_safe(value), default=str))


def statements(result: Result) -> dict[str, str]:
    """Every sentence of the brief result (findings and page-1 statements), its figures formatted."""
    figures: dict[str, dict[str, str]] = {}
    for f in result.tables["figures"].to_pylist():
        value = json.loads(f["value"])
        fixed = f.get("digits") is not None and isinstance(value, int | float) and not isinstance(value, bool)
        text = f"{value:.{f['digits']}f}" if fixed else format_value(value, f["unit"])
        figures.setdefault(f["statement"], {})[f["name"]] = text
    out = {}
    for row in [*result.table.to_pylist(), *result.tables["statements"].to_pylist()]:
        text = str(row["template"]).format(**figures.get(row["id"], {}))
        out[row["id"]] = text[:1].upper() + text[1:]
    return out


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


@dataclass(frozen=True)
class Text:
    """A paragraph."""

    text: str


Block = ChartBlock | TableBlock | Gap | Text


@dataclass
class Section:
    """One numbered section: a headline, then charts, tables and paragraphs."""

    id: str
    number: int
    title: str
    question: str
    headline: str | None = None
    blocks: list[Block] = field(default_factory=list)
    annex: bool = False

    @property
    def charts(self) -> list[Chart]:
        return [b.chart for b in self.blocks if isinstance(b, ChartBlock)]

    @property
    def gaps(self) -> list[Gap]:
        return [b for b in self.blocks if isinstance(b, Gap)]


@dataclass
class Brief:
    """Everything a brief shows, before it is written."""

    result: Result
    evidence: Evidence
    sections: list[Section]
    generated: str
    methods: Any
    sentences: dict[str, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return self.result.title

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


@dataclass(frozen=True)
class BriefFiles:
    """What ``build_brief`` wrote."""

    html: Path
    pdf: Path | None
    data: Path
    provenance: Path
    findings: Path
    brief: Brief


def table_rows(
    result: Result,
    columns: Sequence[str],
    *,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    limit: int = 12,
    table: Any = None,
) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[bool, ...], int]:
    """Headers, formatted rows (``format_value`` by unit), which columns are numbers, and the
    number of rows. ``labels`` replaces a code by a readable name (``{"exporter": {"CHN": "China"}}``)."""
    from friendshore.analyses.result import Column, guess_unit

    data = result.table if table is None else table
    cols = [c for c in columns if c in data.column_names]
    described = {
        c: result.column(c)
        if c in result.table.column_names
        else Column(c, unit=guess_unit(data.schema.field(c).type))
        for c in cols
    }
    headers = tuple(described[c].title for c in cols)
    numeric = tuple(described[c].unit not in ("code", "text", "flag", "date", "year") for c in cols)
    out = []
    for row in data.select(cols).slice(0, limit).to_pylist():
        cells = []
        for c in cols:
            name = (labels or {}).get(c, {}).get(str(row[c]))
            cells.append(name if name else format_value(row[c], described[c].unit))
        out.append(tuple(cells))
    return headers, tuple(out), numeric, data.num_rows
