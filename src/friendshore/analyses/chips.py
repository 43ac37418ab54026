"""The semiconductor supply chain (ETO): shares per input, chokepoints, a country's position.

Method and data: ``friendshore.metrics.chips`` (CSET/ETO Advanced Semiconductor Supply Chain
Dataset; chokepoint after SIA & BCG 2021).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.result import Result
from friendshore.errors import UserError
from friendshore.metrics.parameters import DEFAULT_CHOKEPOINT_SHARE, require_number
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
) -> Result:
    """The semiconductor supply chain from the ETO tables.

    No option: every input with its top countries and a ``chokepoint`` flag; ``country``: that
    country's position at every input; ``input_name`` (an ETO id or part of a name): the input's
    providers, countries and firms (of ``country`` only when it is given too).
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
    parameters = {
        "input": input_name,
        "country": code,
        "threshold": threshold,
        "chokepoints_only": chokepoints_only,
    }
    return Result(
        "chips", title, table, parameters, ctx.provenance(), tuple(notes), describe(table, key=keys)
    )


def _firm_names(provision: ibis.Table, code: str) -> dict[str, str]:
    firms = provision.filter((provision.provider_type == "organization") & (provision.country == code))
    rows = firms.select("input_id", "provider_name").distinct().to_pyarrow().to_pylist()
    out: dict[str, list[str]] = {}
    for row in rows:
        out.setdefault(str(row["input_id"]), []).append(str(row["provider_name"]))
    return {k: "; ".join(sorted(v)) for k, v in out.items()}
