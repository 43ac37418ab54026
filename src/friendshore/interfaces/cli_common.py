"""What every command module of the CLI shares: common options, settings, dates, and ``emit``.

Command modules import this module (never ``cli.py``), each defines its own ``typer.Typer`` and
``cli.py`` mounts them, so there is no import cycle. Analyses are imported by name only: their
modules load no engine at import, so the command line starts fast.

A command that answers a question is marked with ``@answers(analysis)``: its options take their
defaults from the analysis's signature (``defaults_of``), and a test checks that no default drifts;
their help is the analysis's own parameter documentation (``analyses.docs.parameter_docs``), the text
the API shows too.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from copy import copy
from datetime import date, datetime
from typing import Annotated, Any, TypeVar, get_args, get_origin

import typer
from rich.markup import escape
from rich.text import Text
from typer.models import ParameterInfo

from friendshore.analyses.docs import defaults_of, parameter_docs
from friendshore.analyses.result import Result
from friendshore.console import err_console
from friendshore.interfaces.render import Format, render_result
from friendshore.settings import Settings

__all__ = [
    "ColumnsOption",
    "FormatOption",
    "WithMetaOption",
    "answers",
    "defaults_of",
    "emit",
    "parse_columns",
    "parse_date",
    "renamed",
    "say",
    "settings_of",
]

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output: a table for people, csv or json for programs.")
]
ColumnsOption = Annotated[
    str,
    typer.Option(
        "--columns",
        help="Table columns: key (the default), all, or names separated by commas (csv and json carry all).",
    ),
]
WithMetaOption = Annotated[
    bool,
    typer.Option(
        "--with-meta", help='JSON: {"rows": [...], "meta": {parameters, provenance, notes, columns}}.'
    ),
]


def settings_of(ctx: typer.Context) -> Settings:
    """The settings the root command read (``--home``, ``--backend``, environment)."""
    settings = ctx.find_root().obj
    if not isinstance(settings, Settings):  # a command invoked without the root callback
        from friendshore.settings import load_settings

        settings = load_settings()
    return settings


def parse_date(value: str | None, *, option: str = "--members-at") -> date | None:
    """A ``YYYY-MM-DD`` option value as a date (``None`` stays ``None``); a usage error otherwise."""
    if value is None:
        return None
    try:
        return datetime.strptime(value.strip(), "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date like 2026-03-01", param_hint=option) from None


def parse_columns(value: str) -> list[str] | str:
    """``key``, ``all`` or a comma-separated list of column names."""
    text = value.strip()
    if text in ("key", "all"):
        return text
    names = [c.strip() for c in text.split(",") if c.strip()]
    if not names:
        raise typer.BadParameter("give key, all, or column names separated by commas", param_hint="--columns")
    return names


def say(prefix: str, message: str) -> None:
    """One line on stderr, printed as text (never as markup)."""
    err_console.print(Text(f"{prefix}{message}"), soft_wrap=True, highlight=False)


def emit(result: Result, fmt: Format, *, columns: str = "key", with_meta: bool = False) -> None:
    """Render a result on stdout, its provenance and notes on stderr."""
    for item in result.provenance:
        say("data: ", item.describe())
    for source in result.sources:
        say("data: ", source)
    render_result(result, fmt, columns=parse_columns(columns), with_meta=with_meta)
    for note in result.notes:
        say("note: ", note)


def renamed(value: T, old_value: T | None, *, new: str, old: str, default: T) -> T:
    """The value of an option renamed to the shared vocabulary (``analyses/glossary.py``): ``new``'s,
    or ``old``'s (its name before, kept for one release as a hidden alias) with a warning on stderr;
    both given (``new`` not at its ``default``) and different is a usage error."""
    if old_value is None:
        return value
    say("warning: ", f"{old} is deprecated and will be removed after this release: use {new}")
    if value != default and value != old_value:
        raise typer.BadParameter(f"{old} is the old name of {new}: give one of them", param_hint=old)
    return old_value


def _documented(command: Callable[..., Any], docs: dict[str, str]) -> inspect.Signature:
    """``command``'s signature with each option's help taken from the analysis's documentation."""
    signature = inspect.signature(command, eval_str=True)
    params = []
    for p in signature.parameters.values():
        text = docs.get(p.name)
        if text is None:
            params.append(p)
            continue
        help_ = escape(text)
        annotation, default = p.annotation, p.default
        if get_origin(annotation) is Annotated:
            base, *meta = get_args(annotation)
            infos = [m for m in meta if isinstance(m, ParameterInfo)]
            if infos:
                info = copy(infos[0])
                info.help = help_
                meta = [info if m is infos[0] else m for m in meta]
                annotation = Annotated[(base, *meta)]
            else:
                annotation = Annotated[(base, *meta, typer.Option(help=help_))]
        elif isinstance(default, ParameterInfo):
            default = copy(default)
            default.help = help_
        elif annotation is not inspect.Parameter.empty:
            annotation = Annotated[annotation, typer.Option(help=help_)]
        params.append(p.replace(annotation=annotation, default=default))
    return signature.replace(parameters=params)


def answers(analysis: Callable[..., Any]) -> Callable[[F], F]:
    """Mark a command as rendering ``analysis`` (the default-drift test reads the mark) and give its
    options the help that the analysis's docstring writes for the parameters of the same name."""

    def mark(command: F) -> F:
        command.__analysis__ = analysis  # type: ignore[attr-defined]
        docs = parameter_docs(analysis)
        if docs:
            command.__signature__ = _documented(command, docs)  # type: ignore[attr-defined]
        return command

    return mark
