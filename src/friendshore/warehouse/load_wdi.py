"""Loader: World Bank WDI GDP (current US$) -> ``gdp``."""

from __future__ import annotations

from pathlib import Path

from friendshore.sources.wdi import read_wdi_indicator
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _load(path: Path) -> list[Loaded]:
    table = read_wdi_indicator(path, value_name="gdp_usd")
    release = table.column("release")[0].as_py()
    return [Loaded("gdp", {"release": release}, table)]


LOADER = SourceLoader(
    name="wdi-gdp",
    description="World Bank WDI: GDP in current US$ (NY.GDP.MKTP.CD)",
    expects="the World Bank API CSV of NY.GDP.MKTP.CD",
    load=_load,
    sample=("wdi_gdp/WDI_NY.GDP.MKTP.CD_2025-03-24.csv",),
)
