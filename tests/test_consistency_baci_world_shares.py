"""Consistency check (not a published result): top exporters' 2024 world shares in the BACI sample
against the figures the sample-data MANIFEST computed from the same file."""

from __future__ import annotations

import json

import pytest

from friendshore.analyses.reproductions import run_reproduction
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings


def test_every_share_within_tolerance(sample_data: object) -> None:
    checks = run_reproduction("baci-world-shares", load_settings(sample_data=sample_data))
    assert [c.quantity for c in checks] == [
        "world_export_share.850511.CHN",
        "world_export_share.810411.CHN",
        "world_export_share.810194.CHN",
        "world_export_share.283691.CHL",
    ]
    for check in checks:
        assert check.ok, check


def test_cli_json_shape(
    sample_data: object, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))
    assert run(["reproduce", "baci-world-shares", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {tuple(sorted(r)) for r in rows} == {
        ("gap", "missing", "ok", "ours", "published", "quantity", "source", "tolerance")
    }
    assert all(r["ok"] for r in rows)


def test_unknown_reproduction_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["reproduce", "no-such-thing"]) == 2
    assert "baci-world-shares" in capsys.readouterr().err
