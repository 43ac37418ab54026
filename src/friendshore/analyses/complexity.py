"""Economic complexity from trade: RCA, ECI and PCI, density and complexity outlook gain."""

from __future__ import annotations

from typing import Literal

import pyarrow.compute as pc

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_world_trade
from friendshore.analyses.docs import documented
from friendshore.analyses.partners import FULL_BASKET
from friendshore.analyses.result import Result
from friendshore.errors import UserError
from friendshore.metrics.parameters import require_number
from friendshore.settings import Settings

__all__ = ["Level", "complexity"]

Level = Literal["country", "product", "rca", "density"]


@documented()
def complexity(
    settings: Settings,
    *,
    year: int | None = None,
    level: Level = "country",
    threshold: float = 1.0,
    release: str | None = None,
) -> Result:
    """ECI by country, PCI by product, RCA by country and product, or density and COG.

    RCA after Balassa; ECI and PCI by the eigenvector method (Hidalgo & Hausmann) with the Atlas sign
    convention; density and outlook gain as in the Growth Lab's ecomplexity. See docs/methods/partners.md.
    RCA needs every country's exports: products whose loaded trade holds less are left out, with a
    note. ``release`` reads trade of that BACI release only.

    Parameters
    ----------
    year
        Year (default: the latest loaded).
    level
        country: ECI and diversity; product: PCI and ubiquity; rca: RCA of each export; density: presence,
        density and complexity outlook gain of every country-product pair.
    threshold
        RCA at or above which a country 'has' a product.
    release
    """
    from friendshore.metrics.complexity import SAMPLE_NOTE
    from friendshore.metrics.complexity import complexity as compute

    require_number(threshold, "the RCA threshold", minimum=0.0)
    ctx, year, trade, world_note = open_world_trade(settings, year, release=release)
    if world_note and trade.filter(trade.year == year).count().to_pyarrow().as_py() == 0:
        # unknown is not zero: no country's exports are "none" here, they are not loaded
        raise UserError(
            f"no product's world trade is loaded for {year}, so RCA, ECI and PCI cannot be computed ({world_note})"
        )
    result = compute(trade, year=year, threshold=threshold)
    if level == "country":
        table = result.countries.select(["country", "eci", "diversity"]).sort_by(
            [("eci", "descending"), ("country", "ascending")]
        )
    elif level == "product":
        table = result.products.select(["hs6", "pci", "ubiquity"]).sort_by(
            [("pci", "descending"), ("hs6", "ascending")]
        )
    elif level == "rca":
        cells = result.cells.filter(pc.greater(result.cells.column("export_kusd"), 0))
        table = cells.select(["country", "hs6", "rca"]).sort_by(
            [("country", "ascending"), ("hs6", "ascending")]
        )
    elif level == "density":
        table = result.cells.select(["country", "hs6", "rca", "present", "density", "cog"])
    else:
        raise UserError(f"unknown level '{level}' (use country, product, rca or density)")
    notes: list[str] = [n for n in (world_note, *ctx.trade_notes()) if n]
    if result.meta["n_products"] < FULL_BASKET:
        notes.append(f"{result.meta['n_products']} HS6 codes loaded for {year}: {SAMPLE_NOTE}")
    title = f"Economic complexity ({level}), {year}: {result.meta['n_countries']} countries, {result.meta['n_products']} products"
    keys = {"country": ["country", "eci", "diversity"], "product": ["hs6", "pci", "ubiquity"]}.get(level, [])
    return Result(
        "complexity",
        title,
        table,
        {"year": year, "level": level, "threshold": threshold, "release": release},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys),
    )
