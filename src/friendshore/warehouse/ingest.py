"""Ingest the real sources into the warehouse: one registry, one transaction per call.

Each source has a ``SourceLoader``: a CLI name, the file(s) it expects, where its sample lives
under ``FRIENDSHORE_SAMPLE_DATA``, and a ``load`` function that reads a path with the
``friendshore.sources`` readers and returns warehouse partitions. ``ingest_source`` stores them
in one transaction: all partitions replaced at once, or nothing changed. ``ingest_sample`` loads
every source's sample in one transaction too: a kill or an error halfway leaves the warehouse as
it was, never a partial sample.
"""

from __future__ import annotations

from pathlib import Path

from friendshore.console import get_logger, progress
from friendshore.errors import DataSourceError, unknown
from friendshore.sources.checks import require_nonempty
from friendshore.warehouse import (
    load_bgs,
    load_comtrade_monthly,
    load_eto,
    load_geodist,
    load_hs_concordance,
    load_unga,
    load_usgs_mcs,
    load_wdi,
    load_wgi,
    load_wiod_kite,
)
from friendshore.warehouse.ingest_baci import ingest_baci, stage_baci
from friendshore.warehouse.loading import SourceLoader
from friendshore.warehouse.store import Partition, SourceFile, Transaction, sha256_file, transaction

__all__ = ["SOURCES", "ingest_fetched", "ingest_sample", "ingest_source", "source_loader", "stage_source"]

log = get_logger(__name__)


def _registry() -> dict[str, SourceLoader]:
    loaders = [
        # one line per source: friendshore.warehouse.load_<source>.LOADER
        load_wdi.LOADER,
        load_wgi.LOADER,
        load_unga.LOADER,
        load_geodist.LOADER,
        load_eto.LOADER,
        load_wiod_kite.LOADER,
        load_usgs_mcs.LOADER,
        load_bgs.LOADER,
        load_hs_concordance.LOADER,
        load_comtrade_monthly.COMTRADE_LOADER,
        load_comtrade_monthly.CHINA_LOADER,
    ]
    return {loader.name: loader for loader in loaders}


SOURCES: dict[str, SourceLoader] = _registry()


def source_loader(name: str) -> SourceLoader:
    try:
        return SOURCES[name]
    except KeyError:
        raise unknown("source", name, ["baci", *sorted(SOURCES)]) from None


def ingest_source(home: Path, name: str, path: Path, *, replace: bool = False) -> list[Partition]:
    """Read ``path`` with source ``name``'s loader and store it in one transaction (``replace``: a
    partition may be replaced by one with fewer rows or countries)."""
    with transaction(home, replace=replace) as tx:
        stage_source(tx, name, path)
        return list(tx.staged)


def stage_source(tx: Transaction, name: str, path: Path) -> None:
    """Read ``path`` with source ``name``'s loader into the open transaction ``tx``."""
    loader = source_loader(name)
    path = Path(path)
    if not path.exists():
        raise DataSourceError("not found", file=path, hint=f"{name} expects {loader.expects}")
    inputs = loader.inputs(path)
    for item in inputs:
        require_nonempty(item)
    parts = loader.load(path)
    if not parts:
        raise DataSourceError("no rows read", file=path, hint=f"{name} expects {loader.expects}")
    files = tuple(SourceFile(p.name, sha256_file(p)) for p in inputs)
    for part in parts:
        release = str(part.key.get("release", ""))
        tx.replace(part.table, part.key, part.data, source=name, release=release, files=files)


def ingest_sample(home: Path, sample_data: Path) -> list[Partition]:
    """Load every source's sample file from ``sample_data`` (BACI first)."""
    sample_data = Path(sample_data)
    if not sample_data.is_dir():
        raise DataSourceError(
            "sample data folder not found",
            file=sample_data,
            hint="set FRIENDSHORE_SAMPLE_DATA to the folder holding MANIFEST.md",
        )
    jobs: list[tuple[str, Path]] = [
        ("baci", sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv")
    ]
    jobs += [(name, sample_data / rel) for name, loader in SOURCES.items() for rel in loader.sample]
    with transaction(home) as tx, progress(transient=False) as bar:
        task = bar.add_task("Loading sample data", total=len(jobs))
        for name, path in jobs:
            bar.update(task, description=f"Loading {name}")
            if name == "baci":
                stage_baci(tx, [path])
            else:
                stage_source(tx, name, path)
            bar.advance(task)
        return list(tx.staged)


def ingest_fetched(home: Path, name: str, paths: list[Path], *, replace: bool = False) -> list[Partition]:
    """Load what ``fetch`` returned with the source's ingest loader (BACI: ``ingest_baci``)."""
    from friendshore.sources.fetch import DOWNLOADS

    if name == "baci":
        return ingest_baci(home, paths, replace=replace)
    if DOWNLOADS[name].ingest_folder:
        folder = paths[0].parent
        read = {p.resolve() for p in source_loader(name).inputs(folder)}
        unread = [p.name for p in paths if p.resolve() not in read]
        if unread:  # never load part of a download silently
            raise DataSourceError(
                f"the {name} loader does not read {', '.join(unread)} as the publisher ships it",
                file=folder,
                hint=f"it expects {source_loader(name).expects}; convert the file(s) and run "
                f"'friendshore ingest {name} PATH'",
            )
        return ingest_source(home, name, folder, replace=replace)
    with transaction(home, replace=replace) as tx:  # several files of one download: all or nothing
        for path in paths:
            stage_source(tx, name, path)
        return list(tx.staged)
