"""Downloads (``friendshore.sources.fetch``) against a real HTTP server on 127.0.0.1.

The server serves a tree built in ``tmp_path`` that mirrors the publishers' paths
(``www.cepii.fr/DATA_DOWNLOAD/baci/data/...``) with links to, or zips of, the real files in the
sample data folder. Every request is counted, so the cache behaviour is observable.
"""

from __future__ import annotations

import functools
import hashlib
import json
import socket
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from friendshore.errors import DataSourceError, UnknownCodeError, UserError
from friendshore.interfaces.cli import run
from friendshore.interfaces.cli_fetch import ingest_fetched
from friendshore.sources.catalogue import catalogue_source
from friendshore.sources.fetch import DOWNLOADS, FETCH_BASE_URL_ENV, fetch, fetch_file
from friendshore.sources.wdi import read_wdi_indicator
from friendshore.warehouse.ingest_baci import ingest_baci
from friendshore.warehouse.store import read_manifest

TIMEOUT = 10.0
BACI_CSV = "baci_critical_materials/BACI_HS17_Y2024_V202601_critical.csv"
BACI_COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
WDI_CSV = "wdi_gdp/WDI_NY.GDP.MKTP.CD_2025-03-24.csv"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass
class Server:
    """A local HTTP server over ``root``; ``paths`` lists every request path it received."""

    root: Path
    url: str
    paths: list[str] = field(default_factory=list)

    def place(self, rel: str, source: Path) -> Path:
        """Make ``source`` appear at ``rel`` under the served tree (a symlink)."""
        target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.symlink_to(source)
        return target


class _Handler(SimpleHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.seen.append(self.path)  # type: ignore[attr-defined]
        super().do_GET()

    def log_message(self, format: str, *args: Any) -> None:  # keep pytest output clean
        pass


@pytest.fixture(autouse=True)
def _local_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """No proxy for 127.0.0.1, and no mirror from the caller's environment."""
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    monkeypatch.delenv(FETCH_BASE_URL_ENV, raising=False)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    root = tmp_path / "www"
    root.mkdir()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(root)))
    seen: list[str] = []
    httpd.seen = seen  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield Server(root, f"http://127.0.0.1:{httpd.server_address[1]}", seen)
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


def _eto_base(server: Server, sample_data: Path) -> str:
    prefix = DOWNLOADS["eto"].prefix.removeprefix("https://")
    for remote in DOWNLOADS["eto"].files:
        server.place(prefix + remote.path, sample_data / "eto_chip_explorer" / remote.name)
    return f"{server.url}/{prefix}"


def _baci_zip(tmp_path: Path, sample_data: Path) -> Path:
    """A small release zip laid out like CEPII's: the yearly CSV plus the release's dictionaries."""
    out = tmp_path / "BACI_HS17_V202601.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.write(sample_data / BACI_CSV, "BACI_HS17_Y2024_V202601.csv")
        zf.write(sample_data / BACI_COUNTRIES, "country_codes_V202601.csv")
    return out


def _wdi_zip(tmp_path: Path, sample_data: Path) -> Path:
    """A zip laid out like the World Bank API's CSV download (data file plus metadata files)."""
    out = tmp_path / "wdi.zip"
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("Metadata_Country_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv", "Country Code,Region\n")
        zf.write(sample_data / WDI_CSV, "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv")
        zf.writestr("Metadata_Indicator_API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv", "INDICATOR_CODE\n")
    return out


def test_download_matches_the_pinned_hashes(server: Server, sample_data: Path, tmp_path: Path) -> None:
    base = _eto_base(server, sample_data)
    paths = fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)

    remotes = DOWNLOADS["eto"].files
    assert [p.name for p in paths] == [r.name for r in remotes]
    for path, remote in zip(paths, remotes, strict=True):
        assert remote.sha256 is not None
        assert sha256(path) == remote.sha256
        assert path.read_bytes() == (sample_data / "eto_chip_explorer" / remote.name).read_bytes()
        assert path.parent == tmp_path / "cache" / "eto" / DOWNLOADS["eto"].version
    assert len(server.paths) == len(remotes)


def test_second_fetch_uses_the_cache(server: Server, sample_data: Path, tmp_path: Path) -> None:
    base = _eto_base(server, sample_data)
    first = fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)
    requests_after_first = len(server.paths)

    second = fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)

    assert second == first
    assert len(server.paths) == requests_after_first == len(first)


def test_refresh_downloads_again(server: Server, sample_data: Path, tmp_path: Path) -> None:
    base = _eto_base(server, sample_data)
    fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)
    fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT, refresh=True)
    assert len(server.paths) == 2 * len(DOWNLOADS["eto"].files)


def test_corrupted_cached_file_is_downloaded_again(server: Server, sample_data: Path, tmp_path: Path) -> None:
    base = _eto_base(server, sample_data)
    paths = fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)
    paths[0].write_bytes(b"truncated")

    again = fetch("eto", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)

    assert sha256(again[0]) == DOWNLOADS["eto"].files[0].sha256
    assert len(server.paths) == len(paths) + 1  # only the damaged file came again


def test_wrong_expected_hash_is_an_error_and_nothing_is_kept(
    server: Server, sample_data: Path, tmp_path: Path
) -> None:
    source = sample_data / "eto_chip_explorer" / "stages.csv"
    server.place("files/stages.csv", source)
    wrong = "0" * 64

    with pytest.raises(DataSourceError) as info:
        fetch_file(
            f"{server.url}/files/stages.csv",
            folder=tmp_path / "c",
            name="stages.csv",
            sha256=wrong,
            timeout=TIMEOUT,
        )

    message = str(info.value)
    assert "stages.csv" in message
    assert f"expected {wrong}" in message
    assert f"got {sha256(source)}" in message
    assert not (tmp_path / "c" / "stages.csv").exists()


def test_http_404_names_the_url(server: Server, tmp_path: Path) -> None:
    base = f"{server.url}/www.cepii.fr/DATA_DOWNLOAD/baci/data"
    with pytest.raises(DataSourceError) as info:
        fetch("baci", cache=tmp_path / "cache", base_url=base, release="V209901", hs="HS17", timeout=TIMEOUT)
    message = str(info.value)
    assert f"{base}/BACI_HS17_V209901.zip" in message
    assert "HTTP 404" in message
    assert "friendshore ingest baci" in message
    assert not list((tmp_path / "cache").rglob("*.zip"))


def test_network_failure_names_the_url(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"http://127.0.0.1:{port}/mirror"
    with pytest.raises(DataSourceError) as info:
        fetch("wgi", cache=tmp_path / "cache", base_url=url, timeout=2.0)
    assert f"{url}/wgidataset.xlsx" in str(info.value)
    assert "download failed" in str(info.value)


def test_baci_release_zip_is_fetched_then_ingested(
    server: Server, sample_data: Path, tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    zipped = _baci_zip(tmp_path, sample_data)
    server.place("www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202601.zip", zipped)
    monkeypatch.setenv(FETCH_BASE_URL_ENV, f"{server.url}/www.cepii.fr/DATA_DOWNLOAD/baci/data")

    paths = fetch("baci", cache=tmp_path / "cache", release="V202601", hs="HS17", timeout=TIMEOUT)

    assert paths == [tmp_path / "cache" / "baci" / "HS17_V202601" / "BACI_HS17_V202601.zip"]
    assert sha256(paths[0]) == sha256(zipped)
    parts = ingest_baci(home, paths)
    manifest = read_manifest(home)
    assert manifest.rows("trade") == 21_723  # the sample's row count (MANIFEST.md)
    assert {p.table for p in parts} == {"trade", "countries"}
    (trade,) = manifest.partitions("trade")
    assert trade.key == {"hs_revision": "HS17", "release": "V202601", "year": 2024}
    assert trade.files[0].member == "BACI_HS17_Y2024_V202601.csv"


def test_unga_file_is_found_through_the_dataverse_api(
    server: Server, sample_data: Path, tmp_path: Path, home: Path
) -> None:
    answer = {
        "status": "OK",
        "data": {
            "versionNumber": 33,
            "versionMinorNumber": 0,
            "files": [
                {"label": "UNVotes.RData", "dataFile": {"id": 7}},
                {
                    "label": "IdealpointestimatesAll_Jun2024.tab",
                    "dataFile": {"id": 42, "originalFileName": "IdealpointestimatesAll_Jun2024.csv"},
                },
            ],
        },
    }
    listing = server.root / "dataverse.harvard.edu/api/datasets/:persistentId/versions/:latest-published"
    listing.parent.mkdir(parents=True)
    listing.write_text(json.dumps(answer))
    source = sample_data / "unga_ideal_points" / "IdealpointestimatesAll_Jun2024.csv"
    server.place("dataverse.harvard.edu/api/access/datafile/42", source)
    base = f"{server.url}/dataverse.harvard.edu/api"

    (path,) = fetch("unga", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)

    assert path == tmp_path / "cache" / "unga" / "v33.0" / "IdealpointestimatesAll_Jun2024.csv"
    assert sha256(path) == sha256(source)
    assert server.paths[-1].endswith("/access/datafile/42?format=original")
    fetch("unga", cache=tmp_path / "cache", base_url=base, timeout=TIMEOUT)
    assert [p.rsplit("/", 1)[-1] for p in server.paths].count("42?format=original") == 1
    parts = ingest_fetched(home, "unga", [path])
    assert parts
    assert all(p.files[0].sha256 == sha256(source) for p in parts)


def test_cli_fetch_wdi_with_ingest_loads_gdp(
    server: Server, sample_data: Path, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    server.place("api.worldbank.org/v2/en/indicator/NY.GDP.MKTP.CD", _wdi_zip(tmp_path, sample_data))
    base = f"{server.url}/api.worldbank.org/v2/en/indicator"

    code = run(["--home", str(home), "fetch", "wdi-gdp", "--base-url", base, "--ingest", "--timeout", "10"])

    assert code == 0
    csv_path = home / "cache" / "wdi-gdp" / "latest" / "API_NY.GDP.MKTP.CD_DS2_en_csv_v2_1.csv"
    assert str(csv_path) in capsys.readouterr().out
    assert csv_path.read_bytes() == (sample_data / WDI_CSV).read_bytes()
    expected_rows = read_wdi_indicator(sample_data / WDI_CSV, value_name="gdp_usd").num_rows
    assert read_manifest(home).rows("gdp") == expected_rows > 0
    assert server.paths == ["/api.worldbank.org/v2/en/indicator/NY.GDP.MKTP.CD?downloadformat=csv"]


def test_cli_fetch_failure_is_one_line_and_exit_code_2(
    server: Server, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run(["--home", str(home), "fetch", "wgi", "--base-url", f"{server.url}/nothing", "--timeout", "5"])
    assert code == 2
    err = capsys.readouterr().err
    assert "HTTP 404" in err
    assert "Traceback" not in err


def test_sources_without_a_stable_url_say_how_to_get_them(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError) as info:
        fetch("bgs", cache=tmp_path)
    assert DOWNLOADS["bgs"].catalogued.landing_page in str(info.value)
    assert "friendshore ingest bgs" in str(info.value)


def test_unknown_source_and_bad_options_are_user_errors(tmp_path: Path) -> None:
    with pytest.raises(UnknownCodeError, match="known: baci"):
        fetch("comtrade", cache=tmp_path)
    with pytest.raises(UserError, match=r"hs 'HS99' is not of the form"):
        fetch("baci", cache=tmp_path, hs="HS99")
    with pytest.raises(UserError, match="does not take year"):
        fetch("baci", cache=tmp_path, year="2024")
    with pytest.raises(UserError, match="http"):
        fetch("baci", cache=tmp_path, base_url="ftp://mirror")


def test_registry_is_complete_and_cites_every_source() -> None:
    names = {"baci", "wdi-gdp", "wgi", "unga", "geodist", "usgs-mcs", "bgs", "eto", "wiod-kite"}
    assert set(DOWNLOADS) == names
    for d in DOWNLOADS.values():
        entry = catalogue_source(d.source)  # described once, in the catalogue
        assert entry.licence, d.name
        assert entry.citation, d.name
        assert entry.landing_page.startswith("https://"), d.name
        assert bool(d.manual) != bool(d.files or d.resolve), d.name
        for url in d.urls() if d.files else []:
            assert url.startswith("https://"), url
    assert DOWNLOADS["baci"].urls(release="V202601", hs="HS17") == [
        "https://www.cepii.fr/DATA_DOWNLOAD/baci/data/BACI_HS17_V202601.zip"
    ]


def test_cli_fetch_eto_with_ingest_loads_the_folder(
    server: Server, sample_data: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base = _eto_base(server, sample_data)

    code = run(["--home", str(home), "fetch", "eto", "--base-url", base, "--ingest", "--timeout", "10"])

    assert code == 0
    out = capsys.readouterr().out
    assert all(r.name in out for r in DOWNLOADS["eto"].files)
    manifest = read_manifest(home)
    loaded = [p for parts in manifest.tables.values() for p in parts]
    assert loaded, "nothing was loaded"
    assert {p.source for p in loaded} == {"eto"}
    hashes = {f.sha256 for p in loaded for f in p.files}
    assert hashes <= {r.sha256 for r in DOWNLOADS["eto"].files}


def test_ingest_refuses_a_download_its_loader_would_only_partly_read(
    server: Server, sample_data: Path, tmp_path: Path, home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # CEPII ships the dyadic file as dist_cepii.xls inside dist_cepii.zip; the geodist loader reads
    # the ';'-separated CSV. The member's bytes do not matter here: the guard stops before reading.
    zipped = tmp_path / "dist_cepii.zip"
    with zipfile.ZipFile(zipped, "w") as zf:
        zf.writestr("dist_cepii.xls", b"placeholder: never opened")
    server.place("www.cepii.fr/distance/dist_cepii.zip", zipped)
    server.place("www.cepii.fr/distance/geo_cepii.xls", sample_data / "cepii_geodist" / "geo_cepii.xls")

    code = run(
        [
            "--home",
            str(home),
            "fetch",
            "geodist",
            "--base-url",
            f"{server.url}/www.cepii.fr/distance",
            "--ingest",
        ]
    )

    assert code == 2
    err = capsys.readouterr().err
    assert "dist_cepii.xls" in err
    assert read_manifest(home).partitions("geography_countries") == []
