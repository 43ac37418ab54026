"""Plan files (TOML), validated with pydantic: every parameter of a plan, with where it comes from.

A plan file names a coalition, the products, a disruption, targets and the parameters of the
instruments. Every number that is not read from data is a field here; a cost parameter may give a
range (``low``, ``high``) that ``--draws`` draws from, and a ``source`` (a citation, or
"assumption, adjust it"). There is no hidden constant: what is not in the file takes the default
written in this module, which the docs list (docs/methods/planner.md). Errors name the file and
the field. The shipped examples are in ``friendshore/planning/examples/``.

    name = "magnets"
    [coalition]
    members = "pax-silica"           # a group name, or a list of ISO3 codes
    members_at = 2026-03-01
    lead = ["USA"]                   # reshoring = new capacity and offtake in these only
    concern = "countries-of-concern"
    [products]
    codes = ["850511"]
    year = 2024                      # trade year (default: the latest loaded)
    [horizon]
    start = 2026
    years = 10
    discount_rate = { value = 0.05, low = 0.03, high = 0.08, source = "assumption, adjust it" }
    [disruption]
    concern_cut = 0.5
    start = 2028
    [targets]
    concern_share = 0.5
    from = 2030
    max_supplier_share = 0.5
    [instruments]
    capital_intensity = { value = 1.5, low = 1.0, high = 3.0, source = "assumption, adjust it" }
    lead_time_years = 3
    ...
    [burden]
    band = 0.5
    budgets_musd = { USA = 2000 }
    [[committed]]                    # capacity committed by investors (see CommittedCapacity)
"""

from __future__ import annotations

import math
import re
import tomllib
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from friendshore.errors import DataSourceError, UnknownCodeError
from friendshore.planning.problem import CapacityStatus, CommittedCapacity, QuantityUnit
from friendshore.sources.user_files import toml_error, validation_error

__all__ = [
    "EXAMPLES",
    "CommittedSpec",
    "Param",
    "PlanSpec",
    "example_path",
    "load_plan",
    "load_plan_text",
]

_HS6 = re.compile(r"^\d{6}$")
_ISO3 = re.compile(r"^[A-Z]{3}$")


#: No number of a plan is anywhere near this (money is in millions of USD): inf or 1e300 would end
#: as a solver status ("HiGHS stopped with status 'Empty'") instead of naming the field.
_MAX_NUMBER = 1e12


def _implausible(key: str, value: Any) -> str | None:
    if isinstance(value, dict):
        return next((m for k, v in value.items() if (m := _implausible(f"{key}.{k}", v))), None)
    number = isinstance(value, int | float) and not isinstance(value, bool)
    if number and (not math.isfinite(value) or abs(value) > _MAX_NUMBER):
        return f"'{key}' = {value} is not a plausible number (finite, at most {_MAX_NUMBER:g} in size)"
    return None


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False)

    @model_validator(mode="before")
    @classmethod
    def _plausible_numbers(cls, data: Any) -> Any:
        if isinstance(data, dict):
            problem = next((m for k, v in data.items() if (m := _implausible(str(k), v))), None)
            if problem:
                raise ValueError(problem)
        return data


class Param(_Spec):
    """A number with the range the sensitivity analysis draws from and where it comes from."""

    value: float
    low: float | None = None
    high: float | None = None
    source: str = ""

    @model_validator(mode="after")
    def _range(self) -> Param:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high', or neither")
        if self.low is not None and self.high is not None and not self.low <= self.value <= self.high:
            raise ValueError(f"value {self.value} is outside its range [{self.low}, {self.high}]")
        return self

    @property
    def ranged(self) -> bool:
        return self.low is not None and self.high is not None and self.high > self.low


def _param(cls: Any, value: Any) -> Any:
    """A bare number stands for ``{ value = number }``."""
    return {"value": value} if isinstance(value, int | float) and not isinstance(value, bool) else value


NumberOrParam = Annotated[Param, Field()]


class CoalitionSpec(_Spec):
    members: str | list[str] = Field(description="group name or ISO3 codes of the members (who pay)")
    members_at: date | None = Field(default=None, description="date groups are resolved at")
    lead: list[str] = Field(min_length=1, description="the importer(s) whose own capacity is 'reshoring'")
    concern: str | list[str] = "countries-of-concern"
    include_intra: bool = Field(
        default=False, description="count imports between members as demand (default: from outside only)"
    )

    @field_validator("lead")
    @classmethod
    def _iso3(cls, value: list[str]) -> list[str]:
        out = [v.strip().upper() for v in value]
        bad = [v for v in out if not _ISO3.match(v)]
        if bad:
            raise ValueError(f"not ISO3 codes: {', '.join(bad)}")
        return out


class ProductsSpec(_Spec):
    codes: list[str] = Field(min_length=1)
    year: int | None = Field(default=None, ge=1995, le=2100)
    min_quantity_coverage: float = Field(
        default=0.9,
        ge=0,
        le=1,
        description="share of trade value with a BACI quantity needed to plan in tonnes",
    )

    @field_validator("codes")
    @classmethod
    def _hs6(cls, value: list[str]) -> list[str]:
        bad = [c for c in value if not _HS6.match(c)]
        if bad:
            raise ValueError(f"not HS6 codes (6 digits, as text): {', '.join(bad)}")
        return sorted(set(value))


class HorizonSpec(_Spec):
    start: int = Field(ge=1995, le=2100)
    years: int = Field(ge=1, le=50)
    discount_rate: NumberOrParam = Field(default=Param(value=0.05, source="assumption, adjust it"))
    report_year: int | None = None

    _p = field_validator("discount_rate", mode="before")(_param)

    @model_validator(mode="after")
    def _check(self) -> HorizonSpec:
        if not -0.5 < self.discount_rate.value < 1 or (self.discount_rate.low or 0) <= -0.5:
            raise ValueError("discount_rate must be between -0.5 and 1")
        if self.report_year is not None and not self.start <= self.report_year < self.start + self.years:
            raise ValueError("report_year must be a year of the horizon")
        return self


class DisruptionSpec(_Spec):
    concern_cut: float = Field(ge=0, le=1, description="share of supply from countries of concern cut")
    start: int
    end: int | None = None


class TargetsSpec(_Spec):
    concern_share: float = Field(default=1.0, ge=0, le=1)
    from_year: int | None = Field(default=None, alias="from")
    max_supplier_share: float = Field(default=1.0, gt=0, le=1)


class InstrumentSpec(_Spec):
    """Parameters of the instruments; ``[instruments.product."HS6"]`` overrides them per product."""

    capital_cost_usd_per_tpy: NumberOrParam | None = None
    capital_intensity: NumberOrParam | None = None
    fixed_cost_musd: NumberOrParam = Field(default=Param(value=0.0))
    min_project_share: float = Field(default=0.0, ge=0, le=1)
    lead_time_years: int = Field(default=3, ge=0, le=30)
    max_expansion_ratio: float = Field(default=1.0, ge=0)
    greenfield_share: float = Field(default=0.25, ge=0)
    offtake_premium: NumberOrParam = Field(default=Param(value=0.1, source="assumption, adjust it"))
    holding_cost_rate: NumberOrParam = Field(default=Param(value=0.05, source="assumption, adjust it"))
    initial_stock_share: float = Field(default=0.0, ge=0)
    capital_cost_factor: dict[str, float] = Field(default_factory=dict)

    _p = field_validator(
        "capital_cost_usd_per_tpy", "capital_intensity", "fixed_cost_musd", "offtake_premium",
        "holding_cost_rate", mode="before",
    )(_param)  # fmt: skip

    @model_validator(mode="after")
    def _check(self) -> InstrumentSpec:
        for name in ("capital_cost_usd_per_tpy", "capital_intensity", "fixed_cost_musd", "offtake_premium",
                     "holding_cost_rate"):  # fmt: skip
            p = getattr(self, name)
            if p is not None and (p.value < 0 or (p.low is not None and p.low < 0)):
                raise ValueError(f"{name} must be >= 0")
        bad = [c for c in self.capital_cost_factor if not _ISO3.match(c)]
        if bad:
            raise ValueError(f"capital_cost_factor: not ISO3 codes: {', '.join(bad)}")
        if any(v <= 0 for v in self.capital_cost_factor.values()):
            raise ValueError("capital_cost_factor values must be > 0")
        return self


class InstrumentsSpec(InstrumentSpec):
    product: dict[str, InstrumentSpec] = Field(default_factory=dict)

    def for_product(self, hs6: str) -> InstrumentSpec:
        """The defaults with the product's overrides (the fields it sets) applied."""
        base = self.model_dump(exclude={"product"}, exclude_none=True)
        override = self.product.get(hs6)
        if override is not None:
            base.update(override.model_dump(include=set(override.model_fields_set)))
            if "capital_intensity" in override.model_fields_set:
                base.pop("capital_cost_usd_per_tpy", None)
            if "capital_cost_usd_per_tpy" in override.model_fields_set:
                base.pop("capital_intensity", None)
        return InstrumentSpec.model_validate(base)


class BurdenSpec(_Spec):
    band: float | None = Field(default=None, ge=0, description="relative band around each GDP share")
    gdp_year: int | None = None
    budgets_musd: dict[str, float] = Field(default_factory=dict)

    @field_validator("budgets_musd")
    @classmethod
    def _budgets(cls, value: dict[str, float]) -> dict[str, float]:
        bad = [c for c in value if not _ISO3.match(c)]
        if bad:
            raise ValueError(f"not ISO3 codes: {', '.join(bad)}")
        if any(v < 0 for v in value.values()):
            raise ValueError("budgets must be >= 0")
        return value


class CommittedSpec(_Spec):
    """One committed capacity (see ``CommittedCapacity``)."""

    country: str
    hs6: str
    capacity: float = Field(gt=0)
    unit: QuantityUnit
    available_from: date
    status: CapacityStatus
    source_id: str = Field(min_length=1)
    citation: str = Field(min_length=1)
    note: str = ""

    def record(self) -> CommittedCapacity:
        return CommittedCapacity(
            country=self.country.upper(),
            hs6=self.hs6,
            capacity=self.capacity,
            unit=self.unit,
            available_from=self.available_from,
            status=self.status,
            source_id=self.source_id,
            citation=self.citation,
            note=self.note,
        )


class PlanSpec(_Spec):
    name: str = ""
    title: str = ""
    description: str = ""
    coalition: CoalitionSpec
    products: ProductsSpec
    horizon: HorizonSpec
    disruption: DisruptionSpec
    targets: TargetsSpec = TargetsSpec()
    instruments: InstrumentsSpec = InstrumentsSpec()
    burden: BurdenSpec = BurdenSpec()
    include_announced: bool = False
    committed: list[CommittedSpec] = Field(default_factory=list)
    mip_gap: float = Field(default=1e-6, gt=0, lt=1)

    @model_validator(mode="after")
    def _check(self) -> PlanSpec:
        first, last = self.horizon.start, self.horizon.start + self.horizon.years - 1
        if not first <= self.disruption.start <= last:
            raise ValueError(f"disruption.start must be a year of the horizon ({first}-{last})")
        if self.disruption.end is not None and self.disruption.end < self.disruption.start:
            raise ValueError("disruption.end is before disruption.start")
        if self.targets.from_year is not None and not first <= self.targets.from_year <= last:
            raise ValueError(f"targets.from must be a year of the horizon ({first}-{last})")
        unknown = sorted(set(self.instruments.product) - set(self.products.codes))
        if unknown:
            raise ValueError(f"instruments.product names codes not in products.codes: {', '.join(unknown)}")
        for code in self.products.codes:
            spec = self.instruments.for_product(code)
            if (spec.capital_cost_usd_per_tpy is None) == (spec.capital_intensity is None):
                raise ValueError(
                    f"give exactly one of capital_cost_usd_per_tpy or capital_intensity for {code} "
                    '(in [instruments] or [instruments.product."' + code + '"])'
                )
        return self

    @property
    def target_from(self) -> int:
        return self.targets.from_year if self.targets.from_year is not None else self.horizon.start

    @property
    def disruption_end(self) -> int:
        last = self.horizon.start + self.horizon.years - 1
        return self.disruption.end if self.disruption.end is not None else last

    def committed_records(self) -> list[CommittedCapacity]:
        return [c.record() for c in self.committed]


#: The shipped example plans: name -> file in friendshore/planning/examples/.
EXAMPLES: dict[str, str] = {
    "magnets": "magnets.toml",
    "gallium-germanium": "gallium_germanium.toml",
}


def example_path(name: str) -> Path:
    """The file of a shipped example plan."""
    if name not in EXAMPLES:
        raise UnknownCodeError(f"no example plan '{name}' (shipped: {', '.join(sorted(EXAMPLES))})")
    return Path(str(files("friendshore.planning").joinpath("examples", EXAMPLES[name])))


def load_plan_text(text: str, *, file: str | Path = "<plan>") -> PlanSpec:
    """Validate plan TOML text; ``SchemaError`` names the file, line or field at fault."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, file) from None
    try:
        return PlanSpec.model_validate(raw)
    except ValidationError as exc:
        hint = "the plan format is in docs/methods/planner.md"
        raise validation_error(exc, file, hint=hint, drop=("float", "Param", "str", "list[str]")) from None


def load_plan(path: Path) -> PlanSpec:
    """Read and validate a plan file."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError("plan file not found", file=path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"not UTF-8 text ({exc})", file=path) from None
    return load_plan_text(text, file=path)
