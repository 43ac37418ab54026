"""What the warehouse holds: tables, partitions, rows and where each came from."""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["data_status"]


def data_status(settings: Settings) -> Result:
    """Every loaded partition with its rows and provenance (source, release, files, sha256)."""
    from friendshore.warehouse import TABLES, read_manifest

    manifest = read_manifest(settings.home)
    rows = []
    for name in TABLES:
        for part in manifest.partitions(name):
            rows.append(
                {
                    "table": name,
                    "partition": ", ".join(f"{k}={v}" for k, v in part.key.items()),
                    "rows": part.rows,
                    "source": part.source,
                    "release": part.release,
                    "files": "; ".join(f.name + (f":{f.member}" if f.member else "") for f in part.files),
                    "sha256": "; ".join(f.sha256 for f in part.files),
                    "loaded_at": part.loaded_at,
                }
            )
    schema = pa.schema(
        [
            (c, pa.int64() if c == "rows" else pa.string())
            for c in ("table", "partition", "rows", "source", "release", "files", "sha256", "loaded_at")
        ]
    )
    notes: tuple[str, ...] = ()
    if not rows:
        notes = (
            f"The warehouse at {settings.home} is empty: run 'friendshore ingest sample' "
            "or 'friendshore ingest baci FILE'.",
        )
    described = (
        Column("table", "table", "code", True),
        Column("partition", "partition", "text", True),
        Column("rows", "rows", "count", True),
        Column("source", "source", "text", True),
        Column("release", "release", "code", True),
        Column("files", "files", "text", True),
        Column("sha256", "sha256", "code"),
        Column("loaded_at", "loaded", "text", True),
    )
    return Result(
        "data-status",
        f"Warehouse {settings.home}",
        pa.Table.from_pylist(rows, schema=schema),
        {"home": str(settings.home)},
        (),
        notes,
        described,
    )
