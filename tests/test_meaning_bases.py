"""Every share says its base and every number its source year (issue 26), in the Result and in print."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pyarrow as pa
import pytest

from friendshore.analyses.dependencies import chokepoints, dependencies
from friendshore.analyses.flows import flows, suppliers
from friendshore.analyses.leverage import leverage
from friendshore.analyses.partners import partners, reshoring
from friendshore.analyses.result import Column, Result
from friendshore.interfaces.render import render_result
from friendshore.reporting.format import column_heading, describe_column, format_cell
from friendshore.settings import Settings, load_settings


@pytest.fixture(scope="module")
def sample(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


@pytest.fixture(scope="module")
def results(sample: Settings) -> dict[str, Result]:
    return {
        "dependencies": dependencies(sample, importer="USA", concern="CHN", sector="critical-minerals"),
        "dependencies by group": dependencies(sample, importer="eu27", concern="CHN"),
        "chokepoints": chokepoints(sample),
        "exposure": chokepoints(sample, exposure=True),
        "partners": partners(sample, importer="USA", product="850511", draws=50),
        "reshoring": reshoring(sample, importer="USA", sector="critical-minerals"),
        "leverage": leverage(sample, concern="USA", holder="CHN", product="850511"),
        "leverage by holder": leverage(
            sample, concern="USA", holder="CHN", product="850511", per_holder=True
        ),
        "suppliers": suppliers(sample, importer="USA", product="850511"),
        "flows": flows(sample, product="850511"),
    }


def test_every_share_column_states_its_base(results: dict[str, Result]) -> None:
    """Issue 26: one product was 74.5 % (US imports, by value) in one place and 83.2 % (the coalition's
    imports from outside it, by tonnes) in another, neither saying its base."""
    for name, result in results.items():
        for column in result.described_columns():
            if column.unit == "share" and column.name in result.key_columns():
                assert column.basis, f"{name}: share column '{column.name}' has no base"
                assert "value" in column.basis or "count" in column.basis or "tonnes" in column.basis, (
                    name,
                    column.name,
                )
        assert all("basis" in c for c in result.meta()["columns"])


def test_bases_name_whose_total(results: dict[str, Result]) -> None:
    dep = results["dependencies"].column("top_share")
    assert dep.basis == "United States' imports of the product, by value"
    group = results["dependencies by group"].column("top_share")
    assert group.basis == "European Union's imports of the product from outside the group, by value"
    assert "world exports" in results["chokepoints"].column("top_share").basis
    assert "countries of concern" in results["reshoring"].column("home_share").basis
    assert results["suppliers"].column("share").basis.startswith("United States' imports")
    assert results["flows"].column("share").basis.startswith("world trade")


def test_partner_source_years_travel_with_the_result(results: dict[str, Result]) -> None:
    """Issue 26: WGI 2022, GeoDist 2011 and UNGA 2023 were mixed silently under a 2024 title."""
    result = results["partners"]
    assert result.parameters["year"] == 2024
    assert result.column("wgi_mean").year_column == "wgi_year"
    assert result.column("ideal_point_distance").year_column == "un_year"
    assert result.column("distw_km").year == 2011  # the GeoDist release the warehouse holds
    assert {r["wgi_year"] for r in result.rows()} == {2022}
    out = io.StringIO()
    render_result(result, "table", stdout=out)
    text = out.getvalue()
    assert "distance (2011)" in text  # a column of another year says it in its heading
    assert "(2022)" in text  # each WGI cell says its year
    assert "(2023)" in text  # and each UNGA distance
    meta = {c["name"]: c for c in result.meta()["columns"]}
    assert meta["distw_km"]["year"] == 2011
    assert meta["wgi_mean"]["year_column"] == "wgi_year"


def test_formatting_rules_by_hand() -> None:
    wgi = Column("wgi_mean", "WGI (mean)", "index", year_column="wgi_year")
    assert format_cell(0.4123, wgi, {"wgi_mean": 0.4123, "wgi_year": 2022}, 2024) == "0.412 (2022)"
    assert format_cell(0.4123, wgi, {"wgi_mean": 0.4123, "wgi_year": 2024}, 2024) == "0.412"
    assert format_cell(None, wgi, {"wgi_mean": None, "wgi_year": 2022}, 2024) == ""
    assert format_cell(0.4123, wgi, {"wgi_mean": 0.4123, "wgi_year": 2022}, None) == "0.412"
    own = Column("production_share", "share", "share")  # <name>_year by convention
    assert format_cell(0.671, own, {"production_share": 0.671, "production_share_year": 2021}, 2024) == (
        "67.1 % (2021)"
    )
    dist = Column("distw_km", "distance", "km", year=2011)
    assert column_heading(dist, 2024) == "distance (2011)"
    assert column_heading(dist, 2011) == "distance"
    share = Column(
        "top_share", "top share", "share", description="the top supplier's share", basis="X, by value"
    )
    assert describe_column(share) == "the top supplier's share; share of X, by value"


def test_table_caption_says_what_shares_are_of(results: dict[str, Result]) -> None:
    out = io.StringIO()
    render_result(results["dependencies"], "table", stdout=out)
    assert "top share: share of United States' imports of the product, by value" in out.getvalue()
    out = io.StringIO()
    render_result(results["dependencies"], "json", with_meta=True, stdout=out)
    meta = {c["name"]: c for c in json.loads(out.getvalue())["meta"]["columns"]}
    assert meta["top_share"]["basis"] == "United States' imports of the product, by value"


def test_render_keeps_plain_tables_working() -> None:
    table = pa.table({"a": [1.0], "b": ["x"]})
    result = Result("t", "t", table, {"year": 2024})
    out = io.StringIO()
    render_result(result, "table", stdout=out)
    assert "x" in out.getvalue()
