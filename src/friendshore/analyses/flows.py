"""Who supplies an importer with given products, and what are a product's main flows in the world?

Method: ``friendshore.metrics.flows`` (shares of BACI values; no model).
"""

from __future__ import annotations

from datetime import date

import ibis
import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_trade
from friendshore.analyses.coverage import NOT_LOADED, PARTIAL, flows_loaded, possessive
from friendshore.analyses.partners import product_codes
from friendshore.analyses.result import Column, Result
from friendshore.nomenclature.labels import label_of, short_label
from friendshore.settings import Settings

__all__ = ["flows", "suppliers"]

_SHARE_OF_WORLD = Column(
    "share",
    "share of world trade",
    "share",
    description="the flow's share",
    basis="world trade in the products (every exporter to every importer), by value",
)


def suppliers(
    settings: Settings,
    *,
    importer: str,
    product: str,
    year: int | None = None,
    members_at: date | None = None,
) -> Result:
    """Every supplier of ``importer`` (ISO3 or group) for ``product`` (one HS6 code or several,
    comma-separated, summed), with its value and share of the importer's imports. Products whose
    imports by the importer are not loaded (or only in part) are named in a note and left out of the
    sum: unknown, not zero."""
    from friendshore.metrics.flows import supplier_shares

    ctx, trade, year = open_trade(settings, year)
    who = ctx.who(importer, year=year, members_at=members_at)
    codes, notes = product_codes(trade, year=year, product=product)
    loaded = flows_loaded(ctx, who=who, role="imports", years=[year], hs6=codes)
    unknown = loaded.codes(PARTIAL, NOT_LOADED)
    notes += loaded.notes()
    known = [c for c in codes if c not in unknown]
    if known:
        expr = supplier_shares(trade, importer=who.members, year=year, hs6=known)
        table = expr.order_by([ibis.desc("value_kusd"), "exporter"]).to_pyarrow()
    else:
        table = pa.table({"exporter": pa.array([], pa.string()), "value_kusd": pa.array([], pa.float64()),
                          "share": pa.array([], pa.float64())})  # fmt: skip
    if unknown:
        notes.append(
            f"the suppliers shown are of the products whose imports are loaded ({', '.join(known) or 'none'}); "
            "the others are unknown, not zero"
        )
    if who.is_group:
        notes.append(f"{who.describe()}; trade between members is left out")
    name = label_of(who.label, home=settings.home)
    share = Column(
        "share",
        "share of imports",
        "share",
        description="the supplier's share",
        basis=f"{possessive(name)} imports of the products from outside it, by value",
    )
    return Result(
        "suppliers",
        f"Suppliers of {name}: {_title_products(codes)}, {year}",
        table,
        {"importer": who.to_json(), "products": codes, "year": year, "not_loaded": unknown},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=["exporter", "value_kusd", "share"], extra=[share]),
    )


def _title_products(codes: list[str]) -> str:
    return "; ".join(short_label(c) for c in codes) if len(codes) <= 2 else f"{len(codes)} products"


def flows(settings: Settings, *, product: str, year: int | None = None, top: int = 12) -> Result:
    """The ``top`` largest exporter -> importer flows of ``product`` (HS6 codes, comma-separated,
    summed), each with its share of world trade in the product."""
    from friendshore.metrics.flows import main_flows

    ctx, trade, year = open_trade(settings, year)
    codes, notes = product_codes(trade, year=year, product=product)
    loaded = flows_loaded(ctx, who=None, role="exports", years=[year], hs6=codes)
    notes += loaded.notes()
    expr = main_flows(trade, year=year, hs6=codes, top=top)
    table = expr.order_by([ibis.desc("value_kusd"), "exporter", "importer"]).to_pyarrow()
    extra = [_SHARE_OF_WORLD]
    if not loaded.complete:
        # the flows loaded are not the world's: a share of them would read as a share of world trade
        table = table.set_column(
            table.schema.get_field_index("share"), "share", pa.nulls(table.num_rows, pa.float64())
        )
        notes.append(
            "share is null: the flows loaded are not the world's, so no share of world trade is known"
        )
    return Result(
        "flows",
        f"Largest flows of {_title_products(codes)}, {year}",
        table,
        {"products": codes, "year": year, "top": top},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=["exporter", "importer", "value_kusd", "share"], extra=extra),
    )
