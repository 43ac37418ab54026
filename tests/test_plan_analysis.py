"""The plan analysis and ``friendshore plan`` on the real BACI sample: permanent magnets, the
Pax Silica coalition at 2026-03-01 led by the US, China's supply cut by half."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from friendshore.analyses.plan import plan
from friendshore.analyses.result import Result
from friendshore.errors import InfeasibleError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.groups import resolve
from friendshore.planning.plan_file import example_path
from friendshore.settings import Settings, load_settings

pytestmark = pytest.mark.xdist_group("plan")


@pytest.fixture(scope="module")
def settings(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


@pytest.fixture(scope="module")
def magnets(settings: Settings) -> Result:
    return plan(settings, example="magnets")


def test_four_strategies_and_reshoring_costs_at_least_friendshoring(magnets: Result) -> None:
    rows = {r["strategy"]: r for r in magnets.rows()}
    assert list(rows) == ["status_quo", "reshoring", "friendshoring", "open"]
    assert rows["status_quo"]["status"] == "no action"
    assert rows["status_quo"]["total_cost_usd"] == 0.0
    assert rows["status_quo"]["shortfall_share"] > 0  # doing nothing leaves demand unmet
    for name in ("reshoring", "friendshoring", "open"):
        assert rows[name]["status"] == "optimal"
        assert rows[name]["shortfall_share"] == 0.0
        assert rows[name]["concern_share_after"] <= rows[name]["target_concern_share"] + 1e-9
    assert (
        rows["reshoring"]["total_cost_usd"]
        >= rows["friendshoring"]["total_cost_usd"]
        >= rows["open"]["total_cost_usd"]
        > 0
    )
    assert magnets.parameters["products"] == ["850511"]  # the sample has no 280530 or 284690
    assert any("280530, 284690" in n for n in magnets.notes)


def test_concern_share_before_from_the_raw_baci_file(magnets: Result, sample_data: Path) -> None:
    """Recomputed from the raw parquet: the members' imports of 850511 from outside the coalition,
    in tonnes, share from the countries of concern (the planner imputes the few missing tonnes)."""
    members = set(resolve("pax-silica", __import__("datetime").date(2026, 3, 1)))
    concern = set(resolve("countries-of-concern", __import__("datetime").date(2026, 3, 1))) - members
    t = pq.read_table(sample_data / "baci_critical_materials" / "baci_hs17_v202601_2024_critical31.parquet")
    t = t.filter(pc.equal(t["hs6"], "850511")).to_pandas()
    t = t[t["importer"].isin(members) & ~t["exporter"].isin(members)]
    share = t.loc[t["exporter"].isin(concern), "qty_t"].sum() / t["qty_t"].sum()
    (row,) = [r for r in magnets.rows() if r["strategy"] == "open"]
    assert row["concern_share_before"] == pytest.approx(share, abs=1e-4)
    assert magnets.parameters["coalition"]["members"] == sorted(members)


def test_tables_allocations_members_partners(magnets: Result) -> None:
    tables = magnets.tables
    for name in (
        "allocations",
        "costs_by_member",
        "indicators",
        "duals",
        "partners",
        "products",
        "committed",
    ):
        assert name in tables
    alloc = tables["allocations"].to_pandas()
    assert set(alloc["instrument"]) <= {"offtake", "new_capacity", "new_supply", "stock_bought",
                                        "stock_released", "stock_held"}  # fmt: skip
    resh = alloc[(alloc["strategy"] == "reshoring") & (alloc["country"] != "")]
    assert set(resh["country"]) <= {"USA"}  # reshoring: the lead's own capacity only
    members = tables["costs_by_member"].to_pandas()
    members = members[members["strategy"] != "status_quo"]
    assert set(members["strategy"]) == {"reshoring", "friendshoring", "open"}
    for strategy, group in members.groupby("strategy"):
        total = next(r["total_cost_usd"] for r in magnets.rows() if r["strategy"] == strategy)
        assert group["cost_usd"].sum() == pytest.approx(total, rel=1e-6)
        # burden band 0.5 of the example: each share within +-50% of the GDP share
        assert (group["cost_share"] <= 1.5 * group["gdp_share"] + 1e-9).all()
    partners = tables["partners"].to_pandas()
    friend = partners[partners["strategy"] == "friendshoring"]
    assert len(friend) > 0
    assert {"partner_rank", "wgi_mean", "ideal_point_distance"} <= set(partners.columns)
    assert tables["committed"].num_rows == 0


def test_infeasible_plan_raises_naming_constraints(settings: Settings, tmp_path: Path) -> None:
    text = example_path("magnets").read_text()
    text = text.replace(
        "start = 2028                         # two years", "start = 2026                         # no"
    )
    text = text.replace("concern_share = 0.3 ", "concern_share = 0.0 ").replace("from = 2031", "from = 2026")
    path = tmp_path / "tight.toml"
    path.write_text(text)
    with pytest.raises(InfeasibleError) as caught:
        plan(settings, plan=path, strategy="reshoring", partner_attributes=False)
    assert "850511 in 2026" in str(caught.value)


def test_cli_json_has_the_fields_per_strategy(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--home", str(sample_home), "plan", "--example", "gallium-germanium", "--strategy", "friendshoring",
                "--format", "json"])  # fmt: skip
    out = capsys.readouterr().out
    assert code == 0
    rows = json.loads(out)
    assert [r["strategy"] for r in rows] == ["status_quo", "friendshoring"]
    for r in rows:
        for key in ("strategy", "status", "total_cost_usd", "concern_share_before", "concern_share_after",
                    "target_concern_share", "hhi_before", "hhi_after"):  # fmt: skip
            assert key in r


def test_cli_errors_are_one_line(
    sample_home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[coalition]\nmembers = 'quad'\n")
    assert run(["--home", str(sample_home), "plan", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err
    assert "lead" in err or "field" in err
    assert run(["--home", str(sample_home), "plan", "--example", "nope"]) == 2
    assert run(["--home", str(sample_home), "plan"]) == 2


REGISTERED_PLANT = """
[[source]]
id = "test-magnet-report"
publisher = "Test Institute"
title = "A magnet plant"
date = 2025-01-01

[[investment]]
id = "test-usa-magnet-plant"
company = "Test Magnets"
country = "USA"
facility = "magnet-plant"
technology = "magnets-motors"
products = ["850511"]
announced = 2025-01-01
operation_start = 2027-01-01
status = "under-construction"
capacity_per_year = 5000
capacity_unit = "t"
sources = ["test-magnet-report"]
verified = false
note = "A test entry."

[[investment]]
id = "test-usa-wafer-fab"
company = "Test Chips"
country = "USA"
facility = "fab"
technology = "semiconductors"
products = ["850511"]
announced = 2025-01-01
operation_start = 2027-01-01
status = "under-construction"
capacity_per_year = 1000
capacity_unit = "wafers"
sources = ["test-magnet-report"]
verified = false
note = "A test entry."
"""


def test_register_investments_count_as_committed_capacity(
    tmp_path: Path, sample_data: Path, magnets: Result
) -> None:
    """A plant in the register comes on line at its start date; one in another unit is left out, said."""
    from friendshore.register.load import add_register_file
    from friendshore.warehouse.ingest import SOURCES, ingest_source
    from friendshore.warehouse.ingest_baci import ingest_baci

    home = tmp_path / "warehouse"
    ingest_baci(home, [sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv"])
    ingest_source(home, "wdi-gdp", sample_data / SOURCES["wdi-gdp"].sample[0])
    entry = tmp_path / "plant.toml"
    entry.write_text(REGISTERED_PLANT, "utf-8")
    add_register_file(entry, home)
    result = plan(
        load_settings(home=home, sample_data=sample_data), example="magnets", partner_attributes=False
    )
    committed = {r["source_id"]: r for r in result.tables["committed"].to_pylist()}
    assert set(committed) == {"register:test-usa-magnet-plant"}
    plant = committed["register:test-usa-magnet-plant"]
    assert (plant["capacity"], plant["unit"], plant["first_year"], plant["counted"]) == (
        5000,
        "t",
        2027,
        True,
    )
    assert "Test Institute" in plant["citation"]
    assert any("test-usa-wafer-fab" in n and "wafers" in n for n in result.notes)
    with_plant = {r["strategy"]: r["total_cost_usd"] for r in result.rows()}
    without = {r["strategy"]: r["total_cost_usd"] for r in magnets.rows()}
    for name in ("reshoring", "friendshoring", "open"):  # more supply on offer never costs more
        assert with_plant[name] <= without[name] * (1 + 1e-9)
