"""``friendshore register``: what is already committed, as sourced data::

friendshore register                                        # entries of each kind
friendshore register initiatives --country IND
friendshore register members --initiative pax-silica --active-at 2026-02-10
friendshore register investments --country IND --technology semiconductors
friendshore register measures --country CHN --active-at 2024-01-01 --format csv
friendshore register add my-register.toml                   # validate and install a user file
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import register as analysis
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
    renamed,
    settings_of,
)

__all__ = ["app"]

app = typer.Typer(
    invoke_without_command=True,
    help="The register: initiatives, memberships, investments and measures, each with its sources.",
)

INITIATIVES = defaults_of(analysis.register_initiatives)
MEMBERS = defaults_of(analysis.register_members)
INVESTMENTS = defaults_of(analysis.register_investments)
MEASURES = defaults_of(analysis.register_measures)


@app.callback()
@answers(analysis.register_overview)
def register_overview(
    ctx: typer.Context,
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """How many entries of each kind the register holds; the sub-commands list them."""
    if ctx.invoked_subcommand is not None:
        return
    emit(analysis.register_overview(settings_of(ctx)), fmt, columns=columns, with_meta=with_meta)


@app.command("initiatives")
@answers(analysis.register_initiatives)
def register_initiatives(
    ctx: typer.Context,
    country: str | None = INITIATIVES["country"],
    technology: str | None = INITIATIVES["technology"],
    active_at: str | None = INITIATIVES["active_at"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Initiatives (coalitions, bilateral initiatives, partnerships) with launch dates and sources."""
    result = analysis.register_initiatives(
        settings_of(ctx),
        country=country,
        technology=technology,
        active_at=parse_date(active_at, option="--active-at"),
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("members")
@answers(analysis.register_members)
def register_members(
    ctx: typer.Context,
    initiative: str | None = MEMBERS["initiative"],
    country: str | None = MEMBERS["country"],
    technology: str | None = MEMBERS["technology"],
    active_at: str | None = MEMBERS["active_at"],
    role: str | None = MEMBERS["role"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Membership periods (member, guest, invited) with dates and sources: the groups' data."""
    result = analysis.register_members(
        settings_of(ctx),
        initiative=initiative,
        country=country,
        technology=technology,
        active_at=parse_date(active_at, option="--active-at"),
        role=role,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("investments")
@answers(analysis.register_investments)
def register_investments(
    ctx: typer.Context,
    country: str | None = INVESTMENTS["country"],
    technology: str | None = INVESTMENTS["technology"],
    status: str | None = INVESTMENTS["status"],
    active_at: str | None = INVESTMENTS["active_at"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Investments (fabs, OSAT/ATMP plants, design centres, mines, refineries ...) with dates,
    amounts, capacity and sources."""
    result = analysis.register_investments(
        settings_of(ctx),
        country=country,
        technology=technology,
        status=status,
        active_at=parse_date(active_at, option="--active-at"),
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("measures")
@answers(analysis.register_measures)
def register_measures(
    ctx: typer.Context,
    country: str | None = MEASURES["country"],
    technology: str | None = MEASURES["technology"],
    active_at: str | None = MEASURES["active_at"],
    who: str | None = MEASURES["who"],
    on: str | None = MEASURES["on"],
    product: str | None = MEASURES["product"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    by: Annotated[str | None, typer.Option("--by", hidden=True)] = None,
) -> None:
    """Export controls, bans and tariffs: who, on whom, which products, from when."""
    result = analysis.register_measures(
        settings_of(ctx),
        country=country,
        technology=technology,
        active_at=parse_date(active_at, option="--active-at"),
        who=renamed(who, by, new="--who", old="--by", default=MEASURES["who"]),
        on=on,
        product=product,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("add")
def register_add(
    ctx: typer.Context,
    file: Annotated[
        Path,
        typer.Argument(
            # Rich reads [x] as markup: a backslash keeps the brackets of the TOML table names
            help=r"A TOML file of \[\[source]], \[\[initiative]], \[\[investment]], \[\[measure]] tables.",
        ),
    ],
) -> None:
    """Validate a TOML file of register entries and install it in the warehouse folder (<home>/register/)."""
    result = analysis.installed_register_file(settings_of(ctx), file=file)
    for note in result.notes:
        typer.echo(note, err=True)
