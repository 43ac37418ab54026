"""World production by country for each catalogue material and stage: the global-supply term of
supply risk (production shares with their year, source and unit), and the catalogue selection both
supply-risk methods share. Part of ``friendshore.metrics.supply_risk``; docs/methods/supply-risk.md.
"""

from __future__ import annotations

from collections.abc import Sequence

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from friendshore.metrics.rules import latest_release
from friendshore.nomenclature.materials import MaterialStage, select_materials

__all__ = ["catalogue", "global_supply"]


def catalogue(
    materials: pa.Table | None, stage: MaterialStage | None, material: Sequence[str] | None
) -> pa.Table:
    if materials is None:
        return select_materials(list(material) if material else None, stage)
    table = materials
    if stage is not None:
        table = table.filter(pc.equal(table.column("stage"), stage))
    if material:
        table = table.filter(pc.is_in(table.column("material"), pa.array(list(material))))
    return table


def global_supply(
    production: ir.Table,
    *,
    year: int,
    materials: pa.Table | None = None,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
) -> ir.Table:
    """World production by country for each catalogue material and stage, at the latest year <= ``year``.

    ``production`` is the warehouse table ``mineral_production``; ``materials`` the catalogue
    (default: ``friendshore.nomenclature.materials.load_materials()``). Per (material, stage) the
    series with the latest year <= ``year`` is used (ties: the lower ``priority``); each year's
    figures come from the newest release that reports that year (USGS MCS 2026 for 2024, MCS 2024
    for 2023: an edition revises the years before it).
    ``share = value / world_value`` where ``world_value`` is the publisher's world total (USGS
    ``World total``) or else the sum over countries (BGS), as ``world_basis`` says. Withheld figures
    (USGS ``W``) keep a row with a null value and share.

    Returns ``material, stage, country, value, share, world_value, world_basis, production_year,
    production_source, production_commodity, production_unit``.
    """
    cat = catalogue(materials, stage, material)
    series = ibis.memtable(
        cat.select(["material", "stage", "priority", "source", "commodity", "source_stage"]).to_pylist(),
        schema={
            "material": "string",
            "stage": "string",
            "priority": "int32",
            "source": "string",
            "commodity": "string",
            "source_stage": "string",
        },
    )
    p = production.filter(production.statistic == "production", production.year <= year)
    p = latest_release(p, ["source", "commodity", "stage", "year"])
    p = p.select(
        "source",
        "commodity",
        "country",
        "row_kind",
        "year",
        "value",
        "unit",
        source_stage=p.stage,
    )
    rows = p.join(series, ["source", "commodity", "source_stage"])
    reported = rows.filter((rows.row_kind == "country") & rows.value.notnull())
    keys = ["material", "stage", "priority", "source", "commodity"]
    years = reported.group_by(keys).aggregate(production_year=reported.year.max())
    order = ibis.window(
        group_by=[years.material, years.stage], order_by=[ibis.desc(years.production_year), years.priority]
    )
    years = years.mutate(pick=ibis.row_number().over(order))
    chosen = years.filter(years.pick == 0).drop("pick")
    picked = rows.join(chosen, keys)
    picked = picked.filter(picked.year == picked.production_year)
    world = picked.filter(picked.row_kind == "world")
    world = world.group_by(["material", "stage"]).aggregate(world_total=world.value.max())
    countries = picked.filter(picked.row_kind == "country")
    sums = countries.group_by(["material", "stage"]).aggregate(
        country_sum=countries.value.sum(), production_unit=countries.unit.max()
    )
    out = countries.join(sums, ["material", "stage"]).left_join(world, ["material", "stage"])
    out = out.select(
        "material",
        "stage",
        "country",
        "value",
        "production_year",
        "source",
        "commodity",
        "production_unit",
        world_value=out.world_total.coalesce(out.country_sum),
        world_basis=ibis.ifelse(out.world_total.notnull(), "world total", "sum of countries"),
    )
    return out.select(
        "material",
        "stage",
        "country",
        "value",
        share=out.value / out.world_value,
        world_value=out.world_value,
        world_basis=out.world_basis,
        production_year=out.production_year,
        production_source=out.source,
        production_commodity=out.commodity,
        production_unit=out.production_unit,
    )
