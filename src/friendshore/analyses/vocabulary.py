"""The vocabulary analysts use: the technology taxonomy and the country groups with dates."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.columns import describe
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError
from friendshore.settings import Settings

__all__ = ["countries", "group_members", "groups", "taxonomy"]


@documented()
def taxonomy(
    settings: Settings,
    *,
    sector: str | None = None,
    stage: str | None = None,
    primary_only: bool = False,
) -> Result:
    """The technology taxonomy: HS6 code (HS 2017) -> technology -> stage, with each row's basis.

    Parameters
    ----------
    sector
        Technology, e.g. semiconductors, chip-equipment, critical-minerals.
    stage
    primary_only
        Only each code's primary technology.
    """
    from friendshore.nomenclature.taxonomy import TAXONOMY_PATH, select_taxonomy

    table = select_taxonomy(sector, stage)
    if primary_only:
        table = table.filter(pc.equal(table.column("primary"), True))
    title = (
        "Technology taxonomy (HS 2017)" + (f": {sector}" if sector else "") + (f", {stage}" if stage else "")
    )
    return Result(
        "taxonomy",
        title,
        table,
        {"sector": sector, "stage": stage, "primary_only": primary_only},
        (),
        (),
        describe(table, key=["hs6", "technology", "stage", "primary", "description"]),
        sources=(TAXONOMY_PATH,),
    )


def countries(settings: Settings) -> Result:
    """The country codes friendshore knows: ISO 3166-1 alpha-3 with short names."""
    from friendshore.nomenclature.groups import iso3_codes

    names = iso3_codes()
    table = pa.table(
        {"iso3": pa.array(sorted(names), pa.string()), "name": pa.array([names[c] for c in sorted(names)])}
    )
    described = (Column("iso3", "ISO3", "code", True), Column("name", "country", "text", True))
    return Result("countries", "Countries (ISO 3166-1 alpha-3)", table, {}, (), (), described)


def groups(settings: Settings, *, at: date | None = None) -> Result:
    """Every country group with its number of members on a date (default: today).

    Parameters
    ----------
    at
        Date of membership, YYYY-MM-DD (default: today).
    """
    from friendshore.nomenclature.groups import load_groups

    when = at or date.today()
    rows = []
    for name, group in sorted(load_groups(settings.home).items()):
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
    table = pa.Table.from_pylist(rows, schema=schema)
    described = (
        Column("name", "group", "code", True),
        Column("title", "title", "text", True),
        Column("members", "members", "count", True),
        Column("unverified", "unverified", "count", True),
        Column("origin", "defined in", "text"),
        Column("source", "source", "text", True),
    )
    return Result("groups", f"Country groups on {when.isoformat()}", table, {"at": when}, (), (), described)


def group_members(settings: Settings, *, name: str, at: date | None = None, history: bool = False) -> Result:
    """The members of one group on a date (default: today), with from/to dates, verification and
    sources; ``history`` lists every membership period whatever the date.

    Parameters
    ----------
    name
        Group name, e.g. pax-silica (see 'friendshore groups').
    at
        Date of membership, YYYY-MM-DD (default: today).
    history
        Every membership period, whatever the date.
    """
    from friendshore.nomenclature.groups import iso3_codes, load_groups

    when = at or date.today()
    known = load_groups(settings.home)
    group = known.get(name.strip().lower())
    if group is None:
        raise UnknownCodeError(
            f"unknown group '{name}' (known groups: {', '.join(sorted(known))}; "
            "add your own with 'friendshore groups add FILE')"
        )
    chosen = group.periods() if history else group.at(when)  # members only: not guests, not invitees
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
    notes: list[str] = []
    if not rows:
        first = min((m.start for m in group.periods()), default=None)
        since = f"; its first member joined on {first.isoformat()}" if first else ""
        notes.append(f"Group '{group.name}' has no members on {when.isoformat()}{since}.")
    title = f"{group.title}: " + ("all membership periods" if history else f"members on {when.isoformat()}")
    table = pa.Table.from_pylist(rows, schema=schema)
    described = (
        Column("iso3", "ISO3", "code", True),
        Column("country", "country", "text", True),
        Column("from", "from", "date", True),
        Column("to", "to", "date", True),
        Column("verified", "verified", "flag", True),
        Column("source", "source", "text", True),
        Column("note", "note", "text"),
    )
    return Result(
        "group-members",
        title,
        table,
        {"name": group.name, "at": when, "history": history},
        (),
        tuple(notes),
        described,
        sources=(str(group.origin),),
    )


def installed_group_file(settings: Settings, *, file: Path) -> Result:
    """Validate a TOML file of groups and install it in the warehouse folder; the groups it adds."""
    from friendshore.nomenclature.groups import add_group_file, load_groups
    from friendshore.register.load import check_groups, register_lock

    with register_lock(settings.home):  # the register is checked against the groups after the change
        target = add_group_file(
            file, settings.home, check=lambda groups: check_groups(groups, settings.home, str(file))
        )
    added = sorted(g.name for g in load_groups(settings.home).values() if g.origin == str(target))
    table = pa.table({"group": pa.array(added, pa.string())})
    return Result(
        "groups-add",
        f"Installed {target}",
        table,
        {"file": str(file), "installed_as": str(target)},
        (),
        (f"installed {target} with group(s): {', '.join(added)}",),
        (Column("group", "group", "code", True),),
    )
