"""Consistency check (not a published result): ETO country shares read back through the ``chips``
code path and the CLI from the file they were loaded from."""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.analyses.reproductions import published_values, run_reproduction
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings


def test_eto_shares_reproduce(sample_data: Path) -> None:
    checks = run_reproduction("eto-chip-shares", load_settings(sample_data=sample_data))
    assert len(checks) == len(published_values("eto-chip-shares")) == 10
    bad = [c for c in checks if not c.ok]
    assert not bad, bad
    fab_china = next(c for c in checks if c.quantity == "share.S2.CHN")
    assert fab_china.ours == pytest.approx(0.24)


def test_reproduce_command(
    sample_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))
    code = run(["--home", str(tmp_path / "wh"), "reproduce", "eto-chip-shares", "--format", "csv"])
    captured = capsys.readouterr()
    assert code == 0, captured.err
    assert "share.N20.NLD" in captured.out
