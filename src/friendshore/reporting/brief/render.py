"""Writing a composed brief: ``brief.html`` (self-contained), ``brief.pdf`` (WeasyPrint, charts as
PNG images from vl-convert), ``data/*.csv`` and ``provenance.json``."""

from __future__ import annotations

import base64
import csv
import json
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from friendshore import __version__
from friendshore.analyses.result import json_safe
from friendshore.console import get_logger, progress
from friendshore.reporting import charts
from friendshore.reporting.brief.model import ChartBlock, Gap, Section, Sentence, TableBlock, plain

if TYPE_CHECKING:
    import pyarrow as pa

    from friendshore.reporting.brief.build import Brief, BriefFiles

__all__ = ["render_html", "write_brief"]

log = get_logger(__name__)


def _template_text(name: str) -> str:
    return files("friendshore.reporting.brief").joinpath("templates", name).read_text("utf-8")


def _write_csv(table: pa.Table, path: Path) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(table.column_names)
        for row in table.to_pylist():
            writer.writerow(["" if v is None else json_safe(v) for v in row.values()])


def _write_rows(rows: list[dict[str, Any]], path: Path) -> None:
    header: list[str] = list(dict.fromkeys(k for r in rows for k in r)) or ["empty"]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: _cell(v) for k, v in row.items()})


def _cell(value: Any) -> Any:
    if isinstance(value, dict | list):
        return json.dumps(plain(value), ensure_ascii=False)
    return "" if value is None else value


def _font_css() -> tuple[str, list[str]]:
    from friendshore.reporting.assets import AssetMissingError, font_faces

    try:
        return "\n".join(f.css() for f in font_faces()), []
    except AssetMissingError as exc:
        return "", [f"font not inlined ({exc}); system fonts are used"]


def _blocks(section: Section, mode: str, images: dict[str, str]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for block in section.blocks:
        if isinstance(block, ChartBlock):
            spec = json.dumps(block.chart.spec, ensure_ascii=False, allow_nan=False).replace("</", "<\\/")
            out.append(
                {
                    "kind": "chart",
                    "chart": block.chart,
                    "spec_json": spec,
                    "png": images.get(block.chart.name, ""),
                }
            )
        elif isinstance(block, TableBlock):
            out.append({"kind": "table", "table": block})
        elif isinstance(block, Gap):
            out.append({"kind": "gap", "gap": block})
        elif isinstance(block, Sentence):
            out.append({"kind": "text", "text": block.text})
    return out


def render_html(brief: Brief, *, mode: str = "screen", images: dict[str, str] | None = None) -> str:
    """The brief as one HTML page: ``screen`` draws the charts with the inlined Vega libraries,
    ``print`` shows them as PNG images (``images``: chart name -> base64 PNG) for the PDF."""
    import altair as alt
    import jinja2

    from friendshore.reporting.assets import vega_bundle

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    template = env.from_string(_template_text("brief.html.j2"))
    font_css, _notes = _font_css()
    sections = [
        {
            "id": s.id,
            "number": s.number,
            "title": s.title,
            "question": s.question,
            "headline": s.headline,
            "blocks": _blocks(s, mode, images or {}),
        }
        for s in brief.sections
    ]
    vl_version = ".".join(str(alt.SCHEMA_VERSION).lstrip("v").split(".")[:2])
    return template.render(
        title=brief.title,
        subtitle=brief.subtitle,
        generated=brief.generated,
        version=__version__,
        sections=sections,
        findings=brief.findings,
        mode=mode,
        css=_template_text("brief.css"),
        font_css=font_css,
        vega_js=vega_bundle(vl_version) if mode == "screen" else "",
    )


def _provenance(brief: Brief, out: Path) -> dict[str, Any]:
    m = brief.methods
    return {
        "friendshore": __version__,
        "generated": brief.generated,
        "parameters": json_safe(brief.parameters),
        "files": {
            "html": "brief.html",
            "pdf": "brief.pdf",
            "data": sorted(p.name for p in (out / "data").glob("*.csv")),
        },
        "datasets": m.datasets,
        "analyses": m.analyses,
        "reproductions": m.reproductions,
        "caveats": m.caveats,
        "gaps": m.gaps,
        "assets": m.assets,
        "findings": [
            {"text": f.text, "section": f.link, "figures": [fig.to_json() for fig in f.figures]}
            for f in brief.findings
        ],
        "headlines": {
            s.id: {"text": s.headline.text, "figures": [fig.to_json() for fig in s.headline.figures]}
            for s in brief.sections
            if s.headline is not None
        },
    }


def write_brief(brief: Brief, out: Path, *, pdf: bool = True) -> BriefFiles:
    """Write brief.html, brief.pdf (when ``pdf``), data/*.csv and provenance.json into ``out``."""
    from friendshore.reporting.brief.build import BriefFiles

    out.mkdir(parents=True, exist_ok=True)
    data = out / "data"
    data.mkdir(exist_ok=True)
    for old in data.glob("*.csv"):
        old.unlink()
    chart_list = [c for s in brief.sections for c in s.charts]
    with progress() as bar:
        task = bar.add_task("brief: writing", total=3 + (len(chart_list) + 1 if pdf else 0))
        for section in brief.sections:
            for key, result in section.results.items():
                _write_csv(result.table, data / f"{key}.csv")
                for name, table in result.tables.items():
                    _write_csv(table, data / f"{key}.{name}.csv")
        m = brief.methods
        for name, rows in (("datasets", m.datasets), ("analyses", m.analyses), ("reproductions", m.reproductions),
                           ("caveats", m.caveats), ("gaps", m.gaps), ("assets", m.assets)):  # fmt: skip
            if rows or name != "gaps":
                _write_rows(rows, data / f"methods.{name}.csv")
        bar.advance(task)
        html_path = out / "brief.html"
        html_path.write_text(render_html(brief, mode="screen"), encoding="utf-8")
        bar.advance(task)
        pdf_path: Path | None = None
        if pdf:
            images = {}
            for chart in chart_list:
                bar.update(task, description=f"brief: drawing {chart.name}")
                images[chart.name] = base64.b64encode(charts.render_png(chart, scale=2.0)).decode("ascii")
                bar.advance(task)
            bar.update(task, description="brief: PDF")
            pdf_path = out / "brief.pdf"
            _write_pdf(render_html(brief, mode="print", images=images), pdf_path)
            bar.advance(task)
        prov = out / "provenance.json"
        prov.write_text(
            json.dumps(plain(_provenance(brief, out)), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        bar.advance(task)
    return BriefFiles(html_path, pdf_path, data, prov, brief)


def _write_pdf(html: str, path: Path) -> None:
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, base_url=None).write_pdf(str(path))
