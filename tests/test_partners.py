"""Friend-shoring candidates: hand-computed capacity and reshoring, the composite and its Monte
Carlo, weights files, and the real BACI 2024 permanent-magnet case checked against the raw files."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import DataSourceError, SchemaError, UserError
from friendshore.metrics.partners import (
    DEFAULT_WEIGHTS,
    INDICATORS,
    PartnerCandidates,
    Uncertainty,
    Weights,
    alignment_distance,
    calc_composite,
    calc_normalise,
    calc_rank_uncertainty,
    calc_ranks,
    candidate_capacity,
    distance_to,
    governance_index,
    load_weights,
    partner_candidates,
    reshoring_comparison,
)
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from helpers import examples

COLUMNS = ["year", "exporter", "importer", "hs6", "value_kusd"]
CONCERN = ["CHN", "CUB", "HKG", "IRN", "MAC", "PRK", "RUS", "VEN"]  # countries-of-concern, end of 2024
DIRECTION = np.array([1.0, 1.0, 1.0, 1.0, -1.0, -1.0])


def trade(rows: list[tuple[int, str, str, str, float]]) -> ibis.Table:
    return ibis.memtable(pd.DataFrame(rows, columns=COLUMNS))


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> object:
    return connect(load_settings(home=sample_home, backend="duckdb"))


# --- hand-computed ------------------------------------------------------------------------------

# Product k: CHN sells USA 60 and DEU 40; JPN sells USA 30 and DEU 20; IND sells USA 10; USA sells
# MEX 5. Another product z: JPN 100, IND 90 (so the RCAs are not all equal).
HAND = [
    (2024, "CHN", "USA", "00000k", 60.0),
    (2024, "CHN", "DEU", "00000k", 40.0),
    (2024, "JPN", "USA", "00000k", 30.0),
    (2024, "JPN", "DEU", "00000k", 20.0),
    (2024, "IND", "USA", "00000k", 10.0),
    (2024, "USA", "MEX", "00000k", 5.0),
    (2024, "JPN", "DEU", "00000z", 100.0),
    (2024, "IND", "DEU", "00000z", 90.0),
]


def test_candidate_capacity_by_hand() -> None:
    out = candidate_capacity(
        trade(HAND), hs6=["00000k"], year=2024, importer=["USA"], exclude=["CHN"], coalition=["IND"]
    ).to_pandas()
    assert sorted(out["candidate"]) == ["IND", "JPN"]  # not the importer, not the excluded
    jpn = out.set_index("candidate").loc["JPN"]
    world = 60 + 40 + 30 + 20 + 10 + 5
    assert jpn.export_kusd == 50.0
    assert jpn.world_share == pytest.approx(50 / world)
    assert jpn.share_ex_concern == pytest.approx(50 / (world - 100))
    assert jpn.exports_to_importer_kusd == 30.0
    assert jpn.imports_from_concern_kusd == 60.0
    assert jpn.cover_ratio == pytest.approx(50 / 60)
    # RCA: (50 / 150) / (165 / 355)
    assert jpn.rca == pytest.approx((50 / 150) / (165 / 355))
    assert not jpn.in_coalition
    assert bool(out.set_index("candidate").loc["IND", "in_coalition"])


def test_reshoring_comparison_by_hand() -> None:
    out = reshoring_comparison(
        trade(HAND), hs6=["00000k"], year=2024, importer=["USA"], concern=["CHN"], coalition=["IND"]
    ).to_pandas()
    row = out.iloc[0]
    assert row.imports_from_concern_kusd == 60.0
    assert row.home_capacity_kusd == 5.0  # USA's own exports
    assert row.coalition_capacity_kusd == 10.0  # IND
    assert row.others_capacity_kusd == 50.0  # JPN
    assert row.home_cover == pytest.approx(5 / 60)
    assert row.others_cover == pytest.approx(50 / 60)
    # filled in order: home 5, coalition 10, others 45 of their 50; nothing left uncovered
    assert row.home_share == pytest.approx(5 / 60)
    assert row.coalition_share == pytest.approx(10 / 60)
    assert row.others_share == pytest.approx(45 / 60)
    assert row.uncovered_share == pytest.approx(0.0)
    with pytest.raises(UserError, match="both the importer and the country of concern"):
        reshoring_comparison(trade(HAND), hs6=["00000k"], year=2024, importer=["CHN"], concern=["CHN"])


def test_attribute_tables_by_hand() -> None:
    gov = ibis.memtable(
        pd.DataFrame(
            {
                "country": ["AAA"] * 8 + ["BBB"],
                "year": [2021] * 2 + [2022] * 6 + [2010],
                "indicator": ["VA", "PV", "VA", "PV", "GE", "RQ", "RL", "CC", "VA"],
                "estimate": [9.0, 9.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 0.5],
            }
        )
    )
    g = governance_index(gov, year=2024).to_pandas().set_index("country")
    assert g.loc["AAA", "wgi_year"] == 2022
    assert g.loc["AAA", "wgi_mean"] == pytest.approx(3.5)
    assert g.loc["AAA", "wgi_n"] == 6
    assert "BBB" not in governance_index(gov, year=2024, max_lag=5).to_pandas()["country"].tolist()
    ali = ibis.memtable(
        pd.DataFrame(
            {
                "country": ["USA", "GBR", "IND", "IND"],
                "year": [2023, 2023, 2022, 2023],
                "ideal_point": [2.5, 2.0, -0.3, -0.25],
            }
        )
    )
    a = alignment_distance(ali, year=2024, importer=["USA", "GBR"]).to_pandas().set_index("country")
    assert a.loc["IND", "un_year"] == 2023
    assert a.loc["IND", "importer_ideal_point"] == pytest.approx(2.25)  # the members' mean
    assert a.loc["IND", "ideal_point_distance"] == pytest.approx(2.5)
    geo = ibis.memtable(
        pd.DataFrame({"origin": ["JPN", "JPN"], "destination": ["USA", "DEU"], "distw_km": [10000.0, 9000.0]})
    )
    one = distance_to(geo, trade(HAND), importer=["USA"], hs6=["00000k"], year=2024).to_pandas()
    assert one.set_index("country").loc["JPN", "distw_km"] == 10000.0
    # group: weighted by imports of k (USA 100, DEU 60)
    two = distance_to(geo, trade(HAND), importer=["USA", "DEU"], hs6=["00000k"], year=2024).to_pandas()
    assert two.set_index("country").loc["JPN", "distw_km"] == pytest.approx((100 * 10000 + 60 * 9000) / 160)
    # none imported: the plain mean
    none = distance_to(geo, trade(HAND), importer=["USA", "DEU"], hs6=["nothing"], year=2024).to_pandas()
    assert none.set_index("country").loc["JPN", "distw_km"] == pytest.approx(9500.0)


def test_normalisations_by_hand() -> None:
    x = np.array([[1.0, 5.0], [2.0, 5.0], [4.0, np.nan]])
    mm = calc_normalise(x, "minmax")
    assert mm[:, 0] == pytest.approx([0.0, 1 / 3, 1.0])
    assert list(mm[:2, 1]) == [0.0, 0.0]  # a constant indicator cannot change a ranking
    assert np.isnan(mm[2, 1])
    z = calc_normalise(x, "zscore")
    assert z[:, 0] == pytest.approx((x[:, 0] - 7 / 3) / np.std(x[:, 0]))
    r = calc_normalise(np.array([[3.0], [1.0], [3.0]]), "rank")
    assert r[:, 0] == pytest.approx([0.75, 0.0, 0.75])  # ties averaged


def test_composite_and_ranks_by_hand() -> None:
    x = np.array([[0.0, 10.0], [1.0, 0.0], [0.5, np.nan]])
    score = calc_composite(x, np.array([0.5, 0.5]), np.array([1.0, -1.0]), "minmax")
    # row 0: (0 + 0) / 1; row 1: (1 + 1) / 2; row 2: only the first indicator, 0.5
    assert score == pytest.approx([0.0, 1.0, 0.5])
    assert list(calc_ranks(score)) == [3, 1, 2]
    assert list(calc_ranks(np.array([1.0, 2.0, 2.0, np.nan]))) == [3, 1, 2, 4]  # ties by input order


# --- properties ---------------------------------------------------------------------------------

indicator_rows = st.lists(
    st.lists(st.floats(-100, 100, allow_nan=False), min_size=6, max_size=6), min_size=2, max_size=12
)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_rows, st.floats(0.01, 100.0), st.sampled_from(["minmax", "zscore", "rank"]), st.randoms())
def test_ranking_stable_when_weights_unchanged(
    rows: list[list[float]], factor: float, method: str, rnd: object
) -> None:
    x = np.array(rows)
    w = DEFAULT_WEIGHTS.vector()
    base = calc_ranks(calc_composite(x, w, DIRECTION, method))  # type: ignore[arg-type]
    assert sorted(base) == list(range(1, len(rows) + 1))
    # the same weights written on another scale rank identically
    scaled = calc_ranks(calc_composite(x, w * factor, DIRECTION, method))  # type: ignore[arg-type]
    assert list(scaled) == list(base)
    # and so does a shuffled candidate list (up to exact ties, broken by input order)
    order = list(range(len(rows)))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    again = calc_composite(x[order], w, DIRECTION, method)  # type: ignore[arg-type]
    first = calc_composite(x, w, DIRECTION, method)  # type: ignore[arg-type]
    assert again == pytest.approx(first[order], abs=1e-12)


@settings(max_examples=examples(20), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(indicator_rows, st.sampled_from(["minmax", "zscore", "rank"]))
def test_fixed_weights_and_one_normalisation_give_zero_width(rows: list[list[float]], method: str) -> None:
    x = np.array(rows)
    fixed = Uncertainty(draws=50, seed=3, concentration=None, normalisations=(method,))  # type: ignore[arg-type]
    draws = calc_rank_uncertainty(x, DEFAULT_WEIGHTS.vector(), DIRECTION, fixed)
    p05, p50, p95 = np.percentile(draws, [5, 50, 95], axis=0, method="nearest")
    assert (p05 == p95).all()
    expected = calc_ranks(calc_composite(x, DEFAULT_WEIGHTS.vector(), DIRECTION, method))  # type: ignore[arg-type]
    assert list(p50) == list(expected)


def test_monte_carlo_is_seeded_and_spreads() -> None:
    rng = np.random.default_rng(7)
    x = rng.normal(size=(15, 6))
    u = Uncertainty(draws=200, seed=11)
    a = calc_rank_uncertainty(x, DEFAULT_WEIGHTS.vector(), DIRECTION, u)
    b = calc_rank_uncertainty(x, DEFAULT_WEIGHTS.vector(), DIRECTION, u)
    c = calc_rank_uncertainty(x, DEFAULT_WEIGHTS.vector(), DIRECTION, Uncertainty(draws=200, seed=12))
    assert (a == b).all()
    assert not (a == c).all()
    width = np.percentile(a, 95, axis=0) - np.percentile(a, 5, axis=0)
    assert width.max() > 0  # random weights and normalisations move some ranks
    assert ((a >= 1) & (a <= 15)).all()


# --- weights files ------------------------------------------------------------------------------


def test_weights_from_toml_and_json(tmp_path: Path) -> None:
    toml = tmp_path / "w.toml"
    toml.write_text("[weights]\ncapacity = 2\ngovernance = 1\nalignment = 1\n", "utf-8")
    w = load_weights(toml)
    assert w.vector() == pytest.approx([0.5, 0, 0, 0.25, 0.25, 0])
    js = tmp_path / "w.json"
    js.write_text(json.dumps({"weights": {"capacity": 1, "distance": 1}}), "utf-8")
    assert load_weights(js).vector() == pytest.approx([0.5, 0, 0, 0, 0, 0.5])
    flat = tmp_path / "flat.json"
    flat.write_text(json.dumps({name: 1 for name in INDICATORS}), "utf-8")
    assert load_weights(flat).vector() == pytest.approx([1 / 6] * 6)
    assert DEFAULT_WEIGHTS.vector() == pytest.approx([0.2, 0.1, 0.1, 0.2, 0.2, 0.2])


def test_bad_weights_are_explained(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[weights]\ncapacity = 1\nprestige = 2\n", "utf-8")
    with pytest.raises(SchemaError, match=r"unknown indicator.*prestige"):
        load_weights(bad)
    negative = tmp_path / "neg.toml"
    negative.write_text("[weights]\ncapacity = -1\n", "utf-8")
    with pytest.raises(SchemaError, match="must not be negative"):
        load_weights(negative)
    broken = tmp_path / "broken.toml"
    broken.write_text("[weights\n", "utf-8")
    with pytest.raises(SchemaError, match="cannot be parsed"):
        load_weights(broken)
    with pytest.raises(DataSourceError, match="not found"):
        load_weights(tmp_path / "missing.toml")
    with pytest.raises(UserError, match="at least one weight"):
        Weights(0, 0, 0, 0, 0, 0)
    with pytest.raises(UserError, match="draws"):
        Uncertainty(draws=0)
    with pytest.raises(UserError, match="unknown normalisation"):
        Uncertainty(normalisations=("log",))  # type: ignore[arg-type]


# --- the BACI 2024 permanent-magnet case ---------------------------------------------------------


def raw_exports(sample_data: Path, hs6: str) -> pd.Series:
    """Exports per ISO3 exporter of ``hs6`` with a plain DuckDB query on the raw BACI CSV."""
    folder = sample_data / "baci_critical_materials"
    return (
        duckdb.sql(
            f"""
        select c.country_iso3 as iso3, sum(b.v) as v
        from read_csv('{folder / "BACI_HS17_Y2024_V202601_critical.csv"}', nullstr='NA') b
        join read_csv('{folder / "country_codes_V202601.csv"}') c on b.i = c.country_code
        where b.k = {int(hs6)} group by 1
        """
        )
        .df()
        .set_index("iso3")["v"]
    )


@pytest.fixture(scope="module")
def magnets(duck: object) -> PartnerCandidates:
    return partner_candidates(
        duck.table("trade"),  # type: ignore[attr-defined]
        hs6=["850511"],
        year=2024,
        importer=["USA"],
        exclude=CONCERN,
        coalition=["AUS", "IND", "JPN"],
        governance=duck.table("governance"),  # type: ignore[attr-defined]
        alignment=duck.table("alignment"),  # type: ignore[attr-defined]
        geography=duck.table("geography"),  # type: ignore[attr-defined]
        include=["IND"],
    )


@pytest.mark.published
def test_magnet_candidates_are_real_exporters(magnets: PartnerCandidates, sample_data: Path) -> None:
    table = magnets.to_frame().set_index("candidate")
    raw = raw_exports(sample_data, "850511")
    assert "CHN" not in table.index
    assert "USA" not in table.index
    assert "HKG" not in table.index
    # every row shown carries its raw BACI value and share (Taiwan is "Other Asia, nes" in the raw file)
    shown = [c for c in table.index if c != "TWN"]
    for code in shown:
        assert table.loc[code, "export_kusd"] == pytest.approx(raw[code], rel=1e-12)
        assert table.loc[code, "world_share"] == pytest.approx(raw[code] / raw.sum(), rel=1e-12)
    ex_concern = raw.drop([c for c in CONCERN if c in raw.index]).sum()
    for code in shown:
        assert table.loc[code, "share_ex_concern"] == pytest.approx(raw[code] / ex_concern)
    assert magnets.meta["imports_from_concern_kusd"] == pytest.approx(366341.101 + 80.759)
    # every exporter outside the importer and the countries of concern is a ranked candidate (issue 26)
    qualifying = [c for c in raw.index if c not in CONCERN and c != "USA" and raw[c] > 0]
    assert set(table["n_candidates"]) == {len(qualifying)}
    assert magnets.meta["n_exporters"] == len(qualifying)
    # the 25 best-ranked are shown, ranks 1..25; India is added with its own rank wherever it falls
    top = table[table["rank"] <= 25]
    assert sorted(top["rank"]) == list(range(1, 26))
    assert set(table.index) - set(top.index) <= {"IND"}
    # rank intervals are reported, contain the median and lie within the n candidates
    assert (table["rank_p05"] <= table["rank_median"]).all()
    assert (table["rank_median"] <= table["rank_p95"]).all()
    assert (table["rank_p95"] <= len(qualifying)).all()
    assert (table["rank_p95"] - table["rank_p05"]).max() > 0


@pytest.mark.published
def test_india_appears_with_its_real_figures(magnets: PartnerCandidates, sample_data: Path) -> None:
    ind = magnets.to_frame().set_index("candidate").loc["IND"]
    raw = raw_exports(sample_data, "850511")
    assert ind["export_kusd"] == pytest.approx(raw["IND"], rel=1e-12)
    assert ind["export_kusd"] == pytest.approx(14599.309)
    assert bool(ind["in_coalition"])
    # WGI: mean of the six 2022 estimates, straight from the long CSV
    wgi = pd.read_csv(sample_data / "wgi" / "wgi_long_1996_2022.csv")
    six = wgi[(wgi.iso3 == "IND") & (wgi.year == 2022)]["estimate"]
    assert len(six) == 6
    assert ind["wgi_year"] == 2022
    assert ind["wgi_mean"] == pytest.approx(six.mean(), rel=1e-9)
    # UNGA ideal points of session 78 (2023): IND vs USA
    unga = pd.read_csv(sample_data / "unga_ideal_points" / "IdealpointestimatesAll_Jun2024.csv")
    s78 = unga[unga.session == 78].set_index("iso3c")["IdealPointAll"]
    assert ind["un_year"] == 2023
    assert ind["ideal_point_distance"] == pytest.approx(abs(s78["IND"] - s78["USA"]), rel=1e-9)
    # CEPII population-weighted distance India -> United States
    geo = pd.read_csv(sample_data / "cepii_geodist" / "dist_cepii.csv", sep=";", decimal=",")
    distw = geo[(geo.iso_o == "IND") & (geo.iso_d == "USA")]["distw"].iloc[0]
    assert ind["distw_km"] == pytest.approx(float(str(distw).replace(",", ".")), rel=1e-9)
    assert ind["distw_km"] == pytest.approx(13131.91, abs=0.01)
    assert ind["rca"] > 1  # India has a revealed advantage in magnets within the basket
    assert 1 <= ind["rank_p05"] <= ind["rank_median"] <= ind["rank_p95"] <= ind["n_candidates"]
    assert ind["missing"] == ""


def test_magnet_ranking_is_reproducible_and_taiwan_has_no_ideal_point(
    magnets: PartnerCandidates, duck: object
) -> None:
    again = partner_candidates(
        duck.table("trade"),  # type: ignore[attr-defined]
        hs6=["850511"],
        year=2024,
        importer=["USA"],
        exclude=CONCERN,
        coalition=["AUS", "IND", "JPN"],
        governance=duck.table("governance"),  # type: ignore[attr-defined]
        alignment=duck.table("alignment"),  # type: ignore[attr-defined]
        geography=duck.table("geography"),  # type: ignore[attr-defined]
        include=["IND"],
    )
    pd.testing.assert_frame_equal(again.to_frame(), magnets.to_frame())
    twn = magnets.to_frame().set_index("candidate").loc["TWN"]
    assert twn["missing"] == "alignment"  # not a UN member since 1971: older than max_lag
    assert any("alignment for TWN" in note for note in magnets.notes)


def test_fixed_weights_on_real_data_give_zero_width(duck: object) -> None:
    result = partner_candidates(
        duck.table("trade"),  # type: ignore[attr-defined]
        hs6=["850511"],
        year=2024,
        importer=["USA"],
        exclude=CONCERN,
        governance=duck.table("governance"),  # type: ignore[attr-defined]
        top=10,
        uncertainty=Uncertainty(draws=30, concentration=None, normalisations=("zscore",)),
        normalisation="zscore",
    ).to_frame()
    assert (result["rank_p05"] == result["rank_p95"]).all()
    assert list(result["rank_median"]) == list(result["rank"])
    assert any(result["missing"].str.contains("alignment"))  # no alignment table given


def test_regression_rank_is_among_all_candidates_not_a_list_position(duck: object) -> None:
    """Issue 26: "India rank 11 (5-95 % interval 8 to 11)" was India's place among the 11 rows shown.
    A rank, its interval and n are the same whatever number of rows is shown, and a partner named
    with include keeps its true rank."""

    def ranked(top: int | None, include: list[str]) -> pd.DataFrame:
        result = partner_candidates(
            duck.table("trade"),  # type: ignore[attr-defined]
            hs6=["850511"],
            year=2024,
            importer=["USA"],
            exclude=CONCERN,
            governance=duck.table("governance"),  # type: ignore[attr-defined]
            alignment=duck.table("alignment"),  # type: ignore[attr-defined]
            geography=duck.table("geography"),  # type: ignore[attr-defined]
            top=top,
            include=include,
            uncertainty=Uncertainty(draws=100, seed=3),
        )
        frame: pd.DataFrame = result.to_frame().set_index("candidate")
        return frame

    every = ranked(None, [])
    few = ranked(10, ["IND"])
    n = len(every)
    assert set(every["n_candidates"]) == set(few["n_candidates"]) == {n}
    assert sorted(every["rank"]) == list(range(1, n + 1))
    assert set(few.index) == set(every[every["rank"] <= 10].index) | {"IND"}
    assert few["rank"].to_dict()["IND"] > 10  # outside the rows shown, with its true rank
    for column in ("rank", "score", "rank_median", "rank_p05", "rank_p95"):
        assert few[column].to_dict() == pytest.approx(every.loc[few.index, column].to_dict(), nan_ok=True)
