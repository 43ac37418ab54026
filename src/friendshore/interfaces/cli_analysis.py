"""``friendshore dependencies`` and ``friendshore chokepoints``."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.console import err_console
from friendshore.interfaces.cli import FormatOption, app, note_sources, parse_date, settings_of
from friendshore.interfaces.render import render
from friendshore.nomenclature.taxonomy import Level

__all__: list[str] = []

YearOption = Annotated[int | None, typer.Option(help="Analysis year (default: the latest loaded).")]
SectorOption = Annotated[
    str | None, typer.Option(help="Technology, e.g. semiconductors (see 'friendshore taxonomy').")
]
StageOption = Annotated[str | None, typer.Option(help="Stage: ore, refined, component, equipment, final.")]


@app.command()
def dependencies(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option("--importer", "-i", help="ISO3 code or group (e.g. USA, pax-silica).")
    ],
    year: YearOption = None,
    on: Annotated[
        str | None, typer.Option(help="Share of imports from this ISO3 code or group (e.g. CHN).")
    ] = None,
    sector: SectorOption = None,
    stage: StageOption = None,
    flagged_only: Annotated[bool, typer.Option(help="Only products flagged by the EC screen.")] = False,
    include_intra: Annotated[
        bool, typer.Option(help="For a group: count trade between members as imports too.")
    ] = False,
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = None,
    all_years: Annotated[
        bool, typer.Option(help="Every loaded year, with the change in shares and HHI from the year before.")
    ] = False,
    churn: Annotated[
        bool, typer.Option(help="How many flagged products are still flagged the next year.")
    ] = False,
    by: Annotated[Level | None, typer.Option(help="Aggregate the products by technology or stage.")] = None,
    hhi: Annotated[float, typer.Option(help="EC screen: HHI threshold.")] = 0.4,
    extra_ratio: Annotated[float, typer.Option(help="EC screen: extra-group share of imports.")] = 0.5,
    cover: Annotated[float, typer.Option(help="EC screen: imports / exports threshold.")] = 1.0,
    fmt: FormatOption = "table",
) -> None:
    """Where an importer (country or group) depends on few suppliers, per HS6 product.

    Shares are fractions in [0, 1]. For a group only imports from outside the group count.
    ec_flag is the European Commission's strategic-dependency screen (SWD(2021) 352).
    """
    from friendshore.metrics.dependence import EcThresholds
    from friendshore.metrics.views import dependencies_view

    table, resolved = dependencies_view(
        settings_of(ctx),
        importer=importer,
        year=year,
        on=on,
        sector=sector,
        stage=stage,
        flagged_only=flagged_only,
        include_intra=include_intra,
        members_at=parse_date(members_at),
        all_years=all_years,
        churn=churn,
        summary=by,
        thresholds=EcThresholds(hhi=hhi, extra_import_ratio=extra_ratio, import_export_ratio=cover),
    )
    for who in resolved:
        if who.is_group:
            err_console.print(who.describe(), highlight=False)
    note_sources(settings_of(ctx), ["trade"])
    render(table, fmt, title=f"Import dependence of {importer}")


@app.command()
def chokepoints(
    ctx: typer.Context,
    year: YearOption = None,
    sector: SectorOption = None,
    stage: StageOption = None,
    hhi: Annotated[float, typer.Option(help="World export HHI above which a product is a chokepoint.")] = 0.4,
    exposure: Annotated[
        bool, typer.Option(help="List the importers exposed to each chokepoint instead.")
    ] = False,
    min_share: Annotated[
        float, typer.Option(help="With --exposure: share bought from the top exporter.")
    ] = 0.5,
    fmt: FormatOption = "table",
) -> None:
    """World chokepoints: products whose world exports are concentrated (HHI, top exporters)."""
    from friendshore.metrics.views import chokepoints_view

    table = chokepoints_view(
        settings_of(ctx),
        year=year,
        sector=sector,
        stage=stage,
        hhi_threshold=hhi,
        exposure=exposure,
        min_share=min_share,
    )
    note_sources(settings_of(ctx), ["trade"])
    render(table, fmt, title="World export concentration")
