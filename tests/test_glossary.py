"""One word per idea: no command offers a replaced word as a visible option; a renamed option still
works for one release, with a warning; the planner's money columns carry their unit."""

from __future__ import annotations

import click
import pytest
import typer

from friendshore.analyses.glossary import GLOSSARY, MONEY_SUFFIXES, replaced_words
from friendshore.analyses.plan import _COLUMNS as PLAN_COLUMNS
from friendshore.interfaces.cli import app, run


def _options() -> list[tuple[str, click.Option]]:
    out: list[tuple[str, click.Option]] = []

    def walk(command: click.Command, path: str) -> None:
        for param in command.params:
            if isinstance(param, click.Option):
                out.append((path, param))
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}".strip())

    walk(typer.main.get_command(app), "")
    return out


def test_replaced_words_are_only_hidden_aliases() -> None:
    old = replaced_words()
    assert old["sensitivity"] == "draws"
    for path, option in _options():
        for opt in option.opts:
            word = opt.lstrip("-").replace("-", "_")
            if word in old:
                assert option.hidden, f"friendshore {path}: {opt} is the old word for --{old[word]}"


def test_glossary_words_are_not_replaced_words() -> None:
    assert not set(GLOSSARY) & set(replaced_words())


def test_an_old_option_warns_and_a_clash_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    # the plan fails later (no warehouse needed to see the warning or the clash)
    run(["plan", "--example", "magnets", "--sensitivity", "2", "--format", "csv"])
    assert "--sensitivity is deprecated" in capsys.readouterr().err
    assert run(["plan", "--example", "magnets", "--sensitivity", "2", "--draws", "3"]) == 2


def test_plan_money_columns_carry_their_unit() -> None:
    money = [c.name for c in PLAN_COLUMNS if c.unit == "usd"]
    assert money
    for name in money:
        assert any(s in name for s in MONEY_SUFFIXES), name
