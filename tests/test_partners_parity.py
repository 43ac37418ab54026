"""Backend parity of the capability and partner expressions: DuckDB and Spark give the same numbers.

The only module of the partner work that runs on Spark (through the ``con`` fixture); each test
compares the engine under test with DuckDB on the sample warehouse.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from friendshore.metrics.chips import chip_overview
from friendshore.metrics.complexity import density, diversity, revealed_advantage, ubiquity
from friendshore.metrics.partners import (
    alignment_distance,
    candidate_capacity,
    distance_to,
    governance_index,
    reshoring_comparison,
)
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.connect import require_table

CONCERN = ["CHN", "CUB", "HKG", "IRN", "MAC", "PRK", "RUS", "VEN"]


def frame(expr: object, keys: list[str]) -> pd.DataFrame:
    return expr.to_pandas().sort_values(keys).reset_index(drop=True)  # type: ignore[attr-defined]


def same(ours: pd.DataFrame, reference: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(ours, reference, check_dtype=False, rtol=1e-9)


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> object:
    return connect(load_settings(home=sample_home, backend="duckdb"))


def test_rca_diversity_ubiquity_parity(con: object, duck: object) -> None:
    def run(c: object) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
        rca = revealed_advantage(require_table(c, "trade"), year=2024)  # type: ignore[arg-type]
        return (
            frame(rca, ["country", "hs6"]),
            frame(diversity(rca), ["country"]),
            frame(ubiquity(rca), ["hs6"]),
        )

    ours, reference = run(con), run(duck)
    for a, b in zip(ours, reference, strict=True):
        same(a, b)
    rca = reference[0]
    assert len(rca) == 1991  # exporter-product pairs with positive exports in 2024
    assert rca["present"].sum() == reference[1]["diversity"].sum() == reference[2]["ubiquity"].sum()


def test_density_parity(con: object, duck: object) -> None:
    def run(c: object) -> pd.DataFrame:
        rca = revealed_advantage(require_table(c, "trade"), year=2024)  # type: ignore[arg-type]
        return frame(density(rca, hs6=["850511", "810411"]), ["country", "hs6"])

    same(run(con), run(duck))


def test_candidate_capacity_parity(con: object, duck: object) -> None:
    def run(c: object) -> pd.DataFrame:
        trade = require_table(c, "trade")  # type: ignore[arg-type]
        expr = candidate_capacity(
            trade, hs6=["850511"], year=2024, importer=["USA"], exclude=CONCERN, coalition=["IND", "JPN"]
        )
        return frame(expr, ["candidate"])

    ours, reference = run(con), run(duck)
    same(ours, reference)
    jpn = reference.set_index("candidate").loc["JPN"]
    assert jpn["export_kusd"] == pytest.approx(428329.896)
    assert bool(jpn["in_coalition"])


def test_attribute_and_reshoring_parity(con: object, duck: object) -> None:
    def run(c: object) -> list[pd.DataFrame]:
        trade = require_table(c, "trade")  # type: ignore[arg-type]
        return [
            frame(governance_index(require_table(c, "governance"), year=2024, max_lag=5), ["country"]),  # type: ignore[arg-type]
            frame(
                alignment_distance(require_table(c, "alignment"), year=2024, importer=["USA"], max_lag=5),  # type: ignore[arg-type]
                ["country"],
            ),
            frame(
                distance_to(
                    require_table(c, "geography"),  # type: ignore[arg-type]
                    trade,
                    importer=["USA", "JPN"],
                    hs6=["850511"],
                    year=2024,
                ),
                ["country"],
            ),
            frame(
                reshoring_comparison(
                    trade,
                    hs6=["850511", "810411"],
                    year=2024,
                    importer=["USA"],
                    concern=CONCERN,
                    coalition=["JPN"],
                ),
                ["hs6"],
            ),
            frame(
                chip_overview(require_table(c, "chip_inputs"), require_table(c, "chip_provision")),
                ["input_id"],
            ),  # type: ignore[arg-type]
        ]

    for a, b in zip(run(con), run(duck), strict=True):
        same(a, b)
