"""Text is printed as text (issue 20): ``[/x]`` or ``[bold]`` anywhere a user or a publisher can
put it never crashes the command line and never disappears from its output."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from friendshore.console import progress
from friendshore.interfaces.cli import run


def test_home_with_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "[/x]" / "[bold]home"
    assert run(["--home", str(home), "data", "status"]) == 0
    assert str(home) in capsys.readouterr().err.replace("\n", "")
    assert run(["--home", str(home), "sql", "select '[/x]' as a, '[red]b[/red]' as b"]) == 0
    out = capsys.readouterr().out
    assert "[/x]" in out
    assert "[red]b[/red]" in out


def test_option_value_and_path_with_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = tmp_path / "[/x]" / "[bold]gdp.csv"
    assert run(["--home", str(tmp_path / "h"), "ingest", "wdi-gdp", str(missing)]) == 2
    assert f"{missing}: not found" in capsys.readouterr().err.replace("\n", "")
    assert run(["--home", str(tmp_path / "h"), "groups", "[/x]"]) == 2
    err = capsys.readouterr().err
    assert "unknown group '[/x]'" in err
    assert "Traceback" not in err
    assert run(["sql", "select 1", "--format", "[/x]"]) == 2
    assert "'[/x]' is not one of" in capsys.readouterr().err


def test_eto_text_with_segments_prints_as_it_is(
    sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """ETO source texts hold Markdown links such as ``[segments](https://perma.cc/...)``."""
    sql = (
        "select input_id, substr(source_text, strpos(source_text, '[segments]'), 20) as text "
        "from chip_provision where contains(source_text, '[segments]') order by input_id limit 1"
    )
    assert run(["--home", str(sample_home), "sql", sql]) == 0
    assert "[segments](https://" in capsys.readouterr().out


def test_progress_shows_file_names_as_text() -> None:
    """The progress bar (shown on a terminal) holds file names: '[/x].csv' used to crash it."""
    out = io.StringIO()
    console = Console(file=out, force_terminal=True, width=120)
    with progress(console=console) as bar:
        task = bar.add_task("BACI [/x][bold].csv", total=2)
        bar.advance(task)
        bar.refresh()
    assert "[/x][bold].csv" in out.getvalue()
