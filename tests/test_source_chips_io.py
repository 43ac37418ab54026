"""Chip supply chain (ETO) and multi-sector IO baseline (KITE WIOD 2014): real figures and bad inputs."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from friendshore.errors import DataSourceError, SchemaError
from friendshore.settings import load_settings
from friendshore.sources.eto import ETO_FILES, read_eto, read_market_size_usd
from friendshore.sources.wiod_kite import KITE_COMPONENTS, kite_files, read_kite
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source
from helpers import one_where, rows_where

ETO = "eto_chip_explorer"
KITE = "kite_wiod2014_initial_conditions"


# --- ETO chip explorer ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def eto(sample_data: Path) -> dict[str, pa.Table]:
    return read_eto(sample_data / ETO)


def _country_share(eto: dict[str, pa.Table], input_id: str, country: str) -> dict[str, Any]:
    return one_where(eto["chip_provision"], input_id=input_id, country=country, provider_type="country")


@pytest.mark.parametrize(
    ("input_id", "name", "country", "share"),
    [
        # S2 is the Fabrication stage (capacity shares, 2022).
        ("S2", "Fabrication", "CHN", 0.24),
        ("S2", "Fabrication", "TWN", 0.18),
        ("S2", "Fabrication", "JPN", 0.17),
        ("S2", "Fabrication", "KOR", 0.17),
        ("S2", "Fabrication", "USA", 0.10),
        ("S3", "Assembly, testing, and packaging (ATP)", "CHN", 0.30),
        ("S3", "Assembly, testing, and packaging (ATP)", "TWN", 0.28),
        ("N20", "EUV lithography tools", "NLD", 1.00),
        ("N6", "Logic chip design", "USA", 0.65),
    ],
)
def test_eto_country_shares(
    eto: dict[str, pa.Table], input_id: str, name: str, country: str, share: float
) -> None:
    row = _country_share(eto, input_id, country)
    assert row["input_name"] == name
    assert row["share"] == pytest.approx(share, abs=1e-9)
    assert row["release"] == "eto-2026-08-14"


def test_eto_fabrication_year_and_firm_country(eto: dict[str, pa.Table]) -> None:
    assert _country_share(eto, "S2", "CHN")["year"] == 2022
    # EUV tools: the one firm is ASML, whose country (from providers.csv) is NLD.
    firms = rows_where(eto["chip_provision"], input_id="N20", provider_type="organization")
    assert [(f["provider_name"], f["country"], f["share"]) for f in firms] == [("ASML", "NLD", 1.0)]
    # "Various countries" is no country; ETO's Europe aggregate keeps its own code EUR.
    various = one_where(eto["chip_provision"], input_id="S2", provider_name="Various countries")
    assert various["country"] is None
    assert various["share"] == pytest.approx(0.07)
    assert one_where(eto["chip_provision"], input_id="S2", provider_name="EUR")["country"] == "EUR"


def test_eto_shares_are_fractions(eto: dict[str, pa.Table]) -> None:
    provision = eto["chip_provision"]
    assert provision.num_rows == 1300
    share = provision.column("share")
    assert pc.min(share).as_py() >= 0
    assert pc.max(share).as_py() <= 1
    assert share.null_count == 246  # ETO gives no share for these (e.g. photoresist firms)
    # Country shares of the fabrication stage add up to 1 (CHN, EUR, JPN, KOR, TWN, USA, various).
    fab = provision.filter(
        pc.and_(pc.equal(provision["input_id"], "S2"), pc.equal(provision["provider_type"], "country"))
    )
    assert pc.sum(fab.column("share")).as_py() == pytest.approx(1.01, abs=1e-9)  # ETO rounds each share


def test_eto_inputs_and_sequence(eto: dict[str, pa.Table]) -> None:
    inputs = eto["chip_inputs"]
    assert inputs.num_rows == 126 + 3  # inputs.csv nodes plus the three stages
    assert len(pc.unique(inputs.column("input_id"))) == inputs.num_rows
    n0 = one_where(inputs, input_id="N0")
    assert (n0["input_name"], n0["stage_id"], n0["year"]) == ("Chip design", "S1", 2022)
    assert n0["market_size_usd"] == pytest.approx(574.1e9)
    assert one_where(inputs, input_id="N9")["market_size_usd"] == pytest.approx(
        296e6
    )  # "$296 million (2025)"
    stage = one_where(inputs, input_id="S3")
    assert (stage["type"], stage["year"], stage["market_size_usd"]) == ("stage", 2022, pytest.approx(95e9))
    # Multi-line quoted descriptions are read whole.
    assert "\n" in one_where(inputs, input_id="N7")["description"]
    seq = eto["chip_sequence"]
    assert seq.num_rows == 139
    assert one_where(seq, input_id="N20", relation="is_type_of")["related_id"] == "N19"
    assert one_where(seq, input_id="N8", relation="goes_into")["related_id"] == "N26"


def test_market_size_text() -> None:
    assert read_market_size_usd("$574.1 billion (2022)") == pytest.approx(5.741e11)
    assert read_market_size_usd("$1,200 million") == pytest.approx(1.2e9)
    assert read_market_size_usd("$3.3 billion (all photoresists)") == pytest.approx(3.3e9)
    assert read_market_size_usd("") is None
    with pytest.raises(ValueError, match="not a market size"):
        read_market_size_usd("$ about a lot")


def _eto_folder(tmp_path: Path, **override: str) -> Path:
    files = {
        "inputs.csv": "input_id,input_name,type,stage_name,stage_id,description,year,"
        "market_share_chart_global_market_size_info\n"
        'N1,Wafer,material_resource,,,"Silicon wafers,\nsliced and\npolished.",2019,$11.9 billion (2019)\n'
        "N2,Chip design,process,Design,S1,Designs chips.,2022,\n",
        "stages.csv": "stage_id,stage_name,description,market_share_chart_global_market_size_info\n"
        "S1,Design,Design stage.,$574 billion (2022)\n",
        "providers.csv": "provider_name,alias,provider_id,provider_type,country\n"
        "JPN,Japan,P7,country,\nShin-Etsu,,P9,organization,JPN\nShin-Etsu,SEH,P9,organization,JPN\n",
        "provision.csv": "provider_name,provider_id,provided_name,provided_id,share_provided,year,source\n"
        "JPN,P7,Wafer,N1,100,2019,CSET\nShin-Etsu,P9,Wafer,N1,,2019,CSET\n",
        "sequence.csv": "input_name,input_id,goes_into_name,goes_into_id,is_type_of_name,is_type_of_id\n"
        "Wafer,N1,Chip design,N2,,\nChip design,N2,Design,S1,,\n",
    }
    files.update({key.removesuffix("_csv") + ".csv": text for key, text in override.items()})
    folder = tmp_path / "eto"
    folder.mkdir(exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def test_eto_hand_made(tmp_path: Path) -> None:
    tables = read_eto(_eto_folder(tmp_path))
    provision = tables["chip_provision"]
    assert provision.column("share").to_pylist() == [1.0, None]
    assert provision.column("country").to_pylist() == ["JPN", "JPN"]
    assert provision.num_rows == 2  # the alias row of P9 does not duplicate provision
    wafer = one_where(tables["chip_inputs"], input_id="N1")
    assert wafer["description"] == "Silicon wafers,\nsliced and\npolished."
    assert wafer["market_size_usd"] == pytest.approx(11.9e9)
    assert tables["chip_sequence"].to_pylist()[0]["relation"] == "goes_into"


def test_eto_bad_number_after_multiline_record(tmp_path: Path) -> None:
    inputs = (
        "input_id,input_name,type,stage_name,stage_id,description,year,"
        "market_share_chart_global_market_size_info\n"
        'N1,Wafer,material_resource,,,"Silicon wafers,\nsliced and\npolished.",2019,\n'
        "N2,Chip design,process,Design,S1,Designs chips.,twenty,\n"
    )
    with pytest.raises(SchemaError) as err:
        read_eto(_eto_folder(tmp_path, inputs_csv=inputs))
    # The header is line 1, N1 spans lines 2-4, so N2 is on line 5.
    assert (err.value.line, err.value.field) == (5, "year")


def test_eto_bad_share(tmp_path: Path) -> None:
    provision = (
        "provider_name,provider_id,provided_name,provided_id,share_provided,year,source\n"
        "JPN,P7,Wafer,N1,56%,2019,CSET\n"
    )
    with pytest.raises(SchemaError) as err:
        read_eto(_eto_folder(tmp_path, provision_csv=provision))
    assert (err.value.line, err.value.field) == (2, "share_provided")
    provision = provision.replace("56%", "156")
    with pytest.raises(SchemaError, match="not a percentage"):
        read_eto(_eto_folder(tmp_path, provision_csv=provision))


def test_eto_wrong_header_and_unknown_ids(tmp_path: Path) -> None:
    with pytest.raises(SchemaError) as err:
        read_eto(_eto_folder(tmp_path, provision_csv="who,what,share\nJPN,N1,56\n"))
    assert err.value.line == 1
    unknown = (
        "provider_name,provider_id,provided_name,provided_id,share_provided,year,source\n"
        "JPN,P7,Wafer,N1,56,2019,CSET\nJPN,P7,Mask,N99,10,2019,CSET\n"
    )
    with pytest.raises(SchemaError, match=r"'N99' is not in inputs\.csv") as err:
        read_eto(_eto_folder(tmp_path, provision_csv=unknown))
    assert (err.value.line, err.value.field) == (3, "provided_id")


def test_eto_missing_file(tmp_path: Path) -> None:
    folder = _eto_folder(tmp_path)
    (folder / "sequence.csv").unlink()
    with pytest.raises(DataSourceError, match="file not found"):
        read_eto(folder)


# --- KITE WIOD 2014 ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def kite(sample_data: Path) -> dict[str, pa.Table]:
    return read_kite(sample_data / KITE)


def test_kite_dimensions(kite: dict[str, pa.Table]) -> None:
    shares = kite["trade_share"]
    countries = pc.unique(shares.column("destination")).to_pylist()
    sectors = sorted(pc.unique(shares.column("sector")).to_pylist())
    assert len(countries) == 44
    assert {"ROW", "CHN", "TWN", "USA", "IND"} <= set(countries)
    assert sectors == [f"C{k:02d}" for k in range(1, 51)]
    assert shares.num_rows == 44 * 44 * 50
    assert kite["intermediate_share"].num_rows == 50 * 50 * 44
    assert kite["expenditure"].num_rows == 44 * 50
    assert kite["value_added"].num_rows == 44
    assert kite["trade_elasticity"].num_rows == 50


def test_kite_trade_shares_sum_toone_where(kite: dict[str, pa.Table]) -> None:
    sums = kite["trade_share"].group_by(["destination", "sector"]).aggregate([("value", "sum")])
    assert sums.num_rows == 44 * 50
    gap = pc.max(pc.abs(pc.subtract(sums.column("value_sum"), 1.0))).as_py()
    assert gap < 1e-12  # measured: 1.9e-15 (floating-point rounding only)


@pytest.mark.parametrize(("sector", "share"), [("C17", 0.199), ("C06", 0.239), ("C18", 0.181)])
def test_kite_us_absorption_from_china(kite: dict[str, pa.Table], sector: str, share: float) -> None:
    row = one_where(kite["trade_share"], origin="CHN", destination="USA", sector=sector)
    assert row["value"] == pytest.approx(share, abs=0.0005)


def test_kite_tariffs_and_shares_in_range(kite: dict[str, pa.Table]) -> None:
    tariff = kite["tariff"].column("value")
    assert pc.min(tariff).as_py() == 1.0  # 1 + rate; no trade subsidies
    tariffs = kite["tariff"]
    domestic = tariffs.filter(pc.equal(tariffs["origin"], tariffs["destination"]))
    # No tariff on an economy's own goods, except inside the rest-of-world aggregate (ROW -> ROW).
    taxed = domestic.filter(pc.greater(domestic["value"], 1.0))
    assert set(taxed.column("origin").to_pylist()) == {"ROW"}
    assert domestic.num_rows == 44 * 50
    consumption = kite["consumption_share"].group_by("country").aggregate([("value", "sum")])
    assert pc.max(pc.abs(pc.subtract(consumption.column("value_sum"), 1.0))).as_py() < 1e-9


def test_kite_rds_matches_parquet(kite: dict[str, pa.Table], sample_data: Path) -> None:
    rds = read_kite(sample_data / KITE / "initial_conditions_WIOD_2014.rds")
    for name in KITE_COMPONENTS:
        keys = [(c, "ascending") for c in KITE_COMPONENTS[name]]
        assert rds[name].sort_by(keys).equals(kite[name].sort_by(keys)), name


def _kite_folder(tmp_path: Path) -> Path:
    """Two economies, one sector: a tiny but complete set of KITE components."""
    folder = tmp_path / "kite"
    folder.mkdir(exist_ok=True)
    pairs = [("AAA", "AAA"), ("BBB", "AAA"), ("AAA", "BBB"), ("BBB", "BBB")]
    bilateral = {
        "origin": [o for o, _ in pairs],
        "destination": [d for _, d in pairs],
        "sector": ["C01"] * 4,
    }
    tables = {
        "trade_share": {**bilateral, "value": [0.9, 0.1, 0.3, 0.7]},
        "tariff": {**bilateral, "value": [1.0, 1.05, 1.1, 1.0]},
        "intermediate_share": {
            "input": ["C01"] * 2,
            "output": ["C01"] * 2,
            "country": ["AAA", "BBB"],
            "value": [0.4, 0.5],
        },
        "expenditure": {"country": ["AAA", "BBB"], "sector": ["C01"] * 2, "value": [100.0, 50.0]},
        "consumption_share": {"sector": ["C01"] * 2, "country": ["AAA", "BBB"], "value": [1.0, 1.0]},
        "factor_share": {"sector": ["C01"] * 2, "country": ["AAA", "BBB"], "value": [0.6, 0.5]},
        "value_added": {"country": ["AAA", "BBB"], "value": [60.0, 25.0]},
        "trade_balance": {"country": ["AAA", "BBB"], "value": [-5.0, 5.0]},
        "trade_balance_with_inventory": {"country": ["AAA", "BBB"], "value": [-4.0, 4.0]},
        "trade_elasticity": {"sector": ["C01"], "value": [0.2]},
    }
    for name, cols in tables.items():
        pq.write_table(pa.table(cols), folder / f"{name}.parquet")
    return folder


def test_kite_hand_made(tmp_path: Path) -> None:
    parts = read_kite(_kite_folder(tmp_path))
    assert one_where(parts["trade_share"], origin="BBB", destination="AAA")["value"] == 0.1
    assert parts["value_added"].column("value").to_pylist() == [60.0, 25.0]


def test_kite_wrong_columns(tmp_path: Path) -> None:
    folder = _kite_folder(tmp_path)
    pq.write_table(
        pa.table({"exporter": ["AAA"], "importer": ["AAA"], "value": [1.0]}), folder / "tariff.parquet"
    )
    with pytest.raises(SchemaError) as err:
        read_kite(folder)
    assert err.value.line == 1
    assert "tariff.parquet" in str(err.value)


def test_kite_non_number_and_bad_code(tmp_path: Path) -> None:
    folder = _kite_folder(tmp_path)
    pq.write_table(
        pa.table({"country": ["AAA", "BBB"], "value": ["60", "lots"]}), folder / "value_added.parquet"
    )
    with pytest.raises(SchemaError) as err:
        read_kite(folder)
    assert err.value.field == "value"
    assert "value_added.parquet" in str(err.value)
    folder = _kite_folder(tmp_path)
    pq.write_table(pa.table({"sector": ["Electronics"], "value": [0.2]}), folder / "trade_elasticity.parquet")
    with pytest.raises(SchemaError, match="row 1: 'Electronics' does not look like a sector code") as err:
        read_kite(folder)
    assert err.value.field == "sector"


def test_kite_shares_must_sum_toone_where(tmp_path: Path) -> None:
    folder = _kite_folder(tmp_path)
    table = pq.read_table(folder / "trade_share.parquet")
    table = table.set_column(3, "value", pa.array([0.9, 0.2, 0.3, 0.7]))  # AAA's C01 absorption sums to 1.1
    pq.write_table(table, folder / "trade_share.parquet")
    with pytest.raises(SchemaError, match=r"destination AAA, sector C01 sum to 1\.1"):
        read_kite(folder)


def test_kite_missing_component(tmp_path: Path) -> None:
    folder = _kite_folder(tmp_path)
    (folder / "tariff.parquet").unlink()
    with pytest.raises(DataSourceError, match=r"tariff\.parquet"):
        kite_files(folder)


# --- end to end ----------------------------------------------------------------------------------


def test_ingest_eto_and_kite_end_to_end(home: Path, sample_data: Path, tmp_path: Path) -> None:
    parts = ingest_source(home, "eto", sample_data / ETO)
    assert {p.table: p.rows for p in parts} == {
        "chip_inputs": 129,
        "chip_provision": 1300,
        "chip_sequence": 139,
    }
    assert [f.name for f in parts[0].files] == list(ETO_FILES)  # every file hashed for provenance
    parts = ingest_source(home, "wiod-kite", sample_data / KITE)
    assert {p.table: p.rows for p in parts} == {
        "mrio_trade_share": 96_800,
        "mrio_tariff": 96_800,
        "mrio_io_share": 110_000,
        "mrio_country_sector": 3 * 2_200,
        "mrio_country": 3 * 44,
        "mrio_sector": 50,
    }
    assert {tuple(p.key.values()) for p in parts} == {("wiod-kite", "WIOD2014")}
    con = connect(load_settings(home=home))
    prov = con.table("chip_provision")
    fab = prov.filter((prov.input_id == "S2") & (prov.country == "CHN") & (prov.provider_type == "country"))
    assert fab.to_pyarrow().column("share")[0].as_py() == pytest.approx(0.24)
    ts = con.table("mrio_trade_share")
    us = ts.filter((ts.origin == "CHN") & (ts.destination == "USA") & (ts.sector == "C17")).to_pyarrow()
    assert us.column("value")[0].as_py() == pytest.approx(0.199, abs=0.0005)
    cs = con.table("mrio_country_sector")
    variables = sorted(cs.select("variable").distinct().to_pyarrow().column(0).to_pylist())
    assert variables == ["consumption_share", "expenditure", "factor_share"]
    io = con.table("mrio_io_share")
    assert set(io.columns) == {"source", "release", "input_sector", "output_sector", "country", "value"}
    # A copy of the ETO folder with a corrupt provision file fails and leaves the warehouse as it was.
    broken = tmp_path / "eto_broken"
    broken.mkdir()
    for name in ETO_FILES:
        shutil.copyfile(sample_data / ETO / name, broken / name)
    (broken / "provision.csv").write_text("provider_name,provider_id\nX,P1\n", encoding="utf-8")
    with pytest.raises(SchemaError):
        ingest_source(home, "eto", broken)
    assert connect(load_settings(home=home)).table("chip_provision").count().to_pyarrow().as_py() == 1300
