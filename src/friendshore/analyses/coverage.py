"""What the loaded trade of a year covers, product by product: the one seam the chip analyses use.

A BACI yearly file is the whole matrix of a year; a file cut from it (China's imports only, the
critical-materials sample) holds a subset. A measure that needs flows the subset lacks (the rest of
the world's exports to third countries, a world total) must be null there, never a number computed
from rows that are not loaded. ``trade_coverage`` says, for the products asked, which of them are
read from a partition that holds every exporter and importer (``world``) and which from one that
holds every supplier's flows to the given importers (``imports``).

How it is known: the manifest records each trade partition's coverage when it is loaded
(``friendshore.warehouse.coverage``, docs/warehouse.md); this is a lookup of the partition each
product is read from.

``flows_loaded`` asks the same question of one country or group in one role (its imports or its
exports) product by product, for every analysis that reports a country: ``complete`` (every flow
of that role is loaded: the country is a reporter of a complete partition), ``partial`` (some are:
it is the partner of a loaded reporter, e.g. India's exports to China in a file of China's imports)
or ``not loaded`` (none are: the product has no partition that holds the country's flows in the
year). Unknown is not zero: an analysis shows a not-loaded product as a row of nulls with the note
``"India's imports of 854231, 854232 in 2024 are not loaded"``, never as 0 and never as "no
imports".
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

if TYPE_CHECKING:
    from friendshore.analyses.context import Context, Who
    from friendshore.warehouse.harmonise import Slot

__all__ = [
    "COMPLETE",
    "NOT_LOADED",
    "PARTIAL",
    "Coverage",
    "FlowsLoaded",
    "LoadStatus",
    "Role",
    "flows_loaded",
    "possessive",
    "trade_coverage",
]

#: Whose flows: a country's imports (it is the importer) or its exports (it is the exporter).
Role = Literal["imports", "exports"]
#: How much of a country's flows of one role, product and year are loaded.
LoadStatus = Literal["complete", "partial", "not loaded"]
COMPLETE: LoadStatus = "complete"
PARTIAL: LoadStatus = "partial"
NOT_LOADED: LoadStatus = "not loaded"


@dataclass(frozen=True)
class Coverage:
    """The products of one year whose flows a measure needs are loaded.

    ``world``: every exporter's flows to every importer; ``imports``: every supplier's flows to
    each of the members asked. ``holds`` says, for each product read from a partial partition, what
    that partition holds (for notes), e.g. ``"BACI HS07 V202601: imports of CHN only"``; ``loaded``
    the products asked that have rows in the year at all (the others are covered by nothing).
    """

    year: int
    world: frozenset[str]
    imports: frozenset[str]
    holds: dict[str, str] = field(default_factory=dict)
    loaded: frozenset[str] = frozenset()  # the codes asked that the year's trade has rows of

    def describe(self, codes: Collection[str]) -> str:
        """What the partitions of ``codes`` hold, once per distinct text; the codes with no rows at
        all are named as not loaded."""
        texts = sorted({self.holds[c] for c in codes if c in self.holds})
        absent = sorted(c for c in codes if c not in self.loaded)
        if absent:
            texts.append(f"no rows of {_names(absent)} in {self.year}")
        return "; ".join(texts)


def _names(codes: Sequence[str]) -> str:
    shown = ", ".join(codes[:8])
    return shown + (f" and {len(codes) - 8} more" if len(codes) > 8 else "")


def trade_coverage(
    ctx: Context, *, year: int, hs6: Collection[str], members: Collection[str] = ()
) -> Coverage:
    """Which of ``hs6`` in ``year`` have the world's flows, and every supplier's flows to each of
    ``members``, loaded: a lookup of the coverage the manifest records for the partition each
    product is read from (``Context.trade_view()``)."""
    trade = ctx.table("trade")
    codes = sorted(set(hs6))
    rows = trade.filter((trade.year == year) & trade.hs6.isin(codes)).select("hs6").distinct().to_pyarrow()
    loaded = frozenset(str(c) for c in rows.column("hs6").to_pylist())
    slots = ctx.trade_view().slots_of({year})
    world: set[str] = set()
    imports: set[str] = set()
    holds: dict[str, str] = {}
    for code in loaded:
        slot = next(
            (s for s in slots if (s.include is None or code in s.include) and code not in s.exclude), None
        )
        if slot is None:
            continue
        if slot.covers("world"):
            world.add(code)
        if slot.covers("imports", members):
            imports.add(code)
        if not slot.covers("world"):
            holds[code] = f"{slot.label}, {year}: {slot.coverage.missing()}"
    return Coverage(year, frozenset(world), frozenset(imports), holds, loaded)


def _upper(text: str) -> str:
    return text[:1].upper() + text[1:]


def possessive(name: str) -> str:
    """``India's``, ``the United States'``."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def _products(codes: Sequence[str]) -> str:
    """Products for a sentence: up to three by their labels, more as a count with their codes."""
    from friendshore.nomenclature.labels import short_label

    if len(codes) <= 3:
        return ", ".join(short_label(c) for c in codes)
    return f"{len(codes)} products ({_names(codes)})"


def _slot_of(slots: Sequence[Slot], code: str) -> Slot | None:
    return next(
        (s for s in slots if (s.include is None or code in s.include) and code not in s.exclude), None
    )


def _member_status(slot: Slot, member: str, role: Role) -> LoadStatus:
    cover = slot.coverage
    if role == "imports":
        if cover.covers_imports_of([member]):
            return COMPLETE
        held = cover.importers is None or member in cover.importers
    else:
        if cover.covers_exports_of([member]):
            return COMPLETE
        held = cover.exporters is None or member in cover.exporters
    return PARTIAL if held else NOT_LOADED


def _combine(statuses: Iterable[LoadStatus]) -> LoadStatus:
    found = set(statuses)
    if found == {COMPLETE}:
        return COMPLETE
    if found <= {NOT_LOADED}:
        return NOT_LOADED
    return PARTIAL


@dataclass(frozen=True)
class FlowsLoaded:
    """Whether ``who``'s imports or exports of each product are loaded, year by year.

    ``status[(year, hs6)]`` is ``complete``, ``partial`` or ``not loaded``; ``holds`` says, for a
    product that is not complete, what its partition holds (``"BACI HS07 V202601, 2024: imports of
    CHN only"``). ``name`` is who, in plain words (``India``).
    """

    name: str
    role: Role
    status: Mapping[tuple[int, str], LoadStatus]
    holds: Mapping[tuple[int, str], str] = field(default_factory=dict)

    def codes(self, *wanted: LoadStatus, year: int | None = None) -> list[str]:
        """The products (of ``year``, or of any year) whose status is one of ``wanted``."""
        return sorted({c for (y, c), s in self.status.items() if s in wanted and (year is None or y == year)})

    def of(self, year: int, hs6: str) -> LoadStatus:
        return self.status.get((year, hs6), NOT_LOADED)

    @property
    def complete(self) -> bool:
        return all(s == COMPLETE for s in self.status.values())

    def notes(self) -> list[str]:
        """One sentence per year and kind of gap: not loaded, then loaded in part (with what is held)."""
        out = []
        for year in sorted({y for y, _ in self.status}):
            missing = self.codes(NOT_LOADED, year=year)
            if missing:
                out.append(
                    f"{_upper(possessive(self.name))} {self.role} of {_products(missing)} in {year} are not loaded"
                )
            partial = self.codes(PARTIAL, year=year)
            if partial:
                held = "; ".join(sorted({self.holds[(year, c)] for c in partial if (year, c) in self.holds}))
                out.append(
                    f"{_upper(possessive(self.name))} {self.role} of {_products(partial)} in {year} are loaded only in part"
                    + (f" ({held})" if held else "")
                )
        return out

    def column(self, years: Sequence[int], hs6: Sequence[str]) -> pa.Array:
        """The status of each (year, hs6) row, as a text column (``coverage``)."""
        return pa.array([self.of(int(y), str(c)) for y, c in zip(years, hs6, strict=True)], pa.string())


def flows_loaded(
    ctx: Context,
    *,
    who: Who | None,
    role: Role,
    years: Collection[int],
    hs6: Collection[str] | None = None,
) -> FlowsLoaded:
    """Whether ``who``'s ``role`` flows of ``hs6`` (default: every product with rows in a year) are
    loaded in each of ``years``: by member, combined (all complete: complete; none: not loaded; else
    partial). ``who=None`` asks about the world: every country's flows (complete), some (partial). A product with no rows at all in a partition that holds a subset of the products is
    not loaded; in a partition of every product, absent rows are a true zero (complete)."""
    from friendshore.nomenclature.labels import label_of

    trade = ctx.table("trade")
    wanted = sorted(years)
    expr = trade.filter(trade.year.isin(wanted))
    if hs6 is not None:
        expr = expr.filter(trade.hs6.isin(sorted(set(hs6))))
    rows = expr.select("year", "hs6").distinct().to_pyarrow().to_pylist()
    present: dict[int, set[str]] = {}
    for row in rows:
        present.setdefault(int(row["year"]), set()).add(str(row["hs6"]))
    status: dict[tuple[int, str], LoadStatus] = {}
    holds: dict[tuple[int, str], str] = {}
    for year in wanted:
        slots = ctx.trade_view().slots_of({year})
        codes = sorted(set(hs6)) if hs6 is not None else sorted(present.get(year, set()))
        for code in codes:
            slot = _slot_of(slots, code)
            if slot is None or (slot.coverage.products is not None and code not in present.get(year, set())):
                status[(year, code)] = NOT_LOADED
                continue
            if who is None:
                status[(year, code)] = COMPLETE if slot.coverage.all_countries else PARTIAL
            else:
                status[(year, code)] = _combine(_member_status(slot, m, role) for m in who.members)
            if status[(year, code)] != COMPLETE:
                holds[(year, code)] = f"{slot.label}, {year}: {slot.coverage.missing()}"
    name = "the world" if who is None else label_of(who.label, home=ctx.settings.home)
    return FlowsLoaded(name, role, status, holds)


def with_coverage(
    table: pa.Table,
    loaded: FlowsLoaded,
    *,
    fixed: Mapping[str, object],
    year: int | None = None,
) -> pa.Table:
    """``table`` (one row per ``year, hs6``, or per ``hs6`` with ``year`` given) with a row of nulls
    for every product that is not completely loaded and has no row, and a ``coverage`` column (the
    status of each row). ``fixed`` fills the columns every row shares (``importer``)."""
    have_year = "year" in table.column_names
    if not have_year and year is None:
        raise ValueError("with_coverage: a table without a year column needs year=")

    def years_of(t: pa.Table) -> list[int]:
        return [int(y) for y in t.column("year").to_pylist()] if have_year else [int(year or 0)] * t.num_rows

    seen = set(zip(years_of(table), map(str, table.column("hs6").to_pylist()), strict=True))
    extra = [key for key, status in sorted(loaded.status.items()) if status != COMPLETE and key not in seen]
    if extra:
        rows = []
        for y, code in extra:
            row: dict[str, object] = {name: None for name in table.column_names}
            row.update({k: v for k, v in fixed.items() if k in row})
            row["hs6"] = code
            if have_year:
                row["year"] = y
            rows.append(row)
        table = pa.concat_tables([table, pa.Table.from_pylist(rows, schema=table.schema)])
    status = loaded.column(years_of(table), table.column("hs6").to_pylist())
    if "coverage" in table.column_names:
        table = table.drop_columns(["coverage"])
    return table.append_column("coverage", status)
