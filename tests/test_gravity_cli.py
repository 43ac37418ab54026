"""``friendshore gravity estimate|simulate`` and scenario files, through the real CLI entry point."""

from __future__ import annotations

import json
from importlib.resources import files
from pathlib import Path

import pytest

from friendshore.errors import SchemaError
from friendshore.interfaces.cli import run
from friendshore.models.gravity.scenario import load_scenario

EXAMPLES = Path(str(files("friendshore.models.gravity").joinpath("examples")))


@pytest.fixture(autouse=True)
def _sample(sample_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))


def _json(capsys: pytest.CaptureFixture[str]) -> list[dict[str, object]]:
    return list(json.loads(capsys.readouterr().out))


def test_every_example_scenario_is_valid() -> None:
    files = sorted(EXAMPLES.glob("*.toml"))
    assert len(files) >= 2
    for path in files:
        scenario = load_scenario(path)
        assert scenario.changes


def test_simulate_us_china_tariff(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["gravity", "simulate", str(EXAMPLES / "us_china_tariff.toml"), "--format", "json"]) == 0
    rows = {r["country"]: r for r in _json(capsys)}
    assert len(rows) == 69
    assert float(rows["CHN"]["factory_gate_price_change_pct"]) < 0  # type: ignore[arg-type]
    assert float(rows["IND"]["exports_change_pct"]) > 0  # type: ignore[arg-type]


def test_simulate_diversion_shows_india_gaining_us_imports(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "us_china_tariff.toml")
    assert run(["gravity", "simulate", path, "--output", "diversion", "--format", "json"]) == 0
    rows = _json(capsys)
    assert {r["exporter"] for r in rows} == {r["exporter"] for r in rows} - {"USA"}
    india = next(r for r in rows if r["exporter"] == "IND")
    assert float(india["trade_change"]) > 0  # type: ignore[arg-type]
    assert rows[-1]["exporter"] == "CHN"


def test_simulate_trade_without_borders_estimates_then_geppml(
    capsys: pytest.CaptureFixture[str], sample_data: Path
) -> None:
    assert run(["gravity", "simulate", str(EXAMPLES / "trade_without_borders.toml"), "--format", "csv"]) == 0
    out = capsys.readouterr()
    lines = out.out.splitlines()
    header = lines[0].split(",")
    can = dict(zip(header, next(line for line in lines if line.startswith("CAN,")).split(","), strict=True))
    assert float(can["real_gdp_change_pct"]) == pytest.approx(54.363290, abs=0.05)  # published, FULL.xls
    assert (
        "GEPPML (the guide's iterative procedure and stopping rule, not the exact equilibrium), 69 countries"
        in out.err
    )


def test_simulate_diagnostics_table(capsys: pytest.CaptureFixture[str]) -> None:
    path = str(EXAMPLES / "us_china_tariff.toml")
    assert run(["gravity", "simulate", path, "--output", "diagnostics", "--format", "json"]) == 0
    rows = _json(capsys)
    assert [r["stage"] for r in rows] == ["baseline", "conditional", "full endowment"]
    assert all(r["converged"] for r in rows)


def test_estimate_command(capsys: pytest.CaptureFixture[str], sample_data: Path) -> None:
    data = sample_data / "gegravity_sample" / "sample_data_set.dlm"
    formula = "trade ~ ln_dist + contiguity + pta + common_language + international | exporter + importer"
    assert run(["gravity", "estimate", str(data), "--formula", formula, "--format", "json"]) == 0
    rows = {r["term"]: r for r in _json(capsys)}
    assert float(rows["ln_dist"]["estimate"]) == pytest.approx(-0.3898623, abs=1e-6)  # type: ignore[arg-type]
    assert float(rows["ln_dist"]["std_error"]) == pytest.approx(0.0729915, abs=1e-6)  # type: ignore[arg-type]


def _scenario(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "scenario.toml"
    path.write_text(body)
    return path


GOOD = """
[data]
path = "{sample_data}/yotov_agtpa/1_TradeWithoutBorder.dta"
[costs]
ln_dist = -0.791
cntg = 0.674
intl_brdr = -2.474
[model]
sigma = 7
[[changes]]
variable = "intl_brdr"
value = 0
"""


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        (GOOD.replace("sigma = 7", "sigma = 0.5"), "model.sigma", "greater than or equal to 1.01"),
        (GOOD.replace("sigma = 7", ""), "model.sigma", "Field required"),
        (
            GOOD.replace('variable = "intl_brdr"', 'variable = "intl_brdr"\ntariff = 0.1'),
            "changes.0",
            "either",
        ),
        (GOOD.replace("[costs]", "[costs]\nrta = 'x'"), "costs.rta", "number"),
        (GOOD.replace("[model]", "[model]\nmethod = 'fast'"), "model.method", "exact"),
        (GOOD + "\n[estimate]\nformula = 'trade ~ ln_dist | exporter'\n", None, "exactly one"),
    ],
)
def test_scenario_errors_name_the_file_and_field(
    tmp_path: Path, body: str, field: str | None, message: str
) -> None:
    path = _scenario(tmp_path, body)
    with pytest.raises(SchemaError, match=message) as caught:
        load_scenario(path)
    assert caught.value.file == str(path)
    if field is not None:
        assert caught.value.field == field


def test_scenario_toml_syntax_error_has_a_line(tmp_path: Path) -> None:
    path = _scenario(tmp_path, "[data]\npath = \n")
    with pytest.raises(SchemaError, match="not valid TOML") as caught:
        load_scenario(path)
    assert caught.value.line == 2


def test_cli_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _scenario(tmp_path, GOOD.replace("sigma = 7", "sigma = 0.5"))
    assert run(["gravity", "simulate", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "scenario.toml" in err
    assert "model.sigma" in err
    unknown = _scenario(tmp_path, GOOD.replace("value = 0", 'value = 0\nexporters = ["XXX"]'))
    assert run(["gravity", "simulate", str(unknown)]) == 2
    assert "country 'XXX'" in capsys.readouterr().err


def test_customs_data_without_domestic_trade_is_refused(
    tmp_path: Path, sample_data: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import pandas as pd

    baci = pd.read_parquet(
        sample_data / "baci_critical_materials" / "baci_hs17_v202601_2024_critical31.parquet"
    )
    pairs = baci.groupby(["exporter", "importer"], as_index=False)["value_kusd"].sum()
    pairs.assign(intl_brdr=1.0).to_csv(tmp_path / "baci_pairs.csv", index=False)
    body = """
[data]
path = "baci_pairs.csv"
trade = "value_kusd"
[costs]
intl_brdr = -2.474
[model]
sigma = 7
reference = "USA"
[[changes]]
tariff = 0.25
exporters = ["CHN"]
importers = ["USA"]
"""
    assert run(["gravity", "simulate", str(_scenario(tmp_path, body))]) == 2
    err = " ".join(capsys.readouterr().err.split())
    assert "no domestic (intra-national) trade" in err
    assert "exporter == importer" in err


def test_reproduce_list_has_the_gravity_reproductions(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["reproduce", "--list", "--format", "json"]) == 0
    names = {r["name"] for r in _json(capsys)}
    assert {
        "yotov-ch1-app1",
        "yotov-ch1-app2",
        "yotov-ch1-app3",
        "yotov-ch2-app1",
        "gegravity-sample",
    } <= names
