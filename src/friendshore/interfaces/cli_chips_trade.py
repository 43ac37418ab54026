"""``friendshore leverage`` and ``friendshore event``: the chip side in trade."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import event as event_analysis
from friendshore.analyses import leverage as leverage_analysis
from friendshore.analyses.event import Frequency, Output
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

LEV = defaults_of(leverage_analysis.leverage)
EV = defaults_of(event_analysis.event)


@app.command()
@answers(leverage_analysis.leverage)
def leverage(
    ctx: typer.Context,
    holder: str | None = LEV["holder"],
    concern: str = LEV["concern"],
    sector: str | None = LEV["sector"],
    stage: str | None = LEV["stage"],
    product: str | None = LEV["product"],
    year: int | None = LEV["year"],
    members_at: str | None = LEV["members_at"],
    per_holder: bool = LEV["per_holder"],
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
    over: Annotated[str | None, typer.Option("--over", hidden=True)] = None,
    by: Annotated[str | None, typer.Option("--by", hidden=True)] = None,
) -> None:
    """Leverage over a target: per product it imports, the holders' share, the concentration of
    their supply, how much the rest of the world could replace, and the unreplaceable share.

    The mirror of 'dependencies'. See docs/methods/leverage.md."""
    result = leverage_analysis.leverage(
        settings_of(ctx),
        concern=renamed(concern, over, new="--concern", old="--over", default=LEV["concern"]),
        holder=renamed(holder, by, new="--holder", old="--by", default=LEV["holder"]),
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
    importer: Annotated[str | None, typer.Option("--importer", "-i")] = EV["importer"],
    products: str | None = EV["products"],
    date: str | None = EV["date"],
    event_id: Annotated[
        str | None, typer.Option("--event", help="A dated measure's id (its date, products and parties).")
    ] = EV["event"],
    window: int = EV["window"],
    members_at: str | None = EV["members_at"],
    output: Output = EV["output"],
    frequency: Frequency = EV["frequency"],
    exporter: str | None = EV["exporter"],
    months: int = EV["months"],
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
    output = renamed(output, show, new="--output", old="--show", default=EV["output"])
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
