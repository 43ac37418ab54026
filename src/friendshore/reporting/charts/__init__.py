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

from friendshore.reporting.charts.bars import bar, stacked
from friendshore.reporting.charts.base import CHART_CONFIG, Chart, render_png, render_svg
from friendshore.reporting.charts.maps import choropleth, flows
from friendshore.reporting.charts.scores import rank_intervals, risk

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
