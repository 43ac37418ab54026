"""Benchmark: general-equilibrium gravity, friendshore against USITC gegravity 0.3 (issue 8).

The same counterfactual, measured in the same run: remove international borders
(``international = 0``) on gegravity's sample (30 countries, ``sample_data_set.dlm``), sigma 7 and
the cost coefficients of Yotov et al. (2016, chapter 2): ``lndist`` -0.791, ``contiguity`` 0.674,
``international`` -2.474. Each tool goes from the data frame to the solved counterfactual
(baseline multilateral resistances, conditional and full-endowment equilibrium):

- gegravity: ``OneSectorGE`` -> ``build_baseline`` -> ``define_experiment`` -> ``simulate``
  (``omr_rescale=1000``: its default of 1 fails on this sample);
- friendshore: ``build_baseline`` -> ``simulate(market_clearing="gegravity")``, the same system,
  and the default ``simulate`` (the guide's system, for reference).

The two solutions are compared before any timing counts. A second section runs the 69-country
"trade without borders" of the guide. Run: ``python bench/bench_gravity.py [--repeat N]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from friendshore.models.gravity import SetVariable, build_baseline, simulate
from friendshore.sources.gegravity_sample import read_gegravity_sample
from friendshore.sources.yotov import read_yotov_ge_results, read_yotov_panel

COEFFICIENTS = {"ln_dist": -0.791, "contiguity": 0.674, "international": -2.474}
SIGMA = 7.0


def _sample_data() -> Path:
    root = Path(__file__).resolve().parents[1]
    return Path(os.environ.get("FRIENDSHORE_SAMPLE_DATA", root / ".." / "shared" / "data")).resolve()


def _time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    """Median wall time over ``repeat`` runs (after one warm-up run) and the last result."""
    result = fn()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def _gegravity(data: pd.DataFrame, costs: dict[str, float], switch_off: str, *, tight: bool = False) -> Any:
    import gegravity as ge

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        frame = data.assign(year=data["year"].astype(str))
        baseline = ge.BaselineData(
            frame,
            imp_var_name="importer",
            exp_var_name="exporter",
            year_var_name="year",
            trade_var_name="trade",
            expend_var_name="E",
            output_var_name="Y",
        )
        estimates = pd.DataFrame({"var": list(costs), "beta": list(costs.values()), "se": 0.0})
        coeffs = ge.CostCoeffs(estimates=estimates, identifier_col="var", coeff_col="beta", stderr_col="se")
        model = ge.OneSectorGE(
            baseline,
            year="2006",
            cost_coeff_values=coeffs,
            cost_variables=list(costs),
            reference_importer="DEU",
            sigma=SIGMA,
            quiet=True,
        )
        options = {"mr_tolerance": 1e-12, "mr_max_iter": 100_000} if tight else {"mr_max_iter": 5000}
        model.build_baseline(omr_rescale=1000, **options)
        experiment = model.baseline_data.copy()
        experiment[switch_off] = 0
        model.define_experiment(experiment)
        model.simulate(
            **({"ge_tolerance": 1e-12, "ge_max_iter": 100_000} if tight else {"ge_max_iter": 5000})
        )
    return model


def _sample_section(repeat: int, times: dict[str, float]) -> list[str]:
    path = _sample_data() / "gegravity_sample" / "sample_data_set.dlm"
    ours_data = read_gegravity_sample(path)
    raw = pd.read_csv(path).rename(columns={"lndist": "ln_dist"})
    change = [SetVariable("international", 0.0)]

    def friendshore(clearing: str) -> Callable[[], Any]:
        def run() -> Any:
            base = build_baseline(
                ours_data,
                coefficients=COEFFICIENTS,
                sigma=SIGMA,
                output="output",
                expenditure="expenditure",
                year=2006,
            )
            return simulate(base, change, market_clearing=clearing)  # type: ignore[arg-type]

        return run

    t_gg, model = _time(lambda: _gegravity(raw, COEFFICIENTS, "international"), repeat)
    t_same, same = _time(friendshore("gegravity"), repeat)
    t_book, _ = _time(friendshore("yotov2016"), repeat)
    theirs = model.country_results
    ours = same.countries.set_index("country")
    gap = max(
        float(
            (ours["factory_gate_price_change_pct"] - theirs["factory gate price change (percent)"])
            .abs()
            .max()
        ),
        float((ours["real_gdp_change_pct"] - theirs["GDP change (percent)"]).abs().max()),
    )
    if gap > 1e-4:
        raise AssertionError(f"friendshore and gegravity disagree by {gap:.3g} percentage points")
    tight = _gegravity(raw, COEFFICIENTS, "international", tight=True).country_results
    tight_gap = float((ours["real_gdp_change_pct"] - tight["GDP change (percent)"]).abs().max())
    diag = same.diagnostics.iloc[-1]
    times.update(sample_gegravity=t_gg, sample_ours=t_same)
    return [
        "### gegravity's sample: 30 countries, remove international borders (sigma 7)",
        "",
        "| tool | system | median wall time (s) | speed-up vs gegravity |",
        "|---|---|---:|---:|",
        f"| gegravity 0.3 `OneSectorGE` | gegravity | {t_gg:.4f} | 1.0x |",
        f"| friendshore `build_baseline` + `simulate` | gegravity (same system) | {t_same:.4f} | "
        f"**{t_gg / t_same:.0f}x** |",
        f"| friendshore `build_baseline` + `simulate` | yotov2016 (default) | {t_book:.4f} | {t_gg / t_book:.0f}x |",
        "",
        f"Agreement on the same system: largest gap in factory-gate price and real GDP changes "
        f"{gap:.1e} percentage points at gegravity's default tolerance (1e-8), {tight_gap:.1e} with "
        f"gegravity at 1e-12. friendshore's full-endowment solve: {diag['iterations']} Newton "
        f"evaluations, residual {diag['residual']:.1e}. Median of {repeat} runs after a warm-up.",
        "",
    ]


def _yotov_section(repeat: int, times: dict[str, float]) -> list[str]:
    folder = _sample_data() / "yotov_agtpa"
    data = read_yotov_panel(folder / "1_TradeWithoutBorder.dta")
    costs = {"ln_dist": -0.791, "cntg": 0.674, "intl_brdr": -2.474}
    published = read_yotov_ge_results(folder / "results" / "1_TradeWithoutBorder_FULL.xls").set_index(
        "country"
    )
    raw = data.rename(columns={"ln_dist": "ln_DIST", "cntg": "CNTG", "intl_brdr": "INTL_BRDR"}).assign(
        Y=data["output"], E=data["expenditure"]
    )
    gg_costs = {"ln_DIST": -0.791, "CNTG": 0.674, "INTL_BRDR": -2.474}
    t_gg, model = _time(lambda: _gegravity(raw, gg_costs, "INTL_BRDR"), max(1, repeat // 2))
    rows = []
    theirs = model.country_results["GDP change (percent)"]
    prices = model.factory_gate_prices.iloc[:, 0]
    rows.append(
        (
            "gegravity 0.3",
            t_gg,
            float((theirs - published["change_rgdp_full"]).abs().median()),
            float(theirs.min()),
            float(prices.min()),
        )
    )
    change = [SetVariable("intl_brdr", 0.0)]
    for label, method in (("friendshore exact (default)", "exact"), ("friendshore geppml", "geppml")):

        def solve(method: str = method) -> Any:
            base = build_baseline(data, coefficients=costs, sigma=SIGMA, year=2006)
            return simulate(base, change, method=method)  # type: ignore[arg-type]

        t, result = _time(solve, repeat)
        c = result.countries.set_index("country")
        gdp = c["real_gdp_change_pct"]
        rows.append(
            (
                label,
                t,
                float((gdp - published["change_rgdp_full"]).abs().median()),
                float(gdp.min()),
                float(1 + c["factory_gate_price_change_pct"].min() / 100),
            )
        )
    times.update(yotov_gegravity=t_gg, yotov_ours=rows[1][1])  # the exact solver, friendshore's default
    lines = [
        "### Yotov et al. (2016) trade without borders: 69 countries (sigma 7)",
        "",
        "| tool | median wall time (s) | median gap to published real GDP (pp) | lowest real GDP change (%) | lowest price |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, t, median_gap, lowest, price in rows:
        lines.append(f"| {label} | {t:.4f} | {median_gap:.3f} | {lowest:.1f} | {price:.3f} |")
    lines += [
        "",
        "gegravity (omr_rescale=1000, the setting that builds its baseline here) lands on negative "
        "factory-gate prices for some countries (lowest price above), hence real GDP changes below "
        "-100 %; friendshore solves in log prices and cannot.",
        "",
    ]
    return lines


def run(repeat: int = 5) -> str:
    """The benchmark as a Markdown section (timings measured now, in this process)."""
    return _measure(repeat)[0]


def section(repeat: int = 5, *, machine: str = "") -> Any:
    """The section and its records (``records.Section``) for ``bench/run.py``."""
    from records import Record, Section

    markdown, times = _measure(repeat)
    records = [
        Record(
            "one-sector GE, gegravity's sample (30 countries, no borders)",
            times["sample_ours"],
            baseline="gegravity 0.3 OneSectorGE (same system)",
            baseline_s=times["sample_gegravity"],
            target=0.1,
            target_text="at least 10x faster, same result to 1e-4 pp",
            machine=machine,
        ),
        Record(
            "one-sector GE, Yotov et al. (2016) trade without borders (69 countries)",
            times["yotov_ours"],
            baseline="gegravity 0.3 OneSectorGE",
            baseline_s=times["yotov_gegravity"],
            target=0.1,
            target_text="at least 10x faster",
            machine=machine,
        ),
    ]
    return Section(markdown, records)


def _measure(repeat: int) -> tuple[str, dict[str, float]]:
    np.seterr(all="ignore")
    times: dict[str, float] = {}
    lines = ["## General-equilibrium gravity (issue 8): friendshore vs gegravity", ""]
    lines += _sample_section(repeat, times)
    lines += _yotov_section(repeat, times)
    return "\n".join(lines), times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    print(run(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
