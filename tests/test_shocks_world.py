"""The world's gap, first order: every importer cut off at once (``restriction_world``)."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import UserError
from friendshore.metrics.shocks import restriction_exposure, restriction_world, restriction_world_totals
from helpers import examples

#: One product. A exports 100 to B and 50 to C; C exports 30 to B and 40 to D; D exports 10 to B
#: and 20 to C; B exports 5 to D; E (hit by nobody) exports 25 to F, which A does not supply.
HAND = [
    ("A", "B", 100.0),
    ("A", "C", 50.0),
    ("C", "B", 30.0),
    ("C", "D", 40.0),
    ("D", "B", 10.0),
    ("D", "C", 20.0),
    ("B", "D", 5.0),
    ("E", "F", 25.0),
]


def world(rows: list[tuple[str, str, float]]) -> ibis.Table:
    return ibis.memtable(
        pd.DataFrame(
            {
                "year": [2024] * len(rows),
                "exporter": [r[0] for r in rows],
                "importer": [r[1] for r in rows],
                "hs6": ["000001"] * len(rows),
                "value_kusd": [r[2] for r in rows],
            }
        )
    )


def test_world_gap_by_hand() -> None:
    (totals,) = restriction_world_totals(world(HAND), exporters=["A"]).to_pandas().to_dict("records")
    # B and C are hit (150 at risk). The pool: suppliers neither restricting nor hit (D, E) selling to
    # importers not hit (D, F): E's 25 to F (D sells only to B and C, both hit)
    assert totals["value_at_risk_kusd"] == 150
    assert totals["capacity_kusd"] == pytest.approx(25)
    assert totals["filled_kusd"] == pytest.approx(25)
    assert totals["unmet_kusd"] == pytest.approx(125)
    # everything the others sell: 30 + 40 + 10 + 20 + 5 + 25 = 130
    assert totals["others_exports_kusd"] == pytest.approx(130)
    assert totals["unmet_if_all_redirected_kusd"] == pytest.approx(20)
    assert totals["n_importers"] == 2
    importers = restriction_world(world(HAND), exporters=["A"]).to_pandas().set_index("importer")
    # the 25 filled is split by the share of the value at risk: B 100/150, C 50/150
    assert importers.loc["B", "filled_kusd"] == pytest.approx(25 * 100 / 150)
    assert importers.loc["C", "unmet_kusd"] == pytest.approx(50 - 25 * 50 / 150)
    assert importers["unmet_kusd"].sum() == pytest.approx(125)
    assert importers.loc["B", "unmet_share"] == pytest.approx((100 - 25 * 100 / 150) / 140)


def test_world_gap_needs_the_restricting_exporters() -> None:
    with pytest.raises(UserError, match="restricting exporters"):
        restriction_world_totals(world(HAND), exporters=None)  # type: ignore[arg-type]


names = st.sampled_from(["A", "B", "C", "D", "E", "F"])


@settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(names, names, st.floats(1.0, 100.0)), min_size=2, max_size=14),
    st.floats(0.1, 1.0),
)
def test_the_world_gap_is_never_below_the_largest_single_importers_gap(
    rows: list[tuple[str, str, float]], share: float
) -> None:
    """The pool every importer shares is part of each importer's own capacity in the single view,
    and the value at risk of the world holds each importer's: ``A - min(A, K) >= a_m - min(a_m, K_m)``."""
    flows = [r for r in rows if r[0] != r[1]]
    if not any(r[0] == "A" for r in flows):
        return
    table = world(flows)
    single = restriction_exposure(table, exporters=["A"], share=share).to_pandas()
    totals = restriction_world_totals(table, exporters=["A"], share=share).to_pandas()
    if single.empty:
        return
    assert totals["unmet_kusd"].iloc[0] >= single["unmet_kusd"].max() - 1e-9
    assert totals["unmet_kusd"].iloc[0] >= totals["unmet_if_all_redirected_kusd"].iloc[0] - 1e-9
    assert totals["unmet_kusd"].iloc[0] <= totals["value_at_risk_kusd"].iloc[0] + 1e-9
