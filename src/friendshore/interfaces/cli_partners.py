"""``friendshore partners``, ``friendshore complexity`` and ``friendshore chips``.

Results go to stdout (``--format table|csv|json``); notes on how to read them go to stderr.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Literal

import typer

from friendshore.console import err_console
from friendshore.interfaces.cli import FormatOption, app, note_sources, parse_date, settings_of
from friendshore.interfaces.render import render

__all__: list[str] = []

Show = Literal["candidates", "reshoring"]
Level = Literal["country", "product", "rca", "density"]
Norm = Literal["minmax", "zscore", "rank"]

#: The candidate columns a terminal table shows (csv and json carry all of them).
_TABLE_COLUMNS = [
    "rank",
    "candidate",
    "in_coalition",
    "export_kusd",
    "share_ex_concern",
    "rca",
    "density",
    "wgi_mean",
    "ideal_point_distance",
    "distw_km",
    "score",
    "rank_median",
    "rank_p05",
    "rank_p95",
    "missing",
]


def _notes(notes: Sequence[str]) -> None:
    for note in notes:
        err_console.print(f"note: {note}", markup=False, highlight=False, soft_wrap=True)


@app.command()
def partners(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option("--for", help="Importer: ISO3 code or group (e.g. USA, quad, eu27).")
    ],
    product: Annotated[
        str | None, typer.Option(help="HS6 code, or several separated by commas (e.g. 850511).")
    ] = None,
    sector: Annotated[
        str | None, typer.Option(help="Technology instead of --product (see 'friendshore taxonomy').")
    ] = None,
    stage: Annotated[str | None, typer.Option(help="With --sector: ore, refined, component, ...")] = None,
    year: Annotated[int | None, typer.Option(help="Analysis year (default: the latest loaded).")] = None,
    exclude: Annotated[
        str, typer.Option(help="Country or group of concern, left out as a supplier.")
    ] = "countries-of-concern",
    coalition: Annotated[
        str | None,
        typer.Option(help="Partner group: flagged in the table, counted apart in --show reshoring."),
    ] = None,
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = None,
    weights: Annotated[
        Path | None,
        typer.Option(help="TOML or JSON file of indicator weights (see docs/methods/partners.md)."),
    ] = None,
    normalisation: Annotated[
        Norm, typer.Option(help="Normalisation of the base ranking: minmax, zscore or rank.")
    ] = "minmax",
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of the uncertainty analysis.")] = 1000,
    seed: Annotated[int, typer.Option(help="Random seed of the draws (same seed, same intervals).")] = 0,
    concentration: Annotated[
        float, typer.Option(help="Dirichlet concentration of the weight draws; 0 keeps the weights fixed.")
    ] = 50.0,
    draw_normalisation: Annotated[
        list[str] | None,
        typer.Option(
            "--draw-normalisation", help="Normalisations the draws choose from (repeat; default: all three)."
        ),
    ] = None,
    top: Annotated[int, typer.Option(help="Keep the largest N exporters as candidates (0: all).")] = 25,
    include: Annotated[
        list[str] | None, typer.Option(help="Always list this exporter, e.g. IND (repeat for several).")
    ] = None,
    show: Annotated[
        Show, typer.Option(help="candidates: the ranked table; reshoring: home vs coalition vs others.")
    ] = "candidates",
    fmt: FormatOption = "table",
) -> None:
    """Who could supply a product instead of a country of concern, ranked, with rank intervals.

    Candidates are described by capacity, capability, governance, alignment and distance and
    ranked by a weighted composite; a Monte Carlo over weights and normalisations gives each
    rank's 5-95% interval. Shares are fractions in [0, 1]; values in thousand US dollars (BACI). rank_p05 and rank_p95
    bound the rank over the Monte Carlo draws of weights and normalisations.
    """
    from friendshore.metrics.partner_views import partners_view, reshoring_view
    from friendshore.metrics.partners import Uncertainty, Weights, load_weights

    settings = settings_of(ctx)
    when = parse_date(members_at)
    if show == "reshoring":
        result = reshoring_view(
            settings,
            importer=importer,
            product=product,
            sector=sector,
            stage=stage,
            year=year,
            exclude=exclude,
            coalition=coalition,
            members_at=when,
        )
        render(result.table, fmt, title=result.title)
        _notes(result.notes)
        return
    uncertainty = Uncertainty(
        draws=draws,
        seed=seed,
        concentration=concentration if concentration > 0 else None,
        normalisations=tuple(draw_normalisation or ("minmax", "zscore", "rank")),  # type: ignore[arg-type]
    )
    candidates = partners_view(
        settings,
        importer=importer,
        product=product,
        sector=sector,
        stage=stage,
        year=year,
        exclude=exclude,
        coalition=coalition,
        members_at=when,
        weights=load_weights(weights) if weights else Weights(),
        normalisation=normalisation,
        uncertainty=uncertainty,
        top=top if top > 0 else None,
        include=[c.upper() for c in include or []],
    )
    table = candidates.table
    if fmt == "table":
        table = table.select(_TABLE_COLUMNS)
    note_sources(settings_of(ctx), ["trade", "governance", "alignment", "geography"])
    render(table, fmt, title=str(candidates.meta.get("title", "")))
    _notes(candidates.notes)


@app.command("complexity")
def complexity_command(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option(help="Year (default: the latest loaded).")] = None,
    level: Annotated[
        Level,
        typer.Option(
            help="country: ECI and diversity; product: PCI and ubiquity; rca: RCA of each export; "
            "density: presence, density and complexity outlook gain of every country-product pair."
        ),
    ] = "country",
    threshold: Annotated[float, typer.Option(help="RCA at or above which a country 'has' a product.")] = 1.0,
    fmt: FormatOption = "table",
) -> None:
    """Economic complexity from trade: RCA, ECI and PCI, density and outlook gain.

    RCA after Balassa; ECI and PCI by the eigenvector method of Hidalgo & Hausmann with the Atlas
    sign convention (ECI correlates positively with diversity); density and complexity outlook
    gain as in the Atlas and the Growth Lab's ecomplexity."""
    from friendshore.metrics.partner_views import complexity_view

    result = complexity_view(settings_of(ctx), year=year, level=level, threshold=threshold)
    note_sources(settings_of(ctx), ["trade"])
    render(result.table, fmt, title=result.title)
    _notes(result.notes)


@app.command()
def chips(
    ctx: typer.Context,
    input_name: Annotated[
        str | None, typer.Option("--input", help="An ETO input: its id (N20) or part of its name (EUV).")
    ] = None,
    country: Annotated[
        str | None, typer.Option(help="ISO3 code: that country's position at every input.")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="Single-country share above which an input is a chokepoint.")
    ] = 0.65,
    chokepoints_only: Annotated[bool, typer.Option(help="Only the chokepoint inputs.")] = False,
    fmt: FormatOption = "table",
) -> None:
    """The semiconductor supply chain (ETO): shares per input, chokepoints, a country's position.

    Without options: every input with its top countries and a chokepoint flag (one country above
    --threshold); --country: that country's share and firms at every input; --input: the
    providers of one input."""
    from friendshore.metrics.partner_views import chips_view

    result = chips_view(
        settings_of(ctx),
        input_name=input_name,
        country=country,
        threshold=threshold,
        chokepoints_only=chokepoints_only,
    )
    note_sources(settings_of(ctx), ["chip_provision"])
    render(result.table, fmt, title=result.title)
    _notes(result.notes)
