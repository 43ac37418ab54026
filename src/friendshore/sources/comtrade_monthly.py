"""UN Comtrade records by month (or year): the API v1 record layout, and China's monthly export tables.

``read_comtrade_api(path)`` reads records in the layout of the Comtrade API v1 data endpoint
(``getFinalData``; 47 columns ``typeCode, freqCode, refPeriodId, refYear, refMonth, period,
reporterCode, ..., primaryValue, legacyEstimationFlag, isReported, isAggregate``), as a CSV file
(what ``comtradeapicall`` writes; extra columns such as a puller's ``commodity_name`` are ignored),
as the API's JSON answer (``{"data": [records]}``, what ``friendshore.sources.comtrade_api``
saves), or as a folder of such files. Monthly records have ``freqCode`` M and ``refMonth`` 1-12;
annual records ``freqCode`` A and ``refMonth`` 52. Countries are Comtrade's numeric area codes
(``reporterCode``, ``partnerCode``; 0 is the world) and, where the API was asked for descriptions,
ISO3 codes (``reporterISO``, ``partnerISO``). Values are US dollars (``primaryValue``); ``qty`` is in
the unit of ``qtyUnitCode`` (8 is kilograms; -1 none) and ``netWgt`` in kilograms.

``read_china_monthly(path)`` reads ``deep_dive_hs6_monthly.csv`` of qennis/ChinaCriticalMineralComtrade
(``period_dt, partner_name, hs6, val, qty, uv``): China's monthly exports by partner and HS6 as
aggregated by that repository's author from Comtrade pulls for about 40 named partners (values in
US dollars, quantities in kilograms, partners by English name).

Both return source-native column names plus ``line`` (the file line, or the record's position in a
JSON answer); every error names the file, line and field.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pyarrow as pa

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_nonempty

__all__ = [
    "API_COLUMNS",
    "CHINA_MONTHLY_COLUMNS",
    "CHINA_MONTHLY_FILE",
    "api_files",
    "read_china_monthly",
    "read_comtrade_api",
]

#: The API v1 fields the reader needs (the rest of the 47 are read past).
API_COLUMNS = (
    "typeCode",
    "freqCode",
    "refYear",
    "refMonth",
    "period",
    "reporterCode",
    "reporterISO",
    "flowCode",
    "partnerCode",
    "partnerISO",
    "partner2Code",
    "classificationCode",
    "cmdCode",
    "customsCode",
    "motCode",
    "qtyUnitCode",
    "qtyUnitAbbr",
    "qty",
    "netWgt",
    "primaryValue",
)
CHINA_MONTHLY_FILE = "deep_dive_hs6_monthly.csv"
CHINA_MONTHLY_COLUMNS = ("period_dt", "partner_name", "hs6", "val", "qty")

_API_SCHEMA = pa.schema(
    [
        ("line", pa.int32()),
        ("file", pa.string()),
        ("freqCode", pa.string()),
        ("refYear", pa.int16()),
        ("refMonth", pa.int16()),
        ("reporterCode", pa.int32()),
        ("reporterISO", pa.string()),
        ("flowCode", pa.string()),
        ("partnerCode", pa.int32()),
        ("partnerISO", pa.string()),
        ("partner2Code", pa.int32()),
        ("classificationCode", pa.string()),
        ("cmdCode", pa.string()),
        ("customsCode", pa.string()),
        ("motCode", pa.int32()),
        ("qtyUnitCode", pa.int32()),
        ("qtyUnitAbbr", pa.string()),
        ("qty", pa.float64()),
        ("netWgt", pa.float64()),
        ("primaryValue", pa.float64()),
    ]
)
_CHINA_SCHEMA = pa.schema(
    [
        ("line", pa.int32()),
        ("period_dt", pa.date32()),
        ("partner_name", pa.string()),
        ("hs6", pa.string()),
        ("val", pa.float64()),
        ("qty", pa.float64()),
    ]
)
_API_HINT = "expected UN Comtrade API v1 records (CSV with the API's column names, or its JSON answer)"


def api_files(path: Path) -> list[Path]:
    """The record files ``read_comtrade_api`` reads at ``path``: the file itself, or a folder's
    ``*.csv`` and ``*.json`` files whose header (or top level) is the API layout, by name."""
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = [p for p in sorted(path.iterdir()) if p.suffix.lower() in (".csv", ".json") and _is_api(p)]
    if not found:
        raise DataSourceError("no UN Comtrade API record file in this folder", file=path, hint=_API_HINT)
    return found


def _is_api(path: Path) -> bool:
    if not path.is_file() or not path.stat().st_size:
        return False
    with open(path, encoding="utf-8-sig", errors="replace") as fh:
        head = fh.read(4096)
    if path.suffix.lower() == ".json":
        return '"data"' in head
    first = head.splitlines()[0] if head else ""
    return all(column in first.split(",") for column in ("freqCode", "reporterCode", "primaryValue"))


def read_comtrade_api(path: Path) -> pa.Table:
    """Every record of the file(s) at ``path`` (see the module docstring), one row each."""
    rows: list[dict[str, Any]] = []
    for file in api_files(Path(path)):
        require_nonempty(file)
        records = _json_records(file) if file.suffix.lower() == ".json" else _csv_records(file)
        rows += [_api_row(record, line, file) for line, record in records]
    return pa.Table.from_pylist(rows, schema=_API_SCHEMA)


def _csv_records(file: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    with open(file, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in API_COLUMNS if c not in header]
        if missing:
            raise SchemaError(f"header lacks column(s) {missing}", file=file, line=1, hint=_API_HINT)
        for record in reader:
            if None in record:
                raise SchemaError(
                    f"{len(header) + len(record[None])} fields, the header has {len(header)}",
                    file=file,
                    line=reader.line_num,
                )
            yield reader.line_num, record


def _json_records(file: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        answer = json.loads(file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataSourceError(f"not a JSON file ({exc})", file=file, hint=_API_HINT) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise SchemaError("no 'data' list at the top level", file=file, hint=_API_HINT)
    for position, record in enumerate(answer["data"], start=1):
        if not isinstance(record, dict):
            raise SchemaError("is not a record (an object)", file=file, line=position, field="data")
        missing = [c for c in API_COLUMNS if c not in record]
        if missing:
            raise SchemaError(f"record {position} lacks {missing}", file=file, line=position, hint=_API_HINT)
        yield position, record


def _bad(message: str, file: Path, line: int, field: str) -> SchemaError:
    """The error for a bad value of ``field`` on ``line`` of ``file``."""
    return SchemaError(message, file=file, line=line, field=field)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _parsed(record: Mapping[str, Any], field: str) -> tuple[str, float | None]:
    """The text of ``field`` and its value (None where the text is not a number)."""
    text = _text(record[field])
    try:
        return text, float(text)
    except ValueError:
        return text, None


def _integer(
    record: Mapping[str, Any], field: str, file: Path, line: int, *, optional: bool = False
) -> int | None:
    text, number = _parsed(record, field)
    if text == "" and optional:
        return None
    if number is None or not math.isfinite(number) or number != int(number):
        raise _bad(f"'{text}' is not a whole number", file, line, field)
    return int(number)


def _number(record: Mapping[str, Any], field: str, file: Path, line: int, *, optional: bool) -> float | None:
    text, number = _parsed(record, field)
    if text == "" and optional:
        return None
    if number is None:
        raise _bad(f"'{text}' is not a number", file, line, field)
    if not math.isfinite(number) or number < 0:
        raise _bad(f"'{text}' is not a finite number >= 0", file, line, field)
    return number


def _api_row(record: Mapping[str, Any], line: int, file: Path) -> dict[str, Any]:
    if _text(record["typeCode"]) != "C":
        raise _bad(f"typeCode '{_text(record['typeCode'])}' is not C (goods)", file, line, "typeCode")
    freq = _text(record["freqCode"])
    if freq not in ("A", "M"):
        raise _bad(f"freqCode '{freq}' is not A or M", file, line, "freqCode")
    year = _integer(record, "refYear", file, line)
    month = _integer(record, "refMonth", file, line)
    assert year is not None
    assert month is not None
    if not 1900 <= year <= 2100:
        raise _bad(f"refYear {year} is not a calendar year", file, line, "refYear")
    want_month = "1-12" if freq == "M" else "52"
    if (freq == "M" and not 1 <= month <= 12) or (freq == "A" and month != 52):
        raise _bad(f"refMonth {month} with freqCode {freq} (expected {want_month})", file, line, "refMonth")
    period = _text(record["period"])
    want_period = f"{year}{month:02d}" if freq == "M" else str(year)
    if period.removesuffix(".0") != want_period:
        raise _bad(
            f"period '{period}' does not match refYear {year} and refMonth {month} ({want_period})",
            file,
            line,
            "period",
        )
    code = _text(record["cmdCode"])
    if not (code.isdigit() and len(code) in (2, 4, 6)):
        raise _bad(f"'{code}' is not an HS code of 2, 4 or 6 digits", file, line, "cmdCode")
    flow = _text(record["flowCode"])
    if not flow:
        raise _bad("flowCode is empty", file, line, "flowCode")
    return {
        "line": line,
        "file": file.name,
        "freqCode": freq,
        "refYear": year,
        "refMonth": month if freq == "M" else None,
        "reporterCode": _integer(record, "reporterCode", file, line),
        "reporterISO": _text(record["reporterISO"]) or None,
        "flowCode": flow,
        "partnerCode": _integer(record, "partnerCode", file, line),
        "partnerISO": _text(record["partnerISO"]) or None,
        "partner2Code": _integer(record, "partner2Code", file, line),
        "classificationCode": _text(record["classificationCode"]),
        "cmdCode": code,
        "customsCode": _text(record["customsCode"]),
        "motCode": _integer(record, "motCode", file, line),
        "qtyUnitCode": _integer(record, "qtyUnitCode", file, line, optional=True),
        "qtyUnitAbbr": _text(record["qtyUnitAbbr"]) or None,
        "qty": _number(record, "qty", file, line, optional=True),
        "netWgt": _number(record, "netWgt", file, line, optional=True),
        "primaryValue": _number(record, "primaryValue", file, line, optional=False),
    }


def read_china_monthly(path: Path) -> pa.Table:
    """The rows of ``deep_dive_hs6_monthly.csv`` (``path`` is the file or the folder holding it)."""
    path = Path(path)
    file = path / CHINA_MONTHLY_FILE if path.is_dir() else path
    require_nonempty(file)
    rows = []
    seen: dict[tuple[str, str, str], int] = {}
    with open(file, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        header = reader.fieldnames or []
        missing = [c for c in CHINA_MONTHLY_COLUMNS if c not in header]
        if missing:
            raise SchemaError(
                f"header lacks column(s) {missing}; found {header}",
                file=file,
                line=1,
                hint=f"expected {CHINA_MONTHLY_FILE} of qennis/ChinaCriticalMineralComtrade",
            )
        for record in reader:
            line = reader.line_num
            if None in record:
                raise SchemaError("more fields than the header", file=file, line=line)
            text = _text(record["period_dt"])
            try:
                month = dt.date.fromisoformat(text)
            except ValueError:
                month = None
            if month is None or month.day != 1:
                raise _bad(f"'{text}' is not the first day of a month (YYYY-MM-01)", file, line, "period_dt")
            partner = _text(record["partner_name"])
            if not partner:
                raise _bad("empty partner name", file, line, "partner_name")
            code = _text(record["hs6"])
            if not (code.isdigit() and len(code) == 6):
                raise _bad(f"'{code}' is not a 6-digit HS code", file, line, "hs6")
            key = (text, partner, code)
            if key in seen:
                raise _bad(
                    f"{partner}, {code}, {text} is given twice (first on line {seen[key]})",
                    file,
                    line,
                    "period_dt",
                )
            seen[key] = line
            rows.append(
                {
                    "line": line,
                    "period_dt": month,
                    "partner_name": partner,
                    "hs6": code,
                    "val": _number(record, "val", file, line, optional=False),
                    "qty": _number(record, "qty", file, line, optional=True),
                }
            )
    if not rows:
        raise DataSourceError("no rows after the header", file=file)
    return pa.Table.from_pylist(rows, schema=_CHINA_SCHEMA)
