"""The register: initiatives, memberships, investments and export-control measures, as sourced data.

Shipped entries are TOML package data (``data/*.toml``); users add their own with
``add_register_file`` (``friendshore register add FILE``). Memberships are the country groups'
member periods (``friendshore.nomenclature.groups``), re-exported: the register sits below
nomenclature in the layers, so the groups cannot read the register, and the register reads them
(docs/register.md).

    from friendshore.register import load_register, measures, members
    members("pax-silica", date(2026, 3, 1))
    measures(on="CHN", effective_between=(date(2022, 1, 1), date(2023, 12, 31)))
"""

from __future__ import annotations

from friendshore.register.load import (
    REGISTER_DATA,
    Register,
    add_register_file,
    is_shipped,
    load_register,
    memberships_of,
    user_register_dir,
)
from friendshore.register.models import (
    FACILITIES,
    KINDS,
    MEASURE_KINDS,
    STATUSES,
    WORLD,
    Initiative,
    Investment,
    Measure,
    Membership,
    SourceEntry,
)
from friendshore.register.query import (
    country_code,
    entries_by_kind,
    initiative_group,
    initiatives,
    investments,
    measure_parties,
    measures,
    members,
    memberships,
    newest_day,
)

__all__ = [
    "FACILITIES",
    "KINDS",
    "MEASURE_KINDS",
    "REGISTER_DATA",
    "STATUSES",
    "WORLD",
    "Initiative",
    "Investment",
    "Measure",
    "Membership",
    "Register",
    "SourceEntry",
    "add_register_file",
    "country_code",
    "entries_by_kind",
    "initiative_group",
    "initiatives",
    "investments",
    "is_shipped",
    "load_register",
    "measure_parties",
    "measures",
    "members",
    "memberships",
    "memberships_of",
    "newest_day",
    "user_register_dir",
]
