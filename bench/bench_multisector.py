"""Benchmark: one WIOD-size solve of the multi-sector model (44 economies x 50 sectors), issue 16.

The solve timed is the example scenario "China stops exports of C17 to the US" (a prohibitive cost
on one bilateral sectoral flow) on KITE's WIOD-2014 baseline, from the calibrated baseline to the
solved counterfactual (``simulate``). Measured in the same run, on the same machine:

- **(a) baseline: the CP 2015 size** -- the paper's NAFTA experiment (31 economies x 40 sectors, the
  calibration with zero deficits excluded), the same solver on the data the model was published
  with. It is the natural yardstick: the ratio says what the larger world (2.5 times the bilateral
  sectoral cells) and WIOD's low trade elasticities (C17: theta = 1) cost.
- **(b) friendshore on WIOD**: time and iterations (the calibration is timed apart).
- **(c) the same WIOD solve with spending solved as one dense linear system each iteration**
  (``numpy.linalg.solve`` of the ``NJ x NJ`` system, as the replication codes do) instead of the
  warm-started fixed point: the design choice the solver rests on. (c) must agree with (b) to
  1e-8 before any timing counts.

Run: ``python bench/bench_multisector.py [--repeat N]`` (``bench/run.py`` includes it).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

from friendshore.models.multisector import (
    MultiSectorBaseline,
    Tariff,
    TradeCost,
    baseline_from_caliendo_parro,
    baseline_from_kite,
    calibrate,
    simulate,
)
from friendshore.models.multisector import solver as solver_module
from friendshore.sources.caliendo_parro import read_caliendo_parro
from friendshore.sources.wiod_kite import read_kite

NAFTA = ("CAN", "MEX", "USA")
C17_BAN = [TradeCost(prohibitive=True, exporters=("CHN",), importers=("USA",), sectors=("C17",))]


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


def dense_expenditure(
    shares: np.ndarray,
    tariff: np.ndarray,
    export_tax: np.ndarray,
    io_share: np.ndarray,
    alpha: np.ndarray,
    exogenous_income: np.ndarray,
    *,
    start: np.ndarray,
    tol: float,
    max_iter: int = 0,
) -> tuple[np.ndarray, int, float]:
    """``calc_expenditure``'s system ``X = A X + alpha (w L + D)`` built as a dense ``NJ x NJ`` matrix
    and solved directly (the replication codes' way): the variant (c)."""
    n, j = alpha.shape
    wedge = (1.0 + tariff) * (1.0 + export_tax)
    producer = shares / wedge  # [m, n, k]
    tariff_rate = (shares * tariff / (1.0 + tariff)).sum(axis=1)  # [n, k]
    tax_rate = shares * export_tax / wedge  # [m, n, k]
    a = io_share[:, :, None, :] * producer.transpose(1, 0, 2)[:, None, :, :]  # [n, j, m, k]
    a = a + alpha[:, :, None, None] * tax_rate.transpose(1, 0, 2)[:, None, :, :]
    a[np.arange(n), :, np.arange(n), :] += alpha[:, :, None] * tariff_rate[:, None, :]
    x = np.linalg.solve(np.eye(n * j) - a.reshape(n * j, n * j), (alpha * exogenous_income[:, None]).ravel())
    return x.reshape(n, j), 1, 0.0


@contextmanager
def dense_spending() -> Iterator[None]:
    original = solver_module.calc_expenditure
    solver_module.calc_expenditure = dense_expenditure  # type: ignore[assignment]
    try:
        yield
    finally:
        solver_module.calc_expenditure = original


def baselines() -> tuple[MultiSectorBaseline, MultiSectorBaseline, float, float]:
    """The calibrated CP 2015 (zero deficits) and WIOD-2014 baselines, and their calibration times."""
    data = _sample_data()
    started = time.perf_counter()
    cp = calibrate(
        baseline_from_caliendo_parro(read_caliendo_parro(data / "caliendo_parro_2015")), deficits="zero"
    )
    t_cp = time.perf_counter() - started
    started = time.perf_counter()
    wiod = calibrate(baseline_from_kite(read_kite(data / "kite_wiod2014_initial_conditions")))
    t_wiod = time.perf_counter() - started
    return cp, wiod, t_cp, t_wiod


def run(repeat: int = 3) -> str:
    """The benchmark as a Markdown section (timings measured now, in this process)."""
    return _measure(repeat)[0]


def section(repeat: int = 3, *, machine: str = "") -> Any:
    """The section and its record (``records.Section``) for ``bench/run.py``: the WIOD solve against
    the same solve with spending as a dense linear system (informative: no target)."""
    from records import Record, Section

    markdown, t_wiod, t_dense, rows = _measure(repeat)
    record = Record(
        "multi-sector GE, WIOD 2014 44 x 50, China stops C17 exports to the US",
        t_wiod,
        baseline="the same solver with spending as a dense linear solve each iteration",
        baseline_s=t_dense,
        rows=rows,
        machine=machine,
    )
    return Section(markdown, [record])


def _measure(repeat: int) -> tuple[str, float, float, int]:
    cp, wiod, t_cp_cal, t_wiod_cal = baselines()
    t_cp, cp_sim = _time(
        lambda: simulate(cp, [Tariff(to="cp2015-2005", exporters=NAFTA, importers=NAFTA)]), repeat
    )
    t_wiod, wiod_sim = _time(lambda: simulate(wiod, C17_BAN), repeat)
    with dense_spending():
        t_dense, dense_sim = _time(lambda: simulate(wiod, C17_BAN), max(1, repeat // 2))
    gap = float(
        np.max(np.abs(dense_sim.equilibrium.wage_hat - wiod_sim.equilibrium.wage_hat))
        + np.max(np.abs(dense_sim.equilibrium.price_hat / wiod_sim.equilibrium.price_hat - 1.0))
    )
    if gap > 1e-8:
        raise AssertionError(f"the dense-spending variant disagrees with the solver by {gap:.3g}")
    us = wiod_sim.countries.set_index("country")
    lines = [
        "## Multi-sector general equilibrium (issue 16): one WIOD-size solve",
        "",
        "The Caliendo & Parro (2015) model in changes (damped wage iteration, warm-started price and "
        "spending fixed points; tolerance 1e-10 on the largest labour-market gap). Timed: `simulate` from a "
        f"calibrated baseline, median of {repeat} runs after a warm-up (variant (c): "
        f"{max(1, repeat // 2)}). Baseline (a) is the same solver on the CP 2015 NAFTA data: the size the "
        "model was published with.",
        "",
        "| run | economies x sectors | iterations | median wall time (s) | ratio to (a) |",
        "|---|---:|---:|---:|---:|",
        f"| (a) CP 2015 NAFTA tariffs (baseline) | {len(cp.countries)} x {len(cp.sectors)} | "
        f"{cp_sim.meta['iterations']} | {t_cp:.3f} | 1.0x |",
        f"| (b) WIOD 2014, China stops C17 exports to the US | {len(wiod.countries)} x {len(wiod.sectors)} | "
        f"{wiod_sim.meta['iterations']} | {t_wiod:.3f} | {t_wiod / t_cp:.1f}x |",
        f"| (c) = (b) with spending as a dense {len(wiod.countries) * len(wiod.sectors)}-unknown linear solve "
        f"each iteration | {len(wiod.countries)} x {len(wiod.sectors)} | {dense_sim.meta['iterations']} | "
        f"{t_dense:.3f} | {t_dense / t_cp:.1f}x ((c)/(b) = {t_dense / t_wiod:.1f}x) |",
        "",
        f"Calibration, once per baseline (not in the times above): CP 2015 with zero deficits "
        f"{cp.meta['calibration']['iterations']} iterations, {t_cp_cal:.2f} s; WIOD 2014 (value added "
        f"solved, trade shares kept) {wiod.meta['calibration']['iterations']} iterations, {t_wiod_cal:.2f} s. "
        f"(b) and (c) agree to {gap:.1e}. Result of (b): real income USA "
        f"{us.at['USA', 'real_income_pct']:+.3f} %, CHN {us.at['CHN', 'real_income_pct']:+.3f} %, "
        f"IND {us.at['IND', 'real_income_pct']:+.4f} %.",
        "",
    ]
    return "\n".join(lines), t_wiod, t_dense, len(wiod.countries) * len(wiod.sectors)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    print(run(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
