"""GeoPolRisk (``supply-risk --method geopolrisk``): the kernel by hand, the method's own test values,
the hand-worked example of docs/methods/supply-risk.md through the warehouse path, a user's inputs
file, the sample (USA, IND, EU27), and basket codes named as baskets in both methods."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pytest

from friendshore.analyses.geopolrisk import read_geopolrisk_inputs
from friendshore.analyses.supply_risk import supply_risk as supply_risk_analysis
from friendshore.errors import SchemaError, UserError
from friendshore.metrics.supply_risk.geopolrisk import (
    Case,
    geopolrisk,
    geopolrisk_inputs,
    geopolrisk_score,
    hhi_normalised,
    import_risk,
    political_instability,
)
from friendshore.nomenclature.materials import MATERIALS_SCHEMA
from friendshore.settings import load_settings, project_root

DOC = project_root() / "docs" / "methods" / "supply-risk.md"


# --- the kernel, by hand ------------------------------------------------------------------------


def test_political_instability_scale() -> None:
    assert political_instability(2.5) == 0.0  # most stable
    assert political_instability(-2.5) == 1.0  # least stable
    assert political_instability(0.0) == 0.5
    assert political_instability(-0.2) == pytest.approx(0.54)
    assert political_instability(3.1) == 0.0  # clipped
    assert political_instability(-2.9) == 1.0


def test_hhi_normalised_by_hand() -> None:
    assert hhi_normalised([600, 300, 80, 20]) == pytest.approx(0.36 + 0.09 + 0.0064 + 0.0004)
    assert hhi_normalised([5, 5, 5, 5]) == pytest.approx(0.25)
    assert hhi_normalised([7]) == 1.0
    with pytest.raises(ValueError, match="no production"):
        hhi_normalised([0, 0])


def test_import_risk_by_hand() -> None:
    # (50 x 0.14 + 30 x 0.54) / (50 + 30 + 20) = 23.2 / 100
    assert import_risk([(50, 0.14), (30, 0.54)], 20) == pytest.approx(0.232)
    # own production lowers the risk; no imports and no production is an error, not 0
    assert import_risk([(50, 0.14), (30, 0.54)], 0) == pytest.approx(23.2 / 80)
    with pytest.raises(ValueError, match="no imports"):
        import_risk([], 0)
    assert geopolrisk_score(0.4568, 0.232) == pytest.approx(0.1059776)


def test_the_methods_own_test_values() -> None:
    """geopolrisk-py's tests/test_core.py (test_GeoPolRisk_valid_input): numerator 1000 (sum of g x f),
    total trade 2000, price 50, production 500, HHI 0.3 -> score 0.3 x 1000 / 2500 = 0.12, CF 6."""
    case = Case("example", hhi=0.3, domestic_production=500.0, imports=(("XXX", 2000.0, 0.5, 100_000.0),))
    (row,) = geopolrisk_inputs([case]).to_pylist()
    assert row["import_risk"] == pytest.approx(0.4)
    assert row["score"] == pytest.approx(0.12)
    assert row["price"] == pytest.approx(50.0)
    assert row["cf"] == pytest.approx(6.0)


def test_inputs_file_as_published(tmp_path: Path) -> None:
    path = tmp_path / "case.csv"
    path.write_text(
        "material,partner,quantity,governance,domestic_production,hhi,value\n"
        "example,XXX,1500,0.5,500,0.3,75000\n"
        "example,YYY,500,0.5,500,0.3,25000\n",
        "utf-8",
    )
    (case,) = read_geopolrisk_inputs(path)
    (row,) = geopolrisk_inputs([case]).to_pylist()
    assert (row["score"], row["cf"], row["n_partners"]) == (pytest.approx(0.12), pytest.approx(6.0), 2)
    result = supply_risk_analysis(
        load_settings(home=tmp_path / "home"), importer="Example", method="geopolrisk", inputs=path
    )
    assert result.table.column("score").to_pylist() == [pytest.approx(0.12)]
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "material,partner,quantity,governance,domestic_production,hhi\nexample,XXX,10,1.7,0,0.3\n", "utf-8"
    )
    with pytest.raises(SchemaError, match="governance"):
        read_geopolrisk_inputs(bad)
    bad.write_text(
        "material,partner,quantity,governance,domestic_production,hhi\n"
        "example,XXX,10,0.5,0,0.3\nexample,YYY,10,0.5,5,0.3\n",
        "utf-8",
    )
    with pytest.raises(SchemaError, match="differ from the first row"):
        read_geopolrisk_inputs(bad)


# --- the hand-worked example through the warehouse path --------------------------------------


def _example() -> tuple[ibis.Table, ibis.Table, ibis.Table, pa.Table]:
    catalogue = pa.Table.from_pylist(
        [
            {
                "material": "examplium",
                "stage": "mining",
                "priority": 1,
                "source": "usgs-mcs",
                "commodity": "Examplium",
                "source_stage": "mine",
                "hs6": "999999",
                "eol_rir": 0.1,
                "si_sr": 0.95,
                "citation": "hand-worked example",
                "note": None,
            }
        ],
        schema=MATERIALS_SCHEMA,
    )
    trade = [
        (2024, "BBB", "DDD", 50.0, 1.0),
        (2024, "AAA", "DDD", 30.0, 1.0),
        (2024, "DDD", "CCC", 10.0, 9.0),
    ]
    trade_t = ibis.memtable(
        {
            "year": [r[0] for r in trade],
            "exporter": [r[1] for r in trade],
            "importer": [r[2] for r in trade],
            "hs6": ["999999"] * len(trade),
            "value_kusd": [r[4] for r in trade],
            "qty_t": [r[3] for r in trade],
        }
    )
    prod = [("AAA", 600.0), ("BBB", 300.0), ("CCC", 80.0), ("DDD", 20.0), (None, 1000.0)]
    prod_t = ibis.memtable(
        {
            "source": ["usgs-mcs"] * len(prod),
            "release": ["MCS2026"] * len(prod),
            "commodity": ["Examplium"] * len(prod),
            "statistic": ["production"] * len(prod),
            "stage": ["mine"] * len(prod),
            "country": [r[0] for r in prod],
            "row_kind": ["country" if r[0] else "world" for r in prod],
            "year": [2024] * len(prod),
            "value": [r[1] for r in prod],
            "unit": ["metric tons"] * len(prod),
        }
    )
    # WGI political stability 2022: AAA -0.2, BBB 1.8, CCC 0.8, DDD 2.3 (and another indicator, ignored)
    pv = {"AAA": -0.2, "BBB": 1.8, "CCC": 0.8, "DDD": 2.3}
    gov = [(c, "PV", v) for c, v in pv.items()] + [(c, "VA", -2.5) for c in pv]
    gov_t = ibis.memtable(
        {
            "release": ["2023-update"] * len(gov),
            "country": [r[0] for r in gov],
            "year": [2022] * len(gov),
            "indicator": [r[1] for r in gov],
            "estimate": [r[2] for r in gov],
        }
    )
    return trade_t, prod_t, gov_t, catalogue


def _example_row(**kw: Any) -> dict[str, Any]:
    trade, prod, gov, catalogue = _example()
    rows = geopolrisk(trade, prod, gov, importer=["DDD"], year=2024, materials=catalogue, **kw).to_pyarrow()
    (row,) = rows.to_pylist()
    return dict(row)


def test_hand_worked_example() -> None:
    """docs/methods/supply-risk.md, GeoPolRisk: HHI 0.4568, import risk 0.232, score 0.1059776."""
    row = _example_row()
    assert row["hhi"] == pytest.approx(0.4568, abs=1e-12)
    assert row["import_risk"] == pytest.approx(0.232, abs=1e-12)
    assert row["score"] == pytest.approx(0.1059776, abs=1e-12)
    assert row["price_usd_per_kg"] == pytest.approx(2.0 / 80, abs=1e-12)  # kUSD per t = USD per kg
    assert row["cf"] == pytest.approx(0.1059776 * 2.0 / 80, abs=1e-12)
    assert row["gsp_cu_eq"] is None  # no copper in this catalogue: no reference, not 0
    assert (row["imports_t"], row["domestic_production_t"], row["n_partners"]) == (80.0, 20.0, 2)
    assert (row["production_year"], row["trade_year"], row["pv_year"]) == (2024, 2024, 2022)
    assert row["governance_missing_share"] == 0.0
    text = DOC.read_text("utf-8")
    assert "score = 0.4568 * 0.232 = 0.1059776" in text


def test_partner_without_pv_takes_the_methods_half() -> None:
    trade, prod, gov, catalogue = _example()
    gov = gov.filter(gov.country != "AAA")
    (row,) = (
        geopolrisk(trade, prod, gov, importer=["DDD"], year=2024, materials=catalogue)
        .to_pyarrow()
        .to_pylist()
    )
    assert row["import_risk"] == pytest.approx((50 * 0.14 + 30 * 0.5) / 100, abs=1e-12)
    assert row["governance_missing_share"] == pytest.approx(30 / 80)
    assert "taken as 0.5" in row["note"]


def test_group_counts_only_imports_from_outside() -> None:
    trade, prod, gov, catalogue = _example()
    rows = geopolrisk(trade, prod, gov, importer=["DDD", "BBB"], year=2024, materials=catalogue).to_pyarrow()
    (row,) = rows.to_pylist()
    # imports: AAA 30 only; own production DDD 20 + BBB 300
    assert row["import_risk"] == pytest.approx(30 * 0.54 / (30 + 320), abs=1e-12)


# --- the sample --------------------------------------------------------------------------------


@pytest.mark.parametrize("importer", ["USA", "IND", "eu27"])
def test_runs_on_the_sample(sample_home: Path, importer: str) -> None:
    result = supply_risk_analysis(load_settings(home=sample_home), importer=importer, method="geopolrisk")
    rows = {(r["material"], r["stage"]): r for r in result.table.to_pylist()}
    gallium = rows[("gallium", "refining")]
    assert 0 < gallium["score"] <= 1
    assert gallium["basket"] is True
    assert "(811292, basket)" in gallium["traded_as"]
    assert "not gallium's alone" in gallium["note"]
    copper = rows[("copper", "refining")]
    assert copper["gsp_cu_eq"] == pytest.approx(1.0)  # the reference itself
    assert copper["gsp_reference"] == "copper, refining"
    for row in rows.values():
        assert (row["score"] is None) == (row["import_risk"] is None)
        if row["score"] is None:
            assert row["note"], row  # a missing score says why
    assert result.parameters["method"] == "geopolrisk"


def test_eu_method_names_the_basket_too(sample_home: Path) -> None:
    """The gallium contradiction: supply risk must not say the US imports gallium from 811292."""
    result = supply_risk_analysis(load_settings(home=sample_home), importer="USA", material=["gallium"])
    (row,) = result.table.to_pylist()
    assert row["basket"] is True
    assert row["traded_as"] == "Gallium, germanium and other metals (811292, basket)"
    assert "shares and import figures are the basket's, not gallium's alone" in row["note"]


def test_eu_options_are_refused_with_geopolrisk(sample_home: Path) -> None:
    with pytest.raises(UserError, match="--eol-rir belong to the EU method"):
        supply_risk_analysis(
            load_settings(home=sample_home), importer="USA", method="geopolrisk", eol_rir={"cobalt": 0.3}
        )


def test_cli(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from friendshore.interfaces.cli import run

    args = ["--home", str(sample_home), "supply-risk", "--for", "IND", "--method", "geopolrisk"]
    assert run([*args, "--format", "json", "--material", "graphite"]) == 0
    out = json.loads(capsys.readouterr().out)
    rows = out["rows"] if isinstance(out, dict) else out
    assert [r["material"] for r in rows] == ["graphite"]
    assert rows[0]["production_year"] == 2023  # USGS MCS 2024 data release: the year is said
