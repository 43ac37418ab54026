"""Scores with their thresholds or intervals: supply risk (``risk``) and ranks with Monte Carlo
intervals (``rank_intervals``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from friendshore.analyses.result import Result
from friendshore.reporting.charts.base import (
    DARK,
    INK,
    WIDTH,
    Chart,
    _axis,
    _category_axis,
    _chart,
    _finite,
    _list,
    _rows,
    _rule,
)

__all__ = ["rank_intervals", "risk"]


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
    for r in rows:  # the EU publishes its scores to one decimal; more would claim a precision it lacks
        for col in cols[2:]:
            if _finite(r[col]):
                r[f"{col}__text"] = f"{float(r[col]):.1f}"
    with_ei = bool(economic_importance) and any(_finite(r[economic_importance]) for r in rows)  # type: ignore[index]
    shape = alt.Shape(
        f"{stage}:N",
        title=result.column(stage).title,
        scale=alt.Scale(range=["circle", "square", "triangle-up", "diamond"]),
        legend=alt.Legend(orient="bottom"),
    )
    sr_title = f"{result.column(supply_risk).title} (index, EU CRM scale)"
    dashed = {"strokeDash": [4, 3], "color": DARK}
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
        lines = [_rule(sr_threshold, "y", **dashed), _rule(ei_threshold, "x", **dashed)]
        chart = alt.layer(*lines, points, labels).properties(width=WIDTH - 120, height=320)
        units = "economic importance and supply risk (indices, EU CRM scale); dashed: criticality thresholds"
    else:
        order = [r[material] for r in sorted(rows, key=lambda r: -float(r[supply_risk]))]
        base = alt.Chart(alt.Data(values=rows)).encode(
            y=_category_axis(f"{material}:N", list(dict.fromkeys(order))),
            x=alt.X(f"{supply_risk}:Q", axis=alt.Axis(**_axis("index", sr_title))),
        )
        points = base.mark_point(size=110, filled=True, color=INK, opacity=0.9).encode(
            shape=shape, tooltip=tooltip
        )
        labels = base.mark_text(align="left", dx=9, fontSize=11, color=DARK).encode(
            text=f"{supply_risk}__text:N"
        )
        line = _rule(sr_threshold, "x", **dashed)
        n = len(set(order))
        chart = alt.layer(line, points, labels).properties(width=WIDTH - 160, height=max(80, 28 * n))
        units = (
            f"{sr_title}; dashed line: the EU threshold of {sr_threshold:g}; economic importance not given"
        )
    ranked = sorted(rows, key=lambda r: -float(r[supply_risk]))
    alt_text = f"Chart, {title}. " + _list(
        [f"{r[material]} ({r[stage]}): {r[f'{supply_risk}__text']}" for r in ranked]
    )
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)


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
    y = _category_axis("__label:N", order, label_limit=260)
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
    return _chart(chart, name=name, title=title, units=units, source=source, alt=alt_text)
