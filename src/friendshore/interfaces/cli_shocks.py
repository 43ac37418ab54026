"""``friendshore simulate`` (multi-sector general equilibrium), ``friendshore shock`` (an export
restriction, first order or partial equilibrium, one importer or the world) and ``friendshore tariff``
(a tariff in the product-level partial equilibrium)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import shocks as analysis
from friendshore.analyses.shocks import (
    RestrictionModel,
    RestrictionOutput,
    Scope,
    SimulationOutput,
    TariffOutput,
)
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
TARIFF = defaults_of(analysis.tariff)


@app.command("simulate")
@answers(analysis.simulate)
def simulate_command(
    ctx: typer.Context,
    scenario: Annotated[Path, typer.Argument()],
    output: Annotated[SimulationOutput, typer.Option("--output", "-o")] = SIM["output"],
    importer: str | None = SIM["importer"],
    exporter: str | None = SIM["exporter"],
    sector: str | None = SIM["sector"],
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

    See docs/methods/shocks.md and the shipped examples (src/friendshore/models/multisector/examples/) for the full format.
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
        typer.Option("--exporter", "-e"),
    ],
    product: str | None = SHOCK["product"],
    sector: str | None = SHOCK["sector"],
    stage: str | None = SHOCK["stage"],
    share: float = SHOCK["share"],
    year: int | None = SHOCK["year"],
    importer: Annotated[str | None, typer.Option("--importer", "-i")] = SHOCK["importer"],
    members_at: str | None = SHOCK["members_at"],
    model: Annotated[RestrictionModel, typer.Option("--model", "-m")] = SHOCK["model"],
    scope: Scope = SHOCK["scope"],
    substitution: float | None = SHOCK["substitution"],
    import_demand: float | None = SHOCK["import_demand"],
    export_supply: float | None = SHOCK["export_supply"],
    output: Annotated[RestrictionOutput, typer.Option("--output", "-o")] = SHOCK["output"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """An export restriction on HS6 products (BACI trade). First order (default): per importer the
    value at risk, what other suppliers could fill from their exports, what stays unmet, and the
    extra demand on each alternative supplier. --model pe: prices, substitution and export supply in
    the product-level partial equilibrium. --scope world: every importer cut off at once (the
    world's gap); the default scope checks each importer as if only it were cut off.
    See docs/methods/shocks.md.
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
        model=model,
        scope=scope,
        substitution=substitution,
        import_demand=import_demand,
        export_supply=export_supply,
        output=output,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("tariff")
@answers(analysis.tariff)
def tariff_command(
    ctx: typer.Context,
    importer: Annotated[str, typer.Option("--importer", "-i")],
    exporter: Annotated[str, typer.Option("--exporter", "-e")],
    products: Annotated[str | None, typer.Option("--products", "--product")] = TARIFF["products"],
    sector: str | None = TARIFF["sector"],
    stage: str | None = TARIFF["stage"],
    rate: float = TARIFF["rate"],
    year: int | None = TARIFF["year"],
    members_at: str | None = TARIFF["members_at"],
    substitution: float | None = TARIFF["substitution"],
    import_demand: float | None = TARIFF["import_demand"],
    export_supply: float | None = TARIFF["export_supply"],
    output: Annotated[TariffOutput, typer.Option("--output", "-o")] = TARIFF["output"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """A tariff on HS6 products in the product-level partial equilibrium (BACI trade, ProTEE
    elasticities): trade before and after per supplier, prices, the importer's consumer surplus
    and tariff revenue, every supplier's exports and world price. See docs/methods/shocks.md.
    """
    result = analysis.tariff(
        settings_of(ctx),
        importer=importer,
        exporter=exporter,
        products=products,
        sector=sector,
        stage=stage,
        rate=rate,
        year=year,
        members_at=parse_date(members_at),
        substitution=substitution,
        import_demand=import_demand,
        export_supply=export_supply,
        output=output,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
