"""Writing a composed brief: ``brief.html`` (self-contained), ``brief.pdf`` (WeasyPrint, charts as
PNG images from vl-convert), ``findings.json`` (the brief analysis's decisions), ``data/*.csv`` and
``provenance.json``, all into a fresh folder that replaces ``OUT`` only when complete (``output.py``)."""

from __future__ import annotations

import base64
import csv
import json
import re
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

from friendshore import __version__
from friendshore.analyses.result import json_safe
from friendshore.console import get_logger, progress
from friendshore.reporting import charts
from friendshore.reporting.brief.model import (
    Brief,
    BriefFiles,
    ChartBlock,
    Gap,
    Section,
    TableBlock,
    Text,
    plain,
)
from friendshore.reporting.brief.output import staged

if TYPE_CHECKING:
    import pyarrow as pa
    from markupsafe import Markup

__all__ = ["findings_json", "render_html", "write_brief"]

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
        elif isinstance(block, Text):
            out.append({"kind": "text", "text": block.text})
    return out


def _page_one(brief: Brief) -> dict[str, Any]:
    """What page 1 shows, from the brief result: sentences already rendered, options formatted."""
    from friendshore.reporting.format import format_value

    r = brief.result
    said = brief.sentences
    findings = []
    for row in r.table.to_pylist():
        basis = row["basis"] or ""
        findings.append(
            {"text": said[row["id"]], "year": row["year"], "basis": basis, "link": _link(row["kind"])}
        )
    options = []
    for o in r.tables["options"].to_pylist():
        quo = o["strategy_id"] == "status_quo"
        options.append(
            {
                "strategy": o["strategy"],
                "cost": "none spent" if quo else format_value(o["cost_usd"], "usd"),
                "range": ""
                if quo or o["cost_low_usd"] is None
                else f"{format_value(o['cost_low_usd'], 'usd')} to {format_value(o['cost_high_usd'], 'usd')}",
                "after": format_value(o["concern_share_after"], "share"),
                "unmet": format_value(o["unmet_share"], "share"),
                "meets": "yes" if o["meets_target"] else "no",
            }
        )
    unknown = r.tables["unknowns"].to_pylist()
    kinds: dict[str, list[str]] = {}
    for u in unknown:
        kinds.setdefault(u["kind"], []).append(u["what"])
    return {
        "bottom": [said[k] for k in ("stake", "bad", "do") if k in said],
        "findings": findings,
        "options": options,
        "scope": said.get("scope", ""),
        "assumptions": (
            r.tables["options"].column("assumptions")[0].as_py().split(". ", 1)[-1]
            if r.tables["options"].num_rows
            else ""
        ),
        "recommendation": [said[k] for k in ("recommendation", "action") if k in said],
        "conditions": said.get("conditions", ""),
        "unknowns": [
            f"{k}: {v[0]}" + (f" (and {len(v) - 1} more, see the annex)" if len(v) > 1 else "")
            for k, v in kinds.items()
        ],
        "concern": r.parameters["concern"],
    }


def _link(kind: str) -> str:
    return {"exposure": "exposure", "exposure-2": "exposure", "breadth": "exposure", "chain": "exposure",
            "world": "exposure", "risk": "supply-risk", "partner": "partners",
            "commitment": "events"}.get(kind, "exposure")  # fmt: skip


#: A number with its unit in prose, kept on one line ("74.5 %", "197 m USD", "11,218 tonnes").
_NUMBER = re.compile(r"-?\d[\d,.]* (?:%|tonnes|(?:k |m |bn )?USD)")


def _keep_numbers(text: object) -> Markup:
    """``text`` escaped, each number with its unit in a span that does not break across lines."""
    from markupsafe import Markup, escape

    return Markup(_NUMBER.sub(lambda m: f'<span class="nb">{m.group(0)}</span>', str(escape(text))))


def render_html(brief: Brief, *, mode: str = "screen", images: dict[str, str] | None = None) -> str:
    """The brief as one HTML page: ``screen`` draws the charts with the inlined Vega libraries,
    ``print`` shows them as PNG images (``images``: chart name -> base64 PNG) for the PDF."""
    import altair as alt
    import jinja2

    from friendshore.reporting.assets import vega_bundle

    env = jinja2.Environment(
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True
    )
    env.filters["numbers"] = _keep_numbers
    template = env.from_string(_template_text("brief.html.j2"))
    font_css, _notes = _font_css()
    sections = [
        {
            "id": s.id,
            "number": s.number,
            "title": s.title,
            "question": s.question,
            "headline": s.headline,
            "annex": s.annex,
            "blocks": _blocks(s, mode, images or {}),
        }
        for s in brief.sections
    ]
    p = brief.result.parameters
    subtitle = ", ".join(
        part
        for part in (
            f"partner {_name(brief, p['partner'])}" if p["partner"] else "",
            f"coalition {p['coalition_name']}"
            + (f" (members on {p['members_at']})" if p["members_at"] else "")
            if p["coalition"]
            else "",
            f"trade year {p['year']}" if p["year"] else "",
            f"sector {str(p['sector']).replace('-', ' ')}" if p["sector"] else "",
        )
        if part
    )
    vl_version = ".".join(str(alt.SCHEMA_VERSION).lstrip("v").split(".")[:2])
    return template.render(
        title=brief.title,
        subtitle=subtitle[:1].upper() + subtitle[1:],
        generated=brief.generated,
        version=__version__,
        page=_page_one(brief),
        sections=sections,
        mode=mode,
        css=_template_text("brief.css"),
        font_css=font_css,
        vega_js=vega_bundle(vl_version) if mode == "screen" else "",
    )


def _name(brief: Brief, code: str) -> str:
    from friendshore.nomenclature.labels import label_of

    return label_of(code)


def findings_json(brief: Brief) -> dict[str, Any]:
    """``findings.json``: the brief analysis's decisions, every sentence rendered, every figure with
    the result, row and column it comes from."""
    r = brief.result
    figures: dict[str, list[dict[str, Any]]] = {}
    for f in r.tables["figures"].to_pylist():
        figures.setdefault(f["statement"], []).append(
            {**f, "value": json.loads(f["value"]), "row": json.loads(f["row"])}
        )
    said = brief.sentences
    out: dict[str, Any] = plain(
        {
            "friendshore": __version__,
            "generated": brief.generated,
            "viewpoint": {
                "for": r.parameters["for"],
                "name": r.parameters["reader"],
                "partner": r.parameters["partner"],
                "coalition": r.parameters["coalition"],
                "members_at": r.parameters["members_at"],
                "year": r.parameters["year"],
            },
            "concern": r.parameters["concern"],
            "bottom_line": [
                {"text": said[k], "figures": figures.get(k, [])} for k in ("stake", "bad", "do") if k in said
            ],
            "findings": [
                {
                    "rank": row["rank"],
                    "id": row["id"],
                    "kind": row["kind"],
                    "text": said[row["id"]],
                    "value": json.loads(row["value"]) if row["value"] is not None else None,
                    "unit": row["unit"],
                    "year": row["year"],
                    "basis": row["basis"],
                    "result": row["result"],
                    "column": row["column"],
                    "row": json.loads(row["row"]) if row["row"] else None,
                    "figures": figures.get(row["id"], []),
                }
                for row in r.table.to_pylist()
            ],
            "options": r.tables["options"].to_pylist(),
            "recommendation": {
                "text": said.get("recommendation"),
                "conditions": said.get("conditions"),
                "figures": figures.get("recommendation", []) + figures.get("conditions", []),
            },
            "unknowns": r.tables["unknowns"].to_pylist(),
            "events": r.tables["events"].to_pylist(),
            "value_chain": r.tables["chain"].to_pylist(),
            "rules": r.parameters["rules"],
            "evidence": r.parameters["evidence"],
        }
    )
    return out


def _provenance(brief: Brief, data: list[str]) -> dict[str, Any]:
    m = brief.methods
    return {
        "friendshore": __version__,
        "generated": brief.generated,
        "parameters": json_safe({k: v for k, v in brief.result.parameters.items() if k != "evidence"}),
        "files": {
            "html": "brief.html",
            "pdf": "brief.pdf",
            "findings": "findings.json",
            "plan": "plan.toml",
            "data": data,
        },
        "datasets": m.datasets,
        "analyses": m.analyses,
        "reproductions": m.reproductions,
        "caveats": m.caveats,
        "gaps": m.gaps,
        "assets": m.assets,
    }


def write_brief(brief: Brief, out: Path | str, *, pdf: bool = True) -> BriefFiles:
    """Write brief.html, brief.pdf (when ``pdf``), findings.json, data/*.csv and provenance.json into
    a fresh folder that replaces ``out`` when complete (see ``output.py``)."""
    chart_list = [c for s in brief.sections for c in s.charts]
    with staged(out) as tmp, progress() as bar:
        task = bar.add_task("brief: writing", total=3 + (len(chart_list) + 1 if pdf else 0))
        data = tmp / "data"
        data.mkdir()
        for key, result in brief.evidence.results.items():
            _write_csv(result.table, data / f"{key}.csv")
            for name, table in result.tables.items():
                _write_csv(table, data / f"{key}.{name}.csv")
        _write_csv(brief.result.table, data / "brief.findings.csv")
        for name, table in brief.result.tables.items():
            _write_csv(table, data / f"brief.{name}.csv")
        m = brief.methods
        for name, rows in (("datasets", m.datasets), ("analyses", m.analyses), ("reproductions", m.reproductions),
                           ("caveats", m.caveats), ("gaps", m.gaps), ("assets", m.assets)):  # fmt: skip
            if rows or name != "gaps":
                _write_rows(rows, data / f"methods.{name}.csv")
        bar.advance(task)
        (tmp / "brief.html").write_text(render_html(brief, mode="screen"), encoding="utf-8")
        (tmp / "findings.json").write_text(json.dumps(findings_json(brief), indent=2, ensure_ascii=False),
                                           encoding="utf-8")  # fmt: skip
        plan = brief.evidence.get("plan")
        if plan is not None and plan.parameters.get("plan_toml"):  # the options' assumptions, to adjust
            (tmp / "plan.toml").write_text(str(plan.parameters["plan_toml"]), encoding="utf-8")
        bar.advance(task)
        if pdf:
            images = {}
            for chart in chart_list:
                bar.update(task, description=f"brief: drawing {chart.name}")
                images[chart.name] = base64.b64encode(charts.render_png(chart, scale=2.0)).decode("ascii")
                bar.advance(task)
            bar.update(task, description="brief: PDF")
            _write_pdf(render_html(brief, mode="print", images=images), tmp / "brief.pdf")
            bar.advance(task)
        names = sorted(p.name for p in data.glob("*.csv"))
        (tmp / "provenance.json").write_text(
            json.dumps(plain(_provenance(brief, names)), indent=2, ensure_ascii=False), encoding="utf-8"
        )
        bar.advance(task)
    final = Path(out).absolute()
    return BriefFiles(final / "brief.html", final / "brief.pdf" if pdf else None, final / "data",
                      final / "provenance.json", final / "findings.json", brief)  # fmt: skip


def _write_pdf(html: str, path: Path) -> None:
    import logging

    import weasyprint

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    weasyprint.HTML(string=html, base_url=None).write_pdf(str(path))
