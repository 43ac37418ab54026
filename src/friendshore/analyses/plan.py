"""What should a coalition do to cut its coercive dependency at least cost, and how does
reshoring compare with friend-shoring?

Methods: ``friendshore.planning`` and docs/methods/planner.md (an LP, a MILP with fixed project
costs, on HiGHS). The plan file (TOML) holds every parameter that is not data; trade and prices
come from BACI, GDP shares from WDI.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Literal

import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_trade
from friendshore.analyses.result import Column, Result
from friendshore.errors import UserError
from friendshore.planning.problem import CommittedCapacity  # light: the signature names it
from friendshore.settings import Settings

if TYPE_CHECKING:
    from friendshore.planning.compare import Outcome
    from friendshore.planning.data import PlanInputs
    from friendshore.planning.plan_file import PlanSpec
    from friendshore.planning.problem import PlanProblem

__all__ = [
    "MAX_DRAWS",
    "STRATEGY_COLUMNS",
    "StrategyChoice",
    "failure_notes",
    "join_sensitivity",
    "plan",
    "problem_terms",
    "ranged_parameters",
    "require_draws",
    "strategy_results",
]

StrategyChoice = Literal["all", "reshoring", "friendshoring", "open"]
#: The most re-solves ``--draws`` runs (each solves every strategy once).
MAX_DRAWS = 10_000

_KEYS = ["strategy", "status", "total_cost_usd", "concern_share_before", "concern_share_after",
         "target_concern_share", "hhi_before", "hhi_after", "shortfall_share", "target_cost_usd_per_pp",
         "cheapest_share", "cost_p05_usd", "cost_p95_usd", "binding"]  # fmt: skip
#: The columns of a plan's one-row-per-strategy table (the brief's options take a subset).
STRATEGY_COLUMNS = [
    Column("strategy", "strategy", "text"),
    Column("status", "status", "text"),
    Column("total_cost_usd", "cost (present value)", "usd",
           description="discounted cost over the horizon relative to buying today's supply at today's prices"),
    Column("concern_share_before", "concern share today", "share"),
    Column("concern_share_after", "concern share, report year", "share"),
    Column("target_concern_share", "target concern share", "share"),
    Column("target_from", "target from", "year"),
    Column("hhi_before", "HHI today", "index"),
    Column("hhi_after", "HHI, report year", "index"),
    Column("shortfall_share", "largest shortfall", "share", description="share of demand not supplied"),
    Column("target_cost_usd_per_pp", "cost of 1 pp tighter target", "usd",
           description="shadow price of the concern-share target: added cost of lowering it by one percentage point"),
    Column("supplier_cap_cost_usd_per_pp", "cost of 1 pp tighter supplier cap", "usd"),
    Column("binding", "binding constraints", "text"),
    Column("cheapest_share", "cheapest in draws", "share"),
    Column("feasible_share", "feasible in draws", "share"),
    Column("cost_min_usd", "cost, lowest draw", "usd"),
    Column("cost_p05_usd", "cost, 5th percentile", "usd"),
    Column("cost_median_usd", "cost, median draw", "usd"),
    Column("cost_p95_usd", "cost, 95th percentile", "usd"),
    Column("cost_max_usd", "cost, highest draw", "usd"),
    *[Column(f"cost_{name}_usd", f"cost: {label}", "usd") for name, label in (
        ("offtake", "offtake premiums"), ("capital", "capital"), ("new_supply", "dearer new supply"),
        ("fixed", "fixed project costs"), ("stock_buy", "stock bought"), ("stock_release", "stock released (saving)"),
        ("holding", "stock holding"))],
]  # fmt: skip


def require_draws(draws: object) -> None:
    """``draws`` is a whole number of Monte Carlo draws from 0 to ``MAX_DRAWS``."""
    if isinstance(draws, bool) or not isinstance(draws, int) or not 0 <= draws <= MAX_DRAWS:
        raise UserError(f"draws must be a whole number from 0 to {MAX_DRAWS:,}, got {draws!r}")


def strategy_results(
    spec: PlanSpec, problem: PlanProblem, outcomes: Sequence[Outcome]
) -> tuple[int, pa.Table, dict[str, pa.Table]]:
    """The report year (the plan's, else the horizon's last), the one-row-per-strategy table and the
    strategies' other tables."""
    from friendshore.planning.compare import strategy_tables

    report_year = spec.horizon.report_year or problem.years[-1]
    tables = strategy_tables(problem, outcomes, report_year=report_year)
    return report_year, tables.pop("strategies"), tables


def ranged_parameters(inputs: PlanInputs) -> pa.Table:
    """The cost parameters given a range (low, high), with their value and source."""
    return pa.Table.from_pylist(
        [{"parameter": r.key, "value": r.value, "low": r.low, "high": r.high, "source": r.source} for r in inputs.ranged],
        schema=pa.schema([("parameter", pa.string()), ("value", pa.float64()), ("low", pa.float64()),
                          ("high", pa.float64()), ("source", pa.string())]),
    )  # fmt: skip


def problem_terms(problem: PlanProblem, report_year: int) -> dict[str, object]:
    """A plan's horizon, report year, disruption and targets, as a Result's parameters give them."""
    return {
        "horizon": list(problem.years),
        "report_year": report_year,
        "disruption": {"concern_cut": problem.concern_cut, "start": problem.disruption_start,
                       "end": problem.disruption_end},
        "targets": {"concern_share": problem.target_share, "from": problem.target_from,
                    "max_supplier_share": problem.max_supplier_share},
    }  # fmt: skip


def _spec_of(plan_path: Path | None, example: str | None) -> tuple[object, Path]:
    from friendshore.planning.plan_file import example_path, load_plan

    if (plan_path is None) == (example is None):
        raise UserError("give a plan file (PLAN.toml) or --example NAME, exactly one")
    path = example_path(example) if example is not None else Path(plan_path)  # type: ignore[arg-type]
    return load_plan(path), path


def plan(
    settings: Settings,
    *,
    plan: Path | None = None,
    example: str | None = None,
    strategy: StrategyChoice = "all",
    draws: int = 0,
    seed: int = 0,
    year: int | None = None,
    committed: Sequence[CommittedCapacity] | None = None,
    partner_attributes: bool = True,
) -> Result:
    """Compare reshoring, friend-shoring and open sourcing for a coalition plan (a TOML file or a
    shipped example): least-cost offtake, new capacity and stockpiles that meet demand in the
    disruption and the concern-share target.

    ``committed``: committed capacity records; default: the plan file's ``[[committed]]`` list plus
    the register's investments in the plan's products (``friendshore register investments``).
    ``draws`` N re-solves with cost parameters drawn within their ranges, a sensitivity analysis
    (``seed``: same seed, same draws). ``year``: the trade year (default: the plan's, else the
    latest loaded).

    Parameters
    ----------
    plan
        Plan file (TOML): coalition, products, disruption, targets, costs.
    example
        A shipped example plan instead of a file: magnets, gallium-germanium.
    strategy
        all (status_quo, reshoring, friendshoring, open) or one of them beside status_quo.
    draws
        Monte Carlo draws: re-solve N times with cost parameters drawn within their ranges (0: none).
    seed
        Seed of the draws (same seed, same result).
    year
        Trade year (default: the plan's products.year, else the latest).
    """
    from friendshore.planning.compare import compare_strategies
    from friendshore.planning.compare import (
        sensitivity as run_sensitivity,
    )
    from friendshore.planning.data import plan_problem
    from friendshore.planning.plan_file import PlanSpec
    from friendshore.planning.problem import STRATEGIES

    if strategy not in ("all", "reshoring", "friendshoring", "open"):
        raise UserError(f"strategy must be all, reshoring, friendshoring or open, got {strategy!r}")
    require_draws(draws)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**63:
        raise UserError(f"seed must be a whole number from 0 to 2**63 - 1, got {seed!r}")
    spec_obj, path = _spec_of(plan, example)
    assert isinstance(spec_obj, PlanSpec)
    spec = spec_obj
    ctx, trade, year = open_trade(settings, year if year is not None else spec.products.year)
    when = spec.coalition.members_at
    coalition = _resolve(ctx, spec.coalition.members, year=year, members_at=when)
    concern = _resolve(ctx, spec.coalition.concern, year=year, members_at=when)
    register_notes: list[str] = []
    if committed is not None:
        records = list(committed)
    else:
        from friendshore.register.query import committed_capacity

        from_register, register_notes = committed_capacity(spec.products.codes, home=settings.home)
        records = [*spec.committed_records(), *from_register]
    inputs = plan_problem(
        trade, ctx.optional("gdp"), spec, year=year, members=coalition, concern=concern, committed=records
    )
    problem = inputs.problem
    chosen = STRATEGIES if strategy == "all" else ("status_quo", strategy)
    outcomes = compare_strategies(problem, chosen)
    failed = [o for o in outcomes if o.error is not None]
    acting = [o for o in outcomes if o.strategy != "status_quo"]
    if failed and len(failed) == len(acting):
        raise failed[-1].error  # type: ignore[misc]
    report_year, main, tables = strategy_results(spec, problem, outcomes)
    notes = [*inputs.notes, *register_notes]
    if draws > 0:
        ranges = [(r.key, r.low, r.high) for r in inputs.ranged]
        summary, drawn = run_sensitivity(
            problem, inputs.costs_for, ranges, draws=draws, seed=seed, strategies=chosen
        )
        tables["sensitivity"], tables["sensitivity_draws"] = summary, drawn
        main = join_sensitivity(main, summary)
        if not ranges:
            notes.append(
                "--draws: the plan gives no cost parameter a range (low, high): every draw is the same"
            )
        else:
            notes.append(
                f"sensitivity: {draws} draws (seed {seed}) of {len(ranges)} cost parameter(s) uniform within "
                f"their ranges: {', '.join(r.key for r in inputs.ranged)}; the strategies are nested, so open <= "
                "friendshoring <= reshoring in every draw: read the cost intervals, not only the cheapest share"
            )
    tables["ranged_parameters"] = ranged_parameters(inputs)
    tables["products"] = inputs.products
    tables["committed"] = _relied_on(inputs, outcomes)
    tables["partners"] = _partners(
        ctx, inputs, tables["allocations"], year=year, members=coalition, lead=spec.coalition.lead, concern=concern,
        attributes=partner_attributes,
    )  # fmt: skip
    notes += _notes(inputs, outcomes, report_year=report_year, spec=spec)
    label = spec.title or spec.name or path.stem
    title = (
        f"Coalition plan '{label}': {', '.join(problem.products)}, "
        f"{_label(spec.coalition.members)} ({len(coalition)} members), trade {year}"
    )
    parameters = {
        "plan": str(path),
        "example": example,
        "strategy": strategy,
        "draws": draws,
        "seed": seed,
        "year": year,
        "coalition": {"label": _label(spec.coalition.members), "members": list(coalition),
                      "as_of": when.isoformat() if when else None, "lead": list(spec.coalition.lead)},
        "concern": {"label": _label(spec.coalition.concern), "members": list(problem.concern_countries)},
        "products": list(problem.products),
        "units": dict(zip(problem.products, problem.units, strict=True)),
        **problem_terms(problem, report_year),
        "burden_band": problem.burden_band,
        "plan_spec": spec.model_dump(mode="json", by_alias=True),
    }  # fmt: skip
    return Result(
        "plan",
        title,
        main,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(main, key=_KEYS, extra=STRATEGY_COLUMNS),
        tables,
        (f"plan file: {path}",),
    )


def _label(value: str | Sequence[str]) -> str:
    return value if isinstance(value, str) else ",".join(value)


def _resolve(ctx: object, value: str | Sequence[str], *, year: int, members_at: object) -> list[str]:
    from friendshore.analyses.context import Context

    assert isinstance(ctx, Context)
    codes = [value] if isinstance(value, str) else list(value)
    out: set[str] = set()
    for code in codes:
        out |= set(ctx.who(code, year=year, members_at=members_at).members)  # type: ignore[arg-type]
    return sorted(out)


def join_sensitivity(
    main: pa.Table,
    summary: pa.Table,
    columns: Sequence[str] = (
        "cheapest_share",
        "feasible_share",
        "cost_min_usd",
        "cost_p05_usd",
        "cost_median_usd",
        "cost_p95_usd",
        "cost_max_usd",
    ),
) -> pa.Table:
    """``main`` (one row per strategy) with ``columns`` of its strategy's row of the sensitivity
    ``summary`` (null where the summary has none)."""
    by = {r["strategy"]: r for r in summary.to_pylist()}
    rows = main.to_pylist()
    for row in rows:
        extra = by.get(row["strategy"], {})
        for name in columns:
            row[name] = extra.get(name)
    return pa.Table.from_pylist(rows)


def failure_notes(outcomes: Sequence[Outcome]) -> list[str]:
    """One note per strategy that could not be solved, with why."""
    return [f"{o.strategy}: {o.error}" for o in outcomes if o.error is not None]


def _relied_on(inputs: PlanInputs, outcomes: Sequence[Outcome]) -> pa.Table:
    """The committed-capacity table with the strategies that used more than today's exports of
    that country and product (so relied on the committed capacity)."""
    problem = inputs.problem
    table = inputs.committed
    used = []
    for row in table.to_pylist():
        names = []
        if row["counted"] and row["hs6"] in problem.products and row["country"] in problem.countries:
            p, s = problem.products.index(row["hs6"]), problem.countries.index(row["country"])
            for o in outcomes:
                if (
                    o.solution is not None
                    and (
                        o.solution.offtake[p, s]
                        > problem.available[p, s] + 1e-9 * max(problem.demand[p], 1.0)
                    ).any()
                ):
                    names.append(o.strategy)
        used.append(",".join(names))
    return table.append_column("relied_on_by", pa.array(used, pa.string()))


def _partners(
    ctx: object,
    inputs: PlanInputs,
    allocations: pa.Table,
    *,
    year: int,
    members: Sequence[str],
    lead: Sequence[str],
    concern: Sequence[str],
    attributes: bool,
) -> pa.Table:
    """Per strategy, product and country: offtake, new capacity and its supply over the horizon,
    with the partner attributes of the partners analysis beside them (candidates for the lead
    importer, so the lead itself has none)."""
    import pandas as pd

    from friendshore.analyses.context import Context

    assert isinstance(ctx, Context)
    frame = allocations.to_pandas()
    frame = frame[frame["country"] != ""]
    if frame.empty:
        return pa.table({"strategy": pa.array([], pa.string()), "hs6": pa.array([], pa.string()),
                         "country": pa.array([], pa.string())})  # fmt: skip
    wide = frame.pivot_table(
        index=["strategy", "hs6", "country", "role", "unit"], columns="instrument", values="quantity", aggfunc="sum",
        fill_value=0.0,
    ).reset_index()  # fmt: skip
    value = (
        frame[frame["instrument"] != "new_capacity"]
        .groupby(["strategy", "hs6", "country"])["value_kusd"]
        .sum()
    )
    wide = wide.merge(
        value.rename("supplied_value_kusd").reset_index(), how="left", on=["strategy", "hs6", "country"]
    )
    for name in ("offtake", "new_capacity", "new_supply"):
        if name not in wide.columns:
            wide[name] = 0.0
    wide = wide.rename(columns={"offtake": "offtake_total", "new_capacity": "capacity_built",
                                "new_supply": "new_supply_total"})  # fmt: skip
    wide.columns.name = None
    if attributes:
        from friendshore.metrics.parameters import Uncertainty
        from friendshore.metrics.partners import partner_candidates

        cand = partner_candidates(
            ctx.table("trade"), hs6=list(inputs.problem.products), year=year, importer=lead, exclude=concern,
            coalition=members, governance=ctx.optional("governance"), alignment=ctx.optional("alignment"),
            geography=ctx.optional("geography"), top=None, uncertainty=Uncertainty(draws=200),
        ).to_frame()  # fmt: skip
        keep = ["candidate", "rank", "score", "export_kusd", "rca", "density", "wgi_mean", "ideal_point_distance",
                "distw_km"]  # fmt: skip
        cand = cand[keep].rename(
            columns={"candidate": "country", "rank": "partner_rank", "score": "partner_score"}
        )
        wide = wide.merge(cand, how="left", on="country")
    order = {"status_quo": 0, "reshoring": 1, "friendshoring": 2, "open": 3}
    wide = (
        wide.assign(_o=wide["strategy"].map(order))
        .sort_values(["_o", "hs6", "supplied_value_kusd", "country"], ascending=[True, True, False, True])
        .drop(columns="_o")
    )
    return pa.Table.from_pandas(pd.DataFrame(wide), preserve_index=False)


def _notes(inputs: PlanInputs, outcomes: Sequence[Outcome], *, report_year: int, spec: object) -> list[str]:
    problem = inputs.problem
    notes = [
        f"disruption: supply from countries of concern ({', '.join(problem.concern_countries)}) cut by "
        f"{problem.concern_cut:.0%} from {problem.disruption_start} to {problem.disruption_end}; horizon "
        f"{problem.years[0]}-{problem.years[-1]}; indicators are for {report_year}",
        f"costs are present values in {problem.years[0]} USD at a {problem.costs.discount_rate:.1%} discount rate, "
        "relative to buying today's supply at today's prices (BACI import unit values)",
        "strategies are nested: reshoring uses the lead's own capacity, friendshoring adds the coalition partners, "
        "open any country outside the countries of concern; stockpiles are open to all three",
    ]
    notes += failure_notes(outcomes)
    sq = next((o.solution for o in outcomes if o.strategy == "status_quo" and o.solution is not None), None)
    if sq is not None and float(sq.shortfall.max()) > 0:
        notes.append("status_quo: with no action the disruption leaves demand unmet (shortfall_share)")
    return notes
