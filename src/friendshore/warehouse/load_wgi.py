"""Loader: World Bank Worldwide Governance Indicators -> ``governance``."""

from __future__ import annotations

from pathlib import Path

from friendshore.sources.wgi import read_wgi
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _load(path: Path) -> list[Loaded]:
    table = read_wgi(path)
    return Loaded.one_release("governance", table)


LOADER = SourceLoader(
    name="wgi",
    description="World Bank Worldwide Governance Indicators (VA, PV, GE, RQ, RL, CC)",
    expects="the WGI workbook (wgidataset.xlsx) or its long CSV",
    load=_load,
    sample=("wgi/wgidataset_2023update.xlsx",),
)
