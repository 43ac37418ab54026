"""A native DuckDB copy of the warehouse, one file per manifest version, for fast scans.

Parquet plus the manifest stay the source of truth (Spark reads them). DuckDB reads a native
database file built from them once per manifest version: ``cache/duckdb-<digest>.duckdb``, with
``trade`` sorted by (year, importer, hs6) so that per-importer filters skip most blocks.

The cache is named after the digest of the manifest it was built from, and built from the files
*that* manifest names (never from a manifest read later): a query that reads manifest A while a
load commits B builds A's cache under A's name, so no cache ever holds another version's data. It
is built under the writer lock into a temporary name and renamed into place, so readers always
attach a complete file; caches of other versions are removed when a new one is built (a reader
that loses that race reads the manifest again: ``open_cache``).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Mapping
from pathlib import Path

import duckdb

from friendshore.console import get_logger
from friendshore.errors import FriendshoreError, UserError
from friendshore.warehouse.store import (
    Manifest,
    read_manifest,
    sha256_file,
    warehouse_write_error,
    writer_lock,
)
from friendshore.warehouse.tables import TABLES

__all__ = ["cache_file", "cache_path", "digest_file", "ensure_cache", "open_cache", "verify_cache"]

log = get_logger(__name__)

#: Sort keys per table (others keep file order).
SORT = {"trade": "year, importer, hs6, exporter"}
#: How often a reader re-reads the manifest when loads keep replacing it under its feet.
ATTEMPTS = 5


class StaleManifestError(FriendshoreError):
    """The manifest read names files that are gone: it was replaced (and its files collected)."""


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


def cache_file(home: Path, digest: str) -> Path:
    """The cache file of the manifest version with ``digest``."""
    return Path(home) / "cache" / f"duckdb-{digest}.duckdb"


def digest_file(cache: Path) -> Path:
    """Where the sha256 of the cache file ``cache`` is kept (written when it is built)."""
    return cache.with_suffix(".sha256")


def verify_cache(home: Path) -> str | None:
    """What is wrong with the current manifest's cache file (``None``: nothing, or not built yet):
    it must be byte for byte the file built from the manifest (an edited cache changes answers)."""
    path = cache_path(home)
    if path is None or not path.exists():
        return None
    recorded = digest_file(path)
    if not recorded.exists():  # built by a version before the sha256 was recorded: not checkable
        return None
    if sha256_file(path) != recorded.read_text("utf-8").strip():
        return "differs from the file built from the manifest: remove the cache folder to rebuild it"
    return None


def cache_path(home: Path) -> Path | None:
    """The cache file for the current manifest (``None`` when nothing is loaded)."""
    digest = read_manifest(home).digest
    return cache_file(home, digest) if digest else None


def ensure_cache(
    home: Path, manifest: Manifest, tables: list[str], *, config: Mapping[str, str] | None = None
) -> Path | None:
    """Build the cache of ``manifest`` (the version the caller read) if missing; return its path.
    ``config``: DuckDB settings for the build (``Settings.duckdb_config``: memory limit, spill folder)."""
    if not manifest.digest or not tables:
        return None
    path = cache_file(home, manifest.digest)
    if path.exists():
        return path
    with writer_lock(home):
        if path.exists():  # another reader built it while we waited
            return path
        gone = [f for name in tables for f in manifest.files(name) if not (home / f).exists()]
        if gone:
            raise StaleManifestError(
                f"warehouse file {home / gone[0]} named by the manifest is missing: run "
                "'friendshore data verify', then load that source again"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{uuid.uuid4().hex}.tmp")
        try:
            _build(tmp, home, manifest, tables, config or {})
            digest_file(path).write_text(sha256_file(tmp) + "\n", "utf-8")
            os.replace(tmp, path)
        except OSError as exc:
            digest_file(path).unlink(missing_ok=True)
            raise warehouse_write_error(home, exc) from None
        except duckdb.Error as exc:
            digest_file(path).unlink(missing_ok=True)
            text = str(exc)
            if "No space left" in text or "Disk full" in text or "could not write" in text.lower():
                raise warehouse_write_error(home, OSError(28, "No space left on device")) from None
            raise UserError(
                f"the warehouse's files cannot be read into its DuckDB cache ({text.splitlines()[0]}): "
                "run 'friendshore data verify', then load the source it names again"
            ) from None
        finally:
            tmp.unlink(missing_ok=True)
            tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        keep = {path, cache_file(home, read_manifest(home).digest)}
        for old in path.parent.glob("duckdb-*.duckdb"):
            if old not in keep:
                old.unlink(missing_ok=True)
                digest_file(old).unlink(missing_ok=True)
        log.info("built the DuckDB cache %s", path.name)
    return path


def _build(tmp: Path, home: Path, manifest: Manifest, tables: list[str], config: Mapping[str, str]) -> None:
    with duckdb.connect(str(tmp), config=dict(config)) as db:
        for name in tables:
            files = ", ".join(_quote(home / f) for f in manifest.files(name))
            source = f"read_parquet([{files}])"
            order = f" ORDER BY {SORT[name]}" if name in SORT else ""
            columns = "*"
            if name == "trade":
                columns = _trade_enums(db, source)
            db.execute(f'CREATE TABLE "{name}" AS SELECT {columns} FROM {source}{order}')
        db.execute("CHECKPOINT")


def open_cache(
    home: Path, attach: Callable[[Path | None], None], *, config: Mapping[str, str] | None = None
) -> Manifest:
    """Read the manifest, make sure its cache exists and ``attach`` it (``None``: nothing loaded);
    return the manifest attached. If a concurrent load replaces the manifest and the cache (or the
    files) of the version read are removed before they are attached, read the manifest again."""
    for attempt in range(ATTEMPTS):
        manifest = read_manifest(home)
        loaded = [name for name in TABLES if manifest.partitions(name)]
        try:
            path = ensure_cache(home, manifest, loaded, config=config)
            attach(path)
        except (StaleManifestError, duckdb.IOException):
            moved_on = read_manifest(home).digest != manifest.digest
            if attempt + 1 < ATTEMPTS and moved_on:
                continue
            raise
        return manifest
    raise AssertionError("unreachable")  # pragma: no cover
