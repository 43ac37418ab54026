"""Published results recomputed now: our figure beside the published one."""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.reproductions import REPRODUCTIONS, reproduction
from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["reproduce", "reproductions"]


def reproductions(settings: Settings, *, include_consistency: bool = False) -> Result:
    """The reproductions: results a publication printed (and, on request, consistency checks)."""
    rows = [
        {"name": r.name, "kind": r.kind, "title": r.title, "citation": r.citation}
        for r in REPRODUCTIONS.values()
        if include_consistency or r.kind == "published"
    ]
    schema = pa.schema([(c, pa.string()) for c in ("name", "kind", "title", "citation")])
    described = (
        Column("name", "name", "code", True),
        Column("kind", "kind", "text", include_consistency),
        Column("title", "title", "text", True),
        Column("citation", "citation", "text", True),
    )
    return Result(
        "reproductions",
        "Reproductions" if not include_consistency else "Reproductions and consistency checks",
        pa.Table.from_pylist(rows, schema=schema),
        {"include_consistency": include_consistency},
        (),
        (),
        described,
    )


def reproduce(settings: Settings, *, name: str) -> Result:
    """Run one reproduction; the table has one row per quantity (``ok`` says whether it is within
    tolerance). The result's parameter ``ok`` is true when every figure is."""
    entry = reproduction(name)
    checks = entry.run(settings)
    table = pa.Table.from_pylist(
        [c.to_json() for c in checks],
        schema=pa.schema(
            [
                ("quantity", pa.string()),
                ("published", pa.float64()),
                ("ours", pa.float64()),
                ("gap", pa.float64()),
                ("tolerance", pa.float64()),
                ("missing", pa.string()),
                ("source", pa.string()),
                ("ok", pa.bool_()),
            ]
        ),
    )
    compared = [
        c for c in checks if not c.missing
    ]  # a figure whose inputs are not given is listed, not failed
    ok = all(c.ok for c in compared)
    described = (
        Column("quantity", "quantity", "code", True),
        Column("published", "published", "number", True),
        Column("ours", "ours", "number", True),
        Column("gap", "ours - published", "number", True),
        Column("tolerance", "tolerance", "number", True),
        Column("missing", "not reproducible: input not given", "text", any(c.missing for c in checks)),
        Column("source", "where published", "text"),
        Column("ok", "ok", "flag", True),
    )
    notes: tuple[str, ...] = (
        () if ok else (f"{sum(not c.ok for c in compared)} figure(s) outside the tolerance",)
    )
    if len(compared) < len(checks):
        notes += (
            f"{len(checks) - len(compared)} figure(s) not reproducible: an input is not given (see missing)",
        )
    return Result(
        "reproduce",
        f"{entry.title} — {entry.citation}",
        table,
        {"name": name, "kind": entry.kind, "ok": ok},
        (),
        notes,
        described,
    )
