"""The package's own CSV tables (``nomenclature/data/*.csv``): read with their header checked, and
a value checked against the words it may take, each error naming the file, line and field."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from importlib.resources import files

from friendshore.errors import SchemaError

__all__ = ["data_rows", "require_known"]


def data_rows(name: str, columns: Iterable[str], *, file: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, row)`` for each row of the shipped table ``data/<name>`` (``file``: the path errors
    name), after checking that its header holds every one of ``columns``."""
    text = files("friendshore.nomenclature").joinpath("data", name).read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in columns if c not in (reader.fieldnames or [])]
    if missing:
        raise SchemaError(f"header lacks column(s) {missing}", file=file, line=1)
    return enumerate(reader, start=2)


def require_known(value: str, known: Iterable[str], *, what: str, file: str, line: int, field: str) -> None:
    """``value`` is one of ``known``; else a SchemaError listing them (``unknown <what> '<value>'``)."""
    words = list(known)
    if value not in words:
        raise SchemaError(
            f"unknown {what} '{value}' (known: {', '.join(words)})", file=file, line=line, field=field
        )
