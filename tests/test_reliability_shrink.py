"""Issue 30, item 2: a file cut at a line boundary never replaces complete data.

Every real sample file of a source with one partition per release is loaded whole, then cut at
random line boundaries (Hypothesis) and loaded again: the load must be refused with exit 2 and the
warehouse left byte for byte as it was; ``--replace`` is the only way to load less than before.
The readers that know what their source must contain (WDI: every economy and aggregate; UNGA: every
voting member in the latest session; WGI: every economy for every indicator-year; GeoDist: square;
ETO: what its other files and its own rules call for) also refuse a cut file on a first load, into
an empty warehouse (USGS MCS: test_reliability_cut_first_load.py).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import SchemaError, UserError
from friendshore.interfaces.cli import run
from friendshore.warehouse import read_manifest
from friendshore.warehouse.ingest import ingest_source

#: (source, the loaded path under the sample folder, the file cut inside it)
FILES = [
    ("wdi-gdp", "wdi_gdp/WDI_NY.GDP.MKTP.CD_2025-03-24.csv", None),
    ("wgi", "wgi/wgi_long_1996_2022.csv", None),
    ("unga", "unga_ideal_points/IdealpointestimatesAll_Jun2024.csv", None),
    ("geodist", "cepii_geodist/dist_cepii.csv", None),
    ("eto", "eto_chip_explorer", "provision.csv"),
    ("eto", "eto_chip_explorer", "sequence.csv"),
    ("eto", "eto_chip_explorer", "inputs.csv"),
    ("eto", "eto_chip_explorer", "providers.csv"),
    ("usgs-mcs", "usgs_mcs2026_subset/mcs2026_world_production_reserves_subset_transcribed.csv", None),
]


@pytest.fixture(scope="module")
def whole(tmp_path_factory: pytest.TempPathFactory, sample_data: Path) -> Path:
    """A warehouse holding every file of ``FILES`` whole."""
    home = tmp_path_factory.mktemp("shrink") / "warehouse"
    for source, rel, _ in FILES:
        ingest_source(home, source, sample_data / rel)
    return home


def _cut(sample_data: Path, rel: str, member: str | None, tmp: Path, fraction: float) -> Path:
    """A copy of the sample file (or folder) with the file cut after a line boundary at ``fraction``
    of its lines (at least one line gone)."""
    source = sample_data / rel
    target = tmp / source.name
    if source.is_dir():
        shutil.copytree(source, target)
        path = target / str(member)
    else:
        shutil.copy(source, target)
        path = target
    lines = path.read_bytes().splitlines(keepends=True)
    keep = min(int(len(lines) * fraction), len(lines) - 1)
    path.write_bytes(b"".join(lines[:keep]))
    return target


@pytest.mark.parametrize(
    ("source", "rel", "member"), FILES, ids=[f"{s}-{m or Path(r).name}" for s, r, m in FILES]
)
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(fraction=st.floats(min_value=0.0, max_value=0.9999))
def test_30_2_cut_file_is_refused(
    whole: Path,
    sample_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    source: str,
    rel: str,
    member: str | None,
    fraction: float,
    reliability: Any,
) -> None:
    before = (whole / "manifest.json").read_bytes()
    cut = _cut(sample_data, rel, member, tmp_path_factory.mktemp("cut"), fraction)
    code = run(["--home", str(whole), "ingest", source, str(cut)])
    replaced = (whole / "manifest.json").read_bytes() != before
    reliability(
        "input",
        f"cut-{source}-{member or Path(rel).name}-{fraction:.4f}",
        kind="cut-at-line",
        clean=code == 2 and not replaced,
        internal=code not in (0, 2),
        accepted=code == 0,
        data_lost=replaced,
    )
    assert code == 2
    assert not replaced


#: The files whose reader refuses a cut one with no earlier load to compare with, each with the
#: largest fraction of its lines a cut may keep and be refused. ETO's provision.csv ends with firms
#: listed after the last country of its last year, without shares: a cut that loses only those
#: (its last 16 lines in 2026) leaves nothing to compare with (see friendshore.sources.eto). The
#: USGS file is cut at every line boundary in test_reliability_cut_first_load.py: a cut right after
#: a World total row can leave only whole series.
FIRST_LOAD = [
    (*f, 0.9999)
    for f in FILES
    if f[0] in ("wdi-gdp", "unga", "wgi", "geodist")
    or f[2] in ("sequence.csv", "inputs.csv", "providers.csv")
] + [("eto", "eto_chip_explorer", "provision.csv", 0.98)]


@pytest.mark.parametrize(
    ("source", "rel", "member", "most"),
    FIRST_LOAD,
    ids=[f"{s}-{m or Path(r).name}" for s, r, m, _ in FIRST_LOAD],
)
@settings(
    max_examples=4,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(share=st.floats(min_value=0.0, max_value=1.0))
def test_30_2_cut_file_is_refused_on_a_first_load(
    sample_data: Path,
    tmp_path_factory: pytest.TempPathFactory,
    source: str,
    rel: str,
    member: str | None,
    most: float,
    share: float,
    reliability: Any,
) -> None:
    fraction = share * most
    home = tmp_path_factory.mktemp("first") / "warehouse"
    cut = _cut(sample_data, rel, member, tmp_path_factory.mktemp("cut"), fraction)
    code = run(["--home", str(home), "ingest", source, str(cut)])
    loaded = (home / "manifest.json").exists()
    reliability(
        "input",
        f"cut-first-load-{source}-{member or Path(rel).name}-{fraction:.4f}",
        kind="cut-at-line",
        clean=code == 2 and not loaded,
        internal=code not in (0, 2),
        accepted=code == 0,
        data_lost=False,
    )
    assert code == 2
    assert not loaded


@pytest.mark.parametrize("fraction", [0.9999, 0.99, 0.5])
def test_30_2_unga_cut_on_a_first_load_names_what_is_missing(
    sample_data: Path, tmp_path: Path, fraction: float
) -> None:
    """UNGA has no earlier load to compare with: its latest session must hold every voting member
    (the file runs by country, then session: a cut loses the last countries' last sessions)."""
    cut = _cut(sample_data, FILES[2][1], None, tmp_path, fraction)
    with pytest.raises(SchemaError, match=r"session 78 \(2023\) has no row for \d+ of the 192 UN members"):
        ingest_source(tmp_path / "warehouse", "unga", cut)
    assert not (tmp_path / "warehouse" / "manifest.json").exists()


def test_30_2_unga_ending_early_is_refused(sample_data: Path, tmp_path: Path) -> None:
    cut = _cut(sample_data, FILES[2][1], None, tmp_path, 0.004)  # the United States' first sessions
    with pytest.raises(SchemaError, match="ends at session"):
        ingest_source(tmp_path / "warehouse", "unga", cut)


@pytest.mark.parametrize("drop", ['"ZWE"', '"WSM"', '"YEM"', '"EUU"', '"ABW"'])
def test_30_2_wdi_cut_anywhere_is_refused_on_a_first_load(
    sample_data: Path, tmp_path: Path, drop: str
) -> None:
    """A WDI file missing one economy or aggregate, after its World row (the issue's gap) or before it,
    is refused by the reader, naming what is missing."""
    text = (sample_data / FILES[0][1]).read_text("utf-8-sig")
    path = tmp_path / Path(FILES[0][1]).name
    path.write_text("".join(line for line in text.splitlines(keepends=True) if drop not in line), "utf-8")
    with pytest.raises(
        SchemaError, match=f"no row for 1 of the World Bank's 217 economies and 49 aggregates: {drop[1:-1]}"
    ):
        ingest_source(tmp_path / "warehouse", "wdi-gdp", path)
    cut = _cut(sample_data, FILES[0][1], None, tmp_path, 0.98)  # after the World row: WSM ... ZWE lost
    with pytest.raises(SchemaError, match="ZWE"):
        ingest_source(tmp_path / "warehouse", "wdi-gdp", cut)


def test_30_2_cut_wdi_is_refused(whole: Path, sample_data: Path, tmp_path: Path) -> None:
    """The case of the issue: half the WDI file is refused by the reader (no World row), so is the file
    without the United States' line (it must list every economy); with the United States' values
    blanked, the warehouse refuses the smaller load and says by how much."""
    cut = _cut(sample_data, FILES[0][1], None, tmp_path, 0.5)
    with pytest.raises(UserError, match="no World row"):
        ingest_source(whole, "wdi-gdp", cut)
    text = (sample_data / FILES[0][1]).read_text("utf-8-sig")
    lines = text.splitlines(keepends=True)
    cut.write_text("".join(line for line in lines if '"USA"' not in line), "utf-8")
    with pytest.raises(UserError, match=r"no row for 1 of the World Bank's 217 economies.*USA"):
        ingest_source(whole, "wdi-gdp", cut)
    blank = [
        ",".join(c if i < 4 else '""' for i, c in enumerate(line.rstrip("\n").split(","))) + "\n"
        if '"USA"' in line
        else line
        for line in lines
    ]
    cut.write_text("".join(blank), "utf-8")
    with pytest.raises(UserError, match=r"11,356 rows with 11,292: 0.6% fewer.*--replace"):
        ingest_source(whole, "wdi-gdp", cut)


def test_30_2_replace_loads_the_smaller_file(sample_data: Path, tmp_path: Path) -> None:
    """A smaller file the reader accepts (UNGA from session 40 on: every member still votes in the
    latest session) replaces the whole one only with ``--replace``."""
    home = tmp_path / "warehouse"
    rel = FILES[2][1]
    ingest_source(home, "unga", sample_data / rel)
    lines = (sample_data / rel).read_text("utf-8").splitlines(keepends=True)
    cut = tmp_path / Path(rel).name
    cut.write_text(lines[0] + "".join(line for line in lines[1:] if int(line.split(",")[2]) >= 40), "utf-8")
    assert run(["--home", str(home), "ingest", "unga", str(cut)]) == 2
    assert run(["--home", str(home), "ingest", "unga", str(cut), "--replace"]) == 0
    assert read_manifest(home).rows("alignment") < 11_238


def test_30_9_recoded_country_is_refused(whole: Path, sample_data: Path, tmp_path: Path) -> None:
    """A WDI row recoded from USA to XXX: an unknown code, and the replacement would drop the US."""
    text = (sample_data / FILES[0][1]).read_text("utf-8-sig")
    path = tmp_path / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"
    path.write_text(text.replace('"USA"', '"XXX"'), "utf-8")
    with pytest.raises(UserError, match="XXX"):
        ingest_source(whole, "wdi-gdp", path)
    path.write_text(text.replace('"USA"', '"usa"'), "utf-8")
    with pytest.raises(UserError, match="'usa' is not a World Bank economy code"):
        ingest_source(whole, "wdi-gdp", path)


@pytest.mark.parametrize("value", ["-5", "0", "1e-400"])
def test_30_9_wdi_gdp_not_positive_is_refused(value: str, sample_data: Path, tmp_path: Path) -> None:
    lines = (sample_data / FILES[0][1]).read_text("utf-8-sig").splitlines()
    usa = next(i for i, line in enumerate(lines) if '"USA"' in line)
    cells = lines[usa].split(",")
    cells[-3] = f'"{value}"'
    lines[usa] = ",".join(cells)
    path = tmp_path / "WDI_NY.GDP.MKTP.CD_2025-03-24.csv"
    path.write_text("\n".join(lines) + "\n", "utf-8")
    with pytest.raises(SchemaError, match="not positive") as caught:
        ingest_source(tmp_path / "warehouse", "wdi-gdp", path)
    assert caught.value.line == usa + 1
