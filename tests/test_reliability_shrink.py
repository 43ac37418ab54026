"""Issue 30, item 2: a file cut at a line boundary never replaces complete data.

Every real sample file of a source with one partition per release is loaded whole, then cut at
random line boundaries (Hypothesis) and loaded again: the load must be refused with exit 2 and the
warehouse left byte for byte as it was; ``--replace`` is the only way to load less than before.
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


def test_30_2_cut_wdi_is_refused(whole: Path, sample_data: Path, tmp_path: Path) -> None:
    """The case of the issue: half the WDI file is refused by the reader (no World row); without the
    United States' line, by the warehouse, which says by how much."""
    cut = _cut(sample_data, FILES[0][1], None, tmp_path, 0.5)
    with pytest.raises(UserError, match="no World row"):
        ingest_source(whole, "wdi-gdp", cut)
    text = (sample_data / FILES[0][1]).read_text("utf-8-sig")
    cut.write_text("".join(line for line in text.splitlines(keepends=True) if '"USA"' not in line), "utf-8")
    with pytest.raises(UserError, match=r"11,356 rows with 11,292: 0.6% fewer.*--replace"):
        ingest_source(whole, "wdi-gdp", cut)


def test_30_2_replace_loads_the_smaller_file(sample_data: Path, tmp_path: Path) -> None:
    home = tmp_path / "warehouse"
    rel = FILES[2][1]
    ingest_source(home, "unga", sample_data / rel)
    cut = _cut(sample_data, rel, None, tmp_path, 0.5)
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
