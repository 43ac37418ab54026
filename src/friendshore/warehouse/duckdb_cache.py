"""A native DuckDB copy of the warehouse, one file per manifest version, for fast scans.

Parquet plus the manifest stay the source of truth (Spark reads them). DuckDB reads a native
database file built from them once per manifest version: ``cache/duckdb-<digest>.duckdb``, with
``trade`` sorted by (year, importer, hs6) so that per-importer filters skip most blocks. The file
is built under the writer lock into a temporary name and renamed into place, so readers always
attach a complete file; files of older versions are removed when a new one is built.
"""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

import duckdb

from friendshore.console import get_logger
from friendshore.warehouse.store import MANIFEST, Manifest, writer_lock

__all__ = ["cache_path", "ensure_cache"]

log = get_logger(__name__)

#: Sort keys per table (others keep file order).
SORT = {"trade": "year, importer, hs6, exporter"}


def _quote(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _trade_enums(db: duckdb.DuckDBPyConnection, source: str) -> str:
    """Declare ENUM types for the trade table's country and product codes; return its columns.

    Grouping on ENUM keys uses DuckDB's small-integer hashing: the all-importers screen runs
    about a third faster than on VARCHAR keys. Comparisons with text work as before (a code that
    is not in the type simply matches nothing).
    """
    db.execute(
        f"CREATE TYPE iso3_code AS ENUM (SELECT DISTINCT exporter FROM {source} WHERE exporter IS NOT NULL "
        f"UNION SELECT DISTINCT importer FROM {source} WHERE importer IS NOT NULL ORDER BY 1)"
    )
    db.execute(
        f"CREATE TYPE hs6_code AS ENUM (SELECT DISTINCT hs6 FROM {source} WHERE hs6 IS NOT NULL ORDER BY 1)"
    )
    return (
        "year, exporter::iso3_code AS exporter, importer::iso3_code AS importer, hs6::hs6_code AS hs6, "
        "value_kusd, qty_t, hs_revision, release"
    )


def cache_path(home: Path) -> Path | None:
    """The cache file for the current manifest (``None`` when nothing is loaded)."""
    manifest_file = home / MANIFEST
    if not manifest_file.exists():
        return None
    digest = hashlib.sha256(manifest_file.read_bytes()).hexdigest()[:16]
    return home / "cache" / f"duckdb-{digest}.duckdb"


def ensure_cache(home: Path, manifest: Manifest, tables: list[str]) -> Path | None:
    """Build the cache for the current manifest if missing; return its path."""
    path = cache_path(home)
    if path is None or path.exists():
        return path
    with writer_lock(home):
        path = cache_path(home)  # the manifest may have moved on while we waited
        if path is None or path.exists():
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.tmp")
        try:
            with duckdb.connect(str(tmp)) as db:
                for name in tables:
                    files = ", ".join(_quote(home / f) for f in manifest.files(name))
                    source = f"read_parquet([{files}])"
                    order = f" ORDER BY {SORT[name]}" if name in SORT else ""
                    columns = "*"
                    if name == "trade":
                        columns = _trade_enums(db, source)
                    db.execute(f'CREATE TABLE "{name}" AS SELECT {columns} FROM {source}{order}')
                db.execute("CHECKPOINT")
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        for old in path.parent.glob("duckdb-*.duckdb"):
            if old != path:
                old.unlink(missing_ok=True)
        log.info("built the DuckDB cache %s", path.name)
    return path
