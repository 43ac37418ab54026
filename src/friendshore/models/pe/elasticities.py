"""The three elasticities of the product-level model, product by product, with where each came from.

* substitution between suppliers ``sigma``: CEPII's ProTEE trade elasticity of the HS6 code,
  ``sigma = -elasticity`` (ProTEE estimates the response of trade values net of duty to
  ``1 + tariff``, which is ``-sigma`` under CES demand); where ProTEE has no value for the code, the
  mean of its codes in the same HS4 heading; else ``DEFAULT_SUBSTITUTION`` (an assumption: ProTEE's
  estimates are centred around -5);
* total import demand ``eta`` (a magnitude: demand falls by ``eta`` % when the import price index
  rises 1 %): ``DEFAULT_IMPORT_DEMAND``, an assumption (no product-level source is loaded);
* export supply ``epsilon``: ``DEFAULT_EXPORT_SUPPLY``, an assumption (short-run supply of the
  products studied here is far from SMART's infinitely elastic default).

Each can be overridden for every product at once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from friendshore.errors import UserError
from friendshore.sources.protee import ProteeRow

__all__ = [
    "DEFAULT_EXPORT_SUPPLY",
    "DEFAULT_IMPORT_DEMAND",
    "DEFAULT_SUBSTITUTION",
    "Elasticities",
    "elasticities_for",
]

DEFAULT_SUBSTITUTION = 5.0
DEFAULT_IMPORT_DEMAND = 1.25
DEFAULT_EXPORT_SUPPLY = 1.5


@dataclass(frozen=True)
class Elasticities:
    """One product's elasticities and the source of each (words for a note)."""

    hs6: str
    substitution: float
    import_demand: float
    export_supply: float
    substitution_source: str
    import_demand_source: str
    export_supply_source: str


def _positive(value: float, what: str) -> float:
    if not value == value or value < 0:  # NaN or negative
        raise UserError(f"the {what} must be a non-negative number (a magnitude), not {value}")
    return float(value)


def elasticities_for(
    codes: Sequence[str],
    protee: Mapping[str, ProteeRow] | None,
    *,
    substitution: float | None = None,
    import_demand: float | None = None,
    export_supply: float | None = None,
) -> dict[str, Elasticities]:
    """The elasticities of each HS6 code: overrides first, then ProTEE (HS6, then its HS4 mean),
    then the defaults (labelled as assumptions)."""
    hs4: dict[str, list[float]] = {}
    for row in (protee or {}).values():
        if row.elasticity is not None:
            hs4.setdefault(row.hs6[:4], []).append(row.elasticity)
    eta = _positive(import_demand, "import demand elasticity") if import_demand is not None else None
    eps = _positive(export_supply, "export supply elasticity") if export_supply is not None else None
    out = {}
    for code in codes:
        if substitution is not None:
            sigma, s_source = _positive(substitution, "substitution elasticity"), "given"
        else:
            found = (protee or {}).get(code)
            if found is not None and found.elasticity is not None:
                sigma = -found.elasticity
                s_source = "ProTEE 0.1, HS4 average" if found.hs4_average or found.positive else "ProTEE 0.1"
            elif code[:4] in hs4:
                values = hs4[code[:4]]
                sigma, s_source = -sum(values) / len(values), "ProTEE 0.1, mean of its HS4 heading"
            else:
                sigma, s_source = DEFAULT_SUBSTITUTION, "assumption (no ProTEE value)"
            if sigma <= 0:
                sigma, s_source = DEFAULT_SUBSTITUTION, "assumption (ProTEE's value is positive)"
        out[code] = Elasticities(
            code,
            sigma,
            eta if eta is not None else DEFAULT_IMPORT_DEMAND,
            eps if eps is not None else DEFAULT_EXPORT_SUPPLY,
            s_source,
            "given" if eta is not None else "assumption",
            "given" if eps is not None else "assumption",
        )
    return out
