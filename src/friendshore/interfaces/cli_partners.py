"""``friendshore partners``, ``friendshore complexity`` and ``friendshore chips``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

import typer

from friendshore.analyses import chips as chips_analysis
from friendshore.analyses import complexity as complexity_analysis
from friendshore.analyses import partners as partners_analysis
from friendshore.analyses.complexity import Level
from friendshore.interfaces.cli_analysis import deprecated_option
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    ReleaseOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    parse_date,
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
    importer: Annotated[
        str, typer.Option("--for", help="Importer: ISO3 code or group (e.g. USA, quad, eu27).")
    ],
    product: Annotated[
        str | None, typer.Option(help="HS6 code, or several separated by commas (e.g. 850511).")
    ] = P["product"],
    sector: Annotated[
        str | None, typer.Option(help="Technology instead of --product (see 'friendshore taxonomy').")
    ] = P["sector"],
    stage: Annotated[str | None, typer.Option(help="With --sector: ore, refined, component, ...")] = P[
        "stage"
    ],
    year: Annotated[int | None, typer.Option(help="Analysis year (default: the latest loaded).")] = P["year"],
    concern: Annotated[str, typer.Option(help="Country or group of concern, left out as a supplier.")] = P[
        "concern"
    ],
    coalition: Annotated[
        str | None,
        typer.Option(help="Partner group: flagged in the table, counted apart in --show reshoring."),
    ] = P["coalition"],
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = P["members_at"],
    weights: Annotated[
        Path | None,
        typer.Option(help="TOML or JSON file of indicator weights (see docs/methods/partners.md)."),
    ] = P["weights"],
    normalisation: Annotated[
        Normalisation, typer.Option(help="Normalisation of the base ranking: minmax, zscore or rank.")
    ] = P["normalisation"],
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of the uncertainty analysis.")] = P["draws"],
    seed: Annotated[int, typer.Option(help="Random seed of the draws (same seed, same intervals).")] = P[
        "seed"
    ],
    concentration: Annotated[
        float, typer.Option(help="Dirichlet concentration of the weight draws; 0 keeps the weights fixed.")
    ] = P["concentration"],
    draw_normalisations: Annotated[
        list[str] | None,
        typer.Option(
            "--draw-normalisation", help="Normalisations the draws choose from (repeat; default: all three)."
        ),
    ] = None,
    top: Annotated[
        int, typer.Option(help="Show the N best-ranked candidates (0: all); every exporter is ranked.")
    ] = P["top"],
    include: Annotated[
        list[str] | None,
        typer.Option(
            help="Always list this exporter, e.g. IND (repeat for several), with its rank among all."
        ),
    ] = None,
    output: Annotated[
        Show, typer.Option(help="candidates: the ranked table; reshoring: home vs coalition vs others.")
    ] = "candidates",
    release: ReleaseOption = P["release"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    exclude: Annotated[
        str | None, typer.Option("--exclude", hidden=True, help="Deprecated: use --concern.")
    ] = None,
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
    concern = (
        deprecated_option(concern, exclude, new="--concern", old="--exclude", default=P["concern"]) or concern
    )
    shown = deprecated_option(output, show, new="--output", old="--show", default="candidates")
    if shown == "reshoring":
        result = partners_analysis.reshoring(
            settings,
            importer=importer,
            product=product,
            sector=sector,
            stage=stage,
            year=year,
            concern=concern,
            coalition=coalition,
            members_at=when,
            release=release,
        )
    else:
        result = partners_analysis.partners(
            settings,
            importer=importer,
            product=product,
            sector=sector,
            stage=stage,
            year=year,
            concern=concern,
            coalition=coalition,
            members_at=when,
            weights=weights,
            normalisation=normalisation,
            draws=draws,
            seed=seed,
            concentration=concentration,
            draw_normalisations=draw_normalisations or P["draw_normalisations"],  # type: ignore[arg-type]
            top=top,
            include=include or P["include"],
            release=release,
        )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command("complexity")
@answers(complexity_analysis.complexity)
def complexity_command(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="Year (default: the latest loaded).")] = CX["year"],
    level: Annotated[
        Level,
        typer.Option(
            help="country: ECI and diversity; product: PCI and ubiquity; rca: RCA of each export; "
            "density: presence, density and complexity outlook gain of every country-product pair."
        ),
    ] = CX["level"],
    threshold: Annotated[float, typer.Option(help="RCA at or above which a country 'has' a product.")] = CX[
        "threshold"
    ],
    release: ReleaseOption = CX["release"],
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
    input_name: Annotated[
        str | None, typer.Option("--input", help="An ETO input: its id (N20) or part of its name (EUV).")
    ] = CH["input_name"],
    country: Annotated[
        str | None, typer.Option(help="ISO3 code: that country's position at every input.")
    ] = CH["country"],
    threshold: Annotated[
        float, typer.Option(help="Single-country share above which an input is a chokepoint.")
    ] = CH["threshold"],
    chokepoints_only: Annotated[bool, typer.Option(help="Only the chokepoint inputs.")] = CH[
        "chokepoints_only"
    ],
    with_trade: Annotated[
        bool,
        typer.Option(
            help="Beside ETO's shares, trade in the HS6 codes that carry each input (world and --country)."
        ),
    ] = CH["with_trade"],
    year: Annotated[
        int | None, typer.Option(help="With --with-trade: trade year (default: the latest loaded).")
    ] = CH["year"],
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
