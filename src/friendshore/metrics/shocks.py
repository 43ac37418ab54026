"""First-order, product-level export restrictions: value at risk per importer, what other suppliers
could fill from their current exports to third countries, what stays unmet, and the extra demand
each alternative supplier faces (every filled dollar is someone's extra demand); and the world's
gap when the restriction hits every importer at once (``restriction_world``,
``restriction_world_totals``: importers compete for the same capacity).

A partial-equilibrium bound, not a forecast: equations and caveats in docs/methods/shocks.md
(general equilibrium with input-output links: ``friendshore.models.multisector``). Runs for every
product and restricting exporter in one grouped pass; Ibis in, Ibis out (DuckDB and Spark).
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir

from friendshore.errors import UserError
from friendshore.metrics.parameters import require_fraction
from friendshore.metrics.rules import in_years, members_of

__all__ = [
    "restriction_exposure",
    "restriction_suppliers",
    "restriction_world",
    "restriction_world_totals",
]

_KEYS = ["year", "hs6"]


def _prepare(
    trade: ir.Table, *, year: int | Sequence[int] | None, hs6: Sequence[str] | None, share: float
) -> ir.Table:
    require_fraction(share, "the restricted share of exports")
    trade = in_years(trade, year)
    if hs6 is not None:
        codes = list(hs6)
        if not codes:
            raise UserError("no products selected for the restriction")
        trade = trade.filter(trade.hs6.isin(codes))
    trade = trade.filter((trade.value_kusd > 0) & (trade.exporter != trade.importer))
    return trade.select("year", "hs6", "exporter", "importer", "value_kusd")


def _totals(trade: ir.Table) -> tuple[ir.Table, ir.Table, ir.Table]:
    world = trade.group_by(_KEYS).aggregate(world_kusd=trade.value_kusd.sum())
    exports = trade.group_by([*_KEYS, "exporter"]).aggregate(exports_kusd=trade.value_kusd.sum())
    imports = trade.group_by([*_KEYS, "importer"]).aggregate(import_value_kusd=trade.value_kusd.sum())
    return world, exports, imports


def _members(exporters: Sequence[str] | None, label: str | None) -> tuple[list[str] | None, str | None]:
    if exporters is None:
        return None, None
    if isinstance(exporters, str):
        raise UserError(f"give the restricting exporters as a list, not the string {exporters!r}")
    members = members_of(exporters, "the restricting exporter")
    return members, label or members[0]


def _restricted(flows: ir.Table, members: list[str]) -> ir.Table:
    """Per (year, hs6, importer outside ``members``): ``restricted_kusd``, what ``members`` sell it."""
    own = flows.filter(flows.exporter.isin(members) & ~flows.importer.isin(members))
    return own.group_by([*_KEYS, "importer"]).aggregate(restricted_kusd=own.value_kusd.sum())


def _outside(t: ir.Table, members: list[str] | None) -> ir.Table:
    """The rows of ``t`` whose ``exporter`` is outside the restricting unit (``members``, or with
    ``None`` the row's own ``restricting`` exporter)."""
    return t.filter(t.exporter != t.restricting) if members is None else t.filter(~t.exporter.isin(members))


def _with_shares(out: ir.Table) -> ir.Table:
    """``out`` with ``at_risk_share`` and ``unmet_share``: shares of the importer's imports of the product."""
    return out.mutate(
        at_risk_share=out.value_at_risk_kusd / out.import_value_kusd,
        unmet_share=out.unmet_kusd / out.import_value_kusd,
    )


def _exposure(trade: ir.Table, members: list[str] | None, name: str | None, share: float) -> ir.Table:
    """Per (year, hs6, restricting, importer): at risk, capacity, filled, unmet, and ``q = f / K``."""
    world, exports, imports = _totals(trade)
    if members is None:
        hit = trade.select(
            "year",
            "hs6",
            restricting=trade.exporter,
            importer=trade.importer,
            restricted_kusd=trade.value_kusd,
        )
        restricting_exports = exports.select(
            "year", "hs6", restricting=exports.exporter, restricting_kusd=exports.exports_kusd
        )
    else:
        hit = _restricted(trade, members).mutate(restricting=ibis.literal(name))
        group = exports.filter(exports.exporter.isin(members))
        restricting_exports = group.group_by(_KEYS).aggregate(restricting_kusd=group.exports_kusd.sum())
        restricting_exports = restricting_exports.mutate(restricting=ibis.literal(name))
    own_exports = exports.select(
        "year", "hs6", importer=exports.exporter, importer_exports_kusd=exports.exports_kusd
    )
    j = (
        hit.join(world, _KEYS)
        .join(restricting_exports, [*_KEYS, "restricting"])
        .join(imports, [*_KEYS, "importer"])
        .join(own_exports, [*_KEYS, "importer"], how="left")
    )
    at_risk = j.restricted_kusd * share
    capacity = (
        j.world_kusd
        - j.restricting_kusd
        - j.importer_exports_kusd.fill_null(0.0)
        - (j.import_value_kusd - j.restricted_kusd)
    )
    capacity = ibis.greatest(capacity, 0.0)
    filled = ibis.least(at_risk, capacity)
    out = j.select(
        "year",
        "hs6",
        "restricting",
        "importer",
        import_value_kusd=j.import_value_kusd,
        restricted_kusd=j.restricted_kusd,
        value_at_risk_kusd=at_risk,
        capacity_kusd=capacity,
        filled_kusd=filled,
    )
    out = out.mutate(
        unmet_kusd=out.value_at_risk_kusd - out.filled_kusd,
        q=ibis.ifelse(out.capacity_kusd > 0, out.filled_kusd / out.capacity_kusd, 0.0),
    )
    return out


def restriction_exposure(
    trade: ir.Table,
    *,
    exporters: Sequence[str] | None = None,
    label: str | None = None,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    share: float = 1.0,
) -> ir.Table:
    """Importers' exposure to a restriction (see the module docstring).

    ``exporters=None``: every exporter restricts alone, for every product (one grouped pass).
    ``exporters=[...]``: those countries restrict jointly, as one unit named ``label``.
    Returns ``year, hs6, restricting, importer, import_value_kusd, value_at_risk_kusd,
    capacity_kusd, filled_kusd, unmet_kusd, at_risk_share, unmet_share`` (shares of the
    importer's imports of the product).
    """
    members, name = _members(exporters, label)
    out = _exposure(_prepare(trade, year=year, hs6=hs6, share=share), members, name, share)
    return _with_shares(
        out.select(
            "year",
            "hs6",
            "restricting",
            "importer",
            "import_value_kusd",
            "value_at_risk_kusd",
            "capacity_kusd",
            "filled_kusd",
            "unmet_kusd",
        )
    )


def restriction_suppliers(
    trade: ir.Table,
    *,
    exporters: Sequence[str] | None = None,
    label: str | None = None,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    share: float = 1.0,
) -> ir.Table:
    """The extra demand each alternative supplier faces (see the module docstring).

    Returns ``year, hs6, restricting, supplier, exports_kusd, extra_demand_kusd,
    extra_demand_share`` (extra demand over the supplier's current exports of the product), for
    suppliers outside the restricting unit with exports of the product.
    """
    members, name = _members(exporters, label)
    flows = _prepare(trade, year=year, hs6=hs6, share=share)
    exposure = _exposure(flows, members, name, share)
    hit = exposure.filter(exposure.q > 0).select("year", "hs6", "restricting", "importer", "q")
    total_q = hit.group_by([*_KEYS, "restricting"]).aggregate(total_q=hit.q.sum())
    # suppliers: every exporter outside the restricting unit
    _, exports, _ = _totals(flows)
    suppliers = exports.join(total_q, _KEYS)
    suppliers = _outside(suppliers, members)
    # sum_m q_m v_cm over the importers each supplier already sells to
    j = flows.join(hit, [*_KEYS, "importer"])
    j = _outside(j, members)
    overlap = j.group_by([*_KEYS, "restricting", "exporter"]).aggregate(qv=(j.q * j.value_kusd).sum())
    own_q = hit.select("year", "hs6", "restricting", exporter=hit.importer, own_q=hit.q)
    out = suppliers.join(overlap, [*_KEYS, "restricting", "exporter"], how="left").join(
        own_q, [*_KEYS, "restricting", "exporter"], how="left"
    )
    extra = out.exports_kusd * (out.total_q - out.own_q.fill_null(0.0)) - out.qv.fill_null(0.0)
    out = out.select(
        "year",
        "hs6",
        "restricting",
        supplier=out.exporter,
        exports_kusd=out.exports_kusd,
        extra_demand_kusd=ibis.greatest(extra, 0.0),
    )
    out = out.filter(out.extra_demand_kusd > 0)
    return out.mutate(extra_demand_share=out.extra_demand_kusd / out.exports_kusd)


def _world(
    trade: ir.Table,
    exporters: Sequence[str],
    label: str | None,
    year: int | Sequence[int] | None,
    hs6: Sequence[str] | None,
    share: float,
) -> tuple[ir.Table, ir.Table]:
    """Per importer hit: ``year, hs6, restricting, importer, restricted_kusd``; per product: the
    totals (value at risk, the pool of capacity, others' exports)."""
    members, name = _members(exporters, label)
    if members is None or name is None:
        raise UserError("the world's gap needs the restricting exporters (an ISO3 code or a group)")
    flows = _prepare(trade, year=year, hs6=hs6, share=share)
    hit = _restricted(flows, members)
    others = flows.filter(~flows.exporter.isin(members))
    hit_keys = hit.select("year", "hs6", "importer")
    # the pool: what suppliers that are neither restricting nor hit sell to importers not hit
    pool = others.anti_join(hit_keys, [*_KEYS, "importer"]).anti_join(
        hit_keys.select("year", "hs6", exporter=hit_keys.importer), [*_KEYS, "exporter"]
    )
    pool_t = pool.group_by(_KEYS).aggregate(capacity_kusd=pool.value_kusd.sum())
    others_t = others.group_by(_KEYS).aggregate(others_exports_kusd=others.value_kusd.sum())
    world = flows.group_by(_KEYS).aggregate(world_imports_kusd=flows.value_kusd.sum())
    risk = hit.group_by(_KEYS).aggregate(
        n_importers=hit.count(), value_at_risk_kusd=hit.restricted_kusd.sum() * share
    )
    totals = (
        risk.join(world, _KEYS)
        .join(pool_t, _KEYS, how="left")
        .join(others_t, _KEYS, how="left")
        .select(
            "year",
            "hs6",
            "n_importers",
            "world_imports_kusd",
            "value_at_risk_kusd",
            capacity_kusd=ibis._.capacity_kusd.fill_null(0.0),
            others_exports_kusd=ibis._.others_exports_kusd.fill_null(0.0),
        )
        .mutate(restricting=ibis.literal(name))
    )
    totals = totals.mutate(filled_kusd=ibis.least(totals.value_at_risk_kusd, totals.capacity_kusd))
    totals = totals.mutate(unmet_kusd=totals.value_at_risk_kusd - totals.filled_kusd)
    hit = hit.mutate(restricting=ibis.literal(name))
    return hit, totals


def restriction_world_totals(
    trade: ir.Table,
    *,
    exporters: Sequence[str],
    label: str | None = None,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    share: float = 1.0,
) -> ir.Table:
    """The world's gap, per product, when ``exporters`` (jointly) withhold ``share`` of their exports
    from every importer outside them at once.

    Capacity is the pool ``K = sum v_cn`` over suppliers ``c`` outside the restricting unit that are
    not hit themselves, selling to importers ``n`` that are not hit (first order: those buyers do
    without, as in the single-importer view; a hit importer keeps what it already buys). Filled
    ``F = min(A, K)``, unmet ``A - F``. Also ``others_exports_kusd`` (everything the other exporters
    sell) and ``unmet_if_all_redirected_kusd = max(A - others_exports, 0)``: unmet even if every other
    exporter redirected everything it sells. Returns ``year, hs6, restricting, n_importers,
    world_imports_kusd, value_at_risk_kusd, capacity_kusd, filled_kusd, unmet_kusd,
    others_exports_kusd, unmet_if_all_redirected_kusd``.
    """
    _, totals = _world(trade, exporters, label, year, hs6, share)
    return totals.select(
        "year",
        "hs6",
        "restricting",
        "n_importers",
        "world_imports_kusd",
        "value_at_risk_kusd",
        "capacity_kusd",
        "filled_kusd",
        "unmet_kusd",
        "others_exports_kusd",
        unmet_if_all_redirected_kusd=ibis.greatest(
            totals.value_at_risk_kusd - totals.others_exports_kusd, 0.0
        ),
    )


def restriction_world(
    trade: ir.Table,
    *,
    exporters: Sequence[str],
    label: str | None = None,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    share: float = 1.0,
) -> ir.Table:
    """Each hit importer's part of the world's gap (``restriction_world_totals``): the filled
    capacity ``F`` split among importers by their share of the value at risk, ``f_m = F a_m / A``.

    Returns ``year, hs6, restricting, importer, import_value_kusd, value_at_risk_kusd, filled_kusd,
    unmet_kusd, at_risk_share, unmet_share`` (shares of the importer's imports of the product).
    """
    hit, totals = _world(trade, exporters, label, year, hs6, share)
    flows = _prepare(trade, year=year, hs6=hs6, share=share)
    _, _, imports = _totals(flows)
    j = hit.join(
        totals.select("year", "hs6", "value_at_risk_kusd", "filled_kusd").rename(
            total_risk_kusd="value_at_risk_kusd", total_filled_kusd="filled_kusd"
        ),
        _KEYS,
    ).join(imports, [*_KEYS, "importer"])
    at_risk = j.restricted_kusd * share
    filled = ibis.ifelse(j.total_risk_kusd > 0, j.total_filled_kusd * at_risk / j.total_risk_kusd, 0.0)
    out = j.select(
        "year",
        "hs6",
        "restricting",
        "importer",
        "import_value_kusd",
        value_at_risk_kusd=at_risk,
        filled_kusd=filled,
    )
    return _with_shares(out.mutate(unmet_kusd=out.value_at_risk_kusd - out.filled_kusd))
