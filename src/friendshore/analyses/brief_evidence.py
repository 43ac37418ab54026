"""The evidence of a brief: whose brief it is (the viewpoint and its countries of concern) and the
analyses it calls, as Python functions, each result kept with its call.

``viewpoint(code)`` reads ``nomenclature/data/viewpoints.toml`` (the default concern set per reader,
with why and a source). ``gather(settings, question)`` calls the analyses the brief rests on; an
analysis that refuses the question (any ``FriendshoreError``: data not loaded, nothing asked exists)
becomes a one-line gap, never a guess. ``analyses/brief.py`` then makes the brief's choices.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from friendshore.analyses.result import Column, Result
from friendshore.errors import DataSourceError, FriendshoreError, NotLoadedError, UserError
from friendshore.settings import Settings

__all__ = [
    "DRAWS",
    "PARTNER_DRAWS",
    "Evidence",
    "Fig",
    "Names",
    "Question",
    "Statement",
    "Viewpoint",
    "fig",
    "gather",
    "viewpoint",
    "year_of",
]

#: Monte Carlo draws of the plan's cost parameters (the options' cost intervals).
DRAWS = 20
#: Monte Carlo draws of the partner ranking's weights (the rank intervals).
PARTNER_DRAWS = 200
#: How many of the reader's most exposed products the partner ranking, the shock and the map use.
KEY_PRODUCTS = 1


@dataclass(frozen=True)
class Viewpoint:
    """Whose brief it is and the countries of concern it uses by default, with why and a source."""

    reader: str
    concern: str
    judgement: bool
    why: str
    source: str
    verified: bool

    def to_json(self) -> dict[str, Any]:
        return {
            "for": self.reader,
            "concern": self.concern,
            "judgement": self.judgement,
            "why": self.why,
            "source": self.source,
            "verified": self.verified,
        }


def _citation(source: Mapping[str, Any] | None) -> tuple[str, bool]:
    if not source:
        return "", True
    parts = [str(source.get(k)) for k in ("publisher", "title", "date", "url") if source.get(k)]
    return ", ".join(parts), bool(source.get("verified", False))


@cache
def _viewpoints() -> dict[str, Viewpoint]:
    text = files("friendshore.nomenclature").joinpath("data", "viewpoints.toml").read_text("utf-8")
    out: dict[str, Viewpoint] = {}
    for row in tomllib.loads(text)["viewpoint"]:
        cite, verified = _citation(row.get("source"))
        out[str(row["for"])] = Viewpoint(
            str(row["for"]), str(row["concern"]), bool(row["judgement"]), str(row["why"]), cite, verified
        )
    return out


def viewpoint(reader: str) -> Viewpoint:
    """The viewpoint of ``reader`` (ISO3 or group): its own entry, else the one for any reader."""
    table = _viewpoints()
    found = table.get(reader.strip().upper())
    if found is not None:
        return found
    default = table["*"]
    return Viewpoint(reader.strip().upper(), default.concern, default.judgement, default.why,
                     default.source, default.verified)  # fmt: skip


@dataclass(frozen=True)
class Question:
    """The plain parameters of one brief (``concern=None``: the viewpoint's default)."""

    reader: str
    partner: str | None = None
    coalition: str | None = None
    members_at: date | None = None
    concern: str | None = None
    sector: str | None = None
    year: int | None = None
    plan_example: str | None = "magnets"
    draws: int = DRAWS

    @property
    def view(self) -> Viewpoint:
        return viewpoint(self.reader)

    @property
    def concern_code(self) -> str:
        return self.concern or self.view.concern


@dataclass
class Evidence:
    """Every analysis result the brief rests on, by key, with the call that made it."""

    question: Question
    results: dict[str, Result] = field(default_factory=dict)
    calls: dict[str, tuple[Callable[..., Result], dict[str, Any]]] = field(default_factory=dict)
    gaps: dict[str, str] = field(default_factory=dict)

    def ask(
        self, settings: Settings, key: str, fn: Callable[..., Result], *, strict: bool = False, **kwargs: Any
    ) -> Result | None:
        """Call ``fn(settings, **kwargs)``; a refusal (``FriendshoreError``) is kept as a gap. With
        ``strict`` (a call on the reader's own parameters), a refusal of the question itself (an
        unknown sector, a year out of range, an unknown plan) is raised instead: a brief of gaps
        would hide the typo; data not loaded is still a gap."""
        self.calls[key] = (fn, dict(kwargs))
        try:
            result = fn(settings, **kwargs)
        except FriendshoreError as exc:
            if (
                strict
                and isinstance(exc, UserError)
                and not isinstance(exc, NotLoadedError | DataSourceError)
            ):
                raise
            self.gaps[key] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return None
        self.results[key] = result
        return result

    def get(self, key: str) -> Result | None:
        return self.results.get(key)

    def skip(self, key: str, why: str) -> None:
        self.gaps[key] = why


@dataclass(frozen=True)
class Fig:
    """One number of a sentence and where it comes from."""

    name: str
    value: Any
    unit: str
    result: str
    column: str
    row: Mapping[str, Any]
    table: str | None = None
    year: int | None = None
    basis: str = ""
    #: decimals printed where the source publishes to a fixed precision (the EU's supply risk: 1)
    digits: int | None = None


@dataclass(frozen=True)
class Statement:
    """A sentence: a template with ``{name}`` for each figure."""

    id: str
    kind: str
    template: str
    figs: tuple[Fig, ...] = ()
    score: float = 0.0
    product: str | None = None

    @property
    def main(self) -> Fig | None:
        return self.figs[0] if self.figs else None


class Names:
    """Plain names for people: countries, groups, products."""

    def __init__(self, settings: Settings) -> None:
        self.home = settings.home

    def of(self, code: str | None) -> str:
        from friendshore.nomenclature.labels import label_of

        return label_of(code, home=self.home) if code else ""

    def product(self, hs6: str) -> str:
        """The product inside a sentence: ``silicon metal, under 99.99 % (280469)``."""
        from friendshore.nomenclature.labels import product_in_text

        return product_in_text(hs6)

    def label(self, hs6: str) -> str:
        """The product on its own (a chart's bar, a table cell): ``Silicon metal, under 99.99 % (280469)``."""
        from friendshore.nomenclature.labels import short_label

        return short_label(hs6)

    def concern(self, code: str, members: list[str] | tuple[str, ...]) -> str:
        """``China``; a group: its name and members (``the countries of concern (China, ...)``)."""
        name = self.of(code)
        if list(members) == [code.upper()]:
            return name
        return "the " + name[0].lower() + name[1:] if name.split(" ")[0] in ("Countries", "Members") else name

    def say(self, code: str | None) -> str:
        """The name in a sentence: ``the United States``, ``India``."""
        name = self.of(code)
        if name.startswith(("United ", "Netherlands", "Philippines", "Russian ", "Czech ", "Dominican ")) or (
            name.endswith(("Republic", "Islands", "Emirates"))
        ):
            return "the " + name
        return name

    def owner(self, code: str) -> str:
        """``India's``, ``the United States'``."""
        name = self.say(code)
        return name + ("'" if name.endswith("s") else "'s")


def fig(ev: Evidence, key: str, column: str, row: Mapping[str, Any], *, name: str,
         table: str | None = None, year: int | None = None, basis: str = "", unit: str | None = None,
         digits: int | None = None) -> Fig:  # fmt: skip
    result = ev.results[key]
    data = result.tables[table] if table else result.table
    matches = [r for r in data.to_pylist() if all(r.get(k) == v for k, v in row.items())]
    if len(matches) != 1:
        raise ValueError(f"{key}: {len(matches)} rows match {dict(row)}")
    described = (
        result.column(column) if column in result.table.column_names else Column(column, unit="number")
    )
    value = matches[0][column]
    unit = unit or described.unit
    if isinstance(value, date):
        value, unit = value.isoformat(), "date"
    year = year if year is not None else described.year or year_of(result)
    return Fig(name, value, unit, key, column, dict(row), table, year, basis or described.basis, digits)


def year_of(result: Result) -> int | None:
    year = result.parameters.get("year")
    return year if isinstance(year, int) else None


def reader_shock(ev: Evidence) -> dict[str, Any] | None:
    """The reader's row of the world supply cut (every importer cut off at once), if any."""
    res = ev.get("shock")
    table = res.tables.get("importers") if res is not None else None
    rows = [r for r in table.to_pylist() if r["importer"] == ev.question.reader] if table is not None else []
    return rows[0] if rows else None


def _key_products(dep: Result | None) -> list[str]:
    """The reader's products ranked by value at risk (imports from the concern) x HHI x share from
    the concern (the declared exposure rule of ``analyses/brief.py``)."""
    if dep is None:
        return []
    rows = [r for r in dep.rows() if r["on_share"] and r["import_value_kusd"]]
    rows.sort(key=lambda r: (-exposure_score(r), r["hs6"]))
    return [str(r["hs6"]) for r in rows]


def exposure_score(row: Mapping[str, Any]) -> float:
    """The exposure rule: value at risk (imports from the concern) x concentration (HHI of the
    reader's suppliers) x the share from the concern."""
    value = float(row["import_value_kusd"] or 0.0) * float(row["on_share"] or 0.0)
    return value * float(row["hhi"] or 0.0) * float(row["on_share"] or 0.0)


def gather(settings: Settings, question: Question) -> Evidence:
    """Call the analyses of the brief for ``question``; nothing is looked up by name."""
    from friendshore.analyses.brief_chain import stage_codes, stage_trade
    from friendshore.analyses.brief_plan import reader_plan
    from friendshore.analyses.chips import chips
    from friendshore.analyses.dependencies import chokepoints, dependencies
    from friendshore.analyses.flows import suppliers
    from friendshore.analyses.partners import partners, reshoring
    from friendshore.analyses.register import register_investments, register_measures
    from friendshore.analyses.shocks import restriction
    from friendshore.analyses.supply_risk import supply_risk
    from friendshore.analyses.vocabulary import group_members
    from friendshore.nomenclature.groups import resolve

    q = question
    when = q.members_at or date.today()
    for code in (q.reader, q.partner, q.coalition, q.concern):
        if code is not None:
            if not code.strip():
                raise UserError("an empty code was given: pass an ISO3 code or a group name (e.g. USA, IND)")
            resolve(code, when, home=settings.home)
    ev = Evidence(q)
    concern = q.concern_code
    common: dict[str, Any] = {"year": q.year, "members_at": q.members_at}
    dep = ev.ask(
        settings,
        "exposure",
        dependencies,
        strict=True,
        importer=q.reader,
        concern=concern,
        sector=q.sector,
        **common,
    )
    if q.sector:
        ev.ask(settings, "exposure_by_sector", dependencies, importer=q.reader, concern=concern, sector=q.sector,
               by="technology", **common)  # fmt: skip
    ev.ask(settings, "chokepoints", chokepoints, year=q.year, sector=q.sector)
    ev.ask(settings, "risk", supply_risk, importer=q.reader, **common)
    keys = _key_products(dep)
    if keys:
        key = keys[0]
        ev.ask(settings, "suppliers", suppliers, importer=q.reader, product=key, **common)
        ev.ask(settings, "partners", partners, importer=q.reader, product=key, concern=concern,
               coalition=q.coalition, include=[q.partner] if q.partner else [], top=0,
               draws=PARTNER_DRAWS, **common)  # fmt: skip
        ev.ask(settings, "shock", restriction, exporter=concern, product=key, model="pe", scope="world",
               output="world", **common)  # fmt: skip
    else:
        for k in ("suppliers", "partners", "shock"):
            ev.skip(k, "no product is imported from the countries of concern, so none was chosen")
    reshore_what: dict[str, Any] = {"sector": q.sector} if q.sector else {"product": ",".join(keys[:5])}
    if q.sector or keys:
        ev.ask(settings, "reshoring", reshoring, importer=q.reader, concern=concern, coalition=q.coalition,
               **reshore_what, **common)  # fmt: skip
    if q.coalition:
        ev.ask(settings, "coalition", group_members, name=q.coalition, at=q.members_at)
    chip_result = ev.ask(settings, "chips", chips, country=q.reader if len(q.reader) == 3 else None)
    if len(q.reader) == 3:  # the reader's share of world exports at each stage with goods
        ev.ask(
            settings,
            "chain_trade",
            stage_trade,
            country=q.reader,
            stages=stage_codes(chip_result),
            year=q.year,
        )
    else:
        ev.skip(
            "chain_trade",
            "the shares of world exports along the value chain are read for a country, not a group",
        )
    if q.plan_example and keys:  # the options: the reader's key product, own imports, own concern set
        ev.ask(settings, "plan", reader_plan, strict=True, for_=q.reader, product=keys[0], concern=concern,
               coalition=q.coalition, members_at=q.members_at, year=q.year, example=q.plan_example,
               draws=q.draws, seed=0)  # fmt: skip
    elif q.plan_example:
        ev.skip(
            "plan", "no product is imported from the countries of concern, so there is nothing to plan for"
        )
    ev.ask(settings, "measures", register_measures, on=q.reader, active_at=q.members_at)
    ev.ask(settings, "measures_by", register_measures, who=q.reader, active_at=q.members_at)
    for code in dict.fromkeys(c for c in (q.reader, q.partner) if c):
        ev.ask(settings, f"investments_{code.lower()}", register_investments, country=code,
               active_at=q.members_at)  # fmt: skip
    _monthly_event(settings, ev, dep)
    return ev


#: How many of the concern's measures the brief tries, newest first, for monthly exports around one.
EVENT_TRIES = 5


def _monthly_event(settings: Settings, ev: Evidence, dep: Result | None) -> None:
    """The concern's newest measure on the reader's products (else on any product), at least a year
    old, that the monthly records cover on both sides for the reader (else for any destination): its
    exporter's monthly exports before and after (``event(frequency="month")``), at most
    ``EVENT_TRIES`` tried."""
    from friendshore.analyses.event import event

    measures = ev.get("measures")
    if measures is None or dep is None:
        return
    members = set(dep.parameters["concern"]["members"])
    mine = {str(r["hs6"]) for r in dep.rows() if r["on_share"]}
    rows = [r for r in measures.rows() if r["who"] in members and r.get("products")]
    year_ago = (ev.question.members_at or date.today()).toordinal() - 365

    def when(r: dict[str, Any]) -> int:
        day = r.get("effective") or r.get("announced")
        return day.toordinal() if day else 0

    # on the reader's products first, then with a full year of records after it, then the newest
    rows.sort(key=lambda r: (not (set(str(r["products"]).replace(" ", "").split(",")) & mine),
                             when(r) > year_ago, -when(r)))  # fmt: skip
    kept: tuple[Result, dict[str, Any]] | None = None
    for r in rows[:EVENT_TRIES]:
        found = ev.ask(settings, "event", event, event=r["id"], frequency="month")
        if found is None:
            ev.gaps[f"monthly exports around {r['title']}"] = ev.gaps.pop("event")
            ev.calls.pop("event")
            continue
        if any(x["destination"] == ev.question.reader and x["change_pct"] is not None for x in found.rows()):
            return
        if any(x["change_pct"] is not None for x in found.rows()):
            kept = kept or (found, ev.calls["event"][1])
        else:
            ev.gaps[f"monthly exports around {r['title']}"] = (
                "the monthly records hold no destination on both sides"
            )
        del ev.results["event"], ev.calls["event"]
    if kept is not None:  # none covers the reader on both sides: the first that covers any destination
        ev.results["event"], ev.calls["event"] = kept[0], (event, kept[1])
