"""Semiconductor supply-chain view on the ETO tables: shares, chokepoints, stages, India's position."""

from __future__ import annotations

from pathlib import Path

import ibis
import pandas as pd
import pytest

from friendshore.errors import UnknownCodeError
from friendshore.metrics.chips import (
    chip_country_shares,
    chip_overview,
    chip_position,
    chip_providers,
    input_stages,
    match_inputs,
)
from friendshore.settings import load_settings
from friendshore.warehouse import connect


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> object:
    return connect(load_settings(home=sample_home, backend="duckdb"))


@pytest.fixture(scope="module")
def overview(duck: object) -> pd.DataFrame:
    inputs, provision = duck.table("chip_inputs"), duck.table("chip_provision")  # type: ignore[attr-defined]
    return chip_overview(inputs, provision).to_pandas().set_index("input_id")


def test_hand_made_provision() -> None:
    provision = ibis.memtable(
        pd.DataFrame(
            {
                "input_id": ["N1"] * 5 + ["N2"] * 2,
                "input_name": ["Tool"] * 5 + ["Gas"] * 2,
                "provider_id": ["P1", "P2", "P3", "P4", "P9", "P1", "P2"],
                "provider_name": ["USA", "JPN", "EUR", "Acme", "Various countries", "USA", "JPN"],
                "provider_type": [
                    "country",
                    "country",
                    "country",
                    "organization",
                    "country",
                    "country",
                    "country",
                ],
                "country": ["USA", "JPN", "EUR", "USA", None, "USA", "JPN"],
                "share": [0.7, 0.1, 0.15, 0.7, 0.05, None, None],
                "year": [2025] * 5 + [2019] * 2,
            }
        )
    )
    inputs = ibis.memtable(
        pd.DataFrame(
            {
                "input_id": ["N1", "N2"],
                "input_name": ["Tool", "Gas"],
                "type": ["tool_resource", "material_resource"],
                "year": [2025, 2019],
                "market_size_usd": [1e9, None],
            }
        )
    )
    shares = chip_country_shares(provision).to_pandas()
    assert set(shares["country"]) == {"USA", "JPN"}  # EUR and 'Various countries' are not countries
    ov = chip_overview(inputs, provision, threshold=0.65).to_pandas().set_index("input_id")
    assert ov.loc["N1", "top_country"] == "USA"
    assert ov.loc["N1", "top_share"] == pytest.approx(0.7)
    assert ov.loc["N1", "second_country"] == "JPN"
    assert bool(ov.loc["N1", "chokepoint"])
    assert ov.loc["N1", "n_firms"] == 1
    assert pd.isna(ov.loc["N2", "chokepoint"])  # listed, but no shares known
    assert pd.isna(ov.loc["N2", "top_country"])
    assert not bool(
        chip_overview(inputs, provision, threshold=0.8)
        .to_pandas()
        .set_index("input_id")
        .loc["N1", "chokepoint"]
    )
    pos = chip_position(inputs, provision, country="jpn").to_pandas().set_index("input_id")
    assert pos.loc["N1", "rank"] == 2
    assert pos.loc["N1", "share"] == pytest.approx(0.1)
    assert bool(pos.loc["N2", "listed"])
    assert pd.isna(pos.loc["N2", "share"])
    firms = chip_providers(provision, input_ids=["N1"], country="USA").to_pandas()
    assert set(firms["provider_name"]) == {"USA", "Acme"}


def test_stages_follow_the_graph() -> None:
    nodes = [
        {"input_id": "S2", "stage_name": "Fabrication"},
        {"input_id": "P1", "stage_name": "Fabrication"},
        {"input_id": "P2", "stage_name": "ATP"},
        {"input_id": "T1", "stage_name": None},
        {"input_id": "T2", "stage_name": None},
        {"input_id": "M1", "stage_name": None},
    ]
    edges = [
        {"input_id": "T2", "related_id": "T1"},  # is_type_of
        {"input_id": "T1", "related_id": "P1"},  # goes_into a Fabrication process
        {"input_id": "M1", "related_id": "P1"},
        {"input_id": "M1", "related_id": "P2"},
        {"input_id": "P1", "related_id": "P2"},  # a staged node is not walked through
    ]
    stages = input_stages(nodes, edges)
    assert stages["T2"] == "Fabrication"
    assert stages["M1"] == "ATP; Fabrication"
    assert stages["P1"] == "Fabrication"


def test_eto_manifest_figures(overview: pd.DataFrame) -> None:
    """The MANIFEST checks of the ETO dataset: fab capacity 2022 CHN 24%, TWN 18%; ATP CHN 30%;
    EUV lithography NLD 100%; wafers JPN 56% (2019); EDA software USA 96% (2019)."""
    assert overview.loc["S2", ["top_country", "second_country"]].tolist() == ["CHN", "TWN"]
    assert overview.loc["S2", "top_share"] == pytest.approx(0.24)
    assert overview.loc["S2", "second_share"] == pytest.approx(0.18)
    assert overview.loc["S3", "top_country"] == "CHN"
    assert overview.loc["S3", "top_share"] == pytest.approx(0.30)
    assert overview.loc["N20", "top_country"] == "NLD"
    assert overview.loc["N20", "top_share"] == pytest.approx(1.0)
    assert overview.loc["N26", "top_country"] == "JPN"
    assert overview.loc["N26", "top_share"] == pytest.approx(0.56)
    assert overview.loc["N26", "year"] == 2019
    assert overview.loc["N84", "top_share"] == pytest.approx(0.96)
    # chokepoints at SIA/BCG's 65%: EUV and EDA are, fabrication and wafers are not
    assert bool(overview.loc["N20", "chokepoint"])
    assert bool(overview.loc["N84", "chokepoint"])
    assert not bool(overview.loc["S2", "chokepoint"])
    assert not bool(overview.loc["N26", "chokepoint"])
    assert 40 < overview["chokepoint"].fillna(False).sum() < 80


def test_india_is_not_listed_at_any_stage(duck: object) -> None:
    inputs, provision = duck.table("chip_inputs"), duck.table("chip_provision")  # type: ignore[attr-defined]
    india = chip_position(inputs, provision, country="IND").to_pandas()
    assert len(india) == 111
    assert not india["listed"].any()
    assert india["share"].isna().all()
    assert (india["n_firms"] == 0).all()
    japan = chip_position(inputs, provision, country="JPN").to_pandas().set_index("input_id")
    assert japan["listed"].sum() > 80
    assert japan.loc["N26", "share"] == pytest.approx(0.56)
    assert japan.loc["N26", "rank"] == 1


def test_real_stages_and_input_names(duck: object) -> None:
    nodes = duck.table("chip_inputs").to_pyarrow().to_pylist()  # type: ignore[attr-defined]
    edges = duck.table("chip_sequence").to_pyarrow().to_pylist()  # type: ignore[attr-defined]
    stages = input_stages(nodes, edges)
    assert stages["N20"] == "Fabrication"  # EUV -> lithography tools -> photolithography
    assert stages["N84"] == "Design"  # EDA -> EDA and core IP
    assert stages["N120"].startswith("Assembly")
    assert match_inputs(nodes, "N20") == ["N20"]
    assert match_inputs(nodes, "euv") == ["N20"]
    assert match_inputs(nodes, "Wafer") == ["N26"]  # an exact name wins over partial matches
    assert len(match_inputs(nodes, "lithography")) > 3
    with pytest.raises(UnknownCodeError, match="no chip supply-chain input matches"):
        match_inputs(nodes, "quantum annealer")
