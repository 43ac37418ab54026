"""``friendshore supply-risk``: the EU CRM supply-risk score from any importer's point of view."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import supply_risk as analysis
from friendshore.analyses.supply_risk import Method, Stage, parse_assignments
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
D = defaults_of(analysis.supply_risk)


@app.command("supply-risk")
@answers(analysis.supply_risk)
def supply_risk(
    ctx: typer.Context,
    importer: Annotated[str, typer.Option("--for", "-i")],
    year: int | None = D["year"],
    stage: Stage | None = D["stage"],
    material: Annotated[
        list[str] | None,
        typer.Option("--material", "-m"),
    ] = D["material"],
    alignment: Annotated[
        bool,
        typer.Option(
            "--alignment",
            help="Weight suppliers by UNGA ideal-point distance from the importer instead of WGI.",
        ),
    ] = False,
    weight: Annotated[
        float | None,
        typer.Option(
            "--alignment-weight",
            help="Mix: score = (1-w)*WGI + w*alignment, w in [0, 1] (--alignment is w=1).",
        ),
    ] = None,
    trade_restriction: Annotated[
        list[str] | None,
        typer.Option(
            "--trade-restriction",
            "-t",
        ),
    ] = None,
    eol_rir: Annotated[
        list[str] | None,
        typer.Option("--eol-rir"),
    ] = None,
    si_sr: Annotated[list[str] | None, typer.Option("--si-sr")] = None,
    imports_only: Annotated[
        bool, typer.Option("--imports-only", help="Leave the importer's own production out of its sourcing.")
    ] = not D["include_domestic"],
    economic_importance: Path | None = D["economic_importance"],
    sr_threshold: float = D["sr_threshold"],
    ei_threshold: float = D["ei_threshold"],
    members_at: str | None = D["members_at"],
    release: str | None = D["release"],
    method: Method = D["method"],
    inputs: Path | None = D["inputs"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Supply risk of critical materials for an importer (EU CRM method, Blengini et al. 2017, or
    GeoPolRisk with --method geopolrisk), per stage.

    SR = [HHI_WGI(global supply) * IR/2 + HHI_WGI(importer sourcing) * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR,
    HHI_WGI = sum_c share_c^2 * WGI_c * t_c with WGI rescaled to 0-10 (10 = worst). EU-published values
    lie between about 0 and 7. Every input year and every assumption is in the output (--columns all);
    see docs/methods/supply-risk.md.
    """
    if weight is None:
        weight = 1.0 if alignment else D["alignment_weight"]
    result = analysis.supply_risk(
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
        sr_threshold=sr_threshold,
        ei_threshold=ei_threshold,
        members_at=parse_date(members_at),
        release=release,
        method=method,
        inputs=inputs,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
