"""``friendshore dependencies`` and ``friendshore chokepoints``."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import dependencies as analysis
from friendshore.analyses.dependencies import Level
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
    renamed,
    settings_of,
)

__all__ = ["app"]

app = typer.Typer()

DEP = defaults_of(analysis.dependencies)
CHOKE = defaults_of(analysis.chokepoints)


@app.command()
@answers(analysis.dependencies)
def dependencies(
    ctx: typer.Context,
    importer: Annotated[str, typer.Option("--importer", "-i")],
    year: int | None = DEP["year"],
    concern: str | None = DEP["concern"],
    sector: str | None = DEP["sector"],
    stage: str | None = DEP["stage"],
    flagged_only: bool = DEP["flagged_only"],
    include_intra: bool = DEP["include_intra"],
    members_at: str | None = DEP["members_at"],
    all_years: bool = DEP["all_years"],
    churn: bool = DEP["churn"],
    by: Level | None = DEP["by"],
    hhi: float = DEP["hhi"],
    extra_ratio: float = DEP["extra_ratio"],
    cover: float = DEP["cover"],
    release: str | None = DEP["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    on: Annotated[str | None, typer.Option("--on", hidden=True)] = None,
) -> None:
    """Where an importer (country or group) depends on few suppliers, per HS6 product.

    For a group only imports from outside the group count. ec_flag is the European Commission's
    strategic-dependency screen (SWD(2021) 352); see docs/methods/dependence.md.
    """
    result = analysis.dependencies(
        settings_of(ctx),
        importer=importer,
        year=year,
        concern=renamed(concern, on, new="--concern", old="--on", default=DEP["concern"]),
        sector=sector,
        stage=stage,
        flagged_only=flagged_only,
        include_intra=include_intra,
        members_at=parse_date(members_at),
        all_years=all_years,
        churn=churn,
        by=by,
        hhi=hhi,
        extra_ratio=extra_ratio,
        cover=cover,
        release=release,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command()
@answers(analysis.chokepoints)
def chokepoints(
    ctx: typer.Context,
    year: int | None = CHOKE["year"],
    sector: str | None = CHOKE["sector"],
    stage: str | None = CHOKE["stage"],
    hhi: float = CHOKE["hhi"],
    exposure: bool = CHOKE["exposure"],
    min_share: float = CHOKE["min_share"],
    release: str | None = CHOKE["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """World chokepoints: products whose world exports are concentrated (HHI, top exporters)."""
    result = analysis.chokepoints(
        settings_of(ctx),
        year=year,
        sector=sector,
        stage=stage,
        hhi=hhi,
        exposure=exposure,
        min_share=min_share,
        release=release,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
