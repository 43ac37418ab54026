"""The event view by month: an exporter's shipments by destination in the months around a measure.

``friendshore.analyses.event.event`` with ``frequency="month"`` comes here. The rows are the
warehouse's ``trade_monthly`` (reporter-declared exports, flow X, by month; loaded with
``friendshore ingest comtrade-monthly`` or ``ingest china-monthly``). Per destination: the value in
the ``months`` months before the measure and in as many months from it, how many of those months
the records hold, the change and the shares. A month the records do not hold for a destination is
unknown, never 0: it is empty in the month table, and the change is given only for destinations
held in every month of both periods. A description, not a causal estimate.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError, UserError

if TYPE_CHECKING:
    from friendshore.analyses.context import Context
    from friendshore.analyses.event import DatedMeasure

__all__ = ["MONTH_OUTPUTS", "event_months", "monthly_event"]

#: The tables of the monthly view (``output``); the first is the main one by default.
MONTH_OUTPUTS = ("destinations", "months", "totals")
#: When two sources hold the same exporter's months, the first of these is read (the raw records first).
_PREFERENCE = ("comtrade-monthly", "china-monthly")

_NOT_CAUSAL = (
    "this describes what the exporter shipped in the months before and after the date, not a causal "
    "estimate of what the measure did: prices, demand, shipments brought forward ahead of the "
    "measure, stocks, licences granted or refused and other measures move these numbers too, and no "
    "counterfactual is used"
)

Month = tuple[int, int]


def _shift(month: Month, by: int) -> Month:
    index = month[0] * 12 + month[1] - 1 + by
    return index // 12, index % 12 + 1


def _label(month: Month) -> str:
    return f"{month[0]}-{month[1]:02d}"


def event_months(when: dt.date, months: int) -> tuple[list[Month], list[Month], Month | None]:
    """The ``months`` whole calendar months before ``when`` and as many from it, as (year, month).

    ``after`` starts with the month of ``when`` when ``when`` is the 1st, else with the next month;
    a month split by ``when`` is returned apart (``None`` when ``when`` is the 1st)."""
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 60:
        raise UserError(f"the window must be a whole number of months from 1 to 60, got {months!r}")
    this = (when.year, when.month)
    split = None if when.day == 1 else this
    first_after = this if split is None else _shift(this, 1)
    before = [_shift(this, k) for k in range(-months, 0)]
    after = [_shift(first_after, k) for k in range(months)]
    return before, after, split


def _span(months: list[Month]) -> str:
    return f"{_label(months[0])} to {_label(months[-1])}" if len(months) > 1 else _label(months[0])


def monthly_event(
    ctx: Context,
    *,
    exporter: str,
    codes: list[str],
    when: dt.date,
    months: int,
    measure: DatedMeasure | None,
    same_day: list[str],
    output: str,
) -> Result:
    """The monthly view (see the module docstring); ``same_day`` names the register's measures of
    ``when`` when no measure was given, ``output`` the main table (``MONTH_OUTPUTS``)."""
    from friendshore.nomenclature.groups import iso3_codes
    from friendshore.nomenclature.labels import basket_members, is_basket, short_label
    from friendshore.sources.catalogue import catalogue
    from friendshore.warehouse.load_comtrade_monthly import CAVEATS

    if output not in MONTH_OUTPUTS:
        raise UserError(
            f"with --frequency month, --output is one of {', '.join(MONTH_OUTPUTS)}, not '{output}'"
        )
    before, after, split = event_months(when, months)
    who = ctx.who(exporter, year=when.year, members_at=None)
    if who.is_group:
        raise UserError(
            f"the monthly view takes one exporter (the reporter of the monthly records), not the group '{exporter}'"
        )
    exporter = who.label
    window = [*before, *([split] if split else []), *after]
    t = ctx.table("trade_monthly")
    keys = [y * 100 + m for y, m in window]
    rows = t.filter(
        (t.reporter == exporter)
        & (t.flow == "X")
        & (t.freq == "M")
        & t.hs_code.isin(codes)
        & (t.partner_kind == "country")
        & (t.year.cast("int32") * 100 + t.month.cast("int32")).isin(keys)
    )
    found = rows.select("source", "hs_code").distinct().to_pyarrow().to_pylist()
    held = sorted({str(r["source"]) for r in found})
    if not held:
        raise UnknownCodeError(
            f"the monthly records hold no exports by {exporter} of {', '.join(codes)} in "
            f"{_label(window[0])} to {_label(window[-1])} (load them with 'friendshore ingest "
            "comtrade-monthly PATH' or 'ingest china-monthly PATH')"
        )
    source = min(held, key=lambda s: (_PREFERENCE.index(s) if s in _PREFERENCE else len(_PREFERENCE), s))
    rows = rows.filter(rows.source == source)
    is_kg = (rows.qty_unit == "kg") & rows.qty.notnull()
    cells = (
        rows.group_by(["partner", "year", "month"])
        .aggregate(
            value_usd=rows.value_usd.sum(),
            qty_kg=is_kg.ifelse(rows.qty, 0.0).sum(),
            n=rows.count(),
            n_kg=is_kg.ifelse(1, 0).sum(),
        )
        .order_by(["partner", "year", "month"])
        .to_pyarrow()
        .to_pylist()
    )
    value: dict[tuple[str, Month], float] = {}
    qty: dict[tuple[str, Month], float | None] = {}
    for c in cells:
        cell = (str(c["partner"]), (int(c["year"]), int(c["month"])))
        value[cell] = float(c["value_usd"])
        qty[cell] = float(c["qty_kg"]) / 1000 if c["n_kg"] == c["n"] else None  # tonnes
    names = iso3_codes()
    partners = sorted({p for p, _ in value})
    covered = {m for _, m in value}
    periods = {**dict.fromkeys(before, "before"), **dict.fromkeys(after, "after")}
    if split:
        periods[split] = "month of the date"

    def total(partner: str, span: list[Month]) -> tuple[float | None, int]:
        got = [value[(partner, m)] for m in span if (partner, m) in value]
        return (sum(got) if got else None), len(got)

    dest_rows: list[dict[str, Any]] = []
    for p in partners:
        vb, nb = total(p, before)
        va, na = total(p, after)
        dest_rows.append({"destination": p, "destination_name": names.get(p, p), "value_before_usd": vb,
                          "value_after_usd": va, "months_before": nb, "months_after": na})  # fmt: skip
    sum_b = sum(r["value_before_usd"] or 0.0 for r in dest_rows)
    sum_a = sum(r["value_after_usd"] or 0.0 for r in dest_rows)
    complete = 0
    for r in dest_rows:
        whole = r["months_before"] == len(before) and r["months_after"] == len(after)
        complete += whole
        _change(r, whole)
        held_b, held_a = r["value_before_usd"], r["value_after_usd"]  # None: no month held, unknown
        r["share_before"] = held_b / sum_b if sum_b and held_b is not None else None
        r["share_after"] = held_a / sum_a if sum_a and held_a is not None else None
    dest_rows.sort(
        key=lambda r: (-max(r["value_before_usd"] or 0.0, r["value_after_usd"] or 0.0), r["destination"])
    )
    n_b, n_a = sum(m in covered for m in before), sum(m in covered for m in after)
    totals = {"destination": None, "destination_name": f"All {len(partners)} destinations in the records",
              "value_before_usd": sum_b if n_b else None, "value_after_usd": sum_a if n_a else None,
              "months_before": n_b, "months_after": n_a,
              "share_before": 1.0 if sum_b else None, "share_after": 1.0 if sum_a else None}  # fmt: skip
    _change(totals, n_b == len(before) and n_a == len(after))
    dest_rows.append(totals)
    month_rows = [
        {"month": _label(m), "period": periods[m], "destination": p, "destination_name": names.get(p, p),
         "value_usd": value.get((p, m)), "qty_t": qty.get((p, m))}
        for p in partners for m in window
    ]  # fmt: skip
    total_rows = []
    for m in window:
        got = [p for p in partners if (p, m) in value]
        kg = [qty[(p, m)] for p in got]
        total_rows.append({"month": _label(m), "period": periods[m],
                           "value_usd": sum(value[(p, m)] for p in got) if got else None,
                           "qty_t": sum(q for q in kg if q is not None) if got and None not in kg else None,
                           "destinations": len(got)})  # fmt: skip
    tables = {
        "destinations": pa.Table.from_pylist(dest_rows, schema=_DEST_SCHEMA),
        "months": pa.Table.from_pylist(month_rows, schema=_MONTH_SCHEMA),
        "totals": pa.Table.from_pylist(total_rows, schema=_TOTAL_SCHEMA),
    }
    product = ", ".join(short_label(c) for c in codes)
    label = f"{names.get(exporter, exporter)} ({exporter})"
    basis_b = f"{label}'s exports of {product} to the destinations in the records, {_span(before)}, by value"
    basis_a = f"{label}'s exports of {product} to the destinations in the records, {_span(after)}, by value"
    entry = catalogue().get(source)
    described = f"{entry.title} ({entry.publisher})" if entry is not None else source
    notes = [_NOT_CAUSAL, f"Source: {described}: {CAVEATS.get(source, 'as loaded')}."]
    others = [s for s in held if s != source]
    if others:
        notes.append(
            f"the same exports are also loaded from {', '.join(others)}; only {source} is read, so that "
            "nothing is counted twice"
        )
    lacking = sorted(set(codes) - {str(r["hs_code"]) for r in found if r["source"] == source})
    if lacking:
        notes.append(
            f"the records ({source}) hold no monthly exports of {', '.join(map(short_label, lacking))} by "
            f"{exporter} in these "
            "months: unknown, not zero, and not in the figures"
        )
    for code in codes:
        if is_basket(code):
            notes.append(
                f"{short_label(code)} is a basket: its values are of every material the code holds "
                f"({', '.join(basket_members(code))}), which trade records cannot split"
            )
    missing = [_label(m) for m in window if m not in covered]
    if missing:
        notes.append(
            f"the records hold no exports of {product} by {exporter} for {', '.join(missing)}: unknown, not "
            "zero (the totals are empty there and no change is given)"
        )
    notes.append(
        f"a month the records do not hold for a destination is empty (unknown), not 0; the change is given "
        f"for the {complete} of {len(partners)} destinations held in all {len(before)} months of each period, "
        "and the values and shares are sums over the months held"
    )
    if sum_b and sum_a:
        notes.append(
            f"{label}'s exports of {product} to these destinations: {sum_b / 1e6:,.1f} m USD in {_span(before)}, "
            f"{sum_a / 1e6:,.1f} m USD in {_span(after)} ({100 * (sum_a / sum_b - 1):+.1f}%; current US dollars)"
        )
    if split:
        notes.append(
            f"{_label(split)}, the month of {when.isoformat()}, is partly before and partly after: in neither period"
        )
    if measure is not None:
        notes.append(measure.describe("in force"))
    elif same_day:
        notes.append(
            f"measures dated {when.isoformat()}: {', '.join(same_day)} (use --event ID for their products)"
        )
    else:
        notes.append(f"the register holds no measure dated {when.isoformat()}: the date is the user's")
    parameters = {
        "exporter": exporter,
        "products": codes,
        "date": when.isoformat(),
        "event": measure.id if measure is not None else None,
        "frequency": "month",
        "months": months,
        "before": [_label(before[0]), _label(before[-1])],
        "after": [_label(after[0]), _label(after[-1])],
        "event_month": _label(split) if split else None,
        "source": source,
        "output": output,
    }
    title = (
        f"{label}'s exports of {product} by destination, {months} months before and after {when.isoformat()}"
    )
    if measure is not None:
        title += f" ({measure.id})"
    if output != "destinations":
        title += f", by {'month and destination' if output == 'months' else 'month'}"
    columns = _columns(basis_b, basis_a)
    main = tables[output]
    read = [{"source": source, "reporter": exporter, "hs_code": code} for code in codes]
    return Result(
        "event",
        title,
        main,
        parameters,
        tuple(p for p in ctx.provenance() if p.table != "trade_monthly" or dict(p.partition) in read),
        tuple(notes),
        tuple(c for c in columns if c.name in main.column_names),
        tables={k: v for k, v in tables.items() if k != output},
    )


def _change(row: dict[str, Any], whole: bool) -> None:
    vb, va = row["value_before_usd"], row["value_after_usd"]
    row["change_usd"] = va - vb if whole else None
    row["change_pct"] = 100 * (va / vb - 1) if whole and vb else None


s, i, f = pa.string(), pa.int32(), pa.float64()
_DEST_SCHEMA = pa.schema([("destination", s), ("destination_name", s), ("value_before_usd", f),
                          ("value_after_usd", f), ("months_before", i), ("months_after", i), ("change_usd", f),
                          ("change_pct", f), ("share_before", f), ("share_after", f)])  # fmt: skip
_MONTH_SCHEMA = pa.schema([("month", s), ("period", s), ("destination", s), ("destination_name", s),
                           ("value_usd", f), ("qty_t", f)])  # fmt: skip
_TOTAL_SCHEMA = pa.schema([("month", s), ("period", s), ("value_usd", f), ("qty_t", f), ("destinations", i)])


def _columns(basis_before: str, basis_after: str) -> list[Column]:
    return [
        Column("destination", "destination", "code", True),
        Column("destination_name", "country", "text", True),
        Column("month", "month", "text", True),
        Column("period", "period", "text", True),
        Column("value_before_usd", "value before", "usd", True, "sum over the months held before the date"),
        Column("value_after_usd", "value after", "usd", True, "sum over the months held from the date"),
        Column("months_before", "months held before", "count", True, "months of the period the records hold"),
        Column("months_after", "months held after", "count", True, "months of the period the records hold"),
        Column("change_usd", "change", "usd", True, "after minus before; only where every month is held"),
        Column("change_pct", "change %", "pct", True, "only where every month of both periods is held"),
        Column("share_before", "share before", "share", True, basis=basis_before),
        Column("share_after", "share after", "share", True, basis=basis_after),
        Column("value_usd", "value", "usd", True, "empty where the records do not hold the month"),
        Column(
            "qty_t",
            "quantity",
            "t",
            True,
            "net weight as recorded in kg, in tonnes; empty where not given in kg",
        ),
        Column("destinations", "destinations held", "count", True),
    ]
