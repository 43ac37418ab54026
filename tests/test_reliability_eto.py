"""Issue 30, item 4: ETO duplicates and impossible shares are refused, on the real sample files.

(The small hand-made cases are in the bad-input corpus: ``eto-30-4-*`` in tests/data/bad/cases.toml.)
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from friendshore.errors import SchemaError
from friendshore.sources.eto import read_eto


@pytest.fixture
def eto(sample_data: Path, tmp_path: Path) -> Path:
    folder = tmp_path / "eto"
    shutil.copytree(sample_data / "eto_chip_explorer", folder)
    return folder


def _lines(path: Path) -> list[str]:
    return path.read_text("utf-8-sig").splitlines(keepends=True)


def test_30_4_real_eto_loads(eto: Path) -> None:
    tables = read_eto(eto)
    assert tables["chip_provision"].num_rows == 1300


def test_30_4_duplicate_provision_with_float_year_is_refused(eto: Path) -> None:
    lines = _lines(eto / "provision.csv")
    row = next(line for line in lines[1:] if ",2025," in line)
    (eto / "provision.csv").write_text("".join([*lines, row.replace(",2025,", ",2025.0,")]), "utf-8")
    with pytest.raises(SchemaError, match="repeats line") as caught:
        read_eto(eto)
    assert caught.value.line == len(lines) + 1


def test_30_4_share_nan_is_refused(eto: Path) -> None:
    lines = _lines(eto / "provision.csv")
    k = next(i for i, line in enumerate(lines) if i and ",2025," in line)
    cells = lines[k].split(",")
    index = lines[0].strip().split(",").index("share_provided")
    cells[index] = "nan"
    lines[k] = ",".join(cells)
    (eto / "provision.csv").write_text("".join(lines), "utf-8")
    with pytest.raises(SchemaError, match="'nan' is not a share"):
        read_eto(eto)


def test_30_4_shares_above_100_are_refused(eto: Path) -> None:
    """One provider's share set to 99.9 %: its input's shares then exceed 100 % of the market."""
    lines = _lines(eto / "provision.csv")
    header = lines[0].strip().split(",")
    index = header.index("share_provided")
    k = next(i for i, line in enumerate(lines) if i and line.split(",")[index] not in ("", "0"))
    cells = lines[k].split(",")
    cells[index] = "99.9"
    lines[k] = ",".join(cells)
    (eto / "provision.csv").write_text("".join(lines), "utf-8")
    with pytest.raises(SchemaError, match=r"sum to [\d.]+ %, more than 100 %"):
        read_eto(eto)


def test_30_4_cycle_in_sequence_is_refused(eto: Path) -> None:
    lines = _lines(eto / "sequence.csv")
    header = lines[0].strip().split(",")
    first = lines[1].strip().split(",")
    source, target = first[header.index("input_id")], first[header.index("goes_into_id")]
    back = dict.fromkeys(header, "")
    back.update({"input_id": target, "goes_into_id": source})
    (eto / "sequence.csv").write_text("".join(lines) + ",".join(back[h] for h in header) + "\n", "utf-8")
    with pytest.raises(SchemaError, match="cycle"):
        read_eto(eto)
