"""The base of the charts: the shared look, the ``Chart`` record, the helpers every builder uses,
and ``render_svg``/``render_png`` (vl-convert, for PDF and screenshots)."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from friendshore.analyses.result import Result, json_safe
from friendshore.reporting.format import format_value

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


def _chart(chart: Any, *, name: str, title: str, units: str, source: str, alt: str) -> Chart:
    """The ``Chart`` of an Altair chart: its Vega-Lite dict with the title, units and source lines
    and the shared config."""
    spec: dict[str, Any] = chart.to_dict()
    spec["title"] = _title(title, units, source)
    spec["config"] = CHART_CONFIG
    spec.pop("$schema", None)
    spec["$schema"] = "https://vega.github.io/schema/vega-lite/v6.json"  # an identifier; never fetched
    return Chart(name, title, units, source, alt, spec)


def _category_axis(field: str, order: Sequence[str], label_limit: int | None = None) -> Any:
    """The y encoding of one row per category, in ``order``: names at the left, no ticks or line."""
    import altair as alt

    limit = label_limit or alt.Undefined
    return alt.Y(
        field, sort=list(order), title=None, axis=alt.Axis(ticks=False, domain=False, labelLimit=limit)
    )


def _rule(value: float, channel: str, **mark: Any) -> Any:
    """A line across the chart at ``value`` of the ``channel`` (``"x"`` or ``"y"``) axis: a
    threshold (dashed) or the zero line."""
    import altair as alt

    return alt.Chart(alt.Data(values=[{"v": value}])).mark_rule(**mark).encode(**{channel: "v:Q"})


def _list(items: Sequence[str], limit: int = 5) -> str:
    shown = list(items[:limit])
    more = len(items) - len(shown)
    return "; ".join(shown) + (f"; and {more} more" if more > 0 else "")


# -- images -------------------------------------------------------------------------------------


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
