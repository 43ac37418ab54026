"""The README documents every command and every setting (datasette's habit)."""

from __future__ import annotations

import re

import pytest
import typer

from friendshore.interfaces.cli import app
from friendshore.settings import Settings, project_root

README = (project_root() / "README.md").read_text()


def top_level_commands() -> list[str]:
    return sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("command", top_level_commands())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert re.search(rf"friendshore {re.escape(command)}\b", README), f"README does not show `{command}`"


@pytest.mark.parametrize("field", sorted(Settings.model_fields))
def test_every_setting_is_in_the_readme(field: str) -> None:
    assert f"FRIENDSHORE_{field.upper()}" in README


def test_readme_opens_with_the_two_commands() -> None:
    block = README.split("```")[1]
    assert [line.split("#")[0].strip() for line in block.strip().splitlines()[1:]] == [
        "make demo",
        "make test",
    ]
