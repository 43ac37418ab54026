"""Caliendo & Parro (2015) replication matrices: layout, checks and bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from friendshore.errors import SchemaError
from friendshore.sources.caliendo_parro import read_caliendo_parro


@pytest.fixture(scope="module")
def cp(sample_data: Path):  # type: ignore[no-untyped-def]
    return read_caliendo_parro(sample_data / "caliendo_parro_2015")


def test_shapes(cp) -> None:  # type: ignore[no-untyped-def]
    assert cp.io.shape == (31, 40, 40)
    assert cp.va_share.shape == cp.gross_output.shape == (40, 31)
    assert cp.theta.shape == (20,)
    assert cp.tariffs_1993.shape == cp.tariffs_2005.shape == cp.trade_1993.shape == (20, 31, 31)


def test_published_elasticities_and_layout(cp) -> None:  # type: ignore[no-untyped-def]
    # CP2015 Table 1 elasticities as shipped (agriculture 9.11, mining 13.53, ...).
    assert cp.theta[:3].tolist() == [9.11, 13.53, 2.62]
    sums = cp.io.sum(axis=1)
    assert np.allclose(sums[sums > 0], 1.0, atol=1e-5)
    assert (cp.va_share > 0).all()
    assert (cp.va_share <= 1).all()
    # NAFTA cut tariffs between 1993 and 2005: the average applied tariff fell.
    assert cp.tariffs_2005.mean() < cp.tariffs_1993.mean()
    assert cp.trade_1993.sum() > 0


def test_a_bad_value_names_file_line_and_column(sample_data: Path, tmp_path: Path) -> None:
    for path in (sample_data / "caliendo_parro_2015").glob("*.txt"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    lines = (tmp_path / "B.txt").read_text().splitlines()
    fields = lines[2].split("\t")
    fields[3] = "n/a"
    lines[2] = "\t".join(fields)
    (tmp_path / "B.txt").write_text("\n".join(lines) + "\n")
    with pytest.raises(SchemaError) as caught:
        read_caliendo_parro(tmp_path)
    assert caught.value.line == 3
    assert caught.value.field == "column 4"
    assert "B.txt" in str(caught.value)


def test_a_transposed_trade_file_is_refused(sample_data: Path, tmp_path: Path) -> None:
    for path in (sample_data / "caliendo_parro_2015").glob("*.txt"):
        (tmp_path / path.name).write_bytes(path.read_bytes())
    (tmp_path / "T.txt").write_text("9.11\n13.53\n")
    with pytest.raises(SchemaError, match="2 rows, expected 20"):
        read_caliendo_parro(tmp_path)
