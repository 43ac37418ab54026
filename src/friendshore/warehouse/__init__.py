"""The warehouse: validated, atomic, idempotent loads, and one Ibis connection over them."""

from friendshore.warehouse.connect import Snapshot, connect, open_snapshot, require_table
from friendshore.warehouse.query import run_query
from friendshore.warehouse.store import read_manifest, transaction
from friendshore.warehouse.tables import TABLES, table_spec

__all__ = [
    "TABLES",
    "Snapshot",
    "connect",
    "open_snapshot",
    "read_manifest",
    "require_table",
    "run_query",
    "table_spec",
    "transaction",
]
