"""One rule per idea (issue 11, item 5): every method that ranks suppliers breaks a tie the same way,
and every method that reads WGI or ideal points picks the same year for a country. A method that
grows a rule of its own fails here."""

from __future__ import annotations

import ibis
import pandas as pd
import pytest

from friendshore.analyses.reproductions.risk import _top
from friendshore.metrics.chips import chip_country_shares
from friendshore.metrics.dependence import chokepoints, dependence_screen, import_dependence
from friendshore.metrics.parameters import INDICATOR_MAX_LAG
from friendshore.metrics.partners import alignment_distance, governance_index
from friendshore.metrics.rules import top_of
from friendshore.metrics.supply_risk import alignment_scores, hhi_weighted, wgi_scores

# KOR and JPN supply exactly as much: the rule gives the tie to the later ISO3 code, KOR.
TIED = pd.DataFrame(
    [
        (2024, "JPN", "USA", "854231", 40.0),
        (2024, "KOR", "USA", "854231", 40.0),
        (2024, "DEU", "USA", "854231", 20.0),
    ],
    columns=["year", "exporter", "importer", "hs6", "value_kusd"],
)
WINNER = "KOR"


def test_every_supplier_ranking_breaks_a_tie_the_same_way() -> None:
    trade = ibis.memtable(TIED)
    found = {
        "import_dependence": import_dependence(trade, importer=["USA"], year=2024)
        .to_pandas()
        .top_supplier[0],
        "dependence_screen": dependence_screen(trade, year=2024).to_pandas().top_supplier[0],
        "chokepoints": chokepoints(trade, year=2024).to_pandas().top_exporter[0],
    }
    shares = ibis.memtable(
        pd.DataFrame(
            {
                "m": ["x"] * 3,
                "supplier": ["JPN", "KOR", "DEU"],
                "share": [0.4, 0.4, 0.2],
                "score": [1.0] * 3,
                "t": [1.0] * 3,
            }
        )
    )
    found["supply_risk.hhi_weighted"] = hhi_weighted(shares, by=["m"]).to_pandas().top_supplier[0]
    provision = ibis.memtable(
        pd.DataFrame(
            {
                "input_id": ["N1"] * 3,
                "provider_type": ["country"] * 3,
                "country": ["JPN", "KOR", "DEU"],
                "share": [0.4, 0.4, 0.2],
                "year": [2022] * 3,
            }
        )
    )
    ranks = chip_country_shares(provision).to_pandas().set_index("country")["rank"]
    found["chips.chip_country_shares"] = ranks.idxmin()
    found["rules.top_of"] = (top_of({"JPN": 0.4, "KOR": 0.4, "DEU": 0.2}) or ("", 0.0))[0]
    found["reproductions_risk._top"] = _top({"JPN": 0.4, "KOR": 0.4, "DEU": 0.2, "_source": "x"})[0]
    assert found == dict.fromkeys(found, WINNER)


def _governance() -> ibis.Table:
    # AAA: 2022 (two indicators); BBB: only 2020; CCC: only 2015 (too old for 2024); DDD: 2024 too late
    rows = [
        ("AAA", 2021, "VA", 9.0),
        ("AAA", 2022, "VA", 1.0),
        ("AAA", 2022, "GE", 2.0),
        ("BBB", 2020, "VA", -1.0),
        ("CCC", 2015, "VA", 0.5),
        ("DDD", 2022, "VA", 0.0),
        ("DDD", 2025, "VA", 2.0),
    ]
    frame = pd.DataFrame(rows, columns=["country", "year", "indicator", "estimate"])
    frame["release"] = "2023-update"
    return ibis.memtable(frame)


def test_supply_risk_and_partners_read_the_same_wgi_year_and_value() -> None:
    gov = _governance()
    risk = wgi_scores(gov, year=2024).to_pandas().set_index("country").sort_index()
    part = governance_index(gov, year=2024).to_pandas().set_index("country").sort_index()
    assert list(risk.index) == list(part.index) == ["AAA", "BBB", "DDD"]  # CCC is older than 5 years
    assert list(risk["wgi_year"]) == list(part["wgi_year"]) == [2022, 2020, 2022]  # each its own year
    assert list(risk["wgi_mean"]) == pytest.approx(list(part["wgi_mean"]))
    assert risk.loc["AAA", "wgi_mean"] == pytest.approx(1.5)
    assert risk.loc["AAA", "wgi_score"] == pytest.approx((2.5 - 1.5) * 2)
    assert INDICATOR_MAX_LAG == 5


def test_supply_risk_and_partners_read_the_same_ideal_points() -> None:
    frame = pd.DataFrame(
        [
            ("USA", 2023, 2.5),
            ("IND", 2021, -0.3),  # IND's latest is 2021: both methods use it
            ("TWN", 1971, 1.0),  # far too old: missing for both
            ("CHN", 2023, -0.8),
        ],
        columns=["country", "year", "ideal_point"],
    )
    frame["release"] = "Jun2024"
    alignment = ibis.memtable(frame)
    risk = alignment_scores(alignment, importer=["USA"], year=2024).to_pandas().set_index("country")
    part = alignment_distance(alignment, importer=["USA"], year=2024).to_pandas().set_index("country")
    assert sorted(risk.index) == sorted(part.index) == ["CHN", "IND", "USA"]
    assert (
        risk["alignment_year"].to_dict()
        == part["un_year"].to_dict()
        == {"USA": 2023, "IND": 2021, "CHN": 2023}
    )
    assert risk["ideal_point"].to_dict() == part["ideal_point"].to_dict()
    # the distances agree up to the 0-10 rescaling of supply risk (spread 2.5 - (-0.8) = 3.3)
    for country in risk.index:
        assert risk.loc[country, "alignment_score"] == pytest.approx(
            part.loc[country, "ideal_point_distance"] * 10 / 3.3
        )
