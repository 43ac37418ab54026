"""Taiwan's own customs record of integrated-circuit (HS 8542) exports by destination.

Publisher: Customs Administration, Ministry of Finance (Taiwan), trade statistics portal; the tidy
copy ``taiwan_8542_exports_by_destination_tidy.csv.gz`` has one row per year, destination and
11-digit CCC code: ``year, exporter, importer_name_zh, importer_name_en, ccc11, hs6, value_usd,
period_note`` (``period_note`` is ``full year`` or a preliminary part-year). Taiwan is not a UN
Comtrade reporter: BACI's flows from code 490 are built from the partners' declarations, so this
record is the exporter's side of the same trade, with its own rules (exports by destination,
re-exports included, CCC codes that put most value under 8542.39).
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from friendshore.errors import DataSourceError
from friendshore.sources.checks import parse_numbers, require_columns, require_nonempty

__all__ = ["FULL_YEAR", "read_taiwan_ic_exports"]

#: ``period_note`` of a complete calendar year.
FULL_YEAR = "full year"

_COLUMNS = ["year", "importer_name_en", "ccc11", "hs6", "value_usd", "period_note"]


def read_taiwan_ic_exports(path: Path) -> pa.Table:
    """The tidy file (plain or gzipped CSV) -> ``year, destination, ccc11, hs6, value_usd, period``.

    ``destination`` is the English name as published (not an ISO code); ``value_usd`` in US dollars.
    """
    path = Path(path)
    require_nonempty(path)
    options = pacsv.ConvertOptions(column_types={c: pa.string() for c in _COLUMNS}, strings_can_be_null=False)
    try:
        raw = pacsv.read_csv(path, convert_options=options)
    except pa.ArrowInvalid as exc:
        raise DataSourceError(f"not a readable CSV file ({exc})", file=path) from None
    require_columns(raw.column_names, _COLUMNS, file=path, hint="expected Taiwan's tidy 8542 export file")
    years = parse_numbers(raw.column("year"), field="year", file=path, first_line=2)
    values = parse_numbers(
        raw.column("value_usd"), field="value_usd", file=path, first_line=2, nonnegative=True
    )
    return pa.table(
        {
            "year": pc.cast(years, pa.int16()),
            "destination": pc.utf8_trim_whitespace(raw.column("importer_name_en")),
            "ccc11": raw.column("ccc11"),
            "hs6": raw.column("hs6"),
            "value_usd": values,
            "period": raw.column("period_note"),
        }
    )
