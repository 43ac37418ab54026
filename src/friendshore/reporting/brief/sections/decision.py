"""Sections 4 to 7 of the brief: partners, a supply cut on the brief's own year, the options (the
coalition plan and who could replace the concern), and the events and commitments of the register."""

from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Column, Result
from friendshore.reporting import charts
from friendshore.reporting.brief.model import ChartBlock, Gap, Section, Text
from friendshore.reporting.brief.sections.common import gap_or, source, table
from friendshore.reporting.format import format_value

__all__ = ["events", "options", "partners", "shocks"]

#: Candidates drawn in the rank chart (the partner is added in its place when it ranks lower).
_CANDIDATES = 12


def partners(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    """Who could replace the concern in the key product: every candidate ranked, with intervals."""
    res = gap_or(section, ev, "partners")
    rows = [*brief.table.to_pylist(), *brief.tables["statements"].to_pylist()]
    finding = next((r for r in rows if r["kind"] == "partner"), None)
    if finding is not None:
        section.headline = sentences[finding["id"]]
    if res is None:
        return
    partner = brief.parameters["partner"]
    shown = res.table.filter(pc.or_(pc.less_equal(res.table.column("rank"), _CANDIDATES),
                                    pc.equal(res.table.column("candidate"), partner or "")))  # fmt: skip
    view = Result(res.analysis, res.title, shown, res.parameters, res.provenance, res.notes, res.columns)
    product = names.product(str(res.parameters["hs6"][0]))
    coalition = brief.parameters.get("coalition_name")
    section.blocks.append(ChartBlock(charts.rank_intervals(
        view, candidate="candidate", median="rank_median", low="rank_p05", high="rank_p95",
        group="in_coalition" if coalition else None, highlight=[partner] if partner else [],
        names={c: names.of(c) for c in shown.column("candidate").to_pylist()},
        title=f"Who could replace {brief.parameters['concern']['name']} in {product}: the best {_CANDIDATES} of "
              f"{res.table.num_rows} candidates" + (f" (filled: {coalition} members)" if coalition else "")
              + (f"; ◀ marks {names.of(partner)}, the partner asked about" if partner else ""),
        source=source(res), name="partners-ranks",
    )))  # fmt: skip
    members = ev.get("coalition")
    if members is not None:
        section.blocks.append(Text(f"{coalition} on {members.parameters.get('at') or 'the date asked'}: "
                                   + ", ".join(names.of(c) for c in members.table.column("iso3").to_pylist()) + "."))  # fmt: skip


def shocks(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    """A supply cut on the brief's own trade year: the concern cuts every importer off from the key
    product at once (partial equilibrium), for the world and for the reader."""
    world = gap_or(section, ev, "shock")
    if world is None:
        return
    year = brief.parameters["year"]
    rows = world.rows()
    if not rows:
        section.blocks.append(Gap("the countries of concern exported none of the product"))
        return
    r = rows[0]
    product = names.product(str(r["hs6"]))
    concern = brief.parameters["concern"]["name"]
    finding = next((f for f in brief.table.to_pylist() if f["kind"] == "shock"), None)
    risk, unmet = format_value(r["value_at_risk_kusd"], "kusd"), format_value(r["unmet_kusd"], "kusd")
    section.title += f" ({year} trade)"
    section.headline = (
        f"If {concern} cut every importer off from {product}, {unmet} of the {risk} of world imports at risk "
        f"would go unmet in {year}, and the price importers pay would rise by "
        f"{format_value(r['price_change_pct'], 'pct')} on average."
    )
    if finding is not None:
        section.blocks.append(Text(sentences[finding["id"]]))
    said = [note for note in world.notes if not note.startswith("restricting")][:2]
    section.blocks.append(Text(" ".join(note[:1].upper() + note[1:] + "." for note in said)))
    table(section, world, "shock", ["n_importers", "n_without_supplier", "world_imports_kusd", "value_at_risk_kusd",
          "filled_kusd", "unmet_kusd", "price_change_pct"], title=f"The world, {product}, {year}")  # fmt: skip
    importers = world.tables.get("importers")
    if importers is not None and importers.num_rows:
        top = importers.sort_by([("unmet_kusd", "descending")])
        view = Result(world.analysis, world.title, top, world.parameters, world.provenance, world.notes, (
            Column("importer", "importer", "code", True), Column("import_value_kusd", "imports", "kusd", True),
            Column("unmet_kusd", "unmet", "kusd", True),
            Column("unmet_share", "unmet, share of its imports", "share", True,
                   basis="the importer's imports of the product, by value"),
            Column("price_change_pct", "price change (%)", "pct", True),
        ))  # fmt: skip
        table(section, view, "shock.importers", ["importer", "import_value_kusd", "unmet_kusd", "unmet_share",
              "price_change_pct"], title=f"The importers left most short ({year})", limit=6,
              labels={"importer": {c: names.of(c) for c in top.column("importer").to_pylist()}})  # fmt: skip


def options(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    """The coalition plan's strategies (cost with interval, unmet, the assumptions), the explanation of
    its allocation, and how much of the concern's supply home, coalition and others could replace."""
    plan = ev.get("plan")
    if "recommendation" in sentences:
        section.headline = sentences["recommendation"]
    if plan is None:
        section.blocks.append(Gap(ev.gaps.get("plan", "no coalition plan was asked (--plan-example)")))
    else:
        section.blocks.append(Text("The options are on page 1; " + _allocation_note(plan, names)))
    res = ev.get("reshoring")
    if res is not None:
        coalition = brief.parameters.get("coalition_name")
        words = {"home_share": "at home",
                 "coalition_share": f"{coalition} members" if coalition else "the coalition",
                 "others_share": "other suppliers", "uncovered_share": "not covered"}  # fmt: skip
        parts = list(words)
        top = res.table.filter(pc.not_equal(res.table.column("hs6"), "all")).slice(0, 8)
        long = [{"hs6": row["hs6"], "part": words[p], "share": row[p]}
                for row in top.to_pylist() for p in parts]  # fmt: skip
        view = Result(res.analysis, res.title, pa.Table.from_pylist(long) if long else
                      pa.table({"hs6": pa.array([], pa.string()), "part": pa.array([], pa.string()),
                                "share": pa.array([], pa.float64())}),
                      res.parameters, res.provenance, res.notes,
                      (Column("hs6", "HS6", "code"), Column("part", "filled by", "text"),
                       Column("share", "share", "share")))  # fmt: skip
        section.blocks.append(ChartBlock(charts.stacked(
            view, category="hs6", part="part", value="share",
            labels={h: names.label(h) for h in top.column("hs6").to_pylist()},
            title=f"Who could replace the imports from {brief.parameters['concern']['name']} today, from current "
                  f"exports ({brief.parameters['year']}, each bar one product)",
            source=source(res), name="plan-reshoring",
            value_title=f"share of {names.owner(brief.parameters['for'])} imports from " + brief.parameters["concern"]["name"] + ", by value",
            order=[words[p] for p in parts],
        )))  # fmt: skip


def _allocation_note(plan: Result, names: Names) -> str:
    """Why the plan's split among suppliers is not a finding (who builds from little, who gets nothing)."""
    spec = plan.parameters.get("plan_spec", {}).get("instruments", {})
    green = float(spec.get("greenfield_share", 0.0))
    partners = list(plan.parameters.get("coalition", {}).get("partners", []))
    parts = plan.tables.get("partners")
    rows = [r for r in parts.to_pylist() if r["strategy"] == "friendshoring"] if parts is not None else []
    small = sorted((r for r in rows if r["capacity_built"] and r["export_kusd"] is not None and r["role"] == "partner"),
                   key=lambda r: r["export_kusd"])[:1]  # fmt: skip
    text = (
        "read the split among suppliers as one of many equally cheap answers, not as a finding: every supplier "
        "builds at the same assumed capital cost per dollar of output, and a partner may build up to "
        f"{green:.0%} of the reader's demand beyond its exports today (the greenfield allowance, an assumption)."
    )
    if small:
        r = small[0]
        text += (f" So {names.say(r['country'])}, which exported {format_value(r['export_kusd'], 'kusd')} of the "
                 f"product, is given {format_value(r['supplied_value_kusd'], 'kusd')} of supply over the plan.")  # fmt: skip
    if partners:
        text += (" Partners are the coalition's members that export the product today ("
                 + ", ".join(names.say(c) for c in partners) + "); a member that does not export it is not one.")  # fmt: skip
    return text + " Give each country its own capital-cost factor in plan.toml to make the split meaningful."


def events(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    """The register's measures and investments that bear on the findings, with date and source, and
    the concern's monthly exports around its newest measure on the reader's products."""
    _monthly(brief, ev, names, sentences, section)
    table_ = brief.tables["events"]
    if table_.num_rows == 0:
        section.blocks.append(Gap("the register holds no measure on, and no investment in, the reader"))
        return
    view = Result("brief", "Events", table_, columns=(
        Column("date", "date", "date", True), Column("who", "who", "text", True),
        Column("what", "what", "text", True), Column("verified", "confirmed", "flag", True),
    ))  # fmt: skip
    table(section, view, "brief.events", ["date", "who", "what", "verified"],
          title="Measures in force on or taken by the reader, then investments in it and the partner, newest first",
          limit=8, notes=("the source of each entry is in data/brief.events.csv and the register",))  # fmt: skip


def _products(names: Names, codes: list[str]) -> str:
    """Products in a sentence: ``a, b and c``."""
    said = [names.product(str(c)) for c in codes]
    return ", ".join(said[:-1]) + " and " + said[-1] if len(said) > 1 else "".join(said)


def _monthly(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    res = ev.get("event")
    if res is None:
        return
    rows = [*brief.table.to_pylist(), *brief.tables["statements"].to_pylist()]
    said = next((f for f in rows if f["kind"] == "event"), None)
    p = res.parameters
    reader = brief.parameters["for"]
    if said is not None:
        section.headline = sentences[said["id"]]
    else:  # the records do not cover the reader on both sides: say so rather than state no change
        held = any(r["destination"] == reader for r in res.rows())
        section.headline = (
            f"{names.owner(str(p['exporter']))} measure of {p['date']} on {_products(names, p['products'])}: the "
            f"monthly records {'do not hold every month on both sides for' if held else 'hold no exports to'} "
            f"{names.say(reader)}, so no change is stated for it; the destinations they cover are below."
        )
    data = res.table.sort_by([("value_after_usd", "descending")])
    top = data.filter(
        pc.or_(pc.less(pa.array(range(data.num_rows)), 5), pc.equal(data.column("destination"), reader))
    )
    table(section, res, "event", ["destination", "value_before_usd", "value_after_usd", "months_before",
          "months_after", "change_pct"], data=top, limit=6,
          title=f"{names.owner(str(p['exporter']))} exports of {_products(names, p['products'])}, {p['months']} "
                f"months before and after {p['date']}, by destination",
          labels={"destination": {c: names.of(c) for c in top.column("destination").to_pylist()}},
          headers={"months_before": "months on record before", "months_after": "months on record after"},
          notes=("a change is shown only where the records hold every month on both sides (a blank: they do not)",
                 "a description, not a causal estimate"))  # fmt: skip
