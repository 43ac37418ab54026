"""The semiconductor supply chain (ETO): shares per input, chokepoints, a country's position.

Method and data: ``friendshore.metrics.chips`` (CSET/ETO Advanced Semiconductor Supply Chain
Dataset; chokepoint after SIA & BCG 2021).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.columns import describe
from friendshore.analyses.context import Context, open_context
from friendshore.analyses.coverage import flows_loaded, possessive
from friendshore.analyses.result import Column, Result
from friendshore.errors import UserError
from friendshore.metrics.parameters import DEFAULT_CHOKEPOINT_SHARE, require_number
from friendshore.nomenclature.labels import label_of
from friendshore.settings import Settings

if TYPE_CHECKING:
    import ibis

__all__ = ["chips"]


def chips(
    settings: Settings,
    *,
    input_name: str | None = None,
    country: str | None = None,
    threshold: float = DEFAULT_CHOKEPOINT_SHARE,
    chokepoints_only: bool = False,
    with_trade: bool = False,
    year: int | None = None,
) -> Result:
    """The semiconductor supply chain from the ETO tables.

    No option: every input with its top countries and a ``chokepoint`` flag; ``country``: that
    country's position at every input; ``input_name`` (an ETO id or part of a name): the input's
    providers, countries and firms (of ``country`` only when it is given too). ``with_trade``
    (with ``country`` or alone) puts beside ETO's shares the trade in the HS6 codes that carry each
    input (``nomenclature/data/eto_hs6.csv``) in ``year`` (default: the latest loaded): world
    exports and their top exporter, the country's share of them, and the country's imports with
    their top supplier and HHI.

    Parameters
    ----------
    input_name
        An ETO input: its id (N20) or part of its name (EUV).
    country
        ISO3 code: that country's position at every input.
    threshold
        Single-country share above which an input is a chokepoint.
    chokepoints_only
        Only the chokepoint inputs.
    with_trade
        Beside ETO's shares, trade in the HS6 codes that carry each input (world and --country).
    year
        With --with-trade: trade year (default: the latest loaded).
    """
    from friendshore.metrics.chips import (
        chip_overview,
        chip_position,
        chip_providers,
        input_stages,
        match_inputs,
    )

    require_number(threshold, "the chokepoint threshold", minimum=0.0, maximum=1.0)
    if threshold == 0:
        raise UserError("the chokepoint threshold is a share in (0, 1], got 0")
    if with_trade and input_name is not None:
        raise UserError("--with-trade goes with --country or alone, not with --input")
    ctx = open_context(settings)
    inputs = ctx.table("chip_inputs")
    provision = ctx.table("chip_provision")
    nodes = inputs.select("input_id", "input_name", "stage_name").to_pyarrow().to_pylist()
    sequence = ctx.optional("chip_sequence")
    edges = sequence.select("input_id", "related_id").to_pyarrow().to_pylist() if sequence is not None else []
    stages = input_stages(nodes, edges)
    notes = [
        "ETO's regional rows (EUR, 'Various countries') are not single countries and are left out of "
        "country shares; vintages differ by input (column year)",
    ]
    code = country.upper() if country else None
    if input_name is not None:
        ids = match_inputs(nodes, input_name)
        table = (
            chip_providers(provision, input_ids=ids, country=code)
            .to_pandas()
            .assign(_unknown=lambda f: f["share"].isna())
            .sort_values(
                ["input_id", "provider_type", "_unknown", "share", "provider_name"],
                ascending=[True, True, True, False, True],
                kind="stable",
            )
            .drop(columns="_unknown")
        )
        table = pa.Table.from_pandas(table, preserve_index=False)
        title = f"Providers of {', '.join(ids)}" + (f" based in {code}" if code else "")
        if table.num_rows == 0:
            notes.append(f"ETO lists no provider based in {code} for {', '.join(ids)}")
    elif code is not None:
        table = chip_position(inputs, provision, country=code).to_pyarrow().sort_by("input_id")
        firms = _firm_names(provision, code)
        table = table.append_column(
            "firms", pa.array([firms.get(i, "") for i in table.column("input_id").to_pylist()])
        )
        title = f"Position of {code} in the semiconductor supply chain (ETO)"
        listed = pc.sum(table.column("listed").cast(pa.int64())).as_py() or 0
        with_firms = sum(1 for i in table.column("input_id").to_pylist() if firms.get(i))
        if listed == 0 and with_firms == 0:
            notes.append(
                f"ETO lists {code} for none of the {table.num_rows} inputs with country data, and no firm "
                f"based in {code}: no measured share at any stage"
            )
        else:
            notes.append(
                f"{code} is listed as a country for {listed} of {table.num_rows} inputs; its firms for {with_firms}"
            )
    else:
        expr = chip_overview(inputs, provision, threshold=threshold)
        if chokepoints_only:
            expr = expr.filter(expr.chokepoint.fill_null(False))
        table = (
            expr.to_pandas()
            .assign(_unknown=lambda f: f["top_share"].isna())
            .sort_values(["_unknown", "top_share", "input_id"], ascending=[True, False, True], kind="stable")
            .drop(columns="_unknown")
        )
        table = pa.Table.from_pandas(table, preserve_index=False)
        n = pc.sum(table.column("chokepoint").fill_null(False).cast(pa.int64())).as_py() or 0
        title = f"Semiconductor supply-chain inputs (ETO): {n} with one country above {threshold:.0%}"
        notes.append(
            f"chokepoint = one country holds more than {threshold:.0%} (SIA & BCG 2021 count points where one "
            "region holds more than 65%)"
        )
    ids = table.column("input_id").to_pylist()
    table = table.add_column(
        table.schema.get_field_index("input_name") + 1, "stage", pa.array([stages.get(i, "") for i in ids])
    )
    if input_name is not None:
        keys = [
            "input_id",
            "input_name",
            "stage",
            "provider_name",
            "provider_type",
            "country",
            "share",
            "year",
        ]
    elif code is not None:
        keys = [
            "input_id",
            "input_name",
            "stage",
            "listed",
            "share",
            "rank",
            "top_country",
            "top_share",
            "firms",
        ]
    else:
        keys = ["input_id", "input_name", "stage", "top_country", "top_share", "second_country", "second_share",
                "chokepoint", "year"]  # fmt: skip
    parameters: dict[str, object] = {
        "input": input_name,
        "country": code,
        "threshold": threshold,
        "chokepoints_only": chokepoints_only,
    }
    trade_year: int | None = None
    if with_trade:
        table, trade_keys, trade_year = _with_trade(ctx, table, code, year, notes)
        keys = [*keys, *trade_keys]
        parameters.update({"with_trade": True, "year": trade_year})
    return Result(
        "chips",
        title,
        table,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(table, key=keys, extra=_chip_columns(code, trade_year)),
    )


def _chip_columns(code: str | None, trade_year: int | None) -> list[Column]:
    """The shares of the chip tables with their bases; ETO's year is per row (column ``year``)."""
    eto = "the input's world total as ETO measures it (sales, capacity or design, by firm location)"
    world = "world exports of the input's HS6 codes, by value"
    out = [
        Column("share", "share", "share", description="ETO's share", basis=eto, year_column="year"),
        Column(
            "top_share",
            "top share",
            "share",
            description="the top country's ETO share",
            basis=eto,
            year_column="year",
        ),
        Column(
            "second_share",
            "second share",
            "share",
            description="the second country's ETO share",
            basis=eto,
            year_column="year",
        ),
        Column(
            "top_exporter_share",
            "top exporter's share",
            "share",
            description="in trade",
            basis=world,
            year=trade_year,
        ),
        Column(
            "export_share",
            "share of world exports",
            "share",
            description=f"{code or 'the country'}'s share",
            basis=world,
            year=trade_year,
        ),
        Column("world_export_kusd", "world exports", "kusd", year=trade_year),
        Column("import_value_kusd", "imports", "kusd", year=trade_year),
    ]
    if code is not None:
        out.append(
            Column(
                "top_supplier_share",
                "top supplier's share",
                "share",
                description="in trade",
                basis=f"{possessive(label_of(code))} imports of the input's HS6 codes, by value",
                year=trade_year,
            )
        )
    return out


_TRADE_KEYS = ["hs6", "top_exporter", "top_exporter_share", "export_share", "import_value_kusd", "top_supplier",
               "top_supplier_share"]  # fmt: skip


def _with_trade(
    ctx: Context, table: pa.Table, code: str | None, year: int | None, notes: list[str]
) -> tuple[pa.Table, list[str], int]:
    """``table`` with the trade columns of ``chip_trade`` for each input's HS6 codes."""
    import ibis

    from friendshore.analyses.coverage import trade_coverage
    from friendshore.metrics.chips import chip_trade
    from friendshore.nomenclature.eto_hs6 import load_eto_hs6

    trade = ctx.table("trade")
    trade_year = ctx.check_year(year)
    crosswalk = load_eto_hs6()
    rows = crosswalk.to_pylist()
    codes = sorted({r["hs6"] for r in rows if r["hs6"]})
    cover = trade_coverage(ctx, year=trade_year, hs6=codes, members=[code] if code else [])
    # only the rows with a code: a null in a memtable does not survive the trip to Spark as a null
    mapped = crosswalk.filter(pc.is_valid(crosswalk.column("hs6"))).select(["input_id", "hs6"])
    expr = chip_trade(
        trade,
        ibis.memtable(mapped),
        country=code,
        year=trade_year,
        imports_known=sorted(cover.imports),
        world_known=sorted(cover.world),
    )
    found = {r["input_id"]: r for r in expr.to_pyarrow().to_pylist()}
    per: dict[str, dict[str, str]] = {}
    for r in rows:
        item = per.setdefault(r["input_id"], {"hs6": "", "fit": r["fit"], "trade_basis": r["basis"]})
        if r["hs6"]:
            item["hs6"] = "; ".join(filter(None, [item["hs6"], r["hs6"]]))
    ids = table.column("input_id").to_pylist()
    table = table.append_column("hs6", pa.array([per.get(i, {}).get("hs6", "") for i in ids], pa.string()))
    table = table.append_column("fit", pa.array([per.get(i, {}).get("fit", "") for i in ids], pa.string()))
    columns = ["world_export_kusd", "top_exporter", "top_exporter_share", "export_share"]
    if code is not None:
        columns += ["import_value_kusd", "n_suppliers", "top_supplier", "top_supplier_share", "import_hhi"]
    schema = expr.schema().to_pyarrow()
    for name in columns:
        values = [found.get(i, {}).get(name) for i in ids]
        table = table.append_column(name, pa.array(values, schema.field(name).type))
    table = table.append_column(
        "trade_basis", pa.array([per.get(i, {}).get("trade_basis", "") for i in ids], pa.string())
    )
    names = dict(
        zip(table.column("input_id").to_pylist(), table.column("input_name").to_pylist(), strict=True)
    )
    none = sorted((i for i in ids if per.get(i, {}).get("fit") == "none"), key=lambda i: (i[0], int(i[1:])))
    notes.append(
        f"trade columns: BACI trade of {trade_year} in the HS6 codes that carry each input "
        "(src/friendshore/nomenclature/data/eto_hs6.csv; fit 'broader': the code also holds other goods); "
        "ETO's shares are of sales, capacity or design by firm location, trade is where goods ship from"
    )
    if none:
        notes.append(
            f"no HS6 code carries {len(none)} of these inputs (fit 'none'; trade_basis says why): "
            + ", ".join(f"{i} {names[i]}" for i in none)
        )
    mapped = [i for i in ids if per.get(i, {}).get("hs6")]
    if mapped:
        world = flows_loaded(ctx, who=None, role="exports", years=[trade_year], hs6=codes)
        if not world.complete:
            notes += world.notes()
            notes.append(
                "world exports, top exporter and export_share are null for the inputs of those codes"
            )
        if code is not None:
            who = ctx.who(code, year=trade_year, members_at=None)
            imports = flows_loaded(ctx, who=who, role="imports", years=[trade_year], hs6=codes)
            if not imports.complete:
                notes += imports.notes()
                notes.append(f"{possessive(imports.name)} imports are null for the inputs of those codes")
    notes += ctx.trade_notes()
    keys = _TRADE_KEYS if code is not None else ["hs6", "top_exporter", "top_exporter_share"]
    return table, keys, trade_year


def _firm_names(provision: ibis.Table, code: str) -> dict[str, str]:
    firms = provision.filter((provision.provider_type == "organization") & (provision.country == code))
    rows = firms.select("input_id", "provider_name").distinct().to_pyarrow().to_pylist()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(str(row["input_id"]), []).append(str(row["provider_name"]))
    return {k: "; ".join(sorted(v)) for k, v in out.items()}
