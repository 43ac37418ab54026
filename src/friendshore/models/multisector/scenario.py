"""Multi-sector scenarios as TOML files (``friendshore simulate SCENARIO.toml``).

Example (the shipped ``friendshore/models/multisector/examples/``)::

    name = "China stops exports of computer, electronic and optical products (C17) to the US"

    [baseline]
    source = "wiod-kite"          # or "cp2015", or "kite-files" with path = "folder/"
    deficits = "data"             # or "zero": rebalance first (CP 2015's NAFTA experiment)

    [solver]                      # optional
    damping = 0.5
    tolerance = 1e-10
    max_iterations = 2000

    [report]                      # optional: what the main table shows
    countries = ["USA", "CHN", "IND"]
    importer = "USA"              # trade diversion into this importer ...
    sector = "C17"                # ... in this sector

    [[changes]]
    kind = "trade_cost"           # tariff | export_tax | trade_cost | decouple
    exporters = ["CHN"]
    importers = ["USA"]
    sectors = ["C17"]
    prohibitive = true

Per kind: ``tariff`` takes exactly one of ``rate`` (new level, >= 0), ``add``, ``scale`` (>= 0) or
``to = "cp2015-2005"``; ``export_tax`` takes ``rate`` (>= 0); ``trade_cost`` takes ``factor`` (> 0)
or ``prohibitive = true``; ``decouple`` takes ``group_a``, ``group_b`` and ``cost`` (>= 0, the
extra iceberg cost: 0.5 = 50 %) or ``prohibitive``. Countries may be ISO3 codes, the baseline's own
codes (``ROW``) or group names (``quad``, ``eu27``, ...), resolved at ``members_at`` (default:
today). Unknown keys, wrong types and impossible values are refused with the file and the field.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from friendshore.sources.user_files import read_toml_model

__all__ = [
    "BaselineSpec",
    "ChangeSpec",
    "ReportSpec",
    "Scenario",
    "SolverSpec",
    "load_scenario",
]

_KINDS = ("tariff", "export_tax", "trade_cost", "decouple")
#: The fields each kind of change may set (besides ``kind``).
_ALLOWED = {
    "tariff": {"rate", "add", "scale", "to", "exporters", "importers", "sectors", "symmetric"},
    "export_tax": {"rate", "exporters", "importers", "sectors", "symmetric"},
    "trade_cost": {"factor", "prohibitive", "exporters", "importers", "sectors", "symmetric"},
    "decouple": {"group_a", "group_b", "cost", "prohibitive", "sectors"},
}
Code = str


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class BaselineSpec(_Spec):
    source: Literal["cp2015", "wiod-kite", "kite-files"] = "wiod-kite"
    deficits: Literal["data", "zero"] = "data"
    path: str | None = Field(default=None, max_length=4096)

    @model_validator(mode="after")
    def _path(self) -> BaselineSpec:
        if (self.source == "kite-files") != (self.path is not None):
            raise ValueError(
                "'path' is given with source = \"kite-files\" (a folder of KITE files) and only then"
            )
        return self


class SolverSpec(_Spec):
    damping: float = Field(default=0.5, gt=0, le=1)
    tolerance: float = Field(default=1e-10, gt=0, le=1e-4)
    max_iterations: int = Field(default=2000, ge=1, le=100_000)


class ReportSpec(_Spec):
    countries: list[Code] | None = Field(default=None, max_length=500)
    importer: Code | None = None
    exporter: Code | None = None
    sector: Code | None = None


class ChangeSpec(_Spec):
    kind: Literal["tariff", "export_tax", "trade_cost", "decouple"]
    exporters: list[Code] | None = Field(default=None, min_length=1, max_length=500)
    importers: list[Code] | None = Field(default=None, min_length=1, max_length=500)
    sectors: list[Code] | None = Field(default=None, min_length=1, max_length=500)
    symmetric: bool = False
    rate: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    add: float | None = Field(default=None, ge=-100, le=100, allow_inf_nan=False)
    scale: float | None = Field(default=None, ge=0, le=100, allow_inf_nan=False)
    to: Literal["cp2015-2005"] | None = None
    factor: float | None = Field(default=None, gt=0, le=1e6, allow_inf_nan=False)
    prohibitive: bool = False
    group_a: list[Code] | None = Field(default=None, min_length=1, max_length=500)
    group_b: list[Code] | None = Field(default=None, min_length=1, max_length=500)
    cost: float | None = Field(default=None, ge=0, le=1e6, allow_inf_nan=False)

    @model_validator(mode="after")
    def _fields_of_kind(self) -> ChangeSpec:
        given = {name for name in self.model_fields_set if name != "kind"}
        extra = sorted(given - _ALLOWED[self.kind])
        if extra:
            raise ValueError(
                f"a '{self.kind}' change takes no '{extra[0]}' (it takes {sorted(_ALLOWED[self.kind])})"
            )
        if (
            self.kind == "tariff"
            and sum(v is not None for v in (self.rate, self.add, self.scale, self.to)) != 1
        ):
            raise ValueError("a tariff change takes exactly one of rate, add, scale or to")
        if self.kind == "export_tax" and self.rate is None:
            raise ValueError("an export_tax change needs a 'rate' (0.25 = 25 %)")
        if self.kind == "trade_cost" and (self.factor is None) == (not self.prohibitive):
            raise ValueError("a trade_cost change takes either 'factor' or 'prohibitive = true'")
        if self.kind == "decouple":
            if self.group_a is None or self.group_b is None:
                raise ValueError("a decouple change needs group_a and group_b")
            if (self.cost is None) == (not self.prohibitive):
                raise ValueError("a decouple change takes either 'cost' or 'prohibitive = true'")
        return self


class Scenario(_Spec):
    name: str = Field(default="", max_length=300)
    description: str = Field(default="", max_length=5000)
    members_at: date | None = None
    baseline: BaselineSpec = Field(default_factory=BaselineSpec)
    solver: SolverSpec = Field(default_factory=SolverSpec)
    report: ReportSpec = Field(default_factory=ReportSpec)
    changes: list[ChangeSpec] = Field(min_length=1, max_length=1000)


def load_scenario(path: Path) -> Scenario:
    """Read and validate a multi-sector scenario file."""
    return read_toml_model(path, Scenario, hint="see the scenario format in 'friendshore simulate --help'")
