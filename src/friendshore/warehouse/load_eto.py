"""Loader: ETO chip supply-chain explorer -> ``chip_inputs``, ``chip_provision``, ``chip_sequence``."""

from __future__ import annotations

from pathlib import Path

from friendshore.sources.eto import ETO_FILES, ETO_RELEASE, read_eto
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _inputs(path: Path) -> list[Path]:
    return [Path(path) / name for name in ETO_FILES]


def _load(path: Path) -> list[Loaded]:
    tables = read_eto(path, release=ETO_RELEASE)
    return [Loaded(name, {"release": ETO_RELEASE}, table) for name, table in tables.items()]


LOADER = SourceLoader(
    name="eto",
    description="ETO Advanced Semiconductor Supply Chain dataset: nodes, market shares, graph",
    expects="the data/ folder of georgetown-cset/eto-chip-explorer (inputs.csv, provision.csv, ...)",
    load=_load,
    sample=("eto_chip_explorer",),
    inputs=_inputs,
)
