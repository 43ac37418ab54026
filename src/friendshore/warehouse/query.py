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

The engine's own views (``pg_settings``, ``duckdb_databases``, ``pragma_database_list``, the
``pg_catalog`` and ``information_schema`` schemas) are refused as the functions are: they show
settings and paths, not warehouse data.

Errors about the query (syntax, unknown column, refused function, bad cast) are ``UserError``s
(exit 2); Ctrl-C during a query is ``KeyboardInterrupt``; anything else from the engine is an
internal error and propagates. Results go through ``portable``: every type renders in every
format (the encodings are in its docstring) and a repeated column name is renamed, never dropped.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
import threading
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
)

_PYSPARK_REFUSED = (
    "raw SQL is refused on --backend pyspark: Spark SQL can call Java and read files, and offers no "
    "switch to stop it; run it on DuckDB ('friendshore --backend duckdb sql ...', same warehouse) "
    "or use the analysis commands, which run on Spark"
)


@contextlib.contextmanager
def query_connection(
    cache: Path | None, memory_limit: str | None = None
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection that can read the warehouse ``cache`` file (attached read-only as the
    default database) and nothing else: no file, URL or extension, and no way to change that.
    ``memory_limit``: DuckDB's (``FRIENDSHORE_MEMORY_LIMIT``; ``None``: DuckDB's default)."""
    config: dict[str, str | bool | int | float | list[str]] = {
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "temp_directory": "",  # no spilling: no folder the engine may write to
    }
    if memory_limit is not None:
        config["memory_limit"] = memory_limit
    db = duckdb.connect(":memory:", config=config)
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


#: Schemas and catalogs of the engine's own views (settings, databases with their paths, ...).
_SYSTEM_SCHEMAS = frozenset({"pg_catalog", "information_schema"})
_SYSTEM_CATALOGS = frozenset({"system", "temp"})


def _system_views(db: duckdb.DuckDBPyConnection) -> set[str]:
    """Names of the engine's own views (``pg_settings``, ``duckdb_databases``, ...), which a query
    names like tables, without parentheses."""
    rows = db.execute(
        "SELECT lower(view_name) FROM duckdb_views() WHERE database_name IN ('system', 'temp')"
    ).fetchall()
    return {str(name) for (name,) in rows} | {"sqlite_master", "sqlite_schema"}


def _refused_tables(db: duckdb.DuckDBPyConnection, tree: Any) -> list[str]:
    """Table references in the parse tree ``tree`` that name one of the engine's views, schemas or
    catalogs rather than a warehouse table."""
    system = _system_views(db)
    refused: list[str] = []
    stack: list[Any] = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            if node.get("type") == "BASE_TABLE":
                catalog = str(node.get("catalog_name") or "").lower()
                schema = str(node.get("schema_name") or "").lower()
                name = str(node.get("table_name") or "").lower()
                if catalog in _SYSTEM_CATALOGS or schema in _SYSTEM_SCHEMAS or name in system:
                    refused.append(".".join(p for p in (catalog, schema, name) if p))
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return sorted(refused)


def _parse_tree(db: duckdb.DuckDBPyConnection, query: str) -> Any:
    (text,) = db.execute("SELECT json_serialize_sql(?::VARCHAR)", [query]).fetchone() or ("",)
    try:
        tree = json.loads(text)
    except RecursionError:
        raise UserError("the query nests expressions too deeply to check (hundreds of levels)") from None
    if tree.get("error"):
        raise UserError(f"SQL does not parse: {tree.get('error_message', 'unknown error')}")
    return tree


def _functions(tree: Any) -> tuple[set[str], set[str]]:
    """Table and scalar function names in DuckDB's own parse tree ``tree``."""
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
        tree = _parse_tree(db, statement.query)
        tables, scalars = _functions(tree)
        views = _refused_tables(db, tree)
        if views:
            raise ReadOnlyQueryError(
                f"'{views[0]}' is not allowed here: it shows the engine's settings or catalog, not "
                "warehouse data; a query reads the warehouse tables only"
            )
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


def _run(cache: Path | None, sql: str, memory_limit: str | None = None) -> pa.Table:
    if cache is not None and not cache.exists():
        raise UserError(
            "the warehouse has changed since this connection was opened and its version is gone: "
            "connect again"
        )
    with query_connection(cache, memory_limit) as db:
        statement = check_read_only(sql, db)
        try:
            query = portable(db, statement.query)
            if query != statement.query:
                check_read_only(query, db)  # the projection around it changes nothing the gate checks
            return _interruptible(db, query)
        except duckdb.PermissionException as exc:
            raise ReadOnlyQueryError(f"query refused: {_first_line(exc)}") from None
        except _QUERY_ERRORS as exc:
            raise UserError(f"query failed: {_first_line(exc)}") from None


def _interruptible(db: duckdb.DuckDBPyConnection, query: str) -> pa.Table:
    """Run ``query`` on a worker thread while this thread waits, so that Ctrl-C (which Python
    delivers to the main thread only between bytecodes, never inside the engine) interrupts the
    engine (``interrupt``) and is raised here as ``KeyboardInterrupt``."""
    out: list[pa.Table] = []
    failed: list[BaseException] = []

    def work() -> None:
        try:
            out.append(db.execute(query).fetch_arrow_table())
        except BaseException as exc:  # handed to the waiting thread, which raises it
            failed.append(exc)

    worker = threading.Thread(target=work, name="friendshore-sql", daemon=True)
    worker.start()
    try:
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        db.interrupt()
        worker.join(10)
        raise
    if failed:
        raise failed[0]
    return out[0]


#: Types every output format (table, CSV, JSON) cannot show as they are: sent as DuckDB's own text
#: for them (``CAST(... AS VARCHAR)``), which is exact. See ``portable``.
_AS_TEXT = (
    "BLOB",
    "HUGEINT",
    "UHUGEINT",
    "BIGNUM",
    "VARINT",
    "DECIMAL",
    "TIME",
    "DATE",
    "INTERVAL",
    "BIT",
    "UNION",
)
#: Nested lists or structs deeper than this are sent as text too (the renderers recurse).
_MAX_DEPTH = 8


def portable(db: duckdb.DuckDBPyConnection, query: str) -> str:
    """``query`` with names and types every output format shows faithfully (``query`` itself when
    it has them already).

    * A column name that repeats gets ``_2``, ``_3``, ... (a column is never dropped).
    * BLOB (``\\xNN`` escapes for bytes that are not printable ASCII), HUGEINT, UHUGEINT, VARINT,
      DECIMAL (exact digits), DATE, TIME, TIMESTAMP (``infinity`` and ``-infinity`` included),
      INTERVAL, BIT (``0101``) and UNION values, and lists or structs holding them or nested more
      than ``_MAX_DEPTH`` deep, become DuckDB's text for them: in JSON they are strings.
    """
    rel = db.sql(query)  # bound, not run: the names and types of the result
    columns, types = list(rel.columns), [str(t).upper() for t in rel.types]
    del rel
    names: list[str] = []
    for name in columns:
        unique, k = name, 1
        while unique in names:
            k += 1
            unique = f"{name}_{k}"
        names.append(unique)
    text = [
        any(t in kind for t in _AS_TEXT) or kind.count("[]") + kind.count("STRUCT(") > _MAX_DEPTH
        for kind in types
    ]
    if names == columns and not any(text):
        return query
    quoted = ['"' + n.replace('"', '""') + '"' for n in names]
    projection = ", ".join(
        f"CAST(#{k + 1} AS VARCHAR) AS {q}" if as_text else f"#{k + 1} AS {q}"
        for k, (q, as_text) in enumerate(zip(quoted, text, strict=True))
    )
    return f"SELECT {projection} FROM (\n{query}\n)"


def run_query(target: Settings | Snapshot | BaseBackend, sql: str) -> pa.Table:
    """Run one read-only query on the warehouse and return the result as Arrow.

    ``target`` is the settings (the current warehouse version), a ``Snapshot`` or a DuckDB
    connection from ``connect`` (the version it shows). Refused on Spark (see the module docstring).
    """
    if isinstance(target, Settings):
        if target.backend == "pyspark":
            raise UserError(_PYSPARK_REFUSED)
        result: list[pa.Table] = []
        open_cache(
            Path(target.home),
            lambda cache: result.append(_run(cache, sql, target.memory_limit)),
            config=target.duckdb_config(),
        )
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
