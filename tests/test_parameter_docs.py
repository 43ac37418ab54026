"""Parameter documentation is written once, in the analysis; the CLI and the API both read it."""

from __future__ import annotations

import inspect

import click
import pytest
import typer

from friendshore.analyses.docs import defaults_of, documented, parameter_docs
from friendshore.interfaces.api.endpoints import ENDPOINTS
from friendshore.interfaces.api.routes import endpoint_params
from friendshore.interfaces.cli import app


def _example(settings: object, *, first: int = 1, second: str | None = None, third: bool = False) -> None:
    """Something.

    Parameters
    ----------
    first
        The first,
        on two lines.
    second : str, optional
        The second.

    Returns
    -------
    nothing
        Not a parameter.
    """


def test_parameters_section_is_read_and_ends_at_the_next_section() -> None:
    assert parameter_docs(_example) == {"first": "The first, on two lines.", "second": "The second."}
    assert defaults_of(_example) == {"first": 1, "second": None, "third": False}


def test_documented_fills_bare_entries_once_and_leaves_written_ones() -> None:
    def analysis(settings: object, *, first: int = 1, year: int | None = None, stage: str = "") -> None:
        """Something.

        Parameters
        ----------
        first
            Its own text.
        year
        stage
        """

    documented(first="stage", year="trade_year")(analysis)
    assert parameter_docs(analysis) == {
        "first": "Its own text.",
        "year": "Trade year (default: the latest loaded).",
        "stage": "Stage: ore, refined, component, equipment, final.",
    }

    def unknown(settings: object, *, nothing: int = 0) -> None:
        """Something.

        Parameters
        ----------
        nothing
        """

    with pytest.raises(KeyError, match="nothing"):
        documented()(unknown)


def _answered() -> list[tuple[click.Command, object]]:
    out: list[tuple[click.Command, object]] = []

    def walk(command: click.Command) -> None:
        analysis = getattr(command.callback, "__analysis__", None)
        if analysis is not None:
            out.append((command, analysis))
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return out


def test_every_cli_option_of_an_analysis_parameter_has_the_analysis_text() -> None:
    checked = 0
    for command, analysis in _answered():
        docs = parameter_docs(analysis)  # type: ignore[arg-type]
        keywords = set(inspect.signature(analysis).parameters) - {"settings"}  # type: ignore[arg-type]
        for param in command.params:
            if param.name not in keywords:
                continue
            assert param.name in docs, f"{command.name}: the analysis does not document '{param.name}'"
            shown = getattr(param, "help", "") or ""
            assert shown.replace("\\[", "[") == docs[param.name], (command.name, param.name)
            checked += 1
    assert checked > 100


def test_api_descriptions_are_the_analysis_text() -> None:
    checked = 0
    for ep in ENDPOINTS:
        docs = parameter_docs(ep.analysis)
        for p in endpoint_params(ep):
            if p.name in docs:
                assert p.description == docs[p.name], (ep.path, p.name)
                checked += 1
    assert checked > 50
