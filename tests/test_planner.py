"""The coalition planner's model: a small instance solved by hand, infeasibility, duals, the MILP,
properties (hypothesis), plan files, committed capacity, sensitivity, and an independent build of
the same model in PuLP (bench/bench_planner.py) that must reach the same optimum."""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from friendshore.errors import InfeasibleError, SchemaError, UnknownCodeError
from friendshore.planning.compare import compare_strategies, sensitivity, strategy_tables
from friendshore.planning.lp import build_plan_lp
from friendshore.planning.model import solve_plan
from friendshore.planning.plan_file import EXAMPLES, example_path, load_plan, load_plan_text
from friendshore.planning.problem import CommittedCapacity, CostParameters, PlanProblem
from friendshore.settings import project_root
from helpers import examples


def hand(**changes: Any) -> PlanProblem:
    """One product (D = 100 t, 60 t from countries of concern at 1 M USD/t), three countries:
    USA (lead, no exports, price 1.5), JPN (partner, supplies 40 t today, 10 t spare, price 1.2),
    VNM (other, 30 t spare, price 1.1). 2026-2028; supply from concern halved from 2027; lead time
    1 year; capital 0.5 M USD per t/yr; offtake premium 10%; holding 60% of value a year; no
    discounting."""
    P, S, M, Y = 1, 3, 2, 3
    costs = CostParameters(
        capital_cost=np.full((P, S), 0.5),
        fixed_cost=np.zeros(P),
        offtake_premium=np.array([0.1]),
        holding_cost_rate=np.array([0.6]),
        discount_rate=0.0,
    )
    args: dict[str, Any] = dict(
        products=("850511",), units=("t",), countries=("USA", "JPN", "VNM"),
        role=np.array([2, 1, 0], dtype=np.int8), members=("USA", "JPN"), years=(2026, 2027, 2028),
        demand=np.array([100.0]), concern=np.array([60.0]), concern_price=np.array([1.0]),
        baseline=np.array([[0.0, 40.0, 0.0]]), available=np.array([[0.0, 10.0, 30.0]]),
        output=np.array([[0.0, 50.0, 30.0]]), price=np.array([[1.5, 1.2, 1.1]]), committed=np.zeros((P, S, Y)),
        costs=costs, lead_time=np.array([1]), max_expansion_ratio=np.array([1.0]),
        greenfield_share=np.array([1.0]), min_project=np.zeros(P), initial_stock=np.zeros(P),
        gdp_share=np.array([0.8, 0.2]), budget=np.full(M, np.inf), concern_cut=0.5, disruption_start=2027,
        disruption_end=2028, target_share=1.0, target_from=2026, weight=np.array([100.0]),
    )  # fmt: skip
    args.update(changes)
    return PlanProblem(**args)


def test_small_instance_solved_by_hand() -> None:
    """The 30 t missing in 2027 and 2028, by hand:
    reshoring: a 30 t/yr US plant commissioned in 2026 (on line 2027): 30 x 0.5 capital + 2 x 30 x
      (1.5 - 1.0) dearer supply = 45 (a stock would cost 0.6 + 1.2 per t; a 2027 plant 1.0 for 2028 only);
    friendshoring: JPN's 10 t spare at 0.1 x 1.2 + 0.2 = 0.32 a t for two years (6.4), and a 20 t/yr
      JPN plant: 20 x 0.5 + 2 x 20 x 0.2 = 18: 24.4;
    open: VNM's 30 t spare at 0.1 x 1.1 + 0.1 = 0.21 a t for two years: 12.6."""
    problem = hand()
    costs = {o.strategy: o.solution.total_cost for o in compare_strategies(problem) if o.solution}
    assert costs["status_quo"] == 0.0
    assert costs["reshoring"] == pytest.approx(45.0, rel=1e-9)
    assert costs["friendshoring"] == pytest.approx(24.4, rel=1e-9)
    assert costs["open"] == pytest.approx(12.6, rel=1e-9)
    sq = solve_plan(problem, "status_quo")
    assert sq.shortfall.tolist() == [[0.0, 30.0, 30.0]]
    resh = solve_plan(problem, "reshoring")
    assert resh.capacity_built[0, 0].tolist() == pytest.approx([30.0, 0.0, 0.0])
    assert resh.new_supply[0, 0].tolist() == pytest.approx([0.0, 30.0, 30.0])
    assert resh.costs["capital"] == pytest.approx(15.0)
    assert resh.costs["new_supply"] == pytest.approx(30.0)
    friend = solve_plan(problem, "friendshoring")
    assert friend.offtake[0, 1].tolist() == pytest.approx([0.0, 10.0, 10.0])
    assert friend.capacity_built[0, 1, 0] == pytest.approx(20.0)
    opened = solve_plan(problem, "open")
    assert opened.offtake[0, 2].tolist() == pytest.approx([0.0, 30.0, 30.0])
    # concern share after: 30 of 100 t in the disruption; HHI from the shares 30/40/30 %
    assert opened.concern_share(problem)[0].tolist() == pytest.approx([0.6, 0.3, 0.3])
    assert opened.hhi(problem)[0, 2] == pytest.approx(0.3**2 + 0.4**2 + 0.3**2)


def test_stockpile_by_hand_when_capital_is_dear() -> None:
    """Capital at 10 per t/yr: reshoring stocks 60 t in 2026 (30 for each disruption year) and
    holds 60 t in 2026, 30 t in 2027: holding 0.6 x (60 + 30) = 54; purchases and releases cancel."""
    problem = hand(costs=replace(hand().costs, capital_cost=np.full((1, 3), 10.0)))
    sol = solve_plan(problem, "reshoring")
    assert sol.total_cost == pytest.approx(54.0)
    assert sol.stock_bought[0].tolist() == pytest.approx([60.0, 0.0, 0.0])
    assert sol.stock[0].tolist() == pytest.approx([60.0, 30.0, 0.0])


def test_discounting_by_hand() -> None:
    """At 10% the open plan pays 6.3 in 2027 and 6.3 in 2028: 6.3 / 1.1 + 6.3 / 1.21."""
    problem = hand(costs=replace(hand().costs, discount_rate=0.1))
    assert solve_plan(problem, "open").total_cost == pytest.approx(6.3 / 1.1 + 6.3 / 1.21)


def test_milp_fixed_cost_by_hand() -> None:
    """A 1 M USD fixed cost per project and projects of at least 15 t/yr: friend-shoring builds one
    20 t/yr JPN plant as before, so it costs 24.4 + 1."""
    problem = hand(min_project=np.array([0.15]), costs=replace(hand().costs, fixed_cost=np.array([1.0])))
    assert build_plan_lp(problem, "friendshoring").is_mip
    sol = solve_plan(problem, "friendshoring")
    assert sol.total_cost == pytest.approx(25.4)
    assert sol.projects.sum() == pytest.approx(1.0)


def test_target_dual_is_the_marginal_cost() -> None:
    """A 25 % target from 2027 in the open plan: each extra tonne allowed from countries of concern
    saves JPN offtake at 0.32, so the dual is -0.32 per t and a 1 pp looser target saves 0.64."""
    tight = solve_plan(hand(target_share=0.25, target_from=2027), "open")
    loose = solve_plan(hand(target_share=0.26, target_from=2027), "open")
    _keys, dual, slack = tight.duals["target"]
    assert dual.tolist() == pytest.approx([-0.32, -0.32])
    assert slack.tolist() == pytest.approx([0.0, 0.0])
    assert tight.total_cost - loose.total_cost == pytest.approx(0.64)
    table = strategy_tables(hand(target_share=0.25, target_from=2027),
                            compare_strategies(hand(target_share=0.25, target_from=2027), ["open"]),
                            report_year=2028)["strategies"]  # fmt: skip
    # USD per percentage point: 0.32 M USD x 100 t x 2 years x 1 %
    assert table.column("target_cost_usd_per_pp").to_pylist() == pytest.approx([0.64e6])
    assert "concern-share target for 850511" in table.column("binding")[0].as_py()


def test_infeasible_names_the_binding_constraints() -> None:
    with pytest.raises(InfeasibleError) as caught:
        solve_plan(hand(disruption_start=2026), "reshoring")
    assert caught.value.binding == ["demand for 850511 in 2026 (short by 30 t a year)"]
    assert "demand for 850511 in 2026" in str(caught.value)
    # USA pays at least 60% of the 45 (its GDP share 0.8 minus the 25% band), at most 30: over by 3.75
    with pytest.raises(InfeasibleError) as caught:
        solve_plan(hand(budget=np.array([30.0, np.inf]), burden_band=0.25), "reshoring")
    assert caught.value.binding == ["budget of USA (over by 3.75 million USD)"]


def test_budgets_and_burden_shares_hold() -> None:
    problem = hand(budget=np.array([np.inf, 4.0]), burden_band=0.25)
    sol = solve_plan(problem, "friendshoring")
    assert sol.pay.sum() == pytest.approx(sol.total_cost)
    assert sol.pay[1] <= 4.0 + 1e-9
    shares = sol.pay / sol.total_cost
    assert np.all(shares >= 0.75 * problem.gdp_share - 1e-9)
    assert np.all(shares <= 1.25 * problem.gdp_share + 1e-9)


def test_committed_capacity_extends_offtake_from_its_first_year() -> None:
    committed = np.zeros((1, 3, 3))
    committed[0, 0, 1:] = 30.0  # 30 t/yr in the US from 2027: reshoring needs no plant
    sol = solve_plan(hand(committed=committed), "reshoring")
    # US supply costs 0.1 x 1.5 + 0.5 = 0.65 a t: dearer than a year of stock (0.6) for 2027,
    # cheaper than two (1.2) for 2028: 30 x 0.6 + 30 x 0.65 = 37.5
    assert sol.total_cost == pytest.approx(37.5)
    assert sol.capacity_built.sum() == pytest.approx(0.0)
    assert sol.offtake[0, 0].tolist() == pytest.approx([0.0, 0.0, 30.0])
    assert sol.stock_released[0].tolist() == pytest.approx([0.0, 30.0, 0.0])
    record = CommittedCapacity(
        "USA", "850511", 1000.0, "t", date(2027, 7, 1), "committed", "r1", "a citation"
    )
    assert record.first_year() == 2028
    assert replace(record, available_from=date(2027, 1, 1)).first_year() == 2027


# --- properties ---------------------------------------------------------------------------------


@st.composite
def problems(draw: st.DrawFn) -> PlanProblem:
    """Small random plans: 1-2 products, 3-5 countries, 2-4 years."""
    P, S, Y = draw(st.integers(1, 2)), draw(st.integers(3, 5)), draw(st.integers(2, 4))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    M = 2
    role = np.zeros(S, dtype=np.int8)
    role[0], role[1] = 2, 1
    baseline = rng.uniform(0, 50, (P, S)) * (rng.random((P, S)) < 0.7)
    baseline[:, :M] = 0.0
    concern = rng.uniform(10, 100, P)
    costs = CostParameters(
        capital_cost=rng.uniform(0.1, 3.0, (P, S)), fixed_cost=np.zeros(P), offtake_premium=rng.uniform(0, 0.5, P),
        holding_cost_rate=rng.uniform(0.01, 0.5, P), discount_rate=float(rng.uniform(0, 0.1)),
    )  # fmt: skip
    return PlanProblem(
        products=tuple(f"{100000 + p}" for p in range(P)), units=("t",) * P,
        countries=tuple(f"C{s}" for s in range(S)), role=role, members=("C0", "C1"),
        years=tuple(range(2026, 2026 + Y)), demand=concern + baseline.sum(axis=1), concern=concern,
        concern_price=rng.uniform(0.5, 1.5, P), baseline=baseline, available=rng.uniform(0, 60, (P, S)),
        output=rng.uniform(0, 80, (P, S)), price=rng.uniform(0.5, 2.0, (P, S)), committed=np.zeros((P, S, Y)),
        costs=costs, lead_time=rng.integers(0, 2, P), max_expansion_ratio=np.full(P, 1.0),
        greenfield_share=np.full(P, 0.5), min_project=np.zeros(P), initial_stock=np.zeros(P),
        gdp_share=np.array([0.7, 0.3]), budget=np.full(M, np.inf),
        concern_cut=float(draw(st.sampled_from([0.0, 0.3, 0.5]))), disruption_start=2027, disruption_end=2026 + Y - 1,
        target_share=float(draw(st.floats(0.2, 1.0))), target_from=2026 + Y - 1,
        max_supplier_share=float(draw(st.sampled_from([1.0, 0.6]))), weight=np.ones(P),
    )  # fmt: skip


def _cost(problem: PlanProblem, strategy: str) -> float | None:
    try:
        return solve_plan(problem, strategy).total_cost  # type: ignore[arg-type]
    except InfeasibleError:
        return None


FAST = settings(max_examples=examples(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(problems(), st.floats(0.05, 5.0))
def test_the_budget_is_never_exceeded(problem: PlanProblem, budget: float) -> None:
    problem = replace(problem, budget=np.array([budget, np.inf]), burden_band=0.5)
    binding: list[str] = []
    try:
        sol = solve_plan(problem, "open")
    except InfeasibleError as exc:
        binding = exc.binding
        sol = None
    if sol is None:
        assert binding  # an infeasible plan names what binds
        return
    assert sol.pay[0] <= budget * (1 + 1e-7) + 1e-9
    assert sol.pay.sum() == pytest.approx(sol.total_cost, rel=1e-7, abs=1e-9)


@FAST
@given(problems(), st.floats(0.0, 0.5))
def test_tightening_the_target_never_lowers_cost(problem: PlanProblem, tighter_by: float) -> None:
    loose = _cost(problem, "open")
    tight = _cost(problem.with_target(max(0.0, problem.target_share - tighter_by)), "open")
    if tight is not None:
        assert loose is not None
        assert tight >= loose - 1e-7 * max(1.0, abs(loose))


@FAST
@given(problems())
def test_target_at_todays_share_costs_nothing(problem: PlanProblem) -> None:
    """No disruption and a target equal to today's share: doing nothing is a plan, and costs 0."""
    today = float(problem.concern_share_before().max())
    problem = replace(problem, concern_cut=0.0, target_share=min(1.0, today))
    for strategy in ("reshoring", "friendshoring", "open"):
        assert abs(solve_plan(problem, strategy).total_cost) <= 1e-7 * float(problem.demand.sum())  # type: ignore[arg-type]


@FAST
@given(problems())
def test_strategies_are_nested(problem: PlanProblem) -> None:
    costs = [_cost(problem, s) for s in ("reshoring", "friendshoring", "open")]
    for wider, narrower in ((costs[1], costs[0]), (costs[2], costs[1])):
        if narrower is not None:
            assert wider is not None
            assert wider <= narrower + 1e-7 * max(1.0, abs(narrower))


# --- the same model in PuLP -------------------------------------------------------------------


@pytest.fixture(scope="module")
def bench_planner() -> ModuleType:
    path = project_root() / "bench" / "bench_planner.py"
    spec = importlib.util.spec_from_file_location("friendshore_bench_planner", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["friendshore_bench_planner"] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    ("seed", "mip", "budgets", "years"), [(0, False, False, 3), (1, True, False, 2), (2, False, True, 1)]
)
def test_pulp_build_of_the_same_model_reaches_the_same_optimum(
    bench_planner: ModuleType, seed: int, mip: bool, budgets: bool, years: int
) -> None:
    problem = bench_planner.generate_problem(12, 8, 4, years, seed=seed, mip=mip, budgets=budgets)
    for strategy in ("reshoring", "friendshoring", "open"):
        ours = _cost(problem, strategy)
        try:
            theirs, _, _ = bench_planner.solve_pulp(problem, strategy)
        except RuntimeError:
            theirs = None
        if ours is None or theirs is None:
            assert ours is None
            assert theirs is None
        else:
            assert ours == pytest.approx(theirs, rel=1e-6, abs=1e-9)


# --- sensitivity --------------------------------------------------------------------------------


def _costs_for(values: dict[str, float]) -> CostParameters:
    base = hand().costs
    return replace(base, capital_cost=np.full((1, 3), values.get("capital", 0.5)),
                   offtake_premium=np.array([values.get("premium", 0.1)]))  # fmt: skip


def test_sensitivity_is_seeded_and_bit_identical() -> None:
    ranges = [("capital", 0.2, 2.0), ("premium", 0.0, 0.5)]
    kwargs: dict[str, Any] = dict(draws=8, strategies=("status_quo", "reshoring", "friendshoring", "open"))
    a = sensitivity(hand(), _costs_for, ranges, seed=3, **kwargs)
    b = sensitivity(hand(), _costs_for, ranges, seed=3, **kwargs)
    c = sensitivity(hand(), _costs_for, ranges, seed=4, **kwargs)
    assert a[0].equals(b[0])
    assert a[1].equals(b[1])
    assert not a[1].equals(c[1])
    summary = {r["strategy"]: r for r in a[0].to_pylist()}
    assert set(summary) == {"reshoring", "friendshoring", "open"}
    assert summary["open"]["cheapest_share"] == 1.0  # nested: open is never dearer
    for r in summary.values():
        assert (
            r["cost_min_usd"]
            <= r["cost_p05_usd"]
            <= r["cost_median_usd"]
            <= r["cost_p95_usd"]
            <= r["cost_max_usd"]
        )
    assert summary["reshoring"]["cost_min_usd"] >= summary["friendshoring"]["cost_min_usd"]


# --- plan files ---------------------------------------------------------------------------------

MINIMAL = """
[coalition]
members = ["USA", "JPN"]
lead = ["USA"]
[products]
codes = ["850511"]
[horizon]
start = 2026
years = 5
[disruption]
concern_cut = 0.5
start = 2027
[instruments]
capital_intensity = 1.0
"""


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        (("concern_cut = 0.5", "concern_cut = 1.5"), "disruption.concern_cut", "less than or equal to 1"),
        (('codes = ["850511"]', 'codes = ["8505"]'), "products.codes", "not HS6 codes"),
        (("capital_intensity = 1.0", "capital_intensity = { value = 5, low = 1, high = 2 }"),
         "instruments.capital_intensity", "outside its range"),
        (("start = 2027", "start = 2040"), None, "disruption.start must be a year of the horizon"),
        (("capital_intensity = 1.0", "lead_time = 2"), "instruments.lead_time", "Extra inputs"),
        (("capital_intensity = 1.0", ""), None, "give exactly one of capital_cost_usd_per_tpy or capital_intensity"),
    ],
)  # fmt: skip
def test_plan_file_errors_name_the_field(change: tuple[str, str], field: str | None, message: str) -> None:
    with pytest.raises(SchemaError) as caught:
        load_plan_text(MINIMAL.replace(*change), file="plan.toml")
    assert caught.value.field == field
    assert message in str(caught.value)
    assert str(caught.value).startswith("plan.toml: ")


def test_plan_file_defaults_and_overrides() -> None:
    spec = load_plan_text(
        MINIMAL + '[instruments.product."850511"]\ncapital_cost_usd_per_tpy = 50000\nlead_time_years = 1\n'
    )
    instr = spec.instruments.for_product("850511")
    assert instr.capital_intensity is None
    assert instr.capital_cost_usd_per_tpy is not None
    assert instr.capital_cost_usd_per_tpy.value == 50000
    assert instr.lead_time_years == 1
    assert spec.target_from == 2026
    assert spec.disruption_end == 2030


@pytest.mark.parametrize("name", sorted(EXAMPLES))
def test_shipped_examples_validate_and_cite_their_parameters(name: str) -> None:
    spec = load_plan(example_path(name))
    instr = spec.instruments
    for param in (
        instr.capital_intensity,
        instr.offtake_premium,
        instr.holding_cost_rate,
        spec.horizon.discount_rate,
    ):
        assert param is not None
        assert param.ranged
        assert param.source  # a citation or "assumption, adjust it"
    assert spec.committed == []  # the planner does not invent investments
    text = Path(example_path(name)).read_text()
    assert "assumption, adjust it" in text


def test_unknown_example() -> None:
    with pytest.raises(UnknownCodeError, match="magnets"):
        example_path("nope")


def test_benchmark_section_is_well_formed(bench_planner: ModuleType) -> None:
    """The benchmark's code path at a tiny size: both builds agree and the section renders (no timings
    are asserted: speed targets belong in bench/)."""
    text = bench_planner.run((10, 8, 4, 2))
    assert text.startswith("## Coalition planner (issue 15)")
    assert "| friendshore (highspy arrays) |" in text
    assert "| PuLP " in text
    assert "friendshore / PuLP = **" in text
