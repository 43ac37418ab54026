"""Loader: USGS Mineral Commodity Summaries -> ``mineral_production`` and ``net_import_reliance``.

``PATH`` is either one MCS file or a folder holding them: the world production/reserves file(s)
and Table 7 (salient statistics of critical minerals) are told apart by their headers
(``friendshore.sources.usgs_mcs.find_usgs_files``); the per-commodity world files of the MCS 2023
and 2024 data releases (``mcsYYYY-<code>_world.csv``, ``friendshore.sources.usgs_mcs_release``)
are found anywhere under the folder; other files are ignored. Country
names (``Congo (Kinshasa)``, ``Burma``, ...) are mapped to ISO3 with
``friendshore.nomenclature.countries``; ``World total`` and ``Other countries`` rows keep a null
``country`` and their ``row_kind``. Every file read is hashed for provenance.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import DataSourceError, SchemaError
from friendshore.nomenclature.countries import country_names, normalise_name, to_iso3_strict
from friendshore.sources.usgs_mcs import (
    SOURCE,
    UsgsKind,
    find_usgs_files,
    production_layout,
    read_usgs_salient,
    read_usgs_world_production,
    usgs_file_kind,
)
from friendshore.sources.usgs_mcs_release import is_world_release_file, read_usgs_world_release
from friendshore.warehouse._minerals import with_country
from friendshore.warehouse.loading import Loaded, SourceLoader

__all__ = ["LOADER"]

_EXPECTS = (
    "the USGS MCS world production/reserves CSV, the Table 7 salient-statistics CSV, or a folder holding them"
)


Kind = UsgsKind | Literal["release"]


def known_country(name: str) -> bool:
    """Whether ``name`` is in the country crosswalk (what the release reader asks of a row)."""
    return normalise_name(name) in country_names()


def _files(path: Path) -> list[tuple[Path, Kind]]:
    path = Path(path)
    if path.is_dir():
        found: list[tuple[Path, Kind]] = [*find_usgs_files(path)]
        found += [(p, "release") for p in sorted(path.rglob("*_world.csv")) if is_world_release_file(p)]
        if not found:
            raise DataSourceError(
                "no USGS MCS CSV file in this folder", file=path, hint=f"expected {_EXPECTS}"
            )
        return found
    kind: Kind | None = usgs_file_kind(path) if path.is_file() and path.stat().st_size else None
    if kind is None and path.is_file() and is_world_release_file(path):
        kind = "release"
    if kind is None:
        raise SchemaError(
            "not a USGS MCS world production or Table 7 file (header not recognised)",
            file=path,
            line=1,
            hint=f"expected {_EXPECTS}",
        )
    return [(path, kind)]


def _inputs(path: Path) -> list[Path]:
    path = Path(path)
    if path.is_dir():
        return [p for p, _ in _files(path)]
    return [path]


def _map_names(table: pa.Table, column: str, *, file: Path, field: str) -> pa.Table:
    names = table.column(column).to_pylist()
    lines = table.column("line").to_pylist()
    picked = [i for i, name in enumerate(names) if name]
    codes = to_iso3_strict(
        [names[i] for i in picked], file=file, lines=[lines[i] for i in picked], field=field
    )
    out: list[str | None] = [None] * len(names)
    for i, code in zip(picked, codes, strict=True):
        out[i] = code
    return table.set_column(table.schema.get_field_index(column), column, pa.array(out, pa.string()))


def _salient(path: Path) -> pa.Table:
    table = read_usgs_salient(path)
    table = _map_names(table, "leading_producer", file=path, field="Leading_source_country")
    return _map_names(table, "primary_import_source", file=path, field="Primary_import_sources")


def _group(tables: list[pa.Table], name: str) -> list[Loaded]:
    by_release: dict[str, list[pa.Table]] = {}
    for table in tables:
        for release in table.column("release").unique().to_pylist():
            part = table.filter(pc.equal(table.column("release"), release))
            by_release.setdefault(release, []).append(part)
    return [
        Loaded(name, {"source": SOURCE, "release": release}, pa.concat_tables(parts))
        for release, parts in sorted(by_release.items())
    ]


def _load(path: Path) -> list[Loaded]:
    production: list[pa.Table] = []
    salient: list[pa.Table] = []
    for file, kind in _files(path):
        if kind == "production":
            table = read_usgs_world_production(file)
            field = production_layout(file)["country"]
            production.append(with_country(table, file=file, field=field))
        elif kind == "release":
            production.append(
                with_country(
                    read_usgs_world_release(file, is_country=known_country), file=file, field="Country"
                )
            )
        else:
            salient.append(_salient(file))
    return _group(production, "mineral_production") + _group(salient, "net_import_reliance")


LOADER = SourceLoader(
    name="usgs-mcs",
    description="USGS Mineral Commodity Summaries: world production/reserves by country, US net import reliance",
    expects=_EXPECTS,
    load=_load,
    sample=("usgs_mcs2026_subset", "usgs_mcs2023_2024_data_release"),
    inputs=_inputs,
)
