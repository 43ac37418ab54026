"""Trade as every analysis reads it: HS 2017 codes, one revision and one release per year and product.

The warehouse's ``trade`` table keeps every loaded partition (HS revision x release x year) as it
was loaded. Read as it is, two copies of one year (HS 2017 and HS 2022, or two releases) would
count every flow twice. ``harmonise`` is the one place that turns it into what the analyses read
(``Context.table("trade")``):

**Which partitions.** For each year, the loaded partitions (only those of ``release`` when the
user names one) are ranked:

1. a partition that holds every exporter and importer before one cut to some countries (a file of
   China's imports never stands in for the whole world: ``friendshore.warehouse.coverage``);
2. the newest release (by name: ``V202601`` after ``V202501``);
3. HS 2017 before other revisions (no mapping needed), then the newest revision.

In that order, each partition contributes the HS 2017 products that no partition before it holds.
A complete year (a full BACI file) therefore takes the whole year and nothing else of that year is
read; two files of one year with different products (the HS 2017 critical-materials sample and the
HS 2007 China chip imports) are read side by side. So each (year, HS 2017 product) is read from one
revision and one release, and no flow is counted twice. A partition in a revision other than HS
2017 is read only when the UNSD table between that revision and HS 2017 is loaded
(``friendshore ingest hs-concordance``); otherwise it is left out and a note says what to load.

**Mapping.** Rows of another revision get the HS 2017 code of ``nomenclature.hs.hs17_crosswalk``
(one HS 2017 code per source code: value and quantity move whole, so totals are unchanged) and are
summed per (year, exporter, importer, HS 2017 code). A code the table does not name keeps its own
code (counted, never dropped) and the note says how many. In the result ``hs6`` is always an HS
2017 code; ``hs_revision`` and ``release`` name the partition a row was read from.

**Coverage.** ``HarmonisedTrade.known`` says, for each (year, product), whether the partition it
was read from covers a need (world totals, an importer's imports or exports), so that a metric can
return null, never a number computed from rows that are not there.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa
import pyarrow.parquet as pq

from friendshore.errors import UserError
from friendshore.nomenclature.hs import HS_REVISIONS, REFERENCE_REVISION, hs17_crosswalk
from friendshore.warehouse.coverage import TradeCoverage
from friendshore.warehouse.store import Manifest, Partition

if TYPE_CHECKING:
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend

__all__ = ["HarmonisedTrade", "Need", "Slot", "choose_slots", "harmonise", "map_to_hs17"]

Need = Literal["world", "imports", "exports"]

_COLUMNS = ("year", "exporter", "importer", "hs6", "value_kusd", "qty_t", "hs_revision", "release")


@dataclass(frozen=True)
class Slot:
    """One partition as read for one year: the HS 2017 products it gives and how it is mapped."""

    partition: Partition
    coverage: TradeCoverage
    include: frozenset[str] | None  # the HS 2017 products it gives (None: all but ``exclude``)
    exclude: frozenset[str] = frozenset()  # HS 2017 products a preferred partition gives
    concordance: Partition | None = None  # the UNSD table used (None for HS 2017)
    whole: bool = True  # every product it holds is read from it (none taken by a preferred one)

    @property
    def year(self) -> int:
        return int(self.partition.key["year"])

    @property
    def revision(self) -> str:
        return str(self.partition.key["hs_revision"])

    @property
    def release(self) -> str:
        return str(self.partition.key["release"])

    @property
    def label(self) -> str:
        return f"BACI {self.revision} {self.release}"

    def reading(self) -> str:
        """How the slot is read, in words (provenance)."""
        how = (
            "read in HS17 as loaded"
            if self.concordance is None
            else f"mapped {self.revision} -> HS17 (one HS17 code per {self.revision} code, UNSD table)"
        )
        if self.include is not None:
            how += f"; {len(self.include)} HS17 products"
        elif self.exclude:
            how += f"; all products but {len(self.exclude)} read from a preferred partition"
        return how

    def holds(self, year: ir.Value, hs6: ir.Value) -> ir.BooleanValue:
        """Whether a (year, HS 2017 product) is read from this slot."""
        cond = year == self.year
        if self.include is not None:
            cond = cond & hs6.isin(sorted(self.include))
        if self.exclude:
            cond = cond & ~hs6.isin(sorted(self.exclude))
        return cond

    def covers(self, need: Need, members: Collection[str] = ()) -> bool:
        if need == "world":
            return self.coverage.all_countries
        if need == "imports":
            return self.coverage.covers_imports_of(members)
        return self.coverage.covers_exports_of(members)


@dataclass(frozen=True)
class HarmonisedTrade:
    """The harmonised trade table with what it was read from."""

    table: ir.Table
    slots: tuple[Slot, ...]
    release: str | None = None
    notes: tuple[str, ...] = ()
    unreadable: dict[int, str] = field(default_factory=dict)  # year -> why none of it can be read

    def years(self) -> list[int]:
        return sorted({s.year for s in self.slots})

    def slots_of(self, years: Collection[int] | None = None) -> list[Slot]:
        return [s for s in self.slots if years is None or s.year in years]

    def concordances(self, years: Collection[int] | None = None) -> list[Partition]:
        """The UNSD tables used to map the slots of ``years``, once each."""
        out: dict[str, Partition] = {}
        for slot in self.slots_of(years):
            if slot.concordance is not None:
                out[slot.concordance.key_id()] = slot.concordance
        return list(out.values())

    def known(
        self, year: ir.Value, hs6: ir.Value, need: Need, members: Collection[str] = ()
    ) -> ir.BooleanValue:
        """Whether the partition each (year, HS 2017 product) is read from covers ``need``.

        ``world``: every exporter and importer (world totals and shares); ``imports``: every
        supplier's flows to each of ``members``; ``exports``: every flow from each of ``members``.
        """
        import ibis

        flags = [(slot, slot.covers(need, members)) for slot in self.slots]
        if all(flag for _, flag in flags):
            return ibis.literal(True)
        if not any(flag for _, flag in flags):
            return ibis.literal(False)
        return ibis.cases(*[(slot.holds(year, hs6), flag) for slot, flag in flags], else_=False)

    def gaps(
        self, need: Need, members: Collection[str] = (), years: Collection[int] | None = None
    ) -> list[Slot]:
        """The slots of ``years`` that do not cover ``need``."""
        return [s for s in self.slots_of(years) if not s.covers(need, members)]

    def describe_gaps(
        self, need: Need, members: Collection[str] = (), years: Collection[int] | None = None
    ) -> str:
        """'2024 (BACI HS07 V202601: imports of CHN only)' for each slot lacking ``need``."""
        return "; ".join(
            f"{s.year} ({s.label}: {s.coverage.missing()})" for s in self.gaps(need, members, years)
        )


def _revision_rank(revision: str) -> int:
    return HS_REVISIONS.index(revision) if revision in HS_REVISIONS else -1


def _ranked(parts: Sequence[Partition]) -> list[Partition]:
    """A year's partitions in the order of preference of the module docstring."""
    out = sorted(parts, key=lambda p: _revision_rank(str(p.key["hs_revision"])), reverse=True)
    out.sort(key=lambda p: str(p.key["hs_revision"]) != REFERENCE_REVISION)
    out.sort(key=lambda p: str(p.key["release"]).upper(), reverse=True)
    out.sort(key=lambda p: not TradeCoverage.from_json(p.coverage).all_countries)
    return out


def _concordance_for(manifest: Manifest, revision: str) -> Partition | None:
    """The ``hs_concordance`` partition between ``revision`` and HS 2017 (either direction)."""
    for part in manifest.partitions("hs_concordance"):
        pair = {part.key["from_revision"], part.key["to_revision"]}
        if pair == {revision, REFERENCE_REVISION}:
            return part
    return None


def _crosswalk(home: Path, concordance: Partition, revision: str) -> pa.Table:
    return hs17_crosswalk(pq.read_table(home / concordance.file), revision)


def choose_slots(
    manifest: Manifest, home: Path, *, release: str | None = None
) -> tuple[list[Slot], dict[tuple[str, str], pa.Table], list[str], dict[int, str]]:
    """Apply the selection rule of the module docstring to the manifest's trade partitions.

    Returns the slots (by year, in preference order), the crosswalks used (by revision and
    concordance file), notes on partitions left out, and the years none of whose partitions
    can be read (with the reason).
    """
    parts = manifest.partitions("trade")
    if release is not None:
        wanted = release.strip().upper()
        loaded = sorted({str(p.key["release"]) for p in parts})
        parts = [p for p in parts if str(p.key["release"]).upper() == wanted]
        if not parts:
            raise UserError(
                f"release {release} of BACI is not loaded (loaded: {', '.join(loaded) or 'none'}); "
                "load it with 'friendshore ingest baci' or leave --release out for the newest"
            )
    by_year: dict[int, list[Partition]] = {}
    for part in parts:
        by_year.setdefault(int(part.key["year"]), []).append(part)
    slots: list[Slot] = []
    crosswalks: dict[tuple[str, str], pa.Table] = {}
    notes: list[str] = []
    unreadable: dict[int, str] = {}
    for year in sorted(by_year):
        ranked = _ranked(by_year[year])
        taken: set[str] | None = set()
        for part in ranked:
            revision, rel = str(part.key["hs_revision"]), str(part.key["release"])
            label = f"BACI {revision} {rel}"
            if taken is None:
                notes.append(f"{year}: {label} is not read (a preferred partition holds every product)")
                continue
            coverage = TradeCoverage.from_json(part.coverage)
            concordance = None
            mapping: dict[str, str] = {}
            if revision != REFERENCE_REVISION:
                concordance = _concordance_for(manifest, revision)
                if concordance is None:
                    why = (
                        f"{label} is not read: it needs the UNSD table between {revision} and HS17 "
                        f"('friendshore ingest hs-concordance FILE', e.g. the UNSD workbook "
                        f"HS2017to{revision.replace('HS', 'HS20')}ConversionAndCorrelationTables.xlsx)"
                    )
                    notes.append(f"{year}: {why}")
                    unreadable.setdefault(year, why)
                    continue
                key = (revision, concordance.file)
                if key not in crosswalks:
                    crosswalks[key] = _crosswalk(home, concordance, revision)
                walk = crosswalks[key]
                mapping = dict(
                    zip(walk.column("from_hs6").to_pylist(), walk.column("hs6").to_pylist(), strict=True)
                )
                split = dict(
                    zip(
                        walk.column("from_hs6").to_pylist(),
                        walk.column("n_candidates").to_pylist(),
                        strict=True,
                    )
                )
                held = coverage.products if coverage.products is not None else list(split)
                n_split = sum(1 for code in held if split.get(code, 1) > 1)
                unknown = sum(1 for code in held if code not in mapping) if coverage.products else 0
                if n_split or unknown:
                    notes.append(
                        f"{year}: {label} mapped to HS17: {n_split} of its codes are split in HS17 and go "
                        f"whole to one code (the same code, else the lowest)"
                        + (f"; {unknown} codes not in the UNSD table keep their code" if unknown else "")
                    )
            if coverage.products is None:
                slots.append(Slot(part, coverage, None, frozenset(taken), concordance, whole=not taken))
                taken = None
                continue
            products = {mapping.get(code, code) for code in coverage.products}
            new = products - taken
            if not new:
                notes.append(f"{year}: {label} is not read (preferred partitions hold its products)")
                continue
            slots.append(
                Slot(part, coverage, frozenset(new), frozenset(), concordance, whole=new == products)
            )
            taken |= new
        if any(s.year == year for s in slots):
            unreadable.pop(year, None)
    return slots, crosswalks, notes, unreadable


def map_to_hs17(rows: ir.Table, crosswalk: pa.Table) -> ir.Table:
    """Trade rows of one revision with HS 2017 codes: each row's code replaced by its crosswalk code
    (``nomenclature.hs.hs17_crosswalk``; a code the crosswalk does not name keeps its own) and the
    rows summed per (year, exporter, importer, HS 2017 code, release). Values move whole, so every
    total is unchanged; a merged quantity is null unless every row merged has one (a partial sum
    would understate it). Keeps ``hs_revision`` (the source revision)."""
    import ibis

    cw = ibis.memtable(crosswalk.select(["from_hs6", "hs6"]).rename_columns(["from_hs6", "to_hs6"]))
    j = rows.left_join(cw, rows.hs6.cast("string") == cw.from_hs6)
    mapped = j.select(
        "year",
        "exporter",
        "importer",
        "value_kusd",
        "qty_t",
        "hs_revision",
        "release",
        hs6=j.to_hs6.coalesce(j.hs6.cast("string")),
    )
    keys = ["year", "exporter", "importer", "hs6", "hs_revision", "release"]
    return mapped.group_by(keys).aggregate(
        value_kusd=mapped.value_kusd.sum(),
        qty_t=ibis.ifelse(mapped.qty_t.count() == mapped.count(), mapped.qty_t.sum(), ibis.null("float64")),
    )


def harmonise(
    con: BaseBackend, manifest: Manifest, home: Path, *, release: str | None = None, raw: str = "trade"
) -> HarmonisedTrade:
    """The harmonised trade table of a warehouse snapshot (see the module docstring).

    ``con`` is the snapshot's connection, whose view ``raw`` holds the loaded trade partitions.
    """
    import ibis

    slots, crosswalks, notes, unreadable = choose_slots(manifest, Path(home), release=release)
    table = con.table(raw)
    every = len(slots) == len(manifest.partitions("trade"))
    plain = all(s.concordance is None and s.whole for s in slots)
    if every and plain:  # the usual warehouse: one HS 2017 partition per year, nothing to do
        return HarmonisedTrade(table.select(*_COLUMNS), tuple(slots), release, tuple(notes), unreadable)
    schema = table.select(*_COLUMNS).schema()
    parts: list[ir.Table] = []
    # Whole-year slots of one revision and release (and concordance) are read in one filter and
    # mapped in one pass (the mapping sums per year: the same rows as year by year, in a query
    # Ibis compiles in a fraction of the time); the others one by one.
    whole: dict[tuple[str, str, str | None], list[int]] = {}
    for slot in slots:
        if slot.whole:
            concordance = None if slot.concordance is None else slot.concordance.file
            whole.setdefault((slot.revision, slot.release, concordance), []).append(slot.year)
    # HS 2017 first, as loaded; then the mapped revisions
    for (revision, rel, concordance), years in sorted(
        whole.items(), key=lambda kv: (kv[0][2] is not None, kv[0])
    ):
        rows = table.filter((table.hs_revision == revision) & (table.release == rel) & table.year.isin(years))
        if concordance is None:
            parts.append(rows.select(*_COLUMNS))
        else:
            rows = map_to_hs17(rows, crosswalks[(revision, concordance)])
            parts.append(rows.select(*[rows[c].cast(schema[c]) for c in _COLUMNS]))
    for slot in slots:
        if slot.whole:
            continue
        rows = table.filter(
            (table.hs_revision == slot.revision) & (table.release == slot.release) & (table.year == slot.year)
        )
        if slot.concordance is not None:
            rows = map_to_hs17(rows, crosswalks[(slot.revision, slot.concordance.file)])
        # products a preferred partition gives are left out
        rows = rows.filter(slot.holds(rows.year, rows.hs6))
        parts.append(rows.select(*[rows[c].cast(schema[c]) for c in _COLUMNS]))
    if not parts:
        empty = table.filter(ibis.literal(False)).select(*_COLUMNS)
        return HarmonisedTrade(empty, (), release, tuple(notes), unreadable)
    out = parts[0] if len(parts) == 1 else ibis.union(*parts, distinct=False)
    out = _as_view(con, out, raw, release, slots)
    return HarmonisedTrade(out, tuple(slots), release, tuple(notes), unreadable)


def _as_view(
    con: BaseBackend, table: ir.Table, raw: str, release: str | None, slots: Sequence[Slot]
) -> ir.Table:
    """The harmonised rows as a view of the snapshot's connection. Ibis compiles a query over it
    with the view's name instead of the union of every part, which it would otherwise rewrite
    again for every query: dozens of expression nodes a part where years are read in part (two
    releases, files of some countries), hundreds in all on such a warehouse. The engine reads the
    view as the query it names: the same rows and plan."""
    import hashlib

    key = "|".join([raw, release or "", *(f"{s.year} {s.label} {s.whole}" for s in slots)])
    name = f"trade_hs17_{hashlib.sha256(key.encode()).hexdigest()[:16]}"
    return con.create_view(name, table, overwrite=True)
