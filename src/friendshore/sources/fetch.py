"""Download the real sources from their publishers into a local cache (``fetch_*``).

``fetch(name, cache=...)`` downloads source ``name`` (the same names as ``friendshore ingest``)
with pooch and returns the local paths, ready for the ingest loaders. ``DOWNLOADS`` says, per
source, where the publisher serves the file(s), under which licence, how to cite it, and the
file's sha256 where the file is fixed and a byte-identical copy was available to take it from.
Where no hash is known, the hash of what came is logged so that a user can pin it.

The cache keeps one folder per source and release: ``<cache>/<source>/<release>/<file>``. A file
already in the cache is not downloaded again (a pinned hash is checked each time; a file that
fails it is downloaded again). Sources whose URL always serves the publisher's newest file
(``pinned=False``: WDI, WGI, ...) are cached under ``latest`` until ``refresh=True``.

Mirrors and tests: ``base_url`` (or the environment variable below) replaces each publisher's
``prefix`` (scheme, host and leading path, see ``Download.prefix``); the rest of the URL, usually
the file name, is kept. A mirror therefore holds each file under the same relative path.

| variable | meaning | default |
|---|---|---|
| ``FRIENDSHORE_FETCH_BASE_URL`` | a mirror URL that replaces every publisher's prefix | unset: the publishers |

Network failures, HTTP errors and hash mismatches raise ``DataSourceError`` naming the URL or
file and saying how to get the file by hand (then load it with ``friendshore ingest``).
"""

from __future__ import annotations

import logging
import math
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pooch
import requests
from rich.progress import Progress, TaskID

from friendshore import __version__
from friendshore.console import get_logger, progress
from friendshore.errors import DataSourceError, SettingsError, UnknownCodeError, UserError

__all__ = [
    "DOWNLOADS",
    "FETCH_BASE_URL_ENV",
    "Download",
    "RemoteFile",
    "fetch",
    "fetch_file",
    "mirror_url",
]

log = get_logger(__name__)

#: Environment variable naming a mirror that replaces every publisher's URL prefix.
FETCH_BASE_URL_ENV = "FRIENDSHORE_FETCH_BASE_URL"
USER_AGENT = f"friendshore/{__version__} (pooch)"
DEFAULT_TIMEOUT_S = 60.0
_CHUNK = 1 << 20


@dataclass(frozen=True)
class RemoteFile:
    """One file of a source, as the publisher serves it.

    ``path`` is the URL after the source's ``prefix`` (it may hold ``{option}`` placeholders and a
    query string); ``name`` is the file name in the cache. With ``member`` (a regular expression
    matched against the names inside a zip), the zip is unpacked and the member's path returned.
    """

    path: str
    name: str
    sha256: str | None = None
    member: str | None = None


@dataclass(frozen=True)
class Download:
    """Where and how to download one source. ``manual`` is set when there is no stable URL."""

    name: str
    title: str
    prefix: str
    files: tuple[RemoteFile, ...]
    licence: str
    citation: str
    landing_page: str
    #: Options the URL takes (``release``, ``hs``), with their defaults and allowed patterns.
    options: Mapping[str, str] = field(default_factory=dict)
    option_patterns: Mapping[str, str] = field(default_factory=dict)
    #: True when the URL names one fixed release; False when it serves the newest file.
    pinned: bool = False
    #: Cache folder name for a source without options.
    version: str = "latest"
    #: Sources whose files are listed by an API call first (Dataverse): returns (release, files).
    resolve: (
        Callable[[Download, Mapping[str, str], str | None, float], tuple[str, tuple[RemoteFile, ...]]] | None
    ) = None
    #: The ingest loader takes the folder holding all files rather than one file.
    ingest_folder: bool = False
    #: How to get the data by hand when there is no stable download URL (then ``files`` is empty).
    manual: str = ""
    note: str = ""

    def settle(self, given: Mapping[str, str]) -> dict[str, str]:
        """The options with defaults filled in; unknown or malformed options raise ``UserError``."""
        unknown = sorted(set(given) - set(self.options))
        if unknown:
            takes = ", ".join(f"{k} (default {v})" for k, v in self.options.items()) or "no options"
            raise UserError(f"source '{self.name}' does not take {', '.join(unknown)}; it takes {takes}")
        settled = {**self.options, **{k: str(v) for k, v in given.items() if v is not None}}
        for key, value in settled.items():
            pattern = self.option_patterns.get(key)
            if pattern and not re.fullmatch(pattern, value, flags=re.IGNORECASE):
                raise UserError(
                    f"{self.name}: {key} '{value}' is not of the form {pattern} (default {self.options[key]})"
                )
        return settled

    def urls(self, **options: str) -> list[str]:
        """The publisher's URLs for these options (without resolving API-listed files)."""
        settled = self.settle(options)
        return [self.prefix + f.path.format(**settled) for f in self.files]


def mirror_url(url: str, prefix: str, base_url: str | None) -> str:
    """``url`` with the publisher's ``prefix`` replaced by ``base_url`` (unchanged without one)."""
    if not base_url:
        return url
    if not url.startswith(prefix):  # pragma: no cover - registry entries are built this way
        raise ValueError(f"{url} does not start with {prefix}")
    return base_url.rstrip("/") + "/" + url[len(prefix) :]


def _base_url(base_url: str | None) -> str | None:
    env = os.environ.get(FETCH_BASE_URL_ENV, "").strip()
    chosen = base_url or env or None
    if chosen is not None and not re.match(r"^https?://", chosen):
        where = "--base-url" if base_url else FETCH_BASE_URL_ENV
        error = UserError if base_url else SettingsError
        raise error(f"{where} '{chosen}' must be an http:// or https:// URL")
    return chosen


# --------------------------------------------------------------------------------------------------
# Downloading one file


class _RichBar:
    """The progress-bar interface pooch's HTTPDownloader drives (total, update, reset, close)."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar, self._task = bar, task
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        self._bar.update(self._task, total=value or None)

    def update(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def reset(self) -> None:
        self._bar.reset(self._task, total=self._total or None)

    def close(self) -> None:
        self._bar.update(self._task, completed=self._total)


class _Downloader:
    """pooch downloader: HTTP(S) with a bounded timeout and our User-Agent; records what came."""

    def __init__(self, *, timeout: float, bar: _RichBar | None) -> None:
        self._http = pooch.HTTPDownloader(
            progressbar=bar or False,
            chunk_size=_CHUNK,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        )
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch_: Any, check_only: bool = False) -> Any:
        result = self._http(url, output_file, pooch_, check_only=check_only)
        if not check_only:
            self.sha256 = pooch.file_hash(output_file, alg="sha256")
        return result


@contextmanager
def _quiet_pooch() -> Iterator[None]:
    """pooch logs each download at INFO on its own handler; we log through friendshore instead."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _by_hand(url: str, how: str) -> str:
    return f"check the network, or download {url} by hand and {how}"


def fetch_file(
    url: str,
    *,
    folder: Path,
    name: str,
    sha256: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    refresh: bool = False,
    bar: Progress | None = None,
    by_hand: str = "load it with 'friendshore ingest'",
) -> Path:
    """Download ``url`` to ``folder/name`` unless it is already there; check ``sha256`` if given.

    A cached file is returned without a request (with ``sha256``, after checking it; a file that
    fails the check is downloaded again). ``refresh`` downloads again in any case. The file is
    written to a temporary name first and moved into place only when complete and, with
    ``sha256``, matching; so the cache never holds a partial or wrong file.
    """
    folder = Path(folder)
    target = folder / name
    if refresh and target.exists():
        target.unlink()
    if target.exists() and sha256 is None:
        log.info("using cached %s (refresh to download it again)", target)
        return target
    task = bar.add_task(f"Downloading {name}", total=None) if bar is not None else None
    downloader = _Downloader(timeout=timeout, bar=_RichBar(bar, task) if bar and task is not None else None)
    known = f"sha256:{sha256}" if sha256 else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with _quiet_pooch():
            pooch.retrieve(url, known_hash=known, fname=name, path=folder, downloader=downloader)
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DataSourceError(
            f"download failed: HTTP {status}", file=url, hint=_by_hand(url, by_hand)
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DataSourceError(
            f"download failed ({type(exc).__name__}: {exc})", file=url, hint=_by_hand(url, by_hand)
        ) from None
    except ValueError:
        if sha256 is None or downloader.sha256 is None or downloader.sha256 == sha256:
            raise
        raise DataSourceError(
            f"sha256 mismatch: expected {sha256}, got {downloader.sha256} (downloaded from {url}; not kept)",
            file=target,
            hint="the download was corrupted or the publisher changed the file: try again, and if it "
            "persists check the publisher's page and compare the file by hand",
        ) from None
    except OSError as exc:
        raise DataSourceError(f"cannot write the download ({exc})", file=target) from None
    if downloader.sha256 is None:
        log.info("using cached %s (sha256 checked)", target)
    elif sha256 is None:
        log.info(
            "downloaded %s: sha256 %s (no published hash to check it against)", target, downloader.sha256
        )
    else:
        log.info("downloaded %s: sha256 %s matches", target, downloader.sha256)
    return target


def _unpack(archive: Path, pattern: str, *, fresh: bool) -> Path:
    """The zip member matching ``pattern`` (by base name), unpacked beside the zip."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if re.fullmatch(pattern, Path(n).name)]
            if not names:
                raise DataSourceError(
                    f"no member matching {pattern} in the archive (members: {', '.join(zf.namelist()[:10])})",
                    file=archive,
                    hint="the publisher may have changed the archive's layout; unpack it by hand",
                )
            member = sorted(names)[0]
            out = archive.parent / Path(member).name
            if out.exists() and not fresh:
                return out
            with zf.open(member) as src, tempfile.NamedTemporaryFile(dir=archive.parent, delete=False) as tmp:
                shutil.copyfileobj(src, tmp, _CHUNK)
            os.replace(tmp.name, out)
            return out
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataSourceError(
            f"not a readable zip archive ({exc})",
            file=archive,
            hint="the download may be truncated or an error page: fetch again with refresh (--refresh)",
        ) from None


# --------------------------------------------------------------------------------------------------
# Dataverse (UNGA ideal points): the file id comes from the dataset's file list


_UNGA_DOI = "doi:10.7910/DVN/LEJUQZ"


def _get_json(url: str, timeout: float, by_hand: str) -> Any:
    try:
        with _quiet_pooch():
            response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        response.raise_for_status()
        return response.json()
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DataSourceError(f"request failed: HTTP {status}", file=url, hint=by_hand) from None
    except requests.exceptions.JSONDecodeError:
        raise DataSourceError("the answer is not JSON", file=url, hint=by_hand) from None
    except requests.exceptions.RequestException as exc:
        raise DataSourceError(
            f"request failed ({type(exc).__name__}: {exc})", file=url, hint=by_hand
        ) from None


def _resolve_dataverse_ideal_points(
    download: Download, options: Mapping[str, str], base_url: str | None, timeout: float
) -> tuple[str, tuple[RemoteFile, ...]]:
    """List the dataset version's files (Dataverse native API) and pick ``Idealpointestimates*``.

    ``GET {server}/api/datasets/:persistentId/versions/{version}?persistentId={doi}`` answers
    ``{"data": {"versionNumber", "versionMinorNumber", "files": [{"label", "dataFile": {"id",
    "originalFileName"?}}]}}``; the file is ``GET {server}/api/access/datafile/{id}``, with
    ``format=original`` for files Dataverse ingested as tabular (it then serves the uploaded CSV).
    """
    version = options["release"]
    url = mirror_url(
        f"{download.prefix}datasets/:persistentId/versions/{version}?persistentId={_UNGA_DOI}",
        download.prefix,
        base_url,
    )
    hint = f"download the ideal-point file from {download.landing_page} by hand and run 'friendshore ingest unga FILE'"
    answer = _get_json(url, timeout, hint)
    try:
        data = answer["data"]
        label = f"v{int(data['versionNumber'])}.{int(data.get('versionMinorNumber') or 0)}"
        files = [
            f for f in data["files"] if str(f.get("label", "")).lower().startswith("idealpointestimates")
        ]
    except (KeyError, TypeError, ValueError):
        raise DataSourceError(
            "unexpected answer (no data.versionNumber or data.files)", file=url, hint=hint
        ) from None
    if not files:
        raise DataSourceError(f"no Idealpointestimates* file in dataset version {label}", file=url, hint=hint)
    # Prefer IdealpointestimatesAll_<Mon><YYYY> (the layout of the sample and of the unga loader).
    chosen = sorted(
        files, key=lambda f: (not str(f["label"]).startswith("IdealpointestimatesAll"), f["label"])
    )[0]
    data_file = chosen.get("dataFile") or {}
    original = data_file.get("originalFileName")
    path = f"access/datafile/{int(data_file['id'])}" + ("?format=original" if original else "")
    return label, (RemoteFile(path, str(original or chosen["label"])),)


# --------------------------------------------------------------------------------------------------
# The registry

_ETO_COMMIT = "46e010644c2399c812fd89c62cd6297e9cf58525"

_REGISTRY: tuple[Download, ...] = (
    Download(
        name="baci",
        title="CEPII BACI: bilateral trade by HS6 product (one release zip per HS revision)",
        prefix="https://www.cepii.fr/DATA_DOWNLOAD/baci/data/",
        files=(RemoteFile("BACI_{hs}_{release}.zip", "BACI_{hs}_{release}.zip"),),
        options={"release": "V202601", "hs": "HS17"},
        option_patterns={"release": r"V\d{6}[a-z]?", "hs": r"HS(92|96|02|07|12|17|22)"},
        pinned=True,
        licence="Etalab Open Licence 2.0 (as stated by CEPII)",
        citation="Gaulier, G. and Zignago, S. (2010). BACI: International Trade Database at the "
        "Product-Level. The 1994-2007 Version. CEPII Working Paper 2010-23.",
        landing_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=37",
        # No sha256: CEPII publishes none, and the sample (a 31-product subset) is no byte copy.
        note="about 1 GB per release zip; holds every year's CSV and the country/product dictionaries",
    ),
    Download(
        name="wdi-gdp",
        title="World Bank WDI: GDP, current US$ (NY.GDP.MKTP.CD), API CSV download",
        prefix="https://api.worldbank.org/v2/en/indicator/",
        files=(
            RemoteFile(
                "NY.GDP.MKTP.CD?downloadformat=csv",
                "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.zip",
                member=r"API_NY\.GDP\.MKTP\.CD_DS2_.*\.csv",
            ),
        ),
        licence="CC BY 4.0 (World Bank open data)",
        citation="World Bank, World Development Indicators: GDP (current US$), NY.GDP.MKTP.CD.",
        landing_page="https://data.worldbank.org/indicator/NY.GDP.MKTP.CD",
        # Always the newest update ("Last Updated Date" inside the CSV), so no hash can be pinned.
    ),
    Download(
        name="wgi",
        title="World Bank Worldwide Governance Indicators: the aggregate-indicators workbook",
        prefix="https://www.worldbank.org/content/dam/sites/govindicators/doc/",
        files=(RemoteFile("wgidataset.xlsx", "wgidataset.xlsx"),),
        licence="CC BY 4.0 (per the World Bank data catalogue)",
        citation="Kaufmann, D. and Kraay, A. The Worldwide Governance Indicators. World Bank, "
        "www.govindicators.org.",
        landing_page="https://www.worldbank.org/en/publication/worldwide-governance-indicators",
        # The URL serves the current update; the sample is the 2023 update (data to 2022), so no
        # hash. Not verified: whether later updates keep the 2023 workbook's sheet layout.
        note="serves the newest WGI update; its layout may differ from the 2023 update in the sample",
    ),
    Download(
        name="unga",
        title="UN General Assembly ideal points (Bailey, Strezhnev & Voeten), Harvard Dataverse",
        prefix="https://dataverse.harvard.edu/api/",
        files=(),
        resolve=_resolve_dataverse_ideal_points,
        options={"release": ":latest-published"},
        option_patterns={"release": r":latest-published|\d+(\.\d+)?"},
        licence="the dataset's terms on Harvard Dataverse (see the landing page)",
        citation="Bailey, M. A., Strezhnev, A. and Voeten, E. (2017). Estimating Dynamic State "
        "Preferences from United Nations Voting Data. Journal of Conflict Resolution 61(2), 430-456. "
        "Data: Harvard Dataverse, doi:10.7910/DVN/LEJUQZ.",
        landing_page="https://dataverse.harvard.edu/dataset.xhtml?persistentId=doi:10.7910/DVN/LEJUQZ",
        # The sample (IdealpointestimatesAll_Jun2024.csv) came through a third-party repository;
        # newer dataset versions rename the file and extend the years, so no hash is pinned.
        note="release: a Dataverse dataset version such as 38.0 (default: the latest published)",
    ),
    Download(
        name="geodist",
        title="CEPII GeoDist: bilateral distances (dist_cepii) and country geography (geo_cepii)",
        prefix="https://www.cepii.fr/distance/",
        files=(
            RemoteFile("dist_cepii.zip", "dist_cepii.zip", member=r"dist_cepii\.xls"),
            RemoteFile("geo_cepii.xls", "geo_cepii.xls"),
        ),
        ingest_folder=True,
        licence="Etalab Open Licence 2.0 (as stated by CEPII)",
        citation="Mayer, T. and Zignago, S. (2011). Notes on CEPII's distances measures: The GeoDist "
        "database. CEPII Working Paper 2011-25.",
        landing_page="https://www.cepii.fr/CEPII/en/bdd_modele/bdd_modele_item.asp?id=6",
        # The sample's dist_cepii.csv is a conversion, and its geo_cepii.xls came from a
        # third-party repository, not known to be byte-identical to CEPII's file: no hashes.
        note="CEPII ships dist_cepii as .xls inside a zip (the sample has a ';'-separated CSV conversion)",
    ),
    Download(
        name="usgs-mcs",
        title="USGS Mineral Commodity Summaries 2026 data release (ScienceBase)",
        prefix="https://www.sciencebase.gov/catalog/file/get/696a75d5d4be0228872d3bf8?name=",
        files=(
            RemoteFile("MCS2026_Commodities_Data.csv", "MCS2026_Commodities_Data.csv"),
            RemoteFile(
                "MCS2026_T7_Critical_Minerals_Salient.csv", "MCS2026_T7_Critical_Minerals_Salient.csv"
            ),
        ),
        version="MCS2026",
        ingest_folder=True,
        licence="public domain (U.S. Government work)",
        citation="U.S. Geological Survey (2026). Mineral Commodity Summaries 2026 data release. "
        "ScienceBase item 696a75d5d4be0228872d3bf8.",
        landing_page="https://www.sciencebase.gov/catalog/item/696a75d5d4be0228872d3bf8",
        # The sample holds a trimmed fixture and a hand transcription, not the published files.
    ),
    Download(
        name="eto",
        title="ETO Advanced Semiconductor Supply Chain dataset (CSET), data/*.csv at a fixed commit",
        prefix=f"https://raw.githubusercontent.com/georgetown-cset/eto-chip-explorer/{_ETO_COMMIT}/data/",
        files=(
            RemoteFile(
                "inputs.csv", "inputs.csv", "0c0a3418a80a6e7edea5c63c98c4829d6d6b613cd648c30905fe22f70dbbd17b"
            ),
            RemoteFile(
                "providers.csv",
                "providers.csv",
                "c529479afe7d35afa750729bf6dd45227a375568c02b8cf401aad239360a13e4",
            ),
            RemoteFile(
                "provision.csv",
                "provision.csv",
                "d94267801a73745e40bfaee8a30341adb37a168a8a0f28bf5d03f78e05f6c16f",
            ),
            RemoteFile(
                "sequence.csv",
                "sequence.csv",
                "955b51cc347d6f16bf191553d7287c8a4a9eaccffdd0ac0701efb3fc17f90b15",
            ),
            RemoteFile(
                "stages.csv", "stages.csv", "87717f108a0fdc874d7a0a261d35c3450d46ce8042eba53e957b9a03a24786ce"
            ),
        ),
        pinned=True,
        version=_ETO_COMMIT[:12],
        ingest_folder=True,
        licence="CC BY-NC 4.0 (the repository's LICENSE.md)",
        citation="Emerging Technology Observatory (CSET, Georgetown University). Advanced Semiconductor "
        f"Supply Chain dataset, github.com/georgetown-cset/eto-chip-explorer @ {_ETO_COMMIT[:7]}.",
        landing_page="https://github.com/georgetown-cset/eto-chip-explorer",
        # The publisher's own repository at a fixed commit: the files in the sample are verbatim
        # copies of that commit's data/*.csv, so their sha256 are pinned here.
    ),
    Download(
        name="bgs",
        title="British Geological Survey World Mineral Statistics (production by country)",
        prefix="https://www2.bgs.ac.uk/mineralsuk/statistics/",
        files=(),
        licence="BGS terms (accepted on the download form)",
        citation="British Geological Survey. World Mineral Statistics.",
        landing_page="https://www2.bgs.ac.uk/mineralsuk/statistics/wms.cfc?method=searchWMS",
        # Left without a URL: BGS serves the statistics through a query form, not fixed files.
        manual="BGS serves World Mineral Statistics through a query form (commodity, years, "
        "countries), not as fixed files: export the production tables there by hand",
    ),
    Download(
        name="wiod-kite",
        title="KITE model initial conditions built from the WIOD 2016 release (year 2014)",
        prefix="https://www.rug.nl/ggdc/valuechain/wiod/",
        files=(),
        licence="WIOD: free to use with citation",
        citation="Timmer, M. P., Dietzenbacher, E., Los, B., Stehrer, R. and de Vries, G. J. (2015). "
        "An Illustrated User Guide to the World Input-Output Database: the Case of Global Automotive "
        "Production. Review of International Economics 23, 575-605.",
        landing_page="https://www.rug.nl/ggdc/valuechain/wiod/wiod-2016-release",
        # Left without a URL: no publisher ships initial_conditions_WIOD_2014.rds; it is built with
        # the KITE R package (julianhinz/KITE) from the WIOD tables, and the sample comes from a
        # third-party repository.
        manual="no publisher ships the KITE initial conditions (.rds): build them with the KITE R "
        "package from the WIOD 2016 release tables",
    ),
)

#: Every source friendshore can download, by the name ``friendshore ingest`` uses.
DOWNLOADS: dict[str, Download] = {d.name: d for d in _REGISTRY}


def _folder_label(download: Download, options: Mapping[str, str]) -> str:
    if not options:
        return download.version
    label = "_".join(options[k] for k in sorted(options, key=lambda k: (k != "hs", k)))
    return re.sub(r"[^A-Za-z0-9._-]+", "", label) or download.version


def fetch(
    name: str,
    *,
    cache: Path,
    base_url: str | None = None,
    refresh: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    **options: str,
) -> list[Path]:
    """Download source ``name`` into ``cache`` (or take it from there); return the local paths.

    ``options`` are the source's own (``release=``, ``hs=`` for BACI; see ``DOWNLOADS[name].options``).
    ``base_url`` (default: ``FRIENDSHORE_FETCH_BASE_URL``) replaces the publisher's URL prefix.
    ``refresh`` downloads again even when the cache has the file. ``timeout`` bounds each
    connection and each wait for data, in seconds.
    """
    try:
        download = DOWNLOADS[name]
    except KeyError:
        raise UnknownCodeError(f"unknown source '{name}' (known: {', '.join(sorted(DOWNLOADS))})") from None
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
        raise UserError(f"--timeout must be a number of seconds above 0, got {timeout!r}")
    command = "friendshore ingest baci FILE" if name == "baci" else f"friendshore ingest {name} PATH"
    if download.manual:
        raise DataSourceError(
            f"'{name}' has no stable download URL: {download.manual}",
            file=download.landing_page,
            hint=f"then run '{command}'",
        )
    settled = download.settle(options)
    mirror = _base_url(base_url)
    if download.resolve is not None:
        label, files = download.resolve(download, settled, mirror, timeout)
    else:
        label, files = _folder_label(download, settled), download.files
    folder = Path(cache) / name / label
    paths: list[Path] = []
    with progress() as bar:
        for remote in files:
            url = mirror_url(download.prefix + remote.path.format(**settled), download.prefix, mirror)
            file_name = remote.name.format(**settled)
            cached = (folder / file_name).exists()
            path = fetch_file(
                url,
                folder=folder,
                name=file_name,
                sha256=remote.sha256,
                timeout=timeout,
                refresh=refresh,
                bar=bar,
                by_hand=f"run '{command}'",
            )
            if remote.member is not None:
                path = _unpack(path, remote.member, fresh=refresh or not cached)
            paths.append(path)
    return paths
