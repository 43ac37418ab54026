"""The register's schema: one pydantic model per kind of entry.

* ``SourceEntry`` -- a citation with an ``id`` that entries cite by that id (``[[source]]``);
* ``Initiative`` -- a coalition, bilateral initiative or partnership (``[[initiative]]``);
* ``Membership`` -- one country's period in an initiative or group, with its role. Memberships are
  not written in register files: they are the member periods of the country groups
  (``friendshore/nomenclature/data/groups.toml`` and user group files), re-exported here;
* ``Investment`` -- a fab, OSAT/ATMP plant, design centre, mine, refinery, magnet plant ...
  (``[[investment]]``);
* ``Measure`` -- an export control, ban or tariff (``[[measure]]``).

Every entry cites at least one source (``sources = ["id", ...]`` naming ``[[source]]`` entries,
or inline tables ``{ publisher = ..., title = ..., date = ... }``); an entry that is not
confirmed sets ``verified = false`` and says in ``note`` what is not. The rules each model
enforces are listed in docs/register.md; the checks that need the whole register (source ids,
group names, duplicate ids) are in ``friendshore.register.load``.
"""

from __future__ import annotations

import itertools
import re
from datetime import date, timedelta
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
    model_validator,
)

from friendshore.nomenclature.citation import Source
from friendshore.nomenclature.groups import Role, checked_iso3, iso3_codes
from friendshore.nomenclature.taxonomy import SECTORS, TAXONOMY_PATH, load_taxonomy

__all__ = [
    "FACILITIES",
    "KINDS",
    "MEASURE_KINDS",
    "STATUSES",
    "STATUS_CHANGES",
    "WORLD",
    "Entry",
    "Facility",
    "Initiative",
    "Investment",
    "Measure",
    "MeasureKind",
    "Membership",
    "SourceEntry",
    "Status",
    "clean_text",
    "plausible_day",
    "taxonomy_hs6",
]

Facility = Literal[
    "fab",
    "osat",
    "design",
    "r-and-d",
    "mine",
    "refinery",
    "smelter",
    "magnet-plant",
    "cell-plant",
    "recycling",
    "other",
]
FACILITIES: tuple[str, ...] = Facility.__args__  # type: ignore[attr-defined]
Status = Literal["announced", "under-construction", "operating", "cancelled"]
STATUSES: tuple[str, ...] = Status.__args__  # type: ignore[attr-defined]
MeasureKind = Literal[
    "export-control",
    "export-ban",
    "import-tariff",
    "import-ban",
    "investment-restriction",
    "entity-listing",
    "suspension",
    "extension",
    "amendment",
    "other",
]
MEASURE_KINDS: tuple[str, ...] = MeasureKind.__args__  # type: ignore[attr-defined]
#: Kinds of measure that change the status of an earlier one (named in ``changes``).
STATUS_CHANGES: tuple[str, ...] = ("suspension", "extension", "amendment")
InitiativeKind = Literal["coalition", "bilateral", "partnership", "forum"]
#: The kinds of entry, in the order the register lists them.
KINDS: tuple[str, ...] = ("source", "initiative", "membership", "investment", "measure")
#: In a measure's ``on``: every destination (less ``exempt`` and the measure's own ``who``).
WORLD = "world"

_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_ETO_RE = re.compile(r"^N\d+$")
_CURRENCY_RE = re.compile(r"^[A-Z]{3}$")
#: Characters refused in any text: C0 controls but tab and newline, DEL, C1 controls (terminal
#: escape sequences start with them), and Unicode bidirectional overrides.
_CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
#: The earliest year a register date may have.
FIRST_YEAR = 1900
#: How many years after today a register date may lie (planned operation starts, scheduled ends).
YEARS_AHEAD = 5


def plausible_day(value: date) -> date:
    """``value`` when its year is between 1900 and today's year + 5; ``ValueError`` otherwise."""
    last = date.today().year + YEARS_AHEAD
    if not FIRST_YEAR <= value.year <= last:
        raise ValueError(f"{value.isoformat()} is not a plausible date (years {FIRST_YEAR} to {last})")
    return value


def clean_text(value: object) -> object:
    """Refuse control characters (NUL, escape sequences ...) in a text or a list of texts."""
    texts = value if isinstance(value, list | tuple) else [value]
    for text in texts:
        if isinstance(text, str) and (found := _CONTROL_RE.search(text)):
            raise ValueError(
                f"contains the control character U+{ord(found.group()):04X}: write plain text "
                "(tabs and newlines are allowed)"
            )
    return value


def _source_date(value: str) -> str:
    """A source's date (``YYYY-MM-DD``, ``YYYY-MM``, ``YYYY`` or ``n.d.``) must be a real day,
    month or year in the plausible range."""
    if value == "n.d.":
        return value
    parts = [int(p) for p in value.split("-")]
    try:
        day = date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        raise ValueError(f"'{value}' is not a calendar date") from None
    plausible_day(day)
    return value


def _number(value: object) -> object:
    """An amount or capacity must be a number: ``true`` is not 1."""
    if isinstance(value, bool) or (value is not None and not isinstance(value, int | float)):
        raise ValueError(f"{value!r} is not a number (write e.g. 825e6 or 825_000_000)")
    return value


@lru_cache(maxsize=1)
def taxonomy_hs6() -> dict[str, frozenset[str]]:
    """HS 2017 code -> the technologies the taxonomy gives it (every row, primary or not)."""
    table = load_taxonomy()
    out: dict[str, set[str]] = {}
    for code, tech in zip(
        table.column("hs6").to_pylist(), table.column("technology").to_pylist(), strict=True
    ):
        out.setdefault(str(code), set()).add(str(tech))
    return {code: frozenset(techs) for code, techs in out.items()}


def _technologies(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if value not in SECTORS:
            raise ValueError(f"unknown technology '{value}' (known: {', '.join(SECTORS)})")
    return values


def _hs6(values: object) -> tuple[str, ...]:
    """Checked before type coercion, so that a code written as a number is caught: ``081110``
    would lose its leading zero."""
    if not isinstance(values, list | tuple):
        raise ValueError('give a list of HS6 codes, e.g. ["848620"]')
    known = taxonomy_hs6()
    out = []
    for value in values:
        if not isinstance(value, str):
            raise ValueError(
                f'HS6 code {value!r} must be written as a string ("{value}"): leading zeros count'
            )
        code = str(value).strip()
        if not re.fullmatch(r"\d{6}", code):
            raise ValueError(f"'{value}' is not a 6-digit HS code (write it as a string: \"081110\")")
        if code not in known:
            raise ValueError(
                f"HS6 '{code}' is not in friendshore's HS 2017 taxonomy ({TAXONOMY_PATH}); "
                "use an HS 2017 code listed there, or add the code to the taxonomy first"
            )
        out.append(code)
    return tuple(out)


def _eto(values: tuple[str, ...]) -> tuple[str, ...]:
    for value in values:
        if not _ETO_RE.match(value):
            raise ValueError(f"'{value}' is not an ETO input id (N followed by digits, e.g. N22)")
    return values


# The checked fields several kinds of entry hold, each validated in one place.
_HS6Codes = Annotated[tuple[str, ...], BeforeValidator(_hs6)]
_EtoInputs = Annotated[tuple[str, ...], AfterValidator(_eto)]
_Technologies = Annotated[tuple[str, ...], AfterValidator(_technologies)]


def _who(values: tuple[str, ...], *, world: bool) -> tuple[str, ...]:
    """ISO3 codes (upper-cased), group names (checked against the groups when the register is
    built) and, where ``world``, the word ``world``."""
    out = []
    for value in values:
        text = value.strip()
        if text.upper() in iso3_codes():
            out.append(text.upper())
        elif text.lower() == WORLD:
            if not world:
                raise ValueError("'world' may only stand in 'on' (the targets)")
            out.append(WORLD)
        elif _ID_RE.match(text):
            out.append(text)
        else:
            allowed = "an ISO3 code, a group name or 'world'" if world else "an ISO3 code or a group name"
            raise ValueError(f"'{value}' is not {allowed}")
    return tuple(out)


class SourceEntry(Source):
    """A citation other entries cite by ``id`` (a ``[[source]]`` table)."""

    id: str
    override: bool = False
    #: where the entry was read from (the package file or a user file); not part of the TOML.
    origin: str = Field(default="", exclude=True)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(f"'{value}' is not lower-case-hyphenated (e.g. 'bis-2022-10-ifr')")
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        return clean_text(value)

    @field_validator("date")
    @classmethod
    def _real_date(cls, value: str) -> str:
        return _source_date(value)


class Entry(BaseModel):
    """What every initiative, investment and measure has: an id, sources, a verified flag."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str
    sources: tuple[Source | str, ...] = ()
    verified: bool
    note: str = ""
    override: bool = False
    #: where the entry was read from (the package file or a user file); not part of the TOML.
    origin: str = Field(default="", exclude=True)

    @field_validator("id")
    @classmethod
    def _slug(cls, value: str) -> str:
        if not _ID_RE.match(value):
            raise ValueError(
                f"'{value}' is not lower-case-hyphenated (letters, digits and single hyphens, "
                "e.g. 'micron-sanand-atmp')"
            )
        return value

    @field_validator("*", mode="before")
    @classmethod
    def _plain(cls, value: object) -> object:
        if isinstance(value, list | tuple):
            for item in value:
                if isinstance(item, dict):  # an inline source
                    for text in item.values():
                        clean_text(text)
        return clean_text(value)

    @field_validator("*", mode="after")
    @classmethod
    def _plausible_dates(cls, value: object) -> object:
        if isinstance(value, date):
            return plausible_day(value)
        if isinstance(value, tuple):
            for item in value:
                if isinstance(item, Source):
                    _source_date(item.date)
        return value

    @model_validator(mode="after")
    def _sourced(self) -> Entry:
        if not self.sources:
            raise ValueError(
                'no source: every fact needs at least one (sources = ["id"] naming a [[source]], '
                "or an inline { publisher = ..., title = ..., date = ... })"
            )
        if not self.verified and not self.note.strip():
            raise ValueError("verified = false needs a note saying what is not confirmed")
        return self


class Initiative(Entry):
    """A coalition, bilateral initiative or partnership. Its members are the member periods of
    ``group`` (a country group's name), never listed here."""

    name: str = Field(min_length=1)
    kind: InitiativeKind
    aims: str = Field(min_length=1)
    launched: date | None = None
    ended: date | None = None
    lead: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    group: str | None = None
    succeeded_by: str | None = None
    technologies: _Technologies = ()

    @field_validator("lead")
    @classmethod
    def _lead(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(checked_iso3(code) for code in value)

    @model_validator(mode="after")
    def _dates(self) -> Initiative:
        if self.launched and self.ended and self.ended < self.launched:
            raise ValueError(f"'ended' ({self.ended}) is before 'launched' ({self.launched})")
        return self

    def active(self, at: date) -> bool:
        """Launched on or before ``at`` and not ended before it (unknown launch: not active)."""
        return self.launched is not None and self.launched <= at and (self.ended is None or at <= self.ended)


class Membership(BaseModel):
    """One country's period in a group or initiative (read from the country groups)."""

    model_config = ConfigDict(frozen=True)

    initiative: str
    iso3: str
    role: Role
    start: date
    end: date | None
    verified: bool
    note: str
    source: Source
    origin: str

    def active(self, at: date) -> bool:
        """Whether the period covers ``at`` (both ends inclusive)."""
        return self.start <= at and (self.end is None or at <= self.end)


class Investment(Entry):
    """A facility announced, under construction, operating or cancelled."""

    company: str = Field(min_length=1)
    country: str
    site: str = ""
    facility: Facility
    technology: str
    products: _HS6Codes = ()
    inputs: _EtoInputs = ()
    announced: date | None = None
    construction_start: date | None = None
    operation_start: date | None = None
    cancelled: date | None = None
    status: Status
    amount: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    currency: str | None = None
    amount_note: str = ""
    capacity_per_year: float | None = Field(default=None, gt=0, allow_inf_nan=False)
    capacity_unit: str | None = None

    @field_validator("amount", "capacity_per_year", mode="before")
    @classmethod
    def _numbers(cls, value: object) -> object:
        return _number(value)

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        return checked_iso3(value)

    @field_validator("technology")
    @classmethod
    def _technology(cls, value: str) -> str:
        return _technologies((value,))[0]

    @model_validator(mode="after")
    def _consistent(self) -> Investment:
        if (self.amount is None) != (self.currency is None):
            raise ValueError(
                "give 'amount' and 'currency' together (e.g. amount = 825e6, currency = \"USD\")"
            )
        if self.currency is not None and not _CURRENCY_RE.match(self.currency):
            raise ValueError(f"currency '{self.currency}' is not an ISO 4217 code such as USD, EUR, INR")
        if self.capacity_per_year is not None and not (self.capacity_unit or "").strip():
            raise ValueError('capacity_per_year has no unit: set capacity_unit (e.g. "t", "wafers", "chips")')
        if self.capacity_unit is not None and self.capacity_per_year is None:
            raise ValueError("capacity_unit is set but capacity_per_year is not")
        steps = [
            ("announced", self.announced),
            ("construction_start", self.construction_start),
            ("operation_start", self.operation_start),
        ]
        known = [(name, day) for name, day in steps if day is not None]
        for (a, day_a), (b, day_b) in itertools.pairwise(known):
            if day_b < day_a:
                raise ValueError(f"'{b}' ({day_b}) is before '{a}' ({day_a})")
        if self.cancelled is not None:
            if known and self.cancelled < known[0][1]:
                raise ValueError(f"'cancelled' ({self.cancelled}) is before '{known[0][0]}' ({known[0][1]})")
            if self.status != "cancelled":
                raise ValueError("'cancelled' is set, so status must be \"cancelled\"")
        return self

    def first_date(self) -> date | None:
        """The earliest date known: announcement, start of construction or of operation."""
        days = [d for d in (self.announced, self.construction_start, self.operation_start) if d]
        return min(days) if days else None

    def status_at(self, at: date) -> Status | None:
        """The status on ``at`` from the dates (``None`` before the first date or when none is known)."""
        first = self.first_date()
        if first is None or at < first:
            return None
        if self.cancelled is not None and self.cancelled <= at:
            return "cancelled"
        if self.operation_start is not None and self.operation_start <= at:
            return "operating"
        if self.construction_start is not None and self.construction_start <= at:
            return "under-construction"
        return "announced"


class Measure(Entry):
    """An export control, ban or tariff: who imposes it on whom, on which products, from when."""

    title: str = Field(min_length=1)
    kind: MeasureKind
    who: tuple[str, ...] = Field(min_length=1)
    on: tuple[str, ...] = Field(min_length=1)
    exempt: tuple[str, ...] = ()
    products: _HS6Codes = ()
    inputs: _EtoInputs = ()
    technologies: _Technologies = ()
    products_note: str = ""
    #: the controlled items in the measure's own words (ECCNs, named goods, technologies).
    items: str = ""
    #: the body that issued the instrument, e.g. "PRC Ministry of Commerce and General
    #: Administration of Customs", "US Department of Commerce, Bureau of Industry and Security".
    issuer: str = ""
    #: the instrument's own number, e.g. "MOFCOM/GACC Announcement No. 23 of 2023",
    #: "Federal Register document 2022-21658".
    document_number: str = ""
    #: for a suspension, extension or amendment: the ids of the measures whose status it changes.
    changes: tuple[str, ...] = ()
    announced: date | None = None
    effective: date
    end: date | None = None
    legal_reference: str = ""
    summary: str = Field(min_length=1)

    @field_validator("who", "exempt")
    @classmethod
    def _parties(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _who(value, world=False)

    @field_validator("on")
    @classmethod
    def _targets(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return _who(value, world=True)

    @model_validator(mode="after")
    def _consistent(self) -> Measure:
        # a measure withdrawn or suspended before it took effect ends the day before 'effective'
        if self.end is not None and self.end < self.effective - timedelta(days=1):
            raise ValueError(
                f"'end' ({self.end}) is before 'effective' ({self.effective}); a measure that never "
                "took effect ends the day before it"
            )
        if not self.products and not self.inputs and not self.items.strip():
            raise ValueError(
                "name what it covers: products (HS6 codes), inputs (ETO input ids) and/or items (in words)"
            )
        countries = iso3_codes()
        acting_on_itself = sorted(set(self.who) & set(self.on) & set(countries))
        if acting_on_itself:
            raise ValueError(
                f"{', '.join(acting_on_itself)} is both in 'who' and in 'on': a country does not "
                "impose a measure on itself ('world' already leaves the imposers out)"
            )
        both = sorted(set(self.on) & set(self.exempt))
        if both:
            raise ValueError(f"{', '.join(both)} is both in 'on' and in 'exempt': name it in one of them")
        if (self.kind in STATUS_CHANGES) != bool(self.changes):
            raise ValueError(
                f"a {' / '.join(STATUS_CHANGES)} names the measures it changes in 'changes', "
                "and only these kinds do"
            )
        if self.id in self.changes:
            raise ValueError("'changes' names the measure itself")
        return self

    def in_force(self, at: date) -> bool:
        """Effective on or before ``at`` and not ended before it (``end`` is the last day)."""
        return self.effective <= at and (self.end is None or at <= self.end)

    def all_technologies(self) -> frozenset[str]:
        """The technologies named, plus those the taxonomy gives its HS6 products."""
        known = taxonomy_hs6()
        found = set(self.technologies)
        for code in self.products:
            found |= known.get(code, frozenset())
        return frozenset(found)
