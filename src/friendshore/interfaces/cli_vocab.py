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

from datetime import date
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import typer
from typer.core import TyperGroup

from friendshore.console import err_console
from friendshore.interfaces.cli import FormatOption, app, parse_date, settings_of
from friendshore.interfaces.render import render

__all__ = ["groups_app"]

AtOption = Annotated[
    str | None, typer.Option("--at", help="Date of membership, YYYY-MM-DD (default: today).")
]


@app.command("taxonomy")
def taxonomy(
    sector: Annotated[
        str | None,
        typer.Option(help="Technology, e.g. semiconductors, chip-equipment, critical-minerals."),
    ] = None,
    stage: Annotated[
        str | None, typer.Option(help="Stage: ore, refined, component, equipment, final.")
    ] = None,
    primary_only: Annotated[
        bool, typer.Option("--primary-only", help="Only each code's primary technology.")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """The technology taxonomy: HS6 code (HS 2017) -> technology -> stage, with the basis of each row."""
    import pyarrow.compute as pc

    from friendshore.nomenclature.taxonomy import select_taxonomy

    table = select_taxonomy(sector, stage)
    if primary_only:
        table = table.filter(pc.equal(table.column("primary"), True))
    title = (
        "Technology taxonomy (HS 2017)" + (f": {sector}" if sector else "") + (f", {stage}" if stage else "")
    )
    render(table, fmt, title=title)


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
def groups_list(ctx: typer.Context, at: AtOption = None, fmt: FormatOption = "table") -> None:
    """List the groups with their member counts on a date; 'groups NAME' shows one group."""
    if ctx.invoked_subcommand is not None:
        return
    from friendshore.nomenclature.groups import load_groups

    when = parse_date(at, option="--at") or date.today()
    rows = []
    for name, group in sorted(load_groups(settings_of(ctx).home).items()):
        active = group.at(when)
        rows.append(
            {
                "name": name,
                "title": group.title,
                "members": len(active),
                "unverified": sum(not m.verified for m in active),
                "origin": group.origin,
                "source": group.source.cite(),
            }
        )
    schema = pa.schema(
        [
            ("name", pa.string()),
            ("title", pa.string()),
            ("members", pa.int64()),
            ("unverified", pa.int64()),
            ("origin", pa.string()),
            ("source", pa.string()),
        ]
    )
    render(pa.Table.from_pylist(rows, schema=schema), fmt, title=f"Country groups on {when.isoformat()}")


@groups_app.command("show")
def groups_show(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Group name, e.g. pax-silica (see 'friendshore groups').")],
    at: AtOption = None,
    history: Annotated[
        bool, typer.Option("--all", help="Every membership period, whatever the date.")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """The members of one group on a date, with from/to dates, verification and sources."""
    from friendshore.errors import UnknownCodeError
    from friendshore.nomenclature.groups import iso3_codes, load_groups

    when = parse_date(at, option="--at") or date.today()
    groups = load_groups(settings_of(ctx).home)
    group = groups.get(name.strip().lower())
    if group is None:
        raise UnknownCodeError(
            f"unknown group '{name}' (known groups: {', '.join(sorted(groups))}; "
            "add your own with 'friendshore groups add FILE')"
        )
    chosen = sorted(group.members, key=lambda m: (m.iso3, m.start)) if history else group.at(when)
    names = iso3_codes()
    rows: list[dict[str, Any]] = [
        {
            "iso3": m.iso3,
            "country": names.get(m.iso3, ""),
            "from": m.start,
            "to": m.end,
            "verified": m.verified,
            "source": (m.source or group.source).cite(),
            "note": m.note or None,
        }
        for m in chosen
    ]
    schema = pa.schema(
        [
            ("iso3", pa.string()),
            ("country", pa.string()),
            ("from", pa.date32()),
            ("to", pa.date32()),
            ("verified", pa.bool_()),
            ("source", pa.string()),
            ("note", pa.string()),
        ]
    )
    if not rows:
        first = min((m.start for m in group.members), default=None)
        since = f"; its first member joined on {first.isoformat()}" if first else ""
        err_console.print(f"Group '{group.name}' has no members on {when.isoformat()}{since}.")
    title = f"{group.title}: " + ("all membership periods" if history else f"members on {when.isoformat()}")
    render(pa.Table.from_pylist(rows, schema=schema), fmt, title=title)


@groups_app.command("add")
def groups_add(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="A TOML file of [[group]] tables (format: see groups.toml).")],
) -> None:
    """Validate a TOML file of groups and install it in the warehouse folder (<home>/groups/)."""
    from friendshore.nomenclature.groups import add_group_file, load_groups

    target = add_group_file(file, settings_of(ctx).home)
    added = [g.name for g in load_groups(settings_of(ctx).home).values() if g.origin == str(target)]
    err_console.print(f"Installed {target} with group(s): {', '.join(added)}.", highlight=False)


app.add_typer(groups_app, name="groups")
