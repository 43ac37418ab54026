"""The warehouse on disk: Parquet partitions plus one manifest, swapped atomically.

Layout of ``FRIENDSHORE_HOME``::

    manifest.json              what is loaded: per table, its partitions and their provenance
    data/<table>/<id>.parquet  one file per partition version
    .lock                      held by the one writer at a time

A load writes new partition files first (each one's sha256 and row count go into the manifest),
then replaces ``manifest.json`` with ``os.replace`` (atomic on POSIX). A reader that has read the
manifest sees the old or the new warehouse, never a mix; a load that fails before the swap removes
its new files and leaves every existing byte as it was, and a load killed outright leaves only
unnamed files, which later loads remove. Files no longer named by the manifest are removed on a
later load once ``GRACE_SECONDS`` have passed since they were replaced, so that a query that
started before a swap can finish. ``verify`` re-checks every file against the manifest.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
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
from friendshore.console import get_logger
from friendshore.errors import SchemaError, SettingsError, UserError
from friendshore.warehouse.shrink import check_no_shrink
from friendshore.warehouse.tables import TableSpec, table_spec

__all__ = [
    "GRACE_SECONDS",
    "Manifest",
    "Partition",
    "SourceFile",
    "Transaction",
    "commits",
    "read_manifest",
    "sha256_file",
    "transaction",
    "verify",
    "warehouse_write_error",
    "writer_lock",
]

log = get_logger(__name__)

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
    sha256: str | None = None  # of the partition file itself (absent in manifests written before 0.x)

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
        part = Partition(**{**data, "files": files})
        part.check()
        return part

    def check(self) -> None:
        """Raise ``ValueError`` unless the entry is one a load writes: a known table, its partition
        columns as the key, a row count, a file of that table inside the warehouse, a sha256."""
        try:
            spec = table_spec(str(self.table))
        except UserError as exc:
            raise ValueError(str(exc)) from None
        if not isinstance(self.key, dict) or sorted(self.key) != sorted(spec.partition_by):
            raise ValueError(f"a partition of '{self.table}' has the key {self.key!r}")
        if type(self.rows) is not int or self.rows < 0:
            raise ValueError(f"a partition of '{self.table}' has {self.rows!r} rows")
        if not isinstance(self.file, str) or not re.fullmatch(
            rf"data/{re.escape(self.table)}/\w+\.parquet", self.file
        ):
            raise ValueError(f"a partition of '{self.table}' names the file {self.file!r}")
        if self.sha256 is not None and not re.fullmatch(r"[0-9a-f]{64}", str(self.sha256)):
            raise ValueError(f"a partition of '{self.table}' has the sha256 {self.sha256!r}")


@dataclass
class Manifest:
    tables: dict[str, list[Partition]] = field(default_factory=dict)
    #: sha256 (16 hex digits) of the manifest file this was read from; "" when nothing is loaded.
    digest: str = field(default="", compare=False)

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
        manifest = Manifest(
            {name: [Partition.from_json(p) for p in parts] for name, parts in data["tables"].items()}
        )
        for name, parts in manifest.tables.items():
            if any(p.table != name for p in parts):
                raise ValueError(f"table '{name}' lists a partition of another table")
        return manifest


def read_manifest(home: Path) -> Manifest:
    """The warehouse's current manifest (empty when nothing has been loaded)."""
    path = Path(home) / MANIFEST
    try:
        raw = path.read_bytes()  # read once: the tables and the digest describe the same version
    except FileNotFoundError:
        return Manifest()
    except (IsADirectoryError, NotADirectoryError, PermissionError) as exc:
        raise SettingsError(f"cannot read the warehouse manifest {path} ({exc.strerror})") from None
    try:
        manifest = Manifest.from_json(json.loads(raw))
    except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as exc:
        raise SettingsError(
            f"{path} is not a friendshore manifest or is damaged ({exc}): run 'friendshore data verify'; "
            "load the sources again into a fresh --home, or point FRIENDSHORE_HOME elsewhere"
        ) from None
    manifest.digest = hashlib.sha256(raw).hexdigest()[:16]
    return manifest


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

    def __init__(self, home: Path, manifest: Manifest, *, replace: bool = False) -> None:
        self.home = home
        self.base = manifest
        #: ``True``: a partition may be replaced by one with fewer rows or countries (``--replace``).
        self.allow_shrink = replace
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
        key_id = json.dumps({c: key[c] for c in spec.partition_by}, sort_keys=True)
        earlier = next((p for p in self.staged if p.table == table and p.key_id() == key_id), None)
        if earlier is not None:  # never keep one of two silently
            shown = ", ".join(f"{c}={key[c]}" for c in spec.partition_by)
            names = sorted({f.member or f.name for f in (*earlier.files, *files)})
            raise UserError(
                f"this load gives partition {shown} of '{table}' twice (from {', '.join(names)}); "
                "one load takes one file per partition: nothing was loaded"
            )
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
            sha256=sha256_file(self.home / rel),
        )
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
    """Hold the warehouse's single-writer lock (a second writer waits for the first to finish)."""
    home = Path(home)
    if home.exists() and not home.is_dir():
        raise SettingsError(
            f"the warehouse folder {home} is a file: point --home (FRIENDSHORE_HOME) at a folder"
        )
    try:
        home.mkdir(parents=True, exist_ok=True)
        fh = open(home / ".lock", "a+")  # noqa: SIM115 - closed below, after the lock is released
    except OSError as exc:
        raise warehouse_write_error(home, exc) from None
    with fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


#: errno values that mean "this folder cannot take the write", which the user can fix.
_WRITE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EACCES, errno.EPERM, errno.EFBIG}


def warehouse_write_error(home: Path, exc: OSError) -> UserError:
    reason = exc.strerror or str(exc)
    if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        hint = "free some space (or point --home at a larger disk) and load again"
    else:
        hint = "check the folder's permissions, or point --home at a folder you can write"
    return UserError(f"cannot write the warehouse at {home}: {reason}; nothing was changed ({hint})")


_commits = [0]


def commits() -> int:
    """How many loads this process has committed (a Ctrl-C message says whether one was)."""
    return _commits[0]


def _write_manifest(home: Path, manifest: Manifest) -> None:
    tmp = home / f".{MANIFEST}.{uuid.uuid4().hex}.tmp"
    try:
        with open(tmp, "w") as fh:
            json.dump(manifest.to_json(), fh, indent=1)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, home / MANIFEST)
        _commits[0] += 1
    finally:
        tmp.unlink(missing_ok=True)


def _clean_temporaries(home: Path) -> None:
    """Remove what killed writers left: manifest and cache temporaries. Only writers make them, and
    the caller holds the writer lock, so none of them is in use."""
    for path in home.glob(f".{MANIFEST}.*.tmp"):
        path.unlink(missing_ok=True)
    cache = home / "cache"
    if cache.is_dir():
        for path in [*cache.glob(".*.tmp"), *cache.glob(".*.tmp.wal")]:
            path.unlink(missing_ok=True)
        # a query's private link folder lives for milliseconds; one left by a killed query pins
        # an old cache's disk space (readers do not take the lock: leave the young ones alone)
        for path in cache.glob(".query-*"):
            with contextlib.suppress(OSError):
                if time.time() - path.stat().st_mtime > 3600:
                    shutil.rmtree(path, ignore_errors=True)


def _retire(home: Path, base: Manifest, result: Manifest) -> None:
    """Stamp the files the new manifest stops naming with the time they are replaced (now), so that
    their grace period counts from the replacement, not from when they were written."""
    live = {p.file for parts in result.tables.values() for p in parts}
    now = time.time()
    for parts in base.tables.values():
        for part in parts:
            if part.file not in live:
                with contextlib.suppress(FileNotFoundError):
                    os.utime(home / part.file, (now, now))


def _collect_garbage(home: Path, manifest: Manifest) -> None:
    live = {p.file for parts in manifest.tables.values() for p in parts}
    now = time.time()
    data = home / "data"
    if not data.exists():
        return
    for path in data.glob("*/*.parquet"):
        rel = path.relative_to(home).as_posix()
        with contextlib.suppress(FileNotFoundError):
            if rel not in live and now - path.stat().st_mtime > GRACE_SECONDS:
                path.unlink()


@contextmanager
def transaction(home: Path, *, replace: bool = False) -> Iterator[Transaction]:
    """Open a write transaction on the warehouse at ``home``.

    Everything staged inside the ``with`` block becomes visible at once when it exits normally;
    if it raises (or is interrupted), the staged files are deleted and the warehouse is untouched.
    A full disk or a folder that cannot be written is a ``UserError`` saying nothing changed.
    A partition replaced by one with fewer rows or countries is refused unless ``replace``
    (``friendshore.warehouse.shrink``).
    """
    home = Path(home)
    with writer_lock(home):
        tx = Transaction(home, read_manifest(home), replace=replace)
        try:
            _clean_temporaries(home)
            yield tx
            if tx.staged and not tx.allow_shrink:
                check_no_shrink(str(home), [p for ps in tx.base.tables.values() for p in ps], tx.staged)
            if tx.staged:
                result = tx.result()
                _retire(home, tx.base, result)
                _write_manifest(home, result)
        except OSError as exc:
            tx.discard()
            if exc.errno in _WRITE_ERRNOS:
                raise warehouse_write_error(home, exc) from None
            raise
        except BaseException:
            tx.discard()
            raise
        if tx.staged:
            try:
                _collect_garbage(home, result)
            except OSError as exc:  # the load is committed; a file left behind is removed next time
                log.warning("could not remove replaced files under %s (%s)", home, exc)


def verify(home: Path) -> list[dict[str, Any]]:
    """Re-check every partition file the manifest names: present, the sha256 recorded when it was
    written, and its row count (partitions written before hashes were recorded: the row count only).

    Returns one row per partition: ``table, partition, file, rows, ok, problem`` (``problem`` is
    empty when ``ok``, or a note on what could not be checked).
    """
    home = Path(home)
    out: list[dict[str, Any]] = []
    try:
        manifest = read_manifest(home)
    except SettingsError as exc:
        row = {"table": "", "partition": "", "file": MANIFEST, "rows": 0, "ok": False, "problem": str(exc)}
        return [row]
    for table, parts in sorted(manifest.tables.items()):
        for part in sorted(parts, key=Partition.key_id):
            problem = _check_file(home / part.file, part)
            out.append(
                {
                    "table": table,
                    "partition": ", ".join(f"{k}={v}" for k, v in part.key.items()),
                    "file": part.file,
                    "rows": part.rows,
                    "ok": problem is None,
                    "problem": problem or ("" if part.sha256 else "no sha256 recorded (rows checked)"),
                }
            )
    return out


def _check_file(path: Path, part: Partition) -> str | None:
    """What is wrong with the partition file ``path`` (``None``: nothing)."""
    if not path.is_file():
        return "file is missing"
    if part.sha256 is not None and sha256_file(path) != part.sha256:
        return f"sha256 differs from the one recorded at load ({part.sha256[:12]})"
    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except (pa.ArrowInvalid, OSError) as exc:
        return f"not a readable Parquet file ({exc})"
    if rows != part.rows:
        return f"holds {rows} rows, the manifest says {part.rows}"
    return _check_key(path, part)


def _check_key(path: Path, part: Partition) -> str | None:
    """What is wrong with the mapping of ``path`` to ``part`` (``None``: nothing): the file must have
    its table's schema and hold only rows of the partition's key (a manifest whose entries were
    swapped between partitions names the right hashes for the wrong partitions)."""
    spec = table_spec(part.table)
    meta = pq.ParquetFile(path)
    if not meta.schema_arrow.equals(spec.schema, check_metadata=False):
        return f"is not a file of table '{part.table}' (its columns differ)"
    for col in spec.partition_by:
        values = pc.unique(pq.read_table(path, columns=[col]).column(col)).to_pylist()
        if any(v != part.key[col] for v in values):
            shown = ", ".join(map(str, values[:3]))
            return f"holds rows with {col} = {shown}, the manifest says {part.key[col]}"
    return None
