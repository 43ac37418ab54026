"""Counterfactuals of the multi-sector model and their results as tables.

``simulate(baseline, changes)`` solves the counterfactual equilibrium of a calibrated baseline and
returns a ``MultiSectorSimulation``:

* ``countries`` -- per country: the welfare change and its decomposition as Caliendo & Parro
  (2015, eq. 22) compute it (``welfare_pct = tot_pct + vot_pct + technology_pct``: terms of trade,
  volume of trade and, for iceberg-cost changes, technology), the exact change in real income
  ``real_income_pct = 100 (I_hat / P_hat - 1)`` (``P_hat = prod_j P_hat_j^alpha_j``, the consumer
  price index), the real wage ``100 (w_hat / P_hat - 1)``, the nominal wage and consumer prices,
  exports and imports (producer prices, foreign partners only);
* ``sectors`` -- per country and sector: gross output, price index, input cost, exports;
* ``trade`` -- per importer, exporter and sector: baseline and counterfactual imports (trade
  diversion), with ``diversion()`` to rank them;
* ``diagnostics`` and ``history`` -- the solver's stages and its iteration history.

The decomposition is first order (the paper's and the cp2015 R package's computation, with
discrete changes at baseline weights); for large tariff cuts it can differ from the exact
real-income change by more than a percentage point, and for a prohibitive cost it is undefined
(the technology term is infinite): ``welfare_pct`` and its parts are then absent and
``real_income_pct`` is the welfare measure. Percent changes are ``100 (new / baseline - 1)``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from friendshore.errors import UnknownCodeError, UserError
from friendshore.models.multisector.baseline import MultiSectorBaseline
from friendshore.models.multisector.changes import Change, apply_changes
from friendshore.models.multisector.kernels import Array, calc_welfare_decomposition
from friendshore.models.multisector.solver import (
    DEFAULT_DAMPING,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    Equilibrium,
    solve_equilibrium,
)

__all__ = ["COUNTRY_COLUMNS", "SECTOR_COLUMNS", "TRADE_COLUMNS", "MultiSectorSimulation", "simulate"]

COUNTRY_COLUMNS = (
    "country",
    "income_baseline",
    "welfare_pct",
    "tot_pct",
    "vot_pct",
    "technology_pct",
    "real_income_pct",
    "real_wage_pct",
    "wage_change_pct",
    "consumer_price_change_pct",
    "exports_change_pct",
    "imports_change_pct",
)
SECTOR_COLUMNS = (
    "country",
    "sector",
    "sector_name",
    "output_baseline",
    "output_change_pct",
    "price_change_pct",
    "input_cost_change_pct",
    "exports_baseline",
    "exports_change_pct",
)
TRADE_COLUMNS = (
    "importer",
    "exporter",
    "sector",
    "trade_baseline",
    "trade_counterfactual",
    "trade_change",
    "trade_change_pct",
)


def _pct(new: Array, old: Array) -> Array:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(old != 0, (new / np.where(old != 0, old, 1.0) - 1.0) * 100.0, np.nan))


@dataclass(frozen=True)
class MultiSectorSimulation:
    """A counterfactual's results (see the module docstring); ``meta`` holds the settings used."""

    countries: pd.DataFrame
    sectors: pd.DataFrame
    trade: pd.DataFrame
    diagnostics: pd.DataFrame
    history: pd.DataFrame
    equilibrium: Equilibrium
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.countries.copy()

    def country(self, code: str) -> dict[str, float]:
        row = self.countries.loc[self.countries["country"] == code]
        if row.empty:
            raise UnknownCodeError(f"'{code}' is not an economy of this simulation")
        return {str(k): float(v) for k, v in row.drop(columns="country").iloc[0].items()}

    def diversion(
        self, *, importer: str | None = None, exporter: str | None = None, sector: str | None = None
    ) -> pd.DataFrame:
        """Bilateral changes for one importer and/or exporter (and sector), largest gain first.

        ``importer="USA", sector="C17"``: which suppliers gain the US market; ``exporter="CHN"``:
        where China's sales go instead. Without ``sector`` the sectors are summed.
        """
        rows = self.trade
        for column, code in (("importer", importer), ("exporter", exporter), ("sector", sector)):
            if code is not None:
                if code not in set(rows[column]):
                    raise UnknownCodeError(f"no {column} '{code}' in this simulation's trade")
                rows = rows.loc[rows[column] == code]
        if sector is None:
            rows = rows.groupby(["importer", "exporter"], as_index=False)[
                ["trade_baseline", "trade_counterfactual"]
            ].sum()
            rows["sector"] = "all"
            rows["trade_change"] = rows["trade_counterfactual"] - rows["trade_baseline"]
            rows["trade_change_pct"] = _pct(
                rows["trade_counterfactual"].to_numpy(), rows["trade_baseline"].to_numpy()
            )
        rows = rows.sort_values(["trade_change", "importer", "exporter"], ascending=[False, True, True])
        return rows[list(TRADE_COLUMNS)].reset_index(drop=True)


def _country_table(baseline: MultiSectorBaseline, eq: Equilibrium, policy_prohibitive: bool) -> pd.DataFrame:
    flows0, flows1 = baseline.flows, eq.flows
    income0 = baseline.income
    consumer_price = np.exp((np.log(eq.price_hat) * baseline.alpha).sum(axis=1))
    tot, vot, technology = calc_welfare_decomposition(
        flows0, flows1, baseline.tariff, eq.cost_hat, eq.iceberg_hat, income0
    )
    idx = np.arange(len(baseline.countries))

    def foreign(x: Array, axis: int) -> Array:
        total = x.sum(axis=(axis, 2))
        return np.asarray(total - x[idx, idx, :].sum(axis=1), dtype=np.float64)

    table = pd.DataFrame(
        {
            "country": list(baseline.countries),
            "income_baseline": income0,
            "welfare_pct": tot + vot + technology,
            "tot_pct": tot,
            "vot_pct": vot,
            "technology_pct": technology,
            "real_income_pct": (eq.income / income0 / consumer_price - 1.0) * 100.0,
            "real_wage_pct": (eq.wage_hat / consumer_price - 1.0) * 100.0,
            "wage_change_pct": (eq.wage_hat - 1.0) * 100.0,
            "consumer_price_change_pct": (consumer_price - 1.0) * 100.0,
            "exports_change_pct": _pct(foreign(flows1, 0), foreign(flows0, 0)),
            "imports_change_pct": _pct(foreign(flows1, 1), foreign(flows0, 1)),
        },
        columns=list(COUNTRY_COLUMNS),
    )
    if policy_prohibitive:
        table = table.drop(columns=["welfare_pct", "tot_pct", "vot_pct", "technology_pct"])
    return table


def _sector_table(baseline: MultiSectorBaseline, eq: Equilibrium) -> pd.DataFrame:
    n, j = len(baseline.countries), len(baseline.sectors)
    idx = np.arange(n)
    output0 = baseline.output
    flows0, flows1 = baseline.flows, eq.flows
    exports0 = flows0.sum(axis=0) - flows0[idx, idx, :]
    exports1 = flows1.sum(axis=0) - flows1[idx, idx, :]
    return pd.DataFrame(
        {
            "country": np.repeat(np.array(baseline.countries, dtype=object), j),
            "sector": np.tile(np.array(baseline.sectors, dtype=object), n),
            "sector_name": np.tile(
                np.array([baseline.sector_name(s) for s in baseline.sectors], dtype=object), n
            ),
            "output_baseline": output0.ravel(),
            "output_change_pct": _pct(eq.output, output0).ravel(),
            "price_change_pct": ((eq.price_hat - 1.0) * 100.0).ravel(),
            "input_cost_change_pct": ((eq.cost_hat - 1.0) * 100.0).ravel(),
            "exports_baseline": exports0.ravel(),
            "exports_change_pct": _pct(exports1, exports0).ravel(),
        },
        columns=list(SECTOR_COLUMNS),
    )


def _trade_table(baseline: MultiSectorBaseline, eq: Equilibrium) -> pd.DataFrame:
    flows0, flows1 = baseline.flows, eq.flows
    n_idx, i_idx, j_idx = np.nonzero((flows0 > 0) | (flows1 > 0))
    keep = n_idx != i_idx
    n_idx, i_idx, j_idx = n_idx[keep], i_idx[keep], j_idx[keep]
    countries = np.array(baseline.countries, dtype=object)
    sectors = np.array(baseline.sectors, dtype=object)
    old, new = flows0[n_idx, i_idx, j_idx], flows1[n_idx, i_idx, j_idx]
    return pd.DataFrame(
        {
            "importer": countries[n_idx],
            "exporter": countries[i_idx],
            "sector": sectors[j_idx],
            "trade_baseline": old,
            "trade_counterfactual": new,
            "trade_change": new - old,
            "trade_change_pct": _pct(new, old),
        },
        columns=list(TRADE_COLUMNS),
    )


def simulate(
    baseline: MultiSectorBaseline,
    changes: Sequence[Change],
    *,
    damping: float = DEFAULT_DAMPING,
    tol: float = DEFAULT_TOL,
    max_iter: int = DEFAULT_MAX_ITER,
) -> MultiSectorSimulation:
    """Solve ``changes`` against a calibrated ``baseline`` (``calibrate``); see the module docstring.

    Raises ``MultiSectorConvergenceError`` (diagnostics and history attached) when the solver
    fails, ``UserError`` when a change is impossible (e.g. it cuts a country off from every source
    of a sector); never returns a non-finite welfare or price.
    """
    if not baseline.equilibrium:
        raise UserError(
            "the baseline is raw data, not an equilibrium of the model: calibrate it first "
            "(friendshore.models.multisector.calibrate)"
        )
    started = time.perf_counter()
    policy = apply_changes(baseline, changes)
    eq = solve_equilibrium(
        baseline,
        tariff=policy.tariff,
        export_tax=policy.export_tax,
        iceberg_hat=policy.iceberg_hat,
        damping=damping,
        tol=tol,
        max_iter=max_iter,
    )
    countries = _country_table(baseline, eq, policy.prohibitive)
    measures = [
        c for c in countries.columns if c not in ("country", "exports_change_pct", "imports_change_pct")
    ]
    if not np.all(np.isfinite(countries[measures].to_numpy(dtype=float))):
        raise UserError("the counterfactual produced a non-finite welfare or price change")
    calibration = baseline.meta.get("calibration", {})
    diagnostics = pd.concat(
        [d for d in (calibration.get("diagnostics"), eq.diagnostics) if isinstance(d, pd.DataFrame)],
        ignore_index=True,
    )
    history = pd.concat(
        [h for h in (calibration.get("history"), eq.history) if isinstance(h, pd.DataFrame)],
        ignore_index=True,
    )
    return MultiSectorSimulation(
        countries=countries,
        sectors=_sector_table(baseline, eq),
        trade=_trade_table(baseline, eq),
        diagnostics=diagnostics,
        history=history,
        equilibrium=eq,
        meta={
            "source": baseline.source,
            "unit": baseline.unit,
            "countries": len(baseline.countries),
            "sectors": len(baseline.sectors),
            "changes": [{"kind": type(c).__name__, **asdict(c)} for c in changes],
            "prohibitive": policy.prohibitive,
            "iterations": eq.iterations,
            "residual": eq.residual,
            "damping": damping,
            "tolerance": tol,
            "seconds": time.perf_counter() - started,
        },
    )
