"""Rules that more than one method needs, each written once (docs/methods/rules.md).

* **Top supplier.** The supplier (exporter, producer, provider country) with the largest share; an
  exact tie goes to the **later ISO3 code** (``KOR`` before ``JPN``). Every ranking of suppliers
  (import dependence, the all-importers screen, world chokepoints, supply risk's top producer, the
  chip supply chain's top country, the reproductions) orders by ``supplier_order`` or picks with
  ``top_of``, so one product never has two top suppliers.
* **Years asked.** A method's ``year`` is one year, several or ``None`` (every year loaded):
  ``years_of`` turns it into a list and ``in_years`` keeps a table's rows of those years.
* **Members.** A country or group is passed as its ISO3 members; ``members_of`` sorts them and
  refuses an empty set.
* **Indicator years.** Governance (WGI) and alignment (UNGA ideal points) are read for each
  country at **its own latest year up to the analysis year, and no older than
  ``INDICATOR_MAX_LAG`` years** (Taiwan's last ideal point is from 1971: it is missing, not 1971),
  from the latest release loaded. Supply risk and partner scoring both read them through
  ``governance_means`` and ``ideal_points``, so one report never shows two WGI values for a country.

All functions take and return Ibis expressions (``top_of`` works on Python values), so the same
code runs on DuckDB and Spark.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import ibis
import ibis.expr.types as ir

from friendshore.errors import UserError
from friendshore.metrics.parameters import INDICATOR_MAX_LAG

__all__ = [
    "INDICATOR_MAX_LAG",
    "governance_means",
    "ideal_points",
    "in_years",
    "latest_per_country",
    "latest_release",
    "members_of",
    "supplier_order",
    "top_of",
    "years_of",
]


def years_of(year: int | Sequence[int] | None) -> list[int] | None:
    """``year`` as a list of years; ``None`` (every year) stays ``None``."""
    if year is None:
        return None
    return [year] if isinstance(year, int) else list(year)


def members_of(codes: Sequence[str], what: str) -> list[str]:
    """The ISO3 ``codes`` of ``what`` (e.g. "the importer"), sorted and without repeats; a
    ``UserError`` when there are none."""
    members = sorted(set(codes))
    if not members:
        raise UserError(f"{what} has no members: give an ISO3 code or a group with members")
    return members


def in_years(table: ir.Table, year: int | Sequence[int] | None) -> ir.Table:
    """The rows of ``table`` in ``year`` (one year or several; ``None``: every row)."""
    years = years_of(year)
    return table if years is None else table.filter(table.year.isin(years))


def supplier_order(value: ir.Value, supplier: ir.Value) -> list[Any]:
    """Window ordering for ranking suppliers: the largest ``value`` first, a tie to the later code.

    Use as ``ibis.window(group_by=..., order_by=supplier_order(t.v, t.exporter))``; the first row
    (``row_number() == 0``) is the top supplier. Null values come last.
    """
    return [value.isnull(), ibis.desc(value), ibis.desc(supplier)]


def top_of(shares: Mapping[str, float | None]) -> tuple[str, float] | None:
    """The top supplier of ``{code: share}`` by the same rule (``None`` when no share is known)."""
    known = [(code, float(share)) for code, share in shares.items() if share is not None and share == share]
    if not known:
        return None
    return max(known, key=lambda item: (item[1], item[0]))


def latest_release(table: ir.Table, by: Sequence[str] = ()) -> ir.Table:
    """Rows of the latest release (by name) within each ``by`` group (all rows when the table has
    no ``release`` column)."""
    if "release" not in table.columns:
        return table
    keys = list(by)
    latest = (
        table.group_by(keys).aggregate(_latest_release=table.release.max())
        if keys
        else table.aggregate(_latest_release=table.release.max())
    )
    j = table.join(latest, keys) if keys else table.cross_join(latest)
    return j.filter(j.release == j._latest_release).drop("_latest_release")


def latest_per_country(
    table: ir.Table, *, year: int, value: str, max_lag: int | None = INDICATOR_MAX_LAG
) -> ir.Table:
    """Rows of each country's latest year <= ``year`` with a non-null ``value`` (no older than
    ``year - max_lag``; ``None``: any age), from the latest release. Adds ``indicator_year``."""
    t = table.filter((table.year <= year) & table[value].notnull())
    if max_lag is not None:
        t = t.filter(t.year >= year - max_lag)
    t = latest_release(t)
    latest = t.group_by("country").aggregate(indicator_year=t.year.max())
    j = t.join(latest, "country")
    return j.filter(j.year == j.indicator_year)


def governance_means(governance: ir.Table, *, year: int, max_lag: int | None = INDICATOR_MAX_LAG) -> ir.Table:
    """``country, wgi_year, wgi_mean, wgi_n``: the mean of the WGI estimates (VA, PV, GE, RQ, RL, CC)
    of each country's indicator year (``latest_per_country``); ``wgi_n`` counts the indicators."""
    g = latest_per_country(governance, year=year, value="estimate", max_lag=max_lag)
    return (
        g.group_by(["country", "indicator_year"])
        .aggregate(wgi_mean=g.estimate.mean(), wgi_n=g.indicator.nunique())
        .rename(wgi_year="indicator_year")
    )


def ideal_points(alignment: ir.Table, *, year: int, max_lag: int | None = INDICATOR_MAX_LAG) -> ir.Table:
    """``country, un_year, ideal_point``: UNGA ideal points of each country's indicator year."""
    a = latest_per_country(alignment, year=year, value="ideal_point", max_lag=max_lag)
    return (
        a.group_by(["country", "indicator_year"])
        .aggregate(ideal_point=a.ideal_point.mean())
        .rename(un_year="indicator_year")
    )
