"""What an importer gets of each material, from whom, and its import reliance, with every quantity
converted to one basis before it is added (the catalogue's content factors; production units to
tonnes). Part of ``friendshore.metrics.supply_risk``; docs/methods/supply-risk.md ("Units").
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from friendshore.errors import UserError
from friendshore.metrics.supply_risk.global_supply import catalogue
from friendshore.nomenclature.materials import MaterialStage, material_units

__all__ = ["Known", "importer_sourcing", "tonnes_per_unit"]

#: Whether the loaded trade covers something for a (year, HS6): ``(year, hs6) -> boolean`` (see
#: ``friendshore.warehouse.harmonise.HarmonisedTrade.known``).
Known = Callable[[ir.Value, ir.Value], ir.BooleanValue]


#: Tonnes per unit of a production series' unit: whole unit names first, then the first word of the
#: unit as the readers store it (``metric tons``, ``kilograms``; USGS data releases: ``thousand metric tons``).
_MASS_UNIT_NAMES = {"thousand metric tons": 1000.0, "million metric tons": 1_000_000.0}
_MASS_UNITS = {"kilograms": 0.001, "kilogram": 0.001, "metric": 1.0, "tonnes": 1.0, "tons": 1.0}


def tonnes_per_unit(unit: ir.StringValue) -> ir.FloatingValue:
    """1 for tonnes, 0.001 for kilograms, 1000 for thousand metric tons, null for a unit that is not a mass."""
    low = unit.lower().strip()
    first = low.split(" ")[0]
    branches = [(low == name, factor) for name, factor in sorted(_MASS_UNIT_NAMES.items())]
    branches += [(first == name, factor) for name, factor in sorted(_MASS_UNITS.items())]
    return ibis.cases(*branches, else_=ibis.null("float64")).cast("float64")


def importer_sourcing(
    trade: ir.Table,
    supply: ir.Table,
    *,
    importer: Sequence[str],
    year: int,
    materials: pa.Table | None = None,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
    include_domestic: bool = True,
    imports_known: Known | None = None,
    exports_known: Known | None = None,
) -> tuple[ir.Table, ir.Table]:
    """What ``importer`` gets of each material, from whom, and its import reliance.

    ``trade`` is the harmonised trade table (HS 2017; ``friendshore.warehouse.harmonise``), read at
    the latest year <= ``year`` with rows for the material's HS6 codes; ``supply`` a
    ``global_supply`` result (the importer's own production comes from it). The BACI rows without a
    quantity are left out.

    Units: every quantity is converted before it is added (``nomenclature.materials.material_units``):
    traded tonnes times the catalogue's content factor (tonnes of the production basis, e.g. Cu
    content, per tonne traded), production from its unit to tonnes (USGS gallium is in
    kilograms). A code with no published factor stays in its gross tonnes: it cannot be added to
    production, nor to another code's tonnes. ``units_ok`` is false when the quantities summed are
    not all of one basis (then the sourcing shares and the import reliance are null): the
    importer produces the material and a traded code has no factor, or two codes of different
    bases both have trade. A catalogue row that states no units (a user's own) is added as it is
    and ``units_declared`` is false. ``imports_known`` / ``exports_known`` (from the warehouse's
    coverage) say whether the trade loaded covers the importer's imports and exports of a
    (year, HS6); where it does not, the reliance is null too (``trade_covered`` false).

    Returns two tables:

    * suppliers: ``material, stage, supplier, kind ('import' | 'domestic'), quantity, share`` with
      ``share = quantity / sum(quantity)`` per material and stage (tonnes of ``quantity_basis``);
    * reliance: ``material, stage, trade_year, imports_t, exports_t, importer_production,
      importer_production_status ('reported' | 'withheld' | 'not listed'), import_reliance_raw,
      import_reliance, quantity_basis, production_basis, units_ok, units_declared,
      trade_covered`` with ``IR = (M - X) / (P + M - X)`` clipped to [0, 1] (0 where the importer
      is a net exporter: ``P + M - X <= 0``); ``importer_production`` is in tonnes.
    """
    members = sorted(set(importer))
    if not members:
        raise UserError("importer has no members")
    cat = catalogue(materials, stage, material)
    unit_rows = material_units(cat).to_pylist()
    # no nulls in a memtable: Spark turns a null float into NaN and a null string into 'NaN'
    codes = ibis.memtable(
        [
            {
                **row,
                "factor": 1.0 if row["factor"] is None else row["factor"],
                "production_basis": row["production_basis"] or "",
            }
            for row in unit_rows
        ],
        schema={
            "material": "string",
            "stage": "string",
            "hs6": "string",
            "factor": "float64",
            "declared": "boolean",
            "trade_basis": "string",
            "production_basis": "string",
        },
    )
    codes = codes.mutate(production_basis=codes.production_basis.nullif(""))
    tr = trade.filter(trade.year <= year)
    tr = tr.select("year", "exporter", "importer", "hs6", "qty_t").join(codes, "hs6")
    latest = tr.group_by(["material", "stage"]).aggregate(trade_year=tr.year.max())
    tr = tr.join(latest, ["material", "stage"])
    tr = tr.filter(tr.year == tr.trade_year, tr.qty_t.notnull())
    tr = tr.mutate(q=tr.qty_t * tr.factor)
    inbound = tr.filter(tr.importer.isin(members) & ~tr.exporter.isin(members))
    imports = inbound.group_by(["material", "stage", "exporter"]).aggregate(quantity=inbound.q.sum())
    outbound = tr.filter(tr.exporter.isin(members) & ~tr.importer.isin(members))
    exports = outbound.group_by(["material", "stage"]).aggregate(exports_t=outbound.q.sum())
    own_trade = inbound.select("material", "stage", "trade_basis", "declared").union(
        outbound.select("material", "stage", "trade_basis", "declared")
    )
    bases = own_trade.group_by(["material", "stage"]).aggregate(
        n_bases=own_trade.trade_basis.nunique(),
        basis_lo=own_trade.trade_basis.min(),
        basis_hi=own_trade.trade_basis.max(),
        undeclared=(~own_trade.declared).cast("int64").sum(),
    )
    series = supply.group_by(["material", "stage"]).aggregate(production_unit=supply.production_unit.max())
    own = supply.filter(supply.country.isin(members))
    own = own.mutate(value=own.value * tonnes_per_unit(own.production_unit))
    domestic = own.filter(own.value.notnull())
    domestic = domestic.group_by(["material", "stage", "country"]).aggregate(quantity=domestic.value.sum())

    p_total = own.group_by(["material", "stage"]).aggregate(
        importer_production=own.value.sum(), n_rows=own.count(), n_values=own.value.count()
    )
    prod_basis = codes.group_by(["material", "stage"]).aggregate(
        production_basis=codes.production_basis.max(), units_declared=codes.declared.min()
    )
    checked = latest.join(codes, ["material", "stage"])
    imp_ok = imports_known(checked.trade_year, checked.hs6) if imports_known else ibis.literal(True)
    exp_ok = exports_known(checked.trade_year, checked.hs6) if exports_known else ibis.literal(True)
    checked = checked.mutate(_ok=imp_ok & exp_ok)
    covered = checked.group_by(["material", "stage"]).aggregate(
        n_uncovered=(~checked._ok).cast("int64").sum()
    )
    m_total = imports.group_by(["material", "stage"]).aggregate(imports_t=imports.quantity.sum())
    rel = latest.left_join(m_total, ["material", "stage"]).select(latest, "imports_t")
    for extra in (exports, p_total, bases, series, prod_basis, covered):
        cols = [c for c in extra.columns if c not in ("material", "stage")]
        rel = rel.left_join(extra, ["material", "stage"]).select(rel, *cols)
    m = rel.imports_t.fill_null(0.0)
    x = rel.exports_t.fill_null(0.0)
    p = rel.importer_production.fill_null(0.0)
    n_bases = rel.n_bases.fill_null(0)
    declared = rel.units_declared.fill_null(True)
    # one basis among the traded codes, and the production's when the importer produces
    same_as_production = (n_bases == 0) | (rel.basis_lo == rel.production_basis) | ~declared
    mass = tonnes_per_unit(rel.production_unit).notnull() | (rel.n_values.fill_null(0) == 0)
    units_ok = (n_bases <= 1) & mass & ((p <= 0) | same_as_production)
    trade_covered = rel.n_uncovered.fill_null(0) == 0
    consumption = p + m - x
    raw = ibis.ifelse(consumption > 0, (m - x) / consumption, ibis.null("float64"))
    known = units_ok & trade_covered
    status = ibis.cases(
        (rel.n_values.fill_null(0) > 0, "reported"),
        (rel.n_rows.fill_null(0) > 0, "withheld"),
        else_="not listed",
    )
    reliance = rel.select(
        "material",
        "stage",
        "trade_year",
        imports_t=ibis.ifelse(trade_covered, m, ibis.null("float64")),
        exports_t=ibis.ifelse(trade_covered, x, ibis.null("float64")),
        importer_production=p,
        importer_production_status=status,
        import_reliance_raw=ibis.ifelse(known, raw, ibis.null("float64")),
        import_reliance=ibis.ifelse(
            known, raw.clip(lower=0.0, upper=1.0).fill_null(0.0), ibis.null("float64")
        ),
        quantity_basis=ibis.ifelse(
            n_bases > 1, rel.basis_lo + " and " + rel.basis_hi, rel.basis_lo.coalesce(rel.production_basis)
        ),
        production_basis=rel.production_basis,
        units_ok=units_ok,
        units_declared=declared & (rel.undeclared.fill_null(0) == 0),
        trade_covered=trade_covered,
    )

    parts = [
        imports.select(
            "material",
            "stage",
            supplier=imports.exporter,
            kind=ibis.literal("import"),
            quantity=imports.quantity,
        )
    ]
    if include_domestic:
        parts.append(
            domestic.select(
                "material",
                "stage",
                supplier=domestic.country,
                kind=ibis.literal("domestic"),
                quantity=domestic.quantity,
            )
        )
    suppliers = parts[0] if len(parts) == 1 else parts[0].union(parts[1])
    suppliers = suppliers.filter(suppliers.quantity > 0)
    ok = reliance.filter(reliance.units_ok & reliance.trade_covered).select("material", "stage")
    suppliers = suppliers.join(ok, ["material", "stage"])
    w = ibis.window(group_by=[suppliers.material, suppliers.stage])
    suppliers = suppliers.mutate(share=suppliers.quantity / suppliers.quantity.sum().over(w))
    return suppliers, reliance
