"""``friendshore leverage`` and ``friendshore event``: the chip side in trade."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import event as event_analysis
from friendshore.analyses import leverage as leverage_analysis
from friendshore.analyses.event import Frequency, Output
from friendshore.interfaces.cli_analysis import deprecated_option
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

LEV = defaults_of(leverage_analysis.leverage)
EV = defaults_of(event_analysis.event)

MembersAtOption = Annotated[
    str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
]


@app.command()
@answers(leverage_analysis.leverage)
def leverage(
    ctx: typer.Context,
    by: Annotated[str, typer.Option(help="Holders: ISO3 code or group (e.g. pax-silica, NLD).")],
    concern: Annotated[
        str, typer.Option(help="Target: ISO3 code or group (e.g. CHN, countries-of-concern).")
    ] = LEV["concern"],
    sector: Annotated[
        str | None, typer.Option(help="Technology, e.g. semiconductors (see 'friendshore taxonomy').")
    ] = LEV["sector"],
    stage: Annotated[
        str | None, typer.Option(help="Stage: ore, refined, component, equipment, final.")
    ] = LEV["stage"],
    product: Annotated[
        str | None, typer.Option(help="HS6 code, or several separated by commas (e.g. 848620,854231).")
    ] = LEV["product"],
    year: Annotated[int | None, typer.Option(help="Analysis year (default: the latest loaded).")] = LEV[
        "year"
    ],
    members_at: MembersAtOption = LEV["members_at"],
    per_holder: Annotated[
        bool, typer.Option(help="One row per holder and product (its share and unilateral leverage).")
    ] = LEV["per_holder"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    over: Annotated[
        str | None, typer.Option("--over", hidden=True, help="Deprecated: use --concern.")
    ] = None,
) -> None:
    """Leverage over a target: per product it imports, the holders' share, the concentration of
    their supply, how much the rest of the world could replace, and the unreplaceable share.

    The mirror of 'dependencies'. See docs/methods/leverage.md."""
    result = leverage_analysis.leverage(
        settings_of(ctx),
        concern=deprecated_option(concern, over, new="--concern", old="--over", default=LEV["concern"])
        or concern,
        by=by,
        sector=sector,
        stage=stage,
        product=product,
        year=year,
        members_at=parse_date(members_at),
        per_holder=per_holder,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)


@app.command()
@answers(event_analysis.event)
def event(
    ctx: typer.Context,
    importer: Annotated[
        str | None, typer.Option("--importer", "-i", help="ISO3 code or group (e.g. CHN); by year.")
    ] = EV["importer"],
    products: Annotated[
        str | None, typer.Option(help="HS6 codes separated by commas (default with --event: its products).")
    ] = EV["products"],
    date: Annotated[
        str | None, typer.Option(help="The date of the measure, YYYY-MM-DD (or give --event).")
    ] = EV["date"],
    event_id: Annotated[
        str | None, typer.Option("--event", help="A dated measure's id (its date, products and parties).")
    ] = EV["event"],
    window: Annotated[int, typer.Option(help="Full calendar years compared on each side.")] = EV["window"],
    members_at: MembersAtOption = EV["members_at"],
    output: Annotated[
        Output,
        typer.Option(
            help="suppliers, codes (where purchases moved) or years (yearly shares); "
            "by month: destinations, months or totals."
        ),
    ] = EV["output"],
    frequency: Annotated[
        Frequency,
        typer.Option(
            help="year (an importer's suppliers) or month (an exporter's destinations, monthly records)."
        ),
    ] = EV["frequency"],
    exporter: Annotated[
        str | None,
        typer.Option(
            help="By month: the exporter, ISO3 (default with --event: the country that imposed it)."
        ),
    ] = EV["exporter"],
    months: Annotated[int, typer.Option(help="By month: months compared on each side.")] = EV["months"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    show: Annotated[
        Output | None, typer.Option("--show", hidden=True, help="Deprecated: use --output.")
    ] = None,
) -> None:
    """An importer's purchases before and after a dated measure (an export control): supplier
    shares and values, and which codes the purchases moved to. With --frequency month, an
    exporter's shipments by destination in the months around the measure.

    A description, not a causal estimate. The measures and their dates come from the register
    ('friendshore register measures' lists them; add your own with 'friendshore register add')."""
    if show is not None:  # the old name of --output: a warning, then its value
        deprecated_option(output, show, new="--output", old="--show", default=EV["output"])
        output = show
    result = event_analysis.event(
        settings_of(ctx),
        importer=importer,
        products=products,
        date=parse_date(date, option="--date"),
        event=event_id,
        window=window,
        members_at=parse_date(members_at),
        output=output,
        frequency=frequency,
        exporter=exporter,
        months=months,
    )
    emit(result, fmt, columns=columns, with_meta=with_meta)
