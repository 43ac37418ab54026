"""The value chains of a brief from the reader's position: critical minerals (mining, refining,
products) and chips (design, fabrication, assembly and test, tools), with the register's plants.

One row per stage: how many items the stage holds in the data, in how many the reader has any
production or share, its largest share and where, the trade codes (HS 2017) that carry the stage,
the year of the data and its source. Built from the supply-risk result (USGS/BGS production per
material, mining and refining), the dependencies and chokepoints results (the reader's exports of
the products stage, the taxonomy's critical-minerals components such as permanent magnets 850511,
as a share of world exports), the ETO chip result (each input's countries and shares) with the
ETO-to-HS6 crosswalk (``nomenclature/eto_hs6``) for the chip stages' codes, plus the register's
investments in the reader.

The reader's position in trade at each stage with goods: ``stage_trade`` (an analysis of its own,
called by the brief's evidence) gives the reader's share of world exports of the stage's codes
together, by value, in the trade year (``metrics.chips.chip_trade`` with the stage in place of an
ETO input). A stage with a code whose world flows are not loaded gets no share (unknown, not zero);
design is a service and has no code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.docs import documented
from friendshore.analyses.result import Column, Result
from friendshore.nomenclature.labels import facility_label, product_label
from friendshore.settings import Settings

__all__ = ["CHAIN_COLUMNS", "chain_table", "stage_codes", "stage_trade"]

#: What a stage without trade codes is.
SERVICE = "none (a service, not a good)"
#: The base of the reader's share of a stage's trade.
TRADE_BASIS = "world exports of the stage's trade codes together, by value"

#: The chip stages people read, from the ETO stage and input type.
_CHIP_STAGES = (
    ("Design", "design"),
    ("Fabrication", "fabrication"),
    ("Assembly, testing, and packaging (ATP)", "assembly and test (OSAT)"),
)
#: The register's facility kinds at each chip stage.
_FACILITIES = {"design": ("design",), "fabrication": ("fab",), "assembly and test (OSAT)": ("osat",),
               "tools": (), "mining": ("mine", "smelter"), "refining": ("refinery", "smelter"),
               "products (magnets)": ("magnet-plant",)}  # fmt: skip
#: The taxonomy's stage of the critical-minerals sector behind each mineral stage of the chain.
_MINERAL_STAGES = (("mining", "ore"), ("refining", "refined"), ("products (magnets)", "component"))

#: The publishers of the production data, as people know them (the warehouse's source ids).
_PUBLISHERS = {"usgs-mcs": "USGS", "bgs": "BGS"}

CHAIN_COLUMNS = (
    Column("chain", "value chain", "text", True),
    Column("stage", "stage", "text", True),
    Column("n_items", "items in the data", "count", True),
    Column("n_reader", "items where the reader produces", "count", True),
    Column(
        "reader_best_share",
        "reader's largest share",
        "share",
        True,
        basis="chips: the ETO input's world total (sales, capacity or design, by firm location); products: world "
        "exports of the product, by value",
    ),
    Column("reader_best_item", "where", "text", True),
    Column(
        "codes",
        "trade codes (HS 2017)",
        "text",
        True,
        description="the HS6 codes that carry the stage (taxonomy; chips: the ETO-to-HS6 crosswalk, codes that "
        "hold more than the stage's goods included)",
    ),
    Column(
        "export_share",
        "share of world exports",
        "share",
        True,
        description="the reader's exports of the stage's trade codes (null: a service, or a code not loaded)",
        basis=TRADE_BASIS,
        year_column="trade_year",
    ),
    Column("export_kusd", "the reader's exports", "kusd", year_column="trade_year"),
    Column("world_export_kusd", "world exports", "kusd", year_column="trade_year"),
    Column("trade_year", "trade year", "year"),
    Column("plants", "the register's plants in the reader", "text", True),
    Column("n_plants", "plants in the register", "count"),
    Column("n_operating", "of which operating", "count"),
    Column("operating", "operating plants", "text"),
    Column("year", "data year", "year", True),
    Column("source", "source", "text", True),
)


def _codes(sector: str, stage: str) -> list[str]:
    from friendshore.nomenclature.taxonomy import sector_codes

    return sorted(sector_codes(sector, stage))


def _products_row(exposure: Result | None, chokepoints: Result | None) -> dict[str, Any] | None:
    """The products stage: the reader's exports of the taxonomy's critical-mineral components as a
    share of world exports (trade, the brief's year)."""
    codes = _codes("critical-minerals", "component")
    if exposure is None or chokepoints is None or not codes:
        return None
    mine = {r["hs6"]: r for r in exposure.rows() if r["hs6"] in codes}
    world = {r["hs6"]: r for r in chokepoints.rows() if r["hs6"] in codes}
    shares = {h: float(mine[h]["export_kusd"] or 0.0) / float(world[h]["world_export_kusd"])
              for h in codes if h in mine and h in world and world[h]["world_export_kusd"]}  # fmt: skip
    if not shares:
        return None
    best = max(shares, key=lambda h: (shares[h], h))
    year = exposure.parameters.get("year")
    return {
        "chain": "critical minerals",
        "stage": "products (magnets)",
        "n_items": len(codes),
        "n_reader": sum(1 for v in shares.values() if v > 0),
        "reader_best_share": shares[best],
        "reader_best_item": product_label(best) or best,
        "codes": ", ".join(codes),
        "year": year if isinstance(year, int) else None,
        "source": "BACI (trade)",
    }


def _mineral_rows(risk: Result | None, reader: str) -> list[dict[str, Any]]:
    if risk is None:
        return []
    rows = risk.rows()
    out = []
    for stage, taxonomy_stage in _MINERAL_STAGES[:2]:
        items = [r for r in rows if r["stage"] == stage]
        if not items:
            continue
        producing = [r for r in items if (r.get("importer_production") or 0) > 0]
        best = max(producing, key=lambda r: (r["importer_production"], r["material"]), default=None)
        years = sorted({int(r["production_year"]) for r in items if r.get("production_year")})
        sources = sorted({_PUBLISHERS.get(str(r["production_source"]), str(r["production_source"]).upper())
                          for r in items if r.get("production_source")})  # fmt: skip
        out.append(
            {
                "chain": "critical minerals",
                "stage": stage,
                "n_items": len(items),
                "n_reader": len(producing),
                "reader_best_share": None,
                "reader_best_item": str(best["material"]) if best else None,
                "codes": ", ".join(_codes("critical-minerals", taxonomy_stage)),
                "year": years[-1] if years else None,
                "source": " and ".join(sources) + (f" ({years[0]} to {years[-1]})" if len(years) > 1 else ""),
                "_reader": reader,
            }
        )
    return out


def _eto_codes(items: list[dict[str, Any]]) -> str:
    """The HS6 codes the ETO-to-HS6 crosswalk gives the ``items`` (inputs or stages), in code order."""
    from friendshore.nomenclature.eto_hs6 import load_eto_hs6

    wanted = {str(r["input_id"]) for r in items}
    return ", ".join(
        sorted({str(r["hs6"]) for r in load_eto_hs6().to_pylist() if r["input_id"] in wanted and r["hs6"]})
    )


def _chip_groups(chips: Result | None) -> list[tuple[str, list[dict[str, Any]], str]]:
    """Each chip stage: its name, its ETO items and its trade codes (what leaves the ETO stage and
    its materials; tools: the tools')."""
    if chips is None or "listed" not in chips.table.column_names:
        return []
    stages = [r for r in chips.rows() if r["type"] == "stage"]
    rows = [r for r in chips.rows() if r["type"] != "stage"]
    groups: list[tuple[str, list[dict[str, Any]]]] = [
        (name, [r for r in rows if r["type"] != "tool_resource" and eto in str(r["stage"]).split("; ")])
        for eto, name in _CHIP_STAGES
    ]
    groups.append(("tools", [r for r in rows if r["type"] == "tool_resource"]))
    out = []
    for name, items in groups:
        eto = next((e for e, n in _CHIP_STAGES if n == name), None)
        carried = ([r for r in stages if r["stage"] == eto] + [r for r in items if r["type"] == "material_resource"]
                   if eto else items)  # fmt: skip
        out.append((name, items, _eto_codes(carried)))
    return out


def stage_codes(chips: Result | None) -> dict[str, list[str]]:
    """The trade codes (HS6) of every stage with goods, by stage: the mineral stages' from the
    taxonomy, the chip stages' from the ETO-to-HS6 crosswalk (``chips``: the ETO result of a country)."""
    out = {stage: _codes("critical-minerals", taxonomy_stage) for stage, taxonomy_stage in _MINERAL_STAGES}
    out.update({name: codes.split(", ") for name, _, codes in _chip_groups(chips) if codes})
    return {stage: codes for stage, codes in out.items() if codes}


def _chip_rows(chips: Result | None) -> list[dict[str, Any]]:
    out = []
    for name, items, codes in _chip_groups(chips):
        listed = [r for r in items if r["listed"]]
        best = max(listed, key=lambda r: (r["share"] or 0.0, r["input_name"]), default=None)
        years = sorted({int(r["year"]) for r in items if r.get("year")})
        out.append(
            {
                "chain": "chips",
                "stage": name,
                "codes": codes or SERVICE,
                "n_items": len(items),
                "n_reader": len(listed),
                "reader_best_share": best["share"] if best else None,
                "reader_best_item": str(best["input_name"]) if best else None,
                "year": years[-1] if years else None,
                "source": "CSET ETO" + (f" ({years[0]} to {years[-1]})" if len(years) > 1 else ""),
            }
        )
    return out


_TRADE_COLUMNS = [
    Column("stage", "stage", "text", True),
    Column("codes", "trade codes (HS 2017)", "text", True),
    Column("world_export_kusd", "world exports", "kusd", True),
    Column("export_kusd", "the country's exports", "kusd", True),
    Column("export_share", "share of world exports", "share", True, basis=TRADE_BASIS),
    Column("top_exporter", "top exporter", "code", True),
    Column("top_exporter_share", "top exporter's share", "share", True, basis=TRADE_BASIS),
]


@documented(year="trade_year")
def stage_trade(
    settings: Settings, *, country: str, stages: Mapping[str, Sequence[str]], year: int | None = None
) -> Result:
    """A country's share of world exports of each value-chain stage's trade codes together.

    One row per stage: world exports of the stage's HS6 codes (every exporter to every other
    country), the country's exports of them and its share, and the top exporter, by value, in the
    trade year. A stage with a code whose world flows are not loaded gets nulls (unknown, not zero).

    Parameters
    ----------
    country
        ISO3 code of the exporter whose position is read.
    stages
        The stages and their HS6 codes (``stage_codes``).
    year
    """
    import ibis

    from friendshore.analyses.context import open_context
    from friendshore.analyses.coverage import trade_coverage
    from friendshore.metrics.chips import chip_trade

    ctx = open_context(settings)
    trade_year = ctx.check_year(year)
    code = country.strip().upper()
    pairs = sorted({(str(s), str(h)) for s, codes in stages.items() for h in codes if h})
    codes = sorted({h for _, h in pairs})
    cover = trade_coverage(ctx, year=trade_year, hs6=codes)
    found: dict[str, dict[str, Any]] = {}
    if pairs:
        crosswalk = pa.table({"input_id": [s for s, _ in pairs], "hs6": [h for _, h in pairs]})
        expr = chip_trade(ctx.table("trade"), ibis.memtable(crosswalk), country=code, year=trade_year,
                          imports_known=False, world_known=sorted(cover.world))  # fmt: skip
        found = {r["input_id"]: r for r in expr.to_pyarrow().to_pylist()}
    rows = []
    notes = []
    for stage, stage_codes_ in stages.items():
        r = found.get(stage, {})
        world, share = r.get("world_export_kusd"), r.get("export_share")
        missing = sorted(set(stage_codes_) - cover.world)
        if missing:
            notes.append(f"The world's exports of {', '.join(missing)} ({stage}) in {trade_year} are not loaded: "
                         "the reader's share of the stage's exports is unknown")  # fmt: skip
        rows.append({
            "stage": stage, "codes": ", ".join(stage_codes_), "world_export_kusd": world,
            "export_kusd": world * share if world is not None and share is not None else None,
            "export_share": share, "top_exporter": r.get("top_exporter"),
            "top_exporter_share": r.get("top_exporter_share"),
        })  # fmt: skip
    schema = pa.schema([("stage", pa.string()), ("codes", pa.string()), ("world_export_kusd", pa.float64()),
                        ("export_kusd", pa.float64()), ("export_share", pa.float64()),
                        ("top_exporter", pa.string()), ("top_exporter_share", pa.float64())])  # fmt: skip
    table = pa.Table.from_pylist(rows, schema=schema)
    notes += ctx.trade_notes()
    return Result(
        "stage_trade",
        f"{code}'s share of world exports along the value chain, {trade_year}",
        table,
        {"country": code, "stages": {k: list(v) for k, v in stages.items()}, "year": trade_year},
        ctx.provenance(),
        tuple(notes),
        describe(table, key=[c.name for c in _TRADE_COLUMNS], extra=_TRADE_COLUMNS),
    )


def _at(stage: str, investments: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    kinds = _FACILITIES.get(stage, ())
    return [r for r in investments if r.get("facility") in kinds and r.get("status") != "cancelled"]


def _plants(stage: str, investments: Sequence[Mapping[str, Any]]) -> str | None:
    found = [
        f"{r['company']} {facility_label(str(r['facility']))}, {r['status'].replace('-', ' ')}"
        for r in _at(stage, investments)
    ]
    return "; ".join(found) or None


def chain_table(
    risk: Result | None,
    chips: Result | None,
    investments: Result | None,
    reader: str,
    exposure: Result | None = None,
    chokepoints: Result | None = None,
    trade: Result | None = None,
) -> pa.Table:
    """The value-chain table of the brief (see the module docstring); ``trade``: the reader's
    ``stage_trade``."""
    products = _products_row(exposure, chokepoints)
    rows = _mineral_rows(risk, reader) + ([products] if products else []) + _chip_rows(chips)
    plants = investments.rows() if investments is not None else []
    traded = {r["stage"]: r for r in trade.rows()} if trade is not None else {}
    trade_year = trade.parameters.get("year") if trade is not None else None
    for row in rows:
        row.pop("_reader", None)
        stage_trade_ = traded.get(str(row["stage"]), {})
        row["export_share"] = stage_trade_.get("export_share")
        row["export_kusd"] = stage_trade_.get("export_kusd")
        row["world_export_kusd"] = stage_trade_.get("world_export_kusd")
        row["trade_year"] = trade_year if stage_trade_ else None
        row["plants"] = _plants(str(row["stage"]), plants)
        here = _at(str(row["stage"]), plants)
        running = [r for r in here if r.get("status") == "operating"]
        row["n_plants"], row["n_operating"] = len(here), len(running)
        row["operating"] = (
            "; ".join(
                f"{r['company']}, {r.get('site') or r['country']}"
                + ("" if r.get("verified") else ", not confirmed")
                for r in running
            )
            or None
        )
    schema = pa.schema(
        [
            ("chain", pa.string()),
            ("stage", pa.string()),
            ("n_items", pa.int64()),
            ("n_reader", pa.int64()),
            ("reader_best_share", pa.float64()),
            ("reader_best_item", pa.string()),
            ("codes", pa.string()),
            ("export_share", pa.float64()),
            ("export_kusd", pa.float64()),
            ("world_export_kusd", pa.float64()),
            ("trade_year", pa.int64()),
            ("plants", pa.string()),
            ("n_plants", pa.int64()),
            ("n_operating", pa.int64()),
            ("operating", pa.string()),
            ("year", pa.int64()),
            ("source", pa.string()),
        ]
    )
    return pa.Table.from_pylist([{f.name: r.get(f.name) for f in schema} for r in rows], schema=schema)
