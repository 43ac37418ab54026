"""Country groups with dates: coalitions (G7, EU, OECD, Quad, MSP, Pax Silica, TRUST) and lists.

Built-in groups ship as package data in ``friendshore/nomenclature/data/groups.toml`` (its header
documents the format); users add their own with ``add_group_file`` (``friendshore groups add
FILE``), which validates a TOML file and copies it to ``<home>/groups/``. Every group cites a
source; every member has a ``from`` date, an optional ``to`` date (both inclusive) and a
``verified`` flag, with a note saying what is unconfirmed when it is false.

A user group may not reuse a built-in name unless it sets ``override = true``: that is how a user
edits a built-in default such as ``countries-of-concern``. Two user files may not define the same
group. No group may take a country's ISO3 code as its name (``chn`` would otherwise replace CHN
wherever codes are accepted), and ``resolve`` always reads a country code as the country.

This file is the one store of membership facts. Each member period has a ``role``: ``member``
(the default, and the only role a group's member list counts), ``guest`` or ``invited``. The
register (``friendshore.register``) re-exports every period, whatever its role, as its
``Membership`` records; it holds no membership data of its own, so groups and register cannot
disagree (docs/register.md says why the data lives here: the register sits below nomenclature).

ISO3 codes are checked against ``data/iso3.csv``: the ISO 3166-1 alpha-3 list (249 codes, which
include TWN for Taiwan), generated from the ``pycountry`` package (Debian iso-codes), version
26.2.16.

    members("eu27", date(2019, 12, 31))       # 28 codes: GBR still a member
    resolve("pax-silica", date(2026, 3, 1))   # a group name -> its members on that day
    resolve("ind", date(2026, 3, 1))          # a country code -> ["IND"]
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Callable, Collection, Mapping
from datetime import date
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from friendshore.errors import SchemaError, UnknownCodeError
from friendshore.nomenclature.citation import Source
from friendshore.nomenclature.tomlfile import (
    install_atomically,
    parse_toml,
    read_text,
    schema_error,
    toml_file,
)

__all__ = [
    "GROUPS_PATH",
    "ROLES",
    "Group",
    "GroupFile",
    "Member",
    "Role",
    "Source",
    "add_group_file",
    "builtin_groups",
    "checked_iso3",
    "iso3_codes",
    "load_groups",
    "members",
    "resolve",
    "user_groups_dir",
]

#: Where the built-in groups live in the source tree (for messages that tell the user what to edit).
GROUPS_PATH = "src/friendshore/nomenclature/data/groups.toml"

_NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

#: What a country is to a group: a ``member`` (the only role a group's member list counts), a
#: ``guest`` (takes part without joining) or ``invited`` (asked to join, has not yet).
Role = Literal["member", "guest", "invited"]
ROLES: tuple[str, ...] = ("member", "guest", "invited")


@lru_cache(maxsize=1)
def iso3_codes() -> Mapping[str, str]:
    """ISO 3166-1 alpha-3 code -> short name, from the package data ``data/iso3.csv`` (read-only)."""
    text = files("friendshore.nomenclature").joinpath("data", "iso3.csv").read_text("utf-8")
    return MappingProxyType({row["iso3"]: row["name"] for row in csv.DictReader(io.StringIO(text))})


def checked_iso3(value: str) -> str:
    """``value`` upper-cased if it is an ISO 3166-1 alpha-3 code; a ``ValueError`` (which pydantic
    reports with the field) otherwise."""
    code = value.strip().upper()
    if code not in iso3_codes():
        raise ValueError(f"'{value}' is not an ISO 3166-1 alpha-3 country code")
    return code


class Member(BaseModel):
    """One membership period of one country."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    iso3: str
    role: Role = "member"
    start: date = Field(alias="from")
    end: date | None = Field(default=None, alias="to")
    verified: bool
    note: str = ""
    source: Source | None = None

    @field_validator("iso3")
    @classmethod
    def _known_iso3(cls, value: str) -> str:
        return checked_iso3(value)

    @model_validator(mode="after")
    def _consistent(self) -> Member:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"'to' ({self.end}) is before 'from' ({self.start})")
        if not self.verified and not self.note.strip():
            raise ValueError("verified = false needs a note saying what is not confirmed")
        return self

    def active(self, at: date) -> bool:
        """Whether this period covers ``at`` (both ends inclusive)."""
        return self.start <= at and (self.end is None or at <= self.end)


class Group(BaseModel):
    """A named group of countries with dated memberships and a source."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    name: str
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: Source
    note: str = ""
    override: bool = False
    members: tuple[Member, ...] = Field(default=(), alias="member")
    #: where the group was read from (the package file or a user file); not part of the TOML.
    origin: str = Field(default="", exclude=True)

    @field_validator("name")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _NAME_RE.match(value):
            raise ValueError(
                f"'{value}' is not lower-case-hyphenated (letters, digits and single hyphens, "
                "e.g. 'my-coalition')"
            )
        if value.upper() in iso3_codes():
            raise ValueError(
                f"'{value}' is the ISO3 code of {iso3_codes()[value.upper()]}: a group may never take a "
                "country's code (it would replace the country wherever codes are accepted)"
            )
        return value

    @model_validator(mode="after")
    def _one_role_at_a_time(self) -> Group:
        by_country: dict[str, list[Member]] = {}
        for member in self.members:
            by_country.setdefault(member.iso3, []).append(member)
        for code, periods in by_country.items():
            periods = sorted(periods, key=lambda m: m.start)
            for before, after in itertools.pairwise(periods):
                if before.end is None or after.start <= before.end:
                    raise ValueError(
                        f"member {code}: the periods from {before.start} and from {after.start} overlap "
                        "(end one with 'to' before the next begins)"
                    )
        return self

    def at(self, when: date, roles: Collection[str] = ("member",)) -> list[Member]:
        """The periods with a role in ``roles`` (default: members only) that cover ``when``, sorted
        by ISO3."""
        found = {m.iso3: m for m in self.members if m.role in roles and m.active(when)}
        return [found[code] for code in sorted(found)]

    def periods(self, roles: Collection[str] = ("member",)) -> list[Member]:
        """Every period with a role in ``roles`` (default: members only), by ISO3 then start."""
        return sorted((m for m in self.members if m.role in roles), key=lambda m: (m.iso3, m.start))


class GroupFile(BaseModel):
    """A TOML file of groups: ``[[group]]`` tables with ``[[group.member]]`` sub-tables."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    groups: tuple[Group, ...] = Field(default=(), alias="group")


def _parse(text: str, origin: str) -> tuple[Group, ...]:
    data = parse_toml(text, origin)
    try:
        parsed = GroupFile.model_validate(data)
    except ValidationError as exc:
        raise schema_error(
            exc, data, origin, hint=f"the format is described at the top of {GROUPS_PATH}"
        ) from None
    if not parsed.groups:
        raise SchemaError("no [[group]] table found", file=origin, field="group")
    seen: set[str] = set()
    for group in parsed.groups:
        if group.name in seen:
            raise SchemaError(f"group '{group.name}' is defined twice", file=origin, field="name")
        seen.add(group.name)
    return tuple(group.model_copy(update={"origin": origin}) for group in parsed.groups)


@lru_cache(maxsize=1)
def builtin_groups() -> dict[str, Group]:
    """The groups shipped with friendshore (``data/groups.toml``), by name."""
    text = files("friendshore.nomenclature").joinpath("data", "groups.toml").read_text("utf-8")
    groups = _parse(text, GROUPS_PATH)
    for group in groups:
        if group.override:
            raise SchemaError("built-in groups cannot set override", file=GROUPS_PATH, field="override")
    return {group.name: group.model_copy(update={"origin": "package"}) for group in groups}


def user_groups_dir(home: Path) -> Path:
    """Where user group files live: ``<home>/groups``."""
    return Path(home) / "groups"


def _read_file(path: Path) -> tuple[Group, ...]:
    return _parse(read_text(path), str(path))


def _merge(groups: dict[str, Group], extra: tuple[Group, ...], path: Path, owners: dict[str, Path]) -> None:
    builtins = builtin_groups()
    for group in extra:
        if group.name in builtins and not group.override:
            raise SchemaError(
                f"group '{group.name}' has the name of a built-in group",
                file=path,
                field="name",
                hint="choose another name, or set override = true to replace the built-in group",
            )
        if group.name in owners and owners[group.name] != path:
            raise SchemaError(
                f"group '{group.name}' is already defined in {owners[group.name]}",
                file=path,
                field="name",
                hint="rename one of them or remove the other file",
            )
        owners[group.name] = path
        groups[group.name] = group


def load_groups(home: Path | None = None) -> dict[str, Group]:
    """Built-in groups plus the user's groups in ``<home>/groups/*.toml`` (user overrides win)."""
    groups = dict(builtin_groups())
    if home is None:
        return groups
    folder = user_groups_dir(home)
    if not folder.is_dir():
        return groups
    owners: dict[str, Path] = {}
    for path in sorted(folder.glob("*.toml")):
        _merge(groups, _read_file(path), path, owners)
    return groups


def _unknown_group(name: str, groups: Mapping[str, Group]) -> UnknownCodeError:
    return UnknownCodeError(
        f"unknown group '{name}' (known groups: {', '.join(sorted(groups))}; "
        "add your own with 'friendshore groups add FILE')"
    )


def members(name: str, at: date, home: Path | None = None) -> list[str]:
    """ISO3 codes of group ``name``'s members on ``at``, sorted (joiners absent before, leavers after)."""
    groups = load_groups(home)
    key = name.strip().lower()
    if key not in groups:
        raise _unknown_group(name, groups)
    return [member.iso3 for member in groups[key].at(at)]


def resolve(code_or_group: str, at: date, home: Path | None = None) -> list[str]:
    """A group name -> its members on ``at``; an ISO3 code -> ``[code]`` (upper case).

    Raises ``UnknownCodeError`` naming the known groups when it is neither.
    """
    text = code_or_group.strip()
    if text.upper() in iso3_codes():  # a country code is always the country: no group can take it
        return [text.upper()]
    groups = load_groups(home)
    if text.lower() in groups:
        return [member.iso3 for member in groups[text.lower()].at(at)]
    raise UnknownCodeError(
        f"'{code_or_group}' is neither an ISO3 country code nor a known group "
        f"(known groups: {', '.join(sorted(groups))}; country codes are ISO 3166-1 alpha-3, "
        "e.g. USA, IND, TWN)"
    )


def add_group_file(path: Path, home: Path, check: Callable[[dict[str, Group]], None] | None = None) -> Path:
    """Validate the group file ``path`` and copy it into ``<home>/groups/``; return the copy.

    The file must hold at least one valid group; names must not clash with built-in groups
    (unless ``override = true``) or with groups in the user's other files. A file of the same
    name already in ``<home>/groups/`` is replaced (that is how a group is edited). ``check``,
    when given, is called with every group as it would be after the change, before anything is
    written (the register uses it to refuse removing a group a measure still names).
    """
    path = toml_file(path, what="a group file")
    new = _read_file(path)
    folder = user_groups_dir(home)
    target = folder / path.name
    groups = dict(builtin_groups())
    owners: dict[str, Path] = {}
    if folder.is_dir():
        for other in sorted(folder.glob("*.toml")):
            if other.name != path.name:
                _merge(groups, _read_file(other), other, owners)
    _merge(groups, new, path, owners)
    if check is not None:
        check(groups)
    install_atomically(path.read_bytes(), target)
    return target
