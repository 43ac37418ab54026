"""Exit codes through the real entry point (issue 20): a reproduction with a figure off exits 1."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest

from friendshore.analyses import reproduce as analysis
from friendshore.interfaces.cli import run


def test_reproduce_exits_1_when_a_figure_is_off(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["--home", str(sample_home), "reproduce", "baci-world-shares", "--format", "csv"]
    assert run(args) == 0
    real = analysis.reproduce

    def one_off(settings: Any, *, name: str) -> Any:
        result = real(settings, name=name)
        return dataclasses.replace(result, parameters={**result.parameters, "ok": False})

    monkeypatch.setattr(analysis, "reproduce", one_off)
    assert run(args) == 1
    assert capsys.readouterr().out.startswith("quantity,")
