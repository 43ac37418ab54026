"""Dated measures (export controls) with their sources: the package file ``data/events.toml``.

The event view (``friendshore event --event ID``) takes its dates from here and never from code.
A stop-gap until the register (issue 14) lands: the ids are the register's measure ids, and the
event view reads measures through one function (``friendshore.analyses.event.dated_measures``) that
will read the register instead.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from functools import lru_cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from friendshore.errors import SchemaError, UnknownCodeError
from friendshore.nomenclature.groups import Source, iso3_codes

__all__ = ["EVENTS_PATH", "WORLD", "Event", "event", "load_events", "parse_events"]

#: Where the events live in the source tree (for messages).
EVENTS_PATH = "src/friendshore/nomenclature/data/events.toml"
#: ``on = ["world"]``: a country-neutral measure.
WORLD = "world"

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HS6_RE = re.compile(r"^\d{6}$")


def _countries(values: tuple[str, ...], *, world: bool) -> tuple[str, ...]:
    out = []
    for value in values:
        code = value.strip()
        if world and code == WORLD:
            out.append(code)
            continue
        code = code.upper()
        if code not in iso3_codes():
            raise ValueError(
                f"'{value}' is not an ISO 3166-1 alpha-3 country code" + (" or 'world'" if world else "")
            )
        out.append(code)
    return tuple(out)


class Event(BaseModel):
    """One dated measure: who imposed it on whom, on which products, from when, per which sources."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str
    title: str = Field(min_length=1)
    date: dt.date
    announced: dt.date | None = None
    who: tuple[str, ...] = Field(min_length=1)
    on: tuple[str, ...] = Field(min_length=1)
    products: tuple[str, ...] = Field(min_length=1)
    products_note: str = ""
    verified: bool
    note: str = ""
    sources: tuple[Source, ...] = Field(min_length=1, alias="source")

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"'{value}' is not lower-case-hyphenated (e.g. 'us-bis-2022-10')")
        return value

    @field_validator("who")
    @classmethod
    def _who(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _countries(value, world=False)

    @field_validator("on")
    @classmethod
    def _on(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _countries(value, world=True)

    @field_validator("products")
    @classmethod
    def _hs6(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        bad = [c for c in value if not _HS6_RE.match(c)]
        if bad:
            raise ValueError(f"not HS6 codes (6 digits, as text): {', '.join(bad)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Event:
        if self.announced is not None and self.announced > self.date:
            raise ValueError(f"'announced' ({self.announced}) is after 'date' ({self.date})")
        if not self.verified and not self.note.strip():
            raise ValueError("verified = false needs a note saying what is not confirmed")
        return self

    def cite(self) -> str:
        """The sources, one citation each, separated by '; '."""
        return "; ".join(s.cite() for s in self.sources)


class _EventFile(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    events: tuple[Event, ...] = Field(default=(), alias="event")


def _where(loc: tuple[Any, ...], data: dict[str, Any]) -> str:
    parts: list[str] = []
    node: Any = data
    for key in loc:
        if isinstance(key, int) and isinstance(node, list):
            node = node[key] if key < len(node) else {}
            label = node.get("id") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]} {label}" if isinstance(label, str) else f"{parts[-1]} #{key + 1}"
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, dict) else None
    return " > ".join(parts) or "file"


def parse_events(text: str, origin: str) -> tuple[Event, ...]:
    """The events of a TOML text; a ``SchemaError`` naming the event and field that are wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SchemaError(f"not valid TOML: {exc}", file=origin) from None
    try:
        parsed = _EventFile.model_validate(data)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SchemaError(
            message,
            file=origin,
            field=_where(tuple(error["loc"]), data),
            hint=f"the format is at the top of {EVENTS_PATH}",
        ) from None
    seen: set[str] = set()
    for item in parsed.events:
        if item.id in seen:
            raise SchemaError(f"event '{item.id}' is defined twice", file=origin, field="id")
        seen.add(item.id)
    return parsed.events


@lru_cache(maxsize=1)
def load_events() -> tuple[Event, ...]:
    """The events shipped with friendshore, in file order."""
    text = files("friendshore.nomenclature").joinpath("data", "events.toml").read_text("utf-8")
    return parse_events(text, EVENTS_PATH)


def event(event_id: str) -> Event:
    """One shipped event by id; an ``UnknownCodeError`` listing the known ids otherwise."""
    for item in load_events():
        if item.id == event_id:
            return item
    known = ", ".join(e.id for e in load_events())
    raise UnknownCodeError(f"unknown event '{event_id}' (known: {known})")
