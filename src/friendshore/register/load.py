"""Load the register: the shipped TOML files, the user's files, and the country groups' members.

Shipped entries are package data (``friendshore/register/data/*.toml``); a user's entries live in
``<home>/register/*.toml`` and are installed with ``add_register_file`` (``friendshore register
add FILE``). Rules checked here, beyond each model's own (``friendshore.register.models``):

* ids are unique per kind within the shipped files, within a file, and across user files;
* a user entry with a shipped entry's id must say ``override = true`` (it then replaces the shipped
  entry); ``override = true`` without a shipped entry of that id is refused (a typo, most likely);
* a source cited by id exists; a group named by an initiative or a measure exists; an initiative's
  ``succeeded_by`` names an initiative;
* memberships are never written in register files: they are the country groups' member periods
  (``groups.toml`` and ``friendshore groups add FILE``), re-exported as ``Membership`` records;
* no chain of ``succeeded_by`` (initiatives) or ``changes`` (measures) runs in a loop; a
  measure's ``changes`` names a measure.

A change (``add_register_file``, and ``friendshore groups add`` through ``check_groups``) is
validated against the whole register as it would be after the change -- so that replacing a file
cannot orphan a source id or a group another file still uses -- while holding ``<home>/.register.lock``
(``fcntl.flock``), and the validated bytes are then installed atomically (a temporary file in the
same folder, flushed to disk, renamed over the target).

Every error is a ``SchemaError`` naming the file, the entry and the field.
"""

from __future__ import annotations

import contextlib
import fcntl
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from friendshore.errors import DataSourceError, SchemaError
from friendshore.nomenclature.citation import Source
from friendshore.nomenclature.groups import Group, iso3_codes, load_groups
from friendshore.nomenclature.tomlfile import (
    install_atomically,
    parse_toml,
    read_text,
    schema_error,
    toml_file,
)
from friendshore.register.models import (
    WORLD,
    Entry,
    Initiative,
    Investment,
    Measure,
    Membership,
    SourceEntry,
)

__all__ = [
    "REGISTER_DATA",
    "Register",
    "RegisterFile",
    "add_register_file",
    "check_groups",
    "load_register",
    "memberships_of",
    "register_lock",
    "user_register_dir",
]

#: Where the shipped register lives in the source tree (for messages that tell the user what to edit).
REGISTER_DATA = "src/friendshore/register/data"
_SCHEMA_HINT = "the schema is described in docs/register.md"
#: TOML table name -> attribute of ``RegisterFile`` and ``Register``.
_TABLES = {
    "source": "sources",
    "initiative": "initiatives",
    "investment": "investments",
    "measure": "measures",
}

AnyEntry = SourceEntry | Initiative | Investment | Measure


class RegisterFile(BaseModel):
    """A TOML file of register entries: ``[[source]]``, ``[[initiative]]``, ``[[investment]]``,
    ``[[measure]]`` tables, in any number and order."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sources: tuple[SourceEntry, ...] = Field(default=(), alias="source")
    initiatives: tuple[Initiative, ...] = Field(default=(), alias="initiative")
    investments: tuple[Investment, ...] = Field(default=(), alias="investment")
    measures: tuple[Measure, ...] = Field(default=(), alias="measure")


Parsed = dict[str, tuple[AnyEntry, ...]]


@dataclass(frozen=True)
class Register:
    """The merged register: entries by kind and id, and the memberships of every group."""

    sources: Mapping[str, SourceEntry]
    initiatives: Mapping[str, Initiative]
    investments: Mapping[str, Investment]
    measures: Mapping[str, Measure]
    memberships: tuple[Membership, ...]
    groups: Mapping[str, Group]

    def cite(self, entry: Entry) -> list[Source]:
        """The sources of ``entry``, ids resolved (the register is checked: every id exists)."""
        return [self.sources[s] if isinstance(s, str) else s for s in entry.sources]

    def citation(self, entry: Entry) -> str:
        """Every source of ``entry`` in one line, separated by ``; ``."""
        return "; ".join(source.cite() for source in self.cite(entry))


def is_shipped(origin: str) -> bool:
    """Whether an entry was read from the package's own data."""
    return origin.startswith(REGISTER_DATA)


def memberships_of(groups: Mapping[str, Group]) -> tuple[Membership, ...]:
    """Every member period of every group, whatever its role, as ``Membership`` records (the
    member's own source, else the group's), by group, ISO3 and start."""
    out = [
        Membership(
            initiative=group.name,
            iso3=m.iso3,
            role=m.role,
            start=m.start,
            end=m.end,
            verified=m.verified,
            note=m.note,
            source=m.source or group.source,
            origin=group.origin,
        )
        for group in groups.values()
        for m in group.members
    ]
    return tuple(sorted(out, key=lambda m: (m.initiative, m.iso3, m.start)))


def _parse(text: str, origin: str) -> Parsed:
    data = parse_toml(text, origin)
    for key in ("membership", "member", "group"):
        if key in data:
            raise SchemaError(
                "memberships are not written in register files: they are kept with the country groups, "
                "so that groups and register cannot disagree",
                file=origin,
                field=key,
                hint="put them in a [[group]] file (format: groups.toml) and run 'friendshore groups add FILE'",
            )
    try:
        parsed = RegisterFile.model_validate(data)
    except ValidationError as exc:
        raise schema_error(exc, data, origin, hint=_SCHEMA_HINT) from None
    out: Parsed = {}
    for kind, attr in _TABLES.items():
        entries: tuple[AnyEntry, ...] = getattr(parsed, attr)
        seen: set[str] = set()
        for entry in entries:
            if entry.id in seen:
                raise SchemaError(
                    f"{kind} '{entry.id}' is defined twice in this file",
                    file=origin,
                    field=f"{kind} {entry.id}",
                )
            seen.add(entry.id)
        out[kind] = tuple(entry.model_copy(update={"origin": origin}) for entry in entries)
    if not any(out.values()):
        raise SchemaError(
            "no [[source]], [[initiative]], [[investment]] or [[measure]] table found",
            file=origin,
            hint=_SCHEMA_HINT,
        )
    return out


@lru_cache(maxsize=1)
def _shipped() -> dict[str, dict[str, AnyEntry]]:
    """The shipped entries by kind and id (``data/*.toml``, read once)."""
    folder = files("friendshore.register").joinpath("data")
    merged: dict[str, dict[str, AnyEntry]] = {kind: {} for kind in _TABLES}
    for item in sorted(folder.iterdir(), key=lambda p: p.name):
        if not item.name.endswith(".toml"):
            continue
        origin = f"{REGISTER_DATA}/{item.name}"
        for kind, entries in _parse(item.read_text("utf-8"), origin).items():
            for entry in entries:
                if entry.override:
                    raise SchemaError(
                        "shipped entries cannot set override", file=origin, field=f"{kind} {entry.id}"
                    )
                if entry.id in merged[kind]:
                    raise SchemaError(
                        f"{kind} '{entry.id}' is also defined in {merged[kind][entry.id].origin}",
                        file=origin,
                        field=f"{kind} {entry.id}",
                    )
                merged[kind][entry.id] = entry
    return merged


def user_register_dir(home: Path) -> Path:
    """Where user register files live: ``<home>/register``."""
    return Path(home) / "register"


def _read_file(path: Path) -> Parsed:
    return _parse(read_text(path), str(path))


def _merge(
    merged: dict[str, dict[str, AnyEntry]], new: Parsed, path: Path, owners: dict[tuple[str, str], Path]
) -> None:
    shipped = _shipped()
    for kind, entries in new.items():
        for entry in entries:
            where = f"{kind} {entry.id}"
            if entry.id in shipped[kind] and not entry.override:
                raise SchemaError(
                    f"{kind} '{entry.id}' has the id of a shipped {kind}",
                    file=path,
                    field=where,
                    hint="choose another id, or set override = true to replace the shipped entry",
                )
            if entry.override and entry.id not in shipped[kind]:
                raise SchemaError(
                    f"override = true, but there is no shipped {kind} '{entry.id}' to replace",
                    file=path,
                    field=f"{where} > override",
                    hint=f"check the id ('friendshore register {kind}s' lists them) or remove override",
                )
            if (kind, entry.id) in owners and owners[(kind, entry.id)] != path:
                raise SchemaError(
                    f"{kind} '{entry.id}' is already defined in {owners[(kind, entry.id)]}",
                    file=path,
                    field=where,
                    hint="rename one of them or remove the other file",
                )
            owners[(kind, entry.id)] = path
            merged[kind][entry.id] = entry


def _check_references(register: Register, only: Iterable[str] | None = None) -> None:
    """Source ids, group names and successors must exist (checked for entries from ``only``
    origins, or all)."""
    origins = set(only) if only is not None else None
    groups = register.groups

    def group_ok(entry: Entry, kind: str, field: str, names: Iterable[str]) -> None:
        for name in names:
            if name == WORLD or name in iso3_codes() or name in groups:
                continue
            raise SchemaError(
                f"'{name}' is neither an ISO3 country code nor a known group "
                f"(known groups: {', '.join(sorted(groups))})",
                file=entry.origin,
                field=f"{kind} {entry.id} > {field}",
                hint="add the group with 'friendshore groups add FILE' first",
            )

    kinds: list[tuple[str, Mapping[str, Entry]]] = [
        ("initiative", register.initiatives),
        ("investment", register.investments),
        ("measure", register.measures),
    ]
    for kind, entries in kinds:
        for entry in entries.values():
            if origins is not None and entry.origin not in origins:
                continue
            for ref in entry.sources:
                if isinstance(ref, str) and ref not in register.sources:
                    raise SchemaError(
                        f"unknown source '{ref}'",
                        file=entry.origin,
                        field=f"{kind} {entry.id} > sources",
                        hint="define it in a [[source]] table with that id, or cite it inline",
                    )
            if isinstance(entry, Initiative):
                if entry.group is not None:
                    group_ok(entry, kind, "group", [entry.group])
                if entry.succeeded_by is not None and entry.succeeded_by not in register.initiatives:
                    raise SchemaError(
                        f"unknown initiative '{entry.succeeded_by}'",
                        file=entry.origin,
                        field=f"{kind} {entry.id} > succeeded_by",
                    )
            if isinstance(entry, Measure):
                group_ok(entry, kind, "who", entry.who)
                group_ok(entry, kind, "on", entry.on)
                group_ok(entry, kind, "exempt", entry.exempt)
                for changed in entry.changes:
                    if changed in register.measures:
                        continue
                    raise SchemaError(
                        f"unknown measure '{changed}'",
                        file=entry.origin,
                        field=f"{kind} {entry.id} > changes",
                        hint="name the id of the measure this entry suspends, extends or amends",
                    )
    _check_chains(register, origins)


def _check_chains(register: Register, origins: set[str] | None) -> None:
    """No ``succeeded_by`` chain of initiatives and no ``changes`` chain of measures loops."""
    chains: list[tuple[str, str, Mapping[str, tuple[str, ...]], Mapping[str, Entry]]] = [
        (
            "initiative",
            "succeeded_by",
            {
                key: (item.succeeded_by,) if item.succeeded_by else ()
                for key, item in register.initiatives.items()
            },
            register.initiatives,
        ),
        (
            "measure",
            "changes",
            {key: item.changes for key, item in register.measures.items()},
            register.measures,
        ),
    ]
    for kind, field, links, entries in chains:
        for start, entry in entries.items():
            if origins is not None and entry.origin not in origins:
                continue
            stack: list[list[str]] = [[start]]
            while stack:
                path = stack.pop()
                for nxt in links.get(path[-1], ()):
                    if nxt in path:
                        raise SchemaError(
                            f"'{field}' runs in a loop: {' -> '.join([*path, nxt])}",
                            file=entry.origin,
                            field=f"{kind} {start} > {field}",
                            hint=f"a {kind} cannot follow itself; break the loop",
                        )
                    stack.append([*path, nxt])


def _build(merged: dict[str, dict[str, AnyEntry]], groups: Mapping[str, Group]) -> Register:
    def typed(kind: str, cls: type[Any]) -> dict[str, Any]:
        return {key: merged[kind][key] for key in sorted(merged[kind]) if isinstance(merged[kind][key], cls)}

    return Register(
        sources=typed("source", SourceEntry),
        initiatives=typed("initiative", Initiative),
        investments=typed("investment", Investment),
        measures=typed("measure", Measure),
        memberships=memberships_of(groups),
        groups=groups,
    )


def _entries(
    home: Path | None, *, but: str | None = None
) -> tuple[dict[str, dict[str, AnyEntry]], dict[tuple[str, str], Path]]:
    """The shipped entries by kind, with those of the user's files in ``<home>/register/*.toml``
    (but the file named ``but``) merged over them in file-name order (``None``: the shipped ones
    only); and which file defines each user entry."""
    merged = {kind: dict(entries) for kind, entries in _shipped().items()}
    owners: dict[tuple[str, str], Path] = {}
    folder = user_register_dir(home) if home is not None else None
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.toml")):
            if path.name != but:
                _merge(merged, _read_file(path), path, owners)
    return merged, owners


def load_register(home: Path | None = None) -> Register:
    """The shipped register plus the user's files in ``<home>/register/*.toml`` (overrides win),
    with the memberships of the built-in and the user's groups."""
    merged, _ = _entries(home)
    register = _build(merged, load_groups(home))
    _check_references(register)
    return register


@contextlib.contextmanager
def register_lock(home: Path) -> Iterator[None]:
    """Hold ``<home>/.register.lock`` (an exclusive ``flock``) while the register or the groups
    change, so that two changes never validate against each other's old state."""
    home = Path(home)
    home.mkdir(parents=True, exist_ok=True)
    with open(home / ".register.lock", "a+b") as handle:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise DataSourceError(f"cannot be read ({exc.strerror})", file=path) from None


def _parse_bytes(data: bytes, path: Path) -> Parsed:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise DataSourceError("is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    return _parse(text, str(path))


def _check_whole(register: Register, changed: str, installed_as: Path) -> None:
    """Check every entry of the register as it would be after a change; an entry of another file
    broken by the change (an orphaned source id, a group gone) is reported with that file."""
    try:
        _check_references(register)
    except SchemaError as exc:
        culprit = exc.file
        if culprit is not None and Path(culprit) != installed_as and str(culprit) != changed:
            reason = str(exc).removeprefix(f"{culprit}: ").removeprefix(f"field '{exc.field}': ")
            reason = reason.removesuffix(f" ({exc.hint})") if exc.hint else reason
            raise SchemaError(
                f"{changed} cannot be installed: {culprit} still uses what it would remove ({reason})",
                file=culprit,
                field=exc.field,
                hint=f"keep it in {Path(changed).name}, or change {culprit} first",
            ) from None
        raise


def check_groups(groups: Mapping[str, Group], home: Path, changed: str) -> None:
    """Check the whole register against ``groups`` (the groups as they would be after a change
    to ``changed``): a group that a measure or an initiative names must still exist. Called by
    ``friendshore groups add`` under ``register_lock``."""
    _check_whole(_build(_entries(home)[0], groups), changed, Path(changed))


def add_register_file(path: Path, home: Path) -> tuple[Path, dict[str, list[str]]]:
    """Validate the register file ``path`` against the whole register as it would be with it and
    install it in ``<home>/register/``; return the copy and the ids it defines, by kind.

    A file of the same name already installed is replaced (that is how entries are edited); the
    replacement is refused when another file still uses what it would remove. The check and the
    install hold ``register_lock``; the bytes checked are the bytes installed.
    """
    path = toml_file(path, what="a register file")
    data = _read_bytes(path)
    new = _parse_bytes(data, path)
    folder = user_register_dir(home)
    target = folder / path.name
    with register_lock(home):
        merged, owners = _entries(home, but=path.name)
        _merge(merged, new, path, owners)
        _check_whole(_build(merged, load_groups(home)), str(path), target)
        install_atomically(data, target)
    return target, {kind: [entry.id for entry in entries] for kind, entries in new.items() if entries}
