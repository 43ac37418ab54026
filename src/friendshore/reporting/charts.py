"""Charts from ``Result``s: Vega-Lite specifications built with Altair, for any report or dashboard.

Each builder takes a ``Result`` and the names of its columns, and returns a ``Chart``: the Vega-Lite
specification (a JSON-safe dict) with its title, units line, source line and alt text. Builders
compute nothing shown as a number: values come from the result, and every label people read goes
through ``reporting.format.format_value`` with the column's unit, the one formatting rule of the
terminal, the brief and the dashboard. Layout (positions, order) is the builders' only arithmetic.

Charts read in black and white: one dark tone for what matters, greys for the rest, shapes rather
than hues for categories, and a sequential scheme whose lightness follows the value for maps.

``render_svg`` and ``render_png`` turn a chart into an image with vl-convert (for PDF and
screenshots); ``CHART_CONFIG`` is the shared look.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from friendshore.analyses.result import Result, json_safe
from friendshore.reporting.format import format_value

__all__ = [
    "CHART_CONFIG",
    "Chart",
    "bar",
    "choropleth",
    "flows",
    "rank_intervals",
    "render_png",
    "render_svg",
    "risk",
    "stacked",
]

INK = "#1a1a1a"
DARK = "#4a4a4a"
MID = "#8c8c8c"
LIGHT = "#d4d4d4"
PAPER = "#f2f2f2"
WIDTH = 600

#: The shared look: the report font, no chart border, titles left-aligned.
CHART_CONFIG: dict[str, Any] = {
    "font": "'Source Sans 3', 'DejaVu Sans', sans-serif",
    "background": "white",
    "view": {"stroke": None},
    "title": {
        "anchor": "start",
        "fontSize": 15,
        "fontWeight": 600,
        "subtitleFontSize": 12,
        "subtitleColor": "#404040",
        "subtitlePadding": 4,
        "offset": 10,
    },
    "axis": {
        "labelFontSize": 12,
        "titleFontSize": 12,
        "titleFontWeight": 600,
        "labelColor": INK,
        "grid": False,
    },
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "titleFontWeight": 600},
}


@dataclass(frozen=True)
class Chart:
    """A chart ready to embed: Vega-Lite spec, title, units and source lines, alt text."""

    name: str
    title: str
    units: str
    source: str
    alt: str
    spec: Mapping[str, Any] = field(repr=False)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "title": self.title,
            "units": self.units,
            "source": self.source,
            "alt": self.alt,
            "spec": dict(self.spec),
        }


# -- helpers ------------------------------------------------------------------------------------


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _rows(result: Result, columns: Sequence[str]) -> list[dict[str, Any]]:
    """The rows of ``result`` with a ``<column>__text`` label per column (``format_value``)."""
    units = {name: result.column(name).unit for name in columns}
    out = []
    for row in result.table.select(list(columns)).to_pylist():
        item = {name: json_safe(row[name]) for name in columns}
        for name in columns:
            item[f"{name}__text"] = format_value(row[name], units[name])
        out.append(item)
    return out


def unit_label(unit: str) -> str:
    """How an axis names a unit."""
    return {
        "share": "%",
        "kusd": "USD",
        "usd": "USD",
        "pct": "% change",
        "t": "tonnes",
        "km": "km",
        "count": "count",
        "index": "index",
        "number": "",
    }.get(unit, "")


def _axis(unit: str, title: str) -> dict[str, Any]:
    """A quantitative axis whose tick labels follow the unit's rule (percent, bn/m USD)."""
    axis: dict[str, Any] = {"title": title, "grid": True, "gridColor": "#e6e6e6", "tickCount": 5}
    if unit == "share":
        axis["format"] = ".0%"
    elif unit in ("kusd", "usd"):
        k = 1000 if unit == "kusd" else 1
        axis["labelExpr"] = (
            f"abs(datum.value*{k}) >= 1e9 ? format(datum.value*{k}/1e9, '.3~r') + ' bn' : "
            f"abs(datum.value*{k}) >= 1e6 ? format(datum.value*{k}/1e6, '.3~r') + ' m' : "
            f"abs(datum.value*{k}) >= 1e3 ? format(datum.value*{k}/1e3, '.3~r') + ' k' : "
            f"format(datum.value*{k}, '.3~r')"
        )
    elif unit == "pct":
        axis["labelExpr"] = "format(datum.value, '~r') + ' %'"
    else:
        axis["format"] = "~r"
    return axis


def _units(result: Result, value: str, title: str | None) -> str:
    """The units line of a value: its label and unit (``title`` replaces the label)."""
    label = title or result.column(value).title
    unit = unit_label(result.column(value).unit)
    return f"{label} ({unit})" if unit and unit not in label else label


def _legend_labels(unit: str) -> dict[str, Any]:
    axis = _axis(unit, "")
    return {k: v for k, v in axis.items() if k in ("format", "labelExpr")}


def _title(title: str, units: str, source: str, width: int = 95) -> dict[str, Any]:
    """Title, units and source lines, wrapped to the chart's width (Vega does not wrap titles)."""
    import textwrap

    text = textwrap.wrap(title, width=width * 4 // 5) or [title]
    subtitle = [
        line
        for part in (units, f"Source: {source}" if source else "")
        if part
        for line in textwrap.wrap(part, width=width)
    ]
    return {"text": text if len(text) > 1 else title, "subtitle": subtitle}


def _spec(chart: Any, title: str, units: str, source: str) -> dict[str, Any]:
    """Altair chart -> Vega-Lite dict with title, units, source and the shared config."""
    spec: dict[str, Any] = chart.to_dict()
    spec["title"] = _title(title, units, source)
    spec["config"] = CHART_CONFIG
    spec.pop("$schema", None)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier; never fetched
    return spec


def _list(items: Sequence[str], limit: int = 5) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


# -- bar ----------------------------------------------------------------------------------------


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
        y=alt.Y(
            "__label:N", sort=labels, title=None, axis=alt.Axis(labelLimit=420, ticks=False, domain=False)
        ),
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
        layers.append(alt.Chart(alt.Data(values=[{"zero": 0}])).mark_rule(color=INK).encode(x="zero:Q"))
    chart = alt.layer(*layers).properties(width=WIDTH - 220, height=max(60, height_per_bar * len(rows)))
    alt_text = f"Bar chart, {title}. " + _list([f"{r['__label']}: {r[f'{value}__text']}" for r in rows])
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


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
            y=alt.Y(
                "__label:N", sort=bars, title=None, axis=alt.Axis(labelLimit=320, ticks=False, domain=False)
            ),
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
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


# -- choropleth ---------------------------------------------------------------------------------


def choropleth(
    result: Result,
    *,
    country: str,
    value: str,
    topology: Mapping[str, Any],
    title: str,
    source: str,
    name: str = "map",
    names: Mapping[str, str] | None = None,
    value_title: str | None = None,
) -> Chart:
    """A world map shaded by ``value`` per ISO3 ``country`` (darker = more).

    ``topology`` is a TopoJSON with an object ``countries`` whose features carry an ``iso3``
    property (``reporting.assets.world_topology``); ``names`` maps ISO3 codes to names for tooltips.
    """
    import altair as alt

    unit = result.column(value).unit
    rows = [r for r in _rows(result, [country, value]) if _finite(r[value]) and r[value] > 0]
    for r in rows:
        r["__name"] = (names or {}).get(str(r[country]), str(r[country]))
    units = _units(result, value, value_title)
    shapes = alt.Data(values=dict(topology), format=alt.DataFormat(type="topojson", feature="countries"))
    land = (
        alt.Chart(shapes)
        .mark_geoshape(fill=PAPER, stroke="white", strokeWidth=0.4)
        .transform_filter("datum.properties.iso3 != 'ATA'")
    )
    legend: dict[str, Any] = {
        "orient": "bottom",
        "direction": "horizontal",
        "gradientLength": 260,
        "title": units,
    }
    legend.update(_legend_labels(unit))
    shaded = (
        alt.Chart(shapes)
        .mark_geoshape(stroke=DARK, strokeWidth=0.5)
        .transform_lookup(
            lookup="properties.iso3",
            from_=alt.LookupData(
                alt.Data(values=rows), key=country, fields=[value, f"{value}__text", "__name"]
            ),
        )
        .transform_filter(f"isValid(datum['{value}'])")
        .encode(
            color=alt.Color(
                f"{value}:Q", scale=alt.Scale(scheme="greys", domainMin=0), legend=alt.Legend(**legend)
            ),
            tooltip=[alt.Tooltip("__name:N", title="country"), alt.Tooltip(f"{value}__text:N", title=units)],
        )
    )
    chart = alt.layer(land, shaded).project(type="equalEarth").properties(width=WIDTH, height=320)
    ranked = sorted(rows, key=lambda r: -float(r[value]))
    alt_text = f"World map, {title}; darker countries have a larger {result.column(value).title}. " + _list(
        [f"{r['__name']}: {r[f'{value}__text']}" for r in ranked]
    )
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


# -- flows --------------------------------------------------------------------------------------


def flows(
    result: Result,
    *,
    origin: str,
    destination: str,
    value: str,
    title: str,
    source: str,
    name: str = "flows",
    names: Mapping[str, str] | None = None,
    value_title: str | None = None,
) -> Chart:
    """A two-column flow chart (Sankey-like): origins on the left, destinations on the right, one
    band per row of the result, its width by ``value``. Sides are ordered by first appearance in the
    result's rows (sort the result by value to put the largest first)."""
    import altair as alt

    unit = result.column(value).unit
    rows = [r for r in _rows(result, [origin, destination, value]) if _finite(r[value])]
    left = list(dict.fromkeys(str(r[origin]) for r in rows))
    right = list(dict.fromkeys(str(r[destination]) for r in rows))

    def pos(items: list[str], key: str) -> float:
        n = max(len(items), 1)
        return (items.index(key) + 0.5) / n

    label = names or {}
    for r in rows:
        r["__y0"] = pos(left, str(r[origin]))
        r["__y1"] = pos(right, str(r[destination]))
        r["__x0"], r["__x1"] = 0.0, 1.0
        r["__pair"] = f"{r[origin]} → {r[destination]}"
    ends = [
        {"side": 0.0, "y": pos(left, c), "text": f"{label.get(c, c)} ({c})", "align": "right"} for c in left
    ]
    ends += [
        {"side": 1.0, "y": pos(right, c), "text": f"{label.get(c, c)} ({c})", "align": "left"} for c in right
    ]
    units = _units(result, value, value_title)
    domain = [-0.55, 1.55]  # room for the names either side
    x = alt.X("__x0:Q", scale=alt.Scale(domain=domain), axis=None)
    y = alt.Y("__y0:Q", scale=alt.Scale(domain=[0, 1], reverse=True), axis=None)
    bands = (
        alt.Chart(alt.Data(values=rows))
        .mark_rule(color=DARK, opacity=0.55, strokeCap="butt")
        .encode(
            x=x,
            y=y,
            x2="__x1:Q",
            y2="__y1:Q",
            strokeWidth=alt.StrokeWidth(
                f"{value}:Q",
                scale=alt.Scale(range=[1.5, 16], zero=False),
                legend=alt.Legend(title=units, orient="bottom", **_legend_labels(unit)),
            ),
            tooltip=[alt.Tooltip("__pair:N", title="flow"), alt.Tooltip(f"{value}__text:N", title=units)],
        )
    )
    end_points = alt.Chart(alt.Data(values=ends))
    dots = end_points.mark_point(filled=True, color=INK, size=30).encode(
        x=alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None),
        y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 1], reverse=True), axis=None),
    )
    texts = end_points.mark_text(
        fontSize=12,
        color=INK,
        align=alt.ExprRef(expr="datum.align"),
        dx=alt.ExprRef(expr="datum.side < 0.5 ? -8 : 8"),
    ).encode(
        x=alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None),
        y=alt.Y("y:Q", scale=alt.Scale(domain=[0, 1], reverse=True), axis=None),
        text="text:N",
    )
    heads = (
        alt.Chart(
            alt.Data(
                values=[
                    {"side": 0.0, "text": result.column(origin).title, "align": "right"},
                    {"side": 1.0, "text": result.column(destination).title, "align": "left"},
                ]
            )
        )
        .mark_text(
            fontSize=12,
            fontWeight=700,
            color=INK,
            dy=-14,
            align=alt.ExprRef(expr="datum.align"),
            dx=alt.ExprRef(expr="datum.side < 0.5 ? -8 : 8"),
        )
        .encode(x=alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None), y=alt.value(0), text="text:N")
    )
    n = max(len(left), len(right), 1)
    chart = alt.layer(bands, dots, texts, heads).properties(width=WIDTH, height=max(140, 26 * n))
    alt_text = f"Flow chart, {title}; each band's width is its value. " + _list(
        [f"{r['__pair']}: {r[f'{value}__text']}" for r in rows]
    )
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


# -- supply risk ------------------------------------------------------------------------------


def risk(
    result: Result,
    *,
    material: str,
    stage: str,
    supply_risk: str,
    title: str,
    source: str,
    name: str = "risk",
    economic_importance: str | None = None,
    sr_threshold: float = 1.0,
    ei_threshold: float = 2.8,
) -> Chart:
    """The EU CRM chart: economic importance (x) against supply risk (y) with the criticality
    thresholds when ``economic_importance`` has values; otherwise supply risk per material, one
    marker shape per stage, with the supply-risk threshold as a line."""
    import altair as alt

    cols = [material, stage, supply_risk, *([economic_importance] if economic_importance else [])]
    rows = [r for r in _rows(result, cols) if _finite(r[supply_risk])]
    with_ei = bool(economic_importance) and any(_finite(r[economic_importance]) for r in rows)  # type: ignore[index]
    shape = alt.Shape(
        f"{stage}:N",
        title=result.column(stage).title,
        scale=alt.Scale(range=["circle", "square", "triangle-up", "diamond"]),
        legend=alt.Legend(orient="bottom"),
    )
    sr_title = f"{result.column(supply_risk).title} (index, EU CRM scale)"
    tooltip = [
        alt.Tooltip(f"{material}:N", title=result.column(material).title),
        alt.Tooltip(f"{stage}:N", title=result.column(stage).title),
        alt.Tooltip(f"{supply_risk}__text:N", title=result.column(supply_risk).title),
    ]
    if with_ei and economic_importance:
        rows = [r for r in rows if _finite(r[economic_importance])]
        base = alt.Chart(alt.Data(values=rows)).encode(
            x=alt.X(
                f"{economic_importance}:Q", axis=alt.Axis(**_axis("index", "economic importance (EU scale)"))
            ),
            y=alt.Y(f"{supply_risk}:Q", axis=alt.Axis(**_axis("index", sr_title))),
        )
        points = base.mark_point(size=90, filled=True, color=INK).encode(shape=shape, tooltip=tooltip)
        labels = base.mark_text(align="left", dx=7, fontSize=11, color=INK).encode(text=f"{material}:N")
        lines = [
            alt.Chart(alt.Data(values=[{"v": sr_threshold}]))
            .mark_rule(strokeDash=[4, 3], color=DARK)
            .encode(y="v:Q"),
            alt.Chart(alt.Data(values=[{"v": ei_threshold}]))
            .mark_rule(strokeDash=[4, 3], color=DARK)
            .encode(x="v:Q"),
        ]
        chart = alt.layer(*lines, points, labels).properties(width=WIDTH - 120, height=320)
        units = "economic importance and supply risk (indices, EU CRM scale); dashed: criticality thresholds"
    else:
        order = [r[material] for r in sorted(rows, key=lambda r: -float(r[supply_risk]))]
        base = alt.Chart(alt.Data(values=rows)).encode(
            y=alt.Y(
                f"{material}:N",
                sort=list(dict.fromkeys(order)),
                title=None,
                axis=alt.Axis(ticks=False, domain=False),
            ),
            x=alt.X(f"{supply_risk}:Q", axis=alt.Axis(**_axis("index", sr_title))),
        )
        points = base.mark_point(size=110, filled=True, color=INK, opacity=0.9).encode(
            shape=shape, tooltip=tooltip
        )
        labels = base.mark_text(align="left", dx=9, fontSize=11, color=DARK).encode(
            text=f"{supply_risk}__text:N"
        )
        line = (
            alt.Chart(alt.Data(values=[{"v": sr_threshold, "t": f"threshold {sr_threshold:g}"}]))
            .mark_rule(strokeDash=[4, 3], color=DARK)
            .encode(x="v:Q")
        )
        n = len(set(order))
        chart = alt.layer(line, points, labels).properties(width=WIDTH - 160, height=max(80, 28 * n))
        units = (
            f"{sr_title}; dashed line: the EU threshold of {sr_threshold:g}; economic importance not given"
        )
    ranked = sorted(rows, key=lambda r: -float(r[supply_risk]))
    alt_text = f"Chart, {title}. " + _list(
        [f"{r[material]} ({r[stage]}): {r[f'{supply_risk}__text']}" for r in ranked]
    )
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


# -- rank intervals ---------------------------------------------------------------------------


def rank_intervals(
    result: Result,
    *,
    candidate: str,
    median: str,
    low: str,
    high: str,
    title: str,
    source: str,
    name: str = "ranks",
    group: str | None = None,
    highlight: Sequence[str] = (),
    names: Mapping[str, str] | None = None,
) -> Chart:
    """Each candidate's median rank (dot) and its interval (line), best first; ``group`` (a flag
    column, e.g. coalition membership) fills the dot; ``highlight`` candidates are drawn in bold."""
    import altair as alt

    cols = [candidate, median, low, high, *([group] if group else [])]
    rows = [r for r in _rows(result, cols) if _finite(r[median])]
    for r in rows:
        code = str(r[candidate])
        r["__label"] = f"{(names or {}).get(code, code)} ({code})"
        r["__key"] = code in highlight
        r["__group"] = ("yes" if r[group] else "no") if group else "all"
    order = [r["__label"] for r in rows]
    y = alt.Y("__label:N", sort=order, title=None, axis=alt.Axis(ticks=False, domain=False, labelLimit=260))
    x_title = "rank (1 = best); line: 5-95 % interval over the Monte Carlo draws"
    base = alt.Chart(alt.Data(values=rows)).encode(y=y)
    lines = base.mark_rule(color=DARK, strokeWidth=2).encode(
        x=alt.X(
            f"{low}:Q",
            axis=alt.Axis(title=x_title, tickMinStep=1, format="d", grid=True, gridColor="#e6e6e6"),
        ),
        x2=f"{high}:Q",
    )
    tooltip = [
        alt.Tooltip("__label:N", title=result.column(candidate).title),
        alt.Tooltip(f"{median}__text:N", title=result.column(median).title),
        alt.Tooltip(f"{low}__text:N", title=result.column(low).title),
        alt.Tooltip(f"{high}__text:N", title=result.column(high).title),
    ]
    dots = base.mark_point(size=120, strokeWidth=2, color=INK).encode(
        x=f"{median}:Q",
        shape=alt.Shape(
            "__group:N",
            title=result.column(group).title if group else "",
            scale=alt.Scale(domain=["yes", "no"], range=["square", "circle"]),
            legend=alt.Legend(orient="bottom") if group else None,
        ),
        fill=alt.condition("datum.__group == 'yes'", alt.value(INK), alt.value("white")),
        tooltip=tooltip,
    )
    marks = (
        base.transform_filter("datum.__key")
        .mark_text(align="left", dx=10, fontWeight=700, fontSize=12, color=INK, text="◀")
        .encode(x=f"{high}:Q")
    )
    chart = alt.layer(lines, dots, marks).properties(width=WIDTH - 220, height=max(80, 24 * len(rows)))
    units = "rank among the candidates (1 = best), median and 5-95 % interval"
    alt_text = f"Chart, {title}. " + _list(
        [
            f"{r['__label']}: median rank {r[f'{median}__text']} ({r[f'{low}__text']} to {r[f'{high}__text']})"
            for r in rows
        ],
        limit=len(rows),
    )
    return Chart(name, title, units, source, alt_text, _spec(chart, title, units, source))


# -- images -----------------------------------------------------------------------------------


def _vl_version() -> str:
    import altair as alt

    return ".".join(str(alt.SCHEMA_VERSION).lstrip("v").split(".")[:2])


def render_svg(chart: Chart) -> str:
    """The chart as SVG text (vl-convert; fonts from ``reporting.assets`` when installed)."""
    import vl_convert

    _fonts()
    return str(vl_convert.vegalite_to_svg(dict(chart.spec), vl_version=_vl_version()))


def render_png(chart: Chart, *, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes at ``scale`` times its CSS pixel size (vl-convert)."""
    import vl_convert

    _fonts()
    return bytes(vl_convert.vegalite_to_png(dict(chart.spec), vl_version=_vl_version(), scale=scale))


def _fonts() -> None:
    from friendshore.reporting.assets import AssetMissingError, chart_font_dir

    with contextlib.suppress(AssetMissingError):  # system fonts then; the report notes it
        chart_font_dir()
