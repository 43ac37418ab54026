"""Issue 30, item 2, for ETO and USGS MCS: a file cut at a line boundary is refused on a first load.

With nothing loaded before, there is no earlier load to compare with: the readers check what the
file itself, or the dataset's other files, say must be there (see the docstrings of
``friendshore.sources.eto`` and ``friendshore.sources.usgs_mcs``). Each cut keeps the first lines
of the real sample file; the refusal must exit 2 with one line naming the file, what is missing and
the command that downloads it again, and write nothing.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from friendshore.errors import SchemaError
from friendshore.interfaces.cli import run
from friendshore.sources.eto import read_eto
from friendshore.sources.usgs_mcs import read_usgs_world_production
from friendshore.warehouse import read_manifest

ETO = "eto_chip_explorer"
USGS = "usgs_mcs2026_subset/mcs2026_world_production_reserves_subset_transcribed.csv"


def _eto_copy(sample_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "eto"
    shutil.copytree(sample_data / ETO, folder)
    return folder


def _keep(path: Path, lines: int) -> None:
    """Keep the first ``lines`` lines of ``path`` (the header included)."""
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:lines]))


def _half(path: Path) -> None:
    _keep(path, len(path.read_bytes().splitlines()) // 2)


def _refused(home: Path, source: str, path: Path, capsys: pytest.CaptureFixture[str]) -> str:
    """Load ``path`` into the empty warehouse ``home``: exit 2, one error line, nothing written."""
    code = run(["--home", str(home), "ingest", source, str(path)])
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if line.strip()]
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    assert "Traceback" not in err
    assert not (home / "manifest.json").exists()
    return " ".join(err.split())


@pytest.mark.parametrize(
    ("member", "missing"),
    [
        ("provision.csv", r"no row for 2019, the year inputs\.csv gives the market of \d+ inputs for"),
        ("sequence.csv", r"\d+ inputs? of inputs\.csv goe?s? into nothing: N\d+ \("),
    ],
)
def test_30_2_eto_half_file_is_refused_on_a_first_load(
    sample_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], member: str, missing: str
) -> None:
    """The issue's case: the first half of ``provision.csv`` or ``sequence.csv`` loaded into an empty
    warehouse; the whole folder still loads."""
    folder = _eto_copy(sample_data, tmp_path)
    _half(folder / member)
    err = _refused(tmp_path / "cut", "eto", folder, capsys)
    assert f"{member}:" in err
    assert "friendshore fetch eto --refresh" in err
    assert re.search(missing, err), err
    home = tmp_path / "whole"
    assert run(["--home", str(home), "ingest", "eto", str(sample_data / ETO)]) == 0
    assert read_manifest(home).rows("chip_provision") == 1300


def test_30_2_usgs_half_file_is_refused_on_a_first_load(
    sample_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The issue's case: the first 75 of the 150 rows (the cut falls inside lithium's 2025 production)."""
    cut = tmp_path / Path(USGS).name
    shutil.copy(sample_data / USGS, cut)
    _half(cut)
    err = _refused(tmp_path / "cut", "usgs-mcs", cut, capsys)
    assert f"{cut.name}: line 75, field 'country'" in err
    assert "Lithium production (mine) 2025 has no World total row" in err
    assert "friendshore fetch usgs-mcs --refresh" in err
    home = tmp_path / "whole"
    assert run(["--home", str(home), "ingest", "usgs-mcs", str(sample_data / USGS)]) == 0
    assert read_manifest(home).rows("mineral_production") == 150


def test_30_2_usgs_cut_anywhere_inside_a_series_is_refused(sample_data: Path, tmp_path: Path) -> None:
    """Every line boundary of the file: a cut is refused unless it falls right after a World total row
    and loses only whole series the rest does not call for (a later commodity, reserves, capacity,
    the later year's production given before them): the file holds nothing to tell those apart from
    a whole one, and a load over an earlier one refuses them as a smaller replacement."""
    lines = (sample_data / USGS).read_bytes().splitlines(keepends=True)
    cut = tmp_path / Path(USGS).name
    accepted: list[int] = []
    for keep in range(1, len(lines)):
        cut.write_bytes(b"".join(lines[:keep]))
        try:
            read_usgs_world_production(cut)
        except SchemaError:
            continue
        accepted.append(keep)
        assert b",World total," in lines[keep - 1], f"a cut after line {keep} loaded"
        assert not (b",Production," in lines[keep - 1] and b",2024," in lines[keep - 1]), keep
    assert accepted, "no cut is at a series boundary: the test did not try what it describes"


def test_30_2_usgs_later_year_missing_is_refused(sample_data: Path, tmp_path: Path) -> None:
    """A cut right after cobalt's 2024 World total row: every series so far is whole, but MCS2026 gives
    production for 2024 and 2025, so the 2025 rows are missing."""
    lines = (sample_data / USGS).read_text("utf-8").splitlines(keepends=True)
    keep = next(i for i, line in enumerate(lines) if ",2024,World total," in line) + 1
    cut = tmp_path / Path(USGS).name
    cut.write_text("".join(lines[:keep]), "utf-8")
    with pytest.raises(
        SchemaError, match="Cobalt production \\(mine\\) is given for 2024 but not for 2025"
    ) as e:
        read_usgs_world_production(cut)
    assert (e.value.line, e.value.field) == (keep, "year")


def test_30_2_usgs_header_only_is_refused(sample_data: Path, tmp_path: Path) -> None:
    cut = tmp_path / Path(USGS).name
    shutil.copy(sample_data / USGS, cut)
    _keep(cut, 1)
    with pytest.raises(SchemaError, match="header but no rows"):
        read_usgs_world_production(cut)


def test_30_2_eto_country_shares_short_of_the_market_are_refused(sample_data: Path, tmp_path: Path) -> None:
    """The last two thirds of the 2025 rows lost (the other years kept, so that every year is there):
    the countries after the cut are missing, so the country shares of an input no longer cover its
    market."""
    folder = _eto_copy(sample_data, tmp_path)
    lines = (folder / "provision.csv").read_text("utf-8-sig").splitlines(keepends=True)
    of_2025 = [i for i, line in enumerate(lines) if ",2025," in line]
    lost = set(of_2025[len(of_2025) // 3 :])
    (folder / "provision.csv").write_text("".join(x for i, x in enumerate(lines) if i not in lost), "utf-8")
    with pytest.raises(SchemaError, match=r"the country shares of input N\d+ in 2025 sum to [\d.]+ %") as e:
        read_eto(folder)
    assert e.value.field == "share_provided"


def test_30_2_eto_firm_without_its_country_is_refused(sample_data: Path, tmp_path: Path) -> None:
    """China's row for substrates (N96, 2019, no shares given) removed: its firms remain, their
    country's row is missing."""
    folder = _eto_copy(sample_data, tmp_path)
    path = folder / "provision.csv"
    lines = path.read_text("utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if not line.startswith("CHN,P2,Substrates,N96,")), "utf-8")
    assert len(path.read_text("utf-8").splitlines()) == len(lines) - 1
    with pytest.raises(
        SchemaError, match=r"a firm of CHN\) provides input N96 in 2019, but CHN has no row"
    ) as e:
        read_eto(folder)
    assert e.value.field == "provider_id"


def test_30_2_eto_sequence_cut_anywhere_is_refused(sample_data: Path, tmp_path: Path) -> None:
    """Every line boundary of ``sequence.csv``: every input but the final output must lead on."""
    folder = _eto_copy(sample_data, tmp_path)
    lines = (sample_data / ETO / "sequence.csv").read_bytes().splitlines(keepends=True)
    for keep in range(1, len(lines), 7):
        (folder / "sequence.csv").write_bytes(b"".join(lines[:keep]))
        with pytest.raises(SchemaError):
            read_eto(folder)
