"""BACI ingest on the real file, and every way a BACI file can be wrong."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest

from friendshore.errors import DataSourceError, SchemaError, UserError
from friendshore.interfaces.cli import run
from friendshore.settings import load_settings
from friendshore.sources.baci import parse_baci_name
from friendshore.warehouse import connect, read_manifest, run_query
from friendshore.warehouse.ingest_baci import ingest_baci

CSV = "BACI_HS17_Y2024_V202601_critical.csv"


@pytest.fixture(scope="module")
def baci_dir(sample_data: Path) -> Path:
    return sample_data / "baci_critical_materials"


def snapshot(home: Path) -> dict[str, str]:
    """Every file under the warehouse with its sha256: 'byte for byte' made checkable."""
    return {
        str(p.relative_to(home)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file()
    }


def test_published_totals_via_cli(home: Path, baci_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(home), "ingest", "baci", str(baci_dir / CSV)]) == 0
    capsys.readouterr()
    query = "select count(*) as n, round(sum(value_kusd), 3) as v from trade where year=2024"
    assert run(["--home", str(home), "sql", query, "--format", "csv"]) == 0
    assert capsys.readouterr().out.splitlines() == ["n,v", "21723,297628363.051"]


def test_codes_map_through_the_release_dictionary(home: Path, baci_dir: Path) -> None:
    ingest_baci(home, [baci_dir / CSV])
    con = connect(load_settings(home=home))
    codes = run_query(con, "select distinct exporter from trade union select distinct importer from trade")
    iso3 = set(codes.column(0).to_pylist())
    assert "TWN" in iso3  # BACI 490 "Other Asia, nes" is Taiwan
    assert "S19" not in iso3
    assert all(len(c) == 3 for c in iso3)
    hs6 = run_query(con, "select distinct hs6 from trade").column(0).to_pylist()
    assert all(len(k) == 6 and k.isdigit() for k in hs6)
    # China's 2024 share of world exports of permanent magnets, MANIFEST check: 62.7%.
    share = (
        run_query(
            con,
            "select sum(value_kusd) filter (where exporter='CHN') / sum(value_kusd) from trade where hs6='850511'",
        )
        .column(0)[0]
        .as_py()
    )
    assert share == pytest.approx(0.627, abs=0.0005)


def test_reload_is_idempotent(home: Path, baci_dir: Path) -> None:
    ingest_baci(home, [baci_dir / CSV])
    ingest_baci(home, [baci_dir / CSV])
    manifest = read_manifest(home)
    assert [p.rows for p in manifest.partitions("trade")] == [21723]
    assert len(list((home / "data" / "trade").glob("*.parquet"))) >= 1
    con = connect(load_settings(home=home))
    assert run_query(con, "select count(*) from trade").column(0)[0].as_py() == 21723


def test_release_zip(home: Path, baci_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(baci_dir / CSV, "BACI_HS17_Y2024_V202601.csv")
        zf.write(baci_dir / "country_codes_V202601.csv", "country_codes_V202601.csv")
    parts = ingest_baci(home, [archive])
    trade = [p for p in parts if p.table == "trade"]
    assert [(p.key["year"], p.rows) for p in trade] == [(2024, 21723)]
    assert trade[0].files[0].member == "BACI_HS17_Y2024_V202601.csv"


def test_name_parsing() -> None:
    assert parse_baci_name("BACI_HS17_Y2024_V202601.csv") == parse_baci_name("x/BACI_HS17_Y2024_V202601.csv")
    parsed = parse_baci_name("BACI_HS92_Y1995_V202301b.csv")
    assert (parsed.hs_revision, parsed.year, parsed.release) == ("HS92", 1995, "V202301B")
    assert parse_baci_name("BACI_HS22_V202601.zip").year is None
    assert parse_baci_name("trade.csv").release is None


def test_unnamed_file_needs_release_and_hs(home: Path, baci_dir: Path, tmp_path: Path) -> None:
    plain = tmp_path / "trade.csv"
    shutil.copy(baci_dir / CSV, plain)
    with pytest.raises(UserError, match="--hs"):
        ingest_baci(home, [plain])
    parts = ingest_baci(
        home,
        [plain],
        release="V202601",
        hs_revision="HS17",
        countries_file=baci_dir / "country_codes_V202601.csv",
    )
    assert {p.key.get("year") for p in parts if p.table == "trade"} == {2024}


HEADER = "t,i,j,k,v,q\n"
GOOD = "2024,4,68,850511,1.484,0.029\n2024,4,124,850511,8.221,NA\n"


@pytest.mark.parametrize(
    ("body", "error", "line", "field"),
    [
        ("t,i,j,k,value,q\n" + GOOD, SchemaError, 1, None),
        (HEADER + GOOD + "2024,4,76,850511,abc,1\n", SchemaError, 4, "v"),
        (HEADER + GOOD + "2024,4,76,850511,-3.5,1\n", SchemaError, 4, "v"),
        (HEADER + GOOD + "2024,4,76,8505,3.5,1\n", SchemaError, 4, "k"),
        (HEADER + GOOD + "2024,4,76,85051A,3.5,1\n", SchemaError, 4, "k"),
        (HEADER + GOOD + "2024,9999,76,850511,3.5,1\n", SchemaError, 4, "i"),
        (HEADER + GOOD + "2024,4,68,850511,2.0,1\n", SchemaError, 4, None),  # duplicate of line 2
        (HEADER + GOOD + "2023,4,76,850511,3.5,1\n", SchemaError, 4, "t"),
        (HEADER + GOOD + "2024,4,76,850511,,1\n", SchemaError, 4, "v"),
        (HEADER, DataSourceError, None, None),
    ],
    ids=[
        "header",
        "not-a-number",
        "negative",
        "short-hs",
        "letter-hs",
        "unknown-country",
        "duplicate",
        "wrong-year",
        "missing-value",
        "no-rows",
    ],
)
def test_malformed_rows_leave_the_warehouse_untouched(
    home: Path,
    baci_dir: Path,
    tmp_path: Path,
    body: str,
    error: type[Exception],
    line: int | None,
    field: str | None,
) -> None:
    ingest_baci(home, [baci_dir / CSV])
    before = snapshot(home)
    bad = tmp_path / "BACI_HS17_Y2024_V202601.csv"
    bad.write_text(body)
    with pytest.raises(error) as caught:
        ingest_baci(home, [bad], countries_file=baci_dir / "country_codes_V202601.csv")
    assert str(bad) in str(caught.value)
    if line is not None:
        assert getattr(caught.value, "line", None) == line
    if field is not None:
        assert getattr(caught.value, "field", None) == field
    assert snapshot(home) == before


@pytest.mark.parametrize("case", ["empty", "latin1", "truncated-zip", "not-a-zip"])
def test_unreadable_files_exit_2_and_change_nothing(
    home: Path, baci_dir: Path, tmp_path: Path, case: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest_baci(home, [baci_dir / CSV])
    before = snapshot(home)
    if case == "empty":
        bad = tmp_path / "BACI_HS17_Y2024_V202601.csv"
        bad.write_bytes(b"")
    elif case == "latin1":
        bad = tmp_path / "BACI_HS17_Y2024_V202601.csv"
        bad.write_bytes((HEADER + GOOD).encode() + "2024,4,76,850511,1.0,Côte\n".encode("latin-1"))
    else:
        full = tmp_path / "full.zip"
        with zipfile.ZipFile(full, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.write(baci_dir / CSV, "BACI_HS17_Y2024_V202601.csv")
            zf.write(baci_dir / "country_codes_V202601.csv", "country_codes_V202601.csv")
        bad = tmp_path / "BACI_HS17_V202601.zip"
        data = full.read_bytes()
        bad.write_bytes(data[: len(data) // 2] if case == "truncated-zip" else b"PK-not-a-zip" * 100)
    code = run(
        [
            "--home",
            str(home),
            "ingest",
            "baci",
            str(bad),
            "--countries",
            str(baci_dir / "country_codes_V202601.csv"),
        ]
    )
    err = capsys.readouterr().err
    assert code == 2
    assert "error" in err
    assert "Traceback" not in err
    assert bad.name in err
    assert snapshot(home) == before
