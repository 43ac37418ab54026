"""The fast BACI reader (``sources/baci_fast.py``) against the reference reader and the raw CSV.

The fast path must store exactly what the reference reader stores (schema, values, row order,
partitions, coverage, provenance) for every file it takes, and hand every other file to the
reference reader, so that each error names the same file, line and field in the same words.
"""

from __future__ import annotations

import csv
import hashlib
import itertools
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import FriendshoreError
from friendshore.sources import baci_fast
from friendshore.sources.baci import TAIWAN_CODE
from friendshore.warehouse.ingest_baci import ingest_baci
from friendshore.warehouse.store import Partition, read_manifest
from friendshore.warehouse.tables import TABLES
from helpers import examples

SAMPLE = "baci_critical_materials/BACI_HS17_Y2024_V202601_critical.csv"
COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
NAME = "BACI_HS17_Y2024_V202601.csv"
HEADER = "t,i,j,k,v,q\n"
#: A small dictionary: 276 and 280 share DEU (as in CEPII's), 490 is Taiwan.
SMALL = {4: "AFG", 68: "BOL", 76: "BRA", 124: "CAN", 156: "CHN", 276: "DEU", 280: "DEU", 490: "TWN"}
SMALL_CSV = "country_code,country_name,country_iso2,country_iso3\n" + "".join(
    f"{code},name {code},XX,{'S19' if code == TAIWAN_CODE else iso3}\n" for code, iso3 in SMALL.items()
)


def _trade(home: Path) -> pa.Table:
    (part,) = read_manifest(home).partitions("trade")
    return pq.read_table(home / part.file)


def _described(part: Partition) -> dict[str, Any]:
    """A partition's record without what differs between two loads (file name, time, file hash)."""
    record = part.to_json()
    for key in ("file", "loaded_at", "sha256"):
        record.pop(key, None)
    return record


def _load_both(tmp_path: Path, files: list[Path], **options: Any) -> tuple[Path, Path]:
    fast, reference = tmp_path / "fast", tmp_path / "reference"
    ingest_baci(fast, files, **options)
    ingest_baci(reference, files, reader="reference", **options)
    return fast, reference


def _same_warehouse(fast: Path, reference: Path) -> None:
    mine, theirs = read_manifest(fast), read_manifest(reference)
    assert set(mine.tables) == set(theirs.tables)
    for table in mine.tables:
        ours = sorted(mine.partitions(table), key=Partition.key_id)
        refs = sorted(theirs.partitions(table), key=Partition.key_id)
        assert [_described(p) for p in ours] == [_described(p) for p in refs]
        for a, b in zip(ours, refs, strict=True):
            written, expected = pq.read_table(fast / a.file), pq.read_table(reference / b.file)
            assert written.schema.equals(TABLES[table].schema)
            assert written.equals(expected)  # same values in the same order


def _copy(
    path: Path,
    dest: Path,
    countries: dict[int, str] = SMALL,
    year: int | None = 2024,
    *,
    direct: bool = False,
) -> Any:
    """The fast path through a pipe (as for a zip member), or ``direct``: DuckDB reads the file itself."""
    with open(path, "rb") as fh:
        return baci_fast.copy_baci_trade(
            fh,
            dest,
            countries=countries,
            year=year,
            hs_revision="HS17",
            release="V202601",
            path=path if direct else None,
        )


# --- the real sample: both readers, and an independent reading of the raw CSV ------------------


@pytest.fixture(scope="module")
def sample_countries(sample_data: Path) -> dict[int, str]:
    with open(sample_data / COUNTRIES, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        int(r["country_code"]): "TWN" if int(r["country_code"]) == TAIWAN_CODE else r["country_iso3"]
        for r in rows
    }


def test_the_real_sample_is_read_by_the_fast_path(
    sample_data: Path, sample_countries: dict[int, str], tmp_path: Path
) -> None:
    got = _copy(sample_data / SAMPLE, tmp_path / "x.parquet", sample_countries)
    assert isinstance(got, baci_fast.FastCopy), got
    assert got.rows == 21723
    assert got.sha256 == hashlib.sha256((sample_data / SAMPLE).read_bytes()).hexdigest()
    assert got.scan.ordered
    assert got.scan.valid


def test_the_real_sample_loads_the_same_both_ways(sample_data: Path, tmp_path: Path) -> None:
    fast, reference = _load_both(tmp_path, [sample_data / SAMPLE])
    _same_warehouse(fast, reference)
    (part,) = read_manifest(fast).partitions("trade")
    assert part.files[0].sha256 == hashlib.sha256((sample_data / SAMPLE).read_bytes()).hexdigest()
    assert part.coverage is not None
    assert part.coverage["products"] is not None


def test_the_real_sample_matches_the_raw_csv(
    sample_data: Path, sample_countries: dict[int, str], tmp_path: Path
) -> None:
    """Row by row against Python's own csv module and float(): independent of both readers."""
    ingest_baci(tmp_path / "w", [sample_data / SAMPLE])
    stored = _trade(tmp_path / "w").to_pylist()
    with open(sample_data / SAMPLE, encoding="utf-8") as fh:
        raw = list(csv.DictReader(fh))
    expected = [
        {
            "year": int(r["t"]),
            "exporter": sample_countries[int(r["i"])],
            "importer": sample_countries[int(r["j"])],
            "hs6": r["k"].zfill(6),
            "value_kusd": float(r["v"]),
            "qty_t": None if r["q"] == "NA" else float(r["q"]),
            "hs_revision": "HS17",
            "release": "V202601",
        }
        for r in raw
    ]
    assert stored == expected


def test_real_files_without_a_year_in_their_names_and_in_a_release_zip(
    sample_data: Path, tmp_path: Path
) -> None:
    china = sample_data / "baci_hs07_china_semiconductor_imports"
    years = sorted(china.glob("BACI_HS07_Y20*_V202601_chn-semis.csv"))[:3]
    archive = tmp_path / "BACI_HS07_V202601.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in years:  # the names CEPII gives them in a release zip
            zf.write(path, path.name.replace("_chn-semis", ""))
        zf.write(sample_data / COUNTRIES, "country_codes_V202601.csv")
    fast, reference = _load_both(tmp_path, [archive])
    _same_warehouse(fast, reference)
    trade = read_manifest(fast).partitions("trade")
    assert sorted(p.key["year"] for p in trade) == [2008, 2009, 2010]
    assert all(p.coverage and p.coverage["importers"] == ["CHN"] for p in trade)

    plain = tmp_path / "trade.csv"  # no year in the name: the rows give it
    plain.write_bytes(years[0].read_bytes())
    got = _copy(plain, tmp_path / "y.parquet", _small_from(sample_data), year=None)
    assert isinstance(got, baci_fast.FastCopy)
    assert got.year == 2008


def _small_from(sample_data: Path) -> dict[int, str]:
    with open(sample_data / COUNTRIES, encoding="utf-8") as fh:
        return {int(r["country_code"]): r["country_iso3"] for r in csv.DictReader(fh)}


# --- every kind of file: what the fast path does, and the same outcome both ways ---------------

GOOD = "2024,4,68,850511,1.484,0.029\n2024,4,124,850511,8.221,NA\n"

#: name -> (file body, whether the fast path takes it). Files it declines are read by the
#: reference reader, which loads them or names the first bad line and field.
CASES: dict[str, tuple[str, bool]] = {
    "plain": (HEADER + GOOD, True),
    "no final line end": (HEADER + GOOD.rstrip("\n"), True),
    "crlf": ((HEADER + GOOD).replace("\n", "\r\n"), True),
    "five-digit hs6": (HEADER + "2024,4,68,50511,1.5,2\n", True),
    "code written 156.0": (HEADER + "2024,156.0,68,850511,1,2\n", True),
    "code written 0156": (HEADER + "2024,0156,68,850511,1,2\n", True),
    "year written 2024.0": (HEADER + "2024.0,4,68,850511,1,2\n", True),
    "numbers .5 and 5.": (HEADER + "2024,4,68,850511,.5,5.\n", True),
    "leading zeros": (HEADER + "2024,4,68,850511,007.50,000\n", True),
    "repeated flow": (HEADER + GOOD + "2024,4,68,850511,2.0,1\n", True),
    "not in CEPII's order": (HEADER + "2024,68,4,850511,1,1\n" + GOOD, True),
    "repeated flow out of order": (
        HEADER + "2024,68,4,850511,1,1\n" + GOOD + "2024,68,4,850511,3,NA\n",
        True,
    ),
    "two codes of DEU": (HEADER + "2024,276,68,850511,1,1\n2024,280,68,850511,2,NA\n", True),
    "mixed line ends": (HEADER + GOOD.replace("\n", "\r\n", 1), False),
    "empty line": (HEADER + GOOD + "\n", False),
    "trailing comma": (HEADER + "2024,4,68,850511,1.484,0.029,\n", False),
    "seven fields": (HEADER + "2024,4,68,850511,1,2,3\n", False),
    "five fields": (HEADER + "2024,4,68,850511,1\n", False),
    "quoted field": (HEADER + '2024,4,68,"850511",1.484,0.029\n', False),
    "byte order mark": ("\ufeff" + HEADER + GOOD, False),
    "space in a number": (HEADER + "2024,4,68,850511, 1.484,0.029\n", False),
    "wrong header": ("t,i,j,k,value,q\n" + GOOD, False),
    "header only": (HEADER, False),
    "cut mid-line": (HEADER + GOOD + "2024,699,842,81", False),
    "four-digit hs6": (HEADER + "2024,4,68,8505,1,2\n", False),
    "seven-digit hs6": (HEADER + "2024,4,68,8505111,1,2\n", False),
    "letter in hs6": (HEADER + "2024,4,68,85O511,1,2\n", False),
    "dot in hs6": (HEADER + "2024,4,68,85.511,1,2\n", False),
    "unknown country": (HEADER + GOOD + "2024,4,999,850511,1,2\n", False),
    "fractional code": (HEADER + "2024,4.5,68,850511,1,2\n", False),
    "year of another file": (HEADER + GOOD + "2023,4,76,850511,1,2\n", False),
    "fractional year": (HEADER + "2024.5,4,68,850511,1,2\n", False),
    "NA value": (HEADER + "2024,4,68,850511,NA,2\n", False),
    "empty value": (HEADER + "2024,4,68,850511,,2\n", False),
    "empty quantity": (HEADER + "2024,4,68,850511,1,\n", False),
    "NAN value": (HEADER + "2024,4,68,850511,NAN,2\n", False),
    "NAN quantity": (HEADER + "2024,4,68,850511,1,NAN\n", False),
    "nan": (HEADER + "2024,4,68,850511,nan,2\n", False),
    "inf": (HEADER + "2024,4,68,850511,inf,2\n", False),
    "overflow 1e400": (HEADER + "2024,4,68,850511,1e400,2\n", False),
    "overflow in digits": (HEADER + "2024,4,68,850511," + "9" * 400 + ",2\n", False),
    "negative": (HEADER + "2024,4,68,850511,-2.5,2\n", False),
    "minus zero": (HEADER + "2024,4,68,850511,-0,2\n", False),
    "two signs": (HEADER + "2024,4,68,850511,+-0,2\n", False),
    "underscore": (HEADER + "2024,4,68,850511,1_000,2\n", False),
    "exponent": (HEADER + "2024,4,68,850511,1e3,2\n", False),
    "latin-1": (HEADER + GOOD + "2024,4,76,850511,1.0,C\xf4te\n", False),
}


UNORDERED = {"repeated flow", "not in CEPII's order", "repeated flow out of order", "two codes of DEU"}


def _outcome(home: Path, path: Path, countries: Path, reader: str) -> Any:
    try:
        ingest_baci(home, [path], countries_file=countries, reader=reader)  # type: ignore[arg-type]
    except FriendshoreError as exc:
        return (type(exc).__name__, str(exc), getattr(exc, "line", None), getattr(exc, "field", None))
    return _trade(home).to_pylist()


@pytest.mark.parametrize("name", list(CASES))
def test_each_kind_of_file_gives_the_same_outcome_both_ways(name: str, tmp_path: Path) -> None:
    body, taken = CASES[name]
    path = tmp_path / NAME
    path.write_bytes(body.encode("latin-1") if name == "latin-1" else body.encode("utf-8"))
    countries = tmp_path / "country_codes_V202601.csv"
    countries.write_text(SMALL_CSV)

    got = _copy(path, tmp_path / "x.parquet")
    assert isinstance(got, baci_fast.FastCopy) == taken, got
    direct = _copy(path, tmp_path / "d.parquet", direct=True)  # DuckDB reads the file, no pipe
    assert isinstance(direct, baci_fast.FastCopy) == taken, direct
    if taken:
        assert pq.read_table(tmp_path / "d.parquet").equals(pq.read_table(tmp_path / "x.parquet"))

    fast = _outcome(tmp_path / "fast", path, countries, "auto")
    reference = _outcome(tmp_path / "reference", path, countries, "reference")
    assert fast == reference
    if isinstance(reference, tuple) and reference[0] == "SchemaError" and name != "wrong header":
        assert reference[2] is not None  # a line is named (and the field, where the row has one)
    if isinstance(got, baci_fast.FastCopy):  # out of CEPII's order: the grouping check runs
        assert got.scan.ordered == (name not in UNORDERED)


def test_errors_name_the_line_and_field_of_each_kind_of_bad_value(tmp_path: Path) -> None:
    """The reference reader's words reach the user through the fast path: line and field."""
    countries = tmp_path / "country_codes_V202601.csv"
    countries.write_text(SMALL_CSV)
    expected = {
        "unknown country": (4, "j"),
        "fractional code": (2, "i"),
        "year of another file": (4, "t"),
        "fractional year": (2, "t"),
        "four-digit hs6": (2, "k"),
        "seven-digit hs6": (2, "k"),
        "letter in hs6": (2, "k"),
        "NA value": (2, "v"),
        "empty value": (2, "v"),
        "NAN value": (2, "v"),
        "NAN quantity": (2, "q"),
        "nan": (2, "v"),
        "inf": (2, "v"),
        "overflow 1e400": (2, "v"),
        "overflow in digits": (2, "v"),
        "negative": (2, "v"),
        "two signs": (2, "v"),
        "underscore": (2, "v"),
        "repeated flow": (4, None),
        "repeated flow out of order": (5, None),
        "two codes of DEU": (3, None),
    }
    for name, (line, field) in expected.items():
        path = tmp_path / name.replace(" ", "-") / NAME
        path.parent.mkdir()
        path.write_text(CASES[name][0])
        kind, message, got_line, got_field = _outcome(tmp_path / "w", path, countries, "auto")
        assert kind == "SchemaError", (name, message)
        assert (got_line, got_field) == (line, field), (name, message)
        assert str(path) in message
        assert f"line {line}" in message


# --- a property: the fast path takes a subset of what the reference takes, and stores the same ---

_FIELD = st.sampled_from(
    [
        "2024",
        "4",
        "68",
        "156",
        "276",
        "280",
        "490",
        "999",
        "0",
        "850511",
        "50511",
        "8505",
        "NA",
        "",
        "1",
        "0.5",
        ".5",
        "5.",
        "007",
        "1e3",
        "-1",
        "+1",
        " 1",
        "nan",
        "NAN",
        "inf",
        "1_0",
        "2024.0",
        "156.0",
        "4.5",
        '"1"',
        "x",
    ]
)
_ROW = st.lists(_FIELD, min_size=5, max_size=7).map(",".join)


@settings(
    max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(rows=st.lists(_ROW, min_size=1, max_size=4), crlf=st.booleans())
def test_the_fast_path_never_takes_what_the_reference_refuses(
    rows: list[str], crlf: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    tmp = tmp_path_factory.mktemp("prop")
    body = HEADER + "".join(f"{r}\n" for r in rows)
    path = tmp / NAME
    path.write_bytes(body.replace("\n", "\r\n").encode() if crlf else body.encode())
    countries = tmp / "country_codes_V202601.csv"
    countries.write_text(SMALL_CSV)
    got = _copy(path, tmp / "x.parquet")
    direct = _copy(path, tmp / "d.parquet", direct=True)
    assert isinstance(direct, baci_fast.FastCopy) == isinstance(got, baci_fast.FastCopy), (got, direct)
    reference = _outcome(tmp / "reference", path, countries, "reference")
    if isinstance(got, baci_fast.FastCopy):
        assert not isinstance(reference, tuple) or "duplicate flow" in reference[1], reference
        if not isinstance(reference, tuple):
            assert pq.read_table(tmp / "x.parquet").to_pylist() == reference
    assert _outcome(tmp / "fast", path, countries, "auto") == reference


# --- the scan of the written file: order across row groups and threads, validity, coverage -----


def _written(tmp_path: Path, rows: list[tuple[str, str, str]], group: int) -> Path:
    n = len(rows)
    table = pa.table(
        {
            "year": pa.array([2024] * n, pa.int16()),
            "exporter": [r[0] for r in rows],
            "importer": [r[1] for r in rows],
            "hs6": [r[2] for r in rows],
            "value_kusd": pa.array([1.0] * n),
            "qty_t": pa.array([None] * n, pa.float64()),
            "hs_revision": ["HS17"] * n,
            "release": ["V202601"] * n,
        },
        schema=TABLES["trade"].schema,
    )
    path = tmp_path / f"t{len(list(tmp_path.iterdir()))}.parquet"
    pq.write_table(table, path, row_group_size=group)
    return path


def test_scan_orders_by_code_across_row_groups_and_threads(tmp_path: Path) -> None:
    iso = ["AFG", "BOL", "BRA", "CAN", "CHN", "DEU", "TWN"]  # in code order: 4, 68, 76, 124, 156, 276, 490
    rows = [(e, i, f"{k:06d}") for e, i in itertools.product(iso, iso) if e != i for k in (10110, 850511)]
    for group in (1, 7, 1000):  # one row group per row up to one for all: parts meet everywhere
        scan = baci_fast.scan_trade_file(_written(tmp_path, rows, group), SMALL)
        assert scan.ordered
        assert scan.valid
        assert scan.exporters == scan.importers == frozenset(iso)
        assert scan.products == {"010110", "850511"}
        # a repeated flow or a step back anywhere is seen: at every row where groups of 7 meet
        # mid-file, at every 4th row (and the last) for one group per row and for one group in all
        every = range(1, len(rows)) if group == 7 else [*range(1, len(rows), 4), len(rows) - 1]
        for at in every:
            repeated = [*rows[:at], rows[at - 1], *rows[at:]]
            assert not baci_fast.scan_trade_file(_written(tmp_path, repeated, group), SMALL).ordered
            if at % 7 == 0:
                swapped = [*rows[: at - 1], rows[at], rows[at - 1], *rows[at + 1 :]]
                assert not baci_fast.scan_trade_file(_written(tmp_path, swapped, group), SMALL).ordered


def test_scan_counts_a_country_of_several_codes_as_its_smallest(tmp_path: Path) -> None:
    # 276 and 280 are both DEU: DEU sorts as 276, after BRA (76) and before TWN (490)
    ordered = [("BRA", "AFG", "850511"), ("DEU", "AFG", "850511"), ("TWN", "AFG", "850511")]
    assert baci_fast.scan_trade_file(_written(tmp_path, ordered, 1), SMALL).ordered
    twice = [("BRA", "AFG", "850511"), ("DEU", "AFG", "850511"), ("DEU", "AFG", "850511")]
    assert not baci_fast.scan_trade_file(_written(tmp_path, twice, 2), SMALL).ordered


@pytest.mark.parametrize(
    "bad",
    [("AFG", "XXX", "850511"), ("AFG", "BOL", "85051"), ("AFG", "BOL", "85O511"), ("AFG", "BOL", "8505111")],
)
def test_scan_refuses_codes_outside_the_dictionary_and_hs6_not_of_six_digits(
    bad: tuple[str, str, str], tmp_path: Path
) -> None:
    rows = [("AFG", "BOL", "010110"), bad]
    scan = baci_fast.scan_trade_file(_written(tmp_path, rows, 1), SMALL)
    assert not scan.valid
    assert not scan.ordered


# --- the pipe: progress, interrupts, what is left behind ---------------------------------------


def test_progress_counts_every_byte_and_an_interrupt_leaves_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a temporary folder of this test's own: another worker's ingest may be using the system's
    private = tmp_path / "tmp"
    private.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private))
    path = tmp_path / NAME
    rows = [
        f"2024,{e},{i},{k:06d},1.5,NA\n" for e in (4, 68) for i in (124, 156) for k in range(10000, 40000)
    ]
    path.write_text(HEADER + "".join(rows))
    seen: list[int] = []
    with open(path, "rb") as fh:
        got = baci_fast.copy_baci_trade(
            fh,
            tmp_path / "x.parquet",
            countries=SMALL,
            year=2024,
            hs_revision="HS17",
            release="V202601",
            advance=seen.append,
        )
    assert isinstance(got, baci_fast.FastCopy)
    assert got.rows == len(rows)
    assert sum(seen) == path.stat().st_size
    assert len(seen) > 1

    def interrupt(size: int) -> None:
        raise KeyboardInterrupt

    before = set(os.listdir(tempfile.gettempdir()))
    with open(path, "rb") as fh, pytest.raises(KeyboardInterrupt):
        baci_fast.copy_baci_trade(
            fh,
            tmp_path / "y.parquet",
            countries=SMALL,
            year=2024,
            hs_revision="HS17",
            release="V202601",
            advance=interrupt,
        )
    left = {n for n in set(os.listdir(tempfile.gettempdir())) - before if n.startswith("friendshore-baci-")}
    assert left == set()


def test_a_file_changed_while_duckdb_reads_it_is_declined(tmp_path: Path) -> None:
    """DuckDB reads a file on disk itself while the feeding loop hashes and checks the same bytes:
    should the file change meanwhile (its size or modification time), the two may have read
    different bytes, so the fast path declines and the reference reader reads it again."""
    path = tmp_path / NAME
    rows = [
        f"2024,{e},{i},{k:06d},1.5,NA\n" for e in (4, 68) for i in (124, 156) for k in range(10000, 40000)
    ]
    path.write_text(HEADER + "".join(rows))

    def touch(size: int) -> None:
        stat = path.stat()
        os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))

    with open(path, "rb") as fh:
        got = baci_fast.copy_baci_trade(
            fh,
            tmp_path / "x.parquet",
            countries=SMALL,
            year=2024,
            hs_revision="HS17",
            release="V202601",
            advance=touch,
            path=path,
        )
    assert isinstance(got, baci_fast.Declined)
    assert got.reason == "the file changed while it was read"
    assert isinstance(_copy(path, tmp_path / "y.parquet", direct=True), baci_fast.FastCopy)
