"""The sample dataset of the USITC ``gegravity`` package (``examples/sample_data_set.dlm``).

A comma-delimited 2006 cross-section of 30 countries (all 900 ordered pairs, domestic trade
included): ``exporter, importer, year, trade, Y, E, pta, contiguity, common_language, lndist,
international``. Trade, output and expenditure come from Yotov et al. (2016)'s
``1_TradeWithoutBorder.dta``; the cost proxies from the USITC Dynamic Gravity Dataset. ``Y`` and
``E`` are the countries' totals against the whole world, so they do not add up over this sample.

``read_gegravity_sample`` returns a pandas DataFrame with snake_case columns: ``Y`` becomes
``output``, ``E`` becomes ``expenditure`` and ``lndist`` becomes ``ln_dist``.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_columns, require_nonempty

__all__ = ["GEGRAVITY_SAMPLE_COLUMNS", "read_gegravity_sample"]

#: Source column -> our column.
GEGRAVITY_SAMPLE_COLUMNS: dict[str, str] = {
    "exporter": "exporter",
    "importer": "importer",
    "year": "year",
    "trade": "trade",
    "Y": "output",
    "E": "expenditure",
    "pta": "pta",
    "contiguity": "contiguity",
    "common_language": "common_language",
    "lndist": "ln_dist",
    "international": "international",
}
_TEXT = ("exporter", "importer")


def read_gegravity_sample(path: Path) -> pd.DataFrame:
    """``sample_data_set.dlm`` -> one row per ordered pair, numbers as float64 (``year`` as int64)."""
    path = Path(path)
    require_nonempty(path)
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (ValueError, OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"not a readable comma-delimited file ({exc})", file=path) from None
    raw.columns = [str(c).strip() for c in raw.columns]
    require_columns(
        list(raw.columns), GEGRAVITY_SAMPLE_COLUMNS, file=path, hint="is this gegravity's sample?"
    )
    frame = pd.DataFrame(index=raw.index)
    for source, ours in GEGRAVITY_SAMPLE_COLUMNS.items():
        text = raw[source].str.strip()
        if source in _TEXT:
            bad = ~text.str.fullmatch(r"[A-Z]{3}")
            if bad.any():
                row = int(bad.to_numpy().nonzero()[0][0])
                raise SchemaError(
                    f"'{text.iloc[row]}' is not a 3-letter country code",
                    file=path,
                    line=row + 2,
                    field=source,
                )
            frame[ours] = text
            continue
        values = pd.to_numeric(text, errors="coerce")
        bad = values.isna() | ~np.isfinite(values.to_numpy(dtype="float64", na_value=np.nan))
        if ours == "year":
            bad |= values.fillna(0) % 1 != 0
        if bad.any():
            row = int(bad.to_numpy().nonzero()[0][0])
            shown, value = text.iloc[row], values.iloc[row]
            if not shown:
                message = "value is missing"
            elif pd.isna(value):
                message = f"'{shown}' is not a number"
            elif not np.isfinite(value):
                message = f"'{shown}' is out of range (too large for a number)"
            else:
                message = f"'{shown}' is not a whole number (a year)"
            raise SchemaError(
                message,
                file=path,
                line=row + 2,
                field=source,
            )
        frame[ours] = values.astype("int64") if ours == "year" else values.astype("float64")
    return frame.reset_index(drop=True)
