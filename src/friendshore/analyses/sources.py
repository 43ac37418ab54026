"""Where friendshore's data come from: the source catalogue as a result (``friendshore data sources``,
``GET /api/data/sources``), one row per source with its publisher, release, years, licence, landing
page, download address and citation (``friendshore.sources.catalogue``)."""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["sources"]

_FIELDS = ("id", "publisher", "title", "release", "years", "licence", "landing_page", "download", "manual",
           "citation", "verified")  # fmt: skip


def sources(settings: Settings) -> Result:
    """Every catalogued source: publisher, title, release, years of the data, licence, landing page,
    download address (or how to get the data by hand), citation, and whether it was checked against
    the publisher."""
    from friendshore.sources.catalogue import catalogue

    rows = [source.to_json() for source in catalogue().values()]
    schema = pa.schema([(f, pa.bool_() if f == "verified" else pa.string()) for f in _FIELDS])
    table = pa.Table.from_pylist([{f: r[f] for f in _FIELDS} for r in rows], schema=schema)
    described = (
        Column("id", "source", "code", True),
        Column("publisher", "publisher", "text", True),
        Column("title", "title", "text", True),
        Column("release", "release", "text", True),
        Column("years", "years of the data", "text", True, description="empty where not checked"),
        Column("licence", "licence", "text", True),
        Column("landing_page", "landing page", "text"),
        Column("download", "download", "text"),
        Column("manual", "by hand", "text", description="how to get the data where there is no download"),
        Column("citation", "citation", "text"),
        Column("verified", "checked against the publisher", "flag"),
    )
    notes = () if all(r["verified"] for r in rows) else (
        "sources marked not verified were not checked against the publisher's own page",
    )  # fmt: skip
    return Result("sources", "Sources friendshore reads", table, {}, (), notes, described)
