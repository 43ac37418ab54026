"""Benchmark: the coalition planner built with highspy's array interface vs PuLP, same HiGHS (issue 15).

A generated plan (products x suppliers x members; a BACI-like spread of trade, prices and roles,
never a claim about real flows) is built and solved twice for the ``open`` strategy:

- friendshore: ``build_plan_lp`` (vectorised numpy -> CSR) and ``solve_lp`` (``Highs.passModel``);
- PuLP: the same model written with PuLP's expressions (``LpVariable``, ``lpSum``, one constraint at a
  time, as a modeller would write it) and solved by PuLP's ``HiGHS`` interface, which drives the
  same highspy library.

Both optima must agree to 1e-6 (relative) before any time counts. Target: friendshore's build +
solve at most half PuLP's. Run: ``python bench/bench_planner.py [--products N --suppliers N
--members N --years N]``; ``bench/run.py`` runs the default size (``FULL=1``: 5,000 x 200 x 20).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

import numpy as np

from friendshore.planning.highs import solve_lp
from friendshore.planning.lp import build_plan_lp
from friendshore.planning.problem import ROLE_LEAD, ROLE_OTHER, ROLE_PARTNER, CostParameters, PlanProblem

DEFAULT_SIZE = (500, 60, 20, 2)
FULL_SIZE = (5000, 200, 20, 1)
TARGET_RATIO = 0.5


def generate_problem(
    products: int, suppliers: int, members: int, years: int = 2, *, seed: int = 0, mip: bool = False,
    budgets: bool = False, target: float = 0.5, max_supplier_share: float = 0.5,
) -> PlanProblem:  # fmt: skip
    """A random plan with the shape of a real one: most products supplied by few countries, members
    among the suppliers, a disruption from the second year (the first when ``years`` is 1)."""
    rng = np.random.default_rng(seed)
    P, S, M, Y = products, suppliers, members, years
    role = np.full(S, ROLE_OTHER, dtype=np.int8)
    role[:M] = ROLE_PARTNER
    role[0] = ROLE_LEAD
    sparsity = rng.random((P, S)) < np.clip(8.0 / S, 0.02, 1.0)  # about 8 suppliers per product
    size = rng.lognormal(3.0, 1.5, (P, S)) * sparsity
    baseline = size * rng.uniform(0.1, 0.5, (P, S))
    baseline[:, :M] = 0.0  # members' exports to members are not demand
    available = size - baseline
    output = size
    concern = rng.lognormal(4.0, 1.0, P)
    demand = concern + baseline.sum(axis=1)
    price = rng.lognormal(0.0, 0.3, (P, S)) * 1e-3
    concern_price = rng.lognormal(-0.2, 0.2, P) * 1e-3
    gdp = rng.lognormal(0.0, 1.0, M)
    costs = CostParameters(
        capital_cost=rng.uniform(1.0, 3.0, (P, 1)) * price,
        fixed_cost=np.full(P, 0.01 if mip else 0.0),
        offtake_premium=rng.uniform(0.05, 0.3, P),
        holding_cost_rate=rng.uniform(0.02, 0.1, P),
        discount_rate=0.05,
    )
    start = 2026
    return PlanProblem(
        products=tuple(f"{100000 + p:06d}" for p in range(P)),
        units=("t",) * P,
        countries=tuple(f"C{s:03d}" for s in range(S)),
        role=role,
        members=tuple(f"C{m:03d}" for m in range(M)),
        years=tuple(range(start, start + Y)),
        demand=demand,
        concern=concern,
        concern_price=concern_price,
        baseline=baseline,
        available=available,
        output=output,
        price=price,
        committed=np.zeros((P, S, Y)),
        costs=costs,
        lead_time=np.ones(P, dtype=np.int64) if Y > 2 else np.zeros(P, dtype=np.int64),
        max_expansion_ratio=np.full(P, 1.0),
        greenfield_share=np.full(P, 0.25),
        min_project=np.full(P, 0.05 if mip else 0.0),
        initial_stock=np.zeros(P),
        gdp_share=gdp / gdp.sum(),
        budget=np.where(np.arange(M) < 3, 1e9, np.inf) if budgets else np.full(M, np.inf),
        concern_cut=0.5,
        disruption_start=start + (1 if Y > 1 else 0),
        disruption_end=start + Y - 1,
        target_share=target,
        target_from=start + Y - 1,
        max_supplier_share=max_supplier_share,
        burden_band=0.5,
        weight=demand,
    )


def solve_pulp(
    problem: PlanProblem, strategy: str, *, build_only: bool = False
) -> tuple[float, float, float]:
    """The same model in PuLP, solved by PuLP's HiGHS (highspy) interface: (objective, build s, solve s)."""
    import pulp

    started = time.perf_counter()
    P, S, M, Y = problem.shape
    m = pulp.LpProblem("plan", pulp.LpMinimize)
    var = m.add_variable
    disc = problem.discount()
    years = problem.years
    allowed = problem.allowed(strategy)  # type: ignore[arg-type]
    cap = problem.expansion_cap()
    avail_x = problem.concern_available()
    L = problem.lead_time
    disrupted = problem.disrupted()
    c = problem.costs
    mip = bool(np.any(problem.min_project > 0) or np.any(c.fixed_cost > 0))
    terms: list[Any] = []
    x, o, k, z, w, b, r, st = {}, {}, {}, {}, {}, {}, {}, {}
    for p in range(P):
        pX = problem.concern_price[p]
        for t in range(Y):
            x[p, t] = var(f"x_{p}_{t}", 0, avail_x[p, t])
            st[p, t] = var(f"S_{p}_{t}", 0)
            terms.append(disc[t] * c.holding_cost_rate[p] * pX * st[p, t])
            if years[t] < problem.disruption_start and problem.demand[p] > 0:
                b[p, t] = var(f"b_{p}_{t}", 0)
                terms.append(disc[t] * pX * b[p, t])
            if disrupted[t] and problem.demand[p] > 0:
                r[p, t] = var(f"r_{p}_{t}", 0)
                terms.append(-disc[t] * pX * r[p, t])
        for s in range(S):
            if not allowed[s]:
                continue
            price = problem.price[p, s]
            prem = c.offtake_premium[p] * price + max(price - pX, 0.0)
            buildable = (problem.role[s] >= ROLE_PARTNER or problem.output[p, s] > 0) and cap[p, s] > 0
            for t in range(Y):
                ub = problem.available[p, s] + problem.committed[p, s, t]
                if ub > 0 and problem.demand[p] > 0:
                    o[p, s, t] = var(f"o_{p}_{s}_{t}", 0, ub)
                    terms.append(disc[t] * prem * o[p, s, t])
                if buildable and t + L[p] <= Y - 1:
                    k[p, s, t] = var(f"k_{p}_{s}_{t}", 0, cap[p, s])
                    terms.append(disc[t] * c.capital_cost[p, s] * k[p, s, t])
                    if mip:
                        w[p, s, t] = var(f"w_{p}_{s}_{t}", 0, 1, cat="Integer")
                        terms.append(disc[t] * c.fixed_cost[p] * w[p, s, t])
            if buildable and any((p, s, t) in k for t in range(Y)):
                for t in range(L[p], Y):
                    z[p, s, t] = var(f"z_{p}_{s}_{t}", 0, cap[p, s])
                    terms.append(disc[t] * max(price - pX, 0.0) * z[p, s, t])
    total_cost = pulp.lpSum(terms)
    m += total_cost
    for p in range(P):
        for t in range(Y):
            supply = [o[p, s, t] for s in range(S) if (p, s, t) in o] + [
                z[p, s, t] for s in range(S) if (p, s, t) in z
            ]
            m += x[p, t] + pulp.lpSum(supply) + (r.get((p, t), 0)) == problem.concern[p]
            if years[t] >= problem.target_from and problem.target_share < 1.0:
                m += x[p, t] <= problem.target_share * problem.demand[p]
            if problem.max_supplier_share < 1.0:
                for s in range(S):
                    parts = [v[p, s, t] for v in (o, z) if (p, s, t) in v]
                    if parts:
                        room = max(problem.max_supplier_share * problem.demand[p], problem.baseline[p, s])
                        m += pulp.lpSum(parts) <= room - problem.baseline[p, s]
            prev = st[p, t - 1] if t > 0 else problem.initial_stock[p]
            m += st[p, t] == prev + (b.get((p, t), 0)) - (r.get((p, t), 0))
        for s in range(S):
            for t in range(Y):
                if (p, s, t) in z:
                    m += z[p, s, t] <= pulp.lpSum(k[p, s, u] for u in range(t - L[p] + 1) if (p, s, u) in k)
                if (p, s, t) in w:
                    m += k[p, s, t] <= cap[p, s] * w[p, s, t]
                    m += k[p, s, t] >= problem.min_project[p] * problem.demand[p] * w[p, s, t]
            ks = [k[p, s, t] for t in range(Y) if (p, s, t) in k]
            if ks:
                m += pulp.lpSum(ks) <= cap[p, s]
    if problem.burden_band is not None or np.isfinite(problem.budget).any():
        pay = [var(f"pay_{i}", 0) for i in range(M)]
        m += pulp.lpSum(pay) == total_cost
        for i in range(M):
            if problem.burden_band is not None:
                m += pay[i] <= (1 + problem.burden_band) * problem.gdp_share[i] * total_cost
                m += pay[i] >= max(0.0, 1 - problem.burden_band) * problem.gdp_share[i] * total_cost
            if np.isfinite(problem.budget[i]):
                m += pay[i] <= problem.budget[i]
    solver = pulp.HiGHS(msg=False, mip_rel_gap=problem.mip_gap, threads=1, random_seed=0)
    built = time.perf_counter()
    if build_only:
        return float("nan"), built - started, 0.0
    m.solve(solver)
    done = time.perf_counter()
    if pulp.LpStatus[m.status] != "Optimal":
        raise RuntimeError(f"PuLP: {pulp.LpStatus[m.status]}")
    return float(pulp.value(m.objective)), built - started, done - built


def solve_arrays(problem: PlanProblem, strategy: str) -> tuple[float, float, float]:
    """friendshore's model: (objective, build s, solve s)."""
    started = time.perf_counter()
    lp = build_plan_lp(problem, strategy)  # type: ignore[arg-type]
    built = time.perf_counter()
    solved = solve_lp(lp, mip_gap=problem.mip_gap)
    done = time.perf_counter()
    if solved.status != "Optimal":
        raise RuntimeError(f"friendshore: {solved.status}")
    return solved.objective, built - started, done - built


def run(size: tuple[int, int, int, int] | None = None, *, repeat: int = 1) -> str:
    """Measure and return the BENCHMARKS.md section."""
    return _measure(size, repeat)[0]


def section(size: tuple[int, int, int, int] | None = None, *, repeat: int = 1, machine: str = "") -> Any:
    """The section and its record (``records.Section``) for ``bench/run.py``."""
    from records import Record, Section

    markdown, ours, theirs, shape = _measure(size, repeat)
    record = Record(
        f"coalition planner build + solve ({shape})",
        ours,
        baseline=f"PuLP {_pulp_version()} + HiGHS (same highspy)",
        baseline_s=theirs,
        target=TARGET_RATIO,
        target_text="at most half PuLP's time",
        machine=machine,
    )
    return Section(markdown, [record])


def _measure(size: tuple[int, int, int, int] | None, repeat: int) -> tuple[str, float, float, str]:
    full = os.environ.get("FULL", "") not in ("", "0")
    P, S, M, Y = size or (FULL_SIZE if full else DEFAULT_SIZE)
    problem = generate_problem(P, S, M, Y, seed=0)
    lp = build_plan_lp(problem, "open")
    ours = [solve_arrays(problem, "open") for _ in range(repeat)]
    theirs = [solve_pulp(problem, "open") for _ in range(repeat)]
    obj_a, obj_b = ours[0][0], theirs[0][0]
    gap = abs(obj_a - obj_b) / max(abs(obj_b), 1e-12)
    if gap > 1e-6:
        raise RuntimeError(f"the two optima differ: {obj_a!r} vs {obj_b!r} (relative {gap:.2e})")
    a_build, a_solve = min(t[1] for t in ours), min(t[2] for t in ours)
    b_build, b_solve = min(t[1] for t in theirs), min(t[2] for t in theirs)
    ratio = (a_build + a_solve) / (b_build + b_solve)
    verdict = "met" if ratio <= TARGET_RATIO else "NOT met"
    shape = f"{P:,} products x {S:,} suppliers x {M} members x {Y} year(s)"
    return "\n".join([
        "## Coalition planner (issue 15): highspy arrays vs PuLP, same HiGHS",
        "",
        f"A generated plan ({P:,} products x {S:,} suppliers x {M} members x {Y} year(s), strategy `open`, "
        f"burden sharing on): {lp.num_col:,} variables, {lp.num_row:,} constraints, {len(lp.value):,} non-zeros. "
        "friendshore builds the model as numpy arrays and passes them to HiGHS in one call "
        "(`Highs.passModel`); PuLP builds the same model from expressions and passes it through its "
        f"`HiGHS` interface (the same highspy {_highspy_version()}, one thread, the same options). "
        f"Optima agree to {gap:.1e} (relative) before timings count. Best of {repeat}.",
        "",
        "| | build (s) | solve (s) | build + solve (s) |",
        "|---|---:|---:|---:|",
        f"| friendshore (highspy arrays) | {a_build:.2f} | {a_solve:.2f} | {a_build + a_solve:.2f} |",
        f"| PuLP {_pulp_version()} + HiGHS | {b_build:.2f} | {b_solve:.2f} | {b_build + b_solve:.2f} |",
        "",
        f"friendshore / PuLP = **{ratio:.2f}** (target at most {TARGET_RATIO}: {verdict}). The solve column of "
        "PuLP includes its copy of the model into HiGHS (one `addCol`/`addRow` call per variable and row). "
        "Size: `FULL=1 make bench` runs 5,000 x 200 x 20 (one year); the default is smaller to keep "
        "`make bench` short.",
        "",
    ]), a_build + a_solve, b_build + b_solve, shape  # fmt: skip


def _highspy_version() -> str:
    from importlib.metadata import version

    return version("highspy")


def _pulp_version() -> str:
    from importlib.metadata import version

    return version("pulp")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--products", type=int, default=None)
    parser.add_argument("--suppliers", type=int, default=None)
    parser.add_argument("--members", type=int, default=None)
    parser.add_argument("--years", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args(argv)
    full = os.environ.get("FULL", "") not in ("", "0")
    base = FULL_SIZE if full else DEFAULT_SIZE
    size = tuple(v if v is not None else d for v, d in zip(
        (args.products, args.suppliers, args.members, args.years), base, strict=True))  # fmt: skip
    print(run(size, repeat=args.repeat))  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
