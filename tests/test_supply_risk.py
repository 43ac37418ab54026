"""Supply risk (EU CRM method, generalised): the hand-worked example, properties, the catalogue,
real-data behaviour, backend parity and the command line."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, cast

import ibis
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.analyses.supply_risk import parse_assignments, read_economic_importance
from friendshore.analyses.supply_risk import supply_risk as supply_risk_analysis
from friendshore.errors import SchemaError, UnknownCodeError, UserError
from friendshore.interfaces.cli import run
from friendshore.metrics.supply_risk import (
    SUPPLY_RISK_COLUMNS,
    SupplyRiskParams,
    calc_supply_risk,
    global_supply,
    hhi_weighted,
    supply_risk,
)
from friendshore.nomenclature.materials import (
    MATERIALS_SCHEMA,
    load_materials,
    material_codes,
    select_materials,
)
from friendshore.nomenclature.taxonomy import load_taxonomy
from friendshore.settings import load_settings, project_root
from friendshore.warehouse import connect
from helpers import examples

# --- the hand-worked example of docs/methods/supply-risk.md ------------------------------------

DOC = project_root() / "docs" / "methods" / "supply-risk.md"

EXAMPLE_CATALOGUE = pa.Table.from_pylist(
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


def _example_tables() -> tuple[ibis.Table, ibis.Table, ibis.Table]:
    trade = [
        # (year, exporter, importer, qty_t): DDD imports 50 from BBB and 30 from AAA, exports 10 to CCC
        (2024, "BBB", "DDD", 50.0),
        (2024, "AAA", "DDD", 30.0),
        (2024, "DDD", "CCC", 10.0),
        (2024, "AAA", "CCC", 100.0),  # not DDD's trade
    ]
    trade_t = ibis.memtable(
        {
            "hs_revision": ["HS17"] * len(trade),
            "release": ["V202601"] * len(trade),
            "year": [r[0] for r in trade],
            "exporter": [r[1] for r in trade],
            "importer": [r[2] for r in trade],
            "hs6": ["999999"] * len(trade),
            "value_kusd": [1.0] * len(trade),
            "qty_t": [r[3] for r in trade],
        }
    )
    prod = [
        ("AAA", "country", 2024, 600.0),
        ("BBB", "country", 2024, 300.0),
        ("CCC", "country", 2024, 80.0),
        ("DDD", "country", 2024, 20.0),
        (None, "world", 2024, 1000.0),
        ("AAA", "country", 2025, 5000.0),  # after the analysis year: must be ignored
        (None, "world", 2025, 5000.0),
    ]
    prod_t = ibis.memtable(
        {
            "source": ["usgs-mcs"] * len(prod),
            "release": ["MCS2026"] * len(prod),
            "commodity": ["Examplium"] * len(prod),
            "statistic": ["production"] * len(prod),
            "stage": ["mine"] * len(prod),
            "country": [r[0] for r in prod],
            "row_kind": [r[1] for r in prod],
            "year": [r[2] for r in prod],
            "value": [r[3] for r in prod],
            "unit": ["metric tons"] * len(prod),
        }
    )
    # six indicators per country whose mean is the example's WGI mean; 2025 rows must be ignored
    means = {"AAA": -0.5, "BBB": 1.5, "CCC": 0.5, "DDD": 2.0}
    spread = [-0.3, 0.3, -0.1, 0.1, -0.2, 0.2]
    gov = [
        (c, 2022, ind, m + d)
        for c, m in means.items()
        for ind, d in zip(["VA", "PV", "GE", "RQ", "RL", "CC"], spread, strict=True)
    ]
    gov += [(c, 2025, "VA", -2.5) for c in means]
    gov_t = ibis.memtable(
        {
            "release": ["2023-update"] * len(gov),
            "country": [r[0] for r in gov],
            "year": [r[1] for r in gov],
            "indicator": [r[2] for r in gov],
            "estimate": [r[3] for r in gov],
        }
    )
    return trade_t, prod_t, gov_t


def _example_result(**params: Any) -> dict[str, Any]:
    trade, prod, gov = _example_tables()
    expr = supply_risk(
        trade,
        prod,
        gov,
        importer=["DDD"],
        year=2024,
        materials=EXAMPLE_CATALOGUE,
        params=SupplyRiskParams(trade_restriction={"AAA": 1.1}, **params),
    )
    rows = expr.to_pyarrow().to_pylist()
    assert len(rows) == 1
    return dict(rows[0])


def test_hand_worked_example() -> None:
    row = _example_result()
    assert row["hhi_wgi_global"] == pytest.approx(2.582, abs=1e-12)
    assert row["hhi_wgi_sourcing"] == pytest.approx(1.134, abs=1e-12)
    assert row["import_reliance"] == pytest.approx(7 / 9, abs=1e-12)
    assert row["supply_risk"] == pytest.approx(1.45103, abs=1e-12)
    assert (row["top_producer"], row["top_producer_share"]) == ("AAA", pytest.approx(0.6, abs=1e-12))
    assert (row["production_year"], row["trade_year"], row["wgi_year"]) == (2024, 2024, 2022)
    assert (row["imports_t"], row["exports_t"], row["importer_production"]) == (80.0, 10.0, 20.0)
    assert row["importer_production_status"] == "reported"
    assert row["world_basis"] == "world total"
    assert "sourcing adds trade tonnes to production" in row["note"]
    # the documentation states the same result
    text = DOC.read_text("utf-8")
    assert "SR = 1.45103" in text
    assert "HHI_GS = 0.36*6*1.1 + 0.09*2 + 0.0064*4 + 0.0004*1" in text


def test_example_without_domestic_production_in_sourcing() -> None:
    row = _example_result(include_domestic=False)
    # sourcing: BBB 50/80, AAA 30/80; IR keeps production (7/9)
    expected = (50 / 80) ** 2 * 2 + (30 / 80) ** 2 * 6 * 1.1
    assert row["hhi_wgi_sourcing"] == pytest.approx(expected, abs=1e-12)
    assert row["import_reliance"] == pytest.approx(7 / 9, abs=1e-12)


def test_parameter_overrides_and_unknown_parameters() -> None:
    row = _example_result(eol_rir={"examplium": 0.5}, si_sr={"examplium": 1.0})
    assert row["supply_risk"] == pytest.approx(30.548 / 18 * 0.5, abs=1e-12)
    catalogue = EXAMPLE_CATALOGUE.set_column(
        EXAMPLE_CATALOGUE.schema.get_field_index("eol_rir"), "eol_rir", pa.array([None], pa.float64())
    )
    trade, prod, gov = _example_tables()
    out = (
        supply_risk(trade, prod, gov, importer=["DDD"], year=2024, materials=catalogue)
        .to_pyarrow()
        .to_pylist()[0]
    )
    assert out["eol_rir"] == 0.0
    assert out["eol_rir_known"] is False
    assert "EoL-RIR unknown, taken as 0" in out["note"]


# --- properties ------------------------------------------------------------------------------

unit = st.floats(0.0, 1.0, allow_nan=False)
hhi = st.floats(0.0, 10.0, allow_nan=False)


@given(hhi, hhi, unit, unit, st.floats(0.01, 1.0), st.floats(0.0, 1.0))
def test_sr_is_linear_in_si_sr_and_in_one_minus_eol(
    g: float, s: float, ir_: float, eol: float, si: float, k: float
) -> None:
    base = calc_supply_risk(g, s, ir_, eol, si)
    assert calc_supply_risk(g, s, ir_, eol, si * k) == pytest.approx(base * k, abs=1e-12)
    # (1 - eol') = k (1 - eol)  ->  SR scales by k
    eol2 = 1 - k * (1 - eol)
    assert calc_supply_risk(g, s, ir_, eol2, si) == pytest.approx(base * k, abs=1e-12)
    assert calc_supply_risk(g, s, ir_, 1.0, si) == 0.0


@given(hhi, hhi, unit, unit, st.floats(0.01, 1.0))
def test_sr_moves_from_sourcing_to_global_term_as_ir_grows(
    g: float, s: float, ir_: float, eol: float, si: float
) -> None:
    factor = (1 - eol) * si
    at0 = calc_supply_risk(g, s, 0.0, eol, si)
    at1 = calc_supply_risk(g, s, 1.0, eol, si)
    assert at0 == pytest.approx(s * factor, abs=1e-12)
    assert at1 == pytest.approx((g + s) / 2 * factor, abs=1e-12)
    # linear in IR between the two ends
    assert calc_supply_risk(g, s, ir_, eol, si) == pytest.approx(at0 + ir_ * (at1 - at0), abs=1e-12)


suppliers = st.lists(
    st.tuples(
        st.floats(0.001, 1000.0),  # quantity
        st.one_of(st.none(), st.floats(0.0, 10.0)),  # score (None: no WGI)
        st.floats(0.5, 2.0),  # t
    ),
    min_size=1,
    max_size=8,
)


def _hhi_of(rows: list[tuple[str, float, float | None, float]]) -> dict[str, Any]:
    total = sum(q for _, q, _, _ in rows)
    t = ibis.memtable(
        {
            "k": ["x"] * len(rows),
            "supplier": [r[0] for r in rows],
            "share": [r[1] / total for r in rows],
            "score": pa.array([r[2] for r in rows], pa.float64()),
            "t": [r[3] for r in rows],
        }
    )
    return hhi_weighted(t, by=["k"]).to_pyarrow().to_pylist()[0]  # type: ignore[no-any-return]


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(suppliers, st.randoms(use_true_random=False))
def test_hhi_wgi_is_invariant_to_row_order(rows: list[tuple[float, float | None, float]], rnd: Any) -> None:
    named = [(f"C{i:02d}", q, sc, t) for i, (q, sc, t) in enumerate(rows)]
    shuffled = list(named)
    rnd.shuffle(shuffled)
    a, b = _hhi_of(named), _hhi_of(shuffled)
    for key in ("hhi", "score_missing_share", "top_share", "coverage"):
        if a[key] is None:
            assert b[key] is None
        else:
            assert b[key] == pytest.approx(a[key], abs=1e-12)
    assert a["top_supplier"] == b["top_supplier"]
    # by hand
    total = sum(q for _, q, _, _ in named)
    known = [(q / total) ** 2 * sc * t for _, q, sc, t in named if sc is not None]
    if known:
        assert a["hhi"] == pytest.approx(sum(known), abs=1e-9)
    else:
        assert a["hhi"] is None
    missing = sum(q / total for _, q, sc, _ in named if sc is None)
    assert a["score_missing_share"] == pytest.approx(missing, abs=1e-12)


def test_params_are_validated() -> None:
    with pytest.raises(UserError, match="alignment weight"):
        SupplyRiskParams(alignment_weight=1.5)
    with pytest.raises(UserError, match="trade-restriction factor for CHN"):
        SupplyRiskParams(trade_restriction={"CHN": 0.0})
    with pytest.raises(UserError, match="EoL-RIR of cobalt"):
        SupplyRiskParams(eol_rir={"cobalt": 22.0})
    params = SupplyRiskParams(trade_restriction={"CHN": 1.2})
    with pytest.raises(TypeError):
        cast(dict[str, float], params.trade_restriction)["CHN"] = 2.0  # a read-only mapping underneath


# --- the catalogue ---------------------------------------------------------------------------


def test_catalogue_codes_come_from_the_taxonomy() -> None:
    tax = load_taxonomy().to_pylist()
    stage_of = {"mining": "ore", "refining": "refined"}
    for row in material_codes().to_pylist():
        matches = [t for t in tax if t["hs6"] == row["hs6"]]
        assert matches, f"{row['hs6']} ({row['material']}) is not in the taxonomy"
        assert any(t["stage"] == stage_of[row["stage"]] for t in matches), row
        base = row["material"].split("-")[0].rstrip("s")
        assert any(base in (t["material"] or "") for t in matches), row


def test_catalogue_series_exist_in_the_sample(sample_home: Path) -> None:
    con = connect(load_settings(home=sample_home))
    prod = con.table("mineral_production")
    have = prod.select("source", "commodity", "stage").distinct().to_pyarrow().to_pylist()
    present = {(r["source"], r["commodity"], r["stage"]) for r in have}
    for row in load_materials().to_pylist():
        assert (row["source"], row["commodity"], row["source_stage"]) in present, row


def test_catalogue_lookup_errors() -> None:
    with pytest.raises(UnknownCodeError, match=r"unknown material.*unobtainium.*cobalt"):
        select_materials("unobtainium")
    with pytest.raises(UnknownCodeError, match="unknown stage"):
        select_materials(stage="smelting")
    assert set(select_materials(stage="refining").column("stage").to_pylist()) == {"refining"}


# --- real data -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def usa_2024(sample_home: Path) -> dict[tuple[str, str], dict[str, Any]]:
    table = supply_risk_analysis(load_settings(home=sample_home), importer="USA", year=2024).table
    return {(r["material"], r["stage"]): r for r in table.to_pylist()}


def test_real_data_columns_and_ranges(usa_2024: dict[tuple[str, str], dict[str, Any]]) -> None:
    row = next(iter(usa_2024.values()))
    assert tuple(row)[: len(SUPPLY_RISK_COLUMNS)] == SUPPLY_RISK_COLUMNS
    computed = [r for r in usa_2024.values() if r["supply_risk"] is not None]
    assert len(computed) >= 5
    for r in computed:
        assert 0 <= r["supply_risk"] <= 7  # the range of published EU values: the check on the units
        assert 0 <= r["import_reliance"] <= 1
        assert 0 <= r["hhi_wgi_global"] <= 10
    # gallium: USGS 2024, China ~99%, US production '—' (0), so IR = 1
    ga = usa_2024[("gallium", "refining")]
    assert (ga["top_producer"], ga["production_year"], ga["trade_year"], ga["wgi_year"]) == (
        "CHN",
        2024,
        2024,
        2022,
    )
    assert ga["import_reliance"] == 1.0
    assert ga["supply_risk"] == pytest.approx(
        (ga["hhi_wgi_global"] / 2 + ga["hhi_wgi_sourcing"] / 2) * 1.0 * 0.98, abs=1e-12
    )


def test_real_data_says_why_a_row_has_no_score(usa_2024: dict[tuple[str, str], dict[str, Any]]) -> None:
    ree = usa_2024[("rare-earths", "mining")]
    assert ree["supply_risk"] is None
    assert ree["top_producer"] == "CHN"
    assert "no HS6 codes for sourcing" in ree["note"]
    assert "SI_SR unknown, taken as 1" in ree["note"]
    cobalt = usa_2024[("cobalt", "mining")]  # ores (260500) are not in the BACI sample
    assert cobalt["supply_risk"] is None
    assert cobalt["hhi_wgi_sourcing"] is None
    assert "no trade rows for the HS6 codes" in cobalt["note"]
    manganese = usa_2024[("manganese", "mining")]  # BGS lists no US manganese ore
    assert manganese["importer_production_status"] == "not listed"
    assert "importer production not in the series, taken as 0" in manganese["note"]
    assert manganese["production_year"] == 2021  # BGS ends in 2021
    graphite = usa_2024[("graphite", "mining")]  # USGS MCS 2024 data release: 2023, the US at 0 t
    assert (graphite["production_year"], graphite["production_source"]) == (2023, "usgs-mcs")
    assert graphite["importer_production_status"] == "reported"


def test_year_matching_takes_the_latest_year_up_to_the_analysis_year(sample_home: Path) -> None:
    table = supply_risk_analysis(
        load_settings(home=sample_home), importer="USA", year=2025, material=["cobalt"]
    ).table
    rows = {r["stage"]: r for r in table.to_pylist()}
    assert (rows["mining"]["production_year"], rows["mining"]["production_source"]) == (2025, "usgs-mcs")
    assert (rows["refining"]["production_year"], rows["refining"]["production_source"]) == (2021, "bgs")
    assert rows["refining"]["trade_year"] == 2024
    assert rows["refining"]["wgi_year"] == 2022
    # before the USGS subset begins, BGS stands for cobalt mining
    supply = global_supply(connect(load_settings(home=sample_home)).table("mineral_production"), year=2020)
    cobalt = supply.filter((supply.material == "cobalt") & (supply.stage == "mining")).to_pyarrow()
    assert set(cobalt.column("production_source").to_pylist()) == {"bgs"}
    assert set(cobalt.column("production_year").to_pylist()) == {2020}


def test_group_importer_counts_only_outside_trade(sample_home: Path) -> None:
    table = supply_risk_analysis(
        load_settings(home=sample_home), importer="eu27", year=2024, stage="refining"
    ).table
    rows = {r["material"]: r for r in table.to_pylist()}
    assert set(rows["copper"]) >= set(SUPPLY_RISK_COLUMNS)
    assert rows["copper"]["importer"] == "eu27"
    assert rows["copper"]["importer_production_status"] == "reported"  # Poland, Germany, ...
    assert rows["copper"]["supply_risk"] is not None


def test_alignment_makes_the_importer_matter(
    sample_home: Path, usa_2024: dict[tuple[str, str], dict[str, Any]]
) -> None:
    s = load_settings(home=sample_home)
    usa = {
        r["material"] + r["stage"]: r
        for r in supply_risk_analysis(s, importer="USA", year=2024, alignment_weight=1.0).rows()
    }
    ind = {
        r["material"] + r["stage"]: r
        for r in supply_risk_analysis(s, importer="IND", year=2024, alignment_weight=1.0).rows()
    }
    wgi_usa = {material + stage: r for (material, stage), r in usa_2024.items()}
    wgi_ind = {
        r["material"] + r["stage"]: r for r in supply_risk_analysis(s, importer="IND", year=2024).rows()
    }
    key = "galliumrefining"
    # with WGI the global term is the same for every importer; with alignment it is not
    assert wgi_usa[key]["hhi_wgi_global"] == pytest.approx(wgi_ind[key]["hhi_wgi_global"], abs=1e-12)
    assert usa[key]["hhi_wgi_global"] > ind[key]["hhi_wgi_global"]  # China is farther from the US
    assert usa[key]["weighting"] == "alignment"
    assert usa[key]["alignment_year"] == 2023
    assert usa[key]["wgi_year"] is None


def test_alignment_needs_an_ideal_point(sample_home: Path) -> None:
    with pytest.raises(UserError, match="TWN has no UN General Assembly ideal point"):
        supply_risk_analysis(load_settings(home=sample_home), importer="TWN", year=2024, alignment_weight=1.0)


def test_economic_importance_file(sample_home: Path, tmp_path: Path) -> None:
    path = tmp_path / "ei.csv"
    path.write_text("material,economic_importance\ngallium,3.7\ncopper,4.0\n", "utf-8")
    table = supply_risk_analysis(
        load_settings(home=sample_home), importer="USA", year=2024, stage="refining", economic_importance=path
    ).table
    rows = {r["material"]: r for r in table.to_pylist()}
    assert rows["gallium"]["economic_importance"] == 3.7
    assert rows["gallium"]["critical"] is (rows["gallium"]["supply_risk"] >= 1.0)
    assert rows["copper"]["critical"] is False  # SR well below 1
    assert rows["nickel"]["economic_importance"] is None
    assert rows["nickel"]["critical"] is None


def test_economic_importance_file_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("material,ei\ncobalt,6.8\n", "utf-8")
    with pytest.raises(SchemaError, match="material,economic_importance"):
        read_economic_importance(bad)
    bad.write_text("material,economic_importance\nunobtainium,1\n", "utf-8")
    with pytest.raises(UnknownCodeError, match="line 2: unknown material 'unobtainium'"):
        read_economic_importance(bad)
    bad.write_text("material,economic_importance\ncobalt,high\n", "utf-8")
    with pytest.raises(SchemaError, match="line 2"):
        read_economic_importance(bad)


def test_parse_assignments() -> None:
    assert parse_assignments(["CHN=1.2", "IDN=1.1, VNM=1.05"], what="ISO3", option="-t") == {
        "CHN": 1.2,
        "IDN": 1.1,
        "VNM": 1.05,
    }
    for bad in ("CHN", "CHN=", "=1.2", "CHN=nan", "CHN=x"):
        with pytest.raises(UserError, match="is not ISO3=NUMBER"):
            parse_assignments([bad], what="ISO3", option="-t")


# --- DuckDB / Spark parity --------------------------------------------------------------------


def test_backend_parity_on_the_sample(con: Any, sample_home: Path) -> None:
    def compute(c: Any) -> list[dict[str, Any]]:
        expr = supply_risk(
            c.table("trade"),
            c.table("mineral_production"),
            c.table("governance"),
            c.table("alignment"),
            importer=["USA"],
            year=2024,
            params=SupplyRiskParams(alignment_weight=0.5, trade_restriction={"CHN": 1.2}),
        )
        return expr.to_pyarrow().to_pylist()  # type: ignore[no-any-return]

    ours = compute(con)
    reference = compute(connect(load_settings(home=sample_home, backend="duckdb")))
    assert [(r["material"], r["stage"]) for r in ours] == [(r["material"], r["stage"]) for r in reference]
    assert sum(r["supply_risk"] is not None for r in ours) >= 5
    for a, b in zip(ours, reference, strict=True):
        for key, value in b.items():
            if isinstance(value, float):
                assert a[key] == pytest.approx(value, rel=1e-12, abs=1e-12), key
            else:
                assert a[key] == value, key


# --- the command line --------------------------------------------------------------------------


def _cli_json(home: Path, capsys: pytest.CaptureFixture[str], *args: str) -> list[dict[str, Any]]:
    assert run(["--home", str(home), "supply-risk", *args, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)  # type: ignore[no-any-return]


def test_cli_usa_and_india_differ_with_alignment(
    sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    usa = _cli_json(sample_home, capsys, "--for", "USA", "--year", "2024", "--alignment")
    ind = _cli_json(sample_home, capsys, "--for", "IND", "--year", "2024", "--alignment")
    sr_usa = {(r["material"], r["stage"]): r["supply_risk"] for r in usa if r["supply_risk"] is not None}
    sr_ind = {(r["material"], r["stage"]): r["supply_risk"] for r in ind if r["supply_risk"] is not None}
    common = sorted(set(sr_usa) & set(sr_ind))
    assert len(common) >= 4
    assert all(not math.isclose(sr_usa[k], sr_ind[k], rel_tol=1e-6) for k in common)
    assert {r["importer"] for r in usa} == {"USA"}
    assert {r["weighting"] for r in ind} == {"alignment"}


def test_cli_csv_header_and_options(
    sample_home: Path, usa_2024: dict[tuple[str, str], dict[str, Any]], capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "--home",
        str(sample_home),
        "supply-risk",
        "--for",
        "USA",
        "--year",
        "2024",
        "--stage",
        "refining",
    ]
    assert run([*args, "-t", "CHN=1.5", "--material", "gallium", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].split(",")[: len(SUPPLY_RISK_COLUMNS)] == list(SUPPLY_RISK_COLUMNS)
    assert len(lines) == 2
    assert lines[1].startswith("gallium,refining,USA,2024,")
    restricted = _cli_json(
        sample_home, capsys, "--for", "USA", "--year", "2024", "-m", "gallium", "-t", "CHN=1.5"
    )
    plain = usa_2024[("gallium", restricted[0]["stage"])]  # the same question without -t
    assert restricted[0]["hhi_wgi_global"] > plain["hhi_wgi_global"]
    assert run([*args]) == 0  # the table for people
    assert "Supply risk of critical materials for USA" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--material", "unobtainium"], "unknown material"),
        (["-t", "XXX=1.2"], "unknown country code 'XXX'"),
        (["-t", "CHN"], "is not ISO3=NUMBER"),
        (["--eol-rir", "cobalt=2"], "EoL-RIR of cobalt"),
        (["--alignment-weight", "2"], "alignment weight"),
        (["--material", "graphite", "--stage", "refining"], "no refining series for graphite"),
    ],
)
def test_cli_user_errors_exit_2(
    sample_home: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert run(["--home", str(sample_home), "supply-risk", "--for", "USA", "--year", "2024", *extra]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error:")
    assert message in err
    assert "Traceback" not in err
