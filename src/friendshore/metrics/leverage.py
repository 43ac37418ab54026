"""Leverage, the mirror of dependence: how much of what a target imports a holder group supplies,
and how little of it the rest of the world's current third-country exports could replace.

``leverage = max(V - X, 0) / M`` (holders' supply ``V``, the others' third-country exports ``X``,
the target's imports ``M``); per holder, its unilateral leverage. Columns, sources and what the score
does not capture: docs/methods/leverage.md. Columns built on ``X`` are null where the loaded trade
does not hold every exporter's flows (``world_known``). Unordered Ibis, DuckDB and Spark alike.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from friendshore.errors import UserError
from friendshore.metrics.rules import members_of

__all__ = ["holder_leverage", "leverage"]


def _parties(target: Sequence[str], holders: Sequence[str]) -> tuple[list[str], list[str]]:
    t, h = members_of(target, "the target"), members_of(holders, "the holder group")
    both = sorted(set(t) & set(h))
    if both:
        raise UserError(f"{', '.join(both)} cannot be both the target and a holder")
    return t, h


def _known(world_known: bool | Sequence[str], hs6: ir.StringValue) -> ir.BooleanValue:
    if isinstance(world_known, bool):
        return ibis.literal(world_known)
    codes = sorted(set(world_known))
    return hs6.isin(codes) if codes else ibis.literal(False)


def _year(trade: ir.Table, year: int, hs6: Sequence[str] | None) -> ir.Table:
    t = trade.filter((trade.year == year) & (trade.value_kusd > 0))
    if hs6 is not None:
        t = t.filter(t.hs6.isin(sorted(set(hs6))))
    return t


def _supplies(
    trade: ir.Table, target: Sequence[str], holders: Sequence[str], year: int, hs6: Sequence[str] | None
) -> tuple[list[str], list[str], ir.Table, ir.Table]:
    """The target's and holders' members, the year's trade and ``hs6, exporter, v``: the target's
    imports of each product from each exporter outside it."""
    t_members, h_members = _parties(target, holders)
    t = _year(trade, year, hs6)
    imports = t.filter(t.importer.isin(t_members) & ~t.exporter.isin(t_members))
    per = imports.group_by(["hs6", "exporter"]).aggregate(v=imports.value_kusd.sum())
    return t_members, h_members, t, per


def leverage(
    trade: ir.Table,
    *,
    target: Sequence[str],
    holders: Sequence[str],
    year: int,
    hs6: Sequence[str] | None = None,
    world_known: bool | Sequence[str] = True,
) -> ir.Table:
    """Leverage of ``holders`` over ``target`` per product ``target`` imports in ``year``.

    Returns ``year, hs6, import_value_kusd, holder_value_kusd, holder_share, n_holders,
    top_holder, top_holder_share, holder_hhi, others_third_kusd, replace_cover,
    replaceable_share, leverage`` (definitions in the module docstring); one row per product with
    imports from outside ``target``. ``world_known``: ``True``, ``False`` or the HS6 codes for
    which every exporter's flows to every destination are loaded.
    """
    t_members, h_members, t, per = _supplies(trade, target, holders, year, hs6)
    is_h = per.exporter.isin(h_members)
    # max over (value, exporter) among the holders: deterministic, ties to the later ISO3 code
    top = ibis.struct({"value": per.v, "exporter": per.exporter}).max(where=is_h)
    agg = per.group_by("hs6").aggregate(
        m=per.v.sum(),
        hv=per.v.sum(where=is_h),
        hv2=(per.v * per.v).sum(where=is_h),
        n_holders=per.count(where=is_h),
        top=top,
    )
    third = t.filter(~t.importer.isin(t_members) & ~t.exporter.isin(t_members) & ~t.exporter.isin(h_members))
    x = third.group_by("hs6").aggregate(x=third.value_kusd.sum())
    j = agg.left_join(x, agg.hs6 == x.hs6)
    v = j.hv.fill_null(0.0)
    none = ibis.null("float64")
    # least/greatest skip nulls on some engines: an unknown X is handled before them
    known = _known(world_known, j.hs6)
    x_all = j.x.fill_null(0.0)
    xr = ibis.ifelse(known, x_all, none)
    has_v = v > 0
    replaceable = ibis.ifelse(has_v & known, ibis.least(x_all, v) / v, none)
    lev = ibis.ifelse(has_v, ibis.ifelse(known, ibis.greatest(v - x_all, 0.0) / j.m, none), 0.0)
    return j.select(
        year=ibis.literal(year).cast("int16"),
        hs6=j.hs6,
        import_value_kusd=j.m,
        holder_value_kusd=v,
        holder_share=v / j.m,
        n_holders=j.n_holders,
        top_holder=ibis.ifelse(has_v, j.top["exporter"], ibis.null("string")),
        top_holder_share=ibis.ifelse(has_v, j.top["value"] / j.m, 0.0),
        holder_hhi=ibis.ifelse(has_v, j.hv2 / (v * v), none),
        others_third_kusd=xr,
        replace_cover=ibis.ifelse(has_v, xr / v, none),
        replaceable_share=replaceable,
        leverage=lev,
    )


def holder_leverage(
    trade: ir.Table,
    *,
    target: Sequence[str],
    holders: Sequence[str],
    year: int,
    hs6: Sequence[str] | None = None,
    world_known: bool | Sequence[str] = True,
) -> ir.Table:
    """Each holder's position per product: ``year, hs6, holder, value_kusd, share,
    share_in_group, rank, third_kusd, unilateral_leverage`` (module docstring), one row per
    member of ``holders`` that supplies ``target``. ``rank`` orders the holders of a product by
    value (1 = largest; ties to the later ISO3 code)."""
    t_members, h_members, t, per = _supplies(trade, target, holders, year, hs6)
    totals = per.group_by("hs6").aggregate(m=per.v.sum(), hv=per.v.sum(where=per.exporter.isin(h_members)))
    outside = t.filter(~t.importer.isin(t_members) & ~t.exporter.isin(t_members))
    world = outside.group_by("hs6").aggregate(w=outside.value_kusd.sum())
    own = outside.filter(outside.exporter.isin(h_members))
    own = own.group_by(["hs6", "exporter"]).aggregate(xh=own.value_kusd.sum())
    mine = per.filter(per.exporter.isin(h_members))
    j = mine.join(totals, "hs6").left_join(world, "hs6")
    j = j.select(j.hs6, j.exporter, j.v, j.m, j.hv, j.w)
    k = j.left_join(own, [j.hs6 == own.hs6, j.exporter == own.exporter])
    known = _known(world_known, k.hs6)
    none = ibis.null("float64")
    x_all = ibis.greatest(k.w.fill_null(0.0) - k.xh.fill_null(0.0), 0.0)
    x_minus = ibis.ifelse(known, x_all, none)
    w = ibis.window(group_by=k.hs6, order_by=[ibis.desc(k.v), ibis.desc(k.exporter)])
    return k.select(
        year=ibis.literal(year).cast("int16"),
        hs6=k.hs6,
        holder=k.exporter,
        value_kusd=k.v,
        share=k.v / k.m,
        share_in_group=k.v / k.hv,
        rank=ibis.row_number().over(w) + 1,
        third_kusd=x_minus,
        unilateral_leverage=ibis.ifelse(known, ibis.greatest(k.v - x_all, 0.0) / k.m, none),
    )
