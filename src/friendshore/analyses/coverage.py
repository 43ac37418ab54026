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
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from friendshore.analyses.context import Context

__all__ = ["Coverage", "trade_coverage"]


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
