"""Dependence and chokepoint metrics: hand-computed cases, properties, real BACI figures, parity."""

from __future__ import annotations

import math

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.metrics.dependence import (
    EcThresholds,
    chokepoint_exposure,
    chokepoints,
    dependence_trends,
    flag_churn,
    import_dependence,
)
from friendshore.warehouse.connect import require_table
from helpers import examples

COLUMNS = ["year", "exporter", "importer", "hs6", "value_kusd"]


def frame(rows: list[tuple[int, str, str, str, float]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=COLUMNS)


def run(expr: ibis.Table) -> pd.DataFrame:
    return expr.to_pandas()


# A small world, by hand: USA imports product 000001 from CHN 60, VNM 30, MEX 10.
HAND = frame(
    [
        (2024, "CHN", "USA", "000001", 60.0),
        (2024, "VNM", "USA", "000001", 30.0),
        (2024, "MEX", "USA", "000001", 10.0),
        (2024, "USA", "MEX", "000001", 5.0),
        (2024, "CHN", "DEU", "000001", 40.0),
        (2024, "FRA", "DEU", "000001", 60.0),
        (2024, "DEU", "FRA", "000001", 20.0),
        (2024, "CHN", "FRA", "000001", 20.0),
    ]
)


def test_hand_computed_importer() -> None:
    out = run(import_dependence(ibis.memtable(HAND), importer=["USA"], year=2024, on=["CHN"]))
    row = out.iloc[0]
    assert row.import_value_kusd == 100.0
    assert row.n_suppliers == 3
    assert row.top_supplier == "CHN"
    assert row.top_share == pytest.approx(0.6)
    assert row.hhi == pytest.approx(0.36 + 0.09 + 0.01)
    assert row.on_share == pytest.approx(0.6)
    assert row.export_kusd == 5.0
    assert row.import_export_ratio == pytest.approx(20.0)
    assert bool(row.ec_flag)  # HHI 0.46 > 0.4, all imports extra-group, imports 20x exports


def test_group_counts_only_extra_group_imports() -> None:
    group = ["DEU", "FRA"]
    out = run(import_dependence(ibis.memtable(HAND), importer=group, label="eu2", year=2024, on=["CHN"]))
    row = out.iloc[0]
    # Extra-group imports: DEU<-CHN 40, FRA<-CHN 20; intra DEU<-FRA 60 and FRA<-DEU 20 are excluded.
    assert row.importer == "eu2"
    assert row.import_value_kusd == 60.0
    assert row.n_suppliers == 1
    assert row.hhi == pytest.approx(1.0)
    assert row.total_import_kusd == 140.0
    assert row.extra_import_ratio == pytest.approx(60 / 140)
    assert row.export_kusd == 80.0  # the group's total exports, intra included
    assert not bool(row.ec_importance)  # 43% < 50%
    assert not bool(row.ec_flag)
    with_intra = run(
        import_dependence(ibis.memtable(HAND), importer=group, year=2024, include_intra=True)
    ).iloc[0]
    assert with_intra.import_value_kusd == 140.0
    assert with_intra.top_supplier == "FRA"  # CHN 60 ties FRA 60: the later ISO3 code wins
    assert with_intra.hhi == pytest.approx((60**2 + 60**2 + 20**2) / 140**2)
    assert pd.isna(with_intra.ec_flag)


def test_thresholds_are_parameters() -> None:
    strict = EcThresholds(hhi=0.5)
    row = run(import_dependence(ibis.memtable(HAND), importer=["USA"], thresholds=strict)).iloc[0]
    assert not bool(row.ec_concentration)  # 0.46 is not above 0.5


def test_chokepoints_by_hand() -> None:
    row = run(chokepoints(ibis.memtable(HAND), year=2024)).iloc[0]
    total = 60 + 30 + 10 + 5 + 40 + 60 + 20 + 20
    shares = sorted([120 / total, 60 / total, 30 / total, 10 / total, 5 / total, 20 / total], reverse=True)
    assert row.world_export_kusd == total
    assert row.top_exporter == "CHN"
    assert row.top_share == pytest.approx(120 / total)
    assert row.top3_share == pytest.approx(sum(shares[:3]))
    assert row.world_hhi == pytest.approx(sum(s * s for s in shares))
    assert row.n_exporters == 6


def test_exposure_lists_importers_buying_from_the_top_exporter() -> None:
    world = frame(
        [
            (2024, "CHN", "USA", "000002", 90.0),
            (2024, "JPN", "USA", "000002", 10.0),
            (2024, "CHN", "IND", "000002", 20.0),
            (2024, "JPN", "IND", "000002", 80.0),
        ]
    )
    out = run(chokepoint_exposure(ibis.memtable(world), year=2024, hhi_threshold=0.4, min_share=0.5))
    assert list(out.importer) == ["USA"]
    assert out.iloc[0].share_from_top_exporter == pytest.approx(0.9)


def test_trends_and_churn() -> None:
    rows = []
    # Product A: two suppliers every year, always concentrated (flagged 2022-2024).
    # Product B: CHN 95% in 2022 (flagged), four equal suppliers later (HHI 0.25, not flagged).
    for year, a_cn in [(2022, 90.0), (2023, 85.0), (2024, 20.0)]:
        rows += [(year, "CHN", "USA", "00000A", a_cn), (year, "KOR", "USA", "00000A", 100 - a_cn)]
        if year == 2022:
            rows += [(year, "CHN", "USA", "00000B", 95.0), (year, "KOR", "USA", "00000B", 5.0)]
        else:
            rows += [(year, c, "USA", "00000B", 25.0) for c in ("CHN", "KOR", "JPN", "VNM")]
    dep = import_dependence(ibis.memtable(frame(rows)), importer=["USA"], on=["CHN"])
    trends = run(dependence_trends(dep))
    a = trends[trends.hs6 == "00000A"].set_index("year")
    assert math.isnan(a.loc[2022, "d_on_share"])
    assert a.loc[2023, "d_on_share"] == pytest.approx(-0.05)
    assert a.loc[2024, "d_hhi"] == pytest.approx((0.2**2 + 0.8**2) - (0.85**2 + 0.15**2))
    churn = run(flag_churn(dep)).set_index("year").sort_index()
    assert list(churn.index) == [2022, 2023]
    assert churn.loc[2022, "flagged"] == 2
    assert churn.loc[2022, "flagged_next_year"] == 1
    assert churn.loc[2022, "persistence"] == pytest.approx(0.5)
    # 2024: A is led by KOR at 80% (HHI 0.68 > 0.4), so it is flagged again.
    assert churn.loc[2023, "flagged"] == 1
    assert churn.loc[2023, "flagged_next_year"] == 1


# --- properties -------------------------------------------------------------------------------

flows = st.lists(
    st.tuples(st.sampled_from(["CHN", "JPN", "KOR", "VNM", "DEU"]), st.floats(0.01, 1e6)),
    min_size=1,
    max_size=12,
)


def as_trade(supplier_values: list[tuple[str, float]], scale: float = 1.0) -> pd.DataFrame:
    return frame([(2024, c, "USA", "000003", v * scale) for c, v in supplier_values])


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows, st.floats(0.001, 1000.0), st.randoms())
def test_hhi_bounds_and_invariances(values: list[tuple[str, float]], scale: float, rnd: object) -> None:
    base = run(import_dependence(ibis.memtable(as_trade(values)), importer=["USA"], on=["CHN"])).iloc[0]
    n = base.n_suppliers
    assert 1 / n - 1e-12 <= base.hhi <= 1 + 1e-12
    assert 0 <= base.on_share <= 1 + 1e-12
    assert base.top_share >= 1 / n - 1e-12
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    again = run(
        import_dependence(ibis.memtable(as_trade(shuffled, scale)), importer=["USA"], on=["CHN"])
    ).iloc[0]
    assert again.hhi == pytest.approx(base.hhi, rel=1e-9)
    assert again.top_share == pytest.approx(base.top_share, rel=1e-9)
    assert again.on_share == pytest.approx(base.on_share, rel=1e-9, abs=1e-12)
    assert again.top_supplier == base.top_supplier


def test_group_of_one_equals_the_member() -> None:
    one = run(import_dependence(ibis.memtable(HAND), importer=["DEU"], label="DEU", on=["CHN"]))
    member = run(import_dependence(ibis.memtable(HAND), importer=["DEU"], on=["CHN"]))
    pd.testing.assert_frame_equal(one, member)


# --- real data ---------------------------------------------------------------------------------


@pytest.mark.published
@pytest.mark.parametrize(
    ("hs6", "exporter", "share"),
    [("850511", "CHN", 0.627), ("810411", "CHN", 0.715), ("810194", "CHN", 0.618), ("283691", "CHL", 0.745)],
    ids=["magnets", "magnesium", "tungsten", "lithium-carbonate"],
)
def test_world_export_shares_on_baci_2024(con: object, hs6: str, exporter: str, share: float) -> None:
    """MANIFEST checks of BACI HS17 V202601, 2024: top exporter and its world share."""
    trade = require_table(con, "trade")  # type: ignore[arg-type]
    row = chokepoints(trade, year=2024, hs6=[hs6]).to_pandas().iloc[0]
    assert row.top_exporter == exporter
    assert row.top_share == pytest.approx(share, abs=0.0005)


def test_dependence_parity_on_real_data(con: object, sample_home: object) -> None:
    """The same expression gives the same numbers on DuckDB and Spark (compared with DuckDB)."""
    from friendshore.settings import load_settings
    from friendshore.warehouse import connect

    def usa(c: object) -> pd.DataFrame:
        trade = require_table(c, "trade")  # type: ignore[arg-type]
        return (
            import_dependence(trade, importer=["USA"], year=2024, on=["CHN"])
            .to_pandas()
            .sort_values("hs6")
            .reset_index(drop=True)
        )

    reference = usa(connect(load_settings(home=sample_home, backend="duckdb")))
    ours = usa(con)
    assert len(reference) == 30
    pd.testing.assert_frame_equal(ours, reference, check_dtype=False, rtol=1e-9)
    magnets = reference.set_index("hs6").loc["850511"]
    assert magnets.top_supplier == "CHN"


def test_one_pass_screen_equals_per_importer_metrics(con: object) -> None:
    """dependence_screen (all importers, one grouped pass) agrees with import_dependence."""
    from friendshore.metrics.dependence import dependence_screen

    trade = require_table(con, "trade")  # type: ignore[arg-type]
    screen = dependence_screen(trade, year=2024).to_pandas()
    for importer in ("USA", "IND", "JPN"):
        ours = screen[screen.importer == importer].sort_values("hs6").reset_index(drop=True)
        ref = (
            import_dependence(trade, importer=[importer], year=2024)
            .to_pandas()
            .sort_values("hs6")
            .reset_index(drop=True)
        )
        assert list(ours.hs6) == list(ref.hs6)
        assert ours.hhi.to_numpy() == pytest.approx(ref.hhi.to_numpy(), rel=1e-12)
        assert ours.top_share.to_numpy() == pytest.approx(ref.top_share.to_numpy(), rel=1e-12)
        assert list(ours.n_suppliers) == list(ref.n_suppliers)


def _multi_year() -> pd.DataFrame:
    rows = []
    for year, shift in [(2022, 0.0), (2023, 5.0), (2024, 30.0)]:
        rows += [
            (year, "CHN", "USA", "000001", 80.0 - shift),
            (year, "KOR", "USA", "000001", 20.0 + shift),
            (year, "CHN", "DEU", "000001", 50.0),
            (year, "FRA", "DEU", "000001", 40.0),
            (year, "DEU", "FRA", "000001", 10.0 + shift),
            (year, "CHN", "FRA", "000001", 30.0),
            (year, "USA", "DEU", "000002", 7.0),
            (year, "JPN", "DEU", "000002", 3.0 + shift),
            (year, "JPN", "USA", "000002", 9.0),
            (year, "CHN", "IND", "000002", 60.0),
        ]
    return frame(rows)


def test_every_metric_is_identical_on_both_backends(con: object) -> None:
    """Parity: each metric on a hand-made three-year table registered in the backend under test,
    compared with the same expression run on DuckDB."""
    from friendshore.metrics.dependence import dependence_screen, summarise_by

    df = _multi_year()
    local = ibis.memtable(df)
    remote = con.create_view("parity_trade", ibis.memtable(df), overwrite=True)  # type: ignore[attr-defined]
    taxonomy = pd.DataFrame({"hs6": ["000001", "000002"], "technology": ["x", "y"]})

    def metrics(trade: ibis.Table, tax: ibis.Table) -> dict[str, ibis.Table]:
        dep = import_dependence(trade, importer=["DEU", "FRA"], label="g", on=["CHN"])
        return {
            "dependence": dep,
            "trends": dependence_trends(dep),
            "churn": flag_churn(dep),
            "summary": summarise_by(dep, tax),
            "screen": dependence_screen(trade),
            "chokepoints": chokepoints(trade),
            "exposure": chokepoint_exposure(trade, min_share=0.3),
        }

    remote_tax = con.create_view("parity_taxonomy", ibis.memtable(taxonomy), overwrite=True)  # type: ignore[attr-defined]
    ours = metrics(remote, remote_tax)
    reference = metrics(local, ibis.memtable(taxonomy))
    for name, expr in ours.items():
        got = expr.to_pandas()
        want = reference[name].to_pandas()
        keys = [c for c in ("importer", "year", "hs6", "technology") if c in want.columns]
        got = got.sort_values(keys).reset_index(drop=True)
        want = want.sort_values(keys).reset_index(drop=True)
        assert len(want) > 0, name
        pd.testing.assert_frame_equal(got, want, check_dtype=False, rtol=1e-12, obj=name)


def test_codes_absent_from_the_data_match_nothing(con: object) -> None:
    """The DuckDB cache stores codes as ENUMs; a code that is not in the data still compares as
    text (no conversion error), on both engines."""
    trade = require_table(con, "trade")  # type: ignore[arg-type]
    out = import_dependence(trade, importer=["USA"], year=2024, on=["ZZZ"]).to_pandas()
    assert len(out) == 30
    assert (out.on_share == 0).all()
    assert import_dependence(trade, importer=["ZZZ"], year=2024).count().to_pyarrow().as_py() == 0
