"""A plan for one reader's own imports of one product, built from trade data.

The shipped plan files plan for a coalition: demand is the members' imports from outside it. A brief
plans for its reader instead (``reader_spec`` and ``reader_problem``):

- demand: the reader's own imports of the product in the trade year, from every supplier (BACI);
  of which from the countries of concern: the reader's imports from them;
- partners: the coalition's members (other than the reader) that export the product today; under
  friend-shoring they may sign offtakes and build, but their own imports are not demand;
- what a supplier could redirect: its current exports to destinations other than the reader (the
  same year of BACI); its output: its exports to everyone (domestic use is not seen in trade);
- countries of concern: the reader's, not the base plan file's;
- everything else (horizon, discount rate, disruption, targets, costs, lead times, expansion limits)
  is the base plan file's, unchanged: those are its labelled assumptions ("assumption, adjust it").
  Per-product overrides of the base file do not carry over to another product; the reader pays the
  whole cost (no burden sharing among members).

A partner that does not export the product today is not a candidate supplier: the planner would
otherwise let it build from nothing (the greenfield allowance) at the same assumed cost as anyone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import numpy as np

from friendshore.planning.data import PlanInputs, plan_problem
from friendshore.planning.plan_file import PlanSpec
from friendshore.planning.problem import ROLE_OTHER, ROLE_PARTNER, CommittedCapacity

if TYPE_CHECKING:
    import ibis.expr.types as ir

__all__ = ["plan_toml", "reader_problem", "reader_spec"]


def reader_spec(
    base: PlanSpec,
    *,
    reader: Sequence[str],
    product: str,
    concern: Sequence[str],
    year: int,
    title: str = "",
) -> PlanSpec:
    """``base`` re-aimed at ``reader``'s own imports of ``product`` in ``year``, with the reader's
    countries of concern (ISO3); every other parameter is the base file's."""
    raw: dict[str, Any] = base.model_dump(mode="python", by_alias=True)
    who = sorted({r.upper() for r in reader})
    raw["name"] = f"{base.name or 'plan'} for {', '.join(who)}, {product}"
    raw["title"] = title or f"{', '.join(who)}: own imports of {product}, trade {year}"
    raw["description"] = (
        f"Derived from the plan file '{base.name}': demand is {', '.join(who)}'s own imports of {product} "
        f"in {year}; the countries of concern are the reader's; every other parameter is the base file's."
    )
    raw["coalition"] = {
        "members": who,
        "members_at": base.coalition.members_at,
        "lead": who,
        "concern": sorted({c.upper() for c in concern}),
        "include_intra": False,
    }
    raw["products"] = {**raw["products"], "codes": [product], "year": year}
    raw["instruments"]["product"] = {}
    raw["burden"] = {"band": None, "gdp_year": None, "budgets_musd": {}}
    out = {c.upper() for c in concern}
    raw["committed"] = [
        c for c in raw["committed"] if c["hs6"] == product and c["country"].upper() not in out
    ]
    return PlanSpec.model_validate(raw)


def reader_problem(
    trade: ir.Table,
    gdp: ir.Table | None,
    spec: PlanSpec,
    *,
    year: int,
    partners: Sequence[str],
    committed: Sequence[CommittedCapacity] = (),
) -> PlanInputs:
    """The problem of a ``reader_spec`` plan: ``plan_problem`` with the reader as the only member
    (so demand is its own imports and a supplier's capacity to redirect is its exports to others),
    then the ``partners`` that export the product marked as partners (friend-shoring may use them)."""
    members = spec.coalition.members
    assert isinstance(members, list)
    concern = spec.coalition.concern
    inputs = plan_problem(
        trade,
        gdp,
        spec,
        year=year,
        members=members,
        concern=[concern] if isinstance(concern, str) else concern,
        committed=committed,
    )
    problem = inputs.problem
    mark = {p.upper() for p in partners} - set(members)
    role = np.array(
        [ROLE_PARTNER if r == ROLE_OTHER and c in mark else r for c, r in zip(problem.countries, problem.role,
                                                                             strict=True)],
        dtype=np.int8,
    )  # fmt: skip
    return replace(inputs, problem=replace(problem, role=role))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = [f"{_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
        return "{ " + ", ".join(items) + " }" if items else "{}"
    raise TypeError(f"no TOML form for {type(value).__name__}")


def _key(name: str) -> str:
    return name if name.replace("_", "").replace("-", "").isalnum() else _toml_value(name)


def plan_toml(spec: PlanSpec) -> str:
    """``spec`` as plan-file text (TOML) that ``load_plan_text`` reads back to the same spec: the
    file a reader edits to change the assumptions and re-solves with ``friendshore plan FILE``."""
    raw: dict[str, Any] = spec.model_dump(mode="python", by_alias=True, exclude_none=True)
    lines = ["# A plan derived for one reader by friendshore (planning/from_trade.py); the parameters",
             '# marked "assumption, adjust it" are assumptions: change them and run `friendshore plan FILE`.']  # fmt: skip
    tables = []
    for key, value in raw.items():
        if isinstance(value, dict):
            tables.append((key, value))
        elif key == "committed":
            continue
        else:
            lines.append(f"{_key(key)} = {_toml_value(value)}")
    for key, value in tables:
        lines += ["", f"[{_key(key)}]"]
        lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in value.items() if v is not None]
    for record in raw.get("committed", []):
        lines += ["", "[[committed]]"]
        lines += [f"{_key(k)} = {_toml_value(v)}" for k, v in record.items() if v is not None]
    return "\n".join(lines) + "\n"
