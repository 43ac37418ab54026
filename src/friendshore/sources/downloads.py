"""Where each source is downloaded from: one ``Download`` per name ``friendshore fetch`` takes.

A ``Download`` says where the publisher serves the file(s) (``prefix`` and ``files``), the options
its URL takes, whether it names one fixed release (``pinned``), the file's sha256 where the file is
fixed and a byte-identical copy was available to take it from, and the catalogue id of the source
(``source``): publisher, licence, landing page and citation are in ``friendshore.sources.catalogue``
and nowhere else.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from friendshore.errors import DataSourceError, UserError
from friendshore.sources.catalogue import CatalogueSource, catalogue_source
from friendshore.sources.download import get_json, mirror_url

__all__ = ["DOWNLOADS", "Download", "RemoteFile"]


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
    """Where and how to download one source (no ``files`` and no ``resolve``: there is no stable URL,
    and the catalogue says how to get the data by hand, ``manual``)."""

    name: str
    source: str  # the catalogue id (friendshore.sources.catalogue)
    prefix: str
    files: tuple[RemoteFile, ...]
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
    note: str = ""

    @property
    def catalogued(self) -> CatalogueSource:
        """The source's catalogue entry: publisher, licence, landing page, citation."""
        return catalogue_source(self.source)

    @property
    def manual(self) -> str:
        """How to get the data by hand where there is no stable download URL ("" where there is one)."""
        return "" if self.files or self.resolve else self.catalogued.manual

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


_UNGA_DOI = "doi:10.7910/DVN/LEJUQZ"


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
    hint = f"download the ideal-point file from {download.catalogued.landing_page} by hand and run 'friendshore ingest unga FILE'"
    answer = get_json(url, timeout, hint)
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


_ETO_COMMIT = "46e010644c2399c812fd89c62cd6297e9cf58525"

_REGISTRY: tuple[Download, ...] = (
    Download(
        name="baci",
        source="cepii-baci",
        prefix="https://www.cepii.fr/DATA_DOWNLOAD/baci/data/",
        files=(RemoteFile("BACI_{hs}_{release}.zip", "BACI_{hs}_{release}.zip"),),
        options={"release": "V202601", "hs": "HS17"},
        option_patterns={"release": r"V\d{6}[a-z]?", "hs": r"HS(92|96|02|07|12|17|22)"},
        pinned=True,
        # No sha256: CEPII publishes none, and the sample (a 31-product subset) is no byte copy.
        note="about 1 GB per release zip; holds every year's CSV and the country/product dictionaries",
    ),
    Download(
        name="wdi-gdp",
        source="wdi-gdp",
        prefix="https://api.worldbank.org/v2/en/indicator/",
        files=(
            RemoteFile(
                "NY.GDP.MKTP.CD?downloadformat=csv",
                "API_NY.GDP.MKTP.CD_DS2_en_csv_v2.zip",
                member=r"API_NY\.GDP\.MKTP\.CD_DS2_.*\.csv",
            ),
        ),
        # Always the newest update ("Last Updated Date" inside the CSV), so no hash can be pinned.
    ),
    Download(
        name="wgi",
        source="wgi",
        prefix="https://www.worldbank.org/content/dam/sites/govindicators/doc/",
        files=(RemoteFile("wgidataset.xlsx", "wgidataset.xlsx"),),
        # The URL serves the current update; the sample is the 2023 update (data to 2022), so no
        # hash. Not verified: whether later updates keep the 2023 workbook's sheet layout.
        note="serves the newest WGI update; its layout may differ from the 2023 update in the sample",
    ),
    Download(
        name="unga",
        source="unga",
        prefix="https://dataverse.harvard.edu/api/",
        files=(),
        resolve=_resolve_dataverse_ideal_points,
        options={"release": ":latest-published"},
        option_patterns={"release": r":latest-published|\d+(\.\d+)?"},
        # The sample (IdealpointestimatesAll_Jun2024.csv) came through a third-party repository;
        # newer dataset versions rename the file and extend the years, so no hash is pinned.
        note="release: a Dataverse dataset version such as 38.0 (default: the latest published)",
    ),
    Download(
        name="geodist",
        source="geodist",
        prefix="https://www.cepii.fr/distance/",
        files=(
            RemoteFile("dist_cepii.zip", "dist_cepii.zip", member=r"dist_cepii\.xls"),
            RemoteFile("geo_cepii.xls", "geo_cepii.xls"),
        ),
        ingest_folder=True,
        # The sample's dist_cepii.csv is a conversion, and its geo_cepii.xls came from a
        # third-party repository, not known to be byte-identical to CEPII's file: no hashes.
        note="CEPII ships dist_cepii as .xls inside a zip (the sample has a ';'-separated CSV conversion)",
    ),
    Download(
        name="usgs-mcs",
        source="usgs-mcs",
        prefix="https://www.sciencebase.gov/catalog/file/get/696a75d5d4be0228872d3bf8?name=",
        files=(
            RemoteFile("MCS2026_Commodities_Data.csv", "MCS2026_Commodities_Data.csv"),
            RemoteFile(
                "MCS2026_T7_Critical_Minerals_Salient.csv", "MCS2026_T7_Critical_Minerals_Salient.csv"
            ),
        ),
        version="MCS2026",
        ingest_folder=True,
        # The sample holds a trimmed fixture and a hand transcription, not the published files.
    ),
    Download(
        name="eto",
        source="eto",
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
        # The publisher's own repository at a fixed commit: the files in the sample are verbatim
        # copies of that commit's data/*.csv, so their sha256 are pinned here.
    ),
    Download(
        name="bgs",
        source="bgs",
        prefix="https://www2.bgs.ac.uk/mineralsuk/statistics/",
        files=(),
        # Left without a URL: BGS serves the statistics through a query form, not fixed files.
    ),
    Download(
        name="wiod-kite",
        source="wiod-kite",
        prefix="https://www.rug.nl/ggdc/valuechain/wiod/",
        files=(),
        # Left without a URL: no publisher ships initial_conditions_WIOD_2014.rds; it is built with
        # the KITE R package (julianhinz/KITE) from the WIOD tables, and the sample comes from a
        # third-party repository.
    ),
)

#: Every source friendshore can download, by the name ``friendshore ingest`` uses.
DOWNLOADS: dict[str, Download] = {d.name: d for d in _REGISTRY}
