"""CEPII BACI: bilateral HS6 trade, as CEPII ships it.

A release (e.g. ``V202601``) for one HS revision (e.g. ``HS17``) is a zip of yearly files
``BACI_HS17_Y2024_V202601.csv`` with columns ``t,i,j,k,v,q`` (year, exporter code, importer code,
HS6 product, value in thousand USD, quantity in metric tonnes; ``NA`` where missing) plus the
release's dictionaries ``country_codes_V202601.csv`` and ``product_codes_HS17_V202601.csv``.

Country codes are numeric and mapped to ISO3 with the release's own dictionary. Code 490
("Other Asia, nes", ISO3 ``S19`` in CEPII's file) is Taiwan and becomes ``TWN``; historical codes
that share an ISO3 (276 and 280 are both DEU) map to the same ISO3.
"""

from __future__ import annotations

import io
import re
import zipfile
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    CutShortError,
    first_false,
    parse_integers,
    parse_numbers,
    require_columns,
    require_rows,
    require_unique,
)

__all__ = [
    "TAIWAN_CODE",
    "BaciName",
    "iter_baci_trade",
    "parse_baci_name",
    "read_baci_countries",
    "read_baci_products",
]

TAIWAN_CODE = 490
TRADE_COLUMNS = ("t", "i", "j", "k", "v", "q")
_NAME_RE = re.compile(r"BACI_(?P<hs>HS\d{2})_Y(?P<year>\d{4})_(?P<release>V\d{6}[a-z]?)", re.I)
_RELEASE_RE = re.compile(r"_(?P<release>V\d{6}[a-z]?)", re.I)
_HS_RE = re.compile(r"(?P<hs>HS\d{2})", re.I)


@dataclass(frozen=True)
class BaciName:
    """What a CEPII file name says: HS revision, year and release (any may be unknown)."""

    hs_revision: str | None
    year: int | None
    release: str | None


def parse_baci_name(name: str) -> BaciName:
    """Read HS revision, year and release from a CEPII file name such as
    ``BACI_HS17_Y2024_V202601.csv`` or ``BACI_HS17_V202601.zip``."""
    base = Path(name).name
    m = _NAME_RE.search(base)
    if m:
        return BaciName(m["hs"].upper(), int(m["year"]), m["release"].upper())
    rel = _RELEASE_RE.search(base)
    hs = _HS_RE.search(base)
    return BaciName(hs["hs"].upper() if hs else None, None, rel["release"].upper() if rel else None)


def _read_small_csv(stream: IO[bytes], file: str) -> pa.Table:
    try:
        data = stream.read()
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error) as exc:
        raise DataSourceError(f"archive member is corrupt or truncated ({exc})", file=file) from None
    if data.count(b'"') % 2:
        raise CutShortError(file)
    try:
        return pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(auto_dict_encode=False, strings_can_be_null=False),
            read_options=pacsv.ReadOptions(),
        )
    except pa.ArrowInvalid as exc:
        raise DataSourceError(f"not a readable CSV file ({exc})", file=file) from None


def _as_text(table: pa.Table, name: str) -> pa.ChunkedArray:
    return pc.utf8_trim_whitespace(pc.cast(table.column(name), pa.string()))


def read_baci_countries(stream: IO[bytes], *, file: str, release: str) -> pa.Table:
    """The release's country dictionary -> ``release, code, iso3, iso2, name``.

    Accepts both CEPII layouts: ``country_code, country_name, country_iso2, country_iso3``
    (V2024 on) and ``country_code, country_name_abbreviation, ..., iso_3digit_alpha`` (earlier).
    """
    raw = _read_small_csv(stream, file)
    cols = raw.column_names
    if "country_iso3" in cols:
        iso3, iso2, name = "country_iso3", "country_iso2", "country_name"
    else:
        iso3, iso2, name = "iso_3digit_alpha", "iso_2digit_alpha", "country_name_abbreviation"
    require_columns(cols, ["country_code", iso3, iso2, name], file=file)
    require_rows(raw, file=file)
    codes = parse_integers(
        raw.column("country_code"), field="country_code", file=file, first_line=2, minimum=0, maximum=99999
    )
    iso3_col = _as_text(raw, iso3)
    codes_int = pc.cast(codes, pa.int32())
    iso3_col = pc.if_else(pc.equal(codes_int, TAIWAN_CODE), "TWN", iso3_col)
    table = pa.table(
        {
            "release": pa.array([release] * raw.num_rows, pa.string()),
            "code": codes_int,
            "iso3": iso3_col,
            "iso2": _as_text(raw, iso2),
            "name": _as_text(raw, name),
        }
    )
    bad = first_false(pc.match_substring_regex(table.column("iso3"), r"^[A-Z0-9]{3}$"))
    if bad is not None:
        raise SchemaError(
            f"'{table.column('iso3')[bad].as_py()}' is not a 3-character code",
            file=file,
            line=bad + 2,
            field=iso3,
        )
    require_unique(
        table.append_column("line", pa.array(range(2, table.num_rows + 2), pa.int64())),
        ["code"],
        "country code {code} appears {count} times",
        file=file,
        field="country_code",
        hint="a country dictionary has one row per code",
        line_column="line",
    )
    return table


def _hs6(values: pa.ChunkedArray | pa.Array, *, field: str, file: str, first_line: int) -> pa.Array:
    text = pc.utf8_trim_whitespace(pc.cast(values, pa.string()))
    bad = first_false(pc.match_substring_regex(text, r"^\d{5,6}$"))
    if bad is not None:
        raise SchemaError(
            f"'{text[bad].as_py()}' is not an HS6 code (6 digits; 5 with the leading zero dropped)",
            file=file,
            line=first_line + bad,
            field=field,
        )
    return pc.utf8_lpad(text, width=6, padding="0")


def read_baci_products(stream: IO[bytes], *, file: str, hs_revision: str, release: str) -> pa.Table:
    """The product dictionary -> ``hs_revision, release, hs6, description``."""
    raw = _read_small_csv(stream, file)
    require_columns(raw.column_names, ["code", "description"], file=file)
    require_rows(raw, file=file)
    n = raw.num_rows
    table = pa.table(
        {
            "hs_revision": pa.array([hs_revision] * n, pa.string()),
            "release": pa.array([release] * n, pa.string()),
            "hs6": _hs6(raw.column("code"), field="code", file=file, first_line=2),
            "description": _as_text(raw, "description"),
            "line": pa.array(range(2, n + 2), pa.int64()),
        }
    )
    require_unique(
        table,
        ["hs6"],
        "product {hs6} appears {count} times",
        file=file,
        field="code",
        hint="a product dictionary has one row per HS6 code",
        line_column="line",
    )
    return table.drop_columns(["line"])


def iter_baci_trade(
    stream: IO[bytes],
    *,
    file: str,
    countries: Mapping[int, str],
    year: int | None,
    hs_revision: str,
    release: str,
    block_size: int = 1 << 20,
) -> Iterator[pa.Table]:
    """Stream a BACI yearly CSV as validated Arrow batches in the ``trade`` schema.

    Memory stays bounded: the reader works block by block (``block_size`` bytes; Arrow reads a
    few blocks ahead, so small blocks keep the peak low). Every value is checked; the first bad one raises
    ``SchemaError`` naming its line and field.
    """
    try:
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(block_size=block_size),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in TRADE_COLUMNS}, strings_can_be_null=False
            ),
        )
    except pa.ArrowInvalid as exc:
        msg = str(exc)
        if "Empty CSV" in msg:
            raise DataSourceError("file is empty", file=file, hint="download it again") from None
        raise DataSourceError(f"not a readable CSV file ({msg})", file=file) from None
    names = [c.strip().strip('"') for c in reader.schema.names]
    if names != list(TRADE_COLUMNS):
        raise SchemaError(
            f"header is {names}, expected {list(TRADE_COLUMNS)}",
            file=file,
            line=1,
            hint="is this a BACI yearly file (BACI_HSxx_Yyyyy_Vyyyymm.csv)?",
        )
    code_set = pa.array(sorted(countries), pa.int64())
    code_keys = pa.array(list(countries), pa.int64())
    code_iso3 = pa.array([countries[c] for c in countries], pa.string())
    line = 2
    while True:
        try:
            batch = reader.read_next_batch()
        except StopIteration:
            return
        except pa.ArrowInvalid as exc:
            msg = str(exc)
            hint = "the file should be UTF-8 text as CEPII ships it" if "UTF8" in msg else ""
            raise DataSourceError(
                f"cannot parse CSV after line {line - 1} ({msg})",
                file=file,
                hint=hint or "the file may be truncated or corrupt",
            ) from None
        n = batch.num_rows
        if n == 0:
            continue
        t_int = parse_integers(
            batch.column(0), field="t", file=file, first_line=line, minimum=1900, maximum=2100, what="a year"
        )
        if year is not None:
            bad = first_false(pc.equal(t_int, year))
            if bad is not None:
                raise SchemaError(
                    f"year {t_int[bad].as_py()} in a file named for {year}",
                    file=file,
                    line=line + bad,
                    field="t",
                )
        iso = {}
        for pos, field in ((1, "i"), (2, "j")):
            codes = parse_integers(
                batch.column(pos), field=field, file=file, first_line=line, minimum=0, maximum=99999
            )
            bad = first_false(pc.is_in(codes, value_set=code_set))
            if bad is not None:
                raise SchemaError(
                    f"country code {codes[bad].as_py()} is not in the release's country dictionary",
                    file=file,
                    line=line + bad,
                    field=field,
                    hint="use the country_codes file of the same BACI release",
                )
            iso[field] = pc.take(code_iso3, pc.index_in(codes, value_set=code_keys))
        hs6 = _hs6(batch.column(3), field="k", file=file, first_line=line)
        v = parse_numbers(batch.column(4), field="v", file=file, first_line=line, nonnegative=True)
        q = parse_numbers(
            batch.column(5),
            field="q",
            file=file,
            first_line=line,
            missing=("", "NA"),
            allow_missing=True,
            nonnegative=True,
        )
        yield pa.table(
            {
                "year": pc.cast(t_int, pa.int16()),
                "exporter": iso["i"],
                "importer": iso["j"],
                "hs6": hs6,
                "value_kusd": v,
                "qty_t": q,
                "hs_revision": pa.array([hs_revision] * n, pa.string()),
                "release": pa.array([release] * n, pa.string()),
            }
        )
        line += n


def open_zip(path: Path) -> zipfile.ZipFile:
    """Open a release zip, turning a corrupt or truncated archive into a clear error."""
    try:
        archive = zipfile.ZipFile(path)
        bad = archive.testzip() if path.stat().st_size < (64 << 20) else None
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
        raise DataSourceError(
            f"not a readable zip archive ({exc})",
            file=path,
            hint="the download may be truncated: fetch it again",
        ) from None
    if bad is not None:
        raise DataSourceError(
            f"zip member '{bad}' is corrupt", file=path, hint="the download may be truncated: fetch it again"
        )
    return archive
