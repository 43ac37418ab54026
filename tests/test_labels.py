"""Product, country and group labels: whole plain names, baskets named as baskets (issue 26)."""

from __future__ import annotations

import pytest

from friendshore.nomenclature.labels import (
    basket_members,
    group_labels,
    is_basket,
    label_of,
    product_label,
    product_labels,
    short_label,
)
from friendshore.nomenclature.taxonomy import load_taxonomy


def _taxonomy_materials(
    stages: tuple[str, ...] = ("ore", "refined", "component", "equipment", "final"),
) -> dict[str, str | None]:
    return {str(r["hs6"]): r["material"] for r in load_taxonomy().to_pylist() if r["stage"] in stages}


@pytest.mark.parametrize(
    ("hs6", "expected"),
    [
        ("850511", "Permanent magnets (850511)"),
        ("250490", "Natural graphite, not flake or powder (250490)"),
        ("250410", "Flake graphite (250410)"),
        ("811292", "Gallium, germanium and other metals (811292, basket)"),
        ("284690", "Rare-earth compounds, other than cerium (284690, basket)"),
        ("750210", "Nickel, unwrought (750210)"),
        ("854232", "Memory chips (854232)"),
    ],
)
def test_short_label(hs6: str, expected: str) -> None:
    assert short_label(hs6) == expected


def test_every_taxonomy_code_has_a_whole_plain_label() -> None:
    labels = product_labels()
    missing = sorted(set(_taxonomy_materials()) - set(labels))
    assert missing == []
    for code, row in labels.items():
        assert "…" not in row.label, code
        assert "_" not in row.label, code
        assert "(" not in row.label, code  # the code goes in brackets after it: no second pair
        assert len(row.label) <= 60, code
        assert row.label[0].isupper(), code


def test_baskets_are_the_codes_of_several_materials() -> None:
    """A material code (stage ore or refined) whose taxonomy ``material`` names two or more materials
    is a basket with exactly those members; no other code is a basket (850511 permanent magnets bundle
    rare-earth magnets with alnico, but it is a manufactured good, named by what it is)."""
    for code, material in _taxonomy_materials(("ore", "refined")).items():
        parts = tuple(m.strip() for m in (material or "").split(";") if m.strip())
        if len(parts) >= 2:
            assert is_basket(code), code
            assert basket_members(code) == parts, code
        else:
            assert not is_basket(code), code
            assert basket_members(code) == (), code
    materials = _taxonomy_materials(("ore", "refined"))
    assert [c for c in _taxonomy_materials() if is_basket(c) and c not in materials] == []


def test_regression_811292_is_not_gallium() -> None:
    """Issue 26: 811292 was called "Gallium". Its label names it as a basket of several metals."""
    assert is_basket("811292")
    assert is_basket("811299")
    assert {"gallium", "germanium", "indium", "niobium", "vanadium"} <= set(basket_members("811292"))
    label = short_label("811292")
    assert label.endswith(", basket)")
    assert not label.startswith("Gallium (")
    # the basket members are those of the taxonomy row (one material definition)
    assert basket_members("811292") == tuple(_taxonomy_materials()["811292"].split("; "))  # type: ignore[union-attr]


def test_nickel_codes_are_single_material_but_say_their_form() -> None:
    assert not is_basket("750210")
    assert not is_basket("260400")
    assert product_label("260400") == "Nickel ore"
    assert product_label("750210") == "Nickel, unwrought"


def test_unlabelled_code_is_shown_by_code_not_invented() -> None:
    assert short_label("999999") == "HS 999999"
    assert product_label("999999") is None
    assert not is_basket("999999")


def test_label_of_countries_and_groups() -> None:
    assert label_of("IND") == "India"
    assert label_of("ind") == "India"
    assert label_of("IND", with_code=True) == "India (IND)"
    assert label_of("COD") == "Democratic Republic of the Congo"
    assert label_of("eu27") == "European Union"
    assert label_of("g7") == "Group of Seven (G7)"
    assert label_of("countries-of-concern") == "Countries of concern"
    assert label_of("WLD") == "World"
    assert label_of("XYZ") == "XYZ"


def test_no_group_label_is_a_slug_or_an_explanation() -> None:
    for slug, name in group_labels().items():
        assert name != slug
        # a bracket left in a group's name is an acronym, never an explanation
        for inner in name.split("(")[1:]:
            assert " " not in inner.split(")")[0], name


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Silicon metal, under 99.99 %", "silicon metal, under 99.99 %"),
        ("Permanent magnets (850511)", "permanent magnets (850511)"),
        ("DC motors and generators", "DC motors and generators"),
        ("HS 847150", "HS 847150"),
        ("NdFeB magnets", "NdFeB magnets"),
        ("India's imports", "India's imports"),
        ("United States", "United States"),
        ("Vitamin A (293621)", "vitamin A (293621)"),
        ("already lower", "already lower"),
        ("", ""),
    ],
)
def test_in_sentence_lowers_only_a_common_first_letter(label: str, expected: str) -> None:
    from friendshore.nomenclature.labels import in_sentence

    assert in_sentence(label) == expected


def test_product_in_text_is_the_short_label_in_sentence_case() -> None:
    from friendshore.nomenclature.labels import product_in_text

    assert product_in_text("280469") == "silicon metal, under 99.99 % (280469)"
    assert product_in_text("811292") == "gallium, germanium and other metals (811292, basket)"
    assert product_in_text("850132").startswith("DC motors")
    for hs6 in product_labels():
        text = product_in_text(hs6)
        assert text[1:] == short_label(hs6)[1:]
        assert text[0].lower() == short_label(hs6)[0].lower()


def test_every_register_facility_kind_has_words() -> None:
    from friendshore.nomenclature.labels import FACILITY_WORDS, facility_label
    from friendshore.register.models import FACILITIES

    assert set(FACILITIES) == set(FACILITY_WORDS)
    for kind in FACILITIES:
        assert "-" not in facility_label(kind) or "(" in facility_label(kind), kind
    assert facility_label("osat") == "assembly and test (OSAT) plant"
    assert facility_label("new-kind") == "new kind"
