"""Events seen in monthly trade: the Comtrade record readers on the real files, their errors, the
loaders, the API fetcher against a local server, and the monthly event view recomputed from the CSV.

The numbers checked by hand come from the shared files (``comtrade_api_v1_usa_chn_critical_2020_2024``,
``china_monthly_exports_comtrade_critical``; see their MANIFEST.md).
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import json
import threading
from collections import defaultdict
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pyarrow.compute as pc
import pytest

from friendshore.analyses.event import dated_measures, event
from friendshore.analyses.event_month import event_months
from friendshore.errors import DataSourceError, SchemaError, SettingsError, UnknownCodeError, UserError
from friendshore.settings import load_settings
from friendshore.sources.comtrade_api import (
    COMTRADE_BASE_URL_ENV,
    COMTRADE_KEY_ENV,
    fetch_comtrade,
)
from friendshore.sources.comtrade_monthly import read_china_monthly, read_comtrade_api
from friendshore.warehouse.ingest import ingest_source
from friendshore.warehouse.store import read_manifest

API = "comtrade_api_v1_usa_chn_critical_2020_2024"
CHINA = "china_monthly_exports_comtrade_critical"
KEY = "test-key-0123456789abcdef"


@pytest.fixture(scope="module")
def monthly_home(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    """A warehouse with the two monthly sources only (no BACI: the monthly view needs none)."""
    home = tmp_path_factory.mktemp("monthly") / "warehouse"
    ingest_source(home, "comtrade-monthly", sample_data / API)
    ingest_source(home, "china-monthly", sample_data / CHINA)
    return home


# --- the readers on the real files ---------------------------------------------------------------


def test_api_reader_reads_every_record_of_the_real_files(sample_data: Path) -> None:
    graphite = read_comtrade_api(sample_data / API / "graphite_trade_data.csv")
    assert graphite.num_rows == 80
    assert set(graphite.column("freqCode").to_pylist()) == {"A"}  # the fixture is annual
    assert graphite.column("refMonth").null_count == 80
    first = graphite.slice(0, 1).to_pylist()[0]  # line 2 of the file, read by eye
    assert (first["line"], first["reporterCode"], first["flowCode"], first["partnerCode"]) == (
        2,
        842,
        "M",
        156,
    )
    assert (first["refYear"], first["cmdCode"], first["classificationCode"]) == (2020, "250410", "H5")
    assert first["primaryValue"] == 15468449.0
    assert first["netWgt"] == 9391920.0
    assert first["qtyUnitCode"] == 8
    # MANIFEST: China's 250410 exports to the world in 2024 = 179 m USD, 126 kt
    rows = graphite.filter(
        pc.and_(
            pc.and_(pc.equal(graphite["reporterCode"], 156), pc.equal(graphite["flowCode"], "X")),
            pc.and_(pc.equal(graphite["partnerCode"], 0), pc.equal(graphite["refYear"], 2024)),
        )
    ).to_pylist()
    by_code = {r["cmdCode"]: r for r in rows if r["motCode"] == 0}
    assert by_code["250410"]["primaryValue"] == 179320779.0
    assert by_code["250410"]["netWgt"] == 126257972.0
    assert by_code["380110"]["primaryValue"] == 861216790.0
    every = read_comtrade_api(sample_data / API)  # the folder: its eight record files
    assert every.num_rows == 720
    assert set(every.column("file").to_pylist()) == {p.name for p in (sample_data / API).glob("*.csv")}


def test_china_monthly_reader_reads_the_real_table(sample_data: Path) -> None:
    table = read_china_monthly(sample_data / CHINA)
    assert table.num_rows == 6442
    first, last = table.slice(0, 1).to_pylist()[0], table.slice(table.num_rows - 1, 1).to_pylist()[0]
    assert first == {"line": 2, "period_dt": dt.date(2017, 1, 1), "partner_name": "Australia", "hs6": "250410",
                     "val": 10200.0, "qty": 6116.362}  # fmt: skip
    assert (last["period_dt"], last["partner_name"], last["hs6"], last["val"]) == (
        dt.date(2024, 12, 1), "Vietnam", "380110", 4955418.0,
    )  # fmt: skip
    assert sorted(set(table.column("hs6").to_pylist())) == ["250410", "380110", "811292"]


# --- bad input: file, line and field named -------------------------------------------------------


def _api_csv(sample_data: Path, tmp_path: Path, change: dict[str, str], row: int = 3) -> Path:
    """The graphite file with one field of one record (file line ``row``) changed."""
    with open(sample_data / API / "graphite_trade_data.csv", newline="") as fh:
        records = list(csv.DictReader(fh))
        fields = list(records[0])
    records[row - 2].update(change)
    out = tmp_path / "bad.csv"
    with open(out, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fields)
        writer.writeheader()
        writer.writerows(records)
    return out


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"primaryValue": "12x"}, "primaryValue", "not a number"),
        ({"primaryValue": "-5"}, "primaryValue", ">= 0"),
        ({"refMonth": "7"}, "refMonth", "refMonth 7 with freqCode A"),
        ({"freqCode": "Q"}, "freqCode", "not A or M"),
        ({"period": "2019"}, "period", "does not match"),
        ({"cmdCode": "25041"}, "cmdCode", "HS code"),
        ({"reporterCode": "abc"}, "reporterCode", "whole number"),
    ],
)
def test_api_reader_names_file_line_and_field(
    sample_data: Path, tmp_path: Path, change: dict[str, str], field: str, words: str
) -> None:
    path = _api_csv(sample_data, tmp_path, change, row=5)
    with pytest.raises(SchemaError, match=words) as err:
        read_comtrade_api(path)
    assert (err.value.line, err.value.field) == (5, field)
    assert "bad.csv" in str(err.value)


def test_api_reader_refuses_other_files(sample_data: Path, tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="header lacks") as err:
        read_comtrade_api(sample_data / CHINA / "deep_dive_hs6_monthly.csv")
    assert err.value.line == 1
    answer = tmp_path / "answer.json"
    answer.write_text('{"count": 0, "error": "no data"}')
    with pytest.raises(SchemaError, match="no 'data' list"):
        read_comtrade_api(answer)
    answer.write_text('{"data": [{"typeCode": "C"}]}')
    with pytest.raises(SchemaError, match="record 1 lacks"):
        read_comtrade_api(answer)
    answer.write_text("not json")
    with pytest.raises(DataSourceError, match="not a JSON file"):
        read_comtrade_api(answer)
    with pytest.raises(DataSourceError, match="no UN Comtrade API record file"):
        read_comtrade_api(sample_data / CHINA)


@pytest.mark.parametrize(
    ("line", "words", "field"),
    [
        ("2023-13-01,Japan,250410,1.0,1.0,1.0", "first day of a month", "period_dt"),
        ("2023-12-15,Japan,250410,1.0,1.0,1.0", "first day of a month", "period_dt"),
        ("2023-12-01,Japan,25041,1.0,1.0,1.0", "6-digit HS code", "hs6"),
        ("2023-12-01,Japan,250410,lots,1.0,1.0", "not a number", "val"),
        ("2023-12-01,,250410,1.0,1.0,1.0", "empty partner name", "partner_name"),
        ("2017-01-01,Australia,250410,1.0,1.0,1.0", "given twice", "period_dt"),
    ],
)
def test_china_reader_names_line_and_field(
    sample_data: Path, tmp_path: Path, line: str, words: str, field: str
) -> None:
    text = (sample_data / CHINA / "deep_dive_hs6_monthly.csv").read_text().splitlines()[:4]
    path = tmp_path / "deep_dive_hs6_monthly.csv"
    path.write_text("\n".join([*text, line]) + "\n")
    with pytest.raises(SchemaError, match=words) as err:
        read_china_monthly(path)
    assert (err.value.line, err.value.field) == (5, field)


def test_unknown_partner_name_and_area_code_stop_the_load(sample_data: Path, tmp_path: Path) -> None:
    text = (sample_data / CHINA / "deep_dive_hs6_monthly.csv").read_text().splitlines()[:3]
    path = tmp_path / "deep_dive_hs6_monthly.csv"
    path.write_text("\n".join([*text, "2023-12-01,Atlantis,250410,1.0,1.0,1.0"]) + "\n")
    home = tmp_path / "home"
    with pytest.raises(UnknownCodeError, match="Atlantis"):
        ingest_source(home, "china-monthly", path)
    with pytest.raises(UnknownCodeError, match="area code 999"):
        ingest_source(home, "comtrade-monthly", _api_csv(sample_data, tmp_path, {"partnerCode": "999"}))
    assert read_manifest(home).tables == {}  # nothing loaded


# --- the loaders --------------------------------------------------------------------------------


def test_loaders_store_totals_once_with_iso3_codes(monthly_home: Path, sample_data: Path) -> None:
    import duckdb

    manifest = read_manifest(monthly_home)
    files = [monthly_home / p.file for p in manifest.partitions("trade_monthly")]
    con = duckdb.connect()
    rel = con.read_parquet([str(f) for f in files])

    def one(sql: str) -> Any:
        return con.sql(sql.replace("T", "rel")).fetchall()

    con.register("rel", rel)
    # heavy and light REE files repeat the same 80 records: kept once; mode-of-transport rows left out
    api = one("select count(*) from T where source = 'comtrade-monthly'")[0][0]
    with_mot = sum(
        1
        for p in (sample_data / API).glob("*.csv")
        if p.name != "light_ree_trade_data.csv"
        for r in csv.DictReader(p.read_text().splitlines())
        if r["motCode"] == "0"
    )
    assert api == with_mot
    assert one("select count(*) from T where source = 'china-monthly'")[0][0] == 6442
    china = one(
        "select value_usd, qty, net_weight_kg from T where source = 'comtrade-monthly' and reporter = 'CHN' "
        "and flow = 'X' and partner_kind = 'world' and hs_code = '250410' and year = 2024"
    )
    assert china == [(179320779.0, 126257972.0, 126257972.0)]
    kinds = dict(one("select partner_kind, count(*) from T where partner is null group by 1"))
    assert set(kinds) == {"world"}
    korea = one(
        "select year, month, value_usd, qty from T where source = 'china-monthly' and partner = 'KOR' "
        "and hs_code = '250410' and year = 2023 and month in (11, 12) order by month"
    )
    assert korea == [(2023, 11, 23036914.0, 13884535.0), (2023, 12, 1972982.0, 1062232.0)]
    # a quantity of 0 beside a value (Belgium, 811292, January 2017) is a quantity not given
    assert one(
        "select qty from T where source = 'china-monthly' and partner = 'BEL' and hs_code = '811292' "
        "and year = 2017 and month = 1"
    ) == [(None,)]
    assert "UAE" not in {r[0] for r in one("select distinct partner from T")}


# --- the fetcher against a local server ---------------------------------------------------------


class _Api(BaseHTTPRequestHandler):
    """Answers like the Comtrade data endpoint from the real annual records of the shared folder."""

    def do_GET(self) -> None:
        state = self.server.state  # type: ignore[attr-defined]
        state["seen"].append((self.path, dict(self.headers)))
        if state.get("redirect"):
            self.send_response(302)
            self.send_header("Location", state["redirect"] + self.path)
            self.end_headers()
            return
        if self.headers.get("Ocp-Apim-Subscription-Key") != KEY:
            self._json(401, {"statusCode": 401, "message": "Access denied due to invalid subscription key."})
            return
        parts = urlsplit(self.path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if parts.path != "/data/v1/get/C/A/HS":
            self._json(404, {"error": "not found"})
            return
        years, codes = set(query["period"].split(",")), set(query["cmdCode"].split(","))
        with open(state["file"], newline="") as fh:
            data = [
                {k: v for k, v in r.items() if k not in ("commodity_name", "hs_code", "query_year")}
                for r in csv.DictReader(fh)
                if r["refYear"] in years and r["cmdCode"] in codes and r["reporterCode"] == query["reporterCode"]
                and r["flowCode"] == query["flowCode"] and r["motCode"] == query["motCode"]
            ]  # fmt: skip
        self._json(200, {"elapsedTime": "0.1 secs", "count": len(data), "data": data, "error": ""})

    def _json(self, status: int, body: dict[str, Any]) -> None:
        raw = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def api_server(sample_data: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, dict[str, Any]]]:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv(COMTRADE_BASE_URL_ENV, raising=False)
    servers = []
    states: list[dict[str, Any]] = []
    for _ in range(2):
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Api))
        state: dict[str, Any] = {"seen": [], "file": sample_data / API / "graphite_trade_data.csv"}
        httpd.state = state  # type: ignore[attr-defined]
        thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        thread.start()
        servers.append((httpd, thread))
        states.append(state)
    url = f"http://127.0.0.1:{servers[0][0].server_address[1]}"
    other = f"http://127.0.0.1:{servers[1][0].server_address[1]}"
    states[0]["other"], states[0]["other_state"] = other, states[1]
    try:
        yield url, states[0]
    finally:
        for httpd, thread in servers:
            httpd.shutdown()
            httpd.server_close()
            thread.join(timeout=5)


def test_fetch_sends_the_key_in_a_header_and_saves_what_the_reader_reads(
    api_server: tuple[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, sample_data: Path
) -> None:
    url, state = api_server
    monkeypatch.setenv(COMTRADE_KEY_ENV, KEY)
    monkeypatch.setenv(COMTRADE_BASE_URL_ENV, f"{url}/data/v1/get")
    paths = fetch_comtrade(
        reporter="156", periods=["2023", "2024"], hs=["250410", "380110"], freq="A", out=tmp_path
    )
    assert len(paths) == 1
    [(path, headers)] = state["seen"]
    assert headers["Ocp-Apim-Subscription-Key"] == KEY
    assert KEY not in path
    assert KEY not in paths[0].name
    assert KEY not in paths[0].read_text()
    query = parse_qs(urlsplit(path).query)
    assert query["period"] == ["2023,2024"]
    assert query["motCode"] == ["0"]
    assert query["customsCode"] == ["C00"]
    fetched = read_comtrade_api(tmp_path)
    direct = read_comtrade_api(sample_data / API / "graphite_trade_data.csv")
    picked = [
        r for r in direct.to_pylist()
        if r["reporterCode"] == 156 and r["flowCode"] == "X" and r["refYear"] in (2023, 2024) and r["motCode"] == 0
    ]  # fmt: skip
    drop = ("line", "file")
    assert [{k: v for k, v in r.items() if k not in drop} for r in fetched.to_pylist()] == [
        {k: v for k, v in r.items() if k not in drop} for r in picked
    ]
    home = tmp_path / "home"
    ingest_source(home, "comtrade-monthly", tmp_path)  # the folder of answers loads as it is
    assert read_manifest(home).rows("trade_monthly") == len(picked)


def test_fetch_asks_twelve_months_per_request(api_server: tuple[str, dict[str, Any]], tmp_path: Path) -> None:
    url, state = api_server
    months = [f"{y}{m:02d}" for y in (2023, 2024) for m in range(1, 13)]
    with pytest.raises(DataSourceError, match="HTTP 404"):  # the test server only has annual records
        fetch_comtrade(
            reporter="156",
            periods=months,
            hs=["250410"],
            out=tmp_path,
            key=KEY,
            base_url=f"{url}/data/v1/get",
        )
    assert parse_qs(urlsplit(state["seen"][0][0]).query)["period"] == [",".join(months[:12])]


def test_fetch_keeps_the_key_to_the_configured_address(
    api_server: tuple[str, dict[str, Any]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    url, state = api_server
    monkeypatch.delenv(COMTRADE_KEY_ENV, raising=False)
    base = f"{url}/data/v1/get"
    ask = functools.partial(
        fetch_comtrade, reporter="156", periods=["2024"], hs=["250410"], freq="A", out=tmp_path
    )
    with pytest.raises(SettingsError, match=COMTRADE_KEY_ENV):
        ask(base_url=base)
    assert state["seen"] == []
    with pytest.raises(DataSourceError, match="refused the key") as err:
        ask(base_url=base, key="wrong-key-value")
    assert "wrong-key-value" not in str(err.value)
    with pytest.raises(SettingsError, match="plain http"):
        ask(base_url="http://comtrade.example.org/data/v1/get", key=KEY)
    # a redirect elsewhere is not followed: the other server never sees the key
    state["redirect"] = state["other"]
    with pytest.raises(DataSourceError, match="redirect") as err:
        ask(base_url=base, key=KEY)
    assert state["other_state"]["seen"] == []
    assert KEY not in str(err.value)


# --- the monthly event view -----------------------------------------------------------------------


def test_event_months() -> None:
    before, after, split = event_months(dt.date(2023, 12, 1), 12)
    assert (before[0], before[-1], after[0], after[-1], split) == (
        (2022, 12),
        (2023, 11),
        (2023, 12),
        (2024, 11),
        None,
    )
    before, after, split = event_months(dt.date(2023, 8, 15), 2)
    assert (before, after, split) == ([(2023, 6), (2023, 7)], [(2023, 9), (2023, 10)], (2023, 8))
    with pytest.raises(UserError, match="months"):
        event_months(dt.date(2023, 8, 1), 0)


def _from_csv(sample_data: Path, code: str, before: set[str], after: set[str]) -> dict[str, dict[str, Any]]:
    """Per partner name: sums and month counts before/after, with the csv module from the file."""
    out: dict[str, dict[str, Any]] = defaultdict(lambda: {"b": 0.0, "a": 0.0, "nb": 0, "na": 0})
    with open(sample_data / CHINA / "deep_dive_hs6_monthly.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            month = r["period_dt"][:7]
            if r["hs6"] != code or month not in before | after:
                continue
            side = "b" if month in before else "a"
            out[r["partner_name"]][side] += float(r["val"])
            out[r["partner_name"]]["n" + side] += 1
    return out


def test_graphite_around_december_2023_matches_the_csv(monthly_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=monthly_home, sample_data=sample_data)
    result = event(settings, exporter="CHN", products="250410", date=dt.date(2023, 12, 1), frequency="month")
    before = {"2022-12", *(f"2023-{m:02d}" for m in range(1, 12))}
    after = {"2023-12", *(f"2024-{m:02d}" for m in range(1, 12))}
    raw = _from_csv(sample_data, "250410", before, after)
    names = {"KOR": "South Korea", "USA": "USA", "JPN": "Japan", "IND": "India", "BEL": "Belgium", "ARE": "UAE",
             "HUN": "Hungary", "SVK": "Slovakia"}  # fmt: skip
    rows = {r["destination"]: r for r in result.rows()}
    assert len(rows) == len(raw) + 1  # every partner of the file, and the total
    for code, name in names.items():
        row, want = rows[code], raw[name]
        assert (row["months_before"], row["months_after"]) == (want["nb"], want["na"]), code
        assert row["value_before_usd"] == (pytest.approx(want["b"], rel=1e-12) if want["nb"] else None), code
        assert row["value_after_usd"] == (pytest.approx(want["a"], rel=1e-12) if want["na"] else None), code
        if want["nb"] == want["na"] == 12:
            assert row["change_usd"] == pytest.approx(want["a"] - want["b"], rel=1e-12)
            assert row["change_pct"] == pytest.approx(100 * (want["a"] / want["b"] - 1), rel=1e-12)
        else:  # a month the file lacks is unknown: no change is given
            assert (row["change_usd"], row["change_pct"]) == (None, None), code
    total_b, total_a = sum(v["b"] for v in raw.values()), sum(v["a"] for v in raw.values())
    total = rows[None]
    assert total["value_before_usd"] == pytest.approx(total_b, rel=1e-12)
    assert total["value_after_usd"] == pytest.approx(total_a, rel=1e-12)
    assert total["change_usd"] == pytest.approx(total_a - total_b, rel=1e-12)
    assert rows["KOR"]["share_before"] == pytest.approx(raw["South Korea"]["b"] / total_b, rel=1e-12)
    assert rows["KOR"]["destination_name"] == "South Korea"
    assert rows["HUN"]["share_after"] is None  # no month held after: unknown, not a share of 0
    assert result.rows()[0]["destination"] == "KOR"  # the largest first, the total last
    assert result.rows()[-1]["destination"] is None
    # the months table: a month not in the file is empty, not 0
    months = result.tables["months"].to_pylist()
    hungary = {r["month"]: r["value_usd"] for r in months if r["destination"] == "HUN"}
    assert len(hungary) == 24
    assert all(hungary[m] is None for m in after)
    korea = {r["month"]: r["value_usd"] for r in months if r["destination"] == "KOR"}
    assert (korea["2023-11"], korea["2023-12"]) == (23036914.0, 1972982.0)
    korea_t = {r["month"]: r["qty_t"] for r in months if r["destination"] == "KOR"}
    assert korea_t["2023-12"] == pytest.approx(1062.232)  # 1,062,232 kg in the file
    totals = {r["month"]: r for r in result.tables["totals"].to_pylist()}
    assert totals["2023-12"]["value_usd"] == pytest.approx(
        sum(float(r["val"]) for r in csv.DictReader((sample_data / CHINA / "deep_dive_hs6_monthly.csv").read_text().splitlines())
            if r["hs6"] == "250410" and r["period_dt"] == "2023-12-01"), rel=1e-12)  # fmt: skip
    notes = " ".join(result.notes)
    assert "author-aggregated" in notes
    assert "qennis/ChinaCriticalMineralComtrade" in notes
    assert "not a causal estimate" in notes
    assert "unknown" in notes
    assert result.parameters["source"] == "china-monthly"
    assert result.parameters["before"] == ["2022-12", "2023-11"]
    assert [p.partition for p in result.provenance] == [
        {"source": "china-monthly", "reporter": "CHN", "hs_code": "250410"}
    ]
    share = result.column("share_before")
    assert "250410" in share.basis
    assert "by value" in share.basis


def test_the_measure_comes_from_the_register(monthly_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=monthly_home, sample_data=sample_data)
    gaGe = [
        m
        for m in dated_measures()
        if m.date == dt.date(2023, 8, 1) and m.who == ("CHN",) and "811292" in m.products
    ]
    assert gaGe, "the register's Chinese gallium/germanium measure of 1 August 2023"
    measure = gaGe[0]
    result = event(settings, event=measure.id, frequency="month", output="totals")
    assert result.parameters["exporter"] == "CHN"  # the country that imposed it
    assert result.parameters["products"] == sorted(measure.products)
    assert result.parameters["before"] == ["2022-08", "2023-07"]
    notes = " ".join(result.notes)
    assert measure.id in notes
    assert measure.citation in notes
    lacking = sorted(set(measure.products) - {"811292"})
    if lacking:
        assert "hold no monthly exports of" in notes
        assert all(f"({code}" in notes for code in lacking)
    assert "(811292, basket) is a basket" in notes
    series = {r["month"]: r["value_usd"] for r in result.rows()}
    assert len(series) == 24
    assert all(v is not None for v in series.values())


def test_monthly_view_errors(monthly_home: Path, sample_data: Path, tmp_path: Path) -> None:
    settings = load_settings(home=monthly_home, sample_data=sample_data)
    date = dt.date(2023, 12, 1)
    with pytest.raises(UserError, match="--exporter, not --importer"):
        event(settings, importer="USA", products="250410", date=date, frequency="month")
    with pytest.raises(UserError, match="give --exporter"):
        event(settings, products="250410", date=date, frequency="month")
    with pytest.raises(UserError, match="--output is one of"):
        event(settings, exporter="CHN", products="250410", date=date, frequency="month", output="codes")
    with pytest.raises(UserError, match="yearly view is by importer"):
        event(settings, exporter="CHN", products="250410", date=date)
    with pytest.raises(UnknownCodeError, match="hold no exports by USA"):
        event(settings, exporter="USA", products="250410", date=date, frequency="month")
    # past the end of the file (December 2024): those months are unknown, not zero
    late = event(
        settings, exporter="CHN", products="250410", date=dt.date(2024, 12, 1), frequency="month", months=2
    )
    total = late.rows()[-1]
    assert total["months_after"] == 1
    assert total["change_usd"] is None
    assert "2025-01: unknown, not zero" in " ".join(late.notes)


def test_cli_runs_the_issue_example(monthly_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from friendshore.interfaces.cli import run

    args = ["--home", str(monthly_home), "event", "--exporter", "CHN", "--products", "250410",
            "--date", "2023-12-01", "--frequency", "month", "--format", "csv"]  # fmt: skip
    assert run(args) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("destination,destination_name,value_before_usd")
    assert "South Korea" in out
    assert run(["--home", str(monthly_home), "event", "--importer", "CHN", "--products", "250410",
                "--date", "2023-12-01", "--frequency", "month"]) == 2  # fmt: skip


def test_monthly_api_records_are_read_before_the_derived_table(
    monthly_home: Path, sample_data: Path, tmp_path: Path
) -> None:
    """Monthly records in the API's JSON layout (here: China's graphite exports to Japan and Korea,
    built from the China table's rows) load through ``comtrade-monthly`` and, holding the same
    exports, are read instead of the derived table, which is named, not added."""
    import shutil

    home = tmp_path / "home"
    shutil.copytree(monthly_home, home)
    codes = {"Japan": 392, "South Korea": 410}
    data = []
    with open(sample_data / CHINA / "deep_dive_hs6_monthly.csv", newline="") as fh:
        for r in csv.DictReader(fh):
            if r["partner_name"] in codes and r["hs6"] == "250410" and r["period_dt"][:4] in ("2023", "2024"):
                year, month = int(r["period_dt"][:4]), int(r["period_dt"][5:7])
                data.append({
                    "typeCode": "C", "freqCode": "M", "refYear": year, "refMonth": month,
                    "period": f"{year}{month:02d}", "reporterCode": 156, "reporterISO": "", "flowCode": "X",
                    "partnerCode": codes[r["partner_name"]], "partnerISO": "", "partner2Code": 0,
                    "classificationCode": "H6", "cmdCode": "250410", "customsCode": "C00", "motCode": 0,
                    "qtyUnitCode": 8, "qtyUnitAbbr": "", "qty": float(r["qty"]), "netWgt": float(r["qty"]),
                    "primaryValue": float(r["val"]),
                })  # fmt: skip
    (tmp_path / "answers").mkdir()
    (tmp_path / "answers" / "answer.json").write_text(json.dumps({"count": len(data), "data": data}))
    ingest_source(
        home, "comtrade-monthly", tmp_path / "answers", replace=True
    )  # fewer countries than the sample
    settings = load_settings(home=home, sample_data=sample_data)
    result = event(settings, exporter="CHN", products="250410", date=dt.date(2024, 1, 1), frequency="month")
    assert result.parameters["source"] == "comtrade-monthly"
    rows = {r["destination"]: r for r in result.rows()}
    assert set(rows) == {"JPN", "KOR", None}
    raw = _from_csv(
        sample_data,
        "250410",
        {f"2023-{m:02d}" for m in range(1, 13)},
        {f"2024-{m:02d}" for m in range(1, 13)},
    )
    assert rows["KOR"]["value_before_usd"] == pytest.approx(raw["South Korea"]["b"], rel=1e-12)
    assert rows["JPN"]["value_after_usd"] == pytest.approx(raw["Japan"]["a"], rel=1e-12)
    notes = " ".join(result.notes)
    assert "also loaded from china-monthly" in notes
    assert "Source: UN Comtrade" in notes
    assert "records as the reporter declared them" in notes
