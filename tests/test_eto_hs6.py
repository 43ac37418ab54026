"""The ETO -> HS6 crosswalk validates against HS 2017 and the ETO data; ``chips --with-trade`` runs
for IND, USA and CHN, and its CHN numbers match the raw files."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from pathlib import Path

import ibis
import pandas as pd
import pytest

from friendshore.analyses.chips import chips
from friendshore.errors import SchemaError, UserError
from friendshore.interfaces.cli import run
from friendshore.metrics.chips import chip_trade
from friendshore.nomenclature.eto_hs6 import load_eto_hs6, parse_eto_hs6
from friendshore.nomenclature.hs import read_hs_concordance
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.connect import require_table


def eto_names(sample_data: Path) -> dict[str, str]:
    out = {}
    folder = sample_data / "eto_chip_explorer"
    with open(folder / "inputs.csv", newline="") as fh:
        out.update({r["input_id"]: r["input_name"] for r in csv.DictReader(fh)})
    with open(folder / "stages.csv", newline="") as fh:
        out.update({r["stage_id"]: r["stage_name"] for r in csv.DictReader(fh)})
    return out


def test_every_code_is_an_hs2017_subheading(sample_data: Path) -> None:
    codes = {r["hs6"] for r in load_eto_hs6().to_pylist() if r["hs6"]}
    assert {"848620", "381800", "854231", "854232", "854239", "903082"} <= codes
    unsd = read_hs_concordance(
        sample_data / "hs_concordance_unsd" / "HS2017toHS2007ConversionAndCorrelationTables.xlsx"
    )
    hs17 = set(unsd.column("from_hs6").to_pylist())
    assert len(hs17) > 5000
    with open(
        sample_data / "baci_dictionaries" / "product_codes_HS17_V202201_with_bec.csv", newline=""
    ) as fh:
        baci17 = {r["code"] for r in csv.DictReader(fh)}
    assert sorted(codes - hs17) == []
    assert sorted(codes - baci17) == []


def test_every_input_is_an_eto_node_and_every_node_with_shares_is_mapped(sample_data: Path) -> None:
    rows = load_eto_hs6().to_pylist()
    names = eto_names(sample_data)
    for row in rows:
        assert names.get(row["input_id"]) == row["input_name"], row
    with open(sample_data / "eto_chip_explorer" / "provision.csv", newline="") as fh:
        provided = {r["provided_id"] for r in csv.DictReader(fh)}
    assert sorted(provided - {r["input_id"] for r in rows}) == []
    fits = {r["input_id"]: r["fit"] for r in rows}
    # stages no HS6 code can carry are said so, with a reason
    for node in ("S1", "N7", "N84", "N85"):
        assert fits[node] == "none"
    assert all(r["basis"] and r["source"] for r in rows)


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ("N20,EUV lithography tools,8486,broader,b,s", "hs6", "not an HS6 code"),
        ("N20,EUV lithography tools,848620,exact,b,s", "fit", "not one of"),
        ("N20,EUV lithography tools,,broader,b,s", "fit", "exactly when hs6 is empty"),
        ("X20,EUV lithography tools,848620,broader,b,s", "input_id", "not an ETO id"),
        ("N20,EUV lithography tools,848620,broader,,s", "basis", "is empty"),
    ],
)
def test_crosswalk_errors_name_line_and_field(line: str, field: str, message: str) -> None:
    head = "input_id,input_name,hs6,fit,basis,source\nN19,Lithography tools,848620,broader,b,s\n"
    assert parse_eto_hs6(head, "x.csv").num_rows == 1
    with pytest.raises(SchemaError, match=message) as info:
        parse_eto_hs6(head + line + "\n", "x.csv")
    assert info.value.line == 3
    assert info.value.field == field
    with pytest.raises(SchemaError, match="listed twice"):
        parse_eto_hs6(head + "N19,Lithography tools,848620,broader,b,s\n", "x.csv")


def raw_china(sample_data: Path, year: int) -> dict[str, dict[str, float]]:
    with open(sample_data / "baci_critical_materials" / "country_codes_V202601.csv", newline="") as fh:
        iso = {r["country_code"]: r["country_iso3"] for r in csv.DictReader(fh)}
    iso["490"] = "TWN"
    out: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    path = sample_data / "baci_hs07_china_semiconductor_imports" / f"BACI_HS07_Y{year}_V202601_chn-semis.csv"
    with open(path, newline="") as fh:
        for r in csv.DictReader(fh):
            out[r["k"]][iso[r["i"]]] += float(r["v"])
    return out


@pytest.mark.parametrize("country", ["IND", "USA", "CHN"])
def test_chips_with_trade_runs(country: str, chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    plain = chips(settings, country=country)
    result = chips(settings, country=country, with_trade=True)
    assert result.parameters["year"] == 2024
    assert result.parameters["with_trade"] is True
    # the ETO columns are those of the plain view, unchanged
    assert result.table.select(plain.table.column_names).equals(plain.table)
    rows = {r["input_id"]: r for r in result.rows()}
    assert rows["S1"]["fit"] == "none"
    assert rows["S1"]["hs6"] == ""
    assert "service" in rows["S1"]["trade_basis"]
    assert rows["N20"]["hs6"] == "848620"
    # China's imports only: nobody's world exports are known
    assert all(r["world_export_kusd"] is None and r["export_share"] is None for r in rows.values())
    notes = " ".join(result.notes)
    assert "imports of CHN only" in notes
    assert "S1 Design" in notes
    if country != "CHN":
        assert all(r["import_value_kusd"] is None for r in rows.values())
        return
    raw = raw_china(sample_data, 2024)
    tools = raw["848620"]
    assert rows["N20"]["import_value_kusd"] == pytest.approx(sum(tools.values()), rel=1e-12)
    assert rows["N20"]["top_supplier"] == "JPN"
    assert rows["N20"]["top_supplier_share"] == pytest.approx(tools["JPN"] / sum(tools.values()), rel=1e-12)
    # an input carried by two codes: flows summed over both, per supplier
    both: dict[str, float] = defaultdict(float)
    for code in ("903141", "848640"):
        for c, v in raw[code].items():
            both[c] += v
    total = sum(both.values())
    assert rows["N62"]["import_value_kusd"] == pytest.approx(total, rel=1e-12)
    assert rows["N62"]["import_hhi"] == pytest.approx(sum((v / total) ** 2 for v in both.values()), rel=1e-9)
    assert rows["N26"]["import_value_kusd"] is None  # 381800 (wafers) is not in the loaded rows


def test_chips_with_trade_cli_and_errors(chips_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(chips_home), "chips", "--with-trade", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {r["input_id"] for r in rows if r["hs6"] == "848620"} >= {"N20", "N22", "N41"}
    assert "import_value_kusd" not in rows[0]  # no country: world columns only
    with pytest.raises(UserError, match="not with --input"):
        chips(load_settings(home=chips_home), input_name="EUV", with_trade=True)


def test_chip_trade_by_hand_and_parity(backend: str, chips_home: Path) -> None:
    flows = pd.DataFrame(
        [(2024, "JPN", "IND", "848620", 30.0), (2024, "USA", "IND", "903082", 10.0),
         (2024, "USA", "DEU", "848620", 60.0), (2024, "IND", "DEU", "903082", 5.0)],
        columns=["year", "exporter", "importer", "hs6", "value_kusd"],
    )  # fmt: skip
    xw = ibis.memtable(pd.DataFrame({"input_id": ["A", "B", "B"], "hs6": ["848620", "848620", "903082"]}))
    out = chip_trade(ibis.memtable(flows), xw, country="IND", year=2024).to_pandas().set_index("input_id")
    assert out.loc["A"].world_export_kusd == 90.0
    assert out.loc["A"].top_exporter == "USA"
    assert out.loc["B"].export_share == pytest.approx(5 / 105)
    assert out.loc["B"].import_value_kusd == 40.0
    assert out.loc["B"].import_hhi == pytest.approx(0.75**2 + 0.25**2)
    partial = chip_trade(
        ibis.memtable(flows), xw, country="IND", year=2024, world_known=["848620"]
    ).to_pandas()
    partial = partial.set_index("input_id")
    assert partial.loc["A"].world_export_kusd == 90.0
    assert pd.isna(partial.loc["B"].world_export_kusd)

    def run_on(name: str) -> pd.DataFrame:
        trade = require_table(connect(load_settings(home=chips_home, backend=name)), "trade")  # type: ignore[arg-type]
        rows = load_eto_hs6().to_pandas().dropna(subset=["hs6"])
        crosswalk = ibis.memtable(rows[["input_id", "hs6"]])
        expr = chip_trade(trade, crosswalk, country="CHN", year=2024, world_known=False)
        return expr.to_pandas().sort_values("input_id").reset_index(drop=True)

    pd.testing.assert_frame_equal(run_on(backend), run_on("duckdb"), check_dtype=False, rtol=1e-9)
