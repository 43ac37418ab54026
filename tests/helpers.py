"""Small helpers shared by tests (imported as ``helpers``; pytest puts tests/ on sys.path)."""

from __future__ import annotations

from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from hypothesis import settings


def examples(n: int) -> int:
    """The number of examples for a property test that asks for ``n``: ``n``, or the loaded Hypothesis
    profile's ``max_examples`` where that is smaller (``make test-fast`` loads the ``fast`` profile:
    10; ``make test`` the default, 100, so every test tries its own ``n``)."""
    return min(n, settings().max_examples)


def rows_where(table: pa.Table, **where: Any) -> list[dict[str, Any]]:
    """The rows of ``table`` whose columns equal the given values."""
    mask = None
    for col, value in where.items():
        cond = pc.equal(table.column(col), value)
        mask = cond if mask is None else pc.and_(mask, cond)
    return table.filter(mask).to_pylist()


def one_where(table: pa.Table, **where: Any) -> dict[str, Any]:
    """The single row matching ``where`` (fails the test if there are none or several)."""
    rows = rows_where(table, **where)
    assert len(rows) == 1, f"{where}: {len(rows)} rows"
    return rows[0]
