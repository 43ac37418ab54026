"""Read-only SQL on the warehouse: one SELECT statement, run by an engine that cannot touch files.

A gate that parses the text itself can always disagree with the engine (sqlglot and DuckDB once
tokenized ``E'\\'`` differently, which let a second statement through). So the engine does all of it:

* the query runs on a **dedicated DuckDB connection**: the warehouse's cache file attached
  read-only, ``enable_external_access = false`` (no file, URL or extension can be read, written or
  installed), spilling off, and ``lock_configuration = true`` (the query cannot turn any of it back);
* DuckDB's own parser splits the text (``extract_statements``): exactly one statement, of type
  SELECT, which is then executed as parsed, on its own, never inside another statement;
* DuckDB's own parse tree (``json_serialize_sql``) is checked against an allow-list of table
  functions (``range``, ``unnest``, ...): ``read_csv``, ``read_text``, ``glob``, ``query``,
  ``duckdb_settings`` and every other table function are refused, as are ``current_setting`` and
  ``getvariable``.

DuckDB keeps the attached file itself writable by path even with external access off; the file
is therefore attached through a hard link in a private folder that is removed before the query
runs, so the one path the engine would still let a statement open no longer exists.

Spark SQL can call Java (``reflect``, ``java_method``) and read any file (``csv.`/path```), and
Spark offers no switch like DuckDB's: raw SQL is refused on ``--backend pyspark``. Both engines
read the same warehouse, so ``--backend duckdb sql ...`` answers the same question.

Errors about the query (syntax, unknown column, refused function, bad cast) are ``UserError``s
(exit 2); anything else from the engine is an internal error and propagates.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from friendshore.errors import ReadOnlyQueryError, UserError
from friendshore.settings import Settings
from friendshore.warehouse.connect import Snapshot
from friendshore.warehouse.duckdb_cache import cache_file, open_cache

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

__all__ = ["ALLOWED_TABLE_FUNCTIONS", "REFUSED_FUNCTIONS", "check_read_only", "query_connection", "run_query"]

#: Table functions a query may call: they compute, they read nothing.
ALLOWED_TABLE_FUNCTIONS = frozenset({"range", "generate_series", "unnest"})
#: Scalar functions that would show the engine's settings (paths among them).
REFUSED_FUNCTIONS = frozenset({"current_setting", "getvariable", "getenv"})

#: Engine errors that are about the query the user wrote.
_QUERY_ERRORS: tuple[type[Exception], ...] = (
    duckdb.ProgrammingError,  # parser, binder, catalog, invalid input, permission
    duckdb.DataError,  # conversion, out of range, type mismatch
    duckdb.NotSupportedError,
    duckdb.IntegrityError,
    duckdb.OutOfMemoryException,
    duckdb.InterruptException,
)

_PYSPARK_REFUSED = (
    "raw SQL is refused on --backend pyspark: Spark SQL can call Java and read files, and offers no "
    "switch to stop it; run it on DuckDB ('friendshore --backend duckdb sql ...', same warehouse) "
    "or use the analysis commands, which run on Spark"
)


@contextlib.contextmanager
def query_connection(cache: Path | None) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection that can read the warehouse ``cache`` file (attached read-only as the
    default database) and nothing else: no file, URL or extension, and no way to change that."""
    db = duckdb.connect(
        ":memory:",
        config={
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
            "allow_community_extensions": False,
            "temp_directory": "",  # no spilling: no folder the engine may write to
        },
    )
    private: Path | None = None
    try:
        if cache is not None:
            private, target = _private_link(cache)
            escaped = str(target).replace("'", "''")
            db.execute(f"ATTACH '{escaped}' AS warehouse (READ_ONLY)")
            db.execute("USE warehouse")
        db.execute("SET enable_external_access = false")
        db.execute("SET lock_configuration = true")
        if private is not None:  # the only paths the engine still allows now lead nowhere
            shutil.rmtree(private, ignore_errors=True)
            private = None
        yield db
    finally:
        db.close()
        if private is not None:
            shutil.rmtree(private, ignore_errors=True)


def _private_link(cache: Path) -> tuple[Path | None, Path]:
    """A hard link to ``cache`` in a fresh private folder beside it (same file system), or the
    cache itself where no link can be made (then the statement gate alone keeps writes out)."""
    try:
        folder = Path(tempfile.mkdtemp(prefix=".query-", dir=cache.parent))
    except OSError:
        return None, cache
    link = folder / f"{uuid.uuid4().hex}.duckdb"
    try:
        os.link(cache, link)
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)
        return None, cache
    return folder, link


def _statement(db: duckdb.DuckDBPyConnection, sql: str) -> Any:
    """The one SELECT statement of ``sql``, as DuckDB parsed it."""
    try:
        statements = db.extract_statements(sql)
    except duckdb.Error as exc:
        raise UserError(f"SQL does not parse: {_first_line(exc)}") from None
    if len(statements) != 1:
        raise ReadOnlyQueryError(f"give exactly one SQL statement (got {len(statements)})")
    statement = statements[0]
    if statement.type != duckdb.StatementType.SELECT:
        kind = statement.type.name
        raise ReadOnlyQueryError(
            f"only read queries (SELECT, WITH ... SELECT) are allowed here, not {kind}; "
            "the warehouse is changed only through 'friendshore ingest'"
        )
    return statement


def _functions(db: duckdb.DuckDBPyConnection, query: str) -> tuple[set[str], set[str]]:
    """Table and scalar function names in DuckDB's own parse tree of ``query``."""
    (text,) = db.execute("SELECT json_serialize_sql(?::VARCHAR)", [query]).fetchone() or ("",)
    tree = json.loads(text)
    if tree.get("error"):
        raise UserError(f"SQL does not parse: {tree.get('error_message', 'unknown error')}")
    tables: set[str] = set()
    scalars: set[str] = set()
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "TABLE_FUNCTION":
                function = node.get("function") or {}
                tables.add(str(function.get("function_name", "")).lower())
            elif node.get("class") == "FUNCTION":
                scalars.add(str(node.get("function_name", "")).lower())
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return tables, scalars


def check_read_only(sql: str, db: duckdb.DuckDBPyConnection | None = None) -> Any:
    """Refuse anything but one SELECT that calls only allowed functions; return DuckDB's statement."""
    with contextlib.ExitStack() as stack:
        if db is None:
            db = stack.enter_context(query_connection(None))
        statement = _statement(db, sql)
        tables, scalars = _functions(db, statement.query)
        refused = sorted(tables - ALLOWED_TABLE_FUNCTIONS) + sorted(scalars & REFUSED_FUNCTIONS)
        if refused:
            raise ReadOnlyQueryError(
                f"'{refused[0]}' is not allowed here: a query reads the warehouse tables only "
                f"(table functions allowed: {', '.join(sorted(ALLOWED_TABLE_FUNCTIONS))})"
            )
        return statement


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _run(cache: Path | None, sql: str) -> pa.Table:
    if cache is not None and not cache.exists():
        raise UserError(
            "the warehouse has changed since this connection was opened and its version is gone: "
            "connect again"
        )
    with query_connection(cache) as db:
        statement = check_read_only(sql, db)
        try:
            return db.execute(statement).fetch_arrow_table()
        except duckdb.PermissionException as exc:
            raise ReadOnlyQueryError(f"query refused: {_first_line(exc)}") from None
        except _QUERY_ERRORS as exc:
            raise UserError(f"query failed: {_first_line(exc)}") from None


def run_query(target: Settings | Snapshot | BaseBackend, sql: str) -> pa.Table:
    """Run one read-only query on the warehouse and return the result as Arrow.

    ``target`` is the settings (the current warehouse version), a ``Snapshot`` or a DuckDB
    connection from ``connect`` (the version it shows). Refused on Spark (see the module docstring).
    """
    if isinstance(target, Settings):
        if target.backend == "pyspark":
            raise UserError(_PYSPARK_REFUSED)
        result: list[pa.Table] = []
        open_cache(Path(target.home), lambda cache: result.append(_run(cache, sql)))
        return result[0]
    if isinstance(target, Snapshot):
        if target.con.name == "pyspark":
            raise UserError(_PYSPARK_REFUSED)
        digest = target.manifest.digest
        return _run(cache_file(target.home, digest) if digest else None, sql)
    if target.name == "pyspark":
        raise UserError(_PYSPARK_REFUSED)
    return _run(_attached_cache(target), sql)


def _attached_cache(con: BaseBackend) -> Path | None:
    """The warehouse cache file a DuckDB connection from ``connect`` has attached (``None``: none)."""
    rows = con.raw_sql("SELECT path FROM duckdb_databases() WHERE database_name = 'warehouse'").fetchall()
    return Path(rows[0][0]) if rows and rows[0][0] else None
