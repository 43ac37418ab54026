"""What every analysis does first: open the warehouse, resolve who is asked about, pick the year.

``Context`` wraps one warehouse snapshot (one manifest version), records which tables an analysis
reads, and turns their partitions into ``Provenance``. It also holds the one rule for resolving a
country or group (``who``) and for the default year (``latest_year``), so that no analysis writes
them again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any

from friendshore.analyses.result import Provenance
from friendshore.errors import UserError
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

    from friendshore.warehouse import Snapshot

__all__ = ["Context", "Who", "open_context", "resolve_who"]

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

    def table(self, name: str) -> ibis.Table:
        """A loaded table (recorded for provenance), or a clear error saying how to load it."""
        table = self.snapshot.table(name)
        if name not in self.used:
            self.used.append(name)
        return table

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
        """The years a year-partitioned table holds, from the manifest."""
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
            if not loaded:
                return self.latest_year(table)
            return loaded[-1]
        if isinstance(year, bool) or not isinstance(year, int) or not _MIN_YEAR <= year <= _MAX_YEAR:
            raise UserError(f"year {year!r} is not a calendar year between {_MIN_YEAR} and {_MAX_YEAR}")
        if loaded_only and loaded and year not in loaded:
            shown = ", ".join(map(str, loaded))
            raise UserError(
                f"no {table} loaded for {year} (loaded years: {shown}); load it or pick one of those"
            )
        return year

    def who(self, code: str, *, year: int, members_at: date | None) -> Who:
        return resolve_who(code, year=year, members_at=members_at, settings=self.settings)

    def provenance(self) -> tuple[Provenance, ...]:
        """Every partition of every table read, as ``Provenance``."""
        out = []
        for name in self.used:
            for part in self.snapshot.manifest.partitions(name):
                out.append(
                    Provenance(
                        table=name,
                        source=part.source,
                        release=part.release,
                        partition=dict(part.key),
                        files=tuple(
                            (f"{f.name}:{f.member}" if f.member else f.name, f.sha256) for f in part.files
                        ),
                        loaded_at=part.loaded_at,
                        rows=part.rows,
                    )
                )
        return tuple(out)


def open_context(settings: Settings) -> Context:
    """Open the warehouse for one analysis."""
    from friendshore.warehouse import open_snapshot

    return Context(settings, open_snapshot(settings))
