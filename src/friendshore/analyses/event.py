"""Before and after a dated measure: what an importer bought, from whom, and of which codes.

By year (``frequency="year"``, BACI): an importer's suppliers. By month (``frequency="month"``, the
monthly Comtrade records): an exporter's destinations (``friendshore.analyses.event_month``).
A description, not a causal estimate. Method: ``friendshore.metrics.shifts`` and
docs/methods/leverage.md (section "Before and after a measure"). The dates come from the dated
measures of the register (``dated_measures``), never from code.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import pyarrow as pa

from friendshore.analyses.columns import describe
from friendshore.analyses.context import open_context
from friendshore.analyses.docs import documented
from friendshore.analyses.leverage import asked_codes
from friendshore.analyses.result import Column, Result
from friendshore.errors import UnknownCodeError, UserError
from friendshore.metrics.parameters import DEFAULT_EVENT_MONTHS, DEFAULT_EVENT_WINDOW
from friendshore.settings import Settings

__all__ = ["DatedMeasure", "Frequency", "Output", "dated_measures", "event", "event_periods"]

#: The main table: by year ``suppliers``, ``codes`` or ``years``; by month ``destinations`` (what
#: ``suppliers``, the default, means there), ``months`` or ``totals``.
Output = Literal["suppliers", "codes", "years", "destinations", "months", "totals"]
Frequency = Literal["year", "month"]

_NOT_CAUSAL = (
    "this is a description of what the importer bought before and after the date, not a causal "
    "estimate of what the measure did: prices, demand, the chip cycle, purchases brought forward "
    "ahead of the controls, stocks and other measures move these numbers too, and no counterfactual "
    "(comparable importers or products) is used"
)


@dataclass(frozen=True)
class DatedMeasure:
    """What the event view needs of a measure: its id, date, parties, products and sources."""

    id: str
    title: str
    date: dt.date
    announced: dt.date | None
    who: tuple[str, ...]
    on: tuple[str, ...]
    products: tuple[str, ...]
    verified: bool
    citation: str
    note: str = ""

    def describe(self, dated: str) -> str:
        """The note an event view prints about the measure; ``dated`` names its date ("effective")."""
        verified = "" if self.verified else " (not verified: " + self.note + ")"
        return (
            f"{self.id}: {self.title}; imposed by {', '.join(self.who)} on {', '.join(self.on)}; {dated} "
            f"{self.date.isoformat()}"
            + (f", announced {self.announced.isoformat()}" if self.announced else "")
            + f"{verified}. Sources: {self.citation}"
        )


def dated_measures(home: Path | None = None) -> list[DatedMeasure]:
    """Every dated measure the event view knows: the register's measures (shipped and the user's
    own in ``home``), dated by the day they took effect, with their citations."""
    from friendshore.register import load_register

    register = load_register(home)
    return [
        DatedMeasure(
            id=m.id,
            title=m.title,
            date=m.effective,
            announced=m.announced,
            who=m.who,
            on=m.on,
            products=m.products,
            verified=m.verified,
            citation=register.citation(m),
            note=m.note,
        )
        for m in sorted(register.measures.values(), key=lambda m: (m.effective, m.id))
    ]


def _measure(event_id: str, home: Path | None) -> DatedMeasure:
    known = dated_measures(home)
    found = [m for m in known if m.id == event_id]
    if not found:
        raise UnknownCodeError(
            f"unknown event '{event_id}' (measures in the register: {', '.join(m.id for m in known)}; "
            "'friendshore register measures' lists them)"
        )
    if not found[0].products:
        raise UserError(f"measure '{event_id}' names no HS6 products: give --products")
    return found[0]


def event_periods(when: dt.date, window: int) -> tuple[list[int], list[int], int | None]:
    """The full calendar years before and after ``when``: ``window`` years each.

    ``before`` ends with the last year that ends before ``when``; ``after`` starts with the first
    year that starts on or after it. The year of ``when`` itself, partly before and partly after,
    is returned apart (``None`` when ``when`` is 1 January, whose year is wholly after)."""
    if isinstance(window, bool) or not isinstance(window, int) or not 1 <= window <= 30:
        raise UserError(f"the window must be a whole number of years from 1 to 30, got {window!r}")
    first_after = when.year if (when.month, when.day) == (1, 1) else when.year + 1
    split = None if first_after == when.year else when.year
    before = list(range(when.year - window, when.year))
    after = list(range(first_after, first_after + window))
    return before, after, split


@documented()
def event(
    settings: Settings,
    *,
    importer: str | None = None,
    products: str | None = None,
    date: dt.date | None = None,
    event: str | None = None,
    window: int = DEFAULT_EVENT_WINDOW,
    members_at: dt.date | None = None,
    output: Output = "suppliers",
    frequency: Frequency = "year",
    exporter: str | None = None,
    months: int = DEFAULT_EVENT_MONTHS,
) -> Result:
    """An importer's purchases of some products in the ``window`` full years before and after a
    dated measure (``event``: its id; or a ``date``): supplier shares and values, and where the
    purchases moved (by supplier, and to which codes of the same headings). ``output`` picks the
    main table (``suppliers``, ``codes`` or ``years``); all three are in ``tables``.

    ``frequency="month"``: an ``exporter``'s shipments by destination in the ``months`` months
    before and after the date, from the monthly records (default exporter with ``event``: the one
    country that imposed it); ``output`` is ``destinations`` (or ``suppliers``), ``months`` (each
    destination's months, empty where the records lack one) or ``totals`` (the monthly series).

    Parameters
    ----------
    importer
        ISO3 code or group (e.g. CHN).
    products
        HS6 codes separated by commas (default with --event: its products).
    date
        The date of the measure, YYYY-MM-DD (or give --event).
    window
        Full calendar years compared on each side.
    members_at
    output
        suppliers, codes (where purchases moved) or years (yearly shares); by month: destinations,
        months or totals.
    frequency
        year (an importer's suppliers, BACI) or month (an exporter's destinations, monthly records).
    exporter
        With --frequency month: the exporter, ISO3 (default with --event: the country that imposed it).
    months
        With --frequency month: months compared on each side.
    """
    from friendshore.analyses.coverage import trade_coverage
    from friendshore.metrics.shifts import period_shift, yearly_shares

    if (date is None) == (event is None):
        raise UserError("give either --event ID or --date YYYY-MM-DD")
    measure = _measure(event, settings.home) if event is not None else None
    when = measure.date if measure is not None else date
    assert when is not None
    if products is None and measure is None:
        raise UserError("give --products (HS6 codes separated by commas) with --date")
    codes = asked_codes(products, None, None) if products is not None else sorted(set(measure.products))  # type: ignore[union-attr]
    assert codes is not None
    if frequency not in ("year", "month"):
        raise UserError(f"--frequency is year or month, not '{frequency}'")
    if frequency == "month":
        from friendshore.analyses.event_month import monthly_event

        if importer is not None:
            raise UserError("the monthly view is by exporter: give --exporter, not --importer")
        if exporter is None and measure is not None and len(measure.who) == 1:
            exporter = measure.who[0]
        if exporter is None:
            raise UserError("give --exporter (the country whose monthly exports to show)")
        same_day = [m.id for m in dated_measures(settings.home) if m.date == when] if measure is None else []
        return monthly_event(
            open_context(settings),
            exporter=exporter,
            codes=codes,
            when=when,
            months=months,
            measure=measure,
            same_day=same_day,
            output="destinations" if output == "suppliers" else output,
        )
    if importer is None or exporter is not None:
        raise UserError(
            "the yearly view is by importer: give --importer (or --frequency month with --exporter)"
        )
    if output not in ("suppliers", "codes", "years"):
        raise UserError(f"by year, --output is suppliers, codes or years, not '{output}'")
    before, after, split = event_periods(when, window)
    ctx = open_context(settings)
    trade = ctx.table("trade")
    loaded = ctx.loaded_years()
    who = ctx.who(importer, year=when.year, members_at=members_at)
    b = [y for y in before if y in loaded]
    a = [y for y in after if y in loaded]
    if not b or not a:
        shown = ", ".join(map(str, loaded)) or "none"
        raise UserError(
            f"the event view needs trade in {before[0]}-{before[-1]} and in {after[0]}-{after[-1]} "
            f"(loaded years: {shown})"
        )
    notes = [_NOT_CAUSAL]
    if who.is_group:
        notes.append(who.describe() + "; only imports from outside the group count")
    missing = [y for y in (*before, *after) if y not in loaded]
    if missing:
        notes.append(f"years not loaded, left out of the periods: {', '.join(map(str, missing))}")
    years = sorted({*b, *a, *([split] if split in loaded else [])})
    ctx.read_years(set(years))
    headings = sorted({c[:4] for c in codes})
    imports = trade.filter(
        trade.year.isin(years)
        & trade.importer.isin(list(who.members))
        & ~trade.exporter.isin(list(who.members))
        & (trade.value_kusd > 0)
    )
    related = imports.filter(imports.hs6.substr(0, 4).isin(headings)).select("hs6").distinct().to_pyarrow()
    family = sorted({str(c) for c in related.column(0).to_pylist()} | set(codes))
    uncovered: dict[int, list[str]] = {}
    texts = set()
    for year in years:
        cover = trade_coverage(ctx, year=year, hs6=family, members=who.members)
        lacking = sorted(c for c in family if c not in cover.imports and c in cover.holds)
        if lacking:
            uncovered[year] = lacking
            texts.add(cover.describe(lacking))
    if uncovered:
        raise UserError(
            f"the loaded trade does not hold every supplier's flows to {who.label} for "
            + "; ".join(f"{y}: {', '.join(c)}" for y, c in sorted(uncovered.items()))
            + f" ({'; '.join(sorted(texts))})"
        )
    imposing = list(measure.who) if measure is not None else []
    suppliers = period_shift(trade, importer=who.members, hs6=codes, before=b, after=a, by="supplier")
    supplier_table = suppliers.to_pyarrow()
    if supplier_table.num_rows == 0:
        raise UnknownCodeError(f"no imports by '{importer}' of {', '.join(codes)} in the years asked")
    supplier_table = _sort(supplier_table)
    supplier_table = supplier_table.append_column(
        "imposing", pa.array([s in imposing for s in supplier_table.column("supplier").to_pylist()])
    )
    code_table = period_shift(
        trade, importer=who.members, hs6=family, before=b, after=a, by="hs6", of=imposing
    ).to_pyarrow()
    code_table = _sort(code_table)
    code_table = code_table.append_column(
        "asked", pa.array([c in codes for c in code_table.column("hs6").to_pylist()])
    )
    year_table = yearly_shares(trade, importer=who.members, hs6=codes, years=years).to_pyarrow()
    period = {**dict.fromkeys(b, "before"), **dict.fromkeys(a, "after")}
    if split is not None:
        period[split] = "event year"
    year_table = year_table.append_column(
        "period", pa.array([period.get(y, "") for y in year_table.column("year").to_pylist()])
    ).sort_by([("year", "ascending"), ("share", "descending"), ("supplier", "ascending")])
    total_b = sum(supplier_table.column("value_before_kusd").to_pylist())
    total_a = sum(supplier_table.column("value_after_kusd").to_pylist())
    span = f"{b[0]}-{b[-1]}" if len(b) > 1 else str(b[0])
    span_a = f"{a[0]}-{a[-1]}" if len(a) > 1 else str(a[0])
    notes.append(
        f"{who.label}'s imports of {', '.join(codes)}: {total_b / 1e6:,.2f} bn USD a year in {span}, "
        f"{total_a / 1e6:,.2f} bn in {span_a} (current USD; shares pooled over each period's years)"
    )
    if split is not None:
        notes.append(
            f"{split}, the year of {when.isoformat()}, is partly before and partly after: in neither period"
        )
    others = sorted(set(family) - set(codes))
    if others:
        notes.append(
            f"--output codes compares {', '.join(codes)} with the other codes of heading(s) "
            f"{', '.join(headings)} that {who.label} imports: {', '.join(others)}"
        )
    if measure is not None:
        notes.append(measure.describe("effective"))
    else:
        same_day = [m.id for m in dated_measures(settings.home) if m.date == when]
        if same_day:
            notes.append(
                f"measures dated {when.isoformat()}: {', '.join(same_day)} (use --event ID for their products and parties)"
            )
    notes += ctx.trade_notes()
    parameters = {
        "importer": who.to_json(),
        "products": codes,
        "date": when.isoformat(),
        "event": event,
        "window": window,
        "before": b,
        "after": a,
        "event_year": split,
        "imposing": imposing,
        "output": output,
    }
    tables = {"suppliers": supplier_table, "codes": code_table, "years": year_table}
    keys = {
        "suppliers": ["supplier", "imposing", "value_before_kusd", "value_after_kusd", "share_before", "share_after",
                      "d_share", "value_change_pct"],
        "codes": ["hs6", "asked", "value_before_kusd", "value_after_kusd", "share_before", "share_after", "d_share",
                  "of_before_kusd", "of_after_kusd"],
        "years": ["year", "period", "supplier", "value_kusd", "share"],
    }  # fmt: skip
    main = tables[output]
    extra = [Column("imposing", "imposed the measure", "flag"), Column("asked", "asked", "flag"),
             Column("period", "period", "text")]  # fmt: skip
    title = f"{who.label}'s imports of {', '.join(codes)} before and after {when.isoformat()}" + (
        f" ({measure.id})" if measure is not None else ""
    )
    if output != "suppliers":
        title += f", by {'code' if output == 'codes' else 'year'}"
    return Result(
        "event",
        title,
        main,
        parameters,
        ctx.provenance(),
        tuple(notes),
        describe(main, key=keys[output], extra=extra),
        tables={k: v for k, v in tables.items() if k != output},
    )


def _sort(table: pa.Table) -> pa.Table:
    """Largest first by the larger of the two shares, then by the first column."""
    first = table.column_names[0]
    import pyarrow.compute as pc

    larger = pc.max_element_wise(
        table.column("share_before").fill_null(0.0), table.column("share_after").fill_null(0.0)
    )
    ordered = table.append_column("_larger", larger).sort_by(
        [("_larger", "descending"), (first, "ascending")]
    )
    return ordered.drop_columns(["_larger"])
