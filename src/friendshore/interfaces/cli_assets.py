"""``friendshore assets install|status``: the npm packages the brief inlines and the dashboard serves
(the Vega libraries, the world map, the report font), installed once from the lock in the wheel."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.interfaces.cli_common import say

__all__ = ["app"]

app = typer.Typer(help="The brief's and the dashboard's JavaScript, map and font.", no_args_is_help=True)


@app.command("install")
def install(
    into: Annotated[
        Path | None,
        typer.Option(
            "--into",
            help="Folder to install into (node_modules below it; default: the parent of FRIENDSHORE_ASSETS, "
            "else the user's data folder).",
        ),
    ] = None,
    lock: Annotated[
        Path | None,
        typer.Option(
            "--lock", help="Folder with package.json and package-lock.json (default: the shipped lock)."
        ),
    ] = None,
) -> None:
    """Install the assets with npm ci from the hash-pinned lock (needs npm and, once, the registry)."""
    from friendshore.reporting.assets import install_assets, missing_assets

    folder = install_assets(into, lock=lock)
    say("installed: ", str(folder))
    if into is not None and missing_assets():
        say("note: ", f"set FRIENDSHORE_ASSETS={folder} so that the brief and the dashboard find them")


@app.command("status")
def status() -> None:
    """Where the assets are read from and which are missing; exit 2 when one is."""
    from friendshore.reporting.assets import asset_dir, require_assets

    say("folder: ", str(asset_dir()))
    require_assets()
    say("ok: ", "every asset is installed")
