"""The CLI through its real entry point: help everywhere, exit codes, formats."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, get_type_hints

import pytest
import typer
from typer.models import ParameterInfo

from friendshore import __version__
from friendshore.analyses.docs import parameter_docs
from friendshore.interfaces.cli import app, run


def command_paths() -> list[list[str]]:
    """Every command and sub-command of the CLI, as argument lists."""
    paths: list[list[str]] = []

    def walk(command: object, prefix: list[str]) -> None:
        paths.append(prefix)
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, [*prefix, name])

    walk(typer.main.get_command(app), [])
    return paths


@pytest.mark.parametrize("path", command_paths(), ids=lambda p: " ".join(p) or "friendshore")
def test_every_command_has_help(path: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert run([*path, "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage" in out
    assert len(out.strip().splitlines()) > 3


def _written_help(callback: Callable[..., Any]) -> dict[str, str]:
    """``{parameter: help}`` as a command's source writes it (in its annotation or its default)."""
    given = callback.__defaults__ or ()
    code = callback.__code__
    names = code.co_varnames[code.co_argcount - len(given) : code.co_argcount]
    defaults = dict(zip(names, given, strict=True))
    out: dict[str, str] = {}
    for name, hint in get_type_hints(callback, include_extras=True).items():
        for info in [*getattr(hint, "__metadata__", ()), defaults.get(name)]:
            if isinstance(info, ParameterInfo) and info.help:
                out[name] = info.help
    return out


def test_no_command_writes_again_the_help_its_analysis_documents() -> None:
    """The help of an option of an analysis parameter is the analysis's docstring (``answers``): a
    ``help=`` of the command's own would be a second copy that nobody reads."""
    checked: set[str] = set()

    def walk(command: object) -> None:
        callback = getattr(command, "callback", None)
        analysis = getattr(callback, "__analysis__", None)
        if callback is not None and analysis is not None:
            twice = set(_written_help(callback)) & set(parameter_docs(analysis))
            assert not twice, f"{callback.__module__}.{callback.__name__}: help= of {sorted(twice)}"
            checked.add(f"{callback.__module__}.{callback.__name__}")
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    assert len(checked) > 20
    # the brief's options are its analysis's parameters too: it must not slip out of the check
    assert "friendshore.interfaces.cli_brief.brief" in checked
    assert _written_help(_documented_twice) == {"year": "Twice."}  # the check sees a help= where it is


def _documented_twice(year: Annotated[int, typer.Option(help="Twice.")] = 1, fmt: str = "table") -> None:
    """A command that writes the analysis's text again (the check above must see it)."""


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--version"]) == 0
    assert capsys.readouterr().out.strip() == f"friendshore {__version__}"


def test_sql_csv_and_json(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(home), "sql", "select 1 as x", "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["x", "1"]
    assert run(["--home", str(home), "sql", "select 2 as y, 'a' as z", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out) == [{"y": 2, "z": "a"}]


@pytest.mark.parametrize("query", ["drop table t", "delete from trade", "select * from no_such_table"])
def test_sql_user_errors_exit_2_with_one_line(
    home: Path, query: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["--home", str(home), "sql", query]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert "Traceback" not in err


def test_usage_errors_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--no-such-option"]) == 2
    assert run(["sql", "select 1", "--format", "xml"]) == 2
    capsys.readouterr()


def test_data_status_on_an_empty_warehouse(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(home), "data", "status", "--format", "csv"]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [
        "table,partition,rows,source,publisher,licence,release,files,sha256,loaded_at"
    ]
    assert "ingest sample" in captured.err


def test_data_status_lists_provenance(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(sample_home), "data", "status", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    trade = next(r for r in rows if r["table"] == "trade")
    assert trade["rows"] == 21723
    assert trade["files"] == "BACI_HS17_Y2024_V202601_critical.csv"
    assert trade["source"] == "cepii-baci"
    assert len(trade["sha256"]) == 64  # json carries the full hash


def test_console_script_exit_codes(home: Path) -> None:
    """The installed entry point exits 2 on a refused query, without a traceback."""
    done = subprocess.run(
        [sys.executable, "-m", "friendshore", "--home", str(home), "sql", "drop table trade"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "only read queries" in done.stderr
