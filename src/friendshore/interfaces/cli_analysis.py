"""``friendshore dependencies`` and ``friendshore chokepoints``."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import dependencies as analysis
from friendshore.analyses.dependencies import Level
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    ReleaseOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
    say,
    settings_of,
)

__all__ = ["app", "deprecated_option"]

app = typer.Typer()

DEP = defaults_of(analysis.dependencies)
CHOKE = defaults_of(analysis.chokepoints)


def deprecated_option(
    value: str | None, old_value: str | None, *, new: str, old: str, default: str | None = None
) -> str | None:
    """The value of a renamed option: ``new``'s, or ``old``'s (its name before the shared vocabulary,
    kept for one release) with a warning on stderr; both given (``new`` not at its ``default``) and
    different is a usage error."""
    if old_value is None:
        return value
    say("warning: ", f"{old} is deprecated and will be removed after this release: use {new}")
    if value is not None and value != default and value != old_value:
        raise typer.BadParameter(f"{old} is the old name of {new}: give one of them", param_hint=old)
    return old_value


YearOption = Annotated[int | None, typer.Option(help="Analysis year (default: the latest loaded).")]
SectorOption = Annotated[
    str | None, typer.Option(help="Technology, e.g. semiconductors (see 'friendshore taxonomy').")
]
StageOption = Annotated[str | None, typer.Option(help="Stage: ore, refined, component, equipment, final.")]
MembersAtOption = Annotated[
    str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
]


@app.command()
@answers(analysis.dependencies)
def dependencies(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option("--importer", "-i", help="ISO3 code or group (e.g. USA, pax-silica).")
    ],
    year: YearOption = DEP["year"],
    concern: Annotated[
        str | None, typer.Option(help="Share of imports from this ISO3 code or group (e.g. CHN).")
    ] = DEP["concern"],
    sector: SectorOption = DEP["sector"],
    stage: StageOption = DEP["stage"],
    flagged_only: Annotated[bool, typer.Option(help="Only products flagged by the EC screen.")] = DEP[
        "flagged_only"
    ],
    include_intra: Annotated[
        bool, typer.Option(help="For a group: count trade between members as imports too.")
    ] = DEP["include_intra"],
    members_at: MembersAtOption = DEP["members_at"],
    all_years: Annotated[
        bool, typer.Option(help="Every loaded year, with the change in shares and HHI from the year before.")
    ] = DEP["all_years"],
    churn: Annotated[
        bool, typer.Option(help="How many flagged products are still flagged the next year.")
    ] = DEP["churn"],
    by: Annotated[Level | None, typer.Option(help="Aggregate the products by technology or stage.")] = DEP[
        "by"
    ],
    hhi: Annotated[float, typer.Option(help="EC screen: HHI threshold.")] = DEP["hhi"],
    extra_ratio: Annotated[float, typer.Option(help="EC screen: extra-group share of imports.")] = DEP[
        "extra_ratio"
    ],
    cover: Annotated[float, typer.Option(help="EC screen: imports / exports threshold.")] = DEP["cover"],
    release: ReleaseOption = DEP["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    on: Annotated[str | None, typer.Option("--on", hidden=True, help="Deprecated: use --concern.")] = None,
) -> None:
    """Where an importer (country or group) depends on few suppliers, per HS6 product.

    For a group only imports from outside the group count. ec_flag is the European Commission's
    strategic-dependency screen (SWD(2021) 352); see docs/methods/dependence.md.
    """
    result = analysis.dependencies(
        settings_of(ctx),
        importer=importer,
        year=year,
        concern=deprecated_option(concern, on, new="--concern", old="--on"),
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
    year: YearOption = CHOKE["year"],
    sector: SectorOption = CHOKE["sector"],
    stage: StageOption = CHOKE["stage"],
    hhi: Annotated[
        float, typer.Option(help="World export HHI above which a product is a chokepoint.")
    ] = CHOKE["hhi"],
    exposure: Annotated[
        bool, typer.Option(help="List the importers exposed to each chokepoint instead.")
    ] = CHOKE["exposure"],
    min_share: Annotated[
        float, typer.Option(help="With --exposure: share bought from the top exporter.")
    ] = CHOKE["min_share"],
    release: ReleaseOption = CHOKE["release"],
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
