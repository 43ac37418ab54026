"""``friendshore fetch``: download a source from its publisher into the cache, optionally load it.

Files go to ``<FRIENDSHORE_HOME>/cache/<source>/<release>/``; their paths are printed on stdout,
one a line. ``--base-url`` (or ``FRIENDSHORE_FETCH_BASE_URL``) points at a mirror instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.errors import DataSourceError
from friendshore.interfaces.cli_ingest import report_loaded
from friendshore.sources.fetch import DOWNLOADS, fetch
from friendshore.warehouse.store import Partition

__all__ = ["fetch_command", "ingest_fetched"]


def ingest_fetched(home: Path, name: str, paths: list[Path]) -> list[Partition]:
    """Load what ``fetch`` returned with the source's ingest loader (BACI: ``ingest_baci``)."""
    from friendshore.warehouse.ingest import ingest_source, source_loader
    from friendshore.warehouse.ingest_baci import ingest_baci

    if name == "baci":
        return ingest_baci(home, paths)
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
        return ingest_source(home, name, folder)
    written: list[Partition] = []
    for path in paths:
        written += ingest_source(home, name, path)
    return written


def fetch_command(
    ctx: typer.Context,
    source: Annotated[str, typer.Argument(help=f"One of: {', '.join(DOWNLOADS)}.")],
    release: Annotated[
        str | None, typer.Option(help="Release, e.g. V202601 for BACI (default: the source's own).")
    ] = None,
    hs: Annotated[str | None, typer.Option(help="HS revision for BACI, e.g. HS17.")] = None,
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="A mirror replacing the publisher's URL prefix (env FRIENDSHORE_FETCH_BASE_URL).",
        ),
    ] = None,
    ingest: Annotated[bool, typer.Option("--ingest", help="Load the files into the warehouse.")] = False,
    refresh: Annotated[bool, typer.Option("--refresh", help="Download again even if cached.")] = False,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for a connection or data.")] = 60.0,
) -> None:
    """Download a source from its publisher into <home>/cache (sha256-checked where the file is fixed)."""
    from friendshore.interfaces.cli import settings_of

    settings = settings_of(ctx)
    options = {k: v for k, v in (("release", release), ("hs", hs)) if v is not None}
    paths = fetch(
        source,
        cache=settings.home / "cache",
        base_url=base_url,
        refresh=refresh,
        timeout=timeout,
        **options,
    )
    for path in paths:
        typer.echo(str(path))
    if ingest:
        report_loaded(ingest_fetched(settings.home, source, paths))
