"""Shared steps of the mineral production loaders (USGS MCS, BGS): country names -> ISO3, unique rows."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa

from friendshore.errors import SchemaError
from friendshore.nomenclature.countries import iso3_for_rows

__all__ = ["PRODUCTION_KEY", "check_unique", "with_country"]

#: One figure per key among country rows of ``mineral_production``.
PRODUCTION_KEY = ("source", "release", "commodity", "statistic", "stage", "country", "year")


def check_unique(table: pa.Table, keys: Sequence[str], *, file: str | Path, field: str) -> None:
    """Fail if two country rows share ``keys`` (two spellings mapped to one code, or a repeated row)."""
    names = table.column("country_name").to_pylist()
    kinds = table.column("row_kind").to_pylist()
    lines = table.column("line").to_pylist()
    columns = [table.column(k).to_pylist() for k in keys]
    seen: dict[tuple[object, ...], int] = {}
    for i, kind in enumerate(kinds):
        if kind != "country":
            continue
        key = tuple(col[i] for col in columns)
        j = seen.setdefault(key, i)
        if j != i:
            shown = ", ".join(f"{k}={v}" for k, v in zip(keys, key, strict=True))
            raise SchemaError(
                f"'{names[i]}' repeats the row of '{names[j]}' (line {lines[j]}): {shown}",
                file=file,
                line=lines[i],
                field=field,
                hint="two spellings map to one ISO3 code in country_names.csv, or the row is repeated",
            )


def with_country(table: pa.Table, *, file: str | Path, field: str) -> pa.Table:
    """Add ``country`` (ISO3) from ``country_name`` for country rows; null for world/other rows.

    Unknown names raise ``UnknownCodeError`` naming them and their lines (``field`` is the
    publisher's column name).
    """
    codes = iso3_for_rows(
        table.column("country_name").to_pylist(),
        table.column("row_kind").to_pylist(),
        file=file,
        lines=table.column("line").to_pylist(),
        field=field,
    )
    out = table.append_column("country", pa.array(codes, pa.string()))
    check_unique(out, PRODUCTION_KEY, file=file, field=field)
    return out
