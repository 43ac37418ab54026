"""The one shape every analysis returns: ``Result``.

A ``Result`` holds the answer's table, the parameters actually used (resolved group members and
date, year, revision, release), the provenance of every warehouse table read, notes and caveats,
and a description of each column (label, unit, and whether people see it by default). Interfaces
only render it: the CLI as a table, CSV or JSON; the API as JSON with ``meta``; the brief as
sentences, charts and tables.

This module imports only pyarrow, so interfaces can use it without loading an engine.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

import pyarrow as pa

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "UNITS",
    "Column",
    "Provenance",
    "Result",
    "Unit",
    "guess_unit",
    "json_safe",
    "select_columns",
]

#: What a column's numbers are. ``share`` is a fraction in [0, 1] (people see a percentage);
#: ``kusd`` thousand US dollars (BACI); ``usd`` US dollars; ``pct`` a value already in percent or
#: percentage points; ``t`` metric tonnes; ``km`` kilometres; ``index`` a unitless score or index;
#: ``number`` a plain number shown with six significant digits (reproductions, coefficients);
#: ``count`` a whole number of things; ``year`` a calendar year; ``code`` an identifier (ISO3, HS6);
#: ``text``, ``flag`` (true/false) and ``date`` are what they say.
Unit = Literal[
    "share",
    "kusd",
    "usd",
    "pct",
    "t",
    "km",
    "index",
    "number",
    "count",
    "year",
    "code",
    "text",
    "flag",
    "date",
]
UNITS: tuple[str, ...] = Unit.__args__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class Column:
    """How to read one column of a result."""

    name: str
    label: str = ""
    unit: Unit = "text"
    key: bool = False  # shown to people by default
    description: str = ""
    #: the year the column's numbers are of, where it is one year for every row and may differ from
    #: the analysis year (a BGS 2021 production share beside 2024 trade); renderers print it where it
    #: differs. Per-row years go in a column of their own (``<name>_year``).
    year: int | None = None
    #: for a share: its base, i.e. whose total and whether by value or quantity
    #: ("US imports of the product, by value"); required wording for every share column people see.
    basis: str = ""
    #: where rows differ in year: the column holding each row's source year (default ``<name>_year``
    #: when the table has one; ``wgi_year`` for ``wgi_mean``)
    year_column: str = ""

    def __post_init__(self) -> None:
        if self.unit not in UNITS:
            raise ValueError(f"column '{self.name}': unknown unit '{self.unit}' (known: {', '.join(UNITS)})")

    @property
    def title(self) -> str:
        return self.label or self.name.replace("_", " ")

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.title,
            "unit": self.unit,
            "key": self.key,
            "description": self.description,
            "year": self.year,
            "basis": self.basis,
            "year_column": self.year_column,
        }


@dataclass(frozen=True)
class Provenance:
    """One loaded warehouse partition a result was computed from."""

    table: str
    source: str  # the source catalogue id (friendshore.sources.catalogue): publisher, licence, citation
    release: str
    partition: Mapping[str, Any]
    files: tuple[tuple[str, str], ...]  # (file name, or "zip:member"; sha256)
    loaded_at: str
    rows: int
    coverage: str = "complete"
    use: str = ""  # how the analysis read it (trade: the revision mapping; a concordance: what it maps)

    def describe(self) -> str:
        """One line for people (stderr, the brief's methods section)."""
        files = "; ".join(f"{name} sha256 {digest[:12]}" for name, digest in self.files)
        where = ", ".join(f"{k}={v}" for k, v in self.partition.items())
        cover = "" if self.coverage == "complete" else f", coverage: {self.coverage}"
        use = f"; {self.use}" if self.use else ""
        return (
            f"{self.table} [{where}] <- {self.source} {self.release} ({files}), "
            f"loaded {self.loaded_at[:10]}{cover}{use}"
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "table": self.table,
            "source": self.source,
            "release": self.release,
            "partition": dict(self.partition),
            "files": [{"name": name, "sha256": digest} for name, digest in self.files],
            "loaded_at": self.loaded_at,
            "rows": self.rows,
            "coverage": self.coverage,
            "use": self.use,
        }


def json_safe(value: Any) -> Any:
    """A value as JSON can carry it: non-finite floats become null, dates ISO text."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        items = sorted(value) if isinstance(value, set | frozenset) else value
        return [json_safe(v) for v in items]
    return value


@dataclass(frozen=True)
class Result:
    """The answer to one question.

    ``table`` is the main table (rows in the order people should read them). ``tables`` holds any
    further named tables (a plan's allocations, a simulation's diagnostics). ``parameters`` are the
    parameters actually used, after defaults and resolution (JSON-safe values). ``provenance``
    names every loaded partition read; ``sources`` names files read directly (model inputs).
    """

    analysis: str
    title: str
    table: pa.Table
    parameters: Mapping[str, Any] = field(default_factory=dict)
    provenance: tuple[Provenance, ...] = ()
    notes: tuple[str, ...] = ()
    columns: tuple[Column, ...] = ()
    tables: Mapping[str, pa.Table] = field(default_factory=dict)
    sources: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        described = {c.name for c in self.columns}
        extra = described - set(self.table.column_names)
        if extra:
            raise ValueError(f"{self.analysis}: columns described but not in the table: {sorted(extra)}")

    # -- reading ---------------------------------------------------------------------------
    def column(self, name: str) -> Column:
        """The description of column ``name`` (a plain one when the analysis gave none)."""
        for col in self.columns:
            if col.name == name:
                return col
        return Column(name, unit=guess_unit(self.table.schema.field(name).type))

    def described_columns(self) -> list[Column]:
        """Every column of the table, in table order, with its description."""
        return [self.column(name) for name in self.table.column_names]

    def key_columns(self) -> list[str]:
        """The columns people see by default (all of them when none is marked key)."""
        keys = [c.name for c in self.columns if c.key and c.name in self.table.column_names]
        return keys or list(self.table.column_names)

    def rows(self) -> list[dict[str, Any]]:
        rows: list[dict[str, Any]] = self.table.to_pylist()
        return rows

    def to_frame(self) -> pd.DataFrame:
        frame: pd.DataFrame = self.table.to_pandas()
        return frame

    # -- metadata --------------------------------------------------------------------------
    def meta(self) -> dict[str, Any]:
        """Everything but the rows, JSON-safe: for ``--with-meta``, the API and the brief."""
        return {
            "analysis": self.analysis,
            "title": self.title,
            "parameters": json_safe(dict(self.parameters)),
            "provenance": [p.to_json() for p in self.provenance],
            "sources": list(self.sources),
            "notes": list(self.notes),
            "columns": [c.to_json() for c in self.described_columns()],
            "tables": sorted(self.tables),
        }


def guess_unit(kind: pa.DataType) -> Unit:
    if pa.types.is_boolean(kind):
        return "flag"
    if pa.types.is_integer(kind) or pa.types.is_floating(kind):
        return "index"
    if pa.types.is_date(kind) or pa.types.is_timestamp(kind):
        return "date"
    return "text"


def select_columns(result: Result, wanted: Sequence[str] | Literal["key", "all"]) -> list[str]:
    """Resolve a ``--columns`` choice to column names, with a clear error for unknown ones."""
    if wanted == "key":
        return result.key_columns()
    if wanted == "all":
        return list(result.table.column_names)
    unknown = [c for c in wanted if c not in result.table.column_names]
    if unknown:
        from friendshore.errors import UserError

        raise UserError(
            f"unknown column(s) {', '.join(unknown)}; this result has: {', '.join(result.table.column_names)}"
        )
    return list(wanted)
