"""Where: a world map shaded by country (``choropleth``) and the largest flows between countries (``flows``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from friendshore.analyses.result import Result
from friendshore.reporting.charts.base import (
    DARK,
    INK,
    PAPER,
    WIDTH,
    Chart,
    _chart,
    _finite,
    _legend_labels,
    _list,
    _rows,
    _units,
)

__all__ = ["choropleth", "flows"]


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
        "titleLimit": WIDTH,  # the whole units line (Vega cuts a legend title at 180 px by default)
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
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)


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
    side = alt.X("side:Q", scale=alt.Scale(domain=domain), axis=None)  # the ends: names and dots
    height = alt.Y("y:Q", scale=alt.Scale(domain=[0, 1], reverse=True), axis=None)
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
        x=side,
        y=height,
    )
    texts = end_points.mark_text(
        fontSize=12,
        color=INK,
        align=alt.ExprRef(expr="datum.align"),
        dx=alt.ExprRef(expr="datum.side < 0.5 ? -8 : 8"),
    ).encode(
        x=side,
        y=height,
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
        .encode(x=side, y=alt.value(0), text="text:N")
    )
    n = max(len(left), len(right), 1)
    chart = alt.layer(bands, dots, texts, heads).properties(width=WIDTH, height=max(140, 26 * n))
    alt_text = f"Flow chart, {title}; each band's width is its value. " + _list(
        [f"{r['__pair']}: {r[f'{value}__text']}" for r in rows]
    )
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)
