"""Country names as publishers spell them -> ISO3 codes, from one table shipped as package data.

The single source of truth is ``friendshore/nomenclature/data/country_names.csv`` (columns
``name,iso3,note``). It was seeded from the names of the CEPII BACI V202601 country dictionary
(``country_codes_V202601.csv``; its ``Other Asia, nes`` is Taiwan, ``TWN``) and extended by hand
with the spellings of USGS (``Congo (Kinshasa)``, ``Burma``, ``Korea, Republic of``), BGS
(``Korea (Rep. of)``, ``Congo, Democratic Republic``, ``Soviet Union``) and the World Bank.
Historic entities keep their own ISO 3166-3 codes (``CSK`` Czechoslovakia, ``SUN`` USSR, ``YUG``
Yugoslavia, ``DDR`` East Germany, ``SCG`` Serbia and Montenegro, ``YMD`` South Yemen), so that a
series never silently merges a predecessor with its successors; the ``note`` column says so.

Matching ignores case, accents, repeated whitespace, the kind of apostrophe, and ``&`` versus
``and`` (see ``normalise_name``). A name that is not in the table is never guessed: add it to the
CSV with its code and a note.

Rows that are not countries (``World total``, ``Other countries``, ``Rest of world``) are told
apart with ``classify_row``.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Literal

from friendshore.console import get_logger
from friendshore.errors import SchemaError, UnknownCodeError

__all__ = [
    "CROSSWALK_PATH",
    "CountryName",
    "RowKind",
    "classify_row",
    "country_names",
    "iso3_for_rows",
    "normalise_name",
    "to_iso3",
    "to_iso3_strict",
]

log = get_logger(__name__)

RowKind = Literal["country", "other", "world"]

#: Where the crosswalk lives in the source tree (for messages that tell the user what to edit).
CROSSWALK_PATH = "src/friendshore/nomenclature/data/country_names.csv"

_COLUMNS = ("name", "iso3", "note")
_ISO3_RE = re.compile(r"^[A-Z]{3}$")
_WORLD_RE = re.compile(r"^world(\s+total)?\b")
_OTHER_RE = re.compile(r"^(other|others|rest of (the )?world)\b")
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u00b4": "'"})


@dataclass(frozen=True)
class CountryName:
    """One row of the crosswalk: a spelling, its ISO3 code, and why (source or history)."""

    name: str
    iso3: str
    note: str
    line: int


def normalise_name(name: str) -> str:
    """The matching key of a name: accents dropped, casefolded, ``&`` as ``and``, one space.

    ``normalise_name(" Côte  d\\u2019Ivoire ") == normalise_name("cote d'ivoire")`` (curly apostrophe).
    """
    text = unicodedata.normalize("NFKD", name)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.translate(_QUOTES).replace("&", " and ")
    return " ".join(text.casefold().split())


def _crosswalk_text() -> str:
    return (files("friendshore.nomenclature") / "data" / "country_names.csv").read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def country_names() -> Mapping[str, CountryName]:
    """The crosswalk keyed by ``normalise_name(name)``; validated on first use.

    Raises ``SchemaError`` (with the CSV line) for a bad header, an empty name, a code that is
    not three capital letters, or one spelling given two different codes.
    """
    reader = csv.reader(io.StringIO(_crosswalk_text()))
    header = next(reader, [])
    if [c.strip() for c in header] != list(_COLUMNS):
        raise SchemaError(f"header is {header}, expected {list(_COLUMNS)}", file=CROSSWALK_PATH, line=1)
    table: dict[str, CountryName] = {}
    for line, row in enumerate(reader, start=2):
        if not row or not any(cell.strip() for cell in row):
            continue
        if len(row) != len(_COLUMNS):
            raise SchemaError(
                f"{len(row)} fields, expected {len(_COLUMNS)} (quote names that hold commas)",
                file=CROSSWALK_PATH,
                line=line,
            )
        name, iso3, note = (cell.strip() for cell in row)
        if not name:
            raise SchemaError("empty name", file=CROSSWALK_PATH, line=line, field="name")
        if not _ISO3_RE.match(iso3):
            raise SchemaError(
                f"'{iso3}' is not an ISO3 code (three capital letters)",
                file=CROSSWALK_PATH,
                line=line,
                field="iso3",
            )
        key = normalise_name(name)
        seen = table.get(key)
        if seen is not None and seen.iso3 != iso3:
            raise SchemaError(
                f"'{name}' -> {iso3} conflicts with '{seen.name}' -> {seen.iso3} (line {seen.line})",
                file=CROSSWALK_PATH,
                line=line,
                field="iso3",
                hint="one spelling must map to one code",
            )
        table.setdefault(key, CountryName(name, iso3, note, line))
    return table


def classify_row(name: str) -> RowKind:
    """``"world"`` for world totals, ``"other"`` for rest-of-world rows, else ``"country"``.

    A name in the crosswalk is always a country (BACI's ``Other Asia, nes`` is Taiwan).
    ``World``, ``World total``, ``World total (rounded)`` -> ``"world"``; ``Other countries``,
    ``Others``, ``Rest of world`` -> ``"other"``. Anything else is taken to be a country, which
    ``to_iso3_strict`` then has to know.
    """
    key = normalise_name(name)
    if key in country_names():
        return "country"
    if _WORLD_RE.match(key):
        return "world"
    if _OTHER_RE.match(key):
        return "other"
    return "country"


def _lookup(names: Iterable[str | None]) -> tuple[list[str | None], list[int]]:
    table = country_names()
    codes: list[str | None] = []
    unknown: list[int] = []
    for pos, name in enumerate(names):
        hit = table.get(normalise_name(name)) if name is not None else None
        codes.append(hit.iso3 if hit is not None else None)
        if hit is None:
            unknown.append(pos)
    return codes, unknown


def to_iso3(names: Iterable[str | None], *, file: str | Path | None = None) -> list[str | None]:
    """ISO3 code of each name, ``None`` where the crosswalk does not know it (or the name is None).

    Unknown names that look like countries (see ``classify_row``) are logged as a warning naming
    ``file``; use ``to_iso3_strict`` where an unknown name must stop the load.
    """
    names = list(names)
    codes, unknown = _lookup(names)
    missing = sorted({n for n in (names[i] for i in unknown) if n and classify_row(n) == "country"})
    if missing:
        where = f"{file}: " if file is not None else ""
        log.warning("%sno ISO3 code for %s; add them to %s", where, missing, CROSSWALK_PATH)
    return codes


def to_iso3_strict(
    names: Iterable[str | None],
    *,
    file: str | Path | None = None,
    lines: Sequence[int] | None = None,
    field: str | None = None,
) -> list[str]:
    """ISO3 code of each name; ``UnknownCodeError`` listing every name the crosswalk lacks.

    ``lines`` (the file line of each name) and ``field`` (its column) make the message point at
    the first occurrence of each unknown name. World and rest-of-world rows are not countries:
    drop them (``classify_row``) before calling this.
    """
    names = list(names)
    codes, unknown = _lookup(names)
    if not unknown:
        return [code for code in codes if code is not None]
    first: dict[str, int] = {}
    for pos in unknown:
        first.setdefault(names[pos] or "<empty>", pos)
    shown = []
    for name, pos in first.items():
        at = f" (line {lines[pos]})" if lines is not None and pos < len(lines) else ""
        shown.append(f"'{name}'{at}")
    where = ", ".join(
        part for part in (str(file) if file is not None else "", f"field '{field}'" if field else "") if part
    )
    aggregates = [n for n in first if n != "<empty>" and classify_row(n) != "country"]
    hint = f"add each to {CROSSWALK_PATH} (columns name,iso3,note) with its ISO3 code and a note"
    if aggregates:
        hint += f"; {aggregates} are world/rest-of-world rows, not countries: filter them out first"
    raise UnknownCodeError(
        f"{where + ': ' if where else ''}unknown country name(s) {', '.join(shown)} ({hint})"
    )


def iso3_for_rows(
    names: Sequence[str | None],
    kinds: Sequence[str],
    *,
    file: str | Path | None = None,
    lines: Sequence[int] | None = None,
    field: str | None = None,
) -> list[str | None]:
    """ISO3 of each row whose kind is ``"country"``, ``None`` for world and rest-of-world rows.

    Every country row must map: ``UnknownCodeError`` (``to_iso3_strict``) otherwise.
    """
    picked = [i for i, kind in enumerate(kinds) if kind == "country"]
    codes = to_iso3_strict(
        [names[i] for i in picked],
        file=file,
        lines=[lines[i] for i in picked] if lines is not None else None,
        field=field,
    )
    out: list[str | None] = [None] * len(names)
    for i, code in zip(picked, codes, strict=True):
        out[i] = code
    return out
