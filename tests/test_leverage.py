"""Leverage metrics: hand-computed cases, properties, and DuckDB-vs-Spark parity on the sample."""

from __future__ import annotations

import math
from pathlib import Path

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import UserError
from friendshore.metrics.leverage import holder_leverage, leverage
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.connect import require_table
from helpers import examples

COLUMNS = ["year", "exporter", "importer", "hs6", "value_kusd"]

# A small world, by hand. CHN imports 111111 from JPN 60, KOR 20, DEU 20 (and 50 from HKG, which
# counts only while HKG is outside the target). Elsewhere: DEU->USA 30, USA->FRA 10, JPN->USA 50,
# KOR->DEU 5, DEU->JPN 5, CHN->USA 40 (the target's own exports), USA->HKG 7.
# 222222: CHN buys only from DEU (no holder supplies it).
HAND = pd.DataFrame(
    [
        (2024, "JPN", "CHN", "111111", 60.0),
        (2024, "KOR", "CHN", "111111", 20.0),
        (2024, "DEU", "CHN", "111111", 20.0),
        (2024, "HKG", "CHN", "111111", 50.0),
        (2024, "DEU", "USA", "111111", 30.0),
        (2024, "USA", "FRA", "111111", 10.0),
        (2024, "JPN", "USA", "111111", 50.0),
        (2024, "KOR", "DEU", "111111", 5.0),
        (2024, "DEU", "JPN", "111111", 5.0),
        (2024, "CHN", "USA", "111111", 40.0),
        (2024, "USA", "HKG", "111111", 7.0),
        (2024, "DEU", "CHN", "222222", 10.0),
        (2023, "JPN", "CHN", "111111", 999.0),
    ],
    columns=COLUMNS,
)


def by_product(expr: ibis.Table) -> pd.DataFrame:
    return expr.to_pandas().set_index("hs6").sort_index()


def test_hand_computed_group_leverage() -> None:
    out = by_product(leverage(ibis.memtable(HAND), target=["CHN", "HKG"], holders=["JPN", "KOR"], year=2024))
    row = out.loc["111111"]
    # HKG is in the target: its 50 is intra-target; USA->HKG 7 is an import of the target
    assert row.import_value_kusd == pytest.approx(107.0)
    assert row.holder_value_kusd == pytest.approx(80.0)
    assert row.holder_share == pytest.approx(80 / 107)
    assert row.n_holders == 2
    assert row.top_holder == "JPN"
    assert row.top_holder_share == pytest.approx(60 / 107)
    assert row.holder_hhi == pytest.approx((60 / 80) ** 2 + (20 / 80) ** 2)
    # rest of the world's exports outside the target: DEU->USA 30, USA->FRA 10, DEU->JPN 5
    assert row.others_third_kusd == pytest.approx(45.0)
    assert row.replace_cover == pytest.approx(45 / 80)
    assert row.replaceable_share == pytest.approx(45 / 80)
    assert row.leverage == pytest.approx((80 - 45) / 107)


def test_single_target_counts_flows_to_hkg_as_third_country() -> None:
    out = by_product(leverage(ibis.memtable(HAND), target=["CHN"], holders=["JPN", "KOR"], year=2024))
    row = out.loc["111111"]
    assert row.import_value_kusd == pytest.approx(150.0)  # HKG is a supplier now
    assert row.others_third_kusd == pytest.approx(52.0)  # + USA->HKG 7
    assert row.leverage == pytest.approx((80 - 52) / 150)
    none = out.loc["222222"]
    assert none.holder_value_kusd == 0.0
    assert none.holder_share == 0.0
    assert none.leverage == 0.0
    assert none.n_holders == 0
    assert pd.isna(none.top_holder)
    assert math.isnan(none.holder_hhi)
    assert math.isnan(none.replaceable_share)


def test_replacement_is_capped_at_the_holders_supply() -> None:
    extra = pd.DataFrame([(2024, "USA", "FRA", "111111", 1000.0)], columns=COLUMNS)
    out = by_product(
        leverage(ibis.memtable(pd.concat([HAND, extra])), target=["CHN"], holders=["JPN", "KOR"], year=2024)
    )
    row = out.loc["111111"]
    assert row.replace_cover == pytest.approx(1052 / 80)
    assert row.replaceable_share == 1.0
    assert row.leverage == 0.0


def test_unknown_world_gives_null_not_zero() -> None:
    out = by_product(
        leverage(
            ibis.memtable(HAND), target=["CHN"], holders=["JPN", "KOR"], year=2024, world_known=["222222"]
        )
    )
    row = out.loc["111111"]
    assert row.holder_share == pytest.approx(80 / 150)  # the target's imports are still known
    assert math.isnan(row.others_third_kusd)
    assert math.isnan(row.replaceable_share)
    assert math.isnan(row.leverage)
    assert out.loc["222222"].leverage == 0.0  # no holder supply: nothing to replace
    none = by_product(
        leverage(ibis.memtable(HAND), target=["CHN"], holders=["JPN"], year=2024, world_known=False)
    )
    assert math.isnan(none.loc["111111"].leverage)


def test_hand_computed_holders() -> None:
    out = holder_leverage(ibis.memtable(HAND), target=["CHN"], holders=["JPN", "KOR"], year=2024)
    rows = out.to_pandas().set_index(["hs6", "holder"]).sort_index()
    assert list(rows.index) == [("111111", "JPN"), ("111111", "KOR")]
    jpn, kor = rows.loc[("111111", "JPN")], rows.loc[("111111", "KOR")]
    assert jpn.value_kusd == 60.0
    assert jpn["rank"] == 1
    assert kor["rank"] == 2
    assert jpn.share == pytest.approx(60 / 150)
    assert jpn.share_in_group == pytest.approx(0.75)
    # every exporter outside CHN to every destination outside CHN: 30+10+50+5+5+7 = 107
    assert jpn.third_kusd == pytest.approx(107 - 50)  # minus JPN's own (JPN->USA 50)
    assert jpn.unilateral_leverage == pytest.approx((60 - 57) / 150)
    assert kor.third_kusd == pytest.approx(107 - 5)
    assert kor.unilateral_leverage == 0.0


def test_parties_must_be_disjoint_and_non_empty() -> None:
    trade = ibis.memtable(HAND)
    with pytest.raises(UserError, match="both the target and a holder"):
        leverage(trade, target=["CHN", "JPN"], holders=["JPN"], year=2024)
    with pytest.raises(UserError, match="target has no members"):
        holder_leverage(trade, target=[], holders=["JPN"], year=2024)
    with pytest.raises(UserError, match="holder group has no members"):
        leverage(trade, target=["CHN"], holders=[], year=2024)


flows = st.lists(
    st.tuples(
        st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]),
        st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]),
        st.sampled_from(["000001", "000002"]),
        st.floats(min_value=0.5, max_value=1e6, allow_nan=False),
    ).filter(lambda r: r[0] != r[1]),
    min_size=1,
    max_size=25,
    unique_by=lambda r: (r[0], r[1], r[2]),
)


@settings(max_examples=examples(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=flows, scale=st.floats(min_value=0.01, max_value=1000.0))
def test_properties(rows: list[tuple[str, str, str, float]], scale: float) -> None:
    """Shares and scores lie in [0, 1], leverage <= holder share, the HHI within the group is in
    [1/n, 1], and rescaling every value leaves shares and scores unchanged."""
    base = pd.DataFrame([(2024, *r) for r in rows], columns=COLUMNS)
    scaled = base.assign(value_kusd=base.value_kusd * scale)
    kw: dict[str, object] = {"target": ["AAA"], "holders": ["BBB", "CCC"], "year": 2024}
    a = leverage(ibis.memtable(base), **kw).to_pandas().set_index("hs6").sort_index()  # type: ignore[arg-type]
    b = leverage(ibis.memtable(scaled), **kw).to_pandas().set_index("hs6").sort_index()  # type: ignore[arg-type]
    for row in a.itertuples():
        assert 0.0 <= row.holder_share <= 1.0 + 1e-12
        assert 0.0 <= row.leverage <= row.holder_share + 1e-12
        if row.n_holders:
            assert 1 / row.n_holders - 1e-12 <= row.holder_hhi <= 1.0 + 1e-12
    for col in ("holder_share", "holder_hhi", "replaceable_share", "leverage"):
        pd.testing.assert_series_equal(a[col], b[col], rtol=1e-9, check_names=False)


# --- parity on the sample warehouse (BACI HS17 2024, all pairs for 31 critical-material codes) ---


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys).reset_index(drop=True)


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> object:
    return connect(load_settings(home=sample_home, backend="duckdb"))


def test_parity_with_duckdb(con: object, duck: object, sample_data: Path) -> None:
    """The same numbers on Spark as on DuckDB, and on DuckDB the same as pandas on the raw file."""
    kw: dict[str, object] = {"target": ["USA"], "holders": ["CHN", "HKG"], "year": 2024}

    def run(c: object) -> tuple[pd.DataFrame, pd.DataFrame]:
        trade = require_table(c, "trade")  # type: ignore[arg-type]
        return (
            _sorted(leverage(trade, **kw).to_pandas(), ["hs6"]),  # type: ignore[arg-type]
            _sorted(holder_leverage(trade, **kw).to_pandas(), ["hs6", "holder"]),  # type: ignore[arg-type]
        )

    ours, reference = run(con), run(duck)
    for a, b in zip(ours, reference, strict=True):
        pd.testing.assert_frame_equal(a, b, check_dtype=False, rtol=1e-9)
    # independent computation of 850511 (permanent magnets) from the raw CEPII-layout file
    raw = pd.read_csv(
        sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv", dtype={"k": str}
    )
    codes = pd.read_csv(sample_data / "baci_critical_materials" / "country_codes_V202601.csv")
    iso = dict(zip(codes.country_code, codes.country_iso3, strict=True))
    raw = raw.assign(exporter=raw.i.map(iso), importer=raw.j.map(iso))
    k = raw[raw.k == "850511"]
    to_usa = k[k.importer == "USA"]
    m = to_usa.v.sum()
    v = to_usa[to_usa.exporter.isin(["CHN", "HKG"])].v.sum()
    x = k[(k.importer != "USA") & ~k.exporter.isin(["USA", "CHN", "HKG"])].v.sum()
    row = reference[0].set_index("hs6").loc["850511"]
    assert row.import_value_kusd == pytest.approx(m)
    assert row.holder_share == pytest.approx(v / m)
    assert row.others_third_kusd == pytest.approx(x)
    assert row.leverage == pytest.approx(max(v - x, 0) / m)
