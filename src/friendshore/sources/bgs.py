"""British Geological Survey, World Mineral Statistics (WMS): production by country and year.

The file is what the BGS WMS download tool gives for a set of commodities, here
``bgs_wms_production_1970_2021.csv.gz``: ``;``-separated (gzip or plain), columns
``Country;commodity_code;commodity_desc;Sub-commodity;year;value``. Values are in tonnes, except
natural gas (BGS code 107) in million cubic metres (BGS commodity list); a sub-commodity may be on
another basis (gross weight of a mineral, Li content, ...). Country names are BGS spellings;
``read_bgs_production`` keeps them in ``country_name`` and the loader maps them to ISO3.

Choices, so that shares computed from these rows are sound:

* ``commodity`` is the BGS description, with the sub-commodity appended as
  ``"<commodity>: <sub-commodity>"`` when there is one (``"lithium minerals: Spodumene"``), so
  figures on different bases are never summed by accident.
* ``stage`` comes from the description: ``"mine"`` for ``... mine``, ``... ore(s)`` and
  ``... minerals``; ``"refinery"`` for ``refined`` and ``slab`` (refined zinc) including
  ``nickel smelter/refined``; ``"smelter"`` for ``... smelter`` and ``aluminium primary``;
  ``"production"`` otherwise (graphite, rare earth oxides, uranium, steel crude, oil, gas).
* ``statistic`` is ``"production"``; every row is a country (``row_kind = "country"``): the
  download has no world-total rows, so a world figure is the sum over countries.
* A row whose value cell is empty is dropped: the download leaves the cell empty where BGS has
  no figure (e.g. a country before it existed), which is neither a zero nor a withheld figure.
* ``release`` is ``"WMS-<first year>-<last year>"`` of the years in the file (here
  ``WMS-1970-2021``): BGS updates WMS as a database without numbered releases, so the span of
  years downloaded is what identifies a vintage.

``line`` is the file line of each row (for error messages; it is not stored).
"""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_false,
    parse_numbers,
    require_balanced_quotes,
    require_columns,
    require_nonempty,
)

__all__ = ["BGS_COLUMNS", "SOURCE", "bgs_stage", "bgs_unit", "read_bgs_production"]

SOURCE = "bgs"
BGS_COLUMNS = ("Country", "commodity_code", "commodity_desc", "Sub-commodity", "year", "value")
#: BGS commodity code -> unit where it is not tonnes (from the BGS WMS commodity list).
_UNITS = {"107": "million cubic metres"}


def bgs_stage(commodity_desc: str) -> str:
    """Stage of a BGS commodity description (see the module docstring)."""
    d = " ".join(commodity_desc.lower().split())
    if re.search(r"\b(mine|ores?|minerals)\b", d):
        return "mine"
    if re.search(r"\b(refined|slab)\b", d):
        return "refinery"
    if "smelter" in d or d == "aluminium primary":
        return "smelter"
    return "production"


def bgs_unit(commodity_code: str) -> str:
    """Unit of a BGS commodity code: tonnes, except natural gas (107) in million cubic metres."""
    return _UNITS.get(commodity_code.strip(), "tonnes")


def _header(path: Path) -> list[str]:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8-sig") as fh:
            first = fh.readline()
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise DataSourceError(
            f"cannot read the file ({exc})", file=path, hint="the download may be truncated: fetch it again"
        ) from None
    return [c.strip().strip('"') for c in first.rstrip("\r\n").split(";")]


def read_bgs_production(path: Path, *, release: str | None = None) -> pa.Table:
    """BGS WMS production download -> ``mineral_production`` rows (no ``country`` column yet)."""
    path = Path(path)
    require_nonempty(path)
    header = _header(path)
    if len(header) < 2:
        raise SchemaError(
            f"header is {header}: not ';'-separated",
            file=path,
            line=1,
            hint="BGS WMS downloads are ';'-separated text",
        )
    require_columns(header, BGS_COLUMNS, file=path, hint="is this a BGS World Mineral Statistics download?")
    require_balanced_quotes(path)
    try:
        raw = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(encoding="utf-8"),
            parse_options=pacsv.ParseOptions(delimiter=";"),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in header},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                auto_dict_encode=False,
            ),
        )
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        raise DataSourceError(
            f"not a readable BGS file ({exc})",
            file=path,
            hint="the download may be truncated: fetch it again",
        ) from None
    raw = raw.rename_columns([c.lstrip("\ufeff").strip().strip('"') for c in raw.column_names])
    n = raw.num_rows
    if n == 0:
        raise DataSourceError("no rows after the header", file=path, hint="download it again")

    def text(name: str) -> pa.ChunkedArray:
        return pc.utf8_trim_whitespace(raw.column(name))

    for name in ("Country", "commodity_code", "commodity_desc"):
        bad = first_false(pc.not_equal(text(name), ""))
        if bad is not None:
            raise SchemaError("value is missing", file=path, line=bad + 2, field=name)
    years = parse_numbers(raw.column("year"), field="year", file=path, first_line=2)
    bad = first_false(
        pc.and_(
            pc.equal(pc.floor(years), years),
            pc.and_(pc.greater_equal(years, 1800), pc.less_equal(years, 2200)),
        )
    )
    if bad is not None:
        raise SchemaError(f"'{years[bad].as_py()}' is not a year", file=path, line=bad + 2, field="year")
    values = parse_numbers(
        raw.column("value"),
        field="value",
        file=path,
        first_line=2,
        allow_missing=True,
        nonnegative=True,
    )
    if release is None:
        span = pc.min_max(years).as_py()
        release = f"WMS-{int(span['min'])}-{int(span['max'])}"

    desc = text("commodity_desc").to_pylist()
    sub = text("Sub-commodity").to_pylist()
    codes = text("commodity_code").to_pylist()
    stage_of = {d: bgs_stage(d) for d in set(desc)}
    unit_of = {c: bgs_unit(c) for c in set(codes)}
    table = pa.table(
        {
            "source": pa.array([SOURCE] * n, pa.string()),
            "release": pa.array([release] * n, pa.string()),
            "commodity": pa.array([f"{d}: {s}" if s else d for d, s in zip(desc, sub, strict=True)]),
            "statistic": pa.array(["production"] * n, pa.string()),
            "stage": pa.array([stage_of[d] for d in desc], pa.string()),
            "country_name": text("Country"),
            "row_kind": pa.array(["country"] * n, pa.string()),
            "year": pc.cast(years, pa.int16()),
            "value": values,
            "value_flag": pa.nulls(n, pa.string()),
            "unit": pa.array([unit_of[c] for c in codes], pa.string()),
            "line": pa.array(range(2, n + 2), pa.int32()),
        }
    )
    return table.filter(pc.is_valid(table.column("value")))
