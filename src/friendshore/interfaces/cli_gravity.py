"""``friendshore gravity estimate`` and ``friendshore gravity simulate``: structural gravity."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import gravity as analysis
from friendshore.analyses.gravity import Estimator, Output
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    settings_of,
)

__all__ = ["gravity_app"]

gravity_app = typer.Typer(
    help="Structural gravity: PPML estimation and general-equilibrium counterfactuals (trade diversion).",
    no_args_is_help=True,
)

EST = defaults_of(analysis.estimate)
SIM = defaults_of(analysis.simulate)


@gravity_app.command("estimate")
@answers(analysis.estimate)
def estimate(
    ctx: typer.Context,
    data: Annotated[Path, typer.Argument()],
    formula: Annotated[
        str,
        typer.Option(
            "--formula",
        ),
    ],
    year: int | None = EST["year"],
    estimator: Estimator = EST["estimator"],
    cluster: str | None = EST["cluster"],
    international_only: Annotated[bool, typer.Option("--international-only")] = EST["international_only"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Estimate a gravity equation by PPML with high-dimensional fixed effects.

    ln_dist (log of dist) and intl_brdr (1 unless exporter == importer) are added when absent.
    Output: term, estimate, std_error, statistic, p_value, ci_low, ci_high.
    """
    result = analysis.estimate(
        settings_of(ctx),
        data=data,
        formula=formula,
        year=year,
        estimator=estimator,
        cluster=cluster,
        international_only=international_only,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@gravity_app.command("simulate")
@answers(analysis.simulate)
def simulate_command(
    ctx: typer.Context,
    scenario: Annotated[
        Path,
        typer.Argument(),
    ],
    output: Annotated[Output, typer.Option("--output", "-o")] = SIM["output"],
    importer: str | None = SIM["importer"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
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

    See docs/methods/gravity.md and the shipped examples (friendshore/models/gravity/examples/, run one
    by name: friendshore gravity simulate us_china_tariff) for the full format.
    """
    result = analysis.simulate(settings_of(ctx), scenario=scenario, output=output, importer=importer)
    emit(result, fmt, columns=columns, with_meta=with_meta)
