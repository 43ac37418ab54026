"""The decision part of a brief: the options (status quo, reshoring, friend-shoring, open sourcing
for the reader's own imports of its key product, ``analyses/brief_plan.py``, with their cost
intervals and what they leave unmet), the recommendation and its conditions, the bottom line, what
we do not know, and the events (the register's measures and investments) that bear on the findings.

The recommendation rule, declared once: among the options that meet the target with nothing unmet,
the one with the lowest central cost; it would change where another option's cost is below its 95th
percentile (the assumptions' range reverses the order), where the suppliers it relies on most do not
deliver, where the cut is deeper than assumed, and where the plan's countries of concern differ from
the brief's. The near-term action follows the recommended strategy (buy from the coalition under
friend-shoring, from anyone outside the concern under open sourcing).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from friendshore.analyses.brief_evidence import Evidence, Fig, Names, Statement, fig, reader_shock
from friendshore.nomenclature.labels import facility_label

__all__ = [
    "action",
    "bottom_line",
    "events_table",
    "options_table",
    "recommendation",
    "recommended",
    "scope",
    "unknowns_table",
]

#: How the plan's strategies read for people, and what each assumes beyond the plan's parameters.
STRATEGIES: Mapping[str, tuple[str, str]] = {
    "status_quo": ("Status quo", "no action: the disruption hits and nothing replaces it"),
    "reshoring": ("Reshoring", "only the reader builds new capacity"),
    "friendshoring": (
        "Friend-shoring",
        "the reader and the coalition's members that export the product build and sign offtakes",
    ),
    "open": ("Open sourcing", "any supplier outside the countries of concern sells more or builds"),
}


def _strategy(strategy_id: str) -> tuple[str, str]:
    """A strategy's name for people and what it assumes (``STRATEGIES``; another id by its words)."""
    return STRATEGIES.get(strategy_id, (strategy_id.replace("_", " "), ""))


_OPTION_SCHEMA = pa.schema(
    [
        ("strategy_id", pa.string()),
        ("strategy", pa.string()),
        ("status", pa.string()),
        ("cost_usd", pa.float64()),
        ("cost_low_usd", pa.float64()),
        ("cost_high_usd", pa.float64()),
        ("concern_share_before", pa.float64()),
        ("concern_share_after", pa.float64()),
        ("unmet_share", pa.float64()),
        ("meets_target", pa.bool_()),
        ("assumptions", pa.string()),
        ("hs6", pa.string()),
        ("year", pa.int64()),
        ("demand", pa.float64()),
        ("demand_unit", pa.string()),
        ("demand_value_kusd", pa.float64()),
        ("concern_share_basis", pa.string()),
    ]
)


def _plan_assumptions(plan: Any, concern: str) -> str:
    """The plan's parameters its own file marks as assumptions, in words."""
    ranged = plan.tables.get("ranged_parameters")
    parts = []
    if ranged is not None:
        for r in ranged.to_pylist():
            if "assumption" in str(r["source"]):
                name = str(r["parameter"]).split(".")[-1]
                parts.append(_ranged_in_words(name, r["value"], r["low"], r["high"]))
    spec = plan.parameters.get("plan_spec", {}).get("instruments", {})
    for key, words in (("max_expansion_ratio", "a supplier may grow its exports by {}"),
                       ("greenfield_share", "a partner may also build up to {} of the demand from scratch"),
                       ("lead_time_years", "plants take {} years to build")):  # fmt: skip
        if key in spec:
            value = float(spec[key])
            parts.append(words.format(f"{value:g}" if key == "lead_time_years" else _percent(value)))
    cut = plan.parameters.get("disruption", {})
    if cut.get("concern_cut") is not None:
        group = concern.startswith("the ")  # "the countries of concern" cut their supply; China cuts its
        verb, whose = ("cut", "their") if group else ("cuts", "its")
        parts.append(
            f"{concern} {verb} {_percent(float(cut['concern_cut']))} of {whose} supply from {cut['start']}"
        )
    example = str(plan.parameters.get("example") or "").replace("_", " ")
    origin = f" (from the shipped {example} example plan)" if example else ""
    return f"Assumptions{origin}, adjust them: " + "; ".join(parts) + "."


#: How a ranged plan parameter reads: its words, and whether its values are rates (printed as %).
_RANGED_WORDS = {
    "capital_intensity": ("capital cost {} USD per USD of annual output", False),
    "offtake_premium": ("offtake premium {} over the world price", True),
    "holding_cost_rate": ("stock holding cost {} of value a year", True),
    "discount_rate": ("discount rate {} a year", True),
}


def _percent(x: float) -> str:
    """A rate as the brief prints shares: ``15 %``."""
    return f"{x * 100:.0f} %"


def _ranged_in_words(name: str, value: float, low: float, high: float) -> str:
    """One ranged assumption in words, with its range: rates as percentages, other numbers plain."""
    words, rate = _RANGED_WORDS.get(name, (name.replace("_", " ") + " {}", False))

    def fmt(x: float) -> str:
        return _percent(x) if rate else f"{x:g}"

    return words.format(fmt(value)) + f" ({fmt(low)} to {fmt(high)})"


def options_table(ev: Evidence, n: Names, concern: str) -> pa.Table:
    """One row per strategy of the plan: cost (central, 5th and 95th percentile), the concern's share
    before and after, what is left unmet, whether it meets the target, and what it assumes."""
    plan = ev.get("plan")
    if plan is None:
        return pa.Table.from_pylist([], schema=_OPTION_SCHEMA)
    shared = _plan_assumptions(plan, concern)
    demand = plan.tables["demand"].to_pylist()[0]
    reader = n.owner(ev.question.reader)
    basis = (f"{reader} imports of {n.product(str(demand['hs6']))} in {demand['year']}, "
             + ("tonnes" if demand["unit"] == "t" else "value"))  # fmt: skip
    rows = []
    for r in plan.rows():
        name, assumes = _strategy(str(r["strategy"]))
        unmet = r.get("shortfall_share")
        rows.append(
            {
                "strategy_id": r["strategy"],
                "strategy": name,
                "status": r["status"],
                "cost_usd": r["total_cost_usd"],
                "cost_low_usd": r.get("cost_p05_usd"),
                "cost_high_usd": r.get("cost_p95_usd"),
                "concern_share_before": r.get("concern_share_before"),
                "concern_share_after": r.get("concern_share_after"),
                "unmet_share": unmet,
                "meets_target": r["status"] == "optimal" and (unmet or 0.0) <= 1e-9,
                "assumptions": (assumes[:1].upper() + assumes[1:] + ". " if assumes else "") + shared,
                "hs6": demand["hs6"],
                "year": demand["year"],
                "demand": demand["demand"],
                "demand_unit": demand["unit"],
                "demand_value_kusd": demand["import_value_kusd"],
                "concern_share_basis": basis,
            }
        )
    return pa.Table.from_pylist(rows, schema=_OPTION_SCHEMA)


def _plan_fig(ev: Evidence, strategy: str, column: str, name: str) -> Fig:
    return fig(ev, "plan", column, {"strategy": strategy}, name=name)


def _plan_scope(ev: Evidence, n: Names) -> str:
    """``for India's own imports of silicon metal, under 99.99 % (280469)`` (the options' demand)."""
    plan = ev.get("plan")
    if plan is None:
        return ""
    return f"for {n.owner(ev.question.reader)} own imports of {n.product(str(plan.parameters['product']))}"


def scope(ev: Evidence, n: Names, concern: str) -> Statement | None:
    """What the options are solved for: the reader's own imports of its key product (tonnes or value,
    the trade year), the concern's share of them, who the partners are, and when the share is read."""
    plan = ev.get("plan")
    if plan is None:
        return None
    d = plan.tables["demand"].to_pylist()[0]
    where = {"hs6": d["hs6"]}
    tonnes = d["unit"] == "t"
    coalition = ev.question.coalition
    cut = plan.parameters["disruption"]
    text = (
        "The options are solved for " + n.owner(ev.question.reader) + " own imports of " + n.product(str(d["hs6"]))
        + ": {demand}" + (" tonnes" if tonnes else "") + " in {year} ({value}), {share} of them from " + concern
        + (" by tonnes" if tonnes else " by value") + ". "
        + ("Friend-shoring adds the " + n.of(coalition) + " members that export the product today; " if coalition else "")
        + "open sourcing, any supplier outside " + concern + ". An option meets the target when it brings "
        + concern + " below {target} of demand from {from} with nothing left unmet; the share after, of demand "
        "with any unmet part counted, is read in {report}, with the supply from " + concern + " cut by {cut} from "
        "{start} (an assumption). Costs are present values in {first} USD over {first} to {last}."
    )  # fmt: skip
    last = plan.table.column("strategy")[-1].as_py()
    figs = (
        fig(ev, "plan", "demand", where, name="demand", table="demand", unit="count" if tonnes else "kusd"),
        fig(ev, "plan", "year", where, name="year", table="demand", unit="year"),
        fig(ev, "plan", "import_value_kusd", where, name="value", table="demand", unit="kusd"),
        fig(ev, "plan", "concern_share", where, name="share", table="demand", unit="share",
            basis=n.owner(ev.question.reader) + " imports of the product, " + ("tonnes" if tonnes else "value")),
        fig(ev, "plan", "target_concern_share", {"strategy": last}, name="target"),
        fig(ev, "plan", "target_from", {"strategy": last}, name="from", unit="year"),
        Fig("report", plan.parameters["report_year"], "year", "plan", "report_year", {}, None, None),
        Fig("cut", cut["concern_cut"], "share", "plan", "disruption.concern_cut", {}, None, None,
            "the plan file's assumption"),
        Fig("start", cut["start"], "year", "plan", "disruption.start", {}, None, None),
        Fig("first", plan.parameters["horizon"][0], "year", "plan", "horizon", {}, None, None),
        Fig("last", plan.parameters["horizon"][-1], "year", "plan", "horizon", {}, None, None),
    )  # fmt: skip
    return Statement("scope", "scope", text, figs)


def recommendation(ev: Evidence, n: Names, options: pa.Table, concern: str) -> list[Statement]:
    """The recommendation (the rule of the module docstring) and the conditions that would change it;
    where no option meets the target, that is said instead."""
    rows = options.to_pylist()
    meeting = _meeting(options)
    plan = ev.get("plan")
    if plan is None or not rows:
        return []
    target_of = rows[-1]["strategy_id"]
    target = fig(ev, "plan", "target_concern_share", {"strategy": target_of}, name="target")
    year = fig(ev, "plan", "target_from", {"strategy": target_of}, name="from", unit="year")
    if not meeting:
        product = n.product(str(plan.parameters["product"]))
        return [Statement(
            "recommendation", "recommendation",
            "No option brings " + concern + " below {target} of " + n.owner(ev.question.reader) + " demand for " + product
            + " from {from} with nothing left unmet under the plan file's assumptions: loosen the target or widen "
            "who may supply, and solve again.",
            (target, year),
        )]  # fmt: skip
    best = meeting[0]
    sid = best["strategy_id"]
    out = [
        Statement(
            "recommendation",
            "recommendation",
            "Choose " + best["strategy"].lower() + " " + _plan_scope(ev, n) + ": of the options that bring "
            + concern + " below {target} of " + n.owner(ev.question.reader) + " demand from {from} with nothing left unmet, it "
            "costs least, {cost} in present value ({lo} to {hi} across the assumptions' ranges).",
            (target, year, _plan_fig(ev, sid, "total_cost_usd", "cost"), _plan_fig(ev, sid, "cost_p05_usd", "lo"),
             _plan_fig(ev, sid, "cost_p95_usd", "hi")),
        )
    ]  # fmt: skip
    conditions: list[str] = []
    figs: list[Fig] = []
    for other in meeting[1:2]:
        if best["cost_high_usd"] is not None and other["cost_usd"] < best["cost_high_usd"]:
            conditions.append(
                f"if costs run to the high end of the assumptions (then {other['strategy'].lower()}, at "
                "{other}, is the cheaper choice)"
            )
            figs.append(_plan_fig(ev, other["strategy_id"], "total_cost_usd", "other"))
    mine = _relied_on(ev, sid)
    if mine:
        conditions.append(
            "if " + " and ".join(n.say(c) for c in mine) + ", on whose supply it relies most, do not deliver"
        )
    cut = plan.parameters.get("disruption", {}).get("concern_cut")
    if cut is not None:
        conditions.append(
            f"if the cut is deeper than the plan file's {float(cut):.0%} (solve the plan again)"
        )
    plan_concern = plan.parameters.get("concern", {})
    if set(plan_concern.get("members", [])) != set(_members(ev)) - {ev.question.reader}:
        conditions.append(
            "the plan sets its own countries of concern ("
            + ", ".join(n.of(m) for m in plan_concern["members"])
            + "), which differ from this brief's"
        )
    if conditions:
        out.append(
            Statement(
                "conditions",
                "conditions",
                "This would change "
                + "; ".join(conditions[:-1])
                + ("; and " if len(conditions) > 1 else "")
                + conditions[-1]
                + ".",
                tuple(figs),
            )
        )
    return out


def _members(ev: Evidence) -> list[str]:
    dep = ev.get("exposure")
    return list(dep.parameters["concern"]["members"]) if dep is not None else []


def _cover(ev: Evidence, hs6: str) -> dict[str, Any] | None:
    res = ev.get("reshoring")
    rows = [r for r in res.rows() if r["hs6"] == hs6] if res is not None else []
    return rows[0] if rows else None


def _relied_on(ev: Evidence, strategy: str | None, most: int = 2) -> list[str]:
    """The suppliers other than the reader that the plan's ``strategy`` takes most from (by value)."""
    plan = ev.get("plan")
    partners = plan.tables.get("partners") if plan is not None and strategy else None
    if partners is None:
        return []
    rows = sorted((r for r in partners.to_pylist() if r["strategy"] == strategy and r["supplied_value_kusd"]
                   and r["country"] != ev.question.reader), key=lambda r: -r["supplied_value_kusd"])  # fmt: skip
    return [str(r["country"]) for r in rows[:most]]


def _meeting(options: pa.Table) -> list[dict[str, Any]]:
    """The options that meet the target, cheapest first (a tie to the earlier strategy id)."""
    return sorted((r for r in options.to_pylist() if r["meets_target"] and r["cost_usd"] is not None),
                  key=lambda r: (r["cost_usd"], r["strategy_id"]))  # fmt: skip


def recommended(options: pa.Table) -> str | None:
    """The strategy the recommendation rule picks (the cheapest that meets the target), if any."""
    meeting = _meeting(options)
    return str(meeting[0]["strategy_id"]) if meeting else None


def action(
    ev: Evidence, n: Names, hs6: str | None, concern: str, strategy: str | None = None
) -> Statement | None:
    """What the reader can do for its key product now, from today's exports of others: under the
    recommended ``strategy`` (friend-shoring: buy from the coalition; open sourcing: from anyone outside
    the concern; reshoring: build at home); with no recommendation, buy from the coalition when it covers
    at least as much as the others, else from the others."""
    row = _cover(ev, hs6) if hs6 else None
    if row is None or hs6 is None:
        return None
    where = {"hs6": hs6}
    coalition = ev.question.coalition
    cand = ev.get("partners")
    members = [r for r in cand.rows() if r.get("in_coalition")] if cand is not None else []
    best = min(members, key=lambda r: r["rank"]) if members else None
    to_coalition = coalition and row["coalition_share"] and (
        strategy == "friendshoring" or (strategy is None and row["coalition_share"] >= (row["others_share"] or 0.0))
    )  # fmt: skip
    figs: list[Fig]
    if strategy == "reshoring" and row["home_share"] is not None:
        text = ("Build capacity at home for " + n.product(hs6) + ": today " + n.owner(ev.question.reader)
                + " own exports could replace {share} of its imports from " + concern)  # fmt: skip
        figs = [fig(ev, "reshoring", "home_share", where, name="share")]
    elif to_coalition:
        text = ("Shift purchases of " + n.product(hs6) + " to " + n.of(coalition) + " members, whose current "
                "exports to others could replace {share} of the imports from " + concern)  # fmt: skip
        figs = [fig(ev, "reshoring", "coalition_share", where, name="share")]
    elif row["others_share"] or row["coalition_share"]:
        relied = _relied_on(ev, strategy)
        text = ("Diversify purchases of " + n.product(hs6) + " to suppliers outside " + concern
                + (", first " + " and ".join(n.say(c) for c in relied) + " (on whom the plan relies most)" if relied
                   else ""))  # fmt: skip
        if coalition and row["coalition_share"]:
            text += ("; " + n.of(coalition) + " members' current exports to others alone could replace {members} of "
                     "the imports from " + concern)  # fmt: skip
            figs = [fig(ev, "reshoring", "coalition_share", where, name="members")]
        else:
            text += "; current exports of others could replace {others} of the imports from " + concern
            figs = [fig(ev, "reshoring", "others_share", where, name="others")]
    else:
        text = "No one's current exports could replace the imports of " + n.product(hs6) + " from " + concern
        figs = []
    if best is not None and text.startswith("Shift"):
        text += "; the best placed member is " + n.say(best["candidate"]) + " (rank {rank} of {n} candidates)"
        where_c = {"candidate": best["candidate"]}
        figs += [
            fig(ev, "partners", "rank", where_c, name="rank"),
            fig(ev, "partners", "n_candidates", where_c, name="n"),
        ]
    return Statement("action", "action", text + ".", tuple(figs))


def bottom_line(ev: Evidence, n: Names, findings: list[Statement], rec: list[Statement],
                concern: str, act: Statement | None = None, strategy: str | None = None) -> list[Statement]:  # fmt: skip
    """Two or three plain sentences: what is at stake, how bad, what to do (``strategy``: the
    recommended one, ``recommended``)."""
    out: list[Statement] = []
    reader = n.say(ev.question.reader)
    first = next((s for s in findings if s.kind == "exposure"), None)
    if first is None or not first.product:
        return out
    figs = {f.name: f for f in first.figs}
    out.append(
        Statement(
            "stake",
            "bottom-line",
            "At stake: "
            + reader
            + " buys {share} of its "
            + n.product(first.product)
            + " from "
            + concern
            + " ({total} in {year}, by value).",
            (figs["share"], figs["total"], figs["year"]),
        )
    )
    shock = reader_shock(ev)
    if shock is not None and shock["hs6"] == first.product:
        where = {"hs6": first.product}
        mine = {"hs6": first.product, "importer": ev.question.reader}
        out.append(
            Statement(
                "bad",
                "bottom-line",
                "How bad: if "
                + concern
                + " cut every importer off, {wunmet} of the world's {wrisk} of imports "
                "at risk would go unmet and "
                + n.say(ev.question.reader)
                + " would be {unmet} short, its price up "
                "{price} (partial equilibrium on {year} trade).",
                (
                    fig(ev, "shock", "unmet_kusd", where, name="wunmet"),
                    fig(ev, "shock", "value_at_risk_kusd", where, name="wrisk"),
                    fig(ev, "shock", "unmet_kusd", mine, name="unmet", table="importers"),
                    fig(ev, "shock", "price_change_pct", mine, name="price", table="importers"),
                    fig(ev, "shock", "year", where, name="year", unit="year"),
                ),
            )
        )
    parts: list[str] = []
    figs_do: list[Fig] = []
    if rec and strategy is not None:
        best = _strategy(strategy)[0].lower()
        parts.append("choose " + best + " for " + n.product(first.product) + ", the cheapest option that brings "
                     + concern + " below {target} of " + n.owner(ev.question.reader) + " demand from {from} "
                     "at {cost} in present value ({lo} to {hi} under the plan file's assumptions)")  # fmt: skip
        figs_do += [f for f in rec[0].figs if f.name in ("target", "from", "cost", "lo", "hi")]
    if act is not None:
        said = act.template.replace(" of " + n.product(first.product), "", 1) if parts else act.template
        parts.append(("now, " if parts else "") + said[0].lower() + said[1:-1])
        figs_do += [f for f in act.figs if f.name not in {g.name for g in figs_do}]
    if parts:
        out.append(Statement("do", "bottom-line", "What to do: " + "; ".join(parts) + ".", tuple(figs_do)))
    return out


def unknowns_table(ev: Evidence, n: Names) -> pa.Table:
    """What we do not know: analyses that could not answer, coverage notes, unverified register
    entries, the data years that differ from the trade year, and the assumptions behind the costs."""
    rows: list[dict[str, str]] = []
    for key, text in ev.gaps.items():
        rows.append({"kind": "not available", "what": f"{key.replace('_', ' ')}: {text}"})
    for result in ev.results.values():
        for note in result.notes:
            if any(w in note for w in ("not loaded", "coverage", "no trade rows", "missing")):
                # a note on what is not loaded names its own subject; another needs the analysis's title
                what = note if "not loaded" in note else f"{result.title}: {note}"
                rows.append({"kind": "coverage", "what": what})
    for key in ("measures", "measures_by", *(k for k in ev.results if k.startswith("investments_"))):
        res = ev.get(key)
        if res is None or "verified" not in res.table.column_names:
            continue
        for r in res.rows():
            if not r["verified"]:
                what = r.get("title") or f"{r.get('company')}, {r.get('site') or r.get('country')}"
                rows.append({"kind": "unverified", "what": f"register entry not confirmed: {what}"})
    risk = ev.get("risk")
    if risk is not None:
        years = sorted({int(r["production_year"]) for r in risk.rows() if r.get("production_year")})
        if years:
            rows.append({"kind": "vintage", "what": "mineral production is from USGS and BGS, "
                         f"{years[0]} to {years[-1]}, not the trade year"})  # fmt: skip
    plan = ev.get("plan")
    if plan is not None:
        rows.append({"kind": "assumption", "what": "the options cover " + n.owner(ev.question.reader) + " own imports "
                     "of " + n.product(str(plan.parameters["product"])) + " only: partners' own needs compete for "
                     "the same exports and are not counted"})  # fmt: skip
        rows.append({"kind": "assumption", "what": "the options' costs rest on the plan file's assumptions "
                     "(capital cost, offtake premium, holding cost, discount rate): adjust them in plan.toml"})  # fmt: skip
    rows = list({(r["kind"], r["what"]): r for r in rows}.values())
    return pa.Table.from_pylist(rows, schema=pa.schema([("kind", pa.string()), ("what", pa.string())]))


def events_table(ev: Evidence, n: Names) -> pa.Table:
    """The register's measures that act on the reader or that it takes, then its investments in the
    reader and the partner, each with its date and source, newest first within each."""
    rows: list[dict[str, Any]] = []
    for key in ("measures", "measures_by"):
        res = ev.get(key)
        for r in res.rows() if res is not None else []:
            when = r.get("effective") or r.get("announced")
            rows.append({"date": when, "who": n.of(r["who"]), "what": str(r["title"]),
                         "kind": "measure", "products": r.get("products"), "verified": r["verified"],
                         "source": str(r["source"])})  # fmt: skip
    for key in (k for k in ev.results if k.startswith("investments_")):
        for r in ev.results[key].rows():
            when = r.get("operation_start") or r.get("announced")
            kind = facility_label(str(r["facility"]))
            what = f"{r['company']}: {kind} in {r.get('site') or n.of(r['country'])}"
            rows.append({"date": when, "who": n.of(r["country"]), "what": what, "kind": "investment",
                         "products": r.get("products"), "verified": r["verified"], "source": str(r["source"])})  # fmt: skip
    rows = list({(r["what"], str(r["date"])): r for r in rows}.values())
    rows.sort(key=lambda r: (str(r["date"] or ""), r["what"]), reverse=True)
    rows.sort(key=lambda r: r["kind"] != "measure")  # measures first (stable: each part newest first)
    schema = pa.schema([("date", pa.date32()), ("who", pa.string()), ("what", pa.string()), ("kind", pa.string()),
                        ("products", pa.string()), ("verified", pa.bool_()), ("source", pa.string())])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)
