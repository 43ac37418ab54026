"""A basket HS code is never one element (issue 26): labels, the materials catalogue and reshoring.

The brief called 811292 "Gallium", said the United States relies 100 % on imports for gallium
(supply risk) and that 100 % "could be filled at home" (reshoring): the second figure compared US
exports of the whole basket (germanium, indium, niobium, vanadium ... scrap and powders) with its
imports of the basket from the countries of concern, as if both were gallium.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.analyses.partners import partners, reshoring
from friendshore.errors import SchemaError
from friendshore.nomenclature.labels import basket_members, is_basket, product_label, short_label
from friendshore.nomenclature.materials import _check_baskets, load_materials, material_codes
from friendshore.settings import Settings, load_settings


@pytest.fixture(scope="module")
def sample(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


def test_every_material_code_names_that_material() -> None:
    """One material definition: each HS6 code the catalogue gives a material is labelled with that
    material, or is a basket that holds it (and then its label says basket)."""
    for row in material_codes().to_pylist():
        material, code = str(row["material"]), str(row["hs6"])
        word = material.replace("-", " ").rstrip("s")
        label = (product_label(code) or "").lower()
        if is_basket(code):
            assert any(m.startswith(word) for m in basket_members(code)), (material, code)
            assert short_label(code).endswith(", basket)"), code
        else:
            assert word in label, (material, code, label)


def test_basket_codes_have_no_conversion_to_the_material() -> None:
    units = {(r["material"], r["hs6"]): r for r in load_materials().to_pylist()}
    for (material, code), row in units.items():
        if is_basket(str(code)):
            assert f"{code}=-" in str(row["content"]), (material, code)


def test_catalogue_refuses_a_basket_as_one_element() -> None:
    with pytest.raises(SchemaError, match="basket"):
        _check_baskets("gallium", ["811292"], "811292=1", line=7)  # a tonne of 811292 is not gallium
    with pytest.raises(SchemaError, match="cannot stand for copper"):
        _check_baskets("copper", ["811292"], "811292=-", line=7)
    _check_baskets("gallium", ["811292"], "811292=-", line=7)
    _check_baskets("nickel", ["750210"], "750210=1", line=7)  # a single-metal code: no rule


def test_regression_gallium_is_not_filled_at_home(sample: Settings) -> None:
    """Section 6's "100 % could be filled at home" for 'gallium' came from reshoring on the basket."""
    result = reshoring(sample, importer="USA", product="811292,850511", concern="countries-of-concern")
    rows = {r["hs6"]: r for r in result.rows()}
    ga = rows["811292"]
    assert ga["basket"] is True
    assert ga["imports_from_concern_kusd"] > 0  # the imports are shown, as the basket's
    for column in ("home_share", "coalition_share", "others_share", "uncovered_share", "home_cover"):
        assert ga[column] is None, column
    magnets = rows["850511"]
    assert magnets["basket"] is False
    assert magnets["home_share"] is not None
    # the 'all' row is the magnets alone: the basket is not summed in as if it were one material
    total = rows["all"]
    assert total["imports_from_concern_kusd"] == pytest.approx(magnets["imports_from_concern_kusd"])
    assert total["home_share"] == pytest.approx(magnets["home_share"])
    assert any("Gallium, germanium and other metals (811292, basket)" in n for n in result.notes)
    assert not any("Gallium (811292)" in n for n in result.notes)


def test_partners_for_a_basket_say_so(sample: Settings) -> None:
    result = partners(sample, importer="USA", product="811292", draws=20)
    assert "Gallium, germanium and other metals (811292, basket)" in result.title
    assert any("bundles gallium, germanium" in n for n in result.notes)


def test_nickel_forms_are_named_apart() -> None:
    """Issue 26: "Nickel shows the same conflict": supply risk's nickel (mining: ore, gross weight)
    and reshoring's nickel (750210, unwrought metal) are different goods; their labels say which."""
    nickel = {(r["stage"], r["hs6"]) for r in material_codes().to_pylist() if r["material"] == "nickel"}
    assert nickel == {("mining", "260400"), ("refining", "750210")}
    assert short_label("260400") == "Nickel ore (260400)"
    assert short_label("750210") == "Nickel, unwrought (750210)"
