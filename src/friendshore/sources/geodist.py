"""CEPII GeoDist (Mayer & Zignago 2011, CEPII Working Paper 2011-25): distances and country facts.

Two files:

* ``dist_cepii`` (here ``dist_cepii.csv``, ``;``-separated): one row per ordered pair ``iso_o,
  iso_d`` with the dummies ``contig`` (common border), ``comlang_off`` (common official language),
  ``comlang_ethno`` (a language spoken by >= 9% of both populations), ``colony`` (ever in a colonial
  relationship), ``comcol`` (common colonizer after 1945), ``curcol`` (currently a colony), ``col45``
  (colonial relationship after 1945), ``smctry`` (were the same country) and four distances in km:
  ``dist`` (between the most populated cities), ``distcap`` (between capitals), ``distw`` and
  ``distwces`` (population-weighted over the main cities, theta = 1 and -1).
* ``geo_cepii.xls``: one row per country and city (capital and/or main city) with ``iso3``,
  ``country``, ``area`` (km2), ``landlocked``, ``continent``, ``lat``, ``lon``, ``cap``, ``maincity``.
  ``geography_countries`` keeps the main-city row of each country (``maincity == 1``, the city the
  ``dist`` distances start from); a country whose capital is another city (USA: Washington vs New
  York) thus gets its main city's coordinates.

CEPII uses some codes that ISO 3166-1 has replaced. ``CEPII_TO_ISO3`` maps the ones checked here
(names from ``geo_cepii.xls``); every other code is kept as CEPII has it, including ``ANT``
(Netherlands Antilles, dissolved in 2010 without a single successor) and ``ATF``. ``YUG`` is
"Serbia and Montenegro" in ``geo_cepii.xls``; it becomes ``SRB`` because the dyadic file (as
distributed here) already calls the same unit ``SRB`` (its internal distance, 120.227 km, is
``dis_int`` of ``YUG``).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_false,
    parse_numbers,
    read_text_csv,
    recoded,
    require_columns,
    require_country_codes,
    require_nonempty,
    require_rows,
    require_unique,
)

__all__ = [
    "CEPII_TO_ISO3",
    "GEODIST_RELEASE",
    "read_geodist_countries",
    "read_geodist_dyadic",
]

#: The release label: GeoDist as documented in Mayer & Zignago (2011).
GEODIST_RELEASE = "geodist-2011"

#: CEPII's legacy codes -> current ISO 3166-1 alpha-3.
CEPII_TO_ISO3: dict[str, str] = {
    "PAL": "PSE",  # Palestine
    "ROM": "ROU",  # Romania
    "TMP": "TLS",  # East Timor -> Timor-Leste
    "YUG": "SRB",  # Serbia and Montenegro (see the module docstring)
    "ZAR": "COD",  # Congo (Democratic Republic of the)
}

_DUMMIES = ["contig", "comlang_off", "comlang_ethno", "colony", "comcol", "curcol", "col45", "smctry"]
_DISTANCES = {"dist": "dist_km", "distcap": "distcap_km", "distw": "distw_km", "distwces": "distwces_km"}
_COUNTRY_COLUMNS = ["iso3", "country", "area", "landlocked", "continent", "lat", "lon", "maincity"]


def _codes(values: pa.Array | pa.ChunkedArray, *, field: str, file: Path, first_line: int) -> pa.Array:
    text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    if isinstance(text, pa.ChunkedArray):
        text = text.combine_chunks()
    require_country_codes(text, file=file, first_line=first_line, field=field)
    return recoded(text, CEPII_TO_ISO3)


def _dummy(values: pa.Array | pa.ChunkedArray, *, field: str, file: Path, first_line: int) -> pa.Array:
    numbers = parse_numbers(values, field=field, file=file, first_line=first_line)
    bad = first_false(pc.is_in(numbers, value_set=pa.array([0.0, 1.0])))
    if bad is not None:
        raise SchemaError(
            f"{numbers[bad].as_py()} is not 0 or 1",
            file=file,
            line=first_line + bad,
            field=field,
            hint="GeoDist dummies are 0 or 1",
        )
    return pc.cast(numbers, pa.int16())


def _csv_text(path: Path, names: list[str]) -> pa.Table:
    """A CSV as text columns; ``;``- or ``,``-separated (whichever the header line uses)."""
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        delimiter = ";" if ";" in fh.readline() else ","
    hint = "CEPII's dist_cepii comes as .xls; a CSV export must keep its header"
    return read_text_csv(path, names, delimiter=delimiter, hint=hint)


def _sheet_text(path: Path) -> pa.Table:
    """The first sheet of an Excel file as text columns (header in row 1; data from row 2)."""
    from python_calamine import CalamineError, CalamineWorkbook

    try:
        rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    except (CalamineError, OSError, ValueError, IndexError, TypeError) as exc:
        raise DataSourceError(f"not a readable Excel workbook ({exc})", file=path) from None
    if not rows:
        raise DataSourceError("the first sheet is empty", file=path, hint="download the file again")
    header = [str(c).strip() for c in rows[0]]
    body = rows[1:]
    while body and not any(str(c).strip() for c in body[-1]):
        body = body[:-1]
    columns = {
        name: pa.array(
            [repr(r[k]) if isinstance(r[k], float) else str(r[k]).strip() for r in body], pa.string()
        )
        for k, name in enumerate(header)
        if name
    }
    return pa.table(columns) if columns else pa.table({"": pa.array([], pa.string())})


def _is_excel(path: Path) -> bool:
    return path.suffix.lower() in (".xls", ".xlsx")


def read_geodist_dyadic(path: Path, *, release: str = GEODIST_RELEASE) -> pa.Table:
    """``dist_cepii`` (.xls as CEPII ships it, or a CSV export) -> ``geography`` rows.

    Columns: origin, destination, the eight dummies, and the four distances in km.
    """
    path = Path(path)
    require_nonempty(path)
    names = ["iso_o", "iso_d", *_DUMMIES, *_DISTANCES]
    raw = _sheet_text(path) if _is_excel(path) else _csv_text(path, names)
    require_columns(raw.column_names, names, file=path, hint="is this CEPII's dist_cepii file?")
    require_rows(raw, file=path)
    n = raw.num_rows
    data: dict[str, pa.Array | pa.ChunkedArray] = {
        "release": pa.array([release] * n, pa.string()),
        "origin": _codes(raw.column("iso_o"), field="iso_o", file=path, first_line=2),
        "destination": _codes(raw.column("iso_d"), field="iso_d", file=path, first_line=2),
    }
    for col in _DUMMIES:
        data[col] = _dummy(raw.column(col), field=col, file=path, first_line=2)
    for col, out in _DISTANCES.items():
        data[out] = parse_numbers(
            raw.column(col),
            field=col,
            file=path,
            first_line=2,
            missing=("", "NA", "."),
            allow_missing=col in ("distw", "distwces"),
            nonnegative=True,
        )
    table = pa.table(data)
    require_unique(
        table,
        ["origin", "destination"],
        "pair {origin}-{destination} appears {count} times",
        file=path,
        field="iso_o",
        hint="each ordered pair must appear once (after mapping old codes: "
        + ", ".join(f"{k}->{v}" for k, v in CEPII_TO_ISO3.items())
        + ")",
    )
    _require_square(table, path)
    return table


def _require_square(table: pa.Table, path: Path) -> None:
    """GeoDist gives every ordered pair of its countries (each with itself too, or none with
    itself): a file cut short, or missing a pair, is not the dataset."""
    origin, destination = table.column("origin"), table.column("destination")
    codes = set(pc.unique(origin).to_pylist()) | set(pc.unique(destination).to_pylist())
    n = len(codes)
    diagonal = pc.sum(pc.cast(pc.equal(origin, destination), pa.int64())).as_py() or 0
    if (table.num_rows, diagonal) in ((n * n, n), (n * (n - 1), 0)):
        return
    counts = {str(c["values"]): int(c["counts"]) for c in pc.value_counts(origin).to_pylist()}
    short = min(sorted(codes), key=lambda code: counts.get(code, 0))
    raise SchemaError(
        f"{table.num_rows:,} pairs for {n} countries, not every ordered pair; {short} is the origin "
        f"of {counts.get(short, 0)} of them",
        file=path,
        hint="GeoDist has every ordered pair of its countries: the file looks cut short or edited, "
        "download it again",
    )


def read_geodist_countries(path: Path, *, release: str = GEODIST_RELEASE) -> pa.Table:
    """``geo_cepii.xls`` -> ``geography_countries`` rows, one per country (its main city)."""
    path = Path(path)
    require_nonempty(path)
    raw = _sheet_text(path)
    require_columns(raw.column_names, _COUNTRY_COLUMNS, file=path, hint="is this CEPII's geo_cepii file?")
    require_rows(raw, file=path)
    n = raw.num_rows

    def column(name: str) -> pa.ChunkedArray:
        return raw.column(name)

    def number(name: str, *, nonnegative: bool = False) -> pa.Array | pa.ChunkedArray:
        return parse_numbers(
            column(name),
            field=name,
            file=path,
            first_line=2,
            missing=("", "."),
            allow_missing=True,
            nonnegative=nonnegative,
        )

    main = _dummy(column("maincity"), field="maincity", file=path, first_line=2)
    table = pa.table(
        {
            "release": pa.array([release] * n, pa.string()),
            "country": _codes(column("iso3"), field="iso3", file=path, first_line=2),
            "name": column("country"),
            "area_km2": number("area", nonnegative=True),
            "landlocked": _dummy(column("landlocked"), field="landlocked", file=path, first_line=2),
            "continent": column("continent"),
            "lat": number("lat"),
            "lon": number("lon"),
            "line": pa.array(range(2, n + 2), pa.int64()),
        }
    ).filter(pc.equal(main, 1))
    require_unique(
        table,
        ["country"],
        "{country} has {count} rows with maincity = 1",
        file=path,
        field="maincity",
        hint="each country must have one main city",
        line_column="line",
    )
    return table.drop_columns(["line"])
