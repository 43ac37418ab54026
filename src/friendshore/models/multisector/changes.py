"""Counterfactual changes for the multi-sector model: tariffs, export taxes, trade costs, decoupling.

Each change selects bilateral sectoral flows -- ``exporters`` (who sells), ``importers`` (who
buys), ``sectors`` (``None``: all) and ``symmetric`` (also the reverse direction) -- and never a
country's sales to itself. Changes apply in order:

* ``Tariff`` -- the importers' ad-valorem tariff on those flows: a new level ``rate`` (0.25 =
  25 %), a change ``add`` to the current level, a factor ``scale`` on it, or ``to="cp2015-2005"``:
  the applied 2005 tariffs of Caliendo & Parro's data (the NAFTA experiment). Levels stay >= 0.
* ``ExportTax`` -- an ad-valorem tax the exporters levy on those sales (its revenue is theirs); an
  export restriction short of a ban.
* ``TradeCost`` -- iceberg trade costs times ``factor`` (1.25 = 25 % more), or ``prohibitive``
  (``factor = inf``: the flow stops; nothing is collected): an export ban, sanctions.
* ``Decouple`` -- every flow between two groups, both ways, at ``1 + cost`` times the iceberg cost
  (or prohibitive): bloc decoupling.

Coalition responses are sequences of these (e.g. China's ban on one sector's exports to the US, and
the US's partners removing their tariffs on the same sector among themselves).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from friendshore.errors import UserError
from friendshore.models.multisector.baseline import MultiSectorBaseline
from friendshore.models.multisector.kernels import Array

__all__ = [
    "Change",
    "Decouple",
    "ExportTax",
    "PolicyArrays",
    "Tariff",
    "TradeCost",
    "apply_changes",
    "selection_mask",
]

_TARIFF_TARGETS = ("cp2015-2005",)


@dataclass(frozen=True)
class Tariff:
    """Set (``rate``), shift (``add``) or scale (``scale``) the importers' tariffs, or take them
    ``to`` another year's data; exactly one of the four."""

    rate: float | None = None
    add: float | None = None
    scale: float | None = None
    to: str | None = None
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    symmetric: bool = False


@dataclass(frozen=True)
class ExportTax:
    """An export tax at ad-valorem ``rate`` (a new level) on the selected flows."""

    rate: float
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    symmetric: bool = False


@dataclass(frozen=True)
class TradeCost:
    """Iceberg trade costs times ``factor`` (> 0), or ``prohibitive`` (the flows stop)."""

    factor: float = 1.0
    prohibitive: bool = False
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None
    sectors: tuple[str, ...] | None = None
    symmetric: bool = False


@dataclass(frozen=True)
class Decouple:
    """All flows between ``group_a`` and ``group_b`` (both ways) at ``1 + cost`` times the iceberg
    cost, or ``prohibitive``."""

    group_a: tuple[str, ...]
    group_b: tuple[str, ...]
    cost: float = 0.0
    prohibitive: bool = False
    sectors: tuple[str, ...] | None = None


Change = Tariff | ExportTax | TradeCost | Decouple


@dataclass(frozen=True)
class PolicyArrays:
    """Counterfactual tariff and export-tax levels and the iceberg-cost change, ``[n, i, j]``."""

    tariff: Array
    export_tax: Array
    iceberg_hat: Array

    @property
    def prohibitive(self) -> bool:
        return bool(np.any(np.isinf(self.iceberg_hat)))


def _positions(
    baseline: MultiSectorBaseline, codes: Sequence[str] | None, *, sectors: bool = False
) -> NDArray[np.bool_]:
    size = len(baseline.sectors if sectors else baseline.countries)
    if codes is None:
        return np.ones(size, dtype=bool)
    if isinstance(codes, str):
        raise UserError(f"give a list of codes, not the string {codes!r}")
    mask = np.zeros(size, dtype=bool)
    for code in codes:
        mask[baseline.sector_index(code) if sectors else baseline.index(code)] = True
    return mask


def selection_mask(
    baseline: MultiSectorBaseline,
    *,
    exporters: Sequence[str] | None,
    importers: Sequence[str] | None,
    sectors: Sequence[str] | None,
    symmetric: bool,
) -> NDArray[np.bool_]:
    """Boolean ``[n, i, j]`` of the flows selected (importer ``n``, exporter ``i``), domestic excluded."""
    rows = _positions(baseline, importers)
    cols = _positions(baseline, exporters)
    pair = rows[:, None] & cols[None, :]
    if symmetric:
        pair = pair | pair.T
    np.fill_diagonal(pair, False)
    mask = pair[:, :, None] & _positions(baseline, sectors, sectors=True)[None, None, :]
    if not mask.any():
        raise UserError(
            "a change selects no flow between two different economies "
            f"(exporters {exporters}, importers {importers}, sectors {sectors})"
        )
    return mask


def _finite(value: float, what: str, *, minimum: float | None = None, strict: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise UserError(f"{what} must be a finite number, got {value!r}")
    if minimum is not None and (value <= minimum if strict else value < minimum):
        raise UserError(f"{what} must be {'above' if strict else 'at least'} {minimum:g}, got {value:g}")
    return float(value)


def apply_changes(baseline: MultiSectorBaseline, changes: Sequence[Change]) -> PolicyArrays:
    """The counterfactual policy arrays after ``changes`` (in order) on ``baseline``."""
    tariff = baseline.tariff.copy()
    export_tax = baseline.export_tax.copy()
    iceberg = np.ones_like(tariff)
    for change in changes:
        if isinstance(change, Decouple):
            a, b = tuple(change.group_a), tuple(change.group_b)
            if not a or not b:
                raise UserError("decoupling needs two non-empty groups")
            if set(a) & set(b):
                raise UserError(f"the decoupling groups overlap: {sorted(set(a) & set(b))}")
            mask = selection_mask(baseline, exporters=a, importers=b, sectors=change.sectors, symmetric=True)
            factor = (
                math.inf
                if change.prohibitive
                else 1.0 + _finite(change.cost, "the decoupling cost", minimum=0.0)
            )
            iceberg[mask] *= factor
            continue
        mask = selection_mask(
            baseline,
            exporters=change.exporters,
            importers=change.importers,
            sectors=change.sectors,
            symmetric=change.symmetric,
        )
        if isinstance(change, Tariff):
            given = [v is not None for v in (change.rate, change.add, change.scale, change.to)]
            if sum(given) != 1:
                raise UserError("a tariff change needs exactly one of rate, add, scale or to")
            if change.rate is not None:
                tariff[mask] = _finite(change.rate, "a tariff rate", minimum=0.0)
            elif change.add is not None:
                tariff[mask] = tariff[mask] + _finite(change.add, "a tariff change")
            elif change.scale is not None:
                tariff[mask] = tariff[mask] * _finite(change.scale, "a tariff scale", minimum=0.0)
            else:
                if change.to not in _TARIFF_TARGETS:
                    raise UserError(f"tariffs 'to' must be one of {_TARIFF_TARGETS}, not {change.to!r}")
                target = baseline.meta.get("tariff_2005")
                if baseline.source != "cp2015" or target is None:
                    raise UserError("'cp2015-2005' tariffs exist only on the cp2015 baseline")
                tariff[mask] = np.asarray(target)[mask]
            if np.any(tariff[mask] < 0):
                raise UserError("a tariff change would make a tariff negative")
        elif isinstance(change, ExportTax):
            export_tax[mask] = _finite(change.rate, "an export tax rate", minimum=0.0)
        elif isinstance(change, TradeCost):
            factor = (
                math.inf
                if change.prohibitive
                else _finite(change.factor, "a trade-cost factor", minimum=0.0, strict=True)
            )
            iceberg[mask] *= factor
        else:  # pragma: no cover - the union is closed
            raise UserError(f"unknown change {change!r}")
    return PolicyArrays(tariff, export_tax, iceberg)
