"""``friendshore gravity estimate`` and ``friendshore gravity simulate``: structural gravity."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import pyarrow as pa
import typer

from friendshore.console import err_console
from friendshore.interfaces.cli import FormatOption, settings_of
from friendshore.interfaces.render import render

if TYPE_CHECKING:  # pandas is imported by the commands, not at start-up
    import pandas as pd

__all__ = ["gravity_app"]

gravity_app = typer.Typer(
    help="Structural gravity: PPML estimation and general-equilibrium counterfactuals (trade diversion).",
    no_args_is_help=True,
)

Output = Literal["countries", "pairs", "diversion", "diagnostics"]


def _table(frame: pd.DataFrame) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)


@gravity_app.command("estimate")
def estimate(
    data: Annotated[
        Path, typer.Argument(help="Bilateral data: .dta (Yotov), .rda, .dlm (gegravity), .csv, .parquet.")
    ],
    formula: Annotated[
        str,
        typer.Option(
            "--formula",
            help="pyfixest formula, e.g. 'trade ~ ln_dist + cntg + intl_brdr | exporter + importer' "
            "or 'trade ~ rta | exporter^year + importer^year + pair_id'.",
        ),
    ],
    year: Annotated[int | None, typer.Option(help="Keep only this year.")] = None,
    estimator: Annotated[Literal["ppml", "ols"], typer.Option(help="ppml (fepois) or ols (feols).")] = "ppml",
    cluster: Annotated[
        str | None,
        typer.Option(help="Cluster standard errors by this column (default: robust, unclustered)."),
    ] = None,
    international_only: Annotated[
        bool, typer.Option("--international-only", help="Drop domestic flows (exporter == importer).")
    ] = False,
    fmt: FormatOption = "table",
) -> None:
    """Estimate a gravity equation by PPML with high-dimensional fixed effects.

    ln_dist (log of dist) and intl_brdr (1 unless exporter == importer) are added when absent.
    Output: term, estimate, std_error, statistic, p_value, ci_low, ci_high.
    """
    from friendshore.models.gravity.estimate import estimate_gravity
    from friendshore.models.gravity.scenario import load_bilateral

    frame = load_bilateral(data)
    if year is not None:
        if "year" not in frame.columns:
            raise typer.BadParameter(f"--year given but {data.name} has no year column")
        frame = frame.loc[frame["year"] == year]
    if international_only:
        frame = frame.loc[frame["exporter"] != frame["importer"]]
    result = estimate_gravity(
        frame, formula, estimator=estimator, vcov="cluster" if cluster else "hetero", cluster=cluster
    )
    err_console.print(
        f"{result.estimator.upper()} on {result.nobs} observations ({result.nobs_dropped} dropped), "
        f"standard errors {result.vcov}",
        highlight=False,
    )
    render(_table(result.tidy()), fmt, title=f"{result.formula}")


@gravity_app.command("simulate")
def simulate_command(
    ctx: typer.Context,
    scenario: Annotated[
        Path,
        typer.Argument(
            help="Scenario file (TOML): \\[data], \\[costs] or \\[estimate], \\[model], \\[\\[changes]]."
        ),
    ],
    output: Annotated[
        Output,
        typer.Option(
            "--output",
            "-o",
            help="countries (per-country changes), pairs (bilateral trade), diversion (exports into "
            "--importer) or diagnostics (solver).",
        ),
    ] = "countries",
    importer: Annotated[
        str | None,
        typer.Option(help="For --output diversion: the importer (default: the first tariff's importer)."),
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    r"""Simulate a counterfactual in general equilibrium (conditional and full endowment).

    Per country: factory-gate price, output, real GDP, inward/outward multilateral resistance,
    exports, imports (percent changes, 100 * (new / baseline - 1)). A scenario file looks like:

        \[data]
        path = "{sample_data}/yotov_agtpa/1_TradeWithoutBorder.dta"
        \[costs]
        ln_dist = -0.791
        cntg = 0.674
        intl_brdr = -2.474
        \[model]
        sigma = 7
        \[\[changes]]
        tariff = 0.25
        exporters = \["CHN"]
        importers = \["USA"]

    See docs/methods/gravity.md and examples/gravity/ for the full format.
    """
    from friendshore.models.gravity.scenario import load_scenario, run_scenario

    settings = settings_of(ctx)
    spec = load_scenario(scenario)
    run = run_scenario(spec, scenario_dir=scenario.resolve().parent, sample_data=settings.sample_data)
    sim = run.simulation
    title = spec.name or scenario.name
    if output == "countries":
        frame = sim.countries
    elif output == "pairs":
        frame = sim.pairs
    elif output == "diagnostics":
        frame = sim.diagnostics
    else:
        target = importer or next(
            (c.importers[0] for c in spec.changes if c.importers and len(c.importers) == 1), None
        )
        if target is None:
            raise typer.BadParameter("--output diversion needs --importer (e.g. --importer USA)")
        frame = sim.diversion(target)
        title = f"{title}: exports into {target}"
    last = sim.diagnostics.iloc[-1]
    err_console.print(
        f"{sim.meta['method']} solution, {sim.meta['countries']} countries, sigma {sim.meta['sigma']:g}, "
        f"{len(sim.diagnostics)} solver stages, last: {last['stage']} ({last['iterations']} iterations, "
        f"residual {last['residual']:.2g}) in {sim.meta['seconds']:.3f} s",
        highlight=False,
    )
    render(_table(frame), fmt, title=title)
