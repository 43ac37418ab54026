"""How risky is each critical material for an importer? The EU CRM supply-risk score, from anyone's side.

Method: ``friendshore.metrics.supply_risk`` and docs/methods/supply-risk.md (Blengini et al. 2017).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Literal

import pyarrow as pa

from friendshore.analyses.baskets import basket_notes, with_traded_as
from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.errors import DataSourceError, SchemaError, UnknownCodeError, UserError
from friendshore.metrics.parameters import (
    DEFAULT_SR_THRESHOLDS,
    CriticalityThresholds,
    SupplyRiskParams,
    require_number,
)
from friendshore.settings import Settings

__all__ = [
    "Method",
    "parse_assignments",
    "read_economic_importance",
    "supply_risk",
]

Stage = Literal["mining", "refining"]
#: ``eu``: the EU CRM method (Blengini et al. 2017); ``geopolrisk``: GeoPolRisk (``analyses.geopolrisk``).
Method = Literal["eu", "geopolrisk"]

#: What people see first (``--columns all`` and CSV/JSON carry every column and input year).
_KEYS = ["material", "stage", "supply_risk", "hhi_wgi_global", "hhi_wgi_sourcing", "import_reliance",
         "top_producer", "top_producer_share", "critical"]  # fmt: skip


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
    from friendshore.nomenclature.materials import MATERIALS_PATH, material_names

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
    from friendshore.nomenclature.groups import iso3_codes

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
    from friendshore.nomenclature.materials import material_names

    known = material_names()
    unknown = [m for m in values if m not in known]
    if unknown:
        raise UnknownCodeError(
            f"unknown material(s) {', '.join(unknown)} in {option} (known: {', '.join(known)})"
        )
    return dict(values)


def _columns(label: str) -> tuple[Column, ...]:
    """The shares of the EU method's output with their bases (their years are per row: the
    ``production_year`` and ``trade_year`` columns)."""
    return (
        Column(
            "top_producer_share",
            "its share",
            "share",
            description="of the production series in production_year",
            basis="world production of the material at the stage, by quantity (the series' world total "
            "or the sum of countries, as world_basis says)",
        ),
        Column(
            "import_reliance",
            "IR",
            "share",
            description="(imports - exports) / (production + imports - exports), in trade_year",
            basis=f"{label}'s apparent consumption of the material, by quantity (tonnes of the production's basis, e.g. metal content)",
        ),
        Column(
            "producer_coverage",
            "producers covered",
            "share",
            basis="world production of the material at the stage, by quantity",
        ),
        Column(
            "traded_as",
            "traded as",
            "text",
            description="the HS6 codes of the trade side, a basket named as one",
        ),
    )


@documented()
def supply_risk(
    settings: Settings,
    *,
    importer: str,
    year: int | None = None,
    stage: Stage | None = None,
    material: Sequence[str] | None = None,
    alignment_weight: float = 0.0,
    trade_restriction: Mapping[str, float] | None = None,
    eol_rir: Mapping[str, float] | None = None,
    si_sr: Mapping[str, float] | None = None,
    include_domestic: bool = True,
    economic_importance: Path | None = None,
    sr_threshold: float = DEFAULT_SR_THRESHOLDS.supply_risk,
    ei_threshold: float = DEFAULT_SR_THRESHOLDS.economic_importance,
    members_at: date | None = None,
    release: str | None = None,
    method: Method = "eu",
    inputs: Path | None = None,
) -> Result:
    """Supply risk per material and stage for a country or group (EU CRM method, or GeoPolRisk).

    ``year`` defaults to the latest trade year; each input is then matched to its latest year <=
    ``year`` (the ``*_year`` columns). ``alignment_weight`` mixes WGI (0, the EU method) with UNGA
    alignment (1). ``economic_importance`` is a CSV ``material,economic_importance`` that adds the
    EU criticality flag. Quantities are converted to one basis before they are added (the
    materials catalogue's content factors); where they cannot be, or where the loaded trade does
    not cover the importer's trade, the supply risk is null with the reason (the ``note`` column).
    Trade is read in HS 2017, newest release per year unless ``release`` names one.

    Parameters
    ----------
    importer
        ISO3 code or group (e.g. USA, IND, eu27, quad).
    year
        Analysis year (default: the latest trade year); inputs use their latest year <= it.
    stage
        Only this stage: mining or refining.
    material
        Only this material (repeat for several), e.g. cobalt.
    trade_restriction
        Trade-restriction factor t_c, ISO3=FACTOR (repeat or comma-separate), e.g. CHN=1.2.
    eol_rir
        Override EoL-RIR, MATERIAL=FRACTION, e.g. cobalt=0.3.
    si_sr
        Override SI_SR, MATERIAL=VALUE, e.g. cobalt=0.9.
    economic_importance
        CSV material,economic_importance: adds EI and the EU criticality flag (SR >= 1 and EI >= 2.8).
    sr_threshold
        Criticality: supply-risk threshold.
    ei_threshold
        Criticality: economic-importance threshold.
    members_at
    release
    method
        eu (the EU CRM method) or geopolrisk (HHI of production x import risk weighted by WGI political stability).
    inputs
        GeoPolRisk only: CSV material,partner,quantity,governance,domestic_production,hhi[,value] (a published case as published).
    """
    if method == "geopolrisk":
        eu_only = {
            "--alignment-weight": alignment_weight != 0.0,
            "--trade-restriction": bool(trade_restriction),
            "--eol-rir": bool(eol_rir),
            "--si-sr": bool(si_sr),
            "--imports-only": not include_domestic,
            "--economic-importance": economic_importance is not None,
        }
        used = [k for k, v in eu_only.items() if v]
        if used:
            raise UserError(
                f"{', '.join(used)} belong to the EU method; run without them for --method geopolrisk"
            )
        from friendshore.analyses.geopolrisk import geopolrisk

        return geopolrisk(
            settings,
            importer=importer,
            year=year,
            stage=stage,
            material=material,
            members_at=members_at,
            release=release,
            inputs=inputs,
        )
    if inputs is not None:
        raise UserError("--inputs is for --method geopolrisk; the EU method reads the warehouse")
    import ibis

    from friendshore.metrics.supply_risk import alignment_scores
    from friendshore.metrics.supply_risk import supply_risk as supply_risk_expr
    from friendshore.nomenclature.materials import MATERIALS_PATH, select_materials

    chosen = select_materials(list(material) if material else None, stage)  # unknown -> UnknownCodeError
    if chosen.num_rows == 0:
        raise UserError(
            f"the catalogue has no {stage} series for {', '.join(material or [])}; "
            f"run without --stage, or add a series to {MATERIALS_PATH}"
        )
    thresholds = CriticalityThresholds(
        supply_risk=require_number(sr_threshold, "the supply-risk threshold", minimum=0.0),
        economic_importance=require_number(ei_threshold, "the economic-importance threshold", minimum=0.0),
    )
    params = SupplyRiskParams(
        alignment_weight=require_number(alignment_weight, "the alignment weight", minimum=0.0, maximum=1.0),
        trade_restriction=_check_codes(trade_restriction or {}),
        eol_rir=_check_materials(eol_rir or {}, "--eol-rir"),
        si_sr=_check_materials(si_sr or {}, "--si-sr"),
        include_domestic=include_domestic,
        thresholds=thresholds,
    )
    ei = read_economic_importance(economic_importance) if economic_importance is not None else None
    ctx = open_context(settings, release=release)
    trade = ctx.table("trade")
    production = ctx.table("mineral_production")
    governance = ctx.table("governance") if params.alignment_weight < 1 else None
    alignment = ctx.table("alignment") if params.alignment_weight > 0 else None
    year = ctx.check_year(year, loaded_only=False)
    who = ctx.who(importer, year=year, members_at=members_at)
    if alignment is not None:
        scores = alignment_scores(alignment, importer=who.members, year=year)
        ideal = scores.aggregate(ip=scores.importer_ideal_point.max()).to_pyarrow().column("ip")[0].as_py()
        if ideal is None:
            raise UserError(
                f"{who.label} has no UN General Assembly ideal point up to {year}, so alignment "
                "weighting cannot be computed for it; run without --alignment"
            )
    expr = supply_risk_expr(
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
        imports_known=ctx.known("imports", who.members),
        exports_known=ctx.known("exports", who.members),
    )
    table = with_traded_as(expr.to_pyarrow())
    keys = [k for k in _KEYS if k != "critical" or ei is not None]
    notes = [who.describe()] if who.is_group else []
    notes.append(
        "SR = [HHI-WGI(global supply) x IR/2 + HHI-WGI(sourcing) x (1 - IR/2)] x (1 - EoL-RIR) x SI(SR); "
        "EU-published values lie between about 0 and 7; the note column says what each row assumed"
    )
    notes.append(
        "quantities are tonnes of the production's basis (column 'quantity basis'): trade converted with the "
        "catalogue's content factors, production from its unit; a code without a published factor "
        "cannot be added to production, so an importer that produces the material has no score"
    )
    notes += basket_notes(table)
    notes += ctx.trade_notes()
    parameters = {
        "importer": who.to_json(),
        "year": year,
        "stage": stage,
        "material": list(material) if material else None,
        "method": "eu",
        "weighting": params.weighting,
        "alignment_weight": params.alignment_weight,
        "trade_restriction": dict(params.trade_restriction),
        "eol_rir": dict(params.eol_rir),
        "si_sr": dict(params.si_sr),
        "include_domestic": include_domestic,
        "economic_importance": str(economic_importance) if economic_importance else None,
        "sr_threshold": thresholds.supply_risk,
        "ei_threshold": thresholds.economic_importance,
        "release": release,
    }
    sources = (f"economic importance: {economic_importance}",) if economic_importance else ()
    return Result(
        "supply-risk",
        f"Supply risk of critical materials for {who.label}, {year} ({params.weighting})",
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=_columns(who.label)),
        sources=sources,
    )
