r"""The GeoPolRisk method: supply risk of a raw material for an economic unit from the concentration of
world production and the political instability of the partners it imports from (Gemechu et al.
2015; domestic production as mitigation, Helbig et al. 2016; characterisation model, Santillán-
Saldivar et al. 2022; Koyamparambath et al. 2024, implemented in ``geopolrisk-py``). Part of
``friendshore.metrics.supply_risk``; formulas and what is confirmed: docs/methods/supply-risk.md.

```
score_Ac = HHI_A * sum_i (g_i * f_Aic) / (p_Ac + F_Ac)      (the second factor: the import risk)
HHI_A    = sum_k P_k^2 / (sum_k P_k)^2                      (production by country, 0-1)
g_i      = clip((2.5 - PV_i) / 5, 0, 1)                      (WGI political stability, 1 = least stable)
CF_Ac    = score_Ac * price_Ac                               (price: value / quantity of the imports)
GSP_Ac   = CF_Ac / CF_Cu,c                                   (kg copper-equivalent per kg)
```

``f_Aic`` the imports from partner ``i``, ``F_Ac`` their sum, ``p_Ac`` the unit's own production,
all in tonnes of one basis (the catalogue's content factors, as for the EU method: never added
across units). A partner without a PV estimate takes 0.5, the rule of ``geopolrisk-py``
(``governance_missing_share`` says how much of the imports that covers). For a group, only imports
from non-members count (``geopolrisk-py`` sums each member's imports from everyone).

The float kernel (``political_instability``, ``hhi_normalised``, ``import_risk``, ``geopolrisk_score``) is what
the tests check by hand; ``geopolrisk_inputs`` runs it over a user's own inputs (a published case);
``geopolrisk`` reads the warehouse (Ibis, DuckDB and Spark).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from friendshore.errors import UserError
from friendshore.metrics.rules import latest_per_country
from friendshore.metrics.supply_risk.global_supply import catalogue, global_supply
from friendshore.metrics.supply_risk.sourcing import Known, importer_sourcing
from friendshore.nomenclature.materials import MaterialStage, material_units

__all__ = [
    "MISSING_PV_SCORE",
    "Case",
    "geopolrisk",
    "geopolrisk_inputs",
    "geopolrisk_score",
    "hhi_normalised",
    "import_risk",
    "political_instability",
    "political_scores",
]

#: The score of a partner without a WGI political-stability estimate (``geopolrisk-py``'s rule).
MISSING_PV_SCORE = 0.5


def political_instability(pv: float) -> float:
    """``g = clip((2.5 - PV) / 5, 0, 1)``: WGI political stability (-2.5 to 2.5) to 0 (stable) - 1."""
    return min(1.0, max(0.0, (2.5 - pv) / 5.0))


def hhi_normalised(quantities: Iterable[float]) -> float:
    """``sum q^2 / (sum q)^2``: 1 for one producer, ``1/n`` for ``n`` equal ones."""
    q = [float(x) for x in quantities if x]
    total = sum(q)
    if total <= 0:
        raise ValueError("no production")
    return sum(x * x for x in q) / (total * total)


def import_risk(imports: Iterable[tuple[float, float]], domestic: float) -> float:
    """``sum g_i f_i / (p + sum f_i)`` over ``(f_i, g_i)`` pairs; ``p`` the unit's own production."""
    pairs = [(float(f), float(g)) for f, g in imports]
    denominator = domestic + sum(f for f, _ in pairs)
    if denominator <= 0:
        raise ValueError("no imports and no domestic production")
    return sum(f * g for f, g in pairs) / denominator


def geopolrisk_score(hhi: float, risk: float) -> float:
    """The GeoPolRisk score ``HHI x import risk`` (0-1)."""
    return hhi * risk


@dataclass(frozen=True)
class Case:
    """One material's inputs as a publication gives them: ``imports`` as ``(partner, quantity, g,
    value or None)`` (``g`` the partner's score, 0-1), the unit's own production and the HHI, the
    quantities in one unit."""

    material: str
    hhi: float
    domestic_production: float
    imports: tuple[tuple[str, float, float, float | None], ...]


def geopolrisk_inputs(cases: Sequence[Case]) -> pa.Table:
    """The method over given inputs (a published case): ``material, hhi, import_risk, score, imports,
    domestic_production, price, cf, n_partners``; ``price`` (value / quantity) and ``cf`` are null
    unless every import has a value."""
    out = []
    for case in cases:
        risk = import_risk(((q, g) for _, q, g, _ in case.imports), case.domestic_production)
        imports = sum(q for _, q, _, _ in case.imports)
        values = [v for *_, v in case.imports if v is not None]
        price = sum(values) / imports if imports and len(values) == len(case.imports) else None
        s = geopolrisk_score(case.hhi, risk)
        out.append(
            {
                "material": case.material,
                "hhi": case.hhi,
                "import_risk": risk,
                "score": s,
                "imports": imports,
                "domestic_production": case.domestic_production,
                "price": price,
                "cf": s * price if price is not None else None,
                "n_partners": sum(1 for _, q, _, _ in case.imports if q > 0),
            }
        )
    schema = pa.schema(
        [
            ("material", pa.string()),
            ("hhi", pa.float64()),
            ("import_risk", pa.float64()),
            ("score", pa.float64()),
            ("imports", pa.float64()),
            ("domestic_production", pa.float64()),
            ("price", pa.float64()),
            ("cf", pa.float64()),
            ("n_partners", pa.int64()),
        ]
    )
    return pa.Table.from_pylist(out, schema=schema)


def political_scores(governance: ir.Table, *, year: int) -> ir.Table:
    """``country, pv_year, pv, g``: each country's WGI political stability (PV) at its latest year <=
    ``year`` (no older than the indicator lag of ``metrics.rules``) and ``g`` (0 stable - 1)."""
    pv = governance.filter(governance.indicator == "PV")
    t = latest_per_country(pv, year=year, value="estimate")
    return t.select(
        "country",
        pv_year=t.indicator_year,
        pv=t.estimate,
        g=((2.5 - t.estimate) / 5.0).clip(lower=0.0, upper=1.0),
    )


def _prices(trade: ir.Table, cat: pa.Table, *, members: Sequence[str], years: ir.Table) -> ir.Table:
    """``material, stage, price_usd_per_kg``: value / quantity of the unit's imports from non-members."""
    codes = ibis.memtable(
        [
            {"material": r["material"], "stage": r["stage"], "hs6": r["hs6"]}
            for r in material_units(cat).to_pylist()
        ],
        schema={"material": "string", "stage": "string", "hs6": "string"},
    )
    tr = trade.filter(trade.importer.isin(members) & ~trade.exporter.isin(members) & trade.qty_t.notnull())
    tr = tr.select("year", "hs6", "value_kusd", "qty_t").join(codes, "hs6").join(years, ["material", "stage"])
    tr = tr.filter(tr.year == tr.trade_year)
    agg = tr.group_by(["material", "stage"]).aggregate(v=tr.value_kusd.sum(), q=tr.qty_t.sum())
    # thousand USD per tonne = USD per kg
    return agg.select(
        "material", "stage", price_usd_per_kg=ibis.ifelse(agg.q > 0, agg.v / agg.q, ibis.null("float64"))
    )


def geopolrisk(
    trade: ir.Table,
    production: ir.Table,
    governance: ir.Table,
    *,
    importer: Sequence[str],
    year: int,
    label: str | None = None,
    materials: pa.Table | None = None,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
    imports_known: Known | None = None,
    exports_known: Known | None = None,
) -> ir.Table:
    """GeoPolRisk score and characterisation factor of each catalogue material and stage for ``importer``.

    Returns ``material, stage, importer, year, hhi, import_risk, score, price_usd_per_kg, cf,
    gsp_cu_eq, gsp_reference, imports_t, domestic_production_t, n_partners, governance_missing_share,
    production_year, trade_year, pv_year, quantity_basis, units_ok, trade_covered, hs6, note``; the
    score is null, with the reason in ``note``, where the imports or production are unknown or their
    units cannot be reconciled (``importer_sourcing``). ``gsp_cu_eq`` divides ``cf`` by copper's for
    the same importer and year (copper mining where it has a ``cf``, else refining).
    """
    members = sorted(set(importer))
    if not members:
        raise UserError("importer has no members")
    full = catalogue(materials, None, None)
    keys = ["material", "stage"]
    supply = global_supply(production, year=year, materials=full)
    countries = supply.filter(supply.value.notnull())
    hhi = countries.group_by(keys).aggregate(
        hhi=(countries.value * countries.value).sum() / (countries.value.sum() * countries.value.sum()),
        production_year=countries.production_year.max(),
    )
    suppliers, reliance = importer_sourcing(
        trade,
        supply,
        importer=members,
        year=year,
        materials=full,
        include_domestic=True,
        imports_known=imports_known,
        exports_known=exports_known,
    )
    pv = political_scores(governance, year=year)
    imp = suppliers.filter(suppliers.kind == "import")
    imp = imp.left_join(pv, imp.supplier == pv.country).select(imp, "g")
    risk = imp.group_by(keys).aggregate(
        numerator=(imp.quantity * imp.g.fill_null(MISSING_PV_SCORE)).sum(),
        imported=imp.quantity.sum(),
        missing=imp.quantity.sum(where=imp.g.isnull()).fill_null(0.0),
        n_partners=imp.count(),
    )
    dom = suppliers.filter(suppliers.kind == "domestic")
    dom = dom.group_by(keys).aggregate(domestic=dom.quantity.sum())
    years = reliance.select("material", "stage", "trade_year")
    prices = _prices(trade, full, members=members, years=years)
    first = {(r["material"], r["stage"]): r["hs6"] or "" for r in reversed(full.to_pylist())}
    base = ibis.memtable(
        [{"material": m, "stage": st, "hs6": codes} for (m, st), codes in sorted(first.items())],
        schema={"material": "string", "stage": "string", "hs6": "string"},
    )
    out = base
    for extra in (hhi, reliance, risk, dom, prices):
        cols = [c for c in extra.columns if c not in keys]
        out = out.left_join(extra, keys).select(out, *cols)
    usable = out.units_ok.fill_null(False) & out.trade_covered.fill_null(False)
    denominator = out.imported.fill_null(0.0) + out.domestic.fill_null(0.0)
    ir_ = ibis.ifelse(
        usable & (denominator > 0), out.numerator.fill_null(0.0) / denominator, ibis.null("float64")
    )
    s = out.hhi * ir_
    out = out.mutate(import_risk=ir_, score=s, cf=s * out.price_usd_per_kg)
    cu = out.filter(out.material == "copper")
    ref = cu.aggregate(
        cu_mining=cu.cf.max(where=cu.stage == "mining"), cu_refining=cu.cf.max(where=cu.stage == "refining")
    )
    ref = ref.select(
        cu_cf=ref.cu_mining.coalesce(ref.cu_refining),
        gsp_reference=ibis.cases(
            (ref.cu_mining.notnull(), "copper, mining"),
            (ref.cu_refining.notnull(), "copper, refining"),
            else_=ibis.null("string"),
        ),
    )
    out = out.cross_join(ref)
    pv_year = pv.aggregate(pv_year=pv.pv_year.max())
    out = out.cross_join(pv_year)
    notes = [
        ibis.ifelse(out.production_year.isnull(), "no production data up to the year; ", ""),
        ibis.ifelse(out.hs6 == "", "no HS6 codes for the imports in the catalogue; ", ""),
        ibis.ifelse(
            (out.hs6 != "") & out.trade_year.isnull(), "no trade rows for the HS6 codes up to the year; ", ""
        ),
        ibis.ifelse(
            out.trade_year.notnull() & ~out.trade_covered.fill_null(True),
            "the loaded trade does not cover the importer's imports of these codes; ",
            "",
        ),
        ibis.ifelse(
            out.trade_year.notnull() & out.trade_covered.fill_null(True) & ~out.units_ok.fill_null(True),
            "units cannot be reconciled: imports in tonnes of "
            + out.quantity_basis.fill_null("?")
            + ", production in tonnes of "
            + out.production_basis.fill_null("?")
            + "; ",
            "",
        ),
        ibis.ifelse(
            out.missing.fill_null(0.0) > 0,
            "partners without a WGI political-stability estimate taken as 0.5 (the method's rule); ",
            "",
        ),
    ]
    note = notes[0]
    for part in notes[1:]:
        note = note + part
    result = out.select(
        "material",
        "stage",
        importer=ibis.literal(label or members[0]),
        year=ibis.literal(year, "int16"),
        hhi=out.hhi,
        import_risk=out.import_risk,
        score=out.score,
        price_usd_per_kg=out.price_usd_per_kg,
        cf=out.cf,
        gsp_cu_eq=out.cf / out.cu_cf,
        gsp_reference=out.gsp_reference,
        imports_t=ibis.ifelse(out.import_risk.notnull(), out.imported.fill_null(0.0), ibis.null("float64")),
        domestic_production_t=ibis.ifelse(
            out.import_risk.notnull(), out.domestic.fill_null(0.0), ibis.null("float64")
        ),
        n_partners=out.n_partners.fill_null(0),
        governance_missing_share=ibis.ifelse(
            out.imported.fill_null(0.0) > 0, out.missing.fill_null(0.0) / out.imported, ibis.null("float64")
        ),
        production_year=out.production_year.cast("int16"),
        trade_year=out.trade_year.cast("int16"),
        pv_year=out.pv_year.cast("int16"),
        quantity_basis=out.quantity_basis,
        units_ok=out.units_ok,
        trade_covered=out.trade_covered,
        hs6=out.hs6.nullif(""),
        note=note.re_replace(r";\s*$", ""),
    )
    chosen = catalogue(full, stage, material)
    wanted = ibis.memtable(
        [{"material": r["material"], "stage": r["stage"]} for r in chosen.to_pylist()],
        schema={"material": "string", "stage": "string"},
    ).distinct()
    return result.join(wanted, keys).order_by(keys)
