"""``friendshore partners``, ``friendshore complexity`` and ``friendshore chips``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

import typer

from friendshore.analyses import chips as chips_analysis
from friendshore.analyses import complexity as complexity_analysis
from friendshore.analyses import partners as partners_analysis
from friendshore.analyses.complexity import Level
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
from friendshore.metrics.parameters import Normalisation

__all__ = ["app"]

app = typer.Typer()

P = defaults_of(partners_analysis.partners)
CX = defaults_of(complexity_analysis.complexity)
CH = defaults_of(chips_analysis.chips)

Show = Literal["candidates", "reshoring"]


@app.command()
@answers(partners_analysis.partners)
def partners(
    ctx: typer.Context,
    importer: Annotated[str, typer.Option("--for")],
    product: str | None = P["product"],
    sector: str | None = P["sector"],
    stage: str | None = P["stage"],
    year: int | None = P["year"],
    concern: str = P["concern"],
    coalition: str | None = P["coalition"],
    members_at: str | None = P["members_at"],
    weights: Path | None = P["weights"],
    normalisation: Normalisation = P["normalisation"],
    draws: int = P["draws"],
    seed: int = P["seed"],
    concentration: float = P["concentration"],
    draw_normalisations: Annotated[
        list[str] | None,
        typer.Option("--draw-normalisation"),
    ] = None,
    top: int = P["top"],
    include: list[str] | None = None,
    output: Annotated[
        Show, typer.Option(help="candidates: the ranked table; reshoring: home vs coalition vs others.")
    ] = "candidates",
    release: str | None = P["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    exclude: Annotated[str | None, typer.Option("--exclude", hidden=True)] = None,
    show: Annotated[
        Show | None, typer.Option("--show", hidden=True, help="Deprecated: use --output.")
    ] = None,
) -> None:
    """Who could supply a product instead of a country of concern, ranked, with rank intervals.

    Candidates are described by capacity, capability, governance, alignment and distance and
    ranked by a weighted composite; every exporter is ranked (rank of n_candidates), and a Monte
    Carlo over weights and normalisations gives each rank's 5-95% interval (rank_p05, rank_p95)
    among all of them. See docs/methods/partners.md.
    """
    settings = settings_of(ctx)
    when = parse_date(members_at)
    concern = renamed(concern, exclude, new="--concern", old="--exclude", default=P["concern"])
    shown = renamed(output, show, new="--output", old="--show", default="candidates")
    # the parameters the two analyses share
    both: dict[str, Any] = {
        "importer": importer,
        "product": product,
        "sector": sector,
        "stage": stage,
        "year": year,
        "concern": concern,
        "coalition": coalition,
        "members_at": when,
        "release": release,
    }
    if shown == "reshoring":
        result = partners_analysis.reshoring(settings, **both)
    else:
        result = partners_analysis.partners(
            settings,
            **both,
            weights=weights,
            normalisation=normalisation,
            draws=draws,
            seed=seed,
            concentration=concentration,
            draw_normalisations=draw_normalisations or P["draw_normalisations"],  # type: ignore[arg-type]
            top=top,
            include=include or P["include"],
        )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("complexity")
@answers(complexity_analysis.complexity)
def complexity_command(
    ctx: typer.Context,
    year: int | None = CX["year"],
    level: Level = CX["level"],
    threshold: float = CX["threshold"],
    release: str | None = CX["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Economic complexity from trade: RCA, ECI and PCI, density and outlook gain.

    RCA after Balassa; ECI and PCI by the eigenvector method of Hidalgo & Hausmann with the Atlas
    sign convention (ECI correlates positively with diversity); density and complexity outlook
    gain as in the Atlas and the Growth Lab's ecomplexity."""
    result = complexity_analysis.complexity(
        settings_of(ctx), year=year, level=level, threshold=threshold, release=release
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command()
@answers(chips_analysis.chips)
def chips(
    ctx: typer.Context,
    input_name: Annotated[str | None, typer.Option("--input")] = CH["input_name"],
    country: str | None = CH["country"],
    threshold: float = CH["threshold"],
    chokepoints_only: bool = CH["chokepoints_only"],
    with_trade: bool = CH["with_trade"],
    year: int | None = CH["year"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """The semiconductor supply chain (ETO): shares per input, chokepoints, a country's position.

    Without options: every input with its top countries and a chokepoint flag (one country above
    --threshold); --country: that country's share and firms at every input; --input: the
    providers of one input; --with-trade: the trade in the HS6 codes that carry each input beside
    ETO's shares (src/friendshore/nomenclature/data/eto_hs6.csv)."""
    result = chips_analysis.chips(
        settings_of(ctx),
        input_name=input_name,
        country=country,
        threshold=threshold,
        chokepoints_only=chokepoints_only,
        with_trade=with_trade,
        year=year,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
