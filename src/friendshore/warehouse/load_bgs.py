"""Loader: BGS World Mineral Statistics production download -> ``mineral_production``.

Reads the ``;``-separated (gzip) download with ``friendshore.sources.bgs.read_bgs_production`` and
maps every BGS country name to ISO3 with ``friendshore.nomenclature.countries``; an unknown name
stops the load (``UnknownCodeError``). Historic entities keep their own codes (``SUN``, ``CSK``,
``YUG``, ``DDR``, ``SCG``, ``YMD``, ``NTZ``), documented in ``country_names.csv``.
"""

from __future__ import annotations

from pathlib import Path

from friendshore.sources.bgs import read_bgs_production
from friendshore.warehouse._minerals import with_country
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _load(path: Path) -> list[Loaded]:
    table = with_country(read_bgs_production(path), file=path, field="Country")
    return Loaded.one_release("mineral_production", table, source="bgs")


LOADER = SourceLoader(
    name="bgs",
    description="BGS World Mineral Statistics: mine, smelter and refinery production by country",
    expects="a BGS WMS production download (';'-separated CSV, optionally .gz)",
    load=_load,
    sample=("bgs_world_mineral_statistics/bgs_wms_production_1970_2021.csv.gz",),
)
