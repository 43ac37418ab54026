"""Who supplies an importer with given products, and what are a product's main flows in the world?

Method: ``friendshore.metrics.flows`` (shares of BACI values; no model).
"""

from __future__ import annotations

from datetime import date

import ibis

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.partners import product_codes
from friendshore.analyses.result import Column, Result
from friendshore.settings import Settings

__all__ = ["flows", "suppliers"]

_SHARE_OF_IMPORTS = Column("share", "share of imports", "share")
_SHARE_OF_WORLD = Column("share", "share of world trade", "share")


def suppliers(
    settings: Settings,
    *,
    importer: str,
    product: str,
    year: int | None = None,
    members_at: date | None = None,
) -> Result:
    """Every supplier of ``importer`` (ISO3 or group) for ``product`` (one HS6 code or several,
    comma-separated, summed), with its value and share of the importer's imports."""
    from friendshore.metrics.flows import supplier_shares

    ctx = open_context(settings)
    trade = ctx.table("trade")
    year = ctx.check_year(year)
    who = ctx.who(importer, year=year, members_at=members_at)
    codes, notes = product_codes(trade, year=year, product=product)
    expr = supplier_shares(trade, importer=who.members, year=year, hs6=codes)
    table = expr.order_by([ibis.desc("value_kusd"), "exporter"]).to_pyarrow()
    if who.is_group:
        notes.append(f"{who.describe()}; trade between members is left out")
    products = ", ".join(codes) if len(codes) <= 4 else f"{len(codes)} HS6 codes"
    return Result(
        "suppliers",
        f"Suppliers of {who.label}: {products}, {year}",
        table,
        {"importer": who.to_json(), "products": codes, "year": year},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=["exporter", "value_kusd", "share"], extra=[_SHARE_OF_IMPORTS]),
    )


def flows(settings: Settings, *, product: str, year: int | None = None, top: int = 12) -> Result:
    """The ``top`` largest exporter -> importer flows of ``product`` (HS6 codes, comma-separated,
    summed), each with its share of world trade in the product."""
    from friendshore.metrics.flows import main_flows

    ctx = open_context(settings)
    trade = ctx.table("trade")
    year = ctx.check_year(year)
    codes, notes = product_codes(trade, year=year, product=product)
    expr = main_flows(trade, year=year, hs6=codes, top=top)
    table = expr.order_by([ibis.desc("value_kusd"), "exporter", "importer"]).to_pyarrow()
    products = ", ".join(codes) if len(codes) <= 4 else f"{len(codes)} HS6 codes"
    return Result(
        "flows",
        f"Largest flows of {products}, {year}",
        table,
        {"products": codes, "year": year, "top": top},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=["exporter", "importer", "value_kusd", "share"], extra=[_SHARE_OF_WORLD]),
    )
