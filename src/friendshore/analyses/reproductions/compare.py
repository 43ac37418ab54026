"""What a reproduction compares: the published figures (read from ``published/<name>.csv``) and
``Check``s, our figure beside each. The modules that compute reproductions import this one."""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from importlib.resources import files
from typing import Any

from friendshore.errors import SchemaError

__all__ = ["PUBLISHED_DIR", "Check", "Published", "compare", "published_values"]


@dataclass(frozen=True)
class Check:
    """One published quantity and our figure for it."""

    quantity: str
    published: float
    ours: float
    tolerance: float
    source: str = ""
    #: the input that is not given, for a figure that cannot be recomputed: then ``ours`` is NaN and
    #: the figure is listed as not reproducible, not counted as a failure (``reproduce`` says so)
    missing: str = ""

    @property
    def ok(self) -> bool:
        return math.isfinite(self.ours) and abs(self.ours - self.published) <= self.tolerance

    @property
    def gap(self) -> float:
        """Ours minus published (NaN where ours is not computed)."""
        return self.ours - self.published

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "gap": self.gap, "ok": self.ok}


@dataclass(frozen=True)
class Published:
    """A printed figure, as its data file records it: value, tolerance, where it is printed, and the
    keys (material, country, year, ...) that say what it is."""

    quantity: str
    value: float
    tolerance: float
    source: str
    keys: Mapping[str, str] = field(default_factory=dict)


#: Files ``<name>.csv`` with columns quantity, published, tolerance, source (and key columns).
PUBLISHED_DIR = "published"


def published_values(name: str) -> list[Published]:
    """The published figures of reproduction ``name`` from ``analyses/reproductions/published/<name>.csv``."""
    resource = files("friendshore.analyses.reproductions").joinpath(PUBLISHED_DIR, f"{name}.csv")
    origin = f"src/friendshore/analyses/reproductions/{PUBLISHED_DIR}/{name}.csv"
    rows = list(csv.DictReader(resource.read_text("utf-8").splitlines()))
    out = []
    for line, row in enumerate(rows, start=2):
        try:
            value, tolerance = float(row["published"]), float(row["tolerance"])
        except (KeyError, TypeError, ValueError):
            raise SchemaError("published and tolerance must be numbers", file=origin, line=line) from None
        keys = {k: v for k, v in row.items() if k not in ("quantity", "published", "tolerance", "source")}
        out.append(Published(row["quantity"], value, tolerance, row["source"], keys))
    return out


def compare(name: str, ours: Mapping[str, float], *, note: Mapping[str, str] | None = None) -> list[Check]:
    """One ``Check`` per published figure of ``name``: ours where computed, NaN (a failure) where not."""
    return [
        Check(
            p.quantity,
            p.value,
            float(ours.get(p.quantity, math.nan)),
            p.tolerance,
            p.source + (f"; {note[p.quantity]}" if note and p.quantity in note else ""),
        )
        for p in published_values(name)
    ]
