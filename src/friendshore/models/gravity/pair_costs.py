"""Trade costs from pair fixed effects: Anderson & Yotov's two-stage procedure.

Yotov et al. (2016, chapter 2, application 2; ``RTAsEffects.do``) build the full matrix of
bilateral trade costs of a baseline year from a panel:

1. **Stage 1** -- PPML on the panel with exporter-year, importer-year and pair fixed effects and
   the policy variables (``trade ~ rta | exp_year + imp_year + pair``). All domestic pairs share
   one pair effect, the reference (``mu_ii = 0``); international pairs that never trade have no
   estimate. The pair effects ``mu_ij`` are the time-invariant part of trade costs:
   ``T_ij,t = exp(mu_ij + b . policy_ij,t)``.
2. **Stage 2** -- for the baseline year, PPML of ``exp(mu_ij)`` on exporter and importer fixed
   effects and gravity covariates (``ln_dist, cntg, lang, clny``), international pairs with an
   estimate, standard errors clustered by pair; its predictions fill the pairs without one.

``estimate_pair_costs`` returns the baseline year's rows with ``pair_fe`` (= ``mu_ij``) added, so
that ``build_baseline(frame, coefficients={"pair_fe": 1, "rta": b_rta, ...})`` gives the guide's
baseline costs and a counterfactual changes a policy variable on top of them (e.g.
``SetVariable("rta", 0)`` for the NAFTA pairs).

The coefficients come from pyfixest; the fixed effects themselves are recovered from the PPML
first-order conditions (each fixed effect's group of observations has fitted = observed trade)
by iterative proportional fitting with the estimated policy terms as offset: the same estimates a
regression package reports, with the guide's normalisations (``mu`` of domestic pairs 0).
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from friendshore.errors import ConvergenceError, SchemaError, UserError
from friendshore.models.gravity.estimate import GravityEstimates, Vcov, estimate_gravity
from friendshore.models.gravity.solvers import Array, solve_ppml_fixed_effects
from friendshore.sources.checks import require_frame_columns

__all__ = ["DOMESTIC_PAIR", "PairCosts", "estimate_pair_costs", "solve_pair_fixed_effects"]

#: The one pair fixed effect all domestic pairs share (the reference, normalised to 0).
DOMESTIC_PAIR = "domestic"
_TOL = 1e-10
_MAX_SWEEPS = 100_000


@dataclass(frozen=True)
class PairCosts:
    """The two stages' estimates and the baseline year's data with ``pair_fe`` (``mu_ij``).

    ``filled`` counts the international pairs whose ``pair_fe`` comes from stage 2.
    """

    frame: pd.DataFrame
    stage1: GravityEstimates
    stage2: GravityEstimates
    filled: int
    policy: tuple[str, ...]
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def coefficients(self) -> dict[str, float]:
        """Cost coefficients for ``build_baseline``: 1 on ``pair_fe``, stage 1's on the policy variables."""
        return {"pair_fe": 1.0, **{p: self.stage1.coef(p) for p in self.policy}}


def _codes(values: pd.Series) -> tuple[Array, int]:
    codes, uniques = pd.factorize(values, sort=True)
    return np.asarray(codes, dtype=np.int64), len(uniques)


def solve_pair_fixed_effects(
    trade: Array,
    offset: Array,
    exporter_time: Array,
    importer_time: Array,
    pair: Array,
    *,
    reference_pair: int,
    tol: float = _TOL,
    max_sweeps: int = _MAX_SWEEPS,
) -> tuple[Array, Array, Array, int]:
    """The fixed effects of ``X = exp(pi_e + chi_m + mu_p + offset)`` from the PPML first-order
    conditions (for every group ``g`` of each set: ``sum_{obs in g} fitted = sum_{obs in g} X``).

    Arrays are per observation; the group arrays hold integer codes. Groups with no trade get
    ``-inf``. Normalisation: ``mu[reference_pair] = 0`` (shifted into ``pi``). Returns ``(pi, chi,
    mu, sweeps)``; raises ``ConvergenceError`` when the largest relative gap stays above ``tol``.
    """
    n_e, n_m, n_p = int(exporter_time.max()) + 1, int(importer_time.max()) + 1, int(pair.max()) + 1
    sums = [
        np.bincount(g, weights=trade, minlength=n)
        for g, n in ((exporter_time, n_e), (importer_time, n_m), (pair, n_p))
    ]
    effects = [np.zeros(n_e), np.zeros(n_m), np.zeros(n_p)]
    groups = (exporter_time, importer_time, pair)
    with np.errstate(divide="ignore"):
        logs = [np.log(s) for s in sums]
    gap = np.inf
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):  # noqa: B007 (used after the loop)
        for k in range(3):
            rest = offset + sum(effects[o][groups[o]] for o in range(3) if o != k)
            with np.errstate(over="ignore"):
                fitted = np.bincount(groups[k], weights=np.exp(rest), minlength=len(effects[k]))
            with np.errstate(divide="ignore", invalid="ignore"):
                effects[k] = np.where(sums[k] > 0, logs[k] - np.log(fitted), -np.inf)
        fit = np.exp(offset + effects[0][exporter_time] + effects[1][importer_time] + effects[2][pair])
        fitted_e = np.bincount(exporter_time, weights=fit, minlength=n_e)
        fitted_m = np.bincount(importer_time, weights=fit, minlength=n_m)
        with np.errstate(divide="ignore", invalid="ignore"):
            gaps = [np.abs(f / s - 1.0)[s > 0] for f, s in ((fitted_e, sums[0]), (fitted_m, sums[1]))]
        gap = float(max(np.max(g) for g in gaps))
        if gap < tol:
            break
    if not gap < tol:
        raise ConvergenceError(
            f"the pair fixed effects did not converge in {sweeps} sweeps (largest relative gap {gap:.3g} > {tol:g})"
        )
    shift = effects[2][reference_pair]
    return effects[0] + shift, effects[1], effects[2] - shift, sweeps


def estimate_pair_costs(
    panel: pd.DataFrame,
    *,
    policy: Sequence[str],
    fill: Sequence[str],
    year: int,
    years: Sequence[int] | None = None,
    pair: str = "pair_id",
    exporter: str = "exporter",
    importer: str = "importer",
    trade: str = "trade",
    vcov: Vcov = "hetero",
) -> PairCosts:
    """Stage 1 on ``panel`` (the ``years`` given, default all), stage 2 on ``year``; see the module docstring.

    ``policy``: the time-varying cost variables estimated with the pair effects (e.g. ``["rta"]``);
    ``fill``: the covariates of stage 2 (e.g. ``["ln_dist", "cntg", "lang", "clny"]``); ``pair``:
    the pair identifier (symmetric in the guide's data: one effect for both directions).
    """
    started = time.perf_counter()
    policy, fill = tuple(policy), tuple(fill)
    if not policy:
        raise UserError("pair costs need at least one policy variable (e.g. policy = ['rta'])")
    if not fill:
        raise UserError(
            "pair costs need covariates to fill pairs without trade (e.g. fill = ['ln_dist', 'cntg'])"
        )
    require_frame_columns(
        panel.columns,
        [exporter, importer, trade, pair, "year", *policy, *fill],
        what="panel",
        hint="pair fixed effects need a panel with year, pair_id, trade and the policy and fill variables",
    )
    data = panel
    if years is not None:
        wanted = sorted(set(int(y) for y in years))
        data = data.loc[data["year"].isin(wanted)]
        absent = sorted(set(wanted) - set(data["year"].unique()))
        if absent:
            raise UserError(f"the panel has no rows for {absent}")
    if year not in set(data["year"].unique()):
        raise UserError(
            f"the baseline year {year} is not among the panel's years {sorted(data['year'].unique())}"
        )
    if data["year"].nunique() < 2:
        raise UserError("pair fixed effects need a panel of at least two years")
    data = data.reset_index(drop=True)
    for col in (trade, *policy):
        if not np.all(np.isfinite(data[col].to_numpy(dtype=float))) or (data[trade] < 0).any():
            raise SchemaError(f"column '{col}' has missing, infinite or negative values", field=col)
    domestic = data[exporter] == data[importer]
    year_text = data["year"].astype(str)
    work = pd.DataFrame(
        {
            "trade_": data[trade].astype(float),
            "exp_year_": data[exporter].astype(str) + "_" + year_text,
            "imp_year_": data[importer].astype(str) + "_" + year_text,
            "pair_fe_": data[pair].astype(str).where(~domestic, DOMESTIC_PAIR),
            **{p: data[p].astype(float) for p in policy},
        }
    )
    formula = f"trade_ ~ {' + '.join(policy)} | exp_year_ + imp_year_ + pair_fe_"
    stage1 = estimate_gravity(work, formula, vcov=vcov, cluster="pair_fe_" if vcov == "cluster" else None)
    beta = np.array([stage1.coef(p) for p in policy])
    offset = work[list(policy)].to_numpy(dtype=float) @ beta
    e_codes, _ = _codes(work["exp_year_"])
    m_codes, _ = _codes(work["imp_year_"])
    p_codes, p_uniques_n = _codes(work["pair_fe_"])
    pair_names = np.array(sorted(work["pair_fe_"].unique()), dtype=object)
    reference = int(np.nonzero(pair_names == DOMESTIC_PAIR)[0][0])
    _, _, mu, sweeps = solve_pair_fixed_effects(
        work["trade_"].to_numpy(), offset, e_codes, m_codes, p_codes, reference_pair=reference
    )
    mu_by_pair = dict(zip(pair_names, mu, strict=True))
    base = data.loc[data["year"] == year].copy()
    base_domestic = base[exporter] == base[importer]
    keys = base[pair].astype(str).where(~base_domestic, DOMESTIC_PAIR)
    base["pair_fe"] = keys.map(mu_by_pair).astype(float)
    known = np.isfinite(base["pair_fe"].to_numpy()) & ~base_domestic.to_numpy()
    stage2_data = base.loc[known, [exporter, importer, pair, *fill]].copy()
    stage2_data["tij_"] = np.exp(base.loc[known, "pair_fe"].to_numpy())
    stage2_data = stage2_data.rename(columns={exporter: "exporter_", importer: "importer_", pair: "pair_"})
    formula2 = f"tij_ ~ {' + '.join(fill)} | exporter_ + importer_"
    stage2 = estimate_gravity(stage2_data, formula2, vcov="cluster", cluster="pair_")
    missing_rows = ~known & ~base_domestic.to_numpy()
    filled = int(missing_rows.sum())
    if filled:
        base.loc[missing_rows, "pair_fe"] = _stage2_predictions(
            base, stage2_data, stage2, fill, exporter, importer
        )[missing_rows]
    base.loc[base_domestic, "pair_fe"] = 0.0
    if not np.all(np.isfinite(base["pair_fe"].to_numpy())):
        raise UserError("some pairs have no trade cost after stage 2 (a country without any estimated pair?)")
    return PairCosts(
        frame=base.reset_index(drop=True),
        stage1=stage1,
        stage2=stage2,
        filled=filled,
        policy=policy,
        meta={
            "years": sorted(int(y) for y in data["year"].unique()),
            "year": year,
            "pairs": p_uniques_n,
            "sweeps": sweeps,
            "seconds": time.perf_counter() - started,
        },
    )


def _stage2_predictions(
    base: pd.DataFrame,
    sample: pd.DataFrame,
    fit: GravityEstimates,
    fill: Sequence[str],
    exporter: str,
    importer: str,
) -> Array:
    """``log`` of stage 2's fitted ``exp(mu)`` for every row of ``base`` (exporter and importer
    fixed effects recovered from the PPML first-order conditions on the estimation sample)."""
    countries = sorted(set(base[exporter].astype(str)) | set(base[importer].astype(str)))
    position = {c: k for k, c in enumerate(countries)}
    n = len(countries)
    beta = np.array([fit.coef(v) for v in fill])
    rows = base[exporter].astype(str).map(position).to_numpy()
    cols = base[importer].astype(str).map(position).to_numpy()
    log_cost = np.full((n, n), -np.inf)
    log_cost[rows, cols] = base[list(fill)].to_numpy(dtype=float) @ beta
    observed = np.zeros((n, n))
    in_sample = np.zeros((n, n), dtype=bool)
    s_rows = sample["exporter_"].astype(str).map(position).to_numpy()
    s_cols = sample["importer_"].astype(str).map(position).to_numpy()
    observed[s_rows, s_cols] = sample["tij_"].to_numpy()
    in_sample[s_rows, s_cols] = True
    cost = np.where(in_sample, np.exp(np.where(np.isfinite(log_cost), log_cost, 0.0)), 0.0)
    fe = solve_ppml_fixed_effects(
        cost,
        output=observed.sum(axis=1),
        expenditure=observed.sum(axis=0),
        reference=0,
        stage="pair costs, stage 2",
    )
    log_fit = np.log(fe.exp_pi)[:, None] + np.log(fe.exp_chi)[None, :] + log_cost
    return np.asarray(log_fit[rows, cols], dtype=np.float64)
