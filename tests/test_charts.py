"""Chart builders: Vega-Lite specs from a Result, labels by format_value, title/units/source/alt."""

from __future__ import annotations

import pyarrow as pa
import pytest

from friendshore.analyses.result import Column, Result
from friendshore.reporting import charts
from friendshore.reporting.format import format_value


def result() -> Result:
    table = pa.table(
        {
            "hs6": ["850511", "810194", "250490"],
            "on_share": [0.745, 0.953, None],
            "value_kusd": [491_902.5, 15_200.0, 6_148.0],
            "change_pct": [-69.5, 4.2, 11.9],
        }
    )
    cols = (
        Column("hs6", "HS6", "code"),
        Column("on_share", "share from China", "share"),
        Column("value_kusd", "imports", "kusd"),
        Column("change_pct", "change", "pct"),
    )
    return Result("test", "a test", table, columns=cols)


def values(chart: charts.Chart) -> list[dict[str, object]]:
    """Every inline data row of the spec, wherever Altair put it."""
    out: list[dict[str, object]] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("values"), list):
                out.extend(v for v in node["values"] if isinstance(v, dict))
            for key, child in node.items():
                if key != "values":
                    walk(child)
        elif isinstance(node, list):
            for child in node:
                walk(child)

    walk({k: v for k, v in chart.spec.items() if k != "config"})
    return out


def test_bar_labels_follow_format_value_and_skip_missing_values() -> None:
    chart = charts.bar(
        result(), category="hs6", value="on_share", title="T", source="S", highlight=["850511"]
    )
    rows = [v for v in values(chart) if "on_share" in v]
    assert list(dict.fromkeys(r["hs6"] for r in rows)) == ["850511", "810194"]  # the null row is not drawn
    assert [r["on_share__text"] for r in rows] == [format_value(0.745, "share"), format_value(0.953, "share")]
    assert rows[0]["__key"] is True
    assert rows[1]["__key"] is False
    assert chart.spec["title"] == {"text": "T", "subtitle": ["share from China (%)", "Source: S"]}
    assert "850511: 74.5 %" in chart.alt


def test_bar_orders_by_value_and_keeps_highlighted_rows_past_top() -> None:
    chart = charts.bar(result(), category="hs6", value="change_pct", title="T", source="S", order="descending",
                       top=1, highlight=["850511"])  # fmt: skip
    rows = [v for v in values(chart) if "change_pct" in v]
    assert list(dict.fromkeys(r["hs6"] for r in rows)) == ["250490", "850511"]
    assert any(layer["mark"]["type"] == "rule" for layer in chart.spec["layer"])  # the zero line


def test_money_axis_reads_in_bn_and_m_usd() -> None:
    chart = charts.bar(result(), category="hs6", value="value_kusd", title="T", source="S")
    axis = chart.spec["layer"][0]["encoding"]["x"]["axis"]
    assert "' bn'" in axis["labelExpr"]
    assert "datum.value*1000" in axis["labelExpr"]
    assert chart.units == "imports (USD)"


def test_long_titles_wrap() -> None:
    chart = charts.bar(result(), category="hs6", value="on_share", title="word " * 40, source="S")
    assert isinstance(chart.spec["title"]["text"], list)
    assert all(len(line) <= 80 for line in chart.spec["title"]["text"])


def test_choropleth_looks_up_iso3_in_the_topology() -> None:
    table = pa.table({"exporter": ["CHN", "JPN"], "share": [0.75, 0.04]})
    res = Result(
        "s", "t", table, columns=(Column("exporter", "exporter", "code"), Column("share", "share", "share"))
    )
    topology = {
        "type": "Topology",
        "objects": {"countries": {"type": "GeometryCollection", "geometries": []}},
        "arcs": [],
    }
    chart = charts.choropleth(res, country="exporter", value="share", topology=topology, title="T", source="S",
                              names={"CHN": "China"})  # fmt: skip
    lookup = chart.spec["layer"][1]["transform"][0]
    assert lookup["lookup"] == "properties.iso3"
    assert [v["__name"] for v in values(chart) if "__name" in v] == ["China", "JPN"]
    assert chart.alt.endswith("China: 75.0 %; JPN: 4.0 %")


@pytest.mark.parametrize("with_ei", [True, False])
def test_risk_chart_switches_to_stages_without_economic_importance(with_ei: bool) -> None:
    table = pa.table({"material": ["gallium", "cobalt"], "stage": ["refining", "mining"],
                      "supply_risk": [3.0, 1.5], "economic_importance": [4.0 if with_ei else None, None]})  # fmt: skip
    res = Result("r", "t", table, columns=(Column("supply_risk", "supply risk", "index"),))
    chart = charts.risk(res, material="material", stage="stage", supply_risk="supply_risk",
                        economic_importance="economic_importance", title="T", source="S")  # fmt: skip
    assert chart.units.startswith("economic importance") is with_ei
    assert chart.alt.startswith("Chart, T. gallium (refining): 3.0")  # one decimal, as the EU publishes
    assert "3.00" not in chart.alt


def test_render_png_draws_text(tmp_path: object) -> None:
    chart = charts.bar(result(), category="hs6", value="on_share", title="T", source="S")
    svg = charts.render_svg(chart)
    assert svg.count("<text") > 5
    assert charts.render_png(chart, scale=1)[:8] == b"\x89PNG\r\n\x1a\n"
