"""Loader: World Bank WDI GDP (current US$) -> ``gdp``.

Every economy code must be an ISO 3166-1 alpha-3 code or one of the World Bank's own (Kosovo
``XKX``, the Channel Islands ``CHI``; aggregates are dropped by the reader): a row recoded to an
unknown code would silently take a country out of the data.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow.compute as pc

from friendshore.errors import SchemaError
from friendshore.nomenclature.groups import iso3_codes
from friendshore.sources.wdi import read_wdi_indicator
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]

#: World Bank economy codes that are not ISO 3166-1 alpha-3 codes.
_WORLD_BANK_CODES = frozenset({"XKX", "CHI"})


def _load(path: Path) -> list[Loaded]:
    table = read_wdi_indicator(path, value_name="gdp_usd")
    unknown = sorted(
        set(pc.unique(table.column("country")).to_pylist()) - set(iso3_codes()) - _WORLD_BANK_CODES
    )
    if unknown:
        raise SchemaError(
            f"unknown economy code(s) {', '.join(unknown)}",
            file=path,
            field="Country Code",
            hint="WDI codes are ISO 3166-1 alpha-3 codes (plus XKX and CHI): fix the row or download the file again",
        )
    return Loaded.one_release("gdp", table)


LOADER = SourceLoader(
    name="wdi-gdp",
    description="World Bank WDI: GDP in current US$ (NY.GDP.MKTP.CD)",
    expects="the World Bank API CSV of NY.GDP.MKTP.CD",
    load=_load,
    sample=("wdi_gdp/WDI_NY.GDP.MKTP.CD_2025-03-24.csv",),
)
