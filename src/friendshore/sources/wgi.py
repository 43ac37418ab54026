"""World Bank Worldwide Governance Indicators (Kaufmann & Kraay), as the World Bank ships them.

The workbook (``wgidataset.xlsx``; here ``wgidataset_2023update.xlsx``, "The Worldwide Governance
Indicators, 2023 Update — Aggregate Governance Indicators 1996-2022") has one sheet per indicator:
Voice and Accountability (VA), Political Stability and Absence of Violence/Terrorism (PV),
Government Effectiveness (GE), Regulatory Quality (RQ), Rule of Law (RL), Control of Corruption
(CC). Each sheet is wide: a title block, then a row of years above a row of column names
``Country/Territory, Code, Estimate, StdErr, NumSrc, Rank, Lower, Upper, Estimate, ...`` (six
statistics per year), then one row per economy. Missing values are ``#N/A``.

``read_wgi`` also accepts the tidy long CSV (``country, iso3, indicator, year, estimate, stderr,
numsrc, pct_rank, pct_rank_lower, pct_rank_upper``; missing empty or ``#N/A``). Both give the
``governance`` table: ``estimate`` in about -2.5 (weak) .. 2.5 (strong), ``stderr`` its standard
error, ``n_sources`` the number of data sources, ``pct_rank`` the percentile rank (0-100) with the
bounds of its 90% confidence interval. Every economy-indicator-year of the workbook is kept, with
nulls where the World Bank has no estimate.

The World Bank's own codes are kept except the legacy ones in ``WGI_TO_ISO3`` (checked against the
names in the workbook); Taiwan is ``TWN`` already.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_false,
    parse_integers,
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
    "WGI_INDICATORS",
    "WGI_TO_ISO3",
    "read_wgi",
    "read_wgi_long",
    "read_wgi_workbook",
]

#: Indicator code -> how its sheet name or title begins (lowercase letters only).
WGI_INDICATORS: dict[str, str] = {
    "VA": "voiceandaccountability",
    "PV": "politicalstability",
    "GE": "governmenteffectiveness",
    "RQ": "regulatoryquality",
    "RL": "ruleoflaw",
    "CC": "controlofcorruption",
}

#: World Bank legacy codes -> ISO 3166-1 alpha-3 (names as in the workbook). Kosovo has no ISO code;
#: XKX is the code the World Bank's WDI uses for it. ANT (Netherlands Antilles, former) and JEY are
#: kept as they are.
WGI_TO_ISO3: dict[str, str] = {
    "ADO": "AND",  # Andorra
    "KSV": "XKX",  # Kosovo
    "ROM": "ROU",  # Romania
    "TMP": "TLS",  # Timor-Leste
    "WBG": "PSE",  # West Bank and Gaza
    "ZAR": "COD",  # Congo, Dem. Rep.
}

#: Workbook statistic -> ``governance`` column.
_STATS = {
    "Estimate": "estimate",
    "StdErr": "stderr",
    "NumSrc": "n_sources",
    "Rank": "pct_rank",
    "Lower": "pct_rank_lower",
    "Upper": "pct_rank_upper",
}
#: Long CSV column -> ``governance`` column.
_LONG = {
    "estimate": "estimate",
    "stderr": "stderr",
    "numsrc": "n_sources",
    "pct_rank": "pct_rank",
    "pct_rank_lower": "pct_rank_lower",
    "pct_rank_upper": "pct_rank_upper",
}
_MISSING = ("", "#N/A", "NA")
_COLUMNS = ["release", "country", "year", "indicator", *_STATS.values()]


def _release_from_title(title: str) -> str | None:
    m = re.search(r"(\d{4})\s+update", title, re.I)
    return f"{m[1]}-update" if m else None


def _cell_text(value: object) -> str:
    if isinstance(value, float):
        return repr(value)  # repr round-trips a float exactly
    return str(value).strip()


def _sheet_indicator(name: str, title: str) -> str | None:
    """The indicator a sheet holds, from its name (``VA`` or ``VoiceandAccountability``) or title."""
    if name.strip().upper() in WGI_INDICATORS:
        return name.strip().upper()
    for text in (name, title):
        key = re.sub(r"[^a-z]", "", text.lower())
        for code, prefix in WGI_INDICATORS.items():
            if key.startswith(prefix):
                return code
    return None


def read_wgi_workbook(path: Path) -> pa.Table:
    """The World Bank workbook -> ``governance`` rows (release read from the title, e.g. ``2023-update``)."""
    from python_calamine import CalamineError, CalamineWorkbook

    path = Path(path)
    require_nonempty(path)
    try:
        book = CalamineWorkbook.from_path(str(path))
    except (CalamineError, OSError, ValueError) as exc:
        raise DataSourceError(f"not a readable Excel workbook ({exc})", file=path) from None
    release: str | None = None
    parts: list[pa.Table] = []
    found: list[str] = []
    for name in book.sheet_names:
        try:
            rows = book.get_sheet_by_name(name).to_python()
        except (CalamineError, OSError, ValueError) as exc:  # broken sheet XML inside a valid zip
            raise DataSourceError(
                f"sheet '{name}' cannot be read ({exc})", file=path, hint="download the workbook again"
            ) from None
        title = _cell_text(rows[0][0]) if rows and rows[0] else ""
        for row in rows[:3]:  # the title block: "The Worldwide Governance Indicators, 2023 Update"
            release = release or (_release_from_title(_cell_text(row[0])) if row else None)
        code = _sheet_indicator(name, title)
        if code is None:
            continue
        found.append(code)
        parts.append(_read_sheet(rows, code=code, sheet=name, file=path))
    missing = [c for c in WGI_INDICATORS if c not in found]
    if missing:
        raise SchemaError(
            f"no sheet for indicator(s) {missing}; sheets are {book.sheet_names}",
            file=path,
            hint="is this the WGI workbook (wgidataset.xlsx)?",
        )
    if release is None:
        raise SchemaError(
            "no 'YYYY Update' in the title rows of any sheet",
            file=path,
            line=1,
            hint="is this the WGI workbook as the World Bank ships it?",
        )
    table = require_rows(pa.concat_tables(parts), file=path)
    return table.set_column(0, "release", pa.array([release] * table.num_rows, pa.string()))


def _read_sheet(rows: Sequence[Sequence[object]], *, code: str, sheet: str, file: Path) -> pa.Table:
    header_at = next(
        (i for i, r in enumerate(rows) if len(r) > 2 and _cell_text(r[1]) == "Code" and i > 0), None
    )
    if header_at is None:
        raise SchemaError(
            f"sheet '{sheet}' has no header row with 'Country/Territory, Code, Estimate, ...'",
            file=file,
            hint="is this the WGI workbook as the World Bank ships it?",
        )
    years_row, header = rows[header_at - 1], rows[header_at]
    body = rows[header_at + 1 :]
    while body and not any(_cell_text(c) for c in body[-1]):
        body = body[:-1]  # trailing blank rows
    first_line = header_at + 2  # Excel row of body[0]
    codes = pa.array([_cell_text(r[1]) for r in body], pa.string())
    require_country_codes(codes, file=file, first_line=first_line, field=f"{sheet}!Code")
    country = recoded(codes, WGI_TO_ISO3)
    parts = []
    col = 2
    while col + len(_STATS) <= len(header):
        year_text = _cell_text(years_row[col]) if col < len(years_row) else ""
        if not re.fullmatch(r"\d{4}(\.0)?", year_text):
            raise SchemaError(
                f"sheet '{sheet}': '{year_text}' above column {col + 1} is not a year",
                file=file,
                line=header_at,
                field=f"{sheet}!{_column_letter(col)}{header_at}",
                hint="is this the WGI workbook as the World Bank ships it?",
            )
        year = int(float(year_text))
        names = [_cell_text(h) for h in header[col : col + len(_STATS)]]
        if names != list(_STATS):
            raise SchemaError(
                f"sheet '{sheet}', year {year}: columns are {names}, expected {list(_STATS)}",
                file=file,
                line=header_at + 1,
                hint="is this the WGI workbook as the World Bank ships it?",
            )
        data: dict[str, pa.Array | pa.ChunkedArray] = {
            "release": pa.array([""] * len(body), pa.string()),
            "country": country,
            "year": pa.array([year] * len(body), pa.int16()),
            "indicator": pa.array([code] * len(body), pa.string()),
        }
        for k, (stat, out) in enumerate(_STATS.items()):
            text = pa.array([_cell_text(r[col + k]) if col + k < len(r) else "" for r in body], pa.string())
            data[out] = parse_numbers(
                text,
                field=f"{sheet} {year} {stat}",
                file=file,
                first_line=first_line,
                missing=_MISSING,
                allow_missing=True,
                nonnegative=out != "estimate",
            )
        parts.append(pa.table(data))
        col += len(_STATS)
    if not parts:
        raise SchemaError(f"sheet '{sheet}' has no year columns", file=file, line=header_at + 1)
    return pa.concat_tables(parts)


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def read_wgi_long(path: Path, *, release: str | None = None) -> pa.Table:
    """The tidy long CSV -> ``governance`` rows.

    The CSV carries no release; by default it is ``f"{last year + 1}-update"`` (the WGI update of
    year Y covers data to Y-1: the 2023 update has 1996-2022).
    """
    path = Path(path)
    require_nonempty(path)
    raw = read_text_csv(path, ["country", "iso3", "indicator", "year", *_LONG])
    require_columns(raw.column_names, ["iso3", "indicator", "year", *_LONG], file=path)
    require_rows(raw, file=path)
    n = raw.num_rows
    codes = pc.utf8_trim_whitespace(raw.column("iso3")).combine_chunks()
    require_country_codes(codes, file=path, first_line=2, field="iso3")
    indicator = pc.utf8_trim_whitespace(raw.column("indicator"))
    bad = first_false(pc.is_in(indicator, value_set=pa.array(list(WGI_INDICATORS))))
    if bad is not None:
        raise SchemaError(
            f"'{indicator[bad].as_py()}' is not one of {list(WGI_INDICATORS)}",
            file=path,
            line=bad + 2,
            field="indicator",
        )
    years = pc.cast(
        parse_integers(
            raw.column("year"),
            field="year",
            file=path,
            first_line=2,
            minimum=1900,
            maximum=2100,
            what="a year",
        ),
        pa.int16(),
    )
    data: dict[str, pa.Array | pa.ChunkedArray] = {
        "release": pa.array([""] * n, pa.string()),
        "country": recoded(codes, WGI_TO_ISO3),
        "year": years,
        "indicator": indicator,
    }
    for col, out in _LONG.items():
        data[out] = parse_numbers(
            raw.column(col),
            field=col,
            file=path,
            first_line=2,
            missing=_MISSING,
            allow_missing=True,
            nonnegative=out != "estimate",
        )
    if release is None:
        if n == 0:
            raise DataSourceError("no rows", file=path, hint="download the file again")
        release = f"{int(pc.max(years).as_py()) + 1}-update"
    data["release"] = pa.array([release] * n, pa.string())
    return pa.table(data).select(_COLUMNS)


def read_wgi(path: Path) -> pa.Table:
    """``governance`` rows from the workbook (``.xlsx``/``.xls``) or the long CSV (``.csv``)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xls", ".xlsm"):
        table = read_wgi_workbook(path)
    elif suffix == ".csv":
        table = read_wgi_long(path)
    else:
        raise DataSourceError(
            f"unknown file type '{suffix}'",
            file=path,
            hint="give the WGI workbook (wgidataset.xlsx) or its long CSV",
        )
    _check_unique(table, path)
    _check_complete(table, path)
    return table.select(_COLUMNS)


def _check_complete(table: pa.Table, path: Path) -> None:
    """WGI gives every economy for every indicator and year (a missing estimate is an empty cell,
    not a missing row): a file cut short lacks the rows of its last economies."""
    countries = pc.unique(table.column("country"))
    cells = pc.unique(
        pc.binary_join_element_wise(
            table.column("indicator"), pc.cast(table.column("year"), pa.string()), " "
        )
    )
    if table.num_rows == len(countries) * len(cells):
        return
    counts = pc.value_counts(table.column("country")).to_pylist()
    short = min(counts, key=lambda c: int(c["counts"]))
    raise SchemaError(
        f"{short['values']} has {short['counts']} indicator-years, not all {len(cells)}; every economy "
        "has a row for every indicator and year",
        file=path,
        hint="the file looks cut short or edited: download it again",
    )


def _check_unique(table: pa.Table, path: Path) -> None:
    require_unique(
        table,
        ["country", "year", "indicator"],
        "{country} {indicator} {year} appears {count} times",
        file=path,
        hint="each economy, indicator and year must appear once",
    )
