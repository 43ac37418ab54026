"""What is already committed: the register's initiatives, memberships, investments and measures.

Each function reads the register (shipped entries, the user's files in ``<home>/register`` and
the country groups' member periods) and returns a ``Result`` with every row's sources and
verification. ``friendshore register ...`` renders them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

if TYPE_CHECKING:
    from friendshore.register import Initiative, Investment, Measure, Register

__all__ = [
    "installed_register_file",
    "register_counts",
    "register_initiatives",
    "register_investments",
    "register_measures",
    "register_members",
    "register_overview",
]

_DATA = "friendshore/register/data/*.toml (package data)"
# The filters the register's listings share, documented once.
_FILTERS = {
    "country": "ISO3 code, e.g. IND (a member, lead, host, imposer or target).",
    "technology": "Technology, e.g. semiconductors, critical-minerals (see 'taxonomy').",
    "active_at": "Only what was active (in force) on this day, YYYY-MM-DD.",
}
_MEASURE_COLUMNS = (
    "id", "title", "kind", "who", "on", "exempt", "announced", "effective", "end", "products", "inputs",
    "technologies", "issuer", "document_number", "changes", "changed_by", "items", "legal_reference", "summary",
    "products_note", "verified", "source", "note", "origin",
)  # fmt: skip


# Every entry's last columns: whether it is confirmed, its sources, its note and the file defining it.
_PROVENANCE_FIELDS = (
    ("verified", pa.bool_()),
    ("source", pa.string()),
    ("note", pa.string()),
    ("origin", pa.string()),
)
_PROVENANCE_COLUMNS = (
    Column("source", "sources", "text"),
    Column("note", "note", "text"),
    Column("origin", "defined in", "text"),
)


def _provenance(reg: Register, item: Initiative | Investment | Measure) -> dict[str, Any]:
    """The row values of ``_PROVENANCE_FIELDS`` for one register entry."""
    return {
        "verified": item.verified,
        "source": reg.citation(item),
        "note": item.note or None,
        "origin": _origin(item.origin),
    }


def _join(values: Sequence[str]) -> str | None:
    return ", ".join(values) if values else None


def _origin(origin: str) -> str:
    from friendshore.register import is_shipped

    return "package" if is_shipped(origin) or origin == "package" else origin


def _unverified_note(kind: str, rows: Sequence[dict[str, Any]]) -> tuple[str, ...]:
    doubtful = sum(1 for row in rows if not row["verified"])
    if not doubtful:
        return ()
    return (f"{doubtful} of {len(rows)} {kind} are not confirmed: read their note before relying on them.",)


def _sources(home: Path) -> tuple[str, ...]:
    from friendshore.register import user_register_dir

    folder = user_register_dir(home)
    user = sorted(str(p) for p in folder.glob("*.toml")) if folder.is_dir() else []
    return (_DATA, *user)


def register_counts(home: Path) -> list[tuple[str, int, date | None]]:
    """Per kind of entry: how many the register holds and the newest day any of them records."""
    from friendshore.register import entries_by_kind, load_register, newest_day

    return [
        (kind, len(entries), newest_day(entries)) for kind, entries in entries_by_kind(load_register(home))
    ]


def register_overview(settings: Settings) -> Result:
    """How many entries of each kind the register holds, how many are unverified or the user's,
    and the newest day any entry of the kind records."""
    from friendshore.register import entries_by_kind, load_register, newest_day

    rows = [
        {
            "kind": kind,
            "entries": len(entries),
            "unverified": sum(1 for e in entries if not getattr(e, "verified", True)),
            "user": sum(1 for e in entries if _origin(e.origin) != "package"),
            "newest": newest_day(entries),
        }
        for kind, entries in entries_by_kind(load_register(settings.home))
    ]
    names = ("kind", "entries", "unverified", "user", "newest")
    types = (pa.string(), pa.int64(), pa.int64(), pa.int64(), pa.date32())
    table = pa.Table.from_pylist(rows, schema=pa.schema(list(zip(names, types, strict=True))))
    described = (
        Column("kind", "kind", "text", True),
        Column("entries", "entries", "count", True),
        Column("unverified", "unverified", "count", True),
        Column("user", "from your files", "count", True),
        Column("newest", "newest date recorded", "date", True),
    )
    notes = (
        "Memberships are the country groups' member periods ('friendshore groups'), whatever the role.",
        "List one kind with 'friendshore register initiatives|members|investments|measures'; newest: the "
        "latest announcement, launch, start or entry into force (scheduled ends do not count).",
    )
    return Result(
        "register", "The register", table, {}, (), notes, described, sources=_sources(settings.home)
    )


@documented(_FILTERS)
def register_initiatives(
    settings: Settings,
    *,
    country: str | None = None,
    technology: str | None = None,
    active_at: date | None = None,
) -> Result:
    """Initiatives (coalitions, bilateral initiatives, partnerships), optionally those a country
    leads or belongs to, of a technology, or active on a date; with launch dates and sources.

    Parameters
    ----------
    country
    technology
    active_at
    """
    from friendshore.register import initiatives, load_register

    reg = load_register(settings.home)
    found = initiatives(country=country, technology=technology, active_at=active_at, register=reg)
    when = active_at or date.today()
    rows = []
    for item in found:
        group = reg.groups.get(item.group) if item.group else None
        rows.append(
            {
                "id": item.id,
                "name": item.name,
                "kind": item.kind,
                "launched": item.launched,
                "ended": item.ended,
                "lead": _join(item.lead),
                "group": item.group,
                "members": len(group.at(when)) if group is not None else None,
                "parties": _join(item.parties),
                "technologies": _join(item.technologies),
                "succeeded_by": item.succeeded_by,
                "aims": item.aims,
                **_provenance(reg, item),
            }
        )
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("name", pa.string()),
            ("kind", pa.string()),
            ("launched", pa.date32()),
            ("ended", pa.date32()),
            ("lead", pa.string()),
            ("group", pa.string()),
            ("members", pa.int64()),
            ("parties", pa.string()),
            ("technologies", pa.string()),
            ("succeeded_by", pa.string()),
            ("aims", pa.string()),
            *_PROVENANCE_FIELDS,
        ]
    )
    described = (
        Column("id", "id", "code", True),
        Column("name", "initiative", "text", True),
        Column("kind", "kind", "text", True),
        Column("launched", "launched", "date", True),
        Column("ended", "ended", "date", True),
        Column("lead", "lead", "text", True),
        Column("members", f"members on {when.isoformat()}", "count", True),
        Column("verified", "verified", "flag", True),
        Column("group", "group of members", "code"),
        Column("parties", "parties", "text"),
        Column("technologies", "technologies", "text"),
        Column("succeeded_by", "succeeded by", "code"),
        Column("aims", "aims", "text"),
        *_PROVENANCE_COLUMNS,
    )
    parameters = {"country": country, "technology": technology, "active_at": active_at, "members_at": when}
    return Result(
        "register-initiatives",
        "Initiatives" + (f" active on {active_at.isoformat()}" if active_at else ""),
        pa.Table.from_pylist(rows, schema=schema),
        parameters,
        (),
        _unverified_note("initiatives", rows),
        described,
        sources=_sources(settings.home),
    )


@documented(_FILTERS)
def register_members(
    settings: Settings,
    *,
    initiative: str | None = None,
    country: str | None = None,
    technology: str | None = None,
    active_at: date | None = None,
    role: str | None = None,
) -> Result:
    """Membership periods (member, guest, invited) of initiatives and groups, optionally of one
    initiative or group, one country, initiatives of a technology, on a date, or of one role.

    Parameters
    ----------
    initiative
        Initiative id or group name, e.g. pax-silica.
    country
    technology
    active_at
    role
        member, guest or invited (default: every role).
    """
    from friendshore.nomenclature.groups import ROLES, iso3_codes
    from friendshore.register import initiatives, load_register, memberships

    reg = load_register(settings.home)
    roles = ROLES if role is None else (role,)
    found = memberships(initiative=initiative, country=country, at=active_at, roles=roles, register=reg)
    if technology is not None:
        about = {i.group for i in initiatives(technology=technology, register=reg) if i.group}
        found = [m for m in found if m.initiative in about]
    names = iso3_codes()
    rows = [
        {
            "initiative": m.initiative,
            "iso3": m.iso3,
            "country_name": names.get(m.iso3, ""),
            "role": m.role,
            "from": m.start,
            "to": m.end,
            "verified": m.verified,
            "source": m.source.cite(),
            "note": m.note or None,
            "origin": _origin(m.origin),
        }
        for m in found
    ]
    schema = pa.schema(
        [
            ("initiative", pa.string()),
            ("iso3", pa.string()),
            ("country_name", pa.string()),
            ("role", pa.string()),
            ("from", pa.date32()),
            ("to", pa.date32()),
            *_PROVENANCE_FIELDS,
        ]
    )
    described = (
        Column("initiative", "group", "code", True),
        Column("iso3", "ISO3", "code", True),
        Column("country_name", "country", "text", True),
        Column("role", "role", "text", True),
        Column("from", "from", "date", True),
        Column("to", "to", "date", True),
        Column("verified", "verified", "flag", True),
        Column("source", "source", "text", True),
        Column("note", "note", "text"),
        Column("origin", "defined in", "text"),
    )
    title = "Memberships" + (f" of {initiative}" if initiative else "")
    title += f" on {active_at.isoformat()}" if active_at else " (every period)"
    return Result(
        "register-members",
        title,
        pa.Table.from_pylist(rows, schema=schema),
        {
            "initiative": initiative,
            "country": country,
            "technology": technology,
            "active_at": active_at,
            "role": role,
        },
        (),
        _unverified_note("membership periods", rows),
        described,
        sources=("friendshore/nomenclature/data/groups.toml (package data) and your group files",),
    )


@documented(_FILTERS)
def register_investments(
    settings: Settings,
    *,
    country: str | None = None,
    technology: str | None = None,
    status: str | None = None,
    active_at: date | None = None,
) -> Result:
    """Investments (fabs, OSAT/ATMP plants, design centres, mines, refineries ...), optionally in a
    country, of a technology, with a status; with ``active_at``, those announced by then and not
    cancelled, with their status on that day.

    Parameters
    ----------
    country
    technology
    status
        announced, under-construction, operating or cancelled.
    active_at
    """
    from friendshore.register import investments, load_register

    reg = load_register(settings.home)
    found = investments(
        country=country, technology=technology, status=status, active_at=active_at, register=reg
    )
    rows = [
        {
            "id": item.id,
            "company": item.company,
            "country": item.country,
            "site": item.site or None,
            "facility": item.facility,
            "technology": item.technology,
            "status": item.status_at(active_at) if active_at else item.status,
            "announced": item.announced,
            "construction_start": item.construction_start,
            "operation_start": item.operation_start,
            "cancelled": item.cancelled,
            "amount_million": item.amount / 1e6 if item.amount is not None else None,
            "currency": item.currency,
            "amount_musd": item.amount / 1e6 if item.amount is not None and item.currency == "USD" else None,
            "amount_note": item.amount_note or None,
            "capacity_per_year": item.capacity_per_year,
            "capacity_unit": item.capacity_unit,
            "products": _join(item.products),
            "inputs": _join(item.inputs),
            **_provenance(reg, item),
        }
        for item in found
    ]
    schema = pa.schema(
        [
            ("id", pa.string()),
            ("company", pa.string()),
            ("country", pa.string()),
            ("site", pa.string()),
            ("facility", pa.string()),
            ("technology", pa.string()),
            ("status", pa.string()),
            ("announced", pa.date32()),
            ("construction_start", pa.date32()),
            ("operation_start", pa.date32()),
            ("cancelled", pa.date32()),
            ("amount_million", pa.float64()),
            ("currency", pa.string()),
            ("amount_musd", pa.float64()),
            ("amount_note", pa.string()),
            ("capacity_per_year", pa.float64()),
            ("capacity_unit", pa.string()),
            ("products", pa.string()),
            ("inputs", pa.string()),
            *_PROVENANCE_FIELDS,
        ]
    )
    described = (
        Column("id", "id", "code", True),
        Column("company", "company", "text", True),
        Column("country", "country", "code", True),
        Column("facility", "facility", "text", True),
        Column("technology", "technology", "text", True),
        Column("status", f"status on {active_at.isoformat()}" if active_at else "status", "text", True),
        Column("announced", "announced", "date", True),
        Column("operation_start", "operating from", "date", True),
        Column(
            "amount_million",
            "amount (millions of its currency)",
            "number",
            True,
            "millions of the currency column",
        ),
        Column("currency", "currency", "code", True),
        Column(
            "amount_musd", "amount (USD million)", "number", False, "USD million; empty in other currencies"
        ),
        Column("verified", "verified", "flag", True),
        Column("site", "site", "text"),
        Column("construction_start", "construction from", "date"),
        Column("cancelled", "cancelled", "date"),
        Column("amount_note", "amount note", "text"),
        Column("capacity_per_year", "capacity per year", "number", False, "in capacity_unit per year"),
        Column("capacity_unit", "capacity unit", "text"),
        Column("products", "HS6 products", "text"),
        Column("inputs", "ETO inputs", "text"),
        *_PROVENANCE_COLUMNS,
    )
    notes = list(_unverified_note("investments", rows))
    if len(currencies := sorted({str(row["currency"]) for row in rows if row["currency"]})) > 1:
        notes.append(
            f"Amounts are in {', '.join(currencies)}: never add them across currencies (see amount_musd)."
        )
    if active_at is not None:
        undated = [i.id for i in reg.investments.values() if i.first_date() is None]
        if undated:
            notes.append(
                f"Left out for lack of any date (announcement, construction, operation): {', '.join(undated)}."
            )
    return Result(
        "register-investments",
        "Investments" + (f" on {active_at.isoformat()}" if active_at else ""),
        pa.Table.from_pylist(rows, schema=schema),
        {"country": country, "technology": technology, "status": status, "active_at": active_at},
        (),
        tuple(notes),
        described,
        sources=_sources(settings.home),
    )


@documented(_FILTERS)
def register_measures(
    settings: Settings,
    *,
    country: str | None = None,
    technology: str | None = None,
    active_at: date | None = None,
    who: str | None = None,
    on: str | None = None,
    product: str | None = None,
    by: str | None = None,
) -> Result:
    """Export controls, bans and tariffs, optionally imposed by or on a country (``who``/``on``
    for one side), covering a technology or an HS6 product, or in force on a date; with their
    announced, effective and end dates.

    Parameters
    ----------
    country
    technology
    active_at
    who
        Imposed by this country (ISO3).
    on
        Applying to this country (ISO3).
    product
        Covering this HS6 code (HS 2017).
    by
        Deprecated: the old name of --who (kept for one release).
    """
    from friendshore.analyses.context import deprecated_alias
    from friendshore.register import load_register, measures

    who, renamed = deprecated_alias(who, by, new="who", old="by")
    reg = load_register(settings.home)
    found = measures(
        who=who,
        on=on,
        country=country,
        products=[product] if product else None,
        technology=technology,
        effective_at=active_at,
        register=reg,
    )
    rows = [
        {
            "id": item.id,
            "title": item.title,
            "kind": item.kind,
            "who": _join(item.who),
            "on": _join(item.on),
            "exempt": _join(item.exempt),
            "announced": item.announced,
            "effective": item.effective,
            "end": item.end,
            "products": _join(item.products),
            "inputs": _join(item.inputs),
            "technologies": _join(sorted(item.all_technologies())),
            "issuer": item.issuer or None,
            "document_number": item.document_number or None,
            "changes": _join(item.changes),
            "changed_by": _join([m.id for m in reg.measures.values() if item.id in m.changes]),
            "items": item.items or None,
            "legal_reference": item.legal_reference or None,
            "summary": item.summary,
            "products_note": item.products_note or None,
            **_provenance(reg, item),
        }
        for item in found
    ]
    dates, flags = {"announced", "effective", "end"}, {"verified"}
    schema = pa.schema(
        [
            (n, pa.date32() if n in dates else pa.bool_() if n in flags else pa.string())
            for n in _MEASURE_COLUMNS
        ]
    )
    described = (
        Column("id", "id", "code", True),
        Column("who", "by", "text", True),
        Column("on", "on", "text", True),
        Column("kind", "kind", "text", True),
        Column("document_number", "document", "text", True),
        Column("announced", "announced", "date", True),
        Column("effective", "effective", "date", True),
        Column("end", "end", "date", True),
        Column("products", "HS6 products", "text", True),
        Column("verified", "verified", "flag", True),
        Column("title", "measure", "text"),
        Column("issuer", "issued by", "text"),
        Column("changes", "changes measure", "code"),
        Column("changed_by", "status changed by", "code", True),
        Column("items", "controlled items", "text"),
        Column("exempt", "exempt", "text"),
        Column("inputs", "ETO inputs", "text"),
        Column("technologies", "technologies", "text"),
        Column("legal_reference", "legal reference", "text"),
        Column("summary", "summary", "text"),
        Column("products_note", "products mapped how", "text"),
        *_PROVENANCE_COLUMNS,
    )
    return Result(
        "register-measures",
        "Measures" + (f" in force on {active_at.isoformat()}" if active_at else ""),
        pa.Table.from_pylist(rows, schema=schema),
        {
            "country": country,
            "technology": technology,
            "active_at": active_at,
            "who": who,
            "on": on,
            "product": product,
        },
        (),
        (
            *renamed,
            *_unverified_note("measures", rows),
            "A suspension, extension or amendment is an entry of its own (kind); 'status changed by' names "
            "those that change a measure.",
            "HS6 products and ETO inputs are friendshore's mapping of each measure's own terms "
            "(see 'products mapped how'): they usually over-count.",
        ),
        described,
        sources=_sources(settings.home),
    )


def installed_register_file(settings: Settings, *, file: Path) -> Result:
    """Validate a TOML file of register entries against the whole register and install it in the
    warehouse folder (``<home>/register/``); the entries it defines."""
    from friendshore.register import add_register_file

    target, added = add_register_file(file, settings.home)
    rows = [{"kind": kind, "id": entry} for kind, ids in added.items() for entry in ids]
    table = pa.Table.from_pylist(rows, schema=pa.schema([("kind", pa.string()), ("id", pa.string())]))
    summary = "; ".join(f"{kind}: {', '.join(ids)}" for kind, ids in added.items())
    return Result(
        "register-add",
        f"Installed {target}",
        table,
        {"file": str(file), "installed_as": str(target)},
        (),
        (f"installed {target} with {summary}",),
        (Column("kind", "kind", "text", True), Column("id", "id", "code", True)),
    )
