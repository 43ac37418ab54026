"""The warehouse on disk: Parquet partitions plus one manifest, swapped atomically.

Layout of ``FRIENDSHORE_HOME``::

    manifest.json              what is loaded: per table, its partitions and their provenance
    data/<table>/<id>.parquet  one file per partition version
    .lock                      held by the one writer at a time

A load writes new partition files first, then replaces ``manifest.json`` with ``os.replace``
(atomic on POSIX). A reader that has read the manifest sees the old or the new warehouse, never a
mix; a load that fails before the swap removes its new files and leaves every existing byte as it
was. Files no longer named by the manifest are removed on a later load once older than
``GRACE_SECONDS``, so that a query that started before a swap can finish.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from friendshore import __version__
from friendshore.errors import SchemaError, SettingsError
from friendshore.warehouse.tables import TableSpec, table_spec

__all__ = [
    "GRACE_SECONDS",
    "Manifest",
    "Partition",
    "SourceFile",
    "Transaction",
    "read_manifest",
    "sha256_file",
    "transaction",
    "writer_lock",
]

MANIFEST = "manifest.json"
GRACE_SECONDS = 600
FORMAT_VERSION = 1


def sha256_file(path: str | Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SourceFile:
    """A file a partition was read from: its name (and member, inside a zip) and sha256."""

    name: str
    sha256: str
    member: str | None = None


@dataclass(frozen=True)
class Partition:
    """One version of one partition of a table, with its provenance."""

    table: str
    key: dict[str, Any]
    file: str  # relative to the warehouse home
    rows: int
    source: str
    release: str
    files: tuple[SourceFile, ...]
    loaded_at: str
    friendshore_version: str = __version__
    #: What a trade partition holds (``friendshore.warehouse.coverage``): ``None`` for tables
    #: without it and for manifests written before it was recorded.
    coverage: dict[str, Any] | None = None

    def key_id(self) -> str:
        return json.dumps(self.key, sort_keys=True)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = [asdict(f) for f in self.files]
        if data["coverage"] is None:
            del data["coverage"]
        return data

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Partition:
        files = tuple(SourceFile(**f) for f in data["files"])
        return Partition(**{**data, "files": files})


@dataclass
class Manifest:
    tables: dict[str, list[Partition]] = field(default_factory=dict)

    def partitions(self, table: str) -> list[Partition]:
        return list(self.tables.get(table, []))

    def files(self, table: str) -> list[str]:
        return [p.file for p in self.tables.get(table, [])]

    def rows(self, table: str) -> int:
        return sum(p.rows for p in self.tables.get(table, []))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_VERSION,
            "tables": {
                name: [p.to_json() for p in sorted(parts, key=Partition.key_id)]
                for name, parts in sorted(self.tables.items())
                if parts
            },
        }

    @staticmethod
    def from_json(data: Mapping[str, Any]) -> Manifest:
        return Manifest(
            {name: [Partition.from_json(p) for p in parts] for name, parts in data["tables"].items()}
        )


def read_manifest(home: Path) -> Manifest:
    """The warehouse's current manifest (empty when nothing has been loaded)."""
    path = Path(home) / MANIFEST
    if not path.exists():
        return Manifest()
    try:
        return Manifest.from_json(json.loads(path.read_text()))
    except (ValueError, KeyError, TypeError) as exc:
        raise SettingsError(
            f"{path} is not a friendshore manifest ({exc}); point FRIENDSHORE_HOME elsewhere"
        ) from None


def conform(data: pa.Table, spec: TableSpec, key: Mapping[str, Any], origin: str) -> pa.Table:
    """Select and cast ``data`` to the table's schema; check the partition columns match ``key``."""
    missing = [n for n in spec.schema.names if n not in data.column_names]
    if missing:
        raise SchemaError(
            f"table '{spec.name}' needs columns {missing}",
            file=origin,
            hint="this is a reader bug if it comes from a friendshore reader",
        )
    try:
        out = data.select(spec.schema.names).cast(spec.schema)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
        raise SchemaError(f"cannot store as table '{spec.name}': {exc}", file=origin) from None
    for col in spec.partition_by:
        want = key[col]
        column = out.column(col)
        if out.num_rows and (column.null_count or not pc.all(pc.equal(column, want)).as_py()):
            raise SchemaError(f"rows of partition {dict(key)} must all have {col}={want!r}", file=origin)
    return out


class Transaction:
    """Stages partitions; ``transaction()`` commits them all at once or none."""

    def __init__(self, home: Path, manifest: Manifest) -> None:
        self.home = home
        self.base = manifest
        self.staged: list[Partition] = []
        self._new_files: list[Path] = []

    def new_file(self, table: str) -> tuple[Path, str]:
        """A fresh path for a partition file of ``table`` (absolute, relative to home)."""
        rel = f"data/{table}/{uuid.uuid4().hex}.parquet"
        path = self.home / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self._new_files.append(path)
        return path, rel

    def replace(
        self,
        table: str,
        key: Mapping[str, Any],
        data: pa.Table,
        *,
        source: str,
        release: str,
        files: tuple[SourceFile, ...],
    ) -> Partition:
        """Stage ``data`` as the new content of partition ``key`` of ``table``."""
        spec = table_spec(table)
        key = {c: key[c] for c in spec.partition_by}
        origin = files[0].name if files else table
        data = conform(data, spec, key, origin)
        path, rel = self.new_file(table)
        pq.write_table(data, path, compression="zstd")
        return self.adopt(table, key, rel, data.num_rows, source=source, release=release, files=files)

    def adopt(
        self,
        table: str,
        key: Mapping[str, Any],
        rel: str,
        rows: int,
        *,
        source: str,
        release: str,
        files: tuple[SourceFile, ...],
        coverage: dict[str, Any] | None = None,
    ) -> Partition:
        """Stage a partition file already written (by a streaming writer) under ``rel``."""
        spec = table_spec(table)
        written = pq.read_schema(self.home / rel)
        if not written.equals(spec.schema, check_metadata=False):
            raise SchemaError(f"staged file for '{table}' has schema {written}, want {spec.schema}")
        part = Partition(
            table=table,
            key={c: key[c] for c in spec.partition_by},
            file=rel,
            rows=rows,
            source=source,
            release=release,
            files=files,
            loaded_at=datetime.now(UTC).isoformat(timespec="seconds"),
            coverage=coverage,
        )
        self.staged = [p for p in self.staged if (p.table, p.key_id()) != (table, part.key_id())]
        self.staged.append(part)
        return part

    def result(self) -> Manifest:
        tables = {name: list(parts) for name, parts in self.base.tables.items()}
        for part in self.staged:
            kept = [p for p in tables.get(part.table, []) if p.key_id() != part.key_id()]
            tables[part.table] = [*kept, part]
        return Manifest(tables)

    def discard(self) -> None:
        for path in self._new_files:
            path.unlink(missing_ok=True)


@contextmanager
def writer_lock(home: Path) -> Iterator[None]:
    """Hold the warehouse's single-writer lock."""
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _write_manifest(home: Path, manifest: Manifest) -> None:
    tmp = home / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
    with open(tmp, "w") as fh:
        json.dump(manifest.to_json(), fh, indent=1)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, home / MANIFEST)


def _collect_garbage(home: Path, manifest: Manifest) -> None:
    live = {p.file for parts in manifest.tables.values() for p in parts}
    now = time.time()
    data = home / "data"
    if not data.exists():
        return
    for path in data.glob("*/*.parquet"):
        rel = path.relative_to(home).as_posix()
        if rel not in live and now - path.stat().st_mtime > GRACE_SECONDS:
            path.unlink(missing_ok=True)


@contextmanager
def transaction(home: Path) -> Iterator[Transaction]:
    """Open a write transaction on the warehouse at ``home``.

    Everything staged inside the ``with`` block becomes visible at once when it exits normally;
    if it raises, the staged files are deleted and the warehouse is untouched.
    """
    home = Path(home)
    with writer_lock(home):
        tx = Transaction(home, read_manifest(home))
        try:
            yield tx
        except BaseException:
            tx.discard()
            raise
        if tx.staged:
            _write_manifest(home, tx.result())
            _collect_garbage(home, tx.result())
