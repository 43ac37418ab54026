"""``friendshore brief``: the report an analyst can send (HTML, PDF, CSVs, provenance.json)."""

from __future__ import annotations

from pathlib import Path
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
        Path, typer.Option("--out", "-o", help="Folder to write brief.html, brief.pdf, data/ into.")
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
    concern: Annotated[str, typer.Option(help="The country or group to reduce dependence on.")] = BRIEF[
        "concern"
    ],  # type: ignore[assignment]
    tariff_scenario: Annotated[
        Path | None, typer.Option(help="Gravity scenario of section 5 (a TOML file).")
    ] = BRIEF["tariff_scenario"],  # type: ignore[assignment]
    plan_example: Annotated[
        str | None, typer.Option(help="Shipped coalition plan of section 6 (see 'friendshore plan --help').")
    ] = BRIEF["plan_example"],  # type: ignore[assignment]
    pdf: Annotated[bool, typer.Option(help="Also write brief.pdf.")] = BRIEF["pdf"],  # type: ignore[assignment]
) -> None:
    """Write the brief: exposure, supply risk, partners, shocks, plan, commitments and methods,
    every number from an analysis, as brief.html (self-contained), brief.pdf, data/*.csv and
    provenance.json. Prints the paths of the HTML and PDF files."""
    from friendshore.reporting.brief import build_brief

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
        tariff_scenario=tariff_scenario,
        plan_example=plan_example,
        pdf=pdf,
    )
    typer.echo(str(files.html))
    if files.pdf is not None:
        typer.echo(str(files.pdf))
