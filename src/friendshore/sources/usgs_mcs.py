"""USGS Mineral Commodity Summaries (MCS) data release: world production/reserves and Table 7.

Publisher: U.S. Geological Survey, National Minerals Information Center, *Mineral Commodity
Summaries 2026 Data Release* (ScienceBase, public domain). Two kinds of file are read:

* **World production, reserves and capacity by country**, one row per commodity x statistic x
  country x year. Two layouts are accepted: the release's ``MCS2026_Commodities_Data.csv``
  (``Commodity, Country, Statistics, Statistics_detail, Unit, Year, Value, ...``) and the
  hand-transcribed subset ``mcs2026_world_production_reserves_subset_transcribed.csv``
  (``commodity, statistic, statistic_detail, unit, year, country, value_as_published``).
  -> ``read_usgs_world_production``, rows in the ``mineral_production`` schema (without
  ``country``, which the loader maps from ``country_name``).
* **Table 7, salient statistics of critical minerals** (``MCS2026_T7_Critical_Minerals_Salient.csv``)
  with the U.S. ``Net_Import_Reliance`` (percent of apparent consumption).
  -> ``read_usgs_salient``, rows in the ``net_import_reliance`` schema (country ``USA``;
  ``primary_import_source`` and ``leading_producer`` still as USGS spells them).

Values are kept as published (``value_flag``), following the MCS conventions:

| published | value | value_flag |
|---|---|---|
| ``270,000`` | 270000.0 | null |
| ``—`` (em or en dash) | 0.0 | ``—`` (zero; e.g. gallium 2024: China 839,000 + Japan 3,000 + Russia 6,000 kg = the world total 848,000 kg, so ``Other countries`` ``—`` is zero) |
| ``W`` | null | ``W`` (withheld to avoid disclosing company proprietary data) |
| ``NA`` / ``XX`` | null | ``NA`` / ``XX`` (not available / not applicable) |
| ``>85,000,000`` / ``<100`` | 85000000.0 / 100.0 | ``>`` / ``<`` (a bound, not a point) |
| empty | the row is skipped: an empty cell carries neither a figure nor a marker |

Net import reliance is kept as published (``reliance_as_published``) with bounds:
``79`` -> [79, 79]; ``>75`` -> [75, 100]; ``<25`` -> [0, 25]; ``E`` (net exporter) -> [0, 0];
``NA``/``W`` -> [null, null].

``stage`` is ``"mine"`` for mine production, ``"refinery"`` for refinery or smelter production,
and otherwise the USGS detail in lower case (``"primary low-purity production"``,
``"reserves"``, ``"production capacity"``); a trailing ``": rounded"`` is dropped.
``row_kind`` is ``"world"`` for ``World total`` rows, ``"other"`` for ``Other countries``.
``line`` is the file line of each row (for error messages; it is not stored).

A world production file cut short at a line boundary is refused, on a first load too (issue 30):
every series of a commodity that has World total rows must have its own, and production given
for the earlier of the edition's two years must be given for the later (see ``_Series``).
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa

from friendshore.console import get_logger
from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_columns, require_nonempty

__all__ = [
    "PRODUCTION_COLUMNS",
    "SOURCE",
    "UsgsKind",
    "find_usgs_files",
    "parse_reliance",
    "parse_usgs_value",
    "production_layout",
    "production_table",
    "read_usgs_salient",
    "read_usgs_world_production",
    "usgs_file_kind",
    "usgs_name",
    "usgs_release",
    "usgs_row_kind",
    "usgs_stage",
]

log = get_logger(__name__)

SOURCE = "usgs-mcs"
UsgsKind = Literal["production", "salient"]

#: Canonical field -> header name, per layout of the world production file.
_PRODUCTION_LAYOUTS: tuple[dict[str, str], ...] = (
    {
        "commodity": "commodity",
        "statistic": "statistic",
        "detail": "statistic_detail",
        "unit": "unit",
        "year": "year",
        "country": "country",
        "value": "value_as_published",
    },
    {
        "commodity": "Commodity",
        "statistic": "Statistics",
        "detail": "Statistics_detail",
        "unit": "Unit",
        "year": "Year",
        "country": "Country",
        "value": "Value",
    },
)
_SALIENT = {
    "year": "Year",
    "unit": "Units",
    "commodity": "Critical_mineral",
    "reliance": "Net_Import_Reliance",
    "leader": "Leading_source_country",
    "leader_share": "Leading_source_precent_world",  # sic: USGS's spelling
    "world": "World_total_prod",
}
_IMPORT_SOURCE_PREFIX = "Primary_import_source"  # "Primary_import_sources_2021-24" in MCS2026

_RELEASE_RE = re.compile(r"mcs[_\s-]?(\d{4})", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(\d{4})(?:[_\s-]?(e|est|estimated))?$", re.IGNORECASE)
_NUMBER_RE = re.compile(r"^([<>])?\s*(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?$")
_DASHES = frozenset({"\u2014", "\u2013"})  # em dash, en dash: zero
_MARKERS = frozenset({"W", "NA", "XX"})
_FOOTNOTE_RE = re.compile(r"(?<=[A-Za-z)])\d+$")
_OTHER_ROW_RE = re.compile(r"^(other|others|rest of (the )?world)\b")
_STAGE_SUFFIX_RE = re.compile(r"(:\s*rounded|,\s*(metric tons|kilograms|thousand metric tons))$")
#: The columns of a ``mineral_production`` row as the readers give them (``source`` first).
PRODUCTION_COLUMNS = (
    "release",
    "commodity",
    "statistic",
    "stage",
    "country_name",
    "row_kind",
    "year",
    "value",
    "value_flag",
    "unit",
    "line",
)


def usgs_release(path: Path) -> str | None:
    """The MCS edition named in a file name (``MCS2026_...`` -> ``"MCS2026"``), else ``None``."""
    m = _RELEASE_RE.search(Path(path).name)
    return f"MCS{m[1]}" if m else None


def usgs_stage(detail: str) -> str:
    """``"mine"``, ``"refinery"`` or the lower-cased USGS series: MCS2026's ``statistic_detail`` or a
    data release's ``Type`` (``Rare earths, mine production, ...`` -> ``"mine"``; a trailing
    ``": rounded"`` or unit words dropped)."""
    text = " ".join(detail.split()).lower()
    if "mine production" in text or text.startswith("mine"):  # "Mine poduction, Kaolin" (sic) too
        return "mine"
    if any(word in text for word in ("refinery", "smelter", "refined")):
        return "refinery"
    return _STAGE_SUFFIX_RE.sub("", text)


def usgs_name(text: str) -> str:
    """A commodity or country name as USGS prints it, without glued footnote digits or doubled or
    non-breaking spaces (``World total (rounded)10`` -> ``World total (rounded)``)."""
    return _FOOTNOTE_RE.sub("", " ".join(text.split()))


def usgs_row_kind(name: str) -> str:
    """``"world"`` for a ``World total`` row, ``"other"`` for ``Other countries`` (or the rest of
    the world), else ``"country"``."""
    low = name.strip().lower()
    if low.startswith("world"):
        return "world"
    if _OTHER_ROW_RE.match(low):
        return "other"
    return "country"


def production_table(out: dict[str, list[object]]) -> pa.Table:
    """The ``mineral_production`` rows (without ``country``) from one list per column."""
    types = {"year": pa.int16(), "value": pa.float64(), "line": pa.int32()}
    return pa.table(
        {
            "source": pa.array([SOURCE] * len(out["line"]), pa.string()),
            **{name: pa.array(out[name], types.get(name, pa.string())) for name in PRODUCTION_COLUMNS},
        }
    )


def parse_usgs_value(text: str) -> tuple[float | None, str | None]:
    """``(value, flag)`` of one published cell (see the module table); ``ValueError`` if not one."""
    t = text.strip()
    if t in _DASHES:
        return 0.0, "\u2014"
    if t.upper() in _MARKERS:
        return None, t.upper()
    m = _NUMBER_RE.match(t)
    if m is None:
        raise ValueError(t)
    value = float(m[2].replace(",", "") + (m[3] or ""))
    if not math.isfinite(value):  # a 400-digit figure is inf as a float: never store it
        raise ValueError(t)
    return value, m[1]


def parse_reliance(text: str) -> tuple[float | None, float | None]:
    """Bounds ``(low, high)`` in percent of a published net import reliance; ``ValueError`` if bad."""
    t = text.strip()
    if t.upper() == "E":
        return 0.0, 0.0
    if t.upper() in _MARKERS:
        return None, None
    m = _NUMBER_RE.match(t)
    if m is None:
        raise ValueError(t)
    x = float(m[2].replace(",", "") + (m[3] or ""))
    if not 0 <= x <= 100:
        raise ValueError(t)
    if m[1] == ">":
        return x, 100.0
    if m[1] == "<":
        return 0.0, x
    return x, x


def _encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) as USGS ships it; Windows-1252 for files re-saved by Excel."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        log.warning("%s: not UTF-8, read as Windows-1252", path)
        return "cp1252"
    return "utf-8-sig"


def _header(path: Path) -> list[str]:
    try:
        with open(path, encoding=_encoding(path), errors="replace", newline="") as fh:
            return [c.strip() for c in next(csv.reader(fh, strict=True), [])]
    except csv.Error as exc:
        raise DataSourceError(f"not a readable CSV file ({exc})", file=path) from None


def production_layout(path: Path) -> dict[str, str]:
    """Field -> header name of the world production layout closest to ``path``'s header."""
    header = set(_header(Path(path)))

    def overlap(layout: dict[str, str]) -> int:
        return len(set(layout.values()) & header)

    best: dict[str, str] = max(_PRODUCTION_LAYOUTS, key=overlap)
    return dict(best)


def usgs_file_kind(path: Path) -> UsgsKind | None:
    """Which MCS file this is, from its header: ``"production"``, ``"salient"`` or ``None``."""
    names = set(_header(Path(path)))
    if {_SALIENT["commodity"], _SALIENT["reliance"]} <= names:
        return "salient"
    if any(set(layout.values()) <= names for layout in _PRODUCTION_LAYOUTS):
        return "production"
    return None


def find_usgs_files(folder: Path) -> list[tuple[Path, UsgsKind]]:
    """The MCS CSV files in ``folder`` (not recursive), each with its kind; others are ignored."""
    found: list[tuple[Path, UsgsKind]] = []
    for path in sorted(Path(folder).glob("*.csv")):
        if path.stat().st_size == 0:
            continue
        kind = usgs_file_kind(path)
        if kind is not None:
            found.append((path, kind))
    return found


@dataclass(frozen=True)
class _Row:
    line: int
    cells: dict[str, str]


def _records(reader: Iterator[list[str]], path: Path) -> Iterator[list[str]]:
    """The reader's records, with a CSV syntax error turned into a ``DataSourceError``."""
    try:
        yield from reader
    except csv.Error as exc:
        raise DataSourceError(f"not a readable CSV file ({exc})", file=path) from None


def _rows(path: Path, columns: dict[str, str]) -> tuple[list[str], list[_Row]]:
    """Header and rows of ``path``, each row as canonical field -> text."""
    with open(path, encoding=_encoding(path), errors="replace", newline="") as fh:
        reader = csv.reader(fh, strict=True)  # strict: a file cut inside a quoted field is an error
        header = [c.strip() for c in next(_records(reader, path), [])]
        require_columns(header, columns.values(), file=path)
        pos = {field: header.index(name) for field, name in columns.items()}
        rows = []
        for raw in _records(reader, path):
            if not any(cell.strip() for cell in raw):
                continue
            if len(raw) < len(header):
                raise SchemaError(
                    f"{len(raw)} fields, header has {len(header)}",
                    file=path,
                    line=reader.line_num,
                    hint="the row may be cut short or a quote may be missing",
                )
            rows.append(_Row(reader.line_num, {f: raw[i].strip() for f, i in pos.items()}))
    return header, rows


def _year(text: str, *, file: Path, line: int, field: str) -> tuple[int, str | None]:
    m = _YEAR_RE.match(text.strip())
    if m is None:
        raise SchemaError(
            f"'{text}' is not a year (expected e.g. 2024 or 2025_estimated)",
            file=file,
            line=line,
            field=field,
        )
    return int(m[1]), ("estimated" if m[2] else None)


def _require_text(row: _Row, field: str, column: str, file: Path) -> str:
    text = row.cells[field]
    if not text:
        raise SchemaError("value is missing", file=file, line=row.line, field=column)
    return text


def _release(path: Path, release: str | None, found: str | None = None) -> str:
    value = release or found or usgs_release(path)
    if not value:
        raise DataSourceError(
            "cannot tell the MCS edition",
            file=path,
            hint="keep the USGS file name (MCS2026_...) or pass release='MCS2026'",
        )
    return value


def read_usgs_world_production(path: Path, *, release: str | None = None) -> pa.Table:
    """World production/reserves/capacity by country -> ``mineral_production`` rows (no ``country``).

    ``release`` defaults to the edition in the file name (``MCS2026``).
    """
    path = Path(path)
    require_nonempty(path)
    # The layout whose columns the header holds; if none, the closest one names what is missing.
    layout = production_layout(path)
    require_columns(
        _header(path), layout.values(), file=path, hint="is this a USGS MCS world production file?"
    )
    rel = _release(path, release)
    _, rows = _rows(path, layout)
    out: dict[str, list[object]] = {name: [] for name in PRODUCTION_COLUMNS}
    if not rows:
        raise SchemaError(
            "the file has a header but no rows", file=path, line=1, hint="download the file again"
        )
    series = _Series()
    for row in rows:
        text = row.cells["value"]
        series.add(row)
        if not text:
            continue
        try:
            value, flag = parse_usgs_value(text)
        except ValueError:
            raise SchemaError(
                f"'{text}' is not a number or a USGS marker (W, NA, XX, —)",
                file=path,
                line=row.line,
                field=layout["value"],
                hint="fix or remove that row, or download the file again",
            ) from None
        year, _ = _year(row.cells["year"], file=path, line=row.line, field=layout["year"])
        name = usgs_name(_require_text(row, "country", layout["country"], path))
        statistic = _require_text(row, "statistic", layout["statistic"], path)
        detail = row.cells["detail"] or statistic
        out["release"].append(rel)
        out["commodity"].append(usgs_name(_require_text(row, "commodity", layout["commodity"], path)))
        out["statistic"].append(statistic.lower())
        out["stage"].append(usgs_stage(detail))
        out["country_name"].append(name)
        out["row_kind"].append(usgs_row_kind(name))
        out["year"].append(year)
        out["value"].append(value)
        out["value_flag"].append(flag)
        out["unit"].append(row.cells["unit"])
        out["line"].append(row.line)
    series.check(path, rel, layout)
    return production_table(out)


_CUT_HINT = "the file looks cut short: download it again (friendshore fetch usgs-mcs --refresh)"


class _Series:
    """The series of a world production file, for the checks that it was not cut short (issue 30).

    MCS lists each commodity's table as runs of rows, one run per statistic, stage and year, each
    closed by its ``World total`` row, production for the two years before the edition (MCS2026:
    2024, then 2025). A file cut at a line boundary loses the World row of the run it cuts, or
    whole runs after it: a commodity with World rows must have one in every run, and production
    given for the earlier year must be given for the later. A file cut exactly after a World row
    that leaves only whole tables, reserves or capacity before it is complete by these rules.
    """

    def __init__(self) -> None:
        self.last_line: dict[tuple[str, str, str, int], int] = {}
        self.world: set[tuple[str, str, str, int]] = set()

    def add(self, row: _Row) -> None:
        m = _YEAR_RE.match(row.cells["year"].strip())
        statistic = row.cells["statistic"]
        if m is None or not statistic or not row.cells["commodity"]:
            return  # the row's own checks name it if it has a value
        key = (
            usgs_name(row.cells["commodity"]),
            statistic.lower(),
            usgs_stage(row.cells["detail"] or statistic),
            int(m[1]),
        )
        self.last_line[key] = row.line
        if usgs_row_kind(usgs_name(row.cells["country"])) == "world":
            self.world.add(key)

    def check(self, path: Path, release: str, layout: dict[str, str]) -> None:
        with_world = {key[0] for key in self.world}
        for key, line in self.last_line.items():
            if key[0] in with_world and key not in self.world:
                raise SchemaError(
                    f"{_series_name(key)} has no World total row, as the commodity's other series have: "
                    "rows are missing after this line",
                    file=path,
                    line=line,
                    field=layout["country"],
                    hint=_CUT_HINT,
                )
        edition = re.search(r"\d{4}", release)
        if edition is None:
            return
        earlier, later = int(edition[0]) - 2, int(edition[0]) - 1
        for commodity, statistic, stage, year in self.last_line:
            key = (commodity, statistic, stage, later)
            if statistic == "production" and year == earlier and key not in self.last_line:
                raise SchemaError(
                    f"{_series_name(key)[: -len(str(later))]}is given for {earlier} but not for {later}: "
                    f"{release} gives production for the two years before the edition, so rows are missing",
                    file=path,
                    line=self.last_line[commodity, statistic, stage, year],
                    field=layout["year"],
                    hint=_CUT_HINT,
                )


def _series_name(key: tuple[str, str, str, int]) -> str:
    """``Cobalt production (mine) 2024``; ``Cobalt reserves 2025``."""
    commodity, statistic, stage, year = key
    return f"{commodity} {statistic}{f' ({stage})' if stage != statistic else ''} {year}"


def _number(text: str, *, file: Path, line: int, field: str) -> float | None:
    if not text:
        return None
    try:
        value, _ = parse_usgs_value(text)
    except ValueError:
        raise SchemaError(
            f"'{text}' is not a number or a USGS marker (W, NA, XX, —)", file=file, line=line, field=field
        ) from None
    return value


def read_usgs_salient(path: Path, *, release: str | None = None) -> pa.Table:
    """MCS Table 7 (critical minerals, salient statistics) -> ``net_import_reliance`` rows.

    ``release`` defaults to the ``Source`` column (``MCS2026``), else the file name. ``year``
    ``2025_estimated`` becomes 2025 with ``year_note`` ``"estimated"``. Country names
    (``primary_import_source``, ``leading_producer``) are as USGS spells them.
    """
    path = Path(path)
    require_nonempty(path)
    header = _header(path)
    imports = next((c for c in header if c.startswith(_IMPORT_SOURCE_PREFIX)), None)
    columns = dict(_SALIENT)
    if imports is None:
        require_columns(header, [*columns.values(), _IMPORT_SOURCE_PREFIX + "s"], file=path)
    else:
        columns["imports"] = imports
    if "Source" in header:
        columns["source"] = "Source"
    _, rows = _rows(path, columns)
    records: list[dict[str, object]] = []
    for row in rows:
        cells = row.cells
        rel = _release(path, release, cells.get("source") or None)
        year, note = _year(cells["year"], file=path, line=row.line, field=columns["year"])
        published = _require_text(row, "reliance", columns["reliance"], path)
        try:
            low, high = parse_reliance(published)
        except ValueError:
            raise SchemaError(
                f"'{published}' is not a net import reliance (a percent such as 79, >75, <25, or E, NA)",
                file=path,
                line=row.line,
                field=columns["reliance"],
            ) from None
        records.append(
            {
                "source": SOURCE,
                "release": rel,
                "commodity": usgs_name(_require_text(row, "commodity", columns["commodity"], path)),
                "country": "USA",
                "year": year,
                "year_note": note,
                "reliance_pct_low": low,
                "reliance_pct_high": high,
                "reliance_as_published": published,
                "primary_import_source": cells.get("imports") or None,
                "leading_producer": cells["leader"] or None,
                "leading_producer_share_pct": _number(
                    cells["leader_share"], file=path, line=row.line, field=columns["leader_share"]
                ),
                "world_production": _number(cells["world"], file=path, line=row.line, field=columns["world"]),
                "unit": cells["unit"],
                "line": row.line,
            }
        )
    schema = pa.schema(
        [
            ("source", pa.string()),
            ("release", pa.string()),
            ("commodity", pa.string()),
            ("country", pa.string()),
            ("year", pa.int16()),
            ("year_note", pa.string()),
            ("reliance_pct_low", pa.float64()),
            ("reliance_pct_high", pa.float64()),
            ("reliance_as_published", pa.string()),
            ("primary_import_source", pa.string()),
            ("leading_producer", pa.string()),
            ("leading_producer_share_pct", pa.float64()),
            ("world_production", pa.float64()),
            ("unit", pa.string()),
            ("line", pa.int32()),
        ]
    )
    return pa.Table.from_pylist(records, schema=schema)
