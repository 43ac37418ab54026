"""Sections 2 and 3 of the brief: exposure along the value chain, and critical-material supply risk."""

from __future__ import annotations

from dataclasses import replace

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.brief_chain import CHAIN_COLUMNS, SERVICE
from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Column, Result
from friendshore.reporting import charts
from friendshore.reporting.brief.model import ChartBlock, Gap, Section, Text
from friendshore.reporting.brief.sections.common import country_names, gap_or, source, table

__all__ = ["exposure", "supply_risk"]

#: Bars in the exposure chart.
_BARS = 10


def _labelled(result: Result, column: str, labels: list[str]) -> Result:
    return Result(result.analysis, result.title, result.table.append_column(column, pa.array(labels, pa.string())),
                  result.parameters, result.provenance, result.notes, result.columns)  # fmt: skip


def exposure(brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section) -> None:
    """The reader's most exposed products (bar), who supplies the key product (map), and the reader's
    position along the value chains (table)."""
    dep = gap_or(section, ev, "exposure")
    first = next((r for r in brief.table.to_pylist() if r["kind"] == "exposure"), None)
    if first is not None:
        section.headline = sentences[first["id"]]
    concern = brief.parameters["concern"]["name"]
    reader = brief.parameters["reader"]
    who = names.say(brief.parameters["for"])
    year = brief.parameters["year"]
    if dep is not None:
        rows = [r for r in dep.rows() if r["on_share"]]
        order = sorted(range(len(rows)), key=lambda i: (-float(rows[i]["on_share"]), rows[i]["hs6"]))
        kept = [r for r in dep.table.to_pylist() if r["on_share"]]
        ordered = (
            pa.Table.from_pylist([kept[i] for i in order], schema=dep.table.schema) if kept else dep.table
        )
        view = Result(
            dep.analysis, dep.title, ordered, dep.parameters, dep.provenance, dep.notes, dep.columns
        )
        view = _labelled(view, "__product", [names.label(h) for h in ordered.column("hs6").to_pylist()])
        key = first["id"].removeprefix("exposure-") if first else ""
        section.blocks.append(ChartBlock(charts.bar(
            view, category="hs6", value="on_share", label="__product", code_in_label=False,
            title=f"{reader}: share of imports from {concern}, {year}, by value (each bar one product; dark: the "
                  "key product, first by value at risk x concentration x share)",
            source=source(dep), name="exposure-bar", highlight=[key], top=_BARS,
            value_title=f"share of {names.owner(brief.parameters['for'])} imports of the product from {concern}",
        )))  # fmt: skip
    sup = ev.get("suppliers")
    if sup is not None:
        from friendshore.reporting.assets import AssetMissingError, world_topology

        product = names.product(str(sup.parameters["products"][0]))
        try:
            topology, _info = world_topology()
        except AssetMissingError as exc:
            section.blocks.append(Gap(f"world map not drawn: {exc}"))
        else:
            section.blocks.append(ChartBlock(charts.choropleth(
                sup, country="exporter", value="share", topology=topology,
                title=f"Who supplies {who} with {product}, {year}", source=source(sup), name="exposure-map",
                names={c: names.of(c) for c in sup.table.column("exporter").to_pylist()},
                value_title="share of imports, by value",
            )))  # fmt: skip
    chain = brief.tables["chain"]
    if chain.num_rows:
        shown = chain.set_column(chain.schema.get_field_index("codes"), "codes",
                                 pa.array([_few(c, 2) for c in chain.column("codes").to_pylist()], pa.string()))  # fmt: skip
        shown = shown.append_column(
            "__trade", pa.array([_trade_cell(r) for r in chain.to_pylist()], pa.string())
        )
        view = Result("brief", "Value chain", shown, columns=(*CHAIN_COLUMNS, Column("__trade", unit="text")))
        table(section, view, "brief.chain", ["chain", "stage", "codes", "n_items", "n_reader", "reader_best_item",
              "__trade", "n_plants", "year"], title=f"{who[:1].upper() + who[1:]} along the value chains: "
              f"production (minerals), listed inputs (chips) and exports ({year})",
              headers={"chain": "chain", "codes": "trade codes", "n_items": "items",
                       "n_reader": names.owner(brief.parameters["for"]), "reader_best_item": "largest",
                       "__trade": f"world export share, {year}", "n_plants": "plants", "year": "data year"})  # fmt: skip
        section.blocks.append(Text(
            "Critical minerals run from mining through refining to products such as permanent magnets; chips from "
            "design through fabrication to assembly and test (OSAT), with the tools of each stage. Items are the "
            "materials with production data (USGS and BGS) or the products, and for chips the inputs of the CSET "
            "Emerging Technology Observatory (ETO) data; the column with the reader's name counts those it "
            "produces, exports or is listed for, the largest where its share is largest; plants are the register's "
            f"in {who}. The world export share is {names.owner(brief.parameters['for'])} exports of all the "
            f"stage's trade codes (HS 2017) together as a share of the world's, by value, in {year} (BACI); not "
            "loaded: the world's trade in a code is not in this warehouse (unknown, not zero). Chip codes come from "
            "the ETO-to-HS6 crosswalk, where a code often holds more than the stage's goods (848620 holds every "
            "front-end tool); design is a service and has none."
        ))  # fmt: skip


def _trade_cell(row: dict[str, object]) -> str:
    """The reader's share of world exports of a stage's codes, or why there is none."""
    share = row.get("export_share")
    if isinstance(share, float):
        return f"{share * 100:.1f} %"
    return "a service" if row.get("codes") == SERVICE else "not loaded"


def _few(codes: str | None, shown: int = 3) -> str | None:
    """At most ``shown`` codes of a list, then how many more (all are in data/brief.chain.csv)."""
    if not codes or "," not in codes:
        return codes
    parts = codes.split(", ")
    return ", ".join(parts[:shown]) + (f" and {len(parts) - shown} more" if len(parts) > shown else "")


def supply_risk(
    brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section
) -> None:
    """Supply risk per material and stage (EU method), with economic importance when it is known."""
    res = gap_or(section, ev, "risk")
    finding = next((r for r in brief.table.to_pylist() if r["kind"] == "risk"), None)
    if res is None:
        return
    years = sorted({int(r["production_year"]) for r in res.rows() if r.get("production_year")})
    trade = brief.parameters["year"]
    if years and years != [trade]:
        section.title += f" (production data {years[0]} to {years[-1]}, trade {trade})"
    if finding is not None:
        section.headline = sentences[finding["id"]]
    rows = [r for r in res.rows() if r["supply_risk"] is not None]
    if not rows:
        section.blocks.append(Gap("no material has a supply-risk score: " + "; ".join(res.notes)))
        return
    has_ei = "economic_importance" in res.table.column_names and any(
        r["economic_importance"] is not None for r in rows
    )
    # the chart's axis in words: "supply risk", not the column's short label
    said = tuple(replace(c, label="supply risk") if c.name == "supply_risk" else c for c in res.columns)
    view = Result(res.analysis, res.title, res.table, res.parameters, res.provenance, res.notes, said)
    section.blocks.append(ChartBlock(charts.risk(
        view, material="material", stage="stage", supply_risk="supply_risk",
        economic_importance="economic_importance" if has_ei else None,
        sr_threshold=float(res.parameters["sr_threshold"]), ei_threshold=float(res.parameters["ei_threshold"]),
        title=f"Supply risk of critical materials for {names.say(brief.parameters['for'])} (EU method; production "
              f"{years[0] if years else ''} to {years[-1] if years else ''})",
        source=source(res), name="risk",
    )))  # fmt: skip
    if not has_ei:
        section.blocks.append(Text("Economic importance is not given for these materials, so the chart shows "
                                   "supply risk alone (pass a table of economic importance to add the second axis)."))  # fmt: skip
    scored = res.table.filter(pc.is_valid(res.table.column("supply_risk")))
    ordered = scored.sort_by([("supply_risk", "descending")])
    unscored = res.table.num_rows - scored.num_rows
    table(section, res, "risk", ["material", "stage", "supply_risk", "top_producer", "top_producer_share",
          "production_year"], title="The riskiest materials", data=ordered, limit=8,
          notes=(f"{unscored} rows without a supply-risk score are in the file only",) if unscored else (),
          labels={**country_names(res, "top_producer", names=names), "production_year": {str(y): str(y) for y in years},
                  "supply_risk": {str(r["supply_risk"]): f"{r['supply_risk']:.1f}" for r in rows}},  # the EU's 0.1
          headers={"production_year": "data year", "supply_risk": "supply risk"})  # fmt: skip
