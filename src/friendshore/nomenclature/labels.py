"""Plain labels for people: products (HS6), countries (ISO3) and groups, and which HS6 codes are baskets.

Products: the single source of truth is ``friendshore/nomenclature/data/product_labels.csv``
(package data), one row per HS 2017 code that the technology taxonomy names (plus 811299, the
articles of the same metals as 811292):

| column | meaning |
|---|---|
| ``hs6`` | HS 2017 subheading, 6 characters |
| ``label`` | a short plain name, whole (never cut off), without the code: ``Permanent magnets`` |
| ``members`` | for a **basket**, the ``;``-separated materials the code bundles and trade data cannot split (as in the taxonomy's ``material`` column); empty otherwise |

A basket is a material code (taxonomy stage ``ore`` or ``refined``) that bundles several materials
which are assessed one by one as critical materials (811292 holds gallium, germanium, hafnium, indium, niobium, rhenium and vanadium; 284690
every rare-earth compound but cerium's). Its tonnes and dollars are not those of any one member, so
a basket must never be named, ranked or planned as one element: ``short_label`` says ``basket``
(``Gallium, germanium and other metals (811292, basket)``) and ``basket_members`` lists what it
holds. Codes that bundle manufactured products (motors with and without permanent magnets, solar
cells with LEDs) are ``bundled`` in the taxonomy but are not baskets of materials; their labels
name what they hold.

In a sentence a label is in sentence case (``in_sentence``, ``product_in_text``): "India's imports
of silicon metal, under 99.99 % (280469)", not "of Silicon metal"; a first word that is an acronym
("DC motors", "HS 847150") or a proper noun (a country's name) keeps its capital.

Facilities: the register's facility kinds in words people read (``FACILITY_WORDS``,
``facility_label("osat") == "assembly and test (OSAT) plant"``), one table for every reader of them.

Countries: ``label_of("IND") == "India"`` from ``data/iso3.csv``; groups: the ``title`` of
``groups.toml`` without a trailing explanation in brackets (``European Union``), an acronym in
brackets is kept (``Group of Seven (G7)``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from types import MappingProxyType

from friendshore.errors import SchemaError

__all__ = [
    "FACILITY_WORDS",
    "LABELS_PATH",
    "ProductLabel",
    "basket_members",
    "facility_label",
    "group_labels",
    "in_sentence",
    "is_basket",
    "label_of",
    "product_in_text",
    "product_label",
    "product_labels",
    "short_label",
]

#: Where the product labels live in the source tree (for messages that tell the user what to edit).
LABELS_PATH = "src/friendshore/nomenclature/data/product_labels.csv"

_COLUMNS = ("hs6", "label", "members")
_HS6_RE = re.compile(r"^\d{6}$")
#: A bracketed tail that explains rather than abbreviates: it holds a space, comma or colon.
_EXPLANATION_RE = re.compile(r"\s*\((?=[^)]*[\s,:])[^)]*\)\s*$")
_WORLD = {"WLD": "World", "world": "World"}


@dataclass(frozen=True)
class ProductLabel:
    """One row of the product labels: a code, its plain name and, for a basket, its members."""

    hs6: str
    label: str
    members: tuple[str, ...]

    @property
    def basket(self) -> bool:
        return bool(self.members)


@lru_cache(maxsize=1)
def product_labels() -> Mapping[str, ProductLabel]:
    """Every labelled HS6 code -> its ``ProductLabel``; validated on first use (``SchemaError``)."""
    text = files("friendshore.nomenclature").joinpath("data", "product_labels.csv").read_text("utf-8")
    reader = csv.DictReader(io.StringIO(text))
    if tuple(reader.fieldnames or ()) != _COLUMNS:
        raise SchemaError(
            f"header is {reader.fieldnames}, expected {list(_COLUMNS)}", file=LABELS_PATH, line=1
        )
    out: dict[str, ProductLabel] = {}
    for line, raw in enumerate(reader, start=2):
        hs6, label = raw["hs6"].strip(), raw["label"].strip()
        if not _HS6_RE.match(hs6):
            raise SchemaError(f"'{hs6}' is not a 6-digit HS code", file=LABELS_PATH, line=line, field="hs6")
        if hs6 in out:
            raise SchemaError(f"second row for {hs6}", file=LABELS_PATH, line=line, field="hs6")
        if not label or "…" in label or "_" in label:
            raise SchemaError(
                f"label '{label}' must be a whole plain name (no '…', no slug)",
                file=LABELS_PATH,
                line=line,
                field="label",
            )
        members = tuple(m.strip() for m in (raw["members"] or "").split(";") if m.strip())
        if len(members) == 1:
            raise SchemaError(
                f"basket {hs6} names one member; a basket bundles two or more (leave members empty "
                "for a code of one material)",
                file=LABELS_PATH,
                line=line,
                field="members",
            )
        out[hs6] = ProductLabel(hs6, label, members)
    return MappingProxyType(out)


def product_label(hs6: str) -> str | None:
    """The plain name of ``hs6`` without its code (``"Permanent magnets"``); ``None`` if unlabelled."""
    row = product_labels().get(str(hs6))
    return row.label if row else None


def short_label(hs6: str) -> str:
    """The label people read: ``"Permanent magnets (850511)"``; a basket says so:
    ``"Gallium, germanium and other metals (811292, basket)"``; a code without a label is
    ``"HS 847150"`` (its code, never a made-up name)."""
    code = str(hs6)
    row = product_labels().get(code)
    if row is None:
        return f"HS {code}"
    return f"{row.label} ({code}, basket)" if row.basket else f"{row.label} ({code})"


def is_basket(hs6: str) -> bool:
    """Whether ``hs6`` bundles several materials that trade data cannot split (811292, 284690, ...)."""
    row = product_labels().get(str(hs6))
    return bool(row and row.basket)


def basket_members(hs6: str) -> tuple[str, ...]:
    """The materials a basket code bundles, as the taxonomy names them; ``()`` for any other code."""
    row = product_labels().get(str(hs6))
    return row.members if row else ()


def _group_label(title: str) -> str:
    return _EXPLANATION_RE.sub("", title).strip() or title


def label_of(code: str, *, home: Path | None = None, with_code: bool = False) -> str:
    """The plain name of a country (ISO3) or group (its slug); the code itself when it is neither.

    ``label_of("IND") == "India"``, ``label_of("IND", with_code=True) == "India (IND)"``,
    ``label_of("eu27") == "European Union"``, ``label_of("g7") == "Group of Seven (G7)"``.
    ``home`` adds the user's own groups. A group's slug is never printed beside its name.
    """
    from friendshore.nomenclature.groups import iso3_codes, load_groups

    text = str(code)
    if text in _WORLD:
        return _WORLD[text]
    name = iso3_codes().get(text.upper())
    if name is not None:
        return f"{name} ({text.upper()})" if with_code else name
    group = load_groups(home).get(text.lower())
    if group is not None:
        return _group_label(group.title)
    return text


def group_labels(home: Path | None = None) -> Mapping[str, str]:
    """Every known group's slug -> its plain name (as ``label_of`` gives it)."""
    from friendshore.nomenclature.groups import load_groups

    return {name: _group_label(g.title) for name, g in load_groups(home).items()}


@lru_cache(maxsize=1)
def _proper_first_words() -> frozenset[str]:
    """First words that are proper nouns: the first word of every country's name."""
    from friendshore.nomenclature.groups import iso3_codes

    return frozenset(name.split(" ")[0].strip(",") for name in iso3_codes().values())


def in_sentence(label: str) -> str:
    """``label`` as it reads inside a sentence: its first letter in lower case, unless its first word
    is an acronym or holds another capital ("DC motors", "HS 847150", "NdFeB magnets") or is a
    proper noun (the first word of a country's name). Only the first letter ever changes."""
    first = label.split(" ", 1)[0]
    if not first or not first[0].isupper():
        return label
    if sum(ch.isupper() for ch in first) > 1 or first.strip(",").split("'")[0] in _proper_first_words():
        return label
    return label[0].lower() + label[1:]


def product_in_text(hs6: str) -> str:
    """``short_label`` in sentence case, for a product named inside a sentence:
    ``"silicon metal, under 99.99 % (280469)"``, ``"DC motors and generators, 750 W to 75 kW (850132)"``."""
    return in_sentence(short_label(hs6))


#: The register's facility kinds (``register.models.Facility``) in words people read.
FACILITY_WORDS: Mapping[str, str] = MappingProxyType(
    {
        "fab": "chip fab",
        "osat": "assembly and test (OSAT) plant",
        "design": "design centre",
        "r-and-d": "research centre",
        "mine": "mine",
        "refinery": "refinery",
        "smelter": "smelter",
        "magnet-plant": "magnet plant",
        "cell-plant": "battery cell plant",
        "recycling": "recycling plant",
        "other": "facility",
    }
)


def facility_label(kind: str) -> str:
    """A facility kind in words (``"osat"`` -> ``"assembly and test (OSAT) plant"``); an unknown kind
    reads with its hyphens as spaces, never as a slug."""
    return FACILITY_WORDS.get(kind, kind.replace("-", " "))
