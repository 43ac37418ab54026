"""Trade as the analyses read it: one HS revision (HS 2017) and one release per year and product,
other revisions mapped with the UNSD tables, coverage recorded and respected (issue 11, items 1, 2, 7)."""

from __future__ import annotations

import csv
import shutil
from collections import defaultdict
from pathlib import Path
from typing import Any

import ibis
import pyarrow as pa
import pyarrow.compute as pc
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.analyses.complexity import complexity
from friendshore.analyses.context import open_context
from friendshore.analyses.dependencies import chokepoints, dependencies
from friendshore.analyses.partners import partners, reshoring
from friendshore.analyses.supply_risk import supply_risk
from friendshore.analyses.warehouse_status import data_status
from friendshore.errors import UserError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.hs import concordance_table, hs17_crosswalk
from friendshore.nomenclature.taxonomy import sector_codes
from friendshore.settings import Settings, load_settings
from friendshore.warehouse.coverage import TradeCoverage
from friendshore.warehouse.harmonise import map_to_hs17
from friendshore.warehouse.ingest import ingest_source
from friendshore.warehouse.ingest_baci import ingest_baci
from friendshore.warehouse.store import read_manifest
from helpers import examples

CRITICAL = "baci_critical_materials/BACI_HS17_Y2024_V202601_critical.csv"
COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
CHINA = "baci_hs07_china_semiconductor_imports"
UNSD_07 = "hs_concordance_unsd/HS2017toHS2007ConversionAndCorrelationTables.xlsx"
UNSD_22 = "hs_concordance_unsd/HS2022toHS2017ConversionAndCorrelationTables.xlsx"


def _raw(path: Path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


# --- the mapping rule -------------------------------------------------------------------------


def test_crosswalk_rule_on_each_kind_of_link() -> None:
    # HS 2017 -> HS 2007 conversion, read backwards: which HS 2017 codes convert to each HS07 code
    table = concordance_table(
        [
            ("HS17", "HS07", "010121", "010110", None),  # 1:1
            ("HS17", "HS07", "030111", "030110", None),  # split in HS17, neither keeps the number
            ("HS17", "HS07", "030119", "030110", None),
            ("HS17", "HS07", "854231", "854231", None),  # split, one keeps the number
            ("HS17", "HS07", "903082", "854231", None),
        ]
    )
    walk = {r["from_hs6"]: (r["hs6"], r["n_candidates"]) for r in hs17_crosswalk(table, "HS07").to_pylist()}
    assert walk == {"010110": ("010121", 1), "030110": ("030111", 2), "854231": ("854231", 2)}
    # a forward table (HS 2022 -> HS 2017) names one target per code; n:1 merges stay
    forward = concordance_table(
        [("HS22", "HS17", "854141", "854140", None), ("HS22", "HS17", "854142", "854140", None)]
    )
    assert {r["from_hs6"]: r["hs6"] for r in hs17_crosswalk(forward, "HS22").to_pylist()} == {
        "854141": "854140",
        "854142": "854140",
    }
    assert hs17_crosswalk(forward, "HS17").num_rows == 0


FLOWS = st.lists(
    st.tuples(
        st.sampled_from(["AAA", "BBB", "CCC"]),
        st.sampled_from(["DDD", "EEE"]),
        st.sampled_from(["010110", "030110", "854231", "999999"]),  # 999999: not in the table
        st.floats(min_value=0.001, max_value=1e6, allow_nan=False),
        st.one_of(st.none(), st.floats(min_value=0.0, max_value=1e4, allow_nan=False)),
    ),
    min_size=1,
    max_size=25,
    unique_by=lambda f: (f[0], f[1], f[2]),
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows=FLOWS)
def test_mapping_moves_value_and_creates_or_loses_none(
    flows: list[tuple[str, str, str, float, float | None]],
) -> None:
    table = concordance_table(
        [
            ("HS17", "HS07", "010121", "010110", None),
            ("HS17", "HS07", "030111", "030110", None),
            ("HS17", "HS07", "030119", "030110", None),
            ("HS17", "HS07", "854231", "854231", None),
            ("HS17", "HS07", "903082", "854231", None),
        ]
    )
    rows = ibis.memtable(
        pa.table(
            {
                "year": pa.array([2024] * len(flows), pa.int16()),
                "exporter": [f[0] for f in flows],
                "importer": [f[1] for f in flows],
                "hs6": [f[2] for f in flows],
                "value_kusd": [f[3] for f in flows],
                "qty_t": pa.array([f[4] for f in flows], pa.float64()),
                "hs_revision": ["HS07"] * len(flows),
                "release": ["V202601"] * len(flows),
            }
        )
    )
    mapped = ibis.duckdb.connect().to_pyarrow(map_to_hs17(rows, hs17_crosswalk(table, "HS07")))
    assert pc.sum(mapped["value_kusd"]).as_py() == pytest.approx(sum(f[3] for f in flows), rel=1e-12)
    target = {"010110": "010121", "030110": "030111", "854231": "854231", "999999": "999999"}
    want: dict[tuple[str, str, str], list[float | None]] = defaultdict(list)
    for exporter, importer, code, _, qty in flows:
        want[(exporter, importer, target[code])].append(qty)
    got = {(r["exporter"], r["importer"], r["hs6"]): r["qty_t"] for r in mapped.to_pylist()}
    assert set(got) == set(want)  # one row per flow and HS17 code: nothing split, nothing invented
    for key, quantities in want.items():
        expected = None if any(q is None for q in quantities) else sum(q for q in quantities if q is not None)
        assert got[key] == (None if expected is None else pytest.approx(expected, rel=1e-12, abs=1e-12))


# --- the China semiconductor rows (HS 2007, imports of China only) ---------------------------


@pytest.fixture(scope="module")
def china_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    home = tmp_path_factory.mktemp("china") / "warehouse"
    files = [sample_data / CHINA / f"BACI_HS07_Y{y}_V202601_chn-semis.csv" for y in (2022, 2023, 2024)]
    ingest_baci(home, files, countries_file=sample_data / COUNTRIES)
    ingest_source(home, "hs-concordance", sample_data / UNSD_07)
    return home


def test_partial_files_record_their_coverage(china_home: Path, sample_home: Path) -> None:
    (china_2024,) = [p for p in read_manifest(china_home).partitions("trade") if p.key["year"] == 2024]
    cover = TradeCoverage.from_json(china_2024.coverage)
    assert (cover.importers, cover.exporters) == (("CHN",), None)  # complete over exporters
    assert cover.products is not None
    assert "854231" in cover.products
    assert len(cover.products) == 19
    (critical,) = read_manifest(sample_home).partitions("trade")
    cover = TradeCoverage.from_json(critical.coverage)
    assert (cover.importers, cover.exporters) == (None, None)  # all pairs, 30 products
    assert cover.products is not None
    assert len(cover.products) == 30


def test_china_chip_imports_in_hs17_without_a_flag_from_unknown_exports(
    china_home: Path, sample_data: Path
) -> None:
    result = dependencies(load_settings(home=china_home), importer="CHN", year=2024, sector="semiconductors")
    rows = {r["hs6"]: r for r in result.rows()}
    assert set(rows) <= set(sector_codes("semiconductors"))  # HS 2017 codes the taxonomy knows
    assert {"854231", "854232", "854233", "854239"} <= set(rows)
    # the 8542 suppliers of the MANIFEST: Korea and Taiwan first
    assert {rows[c]["top_supplier"] for c in ("854231", "854232", "854233", "854239")} == {"KOR", "TWN"}
    # no EC flag from China's exports, which a file of China's imports does not hold
    assert all(r["export_kusd"] is None and r["import_export_ratio"] is None for r in rows.values())
    assert all(r["ec_substitutability"] is None for r in rows.values())
    assert not any(r["ec_flag"] for r in rows.values())
    flagged_without_exports = [r for r in rows.values() if r["ec_concentration"] and r["ec_flag"] is None]
    assert flagged_without_exports  # 854232 and 854239 pass criteria 1 and 2: their flag is unknown
    assert any("CHN's exports are not in the loaded trade" in n for n in result.notes)
    # the values are the raw rows' values: 8542 shares of the MANIFEST, from the file itself
    raw = _raw(sample_data / CHINA / "BACI_HS07_Y2024_V202601_chn-semis.csv")
    chips = [r for r in raw if r["k"].startswith("8542")]
    total = sum(float(r["v"]) for r in chips)
    assert total / 1e6 == pytest.approx(203.1, abs=0.05)  # China's 8542 imports 2024, bn USD
    ctx = open_context(load_settings(home=china_home))
    trade = ctx.table("trade")
    per = trade.filter((trade.year == 2024) & trade.hs6.startswith("8542"))
    by = per.group_by("exporter").aggregate(v=per.value_kusd.sum()).to_pyarrow().to_pylist()
    shares = {r["exporter"]: r["v"] / total for r in by}
    assert sum(r["v"] for r in by) == pytest.approx(total, rel=1e-12)
    assert (round(shares["KOR"], 3), round(shares["TWN"], 3)) == (0.312, 0.283)
    # provenance: the 2024 partition, its coverage and mapping, and the UNSD table; no other year
    tables = [(p.table, dict(p.partition)) for p in result.provenance]
    assert ("trade", {"hs_revision": "HS07", "release": "V202601", "year": 2024}) in tables
    assert ("hs_concordance", {"from_revision": "HS17", "to_revision": "HS07"}) in tables
    assert not [p for p in result.provenance if p.table == "trade" and p.partition["year"] != 2024]
    trade_prov = next(p for p in result.provenance if p.table == "trade")
    assert "imports of CHN only" in trade_prov.coverage
    assert "mapped HS07 -> HS17" in trade_prov.use


def test_mapping_keeps_every_yearly_total(china_home: Path, sample_data: Path) -> None:
    trade = open_context(load_settings(home=china_home)).table("trade")
    got = trade.group_by("year").aggregate(v=trade.value_kusd.sum()).to_pyarrow().to_pylist()
    for row in got:
        raw = _raw(sample_data / CHINA / f"BACI_HS07_Y{row['year']}_V202601_chn-semis.csv")
        assert row["v"] == pytest.approx(sum(float(r["v"]) for r in raw), rel=1e-12)
    assert {r["year"] for r in got} == {2022, 2023, 2024}


def test_world_measures_are_null_on_one_importers_data(china_home: Path) -> None:
    result = chokepoints(load_settings(home=china_home), year=2024, sector="semiconductors")
    assert result.table.num_rows > 0
    for name in ("world_export_kusd", "top_exporter", "top_share", "world_hhi", "chokepoint"):
        assert result.table.column(name).null_count == result.table.num_rows, name
    assert any("world totals and shares are null" in n and "imports of CHN only" in n for n in result.notes)
    with pytest.raises(
        UserError, match=r"exports of .* are loaded only in part"
    ):  # unknown, not "no exports"
        partners(load_settings(home=china_home), importer="USA", product="854231", year=2024, draws=10)


def test_a_year_without_its_concordance_says_what_to_load(tmp_path: Path, sample_data: Path) -> None:
    home = tmp_path / "w"
    ingest_baci(
        home,
        [sample_data / CHINA / "BACI_HS07_Y2024_V202601_chn-semis.csv"],
        countries_file=sample_data / COUNTRIES,
    )
    with pytest.raises(UserError, match="hs-concordance"):
        dependencies(load_settings(home=home), importer="CHN", year=2024)


# --- copies of a year: another revision, another release --------------------------------------


@pytest.fixture(scope="module")
def copies_home(tmp_path_factory: pytest.TempPathFactory, sample_home: Path, sample_data: Path) -> Path:
    """The sample, plus the same 2024 file loaded as HS22, plus a V202501 release with values x2."""
    root = tmp_path_factory.mktemp("copies")
    home = root / "warehouse"
    shutil.copytree(sample_home, home)
    hs22 = root / "BACI_HS22_Y2024_V202601_x.csv"
    shutil.copy(sample_data / CRITICAL, hs22)
    ingest_baci(home, [hs22], countries_file=sample_data / COUNTRIES)
    older = root / "older" / "BACI_HS17_Y2024_V202501_x.csv"
    older.parent.mkdir()
    rows = _raw(sample_data / CRITICAL)
    with open(older, "w", encoding="utf-8", newline="") as fh:
        out = csv.DictWriter(fh, fieldnames=list(rows[0]))
        out.writeheader()
        for row in rows:
            out.writerow({**row, "v": f"{float(row['v']) * 2:.3f}"})
    shutil.copy(sample_data / COUNTRIES, older.parent / "country_codes_V202501.csv")
    ingest_baci(home, [older])
    return home


def _same_numbers(got: pa.Table, want: pa.Table, name: str) -> None:
    """The same rows and values (floats to 1e-12: sums may add in another order)."""
    assert got.schema == want.schema, name
    assert got.num_rows == want.num_rows > 0, name
    for col in want.column_names:
        a, b = want.column(col).to_pylist(), got.column(col).to_pylist()
        if pa.types.is_floating(want.schema.field(col).type):
            assert b == [None if v is None else pytest.approx(v, rel=1e-12, abs=1e-12) for v in a], (
                name,
                col,
            )
        else:
            assert b == a, (name, col)


def _analyses(settings: Settings, **extra: Any) -> dict[str, pa.Table]:
    return {
        "dependencies": dependencies(settings, importer="USA", year=2024, on="CHN", **extra).table,
        "chokepoints": chokepoints(settings, year=2024, **extra).table,
        "supply_risk": supply_risk(settings, importer="USA", year=2024, **extra).table,
        "partners": partners(settings, importer="USA", product="850511", year=2024, draws=20, **extra).table,
        "reshoring": reshoring(settings, importer="USA", product="850511,810411", year=2024, **extra).table,
        "complexity": complexity(settings, year=2024, **extra).table,
    }


@pytest.fixture(scope="module")
def sample_results(sample_home: Path) -> dict[str, pa.Table]:
    return _analyses(load_settings(home=sample_home))


def test_a_second_revision_or_release_of_a_year_changes_no_number(
    copies_home: Path, sample_results: dict[str, pa.Table]
) -> None:
    parts = read_manifest(copies_home).partitions("trade")
    assert sorted((p.key["hs_revision"], p.key["release"]) for p in parts) == [
        ("HS17", "V202501"),
        ("HS17", "V202601"),
        ("HS22", "V202601"),
    ]
    again = _analyses(load_settings(home=copies_home))
    for name, table in sample_results.items():
        _same_numbers(again[name], table, name)


def test_release_picks_one_release(copies_home: Path, sample_results: dict[str, pa.Table]) -> None:
    settings = load_settings(home=copies_home)
    older = chokepoints(settings, year=2024, release="V202501")
    newest = sample_results["chokepoints"].to_pylist()
    doubled = {r["hs6"]: r["world_export_kusd"] for r in older.rows()}
    for row in newest:
        assert doubled[row["hs6"]] == pytest.approx(2 * row["world_export_kusd"], rel=1e-9)
    assert older.parameters["release"] == "V202501"
    assert {p.release for p in older.provenance if p.table == "trade"} == {"V202501"}
    with pytest.raises(UserError, match="release V209901 of BACI is not loaded"):
        chokepoints(settings, year=2024, release="V209901")


def test_data_status_shows_revision_release_coverage_and_what_is_read(copies_home: Path) -> None:
    rows = [r for r in data_status(load_settings(home=copies_home)).rows() if r["table"] == "trade"]
    seen = {(r["hs_revision"], r["release"]): r for r in rows}
    assert seen[("HS17", "V202601")]["coverage"] == "30 products only"
    assert seen[("HS17", "V202601")]["read"] == "yes"
    assert seen[("HS22", "V202601")]["read"].startswith("no")
    assert seen[("HS17", "V202501")]["read"].startswith("no")


def test_cli_release_option_and_status(copies_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(copies_home)]
    assert run([*home, "chokepoints", "--year", "2024", "--release", "V202501", "--format", "csv"]) == 0
    assert "850511" in capsys.readouterr().out
    assert run([*home, "data", "status", "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].endswith("hs_revision,coverage,read")
    assert "30 products only" in out


# --- the dictionaries next to a BACI file (item 7) ---------------------------------------------


def test_ingest_finds_the_release_dictionaries_next_to_the_file(tmp_path: Path, sample_data: Path) -> None:
    folder = tmp_path / "BACI_HS07_V202601"
    folder.mkdir()
    trade = folder / "BACI_HS07_Y2024_V202601_chn-semis.csv"
    shutil.copy(sample_data / CHINA / trade.name, trade)
    shutil.copy(sample_data / "baci_dictionaries" / "country_codes_V202301.csv", folder)
    with pytest.raises(UserError, match=r"country_codes_V202301.csv next to the file is of another release"):
        ingest_baci(tmp_path / "w", [trade])
    shutil.copy(sample_data / COUNTRIES, folder / "COUNTRY_CODES_v202601.csv")  # case differs
    parts = ingest_baci(tmp_path / "w", [trade])
    (countries,) = [p for p in parts if p.table == "countries"]
    assert countries.files[0].name == "COUNTRY_CODES_v202601.csv"


# --- files of one year side by side; parity; Spark connections (item 4) -----------------------


@pytest.fixture(scope="module")
def mixed_home(tmp_path_factory: pytest.TempPathFactory, sample_home: Path, sample_data: Path) -> Path:
    """The HS 2017 critical-materials sample and China's HS 2007 chip imports, both for 2024."""
    home = tmp_path_factory.mktemp("mixed") / "warehouse"
    shutil.copytree(sample_home, home)
    ingest_baci(home, [sample_data / CHINA / "BACI_HS07_Y2024_V202601_chn-semis.csv"])
    return home


def _china_2024(settings: Settings) -> pa.Table:
    table = dependencies(settings, importer="CHN", year=2024).table
    return table.sort_by([("hs6", "ascending")])


def test_partial_files_of_one_year_are_read_side_by_side(mixed_home: Path) -> None:
    result = dependencies(load_settings(home=mixed_home), importer="CHN", year=2024)
    rows = {r["hs6"]: r for r in result.rows()}
    assert "850511" in rows
    assert "854231" in rows
    assert rows["850511"]["export_kusd"] > 0  # the sample holds China's exports of magnets
    assert rows["854231"]["export_kusd"] is None  # the chip file does not hold China's exports
    read = sorted((p.partition["hs_revision"], p.coverage) for p in result.provenance if p.table == "trade")
    assert read == [("HS07", "imports of CHN only; 19 products only"), ("HS17", "30 products only")]


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_harmonised_trade_gives_the_same_numbers_on_spark(mixed_home: Path) -> None:
    duck = _china_2024(load_settings(home=mixed_home))
    spark = _china_2024(load_settings(home=mixed_home, backend="pyspark"))
    _same_numbers(spark, duck, "dependencies on spark")


@pytest.mark.spark
@pytest.mark.xdist_group("spark")
def test_two_spark_warehouses_open_at_once_keep_their_own_data(sample_home: Path, china_home: Path) -> None:
    from friendshore.warehouse import open_snapshot

    first = open_snapshot(load_settings(home=sample_home, backend="pyspark"))
    before = first.table("trade").count().to_pyarrow().as_py()
    second = open_snapshot(load_settings(home=china_home, backend="pyspark"))
    assert second.table("trade").count().to_pyarrow().as_py() == 1213 + 1197 + 1134
    assert first.table("trade").count().to_pyarrow().as_py() == before == 21723
    assert first.table("countries").count().to_pyarrow().as_py() == 238
