"""Bar charts: one value per category (``bar``), and parts of a whole per category (``stacked``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from friendshore.analyses.result import Result
from friendshore.reporting.charts.base import (
    DARK,
    INK,
    LIGHT,
    MID,
    PAPER,
    WIDTH,
    Chart,
    _axis,
    _category_axis,
    _chart,
    _finite,
    _list,
    _rows,
    _rule,
    _units,
)

__all__ = ["bar", "stacked"]


def bar(
    result: Result,
    *,
    category: str,
    value: str,
    title: str,
    source: str,
    name: str = "bar",
    label: str | None = None,
    highlight: Sequence[str] = (),
    group: str | None = None,
    top: int | None = 15,
    order: Literal["rows", "descending", "ascending"] = "rows",
    value_title: str | None = None,
    code_in_label: bool = True,
    height_per_bar: int = 22,
) -> Chart:
    """Horizontal bars of ``value`` per ``category`` in the result's row order (first ``top`` rows).

    ``label`` names a column to show instead of the category code (e.g. a product name);
    ``highlight`` categories are drawn dark, the rest grey; ``group`` shades bars by a column
    (with a legend). ``order`` keeps the result's row order or sorts by the value; the first
    ``top`` rows are shown, and the ``highlight`` rows always. Negative values extend left of a zero
    line (changes in percent).
    """
    import altair as alt

    unit = result.column(value).unit
    cols = [c for c in dict.fromkeys([category, value, label or category, *([group] if group else [])])]
    rows = [r for r in _rows(result, cols) if _finite(r[value])]
    if order != "rows":
        rows.sort(key=lambda r: float(r[value]), reverse=order == "descending")
    if top:
        rows = [r for i, r in enumerate(rows) if i < top or r[category] in highlight]
    shown = label or category
    for r in rows:
        r["__label"] = f"{r[shown]} ({r[category]})" if shown != category and code_in_label else f"{r[shown]}"
        r["__key"] = r[category] in highlight
    labels = [r["__label"] for r in rows]
    units = _units(result, value, value_title)
    base = alt.Chart(alt.Data(values=rows)).encode(
        y=_category_axis("__label:N", labels, label_limit=420),
        x=alt.X(f"{value}:Q", axis=alt.Axis(**_axis(unit, units))),
        tooltip=[
            alt.Tooltip("__label:N", title=result.column(shown).title),
            alt.Tooltip(f"{value}__text:N", title=units),
        ],
    )
    if group:
        fill: Any = alt.Color(
            f"{group}:N",
            title=result.column(group).title,
            scale=alt.Scale(range=[DARK, MID, LIGHT, INK, "#b0b0b0", "#606060"]),
            legend=alt.Legend(orient="bottom", direction="horizontal", columns=3, labelLimit=280),
        )
    else:
        fill = alt.condition("datum.__key", alt.value(INK), alt.value(MID))
    bars = base.mark_bar(height=max(8, height_per_bar - 8), stroke=INK, strokeWidth=0.5).encode(color=fill)
    # labels right of a bar's end; inside (white on dark) for negative values, clear of the axis
    text = base.mark_text(
        align="left",
        dx=4,
        fontSize=11,
        color=alt.ExprRef(expr=f"datum['{value}'] < 0 ? 'white' : '{INK}'"),
    ).encode(text=f"{value}__text:N")
    layers = [bars, text]
    if any(r[value] < 0 for r in rows):
        layers.append(_rule(0, "x", color=INK))
    chart = alt.layer(*layers).properties(width=WIDTH - 220, height=max(60, height_per_bar * len(rows)))
    alt_text = f"Bar chart, {title}. " + _list([f"{r['__label']}: {r[f'{value}__text']}" for r in rows])
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)


# -- stacked bar --------------------------------------------------------------------------------


def stacked(
    result: Result,
    *,
    category: str,
    part: str,
    value: str,
    title: str,
    source: str,
    name: str = "stacked",
    labels: Mapping[str, str] | None = None,
    order: Sequence[str] = (),
    value_title: str | None = None,
) -> Chart:
    """Horizontal stacked bars: one bar per ``category``, split by ``part`` (long format: one row per
    category and part). ``order`` lists the parts from left to right; parts are told apart by grey
    tone with a dark outline (readable in black and white)."""
    import altair as alt

    rows = [r for r in _rows(result, [category, part, value]) if _finite(r[value])]
    parts = list(order) or list(dict.fromkeys(str(r[part]) for r in rows))
    for r in rows:
        code = str(r[category])
        r["__label"] = (labels or {}).get(code, code)
        r["__order"] = parts.index(str(r[part])) if str(r[part]) in parts else len(parts)
    bars = list(dict.fromkeys(r["__label"] for r in rows))
    units = _units(result, value, value_title)
    tones = [INK, MID, LIGHT, "white", DARK, PAPER][: max(len(parts), 1)]
    chart = (
        alt.Chart(alt.Data(values=rows))
        .mark_bar(stroke=INK, strokeWidth=0.6, height=14)
        .encode(
            y=_category_axis("__label:N", bars, label_limit=320),
            x=alt.X(f"{value}:Q", stack="zero", axis=alt.Axis(**_axis(result.column(value).unit, units))),
            color=alt.Color(
                f"{part}:N",
                title=result.column(part).title,
                sort=parts,
                scale=alt.Scale(domain=parts, range=tones),
                legend=alt.Legend(orient="bottom", direction="horizontal"),
            ),
            order=alt.Order("__order:Q"),
            tooltip=[
                alt.Tooltip("__label:N", title=result.column(category).title),
                alt.Tooltip(f"{part}:N", title=result.column(part).title),
                alt.Tooltip(f"{value}__text:N", title=units),
            ],
        )
        .properties(width=WIDTH - 260, height=max(60, 22 * len(bars)))
    )
    alt_text = f"Stacked bar chart, {title}. " + _list(
        [f"{r['__label']}, {r[part]}: {r[f'{value}__text']}" for r in rows], limit=8
    )
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)
