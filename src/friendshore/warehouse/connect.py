"""Open the warehouse as an Ibis backend: embedded DuckDB (default) or PySpark.

Both engines see the same thing: one view per loaded table, as of the manifest read at
connection time. Spark reads the Parquet files the manifest names (under the warehouse folder, or
under ``FRIENDSHORE_SPARK_DATA`` where a cluster reads a copy of the same ``data/`` folder from
object storage); DuckDB attaches the native copy of the same version (``duckdb_cache``), built on
first use. Analytic code takes ``con.table(name)`` and never needs to
know which engine runs it.
"""

from __future__ import annotations

import contextlib
import threading
import warnings
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from friendshore.errors import NotLoadedError, SettingsError
from friendshore.settings import Settings
from friendshore.warehouse.duckdb_cache import open_cache
from friendshore.warehouse.ibis_speed import speed_up_ibis
from friendshore.warehouse.store import Manifest, read_manifest
from friendshore.warehouse.tables import TABLES

if TYPE_CHECKING:
    import ibis
    from ibis.backends import BaseBackend
    from pyspark.sql import SparkSession

    from friendshore.warehouse.harmonise import HarmonisedTrade

__all__ = [
    "Snapshot",
    "connect",
    "forget_thread",
    "interrupt_thread",
    "open_snapshot",
    "require_table",
    "spark_session",
]

#: DuckDB connections opened per thread, so that a server whose time limit passes can stop the
#: queries of the thread running that request (``interrupt_thread``) instead of letting them run.
_opened: dict[int, list[weakref.ref[Any]]] = {}
_opened_lock = threading.Lock()


def forget_thread(ident: int) -> None:
    """Forget the connections thread ``ident`` opened (it starts a new piece of work)."""
    with _opened_lock:
        _opened.pop(ident, None)


def interrupt_thread(ident: int) -> int:
    """Interrupt the running queries of the DuckDB connections thread ``ident`` opened since
    ``forget_thread``; returns how many connections were told. The interrupted query raises in
    that thread ("Query interrupted")."""
    with _opened_lock:
        refs = _opened.pop(ident, [])
    told = 0
    for ref in refs:
        con = ref()
        if con is not None:
            with contextlib.suppress(Exception):
                con.con.interrupt()
                told += 1
    return told


_spark_lock = threading.Lock()
_spark: SparkSession | None = None


def spark_session(remote: str | None = None) -> SparkSession:
    """A Spark session: Spark Connect when ``remote`` is given, else one shared local-mode session.

    Connections do not use it directly: each gets its own session (``_own_session``), so that
    their temporary views never meet."""
    global _spark
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:  # pragma: no cover - pyspark is a dependency
        raise SettingsError("the pyspark backend needs the 'pyspark' package") from exc
    if remote:
        return SparkSession.builder.remote(remote).getOrCreate()
    with _spark_lock:
        if _spark is None:
            _spark = (
                SparkSession.builder.master("local[2]")
                .appName("friendshore")
                .config("spark.driver.bindAddress", "127.0.0.1")
                .config("spark.driver.host", "127.0.0.1")
                .config("spark.ui.enabled", "false")
                .config("spark.ui.showConsoleProgress", "false")
                .config("spark.sql.shuffle.partitions", "4")
                .config("spark.sql.session.timeZone", "UTC")
                .config("spark.sql.ansi.enabled", "false")
                .getOrCreate()
            )
            _spark.sparkContext.setLogLevel("ERROR")
        return _spark


def _own_session(remote: str | None) -> SparkSession:
    """A Spark session of one warehouse connection. Temporary views live in a session, so two
    connections (two warehouses, or two versions of one) must not share one: each gets a new
    session on the shared local Spark context (``newSession``: own views and SQL settings, same
    executors), or a new Spark Connect session."""
    if remote:
        from pyspark.sql import SparkSession

        session: SparkSession = SparkSession.builder.remote(remote).create()
        return session
    return spark_session().newSession()


def _paths(root: Path | str, manifest: Manifest, table: str) -> list[str]:
    """The files of ``table`` under ``root``: the warehouse folder, or the URI that holds the same
    ``data/`` folder for Spark (``FRIENDSHORE_SPARK_DATA``, e.g. ``s3a://bucket/friendshore``)."""
    if isinstance(root, Path):
        return [str(root / f) for f in manifest.files(table)]
    return [f"{root.rstrip('/')}/{f}" for f in manifest.files(table)]


@dataclass(frozen=True)
class Snapshot:
    """A connection to the warehouse and the manifest it shows: the tables and their provenance
    are those of one manifest version, whatever loads happen while it is used."""

    con: BaseBackend
    manifest: Manifest
    home: Path

    def has(self, name: str) -> bool:
        return bool(self.manifest.partitions(name))

    def table(self, name: str) -> ibis.Table:
        """The loaded table ``name`` as stored, or a clear error saying how to load it."""
        if not self.has(name):
            raise _not_loaded(name)
        return self.con.table(name)

    def trade(self, *, release: str | None = None) -> HarmonisedTrade:
        """Trade as the analyses read it: HS 2017, one revision and release per year and product
        (``friendshore.warehouse.harmonise``); ``.table`` is the Ibis table."""
        from friendshore.warehouse.harmonise import harmonise

        self.table("trade")  # not loaded -> a clear error
        return harmonise(self.con, self.manifest, self.home, release=release)


def connect(settings: Settings) -> BaseBackend:
    """Connect to the warehouse under ``settings.home`` with ``settings.backend``."""
    return open_snapshot(settings).con


def open_snapshot(settings: Settings) -> Snapshot:
    """Open the warehouse under ``settings.home`` with ``settings.backend``, with its manifest."""
    import ibis  # imported here: the command line starts without it

    speed_up_ibis()
    home = Path(settings.home)
    con: Any
    if settings.backend == "duckdb":
        # the memory limit and the spill folder of the settings (DuckDB's defaults otherwise)
        config = settings.duckdb_config()
        con = ibis.duckdb.connect(**config)
        with _opened_lock:
            _opened.setdefault(threading.get_ident(), []).append(weakref.ref(con))

        def attach(cache: Path | None) -> None:
            con.raw_sql("DETACH DATABASE IF EXISTS warehouse")
            if cache is not None:
                escaped = str(cache).replace("'", "''")
                con.raw_sql(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")

        # the manifest whose cache is attached: never one read before or after it
        manifest = open_cache(home, attach, config=config)
        for name in TABLES:
            if manifest.partitions(name):
                con.raw_sql(f'CREATE OR REPLACE VIEW "{name}" AS SELECT * FROM warehouse."{name}"')
    elif settings.backend == "pyspark":
        manifest = read_manifest(home)
        loaded = [name for name in TABLES if manifest.partitions(name)]
        # ibis 12 sets a pandas option that pandas 3 deprecates, and passes an option to
        # createDataFrame that Spark Connect ignores (with a warning): both are noise for users.
        warnings.filterwarnings("ignore", message="The 'future.infer_string' option is deprecated")
        warnings.filterwarnings("ignore", message="'verifySchema' is ignored", category=UserWarning)
        session = _own_session(settings.spark_remote)
        con = ibis.pyspark.connect(session)
        # the manifest is read here; the files where the cluster reads them (the same relative paths)
        root: Path | str = settings.spark_data or home
        for name in loaded:
            session.read.parquet(*_paths(root, manifest, name)).createOrReplaceTempView(name)
    else:  # pragma: no cover - Settings validates the literal
        raise SettingsError(f"unknown backend '{settings.backend}' (use duckdb or pyspark)")
    return Snapshot(con, manifest, home)


def _not_loaded(name: str) -> NotLoadedError:
    return NotLoadedError(
        f"the warehouse has no '{name}' table yet: load it with 'friendshore ingest' "
        "(or 'friendshore ingest sample' for the sample data)"
    )


def require_table(con: BaseBackend, name: str) -> ibis.Table:
    """``con.table(name)``, or a clear error saying how to load it."""
    if name not in con.list_tables():
        raise _not_loaded(name)
    return con.table(name)
