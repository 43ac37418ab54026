"""Read-only SQL on the warehouse: one SELECT (or WITH ... SELECT) statement, nothing else."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import sqlglot
from sqlglot import exp

from friendshore.errors import ReadOnlyQueryError, UserError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

__all__ = ["check_read_only", "run_query"]

_WRITES = (
    exp.Insert,
    exp.Update,
    exp.Delete,
    exp.Merge,
    exp.Create,
    exp.Drop,
    exp.Alter,
    exp.Command,
    exp.Copy,
    exp.Set,
    exp.Use,
    exp.Pragma,
    exp.Attach,
    exp.Detach,
    exp.TruncateTable,
    exp.LoadData,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Into,
)


def check_read_only(sql: str, dialect: str = "duckdb") -> exp.Expression:
    """Parse ``sql`` and refuse anything but a single read query."""
    try:
        statements = [s for s in sqlglot.parse(sql, dialect=dialect) if s is not None]
    except sqlglot.errors.ParseError as exc:
        raise UserError(
            f"SQL does not parse: {exc.errors[0]['description'] if exc.errors else exc}"
        ) from None
    if len(statements) != 1:
        raise ReadOnlyQueryError(f"give exactly one SQL statement (got {len(statements)})")
    tree = statements[0]
    if not isinstance(tree, exp.Query) or any(tree.find_all(*_WRITES)):
        kind = tree.key.upper()
        raise ReadOnlyQueryError(
            f"only read queries (SELECT, WITH ... SELECT) are allowed here, not {kind}; "
            "the warehouse is changed only through 'friendshore ingest'"
        )
    return tree


def run_query(con: BaseBackend, sql: str) -> pa.Table:
    """Run a read-only query on ``con`` and return the result as Arrow."""
    dialect = "spark" if con.name == "pyspark" else "duckdb"
    check_read_only(sql, dialect)
    try:
        return con.sql(sql, dialect=dialect).to_pyarrow()
    except Exception as exc:  # the engine's own message is the useful one
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UserError(f"query failed: {message}") from None
