"""The decision part of a brief: the options (the coalition plan's strategies with their cost
intervals and what they leave unmet), the recommendation and its conditions, the bottom line, what
we do not know, and the events (the register's measures and investments) that bear on the findings.

The recommendation rule, declared once: among the options that meet the plan's target with nothing
unmet, the one with the lowest central cost; it would change where another option's cost is below
its 95th percentile (the assumptions' range reverses the order), where the partners it relies on do
not build, and where the plan's countries of concern differ from the brief's.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from friendshore.analyses.brief_evidence import Evidence, Fig, Names, Statement, fig, reader_shock

__all__ = ["action", "bottom_line", "events_table", "options_table", "recommendation", "unknowns_table"]

#: How the plan's strategies read for people, and what each assumes beyond the plan's parameters.
STRATEGIES: Mapping[str, tuple[str, str]] = {
    "status_quo": ("Status quo", "no action: the plan's disruption hits and nothing replaces it"),
    "reshoring": ("Reshoring", "only the lead country builds new capacity"),
    "friendshoring": ("Friend-shoring", "coalition members build and sign offtakes"),
    "open": ("Open sourcing", "any supplier outside the countries of concern builds or sells"),
}

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
    ]
)


def _plan_assumptions(plan: Any) -> str:
    """The plan's parameters its own file marks as assumptions, in words."""
    ranged = plan.tables.get("ranged_parameters")
    parts = []
    if ranged is not None:
        for r in ranged.to_pylist():
            if "assumption" in str(r["source"]):
                name = str(r["parameter"]).split(".")[-1].replace("_", " ")
                parts.append(f"{name} {r['value']:g} ({r['low']:g} to {r['high']:g})")
    spec = plan.parameters.get("plan_spec", {}).get("instruments", {})
    for key, words in (("greenfield_share", "a member with no exports may build up to {:.0%} of demand"),
                       ("max_expansion_ratio", "a supplier may grow its exports by {:.0%}"),
                       ("lead_time_years", "plants take {:g} years to build")):  # fmt: skip
        if key in spec:
            parts.append(words.format(float(spec[key])))
    return "Assumptions of the plan file, adjust them: " + "; ".join(parts) + "."


def options_table(ev: Evidence, n: Names) -> pa.Table:
    """One row per strategy of the plan: cost (central, 5th and 95th percentile), the concern's share
    before and after, what is left unmet, whether it meets the target, and what it assumes."""
    plan = ev.get("plan")
    if plan is None:
        return pa.Table.from_pylist([], schema=_OPTION_SCHEMA)
    shared = _plan_assumptions(plan)
    rows = []
    for r in plan.rows():
        name, assumes = STRATEGIES.get(str(r["strategy"]), (str(r["strategy"]).replace("_", " "), ""))
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
            }
        )
    return pa.Table.from_pylist(rows, schema=_OPTION_SCHEMA)


def _plan_fig(ev: Evidence, strategy: str, column: str, name: str) -> Fig:
    return fig(ev, "plan", column, {"strategy": strategy}, name=name)


def _plan_scope(ev: Evidence, n: Names) -> str:
    """``for Permanent magnets (850511), in Pax Silica's plan`` (the plan's products and coalition)."""
    plan = ev.get("plan")
    if plan is None:
        return ""
    products = ", ".join(n.product(str(h)) for h in plan.parameters.get("products", []))
    coalition = plan.parameters.get("coalition", {}).get("label")
    return f"for {products}, in the coalition plan of {n.of(coalition)}" if coalition else f"for {products}"


def recommendation(ev: Evidence, n: Names, options: pa.Table, concern: str) -> list[Statement]:
    """The recommendation (the rule of the module docstring) and the conditions that would change it."""
    rows = options.to_pylist()
    meeting = sorted((r for r in rows if r["meets_target"] and r["cost_usd"] is not None),
                     key=lambda r: (r["cost_usd"], r["strategy_id"]))  # fmt: skip
    plan = ev.get("plan")
    if plan is None or not meeting:
        return []
    best = meeting[0]
    sid = best["strategy_id"]
    target = fig(ev, "plan", "target_concern_share", {"strategy": sid}, name="target")
    year = fig(ev, "plan", "target_from", {"strategy": sid}, name="from", unit="year")
    out = [
        Statement(
            "recommendation",
            "recommendation",
            "Choose "
            + best["strategy"].lower()
            + " "
            + _plan_scope(ev, n)
            + ": of the options that bring the "
            "plan's countries of concern below {target} of supply from {from} with nothing left unmet, it costs "
            "least, {cost} in present value ({lo} to {hi} across the assumptions' ranges).",
            (
                target,
                year,
                _plan_fig(ev, sid, "total_cost_usd", "cost"),
                _plan_fig(ev, sid, "cost_p05_usd", "lo"),
                _plan_fig(ev, sid, "cost_p95_usd", "hi"),
            ),
        )
    ]
    conditions: list[str] = []
    figs: list[Fig] = []
    for other in meeting[1:2]:
        if best["cost_high_usd"] is not None and other["cost_usd"] < best["cost_high_usd"]:
            conditions.append(
                f"if costs run to the high end of the assumptions, {other['strategy'].lower()} "
                "({other}) becomes the cheaper choice"
            )
            figs.append(_plan_fig(ev, other["strategy_id"], "total_cost_usd", "other"))
    partners = plan.tables.get("partners")
    if partners is not None and sid != "reshoring":
        mine = sorted((r for r in partners.to_pylist() if r["strategy"] == sid and r["supplied_value_kusd"]),
                      key=lambda r: -r["supplied_value_kusd"])[:2]  # fmt: skip
        if mine:
            conditions.append(
                "if "
                + " and ".join(n.say(r["country"]) for r in mine)
                + ", on whom it relies most, do not build"
            )
    cut = plan.parameters.get("disruption", {}).get("concern_cut")
    if cut is not None:
        conditions.append(
            f"if the cut is deeper than the plan file's {float(cut):.0%} (solve the plan again)"
        )
    plan_concern = plan.parameters.get("concern", {})
    if set(plan_concern.get("members", [])) != set(_members(ev)):
        conditions.append(
            "the plan file sets its own countries of concern ("
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


def action(ev: Evidence, n: Names, hs6: str | None, concern: str) -> Statement | None:
    """What the reader can do for its key product now, by the declared rule: where today's exports of
    others could replace the imports from the concern, buy from the coalition when it covers at least as
    much as the others, else from the others; where nothing covers it, build (the plan)."""
    row = _cover(ev, hs6) if hs6 else None
    if row is None or hs6 is None:
        return None
    where = {"hs6": hs6}
    coalition = ev.question.coalition
    cand = ev.get("partners")
    members = [r for r in cand.rows() if r.get("in_coalition")] if cand is not None else []
    best = min(members, key=lambda r: r["rank"]) if members else None
    if coalition and row["coalition_share"] and row["coalition_share"] >= (row["others_share"] or 0.0):
        text = ("Shift purchases of " + n.product(hs6) + " to " + n.of(coalition) + " members, whose current "
                "exports to others could replace {share} of the imports from " + concern)  # fmt: skip
        figs = [fig(ev, "reshoring", "coalition_share", where, name="share")]
    elif row["others_share"]:
        text = ("Diversify purchases of " + n.product(hs6) + " to suppliers outside " + concern + ", whose "
                "current exports to others could replace {share} of the imports from it")  # fmt: skip
        figs = [fig(ev, "reshoring", "others_share", where, name="share")]
    else:
        text = "No one's current exports could replace the imports of " + n.product(hs6) + " from " + concern
        figs = []
    if best is not None and text[0] == "S":
        text += "; the best placed member is " + n.say(best["candidate"]) + " (rank {rank} of {n} candidates)"
        where_c = {"candidate": best["candidate"]}
        figs += [
            fig(ev, "partners", "rank", where_c, name="rank"),
            fig(ev, "partners", "n_candidates", where_c, name="n"),
        ]
    return Statement("action", "action", text + ".", tuple(figs))


def bottom_line(ev: Evidence, n: Names, findings: list[Statement], rec: list[Statement],
                concern: str) -> list[Statement]:  # fmt: skip
    """Two or three plain sentences: what is at stake, how bad, what to do."""
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
            + " ({total} in {year}).",
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
    act = action(ev, n, first.product, concern)
    parts: list[str] = []
    figs_do: list[Fig] = []
    if act is not None:
        parts.append(act.template[0].lower() + act.template[1:-1])
        figs_do += act.figs
    if rec:
        plan = ev.get("plan")
        best = rec[0].template.removeprefix("Choose ").split(" for ")[0]
        coalition = plan.parameters.get("coalition", {}).get("label") if plan is not None else None
        products = ", ".join(n.product(str(h)) for h in plan.parameters.get("products", [])) if plan else ""
        parts.append(
            "back " + best + " in the coalition plan" + (f" of {n.of(coalition)}" if coalition else "") + " for "
            + products + ", its cheapest option that meets the plan's target ({cost}; {lo} to {hi} under its "
            "assumptions)"
        )  # fmt: skip
        figs_do += [f for f in rec[0].figs if f.name in ("cost", "lo", "hi")]
    if parts:
        out.append(
            Statement("do", "bottom-line", "What to do: " + "; and ".join(parts) + ".", tuple(figs_do))
        )
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
                rows.append({"kind": "coverage", "what": f"{result.title}: {note}"})
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
    if ev.get("plan") is not None:
        rows.append({"kind": "assumption", "what": "the options' costs rest on the plan file's assumptions "
                     "(capital cost, offtake premium, holding cost, discount rate): adjust them in the plan file"})  # fmt: skip
    rows = list({(r["kind"], r["what"]): r for r in rows}.values())
    return pa.Table.from_pylist(rows, schema=pa.schema([("kind", pa.string()), ("what", pa.string())]))


#: The register's facility kinds in words people read.
_FACILITY_WORDS = {"fab": "chip fab", "osat": "assembly and test (OSAT/ATMP) plant", "design": "design centre",
                   "r-and-d": "research centre", "mine": "mine", "refinery": "refinery", "smelter": "smelter",
                   "magnet-plant": "magnet plant", "cell-plant": "battery cell plant", "recycling": "recycling plant",
                   "other": "facility"}  # fmt: skip


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
            kind = _FACILITY_WORDS.get(str(r["facility"]), str(r["facility"]))
            what = f"{r['company']}: {kind} in {r.get('site') or n.of(r['country'])}"
            rows.append({"date": when, "who": n.of(r["country"]), "what": what, "kind": "investment",
                         "products": r.get("products"), "verified": r["verified"], "source": str(r["source"])})  # fmt: skip
    rows = list({(r["what"], str(r["date"])): r for r in rows}.values())
    rows.sort(key=lambda r: (str(r["date"] or ""), r["what"]), reverse=True)
    rows.sort(key=lambda r: r["kind"] != "measure")  # measures first (stable: each part newest first)
    schema = pa.schema([("date", pa.date32()), ("who", pa.string()), ("what", pa.string()), ("kind", pa.string()),
                        ("products", pa.string()), ("verified", pa.bool_()), ("source", pa.string())])  # fmt: skip
    return pa.Table.from_pylist(rows, schema=schema)
