"""What every benchmark section returns: its Markdown and its measurements as records.

``bench/run.py`` writes the records of one run to ``bench/results/latest.json`` (a list of
``Record.to_json()``) and the same numbers into ``BENCHMARKS.md``.

A record compares friendshore with a baseline measured in the same run: ``ratio`` is our time
divided by the baseline's (below 1: faster), ``target`` the largest ratio the target allows (a
"10x faster" target is 0.1; ``None`` where the record only informs, e.g. Spark against DuckDB)
and ``met`` whether the ratio is within it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Record", "Section", "speed"]


@dataclass
class Record:
    name: str
    ours_s: float
    baseline: str | None = None
    baseline_s: float | None = None
    target: float | None = None
    peak_mb: float | None = None
    rows: int | None = None
    machine: str = ""
    #: What the target means in words (shown in BENCHMARKS.md), e.g. "at least 10x faster".
    target_text: str = ""
    note: str = ""
    #: Listed in the summary of BENCHMARKS.md (intermediate sizes of a curve are in latest.json only).
    summary: bool = True

    @property
    def ratio(self) -> float | None:
        if self.baseline_s is None or not self.baseline_s > 0 or not math.isfinite(self.ours_s):
            return None
        return self.ours_s / self.baseline_s

    @property
    def met(self) -> bool | None:
        ratio = self.ratio
        if self.target is None or ratio is None:
            return None
        return ratio <= self.target

    def to_json(self) -> dict[str, Any]:
        def num(x: float | None, digits: int = 6) -> float | None:
            return None if x is None or not math.isfinite(x) else round(float(x), digits)

        return {
            "name": self.name,
            "ours_s": num(self.ours_s),
            "baseline": self.baseline,
            "baseline_s": num(self.baseline_s),
            "ratio": num(self.ratio),
            "target": num(self.target),
            "met": self.met,
            "peak_mb": num(self.peak_mb, 1),
            "rows": self.rows,
            "machine": self.machine,
            "target_text": self.target_text,
            "note": self.note,
        }


@dataclass
class Section:
    """One benchmark's part of the report."""

    markdown: str
    records: list[Record] = field(default_factory=list)


def speed(ratio: float | None) -> str:
    """A time ratio in words: '19.3x faster', '2.1x slower', 'same'."""
    if ratio is None:
        return "-"
    if ratio <= 0:
        return "-"
    if ratio < 0.995:
        return f"{1 / ratio:,.1f}x faster"
    if ratio > 1.005:
        return f"{ratio:,.2f}x slower" if ratio < 10 else f"{ratio:,.0f}x slower"
    return "same"
