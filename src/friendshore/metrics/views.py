"""Ready-made analyses on the warehouse: resolve names, pick the year, call the metric.

This is the one place where the command line and the API turn user words (an ISO3 code or a
group name, a sector slug, a year) into metric calls, so both interfaces stay thin and agree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from friendshore.errors import UnknownCodeError, UserError
from friendshore.metrics.dependence import (
    DEFAULT_THRESHOLDS,
    EcThresholds,
    chokepoint_exposure,
    chokepoints,
    dependence_trends,
    flag_churn,
    import_dependence,
    summarise_by,
)
from friendshore.nomenclature.groups import resolve
from friendshore.nomenclature.taxonomy import Level, sector_codes, select_taxonomy
from friendshore.settings import Settings
from friendshore.warehouse import connect, require_table

__all__ = ["Summary", "Who", "chokepoints_view", "dependencies_view", "latest_year", "resolve_who"]


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


def resolve_who(code: str, *, year: int, members_at: date | None, settings: Settings) -> Who:
    """Resolve an ISO3 code or group name to its members at ``members_at`` (default: the end of
    ``year``, so a coalition is taken as it stood in the analysis year)."""
    as_of = members_at or date(year, 12, 31)
    members = resolve(code, as_of, home=settings.home)
    if not members:
        raise UserError(
            f"'{code}' has no members on {as_of.isoformat()}; pass --members-at DATE to use the "
            "membership of another date (e.g. today's) with this year's trade"
        )
    label = members[0] if members == [code.upper()] else code
    return Who(label, tuple(sorted(members)), as_of)


def latest_year(trade: ir.Table) -> int:
    year = trade.year.max().to_pyarrow().as_py()
    if year is None:
        raise UserError("the trade table is empty: load BACI with 'friendshore ingest baci FILE'")
    return int(year)


def _codes(sector: str | None, stage: str | None) -> list[str] | None:
    if sector is None and stage is None:
        return None
    return sector_codes(sector, stage=stage)


Summary = Level


def dependencies_view(
    settings: Settings,
    *,
    importer: str,
    year: int | None = None,
    all_years: bool = False,
    on: str | None = None,
    sector: str | None = None,
    stage: str | None = None,
    flagged_only: bool = False,
    include_intra: bool = False,
    members_at: date | None = None,
    summary: Summary | None = None,
    churn: bool = False,
    thresholds: EcThresholds = DEFAULT_THRESHOLDS,
) -> tuple[pa.Table, list[Who]]:
    """``import_dependence`` for an ISO3 code or group, materialised as Arrow, with the resolved
    importer (and ``on``) so that interfaces can say which members were used.

    ``all_years`` runs every loaded year and adds the year-on-year changes (``dependence_trends``);
    ``churn`` returns how many flagged products stay flagged a year later (``flag_churn``);
    ``summary`` aggregates the products by technology or stage of the taxonomy (a product in two
    technologies counts in both).
    """
    con = connect(settings)
    trade = require_table(con, "trade")
    last = latest_year(trade)
    year = year or last
    who = resolve_who(importer, year=year, members_at=members_at, settings=settings)
    on_who = resolve_who(on, year=year, members_at=members_at, settings=settings) if on else None
    expr = import_dependence(
        trade,
        importer=who.members,
        label=who.label,
        year=None if (all_years or churn) else year,
        on=on_who.members if on_who else None,
        hs6=_codes(sector, stage),
        include_intra=include_intra,
        thresholds=thresholds,
    )
    resolved = [w for w in (who, on_who) if w is not None]
    if churn:
        return flag_churn(expr).order_by(["importer", "year"]).to_pyarrow(), resolved
    if all_years:
        expr = dependence_trends(expr)
    if flagged_only:
        expr = expr.filter(expr.ec_flag.fill_null(False))
    if summary is not None:
        taxonomy = ibis.memtable(select_taxonomy().select(["hs6", "technology", "stage"]))
        expr = summarise_by(expr, taxonomy, by=[summary])
    keys = [c for c in ("importer", "year", "hs6", summary) if c is not None and c in expr.columns]
    result = expr.order_by(keys).to_pyarrow()
    if result.num_rows == 0 and not flagged_only:
        raise UnknownCodeError(f"no imports by '{importer}' in {year} for the products asked")
    return result, resolved


def chokepoints_view(
    settings: Settings,
    *,
    year: int | None = None,
    sector: str | None = None,
    stage: str | None = None,
    hhi_threshold: float = 0.4,
    exposure: bool = False,
    min_share: float = 0.5,
) -> pa.Table:
    """World chokepoints for a year (default: the latest loaded), materialised as Arrow; with
    ``exposure``, the importers that buy at least ``min_share`` of each from its top exporter."""
    con = connect(settings)
    trade = require_table(con, "trade")
    year = year or latest_year(trade)
    codes = _codes(sector, stage)
    if exposure:
        exposed = chokepoint_exposure(
            trade, year=year, hs6=codes, hhi_threshold=hhi_threshold, min_share=min_share
        )
        order = ["year", "hs6", ibis.desc("import_value_kusd"), "importer"]
        return exposed.order_by(order).to_pyarrow()
    expr = chokepoints(trade, year=year, hs6=codes, hhi_threshold=hhi_threshold)
    return expr.order_by([ibis.desc("world_hhi"), "hs6"]).to_pyarrow()
