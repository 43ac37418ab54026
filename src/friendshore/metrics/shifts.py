"""Where an importer's purchases moved between two periods: by supplier and by product.

For an importer ``G`` (one country or a group's members; only imports from outside ``G`` count),
a set of HS6 products ``K`` and two sets of years, ``before`` and ``after``, with ``v_ck(t)`` what
``G`` imports of ``k`` from ``c`` in year ``t``:

| column | definition |
|---|---|
| ``value_before_kusd`` | ``sum_{t in before} v(t) / |before|``: the mean annual value over the years of the period |
| ``value_after_kusd`` | the same over ``after`` |
| ``share_before`` | ``sum_{t in before} v_c(t) / sum_{t in before} sum_c v_c(t)``: the share pooled over the period's years (a value-weighted mean of the yearly shares) |
| ``share_after`` | the same over ``after`` |
| ``d_share`` | ``share_after - share_before`` (a difference of fractions: percentage points when shown as %) |
| ``d_value_kusd`` | ``value_after_kusd - value_before_kusd`` |
| ``value_change_pct`` | ``100 * (value_after_kusd / value_before_kusd - 1)`` (null when nothing was bought before) |

Values are BACI's, in current US dollars (no deflator). A description of what was bought, not a
causal estimate of what any measure did. Unordered Ibis expressions, DuckDB and Spark alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import ibis
import ibis.expr.types as ir

from friendshore.errors import UserError
from friendshore.metrics.rules import members_of

__all__ = ["period_shift", "yearly_shares"]


def _imports(trade: ir.Table, importer: Sequence[str], hs6: Sequence[str], years: Sequence[int]) -> ir.Table:
    members = members_of(importer, "the importer")
    t = trade.filter(
        trade.year.isin(sorted(set(years)))
        & trade.importer.isin(members)
        & ~trade.exporter.isin(members)
        & trade.hs6.isin(sorted(set(hs6)))
        & (trade.value_kusd > 0)
    )
    return t


def period_shift(
    trade: ir.Table,
    *,
    importer: Sequence[str],
    hs6: Sequence[str],
    before: Sequence[int],
    after: Sequence[int],
    by: Literal["supplier", "hs6"] = "supplier",
    of: Sequence[str] = (),
) -> ir.Table:
    """Values and shares of ``G``'s imports of ``hs6`` per supplier (``by="supplier"``) or per
    product (``by="hs6"``: shares of all the products given), before and after (module docstring).

    Returns ``<by>, value_before_kusd, value_after_kusd, share_before, share_after, d_share,
    d_value_kusd, value_change_pct``; with ``of`` (suppliers, e.g. those imposing a measure) also
    ``of_before_kusd, of_after_kusd``: the mean annual value from them.
    """
    b, a = sorted(set(before)), sorted(set(after))
    if not b or not a:
        raise UserError("both periods need at least one year")
    if set(b) & set(a):
        raise UserError(f"a year cannot be both before and after: {sorted(set(b) & set(a))}")
    t = _imports(trade, importer, hs6, [*b, *a])
    key = t.exporter if by == "supplier" else t.hs6
    in_b, in_a = t.year.isin(b), t.year.isin(a)
    extra = {}
    if of:
        mine = t.exporter.isin(sorted(set(of)))
        extra = {"ob": t.value_kusd.sum(where=in_b & mine), "oa": t.value_kusd.sum(where=in_a & mine)}
    per = t.group_by(key.name(by)).aggregate(
        vb=t.value_kusd.sum(where=in_b), va=t.value_kusd.sum(where=in_a), **extra
    )
    totals = t.aggregate(tb=t.value_kusd.sum(where=in_b), ta=t.value_kusd.sum(where=in_a))
    j = per.cross_join(totals)
    vb, va = j.vb.fill_null(0.0), j.va.fill_null(0.0)
    none = ibis.null("float64")
    share_b = ibis.ifelse(j.tb > 0, vb / j.tb, none)
    share_a = ibis.ifelse(j.ta > 0, va / j.ta, none)
    columns = {
        by: j[by],
        "value_before_kusd": vb / len(b),
        "value_after_kusd": va / len(a),
        "share_before": share_b,
        "share_after": share_a,
        "d_share": share_a - share_b,
        "d_value_kusd": va / len(a) - vb / len(b),
        "value_change_pct": ibis.ifelse(vb > 0, 100.0 * ((va / len(a)) / (vb / len(b)) - 1.0), none),
    }
    if of:
        columns["of_before_kusd"] = j.ob.fill_null(0.0) / len(b)
        columns["of_after_kusd"] = j.oa.fill_null(0.0) / len(a)
    return j.select(**columns)


def yearly_shares(
    trade: ir.Table, *, importer: Sequence[str], hs6: Sequence[str], years: Sequence[int]
) -> ir.Table:
    """``year, supplier, value_kusd, share``: each supplier's share of ``G``'s imports of ``hs6``
    (all of them together) in each year."""
    t = _imports(trade, importer, hs6, years)
    per = t.group_by([t.year, t.exporter.name("supplier")]).aggregate(value_kusd=t.value_kusd.sum())
    w = ibis.window(group_by=per.year)
    return per.select("year", "supplier", "value_kusd", share=per.value_kusd / per.value_kusd.sum().over(w))
