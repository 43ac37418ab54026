"""The parameters of the methods, with their published or documented defaults, declared once.

Each method's thresholds and settings are a frozen dataclass here; the metrics take them as
arguments and the analyses (``friendshore.analyses``) expose their fields as plain options whose
defaults are read from these instances, so no interface writes a default again. This module
imports no query engine: the command line reads it at start-up.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal, get_args

import numpy as np
import numpy.typing as npt

from friendshore.errors import DataSourceError, SchemaError, UserError

__all__ = [
    "CHOKEPOINT_HHI",
    "DEFAULT_CHOKEPOINT_SHARE",
    "DEFAULT_EC_THRESHOLDS",
    "DEFAULT_EVENT_MONTHS",
    "DEFAULT_EVENT_WINDOW",
    "DEFAULT_SR_PARAMS",
    "DEFAULT_SR_THRESHOLDS",
    "DEFAULT_UNCERTAINTY",
    "DEFAULT_WEIGHTS",
    "INDICATORS",
    "INDICATOR_MAX_LAG",
    "NORMALISATIONS",
    "CriticalityThresholds",
    "EcThresholds",
    "Normalisation",
    "SupplyRiskParams",
    "Uncertainty",
    "Weights",
    "load_weights",
    "require_fraction",
    "require_number",
]


#: Full calendar years compared on each side of a dated measure in the event view (BACI is annual;
#: three years smooth the chip cycle without reaching far back; a choice, not a published default).
DEFAULT_EVENT_WINDOW = 3
#: Months compared on each side of a measure in the monthly event view: a year on each side, so the
#: two periods hold the same calendar months (seasons cancel); a choice, not a published default.
DEFAULT_EVENT_MONTHS = 12


def require_number(
    value: float, what: str, *, minimum: float | None = None, maximum: float | None = None
) -> float:
    """``value`` if it is a finite number within the bounds given; a ``UserError`` naming ``what``
    otherwise. The one check every numeric option goes through."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and value < minimum:
        raise UserError(f"{what} must be at least {minimum:g}, got {value:g}")
    if maximum is not None and value > maximum:
        raise UserError(f"{what} must be at most {maximum:g}, got {value:g}")
    return float(value)


def require_fraction(value: float, what: str) -> float:
    """``value`` if it is a share in [0, 1]."""
    return require_number(value, what, minimum=0.0, maximum=1.0)


# --- Dependence and chokepoints (metrics.dependence) ------------------------------------------


@dataclass(frozen=True)
class EcThresholds:
    """Thresholds of the EC strategic-dependency screen (SWD(2021) 352)."""

    hhi: float = 0.4
    extra_import_ratio: float = 0.5
    import_export_ratio: float = 1.0

    def __post_init__(self) -> None:
        require_fraction(self.hhi, "the EC screen's HHI threshold (--hhi)")
        require_fraction(self.extra_import_ratio, "the EC screen's extra-group import ratio (--extra-ratio)")
        require_number(
            self.import_export_ratio, "the EC screen's imports/exports ratio (--cover)", minimum=0.0
        )


#: The Commission's thresholds (0.4, 0.5, 1.0).
DEFAULT_EC_THRESHOLDS = EcThresholds()


#: World export HHI above which a product is a chokepoint (CEPII GeoDep's convention).
CHOKEPOINT_HHI = 0.4


# --- Indicator years (metrics.rules) ---------------------------------------------------------

#: Governance and alignment are read at each country's latest year up to the analysis year, and no
#: older than this many years (docs/methods/rules.md).
INDICATOR_MAX_LAG = 5


# --- Supply risk (metrics.supply_risk) -------------------------------------------------------


@dataclass(frozen=True)
class CriticalityThresholds:
    """EU criticality thresholds: critical when ``SR >= supply_risk`` and ``EI >= economic_importance``."""

    supply_risk: float = 1.0
    economic_importance: float = 2.8


#: The EU thresholds (SR 1.0, EI 2.8).
DEFAULT_SR_THRESHOLDS = CriticalityThresholds()


def _frozen(mapping: Mapping[str, float] | None) -> Mapping[str, float]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class SupplyRiskParams:
    """Parameters of ``supply_risk``; every one is reported in or visible from the output.

    ``trade_restriction``: ISO3 -> ``t_c`` (> 0; 1 for countries not named). ``eol_rir`` and
    ``si_sr``: material -> value, overriding the catalogue. ``alignment_weight``: 0 = WGI only (the
    EU method), 1 = alignment only, in between a mix. ``include_domestic``: count the importer's own
    production in its sourcing (the EU method) or only imports.
    """

    alignment_weight: float = 0.0
    trade_restriction: Mapping[str, float] = field(default_factory=dict)
    eol_rir: Mapping[str, float] = field(default_factory=dict)
    si_sr: Mapping[str, float] = field(default_factory=dict)
    include_domestic: bool = True
    thresholds: CriticalityThresholds = DEFAULT_SR_THRESHOLDS

    def __post_init__(self) -> None:
        object.__setattr__(self, "trade_restriction", _frozen(self.trade_restriction))
        object.__setattr__(self, "eol_rir", _frozen(self.eol_rir))
        object.__setattr__(self, "si_sr", _frozen(self.si_sr))
        if not 0.0 <= self.alignment_weight <= 1.0:
            raise UserError(f"alignment weight {self.alignment_weight} is outside [0, 1]")
        for code, factor in self.trade_restriction.items():
            if not factor > 0:
                raise UserError(f"trade-restriction factor for {code} is {factor}; use a number above 0")
        for name, value in self.eol_rir.items():
            if not 0.0 <= value <= 1.0:
                raise UserError(f"EoL-RIR of {name} is {value}; use a fraction in [0, 1]")
        for name, value in self.si_sr.items():
            if not 0.0 < value <= 1.0:
                raise UserError(f"SI_SR of {name} is {value}; use a number in (0, 1]")

    @property
    def weighting(self) -> str:
        """``wgi``, ``alignment`` or ``wgi+alignment (w=...)``."""
        if self.alignment_weight == 0:
            return "wgi"
        if self.alignment_weight == 1:
            return "alignment"
        return f"wgi+alignment (w={self.alignment_weight:g})"


#: The EU method as published: WGI weighting, no trade restrictions, catalogue parameters.
DEFAULT_SR_PARAMS = SupplyRiskParams()


# --- Partner candidates (metrics.partners) ---------------------------------------------------

Normalisation = Literal["minmax", "zscore", "rank"]
NORMALISATIONS: tuple[str, ...] = get_args(Normalisation)

#: The composite's indicators, in the order of ``Weights``.
INDICATORS: tuple[str, ...] = ("capacity", "rca", "density", "governance", "alignment", "distance")


@dataclass(frozen=True)
class Weights:
    """Weights of the six indicators; any non-negative numbers, used relative to their sum."""

    capacity: float = 0.2
    rca: float = 0.1
    density: float = 0.1
    governance: float = 0.2
    alignment: float = 0.2
    distance: float = 0.2

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not isinstance(value, int | float) or isinstance(value, bool) or not math.isfinite(value):
                raise UserError(f"weight '{f.name}' must be a number, got {value!r}")
            if value < 0:
                raise UserError(f"weight '{f.name}' must not be negative, got {value}")
        if sum(self.as_dict().values()) <= 0:
            raise UserError("at least one weight must be positive")

    def as_dict(self) -> dict[str, float]:
        return {k: float(v) for k, v in asdict(self).items()}

    def vector(self) -> npt.NDArray[np.float64]:
        """The weights in ``INDICATORS`` order, scaled to sum to 1."""
        w = np.array([getattr(self, name) for name in INDICATORS], dtype=np.float64)
        return np.asarray(w / w.sum(), dtype=np.float64)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any], *, file: str | Path | None = None) -> Weights:
        """Weights from ``{indicator: weight}``; indicators not named get weight 0."""
        unknown = sorted(set(data) - set(INDICATORS))
        if unknown:
            raise SchemaError(
                f"unknown indicator(s) {unknown} (known: {', '.join(INDICATORS)})", file=file, field="weights"
            )
        values = {name: data.get(name, 0.0) for name in INDICATORS}
        try:
            return cls(**values)
        except UserError as exc:
            raise SchemaError(str(exc), file=file, field="weights") from None


#: Equal weights per dimension (capacity, capability, governance, alignment, distance).
DEFAULT_WEIGHTS = Weights()


def load_weights(path: str | Path) -> Weights:
    """Read weights from a TOML (``[weights]`` table) or JSON (``{"weights": {...}}``) file.

    A file without a ``weights`` table may hold the indicator keys at its top level. Example::

        [weights]
        capacity = 0.4
        governance = 0.3
        alignment = 0.3
    """
    path = Path(path)
    if not path.is_file():
        raise DataSourceError("weights file not found", file=path, hint="give a .toml or .json file")
    try:
        text = path.read_text("utf-8")
    except UnicodeDecodeError as exc:
        raise SchemaError(f"not UTF-8 text ({exc.reason})", file=path) from None
    try:
        if path.suffix.lower() == ".json":
            data = json.loads(text)
        elif path.suffix.lower() == ".toml":
            data = tomllib.loads(text)
        else:
            raise UserError(f"{path}: a weights file must end in .toml or .json")
    except (json.JSONDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SchemaError(f"cannot be parsed: {exc}", file=path) from None
    except RecursionError:
        raise SchemaError("nested too deeply to be a table of weights", file=path) from None
    if not isinstance(data, dict):
        raise SchemaError("must hold a table of weights", file=path)
    table = data.get("weights", data)
    if not isinstance(table, dict) or not table:
        raise SchemaError("the 'weights' table is empty", file=path, field="weights")
    return Weights.from_mapping(table, file=path)


@dataclass(frozen=True)
class Uncertainty:
    """Settings of the Monte Carlo uncertainty analysis of the ranking."""

    draws: int = 1000
    seed: int = 0
    concentration: float | None = 50.0
    normalisations: tuple[Normalisation, ...] = ("minmax", "zscore", "rank")

    def __post_init__(self) -> None:
        if self.draws < 1:
            raise UserError(f"the number of draws must be at least 1, got {self.draws}")
        if self.concentration is not None and not self.concentration > 0:
            raise UserError(f"the Dirichlet concentration must be positive, got {self.concentration}")
        if not self.normalisations:
            raise UserError("give at least one normalisation")
        bad = [n for n in self.normalisations if n not in NORMALISATIONS]
        if bad:
            raise UserError(f"unknown normalisation(s) {bad} (known: {', '.join(NORMALISATIONS)})")


#: 1,000 draws, seed 0, Dirichlet concentration 50, the three normalisations.
DEFAULT_UNCERTAINTY = Uncertainty()


# --- Chips (metrics.chips) ---------------------------------------------------------------------

#: SIA & BCG (2021): a single point of failure holds more than 65% of the global market.
DEFAULT_CHOKEPOINT_SHARE = 0.65
