"""``friendshore simulate`` (multi-sector general equilibrium) and ``friendshore shock`` (first order)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import shocks as analysis
from friendshore.analyses.shocks import RestrictionOutput, SimulationOutput
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
    settings_of,
)

__all__ = ["app"]

app = typer.Typer()

SIM = defaults_of(analysis.simulate)
SHOCK = defaults_of(analysis.restriction)


@app.command("simulate")
@answers(analysis.simulate)
def simulate_command(
    ctx: typer.Context,
    scenario: Annotated[
        Path,
        typer.Argument(help="Scenario file (TOML): \\[baseline], \\[solver], \\[report], \\[\\[changes]]."),
    ],
    output: Annotated[
        SimulationOutput,
        typer.Option(
            "--output",
            "-o",
            help="countries, sectors, trade, diversion (into --importer / from --exporter, in --sector), "
            "diagnostics or history (solver).",
        ),
    ] = SIM["output"],
    importer: Annotated[
        str | None, typer.Option(help="For diversion: the importer (default: the scenario's \\[report]).")
    ] = SIM["importer"],
    exporter: Annotated[
        str | None, typer.Option(help="For diversion: the exporter (default: the scenario's \\[report]).")
    ] = SIM["exporter"],
    sector: Annotated[
        str | None, typer.Option(help="For diversion: the sector, e.g. C17 (default: all sectors).")
    ] = SIM["sector"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    r"""Simulate tariffs, export taxes, trade costs or decoupling in a multi-sector model with
    input-output links (Caliendo & Parro 2015) on the CP 2015 NAFTA data or the WIOD-2014 baseline.

    Per country: welfare (terms and volume of trade), real income, real wage, trade (% changes).

    A scenario file looks like:

        name = "China stops C17 exports to the US"
        \[baseline]
        source = "wiod-kite"
        \[\[changes]]
        kind = "trade_cost"
        exporters = \["CHN"]
        importers = \["USA"]
        sectors = \["C17"]
        prohibitive = true

    See docs/methods/shocks.md and examples/shocks/ for the full format.
    """
    result = analysis.simulate(
        settings_of(ctx),
        scenario=scenario,
        output=output,
        importer=importer,
        exporter=exporter,
        sector=sector,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("shock")
@answers(analysis.restriction)
def shock_command(
    ctx: typer.Context,
    exporter: Annotated[
        str,
        typer.Option("--exporter", "-e", help="Restricting ISO3 code or group (acting jointly), e.g. CHN."),
    ],
    product: Annotated[
        str | None, typer.Option(help="HS6 code(s), comma-separated, e.g. 850511,810411.")
    ] = SHOCK["product"],
    sector: Annotated[
        str | None, typer.Option(help="Technology, e.g. critical-minerals (see 'friendshore taxonomy').")
    ] = SHOCK["sector"],
    stage: Annotated[
        str | None, typer.Option(help="Stage: ore, refined, component, equipment, final.")
    ] = SHOCK["stage"],
    share: Annotated[
        float, typer.Option(help="Share of its exports withheld, in (0, 1] (1: a full ban).")
    ] = SHOCK["share"],
    year: Annotated[int | None, typer.Option(help="Trade year (default: the latest loaded).")] = SHOCK[
        "year"
    ],
    importer: Annotated[
        str | None, typer.Option("--importer", "-i", help="Show only this importer (ISO3 or group).")
    ] = SHOCK["importer"],
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = SHOCK["members_at"],
    output: Annotated[
        RestrictionOutput,
        typer.Option("--output", "-o", help="importers (exposure), suppliers (extra demand) or products."),
    ] = SHOCK["output"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """A first-order export restriction on HS6 products (BACI trade): per importer the value at risk,
    what other suppliers could fill from their exports to third countries, and what stays unmet;
    per alternative supplier the extra demand it would face. See docs/methods/shocks.md.
    """
    result = analysis.restriction(
        settings_of(ctx),
        exporter=exporter,
        product=product,
        sector=sector,
        stage=stage,
        share=share,
        year=year,
        importer=importer,
        members_at=parse_date(members_at),
        output=output,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
