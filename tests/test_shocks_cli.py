"""``friendshore simulate`` and ``friendshore shock`` end to end, on the sample warehouse."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import numpy as np
import pytest

from friendshore.interfaces.cli import run
from friendshore.settings import load_settings

EXAMPLES = Path(str(files("friendshore.models.multisector").joinpath("examples")))


def rows(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.slow  # four solves of the WIOD model; the model's answers: test_multisector.py, the tables: test_api.py
def test_china_c17_scenario_end_to_end(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(sample_home)]
    scenario = str(EXAMPLES / "china_c17_usa.toml")
    assert run([*home, "simulate", scenario, "--format", "json", "--with-meta"]) == 0
    out = json.loads(capsys.readouterr().out)
    table = {r["country"]: r for r in out["rows"]}
    assert {"USA", "CHN", "IND"} <= set(table)
    assert table["USA"]["real_income_pct"] < 0
    assert table["CHN"]["real_income_pct"] < 0
    assert np.isfinite(table["IND"]["real_income_pct"])
    meta = out["meta"]
    assert any("prohibitive" in note for note in meta["notes"])
    assert {p["table"] for p in meta["provenance"]} >= {"mrio_trade_share", "mrio_io_share"}
    # sectoral trade diversion into the US
    assert run([*home, "simulate", scenario, "--output", "diversion", "--format", "json"]) == 0
    diversion = rows(capsys)
    assert {r["sector"] for r in diversion} == {"C17"}
    assert diversion[0]["trade_change"] > 0
    china = next(r for r in diversion if r["exporter"] == "CHN")
    assert china["trade_counterfactual"] == 0
    assert diversion[-1]["exporter"] == "CHN"  # the largest loss
    # where China's C17 exports go instead
    assert (
        run(
            [
                *home,
                "simulate",
                scenario,
                "-o",
                "diversion",
                "--exporter",
                "CHN",
                "--importer",
                "MEX",
                "--format",
                "json",
            ]
        )
        == 0
    )
    mex = rows(capsys)
    assert mex[0]["trade_change"] > 0
    assert run([*home, "simulate", scenario, "-o", "diagnostics", "--format", "json"]) == 0
    diagnostics = rows(capsys)
    assert [d["stage"] for d in diagnostics] == ["calibration", "counterfactual"]
    assert all(d["converged"] for d in diagnostics)


@pytest.mark.slow  # whole WIOD solves of the shipped examples (decoupling also runs in the Spark parity tests)
@pytest.mark.parametrize("name", ["coalition_response.toml", "decoupling.toml"])
def test_other_wiod_examples_run(name: str, sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        run(["--home", str(sample_home), "simulate", str(EXAMPLES / name), "--format", "json", "--with-meta"])
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    assert out["rows"]
    for row in out["rows"]:
        assert np.isfinite(row["real_income_pct"])
    if name == "coalition_response.toml":
        changes = out["meta"]["parameters"]["changes"]
        assert set(changes[1]["exporters"]) == {"AUS", "IND", "JPN", "USA"}  # the Quad on 2026-03-01


def test_warehouse_baseline_equals_the_files(sample_home: Path, sample_data: Path) -> None:
    """The mrio_* tables reshaped by the analysis are KITE's own components, value for value."""
    from friendshore.analyses.context import open_context
    from friendshore.analyses.shocks import _kite_from_warehouse
    from friendshore.models.multisector import baseline_from_kite
    from friendshore.sources.wiod_kite import read_kite

    ctx = open_context(load_settings(home=sample_home, sample_data=sample_data))
    tables, release = _kite_from_warehouse(ctx)
    assert release == "WIOD2014"
    ours = baseline_from_kite(tables)
    files = baseline_from_kite(read_kite(sample_data / "kite_wiod2014_initial_conditions"))
    for name in (
        "shares",
        "tariff",
        "io_share",
        "va_share",
        "alpha",
        "expenditure",
        "value_added",
        "deficit",
        "theta",
    ):
        np.testing.assert_array_equal(getattr(ours, name), getattr(files, name), err_msg=name)


def test_cp2015_example_is_the_reproduction(
    sample_data: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))
    assert (
        run(["--home", str(tmp_path), "simulate", str(EXAMPLES / "cp2015_nafta.toml"), "--format", "json"])
        == 0
    )
    table = {r["country"]: r for r in rows(capsys)}
    assert list(table) == ["MEX", "USA", "CAN"]
    assert table["MEX"]["welfare_pct"] == pytest.approx(1.3121, abs=1e-3)
    assert table["USA"]["welfare_pct"] == pytest.approx(0.0848, abs=1e-3)
    assert table["CAN"]["welfare_pct"] == pytest.approx(-0.0638, abs=1e-3)


def test_shock_command(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(sample_home)]
    assert (
        run(
            [
                *home,
                "shock",
                "--exporter",
                "CHN",
                "--sector",
                "critical-minerals",
                "--share",
                "1.0",
                "--format",
                "json",
                "--with-meta",
            ]
        )
        == 0
    )
    out = json.loads(capsys.readouterr().out)
    importers = out["rows"]
    assert importers
    assert all(r["restricting"] == "CHN" for r in importers)
    assert all(0 <= r["unmet_kusd"] <= r["value_at_risk_kusd"] + 1e-9 for r in importers)
    magnets = [r for r in importers if r["hs6"] == "850511"]
    assert magnets
    assert out["meta"]["parameters"]["year"] == 2024
    # suppliers: every filled dollar is someone's extra demand
    assert (
        run(
            [
                *home,
                "shock",
                "--exporter",
                "CHN",
                "--product",
                "850511",
                "--output",
                "suppliers",
                "--format",
                "json",
            ]
        )
        == 0
    )
    suppliers = rows(capsys)
    assert (
        run(
            [
                *home,
                "shock",
                "--exporter",
                "CHN",
                "--product",
                "850511",
                "--output",
                "products",
                "--format",
                "json",
            ]
        )
        == 0
    )
    (product,) = rows(capsys)
    assert sum(r["extra_demand_kusd"] for r in suppliers) == pytest.approx(product["filled_kusd"], rel=1e-9)
    # one importer, and a group restricting jointly
    assert (
        run(
            [
                *home,
                "shock",
                "--exporter",
                "countries-of-concern",
                "--product",
                "850511",
                "--importer",
                "USA",
                "--format",
                "json",
            ]
        )
        == 0
    )
    (usa,) = rows(capsys)
    assert usa["importer"] == "USA"
    assert usa["restricting"] == "countries-of-concern"
