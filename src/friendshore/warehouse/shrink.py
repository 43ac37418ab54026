"""Refuse a load that would replace a partition with less than it held (issue 30, item 2).

A file cut at a line boundary reads as a smaller but well-formed file. A reader cannot always tell
(the cut may fall between two complete countries), but the warehouse can: the partition it would
replace had more rows, or named countries the new one does not. Such a load is refused with the
numbers, unless the user says the smaller file is the one they mean (``--replace``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pyarrow.compute as pc
import pyarrow.parquet as pq

from friendshore.errors import UserError

if TYPE_CHECKING:
    from friendshore.warehouse.store import Partition

__all__ = ["COUNTRY_COLUMNS", "check_no_shrink"]

#: Columns holding country codes; a partition that loses one of their values loses a country.
COUNTRY_COLUMNS = ("country", "iso3", "exporter", "importer", "origin", "destination", "reporter", "partner")

#: Partitions above this many rows are compared by row count only (reading their codes is slow).
_COUNTRY_CHECK_MAX_ROWS = 5_000_000


def _countries(path: str, columns: list[str]) -> set[str]:
    table = pq.read_table(path, columns=columns)
    found: set[str] = set()
    for name in columns:
        found.update(v for v in pc.unique(table.column(name)).to_pylist() if v is not None)
    return found


def _shown(part: Partition) -> str:
    key = ", ".join(f"{k}={v}" for k, v in part.key.items())
    return f"partition {key} of '{part.table}'"


def check_no_shrink(home: str, base: Iterable[Partition], staged: Iterable[Partition]) -> None:
    """Raise ``UserError`` when a staged partition holds fewer rows, or fewer countries, than the
    partition of the same table and key it replaces."""
    old = {(p.table, p.key_id()): p for p in base}
    for new in staged:
        before = old.get((new.table, new.key_id()))
        if before is None or before.rows == 0:
            continue
        what = f"{before.rows:,} rows with {new.rows:,}"
        if new.rows < before.rows:
            drop = (before.rows - new.rows) / before.rows
            raise UserError(
                f"this load would replace {_shown(new)} ({what}: {drop:.1%} fewer, from "
                f"{', '.join(f.member or f.name for f in new.files)}); the file may be cut short: "
                "nothing was changed (if the smaller file is the one you mean, load it again with --replace)"
            )
        if before.rows > _COUNTRY_CHECK_MAX_ROWS:
            continue
        try:
            columns = [c for c in pq.read_schema(f"{home}/{before.file}").names if c in COUNTRY_COLUMNS]
            if not columns:
                continue
            lost = _countries(f"{home}/{before.file}", columns) - _countries(f"{home}/{new.file}", columns)
        except OSError:  # the old file is damaged: `data verify` says so; the new load may repair it
            continue
        if lost:
            names = ", ".join(sorted(lost)[:8]) + (", ..." if len(lost) > 8 else "")
            raise UserError(
                f"this load would replace {_shown(new)} and drop {len(lost)} "
                f"{'country' if len(lost) == 1 else 'countries'} it holds ({names}): nothing was changed "
                "(if that is what you mean, load it again with --replace)"
            )
