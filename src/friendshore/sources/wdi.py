"""World Bank World Development Indicators, one indicator as the API's wide CSV.

The file (``API_NY.GDP.MKTP.CD_DS2_en_csv_v2_*.csv`` from the World Bank, here
``WDI_NY.GDP.MKTP.CD_2025-03-24.csv``) has four metadata lines, then ``Country Name, Country Code,
Indicator Name, Indicator Code, 1960, ..., 2024``. Regional and income aggregates (WLD, EUU, HIC,
...) share the file with economies; ``read_wdi_indicator`` keeps economies only.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_duplicate,
    first_false,
    parse_numbers,
    require_balanced_quotes,
    require_columns,
    require_nonempty,
    require_rows,
)

__all__ = ["WDI_AGGREGATES", "read_wdi_indicator", "wdi_release"]

#: World Bank aggregate codes (regions, income groups, lending groups, demographic groups).
WDI_AGGREGATES = frozenset(
    [
        "AFE",
        "AFW",
        "ARB",
        "CEB",
        "CSS",
        "EAP",
        "EAR",
        "EAS",
        "ECA",
        "ECS",
        "EMU",
        "EUU",
        "FCS",
        "HIC",
        "HPC",
        "IBD",
        "IBT",
        "IDA",
        "IDB",
        "IDX",
        "INX",
        "LAC",
        "LCN",
        "LDC",
        "LIC",
        "LMC",
        "LMY",
        "LTE",
        "MEA",
        "MIC",
        "MNA",
        "NAC",
        "OED",
        "OSS",
        "PRE",
        "PSS",
        "PST",
        "SAS",
        "SSA",
        "SSF",
        "SST",
        "TEA",
        "TEC",
        "TLA",
        "TMN",
        "TSA",
        "TSS",
        "UMC",
        "WLD",
    ]
)
_META_LINES = 4


def wdi_release(path: Path) -> str:
    """The 'Last Updated Date' of the file (e.g. ``2025-03-24``), its release label."""
    try:
        with open(path, encoding="utf-8-sig") as fh:
            head = [fh.readline() for _ in range(_META_LINES)]
    except UnicodeDecodeError as exc:
        raise DataSourceError(
            f"not UTF-8 text ({exc.reason} at byte {exc.start} of the first lines)",
            file=path,
            hint="give the World Bank CSV itself: unzip or gunzip a compressed download first",
        ) from None
    for line in head:
        m = re.match(r'"Last Updated Date","([^"]+)"', line.strip())
        if m:
            return m[1]
    raise SchemaError(
        "no 'Last Updated Date' in the first lines",
        file=path,
        line=3,
        hint="is this a World Bank API CSV download?",
    )


def read_wdi_indicator(path: Path, *, value_name: str) -> pa.Table:
    """Long table ``release, country, year, <value_name>`` of one WDI indicator file."""
    path = Path(path)
    require_nonempty(path)
    release = wdi_release(path)
    require_balanced_quotes(path)
    try:
        raw = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(skip_rows=_META_LINES, encoding="utf-8"),
            parse_options=pacsv.ParseOptions(invalid_row_handler=None),
            convert_options=pacsv.ConvertOptions(
                column_types={}, strings_can_be_null=False, auto_dict_encode=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise DataSourceError(f"not a readable WDI CSV ({exc})", file=path) from None
    # The BOM-stripped header sits on line 5; data from line 6.
    require_columns(raw.column_names, ["Country Name", "Country Code"], file=path)
    require_rows(raw, file=path, line=_META_LINES + 1)
    years = [c for c in raw.column_names if re.fullmatch(r"\d{4}", c)]
    if not years:
        raise SchemaError("no year columns (1960, 1961, ...)", file=path, line=_META_LINES + 1)
    codes = pc.utf8_trim_whitespace(pc.cast(raw.column("Country Code"), pa.string()))
    lines = pa.array(range(_META_LINES + 2, _META_LINES + 2 + raw.num_rows), pa.int64())
    dup = first_duplicate(pa.table({"code": codes, "line": lines}), ["code"], line_column="line")
    if dup is not None:
        raise SchemaError(
            f"country {dup['code']} appears {dup['count']} times",
            file=path,
            line=int(dup["line"]),  # type: ignore[call-overload]
            field="Country Code",
            hint="a WDI indicator file has one row per economy",
        )
    bad = first_false(pc.match_substring_regex(codes, r"^[A-Z][A-Z0-9]{2}$"))
    if bad is not None:
        raise SchemaError(
            f"'{codes[bad].as_py()}' is not a World Bank economy code (three capital letters)",
            file=path,
            line=_META_LINES + 2 + bad,
            field="Country Code",
        )
    keep = pc.invert(pc.is_in(codes, value_set=pa.array(sorted(WDI_AGGREGATES))))
    parts = []
    for year in years:
        values = parse_numbers(
            raw.column(year), field=year, file=path, first_line=_META_LINES + 2, allow_missing=True
        )
        if value_name == "gdp_usd":
            low = first_false(pc.or_kleene(pc.is_null(values), pc.greater(values, 0)))
            if low is not None:
                raise SchemaError(
                    f"GDP of {raw.column(year)[low].as_py()} US$ is not positive",
                    file=path,
                    line=_META_LINES + 2 + low,
                    field=year,
                    hint="GDP in current US$ is a positive number (or an empty cell when unknown)",
                )
        parts.append(
            pa.table(
                {
                    "release": pa.array([release] * raw.num_rows, pa.string()),
                    "country": codes,
                    "year": pa.array([int(year)] * raw.num_rows, pa.int16()),
                    value_name: values,
                }
            ).filter(keep)
        )
    if "WLD" not in set(codes.to_pylist()):
        raise SchemaError(
            "no World row (WLD): the World Bank's file lists every economy and aggregate",
            file=path,
            field="Country Code",
            hint="the file looks cut short or edited: download it again",
        )
    table = pa.concat_tables(parts)
    return table.filter(pc.is_valid(table.column(value_name)))
