"""Ready-made supply-risk analyses: user words (a country or group, a year, options) -> metric calls.

The command line (``friendshore supply-risk``) and the API call these, so both stay thin and agree.
See ``friendshore.metrics.supply_risk`` for the method and ``docs/methods/supply-risk.md``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path

import ibis
import pyarrow as pa

from friendshore.errors import DataSourceError, SchemaError, UnknownCodeError, UserError
from friendshore.metrics.supply_risk import (
    DEFAULT_THRESHOLDS,
    CriticalityThresholds,
    SupplyRiskParams,
    alignment_scores,
    global_supply,
    supply_risk,
)
from friendshore.metrics.views import latest_year, resolve_who
from friendshore.nomenclature.groups import iso3_codes
from friendshore.nomenclature.materials import MATERIALS_PATH, MaterialStage, material_names, select_materials
from friendshore.settings import Settings
from friendshore.warehouse import connect, require_table

__all__ = [
    "global_supply_view",
    "parse_assignments",
    "read_economic_importance",
    "supply_risk_view",
]


def parse_assignments(items: Sequence[str], *, what: str, option: str) -> dict[str, float]:
    """``["CHN=1.2", "IDN=1.1,VNM=1.1"]`` -> ``{"CHN": 1.2, "IDN": 1.1, "VNM": 1.1}``.

    ``what`` names the key (for messages) and ``option`` the option the user typed.
    """
    out: dict[str, float] = {}
    for item in items:
        for part in item.split(","):
            text = part.strip()
            if not text:
                continue
            key, sep, value = text.partition("=")
            try:
                number = float(value)
            except ValueError:
                number = math.nan
            if not sep or not key.strip() or not math.isfinite(number):
                raise UserError(f"{option} '{text}' is not {what}=NUMBER (e.g. {option} CHN=1.2)")
            out[key.strip()] = number
    return out


def read_economic_importance(path: Path) -> pa.Table:
    """A user's economic-importance table: CSV with columns ``material,economic_importance``.

    Materials are catalogue slugs (``friendshore supply-risk --help`` lists them); values are numbers
    >= 0 on the EU's 0-10 scale. Returns ``material, economic_importance``.
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError(
            "not found", file=path, hint="give a CSV file with material,economic_importance"
        )
    try:
        text = path.read_text("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataSourceError(f"cannot read the file ({exc})", file=path) from None
    reader = csv.DictReader(text.splitlines())
    header = [c.strip() for c in reader.fieldnames or []]
    if "material" not in header or "economic_importance" not in header:
        raise SchemaError(
            f"header is {header}; expected columns material,economic_importance", file=path, line=1
        )
    known = set(material_names())
    rows: dict[str, float] = {}
    for line, raw in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
        name = row["material"]
        if not name:
            continue
        if name not in known:
            raise UnknownCodeError(
                f"{path}: line {line}: unknown material '{name}' (known: {', '.join(sorted(known))}; "
                f"see {MATERIALS_PATH})"
            )
        try:
            value = float(row["economic_importance"])
        except ValueError:
            value = math.nan
        if not math.isfinite(value) or value < 0:
            raise SchemaError(
                f"'{row['economic_importance']}' is not a number >= 0",
                file=path,
                line=line,
                field="economic_importance",
            )
        if name in rows:
            raise SchemaError(f"second row for '{name}'", file=path, line=line, field="material")
        rows[name] = value
    if not rows:
        raise DataSourceError("no rows after the header", file=path)
    return pa.table(
        {"material": list(rows), "economic_importance": pa.array(list(rows.values()), pa.float64())}
    )


def _check_codes(codes: Mapping[str, float]) -> dict[str, float]:
    known = iso3_codes()
    out = {}
    for code, value in codes.items():
        iso3 = code.upper()
        if iso3 not in known:
            raise UnknownCodeError(
                f"unknown country code '{code}' in --trade-restriction (use ISO3, e.g. CHN=1.2)"
            )
        out[iso3] = value
    return out


def _check_materials(values: Mapping[str, float], option: str) -> dict[str, float]:
    known = material_names()
    unknown = [m for m in values if m not in known]
    if unknown:
        raise UnknownCodeError(
            f"unknown material(s) {', '.join(unknown)} in {option} (known: {', '.join(known)})"
        )
    return dict(values)


def supply_risk_view(
    settings: Settings,
    *,
    importer: str,
    year: int | None = None,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
    alignment_weight: float = 0.0,
    trade_restriction: Mapping[str, float] | None = None,
    eol_rir: Mapping[str, float] | None = None,
    si_sr: Mapping[str, float] | None = None,
    include_domestic: bool = True,
    economic_importance: Path | None = None,
    thresholds: CriticalityThresholds = DEFAULT_THRESHOLDS,
    members_at: date | None = None,
) -> pa.Table:
    """Supply risk per material and stage for an ISO3 code or group, materialised as Arrow.

    ``year`` defaults to the latest year of the trade table; each input is then matched to its
    latest year <= ``year`` (the output's ``*_year`` columns). See ``supply_risk`` for the columns.
    """
    chosen = select_materials(list(material) if material else None, stage)  # unknown -> UnknownCodeError
    if chosen.num_rows == 0:
        raise UserError(
            f"the catalogue has no {stage} series for {', '.join(material or [])}; "
            f"run without --stage, or add a series to {MATERIALS_PATH}"
        )
    params = SupplyRiskParams(
        alignment_weight=alignment_weight,
        trade_restriction=_check_codes(trade_restriction or {}),
        eol_rir=_check_materials(eol_rir or {}, "--eol-rir"),
        si_sr=_check_materials(si_sr or {}, "--si-sr"),
        include_domestic=include_domestic,
        thresholds=thresholds,
    )
    ei = read_economic_importance(economic_importance) if economic_importance is not None else None
    con = connect(settings)
    trade = require_table(con, "trade")
    production = require_table(con, "mineral_production")
    governance = require_table(con, "governance") if alignment_weight < 1 else None
    alignment = require_table(con, "alignment") if alignment_weight > 0 else None
    year = year or latest_year(trade)
    who = resolve_who(importer, year=year, members_at=members_at, settings=settings)
    if alignment is not None:
        scores = alignment_scores(alignment, importer=who.members, year=year)
        ideal = scores.aggregate(ip=scores.importer_ideal_point.max()).to_pyarrow().column("ip")[0].as_py()
        if ideal is None:
            raise UserError(
                f"{who.label} has no UN General Assembly ideal point up to {year}, so alignment "
                "weighting cannot be computed for it; run without --alignment"
            )
    expr = supply_risk(
        trade,
        production,
        governance,
        alignment,
        importer=who.members,
        label=who.label,
        year=year,
        stage=stage,
        material=material,
        params=params,
        economic_importance=ibis.memtable(ei) if ei is not None else None,
    )
    return expr.to_pyarrow()


def global_supply_view(
    settings: Settings,
    *,
    year: int,
    stage: MaterialStage | None = None,
    material: Sequence[str] | None = None,
) -> pa.Table:
    """World production shares by country (the global-supply term), largest first, as Arrow."""
    con = connect(settings)
    expr = global_supply(require_table(con, "mineral_production"), year=year, stage=stage, material=material)
    return expr.order_by(["material", "stage", ibis.desc("share"), "country"]).to_pyarrow()
