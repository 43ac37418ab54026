"""The EU's 2023 supply risk per material, recomputed from the EU's own published inputs (reproduction
``eu-crm-2023-sr``): the EU's viewpoint, the EU's global supply and EU sourcing shares with their
trade factors ``t``, and the EU's import reliance, EoL-RIR and SI(SR) per stage, through our
formula (``metrics.supply_risk.calc_supply_risk``) and our WGI scores (``wgi_scores``).

Inputs, each named where it comes from:

* shares and ``t``: ``eu_crm_2023_assessment/fact_GlobalSupplyShares&t.csv`` and
  ``fact_EUSupplyShares&t.csv`` in the sample data (the report's Appendix 7, transcribed; the EU
  sourcing shares are those of 1 % or more; ``<0.1%`` counts as 0);
* import reliance, EoL-RIR, SI(SR) and which supply terms the EU used at each stage (global supply
  and EU sourcing, global only, EU only): ``published/eu-crm-2023-inputs.csv`` (the report's values
  as transcribed by the CritMAT project: a secondary source, not checked against the report);
* governance: the World Bank WGI of ``WGI_YEAR`` (our assumption of the year the 2023 assessment
  used; the report's own scaled WGI values are not in the inputs), rescaled as in
  docs/methods/supply-risk.md.

Per stage ``SR = [HHI_GS * IR/2 + HHI_EU * (1 - IR/2)] * (1 - EoL_RIR) * SI_SR``, where a stage
assessed on global supply only has ``HHI_EU = HHI_GS`` and one on EU sourcing only ``HHI_GS =
HHI_EU``; a material's SR is the highest of its stages (the bottleneck), compared with the
published 2023 SR (Annex 4, rounded to 0.1; ``published/eu-crm-2023-sr.csv``). A material whose
inputs are not complete is reported as not reproducible with the missing input named.
"""

from __future__ import annotations

import csv
import io
import math
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from friendshore.analyses.reproductions.compare import PUBLISHED_DIR, Check, published_values
from friendshore.errors import DataSourceError, SchemaError
from friendshore.metrics.supply_risk import calc_supply_risk, wgi_scores
from friendshore.nomenclature.countries import to_iso3
from friendshore.settings import Settings, load_settings
from friendshore.warehouse import connect
from friendshore.warehouse.ingest import ingest_source

__all__ = ["WGI_YEAR", "StageResult", "eu_crm_2023_sr", "read_eu_shares", "stage_results"]

NAME = "eu-crm-2023-sr"
FOLDER = "eu_crm_2023_assessment"
#: Assumption: the WGI year the 2023 assessment used (the 2022 update of the WGI, data to 2021, was
#: the latest when the study was compiled in 2022). Not confirmed from the report.
WGI_YEAR = 2021
#: A stage's WGI-scored shares must cover this much of its supply, else the governance input is missing.
MIN_SCORED = 0.95
#: Country names of the transcription that our crosswalk does not know (its spellings).
_ALIASES = {
    "Brasil": "BRA",
    "Brasilia": "BRA",
    "Congo, D.R.": "COD",
    "French Guiana": "GUF",
    "Korea, South": "KOR",
    "Libanon": "LBN",
    "Solomon Islands": "SLB",
    "Surinam": "SUR",
    "Turkyie": "TUR",
}
_STAGES = {"E": "extraction", "P": "processing"}

#: (material as the share files name it, lower case, stage E/P) -> [(ISO3, share as a fraction, t)]
Shares = Mapping[tuple[str, str], list[tuple[str, float, float]]]


def _text(path: Path) -> str:
    """The file as text: UTF-8, else Windows-1252 (the transcription has one cp1252 byte)."""
    if not path.is_file():
        raise DataSourceError("not found", file=path, hint=f"the sample data's {FOLDER} folder holds it")
    raw = path.read_bytes()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252")


def read_eu_shares(path: Path) -> dict[tuple[str, str], list[tuple[str, float, float]]]:
    """A supply-shares file (``Material, Stage, Country, Share, t``; shares like ``90.6%``, ``<0.1%``).

    CRLF line endings and quoted fields with line breaks are read as CSV; ``<0.1%`` counts as 0.
    A country the crosswalk does not know raises ``SchemaError`` naming it and its line.
    """
    reader = csv.DictReader(io.StringIO(_text(path), newline=""))
    need = {"Material", "Stage", "Country", "Share", "t"}
    if not need <= set(reader.fieldnames or ()):
        raise SchemaError(f"header is {reader.fieldnames}; expected {sorted(need)}", file=path, line=1)
    out: dict[tuple[str, str], list[tuple[str, float, float]]] = {}
    for line, row in enumerate(reader, start=2):
        name = " ".join(row["Country"].split())
        iso3 = _ALIASES.get(name) or to_iso3([name])[0]
        if iso3 is None:
            raise SchemaError(f"unknown country '{name}'", file=path, line=line, field="Country")
        text = row["Share"].strip().rstrip("%")
        try:
            share = 0.0 if text.startswith("<") else float(text) / 100
            t = float(row["t"])
        except ValueError:
            raise SchemaError(
                f"'{row['Share']}' or '{row['t']}' is not a number", file=path, line=line
            ) from None
        key = (" ".join(row["Material"].split()).lower(), row["Stage"].strip())
        out.setdefault(key, []).append((iso3, share, t))
    return out


@dataclass(frozen=True)
class StageResult:
    """One material at one stage: our SR from the EU's inputs, or the inputs that are missing."""

    material: str
    stage: str  # E (extraction) or P (processing)
    supply_risk: float | None
    hhi_global: float | None
    hhi_eu: float | None
    missing: tuple[str, ...]


def _inputs() -> list[dict[str, str]]:
    resource = files("friendshore.analyses.reproductions").joinpath(PUBLISHED_DIR, "eu-crm-2023-inputs.csv")
    return list(csv.DictReader(resource.read_text("utf-8").splitlines()))


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


def _hhi(
    shares: list[tuple[str, float, float]] | None, wgi: Mapping[str, float]
) -> tuple[float | None, float]:
    """``sum share^2 * WGI * t`` and the share of the supply with a WGI score."""
    if not shares:
        return None, 0.0
    total = sum(s for _, s, _ in shares)
    scored = sum(s for c, s, _ in shares if c in wgi)
    hhi = sum(s * s * wgi[c] * t for c, s, t in shares if c in wgi)
    return hhi, (scored / total if total > 0 else 0.0)


def stage_results(global_shares: Shares, eu_shares: Shares, wgi: Mapping[str, float]) -> list[StageResult]:
    """Our SR per material and stage from the EU's inputs (``published/eu-crm-2023-inputs.csv``)."""
    out = []
    for row in _inputs():
        stage, use = row["stage"], row["sourcing"]
        key = (row["shares_material"].lower(), stage)
        eu_key = (row["eu_shares_material"].lower(), stage)
        ir, eol, si = _number(row["import_reliance"]), _number(row["eol_rir"]), _number(row["si_sr"])
        gs, gs_scored = _hhi(global_shares.get(key), wgi)
        eu, eu_scored = _hhi(eu_shares.get(eu_key), wgi)
        where = _STAGES[stage]
        missing = []
        if not use:
            missing.append(f"which supply terms the EU used at {where}")
        if ir is None:
            missing.append(f"import reliance at {where}")
        if eol is None:
            missing.append("EoL-RIR")
        if si is None:
            missing.append("SI(SR)")
        # a term is needed only where it carries weight: global supply when IR > 0 or used alone
        need_gs = use == "GSonly" or (use == "GS+EU" and (ir is None or ir > 0))
        need_eu = use in ("EUonly", "GS+EU")
        if need_gs and gs is None:
            missing.append(f"global supply shares at {where}")
        elif need_gs and gs_scored < MIN_SCORED:
            missing.append(f"WGI for {1 - gs_scored:.0%} of global supply at {where}")
        if need_eu and eu is None:
            missing.append(f"EU sourcing shares at {where}")
        elif need_eu and eu_scored < MIN_SCORED:
            missing.append(f"WGI for {1 - eu_scored:.0%} of EU sourcing at {where}")
        sr = None
        if not missing and ir is not None and eol is not None and si is not None:
            g = gs if use != "EUonly" else eu
            e = eu if use != "GSonly" else gs
            sr = calc_supply_risk(g or 0.0, e or 0.0, ir, eol, si)
        out.append(StageResult(row["material"], stage, sr, gs, eu, tuple(missing)))
    return out


def _wgi(settings: Settings, year: int) -> dict[str, float]:
    """WGI scores 0-10 of ``year`` from the sample's WGI file, in a temporary warehouse."""
    sample = Path(settings.sample_data)
    with tempfile.TemporaryDirectory() as tmp:
        ingest_source(Path(tmp), "wgi", sample / "wgi" / "wgidataset_2023update.xlsx")
        governance = connect(load_settings(home=tmp, sample_data=sample)).table("governance")
        rows = wgi_scores(governance, year=year).to_pyarrow().to_pylist()
    return {str(r["country"]): float(r["wgi_score"]) for r in rows if r["wgi_year"] == year}


def eu_crm_2023_sr(settings: Settings) -> list[Check]:
    """One ``Check`` per material with a published 2023 SR: ours (the highest stage) or what is missing."""
    folder = Path(settings.sample_data) / FOLDER
    global_shares = read_eu_shares(folder / "fact_GlobalSupplyShares&t.csv")
    eu_shares = read_eu_shares(folder / "fact_EUSupplyShares&t.csv")
    stages = stage_results(global_shares, eu_shares, _wgi(settings, WGI_YEAR))
    by_material: dict[str, list[StageResult]] = {}
    for s in stages:
        by_material.setdefault(s.material, []).append(s)
    checks = []
    for p in published_values(NAME):
        name = p.keys["material"]
        found = by_material.get(name, [])
        missing = list(dict.fromkeys(m for s in found for m in s.missing))
        if not found:
            missing = [
                "import reliance, EoL-RIR and SI(SR) of the group (the EU scores a group from its members)"
            ]
        if missing:
            checks.append(
                Check(p.quantity, p.value, math.nan, p.tolerance, p.source, missing="; ".join(missing))
            )
            continue
        values = {s.stage: s.supply_risk for s in found if s.supply_risk is not None}
        ours = max(values.values())
        shown = ", ".join(f"{_STAGES[k]} {v:.2f}" for k, v in sorted(values.items()))
        note = f"ours: the highest stage ({shown}); WGI {WGI_YEAR} (assumed)"
        checks.append(Check(p.quantity, p.value, round(ours, 4), p.tolerance, f"{p.source}; {note}"))
    return checks
