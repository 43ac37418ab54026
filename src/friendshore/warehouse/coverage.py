"""What a trade partition holds: every country and product of its year, or a subset (and which).

A BACI yearly file is the whole matrix of one year: every exporter, importer and product. A file
cut from it (the China-imports-only rows, the critical-materials sample) holds a subset, and a
measure that needs the rest (an importer's exports, world totals, world shares) cannot be
computed from it. The ingest records, for each trade partition, what it holds
(``Partition.coverage``); the analyses read it (``friendshore.warehouse.harmonise``) and return
null, with a note, for what the loaded data do not cover.

How a subset is recognised (by comparing the file with the release's dictionary, at ingest):

* **importers / exporters**: a file that names fewer than half of the countries of the release's
  country dictionary as importers (exporters) holds a subset of them, and the ones it holds are
  listed. A full BACI year names about 220 of the 238 entries as each (the dictionary keeps
  historical entities); a file cut to one importer names one.
* **products**: a file with fewer than 2,500 distinct HS6 codes holds a subset of the products,
  listed. Every HS revision has more than 5,000 six-digit subheadings and a full BACI year trades
  nearly all of them; the critical-materials sample holds 30.

The rule is deliberately coarse (half of a dimension): a file cut to every country but one would be
taken as complete. Such a cut is not how BACI extracts are made; say so in ``docs/warehouse.md``
if that changes.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = [
    "COUNTRY_SUBSET_SHARE",
    "PRODUCT_SUBSET_COUNT",
    "TradeCoverage",
    "classify_coverage",
    "measure_coverage",
]

#: A file naming fewer than this share of the dictionary's countries as importers (or exporters)
#: holds a subset of them.
COUNTRY_SUBSET_SHARE = 0.5
#: A file with fewer distinct HS6 codes than this holds a subset of the products.
PRODUCT_SUBSET_COUNT = 2500


def _sorted(values: Iterable[str] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(sorted(set(values)))


@dataclass(frozen=True)
class TradeCoverage:
    """The countries and products a trade partition holds (``None``: all of them)."""

    importers: tuple[str, ...] | None = None
    exporters: tuple[str, ...] | None = None
    products: tuple[str, ...] | None = None  # in the partition's own HS revision

    def __post_init__(self) -> None:
        for name in ("importers", "exporters", "products"):
            object.__setattr__(self, name, _sorted(getattr(self, name)))

    @property
    def complete(self) -> bool:
        return self.importers is None and self.exporters is None and self.products is None

    @property
    def all_countries(self) -> bool:
        """Every exporter and importer: world totals and shares of its products can be computed."""
        return self.importers is None and self.exporters is None

    def covers_imports_of(self, members: Collection[str]) -> bool:
        """Every supplier's flows to each of ``members`` (their imports) are in the partition."""
        return self.exporters is None and (self.importers is None or set(members) <= set(self.importers))

    def covers_exports_of(self, members: Collection[str]) -> bool:
        """Every flow from each of ``members`` to any country (their exports) is in the partition."""
        return self.importers is None and (self.exporters is None or set(members) <= set(self.exporters))

    def missing(self) -> str:
        """What the partition lacks, in words ('' when it lacks nothing)."""
        parts = []
        if self.importers is not None:
            parts.append(f"imports of {_names(self.importers)} only")
        if self.exporters is not None:
            parts.append(f"exports of {_names(self.exporters)} only")
        if self.products is not None:
            parts.append(f"{len(self.products)} products only")
        return "; ".join(parts)

    def describe(self) -> str:
        """``complete`` or what the partition holds, for ``data status`` and provenance."""
        return self.missing() or "complete"

    def to_json(self) -> dict[str, Any]:
        return {
            "importers": None if self.importers is None else list(self.importers),
            "exporters": None if self.exporters is None else list(self.exporters),
            "products": None if self.products is None else list(self.products),
        }

    @staticmethod
    def from_json(data: Mapping[str, Any] | None) -> TradeCoverage:
        """The coverage a manifest recorded; a partition without a record is taken as complete
        (loads made before coverage was recorded: reload a partial file to record it)."""
        if not data:
            return TradeCoverage()

        def codes(name: str) -> tuple[str, ...] | None:
            value = data.get(name)
            return None if value is None else tuple(str(v) for v in value)

        return TradeCoverage(codes("importers"), codes("exporters"), codes("products"))


def _names(codes: tuple[str, ...]) -> str:
    shown = ", ".join(codes[:8])
    return shown + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")


def measure_coverage(path: Path, countries: Collection[str]) -> TradeCoverage:
    """What the trade partition file at ``path`` holds, by the rule of this module's docstring.

    ``countries`` are the ISO3 codes of the release's country dictionary.
    """
    import duckdb

    quoted = str(path).replace("'", "''")
    spill = Path(tempfile.gettempdir()) / "friendshore-spill"
    with duckdb.connect(config={"memory_limit": "128MB", "temp_directory": str(spill)}) as db:
        found = {}
        for column in ("importer", "exporter", "hs6"):
            rows = db.execute(f"SELECT DISTINCT {column} FROM read_parquet('{quoted}')").fetchall()
            found[column] = [str(r[0]) for r in rows if r[0] is not None]
    return classify_coverage(found["importer"], found["exporter"], found["hs6"], countries)


def classify_coverage(
    importers: Iterable[str], exporters: Iterable[str], products: Iterable[str], countries: Collection[str]
) -> TradeCoverage:
    """The coverage of a partition whose distinct importers, exporters and HS6 codes are these, by
    the rule of this module's docstring (``countries``: the ISO3 codes of the release's dictionary)."""
    share = COUNTRY_SUBSET_SHARE * len(set(countries))

    def subset(codes: Iterable[str], full: float) -> tuple[str, ...] | None:
        distinct = set(codes)
        return tuple(sorted(distinct)) if len(distinct) < full else None

    return TradeCoverage(
        importers=subset(importers, share),
        exporters=subset(exporters, share),
        products=subset(products, PRODUCT_SUBSET_COUNT),
    )
