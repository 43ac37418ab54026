"""One word per idea: no command offers a replaced word as a visible option; a renamed option still
works for one release, with a warning; the planner's money columns carry their unit."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer

from friendshore.analyses.glossary import GLOSSARY, MONEY_SUFFIXES, replaced_in
from friendshore.analyses.plan import STRATEGY_COLUMNS as PLAN_COLUMNS
from friendshore.interfaces.cli import app, run


def _options() -> list[tuple[str, Any]]:
    """(command path, option) of every option of every command: typer brings its own click, whose
    options are not instances of ``click.Option``."""
    out: list[tuple[str, Any]] = []

    def walk(command: Any, path: str) -> None:
        for param in command.params:
            if param.param_type_name == "option":
                out.append((path, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def test_replaced_words_are_only_hidden_aliases() -> None:
    assert replaced_in("plan")["sensitivity"] == "draws"
    assert replaced_in("leverage")["by"] == "holder"
    options = _options()
    assert len(options) > 200
    for path, option in options:
        old = replaced_in(path)
        for opt in option.opts:
            word = opt.lstrip("-").replace("-", "_")
            if word in old:
                assert option.hidden, f"friendshore {path}: {opt} is the old word for --{old[word]}"
    visible = {(path, opt) for path, option in options if not option.hidden for opt in option.opts}
    assert ("leverage", "--holder") in visible
    assert ("dependencies", "--by") in visible  # the level of aggregation keeps its word


def test_a_word_is_replaced_in_commands_that_exist() -> None:
    commands = {path for path, _ in _options()}
    for term in GLOSSARY.values():
        for old, where in term.replaced.items():
            assert where, f"{term.word}: say in which commands '{old}' meant it"
            assert set(where) <= commands, (term.word, old, where)
            assert all(replaced_in(c)[old] == term.word for c in where)


def test_an_old_option_warns_and_a_clash_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # the plan fails later (no warehouse needed to see the warning or the clash)
    run(["plan", "--example", "magnets", "--sensitivity", "2", "--format", "csv"])
    assert "--sensitivity is deprecated" in capsys.readouterr().err
    assert run(["plan", "--example", "magnets", "--sensitivity", "2", "--draws", "3"]) == 2


def test_register_measures_by_is_the_old_name_of_who(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The imposer of a measure is ``who`` (the register's field, the column); ``--by`` and the API's
    ``by`` still work for one release, with a warning, and give the same rows."""
    home = ["--home", str(tmp_path / "home")]
    assert run([*home, "register", "measures", "--who", "CHN", "-f", "csv"]) == 0
    new = capsys.readouterr()
    assert "deprecated" not in new.err
    assert run([*home, "register", "measures", "--by", "CHN", "-f", "csv"]) == 0
    old = capsys.readouterr()
    assert old.out == new.out
    assert "--by is deprecated" in old.err
    assert "use --who" in old.err
    assert run([*home, "register", "measures", "--who", "CHN", "--by", "USA"]) == 2
    assert "cn-2023-08-gallium-germanium" in new.out

    from fastapi.testclient import TestClient

    from friendshore.interfaces.api.app import create_app
    from friendshore.settings import load_settings

    with TestClient(create_app(load_settings(home=tmp_path / "home"))) as client:
        by_who, by_old = (
            client.get("/api/register/measures?who=CHN"),
            client.get("/api/register/measures?by=CHN"),
        )
        assert by_who.status_code == by_old.status_code == 200, by_old.text
        assert by_who.json()["rows"] == by_old.json()["rows"]


def test_plan_money_columns_carry_their_unit() -> None:
    money = [c.name for c in PLAN_COLUMNS if c.unit == "usd"]
    assert money
    for name in money:
        assert any(s in name for s in MONEY_SUFFIXES), name
