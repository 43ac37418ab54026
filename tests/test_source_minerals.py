"""Mineral production sources (USGS MCS 2026, BGS WMS) and the country-name -> ISO3 crosswalk.

Published figures checked here (real files under ``sample_data``):

* USGS MCS 2026: China 270,000 of 380,000 t REO rare-earth mine production in 2024 (71%);
  Congo (Kinshasa) 226,000 of 302,000 t cobalt in 2024 and 230,000 of 310,000 t in 2025 (74-75%);
  Australia 82,700 of 222,000 t lithium in 2024 and 92,000 of 290,000 t in 2025 (37%, 32%);
  China 839 of 848 t primary low-purity gallium in 2024 (99%). Shares use the USGS
  ``World total`` row as denominator.
* BGS WMS: China's share of rare earth oxides 70.1% (2019) and 67.3% (2021), graphite 62.7% and
  64.6%, refined cobalt 66.0% and 77.0% (the years per the data MANIFEST). BGS ships no world
  total, so the denominator is the sum over every country row of that commodity and year.
"""

from __future__ import annotations

import contextlib
import csv
import gzip
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from friendshore.errors import SchemaError, UnknownCodeError
from friendshore.nomenclature.countries import (
    classify_row,
    country_names,
    normalise_name,
    to_iso3,
    to_iso3_strict,
)
from friendshore.settings import load_settings
from friendshore.sources.bgs import read_bgs_production
from friendshore.sources.usgs_mcs import (
    parse_reliance,
    parse_usgs_value,
    read_usgs_salient,
    read_usgs_world_production,
)
from friendshore.warehouse import connect, read_manifest
from friendshore.warehouse.ingest import SOURCES, ingest_source
from friendshore.warehouse.load_bgs import LOADER as BGS_LOADER
from friendshore.warehouse.load_usgs_mcs import LOADER as USGS_LOADER

USGS_DIR = "usgs_mcs2026_subset"
USGS_WORLD = "mcs2026_world_production_reserves_subset_transcribed.csv"
USGS_T7 = "MCS2026_T7_Critical_Minerals_Salient_fixture.csv"
BGS_FILE = "bgs_world_mineral_statistics/bgs_wms_production_1970_2021.csv.gz"


@pytest.fixture(scope="module")
def usgs(sample_data: Path) -> pa.Table:
    """USGS world production/reserves through the loader (with ISO3 ``country``)."""
    parts = USGS_LOADER.load(sample_data / USGS_DIR)
    return next(p.data for p in parts if p.table == "mineral_production")


@pytest.fixture(scope="module")
def reliance(sample_data: Path) -> pa.Table:
    parts = USGS_LOADER.load(sample_data / USGS_DIR)
    return next(p.data for p in parts if p.table == "net_import_reliance")


@pytest.fixture(scope="module")
def bgs(sample_data: Path) -> pa.Table:
    (part,) = BGS_LOADER.load(sample_data / BGS_FILE)
    return part.data


def _rows(table: pa.Table, **where: object) -> list[dict[str, Any]]:
    mask = None
    for col, want in where.items():
        m = pc.equal(table.column(col), pa.scalar(want, table.schema.field(col).type))
        mask = m if mask is None else pc.and_(mask, m)
    rows: list[dict[str, Any]] = table.filter(mask).to_pylist()
    return rows


def _usgs_share(table: pa.Table, commodity: str, iso3: str, year: int) -> float:
    rows = _rows(table, commodity=commodity, statistic="production", year=year)
    (country,) = [r["value"] for r in rows if r["country"] == iso3]
    (world,) = [r["value"] for r in rows if r["row_kind"] == "world"]
    assert isinstance(country, float)
    assert isinstance(world, float)
    return country / world


def _bgs_share(table: pa.Table, commodity: str, iso3: str, year: int) -> float:
    rows = _rows(table, commodity=commodity, year=year)
    total = sum(float(r["value"]) for r in rows)
    (country,) = [float(r["value"]) for r in rows if r["country"] == iso3]
    return country / total


# --------------------------------------------------------------------------- crosswalk


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        ("Congo (Kinshasa)", "COD"),
        ("Congo (Brazzaville)", "COG"),
        ("Congo, Democratic Republic", "COD"),
        ("Zaire", "COD"),
        ("Congo", "COG"),
        ("Burma", "MMR"),
        ("Korea, Republic of", "KOR"),
        ("Korea, Rep. of", "KOR"),
        ("Korea (Rep. of)", "KOR"),
        ("Korea, North", "PRK"),
        ("Korea, Dem. P.R. of", "PRK"),
        ("Russia", "RUS"),
        ("Vietnam", "VNM"),
        ("Taiwan", "TWN"),
        ("Other Asia, nes", "TWN"),
        ("Turkey", "TUR"),
        ("Turkiye", "TUR"),
        ("Türkiye", "TUR"),
        ("United States", "USA"),
        ("USA", "USA"),
        ("Czechoslovakia", "CSK"),
        ("USSR", "SUN"),
        ("Soviet Union", "SUN"),
        ("Yugoslavia", "YUG"),
    ],
)
def test_publisher_spellings_map_to_iso3(name: str, iso3: str) -> None:
    assert to_iso3([name]) == [iso3]
    assert to_iso3_strict([name]) == [iso3]


@pytest.mark.parametrize("name", ["Czechoslovakia", "USSR", "Yugoslavia", "German Democratic Rep"])
def test_historic_entities_say_so_in_the_note(name: str) -> None:
    entry = country_names()[normalise_name(name)]
    assert "historic" in entry.note


def test_matching_ignores_case_accents_spaces_apostrophes_and_ampersand() -> None:
    assert normalise_name("  C\u00f4te  D\u2019IVOIRE ") == normalise_name("cote d'ivoire")
    assert to_iso3(["  c\u00f4te  d\u2019ivoire", "Bosnia & Herzegovina", "BOSNIA AND HERZEGOVINA"]) == [
        "CIV",
        "BIH",
        "BIH",
    ]


def test_every_baci_v202601_name_maps_to_its_own_code(sample_data: Path) -> None:
    """The crosswalk was seeded from BACI's dictionary: each BACI name still maps to BACI's ISO3."""
    path = sample_data / "baci_critical_materials" / "country_codes_V202601.csv"
    checked = 0
    with open(path, encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            iso3 = row["country_iso3"]
            if iso3 in {"R20", "ZA1"}:  # "Europe EFTA, nes", SACU (...1999): aggregates
                continue
            name = row["country_name"]
            # the V202601 file double-encodes accents (UTF-8 read as Latin-1, then saved as UTF-8)
            with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
                name = name.encode("latin-1").decode("utf-8")
            want = "TWN" if row["country_code"] == "490" else iso3
            assert to_iso3_strict([name]) == [want], name
            checked += 1
    assert checked == 236


def test_classify_row() -> None:
    assert classify_row("World total") == "world"
    assert classify_row("World total (rounded)") == "world"
    assert classify_row("Other countries") == "other"
    assert classify_row("Rest of world") == "other"
    assert classify_row("Other Asia, nes") == "country"  # Taiwan in BACI/Comtrade
    assert classify_row("China") == "country"


def test_unknown_names() -> None:
    assert to_iso3(["China", "Atlantis", None]) == ["CHN", None, None]
    with pytest.raises(UnknownCodeError, match=r"'Atlantis' \(line 7\).*country_names\.csv") as err:
        to_iso3_strict(["China", "Atlantis"], file="x.csv", lines=[6, 7], field="country")
    assert "x.csv" in str(err.value)
    assert "field 'country'" in str(err.value)
    with pytest.raises(UnknownCodeError, match="not countries"):
        to_iso3_strict(["World total"])


def test_every_country_name_in_the_usgs_and_bgs_files_maps(sample_data: Path) -> None:
    world = read_usgs_world_production(sample_data / USGS_DIR / USGS_WORLD)
    t7 = read_usgs_salient(sample_data / USGS_DIR / USGS_T7)
    bgs = read_bgs_production(sample_data / BGS_FILE)
    names = {str(r["country_name"]) for r in _rows(world, row_kind="country")}
    names |= set(t7.column("leading_producer").to_pylist()) | set(
        t7.column("primary_import_source").to_pylist()
    )
    # every BGS name, blank-value rows included
    with gzip.open(sample_data / BGS_FILE, "rt", encoding="utf-8") as fh:
        bgs_names = {row["Country"] for row in csv.DictReader(fh, delimiter=";")}
    assert set(bgs.column("country_name").to_pylist()) <= bgs_names
    names |= bgs_names
    assert (len(bgs_names), len(names)) == (163, 168)  # USGS adds Burma, Congo (Kinshasa), ...
    unmapped = sorted(
        n for n, code in zip(sorted(names), to_iso3(sorted(names)), strict=True) if code is None
    )
    assert unmapped == []
    # the USGS "World total" / "Other countries" labels are not countries for the crosswalk either
    for row in world.to_pylist():
        assert classify_row(str(row["country_name"])) == row["row_kind"]


# --------------------------------------------------------------------------- USGS MCS


def test_usgs_china_rare_earth_share(usgs: pa.Table) -> None:
    assert _usgs_share(usgs, "Rare Earths", "CHN", 2024) == pytest.approx(270_000 / 380_000)
    assert round(100 * _usgs_share(usgs, "Rare Earths", "CHN", 2024)) == 71
    assert round(100 * _usgs_share(usgs, "Rare Earths", "CHN", 2025)) == 69  # 270,000 / 390,000


def test_usgs_dr_congo_cobalt_share(usgs: pa.Table) -> None:
    assert _usgs_share(usgs, "Cobalt", "COD", 2024) == pytest.approx(226_000 / 302_000)
    for year in (2024, 2025):
        assert 0.74 <= _usgs_share(usgs, "Cobalt", "COD", year) <= 0.75


def test_usgs_australia_lithium_share(usgs: pa.Table) -> None:
    assert _usgs_share(usgs, "Lithium", "AUS", 2024) == pytest.approx(0.3725, abs=5e-4)
    assert _usgs_share(usgs, "Lithium", "AUS", 2025) == pytest.approx(0.3172, abs=5e-4)


def test_usgs_china_gallium_share(usgs: pa.Table) -> None:
    share = _usgs_share(usgs, "Gallium", "CHN", 2024)
    assert share == pytest.approx(839 / 848)
    assert round(100 * share) == 99
    (row,) = _rows(usgs, commodity="Gallium", statistic="production", year=2024, country="CHN")
    assert row["stage"] == "primary low-purity production"
    assert row["unit"] == "kilograms (Ga content)"


def test_usgs_countries_add_up_to_the_world_total(usgs: pa.Table) -> None:
    """USGS rounds world totals to 2-3 significant figures: countries plus 'Other countries' agree
    within 1.5% (the widest gap is cobalt 2025: 314,600 t summed vs 310,000 t published)."""
    sums: dict[tuple[object, ...], float] = defaultdict(float)
    world: dict[tuple[object, ...], float] = {}
    for r in usgs.filter(pc.equal(usgs.column("statistic"), "production")).to_pylist():
        key = (r["commodity"], r["year"])
        if r["row_kind"] == "world":
            world[key] = float(r["value"])
        elif r["value"] is not None:
            sums[key] += float(r["value"])
    assert len(world) == 8  # 4 commodities x 2024, 2025
    for pair, total in world.items():
        assert sums[pair] == pytest.approx(total, rel=0.015), pair


def test_usgs_markers_are_kept(usgs: pa.Table) -> None:
    (us_li,) = _rows(usgs, commodity="Lithium", statistic="production", year=2024, country="USA")
    assert us_li["value"] is None
    assert us_li["value_flag"] == "W"
    (other_ga,) = _rows(usgs, commodity="Gallium", statistic="production", year=2024, row_kind="other")
    assert (other_ga["value"], other_ga["value_flag"], other_ga["country"]) == (0.0, "\u2014", None)
    (ree_world,) = _rows(usgs, commodity="Rare Earths", statistic="reserves", row_kind="world")
    assert (ree_world["value"], ree_world["value_flag"]) == (85_000_000.0, ">")
    (burma,) = _rows(usgs, commodity="Rare Earths", statistic="reserves", country="MMR")
    assert (burma["value"], burma["value_flag"], burma["country_name"]) == (None, "NA", "Burma")
    assert set(usgs.column("stage").to_pylist()) == {
        "mine",
        "reserves",
        "primary low-purity production",
        "production capacity",
    }
    assert set(usgs.column("release").to_pylist()) == {"MCS2026"}
    assert usgs.num_rows == 150


def test_usgs_value_and_reliance_parsing() -> None:
    assert parse_usgs_value("270,000") == (270_000.0, None)
    assert parse_usgs_value("\u2014") == (0.0, "\u2014")
    assert parse_usgs_value(" W ") == (None, "W")
    assert parse_usgs_value("<100,000") == (100_000.0, "<")
    assert parse_reliance(">75") == (75.0, 100.0)
    assert parse_reliance("<25") == (0.0, 25.0)
    assert parse_reliance("79") == (79.0, 79.0)
    assert parse_reliance("E") == (0.0, 0.0)
    with pytest.raises(ValueError, match="1,2"):
        parse_usgs_value("1,2")
    with pytest.raises(ValueError, match="120"):
        parse_reliance("120")


def test_usgs_net_import_reliance(reliance: pa.Table) -> None:
    rows = {r["commodity"]: r for r in reliance.to_pylist()}
    assert sorted(rows) == [
        "Aluminum (bauxite)",
        "Cobalt",
        "Gallium",
        "Lithium",
        "Rare earths (compounds and metals)",  # footnote mark "9" dropped
        "Zirconium (ores and concentrates)",
    ]
    bounds = {
        k: (r["reliance_pct_low"], r["reliance_pct_high"], r["reliance_as_published"])
        for k, r in rows.items()
    }
    assert bounds["Cobalt"] == (79.0, 79.0, "79")
    assert bounds["Gallium"] == (100.0, 100.0, "100")
    assert bounds["Aluminum (bauxite)"] == (75.0, 100.0, ">75")
    assert bounds["Lithium"] == (50.0, 100.0, ">50")
    assert bounds["Zirconium (ores and concentrates)"] == (0.0, 25.0, "<25")
    cobalt = rows["Cobalt"]
    assert (cobalt["year"], cobalt["year_note"], cobalt["country"]) == (2025, "estimated", "USA")
    assert (cobalt["leading_producer"], cobalt["leading_producer_share_pct"]) == ("COD", 74.0)
    assert (cobalt["primary_import_source"], cobalt["world_production"]) == ("NOR", 310_000.0)
    assert rows["Rare earths (compounds and metals)"]["leading_producer_share_pct"] == 69.0
    assert set(reliance.column("release").to_pylist()) == {"MCS2026"}


def test_usgs_release_layout_is_read_too(tmp_path: Path) -> None:
    """The release's own long layout (MCS2026_Commodities_Data.csv) gives the same rows."""
    path = tmp_path / "MCS2026_Commodities_Data.csv"
    path.write_text(
        "MCS chapter,Section,Commodity,Country,Statistics,Statistics_detail,Unit,Year,Value,Notes\n"
        'COBALT,World,Cobalt,China,Production,Mine production,metric tons,2025,"2,000",Estimated.\n'
        'COBALT,World,Cobalt,Congo (Kinshasa),Production,Mine production,metric tons,2025,"226,000",\n'
        'COBALT,World,Cobalt,World total,Production,Mine production: rounded,metric tons,2025,"302,000",\n',
        encoding="utf-8",
    )
    (part,) = USGS_LOADER.load(path)
    rows = part.data.to_pylist()
    assert part.key == {"source": "usgs-mcs", "release": "MCS2026"}
    assert [(r["country"], r["row_kind"], r["stage"], r["value"]) for r in rows] == [
        ("CHN", "country", "mine", 2_000.0),
        ("COD", "country", "mine", 226_000.0),
        (None, "world", "mine", 302_000.0),
    ]


# --------------------------------------------------------------------------- BGS


@pytest.mark.parametrize(
    ("commodity", "year", "share_pct"),
    [
        ("rare earth oxides", 2019, 70.1),
        ("rare earth oxides", 2021, 67.3),
        ("graphite", 2019, 62.7),
        ("graphite", 2021, 64.6),
        ("cobalt refined", 2019, 66.0),
        ("cobalt refined", 2021, 77.0),
    ],
)
def test_bgs_china_shares(bgs: pa.Table, commodity: str, year: int, share_pct: float) -> None:
    assert 100 * _bgs_share(bgs, commodity, "CHN", year) == pytest.approx(share_pct, abs=0.05)


def test_bgs_rows_and_conventions(bgs: pa.Table) -> None:
    assert bgs.num_rows == 40_012 - 4_208  # rows in the file minus empty value cells
    assert set(bgs.column("release").to_pylist()) == {"WMS-1970-2021"}
    assert set(bgs.column("source").to_pylist()) == {"bgs"}
    assert pc.all(pc.is_valid(bgs.column("country"))).as_py()
    stage = {r["commodity"]: r["stage"] for r in bgs.select(["commodity", "stage"]).to_pylist()}
    assert stage["cobalt mine"] == "mine"
    assert stage["cobalt refined"] == "refinery"
    assert stage["copper smelter"] == "smelter"
    assert stage["zinc slab"] == "refinery"
    assert stage["nickel smelter/refined"] == "refinery"
    assert stage["aluminium primary"] == "smelter"
    assert stage["rare earth oxides"] == "production"
    assert stage["lithium minerals: Spodumene"] == "mine"  # sub-commodity kept apart
    (gas,) = _rows(bgs, commodity="natural gas", country="NOR", year=2021)
    assert gas["unit"] == "million cubic metres"
    # historic names keep historic codes; Zaire is the same territory as DR Congo
    assert {r["country_name"] for r in _rows(bgs, country="SUN")} == {"Soviet Union"}
    assert {r["country_name"] for r in _rows(bgs, country="COD")} == {"Zaire", "Congo, Democratic Republic"}
    (zaire,) = _rows(bgs, commodity="cobalt mine", country="COD", year=1980)
    assert zaire["country_name"] == "Zaire"
    assert zaire["value"] > 10_000


# --------------------------------------------------------------------------- malformed input


def _usgs_file(tmp_path: Path, *rows: str, header: str | None = None) -> Path:
    path = tmp_path / "mcs2026_world.csv"
    head = header or "commodity,statistic,statistic_detail,unit,year,country,value_as_published"
    path.write_text("\n".join([head, *rows]) + "\n", encoding="utf-8")
    return path


def test_usgs_non_number_names_line_and_field(tmp_path: Path) -> None:
    path = _usgs_file(
        tmp_path,
        'Cobalt,Production,Mine production,metric tons,2024,China,"2,000"',
        "Cobalt,Production,Mine production,metric tons,2024,Cuba,lots",
    )
    with pytest.raises(SchemaError, match="'lots' is not a number") as err:
        read_usgs_world_production(path)
    assert (err.value.line, err.value.field) == (3, "value_as_published")
    assert str(path) in str(err.value)


def test_usgs_missing_column_is_line_1(tmp_path: Path) -> None:
    path = _usgs_file(
        tmp_path,
        "Cobalt,Production,Mine production,metric tons,2024,China",
        header="commodity,statistic,statistic_detail,unit,year,country",
    )
    with pytest.raises(SchemaError, match="value_as_published") as err:
        read_usgs_world_production(path)
    assert err.value.line == 1


def test_usgs_bad_year_and_bad_reliance(tmp_path: Path) -> None:
    path = _usgs_file(tmp_path, "Cobalt,Production,Mine production,metric tons,20x4,China,200")
    with pytest.raises(SchemaError, match="not a year") as err:
        read_usgs_world_production(path)
    assert (err.value.line, err.value.field) == (2, "year")
    t7 = tmp_path / "MCS2026_T7.csv"
    t7.write_text(
        "Source,Year,Units,Critical_mineral,Net_Import_Reliance,Primary_import_sources_2021-24,"
        "Leading_source_country,Leading_source_precent_world,World_total_prod\n"
        "MCS2026,2025_estimated,metric tons,Cobalt,79,Norway,Congo (Kinshasa),74,310000\n"
        "MCS2026,2025_estimated,metric tons,Gallium,most,Canada,China,100,900\n",
        encoding="utf-8",
    )
    with pytest.raises(SchemaError, match="'most' is not a net import reliance") as err:
        read_usgs_salient(t7)
    assert (err.value.line, err.value.field) == (3, "Net_Import_Reliance")


def test_usgs_unknown_country_is_named(tmp_path: Path) -> None:
    path = _usgs_file(
        tmp_path,
        "Cobalt,Production,Mine production,metric tons,2025,China,200",
        "Cobalt,Production,Mine production,metric tons,2025,Atlantis,300",
        "Cobalt,Production,Mine production,metric tons,2025,World total,500",
    )
    with pytest.raises(UnknownCodeError, match=r"'Atlantis' \(line 3\)") as err:
        USGS_LOADER.load(path)
    assert "field 'country'" in str(err.value)
    assert "country_names.csv" in str(err.value)


def test_usgs_not_an_mcs_file(tmp_path: Path) -> None:
    path = tmp_path / "other.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(SchemaError, match="not a USGS MCS") as err:
        USGS_LOADER.load(path)
    assert err.value.line == 1


def _bgs_file(
    tmp_path: Path,
    *rows: str,
    header: str = ";".join(["Country", "commodity_code", "commodity_desc", "Sub-commodity", "year", "value"]),
) -> Path:
    path = tmp_path / "bgs.csv.gz"
    with gzip.open(path, "wt", encoding="utf-8") as fh:
        fh.write("\n".join([header, *rows]) + "\n")
    return path


def test_bgs_non_number_names_line_and_field(tmp_path: Path) -> None:
    path = _bgs_file(tmp_path, "China;37;cobalt refined;;2021;128000", "Finland;37;cobalt refined;;2021;n/a")
    with pytest.raises(SchemaError, match="'n/a' is not a number") as err:
        read_bgs_production(path)
    assert (err.value.line, err.value.field) == (3, "value")


def test_bgs_missing_column_is_line_1(tmp_path: Path) -> None:
    path = _bgs_file(
        tmp_path,
        "China;37;cobalt refined;2021;128000",
        header="Country;commodity_code;commodity_desc;year;value",
    )
    with pytest.raises(SchemaError, match="Sub-commodity") as err:
        read_bgs_production(path)
    assert err.value.line == 1


def test_bgs_unknown_country_is_named(tmp_path: Path) -> None:
    path = _bgs_file(tmp_path, "China;37;cobalt refined;;2021;128000", "Narnia;37;cobalt refined;;2021;5")
    with pytest.raises(UnknownCodeError, match=r"'Narnia' \(line 3\)"):
        BGS_LOADER.load(path)


def test_bgs_small_file_hand_computed(tmp_path: Path) -> None:
    """Blank cells are dropped, sub-commodities kept apart, release from the years present."""
    path = _bgs_file(
        tmp_path,
        "China;37;cobalt refined;;2020;86000",
        "Finland;37;cobalt refined;;2020;15200",
        "Finland;37;cobalt refined;;2021;",
        "Australia;84;lithium minerals;Spodumene;2021;1970000",
    )
    (part,) = BGS_LOADER.load(path)
    rows = part.data.to_pylist()
    assert part.key == {"source": "bgs", "release": "WMS-2020-2021"}
    assert [(r["country"], r["commodity"], r["year"], r["value"]) for r in rows] == [
        ("CHN", "cobalt refined", 2020, 86_000.0),
        ("FIN", "cobalt refined", 2020, 15_200.0),
        ("AUS", "lithium minerals: Spodumene", 2021, 1_970_000.0),
    ]


# --------------------------------------------------------------------------- end to end


def test_registered_with_samples() -> None:
    assert SOURCES["usgs-mcs"] is USGS_LOADER
    assert SOURCES["bgs"] is BGS_LOADER
    assert USGS_LOADER.sample == ("usgs_mcs2026_subset", "usgs_mcs2023_2024_data_release")


def test_ingest_usgs_and_query_china_ree_share_with_ibis(home: Path, sample_data: Path) -> None:
    parts = ingest_source(home, "usgs-mcs", sample_data / USGS_DIR)
    assert {(p.table, p.rows) for p in parts} == {("mineral_production", 150), ("net_import_reliance", 6)}
    hashed = {f.name for f in read_manifest(home).partitions("mineral_production")[0].files}
    assert hashed == {USGS_WORLD, USGS_T7}

    con = connect(load_settings(home=home))
    t = con.table("mineral_production")
    ree = t.filter(
        (t.source == "usgs-mcs")
        & (t.commodity == "Rare Earths")
        & (t.statistic == "production")
        & (t.stage == "mine")
        & (t.year == 2024)
    )
    sums = ree.aggregate(
        china=ree.value.sum(where=ree.country == "CHN"),
        world=ree.value.sum(where=ree.row_kind == "world"),
    )
    share = sums.mutate(share=sums.china / sums.world).share.execute().iloc[0]
    assert share == pytest.approx(270_000 / 380_000)
    assert round(100 * share) == 71
    nir = con.table("net_import_reliance")
    low = nir.filter(nir.commodity == "Aluminum (bauxite)").reliance_pct_low.max().execute()
    assert low == 75.0


def test_ingest_bgs_and_query_china_reo_share_with_ibis(home: Path, sample_data: Path) -> None:
    ingest_source(home, "bgs", sample_data / BGS_FILE)
    t = connect(load_settings(home=home)).table("mineral_production")
    reo = t.filter((t.commodity == "rare earth oxides") & (t.year == 2019))
    sums = reo.aggregate(china=reo.value.sum(where=reo.country == "CHN"), total=reo.value.sum())
    share = sums.mutate(share=sums.china / sums.total).share.execute().iloc[0]
    assert 100 * share == pytest.approx(70.1, abs=0.05)
