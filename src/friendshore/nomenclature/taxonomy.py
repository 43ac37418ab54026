"""The technology taxonomy: HS6 product (HS 2017) -> technology -> supply-chain stage.

The single source of truth is ``friendshore/nomenclature/data/technology.csv`` (package data),
one row per ``(hs6, technology)``:

| column | meaning |
|---|---|
| ``hs6`` | HS 2017 subheading, 6 characters (leading zeros kept) |
| ``technology`` | one of ``SECTORS`` |
| ``stage`` | one of ``STAGES``: ``ore`` (mined mineral, ore, concentrate), ``refined`` (processed material: metal, compound, polysilicon, wafers, active ingredient), ``component`` (built into a final good: chips, cells, magnets, parts), ``equipment`` (capital goods that make technology goods), ``final`` (finished goods) |
| ``primary`` | ``true`` on exactly one row per ``hs6``: the technology the code counts for when a total must not double count |
| ``material`` | the critical material(s) a code stands for, ``;``-separated; empty for manufactured goods |
| ``bundled`` | ``true`` where the HS6 lumps several materials or products that trade data cannot split (811292 Ga, Ge, Hf, In, Nb, Re, V; 854140 solar cells with LEDs) |
| ``description`` | HS 2017 subheading text, as in the CEPII BACI HS17 product list |
| ``basis`` | why the code is here: ``critical_codes.json`` (the material list of the BACI critical-materials subset), ``HS 2017 subheading text``, or ``project judgement`` |
| ``note`` | caveats: what the code misses or over-counts |

The model: a code belongs to one technology (its primary row) and to others only where a second
row says so, e.g. 280461 polysilicon is ``semiconductors`` (primary) and ``solar-pv``; 850511
permanent magnets are ``magnets-motors`` (primary) and ``critical-minerals``. ``sector_codes``
returns every code with a row for the sector, primary or not; totals across sectors should use
``primary`` rows only.

HS 2017 is the reference revision: codes of other revisions are mapped to it with
``friendshore.nomenclature.hs``. The list ``critical_codes.json`` names hafnium as 811231, a
subheading that HS 2017 does not have; in HS 2017 hafnium is inside 811292, and the taxonomy
says so in that row's ``material``.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Literal, get_args

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.errors import SchemaError, UnknownCodeError
from friendshore.nomenclature.datafiles import data_rows, require_known

__all__ = [
    "SECTORS",
    "STAGES",
    "TAXONOMY_PATH",
    "TAXONOMY_SCHEMA",
    "Level",
    "Sector",
    "Stage",
    "load_taxonomy",
    "sector_codes",
    "select_taxonomy",
]

Sector = Literal[
    "critical-minerals",
    "semiconductors",
    "chip-equipment",
    "batteries",
    "solar-pv",
    "telecom",
    "computing",
    "magnets-motors",
    "pharma-ingredients",
]
Stage = Literal["ore", "refined", "component", "equipment", "final"]
#: Taxonomy columns that results can be summarised by.
Level = Literal["technology", "stage"]

#: Technology slugs, in the order they are listed to users.
SECTORS: tuple[str, ...] = get_args(Sector)
#: Supply-chain stages, upstream first.
STAGES: tuple[str, ...] = get_args(Stage)

#: Where the taxonomy lives in the source tree (for messages that tell the user what to edit).
TAXONOMY_PATH = "src/friendshore/nomenclature/data/technology.csv"

TAXONOMY_SCHEMA = pa.schema(
    [
        ("hs6", pa.string()),
        ("technology", pa.string()),
        ("stage", pa.string()),
        ("primary", pa.bool_()),
        ("material", pa.string()),
        ("bundled", pa.bool_()),
        ("description", pa.string()),
        ("basis", pa.string()),
        ("note", pa.string()),
    ]
)

_HS6_RE = re.compile(r"^\d{6}$")
_BOOLS = {"true": True, "false": False}


def _bool(text: str, *, line: int, field: str) -> bool:
    try:
        return _BOOLS[text.strip().lower()]
    except KeyError:
        raise SchemaError(
            f"'{text}' is not true or false", file=TAXONOMY_PATH, line=line, field=field
        ) from None


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, object], ...]:
    rows: list[dict[str, object]] = []
    seen: set[tuple[str, str]] = set()
    for line, raw in data_rows("technology.csv", TAXONOMY_SCHEMA.names, file=TAXONOMY_PATH):
        hs6 = raw["hs6"].strip()
        if not _HS6_RE.match(hs6):
            raise SchemaError(f"'{hs6}' is not a 6-digit HS code", file=TAXONOMY_PATH, line=line, field="hs6")
        tech, stage = raw["technology"].strip(), raw["stage"].strip()
        require_known(tech, SECTORS, what="technology", file=TAXONOMY_PATH, line=line, field="technology")
        require_known(stage, STAGES, what="stage", file=TAXONOMY_PATH, line=line, field="stage")
        if (hs6, tech) in seen:
            raise SchemaError(
                f"second row for ({hs6}, {tech}); use one row per (hs6, technology)",
                file=TAXONOMY_PATH,
                line=line,
            )
        seen.add((hs6, tech))
        rows.append(
            {
                "hs6": hs6,
                "technology": tech,
                "stage": stage,
                "primary": _bool(raw["primary"], line=line, field="primary"),
                "material": raw["material"].strip() or None,
                "bundled": _bool(raw["bundled"], line=line, field="bundled"),
                "description": raw["description"].strip(),
                "basis": raw["basis"].strip(),
                "note": raw["note"].strip() or None,
            }
        )
    primaries: dict[str, int] = {}
    for row in rows:
        primaries[str(row["hs6"])] = primaries.get(str(row["hs6"]), 0) + int(bool(row["primary"]))
    wrong = sorted(code for code, n in primaries.items() if n != 1)
    if wrong:
        raise SchemaError(
            f"HS6 code(s) {wrong} need exactly one row with primary=true",
            file=TAXONOMY_PATH,
            field="primary",
        )
    return tuple(rows)


def load_taxonomy() -> pa.Table:
    """The whole taxonomy as an Arrow table (``TAXONOMY_SCHEMA``), one row per (hs6, technology)."""
    return pa.Table.from_pylist(list(_rows()), schema=TAXONOMY_SCHEMA)


def _check(sector: str, stage: str | None) -> None:
    if sector not in SECTORS:
        raise UnknownCodeError(f"unknown sector '{sector}' (known sectors: {', '.join(SECTORS)})")
    if stage is not None and stage not in STAGES:
        raise UnknownCodeError(f"unknown stage '{stage}' (known stages: {', '.join(STAGES)})")


def select_taxonomy(sector: str | None = None, stage: str | None = None) -> pa.Table:
    """The taxonomy rows of ``sector`` and/or ``stage`` (all rows when both are ``None``)."""
    if sector is not None:
        _check(sector, stage)
    elif stage is not None and stage not in STAGES:
        raise UnknownCodeError(f"unknown stage '{stage}' (known stages: {', '.join(STAGES)})")
    table = load_taxonomy()
    if sector is not None:
        table = table.filter(pc.equal(table.column("technology"), sector))
    if stage is not None:
        table = table.filter(pc.equal(table.column("stage"), stage))
    return table


def sector_codes(sector: str | None, stage: str | None = None) -> list[str]:
    """The HS 2017 codes of ``sector`` (primary or not), optionally of one ``stage``, sorted.

    ``sector_codes("chip-equipment")`` -> ``["848610", ..., "903141"]``; ``sector=None`` means
    every sector (``sector_codes(None, stage="ore")``). An unknown sector or stage raises
    ``UnknownCodeError`` listing the known ones.
    """
    return sorted(set(select_taxonomy(sector, stage).column("hs6").to_pylist()))
