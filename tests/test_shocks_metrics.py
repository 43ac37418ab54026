"""First-order product restrictions: a hand-computed world, invariants, and DuckDB-vs-Spark parity."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from friendshore.errors import UserError
from friendshore.metrics.shocks import restriction_exposure, restriction_suppliers
from friendshore.warehouse.connect import require_table

#: One product, one year. A exports 100 to B and 50 to C; C exports 30 to B and 40 to D;
#: D exports 10 to B and 20 to C; B exports 5 to D. World exports 255.
HAND = [
    ("A", "B", 100.0),
    ("A", "C", 50.0),
    ("C", "B", 30.0),
    ("C", "D", 40.0),
    ("D", "B", 10.0),
    ("D", "C", 20.0),
    ("B", "D", 5.0),
]


def world(rows: list[tuple[str, str, float]], hs6: str = "000001", year: int = 2024) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "year": [year] * len(rows),
            "exporter": [r[0] for r in rows],
            "importer": [r[1] for r in rows],
            "hs6": [hs6] * len(rows),
            "value_kusd": [r[2] for r in rows],
        }
    )


def frame(expr: ibis.Table, keys: list[str]) -> pd.DataFrame:
    return expr.to_pandas().sort_values(keys).reset_index(drop=True)


def test_exposure_by_hand() -> None:
    out = frame(restriction_exposure(ibis.memtable(world(HAND)), exporters=["A"]), ["importer"]).set_index(
        "importer"
    )
    assert list(out.index) == ["B", "C"]
    # B: at risk 100; capacity: C's exports to others than B (70 - 30) + D's (30 - 10) = 60
    assert out.loc["B", "value_at_risk_kusd"] == 100
    assert out.loc["B", "capacity_kusd"] == pytest.approx(60)
    assert out.loc["B", "filled_kusd"] == pytest.approx(60)
    assert out.loc["B", "unmet_kusd"] == pytest.approx(40)
    assert out.loc["B", "at_risk_share"] == pytest.approx(100 / 140)
    assert out.loc["B", "unmet_share"] == pytest.approx(40 / 140)
    # C: at risk 50; capacity: B's 5 (all to D) + D's 30 - 20 = 15
    assert out.loc["C", "capacity_kusd"] == pytest.approx(15)
    assert out.loc["C", "filled_kusd"] == pytest.approx(15)
    assert out.loc["C", "unmet_kusd"] == pytest.approx(35)


def test_half_restriction_by_hand() -> None:
    out = frame(restriction_exposure(ibis.memtable(world(HAND)), exporters=["A"], share=0.5), ["importer"])
    out = out.set_index("importer")
    assert out.loc["B", "value_at_risk_kusd"] == 50
    assert out.loc["B", "unmet_kusd"] == 0
    assert out.loc["C", "value_at_risk_kusd"] == 25
    assert out.loc["C", "unmet_kusd"] == pytest.approx(10)


def test_suppliers_by_hand() -> None:
    out = frame(restriction_suppliers(ibis.memtable(world(HAND)), exporters=["A"]), ["supplier"])
    extra = dict(zip(out["supplier"], out["extra_demand_kusd"], strict=True))
    # B's 60 filled: C 40/60, D 20/60; C's 15 filled: B 5/15, D 10/15
    assert extra == pytest.approx({"B": 5.0, "C": 40.0, "D": 30.0})
    assert dict(zip(out["supplier"], out["extra_demand_share"], strict=True)) == pytest.approx(
        {"B": 1.0, "C": 40 / 70, "D": 1.0}
    )


def test_a_group_restricts_jointly() -> None:
    out = frame(
        restriction_exposure(ibis.memtable(world(HAND)), exporters=["A", "D"], label="AD"), ["importer"]
    )
    out = out.set_index("importer")
    assert set(out["restricting"]) == {"AD"}
    # B loses A's 100 and D's 10; only C (40 to D) and nobody else can redirect: capacity 40
    assert out.loc["B", "value_at_risk_kusd"] == 110
    assert out.loc["B", "capacity_kusd"] == pytest.approx(40)
    # C loses 50 + 20; B's 5 to D is the only capacity
    assert out.loc["C", "capacity_kusd"] == pytest.approx(5)
    assert "D" not in out.index  # D is in the group: not restricted against itself


def second_product() -> pd.DataFrame:
    rows = [("B", "A", 7.0), ("C", "A", 3.0), ("B", "C", 4.0), ("D", "C", 1.0), ("A", "D", 2.0)]
    return pd.concat([world(HAND), world(rows, hs6="000002")], ignore_index=True)


def test_every_exporter_and_product_in_one_pass_equals_one_at_a_time() -> None:
    table = ibis.memtable(second_product())
    everyone = frame(restriction_exposure(table), ["hs6", "restricting", "importer"])
    assert set(everyone["restricting"]) == {"A", "B", "C", "D"}
    for code in ("A", "B", "C", "D"):
        alone = frame(restriction_exposure(table, exporters=[code]), ["hs6", "restricting", "importer"])
        mine = everyone.loc[everyone["restricting"] == code].reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, alone, check_dtype=False)
    suppliers = frame(restriction_suppliers(table), ["hs6", "restricting", "supplier"])
    alone = frame(restriction_suppliers(table, exporters=["A"]), ["hs6", "restricting", "supplier"])
    pd.testing.assert_frame_equal(
        suppliers.loc[suppliers["restricting"] == "A"].reset_index(drop=True), alone, check_dtype=False
    )


def test_filled_demand_is_exactly_someones_extra_demand() -> None:
    table = ibis.memtable(second_product())
    filled = restriction_exposure(table).to_pandas().groupby(["hs6", "restricting"])["filled_kusd"].sum()
    extra = (
        restriction_suppliers(table).to_pandas().groupby(["hs6", "restricting"])["extra_demand_kusd"].sum()
    )
    joined = pd.concat([filled, extra], axis=1).fillna(0.0)
    pd.testing.assert_series_equal(
        joined["filled_kusd"], joined["extra_demand_kusd"], check_names=False, rtol=1e-12
    )
    exposure = restriction_exposure(table).to_pandas()
    assert (exposure["filled_kusd"] <= exposure["value_at_risk_kusd"] + 1e-12).all()
    assert (exposure["unmet_kusd"] >= 0).all()


def test_bad_arguments() -> None:
    table = ibis.memtable(world(HAND))
    with pytest.raises(UserError, match="restricted share"):
        restriction_exposure(table, exporters=["A"], share=1.5)
    with pytest.raises(UserError, match="list"):
        restriction_exposure(table, exporters="A")
    with pytest.raises(UserError, match="no members"):
        restriction_suppliers(table, exporters=[])


def test_parity(con: object) -> None:
    """The same expressions on the backend under test and on DuckDB, on a hand-made table and on BACI."""
    df = second_product()
    remote = con.create_view("parity_shock_trade", ibis.memtable(df), overwrite=True)  # type: ignore[attr-defined]
    local = ibis.memtable(df)
    keys_e = ["hs6", "restricting", "importer"]
    keys_s = ["hs6", "restricting", "supplier"]
    for fn, keys in ((restriction_exposure, keys_e), (restriction_suppliers, keys_s)):
        for kwargs in ({}, {"exporters": ["A", "D"], "label": "AD", "share": 0.7}):
            pd.testing.assert_frame_equal(
                frame(fn(remote, **kwargs), keys),
                frame(fn(local, **kwargs), keys),
                check_dtype=False,
                rtol=1e-12,
            )
    trade = require_table(con, "trade")  # type: ignore[arg-type]
    exposure = frame(restriction_exposure(trade, exporters=["CHN"], year=2024, hs6=["850511"]), keys_e)
    assert len(exposure) > 50
    assert exposure["value_at_risk_kusd"].sum() == pytest.approx(
        trade.filter((trade.exporter == "CHN") & (trade.hs6 == "850511") & (trade.year == 2024))
        .value_kusd.sum()
        .to_pyarrow()
        .as_py(),
        rel=1e-9,
    )
