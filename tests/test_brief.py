"""The brief: every number it states is a cell of an analysis result (re-run here), its files are
complete and self-contained, and a missing analysis or missing data is one line, never a crash."""

from __future__ import annotations

import csv
import importlib
import json
import math
import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape

from friendshore.reporting.brief.model import Figure
from friendshore.reporting.format import format_value
from friendshore.settings import Settings, load_settings

pytestmark = pytest.mark.xdist_group("brief")

SECTION_IDS = ["findings", "exposure", "supply-risk", "partners", "shocks", "plan", "commitments", "methods"]


@pytest.fixture(scope="module")
def settings(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


def _fresh_cell(settings: Settings, brief: Any, fig: Figure, cache: dict[str, Any]) -> Any:
    """Run the figure's analysis call again (once per call), independently of the brief, and read
    its cell."""
    call = brief.run.calls[fig.call]
    if fig.call not in cache:
        module, _, name = call.target.partition(":")
        cache[fig.call] = getattr(importlib.import_module(module), name)(settings, **call.kwargs)
    result = cache[fig.call]
    table = result.tables[fig.table] if fig.table else result.table
    rows = [r for r in table.to_pylist() if all(r[k] == v for k, v in fig.row.items())]
    assert len(rows) == 1, f"{fig.call}: {len(rows)} rows match {fig.row}"
    return rows[0][fig.column], result


def _same(a: Any, b: Any) -> bool:
    """Equal, or for floats equal but for the last bits: the engine sums in parallel threads, so a
    fresh run of the same analysis can differ in the 16th digit (never in what the brief prints)."""
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) and math.isnan(b):
            return True
        return math.isclose(a, b, rel_tol=1e-12, abs_tol=1e-15)
    return bool(a == b)


def test_the_key_findings_are_five_to_eight_sentences_each_linking_to_its_section(brief_files: Any) -> None:
    findings = brief_files.brief.findings
    assert 5 <= len(findings) <= 8
    page = brief_files.html.read_text("utf-8")
    for f in findings:
        assert f.link in SECTION_IDS[1:]
        assert f'<a href="#{f.link}">{escape(f.text)}</a>' in page
        # number first: the sentence opens with a quoted figure, or "Rank" and one
        assert f.text.startswith(f.figures[0].text) or f.text.startswith("Rank " + f.figures[0].text)


def test_every_number_in_the_findings_equals_its_analysis_result(
    settings: Settings, brief_files: Any
) -> None:
    brief = brief_files.brief
    checked = 0
    fresh: dict[str, Any] = {}
    for sentence in [*brief.findings, *(s.headline for s in brief.sections if s.headline)]:
        assert sentence.figures, f"a finding without a number: {sentence.text}"
        for fig in sentence.figures:
            value, result = _fresh_cell(settings, brief, fig, fresh)
            assert _same(value, fig.value), (fig, value)
            unit = result.column(fig.column).unit if fig.table is None else fig.unit
            assert fig.unit == unit
            assert format_value(value, unit) == fig.text
            assert fig.text in sentence.text
            checked += 1
    assert checked >= 10


def test_no_number_in_a_finding_is_computed_by_the_brief(brief_files: Any) -> None:
    """Strip the quoted figures: what is left holds only HS6 codes, the trade year and the date the
    groups are resolved at (parameters)."""
    brief = brief_files.brief
    year = str(brief.run.results["exposure.dependencies"].parameters["year"])
    for sentence in brief.findings:
        rest = "".join(p for p in sentence.parts if isinstance(p, str))
        rest = rest.replace("5-95 %", "").replace(brief.parameters["members_at"].isoformat(), "")
        for token in re.findall(r"\d[\d.,]*", rest):
            assert token == year or (len(token) == 6 and token in brief.labels.products), (
                token,
                sentence.text,
            )


def test_the_page_has_the_eight_sections_with_a_headline_or_a_gap(brief_files: Any) -> None:
    brief = brief_files.brief
    assert [s.id for s in brief.sections] == SECTION_IDS
    assert [s.number for s in brief.sections] == list(range(1, 9))
    for s in brief.sections[1:6]:
        assert s.headline is not None or s.gaps, s.id
    for s in brief.sections:
        for gap in s.gaps:
            assert "internal error" not in gap.text, gap.text
            assert "\n" not in gap.text


@pytest.mark.parametrize(
    ("module", "key"),
    [
        ("friendshore.analyses.leverage", "partners.leverage"),
        ("friendshore.analyses.shocks", "shocks.restriction"),
    ],
)
def test_an_analysis_not_in_this_version_is_one_line(brief_files: Any, module: str, key: str) -> None:
    try:
        importlib.import_module(module)
    except ModuleNotFoundError:
        assert brief_files.brief.run.gaps[key].endswith("is not in this version of friendshore")
        assert "Not available: " + escape(brief_files.brief.run.gaps[key]) in brief_files.html.read_text(
            "utf-8"
        )
    else:
        assert key in brief_files.brief.run.results or key in brief_files.brief.run.gaps


def test_html_is_self_contained(brief_files: Any) -> None:
    page = brief_files.html.read_text("utf-8")
    content = page.split("<script>")[0]  # everything but the inlined Vega libraries and the embed call
    assert not re.search(r"<(script|img|link|iframe|source)[^>]+(src|href)=[\"'](?!data:|#)", content)
    assert not re.search(r"url\((?!data:)", content)
    assert page.count("<script>") == 2
    assert "@font-face" in page
    assert "font/woff2;base64" in page
    assert page.count('class="vega"') == sum(len(s.charts) for s in brief_files.brief.sections) >= 7


def test_every_chart_has_title_units_source_and_alt_text(brief_files: Any) -> None:
    for chart in (c for s in brief_files.brief.sections for c in s.charts):
        assert chart.title
        assert chart.units
        assert chart.source
        assert len(chart.alt) > 40
        text = chart.spec["title"]["text"]
        assert (text if isinstance(text, str) else " ".join(text)) == chart.title
        assert " ".join(chart.spec["title"]["subtitle"]).endswith(f"Source: {chart.source}")


def test_data_folder_has_every_table_and_provenance_names_every_dataset(brief_files: Any) -> None:
    brief = brief_files.brief
    for key, result in brief.run.results.items():
        path = brief_files.data / f"{key}.csv"
        with path.open(encoding="utf-8") as handle:
            rows = list(csv.reader(handle))
        assert rows[0] == result.table.column_names
        assert len(rows) - 1 == result.table.num_rows
    prov = json.loads(brief_files.provenance.read_text("utf-8"))
    assert prov["parameters"]["importer"] == "USA"
    assert prov["parameters"]["members_at"] == "2026-03-01"
    loaded = {
        (p.source, p.release, n, d)
        for r in brief.run.results.values()
        for p in r.provenance
        for n, d in p.files
    }
    listed = {(d["source"], d["release"], d["file"], d["sha256"]) for d in prov["datasets"]}
    assert loaded <= listed
    for d in prov["datasets"]:
        assert d["publisher"]
        assert d["licence"]
        assert re.fullmatch(r"[0-9a-f]{64}", d["sha256"]), d
    assert {r["name"] for r in prov["reproductions"]} >= {
        "baci-world-shares",
        "crm-main-suppliers",
        "yotov-ch2-app1",
    }
    assert {a["key"] for a in prov["analyses"]} == set(brief.run.results)
    assert any("Monte Carlo" in c["note"] for c in prov["caveats"])
    for f in prov["findings"]:
        assert f["figures"]
        assert all(fig["call"] in brief.run.calls for fig in f["figures"])


def test_an_empty_warehouse_gives_a_brief_of_gaps_not_a_crash(tmp_path: Path, sample_data: Path) -> None:
    from friendshore.reporting.brief import compose_brief

    settings = load_settings(home=tmp_path / "empty", sample_data=sample_data)
    brief = compose_brief(settings, importer="USA", partner="IND", coalition="pax-silica",
                          members_at=date(2026, 3, 1), tariff_scenario=None)  # fmt: skip
    # only the register (shipped data, no warehouse needed) can still say something
    assert all(f.link == "commitments" for f in brief.findings)
    for s in brief.sections[1:6]:
        assert s.gaps, s.id
        for gap in s.gaps:
            assert "internal error" not in gap.text


def test_cli_defaults_are_the_builders_and_a_typo_is_one_line(tmp_path: Path, sample_home: Path) -> None:
    import inspect

    from friendshore.interfaces import cli_brief
    from friendshore.interfaces.cli import run
    from friendshore.interfaces.cli_common import defaults_of
    from friendshore.reporting.brief import build_brief

    built = defaults_of(build_brief)
    for name, param in inspect.signature(cli_brief.brief).parameters.items():
        if name in built and name != "members_at":
            assert param.default == built[name], name
    code = run(["--home", str(sample_home), "brief", "--for", "XYZ", "--out", str(tmp_path / "b")])
    assert code == 2
    assert not (tmp_path / "b").exists()
