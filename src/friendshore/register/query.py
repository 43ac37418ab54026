"""Ask the register: members of an initiative at a date, investments, measures.

Every function takes ``home`` (the warehouse folder, for the user's own files and groups; ``None``
for the shipped register alone) or an already loaded ``register``.

    members("pax-silica", date(2026, 3, 1))                       # ISO3 codes, sorted
    investments(country="IND", technology="semiconductors")
    measures(on="CHN", products=["848620"], effective_between=(date(2022, 1, 1), date(2023, 12, 31)))

``measures`` is what an event study reads: the measures that took effect in a window, on a
country, for some products, each with its ``effective`` (and ``end``) date -- no date in code.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from friendshore.errors import UnknownCodeError, UserError, unknown
from friendshore.nomenclature.groups import ROLES, iso3_codes
from friendshore.nomenclature.taxonomy import SECTORS
from friendshore.planning.problem import CommittedCapacity
from friendshore.register.load import Register, load_register
from friendshore.register.models import STATUSES, WORLD, Initiative, Investment, Measure, Membership

__all__ = [
    "committed_capacity",
    "country_code",
    "entries_by_kind",
    "initiative_group",
    "initiatives",
    "investments",
    "measure_parties",
    "measures",
    "members",
    "memberships",
    "newest_day",
]


#: Dates that record something that happened or began (scheduled ends do not count).
_DAY_FIELDS = (
    "launched",
    "start",
    "announced",
    "effective",
    "construction_start",
    "operation_start",
    "cancelled",
)


def entries_by_kind(register: Register) -> list[tuple[str, list[Any]]]:
    """The register's entries, kind by kind, in the order the register lists them."""
    return [
        ("source", list(register.sources.values())),
        ("initiative", list(register.initiatives.values())),
        ("membership", list(register.memberships)),
        ("investment", list(register.investments.values())),
        ("measure", list(register.measures.values())),
    ]


def newest_day(entries: Iterable[Any]) -> date | None:
    """The latest day any of ``entries`` records as announced, launched, started or in force (a
    source's date as far as it goes: a year stands for 1 January)."""
    days: list[date] = []
    for entry in entries:
        days += [d for d in (getattr(entry, name, None) for name in _DAY_FIELDS) if isinstance(d, date)]
        text = getattr(entry, "date", None)
        if isinstance(text, str) and text != "n.d.":
            parts = [*(int(p) for p in text.split("-")), 1, 1]
            days.append(date(parts[0], parts[1], parts[2]))
    return max(days) if days else None


def _register(register: Register | None, home: Path | None) -> Register:
    return register if register is not None else load_register(home)


def country_code(code: str) -> str:
    """An ISO3 code, upper-cased; ``UnknownCodeError`` otherwise (group names are not accepted here)."""
    text = code.strip().upper()
    if text not in iso3_codes():
        raise UnknownCodeError(f"'{code}' is not an ISO 3166-1 alpha-3 country code (e.g. USA, IND, TWN)")
    return text


def _technology(value: str) -> str:
    if value not in SECTORS:
        raise unknown("technology", value, SECTORS)
    return value


def initiative_group(name: str, register: Register) -> str:
    """The group that holds an initiative's members: ``name`` is an initiative id (its ``group``)
    or a group name."""
    key = name.strip().lower()
    initiative = register.initiatives.get(key)
    if initiative is not None:
        if initiative.group is None:
            raise UserError(
                f"initiative '{key}' has no group of members (it is a {initiative.kind}: "
                f"{', '.join(initiative.parties) or 'no parties listed'})"
            )
        return initiative.group
    if key in register.groups:
        return key
    raise UnknownCodeError(
        f"unknown initiative or group '{name}' (initiatives: {', '.join(sorted(register.initiatives))}; "
        f"groups: {', '.join(sorted(register.groups))})"
    )


def memberships(
    *,
    initiative: str | None = None,
    country: str | None = None,
    at: date | None = None,
    roles: Collection[str] = ROLES,
    home: Path | None = None,
    register: Register | None = None,
) -> list[Membership]:
    """Membership periods, optionally of one initiative or group, one country, covering one date,
    with the given roles (default: every role), sorted by group, ISO3 and start."""
    reg = _register(register, home)
    unknown = [r for r in roles if r not in ROLES]
    if unknown:
        raise UnknownCodeError(f"unknown role(s) {', '.join(unknown)} (known: {', '.join(ROLES)})")
    group = initiative_group(initiative, reg) if initiative is not None else None
    code = country_code(country) if country is not None else None
    return [
        m
        for m in reg.memberships
        if (group is None or m.initiative == group)
        and (code is None or m.iso3 == code)
        and (at is None or m.active(at))
        and m.role in roles
    ]


def members(
    initiative: str,
    at: date,
    *,
    roles: Collection[str] = ("member",),
    home: Path | None = None,
    register: Register | None = None,
) -> list[str]:
    """ISO3 codes of an initiative's (or group's) members on ``at`` -- by default members only,
    as ``friendshore groups NAME --at DATE`` lists them -- sorted."""
    found = memberships(initiative=initiative, at=at, roles=roles, home=home, register=register)
    return sorted({m.iso3 for m in found})


def initiatives(
    *,
    country: str | None = None,
    technology: str | None = None,
    active_at: date | None = None,
    home: Path | None = None,
    register: Register | None = None,
) -> list[Initiative]:
    """Initiatives, optionally those a country leads or is a member of (at ``active_at`` if given,
    else ever; guests and invitees are not members), of a technology, or active on a date; sorted
    by launch date then id."""
    reg = _register(register, home)
    code = country_code(country) if country is not None else None
    tech = _technology(technology) if technology is not None else None
    out = []
    for item in reg.initiatives.values():
        if active_at is not None and not item.active(active_at):
            continue
        if tech is not None and tech not in item.technologies:
            continue
        if code is not None and code not in item.lead:
            periods = [
                m
                for m in reg.memberships
                if item.group is not None
                and m.initiative == item.group
                and m.iso3 == code
                and m.role == "member"
            ]
            if active_at is not None:
                periods = [m for m in periods if m.active(active_at)]
            if not periods:
                continue
        out.append(item)
    return sorted(out, key=lambda i: (i.launched or date.max, i.id))


def investments(
    *,
    country: str | None = None,
    technology: str | None = None,
    status: str | None = None,
    active_at: date | None = None,
    products: Iterable[str] | None = None,
    home: Path | None = None,
    register: Register | None = None,
) -> list[Investment]:
    """Investments, optionally in one country, of one technology, making some HS6 products, with
    a status. With ``active_at``, only those announced (or started) by then and not cancelled by
    then, and ``status`` is their status on that date (from the dates; entries without any date
    are left out). Sorted by first date then id."""
    reg = _register(register, home)
    code = country_code(country) if country is not None else None
    tech = _technology(technology) if technology is not None else None
    if status is not None and status not in STATUSES:
        raise unknown("status", status, STATUSES)
    wanted = set(products) if products is not None else None
    out = []
    for item in reg.investments.values():
        if code is not None and item.country != code:
            continue
        if tech is not None and item.technology != tech:
            continue
        if wanted is not None and not wanted & set(item.products):
            continue
        if active_at is not None:
            now = item.status_at(active_at)
            if now is None or now == "cancelled":
                continue
            if status is not None and now != status:
                continue
        elif status is not None and item.status != status:
            continue
        out.append(item)
    return sorted(out, key=lambda i: (i.first_date() or date.max, i.id))


def _resolve(names: Iterable[str], at: date, register: Register) -> set[str]:
    out: set[str] = set()
    for name in names:
        if name in iso3_codes():
            out.add(name)
        elif name in register.groups:
            out |= {m.iso3 for m in register.groups[name].at(at)}
    return out


def measure_parties(measure: Measure, at: date, register: Register) -> tuple[set[str], set[str] | None]:
    """Who imposes ``measure`` and on whom, as ISO3 sets, groups resolved at ``at``. The second set
    is ``None`` for ``on = ["world"]``: every country but the imposers and the exempt."""
    who = _resolve(measure.who, at, register)
    if WORLD in measure.on:
        return who, None
    return who, _resolve(measure.on, at, register) - _resolve(measure.exempt, at, register)


def _applies_to(measure: Measure, code: str, at: date, register: Register) -> bool:
    who, on = measure_parties(measure, at, register)
    if on is None:
        return code not in who and code not in _resolve(measure.exempt, at, register)
    return code in on


def measures(
    *,
    who: str | None = None,
    on: str | None = None,
    country: str | None = None,
    products: Iterable[str] | None = None,
    technology: str | None = None,
    effective_at: date | None = None,
    effective_between: tuple[date, date] | None = None,
    home: Path | None = None,
    register: Register | None = None,
) -> list[Measure]:
    """Measures, sorted by effective date then id.

    * ``who``: imposed by this country (ISO3; a group in ``who`` counts its members);
    * ``on``: applying to this country (listed, in a listed group, or ``world`` less exempt
      countries and the imposers);
    * ``country``: imposed by or applying to this country;
    * ``products``: covering any of these HS6 codes; ``technology``: covering a product of the
      technology (by the taxonomy) or naming it;
    * ``effective_at``: in force on that day (effective <= day <= end);
    * ``effective_between=(first, last)``: took effect in that window, both days included.

    Groups are resolved at ``effective_at`` when given, else at each measure's effective date.
    """
    reg = _register(register, home)
    by = country_code(who) if who is not None else None
    target = country_code(on) if on is not None else None
    either = country_code(country) if country is not None else None
    tech = _technology(technology) if technology is not None else None
    wanted = set(products) if products is not None else None
    if effective_between is not None and effective_between[1] < effective_between[0]:
        raise UserError(
            f"effective_between: the window ends ({effective_between[1]}) before it starts "
            f"({effective_between[0]})"
        )
    out = []
    for item in reg.measures.values():
        when = effective_at or item.effective
        if effective_at is not None and not item.in_force(effective_at):
            continue
        if effective_between is not None and not (
            effective_between[0] <= item.effective <= effective_between[1]
        ):
            continue
        if wanted is not None and not wanted & set(item.products):
            continue
        if tech is not None and tech not in item.all_technologies():
            continue
        if by is not None and by not in measure_parties(item, when, reg)[0]:
            continue
        if target is not None and not _applies_to(item, target, when, reg):
            continue
        if either is not None and not (
            either in measure_parties(item, when, reg)[0] or _applies_to(item, either, when, reg)
        ):
            continue
        out.append(item)
    return sorted(out, key=lambda m: (m.effective, m.id))


#: Capacity units the planner can take as they are (it never adds two different units).
_PLANNER_UNITS = {"t": "t", "tonnes": "t", "kusd": "kusd"}
#: Register status -> the planner's capacity status.
_PLANNER_STATUS = {
    "operating": "operating",
    "under-construction": "under-construction",
    "announced": "announced",
}


def committed_capacity(
    products: Iterable[str], *, home: Path | None = None, register: Register | None = None
) -> tuple[list[CommittedCapacity], list[str]]:
    """The register's investments as the planner's committed capacity, for the HS6 ``products``.

    An investment counts when it makes one of the products, has an annual capacity in tonnes or
    thousand USD (the planner's units; other units such as wafers cannot be added to trade
    quantities), a start of operation and is not cancelled. Returns the records and notes on the
    investments left out, so a plan can say what it did not use.
    """
    reg = _register(register, home)
    wanted = set(products)
    records: list[CommittedCapacity] = []
    notes: list[str] = []
    for item in investments(products=wanted, register=reg):
        unit = _PLANNER_UNITS.get((item.capacity_unit or "").strip().lower())
        status = _PLANNER_STATUS.get(item.status)
        if status is None:
            continue
        if item.capacity_per_year is None or unit is None or item.operation_start is None:
            why = (
                "no annual capacity"
                if item.capacity_per_year is None
                else f"capacity in '{item.capacity_unit}', not tonnes or thousand USD"
                if unit is None
                else "no start of operation"
            )
            notes.append(f"register investment '{item.id}' not counted: {why}")
            continue
        for hs6 in sorted(wanted & set(item.products)):
            records.append(
                CommittedCapacity(
                    country=item.country,
                    hs6=hs6,
                    capacity=item.capacity_per_year,
                    unit=unit,  # type: ignore[arg-type]
                    available_from=item.operation_start,
                    status=status,  # type: ignore[arg-type]
                    source_id=f"register:{item.id}",
                    citation=reg.citation(item),
                    note="" if item.verified else "unverified",
                )
            )
    return records, notes
