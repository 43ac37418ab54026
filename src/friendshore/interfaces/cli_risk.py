"""``friendshore supply-risk``: the EU CRM supply-risk score from any importer's point of view."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from friendshore.interfaces.cli import FormatOption, app, note_sources, parse_date, settings_of
from friendshore.interfaces.render import render

__all__: list[str] = []


@app.command("supply-risk")
def supply_risk(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option("--for", "-i", help="ISO3 code or group (e.g. USA, IND, eu27, quad).")
    ],
    year: Annotated[
        int | None,
        typer.Option(
            help="Analysis year (default: the latest trade year); inputs use their latest year <= it."
        ),
    ] = None,
    stage: Annotated[
        Literal["mining", "refining"] | None, typer.Option(help="Only this stage: mining or refining.")
    ] = None,
    material: Annotated[
        list[str] | None,
        typer.Option("--material", "-m", help="Only this material (repeat for several), e.g. cobalt."),
    ] = None,
    alignment: Annotated[
        bool,
        typer.Option(
            "--alignment",
            help="Weight suppliers by UNGA ideal-point distance from the importer instead of WGI.",
        ),
    ] = False,
    alignment_weight: Annotated[
        float | None,
        typer.Option(help="Mix: score = (1-w)*WGI + w*alignment, w in [0, 1] (--alignment is w=1)."),
    ] = None,
    trade_restriction: Annotated[
        list[str] | None,
        typer.Option(
            "--trade-restriction",
            "-t",
            help="Trade-restriction factor t_c, ISO3=FACTOR (repeat or comma-separate), e.g. CHN=1.2.",
        ),
    ] = None,
    eol_rir: Annotated[
        list[str] | None,
        typer.Option("--eol-rir", help="Override EoL-RIR, MATERIAL=FRACTION, e.g. cobalt=0.3."),
    ] = None,
    si_sr: Annotated[
        list[str] | None, typer.Option("--si-sr", help="Override SI_SR, MATERIAL=VALUE, e.g. cobalt=0.9.")
    ] = None,
    imports_only: Annotated[
        bool, typer.Option("--imports-only", help="Leave the importer's own production out of its sourcing.")
    ] = False,
    economic_importance: Annotated[
        Path | None,
        typer.Option(
            help="CSV material,economic_importance: adds EI and the EU criticality flag (SR >= 1 and EI >= 2.8)."
        ),
    ] = None,
    sr_threshold: Annotated[float, typer.Option(help="Criticality: supply-risk threshold.")] = 1.0,
    ei_threshold: Annotated[float, typer.Option(help="Criticality: economic-importance threshold.")] = 2.8,
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = None,
    fmt: FormatOption = "table",
) -> None:
    """Supply risk of critical materials for an importer (EU CRM method, Blengini et al. 2017), per stage.

    SR = [HHI_WGI(global supply) * IR/2 + HHI_WGI(importer sourcing) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR,
    HHI_WGI = sum_c share_c^2 * WGI_c * t_c with WGI rescaled to 0-10 (10 = worst). EU-published values
    lie between about 0 and 7. Every input year and every assumption is in the output (note column);
    see docs/methods/supply-risk.md.
    """
    from friendshore.metrics.risk_views import parse_assignments, supply_risk_view
    from friendshore.metrics.supply_risk import CriticalityThresholds

    weight = alignment_weight if alignment_weight is not None else (1.0 if alignment else 0.0)
    table = supply_risk_view(
        settings_of(ctx),
        importer=importer,
        year=year,
        stage=stage,
        material=material or None,
        alignment_weight=weight,
        trade_restriction=parse_assignments(
            trade_restriction or [], what="ISO3", option="--trade-restriction"
        ),
        eol_rir=parse_assignments(eol_rir or [], what="MATERIAL", option="--eol-rir"),
        si_sr=parse_assignments(si_sr or [], what="MATERIAL", option="--si-sr"),
        include_domestic=not imports_only,
        economic_importance=economic_importance,
        thresholds=CriticalityThresholds(supply_risk=sr_threshold, economic_importance=ei_threshold),
        members_at=parse_date(members_at),
    )
    if fmt == "table":
        keep = [
            "material", "stage", "importer", "year", "hhi_wgi_global", "hhi_wgi_sourcing", "import_reliance",
            "eol_rir", "si_sr", "supply_risk", "top_producer", "top_producer_share", "critical",
            "production_year", "trade_year", "wgi_year", "alignment_year", "note",
        ]  # fmt: skip
        title = (
            f"Supply risk for {importer} ({table.column('weighting')[0].as_py() if table.num_rows else ''})"
        )
        table = table.select(keep)
    else:
        title = None
    note_sources(settings_of(ctx), ["mineral_production", "trade", "governance", "alignment"])
    render(table, fmt, title=title)
