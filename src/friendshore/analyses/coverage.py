"""What the loaded trade of a year covers, product by product: the one seam the chip analyses use.

A BACI yearly file is the whole matrix of a year; a file cut from it (China's imports only, the
critical-materials sample) holds a subset. A measure that needs flows the subset lacks (the rest of
the world's exports to third countries, a world total) must be null there, never a number computed
from rows that are not loaded. ``trade_coverage`` says, for the products asked, which of them are
read from a partition that holds every exporter and importer (``world``) and which from one that
holds every supplier's flows to the given importers (``imports``).

How it is measured: per trade partition (HS revision, release, year) from the loaded rows, with the
rule of the warehouse coverage work (issue 11): a partition naming fewer than half of the release's
country dictionary as importers (or exporters) holds a subset of them, and the ones it names are
the ones it holds. When the warehouse records coverage in the manifest and ``Context.trade_view()``
exposes it, this function's body becomes a lookup of each product's slot (``slot.covers("world")``,
``slot.covers("imports", members)``); its callers do not change.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from friendshore.analyses.context import Context

__all__ = ["COUNTRY_SUBSET_SHARE", "Coverage", "trade_coverage"]

#: A partition naming fewer than this share of its release's countries as importers (exporters)
#: holds a subset of them (the rule of ``friendshore.warehouse.coverage`` on the numbers branch).
COUNTRY_SUBSET_SHARE = 0.5


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
    ``members``, loaded (module docstring)."""
    trade = ctx.table("trade")
    codes = sorted(set(hs6))
    year_t = trade.filter(trade.year == year)
    where = (
        year_t.filter(year_t.hs6.isin(codes)).select("hs_revision", "release", "hs6").distinct().to_pyarrow()
    )
    slots: dict[tuple[str, str], list[str]] = {}
    for row in where.to_pylist():
        slots.setdefault((str(row["hs_revision"]), str(row["release"])), []).append(str(row["hs6"]))
    world: set[str] = set()
    imports: set[str] = set()
    holds: dict[str, str] = {}
    countries = ctx.optional("countries")
    wanted = set(members)
    for (revision, release), slot_codes in sorted(slots.items()):
        part = year_t.filter((year_t.hs_revision == revision) & (year_t.release == release))
        n_countries = 0
        if countries is not None:
            n_countries = int(countries.filter(countries.release == release).count().to_pyarrow().as_py())
        limit = COUNTRY_SUBSET_SHARE * n_countries
        importers = exporters = None
        if n_countries:
            stats = part.aggregate(i=part.importer.nunique(), e=part.exporter.nunique()).to_pyarrow()
            if stats.column("i")[0].as_py() < limit:
                importers = sorted(part.select("importer").distinct().to_pyarrow().column(0).to_pylist())
            if stats.column("e")[0].as_py() < limit:
                exporters = sorted(part.select("exporter").distinct().to_pyarrow().column(0).to_pylist())
        if importers is None and exporters is None:
            world.update(slot_codes)
        if exporters is None and (importers is None or wanted <= set(importers)):
            imports.update(slot_codes)
        parts = []
        if importers is not None:
            parts.append(f"imports of {_names(importers)} only")
        if exporters is not None:
            parts.append(f"exports of {_names(exporters)} only")
        if parts:
            text = f"BACI {revision} {release}, {year}: {'; '.join(parts)}"
            holds.update(dict.fromkeys(slot_codes, text))
    loaded = frozenset(c for slot_codes in slots.values() for c in slot_codes)
    return Coverage(year, frozenset(world), frozenset(imports), holds, loaded)
