"""What every analysis does first: open the warehouse, resolve who is asked about, pick the year.

``Context`` wraps one warehouse snapshot (one manifest version), records which tables an analysis
reads, and turns their partitions into ``Provenance``. It also holds the one rule for resolving a
country or group (``who``) and for the default year (``latest_year``), so that no analysis writes
them again. ``table("trade")`` is the harmonised trade of ``friendshore.warehouse.harmonise``: HS
2017 codes, one revision and one release per year and product (``release`` picks one release),
and the provenance names the partitions and the HS concordance actually read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from friendshore.analyses.result import Provenance
from friendshore.errors import UserError
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

    from friendshore.warehouse import Snapshot
    from friendshore.warehouse.harmonise import HarmonisedTrade, Need
    from friendshore.warehouse.store import Partition

__all__ = [
    "Context",
    "Who",
    "deprecated_alias",
    "open_context",
    "open_trade",
    "open_world_trade",
    "resolve_who",
]

#: The range of calendar years an analysis accepts (BACI starts in 1995; projections may run ahead).
_MIN_YEAR, _MAX_YEAR = 1900, 2100


@dataclass(frozen=True)
class Who:
    """A country or a group, resolved to its ISO3 members at a date."""

    label: str
    members: tuple[str, ...]
    as_of: date

    @property
    def is_group(self) -> bool:
        return self.members != (self.label,)

    def describe(self) -> str:
        """One line for people: who the group was at the date used."""
        if not self.is_group:
            return self.label
        return f"{self.label} as of {self.as_of.isoformat()}: {', '.join(self.members)}"

    def to_json(self) -> dict[str, Any]:
        return {"label": self.label, "members": list(self.members), "as_of": self.as_of.isoformat()}


def deprecated_alias(
    value: Any, old_value: Any, *, new: str, old: str, default: Any = None
) -> tuple[Any, list[str]]:
    """The value of a renamed parameter: ``new``'s, or ``old``'s (its name before the shared
    vocabulary, kept for one release) with a note saying so. Both given (``new`` not at its
    ``default``) and different: a ``UserError``."""
    if old_value is None:
        return value, []
    if value is not None and value != default and value != old_value:
        raise UserError(f"'{old}' is the old name of '{new}': give one of them, not both")
    from friendshore.console import get_logger

    message = f"'{old}' is deprecated and will be removed after this release: use '{new}'"
    get_logger(__name__).warning(message)
    return old_value, [message]


def resolve_who(code: str, *, year: int, members_at: date | None, settings: Settings) -> Who:
    """Resolve an ISO3 code or group name to its members at ``members_at`` (default: the end of
    ``year``, so a coalition is taken as it stood in the analysis year)."""
    from friendshore.nomenclature.groups import resolve

    as_of = members_at or date(year, 12, 31)
    members = resolve(code, as_of, home=settings.home)
    if not members:
        raise UserError(
            f"'{code}' has no members on {as_of.isoformat()}; pass --members-at DATE to use the "
            "membership of another date (e.g. today's) with this year's trade"
        )
    label = members[0] if members == [code.strip().upper()] else code
    return Who(label, tuple(sorted(members)), as_of)


@dataclass
class Context:
    """One analysis's view of the warehouse: a snapshot plus the tables it has read."""

    settings: Settings
    snapshot: Snapshot
    used: list[str] = field(default_factory=list)
    release: str | None = None
    #: The trade years the analysis reads (``None``: all): set by ``check_year``, widened by
    #: ``read_years``; provenance names only their partitions.
    years_read: set[int] | None = None
    _trade: HarmonisedTrade | None = None

    def table(self, name: str) -> ibis.Table:
        """A loaded table (recorded for provenance), or a clear error saying how to load it.

        ``trade`` is the harmonised trade (``trade_view``)."""
        table = self.trade_view().table if name == "trade" else self.snapshot.table(name)
        if name not in self.used:
            self.used.append(name)
        return table

    def trade_view(self) -> HarmonisedTrade:
        """The harmonised trade table and what it is read from (built once per analysis)."""
        if self._trade is None:
            self._trade = self.snapshot.trade(release=self.release)
        return self._trade

    def read_years(self, years: set[int] | None) -> None:
        """Declare the trade years the analysis reads (``None``: every loaded year)."""
        self.years_read = None if years is None else set(years)

    def known(self, need: Need, members: Sequence[str] = ()) -> Callable[[Any, Any], Any]:
        """``(year, hs6) -> whether the trade read covers need``, for the metrics' ``*_known``."""
        view = self.trade_view()
        return lambda year, hs6: view.known(year, hs6, need, members)

    def coverage_note(self, need: Need, members: Sequence[str] = (), *, lacking: str) -> str | None:
        """A note when the trade read for the years of the analysis does not cover ``need``:
        '``lacking``: ...' naming the partitions and what they hold (``None`` when all do)."""
        gaps = self.trade_view().describe_gaps(need, members, self.years_read)
        return f"{lacking}; the loaded trade holds {gaps}" if gaps else None

    def world_trade(self) -> tuple[ibis.Table, str | None]:
        """Trade of the (year, product)s read from partitions that hold every country (what world
        totals, shares, RCA and capacities need), and a note on what was left out."""
        view = self.trade_view()
        table = self.table("trade")
        note = self.coverage_note(
            "world",
            lacking="products whose loaded trade does not hold every country are left out of the world figures",
        )
        if note is None:
            return table, None
        return table.filter(view.known(table.year, table.hs6, "world")), note

    def trade_notes(self) -> list[str]:
        """What the analysis should say about the trade it read: partitions left out, mappings."""
        if "trade" not in self.used:
            return []
        years = self.years_read
        return [n for n in self.trade_view().notes if years is None or int(n.split(":", 1)[0]) in years]

    def optional(self, name: str) -> ibis.Table | None:
        """A table if it is loaded (recorded for provenance), else ``None``."""
        return self.table(name) if self.snapshot.has(name) else None

    def latest_year(self, table: str = "trade") -> int:
        """The latest year of a loaded table: the default year of every analysis."""
        expr = self.table(table)
        year = expr.year.max().to_pyarrow().as_py()
        if year is None:
            raise UserError(f"the {table} table is empty: load it with 'friendshore ingest'")
        return int(year)

    def loaded_years(self, table: str = "trade") -> list[int]:
        """The years a year-partitioned table holds, from the manifest (trade: the years the
        harmonised trade can read, in the release asked for)."""
        if table == "trade":
            return self.trade_view().years()
        return sorted(
            {int(p.key["year"]) for p in self.snapshot.manifest.partitions(table) if "year" in p.key}
        )

    def check_year(self, year: int | None, table: str = "trade", *, loaded_only: bool = True) -> int:
        """The analysis year: ``year`` if it is loaded, the latest loaded year when ``None``.

        The one rule for the default year of every analysis on trade. ``loaded_only=False`` accepts
        any calendar year (analyses that match each input to its latest year up to ``year``).
        """
        self.table(table)  # not loaded -> a clear error
        loaded = self.loaded_years(table)
        if year is None:
            if not loaded and table == "trade" and self.trade_view().unreadable:
                reasons = "; ".join(f"{y}: {why}" for y, why in sorted(self.trade_view().unreadable.items()))
                raise UserError(f"no loaded trade can be read: {reasons}")
            year = loaded[-1] if loaded else self.latest_year(table)
        elif isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
            raise UserError(f"year {year!r} is not a calendar year between {_MIN_YEAR} and {_MAX_YEAR}")
        elif loaded_only and year not in loaded and table == "trade":
            unreadable = self.trade_view().unreadable
            if year in unreadable:
                raise UserError(f"the trade of {year} cannot be read: {unreadable[year]}")
            shown = ", ".join(map(str, loaded)) or "none"
            release = f" in release {self.release}" if self.release else ""
            raise UserError(
                f"no {table} loaded for {year}{release} (loaded years: {shown}); load it or pick one of those"
            )
        elif loaded_only and loaded and year not in loaded:
            shown = ", ".join(map(str, loaded))
            raise UserError(
                f"no {table} loaded for {year} (loaded years: {shown}); load it or pick one of those"
            )
        if table == "trade":
            self.read_years({year} if loaded_only else {y for y in loaded if y <= year})
        return year

    def who(self, code: str, *, year: int, members_at: date | None) -> Who:
        return resolve_who(code, year=year, members_at=members_at, settings=self.settings)

    def provenance(self) -> tuple[Provenance, ...]:
        """Every partition read, as ``Provenance``: for trade, the partitions of the years read
        (with their coverage and how they were mapped to HS 2017) and the HS concordance used."""
        out = []
        for name in self.used:
            if name == "trade":
                view = self.trade_view()
                for slot in view.slots_of(self.years_read):
                    cover = slot.coverage.describe()
                    out.append(_provenance(name, slot.partition, coverage=cover, use=slot.reading()))
                for part in view.concordances(self.years_read):
                    pair = f"{part.key['from_revision']} <-> {part.key['to_revision']}"
                    out.append(_provenance("hs_concordance", part, use=f"maps trade to HS17 ({pair})"))
                continue
            for part in self.snapshot.manifest.partitions(name):
                out.append(_provenance(name, part))
        return tuple(out)


def _provenance(name: str, part: Partition, *, coverage: str = "complete", use: str = "") -> Provenance:
    return Provenance(
        table=name,
        source=part.source,
        release=part.release,
        partition=dict(part.key),
        files=tuple((f"{f.name}:{f.member}" if f.member else f.name, f.sha256) for f in part.files),
        loaded_at=part.loaded_at,
        rows=part.rows,
        coverage=coverage,
        use=use,
    )


def open_context(settings: Settings, *, release: str | None = None) -> Context:
    """Open the warehouse for one analysis; ``release`` reads trade of that BACI release only."""
    from friendshore.warehouse import open_snapshot

    return Context(settings, open_snapshot(settings), release=release)


def open_trade(
    settings: Settings, year: int | None, *, release: str | None = None
) -> tuple[Context, ibis.Table, int]:
    """Open the warehouse for an analysis of trade: the context, its ``trade`` table and the
    checked year (default: the latest loaded)."""
    ctx = open_context(settings, release=release)
    trade = ctx.table("trade")
    return ctx, trade, ctx.check_year(year)


def open_world_trade(
    settings: Settings, year: int | None, *, release: str | None = None
) -> tuple[Context, int, ibis.Table, str | None]:
    """Open the warehouse for an analysis of world trade: the context, the checked year (default:
    the latest loaded), the trade that holds every country (``Context.world_trade``) and the note
    on what that leaves out."""
    ctx, _, checked = open_trade(settings, year, release=release)
    trade, world_note = ctx.world_trade()
    return ctx, checked, trade, world_note
