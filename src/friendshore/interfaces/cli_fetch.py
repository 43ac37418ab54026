"""``friendshore fetch``: download a source from its publisher into the cache, optionally load it.

Files go to ``<FRIENDSHORE_HOME>/cache/<source>/<release>/``; their paths are printed on stdout,
one a line. ``--base-url`` (or ``FRIENDSHORE_FETCH_BASE_URL``) points at a mirror instead.
"""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.interfaces.cli_common import settings_of
from friendshore.interfaces.cli_ingest import report_loaded
from friendshore.sources.fetch import DOWNLOADS, fetch
from friendshore.warehouse.ingest import ingest_fetched

__all__ = ["fetch_command"]


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
