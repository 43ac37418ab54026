"""``friendshore reproduce NAME``: our figure beside the published one."""

from __future__ import annotations

from typing import Annotated

import pyarrow as pa
import typer

from friendshore.interfaces.cli import app, settings_of
from friendshore.interfaces.render import Format, render

__all__: list[str] = []


@app.command()
def reproduce(
    ctx: typer.Context,
    name: Annotated[str | None, typer.Argument(help="Reproduction to run (see --list).")] = None,
    list_: Annotated[bool, typer.Option("--list", help="List the reproductions.")] = False,
    fmt: Annotated[Format, typer.Option("--format", "-f", help="table, csv or json.")] = "table",
) -> None:
    """Recompute a published result and print ours beside it; exit 1 if any figure is off.

    JSON output is a list of {quantity, published, ours, tolerance, ok}.
    """
    from friendshore.reporting.reproduce import REPRODUCTIONS, reproduction

    if list_ or name is None:
        reproduction("baci-world-shares")  # loads the registry
        rows = [{"name": r.name, "title": r.title, "citation": r.citation} for r in REPRODUCTIONS.values()]
        render(pa.Table.from_pylist(rows), fmt, title="Reproductions")
        return
    item = reproduction(name)
    checks = item.run(settings_of(ctx))
    rows = [{k: v for k, v in c.to_json().items() if fmt != "json" or k != "source"} for c in checks]
    render(pa.Table.from_pylist(rows), fmt, title=f"{item.title} — {item.citation}")
    if not all(c.ok for c in checks):
        raise typer.Exit(1)
