"""Who supplies whom: an importer's suppliers of a set of products, and a product's main world flows.

Both functions take the warehouse ``trade`` table (``year, exporter, importer, hs6, value_kusd``) as
an Ibis expression and return an unordered Ibis expression (sort at the edge).

Definitions (year ``t``, product set ``K``; ``v_cjk`` the value exporter ``c`` sells to importer ``j``):

- ``supplier_shares``: for an importer or group ``G``, each supplier's value ``sum_{j in G, k in K}
  v_cjk`` and its ``share`` of ``G``'s imports of ``K`` (suppliers inside ``G`` are left out, as in
  ``import_dependence``), so the shares sum to 1;
- ``main_flows``: the ``top`` largest exporter -> importer flows of ``K`` (summed over ``K``), each
  with its ``share`` of world trade in ``K`` (all flows of ``K``, not only the ones kept).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from friendshore.errors import UserError
from friendshore.metrics.rules import members_of

__all__ = ["main_flows", "supplier_shares"]


def _products(trade: ir.Table, *, year: int, hs6: Sequence[str]) -> ir.Table:
    codes = sorted(set(hs6))
    if not codes:
        raise UserError("give at least one HS6 code")
    return trade.filter((trade.year == year) & trade.hs6.isin(codes) & (trade.value_kusd > 0))


def supplier_shares(trade: ir.Table, *, importer: Sequence[str], year: int, hs6: Sequence[str]) -> ir.Table:
    """``exporter, value_kusd, share``: who supplies ``importer`` (outside itself) with ``hs6``."""
    members = members_of(importer, "the importer")
    rows = _products(trade, year=year, hs6=hs6)
    rows = rows.filter(rows.importer.isin(members) & ~rows.exporter.isin(members))
    per = rows.group_by("exporter").aggregate(value_kusd=rows.value_kusd.sum())
    return per.mutate(share=per.value_kusd / per.value_kusd.sum().over(ibis.window()))


def main_flows(trade: ir.Table, *, year: int, hs6: Sequence[str], top: int = 12) -> ir.Table:
    """``exporter, importer, value_kusd, share``: the ``top`` largest flows of ``hs6`` in ``year``.

    Ties at the cut are broken by exporter then importer code, so the result is deterministic.
    """
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise UserError(f"top must be a whole number >= 1, got {top!r}")
    rows = _products(trade, year=year, hs6=hs6)
    rows = rows.filter(rows.exporter != rows.importer)
    per = rows.group_by(["exporter", "importer"]).aggregate(value_kusd=rows.value_kusd.sum())
    per = per.mutate(
        share=per.value_kusd / per.value_kusd.sum().over(ibis.window()),
        _rank=ibis.row_number().over(
            ibis.window(order_by=[per.value_kusd.desc(), per.exporter, per.importer])
        ),
    )
    return per.filter(per._rank < top).drop("_rank")
