"""Loader: UN General Assembly ideal points (Bailey, Strezhnev & Voeten) -> ``alignment``."""

from __future__ import annotations

from pathlib import Path

from friendshore.sources.unga import read_unga_ideal_points
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]


def _load(path: Path) -> list[Loaded]:
    table = read_unga_ideal_points(path)
    return Loaded.one_release("alignment", table)


LOADER = SourceLoader(
    name="unga",
    description="UN General Assembly ideal points and agreement scores (Bailey, Strezhnev & Voeten)",
    expects="IdealpointestimatesAll_<Mon><YYYY>.csv from the UNGA voting Dataverse",
    load=_load,
    sample=("unga_ideal_points/IdealpointestimatesAll_Jun2024.csv",),
)
