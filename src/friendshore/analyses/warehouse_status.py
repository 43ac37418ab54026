"""What the warehouse holds: tables, partitions, rows and where each came from.

Trade partitions also show their HS revision, what they cover (every country and product, or which
importers, exporters and products), and whether the analyses read them: each (year, HS 2017
product) is read from one revision and one release (``friendshore.warehouse.harmonise``).
"""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["data_status"]

_COLUMNS = (
    "table",
    "partition",
    "rows",
    "source",
    "publisher",
    "licence",
    "release",
    "files",
    "sha256",
    "loaded_at",
)
_TRADE_COLUMNS = ("hs_revision", "coverage", "read")


def _reading(settings: Settings) -> dict[str, str]:
    """Trade partition key -> how the analyses read it (newest release, HS17 first, ...)."""
    from friendshore.warehouse import read_manifest
    from friendshore.warehouse.harmonise import choose_slots

    manifest = read_manifest(settings.home)
    slots, _, notes, _ = choose_slots(manifest, settings.home)
    out = {}
    for slot in slots:
        mapped = " (mapped to HS17)" if slot.concordance else ""
        if slot.whole:
            out[slot.partition.key_id()] = "yes" + mapped
        elif slot.include is not None:
            out[slot.partition.key_id()] = (
                f"{len(slot.include)} HS17 products{mapped}; others from a preferred one"
            )
        else:
            out[slot.partition.key_id()] = f"all but {len(slot.exclude)} HS17 products{mapped}"
    for part in manifest.partitions("trade"):
        if part.key_id() not in out:
            label = f"BACI {part.key['hs_revision']} {part.key['release']} "
            why = next((n.split(label, 1)[1] for n in notes if label in n), "")
            why = why.replace("is not read", "", 1).strip(" :()")
            out[part.key_id()] = f"no: {why}" if why else "no"
    return out


def data_status(settings: Settings) -> Result:
    """Every loaded partition with its rows and provenance (source id, its publisher and licence from
    the source catalogue, release, files, sha256); trade partitions with their revision, coverage and
    whether the analyses read them."""
    from friendshore.sources.catalogue import methods_row
    from friendshore.warehouse import TABLES, read_manifest
    from friendshore.warehouse.coverage import TradeCoverage

    manifest = read_manifest(settings.home)
    has_trade = bool(manifest.partitions("trade"))
    reading = _reading(settings) if has_trade else {}
    rows = []
    for name in TABLES:
        for part in manifest.partitions(name):
            row: dict[str, object] = {
                "table": name,
                "partition": ", ".join(f"{k}={v}" for k, v in part.key.items()),
                "rows": part.rows,
                "source": part.source,
                "publisher": methods_row(part.source)["publisher"],
                "licence": methods_row(part.source)["licence"],
                "release": part.release,
                "files": "; ".join(f.name + (f":{f.member}" if f.member else "") for f in part.files),
                "sha256": "; ".join(f.sha256 for f in part.files),
                "loaded_at": part.loaded_at,
            }
            if has_trade:
                trade = name == "trade"
                row["hs_revision"] = str(part.key.get("hs_revision", ""))
                row["coverage"] = TradeCoverage.from_json(part.coverage).describe() if trade else ""
                row["read"] = reading.get(part.key_id(), "") if trade else ""
            rows.append(row)
    names = [*_COLUMNS, *(_TRADE_COLUMNS if has_trade else ())]
    schema = pa.schema([(c, pa.int64() if c == "rows" else pa.string()) for c in names])
    notes: tuple[str, ...] = ()
    if not rows:
        notes = (
            f"The warehouse at {settings.home} is empty: run 'friendshore ingest sample' "
            "or 'friendshore ingest baci FILE'.",
        )
    elif has_trade:
        notes = (
            "trade: each (year, HS 2017 product) is read from one partition: one holding every country "
            "first, then the newest release, then HS17, then the newest revision mapped to HS17 "
            "(docs/warehouse.md); 'read' says which",
        )
    from friendshore.analyses.register import register_counts

    counts = register_counts(settings.home)
    notes = (
        *notes,
        "register: "
        + "; ".join(f"{n} {kind}s, newest {d.isoformat() if d else 'undated'}" for kind, n, d in counts)
        + " ('friendshore register')",
    )
    described = (
        Column("table", "table", "code", True),
        Column("partition", "partition", "text", True),
        Column("rows", "rows", "count", True),
        Column("source", "source", "code", True),
        Column("publisher", "publisher (source catalogue)", "text", True),
        Column("licence", "licence", "text"),
        Column("release", "release", "code", True),
        Column("files", "files", "text", True),
        Column("sha256", "sha256", "code"),
        Column("loaded_at", "loaded", "text", True),
        *(
            (
                Column("hs_revision", "revision", "code", True),
                Column("coverage", "coverage", "text", True),
                Column("read", "read by analyses", "text", True),
            )
            if has_trade
            else ()
        ),
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
