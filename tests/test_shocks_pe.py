"""``friendshore shock --model/--scope`` and ``friendshore tariff`` on the sample warehouse (BACI 2024)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from friendshore.analyses.shocks import restriction, tariff
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings

#: China's 2024 exports of permanent magnets (850511) less everything the rest of the world exports
#: (BACI 2024: 3.11 bn USD against 1.85 bn): unmet even if every other exporter redirected everything.
FLOOR_KUSD = 1.2564e6
#: What issue 25 asks the world's gap to reach at least.
ISSUE_KUSD = 1.26e6


def cli(capsys: pytest.CaptureFixture[str], home: Path, *args: str) -> dict[str, Any]:
    assert run(["--home", str(home), *args, "--format", "json", "--with-meta"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


@pytest.mark.parametrize("model", ["first-order", "pe"])
def test_world_gap_of_a_chinese_magnet_ban(
    model: str, sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = cli(capsys, sample_home, "shock", "--exporter", "CHN", "--product", "850511", "--scope", "world",
              "--model", model, "--output", "world")  # fmt: skip
    (row,) = out["rows"]
    assert row["product"] == "Permanent magnets (850511)"
    assert row["value_at_risk_kusd"] == pytest.approx(3.1096e6, rel=1e-3)
    assert row["unmet_if_all_redirected_kusd"] == pytest.approx(FLOOR_KUSD, rel=1e-3)
    assert row["unmet_kusd"] >= ISSUE_KUSD
    assert row["unmet_kusd"] <= row["value_at_risk_kusd"]
    meta = out["meta"]
    assert "every importer cut off at once" in meta["title"]
    if model == "pe":
        assert 0 < row["filled_kusd"] < row["value_at_risk_kusd"]
        assert row["price_change_pct"] > 0
        notes = " ".join(meta["notes"])
        assert "ProTEE 0.1" in notes
        assert "assumption" in notes
        assert any("ProTEE" in s for s in meta["sources"])


def test_us_is_not_told_zero_unmet_when_china_cuts_everyone(sample_home: Path, sample_data: Path) -> None:
    """The first-order single view says the US could fill everything; every importer cut at once,
    the US is left short, in both models."""
    s = load_settings(home=sample_home, sample_data=sample_data)
    single = restriction(s, exporter="CHN", product="850511", importer="USA")
    (us,) = single.table.to_pylist()
    assert us["unmet_kusd"] == 0  # what issue 25 found: the single view's optimism
    assert "if only this importer were cut off" in single.title
    assert any("if only this importer were cut off" in n for n in single.notes)
    for model in ("first-order", "pe"):
        world = restriction(s, exporter="CHN", product="850511", importer="USA", scope="world", model=model)
        (us,) = world.table.to_pylist()
        assert us["unmet_kusd"] > 0.25 * us["value_at_risk_kusd"], model
        assert "world" in world.tables


def test_pe_tables_add_up(sample_home: Path, sample_data: Path) -> None:
    s = load_settings(home=sample_home, sample_data=sample_data)
    r = restriction(s, exporter="CHN", product="850511", scope="world", model="pe")
    importers = r.tables["importers"].to_pylist()
    (world,) = r.tables["world"].to_pylist()
    assert sum(i["unmet_kusd"] for i in importers) == pytest.approx(world["unmet_kusd"], rel=1e-9)
    assert sum(i["value_at_risk_kusd"] for i in importers) == pytest.approx(
        world["value_at_risk_kusd"], rel=1e-9
    )
    flows = r.tables["flows"].to_pylist()
    china = [f for f in flows if f["supplier"] == "CHN"]
    assert china
    assert all(f["trade_after_kusd"] == 0 for f in china)
    assert all(f["price_change_pct"] is None for f in china)  # removed: no price
    suppliers = {x["supplier"]: x for x in r.tables["suppliers"].to_pylist()}
    assert suppliers["JPN"]["price_change_pct"] > 0
    assert suppliers["JPN"]["change_pct"] > 0
    (solver,) = r.tables["solver"].to_pylist()
    assert solver["residual"] < 1e-10
    assert solver["substitution"] == pytest.approx(6.2538457)
    # importers left with no supplier at all: price unknown (null), the whole loss unmet
    cut_off = [i for i in importers if i["price_change_pct"] is None]
    assert len(cut_off) == world["n_without_supplier"] > 0
    assert all(i["unmet_kusd"] == pytest.approx(i["import_value_kusd"]) for i in cut_off)


def test_pe_single_importer_view(sample_home: Path, sample_data: Path) -> None:
    s = load_settings(home=sample_home, sample_data=sample_data)
    single = restriction(s, exporter="CHN", product="850511", importer="USA", model="pe")
    world = restriction(s, exporter="CHN", product="850511", importer="USA", model="pe", scope="world")
    (alone,) = single.table.to_pylist()
    (everyone,) = world.table.to_pylist()
    assert "if only this importer were cut off" in single.title
    assert 0 < alone["unmet_kusd"] < everyone["unmet_kusd"]
    assert alone["price_change_pct"] < everyone["price_change_pct"]
    assert "products" in single.tables
    assert "world" not in single.tables


def test_tariff_command(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = cli(capsys, sample_home, "tariff", "--importer", "USA", "--exporter", "CHN", "--products", "850511",
              "--rate", "0.25", "--year", "2024")  # fmt: skip
    (usa,) = out["rows"]
    assert usa["importer"] == "USA"
    assert usa["taxed"] == "CHN"
    assert usa["tariff_revenue_kusd"] > 0
    assert usa["consumer_surplus_change_kusd"] < 0
    assert usa["price_change_pct"] > 0
    assert usa["trade_after_kusd"] < usa["trade_before_kusd"]
    assert "value_at_risk_kusd" not in usa
    flows = cli(
        capsys, sample_home, "tariff", "-i", "USA", "-e", "CHN", "--products", "850511", "-o", "flows"
    )
    by = {f["supplier"]: f for f in flows["rows"]}
    assert by["CHN"]["change_pct"] < 0
    assert by["CHN"]["tariff_rate"] == 0.25
    assert by["JPN"]["change_pct"] > 0
    assert by["JPN"]["tariff_rate"] == 0.0
    # the revenue is the tariff on what China is paid for what still crosses
    assert usa["tariff_revenue_kusd"] == pytest.approx(0.25 * by["CHN"]["trade_after_kusd"], rel=1e-9)
    suppliers = cli(
        capsys, sample_home, "tariff", "-i", "USA", "-e", "CHN", "--products", "850511", "-o", "suppliers"
    )
    china = next(x for x in suppliers["rows"] if x["supplier"] == "CHN")
    assert china["price_change_pct"] < 0  # part of the tariff falls on the exporter


def test_a_zero_tariff_changes_nothing(sample_home: Path, sample_data: Path) -> None:
    s = load_settings(home=sample_home, sample_data=sample_data)
    r = tariff(s, importer="USA", exporter="CHN", products="850511,810411", rate=0.0)
    for row in r.tables["flows"].to_pylist():
        assert row["trade_after_kusd"] == pytest.approx(row["trade_before_kusd"], rel=1e-9)
    for row in r.table.to_pylist():
        assert row["tariff_revenue_kusd"] == 0
        assert row["consumer_surplus_change_kusd"] == pytest.approx(0, abs=1e-6)


def test_unknown_flows_are_null_with_a_note(chips_home: Path, sample_data: Path) -> None:
    """The China-chips warehouse holds China's imports only: the rest of the world's flows are not
    loaded, so the model cannot clear the exporters' markets. Unknown, not zero."""
    s = load_settings(home=chips_home, sample_data=sample_data)
    r = tariff(s, importer="CHN", exporter="USA", products="848620", year=2024)
    (row,) = r.table.to_pylist()
    assert row["importer"] == "CHN"
    assert row["trade_before_kusd"] is None
    assert row["trade_after_kusd"] is None
    assert any("unknown, not zero" in n for n in r.notes)


def test_refusals(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(sample_home)]
    assert run([*home, "shock", "-e", "CHN", "--product", "850511", "-o", "flows"]) == 2
    assert "not a table of the first-order model" in capsys.readouterr().err
    assert run([*home, "tariff", "-i", "USA", "-e", "CHN", "--products", "850511", "--rate", "-0.1"]) == 2
    assert (
        run([*home, "shock", "-e", "CHN", "--product", "850511", "--model", "pe", "--import-demand", "-1"])
        == 2
    )
