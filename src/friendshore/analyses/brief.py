"""The brief's choices, as an analysis: whose brief, which judgements in which order with which
numbers, the options, the recommendation, and what we do not know.

``brief(settings, for_="IND", partner="USA", coalition="pax-silica", ...)`` calls the analyses
(``brief_evidence.gather``) and returns one ``Result``: the ranked findings (``table``), and in
``tables`` every figure quoted (``figures``: value, unit, year, base and the result, row and column it
comes from), the statements of page 1 (bottom line, recommendation), the options, the unknowns, the
events and the value chain. ``reporting/brief`` renders it; it chooses nothing.

Sentences are templates: ``{name}`` marks a figure, which the renderer formats by its unit. Plain
names come from ``nomenclature.labels`` (products, countries, groups).

The ranking rules, declared once (``RULES``): a finding's kind sets its place on page 1 (what is at
stake, how bad, what can be done, what is committed); among exposures, the score is the value at
risk (imports from the concern) x the concentration of the reader's suppliers (HHI) x the share from
the concern. One idea per finding; one finding of each kind; at most ``MAX_PER_PRODUCT`` findings on
one product; no figure stated twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Any

import pyarrow as pa

from friendshore.analyses.brief_chain import CHAIN_COLUMNS, chain_table
from friendshore.analyses.brief_evidence import (
    DRAWS,
    Evidence,
    Fig,
    Names,
    Question,
    Statement,
    exposure_score,
    fig,
    gather,
    reader_shock,
    year_of,
)
from friendshore.analyses.brief_options import (
    action,
    bottom_line,
    events_table,
    options_table,
    recommendation,
    recommended,
    scope,
    unknowns_table,
)
from friendshore.analyses.brief_tables import FINDING_COLUMNS, figures_table, findings_table, statements_table
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Result
from friendshore.nomenclature.labels import facility_label, in_sentence
from friendshore.settings import Settings

__all__ = [
    "CHAIN_COLUMNS",
    "MAX_FINDINGS",
    "MAX_PER_PRODUCT",
    "OPTIONS_RULE",
    "RULES",
    "Fig",
    "Statement",
    "brief",
    "decide",
]

#: Page 1 holds this many ranked judgements at most (at least three when the data allow).
MAX_FINDINGS = 5
#: No more than this many findings about one HS code.
MAX_PER_PRODUCT = 2
#: The order of the kinds of finding on page 1 (first: what is at stake; last: what is committed).
RULES: tuple[tuple[str, str], ...] = (
    ("exposure", "the reader's product with the highest value at risk x HHI x share from the concern"),
    ("shock", "what the reader would lack if the concern cut every importer off from the key product (PE)"),
    ("world", "the concern's share of world exports of an exposed product (a world chokepoint)"),
    ("risk", "the critical material with the highest supply risk for the reader (EU method)"),
    ("chain", "the reader's own production or share along the value chain"),
    (
        "event",
        "the reader's monthly imports from the concern around the concern's newest measure on its products",
    ),
    ("partner", "where the partner (or the best candidate) ranks among all who could replace the concern"),
    ("exposure-2", "the second exposed product by the same score"),
    ("breadth", "how many of the sector's products the EC dependency screen flags"),
    ("commitment", "the largest investment the register holds in the reader"),
)
#: How the options are built (not a finding; declared beside the ranking rules).
OPTIONS_RULE = (
    "the options are solved for the product of the first judgement (the reader's top exposure): demand is the "
    "reader's own imports of it in the trade year; the countries of concern are the reader's; the coalition's "
    "members that export the product are the partners of friend-shoring, and what any supplier could redirect "
    "is its current exports to others; costs, horizon, disruption and targets are the plan file's assumptions"
)


# -- findings ----------------------------------------------------------------------------------


def _exposures(ev: Evidence, n: Names, concern: str) -> list[Statement]:
    dep = ev.get("exposure")
    if dep is None:
        return []
    rows = sorted((r for r in dep.rows() if r["on_share"] and r["import_value_kusd"]),
                  key=lambda r: (-exposure_score(r), r["hs6"]))  # fmt: skip
    out = []
    for i, r in enumerate(rows[:2]):
        where = {"hs6": r["hs6"]}
        out.append(
            Statement(
                f"exposure-{r['hs6']}",
                "exposure" if i == 0 else "exposure-2",
                "{share} of "
                + n.owner(ev.question.reader)
                + " imports of "
                + n.product(r["hs6"])
                + " came from "
                + concern
                + " in {year} (by value, of {total} imported).",
                (
                    fig(
                        ev,
                        "exposure",
                        "on_share",
                        where,
                        name="share",
                        basis=n.owner(ev.question.reader) + " imports of the product, by value",
                    ),
                    fig(ev, "exposure", "year", where, name="year"),
                    fig(ev, "exposure", "import_value_kusd", where, name="total"),
                ),
                exposure_score(r),
                r["hs6"],
            )
        )
    return out


def _world(ev: Evidence, n: Names, members: tuple[str, ...], products: list[str]) -> list[Statement]:
    choke = ev.get("chokepoints")
    if choke is None:
        return []
    by_code = {r["hs6"]: r for r in choke.rows()}
    out = []
    # world chokepoints first, then the reader's exposure order
    for hs6 in sorted(products, key=lambda h: not (by_code.get(h) or {}).get("chokepoint")):
        r = by_code.get(hs6)
        if r is None or r["top_exporter"] not in members:
            continue
        where = {"hs6": hs6}
        out.append(
            Statement(
                f"world-{hs6}",
                "world",
                n.say(r["top_exporter"])
                + " supplied {share} of world exports of "
                + n.product(hs6)
                + " in {year}"
                + (", a world chokepoint." if r["chokepoint"] else "."),
                (
                    fig(
                        ev,
                        "chokepoints",
                        "top_share",
                        where,
                        name="share",
                        basis="world exports of the product, by value",
                    ),
                    fig(ev, "chokepoints", "year", where, name="year")
                    if "year" in choke.table.column_names
                    else Fig("year", year_of(choke), "year", "chokepoints", "year", where),
                ),
                product=hs6,
            )
        )
    return out


def _shock(ev: Evidence, n: Names, concern: str) -> list[Statement]:
    row = reader_shock(ev)
    if row is None or not row["value_at_risk_kusd"]:
        return []
    where = {"hs6": row["hs6"], "importer": row["importer"]}
    text = (
        "If " + concern + " cut every importer off from " + n.product(str(row["hs6"])) + ", "
        + n.say(ev.question.reader) + " would be left {unmet} short, {share} of its imports, and its price would "
        "rise by {price} (partial equilibrium on {year} trade)."
    )  # fmt: skip
    figs = (
        fig(ev, "shock", "unmet_kusd", where, name="unmet", table="importers"),
        fig(
            ev,
            "shock",
            "unmet_share",
            where,
            name="share",
            table="importers",
            unit="share",
            basis=n.owner(ev.question.reader) + " imports of the product, by value",
        ),
        fig(ev, "shock", "price_change_pct", where, name="price", table="importers"),
        fig(ev, "shock", "year", where, name="year", table="importers", unit="year"),
    )
    return [Statement(f"shock-{row['hs6']}", "shock", text, figs, product=str(row["hs6"]))]


def _risk(ev: Evidence, n: Names) -> list[Statement]:
    risk = ev.get("risk")
    if risk is None:
        return []
    rows = [r for r in risk.rows() if r["supply_risk"] is not None]
    if not rows:
        return []
    top = max(rows, key=lambda r: (r["supply_risk"], r["material"]))
    where = {"material": top["material"], "stage": top["stage"]}
    pyear = top.get("production_year")
    text = (
        str(top["material"]).capitalize() + " " + str(top["stage"]) + " is the riskiest critical material for "
        + n.say(ev.question.reader) + ": supply risk {sr} on the EU scale, where 1 or more marks high risk; "
        + n.say(top["top_producer"]) + " produced {pshare} of the world's output in {pyear}."
    )  # fmt: skip
    if top.get("basket"):  # the trade side is a basket code: say so, never the element's own trade
        text += (
            f" Its trade is read under {in_sentence(str(top['traded_as']))}, whose figures are the basket's, "
            f"not {top['material']}'s alone."
        )
    figs = (
        fig(ev, "risk", "supply_risk", where, name="sr", digits=1),  # the EU publishes supply risk to 0.1
        fig(
            ev,
            "risk",
            "top_producer_share",
            where,
            name="pshare",
            year=int(pyear) if pyear else None,
            basis="world production, tonnes",
        ),
        fig(ev, "risk", "production_year", where, name="pyear", unit="year"),
    )
    return [Statement(f"risk-{top['material']}-{top['stage']}", "risk", text, figs)]


def _chain(ev: Evidence, n: Names, chain: pa.Table) -> list[Statement]:
    """The reader's own position: its refining, and where the register holds plants the chip data
    (older) do not show."""
    out = []
    reader = n.say(ev.question.reader)
    for r in chain.to_pylist():
        where = {"chain": r["chain"], "stage": r["stage"]}

        def cell(
            name: str, column: str, unit: str, r: dict[str, Any] = r, where: dict[str, Any] = where
        ) -> Fig:
            return Fig(name, r[column], unit, "brief", column, where, "chain", r["year"])

        if r["chain"] == "critical minerals" and r["stage"] == "refining" and r["n_items"]:
            what = f"{r['reader_best_item']}; " if r["n_reader"] == 1 and r["reader_best_item"] else ""
            out.append(Statement(
                "chain-refining", "chain",
                reader + " refines {k} of the {n} critical materials with refining data (" + what +
                str(r["source"]).split(" (")[0] + ", up to {year}).",
                (cell("k", "n_reader", "count"), cell("n", "n_items", "count"), cell("year", "year", "year")),
            ))  # fmt: skip
        if r["chain"] == "chips" and r["n_plants"] and not r["n_reader"] and r["n_items"]:
            out.append(Statement(
                f"chain-{r['stage'].split(' ')[0]}", "chain",
                "The chip data of the Emerging Technology Observatory (up to {year}) list " + reader + " in none of the {n} inputs of chip "
                + r["stage"] + ", but the register holds {plants} such plants in " + reader + ", {operating} "
                "operating" + (f" ({r['operating']})" if r["operating"] else "") + ".",
                (cell("year", "year", "year"), cell("n", "n_items", "count"), cell("plants", "n_plants", "count"),
                 cell("operating", "n_operating", "count")),
            ))  # fmt: skip
    out.sort(key=lambda s: (s.id == "chain-refining", s.id))
    return out


def _partner(ev: Evidence, n: Names, concern: str) -> list[Statement]:
    res = ev.get("partners")
    if res is None or res.table.num_rows == 0:
        return []
    rows = res.rows()
    partner = ev.question.partner
    mine = [r for r in rows if partner and r["candidate"] == partner.upper()]
    pick = mine[0] if mine else rows[0]
    product = n.product(str(res.parameters["hs6"][0]))
    p = {"candidate": pick["candidate"]}
    lead = "" if pick is rows[0] else "; " + n.say(rows[0]["candidate"]) + " ranks first"
    return [
        Statement(
            f"partner-{pick['candidate']}",
            "partner",
            n.say(pick["candidate"])
            + " ranks {rank} of {n} candidates to replace "
            + concern
            + " in "
            + product
            + " (5 to 95 % interval {lo} to {hi}, in {year})"
            + lead
            + ".",
            (
                fig(ev, "partners", "rank_median", p, name="rank"),
                fig(ev, "partners", "n_candidates", p, name="n"),
                fig(ev, "partners", "rank_p05", p, name="lo"),
                fig(ev, "partners", "rank_p95", p, name="hi"),
                Fig("year", year_of(res), "year", "partners", "year", {}, None, year_of(res)),
            ),
            product=str(res.parameters["hs6"][0]),
        )
    ]


def _event(ev: Evidence, n: Names, concern: str) -> list[Statement]:
    res = ev.get("event")
    if res is None:
        return []
    mine = [r for r in res.rows() if r["destination"] == ev.question.reader and r["change_pct"] is not None]
    if not mine:
        return []
    p = res.parameters
    where = {"destination": ev.question.reader}
    text = (
        n.owner(str(p["exporter"])) + " exports of " + ", ".join(n.product(h) for h in p["products"]) + " to "
        + n.say(ev.question.reader) + " changed by {change} in the {months} months after its measure of "
        + str(p["date"]) + ", against the {months} months before (monthly records; a description, not a causal estimate)."
    )  # fmt: skip
    figs = (
        fig(
            ev,
            "event",
            "change_pct",
            where,
            name="change",
            basis=f"{n.owner(str(p['exporter']))} exports to {n.say(ev.question.reader)}, by value",
        ),
        fig(ev, "event", "months_after", where, name="months"),
    )
    return [Statement(f"event-{p['event']}", "event", text, figs)]


def _breadth(ev: Evidence, n: Names) -> list[Statement]:
    by = ev.get("exposure_by_sector")
    sector = ev.question.sector
    if by is None or not sector:
        return []
    match = [r for r in by.rows() if r["technology"] == sector]
    if not match:
        return []
    where = {"technology": sector}
    return [
        Statement(
            "breadth",
            "breadth",
            "{flagged} of the {n} "
            + sector.replace("-", " ")
            + " products "
            + n.say(ev.question.reader)
            + " imports are concentrated, imported and not matched by its own exports (EC screen, {year}).",
            (
                fig(ev, "exposure_by_sector", "n_flagged", where, name="flagged"),
                fig(ev, "exposure_by_sector", "n_products", where, name="n"),
                fig(ev, "exposure_by_sector", "year", where, name="year"),
            ),
        )
    ]


def _commitment(ev: Evidence, n: Names) -> list[Statement]:
    key = f"investments_{ev.question.reader.lower()}"
    res = ev.get(key)
    if res is None:
        return []
    rows = [r for r in res.rows() if r.get("amount_million") is not None and r.get("currency") == "USD"]
    if not rows:
        return []
    top = max(rows, key=lambda r: (r["amount_million"], r["id"]))
    since = top.get("operation_start") or top.get("announced")
    return [
        Statement(
            f"commitment-{top['id']}",
            "commitment",
            "The largest investment the register holds in "
            + n.say(ev.question.reader)
            + " is "
            + str(top["company"])
            + "'s "
            + facility_label(str(top["facility"]))
            + " ({amount} million USD, "
            + str(top["status"]).replace("-", " ")
            + (", " + since.isoformat() if since else "")
            + ").",
            (fig(ev, key, "amount_million", {"id": top["id"]}, name="amount", basis="announced amount"),),
        )
    ]


def _rank(candidates: list[Statement]) -> list[Statement]:
    """Apply ``RULES``: kind order, then score; one finding of each kind; one product at most
    ``MAX_PER_PRODUCT`` times; no figure stated twice."""
    order = {kind: i for i, (kind, _) in enumerate(RULES)}
    ranked = sorted(candidates, key=lambda s: (order[s.kind], -s.score, s.id))
    chosen: list[Statement] = []
    seen: set[tuple[str, str]] = set()
    per: dict[str, int] = {}
    for s in ranked:
        stated = {(str(f.value), f.unit) for f in s.figs if f.unit not in ("year", "date")}
        if stated & seen or (s.product and per.get(s.product, 0) >= MAX_PER_PRODUCT):
            continue
        if any(c.kind == s.kind for c in chosen):
            continue
        chosen.append(s)
        seen |= stated
        if s.product:
            per[s.product] = per.get(s.product, 0) + 1
        if len(chosen) == MAX_FINDINGS:
            break
    return chosen


def decide(ev: Evidence, settings: Settings) -> Result:
    """The brief's choices from the evidence (see the module docstring)."""
    q = ev.question
    n = Names(settings)
    concern_members = _concern_members(ev, settings)
    concern = n.concern(q.concern_code, concern_members)
    chain = chain_table(ev.get("risk"), ev.get("chips"), ev.get(f"investments_{q.reader.lower()}"), q.reader,
                        ev.get("exposure"), ev.get("chokepoints"), ev.get("chain_trade"))  # fmt: skip
    products = [s.product for s in _exposures(ev, n, concern) if s.product]
    dep = ev.get("exposure")
    if dep is not None:
        products += sorted((r["hs6"] for r in dep.rows() if r["on_share"]),
                           key=lambda h: -next(exposure_score(r) for r in dep.rows() if r["hs6"] == h))  # fmt: skip
    candidates = [*_exposures(ev, n, concern), *_world(ev, n, concern_members, list(dict.fromkeys(products))),
                  *_shock(ev, n, concern), *_risk(ev, n), *_chain(ev, n, chain), *_event(ev, n, concern), *_partner(ev, n, concern), *_breadth(ev, n),
                  *_commitment(ev, n)]  # fmt: skip
    findings = _rank(candidates)
    options = options_table(ev, n, concern)
    rec = recommendation(ev, n, options, concern)
    best = recommended(options)
    act = action(ev, n, products[0] if products else None, concern, best)
    bottom = bottom_line(ev, n, findings, rec, concern, act, best)
    # the partner's and the event's sentences head their sections even when page 1 has no room for them
    unranked = [c for c in candidates if c.kind in ("event", "partner") and c not in findings]
    said = scope(ev, n, concern)
    statements = [*bottom, *([act] if act else []), *rec, *([said] if said else []), *unranked]
    tables = {
        "figures": figures_table([*findings, *statements]),
        "statements": statements_table(statements),
        "options": options,
        "unknowns": unknowns_table(ev, n),
        "events": events_table(ev, n),
        "chain": chain,
    }
    view = q.view
    parameters = {
        "for": q.reader,
        "reader": n.of(q.reader),
        "partner": q.partner,
        "coalition": q.coalition,
        "coalition_name": n.of(q.coalition) if q.coalition else None,
        "members_at": q.members_at,
        "sector": q.sector,
        "year": year_of(dep) if dep is not None else q.year,
        "plan_example": q.plan_example,
        "draws": q.draws,
        "concern": {
            "code": q.concern_code,
            "name": concern,
            "members": list(concern_members),
            "member_names": [n.of(m) for m in concern_members],
            "default": q.concern is None,
            "judgement": view.judgement if q.concern is None else False,
            "why": view.why if q.concern is None else "Chosen by the reader (--concern).",
            "source": view.source if q.concern is None else "",
            "verified": view.verified,
        },
        "rules": [*({"kind": k, "rule": r} for k, r in RULES), {"kind": "options", "rule": OPTIONS_RULE}],
        "evidence": {
            k: _call_json(fn.__module__ + ":" + fn.__name__, kw) for k, (fn, kw) in ev.calls.items()
        },
        "gaps": dict(ev.gaps),
    }
    return Result(
        "brief",
        f"Technology supply-chain security: {n.of(q.reader)}",
        findings_table(findings),
        parameters,
        tuple(p for r in ev.results.values() for p in r.provenance),
        tuple(f"{k}: {v}" for k, v in ev.gaps.items()),
        FINDING_COLUMNS,
        tables,
    )


def _concern_members(ev: Evidence, settings: Settings) -> tuple[str, ...]:
    dep = ev.get("exposure")
    if dep is not None:
        return tuple(dep.parameters["concern"]["members"])
    from friendshore.nomenclature.groups import resolve

    return tuple(sorted(resolve(ev.question.concern_code, ev.question.members_at or date.today(),
                                home=settings.home)))  # fmt: skip


def _call_json(target: str, kwargs: Mapping[str, Any]) -> dict[str, Any]:
    return {"function": target, "arguments": json.loads(json.dumps(kwargs, default=str))}


@documented(year="trade_year")
def brief(
    settings: Settings,
    *,
    for_: str,
    partner: str | None = None,
    coalition: str | None = None,
    members_at: date | None = None,
    concern: str | None = None,
    sector: str | None = None,
    year: int | None = None,
    plan_example: str | None = "magnets",
    draws: int = DRAWS,
) -> Result:
    """The brief's findings, options, recommendation and unknowns for the reader ``for_``.

    Parameters
    ----------
    for_
        Whose brief it is: an ISO3 code or a group (e.g. USA, IND, eu27).
    partner
        A partner (ISO3) to place among the candidates, e.g. IND.
    coalition
        A coalition (group), e.g. pax-silica; its members are marked and preferred.
    members_at
        Resolve groups at this date (default: the end of the trade year).
    concern
        The country or group to reduce dependence on (default: the reader's, from viewpoints.toml:
        USA the 15 CFR 791.4 list, IND and any other reader China).
    sector
        Technology, e.g. critical-minerals (see 'friendshore taxonomy').
    year
    plan_example
        Shipped plan whose assumptions (costs, horizon, disruption, targets) the options use; the options
        are solved for the reader's own imports of its key product against its countries of concern.
    draws
        Monte Carlo draws of the plan's cost parameters (the options' cost intervals).
    """
    question = Question(for_.strip().upper() if len(for_.strip()) == 3 else for_.strip(),
                        partner.upper() if partner else None, coalition, members_at, concern, sector,
                        year, plan_example, draws)  # fmt: skip
    return decide(gather(settings, question), settings)
