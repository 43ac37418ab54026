"""Unknown is not zero (issue 26): every analysis asked about India with only China's chip imports loaded.

The warehouse of ``chips_home`` holds China's imports of chip codes (BACI HS07, every exporter, one
importer) and the UNSD concordance: India's imports of those codes are not loaded, India's exports
are loaded only as China's imports from India, and no world total is loaded. Each analysis must
say so: null values with a note naming the products, never a 0 and never "no imports by 'IND'".
"""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from friendshore.analyses.chips import chips
from friendshore.analyses.complexity import complexity
from friendshore.analyses.dependencies import chokepoints, dependencies
from friendshore.analyses.flows import flows, suppliers
from friendshore.analyses.leverage import leverage
from friendshore.analyses.partners import partners, reshoring
from friendshore.analyses.result import Result
from friendshore.errors import UserError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.taxonomy import sector_codes
from friendshore.settings import Settings, load_settings

SEMIS = sector_codes("semiconductors")
NOT_LOADED = re.compile(r"India's imports of .* in 2024 are not loaded")


@pytest.fixture(scope="module")
def china_only(chips_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=chips_home, sample_data=sample_data)


def _said(result: Result, pattern: re.Pattern[str]) -> bool:
    return any(pattern.search(n) for n in result.notes)


def _no_false_zero(result: Result) -> None:
    for note in result.notes:
        assert "no imports by" not in note


def test_dependencies_of_india_are_null_not_zero(china_only: Settings) -> None:
    result = dependencies(china_only, importer="IND", sector="semiconductors", year=2024)
    rows = result.rows()
    assert sorted(r["hs6"] for r in rows) == SEMIS  # every code asked: none left out silently
    for row in rows:
        assert row["coverage"] == "not loaded"
        for column in ("import_value_kusd", "n_suppliers", "top_share", "hhi", "ec_flag"):
            assert row[column] is None, (row["hs6"], column)
    assert _said(result, NOT_LOADED)
    assert "coverage" in result.key_columns()
    _no_false_zero(result)


def test_dependencies_of_china_are_measured_and_say_so(china_only: Settings) -> None:
    rows = {
        r["hs6"]: r
        for r in dependencies(china_only, importer="CHN", sector="semiconductors", year=2024).rows()
    }
    assert rows["854231"]["coverage"] == "complete"
    assert rows["854231"]["import_value_kusd"] > 1e7  # China's processor imports: tens of billions USD
    # a code the HS07 file does not hold is not loaded for China either
    assert rows["280461"]["coverage"] == "not loaded"
    assert rows["280461"]["import_value_kusd"] is None


def test_chokepoints_without_world_trade_are_null(china_only: Settings) -> None:
    result = chokepoints(china_only, sector="semiconductors", year=2024)
    rows = {r["hs6"]: r for r in result.rows()}
    assert sorted(rows) == SEMIS
    assert {r["coverage"] for r in rows.values()} <= {"partial", "not loaded"}
    assert all(r["world_export_kusd"] is None and r["world_hhi"] is None for r in rows.values())
    assert _said(result, re.compile(r"The world's exports of .* are loaded only in part"))


def test_partners_and_reshoring_refuse_with_the_reason(china_only: Settings) -> None:
    for call in (partners, reshoring):
        with pytest.raises(UserError, match=r"world's exports of .* 2024 are .*loaded"):
            call(china_only, importer="IND", sector="semiconductors", year=2024)


def test_leverage_over_india_says_not_loaded(china_only: Settings) -> None:
    with pytest.raises(UserError, match=NOT_LOADED.pattern):
        leverage(china_only, concern="IND", holder="USA", sector="semiconductors", year=2024)


def test_suppliers_of_india_are_unknown_not_empty_handed(china_only: Settings) -> None:
    result = suppliers(china_only, importer="IND", product="854231,854232", year=2024)
    assert result.table.num_rows == 0
    assert result.parameters["not_loaded"] == ["854231", "854232"]
    assert _said(result, NOT_LOADED)


def test_flows_do_not_pass_china_imports_off_as_world_shares(china_only: Settings) -> None:
    result = flows(china_only, product="854231", year=2024)
    assert {r["importer"] for r in result.rows()} == {"CHN"}
    assert all(r["share"] is None for r in result.rows())
    assert all(r["value_kusd"] > 0 for r in result.rows())
    assert _said(result, re.compile("loaded only in part"))


def test_chips_with_trade_for_india(china_only: Settings) -> None:
    result = chips(china_only, country="IND", with_trade=True, year=2024)
    rows = [r for r in result.rows() if r["hs6"]]
    assert rows
    assert all(r["import_value_kusd"] is None for r in rows)
    assert all(r["world_export_kusd"] is None for r in rows)
    assert _said(result, NOT_LOADED)


def test_complexity_without_world_trade_says_why(china_only: Settings) -> None:
    with pytest.raises(UserError, match="no product's world trade is loaded for 2024"):
        complexity(china_only, year=2024)


def test_regression_sample_dependencies_of_india_on_chips(
    sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 26, first finding: on 'ingest sample' (31 mineral codes, no chips) the CLI said "no
    imports by 'IND' in 2024". India imports about 28.8 bn USD of these codes: unknown, not none."""
    args = ["--home", str(sample_home), "dependencies", "--importer", "IND", "--sector", "semiconductors",
            "--format", "csv"]  # fmt: skip
    assert run(args) == 0
    out = capsys.readouterr()
    assert "no imports by" not in out.err
    assert "India's imports of 17 products" in out.err
    assert "in 2024 are not loaded" in out.err
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert sorted(r["hs6"] for r in rows) == SEMIS
    for row in rows:
        assert row["import_value_kusd"] == ""
        assert row["coverage"] == "not loaded"
    by_code = {r["hs6"]: r["product"] for r in rows}
    assert by_code["854231"] == "Processors and controllers (854231)"


def test_summary_by_technology_does_not_pass_a_part_off_as_the_whole(
    sample_home: Path, sample_data: Path
) -> None:
    """A sector total summed over the loaded products only would read as the sector's total: where a
    product of the sector is not loaded the value is null and n_not_loaded says how many are missing."""
    settings = load_settings(home=sample_home, sample_data=sample_data)
    rows = {r["technology"]: r for r in dependencies(settings, importer="IND", by="technology").rows()}
    semis = rows["semiconductors"]
    assert semis["n_not_loaded"] == len(SEMIS)
    assert semis["import_value_kusd"] is None
    minerals = rows["critical-minerals"]
    assert minerals["n_not_loaded"] > 0
    assert minerals["import_value_kusd"] is None
    assert minerals["n_products"] > 0  # the loaded ones are still counted and screened


def test_leverage_shows_products_not_loaded_as_null_rows(sample_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=sample_home, sample_data=sample_data)
    result = leverage(settings, concern="USA", holder="CHN", sector="magnets-motors", year=2024)
    rows = {r["hs6"]: r for r in result.rows()}
    assert sorted(rows) == sector_codes("magnets-motors")  # none left out silently
    assert rows["850511"]["coverage"] == "complete"
    assert rows["850511"]["holder_share"] > 0.5  # China supplies most US magnet imports
    for code, row in rows.items():
        if code != "850511":
            assert row["coverage"] == "not loaded"
            assert row["holder_share"] is None
            assert row["leverage"] is None
    assert any("United States' imports of 8 products" in n for n in result.notes)
