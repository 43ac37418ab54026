"""The critical-material catalogue: material x stage -> production series, HS6 codes and parameters.

The single source of truth is ``friendshore/nomenclature/data/materials.csv`` (package data), one
row per production series that can stand for a material at a stage:

| column | meaning |
|---|---|
| ``material`` | slug (``cobalt``, ``rare-earths``) |
| ``stage`` | ``mining`` (extraction) or ``refining`` (processing), the two stages of the EU CRM assessment |
| ``priority`` | 1, 2, ...: which series wins when two have data for the same latest year |
| ``source``, ``commodity``, ``source_stage`` | the series in the warehouse table ``mineral_production`` (``source``, ``commodity``, ``stage`` as the source reader names them: see ``friendshore.sources.usgs_mcs`` and ``friendshore.sources.bgs``) |
| ``hs6`` | ``;``-separated HS 2017 codes of the traded form at that stage, taken from the technology taxonomy (``technology.csv``: stage ``ore`` for mining, ``refined`` for refining); empty when the taxonomy has none |
| ``eol_rir`` | end-of-life recycling input rate, a fraction in [0, 1]; empty = unknown |
| ``si_sr`` | substitution index for supply risk, in (0, 1]; empty = unknown |
| ``citation`` | where ``eol_rir`` and ``si_sr`` come from |
| ``note`` | basis and caveats of the production series and the HS6 codes |
| ``basis`` | what the production series counts (``Ga content``, ``Cu content``, ``manganese ore (gross weight)``): the quantities that supply risk adds up are tonnes of this |
| ``content`` | ``;``-separated ``HS6=FACTOR`` for every code of ``hs6``: the tonnes of ``basis`` in a tonne of the traded good (``1`` where the traded good is the basis, e.g. refined copper), or ``-`` where no factor is published (ores, concentrates, bundled codes) |
| ``unit_note`` | where each factor comes from, or why there is none |

Every row of a ``(material, stage)`` carries the same ``hs6``, ``eol_rir``, ``si_sr``, ``basis``
and ``content``; the loader checks it. Supply risk converts before adding (``material_units``):
trade tonnes times the factor, production from its unit (kilograms or tonnes) to tonnes; where a
factor is ``-`` the tonnes of that code cannot be added to production, and the supply risk of an
importer that produces the material is null with that reason. Unknown parameters stay empty here; the supply-risk metric then uses the neutral values
(``eol_rir`` 0, ``si_sr`` 1) and says so in its output.
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
    "MATERIALS_PATH",
    "MATERIALS_SCHEMA",
    "MATERIAL_STAGES",
    "UNITS_SCHEMA",
    "MaterialStage",
    "load_materials",
    "material_codes",
    "material_names",
    "material_units",
    "select_materials",
]

MaterialStage = Literal["mining", "refining"]
#: The two stages of the EU CRM assessment: extraction (E) and processing (P).
MATERIAL_STAGES: tuple[str, ...] = get_args(MaterialStage)

#: Where the catalogue lives in the source tree (for messages that tell the user what to edit).
MATERIALS_PATH = "src/friendshore/nomenclature/data/materials.csv"

MATERIALS_SCHEMA = pa.schema(
    [
        ("material", pa.string()),
        ("stage", pa.string()),
        ("priority", pa.int32()),
        ("source", pa.string()),
        ("commodity", pa.string()),
        ("source_stage", pa.string()),
        ("hs6", pa.string()),
        ("eol_rir", pa.float64()),
        ("si_sr", pa.float64()),
        ("citation", pa.string()),
        ("note", pa.string()),
        ("basis", pa.string()),
        ("content", pa.string()),
        ("unit_note", pa.string()),
    ]
)

#: The schema of ``material_units``: one row per (material, stage, HS6) with its conversion.
UNITS_SCHEMA = pa.schema(
    [
        ("material", pa.string()),
        ("stage", pa.string()),
        ("hs6", pa.string()),
        ("factor", pa.float64()),
        ("declared", pa.bool_()),
        ("trade_basis", pa.string()),
        ("production_basis", pa.string()),
    ]
)

_SLUG_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_HS6_RE = re.compile(r"^\d{6}$")


def _fraction(text: str, *, line: int, field: str, low_open: bool = False) -> float | None:
    if not text.strip():
        return None
    try:
        value = float(text)
    except ValueError:
        raise SchemaError(f"'{text}' is not a number", file=MATERIALS_PATH, line=line, field=field) from None
    if not (0.0 < value <= 1.0 if low_open else 0.0 <= value <= 1.0):
        span = "(0, 1]" if low_open else "[0, 1]"
        raise SchemaError(
            f"{value} is outside {span} (a fraction, not a percent)",
            file=MATERIALS_PATH,
            line=line,
            field=field,
        )
    return value


def _content(text: str, codes: list[str], *, line: int) -> str | None:
    """Check ``HS6=FACTOR;...`` names every code once, with a factor in (0, 1] or ``-``."""
    pairs: dict[str, str] = {}
    for item in [t.strip() for t in text.split(";") if t.strip()]:
        code, sep, factor = (p.strip() for p in item.partition("="))
        if not sep or code not in codes or code in pairs:
            raise SchemaError(
                f"'{item}' is not HS6=FACTOR for a code of hs6 (each once)",
                file=MATERIALS_PATH,
                line=line,
                field="content",
            )
        if factor != "-":
            _fraction(factor, line=line, field="content", low_open=True)
        pairs[code] = factor
    if set(pairs) != set(codes):
        missing = sorted(set(codes) - set(pairs))
        raise SchemaError(
            f"no factor for {missing} (write CODE=- where none is published)",
            file=MATERIALS_PATH,
            line=line,
            field="content",
        )
    return ";".join(f"{c}={f}" for c, f in pairs.items()) or None


def _check_baskets(material: str, codes: list[str], content: str | None, *, line: int) -> None:
    """A basket code (``labels.is_basket``: 811292 bundles gallium with six other metals) may stand
    for a material only if the material is one of its members, and never with a conversion factor:
    a tonne of the basket is not a tonne of the material (issue 26: 811292 was read as gallium)."""
    from friendshore.nomenclature.labels import basket_members, is_basket

    factors = dict(item.split("=", 1) for item in (content or "").split(";") if "=" in item)
    for code in codes:
        if not is_basket(code):
            continue
        members = {m.split(" (")[0].replace(" ", "-") for m in basket_members(code)}
        if material not in members:
            raise SchemaError(
                f"{code} is a basket of {', '.join(basket_members(code))}: it cannot stand for {material}",
                file=MATERIALS_PATH,
                line=line,
                field="hs6",
            )
        if factors.get(code, "-") != "-":
            raise SchemaError(
                f"{code} is a basket: its tonnes are not tonnes of {material}, so its factor must be '-'",
                file=MATERIALS_PATH,
                line=line,
                field="content",
            )


@lru_cache(maxsize=1)
def _rows() -> tuple[dict[str, object], ...]:
    rows: list[dict[str, object]] = []
    shared: dict[tuple[str, str], tuple[object, ...]] = {}
    seen: set[tuple[str, str, int]] = set()
    for line, raw in data_rows("materials.csv", MATERIALS_SCHEMA.names, file=MATERIALS_PATH):
        material, stage = raw["material"].strip(), raw["stage"].strip()
        if not _SLUG_RE.match(material):
            raise SchemaError(
                f"'{material}' is not a slug (lower case, digits, '-')",
                file=MATERIALS_PATH,
                line=line,
                field="material",
            )
        require_known(stage, MATERIAL_STAGES, what="stage", file=MATERIALS_PATH, line=line, field="stage")
        try:
            priority = int(raw["priority"])
        except ValueError:
            raise SchemaError(
                f"'{raw['priority']}' is not an integer", file=MATERIALS_PATH, line=line, field="priority"
            ) from None
        if (material, stage, priority) in seen:
            raise SchemaError(
                f"second row with priority {priority} for ({material}, {stage})",
                file=MATERIALS_PATH,
                line=line,
            )
        seen.add((material, stage, priority))
        codes = [c.strip() for c in raw["hs6"].split(";") if c.strip()]
        bad = [c for c in codes if not _HS6_RE.match(c)]
        if bad:
            raise SchemaError(f"{bad} are not 6-digit HS codes", file=MATERIALS_PATH, line=line, field="hs6")
        for field in ("source", "commodity", "source_stage", "citation"):
            if not raw[field].strip():
                raise SchemaError("value is missing", file=MATERIALS_PATH, line=line, field=field)
        content = _content(raw.get("content", ""), codes, line=line)
        _check_baskets(material, codes, content, line=line)
        if not raw.get("basis", "").strip():
            raise SchemaError("value is missing", file=MATERIALS_PATH, line=line, field="basis")
        if not raw.get("unit_note", "").strip():
            raise SchemaError("value is missing", file=MATERIALS_PATH, line=line, field="unit_note")
        row: dict[str, object] = {
            "material": material,
            "stage": stage,
            "priority": priority,
            "source": raw["source"].strip(),
            "commodity": raw["commodity"].strip(),
            "source_stage": raw["source_stage"].strip(),
            "hs6": ";".join(codes) or None,
            "eol_rir": _fraction(raw["eol_rir"], line=line, field="eol_rir"),
            "si_sr": _fraction(raw["si_sr"], line=line, field="si_sr", low_open=True),
            "citation": raw["citation"].strip(),
            "note": raw["note"].strip() or None,
            "basis": raw["basis"].strip(),
            "content": content,
            "unit_note": raw["unit_note"].strip(),
        }
        key = (material, stage)
        values = (row["hs6"], row["eol_rir"], row["si_sr"], row["basis"], row["content"])
        if shared.setdefault(key, values) != values:
            raise SchemaError(
                f"hs6, eol_rir, si_sr, basis and content differ between the rows of ({material}, {stage})",
                file=MATERIALS_PATH,
                line=line,
                hint="every series of a material and stage shares its codes and parameters",
            )
        rows.append(row)
    return tuple(rows)


def load_materials() -> pa.Table:
    """The whole catalogue as an Arrow table (``MATERIALS_SCHEMA``), one row per production series."""
    return pa.Table.from_pylist(list(_rows()), schema=MATERIALS_SCHEMA)


def material_names() -> list[str]:
    """The material slugs of the catalogue, sorted."""
    return sorted({str(row["material"]) for row in _rows()})


def select_materials(material: str | list[str] | None = None, stage: str | None = None) -> pa.Table:
    """Catalogue rows of ``material`` (one slug or several) and/or ``stage``; all rows when both are None.

    An unknown material or stage raises ``UnknownCodeError`` listing the known ones.
    """
    table = load_materials()
    if stage is not None:
        if stage not in MATERIAL_STAGES:
            raise UnknownCodeError(f"unknown stage '{stage}' (known stages: {', '.join(MATERIAL_STAGES)})")
        table = table.filter(pc.equal(table.column("stage"), stage))
    if material is not None:
        wanted = [material] if isinstance(material, str) else list(material)
        known = material_names()
        unknown = [m for m in wanted if m not in known]
        if unknown:
            raise UnknownCodeError(
                f"unknown material(s) {', '.join(unknown)} (known: {', '.join(known)}; "
                f"add one to {MATERIALS_PATH})"
            )
        table = table.filter(pc.is_in(table.column("material"), pa.array(wanted)))
    return table


def material_codes(table: pa.Table | None = None) -> pa.Table:
    """``material, stage, hs6`` with one row per HS6 code (from ``hs6``, split on ``;``)."""
    rows = (load_materials() if table is None else table).to_pylist()
    out: dict[tuple[str, str, str], None] = {}
    for row in rows:
        for code in str(row["hs6"] or "").split(";"):
            if code:
                out[(str(row["material"]), str(row["stage"]), code)] = None
    schema = pa.schema([("material", pa.string()), ("stage", pa.string()), ("hs6", pa.string())])
    return pa.Table.from_pylist([{"material": m, "stage": s, "hs6": h} for m, s, h in out], schema=schema)


def material_units(table: pa.Table | None = None) -> pa.Table:
    """``UNITS_SCHEMA``: one row per (material, stage, HS6) with how its tonnes convert.

    ``factor`` is the tonnes of ``production_basis`` per tonne traded (null where none is
    published, or where the catalogue row declares no ``content``); ``declared`` says whether the
    catalogue row states its units at all (a user's catalogue may not: its tonnes are then added as
    they are, and the output says so); ``trade_basis`` is what the converted tonnes count: the
    production basis when a factor is known, else the gross weight of that code.
    """
    rows = (load_materials() if table is None else table).to_pylist()
    out: dict[tuple[str, str, str], dict[str, object]] = {}
    for row in rows:
        factors: dict[str, str] = {}
        content = row.get("content")
        for item in str(content or "").split(";"):
            code, _, factor = item.partition("=")
            if code:
                factors[code] = factor
        basis = row.get("basis")
        for code in str(row["hs6"] or "").split(";"):
            if not code:
                continue
            known = factors.get(code, "-") != "-"
            declared = content is not None
            out[(str(row["material"]), str(row["stage"]), code)] = {
                "material": row["material"],
                "stage": row["stage"],
                "hs6": code,
                "factor": float(factors[code]) if known else None,
                "declared": declared,
                "trade_basis": (
                    (basis if known else f"gross weight of {code}") if declared else "tonnes as traded"
                ),
                "production_basis": basis,
            }
    return pa.Table.from_pylist(list(out.values()), schema=UNITS_SCHEMA)
