"""The brief: its choices are an analysis (findings.json equals the results it quotes), it takes the
reader's point of view, page 1 reads in plain names, the PDF's decision part fits six pages, and the
output folder never loses a file the brief did not write."""

from __future__ import annotations

import json
import math
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from friendshore.settings import Settings, load_settings

pytestmark = pytest.mark.xdist_group("brief")

SLUG = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\b[a-z]+(?:-[a-z]+){2,}\b|pax-silica|critical-minerals")


@pytest.fixture(scope="module")
def settings(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


@pytest.fixture(scope="module")
def findings(brief_files: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(brief_files.findings.read_text("utf-8"))
    return data


@pytest.fixture(scope="module")
def india(settings: Settings) -> Any:
    from friendshore.analyses.brief import brief

    return brief(settings, for_="IND", partner="USA", coalition="pax-silica", members_at=date(2026, 3, 1),
                 sector="critical-minerals", draws=5)  # fmt: skip


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    return bool(a == b)


def _cell(table: Any, row: dict[str, Any], column: str) -> Any:
    rows = [r for r in table.to_pylist() if all(str(r.get(k)) == str(v) for k, v in row.items())]
    assert len(rows) == 1, (row, len(rows))
    value = rows[0][column]
    return value.isoformat() if isinstance(value, date) else value


def _all_figures(found: dict[str, Any]) -> list[dict[str, Any]]:
    figs = [f for item in found["findings"] for f in item["figures"]]
    figs += [f for item in found["bottom_line"] for f in item["figures"]]
    figs += list(found["recommendation"]["figures"])
    return figs


def test_findings_json_has_the_decision_fields(findings: dict[str, Any]) -> None:
    assert {
        "viewpoint",
        "concern",
        "bottom_line",
        "findings",
        "options",
        "recommendation",
        "unknowns",
    } <= set(findings)
    assert set(findings["concern"]) >= {"members", "source"}
    assert 3 <= len(findings["findings"]) <= 5
    for f in findings["findings"]:
        assert {"rank", "text", "value", "unit", "year", "basis", "result"} <= set(f)
        assert f["year"], f
    for o in findings["options"]:
        assert {"strategy", "cost_usd", "cost_low_usd", "cost_high_usd", "concern_share_after", "unmet_share",
                "assumptions"} <= set(o)  # fmt: skip
        assert "assumption" in o["assumptions"].lower()
    assert findings["recommendation"]["text"]
    assert findings["recommendation"]["conditions"]
    assert 2 <= len(findings["bottom_line"]) <= 3


def test_every_number_in_findings_json_equals_its_result(settings: Settings, brief_files: Any,
                                                         findings: dict[str, Any]) -> None:  # fmt: skip
    """Re-run each evidence call independently of the brief and compare every figure's cell."""
    ev = brief_files.brief.evidence
    fresh: dict[str, Any] = {}
    checked = 0
    for fig in _all_figures(findings):
        if fig["result"] == "brief":
            value = _cell(brief_files.brief.result.tables[fig["table"]], fig["row"], fig["column"])
        else:
            if fig["result"] not in fresh:
                fn, kwargs = ev.calls[fig["result"]]
                fresh[fig["result"]] = fn(settings, **kwargs)
            result = fresh[fig["result"]]
            table = result.tables[fig["table"]] if fig["table"] else result.table
            value = _cell(table, fig["row"], fig["column"])
        assert _same(value, fig["value"]), (fig, value)
        checked += 1
    for f in findings["findings"]:
        main = f["figures"][0]
        assert (f["value"], f["unit"], f["result"], f["column"]) == (main["value"], main["unit"], main["result"],
                                                                     main["column"])  # fmt: skip
    assert checked >= 15


def test_no_two_findings_state_the_same_number(findings: dict[str, Any]) -> None:
    stated: list[tuple[str, str]] = []
    for f in findings["findings"]:
        stated += [
            (json.dumps(g["value"]), g["unit"]) for g in f["figures"] if g["unit"] not in ("year", "date")
        ]
    assert len(stated) == len(set(stated)), stated


def test_no_slug_snake_case_or_cut_name_in_any_sentence(brief_files: Any, findings: dict[str, Any]) -> None:
    sentences = [f["text"] for f in findings["findings"]] + [b["text"] for b in findings["bottom_line"]]
    sentences += [findings["recommendation"]["text"], findings["recommendation"]["conditions"]]
    sentences += [s.headline for s in brief_files.brief.sections if s.headline]
    for text in sentences:
        assert "…" not in text, text
        assert not SLUG.search(text), (SLUG.search(text), text)
    assert "Pax Silica" in " ".join(sentences)


def test_us_and_india_briefs_share_at_most_one_finding(findings: dict[str, Any], india: Any) -> None:
    def ideas(rows: list[dict[str, Any]]) -> set[tuple[Any, ...]]:
        return {(r["result"], r["column"], json.dumps(r["value"])) for r in rows}

    us = ideas(findings["findings"])
    ind = ideas([{**r, "value": json.loads(r["value"])} for r in india.table.to_pylist()])
    assert len(us & ind) <= 1, us & ind
    assert len({f["text"] for f in findings["findings"]} & set()) == 0


def test_india_default_concern_is_china_without_russia_unless_asked(settings: Settings, india: Any) -> None:
    from friendshore.analyses.brief_evidence import viewpoint

    concern = india.parameters["concern"]
    assert concern["members"] == ["CHN"]
    assert "RUS" not in concern["members"]
    assert concern["judgement"] is True
    assert "Press Note 3" in concern["why"]
    assert concern["source"]
    assert viewpoint("USA").concern == "countries-of-concern"
    assert viewpoint("BRA").concern == "CHN"
    from friendshore.analyses.brief_evidence import Question, gather

    asked = gather(settings, Question("IND", concern="countries-of-concern", plan_example=None, draws=0))
    assert "RUS" in asked.results["exposure"].parameters["concern"]["members"]


def test_the_pdf_decision_part_fits_six_pages_and_keeps_every_token_whole(brief_files: Any,
                                                                          findings: dict[str, Any]) -> None:  # fmt: skip
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is not installed: run 'make system'"
    text = subprocess.run(["pdftotext", str(brief_files.pdf), "-"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    pages = text.split("\f")
    annex = next(i for i, p in enumerate(pages) if "Annex: the tables behind the brief" in p)
    assert annex <= 6, f"the decision part runs to {annex} pages"
    words = set(re.findall(r"\S+", text))
    flat = " ".join(text.split())
    for f in findings["findings"]:
        for token in re.findall(r"\d[\d,.]*\d|\d", f["text"]):
            assert token in flat, (token, f["text"])
            assert any(token in w for w in words), (token, f["text"])
        for code in re.findall(r"\b\d{6}\b|\d{4}-\d{2}-\d{2}", f["text"]):
            assert any(code in w for w in words), (code, f["text"])


def test_html_is_self_contained_and_page_one_comes_first(brief_files: Any, findings: dict[str, Any]) -> None:
    page = brief_files.html.read_text("utf-8")
    content = page.split("<script>")[0]
    assert not re.search(r"<(script|img|link|iframe|source)[^>]+(src|href)=[\"'](?!data:|#)", content)
    assert page.count('class="vega"') == sum(len(s.charts) for s in brief_files.brief.sections) >= 5
    one = page.index("Bottom line")
    assert (
        one
        < page.index("Judgements, ranked")
        < page.index("Recommendation")
        < page.index("What we do not know")
    )
    named = (
        findings["concern"]["member_names"]
        if len(findings["concern"]["members"]) > 1
        else [findings["concern"]["name"]]
    )
    assert all(name in page[:one] for name in named)  # the concern set, stated before the bottom line


def test_status_quo_is_not_drawn_as_a_cost(brief_files: Any) -> None:
    names = [c.name for s in brief_files.brief.sections for c in s.charts]
    assert "plan-costs" not in names
    assert "none spent" in brief_files.html.read_text("utf-8")


# -- the output folder (issue 30, item 1) -----------------------------------------------------------


def test_brief_refuses_a_file_a_symlink_an_empty_path_and_a_foreign_folder(tmp_path: Path) -> None:
    from friendshore.reporting.brief import OutputFolderError
    from friendshore.reporting.brief.output import check_out

    (tmp_path / "file").write_text("x")
    (tmp_path / "link").symlink_to(tmp_path / "file")
    (tmp_path / "survey" / "data").mkdir(parents=True)
    (tmp_path / "survey" / "data" / "my_survey.csv").write_text("x")
    for bad in ("", tmp_path / "file", tmp_path / "link", tmp_path / "survey"):
        with pytest.raises(OutputFolderError):
            check_out(bad)
    assert (tmp_path / "survey" / "data" / "my_survey.csv").read_text() == "x"
    assert check_out(tmp_path / "new") == tmp_path / "new"
    assert check_out(tmp_path / "out" / "brief" / "usa") == tmp_path / "out" / "brief" / "usa"  # make demo
    with pytest.raises(OutputFolderError):
        check_out(tmp_path / "file" / "usa")


@pytest.mark.parametrize("option", [["--sector", "nosuch"], ["--year", "1900"], ["--for", ""]])
def test_a_typo_in_the_question_is_refused_not_a_brief_of_gaps(
    tmp_path: Path, sample_home: Path, option: list[str]
) -> None:
    from friendshore.interfaces.cli import run

    args = ["--home", str(sample_home), "brief", "--for", "USA", "--out", str(tmp_path / "b"), "--no-pdf"]
    code = run([*args, *option])
    assert code == 2
    assert not (tmp_path / "b").exists()


def test_brief_never_deletes_a_file_it_did_not_write(tmp_path: Path, sample_home: Path) -> None:
    from friendshore.interfaces.cli import run

    out = tmp_path / "p"
    (out / "data").mkdir(parents=True)
    (out / "data" / "my_survey.csv").write_text("x")
    code = run(["--home", str(sample_home), "brief", "--for", "USA", "--out", str(out), "--no-pdf"])
    assert code == 2
    assert (out / "data" / "my_survey.csv").read_text() == "x"
    assert sorted(p.name for p in out.rglob("*")) == ["data", "my_survey.csv"]
    assert run(["--home", str(sample_home), "brief", "--for", "USA", "--out", "", "--no-pdf"]) == 2


def test_an_interrupted_brief_leaves_the_previous_one_intact(tmp_path: Path) -> None:
    from friendshore.reporting.brief.output import MANIFEST, staged

    out = tmp_path / "b"
    with staged(out) as tmp:
        (tmp / "brief.html").write_text("first")
    assert json.loads((out / MANIFEST).read_text())["files"] == ["brief.html"]
    with pytest.raises(KeyboardInterrupt), staged(out) as tmp:
        (tmp / "brief.html").write_text("second")
        raise KeyboardInterrupt
    assert (out / "brief.html").read_text() == "first"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]
    with staged(out) as tmp:  # a previous brief is replaced whole
        (tmp / "findings.json").write_text("{}")
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "findings.json"]


def test_brief_does_not_follow_a_symlinked_data_folder_of_a_previous_brief(tmp_path: Path) -> None:
    from friendshore.reporting.brief import OutputFolderError
    from friendshore.reporting.brief.output import check_out, staged

    out, elsewhere = tmp_path / "b", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.csv").write_text("x")
    with staged(out) as tmp:
        (tmp / "brief.html").write_text("first")
    (out / "data").symlink_to(elsewhere)
    with pytest.raises(OutputFolderError, match="symbolic link"):
        check_out(out)
    assert (elsewhere / "keep.csv").read_text() == "x"


def test_ctrl_c_during_a_brief_leaves_the_previous_brief_and_says_so(
    tmp_path: Path, sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from friendshore.interfaces.cli import run
    from friendshore.reporting.brief import build
    from friendshore.reporting.brief.output import staged

    out = tmp_path / "b"
    with staged(out) as tmp:
        (tmp / "brief.html").write_text("previous")

    def interrupted(*args: Any, **kwargs: Any) -> Any:
        raise KeyboardInterrupt

    monkeypatch.setattr(build, "compose_brief", interrupted)
    code = run(["--home", str(sample_home), "brief", "--for", "USA", "--out", str(out), "--no-pdf"])
    assert code == 130
    assert (out / "brief.html").read_text() == "previous"
    assert "the brief was not written" in capsys.readouterr().err


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


def test_a_brief_without_its_assets_fails_loudly_and_writes_nothing(
    tmp_path: Path, sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 27: a brief that lacks a part it should have (the Vega libraries, the map) exits 2 with
    how to install them, instead of exiting 0 with "not drawn" in its pages."""
    from friendshore.interfaces.cli import run

    monkeypatch.setenv("FRIENDSHORE_ASSETS", str(tmp_path / "empty_node_modules"))
    code = run(
        ["--home", str(sample_home), "brief", "--for", "USA", "--out", str(tmp_path / "b"), "--no-pdf"]
    )
    assert code == 2
    assert "friendshore assets install" in capsys.readouterr().err
    assert not (tmp_path / "b").exists()


# -- the options, re-solved for the reader (issue 24) ------------------------------------------------


def _demand_by_sql(home: Path, *, importer: str, hs6: str, year: int, concern: list[str]) -> dict[str, float]:
    """The reader's imports of ``hs6`` in ``year`` with plain DuckDB SQL on the warehouse files: value,
    tonnes (a flow without a quantity at its exporter's unit value, else the world's) and the part from
    ``concern``; independent of the planner."""
    import duckdb

    from friendshore.warehouse.store import read_manifest

    files = [str(home / p.file) for p in read_manifest(home).partitions("trade") if p.key.get("year") == year]
    con = duckdb.connect()
    con.register("trade", con.read_parquet(files))
    members = ", ".join(f"'{c}'" for c in concern)
    row = con.sql(f"""
        WITH t AS (SELECT * FROM trade WHERE year = {year} AND hs6 = '{hs6}' AND value_kusd > 0),
        uv AS (SELECT exporter, sum(value_kusd) FILTER (WHERE qty_t > 0) / sum(qty_t) FILTER (WHERE qty_t > 0) AS uv
               FROM t GROUP BY exporter),
        w AS (SELECT sum(value_kusd) FILTER (WHERE qty_t > 0) / sum(qty_t) FILTER (WHERE qty_t > 0) AS uv FROM t),
        mine AS (SELECT t.exporter, t.value_kusd,
                        CASE WHEN t.qty_t > 0 THEN t.qty_t ELSE t.value_kusd / coalesce(uv.uv, w.uv) END AS q
                 FROM t LEFT JOIN uv USING (exporter), w WHERE t.importer = '{importer}')
        SELECT sum(value_kusd), sum(q), sum(q) FILTER (WHERE exporter IN ({members})),
               sum(value_kusd) FILTER (WHERE exporter IN ({members})) FROM mine
    """).fetchone()  # fmt: skip
    assert row is not None
    return {"value": row[0], "tonnes": row[1], "concern_tonnes": row[2], "concern_value": row[3]}


def test_options_are_solved_for_the_readers_own_imports_checked_by_sql(
    sample_home: Path, findings: dict[str, Any], india: Any
) -> None:
    """The options' demand and the status quo's concern share equal the reader's imports of its top
    product and the part from its own concern set, recomputed from the warehouse with DuckDB alone."""
    us_options = findings["options"]
    ind_options = india.tables["options"].to_pylist()
    for reader, options, concern, top in (
        ("USA", us_options, findings["concern"]["members"], findings["findings"][0]),
        (
            "IND",
            ind_options,
            india.parameters["concern"]["members"],
            json.loads(india.table["row"][0].as_py()),
        ),
    ):
        hs6 = top["row"]["hs6"] if "row" in top else top["hs6"]
        quo = next(o for o in options if o["strategy_id"] == "status_quo")
        assert quo["hs6"] == hs6, (reader, quo["hs6"], hs6)  # the product of the first judgement
        sql = _demand_by_sql(sample_home, importer=reader, hs6=hs6, year=quo["year"],
                             concern=[c for c in concern if c != reader])  # fmt: skip
        assert math.isclose(quo["demand_value_kusd"], sql["value"], rel_tol=1e-6)
        if quo["demand_unit"] == "t":
            assert math.isclose(quo["demand"], sql["tonnes"], rel_tol=1e-6)
            share = sql["concern_tonnes"] / sql["tonnes"]
        else:
            assert math.isclose(quo["demand"], sql["value"], rel_tol=1e-6)
            share = sql["concern_value"] / sql["value"]
        assert math.isclose(quo["concern_share_before"], share, rel_tol=1e-6), (reader, quo, share)
        assert quo["cost_usd"] == 0.0
        assert quo["unmet_share"] > 0
        assert all("assumption" in o["assumptions"].lower() for o in options)


def test_us_and_india_options_differ(findings: dict[str, Any], india: Any) -> None:
    us = {o["strategy_id"]: o for o in findings["options"]}
    ind = {o["strategy_id"]: o for o in india.tables["options"].to_pylist()}
    assert us.keys() == ind.keys() == {"status_quo", "reshoring", "friendshoring", "open"}
    assert us["status_quo"]["hs6"] == "850511"
    assert ind["status_quo"]["hs6"] == "280469"
    assert us["status_quo"]["concern_share_before"] != ind["status_quo"]["concern_share_before"]
    assert all(us[k]["cost_usd"] != ind[k]["cost_usd"] for k in ("reshoring", "friendshoring", "open"))
    plan = india.parameters["evidence"]["plan"]["arguments"]
    assert (plan["for_"], plan["product"], plan["concern"]) == ("IND", "280469", "CHN")


def test_plan_toml_beside_the_brief_solves_to_the_same_options(brief_files: Any, settings: Settings) -> None:
    from friendshore.analyses.plan import plan
    from friendshore.planning.plan_file import load_plan

    path = brief_files.html.parent / "plan.toml"
    spec = load_plan(path)
    assert spec.products.codes == ["850511"]
    assert spec.coalition.lead == ["USA"]
    solved = {r["strategy"]: r for r in plan(settings, plan=path).rows()}
    quo = next(
        o for o in json.loads(brief_files.findings.read_text())["options"] if o["strategy_id"] == "status_quo"
    )
    assert math.isclose(
        solved["status_quo"]["concern_share_before"], quo["concern_share_before"], rel_tol=1e-9
    )


def test_value_chain_has_products_and_chip_stage_codes(findings: dict[str, Any]) -> None:
    stages = {(r["chain"], r["stage"]): r for r in findings["value_chain"]}
    products = stages[("critical minerals", "products (magnets)")]
    assert products["codes"] == "850511"
    assert products["reader_best_share"] > 0
    assert "848620" in stages[("chips", "tools")]["codes"]
    assert "854231" in stages[("chips", "fabrication")]["codes"]
    assert "854231" in stages[("chips", "assembly and test (OSAT)")]["codes"]
    assert "250410" in stages[("critical minerals", "mining")]["codes"]


def _export_share_by_sql(home: Path, *, exporter: str, codes: list[str], year: int) -> float:
    """``exporter``'s share of world exports of ``codes`` together in ``year``, by value, with plain
    DuckDB SQL on the warehouse's trade files; independent of the analyses."""
    import duckdb

    from friendshore.warehouse.store import read_manifest

    files = [str(home / p.file) for p in read_manifest(home).partitions("trade") if p.key.get("year") == year]
    con = duckdb.connect()
    con.register("trade", con.read_parquet(files))
    listed = ", ".join(f"'{c}'" for c in codes)
    row = con.sql(f"""
        SELECT sum(value_kusd) FILTER (WHERE exporter = '{exporter}') / sum(value_kusd) FROM trade
        WHERE year = {year} AND hs6 IN ({listed}) AND value_kusd > 0 AND exporter <> importer
    """).fetchone()  # fmt: skip
    assert row is not None
    assert row[0] is not None
    return float(row[0])


def test_value_chain_stages_carry_the_readers_share_of_world_exports_checked_by_sql(
    sample_home: Path, settings: Settings, findings: dict[str, Any], brief_files: Any
) -> None:
    """Each stage with goods carries the reader's share of world exports of its codes together, by
    value, in the trade year: the products stage and a two-code stage (how a chip stage is summed)
    equal plain SQL; a stage whose world trade is not loaded has no share (unknown, not zero) and says
    so among the unknowns; design is a service."""
    from friendshore.analyses.brief_chain import SERVICE, stage_trade

    year = brief_files.brief.result.parameters["year"]
    stages = {(r["chain"], r["stage"]): r for r in findings["value_chain"]}
    products = stages[("critical minerals", "products (magnets)")]
    assert products["trade_year"] == year
    assert math.isclose(products["export_share"],
                        _export_share_by_sql(sample_home, exporter="USA", codes=["850511"], year=year), rel_tol=1e-9)  # fmt: skip
    two = stage_trade(settings, country="IND", stages={"two codes": ["850511", "280469"]}, year=year)
    row = two.rows()[0]
    by_sql = _export_share_by_sql(sample_home, exporter="IND", codes=["850511", "280469"], year=year)
    assert math.isclose(row["export_share"], by_sql, rel_tol=1e-9)
    assert math.isclose(row["export_kusd"], by_sql * row["world_export_kusd"], rel_tol=1e-9)
    assert two.column("export_share").basis
    assert two.parameters["year"] == year
    design = stages[("chips", "design")]
    assert design["codes"] == SERVICE
    assert design["export_share"] is None
    for stage in ("fabrication", "assembly and test (OSAT)", "tools"):  # the sample holds no world chip trade
        assert stages[("chips", stage)]["export_share"] is None
        assert any(f"({stage}) in {year} are not loaded" in u["what"] for u in findings["unknowns"]), stage


def test_sentences_read_product_labels_in_sentence_case_and_supply_risk_to_a_tenth(
    findings: dict[str, Any], india: Any
) -> None:
    from friendshore.nomenclature.labels import product_labels, short_label

    texts = [f["text"] for f in findings["findings"]] + [b["text"] for b in findings["bottom_line"]]
    texts += [findings["recommendation"]["text"]]
    capitalised = [short_label(h) for h, p in product_labels().items() if p.label[1:2].islower()]
    for text in texts:
        for label in capitalised:
            assert not re.search(r"\w[^.:]* " + re.escape(label), text), (label, text)
    risk = next(f for f in findings["findings"] if f["kind"] == "risk")
    assert re.search(r"supply risk \d+\.\d on the EU scale", risk["text"]), risk["text"]


def test_partners_of_the_options_export_the_product_and_are_not_of_concern(brief_files: Any) -> None:
    plan = brief_files.brief.evidence.get("plan")
    marked = plan.parameters["coalition"]["partners"]
    assert marked
    assert set(marked) <= set(plan.parameters["coalition"]["members"]) - {"USA"}
    assert not set(marked) & set(plan.parameters["concern"]["members"])
    rows = plan.tables["partners"].to_pylist()
    assert all(r["export_kusd"] and r["export_kusd"] > 0 for r in rows if r["role"] == "partner")
    assert all(r["country"] in marked for r in rows if r["role"] == "partner")
    assert all(r["role"] == "lead" for r in rows if r["strategy"] == "reshoring")


def test_numbers_keep_their_units_on_one_line_in_prose() -> None:
    """A number and its unit never part at a line break ("91.5 / %"): the prose wraps each in a
    span that does not break, after escaping the text."""
    from friendshore.reporting.brief.render import _keep_numbers

    html = str(_keep_numbers("91.5 % of <b> 197 m USD, 11,218 tonnes and 1.50 bn USD; 2024 stays"))
    assert html == (
        '<span class="nb">91.5 %</span> of &lt;b&gt; <span class="nb">197 m USD</span>, '
        '<span class="nb">11,218 tonnes</span> and <span class="nb">1.50 bn USD</span>; 2024 stays'
    )
