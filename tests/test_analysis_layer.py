"""The analysis layer: one floor that answers questions, read by every interface.

- every CLI command that renders an analysis takes each option's default from the analysis;
- every analysis returns a ``Result`` with provenance (when it reads the warehouse);
- the command line starts without the engines (import order and cycles: tests/test_layers.py);
- the human table fits a 120-column terminal.
"""

from __future__ import annotations

import inspect
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import typer

from friendshore.analyses import chips, complexity, dependencies, partners, supply_risk
from friendshore.analyses.result import Result
from friendshore.interfaces.cli import app, run
from friendshore.settings import Settings, load_settings


def _commands() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []

    def walk(command: Any, prefix: str) -> None:
        callback = getattr(command, "callback", None)
        if callback is not None:
            out.append((prefix or "friendshore", command))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{prefix} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def _marked() -> list[tuple[str, Any, Any]]:
    found = []
    for path, command in _commands():
        fn = getattr(command.callback, "__analysis__", None)
        if fn is None:
            # Typer wraps callbacks; the original function is kept on __wrapped__
            fn = getattr(getattr(command.callback, "__wrapped__", None), "__analysis__", None)
        if fn is not None:
            found.append((path, command, fn))
    return found


def test_the_analysis_commands_are_marked() -> None:
    marked = {path for path, _, _ in _marked()}
    assert {"dependencies", "chokepoints", "supply-risk", "partners", "complexity", "chips"} <= marked


@pytest.mark.parametrize(
    ("path", "command", "analysis"), _marked(), ids=lambda x: x if isinstance(x, str) else ""
)
def test_no_cli_default_drifts_from_its_analysis(path: str, command: Any, analysis: Any) -> None:
    declared = {
        name: p.default
        for name, p in inspect.signature(analysis).parameters.items()
        if p.default is not p.empty
    }
    checked = 0
    for param in command.params:
        if param.name in declared:
            cli_default = param.default
            want = declared[param.name]
            if isinstance(want, tuple) and isinstance(cli_default, list | tuple):
                cli_default = tuple(cli_default)
            # a repeatable option defaults to None and falls back to the analysis's tuple
            assert cli_default == want or (cli_default is None and isinstance(want, tuple)), (
                f"`friendshore {path}` option {param.name}: CLI default {cli_default!r} != analysis default {want!r}"
            )
            checked += 1
    assert checked or not declared, f"`friendshore {path}` shares no option with its analysis"


def _analyses(settings: Settings) -> list[Result]:
    return [
        dependencies.dependencies(settings, importer="USA", on="CHN"),
        dependencies.chokepoints(settings, exposure=True),
        supply_risk.supply_risk(settings, importer="IND", stage="refining"),
        partners.partners(settings, importer="USA", product="850511", draws=20),
        partners.reshoring(settings, importer="USA", product="850511,810411"),
        complexity.complexity(settings, level="product"),
        chips.chips(settings, country="IND"),
    ]


def test_every_analysis_returns_a_result_with_provenance(sample_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=sample_home, sample_data=sample_data)
    for result in _analyses(settings):
        assert isinstance(result, Result)
        assert result.table.num_rows > 0, result.analysis
        assert result.provenance, f"{result.analysis} has no provenance"
        assert all(p.files and p.files[0][1] for p in result.provenance)
        meta = result.meta()
        assert meta["parameters"], result.analysis
        assert set(result.key_columns()) <= set(result.table.column_names)
        assert {c["name"] for c in meta["columns"]} == set(result.table.column_names)


def test_group_parameters_name_the_members_and_date(sample_home: Path) -> None:
    result = dependencies.dependencies(
        load_settings(home=sample_home), importer="quad", year=2024, members_at=None
    )
    importer = result.parameters["importer"]
    assert importer["label"] == "quad"
    assert importer["members"] == ["AUS", "IND", "JPN", "USA"]
    assert importer["as_of"] == "2024-12-31"


def test_the_cli_starts_without_the_engines() -> None:
    code = (
        "import sys, friendshore.interfaces.cli\n"
        "print(sorted(m for m in ('ibis', 'pandas', 'scipy', 'pyspark') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"


def test_supply_risk_fits_a_120_column_terminal(
    sample_home: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The table for people is at most 120 characters wide: printed to a pipe it is not cut to a
    terminal's width, so its natural width is what a 120-column terminal would show."""
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("TERM", "dumb")
    assert run(["--home", str(sample_home), "supply-risk", "--for", "USA", "--year", "2024"]) == 0
    widths = [len(line) for line in capsys.readouterr().out.splitlines()]
    assert widths
    assert max(widths) <= 120, max(widths)


def test_columns_all_shows_every_column(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--home", str(sample_home), "chokepoints", "--year", "2024"]
    assert run([*args, "--columns", "all"]) == 0
    everything = capsys.readouterr().out
    assert run([*args, "--columns", "hs6,top_share"]) == 0
    two = capsys.readouterr().out
    assert "year" in everything
    assert "top exporter" in everything
    assert "top exporter" not in two
    assert "top share" in two
    assert run([*args, "--columns", "nope"]) == 2
