"""``friendshore reproduce NAME``: our figure beside the published one."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import reproduce as analysis
from friendshore.interfaces.cli_common import ColumnsOption, FormatOption, WithMetaOption, emit, settings_of

__all__ = ["app"]

app = typer.Typer()


@app.command()
def reproduce(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Reproduction to run (see --list).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the reproductions.")] = False,
    consistency: Annotated[
        bool, typer.Option("--consistency", help="With --list: add the consistency checks of our own data.")
    ] = False,
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Recompute a published result and print ours beside it; exit 1 if any figure is off.

    JSON output is a list of {quantity, published, ours, tolerance, source, ok}.
    """
    settings = settings_of(ctx)
    if list_ or name is None:
        emit(analysis.reproductions(settings, include_consistency=consistency), fmt, columns=columns)
        return
    result = analysis.reproduce(settings, name=name)
    emit(result, fmt, columns=columns, with_meta=with_meta)
    if not result.parameters["ok"]:
        raise typer.Exit(1)
