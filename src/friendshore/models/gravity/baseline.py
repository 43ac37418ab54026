"""The baseline of one-sector general-equilibrium gravity and the cost changes applied to it.

``build_baseline`` takes any bilateral table with trade (domestic sales included) and cost variables,
plus cost coefficients from anywhere (estimated with ``estimate_gravity``, or given), and returns a
``GEBaseline`` (flows and cost terms as arrays). A counterfactual is a list of cost changes:
``SetVariable`` (a cost variable set on a set of pairs) or ``Tariff`` (an ad-valorem tariff as a
trade-cost change); ``counterfactual_costs`` applies them. ``friendshore.models.gravity.ge`` solves.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from friendshore.errors import SchemaError, UnknownCodeError, UserError
from friendshore.models.gravity.solvers import (
    FIXED_EFFECTS_TOL,
    Array,
    FixedEffects,
    calc_cost_terms,
    diagnostics_frame,
    diagnostics_row,
    solve_ppml_fixed_effects,
)
from friendshore.sources.checks import require_frame_columns

__all__ = [
    "MAX_SIGMA",
    "MIN_SIGMA",
    "CostChange",
    "GEBaseline",
    "SetVariable",
    "Tariff",
    "build_baseline",
    "counterfactual_costs",
]

#: The elasticities of substitution a baseline accepts. Results are raised to ``1/(1 - sigma)``:
#: as sigma approaches 1 they overflow (sigma = 1.0000000001 made every result infinite). The
#: literature's values lie between about 2 and 20 (Head & Mayer 2014); 1.01 and 100 leave room.
MIN_SIGMA = 1.01
MAX_SIGMA = 100.0


@dataclass(frozen=True)
class SetVariable:
    """Set cost variable ``variable`` to ``value`` for the selected pairs.

    ``exporters``/``importers``: ISO3 codes (``None``: every country). ``symmetric``: also the
    reverse direction. ``domestic``: include pairs with exporter == importer (default: not).
    """

    variable: str
    value: float
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None
    symmetric: bool = False
    domestic: bool = False


@dataclass(frozen=True)
class Tariff:
    """An extra ad-valorem tariff ``rate`` (0.25 = 25 %; negative lowers costs, above -1) on the selected pairs.

    The cost term changes by ``(1 + rate)^(-elasticity)``, ``elasticity`` defaulting to the trade
    elasticity ``sigma - 1`` of the baseline.
    """

    rate: float
    exporters: tuple[str, ...] | None = None
    importers: tuple[str, ...] | None = None
    symmetric: bool = False
    elasticity: float | None = None
    domestic: bool = False


CostChange = SetVariable | Tariff


@dataclass(frozen=True)
class GEBaseline:
    """A baseline: ``N`` countries (sorted ISO3), flows and cost terms as ``N x N`` arrays (exporter rows).

    ``fit`` holds the PPML fixed effects given the cost coefficients; ``fit.fitted`` are the
    model-consistent baseline flows every counterfactual is measured against.
    """

    countries: tuple[str, ...]
    reference: str
    sigma: float
    coefficients: Mapping[str, float]
    variables: Mapping[str, Array]
    observed: Array
    cost: Array
    fit: FixedEffects
    diagnostics: pd.DataFrame
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def flows(self) -> Array:
        return self.fit.fitted

    @property
    def reference_index(self) -> int:
        return self.countries.index(self.reference)

    @property
    def output(self) -> Array:
        return np.asarray(self.flows.sum(axis=1), dtype=np.float64)

    @property
    def expenditure(self) -> Array:
        return np.asarray(self.flows.sum(axis=0), dtype=np.float64)

    @property
    def imr(self) -> Array:
        """``P_j^(1-sigma)`` relative to the reference importer's: ``E_j / (exp(chi_j) E_ref)``."""
        e = self.expenditure
        return np.asarray(e / (self.fit.exp_chi * e[self.reference_index]), dtype=np.float64)

    @property
    def omr(self) -> Array:
        """``Y Pi_i^(1-sigma)``: ``Y_i E_ref / exp(pi_i)``."""
        return np.asarray(
            self.output * self.expenditure[self.reference_index] / self.fit.exp_pi, dtype=np.float64
        )

    def index(self, code: str) -> int:
        try:
            return self.countries.index(code)
        except ValueError:
            raise UnknownCodeError(
                f"country '{code}' is not in this baseline ({len(self.countries)} countries: "
                f"{', '.join(self.countries[:12])}{' ...' if len(self.countries) > 12 else ''})"
            ) from None

    def to_frame(self) -> pd.DataFrame:
        """One row per country: output, expenditure, foreign exports/imports, resistances."""
        x = self.flows
        inv = 1.0 / (1.0 - self.sigma)
        return pd.DataFrame(
            {
                "country": list(self.countries),
                "output": self.output,
                "expenditure": self.expenditure,
                "exports": x.sum(axis=1) - np.diag(x),
                "imports": x.sum(axis=0) - np.diag(x),
                "inward_resistance": self.imr**inv,
                "outward_resistance": self.omr**inv,
            }
        )

    def pairs(self) -> pd.DataFrame:
        n = len(self.countries)
        codes = np.array(self.countries, dtype=object)
        return pd.DataFrame(
            {
                "exporter": np.repeat(codes, n),
                "importer": np.tile(codes, n),
                "trade_observed": self.observed.ravel(),
                "trade_baseline": self.flows.ravel(),
                "cost_term": self.cost.ravel(),
            }
        )


def _matrix(frame: pd.DataFrame, rows: Array, cols: Array, column: str, n: int) -> Array:
    out = np.full((n, n), np.nan)
    out[rows, cols] = frame[column].to_numpy(dtype=float)
    return out


def build_baseline(
    data: pd.DataFrame,
    *,
    coefficients: Mapping[str, float],
    sigma: float,
    reference: str = "DEU",
    exporter: str = "exporter",
    importer: str = "importer",
    trade: str = "trade",
    output: str | None = None,
    expenditure: str | None = None,
    year: int | None = None,
    year_column: str = "year",
) -> GEBaseline:
    """A general-equilibrium baseline from a bilateral table and cost coefficients.

    ``data`` needs one row per ordered pair of the same countries, **domestic sales included**
    (``exporter == importer``), with ``trade`` and every variable of ``coefficients``
    (``T_ij = exp(sum_k b_k z_k,ij)``). Output and expenditure are the row and column sums of
    ``trade``; or, if ``output``/``expenditure`` name columns (gegravity's convention), those
    country totals, output rescaled to world expenditure when the sample does not add up.
    ``sigma`` is the elasticity of substitution (> 1); ``reference`` the importer whose inward
    resistance is the numeraire (the guide uses Germany).
    """
    started = time.perf_counter()
    if (
        isinstance(sigma, bool)
        or not isinstance(sigma, int | float)
        or not np.isfinite(sigma)
        or not (MIN_SIGMA <= sigma <= MAX_SIGMA)
    ):
        raise UserError(
            f"sigma (the elasticity of substitution) must be a number from {MIN_SIGMA:g} to {MAX_SIGMA:g}, "
            f"not {sigma!r}: near 1 the model's power 1/(1 - sigma) overflows"
        )
    if not coefficients:
        raise UserError("no cost coefficients: give at least one, e.g. {'ln_dist': -0.791}")
    require_frame_columns(
        data.columns,
        [exporter, importer, trade, *coefficients, *(c for c in (output, expenditure) if c)],
        what="baseline data",
        hint="name the columns with exporter=, importer=, trade=, or fix the cost coefficients",
    )
    frame = data
    if year is not None:
        if year_column not in frame.columns:
            raise SchemaError(
                f"year={year} given but the data has no '{year_column}' column", field=year_column
            )
        frame = frame.loc[frame[year_column] == year]
        if frame.empty:
            raise UserError(f"the data has no rows for {year_column} {year}")
    elif year_column in frame.columns and frame[year_column].nunique() > 1:
        years = sorted(frame[year_column].unique())
        raise UserError(
            f"the data holds {len(years)} years ({years[0]}-{years[-1]}); pass year= to pick the baseline year"
        )
    frame = frame.assign(**{exporter: frame[exporter].astype(str), importer: frame[importer].astype(str)})
    domestic = frame[exporter] == frame[importer]
    countries = tuple(sorted(set(frame[exporter]) | set(frame[importer])))
    n = len(countries)
    with_domestic = set(frame.loc[domestic & (frame[trade] > 0), exporter])
    if not domestic.any() or (output is None and len(with_domestic) < n):
        lacking = [c for c in countries if c not in with_domestic]
        raise UserError(
            f"the baseline has no domestic (intra-national) trade for {len(lacking)} of {n} countries "
            f"(e.g. {', '.join(lacking[:5])}): general-equilibrium gravity needs each country's sales to "
            "itself (rows with exporter == importer: gross output minus exports). Customs data such as "
            "BACI lack them; add them from production statistics, or start from a dataset that has "
            "them (Yotov et al. 2016, gegravity's sample)."
        )
    if frame.duplicated([exporter, importer]).any():
        first = frame.loc[frame.duplicated([exporter, importer]), [exporter, importer]].iloc[0]
        raise UserError(
            f"pair {first[exporter]}-{first[importer]} appears more than once; "
            "give one row per exporter and importer (aggregate, or pass year=)"
        )
    if len(frame) != n * n:
        present = set(zip(frame[exporter], frame[importer], strict=True))
        absent = [f"{i}-{j}" for i in countries for j in countries if (i, j) not in present]
        raise UserError(
            f"the baseline is not square: {len(absent)} of {n * n} ordered pairs are missing "
            f"(e.g. {', '.join(absent[:5])}); every country must appear as exporter and importer with "
            "every partner (zero trade is fine)"
        )
    if reference not in countries:
        raise UnknownCodeError(
            f"reference country '{reference}' is not in the data; pick one of {', '.join(countries[:12])} ..."
        )
    position = {c: k for k, c in enumerate(countries)}
    rows = frame[exporter].map(position).to_numpy()
    cols = frame[importer].map(position).to_numpy()
    observed = _matrix(frame, rows, cols, trade, n)
    if not np.all(np.isfinite(observed)) or np.any(observed < 0):
        raise UserError(f"column '{trade}' has missing or negative values; trade must be >= 0 for every pair")
    variables: dict[str, Array] = {}
    for name in coefficients:
        z = _matrix(frame, rows, cols, name, n)
        if not np.all(np.isfinite(z)):
            raise SchemaError(f"cost variable '{name}' has missing or infinite values", field=name)
        variables[name] = z
    beta = np.array([float(coefficients[k]) for k in coefficients])
    cost = calc_cost_terms(np.stack(list(variables.values())), beta)
    if output is not None or expenditure is not None:
        if output is None or expenditure is None:
            raise UserError("give both output= and expenditure= columns, or neither")
        y = frame.groupby(exporter)[output].mean().reindex(countries).to_numpy(dtype=float)
        e = frame.groupby(importer)[expenditure].mean().reindex(countries).to_numpy(dtype=float)
        if not (np.all(np.isfinite(y)) and np.all(y > 0) and np.all(np.isfinite(e)) and np.all(e > 0)):
            raise UserError(f"columns '{output}' and '{expenditure}' must be positive for every country")
        y = y * e.sum() / y.sum()
    else:
        y, e = observed.sum(axis=1), observed.sum(axis=0)
    fit = solve_ppml_fixed_effects(
        cost, output=y, expenditure=e, reference=position[reference], stage="baseline"
    )
    diagnostics = diagnostics_frame(
        [
            diagnostics_row(
                "baseline", fit.method, fit.iterations, fit.residual, FIXED_EFFECTS_TOL, True, fit.seconds
            )
        ]
    )
    return GEBaseline(
        countries=countries,
        reference=reference,
        sigma=float(sigma),
        coefficients={k: float(v) for k, v in coefficients.items()},
        variables=variables,
        observed=observed,
        cost=cost,
        fit=fit,
        diagnostics=diagnostics,
        meta={
            "year": year,
            "margins": "columns" if output is not None else "trade",
            "seconds": time.perf_counter() - started,
        },
    )


def _selection(baseline: GEBaseline, change: CostChange) -> NDArray[np.bool_]:
    n = len(baseline.countries)
    rows = np.ones(n, dtype=bool)
    cols = np.ones(n, dtype=bool)
    if change.exporters is not None:
        rows = np.zeros(n, dtype=bool)
        rows[[baseline.index(c) for c in change.exporters]] = True
    if change.importers is not None:
        cols = np.zeros(n, dtype=bool)
        cols[[baseline.index(c) for c in change.importers]] = True
    mask = rows[:, None] & cols[None, :]
    if change.symmetric:
        mask = mask | mask.T
    if not change.domestic:
        np.fill_diagonal(mask, False)
    if not mask.any():
        raise UserError(f"the change {change} selects no pair of countries")
    return mask


def counterfactual_costs(baseline: GEBaseline, changes: Sequence[CostChange]) -> Array:
    """The counterfactual cost terms ``T'`` after applying ``changes`` in order."""
    variables = {k: v.copy() for k, v in baseline.variables.items()}
    factor = np.ones_like(baseline.cost)
    for change in changes:
        mask = _selection(baseline, change)
        if isinstance(change, SetVariable):
            if change.variable not in variables:
                raise UserError(
                    f"'{change.variable}' is not a cost variable of this baseline "
                    f"(cost variables: {', '.join(variables)})"
                )
            variables[change.variable][mask] = float(change.value)
        else:
            if not change.rate > -1:
                raise UserError(f"a tariff rate must be above -1 (-100 %), not {change.rate}")
            elasticity = baseline.sigma - 1.0 if change.elasticity is None else float(change.elasticity)
            factor[mask] *= (1.0 + change.rate) ** (-elasticity)
    beta = np.array([baseline.coefficients[k] for k in variables])
    return calc_cost_terms(np.stack(list(variables.values())), beta) * factor
