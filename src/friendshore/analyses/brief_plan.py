"""The options of a brief, re-solved for its reader: status quo, reshoring, friend-shoring and open
sourcing for the reader's own imports of its key product, against the reader's countries of concern.

``reader_plan(settings, for_="IND", product="280469", concern="CHN", coalition="pax-silica")`` takes
a shipped plan file (``example``, default ``magnets``) for its labelled assumptions only (costs,
horizon, disruption, targets: "assumption, adjust it"), re-aims it at the reader with
``planning.from_trade`` (demand: the reader's imports of the product in the trade year; what a
supplier could redirect: its current exports to others; partners: the coalition's members that
export the product) and solves it with the planner's public API. One ``Result``: one row per
strategy (cost with its 5 to 95 % range over ``draws``, the concern's share before and after, what
is left unmet), the demand and its base in ``tables["demand"]``, and the plan file itself as text
(``parameters["plan_toml"]``) so a reader can change the assumptions and run ``friendshore plan``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.docs import documented
from friendshore.analyses.plan import (
    STRATEGY_COLUMNS,
    failure_notes,
    join_sensitivity,
    problem_terms,
    ranged_parameters,
    require_draws,
    strategy_results,
)
from friendshore.analyses.result import Column, Result
from friendshore.errors import UserError
from friendshore.settings import Settings

__all__ = ["DEMAND_COLUMNS", "reader_plan"]

_KEYS = ["strategy", "status", "total_cost_usd", "cost_p05_usd", "cost_p95_usd", "concern_share_before",
         "concern_share_after", "target_concern_share", "shortfall_share"]  # fmt: skip
_COLUMNS = [c for c in STRATEGY_COLUMNS if c.name in {*_KEYS, "target_from"}]

#: The demand the options are solved for, with its base.
DEMAND_COLUMNS = (
    Column("hs6", "HS6", "code", True),
    Column("year", "trade year", "year", True),
    Column("demand", "demand", "number", True, description="the reader's imports of the product, in 'unit'"),
    Column("unit", "unit", "text", True, description="t: tonnes; kusd: thousand USD at trade-year prices"),
    Column("from_concern", "from the concern", "number", True),
    Column("concern_share", "concern share", "share", True,
           basis="the reader's imports of the product, in the plan's unit (tonnes or value)"),
    Column("import_value_kusd", "imports, value", "kusd", True),
    Column("quantity_coverage", "share of trade value with a quantity", "share"),
)  # fmt: skip


def _members(ctx: Any, code: str, *, year: int, members_at: date | None) -> list[str]:
    return sorted(ctx.who(code, year=year, members_at=members_at).members)


@documented(year="trade_year")
def reader_plan(
    settings: Settings,
    *,
    for_: str,
    product: str,
    concern: str,
    coalition: str | None = None,
    members_at: date | None = None,
    year: int | None = None,
    example: str = "magnets",
    draws: int = 0,
    seed: int = 0,
) -> Result:
    """The reader's options for its own imports of ``product`` (see the module docstring).

    Parameters
    ----------
    for_
        The reader: an ISO3 code or a group (its members' imports together).
    product
        HS6 code of the product planned for.
    concern
        The country or group to reduce dependence on.
    coalition
        A group whose members that export the product are partners under friend-shoring.
    members_at
        Resolve groups at this date (default: the base plan's date).
    year
    example
        Shipped plan file whose assumptions (costs, horizon, disruption, targets) are used.
    draws
        Monte Carlo draws of the cost parameters within their ranges (the cost intervals).
    seed
        Seed of the draws.
    """
    from friendshore.planning.compare import compare_strategies, sensitivity
    from friendshore.planning.from_trade import plan_toml, reader_problem, reader_spec
    from friendshore.planning.plan_file import example_path, load_plan
    from friendshore.planning.problem import ROLE_PARTNER, STRATEGIES
    from friendshore.register.query import committed_capacity

    require_draws(draws)
    if not (len(product) == 6 and product.isdigit()):
        raise UserError(f"product must be an HS6 code (6 digits), got {product!r}")
    base = load_plan(example_path(example))
    ctx = open_context(settings)
    year = ctx.check_year(year)
    when = members_at or base.coalition.members_at
    reader = _members(ctx, for_, year=year, members_at=when)
    concern_members = sorted(set(_members(ctx, concern, year=year, members_at=when)) - set(reader))
    partners = _members(ctx, coalition, year=year, members_at=when) if coalition else []
    spec = reader_spec(base, reader=reader, product=product, concern=concern_members, year=year)
    records, register_notes = committed_capacity([product], home=settings.home)
    inputs = reader_problem(ctx.table("trade"), ctx.optional("gdp"), spec, year=year, partners=partners,
                            committed=[*spec.committed_records(), *records])  # fmt: skip
    problem = inputs.problem
    marked = sorted(c for c, r in zip(problem.countries, problem.role, strict=True) if r == ROLE_PARTNER)
    outcomes = compare_strategies(problem, STRATEGIES)
    report_year, main, tables = strategy_results(spec, problem, outcomes)
    notes = [*inputs.notes, *register_notes]
    notes += failure_notes(outcomes)
    if draws > 0:
        ranges = [(r.key, r.low, r.high) for r in inputs.ranged]
        summary, _drawn = sensitivity(problem, inputs.costs_for, ranges, draws=draws, seed=seed,
                                      strategies=STRATEGIES)  # fmt: skip
        main = join_sensitivity(main, summary, ("cost_p05_usd", "cost_p95_usd"))
    tables["ranged_parameters"] = ranged_parameters(inputs)
    demand = inputs.products.append_column("year", pa.array([year] * inputs.products.num_rows, pa.int64()))
    tables["demand"] = demand.select([c.name for c in DEMAND_COLUMNS])
    tables["partners"] = _partners(ctx, tables["allocations"], product=product, year=year, partners=partners)
    parameters = {
        "for": for_,
        "reader": reader,
        "product": product,
        "products": [product],
        "year": year,
        "example": example,
        "draws": draws,
        "seed": seed,
        "coalition": {"label": coalition, "members": sorted(set(partners) | set(reader)),
                      "partners": marked, "lead": reader,
                      "as_of": when.isoformat() if when else None},
        "concern": {"label": concern, "members": list(problem.concern_countries)},
        **problem_terms(problem, report_year),
        "plan_spec": spec.model_dump(mode="json", by_alias=True),
        "plan_toml": plan_toml(spec),
    }  # fmt: skip
    return Result(
        "reader-plan",
        f"Options for {', '.join(reader)}'s own imports of {product}, trade {year} (assumptions of plan "
        f"'{example}')",
        main,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(main, key=_KEYS, extra=_COLUMNS),
        tables,
        (f"plan file (assumptions): {example_path(example)}",),
    )


_PARTNER_SCHEMA = pa.schema(
    [("strategy", pa.string()), ("hs6", pa.string()), ("country", pa.string()), ("role", pa.string()),
     ("supplied_value_kusd", pa.float64()), ("capacity_built", pa.float64()), ("export_kusd", pa.float64()),
     ("in_coalition", pa.bool_())]
)  # fmt: skip


def _partners(ctx: Any, allocations: pa.Table, *, product: str, year: int, partners: list[str]) -> pa.Table:
    """Per strategy and country: the value it supplies over the plan (offtake and new supply), the
    capacity it builds, and its exports of the product to everyone in the trade year (value)."""
    trade = ctx.table("trade")
    t = trade.filter((trade.year == year) & (trade.hs6 == product))
    exports = {r["exporter"]: float(r["v"]) for r in
               t.group_by("exporter").aggregate(v=t.value_kusd.sum()).to_pyarrow().to_pylist()}  # fmt: skip
    rows: dict[tuple[str, str], dict[str, Any]] = {}
    for r in allocations.to_pylist():
        if not r["country"]:
            continue
        row = rows.setdefault((r["strategy"], r["country"]), {
            "strategy": r["strategy"], "hs6": r["hs6"], "country": r["country"], "role": r["role"],
            "supplied_value_kusd": 0.0, "capacity_built": 0.0, "export_kusd": exports.get(r["country"]),
            "in_coalition": r["country"] in partners})  # fmt: skip
        if r["instrument"] == "new_capacity":
            row["capacity_built"] += float(r["quantity"])
        else:
            row["supplied_value_kusd"] += float(r["value_kusd"])
    order = {"status_quo": 0, "reshoring": 1, "friendshoring": 2, "open": 3}
    out = sorted(
        rows.values(), key=lambda r: (order.get(r["strategy"], 9), -r["supplied_value_kusd"], r["country"])
    )
    return pa.Table.from_pylist(out, schema=_PARTNER_SCHEMA)
