"""``friendshore brief``: the decision document an analyst can send (HTML, PDF, findings.json, CSVs,
provenance.json).

The options that are the brief analysis's parameters (``analyses.brief.brief``) take their help from
its docstring (``answers``) and their defaults from its signature; ``--out`` and ``--pdf`` belong to
the writer (``reporting.brief.build_brief``) and are described here.
"""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.analyses import brief as brief_analysis
from friendshore.interfaces.cli_common import answers, defaults_of, parse_date, settings_of

__all__ = ["app"]

app = typer.Typer()


def _defaults() -> dict[str, object]:
    from friendshore.reporting.brief import build_brief

    return {**defaults_of(build_brief), **defaults_of(brief_analysis.brief)}


BRIEF = _defaults()


@app.command()
@answers(brief_analysis.brief)
def brief(
    ctx: typer.Context,
    for_: Annotated[str, typer.Option("--for", "-i")],
    out: Annotated[
        str, typer.Option("--out", "-o", help="Folder to write into: new, empty, or a previous brief.")
    ],
    partner: str | None = BRIEF["partner"],  # type: ignore[assignment]
    coalition: str | None = BRIEF["coalition"],  # type: ignore[assignment]
    year: int | None = BRIEF["year"],  # type: ignore[assignment]
    sector: str | None = BRIEF["sector"],  # type: ignore[assignment]
    members_at: str | None = None,
    concern: str | None = BRIEF["concern"],  # type: ignore[assignment]
    plan_example: str | None = BRIEF["plan_example"],  # type: ignore[assignment]
    draws: int = BRIEF["draws"],  # type: ignore[assignment]
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
            importer=for_,
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
