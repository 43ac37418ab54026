"""How exposed is an importer to the geopolitics of its raw-material suppliers? The GeoPolRisk score and
characterisation factor (``supply-risk --method geopolrisk``), from the warehouse or from a user's own
inputs (a published case fed in as published).

Method: ``friendshore.metrics.supply_risk.geopolrisk`` and docs/methods/supply-risk.md.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from friendshore.analyses.baskets import basket_notes, with_traded_as
from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.result import Column, Result
from friendshore.errors import DataSourceError, SchemaError
from friendshore.settings import Settings

if TYPE_CHECKING:
    from friendshore.metrics.supply_risk.geopolrisk import Case

__all__ = ["INPUT_COLUMNS", "geopolrisk", "read_geopolrisk_inputs"]

#: The columns of a user's inputs file (``value`` optional).
INPUT_COLUMNS = ("material", "partner", "quantity", "governance", "domestic_production", "hhi")

_KEYS = ["material", "stage", "score", "hhi", "import_risk", "gsp_cu_eq"]
_FORMULA = (
    "GeoPolRisk score = HHI (world production, 0-1) x import risk; import risk = sum of imports from "
    "each partner x its political instability g = (2.5 - WGI political stability) / 5, divided by "
    "imports plus the importer's own production; CF = score x import price; GSP = CF / copper's CF "
    "(kg copper-equivalent per kg)"
)


def _number(
    text: str, *, file: Path, line: int, field: str, low: float = 0.0, high: float = math.inf
) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise SchemaError(f"'{text}' is not a number in [{low}, {high}]", file=file, line=line, field=field)
    return value


def read_geopolrisk_inputs(path: Path) -> list[Case]:
    """A user's inputs: CSV ``material, partner, quantity, governance, domestic_production, hhi[, value]``.

    One row per material and partner; ``governance`` is the partner's score ``g`` in [0, 1] (1 = least
    stable), ``hhi`` in [0, 1]; ``domestic_production`` and ``hhi`` repeat on every row of a material
    and must agree. Quantities (imports and production) in one unit per material. Returns
    ``metrics.supply_risk.geopolrisk.Case``s.
    """
    from friendshore.metrics.supply_risk.geopolrisk import Case

    path = Path(path)
    if not path.is_file():
        raise DataSourceError("not found", file=path, hint=f"give a CSV file with {','.join(INPUT_COLUMNS)}")
    reader = csv.DictReader(path.read_text("utf-8-sig").splitlines())
    header = [c.strip() for c in reader.fieldnames or []]
    lacking = [c for c in INPUT_COLUMNS if c not in header]
    if lacking:
        raise SchemaError(f"header is {header}; missing {', '.join(lacking)}", file=path, line=1)
    cases: dict[str, tuple[float, float, list[tuple[str, float, float, float | None]]]] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        if not row["material"]:
            continue
        domestic = _number(row["domestic_production"], file=path, line=line, field="domestic_production")
        hhi = _number(row["hhi"], file=path, line=line, field="hhi", high=1.0)
        hhi_0, domestic_0, imports = cases.setdefault(row["material"], (hhi, domestic, []))
        if (hhi_0, domestic_0) != (hhi, domestic):
            raise SchemaError(
                f"hhi or domestic_production differ from the first row of '{row['material']}'",
                file=path,
                line=line,
                field="hhi",
            )
        value = row.get("value") or ""
        imports.append(
            (
                row["partner"],
                _number(row["quantity"], file=path, line=line, field="quantity"),
                _number(row["governance"], file=path, line=line, field="governance", high=1.0),
                _number(value, file=path, line=line, field="value") if value else None,
            )
        )
    if not cases:
        raise DataSourceError("no rows after the header", file=path)
    return [Case(name, hhi, domestic, tuple(imports)) for name, (hhi, domestic, imports) in cases.items()]


def _from_inputs(path: Path, label: str) -> Result:
    from friendshore.metrics.supply_risk.geopolrisk import geopolrisk_inputs

    table = geopolrisk_inputs(read_geopolrisk_inputs(path))
    extra = (
        Column("hhi", "HHI of production", "index", description="as given in the inputs file"),
        Column("import_risk", "import risk", "index"),
        Column("score", "GeoPolRisk score", "index"),
        Column("imports", "imports", "number", description="in the inputs file's unit"),
        Column("domestic_production", "own production", "number", description="in the inputs file's unit"),
        Column("price", "import price", "number", description="value / quantity, in the inputs file's units"),
        Column("cf", "characterisation factor", "number", description="score x import price"),
    )
    return Result(
        "supply-risk",
        f"GeoPolRisk for {label}, from {path.name}",
        table,
        {"method": "geopolrisk", "importer": label, "inputs": str(path)},
        (),
        (
            _FORMULA,
            f"inputs as given in {path} (partner quantities, governance scores g, own production, HHI)",
        ),
        describe(table, key=["material", "score", "hhi", "import_risk", "cf"], extra=extra),
        sources=(f"GeoPolRisk inputs: {path}",),
    )


def geopolrisk(
    settings: Settings,
    *,
    importer: str,
    year: int | None = None,
    stage: str | None = None,
    material: Sequence[str] | None = None,
    members_at: date | None = None,
    release: str | None = None,
    inputs: Path | None = None,
) -> Result:
    """GeoPolRisk per material and stage for a country or group, or over a user's ``inputs`` file.

    From the warehouse: HHI of world production (``mineral_production``), imports by partner
    (``trade``, converted to one basis as for the EU method), WGI political stability of each partner
    (``governance``, its latest year <= ``year``), the importer's own production; a group counts
    imports from non-members. The score is null, with the reason, where imports or production are
    unknown or their units cannot be reconciled. ``traded_as`` names the HS6 codes; a basket code
    (811292: gallium with germanium and other metals) is said to be one.
    """
    if inputs is not None:
        return _from_inputs(inputs, importer)
    from friendshore.metrics.supply_risk.geopolrisk import geopolrisk as expr

    ctx = open_context(settings, release=release)
    year = ctx.check_year(year, loaded_only=False)
    who = ctx.who(importer, year=year, members_at=members_at)
    table = expr(
        ctx.table("trade"),
        ctx.table("mineral_production"),
        ctx.table("governance"),
        importer=who.members,
        label=who.label,
        year=year,
        stage=stage,  # type: ignore[arg-type]
        material=material,
        imports_known=ctx.known("imports", who.members),
        exports_known=ctx.known("exports", who.members),
    ).to_pyarrow()
    table = with_traded_as(table)
    world = "world production of the material (sum of producing countries), by quantity"
    extra = (
        Column("hhi", "HHI of production", "index", description=f"0-1, of shares of {world}"),
        Column(
            "import_risk",
            "import risk",
            "index",
            description="0-1, imports weighted by partners' instability",
        ),
        Column("score", "GeoPolRisk score", "index", description="HHI x import risk, 0-1"),
        Column(
            "price_usd_per_kg", "import price", "number", description="USD per kg traded, value / quantity"
        ),
        Column("cf", "characterisation factor", "number", description="score x import price"),
        Column("gsp_cu_eq", "GSP", "number", description="kg copper-equivalent per kg: CF / copper's CF"),
        Column(
            "governance_missing_share",
            "imports without a PV score",
            "share",
            basis=f"{who.label}'s imports of the material from outside, by quantity",
        ),
        Column("traded_as", "traded as", "text"),
    )
    notes = [who.describe()] if who.is_group else []
    notes.append(_FORMULA)
    notes.append(
        "a group counts only imports from outside it (geopolrisk-py sums each member's imports, "
        "trade between members included); partners without a political-stability estimate are scored 0.5"
    )
    notes += basket_notes(table)
    notes += ctx.trade_notes()
    parameters = {
        "method": "geopolrisk",
        "importer": who.to_json(),
        "year": year,
        "stage": stage,
        "material": list(material) if material else None,
        "release": release,
    }
    return Result(
        "supply-risk",
        f"GeoPolRisk supply risk of critical materials for {who.label}, {year}",
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=_KEYS, extra=extra),
    )
