"""``friendshore brief``: the decision document an analyst can send (HTML, PDF, findings.json, CSVs,
provenance.json)."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.interfaces.cli_common import defaults_of, parse_date, settings_of

__all__ = ["app"]

app = typer.Typer()


def _defaults() -> dict[str, object]:
    from friendshore.reporting.brief import build_brief

    return defaults_of(build_brief)


BRIEF = _defaults()


@app.command()
def brief(
    ctx: typer.Context,
    importer: Annotated[
        str, typer.Option("--for", "-i", help="ISO3 code or group the brief is for (e.g. USA, eu27, quad).")
    ],
    out: Annotated[
        str, typer.Option("--out", "-o", help="Folder to write into: new, empty, or a previous brief.")
    ],
    partner: Annotated[
        str | None, typer.Option(help="A partner (ISO3) to place among the candidates, e.g. IND.")
    ] = BRIEF["partner"],  # type: ignore[assignment]
    coalition: Annotated[
        str | None, typer.Option(help="A coalition (group), e.g. pax-silica; its members are marked.")
    ] = BRIEF["coalition"],  # type: ignore[assignment]
    year: Annotated[int | None, typer.Option(help="Trade year (default: the latest loaded).")] = BRIEF[
        "year"
    ],  # type: ignore[assignment]
    sector: Annotated[
        str | None, typer.Option(help="Technology, e.g. critical-minerals (see 'friendshore taxonomy').")
    ] = BRIEF["sector"],  # type: ignore[assignment]
    members_at: Annotated[
        str | None, typer.Option(help="Resolve groups at this date (default: the end of the year).")
    ] = None,
    concern: Annotated[
        str | None,
        typer.Option(
            help="The country or group to reduce dependence on (default: the reader's, see "
            "nomenclature/data/viewpoints.toml: USA the 15 CFR 791.4 list, IND and others China)."
        ),
    ] = BRIEF["concern"],  # type: ignore[assignment]
    plan_example: Annotated[
        str | None,
        typer.Option(
            help="Shipped plan whose assumptions (costs, horizon, disruption, targets) the options use; the options "
            "are solved for the reader's own imports of its key product against its countries of concern."
        ),
    ] = BRIEF["plan_example"],  # type: ignore[assignment]
    draws: Annotated[int, typer.Option(help="Monte Carlo draws of the plan's cost parameters.")] = BRIEF[
        "draws"
    ],  # type: ignore[assignment]
    pdf: Annotated[bool, typer.Option(help="Also write brief.pdf.")] = BRIEF["pdf"],  # type: ignore[assignment]
) -> None:
    """Write the brief from the reader's point of view: page 1 (bottom line, ranked judgements, options,
    recommendation, what we do not know), the evidence and an annex, as brief.html (self-contained),
    brief.pdf, findings.json, data/*.csv and provenance.json. OUT must be new, empty or a previous
    brief; it is replaced only when the new brief is complete. Prints the paths written."""
    from friendshore.reporting.brief import build_brief

    try:
        files = build_brief(
            settings_of(ctx),
            importer=importer,
            out=out,
            partner=partner,
            coalition=coalition,
            year=year,
            sector=sector,
            members_at=parse_date(members_at),
            concern=concern,
            plan_example=plan_example,
            draws=draws,
            pdf=pdf,
        )
    except KeyboardInterrupt:
        typer.echo(f"Interrupted: the brief was not written; {out} is as it was before.", err=True)
        raise typer.Exit(130) from None
    typer.echo(str(files.html))
    if files.pdf is not None:
        typer.echo(str(files.pdf))
    typer.echo(str(files.findings))
