"""``friendshore taxonomy`` and ``friendshore groups``: the vocabulary analysts use.

``groups`` is a command group whose first word may be a group name::

    friendshore groups                                   # every group, member counts today
    friendshore groups pax-silica --at 2026-03-01        # members on that day, with sources
    friendshore groups show pax-silica --all             # the same, every membership period
    friendshore groups add my-groups.toml                # validate and install a user file

``groups NAME ...`` is read as ``groups show NAME ...`` whenever NAME is not a sub-command
(``show``, ``add``), so no group can hide a sub-command and vice versa.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from friendshore.analyses import vocabulary as analysis
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
    settings_of,
)

__all__ = ["app", "groups_app"]

app = typer.Typer()
TAX = defaults_of(analysis.taxonomy)
MEMBERS = defaults_of(analysis.group_members)


@app.command("taxonomy")
@answers(analysis.taxonomy)
def taxonomy(
    ctx: typer.Context,
    sector: str | None = TAX["sector"],
    stage: str | None = TAX["stage"],
    primary_only: Annotated[bool, typer.Option("--primary-only")] = TAX["primary_only"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """The technology taxonomy: HS6 code (HS 2017) -> technology -> stage, with the basis of each row."""
    result = analysis.taxonomy(settings_of(ctx), sector=sector, stage=stage, primary_only=primary_only)
    emit(result, fmt, columns=columns, with_meta=with_meta)


class _GroupsCommand(TyperGroup):
    """A group whose first argument, when it is not a sub-command, is the NAME of ``show``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # ctx: the (vendored) click Context
        if args and not args[0].startswith("-") and args[0] not in self.commands:
            args = ["show", *args]
        return super().parse_args(ctx, args)


groups_app = typer.Typer(
    cls=_GroupsCommand,
    invoke_without_command=True,
    help="Country groups with dates (coalitions, clubs, lists): list, show members, add your own.",
)


@groups_app.callback()
@answers(analysis.groups)
def groups_list(
    ctx: typer.Context,
    at: str | None = None,
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """List the groups with their member counts on a date; 'groups NAME' shows one group."""
    if ctx.invoked_subcommand is not None:
        return
    result = analysis.groups(settings_of(ctx), at=parse_date(at, option="--at"))
    emit(result, fmt, columns=columns, with_meta=with_meta)


@groups_app.command("show")
@answers(analysis.group_members)
def groups_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument()],
    at: str | None = None,
    history: Annotated[bool, typer.Option("--all")] = MEMBERS["history"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """The members of one group on a date, with from/to dates, verification and sources."""
    result = analysis.group_members(
        settings_of(ctx), name=name, at=parse_date(at, option="--at"), history=history
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@groups_app.command("add")
def groups_add(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(help=r"A TOML file of \[\[group]] tables (format: see groups.toml).")
    ],
) -> None:
    """Validate a TOML file of groups and install it in the warehouse folder (<home>/groups/)."""
    result = analysis.installed_group_file(settings_of(ctx), file=file)
    for note in result.notes:
        typer.echo(note, err=True)
