"""Gravity scenarios as TOML files: data, cost coefficients, sigma and the counterfactual.

Example (``{sample_data}`` is replaced by the sample-data folder; other relative paths are read
from the scenario file's folder)::

    name = "US tariff on China"
    description = "25 % on China's exports to the US, 2006 baseline of Yotov et al. (2016)"

    [data]
    path = "{sample_data}/yotov_agtpa/1_TradeWithoutBorder.dta"
    year = 2006

    [costs]                    # t_ij^(1-sigma) = exp(sum of coefficient * variable)
    ln_dist = -0.791
    cntg = 0.674
    intl_brdr = -2.474
    # or estimate them in the run instead:
    # [estimate]
    # formula = "trade ~ ln_dist + cntg + intl_brdr | exporter + importer"

    [model]
    sigma = 7
    reference = "DEU"          # numeraire: this importer's consumer price index
    method = "exact"           # or "geppml" (the guide's iterative procedure)

    [[changes]]
    tariff = 0.25              # or: variable = "rta", value = 1
    exporters = ["CHN"]
    importers = ["USA"]

Trade costs from pair fixed effects (Anderson & Yotov's two-stage procedure, the guide's chapter 2
application 2; ``friendshore.models.gravity.pair_costs``) instead of ``[costs]``/``[estimate]``::

    [data]
    path = "{sample_data}/yotov_agtpa/Chapter2Application2.dta"
    years = [1986, 1990, 1994, 1998, 2002, 2006]   # the panel of stage 1
    year = 1994                                      # the baseline year

    [pair_costs]
    policy = ["rta"]                                 # estimated with the pair fixed effects
    fill = ["ln_dist", "cntg", "lang", "clny"]       # stage 2: fills pairs that never trade

    [model]
    sigma = 7
    report = "baseline_vs_counterfactual"            # the effect of the policy in place (see below)

``report``: ``"counterfactual_vs_baseline"`` (default) gives percent changes from the baseline to
the counterfactual; ``"baseline_vs_counterfactual"`` reads the experiment backwards, as the guide
reports the effects of NAFTA: ``100 (baseline / counterfactual - 1)``, the effect of the policy in
place (the baseline) relative to a world without it (the counterfactual); the pair table's level
columns are swapped to match (``trade_baseline`` then holds the level without the policy).

``sigma`` must lie in [``MIN_SIGMA``, ``MAX_SIGMA``]: the model's formulas raise to the power
``1/(1 - sigma)``, which overflows as ``sigma`` approaches 1. Paths: absolute, inside the
scenario's folder, or ``{sample_data}/...`` (``..`` may not leave those folders). Data files larger
than ``MAX_DATA_BYTES`` are refused.

Data formats (``[data] format``, else from the file suffix): ``yotov`` (.dta), ``yotov-rda`` (.rda),
``gegravity-sample`` (.dlm), ``csv``, ``parquet``. ``ln_dist`` (from ``dist``) and ``intl_brdr``
(1 unless exporter == importer) are added when absent. Errors name the file and the field.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from friendshore.errors import DataSourceError, SchemaError
from friendshore.models.gravity.baseline import (
    MAX_SIGMA,
    MIN_SIGMA,
    CostChange,
    GEBaseline,
    SetVariable,
    Tariff,
    build_baseline,
)
from friendshore.models.gravity.estimate import GravityEstimates, estimate_gravity
from friendshore.models.gravity.ge import GESimulation, reverse_report, simulate
from friendshore.models.gravity.pair_costs import PairCosts, estimate_pair_costs
from friendshore.sources.checks import require_nonempty
from friendshore.sources.gegravity_sample import read_gegravity_sample
from friendshore.sources.user_files import (
    MAX_DATA_BYTES,
    read_toml_model,
    require_size,
    resolve_user_path,
)
from friendshore.sources.yotov import read_yotov_applications, read_yotov_panel

__all__ = [
    "ChangeSpec",
    "DataFormat",
    "DataSpec",
    "EstimateSpec",
    "ModelSpec",
    "PairCostsSpec",
    "Scenario",
    "ScenarioRun",
    "add_gravity_variables",
    "load_bilateral",
    "load_scenario",
    "run_scenario",
]

DataFormat = Literal["yotov", "yotov-rda", "gegravity-sample", "csv", "parquet"]
_SUFFIX: dict[str, DataFormat] = {
    ".dta": "yotov",
    ".rda": "yotov-rda",
    ".dlm": "gegravity-sample",
    ".csv": "csv",
    ".parquet": "parquet",
}


class _Spec(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class DataSpec(_Spec):
    path: str = Field(max_length=4096)
    format: DataFormat | None = None
    year: int | None = Field(default=None, ge=1800, le=2200)
    years: list[int] | None = Field(default=None, min_length=2, max_length=300)
    exporter: str = "exporter"
    importer: str = "importer"
    trade: str = "trade"
    output: str | None = None
    expenditure: str | None = None


class EstimateSpec(_Spec):
    formula: str = Field(description="pyfixest formula, e.g. 'trade ~ ln_dist + cntg | exporter + importer'")
    vcov: Literal["cluster", "hetero", "iid"] = "hetero"
    cluster: str | None = None


class PairCostsSpec(_Spec):
    policy: list[str] = Field(min_length=1, max_length=50)
    fill: list[str] = Field(min_length=1, max_length=50)
    pair: str = "pair_id"
    vcov: Literal["hetero", "cluster"] = "hetero"


class ModelSpec(_Spec):
    sigma: float = Field(
        ge=MIN_SIGMA, le=MAX_SIGMA, allow_inf_nan=False, description="elasticity of substitution"
    )
    reference: str = "DEU"
    method: Literal["exact", "geppml"] = "exact"
    market_clearing: Literal["yotov2016", "gegravity"] = "yotov2016"
    report: Literal["counterfactual_vs_baseline", "baseline_vs_counterfactual"] = "counterfactual_vs_baseline"


class ChangeSpec(_Spec):
    variable: str | None = None
    value: float | None = Field(default=None, allow_inf_nan=False)
    #: A subsidy of more than 90 % drives the trade cost factor towards zero and the model to
    #: numbers without meaning (-0.9999999999 "converged" to +2.5e11 % real GDP): refused.
    tariff: float | None = Field(default=None, ge=-0.9, le=100, allow_inf_nan=False)
    elasticity: float | None = Field(default=None, gt=0, le=100, allow_inf_nan=False)
    exporters: list[str] | None = None
    importers: list[str] | None = None
    symmetric: bool = False
    domestic: bool = False

    @model_validator(mode="after")
    def _one_kind(self) -> ChangeSpec:
        if (self.tariff is None) == (self.variable is None):
            raise ValueError("give either 'tariff' or 'variable' (with 'value'), not both or neither")
        if self.variable is not None and self.value is None:
            raise ValueError(f"'variable = \"{self.variable}\"' needs a 'value'")
        if self.tariff is None and self.elasticity is not None:
            raise ValueError("'elasticity' applies to a 'tariff' only")
        return self

    def to_change(self) -> CostChange:
        exporters = tuple(self.exporters) if self.exporters is not None else None
        importers = tuple(self.importers) if self.importers is not None else None
        if self.tariff is not None:
            return Tariff(self.tariff, exporters, importers, self.symmetric, self.elasticity, self.domestic)
        assert self.variable is not None
        assert self.value is not None
        return SetVariable(self.variable, self.value, exporters, importers, self.symmetric, self.domestic)


class Scenario(_Spec):
    name: str = ""
    description: str = ""
    data: DataSpec
    costs: dict[str, float] = Field(default_factory=dict)
    estimate: EstimateSpec | None = None
    pair_costs: PairCostsSpec | None = None
    model: ModelSpec
    changes: list[ChangeSpec] = Field(min_length=1, max_length=1000)

    @model_validator(mode="after")
    def _coefficients(self) -> Scenario:
        given = [bool(self.costs), self.estimate is not None, self.pair_costs is not None]
        if sum(given) != 1:
            raise ValueError(
                "give the trade costs exactly one way: coefficients in [costs], an [estimate] formula, "
                "or [pair_costs] (pair fixed effects)"
            )
        if self.pair_costs is not None and self.data.year is None:
            raise ValueError("[pair_costs] needs the baseline year in [data] year")
        roles = {
            self.data.exporter: "exporter",
            self.data.importer: "importer",
            self.data.trade: "trade",
            "year": "year",
            self.data.output or "": "output",
            self.data.expenditure or "": "expenditure",
        }
        for name, coefficient in self.costs.items():
            if name in roles:
                raise ValueError(
                    f"[costs] '{name}' is the data's {roles[name]} column, not a trade-cost variable "
                    "(such as ln_dist or cntg)"
                )
            if not math.isfinite(coefficient) or abs(coefficient) > 100:
                raise ValueError(f"[costs] '{name}' = {coefficient} is not a coefficient in -100..100")
        return self


@dataclass(frozen=True)
class ScenarioRun:
    """What ``run_scenario`` returns: the simulation, its baseline and the estimates if any."""

    scenario: Scenario
    baseline: GEBaseline
    simulation: GESimulation
    estimates: GravityEstimates | None = None
    pair_costs: PairCosts | None = None


def load_scenario(path: Path) -> Scenario:
    """Read and validate a scenario file; ``SchemaError`` names the file, line or field at fault."""
    return read_toml_model(
        path, Scenario, hint="see the scenario format in 'friendshore gravity simulate --help'"
    )


def add_gravity_variables(
    frame: pd.DataFrame, *, exporter: str = "exporter", importer: str = "importer"
) -> pd.DataFrame:
    """Add ``ln_dist = log(dist)`` and ``intl_brdr = 1[exporter != importer]`` when absent."""
    out = frame
    if "ln_dist" not in out.columns and "dist" in out.columns:
        out = out.assign(ln_dist=np.log(out["dist"].astype(float)))
    if "intl_brdr" not in out.columns and exporter in out.columns and importer in out.columns:
        out = out.assign(intl_brdr=(out[exporter] != out[importer]).astype(float))
    return out


def load_bilateral(path: Path, *, format: DataFormat | None = None) -> pd.DataFrame:
    """Read a bilateral table by format (or file suffix), with ``add_gravity_variables`` applied."""
    path = Path(path)
    require_size(path, MAX_DATA_BYTES, what="bilateral data file")
    kind = format or _SUFFIX.get(path.suffix.lower())
    if kind is None:
        raise DataSourceError(
            f"cannot tell the format of '{path.name}'",
            file=path,
            hint=f"set [data] format to one of {list(_SUFFIX.values())}",
        )
    if kind == "yotov":
        frame = read_yotov_panel(path)
    elif kind == "yotov-rda":
        frame = read_yotov_applications(path)
    elif kind == "gegravity-sample":
        frame = read_gegravity_sample(path)
    else:
        require_nonempty(path)
        try:
            frame = pd.read_csv(path) if kind == "csv" else pd.read_parquet(path)
        except (ValueError, OSError, UnicodeDecodeError) as exc:
            raise DataSourceError(f"not a readable {kind} file ({exc})", file=path) from None
    return add_gravity_variables(frame)


def run_scenario(
    scenario: Scenario,
    *,
    scenario_dir: Path,
    sample_data: Path | None = None,
    scenario_file: Path | None = None,
) -> ScenarioRun:
    """Load the data, estimate or take the coefficients, build the baseline and simulate."""
    spec = scenario.data
    path = resolve_user_path(
        spec.path, base=scenario_dir, sample_data=sample_data, file=scenario_file, field="data.path"
    )
    frame = load_bilateral(path, format=spec.format)
    pair_costs = None
    if scenario.pair_costs is not None:
        assert spec.year is not None
        if "year" not in frame.columns:
            raise SchemaError("[pair_costs] needs a panel with a year column", file=path, field="year")
        pc = scenario.pair_costs
        pair_costs = estimate_pair_costs(
            frame,
            policy=pc.policy,
            fill=pc.fill,
            year=spec.year,
            years=spec.years,
            pair=pc.pair,
            exporter=spec.exporter,
            importer=spec.importer,
            trade=spec.trade,
            vcov=pc.vcov,
        )
        frame = pair_costs.frame
    elif spec.year is not None and "year" in frame.columns:
        frame = frame.loc[frame["year"] == spec.year]
    estimates = None
    coefficients = dict(scenario.costs)
    if pair_costs is not None:
        coefficients = pair_costs.coefficients
    elif scenario.estimate is not None:
        estimates = estimate_gravity(
            frame, scenario.estimate.formula, vcov=scenario.estimate.vcov, cluster=scenario.estimate.cluster
        )
        coefficients = estimates.coefficients
    baseline = build_baseline(
        frame,
        coefficients=coefficients,
        sigma=scenario.model.sigma,
        reference=scenario.model.reference,
        exporter=spec.exporter,
        importer=spec.importer,
        trade=spec.trade,
        output=spec.output,
        expenditure=spec.expenditure,
        year=spec.year if "year" in frame.columns else None,
    )
    simulation = simulate(
        baseline,
        [c.to_change() for c in scenario.changes],
        method=scenario.model.method,
        market_clearing=scenario.model.market_clearing,
    )
    if scenario.model.report == "baseline_vs_counterfactual":
        simulation = reverse_report(simulation)
    simulation = replace(
        simulation,
        meta={
            **simulation.meta,
            "scenario": scenario.name,
            "data": str(path),
            "report": scenario.model.report,
        },
    )
    return ScenarioRun(
        scenario=scenario,
        baseline=baseline,
        simulation=simulation,
        estimates=estimates,
        pair_costs=pair_costs,
    )
