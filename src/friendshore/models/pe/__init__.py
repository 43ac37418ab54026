"""Product-level partial equilibrium: tariffs and export restrictions on one HS6 product's trade.

``solve_pe`` (``armington``): Armington demand across suppliers in every importer, constant-
elasticity export supply, one world price per exporter, markets cleared, several importers at
once (the multi-country GSIM form, in levels). ``linear``: SMART's trade creation and diversion
and the linear GSIM, the forms it is checked against. ``elasticities``: ProTEE's product-level
elasticities with the defaults. Methods: docs/methods/shocks.md.
"""

from friendshore.models.pe.armington import (
    PESolution,
    calc_composite_price,
    calc_consumer_surplus,
    calc_demand,
    calc_producer_surplus,
    solve_pe,
)
from friendshore.models.pe.elasticities import (
    DEFAULT_EXPORT_SUPPLY,
    DEFAULT_IMPORT_DEMAND,
    DEFAULT_SUBSTITUTION,
    Elasticities,
    elasticities_for,
)
from friendshore.models.pe.linear import (
    calc_smart_creation,
    calc_smart_diversion,
    solve_gsim_linear,
    solve_smart,
)

__all__ = [
    "DEFAULT_EXPORT_SUPPLY",
    "DEFAULT_IMPORT_DEMAND",
    "DEFAULT_SUBSTITUTION",
    "Elasticities",
    "PESolution",
    "calc_composite_price",
    "calc_consumer_surplus",
    "calc_demand",
    "calc_producer_surplus",
    "calc_smart_creation",
    "calc_smart_diversion",
    "elasticities_for",
    "solve_gsim_linear",
    "solve_pe",
    "solve_smart",
]
