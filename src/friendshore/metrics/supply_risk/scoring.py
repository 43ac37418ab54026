"""The EU CRM supply-risk score (Blengini et al. 2017) for any importer: governance and alignment
scores, the score-weighted HHI, the SR formula, and ``supply_risk``, which joins the global-supply
and sourcing terms into one row per material and stage with every input and a note. Part of
``friendshore.metrics.supply_risk``; docs/methods/supply-risk.md.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TypeVar

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from friendshore.errors import UserError
from friendshore.metrics.parameters import DEFAULT_SR_PARAMS as DEFAULT_PARAMS
from friendshore.metrics.parameters import SupplyRiskParams
from friendshore.metrics.rules import governance_means, ideal_points, supplier_order
from friendshore.metrics.supply_risk.global_supply import catalogue, global_supply
from friendshore.metrics.supply_risk.sourcing import Known, importer_sourcing
from friendshore.nomenclature.materials import MaterialStage

__all__ = [
    "SUPPLY_RISK_COLUMNS",
    "alignment_scores",
    "calc_supply_risk",
    "hhi_weighted",
    "supply_risk",
    "wgi_scores",
]

Num = TypeVar("Num", float, ir.NumericValue)

#: The leading columns of ``supply_risk`` (flag and provenance columns follow them).
SUPPLY_RISK_COLUMNS = (
    "material",
    "stage",
    "importer",
    "year",
    "hhi_wgi_global",
    "hhi_wgi_sourcing",
    "import_reliance",
    "eol_rir",
    "si_sr",
    "supply_risk",
    "top_producer",
    "top_producer_share",
)


def calc_supply_risk(
    hhi_global: Num, hhi_sourcing: Num, import_reliance: Num, eol_rir: Num, si_sr: Num
) -> Num:
    """``SR = [HHI_GS * IR/2 + HHI_G * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR`` (Blengini et al. 2017).

    Works on floats and on Ibis numeric columns alike. SR is linear in ``SI_SR`` and in
    ``1 - EoL_RIR``, zero when ``EoL_RIR = 1``, equals ``HHI_G * (1 - EoL_RIR) * SI_SR`` at ``IR = 0``
    and the mean of the two HHIs times the same factors at ``IR = 1``.
    """
    half = import_reliance / 2
    return (hhi_global * half + hhi_sourcing * (1 - half)) * (1 - eol_rir) * si_sr


def wgi_scores(governance: ir.Table, *, year: int) -> ir.Table:
    """Governance scores 0-10 (10 = worst) from the WGI of each country's latest year <= ``year``,
    no older than ``INDICATOR_MAX_LAG`` years (``metrics.rules.governance_means``, the rule partner
    scoring uses too).

    ``wgi_mean`` is the mean of a country's available estimates (of VA, PV, GE, RQ, RL, CC;
    ``wgi_indicators`` says how many) and ``wgi_score = clip((2.5 - wgi_mean) * 2, 0, 10)``.
    Returns ``country, wgi_year, wgi_mean, wgi_indicators, wgi_score``.
    """
    out = governance_means(governance, year=year).rename(wgi_indicators="wgi_n")
    return out.mutate(wgi_score=((2.5 - out.wgi_mean) * 2).clip(lower=0.0, upper=10.0))


def alignment_scores(alignment: ir.Table, *, importer: Sequence[str], year: int) -> ir.Table:
    """Geopolitical distance of every country from ``importer``, rescaled to 0-10.

    ``A_c = 10 * |ideal_c - ideal_G| / (max ideal - min ideal)`` over the countries with an ideal
    point, each at its latest year <= ``year`` and no older than ``INDICATOR_MAX_LAG`` years
    (``metrics.rules.ideal_points``, the rule partner scoring uses too; UNGA ideal points, Bailey,
    Strezhnev & Voeten 2017); ``ideal_G`` is the mean ideal point of the importer's members (one
    member: its own). The score is null for every country when no member has an ideal point.
    Returns ``country, alignment_year, ideal_point, importer_ideal_point, alignment_score``.
    """
    members = sorted(set(importer))
    a = ideal_points(alignment, year=year).rename(alignment_year="un_year")
    span = a.aggregate(
        ip_min=a.ideal_point.min(),
        ip_max=a.ideal_point.max(),
        importer_ideal_point=a.ideal_point.mean(where=a.country.isin(members)),
    )
    a = a.cross_join(span)
    width = a.ip_max - a.ip_min
    score = ibis.ifelse(width > 0, (a.ideal_point - a.importer_ideal_point).abs() * 10.0 / width, 0.0)
    return a.select(
        "country",
        "alignment_year",
        "ideal_point",
        "importer_ideal_point",
        alignment_score=ibis.ifelse(a.importer_ideal_point.notnull(), score, ibis.null("float64")),
    )


def hhi_weighted(
    suppliers: ir.Table,
    *,
    by: Sequence[str],
    supplier: str = "supplier",
    share: str = "share",
    score: str = "score",
    factor: str = "t",
) -> ir.Table:
    """``HHI = sum_c share_c^2 * score_c * t_c`` per ``by`` group, with its diagnostics.

        Rows with a null share are ignored; suppliers with a null score are left out of the sum and
        their total share is reported as ``score_missing_share`` (the HHI is null when no supplier has a
        score). Returns ``<by...>, hhi, n_suppliers, top_supplier, top_share, coverage,
        score_missing_share``; ``coverage`` is the sum of the shares (1 when shares are of a total over
        the listed suppliers); ``top_supplier`` follows ``metrics.rules.supplier_order`` (a tie goes to the
    later code).
    """
    keys = list(by)
    t = suppliers.filter(suppliers[share].notnull())
    order = ibis.window(group_by=[t[k] for k in keys], order_by=supplier_order(t[share], t[supplier]))
    t = t.mutate(_rank=ibis.row_number().over(order))
    s, sc, f = t[share], t[score], t[factor]
    return t.group_by(keys).aggregate(
        hhi=(s * s * sc * f).sum(where=sc.notnull()),
        n_suppliers=t.count(where=s > 0),
        top_supplier=t[supplier].max(where=t._rank == 0),
        top_share=s.max(),
        coverage=s.sum(),
        score_missing_share=s.sum(where=sc.isnull()).fill_null(0.0),
    )


def _factor(code: ir.StringValue, restrictions: Mapping[str, float]) -> ir.FloatingValue:
    if not restrictions:
        return ibis.literal(1.0)
    branches = [(code == iso3, float(value)) for iso3, value in sorted(restrictions.items())]
    return ibis.cases(*branches, else_=1.0).cast("float64")


def _scores(
    governance: ir.Table | None,
    alignment: ir.Table | None,
    *,
    importer: Sequence[str],
    year: int,
    weight: float,
) -> tuple[ir.Table, ir.Table]:
    """``country, score`` and a one-row table ``wgi_year, alignment_year``."""
    wgi = None
    if weight < 1:
        if governance is None:
            raise UserError(
                "WGI weighting needs the 'governance' table (World Governance Indicators): "
                "load it with 'friendshore ingest wgi FILE' or 'friendshore ingest sample'"
            )
        wgi = wgi_scores(governance, year=year)
    ali = None
    if weight > 0:
        if alignment is None:
            raise UserError(
                "alignment weighting needs the 'alignment' table (UNGA ideal points): "
                "load it with 'friendshore ingest unga FILE' or 'friendshore ingest sample'"
            )
        ali = alignment_scores(alignment, importer=importer, year=year)
    null_year = ibis.null("int16")
    if wgi is not None and ali is None:
        scores = wgi.select("country", score=wgi.wgi_score)
        years = wgi.aggregate(wgi_year=wgi.wgi_year.max()).mutate(alignment_year=null_year)
    elif ali is not None and wgi is None:
        scores = ali.select("country", score=ali.alignment_score)
        years = ali.aggregate(alignment_year=ali.alignment_year.max()).mutate(wgi_year=null_year)
    else:
        assert wgi is not None
        assert ali is not None
        both = wgi.outer_join(ali, wgi.country == ali.country)
        scores = both.select(
            country=both.country.coalesce(both.country_right),
            score=both.wgi_score * (1.0 - weight) + both.alignment_score * weight,
        )
        years = wgi.aggregate(wgi_year=wgi.wgi_year.max()).cross_join(
            ali.aggregate(alignment_year=ali.alignment_year.max())
        )
    return scores, years.select(
        wgi_year=years.wgi_year.cast("int16"), alignment_year=years.alignment_year.cast("int16")
    )


def _weighted(table: ir.Table, scores: ir.Table, restrictions: Mapping[str, float]) -> ir.Table:
    """Attach ``score`` (by supplier) and ``t`` to a supplier table."""
    j = table.left_join(scores, table.supplier == scores.country)
    j = j.select(*[c for c in table.columns], score=j.score)
    return j.mutate(t=_factor(j.supplier, restrictions))


def _parameters(cat: pa.Table, params: SupplyRiskParams) -> ir.Table:
    rows: dict[tuple[str, str], dict[str, object]] = {}
    for row in cat.to_pylist():
        key = (str(row["material"]), str(row["stage"]))
        if key in rows:
            continue
        name = key[0]
        eol = params.eol_rir.get(name, row["eol_rir"])
        si = params.si_sr.get(name, row["si_sr"])
        codes = [c for c in str(row["hs6"] or "").split(";") if c]
        rows[key] = {
            "material": name,
            "stage": key[1],
            "hs6": ";".join(codes),  # "" for none: Spark memtables turn a null string into 'NaN'
            "n_hs6": len(codes),
            "eol_rir": 0.0 if eol is None else float(eol),
            "si_sr": 1.0 if si is None else float(si),
            "eol_rir_known": eol is not None,
            "si_sr_known": si is not None,
        }
    table = ibis.memtable(
        list(rows.values()),
        schema={
            "material": "string",
            "stage": "string",
            "hs6": "string",
            "n_hs6": "int64",
            "eol_rir": "float64",
            "si_sr": "float64",
            "eol_rir_known": "boolean",
            "si_sr_known": "boolean",
        },
    )
    return table.mutate(hs6=table.hs6.nullif(""))


def supply_risk(
    trade: ir.Table,
    production: ir.Table,
    governance: ir.Table | None,
    alignment: ir.Table | None = None,
    *,
    importer: Sequence[str],
    year: int,
    label: str | None = None,
    materials: pa.Table | None = None,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
    params: SupplyRiskParams = DEFAULT_PARAMS,
    economic_importance: ir.Table | None = None,
    imports_known: Known | None = None,
    exports_known: Known | None = None,
) -> ir.Table:
    """Supply risk (EU CRM method) of each catalogue material and stage for ``importer`` in ``year``.

    ``trade``, ``production``, ``governance`` and ``alignment`` are the warehouse tables ``trade``,
    ``mineral_production``, ``governance`` and ``alignment`` (governance only needed when
    ``params.alignment_weight < 1``, alignment only when it is > 0). ``economic_importance`` is an optional table ``material,
    economic_importance``. See the module docstring for the formulas.

    Returns the columns ``SUPPLY_RISK_COLUMNS`` — ``material, stage, importer, year, hhi_wgi_global,
    hhi_wgi_sourcing, import_reliance, eol_rir, si_sr, supply_risk, top_producer,
    top_producer_share`` — followed by ``economic_importance, high_supply_risk, critical,
    weighting, production_year, trade_year, wgi_year, alignment_year, production_source,
    production_commodity, production_unit, world_basis, producer_coverage, score_missing_global,
    score_missing_sourcing, n_sources, importer_production, importer_production_status, imports_t,
    exports_t, import_reliance_raw, quantity_basis, units_ok, trade_covered, hs6, eol_rir_known,
    si_sr_known, note``. The ``hhi_wgi_*`` columns hold the score-weighted HHI whatever the
    weighting (``weighting`` says which score). A row's ``supply_risk`` is null, with a ``note``
    saying why, when either HHI or the import reliance is unknown (no production series up to the
    year, no HS6 codes, no trade rows for them, quantities whose units cannot be reconciled, or
    trade the warehouse does not cover: ``importer_sourcing``). ``imports_known`` and
    ``exports_known`` come from the warehouse's coverage (``HarmonisedTrade.known``).
    """
    members = sorted(set(importer))
    if not members:
        raise UserError("importer has no members")
    name = label or members[0]
    cat = catalogue(materials, stage, material)
    keys = ["material", "stage"]
    scores, years = _scores(
        governance, alignment, importer=members, year=year, weight=params.alignment_weight
    )
    restrictions = params.trade_restriction

    supply = global_supply(production, year=year, materials=cat)
    meta = supply.group_by(keys).aggregate(
        production_year=supply.production_year.max(),
        production_source=supply.production_source.max(),
        production_commodity=supply.production_commodity.max(),
        production_unit=supply.production_unit.max(),
        world_basis=supply.world_basis.max(),
    )
    producers = supply.select(*keys, supplier=supply.country, share=supply.share)
    g = hhi_weighted(_weighted(producers, scores, restrictions), by=keys)
    g = g.select(
        *keys,
        hhi_wgi_global=g.hhi,
        top_producer=g.top_supplier,
        top_producer_share=g.top_share,
        producer_coverage=g.coverage,
        score_missing_global=g.score_missing_share,
    )

    suppliers, reliance = importer_sourcing(
        trade,
        supply,
        importer=members,
        year=year,
        materials=cat,
        include_domestic=params.include_domestic,
        imports_known=imports_known,
        exports_known=exports_known,
    )
    s = hhi_weighted(_weighted(suppliers.drop("kind", "quantity"), scores, restrictions), by=keys)
    s = s.select(
        *keys,
        hhi_wgi_sourcing=s.hhi,
        n_sources=s.n_suppliers,
        score_missing_sourcing=s.score_missing_share,
    )

    base = _parameters(cat, params)
    out = base.left_join(g, keys).select(base, *[c for c in g.columns if c not in keys])
    out = out.left_join(meta, keys).select(out, *[c for c in meta.columns if c not in keys])
    out = out.left_join(s, keys).select(out, *[c for c in s.columns if c not in keys])
    out = out.left_join(reliance, keys).select(out, *[c for c in reliance.columns if c not in keys])
    out = out.cross_join(years)
    if economic_importance is not None:
        ei = economic_importance.select(
            "material", economic_importance=economic_importance.economic_importance.cast("float64")
        )
        out = out.left_join(ei, "material").select(out, "economic_importance")
    else:
        out = out.mutate(economic_importance=ibis.null("float64"))

    ir_known = out.trade_year.notnull()
    imp_rel = ibis.ifelse(ir_known, out.import_reliance, ibis.null("float64"))
    sourcing_hhi = ibis.ifelse(ir_known, out.hhi_wgi_sourcing, ibis.null("float64"))
    sr = calc_supply_risk(out.hhi_wgi_global, sourcing_hhi, imp_rel, out.eol_rir, out.si_sr)
    th = params.thresholds
    high = sr >= th.supply_risk
    critical = ibis.ifelse(
        out.economic_importance.notnull(),
        high & (out.economic_importance >= th.economic_importance),
        ibis.null("boolean"),
    )
    unit = out.production_unit.fill_null("the production unit")
    notes = [
        ibis.ifelse(out.production_year.isnull(), "no production data up to the year; ", ""),
        ibis.ifelse(out.hs6.isnull(), "no HS6 codes for sourcing in the catalogue; ", ""),
        ibis.ifelse(
            out.hs6.notnull() & out.trade_year.isnull(),
            "no trade rows for the HS6 codes up to the year; ",
            "",
        ),
        ibis.ifelse(
            ir_known & out.trade_covered & out.units_ok & out.hhi_wgi_sourcing.isnull(),
            "the importer neither imports nor produces it; ",
            "",
        ),
        ibis.ifelse(
            ir_known & ~out.trade_covered,
            "the loaded trade does not cover the importer's imports and exports of these codes "
            "(see the data's coverage); ",
            "",
        ),
        ibis.ifelse(
            ir_known & out.trade_covered & ~out.units_ok,
            "units cannot be reconciled: trade in tonnes of "
            + out.quantity_basis.fill_null("?")
            + ", production in tonnes of "
            + out.production_basis.fill_null("?")
            + " (no published content factor; see the materials catalogue); ",
            "",
        ),
        ibis.ifelse(~out.eol_rir_known, "EoL-RIR unknown, taken as 0; ", ""),
        ibis.ifelse(~out.si_sr_known, "SI_SR unknown, taken as 1; ", ""),
        ibis.ifelse(
            ir_known & (out.importer_production_status == "not listed"),
            "importer production not in the series, taken as 0; ",
            "",
        ),
        ibis.ifelse(
            ir_known & (out.importer_production_status == "withheld"),
            "importer production withheld, taken as 0; ",
            "",
        ),
        ibis.ifelse(
            ir_known
            & out.units_ok
            & out.trade_covered
            & (out.import_reliance_raw.isnull() | (out.import_reliance_raw < 0)),
            "net exporter: import reliance set to 0; ",
            "",
        ),
        ibis.ifelse(
            ir_known
            & (out.importer_production > 0)
            & ibis.literal(params.include_domestic)
            & ~out.units_declared.fill_null(True),
            "sourcing adds trade tonnes to production in " + unit + " (the catalogue states no units); ",
            "",
        ),
        ibis.ifelse(out.score_missing_global.fill_null(0.0) > 0, "some producers have no score; ", ""),
        ibis.ifelse(out.score_missing_sourcing.fill_null(0.0) > 0, "some suppliers have no score; ", ""),
    ]
    note = notes[0]
    for part in notes[1:]:
        note = note + part
    out = out.select(
        "material",
        "stage",
        importer=ibis.literal(name),
        year=ibis.literal(year, "int16"),
        hhi_wgi_global=out.hhi_wgi_global,
        hhi_wgi_sourcing=sourcing_hhi,
        import_reliance=imp_rel,
        eol_rir=out.eol_rir,
        si_sr=out.si_sr,
        supply_risk=sr,
        top_producer=out.top_producer,
        top_producer_share=out.top_producer_share,
        economic_importance=out.economic_importance,
        high_supply_risk=high,
        critical=critical,
        weighting=ibis.literal(params.weighting),
        production_year=out.production_year.cast("int16"),
        trade_year=out.trade_year.cast("int16"),
        wgi_year=out.wgi_year,
        alignment_year=out.alignment_year,
        production_source=out.production_source,
        production_commodity=out.production_commodity,
        production_unit=out.production_unit,
        world_basis=out.world_basis,
        producer_coverage=out.producer_coverage,
        score_missing_global=out.score_missing_global,
        score_missing_sourcing=ibis.ifelse(ir_known, out.score_missing_sourcing, ibis.null("float64")),
        n_sources=ibis.ifelse(ir_known, out.n_sources, ibis.null("int64")),
        importer_production=ibis.ifelse(ir_known, out.importer_production, ibis.null("float64")),
        importer_production_status=out.importer_production_status,
        imports_t=out.imports_t,
        exports_t=out.exports_t,
        import_reliance_raw=out.import_reliance_raw,
        quantity_basis=out.quantity_basis,
        units_ok=out.units_ok,
        trade_covered=out.trade_covered,
        hs6=out.hs6,
        eol_rir_known=out.eol_rir_known,
        si_sr_known=out.si_sr_known,
        note=note.re_replace(r";\s*$", ""),
    )
    return out.order_by(keys)
