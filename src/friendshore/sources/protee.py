"""CEPII's ProTEE product-level trade elasticities (Fontagné, Guimbard & Orefice 2022, "Product-Level
Trade Elasticities", Journal of International Economics 137): ``read_protee(path)`` -> one row per
HS6 code (HS 2007) with the estimated trade elasticity and its two flags.

The file (version 0.1, ``comtrade_sme_barbe/ProTEE_0_1.csv`` in the sample data) has the columns
``HS6, zero, positive, sigma``: ``sigma`` is the elasticity of trade to tariffs (negative, centred
around -5); ``zero`` = 1 where the HS6 estimate was not significant at 1 % and ``positive`` = 1
where it was positive, in which cases CEPII substituted the HS4 average (CEPII's page for the
dataset); some rows have no value at all.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from friendshore.errors import DataSourceError, SchemaError

__all__ = ["PROTEE_FILE", "ProteeRow", "read_protee"]

#: Where the sample data keeps the file.
PROTEE_FILE = Path("comtrade_sme_barbe") / "ProTEE_0_1.csv"

_COLUMNS = ("HS6", "zero", "positive", "sigma")


@dataclass(frozen=True)
class ProteeRow:
    """One HS6 code: the trade elasticity (``None`` where the file has none) and its flags."""

    hs6: str
    elasticity: float | None
    hs4_average: bool
    positive: bool


def read_protee(path: Path) -> dict[str, ProteeRow]:
    """Read ProTEE's CSV: HS6 code -> row. Refuses a file without the four columns, naming it."""
    if not path.is_file():
        raise DataSourceError("the ProTEE elasticities file is missing", file=path)
    out: dict[str, ProteeRow] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise SchemaError(f"ProTEE file lacks the columns {missing}", file=path)
        for line, row in enumerate(reader, start=2):
            code = row["HS6"].strip().zfill(6)
            text = row["sigma"].strip()
            try:
                value = float(text) if text else None
            except ValueError:
                raise SchemaError(f"not a number: {text!r}", file=path, line=line, field="sigma") from None
            out[code] = ProteeRow(code, value, row["zero"].strip() == "1", row["positive"].strip() == "1")
    return out
