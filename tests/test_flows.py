"""Supplier shares and main flows: a small world computed by hand."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from friendshore.errors import UserError
from friendshore.metrics.flows import main_flows, supplier_shares

HAND = pd.DataFrame(
    [
        (2024, "CHN", "USA", "000001", 60.0),
        (2024, "VNM", "USA", "000001", 30.0),
        (2024, "CHN", "USA", "000002", 10.0),
        (2024, "MEX", "CAN", "000001", 50.0),
        (2024, "CAN", "USA", "000001", 0.0),
        (2023, "CHN", "USA", "000001", 999.0),
    ],
    columns=["year", "exporter", "importer", "hs6", "value_kusd"],
)


def test_supplier_shares_by_hand() -> None:
    out = supplier_shares(
        ibis.memtable(HAND), importer=["USA"], year=2024, hs6=["000001", "000002"]
    ).to_pandas()
    got = dict(zip(out.exporter, zip(out.value_kusd, out.share, strict=True), strict=True))
    assert got == {"CHN": (70.0, 0.7), "VNM": (30.0, pytest.approx(0.3))}


def test_a_group_leaves_out_trade_between_members() -> None:
    out = supplier_shares(ibis.memtable(HAND), importer=["USA", "CAN"], year=2024, hs6=["000001"]).to_pandas()
    assert sorted(out.exporter) == ["CHN", "MEX", "VNM"]
    assert out.share.sum() == pytest.approx(1.0)
    assert float(out.loc[out.exporter == "MEX", "share"].iloc[0]) == pytest.approx(50 / 140)


def test_main_flows_keeps_the_largest_with_shares_of_all_trade() -> None:
    out = main_flows(ibis.memtable(HAND), year=2024, hs6=["000001"], top=2).to_pandas()
    out = out.sort_values("value_kusd", ascending=False)
    assert list(zip(out.exporter, out.importer, strict=True)) == [("CHN", "USA"), ("MEX", "CAN")]
    assert list(out.share) == pytest.approx([60 / 140, 50 / 140])
    with pytest.raises(UserError):
        main_flows(ibis.memtable(HAND), year=2024, hs6=["000001"], top=0)
