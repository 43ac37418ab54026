"""One-sector general-equilibrium gravity: the simulation of counterfactual cost changes against a
baseline (``friendshore.models.gravity.baseline`` builds the baseline and the changes).

Estimation and simulation are separate: ``build_baseline`` takes any bilateral table with trade
(domestic sales included) and cost variables, plus cost coefficients from anywhere (estimated with
``estimate_gravity``, or given); ``simulate`` applies a list of cost changes to any set of pairs:

* ``SetVariable("intl_brdr", 0)`` — remove international borders; ``SetVariable("rta", 1,
  exporters=("CAN",), importers=("JPN",), symmetric=True)`` — a new agreement;
* ``Tariff(0.25, exporters=("CHN",), importers=("USA",))`` — an extra 25 % ad-valorem tariff, as a
  trade-cost change through the trade elasticity ``sigma - 1``: ``T' = T (1.25)^(1-sigma)``. The
  tariff is treated as a trade cost (its revenue is not rebated), as structural gravity does.

Two methods: ``"exact"`` (default) solves the conditional and the full-endowment equilibrium exactly
(``solve_ppml_fixed_effects``, ``solve_full_endowment``); ``"geppml"`` is the guide's iterative PPML
procedure with its stopping rule (``solve_geppml``), which reproduces the published figures.

Results (``GESimulation``): ``countries`` (per country: exports, imports, output, factory-gate price,
inward and outward multilateral resistance, real GDP, conditional and full endowment), ``pairs``
(per pair: baseline and counterfactual trade — trade diversion) and ``diagnostics``.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from friendshore.errors import UnknownCodeError, UserError
from friendshore.models.gravity.baseline import CostChange, GEBaseline, counterfactual_costs
from friendshore.models.gravity.geppml import solve_geppml
from friendshore.models.gravity.solvers import (
    EQUILIBRIUM_TOL,
    FIXED_EFFECTS_TOL,
    Array,
    GravityConvergenceError,
    MarketClearing,
    diagnostics_frame,
    diagnostics_row,
    solve_full_endowment,
    solve_ppml_fixed_effects,
)

__all__ = [
    "COUNTRY_COLUMNS",
    "PAIR_COLUMNS",
    "GESimulation",
    "Method",
    "reverse_report",
    "simulate",
]

Method = Literal["exact", "geppml"]

_METHODS = ("exact", "geppml")
_CLEARING = ("yotov2016", "gegravity")

#: Per-country result columns (percent changes are 100 * (new / baseline - 1)).
COUNTRY_COLUMNS = (
    "country",
    "output_baseline",
    "exports_baseline",
    "factory_gate_price_change_pct",
    "output_change_pct",
    "real_gdp_change_pct",
    "imr_change_pct",
    "omr_change_pct",
    "exports_change_pct",
    "imports_change_pct",
    "domestic_trade_change_pct",
    "exports_change_conditional_pct",
    "imports_change_conditional_pct",
    "imr_change_conditional_pct",
    "omr_change_conditional_pct",
)
#: Per-pair result columns.
PAIR_COLUMNS = (
    "exporter",
    "importer",
    "trade_observed",
    "trade_baseline",
    "trade_conditional",
    "trade_counterfactual",
    "trade_change_pct",
    "trade_change_conditional_pct",
    "cost_change_pct",
)


@dataclass(frozen=True)
class GESimulation:
    """A counterfactual's results: ``countries`` (``COUNTRY_COLUMNS``), ``pairs`` (``PAIR_COLUMNS``),
    ``diagnostics`` (one row per solver stage) and ``meta`` (method, parameters, changes)."""

    countries: pd.DataFrame
    pairs: pd.DataFrame
    diagnostics: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    def to_frame(self) -> pd.DataFrame:
        return self.countries.copy()

    def tidy(self) -> pd.DataFrame:
        """Long format: ``country, measure, value``."""
        return self.countries.melt(id_vars="country", var_name="measure", value_name="value")

    def country(self, code: str) -> dict[str, float]:
        row = self.countries.loc[self.countries["country"] == code]
        if row.empty:
            raise UnknownCodeError(f"country '{code}' is not in this simulation")
        return {str(k): float(v) for k, v in row.drop(columns="country").iloc[0].items()}

    def diversion(self, importer: str) -> pd.DataFrame:
        """Trade diversion into ``importer``: each foreign exporter's change, largest gain first."""
        pairs = self.pairs
        if importer not in set(pairs["importer"]):
            raise UnknownCodeError(f"country '{importer}' is not in this simulation")
        rows = pairs.loc[(pairs["importer"] == importer) & (pairs["exporter"] != importer)].copy()
        rows["trade_change"] = rows["trade_counterfactual"] - rows["trade_baseline"]
        columns = ["exporter", "trade_baseline", "trade_counterfactual", "trade_change", "trade_change_pct"]
        return rows.sort_values("trade_change", ascending=False)[columns].reset_index(drop=True)


def _pct(new: Array, old: Array) -> Array:
    return (new / old - 1.0) * 100.0


def _foreign(x: Array, axis: int) -> Array:
    return np.asarray(x.sum(axis=axis) - np.diag(x), dtype=np.float64)


@np.errstate(over="ignore", divide="ignore", invalid="ignore")
def _results(
    baseline: GEBaseline,
    *,
    cost_new: Array,
    conditional: Array,
    imr_cdl: Array,
    omr_cdl: Array,
    flows: Array,
    price: Array,
    imr_full: Array,
    omr_full: Array,
    diagnostics: pd.DataFrame,
    meta: dict[str, Any],
) -> GESimulation:
    x0 = baseline.flows
    inv = 1.0 / (1.0 - baseline.sigma)
    imr0, omr0 = baseline.imr, baseline.omr
    real_gdp = _pct(price / (imr_full / imr0) ** inv, np.ones_like(price))
    if not (np.all(price > 0) and np.all(real_gdp > -100.0) and np.all(np.isfinite(flows))):
        raise GravityConvergenceError(
            "the solution has a non-positive price or a real GDP change at or below -100 %", diagnostics
        )
    countries = pd.DataFrame(
        {
            "country": list(baseline.countries),
            "output_baseline": baseline.output,
            "exports_baseline": _foreign(x0, 1),
            "factory_gate_price_change_pct": _pct(price, np.ones_like(price)),
            "output_change_pct": _pct(price, np.ones_like(price)),
            "real_gdp_change_pct": real_gdp,
            "imr_change_pct": _pct((imr_full / imr0) ** inv, np.ones_like(price)),
            "omr_change_pct": _pct((omr_full / omr0) ** inv, np.ones_like(price)),
            "exports_change_pct": _pct(_foreign(flows, 1), _foreign(x0, 1)),
            "imports_change_pct": _pct(_foreign(flows, 0), _foreign(x0, 0)),
            "domestic_trade_change_pct": _pct(np.diag(flows), np.diag(x0)),
            "exports_change_conditional_pct": _pct(_foreign(conditional, 1), _foreign(x0, 1)),
            "imports_change_conditional_pct": _pct(_foreign(conditional, 0), _foreign(x0, 0)),
            "imr_change_conditional_pct": _pct((imr_cdl / imr0) ** inv, np.ones_like(price)),
            "omr_change_conditional_pct": _pct((omr_cdl / omr0) ** inv, np.ones_like(price)),
        },
        columns=list(COUNTRY_COLUMNS),
    )
    pairs = baseline.pairs().drop(columns="cost_term")
    pairs["trade_conditional"] = conditional.ravel()
    pairs["trade_counterfactual"] = flows.ravel()
    pairs["trade_change_pct"] = _pct(flows, x0).ravel()
    pairs["trade_change_conditional_pct"] = _pct(conditional, x0).ravel()
    pairs["cost_change_pct"] = _pct((cost_new / baseline.cost) ** inv, np.ones_like(x0)).ravel()
    for name, frame in (("country", countries), ("pair", pairs)):
        numbers = frame.select_dtypes("number")
        bad = ~np.isfinite(numbers.to_numpy(dtype=float))
        if bad.any():
            column = numbers.columns[int(np.nonzero(bad.any(axis=0))[0][0])]
            raise GravityConvergenceError(
                f"the solution has non-finite {name} results ('{column}'); with sigma {baseline.sigma:g} the "
                "model's powers 1/(1 - sigma) overflow or the counterfactual is too extreme: no result is reported",
                diagnostics.assign(converged=False),
            )
    return GESimulation(countries, pairs[list(PAIR_COLUMNS)], diagnostics, meta)


def _reverse_pct(values: pd.Series) -> pd.Series:
    """``100 (new/old - 1)`` -> ``100 (old/new - 1)``."""
    return (1.0 / (1.0 + values / 100.0) - 1.0) * 100.0


def reverse_report(simulation: GESimulation) -> GESimulation:
    """The same results read backwards: every percent change ``100 (baseline / counterfactual - 1)``.

    The guide reports the effects of a policy in place (NAFTA in 2006) this way: the baseline has
    the policy, the counterfactual removes it, and the effect is the baseline relative to the
    counterfactual. In the pair table the level columns are swapped (``trade_baseline`` then holds
    the counterfactual level, the world without the policy), so that a diversion table shows what
    the policy did.
    """
    countries = simulation.countries.copy()
    for col in countries.columns:
        if col.endswith("_pct"):
            countries[col] = _reverse_pct(countries[col])
    pairs = simulation.pairs.copy()
    for col in pairs.columns:
        if col.endswith("_pct"):
            pairs[col] = _reverse_pct(pairs[col])
    pairs["trade_baseline"], pairs["trade_counterfactual"] = (
        simulation.pairs["trade_counterfactual"].to_numpy(),
        simulation.pairs["trade_baseline"].to_numpy(),
    )
    meta = {**simulation.meta, "report": "baseline_vs_counterfactual"}
    return GESimulation(countries, pairs, simulation.diagnostics, meta)


def simulate(
    baseline: GEBaseline,
    changes: Sequence[CostChange],
    *,
    method: Method = "exact",
    market_clearing: MarketClearing = "yotov2016",
    tol: float | None = None,
    max_iter: int | None = None,
) -> GESimulation:
    """Conditional and full-endowment general equilibrium of ``changes`` against ``baseline``.

    ``method="exact"`` (default): the exact equilibrium (``tol`` on the log market-clearing gaps,
    default 1e-9). ``method="geppml"``: the guide's iterative PPML procedure (``tol`` its
    stopping rule, default 0.01 as published). ``market_clearing="gegravity"`` (exact method only)
    solves gegravity 0.3's variant of the system instead of the guide's (see
    ``solve_full_endowment``). Raises ``ConvergenceError`` (with a ``diagnostics`` table) when a
    solver fails; never returns NaN, a non-positive price or a real-GDP change below -100 %.
    """
    if method not in _METHODS:
        raise UserError(f"method '{method}' is not one of {_METHODS}")
    if market_clearing not in _CLEARING:
        raise UserError(f"market_clearing '{market_clearing}' is not one of {_CLEARING}")
    if method == "geppml" and market_clearing != "yotov2016":
        raise UserError("method='geppml' is the guide's procedure; it has no gegravity variant")
    if not changes:
        raise UserError("no counterfactual changes given")
    started = time.perf_counter()
    cost_new = counterfactual_costs(baseline, changes)
    ref = baseline.reference_index
    x0 = baseline.flows
    meta: dict[str, Any] = {
        "method": method,
        "market_clearing": market_clearing,
        "sigma": baseline.sigma,
        "reference": baseline.reference,
        "coefficients": dict(baseline.coefficients),
        "changes": [{"kind": type(c).__name__, **asdict(c)} for c in changes],
        "countries": len(baseline.countries),
    }
    if method == "geppml":
        sol = solve_geppml(
            x0,
            baseline.cost,
            cost_new,
            sigma=baseline.sigma,
            reference=ref,
            tol=0.01 if tol is None else tol,
            max_iter=200 if max_iter is None else max_iter,
        )
        meta["iterations"] = sol.iterations
        result = _results(
            baseline,
            cost_new=cost_new,
            conditional=sol.tradehat_cdl,
            imr_cdl=sol.imr_cdl,
            omr_cdl=sol.omr_cdl,
            flows=sol.x_full,
            price=sol.change_pricei_full,
            imr_full=sol.imr_full,
            omr_full=sol.omr_full,
            diagnostics=pd.concat([baseline.diagnostics, sol.diagnostics], ignore_index=True),
            meta=meta,
        )
    else:
        y, e = x0.sum(axis=1), x0.sum(axis=0)
        cdl = solve_ppml_fixed_effects(cost_new, output=y, expenditure=e, reference=ref, stage="conditional")
        full = solve_full_endowment(
            x0,
            cost_new / baseline.cost,
            sigma=baseline.sigma,
            reference=ref,
            market_clearing=market_clearing,
            tol=EQUILIBRIUM_TOL if tol is None else tol,
            max_iter=500 if max_iter is None else max_iter,
        )
        imr_full = baseline.imr * full.imr_hat
        new_e = full.expenditure
        omr_full = full.output * (
            (cost_new * (new_e / imr_full)[None, :]).sum(axis=1) / full.flows.sum(axis=1)
        )
        diagnostics = pd.concat(
            [
                baseline.diagnostics,
                diagnostics_frame(
                    [
                        diagnostics_row(
                            "conditional",
                            cdl.method,
                            cdl.iterations,
                            cdl.residual,
                            FIXED_EFFECTS_TOL,
                            True,
                            cdl.seconds,
                        ),
                        diagnostics_row(
                            "full endowment",
                            full.method,
                            full.iterations,
                            full.residual,
                            EQUILIBRIUM_TOL if tol is None else tol,
                            True,
                            full.seconds,
                        ),
                    ]
                ),
            ],
            ignore_index=True,
        )
        result = _results(
            baseline,
            cost_new=cost_new,
            conditional=cdl.fitted,
            imr_cdl=e / (cdl.exp_chi * e[ref]),
            omr_cdl=y * e[ref] / cdl.exp_pi,
            flows=full.flows,
            price=full.price,
            imr_full=imr_full,
            omr_full=omr_full,
            diagnostics=diagnostics,
            meta=meta,
        )
    meta["seconds"] = time.perf_counter() - started  # the same dict the result holds
    return result
