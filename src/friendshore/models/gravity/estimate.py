"""Gravity estimation: PPML (or OLS) with high-dimensional fixed effects through pyfixest.

The structural gravity equation (Yotov et al. 2016, chapter 1)

    X_ij,t = exp(pi_i,t + chi_j,t + mu_ij + b . z_ij,t) * e_ij,t

is estimated by Poisson pseudo-maximum likelihood (Santos Silva & Tenreyro 2006) with
exporter-time (``pi``), importer-time (``chi``) and pair (``mu``) fixed effects, standard errors
clustered by country pair as the guide does. Any pyfixest formula works, e.g.
``"trade ~ rta | exp_year + imp_year + pair_id"`` or ``"trade ~ ln_dist + cntg | exporter + importer"``.

Small-sample correction: ``small_sample="stata"`` (the default) scales the clustered variance by
``G/(G-1)`` only, and the robust one by ``N/(N-1)``, as Stata's ``ppml``/``ppmlhdfe`` do for this
maximum-likelihood estimator (the guide's published standard errors match it to the 4th decimal);
``"fixest"`` is pyfixest's default (which also counts the non-nested fixed effects as parameters).
"""

from __future__ import annotations

import re
import time
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from friendshore.console import get_logger
from friendshore.errors import ConvergenceError, SchemaError, UserError

__all__ = ["Estimator", "GravityEstimates", "Separation", "SmallSample", "Vcov", "estimate_gravity"]

Estimator = Literal["ppml", "ols"]
Vcov = Literal["cluster", "hetero", "iid"]
SmallSample = Literal["stata", "fixest"]
Separation = Literal["fe", "ir", "fe+ir", "none"]

_ESTIMATORS = ("ppml", "ols")
_VCOVS = ("cluster", "hetero", "iid")
_SMALL = ("stata", "fixest")
_SEPARATION = {"fe": ["fe"], "ir": ["ir"], "fe+ir": ["fe", "ir"], "none": []}
_log = get_logger(__name__)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class GravityEstimates:
    """A fitted gravity equation.

    ``table`` has one row per term: ``term, estimate, std_error, statistic, p_value, ci_low, ci_high``.
    """

    formula: str
    estimator: Estimator
    vcov: str
    table: pd.DataFrame
    nobs: int
    nobs_dropped: int
    converged: bool
    meta: Mapping[str, Any] = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        """The coefficient table (a copy)."""
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.tidy()

    @property
    def coefficients(self) -> dict[str, float]:
        return {str(t): float(v) for t, v in zip(self.table["term"], self.table["estimate"], strict=True)}

    def coef(self, term: str) -> float:
        """The estimate of ``term``; an error naming the known terms if there is none."""
        try:
            return self.coefficients[term]
        except KeyError:
            raise UserError(
                f"no term '{term}' in the gravity estimates (terms: {', '.join(self.coefficients)})"
            ) from None

    def std_error(self, term: str) -> float:
        self.coef(term)
        row = self.table.loc[self.table["term"] == term]
        return float(row["std_error"].iloc[0])


@contextmanager
def _quiet_dependencies() -> Iterator[None]:
    """pyfixest 0.60 calls pandas APIs that pandas 3.1 deprecates; those warnings are not the user's."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"The inplace keyword")
        # separated observations are reported as nobs_dropped (and logged), not as a warning
        warnings.filterwarnings("ignore", message=r".*observations removed because of separation")
        warnings.filterwarnings("ignore", category=FutureWarning, module=r"pyfixest\..*")
        yield


def _formula_names(formula: str) -> list[str]:
    """The plain column names a pyfixest formula refers to (functions and interactions are split)."""
    names = []
    for token in re.split(r"[~|+^*:()\s,]+", formula):
        if _NAME.match(token) and token not in ("C", "i", "log", "exp", "np", "I", "ref", "0", "1"):
            names.append(token)
    return names


def _check_data(data: pd.DataFrame, formula: str, cluster: str | None) -> None:
    if "~" not in formula:
        raise UserError(
            f"gravity formula '{formula}' has no '~' (e.g. 'trade ~ ln_dist | exporter + importer')"
        )
    needed = _formula_names(formula) + ([cluster] if cluster else [])
    missing = [n for n in dict.fromkeys(needed) if n not in data.columns]
    if missing:
        raise SchemaError(
            f"column '{missing[0]}' used in '{formula}' is not in the data (columns: {list(data.columns)})",
            field=missing[0],
            hint="build it first (e.g. exp_year = exporter + year) or fix the formula",
        )
    if data.empty:
        raise UserError("the gravity data has no rows")


def estimate_gravity(
    data: pd.DataFrame,
    formula: str,
    *,
    estimator: Estimator = "ppml",
    vcov: Vcov = "cluster",
    cluster: str | None = "pair_id",
    small_sample: SmallSample = "stata",
    separation: Separation = "fe",
    tol: float = 1e-8,
    max_iter: int = 100,
) -> GravityEstimates:
    """Fit ``formula`` (pyfixest syntax) by PPML (``fepois``) or OLS (``feols``) on ``data``.

    PPML solves ``sum_n (X_n - exp(x_n b + fe_n)) x_n = 0`` by iteratively re-weighted least squares
    with the fixed effects projected out. Observations separated by the fixed effects (all-zero
    trade within a fixed-effect group) are dropped first, as pyfixest's ``separation_check`` does;
    their number is ``nobs_dropped`` (singletons included).
    """
    if estimator not in _ESTIMATORS:
        raise UserError(f"estimator '{estimator}' is not one of {_ESTIMATORS}")
    if vcov not in _VCOVS:
        raise UserError(f"vcov '{vcov}' is not one of {_VCOVS}")
    if small_sample not in _SMALL:
        raise UserError(f"small_sample '{small_sample}' is not one of {_SMALL}")
    if separation not in _SEPARATION:
        raise UserError(f"separation '{separation}' is not one of {tuple(_SEPARATION)}")
    if vcov == "cluster" and not cluster:
        raise UserError("vcov='cluster' needs a cluster column (e.g. cluster='pair_id')")
    _check_data(data, formula, cluster if vcov == "cluster" else None)

    import pyfixest as pf
    from formulaic.errors import FormulaicError

    vcov_arg: str | dict[str, str] = {"CRV1": str(cluster)} if vcov == "cluster" else vcov
    if vcov == "hetero" and small_sample == "stata":
        # Stata's robust variance for ML estimators is the cluster formula with one cluster per
        # observation, scaled by N/(N-1)
        data = data.assign(_observation=np.arange(len(data)))
        vcov_arg = {"CRV1": "_observation"}
    ssc = pf.ssc(k_adj=False, k_fixef="none") if small_sample == "stata" else pf.ssc()
    started = time.perf_counter()
    try:
        with _quiet_dependencies():
            if estimator == "ppml":
                fit = pf.fepois(
                    formula,
                    data=data,
                    vcov=vcov_arg,
                    ssc=ssc,
                    iwls_tol=tol,
                    iwls_maxiter=max_iter,
                    separation_check=_SEPARATION[separation],
                    lean=False,
                )
            else:
                fit = pf.feols(formula, data=data, vcov=vcov_arg, ssc=ssc)
            tidy = fit.tidy()
    except ValueError as exc:  # pyfixest reports bad formulas and data as ValueError
        raise UserError(f"pyfixest could not fit '{formula}': {exc}") from None
    except FormulaicError as exc:  # a formula that does not parse (e.g. a missing '+')
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise UserError(f"the formula '{formula}' does not parse: {first}") from None
    seconds = time.perf_counter() - started
    converged = bool(getattr(fit, "convergence", True)) if estimator == "ppml" else True
    if not converged:
        raise ConvergenceError(
            f"PPML for '{formula}' did not converge in {max_iter} IRLS iterations (tolerance {tol:g}); "
            "raise max_iter, or check for separated observations and perfectly collinear regressors"
        )
    table = pd.DataFrame(
        {
            "term": [str(t) for t in tidy.index],
            "estimate": tidy["Estimate"].to_numpy(dtype=float),
            "std_error": tidy["Std. Error"].to_numpy(dtype=float),
            "statistic": tidy["t value"].to_numpy(dtype=float),
            "p_value": tidy["Pr(>|t|)"].to_numpy(dtype=float),
            "ci_low": tidy["2.5%"].to_numpy(dtype=float),
            "ci_high": tidy["97.5%"].to_numpy(dtype=float),
        }
    )
    if not np.isfinite(table["estimate"]).all():
        raise ConvergenceError(f"PPML for '{formula}' returned non-finite estimates")
    nobs = int(fit._N)
    if nobs < len(data):
        _log.info(
            "%s: %d of %d observations dropped (separation, singletons)", formula, len(data) - nobs, len(data)
        )
    return GravityEstimates(
        formula=formula,
        estimator=estimator,
        vcov=f"clustered by {cluster}" if vcov == "cluster" else ("robust" if vcov == "hetero" else vcov),
        table=table,
        nobs=nobs,
        nobs_dropped=len(data) - nobs,
        converged=converged,
        meta={
            "engine": f"pyfixest {pf.__version__}",
            "small_sample": small_sample,
            "separation_check": separation,
            "seconds": seconds,
        },
    )
