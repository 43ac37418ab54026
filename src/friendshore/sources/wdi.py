"""World Bank World Development Indicators, one indicator as the API's wide CSV.

The file (``API_NY.GDP.MKTP.CD_DS2_en_csv_v2_*.csv`` from the World Bank, here
``WDI_NY.GDP.MKTP.CD_2025-03-24.csv``) has four metadata lines, then ``Country Name, Country Code,
Indicator Name, Indicator Code, 1960, ..., 2024``. Regional and income aggregates (WLD, EUU, HIC,
...) share the file with economies; ``read_wdi_indicator`` keeps economies only.

Completeness. Every World Bank indicator file has a row for each of the World Bank's economies and
aggregates, with empty cells where a value is unknown; a file cut short or edited lacks some. So a
file must have a row for every code of ``WDI_ECONOMIES`` (the 217 economies of the 2025-03-24
release) and ``WDI_AGGREGATES``; a code beyond them is not refused for that (the World Bank adds
economies now and then).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_false,
    parse_numbers,
    read_text_csv,
    require_columns,
    require_nonempty,
    require_rows,
    require_unique,
)

__all__ = ["WDI_AGGREGATES", "WDI_ECONOMIES", "read_wdi_indicator", "wdi_release"]

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
#: The World Bank's economies: the 217 of the 2025-03-24 release of every indicator file.
_ECONOMIES = (
    "ABW AFG AGO ALB AND ARE ARG ARM ASM ATG AUS AUT AZE BDI BEL BEN BFA BGD BGR BHR BHS BIH BLR BLZ "
    "BMU BOL BRA BRB BRN BTN BWA CAF CAN CHE CHI CHL CHN CIV CMR COD COG COL COM CPV CRI CUB CUW CYM "
    "CYP CZE DEU DJI DMA DNK DOM DZA ECU EGY ERI ESP EST ETH FIN FJI FRA FRO FSM GAB GBR GEO GHA GIB "
    "GIN GMB GNB GNQ GRC GRD GRL GTM GUM GUY HKG HND HRV HTI HUN IDN IMN IND IRL IRN IRQ ISL ISR ITA "
    "JAM JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAC MAF "
    "MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MNP MOZ MRT MUS MWI MYS NAM NCL NER NGA NIC "
    "NLD NOR NPL NRU NZL OMN PAK PAN PER PHL PLW PNG POL PRI PRK PRT PRY PSE PYF QAT ROU RUS RWA SAU "
    "SDN SEN SGP SLB SLE SLV SMR SOM SRB SSD STP SUR SVK SVN SWE SWZ SXM SYC SYR TCA TCD TGO THA TJK "
    "TKM TLS TON TTO TUN TUR TUV TZA UGA UKR URY USA UZB VCT VEN VGB VIR VNM VUT WSM XKX YEM ZAF ZMB "
    "ZWE"
)
WDI_ECONOMIES = frozenset(_ECONOMIES.split())
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
    raw = read_text_csv(path, [], skip_rows=_META_LINES, what="WDI CSV")
    # The BOM-stripped header sits on line 5; data from line 6.
    require_columns(raw.column_names, ["Country Name", "Country Code"], file=path)
    require_rows(raw, file=path, line=_META_LINES + 1)
    years = [c for c in raw.column_names if re.fullmatch(r"\d{4}", c)]
    if not years:
        raise SchemaError("no year columns (1960, 1961, ...)", file=path, line=_META_LINES + 1)
    codes = pc.utf8_trim_whitespace(pc.cast(raw.column("Country Code"), pa.string()))
    lines = pa.array(range(_META_LINES + 2, _META_LINES + 2 + raw.num_rows), pa.int64())
    require_unique(
        pa.table({"code": codes, "line": lines}),
        ["code"],
        "country {code} appears {count} times",
        file=path,
        field="Country Code",
        hint="a WDI indicator file has one row per economy",
        line_column="line",
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
    _check_complete(set(codes.to_pylist()), path)
    table = pa.concat_tables(parts)
    return table.filter(pc.is_valid(table.column(value_name)))


def _check_complete(codes: set[str], path: Path) -> None:
    """Every economy of ``WDI_ECONOMIES`` and every aggregate has its row (see the module docstring)."""
    hint = "the file looks cut short or edited: download it again (friendshore fetch wdi-gdp)"
    if "WLD" not in codes:
        raise SchemaError(
            "no World row (WLD): the World Bank's file lists every economy and aggregate",
            file=path,
            field="Country Code",
            hint=hint,
        )
    missing = sorted((WDI_ECONOMIES | WDI_AGGREGATES) - codes)
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        unknown = sorted(codes - WDI_ECONOMIES - WDI_AGGREGATES)
        also = f"; it has codes the World Bank does not use: {', '.join(unknown[:8])}" if unknown else ""
        raise SchemaError(
            f"no row for {len(missing)} of the World Bank's {len(WDI_ECONOMIES)} economies and "
            f"{len(WDI_AGGREGATES)} aggregates: {shown}{also}",
            file=path,
            field="Country Code",
            hint=hint,
        )
