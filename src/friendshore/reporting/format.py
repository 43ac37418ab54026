"""Numbers for people: one rule per unit, used by the terminal tables, the brief and the dashboard.

``format_value(0.6266, "share")`` is ``62.7 %``; ``format_value(4_957_000.0, "kusd")`` (thousand
USD) is ``4.96 bn USD``. CSV and JSON never go through here: they carry every value in full.

Years and bases (issue 26): a number whose source year differs from the analysis year says its
year: ``column_heading`` adds it to a column's heading (``Column.year``), ``format_cell`` to a cell
whose row has its own year (``Column.year_column``, default ``<name>_year``): ``0.412 (2022)``.
``describe_column`` is a column's description with the base of a share ("of India's imports of the
product, by value").
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from friendshore.analyses.result import Column, Result

__all__ = [
    "analysis_year",
    "column_heading",
    "describe_column",
    "format_cell",
    "format_money",
    "format_value",
    "year_column_of",
]

_SCALES = ((1e12, "tn"), (1e9, "bn"), (1e6, "m"), (1e3, "k"))


def _significant(x: float, digits: int = 3) -> str:
    """``x`` with ``digits`` significant digits, without an exponent (x below 1,000)."""
    if x == 0:
        return "0"
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return f"{x:,.{decimals}f}"


def format_money(usd: float, currency: str = "USD") -> str:
    """An amount in units of ``currency`` with a scale word: ``4.96 bn USD``, ``428 m USD``."""
    sign = "-" if usd < 0 else ""
    amount = abs(usd)
    for scale, word in _SCALES:
        if amount >= scale:
            return f"{sign}{_significant(amount / scale)} {word} {currency}"
    return f"{sign}{_significant(amount)} {currency}"


def _scaled(value: float, unit: str) -> str:
    sign = "-" if value < 0 else ""
    amount = abs(value)
    for scale, word in _SCALES[:3]:
        if amount >= scale:
            return f"{sign}{_significant(amount / scale)} {word} {unit}"
    return f"{sign}{amount:,.0f} {unit}" if amount >= 100 else f"{sign}{_significant(amount)} {unit}"


def format_value(value: Any, unit: str) -> str:
    """One value as people read it, by the column's unit (see ``friendshore.analyses.Unit``)."""
    if value is None:
        return ""
    if isinstance(value, float) and math.isnan(value):
        return "n/a"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bool) or unit == "flag":
        return "yes" if value else "no"
    if not isinstance(value, int | float):
        return str(value)
    if isinstance(value, float) and math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if unit == "share":
        return f"{value * 100:.1f} %"
    if unit == "pct":
        return f"{_significant(value)} %" if abs(value) >= 1 else f"{value:.3f} %"
    if unit == "kusd":
        return format_money(value * 1000.0)
    if unit == "usd":
        return format_money(value)
    if unit == "t":
        return _scaled(value, "t")
    if unit == "km":
        return f"{value:,.0f} km"
    if unit == "number":
        return f"{value:.6g}"
    if unit in ("count", "year", "code"):
        return f"{value:,.0f}" if unit == "count" else f"{value:.0f}"
    if isinstance(value, int):
        return f"{value:,}"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    return f"{value:.3f}"


def analysis_year(result: Result) -> int | None:
    """The year an analysis is of (its ``year`` parameter), ``None`` when it has none or several."""
    year = result.parameters.get("year")
    return year if isinstance(year, int) and not isinstance(year, bool) else None


def year_column_of(column: Column, names: Collection[str]) -> str | None:
    """The column that holds each row's source year for ``column``: its ``year_column``, or
    ``<name>_year`` when the table has one."""
    if column.year_column and column.year_column in names:
        return column.year_column
    own = f"{column.name}_year"
    return own if own in names else None


def column_heading(column: Column, year: int | None) -> str:
    """A column's title, with its source year where that differs from the analysis year."""
    if column.year is not None and column.year != year:
        return f"{column.title} ({column.year})"
    return column.title


def format_cell(value: Any, column: Column, row: Mapping[str, Any], year: int | None) -> str:
    """``format_value`` plus the row's source year where it differs from the analysis year (an
    analysis of no one year shows the year column itself, so its cells carry none)."""
    text = format_value(value, column.unit)
    source = year_column_of(column, row.keys())
    if (
        text
        and year is not None
        and source is not None
        and row.get(source) is not None
        and row[source] != year
    ):
        return f"{text} ({row[source]})"
    return text


def describe_column(column: Column) -> str:
    """A column's description for people, with the base of a share and its source year."""
    parts = [column.description] if column.description else []
    if column.basis:
        parts.append(f"share of {column.basis}")
    if column.year is not None:
        parts.append(f"source year {column.year}")
    elif column.year_column:
        parts.append(f"source year per row in {column.year_column}")
    return "; ".join(parts)
