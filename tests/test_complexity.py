"""Capability metrics: hand-computed RCA and shares, properties, and agreement with the Growth
Lab's ``ecomplexity`` (test-only reference) on random matrices and on the BACI 2024 sample."""

from __future__ import annotations

import warnings
from pathlib import Path

import ibis
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from friendshore.errors import ConvergenceError, UserError
from friendshore.metrics.complexity import (
    calc_density,
    calc_eci_pci,
    calc_proximity,
    complexity,
    density,
    diversity,
    market_shares,
    proximity,
    revealed_advantage,
    ubiquity,
)
from friendshore.settings import load_settings
from friendshore.warehouse import connect
from helpers import examples

COLUMNS = ["year", "exporter", "importer", "hs6", "value_kusd"]
TOL = 1e-6


def trade(rows: list[tuple[int, str, str, str, float]]) -> ibis.Table:
    return ibis.memtable(pd.DataFrame(rows, columns=COLUMNS))


@pytest.fixture(scope="module")
def duck(sample_home: Path) -> object:
    return connect(load_settings(home=sample_home, backend="duckdb"))


def reference(exports: pd.DataFrame) -> pd.DataFrame:
    """``ecomplexity`` on ``year, exporter, hs6, v`` (its pandas warnings silenced)."""
    from ecomplexity import ecomplexity

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(
            exports,
            {"time": "year", "loc": "exporter", "prod": "hs6", "val": "v"},
            verbose=False,
            check_logsupermodularity=False,
        )


# --- hand-computed ------------------------------------------------------------------------------

# A exports p 30 (to X 20, to Y 10) and q 10; B exports p 20 and q 40. World 100.
HAND = [
    (2024, "A", "X", "p00001", 20.0),
    (2024, "A", "Y", "p00001", 10.0),
    (2024, "A", "X", "q00002", 10.0),
    (2024, "B", "X", "p00001", 20.0),
    (2024, "B", "Y", "q00002", 40.0),
]


def test_rca_by_hand() -> None:
    out = revealed_advantage(trade(HAND), year=2024).to_pandas().set_index(["country", "hs6"]).sort_index()
    # RCA_Ap = (30/40) / (50/100) = 1.5; RCA_Aq = (10/40)/0.5 = 0.5; RCA_Bp = (20/60)/0.5; RCA_Bq = (40/60)/0.5
    assert out.loc[("A", "p00001"), "rca"] == pytest.approx(1.5)
    assert out.loc[("A", "q00002"), "rca"] == pytest.approx(0.5)
    assert out.loc[("B", "p00001"), "rca"] == pytest.approx(2 / 3)
    assert out.loc[("B", "q00002"), "rca"] == pytest.approx(4 / 3)
    assert out.loc[("A", "p00001"), "export_kusd"] == 30.0
    assert out.loc[("A", "p00001"), "world_share"] == pytest.approx(0.6)
    assert list(out["present"]) == [True, False, False, True]
    div = diversity(revealed_advantage(trade(HAND), year=2024)).to_pandas().set_index("country")
    ubi = ubiquity(revealed_advantage(trade(HAND), year=2024)).to_pandas().set_index("hs6")
    assert div["diversity"].to_dict() == {"A": 1, "B": 1}
    assert ubi["ubiquity"].to_dict() == {"p00001": 1, "q00002": 1}


def test_market_shares_and_growth_by_hand() -> None:
    rows = [
        (2023, "A", "X", "p00001", 10.0),
        (2023, "B", "X", "p00001", 30.0),
        (2024, "A", "X", "p00001", 30.0),
        (2024, "B", "X", "p00001", 30.0),
        (2024, "C", "X", "p00001", 40.0),
    ]
    out = market_shares(trade(rows)).to_pandas().set_index(["year", "country"])
    assert out.loc[(2024, "A"), "world_share"] == pytest.approx(0.3)
    assert out.loc[(2024, "A"), "share_change"] == pytest.approx(0.3 - 0.25)
    assert out.loc[(2024, "B"), "share_change"] == pytest.approx(0.3 - 0.75)
    assert out.loc[(2024, "C"), "share_change"] == pytest.approx(0.4)  # new exporter: previous share 0
    assert out.loc[(2024, "A"), "export_growth"] == pytest.approx(2.0)
    assert out.loc[(2024, "B"), "export_growth"] == pytest.approx(0.0)
    assert pd.isna(out.loc[(2024, "C"), "export_growth"])
    assert out.loc[(2024, "A"), "prev_year"] == 2023
    assert pd.isna(out.loc[(2023, "A"), "prev_year"])  # 2022 is not loaded
    assert pd.isna(out.loc[(2023, "A"), "share_change"])
    only = market_shares(trade(rows), year=2024).to_pandas()
    assert set(only["year"]) == {2024}
    assert only.set_index("country").loc["A", "share_change"] == pytest.approx(0.05)


def test_proximity_and_density_by_hand() -> None:
    m = np.array([[1, 1, 0], [1, 0, 1], [0, 1, 1], [1, 1, 1]], dtype=float)
    phi = calc_proximity(m)
    # products 0 and 1 are both present in countries 0 and 3: 2 / max(3, 3)
    assert phi[0, 1] == pytest.approx(2 / 3)
    assert np.allclose(np.diag(phi), 1.0)
    assert np.allclose(phi, phi.T)
    dens = calc_density(m, phi)
    # country 1 lacks product 1: (phi_01 + phi_21) / (phi_01 + phi_11 + phi_21)
    assert dens[1, 1] == pytest.approx((2 / 3 + 2 / 3) / (2 / 3 + 1 + 2 / 3))
    assert np.all((dens >= 0) & (dens <= 1))


def test_disconnected_network_has_no_eci() -> None:
    rows = [(2024, c, "X", p, 10.0) for c in ("A", "B") for p in ("p00001", "p00002")]
    rows += [(2024, c, "X", p, 10.0) for c in ("C", "D") for p in ("p00003", "p00004")]
    with pytest.raises(ConvergenceError, match="disconnected"):
        complexity(trade(rows), year=2024)


def test_sign_without_correlation_is_reported() -> None:
    """A symmetric matrix whose ECI is uncorrelated with diversity: the Atlas convention cannot
    fix the sign, so a warning is logged and a deterministic fallback is used."""
    import logging

    m = np.array(
        [[0, 1, 0, 1], [1, 0, 0, 0], [0, 1, 1, 0], [0, 1, 1, 0], [0, 0, 0, 1], [1, 0, 1, 0]], dtype=float
    )
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("friendshore.metrics.complexity")
    logger.addHandler(handler)
    try:
        eci, pci, _, _ = calc_eci_pci(m)
    finally:
        logger.removeHandler(handler)
    assert any("not fixed" in r.getMessage() for r in records)
    assert abs(np.corrcoef(m.sum(axis=1), eci)[0, 1]) < 1e-9
    assert pci.std() > 0
    again, _, _, _ = calc_eci_pci(m[::-1])  # the same countries in another order
    assert again[::-1] == pytest.approx(eci)


def test_bad_inputs_are_explained() -> None:
    with pytest.raises(UserError, match="threshold"):
        revealed_advantage(trade(HAND), threshold=0)
    with pytest.raises(UserError, match="no exports in 2020"):
        complexity(trade(HAND), year=2020)
    with pytest.raises(UserError, match="at least two"):
        calc_eci_pci(np.array([[1.0]]))


# --- properties ---------------------------------------------------------------------------------

flows = st.lists(
    st.tuples(
        st.sampled_from(["AAA", "BBB", "CCC", "DDD", "EEE"]),
        st.sampled_from(["000001", "000002", "000003", "000004"]),
        st.floats(0.01, 1e6),
    ),
    min_size=2,
    max_size=20,
)


@settings(max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(flows, st.floats(0.001, 1000.0), st.randoms())
def test_rca_invariant_to_scale_and_order(
    values: list[tuple[str, str, float]], scale: float, rnd: object
) -> None:
    base = revealed_advantage(trade([(2024, c, "ZZZ", p, v) for c, p, v in values]), year=2024)
    shuffled = list(values)
    rnd.shuffle(shuffled)  # type: ignore[attr-defined]
    other = revealed_advantage(trade([(2024, c, "ZZZ", p, v * scale) for c, p, v in shuffled]), year=2024)
    a = base.to_pandas().sort_values(["country", "hs6"]).reset_index(drop=True)
    b = other.to_pandas().sort_values(["country", "hs6"]).reset_index(drop=True)
    assert a["rca"].to_numpy() == pytest.approx(b["rca"].to_numpy(), rel=1e-9)
    assert a["world_share"].to_numpy() == pytest.approx(b["world_share"].to_numpy(), rel=1e-9)
    clear = (a["rca"] - 1).abs() > 1e-9
    assert (a["present"][clear] == b["present"][clear]).all()
    # every exporter has an advantage somewhere, every product somewhere (sum identities). Where
    # the best RCA is 1 in exact arithmetic (one exporter of one product), the sums of the same
    # values in another order can give 0.9999999999999999, so 'somewhere' is up to that rounding.
    near = a.assign(near=a["rca"] >= 1 - 1e-9)
    assert near.groupby("country")["near"].any().all()
    assert near.groupby("hs6")["near"].any().all()


matrices = st.integers(0, 2**32 - 1).map(lambda seed: np.random.default_rng(seed))


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices, st.integers(6, 14), st.integers(4, 9))
def test_agrees_with_ecomplexity_on_random_matrices(rng: np.random.Generator, n_c: int, n_p: int) -> None:
    """Mostly more countries than products: the eigenvector of the product matrix."""
    _agrees_on_random(rng, n_c, n_p)


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(matrices, st.integers(5, 9), st.integers(12, 24))
def test_agrees_with_ecomplexity_on_wide_random_matrices(
    rng: np.random.Generator, n_c: int, n_p: int
) -> None:
    """More products than countries (as in full BACI): the eigenvector of the small country matrix."""
    _agrees_on_random(rng, n_c, n_p)


def _agrees_on_random(rng: np.random.Generator, n_c: int, n_p: int) -> None:
    values = rng.lognormal(3.0, 2.0, size=(n_c, n_p)) * (rng.random((n_c, n_p)) < 0.7)
    rows = [
        (2024, f"C{i:02d}", "ZZZ", f"{j:06d}", float(values[i, j]))
        for i in range(n_c)
        for j in range(n_p)
        if values[i, j] > 0
    ]
    try:
        ours = complexity(trade(rows), year=2024)
    except (ConvergenceError, UserError):
        assume(False)
        return
    countries = ours.to_frame("country")
    # the sign convention needs ECI to be correlated with diversity at all
    # (when all countries have the same diversity the correlation is undefined: skip that draw)
    assume(countries["diversity"].nunique() > 1 and countries["eci"].std() > 0)
    assume(abs(np.corrcoef(countries["diversity"], countries["eci"])[0, 1]) > 1e-6)
    ref = reference(pd.DataFrame(rows, columns=COLUMNS).rename(columns={"value_kusd": "v"}))
    compare(ours, ref)


def compare(ours: object, ref: pd.DataFrame) -> dict[str, float]:
    """Max abs differences of every output; asserts each is below ``TOL``."""
    from friendshore.metrics.complexity import Complexity

    assert isinstance(ours, Complexity)
    cells = ours.to_frame("cell").merge(
        ref, left_on=["country", "hs6"], right_on=["exporter", "hs6"], validate="one_to_one"
    )
    assert len(cells) == len(ours.cells) == len(ref)
    by_c = ref.groupby("exporter")[["eci", "coi", "diversity"]].first()
    by_p = ref.groupby("hs6")[["pci", "ubiquity"]].first()
    c = ours.to_frame("country").set_index("country").join(by_c.add_suffix("_ref"))
    p = ours.to_frame("product").set_index("hs6").join(by_p.add_suffix("_ref"))
    diffs = {
        "eci": float((c["eci"] - c["eci_ref"]).abs().max()),
        "pci": float((p["pci"] - p["pci_ref"]).abs().max()),
        "coi": float((c["coi"] - c["coi_ref"]).abs().max()),
        "density": float((cells["density_x"] - cells["density_y"]).abs().max()),
        "cog": float((cells["cog_x"] - cells["cog_y"]).abs().max()),
        "rca": float(((cells["rca_x"] - cells["rca_y"]) / cells["rca_y"].clip(lower=1)).abs().max()),
    }
    assert (c["diversity"] == c["diversity_ref"]).all()
    assert (p["ubiquity"] == p["ubiquity_ref"]).all()
    assert (cells["present"] == cells["mcp"].astype(bool)).all()
    for name, diff in diffs.items():
        assert diff < TOL, f"{name} differs from ecomplexity by {diff}"
    return diffs


# --- the BACI 2024 sample ------------------------------------------------------------------------


def test_agrees_with_ecomplexity_on_baci_sample(duck: object) -> None:
    """ECI, PCI, density, COI and COG against ``ecomplexity`` 0.5.3 on BACI HS17 V202601 2024.

    The sample holds only the 31 critical-material codes (30 traded in HS 2017): a technical
    check of the computation, not a measure of complexity. Both results are sign-aligned with
    diversity (ours by construction, ecomplexity's by its own convention).
    """
    t = duck.table("trade")  # type: ignore[attr-defined]
    ours = complexity(t, year=2024)
    assert ours.meta["n_products"] == 30
    assert ours.meta["n_countries"] == 182
    exports = (
        t.filter(t.year == 2024)
        .group_by(["year", "exporter", "hs6"])
        .aggregate(v=t.value_kusd.sum())
        .to_pandas()
    )
    diffs = compare(ours, reference(exports))
    assert max(diffs.values()) < 1e-9  # in practice ~1e-13
    countries = ours.to_frame("country")
    assert np.corrcoef(countries["eci"], countries["diversity"])[0, 1] > 0
    assert ours.eigenvalues[0] == pytest.approx(1.0)
    assert ours.eigenvalues[1] == pytest.approx(0.5757, abs=1e-4)


def test_eci_is_the_mean_pci_of_exported_products(duck: object) -> None:
    result = complexity(duck.table("trade"), year=2024)  # type: ignore[attr-defined]
    cells = result.to_frame("cell")
    pci = result.to_frame("product").set_index("hs6")["pci"]
    mean_pci = (
        cells[cells["present"]].assign(pci=lambda f: f["hs6"].map(pci)).groupby("country")["pci"].mean()
    )
    eci = result.to_frame("country").set_index("country")["eci"]
    assert (mean_pci - eci).abs().max() < 1e-12
    assert eci.mean() == pytest.approx(0.0, abs=1e-12)
    assert eci.std(ddof=0) == pytest.approx(1.0)


def test_own_pci_scale_is_standardised_and_same_order(duck: object) -> None:
    t = duck.table("trade")  # type: ignore[attr-defined]
    growth_lab = complexity(t, year=2024).to_frame("product")["pci"]
    atlas = complexity(t, year=2024, pci_scale="own").to_frame("product")["pci"]
    assert atlas.mean() == pytest.approx(0.0, abs=1e-12)
    assert atlas.std(ddof=0) == pytest.approx(1.0)
    assert np.corrcoef(growth_lab, atlas)[0, 1] == pytest.approx(1.0)


def test_ibis_proximity_and_density_equal_the_kernel(duck: object) -> None:
    t = duck.table("trade")  # type: ignore[attr-defined]
    result = complexity(t, year=2024)
    rca = revealed_advantage(t, year=2024)
    ibis_density = density(rca).to_pandas()
    merged = ibis_density.merge(result.to_frame("cell"), on=["country", "hs6"], validate="one_to_one")
    assert len(merged) == len(result.cells)
    assert (merged["density_x"] - merged["density_y"]).abs().max() < 1e-12
    subset = density(rca, hs6=["850511"]).to_pandas()
    assert set(subset["hs6"]) == {"850511"}
    assert len(subset) == result.meta["n_countries"]
    phi = proximity(rca).to_pandas()
    products = result.to_frame("product")["hs6"].tolist()
    m = result.to_frame("cell").pivot(index="country", columns="hs6", values="present").astype(float)
    kernel = pd.DataFrame(calc_proximity(m[products].to_numpy()), index=products, columns=products)
    got = phi.pivot(index="hs6_1", columns="hs6_2", values="proximity").reindex(
        index=products, columns=products
    )
    assert np.allclose(got.fillna(0.0).to_numpy(), kernel.to_numpy(), atol=1e-12)
