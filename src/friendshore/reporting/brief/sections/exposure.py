"""Sections 2 and 3 of the brief: exposure along the value chain, and critical-material supply risk."""

from __future__ import annotations

import pyarrow as pa

from friendshore.analyses.brief_chain import CHAIN_COLUMNS
from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Result
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
                title=f"Who supplies {reader} with {product}, {year}", source=source(sup), name="exposure-map",
                names={c: names.of(c) for c in sup.table.column("exporter").to_pylist()},
                value_title="share of imports, by value",
            )))  # fmt: skip
    chain = brief.tables["chain"]
    if chain.num_rows:
        shown = chain.set_column(chain.schema.get_field_index("codes"), "codes",
                                 pa.array([_few(c) for c in chain.column("codes").to_pylist()], pa.string()))  # fmt: skip
        view = Result("brief", "Value chain", shown, columns=CHAIN_COLUMNS)
        table(section, view, "brief.chain", ["chain", "stage", "codes", "n_items", "n_reader", "reader_best_item",
              "n_plants", "year"], title=f"{reader} along the value chains: production (minerals), exports "
              "(mineral products) and listed inputs (chips)",
              headers={"n_reader": f"where {reader} is", "n_plants": "plants in the register"})  # fmt: skip
        section.blocks.append(Text(
            "Critical minerals run from mining through refining to products such as permanent magnets; chips from "
            "design through fabrication to assembly and test (OSAT), with the tools of each stage. Mining and "
            "refining rows count the materials with production data and those the reader produces (USGS and BGS, "
            "years as shown); the products row counts the products the reader exports and its largest share of "
            "world exports (trade); chip rows count the CSET ETO inputs and those that list the reader. Trade codes "
            "are HS 2017: minerals from the technology taxonomy, chips from the ETO-to-HS6 crosswalk, where a code "
            "often holds more than the stage's goods (848620 holds every front-end tool); design is a service "
            "and has none."
        ))  # fmt: skip


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
    section.blocks.append(ChartBlock(charts.risk(
        res, material="material", stage="stage", supply_risk="supply_risk",
        economic_importance="economic_importance" if has_ei else None,
        sr_threshold=float(res.parameters["sr_threshold"]), ei_threshold=float(res.parameters["ei_threshold"]),
        title=f"Supply risk of critical materials for {brief.parameters['reader']} (EU method; production "
              f"{years[0] if years else ''} to {years[-1] if years else ''})",
        source=source(res), name="risk",
    )))  # fmt: skip
    if not has_ei:
        section.blocks.append(Text("Economic importance is not given for these materials, so the chart shows "
                                   "supply risk alone (pass a table of economic importance to add the second axis)."))  # fmt: skip
    ordered = res.table.sort_by([("supply_risk", "descending")])
    table(section, res, "risk", ["material", "stage", "supply_risk", "top_producer", "top_producer_share",
          "production_year"], title="The riskiest materials", data=ordered, limit=8,
          labels={**country_names(res, "top_producer", names=names), "production_year": {str(y): str(y) for y in years},
                  "supply_risk": {str(r["supply_risk"]): f"{r['supply_risk']:.1f}" for r in rows}},  # the EU's 0.1
          headers={"production_year": "data year"})  # fmt: skip
