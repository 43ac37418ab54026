"""The technology taxonomy (package data) checked against the real HS 2017 list and critical codes."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest

from friendshore.errors import UnknownCodeError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.taxonomy import (
    SECTORS,
    STAGES,
    load_taxonomy,
    sector_codes,
    select_taxonomy,
)


@pytest.fixture(scope="module")
def hs17(sample_data: Path) -> dict[str, str]:
    """HS 2017 code -> description, from the BACI HS17 product list (codes lack leading zeros there)."""
    path = sample_data / "baci_dictionaries" / "product_codes_HS17_V202301.csv"
    with path.open(encoding="utf-8") as f:
        return {row["code"].zfill(6): row["description"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def critical(sample_data: Path) -> list[dict[str, str]]:
    path = sample_data / "baci_critical_materials" / "critical_codes.json"
    return list(json.loads(path.read_text(encoding="utf-8"))["codes"])


@pytest.fixture(scope="module")
def rows() -> list[dict[str, object]]:
    return list(load_taxonomy().to_pylist())


def test_every_code_is_a_six_digit_hs17_subheading(
    rows: list[dict[str, object]], hs17: dict[str, str]
) -> None:
    codes = {str(r["hs6"]) for r in rows}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert sorted(codes - set(hs17)) == []


def test_descriptions_are_the_hs17_text(rows: list[dict[str, object]], hs17: dict[str, str]) -> None:
    for row in rows:
        assert row["description"] == hs17[str(row["hs6"])], row["hs6"]


def test_exactly_one_primary_technology_per_code(rows: list[dict[str, object]]) -> None:
    primaries = Counter(str(r["hs6"]) for r in rows if r["primary"])
    codes = {str(r["hs6"]) for r in rows}
    assert {c: primaries[c] for c in codes if primaries[c] != 1} == {}


def test_one_row_per_code_and_technology(rows: list[dict[str, object]]) -> None:
    pairs = Counter((r["hs6"], r["technology"]) for r in rows)
    assert [p for p, n in pairs.items() if n > 1] == []


def test_vocabularies_are_closed_and_every_sector_has_codes(rows: list[dict[str, object]]) -> None:
    assert {r["technology"] for r in rows} == set(SECTORS)
    assert {r["stage"] for r in rows} <= set(STAGES)
    assert all(r["basis"] for r in rows)


def test_every_critical_code_is_mapped(
    critical: list[dict[str, str]], hs17: dict[str, str], rows: list[dict[str, object]]
) -> None:
    minerals = set(sector_codes("critical-minerals"))
    materials: dict[str, str] = {}
    for row in rows:
        materials[str(row["hs6"])] = materials.get(str(row["hs6"]), "") + str(row["material"] or "")
    for entry in critical:
        code, name = entry["hs6"], entry["material"]
        if code in hs17:
            assert code in minerals, f"{name} {code} is not in critical-minerals"
            assert name in materials[code].replace(" ", ""), f"{name} not named in {code}'s material"
        else:
            # 811231 (hafnium) is not an HS 2017 subheading: HS 2017 keeps hafnium in 811292.
            assert (code, name) == ("811231", "hafnium")
            assert "hafnium" in materials["811292"]


def test_the_baci_sample_products_are_all_critical_minerals(sample_data: Path) -> None:
    path = sample_data / "baci_critical_materials" / "BACI_HS17_Y2024_V202601_critical.csv"
    with path.open(encoding="utf-8") as f:
        products = {row["k"].zfill(6) for row in csv.DictReader(f)}
    assert len(products) == 30
    assert products <= set(sector_codes("critical-minerals"))


def test_bundles_are_marked(rows: list[dict[str, object]]) -> None:
    bundled = {str(r["hs6"]) for r in rows if r["bundled"]}
    assert {"811292", "280429", "854140", "261590"} <= bundled
    assert "283691" not in bundled


def test_hs17_solar_and_chip_tool_codes(hs17: dict[str, str]) -> None:
    # HS 2017 has 854140 for photosensitive devices incl. solar cells; 854141-854143 are HS 2022.
    assert sector_codes("solar-pv", stage="component") == ["854140"]
    assert not {"854141", "854142", "854143"} & set(hs17)
    assert {"848610", "848620", "848630", "848640", "848690"} <= set(sector_codes("chip-equipment"))
    assert set(sector_codes("chip-equipment")) == set(sector_codes("chip-equipment", stage="equipment"))


def test_a_code_in_two_technologies_counts_once_as_primary() -> None:
    assert "280461" in sector_codes("semiconductors")
    assert "280461" in sector_codes("solar-pv")
    table = select_taxonomy()
    polysilicon = [r for r in table.to_pylist() if r["hs6"] == "280461"]
    assert {r["technology"]: r["primary"] for r in polysilicon} == {"semiconductors": True, "solar-pv": False}


def test_sector_none_means_every_sector() -> None:
    ores = sector_codes(None, stage="ore")
    assert "260200" in ores
    assert "854231" not in ores


@pytest.mark.parametrize(
    ("sector", "stage", "match"),
    [("chips", None, "known sectors: critical-minerals"), ("batteries", "raw", "known stages: ore")],
)
def test_unknown_sector_or_stage_lists_the_known_ones(sector: str, stage: str | None, match: str) -> None:
    with pytest.raises(UnknownCodeError, match=match):
        sector_codes(sector, stage)


def test_cli_taxonomy_sector_csv(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["taxonomy", "--sector", "semiconductors", "--format", "csv"]) == 0
    lines = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert lines[0][:4] == ["hs6", "technology", "stage", "primary"]
    assert {line[1] for line in lines[1:]} == {"semiconductors"}
    assert {"854231", "854232", "280461"} <= {line[0] for line in lines[1:]}


def test_cli_taxonomy_unknown_sector_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["taxonomy", "--sector", "chips"]) == 2
    assert "known sectors" in capsys.readouterr().err
