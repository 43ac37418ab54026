"""``friendshore plan``: the coalition planner (reshoring vs friend-shoring vs open, at least cost)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from friendshore.analyses import plan as plan_analysis
from friendshore.analyses.plan import StrategyChoice
from friendshore.analyses.result import Result
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    defaults_of,
    emit,
    renamed,
    settings_of,
)

__all__ = ["app"]

app = typer.Typer()

PL = defaults_of(plan_analysis.plan)
#: The tables a plan result holds besides the main one (``--table``).
TABLES = ("strategies", "allocations", "partners", "costs_by_member", "indicators", "duals", "sensitivity",
          "sensitivity_draws", "ranged_parameters", "products", "committed")  # fmt: skip


@app.command("plan")
@answers(plan_analysis.plan)
def plan_command(
    ctx: typer.Context,
    plan: Annotated[Path | None, typer.Argument()] = PL["plan"],
    example: str | None = PL["example"],
    strategy: StrategyChoice = PL["strategy"],
    draws: int = PL["draws"],
    sensitivity: Annotated[
        int | None, typer.Option("--sensitivity", hidden=True, help="Deprecated: use --draws.")
    ] = None,
    seed: int = PL["seed"],
    year: int | None = PL["year"],
    table: Annotated[str, typer.Option(help=f"Which table to show: {', '.join(TABLES)}.")] = "strategies",
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """Least-cost offtake agreements, co-investment in capacity and stockpiles that meet a coalition's
    demand when supply from countries of concern is cut, and keep its share under a target.

    One row per strategy (status_quo, reshoring, friendshoring, open) with the cost, the concern share
    and HHI before and after, and the shadow price of the binding targets. --table allocations shows
    who supplies or builds what (partners: the same with partner attributes). See
    docs/methods/planner.md for the model and the plan file format.
    """
    from friendshore.errors import UserError

    if table not in TABLES:
        raise UserError(f"unknown table '{table}' (choose from {', '.join(TABLES)})")
    draws = renamed(draws, sensitivity, new="--draws", old="--sensitivity", default=PL["draws"])
    result = plan_analysis.plan(
        settings_of(ctx), plan=plan, example=example, strategy=strategy, draws=draws, seed=seed, year=year
    )
    if table != "strategies":
        result = _detail(result, table)
    emit(result, fmt, columns=columns, with_meta=with_meta)


def _detail(result: Result, name: str) -> Result:
    from dataclasses import replace

    from friendshore.analyses.columns import describe
    from friendshore.errors import UserError

    if name not in result.tables:
        raise UserError(f"this plan has no '{name}' table (sensitivity tables need --draws N)")
    detail = result.tables[name]
    return replace(result, title=f"{result.title}: {name}", table=detail, columns=describe(detail))
