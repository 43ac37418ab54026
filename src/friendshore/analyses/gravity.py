"""What would a tariff or a trade cost change do? Structural gravity: PPML estimates and general-
equilibrium counterfactuals with trade diversion.

Methods: ``friendshore.models.gravity`` and docs/methods/gravity.md (Yotov et al. 2016).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.errors import UserError
from friendshore.settings import Settings

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Estimator", "Output", "estimate", "simulate"]

Estimator = Literal["ppml", "ols"]
Output = Literal["countries", "pairs", "diversion", "diagnostics"]

_PCT = "pct"


def _table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)


def estimate(
    settings: Settings,
    *,
    data: Path,
    formula: str,
    year: int | None = None,
    estimator: Estimator = "ppml",
    cluster: str | None = None,
    international_only: bool = False,
) -> Result:
    """Estimate a gravity equation by PPML (or OLS) with high-dimensional fixed effects (pyfixest).

    ``data``: .dta (Yotov), .rda, .dlm (gegravity), .csv or .parquet; ``ln_dist`` and ``intl_brdr``
    are added when absent. Standard errors are robust, or clustered by ``cluster``.

    Parameters
    ----------
    data
        Bilateral data: .dta (Yotov), .rda, .dlm (gegravity), .csv, .parquet.
    formula
        pyfixest formula, e.g. 'trade ~ ln_dist + cntg + intl_brdr | exporter + importer' or 'trade ~ rta |
        exporter^year + importer^year + pair_id'.
    year
        Keep only this year.
    estimator
        ppml (fepois) or ols (feols).
    cluster
        Cluster standard errors by this column (default: robust, unclustered).
    international_only
        Drop domestic flows (exporter == importer).
    """
    from friendshore.models.gravity.estimate import estimate_gravity
    from friendshore.models.gravity.scenario import load_bilateral

    frame = load_bilateral(Path(data))
    if year is not None:
        if "year" not in frame.columns:
            raise UserError(f"a year was given but {Path(data).name} has no year column")
        frame = frame.loc[frame["year"] == year]
        if frame.empty:
            raise UserError(f"{Path(data).name} has no rows for {year}")
    if international_only:
        frame = frame.loc[frame["exporter"] != frame["importer"]]
    fit = estimate_gravity(
        frame, formula, estimator=estimator, vcov="cluster" if cluster else "hetero", cluster=cluster
    )
    table = _table(fit.tidy())
    described = (
        Column("term", "term", "text", True),
        Column("estimate", "estimate", "number", True),
        Column("std_error", "std. error", "number", True),
        Column("statistic", "z", "index", True),
        Column("p_value", "p", "index", True),
        Column("ci_low", "95% low", "index", True),
        Column("ci_high", "95% high", "index", True),
    )
    notes = (
        f"{fit.estimator.upper()} on {fit.nobs} observations ({fit.nobs_dropped} dropped), "
        f"standard errors {fit.vcov}",
    )
    return Result(
        "gravity-estimate",
        fit.formula,
        table,
        {
            "data": str(data),
            "formula": formula,
            "year": year,
            "estimator": estimator,
            "cluster": cluster,
            "international_only": international_only,
            "nobs": fit.nobs,
        },
        (),
        notes,
        tuple(c for c in described if c.name in table.column_names),
        sources=(str(data),),
    )


def simulate(
    settings: Settings,
    *,
    scenario: Path,
    output: Output = "countries",
    importer: str | None = None,
) -> Result:
    """Simulate a scenario file's counterfactual in general equilibrium (conditional and full).

    ``output``: ``countries`` (per-country percent changes), ``pairs`` (bilateral trade),
    ``diversion`` (each exporter's change in sales to ``importer``; default: the importer of the
    scenario's first change with a single importer) or ``diagnostics`` (the solver's stages).
    Every table is also in ``Result.tables``.

    Parameters
    ----------
    scenario
        Scenario file (TOML): [data], [costs] or [estimate], [model], [[changes]]; or the name of a
        shipped example (e.g. us_china_tariff; GET /api/examples lists them).
    output
        countries (per-country changes), pairs (bilateral trade), diversion (exports into --importer) or
        diagnostics (solver).
    importer
        For --output diversion: the importer (default: the first tariff's importer).
    """
    from friendshore.models.examples import scenario_path
    from friendshore.models.gravity.scenario import load_scenario, run_scenario

    path = scenario_path("gravity", scenario)
    spec = load_scenario(path)
    run = run_scenario(
        spec, scenario_dir=path.resolve().parent, sample_data=settings.sample_data, scenario_file=path
    )
    sim = run.simulation
    target = importer or next(
        (c.importers[0] for c in spec.changes if c.importers and len(c.importers) == 1), None
    )
    tables = {
        "countries": _table(sim.countries),
        "pairs": _table(sim.pairs),
        "diagnostics": _table(sim.diagnostics),
    }
    if target is not None:
        tables["diversion"] = _table(sim.diversion(target.upper()))
    if output == "diversion" and target is None:
        raise UserError("the diversion table needs an importer (e.g. --importer USA)")
    title = spec.name or path.name
    if output == "diversion":
        title = f"{title}: exports into {target}"
    table = tables[output]
    last = sim.diagnostics.iloc[-1]
    method = (
        "exact equilibrium (every market clears within the tolerance)"
        if sim.meta["method"] == "exact"
        else "GEPPML (the guide's iterative procedure and stopping rule, not the exact equilibrium)"
    )
    notes_list = [
        f"{method}, {sim.meta['countries']} countries, sigma {sim.meta['sigma']:g}, "
        f"{len(sim.diagnostics)} solver stages, last: {last['stage']} ({last['iterations']} iterations, "
        f"residual {last['residual']:.2g}) in {sim.meta['seconds']:.3f} s",
        "changes are percent changes from the baseline, 100 * (new / baseline - 1)"
        if spec.model.report == "counterfactual_vs_baseline"
        else "read backwards, as the guide reports a policy in place: percent changes are "
        "100 * (baseline / counterfactual - 1), the effect of the baseline's policy relative to the counterfactual "
        "without it; in the pair table trade_baseline holds the counterfactual level",
    ]
    if run.pair_costs is not None:
        pc = run.pair_costs
        notes_list.append(
            f"trade costs from pair fixed effects (Anderson & Yotov two-stage): stage 1 on {pc.meta['years']} "
            f"({', '.join(f'{p} {pc.stage1.coef(p):.4f}' for p in pc.policy)}), stage 2 filled {pc.filled} pairs "
            f"without trade in {pc.meta['year']}"
        )
    notes = tuple(notes_list)
    parameters = {
        "scenario": str(path),
        "name": spec.name,
        "output": output,
        "importer": target,
        "sigma": spec.model.sigma,
        "method": spec.model.method,
        "report": spec.model.report,
        "changes": [c.model_dump(exclude_none=True) for c in spec.changes],
    }
    return Result(
        "gravity-simulate",
        title,
        table,
        parameters,
        (),
        notes,
        _describe_simulation(table),
        tables=tables,
        sources=(str(sim.meta.get("data", "")),),
    )


def _describe_simulation(table: pa.Table) -> tuple[Column, ...]:
    out = []
    keys = {"country", "exporter", "importer", "real_gdp_change_pct", "exports_change_pct",
            "imports_change_pct", "trade_baseline", "trade_counterfactual", "trade_change",
            "trade_change_pct", "factory_gate_price_change_pct", "stage", "iterations", "residual"}  # fmt: skip
    for name in table.column_names:
        if name.endswith("_pct"):
            unit: str = _PCT
        elif name in ("country", "exporter", "importer"):
            unit = "code"
        elif name in ("stage",):
            unit = "text"
        else:
            unit = "index"
        out.append(Column(name, name.replace("_", " ").replace(" pct", " (%)"), unit, name in keys))  # type: ignore[arg-type]
    return tuple(out)
