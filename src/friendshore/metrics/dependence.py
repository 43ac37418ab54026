"""Import dependence, world chokepoints, trends and churn on product-level trade.

Supplier shares, HHI, the top supplier and the European Commission's strategic-dependency screen
(SWD(2021) 352) for any importer or group; world export concentration (CEPII GeoDep's HHI > 0.4).
Definitions, thresholds and sources: docs/methods/dependence.md; tie-breaks: docs/methods/rules.md.

Functions take the warehouse ``trade`` table as Ibis and return unordered Ibis expressions (the
same on DuckDB and Spark): sort at the edge that shows them (an ``order_by`` inside a composed
expression is also a trap: ibis 12 compiles a later ``distinct()`` over it wrongly on Spark).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir

from friendshore.metrics.parameters import CHOKEPOINT_HHI, EcThresholds
from friendshore.metrics.parameters import DEFAULT_EC_THRESHOLDS as DEFAULT_THRESHOLDS
from friendshore.metrics.rules import in_years, members_of, supplier_order

__all__ = [
    "DEFAULT_THRESHOLDS",
    "EcThresholds",
    "Known",
    "chokepoint_exposure",
    "chokepoints",
    "dependence_screen",
    "dependence_trends",
    "flag_churn",
    "import_dependence",
    "summarise_by",
]


#: Whether the loaded trade covers a need for a (year, HS6): ``(year, hs6) -> boolean``.
Known = Callable[[ir.Value, ir.Value], ir.BooleanValue]


def _filter(trade: ir.Table, *, year: int | Sequence[int] | None, hs6: Sequence[str] | None) -> ir.Table:
    trade = in_years(trade, year)
    if hs6 is not None:
        trade = trade.filter(trade.hs6.isin(list(hs6)))
    return trade


def _supplier_profile(flows: ir.Table, who: str) -> ir.Table:
    """Per (year, hs6): total, number of suppliers, HHI, top supplier and its share.

    ``flows`` has ``year, hs6, <who>, value_kusd`` with one or more rows per supplier.
    """
    per = flows.group_by(["year", "hs6", who]).aggregate(v=flows.value_kusd.sum())
    per = per.filter(per.v > 0)
    w = ibis.window(group_by=[per.year, per.hs6])
    ranked = ibis.window(group_by=[per.year, per.hs6], order_by=supplier_order(per.v, per[who]))
    per = per.mutate(share=per.v / per.v.sum().over(w), rank=ibis.row_number().over(ranked))
    return per


def import_dependence(
    trade: ir.Table,
    *,
    importer: Sequence[str],
    label: str | None = None,
    year: int | Sequence[int] | None = None,
    on: Sequence[str] | None = None,
    hs6: Sequence[str] | None = None,
    include_intra: bool = False,
    thresholds: EcThresholds = DEFAULT_THRESHOLDS,
    imports_known: Known | None = None,
    exports_known: Known | None = None,
) -> ir.Table:
    """Import dependence of ``importer`` (one country or a group's members) per year and HS6.

    Returns ``importer, year, hs6, import_value_kusd, n_suppliers, top_supplier, top_share, hhi,
    on_share, ec_flag, total_import_kusd, export_kusd, extra_import_ratio, import_export_ratio,
    ec_concentration, ec_importance, ec_substitutability``. ``on_share`` is null when
    ``on`` is not given. With ``include_intra`` the supplier metrics count trade between members
    too, and the EC columns (defined on extra-group imports) are null.

    Where ``exports_known`` is false (the loaded trade lacks the importer's exports of a product)
    ``export_kusd``, ``import_export_ratio`` and ``ec_substitutability`` are null, and so is
    ``ec_flag`` unless another criterion already fails. Where ``imports_known`` is false (it lacks
    some supplier's flows to the importer) every measure of the row is null.
    """
    members = members_of(importer, "the importer")
    name = label or members[0]
    trade = _filter(trade, year=year, hs6=hs6)
    imports = trade.filter(trade.importer.isin(members))
    counted = imports if include_intra else imports.filter(~imports.exporter.isin(members))
    per = _supplier_profile(counted, "exporter")
    on_set = sorted(set(on)) if on else None
    on_value = per.v.sum(where=per.exporter.isin(on_set)) if on_set else ibis.null("float64")
    profile = per.group_by(["year", "hs6"]).aggregate(
        import_value_kusd=per.v.sum(),
        n_suppliers=per.count(),
        top_supplier=per.exporter.max(where=per.rank == 0),
        top_share=per.share.max(),
        hhi=(per.share * per.share).sum(),
        on_value=on_value,
    )
    totals = imports.group_by(["year", "hs6"]).aggregate(total_import_kusd=imports.value_kusd.sum())
    exports_from = trade.filter(trade.exporter.isin(members))
    exports = exports_from.group_by(["year", "hs6"]).aggregate(export_kusd=exports_from.value_kusd.sum())
    out = profile.join(totals, ["year", "hs6"], how="left").join(exports, ["year", "hs6"], how="left")
    out = out.select(*profile.columns, "total_import_kusd", "export_kusd")
    imp_ok = imports_known(out.year, out.hs6) if imports_known is not None else ibis.literal(True)
    exp_ok = exports_known(out.year, out.hs6) if exports_known is not None else ibis.literal(True)
    out = out.mutate(_imp_ok=imp_ok, _exp_ok=exp_ok)
    export_kusd = ibis.ifelse(out._exp_ok, out.export_kusd.fill_null(0.0), ibis.null("float64"))
    extra_ratio = out.import_value_kusd / out.total_import_kusd
    cover = ibis.ifelse(export_kusd > 0, out.import_value_kusd / export_kusd, ibis.null("float64"))
    c1 = out.hhi > thresholds.hhi
    c2 = extra_ratio > thresholds.extra_import_ratio
    null_bool = ibis.null("boolean")
    c3 = ibis.ifelse(
        out._exp_ok, ibis.ifelse(export_kusd > 0, cover > thresholds.import_export_ratio, True), null_bool
    )
    known = out._imp_ok

    def imp(value: ir.Value, kind: str) -> ir.Value:
        return ibis.ifelse(known, value, ibis.null(kind))

    out = out.select(
        importer=ibis.literal(name),
        year=out.year,
        hs6=out.hs6,
        import_value_kusd=imp(out.import_value_kusd, "float64"),
        n_suppliers=imp(out.n_suppliers, "int64"),
        top_supplier=imp(out.top_supplier, "string"),
        top_share=imp(out.top_share, "float64"),
        hhi=imp(out.hhi, "float64"),
        on_share=imp(out.on_value.fill_null(0.0) / out.import_value_kusd, "float64")
        if on_set
        else ibis.null("float64"),
        ec_flag=null_bool if include_intra else imp(c1 & c2 & c3, "boolean"),
        total_import_kusd=imp(out.total_import_kusd, "float64"),
        export_kusd=export_kusd,
        extra_import_ratio=imp(extra_ratio, "float64"),
        import_export_ratio=cover,
        ec_concentration=null_bool if include_intra else imp(c1, "boolean"),
        ec_importance=null_bool if include_intra else imp(c2, "boolean"),
        ec_substitutability=null_bool if include_intra else c3,
    )
    return out


def dependence_screen(
    trade: ir.Table,
    *,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    top_supplier: bool = True,
) -> ir.Table:
    """Supplier concentration of every importer for every product, in one grouped pass.

    BACI has one row per (year, exporter, importer, hs6) (the ingest enforces it), so each
    importer-product's supplier shares come straight from its rows:
    ``hhi = sum_c v_c**2 / (sum_c v_c)**2``, ``top_share = max_c v_c / sum_c v_c``. No window and
    no join are needed, which is what makes the all-importers screen fast.

    Returns ``year, importer, hs6, import_value_kusd, n_suppliers, top_supplier, top_share, hhi``
    (suppliers with a zero value are ignored; an exact tie for the top supplier goes to the later
    ISO3 code, the rule of ``metrics.rules.supplier_order``). Naming the top supplier costs about as much as the
    rest of the pass; ``top_supplier=False`` leaves it null when only the statistics are wanted.
    """
    trade = _filter(trade, year=year, hs6=hs6)
    trade = trade.filter(trade.value_kusd > 0)
    sums = {
        "import_value_kusd": trade.value_kusd.sum(),
        "n_suppliers": trade.count(),
        "sum_sq": (trade.value_kusd * trade.value_kusd).sum(),
    }
    keys = ["year", "importer", "hs6"]
    if top_supplier:
        # max over (value, exporter): deterministic on every engine, ties to the later ISO3 code
        top = ibis.struct({"value": trade.value_kusd, "exporter": trade.exporter}).max()
        out = trade.group_by(keys).aggregate(top=top, **sums)
        top_value, supplier = out.top["value"], out.top["exporter"]
    else:
        out = trade.group_by(keys).aggregate(top_value=trade.value_kusd.max(), **sums)
        top_value, supplier = out.top_value, ibis.null("string")
    return out.select(
        year=out.year,
        importer=out.importer,
        hs6=out.hs6,
        import_value_kusd=out.import_value_kusd,
        n_suppliers=out.n_suppliers,
        top_supplier=supplier,
        top_share=top_value / out.import_value_kusd,
        hhi=out.sum_sq / (out.import_value_kusd * out.import_value_kusd),
    )


def chokepoints(
    trade: ir.Table,
    *,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    hhi_threshold: float = CHOKEPOINT_HHI,
    world_known: Known | None = None,
) -> ir.Table:
    """World export concentration per year and HS6.

    Returns ``hs6, world_export_kusd, top_exporter, top_share, top3_share, world_hhi,
    n_exporters, chokepoint, year`` where ``chokepoint`` is ``world_hhi > hhi_threshold`` (CEPII GeoDep).
    Where ``world_known`` is false (the loaded trade does not hold every country's exports of the
    product) every measure is null.
    """
    trade = _filter(trade, year=year, hs6=hs6)
    per = _supplier_profile(trade, "exporter")
    out = per.group_by(["year", "hs6"]).aggregate(
        world_export_kusd=per.v.sum(),
        n_exporters=per.count(),
        top_exporter=per.exporter.max(where=per.rank == 0),
        top_share=per.share.max(),
        top3_share=per.share.sum(where=per.rank < 3),
        world_hhi=(per.share * per.share).sum(),
    )
    out = out.mutate(chokepoint=out.world_hhi > hhi_threshold)
    ok = world_known(out.year, out.hs6) if world_known is not None else ibis.literal(True)
    out = out.mutate(_ok=ok)

    def known(name: str) -> ir.Value:
        return ibis.ifelse(out._ok, out[name], ibis.null(out[name].type()))

    names = ["world_export_kusd", "top_exporter", "top_share", "top3_share", "world_hhi", "n_exporters"]
    return out.select(
        "hs6", *[known(n).name(n) for n in names], known("chokepoint").name("chokepoint"), "year"
    )


def chokepoint_exposure(
    trade: ir.Table,
    *,
    year: int | Sequence[int] | None = None,
    hs6: Sequence[str] | None = None,
    hhi_threshold: float = CHOKEPOINT_HHI,
    min_share: float = 0.5,
    world_known: Known | None = None,
) -> ir.Table:
    """Importers exposed to world chokepoints: those buying at least ``min_share`` of a
    chokepoint product from its top world exporter.

    Returns ``year, hs6, top_exporter, world_hhi, importer, import_value_kusd,
    share_from_top_exporter``.
    """
    points = chokepoints(trade, year=year, hs6=hs6, hhi_threshold=hhi_threshold, world_known=world_known)
    points = points.filter(points.chokepoint.fill_null(False))
    trade = _filter(trade, year=year, hs6=hs6)
    j = trade.join(points, ["year", "hs6"])
    per = j.group_by(["year", "hs6", "importer", "top_exporter", "world_hhi"]).aggregate(
        import_value_kusd=j.value_kusd.sum(),
        from_top=j.value_kusd.sum(where=j.exporter == j.top_exporter),
    )
    per = per.mutate(share_from_top_exporter=per.from_top.fill_null(0.0) / per.import_value_kusd)
    per = per.filter(per.share_from_top_exporter >= min_share).drop("from_top")
    return per


def dependence_trends(dependence: ir.Table) -> ir.Table:
    """Year-on-year change of ``top_share``, ``hhi`` and ``on_share`` per product.

    ``dependence`` is an ``import_dependence`` result over several years; adds
    ``prev_year, d_top_share, d_hhi, d_on_share`` (null in a product's first year).
    """
    w = ibis.window(group_by=[dependence.importer, dependence.hs6], order_by=dependence.year)
    return dependence.mutate(
        prev_year=dependence.year.lag().over(w),
        d_top_share=dependence.top_share - dependence.top_share.lag().over(w),
        d_hhi=dependence.hhi - dependence.hhi.lag().over(w),
        d_on_share=dependence.on_share - dependence.on_share.lag().over(w),
    )


def flag_churn(dependence: ir.Table) -> ir.Table:
    """How many products flagged by the EC screen in one year are flagged the next.

    Returns ``year, next_year, flagged, flagged_next_year, persistence`` (share of this year's
    flagged products still flagged a year later) for each year whose next year is loaded.
    """
    flagged = dependence.filter(dependence.ec_flag.fill_null(False)).select("importer", "year", "hs6")
    # group_by rather than distinct(): ibis' DISTINCT over this expression duplicates rows on Spark.
    years = dependence.group_by(["importer", "year"]).aggregate(n_products=dependence.count())
    nxt = flagged.select(importer=flagged.importer, year=flagged.year - 1, hs6=flagged.hs6, again=True)
    joined = flagged.join(nxt, ["importer", "year", "hs6"], how="left")
    per = joined.group_by(["importer", "year"]).aggregate(
        flagged=joined.count(), flagged_next_year=joined.again.fill_null(False).cast("int64").sum()
    )
    has_next = years.select(importer=years.importer, year=years.year - 1, next_year=years.year)
    out = per.join(has_next, ["importer", "year"])
    return out.select(
        "importer",
        "year",
        "next_year",
        "flagged",
        "flagged_next_year",
        persistence=out.flagged_next_year / out.flagged,
    )


def summarise_by(dependence: ir.Table, taxonomy: ir.Table, by: Sequence[str] = ("technology",)) -> ir.Table:
    """Aggregate an ``import_dependence`` result by taxonomy columns (technology, stage).

    ``taxonomy`` maps ``hs6`` to the ``by`` columns. Returns ``importer, year, <by...>, n_products,
    import_value_kusd, on_share`` (value-weighted), ``max_hhi, n_flagged``.
    """
    keys = list(by)
    j = dependence.join(taxonomy.select("hs6", *keys).distinct(), "hs6")
    on_value = (j.on_share * j.import_value_kusd).sum()
    out = j.group_by(["importer", "year", *keys]).aggregate(
        n_products=j.count(),
        import_value_kusd=j.import_value_kusd.sum(),
        on_value=on_value,
        max_hhi=j.hhi.max(),
        n_flagged=j.ec_flag.fill_null(False).cast("int64").sum(),
    )
    out = out.mutate(on_share=out.on_value / out.import_value_kusd).drop("on_value")
    return out
