"""Published check: Caliendo & Parro (2015), NAFTA's tariff reductions (welfare within 0.02 points)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from friendshore.analyses.reproductions import run_reproduction
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings

pytestmark = pytest.mark.published


def test_cp2015_nafta(sample_data: Path) -> None:
    checks = {c.quantity: c for c in run_reproduction("cp2015-nafta", load_settings(sample_data=sample_data))}
    assert {"welfare_pct.MEX", "welfare_pct.USA", "welfare_pct.CAN"} <= set(checks)
    assert all(c.ok for c in checks.values()), [c for c in checks.values() if not c.ok]
    assert checks["welfare_pct.MEX"].published == 1.31
    assert checks["welfare_pct.MEX"].tolerance == 0.02
    # the replication's own figures, closer than the paper's rounding
    assert checks["welfare_pct.MEX"].ours == pytest.approx(1.31, abs=0.005)
    assert checks["welfare_pct.USA"].ours == pytest.approx(0.0848, abs=0.0005)
    assert checks["welfare_pct.CAN"].ours == pytest.approx(-0.0638, abs=0.0005)
    assert checks["real_wage_pct.MEX"].ours == pytest.approx(1.72, abs=0.01)


def test_cli_reproduce_json(
    sample_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))
    assert run(["reproduce", "cp2015-nafta", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["quantity"] for r in rows} >= {"welfare_pct.MEX", "welfare_pct.USA", "welfare_pct.CAN"}
    assert all(r["ok"] for r in rows)
