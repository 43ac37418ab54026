"""USGS Mineral Commodity Summaries 2023 and 2024 data releases: world production by country.

Publisher: U.S. Geological Survey, National Minerals Information Center, *Mineral Commodity
Summaries 2023 Data Release* and *Mineral Commodity Summaries 2024 Data Release* (ScienceBase,
public domain). Each release has one world file per commodity, ``mcs2024-<code>_world.csv``
(``MCS2024/world/`` and ``MCS2023/world/world/`` in the release's folder tree), beside its FGDC
metadata ``mcs2024-<code>_meta.xml``:

``Source, Country, Type, Prod_<unit>_<year>, Prod_<unit>_est_<year>, Prod_notes, Reserves_<unit>, ...``

Two production years per file (MCS2024: 2022 and 2023, the later one USGS's estimate; MCS2023:
2021 and 2022), the unit in the column name (``t`` metric tons, ``kt`` thousand metric tons, ``kg``
kilograms, ``Mt``/``mmt`` million metric tons, ``mct``/``kct`` million/thousand carats, ``mcm``
million cubic meters), one series per ``Type`` (``Mine production``, ``Refinery production``,
``Rare earths, mine production, rare-earth-oxide equivalent, metric tons``...).

-> ``read_usgs_world_release``: rows in the ``mineral_production`` schema (without ``country``),
``statistic`` ``production`` (the ``Prod_`` columns); capacity, reserves and the note columns are
not read. The commodity is named from the metadata title
(``MCS 2024 - RARE EARTHS Data Release`` -> ``Rare Earths``, the MCS2026 spelling), else from the
file's code. USGS quirks handled: footnote digits glued to names (``World total (rounded)10``,
``Other countries4``), an estimate's ``e`` glued to a country (``Japane``), qualifiers after a
country (``Brazil (beneficiated)``, ``Peru, crude borates``: the country's figure as USGS reports it),
non-breaking spaces, trailing empty columns, the UTF-8 BOM.

Completeness: a file's series are runs of rows each closed by its ``World total`` row; country rows
after the last World row (a file cut short) and a file cut inside a quoted field are refused
(``SchemaError``/``DataSourceError``). A file without any World row is refused too, except the ones
USGS publishes that way (MCS2024 pumice, ``_NO_WORLD_ROW``), whose shares are of the sum of
countries (``world_basis``). The later year
of each file is an estimate; ``year`` is the year the figure is for, ``release`` the edition.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from pathlib import Path

import pyarrow as pa

from friendshore.console import get_logger
from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_nonempty
from friendshore.sources.usgs_mcs import (
    PRODUCTION_COLUMNS,
    parse_usgs_value,
    production_table,
    usgs_name,
    usgs_row_kind,
    usgs_stage,
)

__all__ = [
    "is_world_release_file",
    "read_usgs_world_release",
    "release_commodity",
    "release_country",
]

log = get_logger(__name__)

#: Unit token of a ``Prod_``/``Cap_`` column -> the unit as stored (``mineral_production.unit``).
UNITS = {
    "t": "metric tons",
    "kt": "thousand metric tons",
    "kg": "kilograms",
    "mt": "million metric tons",
    "mmt": "million metric tons",
    "mct": "million carats",
    "kct": "thousand carats",
    "mcm": "million cubic meters",
}
_HEAD = ("Source", "Country")  # the third column is the series (``Type``; MCS2024 fluorspar names it)
_FILE_RE = re.compile(r"^mcs(\d{4})-(.+)_world\.csv$", re.IGNORECASE)
_TITLE_RE = re.compile(r"Mineral Commodity Summaries \d{4} - (.+?) Data Release", re.IGNORECASE)
_QUALIFIER_RE = re.compile(r"^(.+?)\s*(?:\((.*)\)|,\s*(.+))$")
_SMALL = frozenset({"and", "of", "in"})


def is_world_release_file(path: Path) -> bool:
    """Whether ``path`` is a data-release world file (``mcsYYYY-<code>_world.csv``, header
    ``Source, Country, Type, Prod_...``)."""
    if _FILE_RE.match(Path(path).name) is None:
        return False
    header = _header(Path(path))
    return tuple(header[:2]) == _HEAD and any(_column(c) for c in header)


def _header(path: Path) -> list[str]:
    try:
        with open(path, encoding="utf-8-sig", errors="replace", newline="") as fh:
            return [c.strip() for c in next(csv.reader(fh), [])]
    except (OSError, csv.Error):
        return []


def _column(name: str) -> tuple[str, str, int] | None:
    """``("production", unit token, year)`` of a ``Prod_`` column with a year, else ``None``."""
    parts = name.strip().split("_")
    if len(parts) < 3 or parts[0] != "Prod" or not re.fullmatch(r"\d{4}", parts[-1]):
        return None
    units = [p for p in parts[1:-1] if p.lower() in UNITS]
    if len(units) != 1:
        return None
    return "production", units[0].lower(), int(parts[-1])


def _capwords(text: str) -> str:
    words = text.lower().split()
    return " ".join(w if (i and w in _SMALL) else w[:1].upper() + w[1:] for i, w in enumerate(words))


def release_commodity(path: Path) -> str:
    """The commodity of a world file: the metadata title beside it (``..._meta.xml``), else its code."""
    path = Path(path)
    m = _FILE_RE.match(path.name)
    code = m[2] if m else path.stem
    stem = path.name[: -len("_world.csv")].lower()
    metas = [
        p for p in path.parent.glob("*_meta.xml") if stem.startswith(p.name[: -len("_meta.xml")].lower())
    ]
    for meta in sorted(metas, key=lambda p: -len(p.name)):
        found = _TITLE_RE.search(meta.read_text("utf-8", errors="replace"))
        if found:
            return _capwords(found[1])
    log.warning("%s: no metadata title beside the file; commodity named by its code '%s'", path, code)
    return code


def release_country(name: str, is_country: Callable[[str], bool]) -> tuple[str, str]:
    """``(name, row_kind)`` with USGS's glued footnote digits, estimate ``e`` and qualifiers removed.

    ``is_country`` says whether a name is a known country name (the loader passes the country
    crosswalk's test, so this reader needs no nomenclature). ``"Japane"`` -> ``("Japan", "country")``;
    ``"Brazil (beneficiated)"`` -> ``("Brazil", "country")``; ``"World total (rounded)10"`` ->
    ``("World total (rounded)", "world")``; ``"Other countries4"`` -> ``("Other countries", "other")``.
    A known name is always a country; a name that stays unknown is returned as it is (kind
    ``country``): the loader's strict mapping then names it.
    """
    text = usgs_name(name)
    if is_country(text):
        return text, "country"
    kind = usgs_row_kind(text)
    if kind != "country":
        return text, kind
    for candidate in _candidates(text):
        if is_country(candidate):
            return candidate, "country"
    return text, "country"


def _candidates(text: str) -> list[str]:
    out = [text]
    m = _QUALIFIER_RE.match(text)
    if m:
        out.append(m[1].strip())
    out += [c[:-1] for c in list(out) if c.endswith("e")]
    return out


#: World files that USGS publishes without a World total row (checked against the release): their
#: shares are of the sum of countries. Any other file without one is taken to be cut and refused.
_NO_WORLD_ROW = frozenset({"mcs2024-pumic_world.csv"})

Row = tuple[int, list[str], str, str]  # line, cells, cleaned name, row kind


def _blocks(path: Path, rows: list[Row]) -> list[list[Row]]:
    """The file's series: runs of rows, each closed by its World total row.

    A file without any World row (USGS gives none for a few commodities, e.g. pumice) is one series
    whose shares are of the sum of countries. In a file with World rows, country rows after the
    last one mean the file was cut: refused.
    """
    blocks: list[list[Row]] = [[]]
    for row in rows:
        blocks[-1].append(row)
        if row[3] == "world":
            blocks.append([])
    for block in blocks:
        _one_row_per_country(path, block)
    tail = blocks.pop()
    if not blocks:
        if path.name.lower() not in _NO_WORLD_ROW:
            raise SchemaError(
                "no World total row: the file may be cut short",
                file=path,
                hint="download the data release again (every world file but a few has World total rows)",
            )
        log.warning("%s: USGS gives no World total row; shares are of the sum of countries", path)
        return [tail] if tail else []
    if any(kind == "country" for *_, kind in tail):
        raise SchemaError(
            f"country rows after the last World total row (from line {tail[0][0]}): the series has no World total",
            file=path,
            line=tail[0][0],
            hint="the file may be cut short; download the data release again",
        )
    if tail:
        blocks[-1].extend(tail)
    return blocks


def _one_row_per_country(path: Path, block: list[Row]) -> None:
    """A second row of one country in a series (``United States (from Cliffside Field)`` beside
    ``United States (extracted from natural gas)``) cannot be told apart by country: it is kept
    under its published name as an ``other`` row (in the world total, in no country's share)."""
    seen: set[str] = set()
    for i, (line, raw, name, kind) in enumerate(block):
        if kind != "country":
            continue
        if name in seen:
            log.warning("%s: line %d: a second row for %s kept as 'other' (%s)", path, line, name, raw[1])
            block[i] = (line, raw, " ".join(raw[1].replace("\u00a0", " ").split()), "other")
        seen.add(name)


def _value(cell: str, *, file: Path, line: int, field: str) -> tuple[float | None, str | None]:
    """A production cell: a number or marker (``parse_usgs_value``), an estimate's glued ``e``
    (``e3,900``), or a note in words (``included with ilmenite``: null, the note as the flag)."""
    text = cell[1:] if cell[:1] == "e" and cell[1:2].isdigit() else cell
    try:
        return parse_usgs_value(text)
    except ValueError:
        if sum(ch.isalpha() for ch in text) >= 4:
            return None, text
        raise SchemaError(
            f"'{cell}' is not a number or a USGS marker (W, NA, XX, —)", file=file, line=line, field=field
        ) from None


def read_usgs_world_release(path: Path, *, is_country: Callable[[str], bool]) -> pa.Table:
    """One data-release world file -> ``mineral_production`` rows (without ``country``);
    ``is_country`` tells a known country name (see ``release_country``)."""
    path = Path(path)
    require_nonempty(path)
    m = _FILE_RE.match(path.name)
    if m is None:
        raise DataSourceError(
            "not a USGS MCS data-release world file name", file=path, hint="expected mcsYYYY-<code>_world.csv"
        )
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8, read as Windows-1252", path)
        text = path.read_bytes().decode("cp1252")
    reader = csv.reader(text.splitlines(keepends=True), strict=True)
    try:
        records = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise DataSourceError(f"not a readable CSV file ({exc}); the file may be cut", file=path) from None
    if not records:
        raise DataSourceError("empty file", file=path)
    header = [c.strip() for c in records[0][1]]
    if tuple(header[:2]) != _HEAD:
        raise SchemaError(f"header starts {header[:2]}; expected {list(_HEAD)}", file=path, line=1)
    columns = [(i, parsed) for i, c in enumerate(header) if (parsed := _column(c)) is not None]
    if not columns:
        raise SchemaError("no Prod_<unit>_<year> column", file=path, line=1)
    commodity = release_commodity(path)
    rows = [(line, [c.strip() for c in raw]) for line, raw in records[1:] if len(raw) > 1 and raw[1].strip()]
    blocks = _blocks(path, [(line, raw, *release_country(raw[1], is_country)) for line, raw in rows])
    stages = [usgs_stage(block[0][1][2]) for block in blocks]
    out: dict[str, list[object]] = {name: [] for name in PRODUCTION_COLUMNS}
    for block, stage in zip(blocks, stages, strict=True):
        if stages.count(stage) > 1:  # two series of one stage (palladium, platinum): name them
            stage = " ".join(block[0][1][2].lower().split())
        for line, raw, name, kind in block:
            for i, (statistic, unit, year) in columns:
                cell = raw[i] if i < len(raw) else ""
                if not cell:
                    continue
                value, flag = _value(cell, file=path, line=line, field=header[i])
                out["release"].append(f"MCS{m[1]}")  # the file name; Source says "MCS 2024" in a few
                out["commodity"].append(commodity)
                out["statistic"].append(statistic)
                out["stage"].append(stage)
                out["country_name"].append(name)
                out["row_kind"].append(kind)
                out["year"].append(year)
                out["value"].append(value)
                out["value_flag"].append(flag)
                out["unit"].append(UNITS[unit])
                out["line"].append(line)
    return production_table(out)
