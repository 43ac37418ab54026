"""Loader: CEPII GeoDist -> ``geography`` (dyadic) and ``geography_countries``.

Takes the folder holding ``dist_cepii`` (``.xls`` as CEPII ships it, or a ``.csv`` export) and
``geo_cepii.xls``, or either file alone (then only its table is loaded). A file whose name starts
with ``geo`` is the country file; any other is the dyadic file.
"""

from __future__ import annotations

from pathlib import Path

from friendshore.errors import DataSourceError
from friendshore.sources.geodist import GEODIST_RELEASE, read_geodist_countries, read_geodist_dyadic
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]

_DYADIC = ("dist_cepii.csv", "dist_cepii.xls", "dist_cepii.xlsx", "dist_cepii.txt")
_COUNTRIES = ("geo_cepii.xls", "geo_cepii.xlsx")


def _is_countries(path: Path) -> bool:
    return path.name.lower().startswith("geo")


def _inputs(path: Path) -> list[Path]:
    path = Path(path)
    if not path.is_dir():
        return [path]
    found = []
    for names in (_DYADIC, _COUNTRIES):  # the first existing file of each kind
        first = next((path / n for n in names if (path / n).exists()), None)
        if first is not None:
            found.append(first)
    if not found:
        raise DataSourceError(
            "neither dist_cepii (.csv/.xls) nor geo_cepii.xls in this folder",
            file=path,
            hint="give CEPII's GeoDist folder or one of its files",
        )
    return found


def _load(path: Path) -> list[Loaded]:
    key = {"release": GEODIST_RELEASE}
    parts = []
    for item in _inputs(path):
        if _is_countries(item):
            parts.append(Loaded("geography_countries", key, read_geodist_countries(item)))
        else:
            parts.append(Loaded("geography", key, read_geodist_dyadic(item)))
    return parts


LOADER = SourceLoader(
    name="geodist",
    description="CEPII GeoDist: bilateral distances, contiguity, language, colonial ties; country facts",
    expects="the GeoDist folder (dist_cepii.xls or .csv, geo_cepii.xls) or either file",
    load=_load,
    sample=("cepii_geodist",),
    inputs=_inputs,
)
