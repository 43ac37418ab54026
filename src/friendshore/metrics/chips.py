"""The semiconductor supply chain by input (CSET/ETO data): who provides each input, where one
country dominates (a chokepoint: one country above 65 %, after SIA & BCG 2021), and a country's
position at every stage. Conventions (regional rows, unknown shares, vintages, stages):
docs/methods/partners.md. Unordered Ibis expressions, DuckDB and Spark alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import ibis
import ibis.expr.types as ir

from friendshore.errors import UnknownCodeError
from friendshore.metrics.parameters import DEFAULT_CHOKEPOINT_SHARE
from friendshore.metrics.rules import supplier_order
from friendshore.nomenclature.groups import iso3_codes

__all__ = [
    "DEFAULT_CHOKEPOINT_SHARE",
    "chip_country_shares",
    "chip_overview",
    "chip_position",
    "chip_providers",
    "chip_trade",
    "input_stages",
    "match_inputs",
]


def chip_country_shares(provision: ir.Table) -> ir.Table:
    """``input_id, country, share, year, rank`` for ETO's country rows with an ISO3 code.

    ``rank`` orders the countries of an input by share (largest first, null shares last; an exact
    tie goes to the later ISO3 code, the rule of ``metrics.rules.supplier_order``), starting at 1.
    """
    rows = provision.filter(
        (provision.provider_type == "country") & provision.country.isin(sorted(iso3_codes()))
    )
    per = rows.group_by(["input_id", "country"]).aggregate(share=rows.share.max(), year=rows.year.max())
    w = ibis.window(group_by=per.input_id, order_by=supplier_order(per.share, per.country))
    return per.mutate(rank=ibis.row_number().over(w) + 1)


def chip_overview(
    inputs: ir.Table, provision: ir.Table, *, threshold: float = DEFAULT_CHOKEPOINT_SHARE
) -> ir.Table:
    """One row per input with at least one country listed: its largest single-country providers.

    Returns ``input_id, input_name, type, year, market_size_usd, n_countries, n_firms,
    top_country, top_share, second_country, second_share, chokepoint``; ``chokepoint`` is
    ``top_share > threshold`` (null when ETO gives no share for the input; so are the top and
    second countries).
    """
    shares = chip_country_shares(provision)
    per = shares.group_by("input_id").aggregate(
        n_countries=shares.count(),
        top_country=shares.country.max(where=(shares.rank == 1) & shares.share.notnull()),
        top_share=shares.share.max(where=shares.rank == 1),
        second_country=shares.country.max(where=(shares.rank == 2) & shares.share.notnull()),
        second_share=shares.share.max(where=shares.rank == 2),
        vintage=shares.year.max(),
    )
    firms = provision.filter(provision.provider_type == "organization")
    n_firms = firms.group_by("input_id").aggregate(n_firms=firms.provider_id.nunique())
    info = inputs.select("input_id", "input_name", "type", "year", "market_size_usd").distinct()
    j = per.join(info, "input_id", how="left").join(n_firms, "input_id", how="left")
    out = j.select(
        "input_id",
        "input_name",
        "type",
        year=j.vintage,
        market_size_usd=j.market_size_usd,
        n_countries=j.n_countries,
        n_firms=j.n_firms.fill_null(0),
        top_country=j.top_country,
        top_share=j.top_share,
        second_country=j.second_country,
        second_share=j.second_share,
        chokepoint=ibis.ifelse(j.top_share.notnull(), j.top_share > threshold, ibis.null("boolean")),
    )
    return out


def chip_providers(
    provision: ir.Table, *, input_ids: Sequence[str] | None = None, country: str | None = None
) -> ir.Table:
    """Every provider (country rows and firms) of the given inputs, optionally of one country.

    Returns ``input_id, input_name, provider_name, provider_type, country, share, year``.
    """
    p = provision
    if input_ids is not None:
        p = p.filter(p.input_id.isin(list(input_ids)))
    if country is not None:
        p = p.filter(p.country == country.upper())
    out = p.select("input_id", "input_name", "provider_name", "provider_type", "country", "share", "year")
    return out


def chip_position(inputs: ir.Table, provision: ir.Table, *, country: str) -> ir.Table:
    """A country's position at every input with provision data.

    Returns ``input_id, input_name, type, year, country, listed, share, rank, n_countries,
    top_country, top_share, n_firms``: ``listed`` says whether ETO lists the country (as a
    country row) for the input; ``share`` and ``rank`` are null when it does not; ``n_firms``
    counts the firms based in the country that ETO lists for the input.
    """
    code = country.upper()
    overview = chip_overview(inputs, provision)
    shares = chip_country_shares(provision)
    mine = shares.filter(shares.country == code).select(
        "input_id", own_share=shares.share, own_rank=shares.rank
    )
    firms = provision.filter((provision.provider_type == "organization") & (provision.country == code))
    own_firms = firms.group_by("input_id").aggregate(own_firms=firms.provider_id.nunique())
    j = overview.left_join(mine, overview.input_id == mine.input_id)
    j = j.select(
        *[
            j[c]
            for c in ("input_id", "input_name", "type", "year", "n_countries", "top_country", "top_share")
        ],
        listed=j.own_rank.notnull(),
        share=j.own_share,
        rank=j.own_rank,
    )
    k = j.left_join(own_firms, j.input_id == own_firms.input_id)
    out = k.select(
        input_id=k.input_id,
        input_name=k.input_name,
        type=k.type,
        year=k.year,
        country=ibis.literal(code),
        listed=k.listed,
        share=k.share,
        rank=k.rank,
        n_countries=k.n_countries,
        top_country=k.top_country,
        top_share=k.top_share,
        n_firms=k.own_firms.fill_null(0),
    )
    return out


def _all_known(crosswalk: ir.Table, known: bool | Sequence[str], name: str) -> ir.Table:
    """``input_id, <name>``: whether every HS6 code of the input is in ``known``."""
    if isinstance(known, bool):
        flag = ibis.literal(known)
    else:
        codes = sorted(set(known))
        flag = crosswalk.hs6.isin(codes) if codes else ibis.literal(False)
    per = crosswalk.mutate(_k=flag.cast("int8"))
    return per.group_by("input_id").aggregate(**{name: per._k.min() == 1})


def chip_trade(
    trade: ir.Table,
    crosswalk: ir.Table,
    *,
    country: str | None,
    year: int,
    imports_known: bool | Sequence[str] = True,
    world_known: bool | Sequence[str] = True,
) -> ir.Table:
    """Trade in the HS6 codes that carry each ETO input (``crosswalk``: ``input_id, hs6``, one row
    per code; pass only rows with a code: a memtable's nulls reach Spark as NaN), summed over the
    input's codes, in ``year``.

    Returns ``input_id, world_export_kusd, top_exporter, top_exporter_share, export_share`` (the
    country's share of world exports; null without ``country``) and, with ``country``,
    ``import_value_kusd, n_suppliers, top_supplier, top_supplier_share, import_hhi`` (the
    country's imports from other countries). ``world_known`` / ``imports_known``: the HS6 codes
    whose world flows / whose every supplier's flows to ``country`` are loaded (or a bool); an
    input with a code outside them gets nulls in those columns, never a partial sum.
    """
    # group_by rather than distinct(): ibis' DISTINCT over a composed expression duplicates rows on Spark
    mapped = crosswalk.filter(crosswalk.hs6.notnull())
    xw = mapped.group_by(["input_id", "hs6"]).aggregate(_n=mapped.count()).select("input_id", "hs6")
    t = trade.filter((trade.year == year) & (trade.value_kusd > 0) & (trade.exporter != trade.importer))
    j = t.join(xw, "hs6")
    per = j.group_by(["input_id", "exporter"]).aggregate(v=j.value_kusd.sum())
    top = ibis.struct({"value": per.v, "exporter": per.exporter}).max()
    mine = per.exporter == country.upper() if country else ibis.literal(False)
    agg = per.group_by("input_id").aggregate(w=per.v.sum(), top=top, own=per.v.sum(where=mine))
    wk = _all_known(xw, world_known, "wk")
    world = wk.left_join(agg, wk.input_id == agg.input_id)
    none_f, none_s = ibis.null("float64"), ibis.null("string")
    has = world.wk & (world.w.fill_null(0.0) > 0)
    out = world.select(
        input_id=world.input_id,
        world_export_kusd=ibis.ifelse(world.wk, world.w.fill_null(0.0), none_f),
        top_exporter=ibis.ifelse(has, world.top["exporter"], none_s),
        top_exporter_share=ibis.ifelse(has, world.top["value"] / world.w, none_f),
        export_share=ibis.ifelse(
            has & ibis.literal(country is not None), world.own.fill_null(0.0) / world.w, none_f
        ),
    )
    if country is None:
        return out
    code = country.upper()
    m = j.filter(j.importer == code)
    sup = m.group_by(["input_id", "exporter"]).aggregate(v=m.value_kusd.sum())
    stop = ibis.struct({"value": sup.v, "exporter": sup.exporter}).max()
    imp = sup.group_by("input_id").aggregate(m=sup.v.sum(), n=sup.count(), top=stop, sq=(sup.v * sup.v).sum())
    known = _all_known(xw, imports_known, "ik")
    k = known.left_join(imp, known.input_id == imp.input_id)
    k = k.select(
        input_id=k.input_id,
        import_value_kusd=ibis.ifelse(k.ik, k.m.fill_null(0.0), none_f),
        n_suppliers=ibis.ifelse(k.ik, k.n.fill_null(0), ibis.null("int64")),
        top_supplier=ibis.ifelse(k.ik, k.top["exporter"], none_s),
        top_supplier_share=ibis.ifelse(k.ik & (k.m > 0), k.top["value"] / k.m, none_f),
        import_hhi=ibis.ifelse(k.ik & (k.m > 0), k.sq / (k.m * k.m), none_f),
    )
    both = out.join(k, "input_id")
    return both


def input_stages(
    nodes: Iterable[Mapping[str, object]], edges: Iterable[Mapping[str, object]]
) -> dict[str, str]:
    """The stage(s) of every node: ``{input_id: "Fabrication"}`` (several joined by ``"; "``).

    ``nodes`` are rows of ``chip_inputs`` (``input_id``, ``stage_name``), ``edges`` rows of
    ``chip_sequence`` (``input_id`` -> ``related_id``). A node with a stage has its own; any
    other node takes the stages of the first staged node on each path downstream. Nodes that
    reach no stage are left out.
    """
    stage: dict[str, str] = {}
    for row in nodes:
        name = row.get("stage_name")
        if isinstance(name, str) and name:
            stage[str(row["input_id"])] = name
    down: dict[str, list[str]] = {}
    for row in edges:
        down.setdefault(str(row["input_id"]), []).append(str(row["related_id"]))
    known = set(stage) | set(down) | {t for targets in down.values() for t in targets}
    out: dict[str, str] = {}
    for start in sorted(known):
        if start in stage:
            out[start] = stage[start]
            continue
        found: list[str] = []
        seen = {start}
        todo = list(down.get(start, []))
        while todo:
            node = todo.pop(0)
            if node in seen:
                continue
            seen.add(node)
            if node in stage:
                if stage[node] not in found:
                    found.append(stage[node])
                continue
            todo.extend(down.get(node, []))
        if found:
            out[start] = "; ".join(sorted(found))
    return out


def match_inputs(inputs: Iterable[Mapping[str, object]], query: str) -> list[str]:
    """Input ids matching ``query``: an exact id (``N20``), an exact name (any case), or else
    the names containing it. Raises ``UnknownCodeError`` when nothing matches."""
    rows = [(str(r["input_id"]), str(r["input_name"])) for r in inputs]
    text = query.strip()
    ids = [i for i, _ in rows if i.lower() == text.lower()]
    if ids:
        return ids
    exact = [i for i, name in rows if name.lower() == text.lower()]
    if exact:
        return exact
    partial = sorted({i for i, name in rows if text.lower() in name.lower()})
    if not partial:
        raise UnknownCodeError(
            f"no chip supply-chain input matches '{query}' (give an ETO id such as N20 or part of a "
            "name such as 'EUV'; 'friendshore chips' lists them all)"
        )
    return partial
