"""Published figures transcribed from their publications, one CSV per reproduction.

Columns: ``quantity, published, tolerance, source`` (``source`` names the publication and the
place -- table, page, file -- where the figure is printed). ``read_published`` returns them as
``(quantity, published, tolerance, source)`` tuples in file order.
"""

from __future__ import annotations

import csv
import io
import math
from importlib.resources import files

from friendshore.errors import SchemaError

__all__ = ["read_published"]

_HEADER = ["quantity", "published", "tolerance", "source"]


def read_published(name: str) -> list[tuple[str, float, float, str]]:
    """The rows of ``<name>.csv`` in this folder, checked (numbers finite, tolerances >= 0)."""
    resource = files(__package__).joinpath(f"{name}.csv")
    text = resource.read_text(encoding="utf-8")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header != _HEADER:
        raise SchemaError(f"header {header}, expected {_HEADER}", file=f"{name}.csv", line=1)
    rows = []
    for line, row in enumerate(reader, start=2):
        if len(row) != len(_HEADER):
            raise SchemaError(f"{len(row)} fields, expected {len(_HEADER)}", file=f"{name}.csv", line=line)
        try:
            published, tolerance = float(row[1]), float(row[2])
        except ValueError:
            raise SchemaError(
                "published or tolerance is not a number", file=f"{name}.csv", line=line
            ) from None
        if not (math.isfinite(published) and math.isfinite(tolerance) and tolerance >= 0):
            raise SchemaError(
                "published and tolerance must be finite, tolerance >= 0", file=f"{name}.csv", line=line
            )
        rows.append((row[0], published, tolerance, row[3]))
    return rows
