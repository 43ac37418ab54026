"""What every section of the brief uses: the chart source line, tables from results, names."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Result
from friendshore.reporting.brief.model import Gap, Section, TableBlock, table_rows

__all__ = ["country_names", "gap_or", "source", "table"]

#: The publishers of the warehouse's sources as people know them, and the prefix their release
#: names repeat ("MCS2023" is the 2023 Mineral Commodity Summaries).
_PUBLISHERS = {
    "cepii-baci": ("CEPII BACI", ""),
    "usgs-mcs": ("USGS Mineral Commodity Summaries", "MCS"),
    "bgs": ("BGS World Mineral Statistics", "WMS"),
    "wgi": ("World Bank governance indicators", ""),
    "unga": ("UN General Assembly ideal points", ""),
    "geodist": ("CEPII GeoDist", "geodist"),
    "eto": ("CSET Emerging Technology Observatory", ""),
    "wdi": ("World Bank WDI", ""),
}


def source(result: Result) -> str:
    """The source line of a chart: the publishers and releases of the data behind the result, each
    publisher once with its releases."""
    seen: dict[str, dict[str, None]] = {}
    for p in result.provenance:
        name, prefix = _PUBLISHERS.get(p.source, (p.source, ""))
        release = str(p.release or "")
        if prefix and release.lower().startswith(prefix.lower()):
            release = release[len(prefix) :].lstrip("-_ ")
        seen.setdefault(name, {})[release] = None
    for s in result.sources:
        if s:
            seen.setdefault(Path(s).name, {})
    said = [f"{name} {', '.join(r for r in releases if r)}".strip() for name, releases in seen.items()]
    return "; ".join(said) + "; friendshore " + result.analysis


def country_names(result: Result, *columns: str, names: Names) -> dict[str, dict[str, str]]:
    """``{"exporter": {"CHN": "China", ...}}`` for the code columns of a result."""
    out: dict[str, dict[str, str]] = {}
    for col in columns:
        if col in result.table.column_names:
            out[col] = {str(c): names.of(str(c)) for c in set(result.table.column(col).to_pylist()) if c}
    return out


def table(
    section: Section,
    result: Result,
    key: str,
    columns: Sequence[str],
    *,
    title: str,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    limit: int = 10,
    data: Any = None,
    headers: Mapping[str, str] | None = None,
    notes: Sequence[str] = (),
) -> TableBlock:
    """A table of ``result`` (or of ``data``, one of its tables) with names for codes."""
    heads, rows, numeric, total = table_rows(result, columns, labels=labels, limit=limit, table=data)
    present = [c for c in columns if c in (result.table if data is None else data).column_names]
    if headers:
        heads = tuple(headers.get(c, h) for c, h in zip(present, heads, strict=True))
    block = TableBlock(title, heads, rows, numeric, f"data/{key}.csv", len(rows), total, tuple(notes))
    section.blocks.append(block)
    return block


def gap_or(section: Section, ev: Evidence, key: str) -> Result | None:
    """The evidence result ``key``, or a one-line gap in the section saying why there is none."""
    result = ev.get(key)
    if result is None:
        section.blocks.append(Gap(ev.gaps.get(key, f"{key.replace('_', ' ')} was not asked")))
    return result
