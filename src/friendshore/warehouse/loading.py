"""What a source loader is: the contract between ``friendshore.sources`` readers and the warehouse.

A loader module ``friendshore.warehouse.load_<source>`` defines ``LOADER = SourceLoader(...)``,
whose ``load(path)`` reads the publisher's file(s) with a ``friendshore.sources`` reader, maps
names and codes (``friendshore.nomenclature``), and returns ``Loaded`` partitions in the schemas
of ``friendshore.warehouse.tables``. ``friendshore.warehouse.ingest`` stores them atomically.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

__all__ = ["Loaded", "SourceLoader"]


def _single(path: Path) -> list[Path]:
    return [path]


@dataclass(frozen=True)
class Loaded:
    """One partition read from a source, ready to store."""

    table: str
    key: dict[str, Any]
    data: pa.Table

    @classmethod
    def one_release(cls, table: str, data: pa.Table, **key: Any) -> list[Loaded]:
        """All of ``data`` as the one partition of ``table``, keyed by ``key`` and the release its
        first row names (a reader gives every row of a file the same release)."""
        return [cls(table, {**key, "release": data.column("release")[0].as_py()}, data)]


@dataclass(frozen=True)
class SourceLoader:
    name: str
    description: str
    expects: str  # what the user passes, in words
    load: Callable[[Path], list[Loaded]]
    sample: tuple[str, ...] = ()  # paths under FRIENDSHORE_SAMPLE_DATA
    inputs: Callable[[Path], list[Path]] = field(default=_single)  # files hashed for provenance
