"""The planner's inputs as plain typed records and arrays (no engine, no file format).

``PlanProblem`` holds everything the optimisation needs, already resolved to numbers: products,
candidate supplier countries, coalition members, years, trade quantities, prices and the policy
parameters. ``planning.data`` builds it from the warehouse and a plan file; tests and the benchmark
build it directly. ``CommittedCapacity`` is the record for capacity already committed by investors
(the register's investments map onto it in a few lines).

Units. Each product has one quantity unit, ``t`` (tonnes) or ``kusd`` (thousand USD at base-year
prices, used when BACI quantities are too sparse); every quantity of that product (demand, imports,
exports, capacity, stock) is in that unit and quantities of different products are never added.
Money is in million USD (``musd``) inside the model; results convert it to USD.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

__all__ = [
    "INCLUDED_STATUSES",
    "ROLE_LEAD",
    "ROLE_OTHER",
    "ROLE_PARTNER",
    "STRATEGIES",
    "CapacityStatus",
    "CommittedCapacity",
    "CostParameters",
    "FloatArray",
    "PlanProblem",
    "QuantityUnit",
    "Strategy",
]

FloatArray = npt.NDArray[np.float64]
Strategy = Literal["status_quo", "reshoring", "friendshoring", "open"]
#: The strategies, each allowing everything the one before allows.
STRATEGIES: tuple[Strategy, ...] = ("status_quo", "reshoring", "friendshoring", "open")
QuantityUnit = Literal["t", "kusd"]
CapacityStatus = Literal["operating", "under-construction", "committed", "announced"]
#: Statuses counted as coming on line; ``announced`` only when the plan says so.
INCLUDED_STATUSES: tuple[CapacityStatus, ...] = ("operating", "under-construction", "committed")

#: Roles of a candidate supplier country: the lead importer(s), another coalition member, anyone else.
ROLE_OTHER, ROLE_PARTNER, ROLE_LEAD = 0, 1, 2


@dataclass(frozen=True)
class CommittedCapacity:
    """Capacity an investor has committed: counted as available supply from ``available_from`` on.

    ``capacity`` is annual, in ``unit`` (``t``: tonnes a year; ``kusd``: thousand USD a year at
    base-year prices). ``source_id`` and ``citation`` say where the fact comes from (the register's
    record id and its citation); the planner reports which records a plan relied on.
    """

    country: str
    hs6: str
    capacity: float
    unit: QuantityUnit
    available_from: date
    status: CapacityStatus
    source_id: str
    citation: str
    note: str = ""

    def first_year(self) -> int:
        """The first calendar year the capacity counts in full: its year if it starts on 1 January,
        else the next year."""
        d = self.available_from
        return d.year if (d.month, d.day) == (1, 1) else d.year + 1


@dataclass(frozen=True)
class CostParameters:
    """The cost parameters of a plan (the ones the sensitivity analysis draws), per product.

    ``capital_cost``: million USD per unit of annual capacity, per product and country (P x S);
    ``fixed_cost``: million USD per project (P); ``offtake_premium``: fraction of the supplier's
    price paid to redirect its supply (P); ``holding_cost_rate``: yearly cost of holding a unit of
    stock as a fraction of its price (P); ``discount_rate``: yearly.
    """

    capital_cost: FloatArray
    fixed_cost: FloatArray
    offtake_premium: FloatArray
    holding_cost_rate: FloatArray
    discount_rate: float


@dataclass(frozen=True)
class PlanProblem:
    """A coalition plan, resolved to arrays. P products, S candidate countries, M members, Y years.

    Per product (P): ``demand`` D (the coalition's yearly imports in scope), ``concern`` B (of which
    from countries of concern), ``concern_price`` (million USD per unit), ``weight`` (import value
    in kUSD, to average indicators over products), ``lead_time`` (years), ``max_expansion_ratio``,
    ``greenfield_share`` (new capacity a member may build with no output today, share of D),
    ``min_project`` (smallest project, share of D; 0 = no minimum), ``initial_stock`` (units).
    Per product and country (P x S): ``baseline`` N (imports from the country today),
    ``available`` (its exports outside the coalition, which offtake may redirect), ``output``
    (its exports to everyone: today's output as seen in trade), ``price`` (million USD per unit).
    ``committed`` (P x S x Y): committed capacity coming on line, per year. ``concern_baseline``
    (P x C): imports from each country of concern (for HHI).
    """

    products: tuple[str, ...]
    units: tuple[QuantityUnit, ...]
    countries: tuple[str, ...]
    role: npt.NDArray[np.int8]
    members: tuple[str, ...]
    years: tuple[int, ...]
    demand: FloatArray
    concern: FloatArray
    concern_price: FloatArray
    baseline: FloatArray
    available: FloatArray
    output: FloatArray
    price: FloatArray
    committed: FloatArray
    costs: CostParameters
    lead_time: npt.NDArray[np.int64]
    max_expansion_ratio: FloatArray
    greenfield_share: FloatArray
    min_project: FloatArray
    initial_stock: FloatArray
    gdp_share: FloatArray
    budget: FloatArray
    concern_cut: float
    disruption_start: int
    disruption_end: int
    target_share: float
    target_from: int
    max_supplier_share: float = 1.0
    burden_band: float | None = None
    weight: FloatArray = field(default_factory=lambda: np.zeros(0))
    concern_countries: tuple[str, ...] = ()
    concern_baseline: FloatArray = field(default_factory=lambda: np.zeros((0, 0)))
    mip_gap: float = 1e-6

    def __post_init__(self) -> None:
        P, S, M, Y = len(self.products), len(self.countries), len(self.members), len(self.years)
        shapes: dict[str, tuple[npt.NDArray[Any], tuple[int, ...]]] = {
            "demand": (self.demand, (P,)),
            "concern": (self.concern, (P,)),
            "concern_price": (self.concern_price, (P,)),
            "baseline": (self.baseline, (P, S)),
            "available": (self.available, (P, S)),
            "output": (self.output, (P, S)),
            "price": (self.price, (P, S)),
            "committed": (self.committed, (P, S, Y)),
            "capital_cost": (self.costs.capital_cost, (P, S)),
            "fixed_cost": (self.costs.fixed_cost, (P,)),
            "offtake_premium": (self.costs.offtake_premium, (P,)),
            "holding_cost_rate": (self.costs.holding_cost_rate, (P,)),
            "lead_time": (self.lead_time, (P,)),
            "max_expansion_ratio": (self.max_expansion_ratio, (P,)),
            "greenfield_share": (self.greenfield_share, (P,)),
            "min_project": (self.min_project, (P,)),
            "initial_stock": (self.initial_stock, (P,)),
            "gdp_share": (self.gdp_share, (M,)),
            "budget": (self.budget, (M,)),
            "role": (self.role, (S,)),
        }
        for name, (arr, shape) in shapes.items():
            if np.shape(arr) != shape:
                raise ValueError(f"PlanProblem.{name} has shape {np.shape(arr)}, expected {shape}")
        if len(self.units) != P:
            raise ValueError("PlanProblem.units needs one unit per product")
        if Y == 0 or list(self.years) != list(range(self.years[0], self.years[0] + Y)):
            raise ValueError("PlanProblem.years must be consecutive calendar years")
        if not 0.0 <= self.concern_cut <= 1.0:
            raise ValueError("concern_cut must be in [0, 1]")
        if np.any(self.concern > self.demand * (1 + 1e-12)):
            raise ValueError("imports from countries of concern exceed demand")

    # -- derived quantities ----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int, int, int]:
        return len(self.products), len(self.countries), len(self.members), len(self.years)

    def disrupted(self) -> npt.NDArray[np.bool_]:
        """Per year: is supply from countries of concern cut?"""
        y = np.asarray(self.years)
        return (y >= self.disruption_start) & (y <= self.disruption_end)

    def concern_available(self) -> FloatArray:
        """P x Y: what countries of concern still supply each year."""
        cut = np.where(self.disrupted(), 1.0 - self.concern_cut, 1.0)
        return np.asarray(self.concern[:, None] * cut[None, :], dtype=np.float64)

    def discount(self) -> FloatArray:
        """Per year: the discount factor ``(1 + r) ** -(year - first year)``."""
        t = np.arange(len(self.years), dtype=np.float64)
        return np.asarray((1.0 + self.costs.discount_rate) ** -t, dtype=np.float64)

    def concern_share_before(self) -> FloatArray:
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.asarray(np.where(self.demand > 0, self.concern / self.demand, 0.0), dtype=np.float64)

    def allowed(self, strategy: Strategy) -> npt.NDArray[np.bool_]:
        """Per country: may the strategy use it (offtake, new capacity)?"""
        if strategy == "status_quo":
            return np.zeros(len(self.countries), dtype=bool)
        if strategy == "reshoring":
            return np.asarray(self.role == ROLE_LEAD)
        if strategy == "friendshoring":
            return np.asarray(self.role >= ROLE_PARTNER)
        return np.ones(len(self.countries), dtype=bool)

    def expansion_cap(self) -> FloatArray:
        """P x S: the most new capacity a country may add over the horizon:
        ``max_expansion_ratio * output + greenfield_share * D`` (greenfield for members only)."""
        member = (self.role >= ROLE_PARTNER)[None, :]
        green = np.where(member, self.greenfield_share[:, None] * self.demand[:, None], 0.0)
        return np.asarray(self.max_expansion_ratio[:, None] * self.output + green, dtype=np.float64)

    def with_costs(self, costs: CostParameters) -> PlanProblem:
        return replace(self, costs=costs)

    def with_target(self, share: float) -> PlanProblem:
        return replace(self, target_share=share)
