"""Partner attributes: WGI governance, UNGA ideal points, CEPII GeoDist — real figures and bad inputs."""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from friendshore.errors import DataSourceError, SchemaError
from friendshore.settings import load_settings
from friendshore.sources.geodist import read_geodist_countries, read_geodist_dyadic
from friendshore.sources.unga import UNGA_MEMBERS, read_unga_ideal_points
from friendshore.sources.wgi import read_wgi, read_wgi_long, read_wgi_workbook
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source
from helpers import one_where, rows_where

WGI_XLSX = "wgi/wgidataset_2023update.xlsx"
WGI_CSV = "wgi/wgi_long_1996_2022.csv"
UNGA_CSV = "unga_ideal_points/IdealpointestimatesAll_Jun2024.csv"


# --- WGI ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wgi(sample_data: Path) -> pa.Table:
    return read_wgi(sample_data / WGI_XLSX)


@pytest.mark.parametrize(
    ("country", "indicator", "estimate"),
    [
        ("CHN", "VA", -1.61),
        ("CHN", "GE", 0.50),
        ("CHN", "RL", -0.04),
        ("USA", "RL", 1.37),
        ("TWN", "GE", 1.40),
        ("JPN", "CC", 1.54),
    ],
)
def test_wgi_2022_estimates(wgi: pa.Table, country: str, indicator: str, estimate: float) -> None:
    row = one_where(wgi, country=country, indicator=indicator, year=2022)
    assert row["estimate"] == pytest.approx(estimate, abs=0.005)
    assert row["release"] == "2023-update"


def test_wgi_workbook_shape(wgi: pa.Table) -> None:
    # 214 economies x 6 indicators x 24 years (1996, 1998, 2000, 2002-2022).
    years = sorted(pc.unique(wgi.column("year")).to_pylist())
    assert years == [1996, 1998, 2000, *range(2002, 2023)]
    assert sorted(pc.unique(wgi.column("indicator")).to_pylist()) == ["CC", "GE", "PV", "RL", "RQ", "VA"]
    assert len(pc.unique(wgi.column("country"))) == 214
    assert wgi.num_rows == 214 * 6 * 24 == 30_816


def test_wgi_missing_and_legacy_codes(wgi: pa.Table) -> None:
    # Aruba has '#N/A' for VA 1996 in the workbook -> null; it has an estimate in 2022.
    assert one_where(wgi, country="ABW", indicator="VA", year=1996)["estimate"] is None
    assert one_where(wgi, country="ABW", indicator="VA", year=2022)["estimate"] is not None
    countries = set(wgi.column("country").to_pylist())
    assert {"ROU", "COD", "TLS", "AND", "PSE", "XKX"} <= countries
    assert not {"ROM", "ZAR", "TMP", "ADO", "WBG", "KSV"} & countries
    # Standard errors, source counts and percentile ranks are within their ranges.
    assert pc.min(wgi.column("stderr")).as_py() > 0
    assert pc.max(wgi.column("pct_rank_upper")).as_py() <= 100


def test_wgi_xlsx_and_long_csv_agree(wgi: pa.Table, sample_data: Path) -> None:
    long = read_wgi(sample_data / WGI_CSV)
    order = [("country", "ascending"), ("indicator", "ascending"), ("year", "ascending")]
    a, b = wgi.sort_by(order), long.sort_by(order)
    assert a.schema.equals(b.schema)
    assert a.num_rows == b.num_rows == 30_816
    for name in a.column_names:
        assert a.column(name).equals(b.column(name)), name


def _write_csv(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


WGI_HEADER = "country,iso3,indicator,year,estimate,stderr,numsrc,pct_rank,pct_rank_lower,pct_rank_upper\n"


def test_wgi_long_wrong_header(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "wgi.csv", "country,code,year,value\nChina,CHN,2022,-1.6\n")
    with pytest.raises(SchemaError) as err:
        read_wgi(path)
    assert err.value.line == 1
    assert "iso3" in str(err.value)


def test_wgi_long_bad_number(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "wgi.csv",
        WGI_HEADER + "China,CHN,VA,2022,-1.61,0.13,10,6.3,1.4,10.1\nJapan,JPN,VA,2022,n/a,0.1,9,80,70,90\n",
    )
    with pytest.raises(SchemaError) as err:
        read_wgi(path)
    assert (err.value.line, err.value.field) == (3, "estimate")
    assert "'n/a' is not a number" in str(err.value)


def test_wgi_long_hand_made(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "wgi.csv",
        WGI_HEADER + "China,CHN,VA,2021,-1.5,0.1,10,6,1,10\nRomania,ROM,RL,2021,#N/A,,,,,\n",
    )
    table = read_wgi_long(path)
    assert table.column("release").to_pylist() == ["2022-update", "2022-update"]  # data to 2021
    assert table.column("country").to_pylist() == ["CHN", "ROU"]
    assert table.column("estimate").to_pylist() == [-1.5, None]
    assert table.column("n_sources").to_pylist() == [10.0, None]


def _xlsx(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """A minimal .xlsx (inline strings) written by hand: enough for calamine to read."""

    def cell(ref: str, value: object) -> str:
        if isinstance(value, (int, float)):
            return f'<c r="{ref}"><v>{value}</v></c>'
        return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'

    def col(i: int) -> str:
        return chr(65 + i) if i < 26 else chr(64 + i // 26) + chr(65 + i % 26)

    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w") as z:
        names = list(sheets)
        z.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            + "".join(
                f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                for i in range(len(names))
            )
            + "</Types>",
        )
        z.writestr(
            "_rels/.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<?xml version="1.0"?><workbook {ns} xmlns:r="{rel}"><sheets>'
            + "".join(f'<sheet name="{n}" sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
            + "</sheets></workbook>",
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(
                f'<Relationship Id="rId{i + 1}" Type="{rel}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>'
                for i in range(len(names))
            )
            + "</Relationships>",
        )
        for i, rows in enumerate(sheets.values()):
            xml = "".join(
                f'<row r="{r + 1}">'
                + "".join(cell(f"{col(c)}{r + 1}", v) for c, v in enumerate(row) if v != "")
                + "</row>"
                for r, row in enumerate(rows)
            )
            z.writestr(
                f"xl/worksheets/sheet{i + 1}.xml",
                f'<?xml version="1.0"?><worksheet {ns}><sheetData>{xml}</sheetData></worksheet>',
            )
    return path


def _wgi_sheet(title: str, rows: list[list[object]]) -> list[list[object]]:
    stats = ["Estimate", "StdErr", "NumSrc", "Rank", "Lower", "Upper"]
    return [
        [title],
        ["The Worldwide Governance Indicators, 2023 Update"],
        ["", "", *[2022] * 6],
        ["Country/Territory", "Code", *stats],
        *rows,
    ]


TITLES = {
    "VA": "Voice and Accountability",
    "PV": "Political Stability No Violence",
    "GE": "Government Effectiveness",
    "RQ": "Regulatory Quality",
    "RL": "Rule of Law",
    "CC": "Control of Corruption",
}


def test_wgi_workbook_hand_made(tmp_path: Path) -> None:
    sheets = {
        code.lower() + "x": _wgi_sheet(title, [["China", "CHN", -1.5, 0.1, 10, 6.5, 1.0, 10.0]])
        for code, title in TITLES.items()
    }
    sheets["rlx"][4] = ["Romania", "ROM", 0.25, 0.2, 8, 60.0, 50.0, "#N/A"]
    table = read_wgi_workbook(_xlsx(tmp_path / "w.xlsx", sheets))
    assert table.num_rows == 6
    rl = one_where(table, indicator="RL")
    assert (rl["country"], rl["year"], rl["estimate"], rl["pct_rank_upper"]) == ("ROU", 2022, 0.25, None)
    assert set(table.column("release").to_pylist()) == {"2023-update"}


def test_wgi_workbook_bad_number(tmp_path: Path) -> None:
    sheets = {
        code: _wgi_sheet(title, [["China", "CHN", -1.5, 0.1, 10, 6.5, 1.0, 10.0]])
        for code, title in TITLES.items()
    }
    sheets["GE"].append(["Japan", "JPN", 1.6, "x0.2", 9, 90.0, 80.0, 95.0])
    with pytest.raises(SchemaError) as err:
        read_wgi(_xlsx(tmp_path / "w.xlsx", sheets))
    assert err.value.line == 6  # Excel row of Japan
    assert err.value.field == "GE 2022 StdErr"


def test_wgi_workbook_missing_sheet(tmp_path: Path) -> None:
    sheets = {"VA": _wgi_sheet(TITLES["VA"], [["China", "CHN", -1.5, 0.1, 10, 6.5, 1.0, 10.0]])}
    with pytest.raises(SchemaError, match="no sheet for indicator"):
        read_wgi(_xlsx(tmp_path / "w.xlsx", sheets))


def test_wgi_not_a_workbook(tmp_path: Path) -> None:
    path = tmp_path / "w.xlsx"
    path.write_bytes(b"this is not a zip file")
    with pytest.raises(DataSourceError, match="not a readable Excel workbook"):
        read_wgi(path)


# --- UNGA ideal points --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def unga(sample_data: Path) -> pa.Table:
    return read_unga_ideal_points(sample_data / UNGA_CSV)


@pytest.mark.parametrize(
    ("country", "ideal_point"),
    [
        ("USA", 2.50),
        ("ISR", 2.28),
        ("GBR", 2.06),
        ("DEU", 1.34),
        ("JPN", 0.81),
        ("IND", -0.25),
        ("RUS", -0.53),
        ("CHN", -0.80),
    ],
)
def test_unga_session_78(unga: pa.Table, country: str, ideal_point: float) -> None:
    row = one_where(unga, country=country, session=78)
    assert row["year"] == 2023
    assert row["ideal_point"] == pytest.approx(ideal_point, abs=0.005)
    assert row["release"] == "Jun2024"


def test_unga_agreement_and_shape(unga: pa.Table) -> None:
    assert unga.num_rows == 11_238
    usa = one_where(unga, country="USA", session=78)
    assert usa["agree_usa"] == 1.0  # the US always agrees with itself
    assert one_where(unga, country="CHN", session=78)["agree_chn"] == 1.0
    # Session 1 (1946): the PRC was not seated, so agreement with China is missing.
    first = one_where(unga, country="USA", session=1)
    assert first["year"] == 1946
    assert first["agree_chn"] is None
    for col in ("agree_usa", "agree_chn", "agree_ind", "agree_rus"):
        assert 0 <= pc.min(unga.column(col)).as_py() <= pc.max(unga.column(col)).as_py() <= 1


def test_unga_historic_states(unga: pa.Table) -> None:
    # One row per country and year after the historic-state mapping.
    keys = unga.group_by(["country", "year"]).aggregate([([], "count_all")])
    assert pc.max(keys.column("count_all")).as_py() == 1
    # South Yemen (COW 680) is YMD; North Yemen (COW 678) keeps YAR; both voted in 1980.
    assert one_where(unga, country="YMD", year=1980)["cow_code"] == 680
    assert one_where(unga, country="YAR", year=1980)["cow_code"] == 678
    assert one_where(unga, country="DDR", year=1980)["cow_code"] == 265
    assert one_where(unga, country="DEU", year=1980)["cow_code"] == 260  # West Germany
    assert one_where(unga, country="DEU", year=2000)["cow_code"] == 255
    # COW 345: Yugoslavia up to session 60 (2005), Serbia from session 61 (2006).
    assert one_where(unga, country="YUG", year=2005)["cow_code"] == 345
    assert one_where(unga, country="SRB", year=2023)["cow_code"] == 345
    assert not rows_where(unga, country="YUG", year=2006)
    assert one_where(unga, country="TWN", year=1950)["cow_code"] == 713


UNGA_HEADER = (
    '"","ccode","session","NVotesAll","IdealPointAll","iso3c","Countryname",'
    '"USAgree","RUSSAgree","ChinaAgree","IndiaAgree"\n'
)
#: Session 78 rows for every voting member (``UNGA_MEMBERS``): the reader refuses a file without them.
_UNGA_SESSION_78 = "".join(
    f'"m",{1000 + i},78,80,0.0,"{code}","Member",0.5,0.5,0.5,0.5\n'
    for i, code in enumerate(sorted(UNGA_MEMBERS))
)


def test_unga_wrong_header(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "IdealpointestimatesAll_Jun2024.csv", "ccode,session,ideal\n2,78,2.5\n")
    with pytest.raises(SchemaError) as err:
        read_unga_ideal_points(path)
    assert err.value.line == 1


def test_unga_bad_number(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "IdealpointestimatesAll_Jun2024.csv",
        UNGA_HEADER + '"1",2,78,87,2.5,"USA","United States",1,0.17,0.16,0.21\n'
        '"2",710,78,87,minus,"CHN","China",0.16,0.68,1,0.68\n',
    )
    with pytest.raises(SchemaError) as err:
        read_unga_ideal_points(path)
    assert (err.value.line, err.value.field) == (3, "IdealPointAll")


def test_unga_rows_without_code_are_dropped(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write_csv(
        tmp_path / "IdealpointestimatesAll_Jun2024.csv",
        UNGA_HEADER + '"1",2,1,42,1.68,"USA","United States",1,0.21,NA,0.48\n'
        '"2",999,1,40,-0.5,NA,"Nowhere",0.3,0.9,NA,0.5\n'
        '"3",680,30,100,-1.9,"YAR","Yemen People\'s Republic",0.1,0.9,0.8,0.9\n'
        + _UNGA_SESSION_78,  # a file must hold every voting member in its latest session
    )
    logger = logging.getLogger("friendshore.sources.unga")
    logger.addHandler(caplog.handler)
    try:
        with caplog.at_level(logging.WARNING, logger="friendshore.sources.unga"):
            table = read_unga_ideal_points(path)
    finally:
        logger.removeHandler(caplog.handler)
    table = table.filter(pc.less(table.column("session"), 78))
    assert table.column("country").to_pylist() == ["USA", "YMD"]
    assert table.column("year").to_pylist() == [1946, 1975]
    assert table.column("agree_chn").to_pylist() == [None, 0.8]
    assert "1 row(s) without an iso3c code dropped (first at line 3)" in caplog.text


def test_unga_duplicate_country_session(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "IdealpointestimatesAll_Jun2024.csv",
        UNGA_HEADER + '"1",2,78,87,2.5,"USA","United States",1,0.17,0.16,0.21\n'
        '"2",3,78,80,2.4,"USA","Also USA",1,0.17,0.16,0.21\n',
    )
    with pytest.raises(SchemaError, match="USA appears 2 times in session 78") as err:
        read_unga_ideal_points(path)
    assert err.value.line == 3


def test_unga_release_from_name(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "ideal_points.csv", UNGA_HEADER)
    with pytest.raises(DataSourceError, match="no version"):
        read_unga_ideal_points(path)


# --- CEPII GeoDist -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def dyadic(sample_data: Path) -> pa.Table:
    return read_geodist_dyadic(sample_data / "cepii_geodist" / "dist_cepii.csv")


@pytest.fixture(scope="module")
def geo_countries(sample_data: Path) -> pa.Table:
    return read_geodist_countries(sample_data / "cepii_geodist" / "geo_cepii.xls")


def test_geodist_published_checks(dyadic: pa.Table) -> None:
    assert one_where(dyadic, origin="USA", destination="CHN")["distw_km"] == pytest.approx(11_183, abs=1)
    assert one_where(dyadic, origin="USA", destination="CAN")["contig"] == 1
    assert one_where(dyadic, origin="USA", destination="CHN")["contig"] == 0
    assert one_where(dyadic, origin="USA", destination="IND")["comlang_off"] == 1
    assert one_where(dyadic, origin="USA", destination="CHN")["comlang_off"] == 0
    assert dyadic.num_rows == 224 * 224
    assert set(dyadic.column("release").to_pylist()) == {"geodist-2011"}


def test_geodist_current_codes(dyadic: pa.Table, geo_countries: pa.Table) -> None:
    for codes in (set(dyadic.column("origin").to_pylist()), set(geo_countries.column("country").to_pylist())):
        assert {"ROU", "COD", "TLS", "PSE", "SRB"} <= codes
        assert not {"ROM", "ZAR", "TMP", "PAL", "YUG"} & codes
    # The same unit: YUG's internal distance in geo_cepii.xls is the SRB-SRB distance of the dyadic file.
    assert one_where(dyadic, origin="SRB", destination="SRB")["dist_km"] == pytest.approx(120.227)


def test_geodist_countries(geo_countries: pa.Table) -> None:
    assert geo_countries.num_rows == 225  # 238 city rows, one main city per country
    assert len(pc.unique(geo_countries.column("country"))) == 225
    usa = one_where(geo_countries, country="USA")
    assert (usa["lat"], usa["lon"]) == (40.75, -74.0)  # New York, the main city (not Washington)
    assert (usa["area_km2"], usa["landlocked"], usa["continent"]) == (9_529_106, 0, "America")
    assert one_where(geo_countries, country="BOL")["landlocked"] == 1


DIST_HEADER = "iso_o;iso_d;contig;comlang_off;comlang_ethno;colony;comcol;curcol;col45;smctry;dist;distcap;distw;distwces\n"


def test_geodist_wrong_header(tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "dist_cepii.csv", "iso_o,iso_d,dist\nUSA,CAN,548\n")
    with pytest.raises(SchemaError) as err:
        read_geodist_dyadic(path)
    assert err.value.line == 1


def test_geodist_bad_number_and_dummy(tmp_path: Path) -> None:
    good = "USA;CAN;1;1;1;0;0;0;0;0;548.4;737.0;2079.3;1154.5\n"
    path = _write_csv(
        tmp_path / "dist_cepii.csv", DIST_HEADER + good + "USA;MEX;1;0;1;0;0;0;0;0;3000;x;3100;3050\n"
    )
    with pytest.raises(SchemaError) as err:
        read_geodist_dyadic(path)
    assert (err.value.line, err.value.field) == (3, "distcap")
    path = _write_csv(tmp_path / "dist_cepii.csv", DIST_HEADER + good + "ROM;CAN;2;0;0;0;0;0;0;0;1;1;1;1\n")
    with pytest.raises(SchemaError) as err:
        read_geodist_dyadic(path)
    assert (err.value.line, err.value.field) == (3, "contig")


def test_geodist_hand_made_maps_codes(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "dist_cepii.csv",
        DIST_HEADER
        + "ROM;ZAR;0;1;1;0;0;0;0;0;5000.5;5100;5200;5150\n"
        + "ZAR;ROM;0;1;1;0;0;0;0;0;5000.5;5100;5200;5150\n",
    )
    row = read_geodist_dyadic(path).to_pylist()[0]
    assert (row["origin"], row["destination"], row["comlang_off"], row["dist_km"]) == (
        "ROU",
        "COD",
        1,
        5000.5,
    )


def test_geodist_excel_as_cepii_ships_it(tmp_path: Path) -> None:
    # CEPII ships dist_cepii as an Excel sheet with its legacy codes; the loader takes the folder.
    folder = tmp_path / "geodist"
    folder.mkdir()
    header = DIST_HEADER.strip().split(";")
    _xlsx(
        folder / "dist_cepii.xlsx",
        {
            "dist": [
                header,
                ["ROM", "YUG", 1, 0, 0, 0, 0, 0, 0, 1, 447.5, 447.5, 460.1, ""],
                ["YUG", "ROM", 1, 0, 0, 0, 0, 0, 0, 1, 447.5, 447.5, 460.1, ""],
            ]
        },
    )
    geo_header = [
        "iso2",
        "iso3",
        "country",
        "area",
        "landlocked",
        "continent",
        "lat",
        "lon",
        "cap",
        "maincity",
    ]
    _xlsx(
        folder / "geo_cepii.xlsx",
        {
            "geo_cepii": [
                geo_header,
                ["RO", "ROM", "Romania", 238391, 0, "Europe", 44.41667, 26.11667, 1, 1],
                ["YU", "YUG", "Serbia and Montenegro", 102173, 0, "Europe", 44.83333, 20.5, 1, 1],
                ["US", "USA", "United States", 9529106, 0, "America", 38.867, -77.0, 1, 0],
                ["US", "USA", "United States", 9529106, 0, "America", 40.75, -74.0, 0, 1],
            ]
        },
    )
    home = tmp_path / "warehouse"
    parts = ingest_source(home, "geodist", folder)
    assert {p.table: p.rows for p in parts} == {"geography": 2, "geography_countries": 3}
    con = connect(load_settings(home=home))
    pair = con.table("geography").to_pyarrow().to_pylist()[0]
    assert (pair["origin"], pair["destination"], pair["smctry"]) == ("ROU", "SRB", 1)
    assert (pair["distw_km"], pair["distwces_km"]) == (460.1, None)  # an empty cell is missing
    countries = con.table("geography_countries").to_pyarrow()
    assert sorted(countries.column("country").to_pylist()) == ["ROU", "SRB", "USA"]
    assert one_where(countries, country="USA")["lat"] == 40.75


def test_30_2_geodist_not_square_is_refused(tmp_path: Path) -> None:
    rows = "USA;CAN;1;1;1;0;0;0;0;0;548.4;737.0;2079.3;1154.5\nCAN;USA;1;1;1;0;0;0;0;0;548.4;737.0;2079.3;1154.5\n"
    path = _write_csv(
        tmp_path / "dist_cepii.csv", DIST_HEADER + rows + "USA;MEX;1;0;1;0;0;0;0;0;3000;3000;3100;3050\n"
    )
    with pytest.raises(SchemaError, match="not every ordered pair"):
        read_geodist_dyadic(path)


def test_geodist_comma_separated_export(tmp_path: Path) -> None:
    path = _write_csv(
        tmp_path / "dist_cepii.csv",
        DIST_HEADER.replace(";", ",")
        + "TMP,PAL,0,0,0,0,0,0,0,0,11000,11000,11010,11005\n"
        + "PAL,TMP,0,0,0,0,0,0,0,0,11000,11000,11010,11005\n",
    )
    row = read_geodist_dyadic(path).to_pylist()[0]
    assert (row["origin"], row["destination"], row["distw_km"]) == ("TLS", "PSE", 11010.0)


# --- end to end ----------------------------------------------------------------------------------


def test_ingest_partner_sources_end_to_end(home: Path, sample_data: Path) -> None:
    parts = ingest_source(home, "wgi", sample_data / WGI_XLSX)
    parts += ingest_source(home, "unga", sample_data / UNGA_CSV)
    parts += ingest_source(home, "geodist", sample_data / "cepii_geodist")
    assert {(p.table, p.rows) for p in parts} == {
        ("governance", 30_816),
        ("alignment", 11_238),
        ("geography", 50_176),
        ("geography_countries", 225),
    }
    geo = next(p for p in parts if p.table == "geography")
    assert [f.name for f in geo.files] == ["dist_cepii.csv", "geo_cepii.xls"]  # both files hashed
    con = connect(load_settings(home=home))
    gov = con.table("governance")
    va = gov.filter((gov.country == "CHN") & (gov.indicator == "VA") & (gov.year == 2022)).to_pyarrow()
    assert va.column("estimate")[0].as_py() == pytest.approx(-1.61, abs=0.005)
    align = con.table("alignment")
    ind = align.filter((align.country == "IND") & (align.year == 2023)).to_pyarrow()
    assert ind.column("ideal_point")[0].as_py() == pytest.approx(-0.25, abs=0.005)
    geo_t = con.table("geography")
    pair = geo_t.filter((geo_t.origin == "USA") & (geo_t.destination == "CHN")).to_pyarrow()
    assert pair.column("distw_km")[0].as_py() == pytest.approx(11_183, abs=1)
    # Loading again replaces the partition rather than adding rows (idempotent).
    ingest_source(home, "unga", sample_data / UNGA_CSV)
    assert connect(load_settings(home=home)).table("alignment").count().to_pyarrow().as_py() == 11_238
