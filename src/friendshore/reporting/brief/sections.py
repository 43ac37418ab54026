"""The sections of the brief: each one a builder that calls analyses and turns their ``Result``s
into a headline, charts, tables and key findings. Builders choose and quote; they compute nothing.

A section is a ``SectionSpec`` in ``SECTIONS`` (in reading order). Its builder receives the run
(``BriefRun``: parameters and the analysis calls made so far), the section to fill and the shared
labels. Each analysis is called through ``run.call(key, "module:function", **kwargs)``; when the
analysis is missing, its data are not loaded or it refuses the question, ``Unavailable`` carries a
one-line gap that the builder appends instead of the chart (``_try``).

Adding a section (or wiring in an analysis that lands later) is one builder and one line in
``SECTIONS``; see docs/brief.md. The sections for analyses that are not on main yet (leverage,
shocks, plan, register) already call them by name with the parameters their issues specify and
render their result generically (title, key columns, notes) until a dedicated view is written.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from friendshore.analyses.result import Result
from friendshore.console import get_logger
from friendshore.reporting import charts
from friendshore.reporting.brief.model import (
    ChartBlock,
    Gap,
    Section,
    Sentence,
    TableBlock,
    sentence,
    table_rows,
)
from friendshore.reporting.brief.run import BriefRun, Unavailable

__all__ = ["SECTIONS", "Labels", "SectionSpec"]

log = get_logger(__name__)

_DEP = "friendshore.analyses.dependencies"

#: Monte Carlo draws of the plan's cost parameters (the sensitivity interval of section 6).
PLAN_DRAWS = 20


@dataclass
class Labels:
    """Names people read beside codes (from the taxonomy analysis and the ISO3 table), and the
    choices one section passes to the next (the key product)."""

    countries: Mapping[str, str] = field(default_factory=dict)
    products: Mapping[str, str] = field(default_factory=dict)
    groups: Mapping[str, str] = field(default_factory=dict)
    key_product: str | None = None
    exposed: list[str] = field(default_factory=list)

    def group(self, code: str) -> str:
        """A country's name or a group's title (``pax-silica`` -> ``Pax Silica``)."""
        title = self.groups.get(code)
        if title is not None:
            return title if len(title) <= 30 else code.replace("-", " ")
        return self.countries.get(code.upper(), code)

    def country(self, code: str | None) -> str:
        if code is None:
            return ""
        return self.countries.get(code, code)

    def product(self, hs6: str) -> str:
        return f"{self.products.get(hs6, 'HS ' + hs6)} ({hs6})"


Builder = Callable[[BriefRun, Section, Labels], None]


@dataclass(frozen=True)
class SectionSpec:
    """One section of the brief: where it sits, what it asks, and the builder that answers."""

    id: str
    title: str
    question: str
    build: Builder


# -- helpers ------------------------------------------------------------------------------------


def attempt(section: Section, piece: Callable[[], None]) -> None:
    """Run one piece of a section; an unavailable analysis becomes a one-line gap."""
    try:
        piece()
    except Unavailable as exc:
        section.blocks.append(exc.gap)
    except Exception as exc:  # a bug must not cost the reader the rest of the brief
        log.exception("brief: section %s failed", section.id)
        section.blocks.append(
            Gap(f"internal error in this part of the brief ({type(exc).__name__}: {exc}); please report it")
        )


def _source(result: Result) -> str:
    """The source line of a chart: the publishers and releases of the data behind the result."""
    seen: dict[str, None] = {}
    for p in result.provenance:
        seen[f"{_publisher(p.source)} {p.release}".strip()] = None
    for s in result.sources:
        if s:
            seen[Path(s).name] = None
    return "; ".join(seen) + "; friendshore " + result.analysis


def _publisher(source: str) -> str:
    return {
        "cepii-baci": "CEPII BACI",
        "usgs-mcs": "USGS MCS",
        "bgs": "BGS WMS",
        "wgi": "World Bank WGI",
        "unga": "UNGA ideal points",
        "geodist": "CEPII GeoDist",
        "eto": "CSET/ETO",
        "wdi": "World Bank WDI",
        "wiod-kite": "WIOD/KITE",
    }.get(source, source)


def _table(
    section: Section,
    key: str,
    columns: list[str],
    *,
    title: str,
    labels: Mapping[str, Mapping[str, str]] | None = None,
    limit: int = 12,
    table: Any = None,
    names: Mapping[str, str] | None = None,
    notes: bool = True,
) -> TableBlock:
    result = section.results[key]
    headers, rows, numeric, total = table_rows(result, columns, labels=labels, limit=limit, table=table)
    if names:
        headers = tuple(
            names.get(c, h)
            for c, h in zip(
                [c for c in columns if c in (table if table is not None else result.table).column_names],
                headers,
                strict=True,
            )
        )
    block = TableBlock(
        title,
        headers,
        rows,
        numeric,
        f"data/{key}.csv",
        len(rows),
        total,
        tuple(result.notes) if notes else (),
    )
    section.blocks.append(block)
    return block


def _call(run: BriefRun, section: Section, key: str, target: str, **kwargs: Any) -> Result:
    result = run.call(key, target, **kwargs)
    section.results[key] = result
    return result


def _rows(result: Result) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = result.table.to_pylist()
    return rows


def _generic(run: BriefRun, section: Section, key: str, target: str, **kwargs: Any) -> None:
    """Call an analysis and show its result as it describes itself: title, key columns, notes."""
    result = _call(run, section, key, target, **kwargs)
    _table(section, key, result.key_columns(), title=result.title)


# -- 2. exposure ----------------------------------------------------------------------------------


def exposure(run: BriefRun, section: Section, labels: Labels) -> None:
    common = {"year": run.year, "sector": run.sector, "members_at": run.members_at}
    dep = _call(run, section, "exposure.dependencies", f"{_DEP}:dependencies", importer=run.importer,
                on=run.concern, **common)  # fmt: skip
    rows = [r for r in _rows(dep) if r["on_share"] is not None]
    exposed = sorted(rows, key=lambda r: (-r["on_share"], -r["import_value_kusd"], r["hs6"]))
    # the key product: the largest import among the EC-flagged products at least half from the
    # countries of concern; else the flagged product most from them; else the highest share
    flagged = [r for r in exposed if r["ec_flag"] and r["on_share"] > 0]
    majority = sorted(
        (r for r in flagged if r["on_share"] >= 0.5), key=lambda r: (-r["import_value_kusd"], r["hs6"])
    )
    key = (majority or flagged or exposed)[0] if exposed else None
    who = labels.group(dep.parameters["importer"]["label"])
    year = dep.parameters["year"]
    if key is None:
        section.blocks.append(Gap(f"{who} has no imports of the products asked in {year}"))
        return
    labels.key_product = key["hs6"]
    labels.exposed = [r["hs6"] for r in exposed if r["on_share"] > 0][:5] or [key["hs6"]]
    q = run.quote
    section.headline = sentence(
        "{share} of imports of {product} into {who} come from {concern} ({value} in {year}){flag}.",
        share=q("exposure.dependencies", "on_share", {"hs6": key["hs6"]}),
        who=who,
        product=labels.product(key["hs6"]),
        concern=labels.group(run.concern),
        value=q("exposure.dependencies", "import_value_kusd", {"hs6": key["hs6"]}),
        year=str(year),
        flag="; the EC dependency screen flags it" if key["ec_flag"] else "",
        link=section.id,
    )
    section.findings.append(section.headline)
    dep_sorted = Result(dep.analysis, dep.title, dep.table.take([rows.index(r) for r in exposed]),
                        dep.parameters, dep.provenance, dep.notes, dep.columns)  # fmt: skip
    section.blocks.append(
        ChartBlock(_exposure_bar(dep_sorted, labels, who, labels.group(run.concern), year, key["hs6"]))
    )
    _table(
        section,
        "exposure.dependencies",
        ["hs6", "import_value_kusd", "on_share", "top_supplier", "top_share", "hhi", "ec_flag"],
        title=f"{dep.title} (the {min(12, dep.table.num_rows)} most exposed)",
        labels={"hs6": {r["hs6"]: labels.products.get(r["hs6"], "") for r in exposed}},
        table=dep_sorted.table,
        names={"on_share": f"share from {labels.group(run.concern)}"},
    )

    def summary() -> None:
        if not run.sector:
            return
        by = _call(run, section, "exposure.summary", f"{_DEP}:dependencies", importer=run.importer,
                   on=run.concern, by="technology", **common)  # fmt: skip
        match = [r for r in _rows(by) if r["technology"] == run.sector]
        if match:
            section.findings.append(
                sentence(
                    "{flagged} of the {n} {sector} products {who} imports are flagged by the EC "
                    "dependency screen (concentrated, imported, not matched by exports).",
                    flagged=q("exposure.summary", "n_flagged", {"technology": run.sector}),
                    n=q("exposure.summary", "n_products", {"technology": run.sector}),
                    sector=run.sector,
                    who=who,
                    link=section.id,
                )
            )

    attempt(section, summary)

    def chokepoint() -> None:
        choke = _call(
            run, section, "exposure.chokepoints", f"{_DEP}:chokepoints", year=run.year, sector=run.sector
        )
        mine = [r for r in _rows(choke) if r["hs6"] == key["hs6"]]
        if mine:
            where = {"hs6": key["hs6"]}
            section.findings.append(
                sentence(
                    "{share} of world exports of {product} come from {top} (world HHI {hhi}){verdict}.",
                    share=q("exposure.chokepoints", "top_share", where),
                    product=labels.product(key["hs6"]),
                    top=labels.country(mine[0]["top_exporter"]),
                    hhi=q("exposure.chokepoints", "world_hhi", where),
                    verdict=": a world chokepoint" if mine[0]["chokepoint"] else "",
                    link=section.id,
                )
            )
        _table(
            section,
            "exposure.chokepoints",
            [
                "hs6",
                "world_export_kusd",
                "top_exporter",
                "top_share",
                "top3_share",
                "world_hhi",
                "chokepoint",
            ],
            title=choke.title,
            labels={"hs6": dict(labels.products)},
            limit=10,
        )

    def suppliers() -> None:
        from friendshore.reporting.assets import AssetMissingError, world_topology

        sup = _call(run, section, "exposure.suppliers", "friendshore.analyses.flows:suppliers",
                    importer=run.importer, product=",".join(labels.exposed), year=run.year,
                    members_at=run.members_at)  # fmt: skip
        try:
            topology, _info = world_topology()
        except AssetMissingError as exc:
            section.blocks.append(Gap(f"world map not drawn: {exc}"))
        else:
            section.blocks.append(
                ChartBlock(
                    charts.choropleth(
                        sup,
                        country="exporter",
                        value="share",
                        topology=topology,
                        title=f"Who supplies {who} with its {len(labels.exposed)} most exposed products, {year}",
                        source=_source(sup),
                        name="exposure-map",
                        names=labels.countries,
                        value_title="share of imports of these products",
                    )
                )
            )
        _table(section, "exposure.suppliers", ["exporter", "value_kusd", "share"], title=sup.title,
               labels={"exporter": dict(labels.countries)}, limit=8)  # fmt: skip

    def flows() -> None:
        fl = _call(run, section, "exposure.flows", "friendshore.analyses.flows:flows",
                   product=key["hs6"], year=run.year, top=12)  # fmt: skip
        section.blocks.append(
            ChartBlock(
                charts.flows(
                    fl,
                    origin="exporter",
                    destination="importer",
                    value="value_kusd",
                    title=f"The largest world flows of {labels.product(key['hs6'])}, {year}",
                    source=_source(fl),
                    name="exposure-flows",
                    names=labels.countries,
                )
            )
        )
        _table(
            section,
            "exposure.flows",
            ["exporter", "importer", "value_kusd", "share"],
            title=fl.title,
            limit=12,
        )

    for piece in (chokepoint, suppliers, flows):
        attempt(section, piece)


def _exposure_bar(dep: Result, labels: Labels, who: str, concern: str, year: Any, key: str) -> charts.Chart:
    import pyarrow as pa

    names = [labels.products.get(h, "") for h in dep.table.column("hs6").to_pylist()]
    short = [n if len(n) <= 48 else n[:47].rstrip() + "…" for n in names]
    view = Result(
        dep.analysis, dep.title, dep.table.append_column("__product", pa.array(short, pa.string())),
        dep.parameters, dep.provenance, dep.notes, dep.columns,
    )  # fmt: skip
    return charts.bar(
        view,
        category="hs6",
        value="on_share",
        label="__product",
        title=f"{who}: share of imports from {concern}, {year} (the most exposed products)",
        source=_source(dep),
        name="exposure-bar",
        highlight=[key],
        top=12,
        value_title=f"share of imports from {concern}",
    )


# -- 3. supply risk -------------------------------------------------------------------------------


def supply_risk(run: BriefRun, section: Section, labels: Labels) -> None:
    res = _call(run, section, "risk.supply_risk", "friendshore.analyses.supply_risk:supply_risk",
                importer=run.importer, year=run.year, members_at=run.members_at)  # fmt: skip
    rows = [r for r in _rows(res) if r["supply_risk"] is not None]
    if not rows:
        section.blocks.append(
            Gap(f"no material has a supply-risk score for {run.importer}: {'; '.join(res.notes)}")
        )
        return
    top = max(rows, key=lambda r: (r["supply_risk"], r["material"]))
    where = {"material": top["material"], "stage": top["stage"]}
    q = run.quote
    threshold = res.parameters["sr_threshold"]
    section.headline = sentence(
        "{sr} on the EU scale: {material} ({stage}) is the riskiest critical material for {who} "
        "(the EU's supply-risk threshold is one); {producer} produces {pshare} of the world's supply.",
        sr=q("risk.supply_risk", "supply_risk", where),
        material=top["material"],
        stage=top["stage"],
        who=labels.group(run.importer),
        producer=labels.country(top["top_producer"]),
        pshare=q("risk.supply_risk", "top_producer_share", where),
        link=section.id,
    )
    section.findings.append(section.headline)
    section.blocks.append(
        ChartBlock(
            charts.risk(
                res,
                material="material",
                stage="stage",
                supply_risk="supply_risk",
                economic_importance="economic_importance"
                if "economic_importance" in res.table.column_names
                else None,
                sr_threshold=float(threshold),
                ei_threshold=float(res.parameters["ei_threshold"]),
                title=f"Supply risk of critical materials for {run.importer}, {res.parameters['year']}",
                source=_source(res),
                name="risk",
            )
        )
    )
    ordered = Result(res.analysis, res.title, res.table.sort_by([("supply_risk", "descending")]),
                     res.parameters, res.provenance, res.notes, res.columns)  # fmt: skip
    section.results["risk.supply_risk"] = res
    _table(section, "risk.supply_risk", ["material", "stage", "supply_risk", "hhi_wgi_global", "import_reliance",
           "top_producer", "top_producer_share"], title=res.title, table=ordered.table, limit=15)  # fmt: skip


# -- 4. partners ----------------------------------------------------------------------------------


def partners(run: BriefRun, section: Section, labels: Labels) -> None:
    q = run.quote

    def candidates() -> None:
        if labels.key_product is None:
            section.blocks.append(Gap("no exposed product was found in section 2, so no partner ranking"))
            return
        res = _call(run, section, "partners.candidates", "friendshore.analyses.partners:partners",
                    importer=run.importer, product=labels.key_product, year=run.year, exclude=run.concern,
                    coalition=run.coalition, members_at=run.members_at, top=10,
                    include=[run.partner] if run.partner else [])  # fmt: skip
        rows = _rows(res)
        if not rows:
            section.blocks.append(Gap(f"no candidate exports {labels.product(labels.key_product)}"))
            return
        first = rows[0]
        product = labels.product(labels.key_product)
        mine = [r for r in rows if run.partner and r["candidate"] == run.partner.upper()]
        if mine:
            p = {"candidate": mine[0]["candidate"]}
            section.headline = sentence(
                "Rank {rank} (5-95 % interval {lo} to {hi}): {partner} among the suppliers that could replace "
                "{concern} in {product}; {first} ranks first, and {partner} exports {exports} of it today.",
                rank=q("partners.candidates", "rank_median", p),
                lo=q("partners.candidates", "rank_p05", p),
                hi=q("partners.candidates", "rank_p95", p),
                partner=labels.country(mine[0]["candidate"]),
                concern=labels.group(run.concern),
                product=product,
                first=labels.country(first["candidate"]),
                exports=q("partners.candidates", "export_kusd", p),
                link=section.id,
            )
        else:
            p = {"candidate": first["candidate"]}
            section.headline = sentence(
                "Rank {rank} (5-95 % interval {lo} to {hi}): {first} is the best-placed supplier to replace "
                "{concern} in {product}.",
                rank=q("partners.candidates", "rank_median", p),
                lo=q("partners.candidates", "rank_p05", p),
                hi=q("partners.candidates", "rank_p95", p),
                first=labels.country(first["candidate"]),
                concern=labels.group(run.concern),
                product=product,
                link=section.id,
            )
        section.findings.append(section.headline)
        section.blocks.append(
            ChartBlock(
                charts.rank_intervals(
                    res,
                    candidate="candidate",
                    median="rank_median",
                    low="rank_p05",
                    high="rank_p95",
                    group="in_coalition" if run.coalition else None,
                    highlight=[run.partner.upper()] if run.partner else [],
                    names=labels.countries,
                    title=f"Who could replace {labels.group(run.concern)} in {product}: candidates for "
                    f"{labels.group(run.importer)}"
                    + (f" (squares: {labels.group(run.coalition)} members)" if run.coalition else ""),
                    source=_source(res),
                    name="partners-ranks",
                )
            )
        )
        _table(section, "partners.candidates", ["rank", "candidate", "in_coalition", "export_kusd",
               "share_ex_concern", "wgi_mean", "ideal_point_distance", "rank_p05", "rank_p95"],
               title=res.title)  # fmt: skip

    def coalition() -> None:
        if not run.coalition:
            return
        res = _call(run, section, "partners.coalition", "friendshore.analyses.vocabulary:group_members",
                    name=run.coalition, at=run.members_at)  # fmt: skip
        _table(
            section,
            "partners.coalition",
            ["iso3", "country", "from", "verified", "source"],
            title=res.title,
            limit=20,
        )

    def chips_view() -> None:
        import pyarrow as pa

        over = _call(
            run, section, "partners.chips", "friendshore.analyses.chips:chips", chokepoints_only=True
        )
        named = [
            f"{n}, {c}"
            for n, c in zip(
                over.table.column("input_name").to_pylist(),
                over.table.column("top_country").to_pylist(),
                strict=True,
            )
        ]
        view = Result(over.analysis, over.title, over.table.append_column("__input", pa.array(named, pa.string())),
                      over.parameters, over.provenance, over.notes, over.columns)  # fmt: skip
        section.blocks.append(
            ChartBlock(
                charts.bar(
                    view,
                    category="input_id",
                    label="__input",
                    code_in_label=False,
                    value="top_share",
                    group="stage",
                    title="Chip supply-chain chokepoints: the top country's share at each input (ETO), "
                    "with the top country",
                    source=_source(over),
                    name="partners-chips",
                    top=20,
                    order="descending",
                    value_title="top country's share",
                )
            )
        )
        _table(section, "partners.chips", ["input_name", "stage", "top_country", "top_share", "second_country",
               "second_share", "year"], title=over.title, limit=20)  # fmt: skip
        if run.partner:
            mine = _call(
                run,
                section,
                "partners.chips_partner",
                "friendshore.analyses.chips:chips",
                country=run.partner,
            )
            listed = [r for r in _rows(mine) if r["listed"]]
            if listed:
                _table(section, "partners.chips_partner", ["input_name", "stage", "share", "rank", "top_country",
                       "top_share", "firms"], title=mine.title, limit=15,
                       table=mine.table.filter(mine.table.column("listed")))  # fmt: skip
            section.blocks.append(Sentence((f"{mine.title}: {mine.notes[-1]}.",), section.id))

    def leverage() -> None:
        # Issue 13: friendshore leverage --over CHN --by pax-silica [--sector] [--year]
        if not run.coalition:
            return
        _generic(run, section, "partners.leverage", "friendshore.analyses.leverage:leverage",
                 over=run.concern, by=run.coalition, sector=run.sector, year=run.year,
                 members_at=run.members_at)  # fmt: skip

    for piece in (candidates, coalition, chips_view, leverage):
        attempt(section, piece)


# -- 5. shocks and policy -------------------------------------------------------------------------


def shocks(run: BriefRun, section: Section, labels: Labels) -> None:
    q = run.quote
    tariff_scenario = run.tariff_scenario

    def restriction() -> None:
        # A product-level export restriction: the countries of concern withhold the key product.
        if labels.key_product is None:
            return
        key = "shocks.restriction"
        res = _call(run, section, key, "friendshore.analyses.shocks:restriction", exporter=run.concern,
                    product=labels.key_product, year=run.year, importer=run.importer,
                    members_at=run.members_at)  # fmt: skip
        rows = _rows(res)
        if len(rows) == 1 and rows[0]["value_at_risk_kusd"]:
            row = {"hs6": rows[0]["hs6"], "importer": rows[0]["importer"]}
            text = sentence(
                "{risk} of the imports of {product} into {who} would stop if {concern} withheld their exports "
                "({value}); other suppliers' current exports to third countries could fill {filled}, "
                "leaving {unmet} unmet at first order.",
                risk=q(key, "at_risk_share", row),
                who=labels.group(run.importer),
                product=labels.product(labels.key_product),
                concern=labels.group(run.concern),
                value=q(key, "value_at_risk_kusd", row),
                filled=q(key, "filled_kusd", row),
                unmet=q(key, "unmet_kusd", row),
                link=section.id,
            )
            section.headline = text
            section.findings.append(text)
        _table(section, key, res.key_columns(), title=res.title)

    def tariff() -> None:
        if tariff_scenario is None:
            return
        if not Path(tariff_scenario).is_file():
            section.blocks.append(Gap(f"tariff scenario {tariff_scenario} not found"))
            return
        res = _call(run, section, "shocks.tariff", "friendshore.analyses.gravity:simulate",
                    scenario=Path(tariff_scenario), output="diversion")  # fmt: skip
        target = res.parameters["importer"]
        hit = [e for c in res.parameters["changes"] for e in c.get("exporters") or []]
        rows = _rows(res)
        gainers = sorted((r for r in rows if r["exporter"] not in hit), key=lambda r: -r["trade_change_pct"])
        loser = [r for r in rows if r["exporter"] in hit]
        if loser and gainers:
            text = sentence(
                "{loss} change in {who}'s exports to {target} under '{name}'; trade diverts to other "
                "suppliers, led by {gainer} ({gain}).",
                loss=q("shocks.tariff", "trade_change_pct", {"exporter": loser[0]["exporter"]}),
                who=labels.country(loser[0]["exporter"]),
                target=labels.country(target),
                name=res.parameters["name"] or Path(tariff_scenario).name,
                gainer=labels.country(gainers[0]["exporter"]),
                gain=q("shocks.tariff", "trade_change_pct", {"exporter": gainers[0]["exporter"]}),
                link=section.id,
            )
            section.headline = section.headline or text
            section.findings.append(text)
        section.blocks.append(ChartBlock(_named_bar(res, labels, target, hit)))
        ordered = res.table.sort_by([("trade_change_pct", "descending")])
        _table(section, "shocks.tariff", ["exporter", "trade_baseline", "trade_counterfactual", "trade_change_pct"],
               title=res.title, labels={"exporter": dict(labels.countries)}, table=ordered, limit=10)  # fmt: skip

    for piece in (restriction, tariff):
        attempt(section, piece)
    if section.headline is None and not section.blocks:
        section.blocks.append(Gap("no scenario was run"))


def _named_bar(res: Result, labels: Labels, target: Any, hit: list[str]) -> charts.Chart:
    import pyarrow as pa

    names = [labels.country(c) for c in res.table.column("exporter").to_pylist()]
    view = Result(res.analysis, res.title, res.table.append_column("__name", pa.array(names, pa.string())),
                  res.parameters, res.provenance, res.notes, res.columns)  # fmt: skip
    return charts.bar(
        view,
        category="exporter",
        value="trade_change_pct",
        label="__name",
        title=f"{res.parameters['name']}: change in each exporter's sales to {labels.country(target)}",
        source=_source(res),
        name="shocks-tariff",
        highlight=hit,
        top=12,
        order="descending",
        value_title=f"change in exports to {target}, structural gravity GE",
    )


# -- 6. plan against reshoring -------------------------------------------------------------------


def plan(run: BriefRun, section: Section, labels: Labels) -> None:
    q = run.quote

    def reshoring() -> None:
        kwargs: dict[str, Any] = (
            {"sector": run.sector} if run.sector else {"product": ",".join(labels.exposed)}
        )
        res = _call(run, section, "plan.reshoring", "friendshore.analyses.partners:reshoring",
                    importer=run.importer, exclude=run.concern, coalition=run.coalition, year=run.year,
                    members_at=run.members_at, **kwargs)  # fmt: skip
        rows = _rows(res)
        total = [r for r in rows if r["hs6"] == "all"] or rows[:1]
        if total:
            where = {"hs6": total[0]["hs6"]}
            section.headline = sentence(
                "{home} of the imports from {concern} into {who} ({value}) could be covered by {who} itself "
                "from today's exports, {coal} by {coalition} and {others} by others; {gap} by no one.",
                home=q("plan.reshoring", "home_share", where),
                who=labels.group(run.importer),
                concern=labels.group(run.concern),
                value=q("plan.reshoring", "imports_from_concern_kusd", where),
                coal=q("plan.reshoring", "coalition_share", where),
                coalition=labels.group(run.coalition) if run.coalition else "the coalition",
                others=q("plan.reshoring", "others_share", where),
                gap=q("plan.reshoring", "uncovered_share", where),
                link=section.id,
            )
            section.findings.append(section.headline)
        section.blocks.append(ChartBlock(_reshoring_chart(res, labels)))
        _table(section, "plan.reshoring", ["hs6", "imports_from_concern_kusd", "home_share", "coalition_share",
               "others_share", "uncovered_share"], title=res.title, labels={"hs6": dict(labels.products)})  # fmt: skip

    def planner() -> None:
        if not run.plan_example:
            return
        res = _call(run, section, "plan.plan", "friendshore.analyses.plan:plan", example=run.plan_example,
                    sensitivity=PLAN_DRAWS, seed=0)  # fmt: skip
        rows = {r["strategy"]: r for r in _rows(res)}
        friend, home = rows.get("friendshoring"), rows.get("reshoring")
        if friend and home and friend["status"] == "optimal" and home["status"] == "optimal":
            f, h = {"strategy": "friendshoring"}, {"strategy": "reshoring"}
            headline = sentence(
                "{cost} to cut the countries-of-concern share from {before} to {after} by friend-shoring "
                "(5-95 % interval {lo} to {hi}), against {home} by reshoring ({hlo} to {hhi}), in the plan "
                "'{name}'.",
                cost=q("plan.plan", "total_cost", f),
                before=q("plan.plan", "concern_share_before", f),
                after=q("plan.plan", "concern_share_after", f),
                lo=q("plan.plan", "cost_p05", f),
                hi=q("plan.plan", "cost_p95", f),
                home=q("plan.plan", "total_cost", h),
                hlo=q("plan.plan", "cost_p05", h),
                hhi=q("plan.plan", "cost_p95", h),
                name=res.parameters.get("name") or run.plan_example,
                link=section.id,
            )
            section.findings.insert(0, headline)
            if section.headline is not None:
                section.blocks.insert(0, section.headline)  # the reshoring comparison becomes a paragraph
            section.headline = headline
        section.blocks.append(
            ChartBlock(
                charts.bar(
                    res,
                    category="strategy",
                    value="total_cost",
                    title=f"Cost of each strategy: {res.title}",
                    source=_source(res),
                    name="plan-costs",
                    highlight=["friendshoring"],
                    top=None,
                )
            )
        )
        _table(section, "plan.plan", ["strategy", "status", "total_cost", "cost_p05", "cost_p95",
               "cheapest_share", "concern_share_after", "shortfall_share"], title=res.title)  # fmt: skip
        parts = res.tables.get("partners")
        if parts is not None and parts.num_rows:
            import pyarrow.compute as pc

            mine = parts.filter(pc.equal(parts.column("strategy"), "friendshoring"))
            who = [r for r in mine.to_pylist() if run.partner and r["country"] == run.partner]
            if who:
                where = {"strategy": "friendshoring", "hs6": who[0]["hs6"], "country": who[0]["country"]}
                section.findings.insert(
                    1,
                    sentence(
                        "{value}: what {partner} supplies over the plan in the friend-shoring strategy, "
                        "{built} {unit} of new capacity included.",
                        value=q("plan.plan", "supplied_value_kusd", where, table="partners", unit="kusd"),
                        partner=labels.country(run.partner),
                        built=q("plan.plan", "capacity_built", where, table="partners", unit="number"),
                        unit=str(who[0]["unit"]),
                        link=section.id,
                    ),
                )
            _table(section, "plan.plan", ["hs6", "country", "role", "supplied_value_kusd", "capacity_built", "unit",
                   "partner_rank"], title="Each partner's part in the friend-shoring strategy",
                   table=mine, labels={"country": dict(labels.countries)}, notes=False)  # fmt: skip

    for piece in (reshoring, planner):
        attempt(section, piece)


def _reshoring_chart(res: Result, labels: Labels) -> charts.Chart:
    import pyarrow as pa
    import pyarrow.compute as pc

    # the products in the result's order (largest imports from the countries of concern first)
    table = res.table.filter(pc.not_equal(res.table.column("hs6"), "all")).slice(0, 15)
    parts = ["home_share", "coalition_share", "others_share", "uncovered_share"]
    rows = []
    for row in table.to_pylist():
        for part in parts:
            rows.append({"hs6": row["hs6"], "part": res.column(part).title, "share": row[part],
                         "imports_from_concern_kusd": row["imports_from_concern_kusd"]})  # fmt: skip
    long = pa.Table.from_pylist(rows) if rows else pa.table({"hs6": [], "part": [], "share": []})
    from friendshore.analyses.result import Column

    view = Result(res.analysis, res.title, long, res.parameters, res.provenance, res.notes,
                  (Column("hs6", "HS6", "code"), Column("part", "filled by", "text"), Column("share", "share", "share")))  # fmt: skip
    return charts.stacked(
        view,
        category="hs6",
        part="part",
        value="share",
        labels={h: labels.product(h) for h in table.column("hs6").to_pylist()},
        title=f"Who could replace the imports from {labels.group(res.parameters['exclude']['label'])} into "
        f"{labels.group(res.parameters['importer']['label'])}: the {table.num_rows} largest products",
        source=_source(res),
        name="plan-reshoring",
        value_title="share of the imports from countries of concern",
        order=[res.column(p).title for p in parts],
    )


# -- 7. commitments -------------------------------------------------------------------------------

#: How the register's facility kinds read in a sentence.
_FACILITY = {
    "osat": "OSAT/ATMP plant",
    "design": "design centre",
    "magnet-plant": "magnet plant",
    "fab": "fab",
}


def commitments(run: BriefRun, section: Section, labels: Labels) -> None:
    q = run.quote
    countries = [c for c in (run.partner, run.importer) if c]
    for code in countries:

        def investments(code: str = code) -> None:
            key = f"register.{code.lower()}"
            res = _call(run, section, key, "friendshore.analyses.register:register_investments",
                        country=code, active_at=run.members_at)  # fmt: skip
            rows = [r for r in _rows(res) if r.get("amount_million") is not None]
            if rows and section.headline is None:
                top = max(rows, key=lambda r: (r["amount_million"], r["id"]))
                section.headline = sentence(
                    "{amount} million {currency}: {company}'s {facility} in {country} ({status} on {date}), the "
                    "largest commitment the register holds for {country}.",
                    amount=q(key, "amount_million", {"id": top["id"]}),
                    currency=str(top["currency"]),
                    company=str(top["company"]),
                    facility=_FACILITY.get(str(top["facility"]), str(top["facility"])),
                    country=labels.country(code),
                    status=str(top["status"]),
                    date=str(res.parameters.get("active_at") or "today"),
                    link=section.id,
                )
                section.findings.append(section.headline)
            if res.table.num_rows == 0:
                section.blocks.append(Gap(f"the register holds no investment in {labels.country(code)}"))
                return
            _table(section, key, ["company", "facility", "technology", "status", "announced", "operation_start",
                   "amount_million", "currency", "verified"], title=f"{res.title}: {labels.country(code)}")  # fmt: skip

        attempt(section, investments)


# -- the list -----------------------------------------------------------------------------------

SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec("exposure", "Exposure", "Where are we exposed, and how badly?", exposure),
    SectionSpec(
        "supply-risk",
        "Critical-material supply risk",
        "How risky is each critical material for us?",
        supply_risk,
    ),
    SectionSpec("partners", "Partners", "Who can help?", partners),
    SectionSpec(
        "shocks", "Shocks and policy", "What would a restriction or a tariff do, and who gains?", shocks
    ),
    SectionSpec("plan", "Coalition plan against reshoring", "What would it cost, and who does what?", plan),
    SectionSpec("commitments", "Commitments", "What is already committed?", commitments),
)
