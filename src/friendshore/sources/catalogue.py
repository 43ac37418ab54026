"""The one catalogue of sources: who publishes each, which release, the years of its data, licence,
landing page, download address and citation (``sources/data/catalogue.toml``).

Everything that names a source refers to it by its id: ``Provenance.source`` of a result (the id
the warehouse manifest records at load), the fetcher's ``Download.source``, ``data status`` and
the brief's methods table (``methods_row``). A source is described here and nowhere else.
"""

from __future__ import annotations

import functools
import tomllib
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from friendshore.errors import SchemaError, UnknownCodeError

__all__ = ["CATALOGUE_FILE", "CatalogueSource", "catalogue", "catalogue_source", "methods_row"]

CATALOGUE_FILE = "friendshore/sources/data/catalogue.toml"
_FIELDS = ("id", "publisher", "title", "release", "years", "licence", "landing_page", "download", "citation")


@dataclass(frozen=True)
class CatalogueSource:
    """One source as its publisher describes it."""

    id: str
    publisher: str
    title: str
    release: str
    years: str  # the years of the data in ``release`` ("" where not checked)
    licence: str
    landing_page: str
    download: str  # the publisher's download address ("" where there is none: see ``manual``)
    citation: str
    manual: str = ""  # how to get the data by hand where there is no download address
    verified: bool = True  # False: not checked against the publisher

    def to_json(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in (*_FIELDS, "manual", "verified")}


@functools.cache
def catalogue() -> dict[str, CatalogueSource]:
    """Every catalogued source, by id, in the file's order."""
    text = files("friendshore.sources").joinpath("data", "catalogue.toml").read_text("utf-8")
    out: dict[str, CatalogueSource] = {}
    for index, entry in enumerate(tomllib.loads(text).get("source", [])):
        missing = [f for f in _FIELDS if not isinstance(entry.get(f), str)]
        if missing:
            raise SchemaError(f"source {index + 1} lacks {', '.join(missing)}", file=CATALOGUE_FILE)
        source = CatalogueSource(**entry)
        if source.id in out:
            raise SchemaError(f"source '{source.id}' is catalogued twice", file=CATALOGUE_FILE)
        out[source.id] = source
    return out


def catalogue_source(source_id: str) -> CatalogueSource:
    """The catalogue entry of ``source_id``; ``UnknownCodeError`` naming the known ids otherwise."""
    try:
        return catalogue()[source_id]
    except KeyError:
        known = ", ".join(catalogue())
        raise UnknownCodeError(f"no source '{source_id}' in the catalogue (known: {known})") from None


def methods_row(source_id: str) -> dict[str, str]:
    """One row of a methods or data table for people: publisher, title, release, years, licence,
    landing page and citation of ``source_id`` (an unknown id says so instead of guessing)."""
    found = catalogue().get(source_id)
    if found is None:
        return {"source": source_id, "publisher": "not in the catalogue", "title": "", "release": "",
                "years": "", "licence": "", "landing_page": "", "citation": ""}  # fmt: skip
    return {
        "source": found.id,
        "publisher": found.publisher,
        "title": found.title,
        "release": found.release,
        "years": found.years,
        "licence": found.licence,
        "landing_page": found.landing_page,
        "citation": found.citation,
    }
