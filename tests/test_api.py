"""The web API through the real application (FastAPI TestClient): every endpoint, every error.

Each endpoint must answer with the same rows as its analysis called directly (the API only
renders), the query parameters must be the CLI's options with the analysis's defaults, and every
failure must come back as ``{"error": {"code", "message", "details"}}`` with the right status and
no trace of the server's insides.
"""

from __future__ import annotations

import csv
import hashlib
import io
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from friendshore.analyses import (
    chips,
    complexity,
    dependencies,
    event,
    gravity,
    labels,
    leverage,
    partners,
    plan,
    register,
    reproduce,
    shocks,
    sources,
    supply_risk,
    vocabulary,
    warehouse_status,
)
from friendshore.analyses.result import json_safe
from friendshore.errors import ConvergenceError, InfeasibleError, SettingsError
from friendshore.interfaces.api import Limits, create_app
from friendshore.interfaces.api.endpoints import ENDPOINTS, Endpoint
from friendshore.interfaces.api.routes import endpoint_params
from friendshore.interfaces.api.server import check_bind
from friendshore.interfaces.cli_common import defaults_of
from friendshore.models.examples import example_path
from friendshore.settings import Settings, load_settings

TOKEN = "test-token-0123456789abcdef"
TOML = {"Content-Type": "application/toml"}
AUTH = {**TOML, "Authorization": f"Bearer {TOKEN}"}
EXAMPLE = example_path("gravity", "us_china_tariff").read_text()
GEGRAVITY = "gegravity_sample/sample_data_set.dlm"
FORMULA = "trade ~ ln_dist + contiguity | exporter + importer"


@pytest.fixture(scope="module")
def settings(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    """The application over the sample warehouse, with no token (a loopback server)."""
    with TestClient(create_app(settings), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="module")
def guarded(settings: Settings) -> Iterator[TestClient]:
    """The same application with an API token (as a server beyond loopback has)."""
    with TestClient(create_app(settings, token=TOKEN), raise_server_exceptions=False) as c:
        yield c


def tree_digest(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` (the warehouse must not change); the DuckDB cache, a
    copy built from the Parquet files on first use, and the writer's lock file are left out."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.name != ".lock" and p.relative_to(folder).parts[0] != "cache"
    }


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    error = body["error"]
    assert set(error) == {"code", "message", "details"}
    assert isinstance(error["message"], str)
    assert error["message"]
    assert isinstance(error["details"], dict)
    if code is not None:
        assert error["code"] == code, error
    text = response.text
    assert "Traceback" not in text
    assert 'File "' not in text
    return dict(error)


def assert_same_rows(got: list[dict[str, Any]], want: list[dict[str, Any]]) -> None:
    """Equal rows; floats to 1e-12 (DuckDB's parallel sums may differ in the last bit run to run)."""
    assert len(got) == len(want)
    for a, b in zip(got, want, strict=True):
        assert list(a) == list(b)
        for key in a:
            if isinstance(b[key], float):
                assert a[key] == pytest.approx(b[key], rel=1e-12, abs=1e-300), key
            else:
                assert a[key] == b[key], key


# -- one valid request per endpoint, and the analysis call it must equal ----------------------
# (path, query, body, analysis, analysis keywords)
CASES: dict[str, tuple[str, dict[str, Any], str | None, Any, dict[str, Any]]] = {
    "dependencies": (
        "/api/dependencies",
        {"importer": "USA", "year": 2024, "on": "CHN"},
        None,
        dependencies.dependencies,
        {"importer": "USA", "year": 2024, "on": "CHN"},
    ),
    "chokepoints": ("/api/chokepoints", {"year": 2024}, None, dependencies.chokepoints, {"year": 2024}),
    "supply-risk": (
        "/api/supply-risk",
        {"for": "USA", "material": ["cobalt", "lithium"], "trade_restriction": "CHN=1.2"},
        None,
        supply_risk.supply_risk,
        {"importer": "USA", "material": ("cobalt", "lithium"), "trade_restriction": {"CHN": 1.2}},
    ),
    "partners": (
        "/api/partners",
        {"for": "USA", "product": "850511", "draws": 40, "weights": "capacity=2,governance=1"},
        None,
        partners.partners,
        {
            "importer": "USA",
            "product": "850511",
            "draws": 40,
            "weights": {"capacity": 2.0, "governance": 1.0},
        },
    ),
    "partners/reshoring": (
        "/api/partners/reshoring",
        {"for": "USA", "product": "850511,810411", "coalition": "quad"},
        None,
        partners.reshoring,
        {"importer": "USA", "product": "850511,810411", "coalition": "quad"},
    ),
    "complexity": (
        "/api/complexity",
        {"level": "product"},
        None,
        complexity.complexity,
        {"level": "product"},
    ),
    "chips": ("/api/chips", {"country": "IND"}, None, chips.chips, {"country": "IND"}),
    "gravity/estimate": (
        "/api/gravity/estimate",
        {"data": GEGRAVITY, "formula": FORMULA},
        "",
        gravity.estimate,
        {"data": "SAMPLE/" + GEGRAVITY, "formula": FORMULA},
    ),
    "gravity/simulate": (
        "/api/gravity/simulate",
        {"output": "diversion"},
        EXAMPLE,
        gravity.simulate,
        {"scenario": example_path("gravity", "us_china_tariff"), "output": "diversion"},
    ),
    "taxonomy": (
        "/api/taxonomy",
        {"sector": "semiconductors"},
        None,
        vocabulary.taxonomy,
        {"sector": "semiconductors"},
    ),
    "countries": ("/api/countries", {}, None, vocabulary.countries, {}),
    "labels": ("/api/labels", {}, None, labels.labels, {}),
    "groups": ("/api/groups", {"at": "2026-03-01"}, None, vocabulary.groups, {"at": date(2026, 3, 1)}),
    "groups/{name}": (
        "/api/groups/pax-silica",
        {"all": "true"},
        None,
        vocabulary.group_members,
        {"name": "pax-silica", "history": True},
    ),
    "data/status": ("/api/data/status", {}, None, warehouse_status.data_status, {}),
    "data/sources": ("/api/data/sources", {}, None, sources.sources, {}),
    "reproduce": (
        "/api/reproduce",
        {"consistency": "true"},
        None,
        reproduce.reproductions,
        {"include_consistency": True},
    ),
    "reproduce/{name}": (
        "/api/reproduce/baci-world-shares",
        {},
        "",
        reproduce.reproduce,
        {"name": "baci-world-shares"},
    ),
    "plan": (
        "/api/plan",
        {"example": "magnets", "partner_attributes": "false"},
        "",
        plan.plan,
        {"example": "magnets", "partner_attributes": False},
    ),
    "register": ("/api/register", {}, None, register.register_overview, {}),
    "shock": (
        "/api/shock",
        {"exporter": "CHN", "product": "850511", "importer": "USA"},
        None,
        shocks.restriction,
        {"exporter": "CHN", "product": "850511", "importer": "USA"},
    ),
    "tariff": (
        "/api/tariff",
        {"importer": "USA", "exporter": "CHN", "products": "850511", "rate": "0.25"},
        None,
        shocks.tariff,
        {"importer": "USA", "exporter": "CHN", "products": "850511", "rate": 0.25},
    ),
    "simulate": (
        "/api/simulate",
        {"example": "cp2015_nafta"},
        "",
        shocks.simulate,
        {"scenario": example_path("shocks", "cp2015_nafta")},
    ),
    "leverage": (
        "/api/leverage",
        {"concern": "USA", "holder": "CHN", "sector": "critical-minerals"},
        None,
        leverage.leverage,
        {"concern": "USA", "holder": "CHN", "sector": "critical-minerals"},
    ),
    "register/initiatives": (
        "/api/register/initiatives",
        {"country": "IND"},
        None,
        register.register_initiatives,
        {"country": "IND"},
    ),
    "register/members": (
        "/api/register/members",
        {"initiative": "pax-silica", "active_at": "2026-03-01"},
        None,
        register.register_members,
        {"initiative": "pax-silica", "active_at": date(2026, 3, 1)},
    ),
    "register/investments": (
        "/api/register/investments",
        {"country": "IND"},
        None,
        register.register_investments,
        {"country": "IND"},
    ),
    "register/measures": (
        "/api/register/measures",
        {"on": "CHN", "technology": "chip-equipment", "who": "USA"},
        None,
        register.register_measures,
        {"on": "CHN", "technology": "chip-equipment", "who": "USA"},
    ),
}
WRITES = {"groups/install", "register/install"}  # tested on their own warehouse below
OWN_WAREHOUSE = {"event"}  # needs several years of trade: tested on the China semiconductor rows below


def test_every_endpoint_has_a_case() -> None:
    assert {ep.path for ep in ENDPOINTS} == set(CASES) | WRITES | OWN_WAREHOUSE


@pytest.mark.parametrize("name", sorted(CASES))
def test_endpoint_returns_the_analysis_rows_and_meta(
    client: TestClient, settings: Settings, name: str
) -> None:
    path, query, body, analysis, kwargs = CASES[name]
    if body is None:
        response = client.get(path, params={**query, "limit": 100_000})
    else:
        response = client.post(path, params={**query, "limit": 100_000}, content=body, headers=TOML)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    page = response.json()
    kwargs = {
        k: (
            settings.sample_data / v.removeprefix("SAMPLE/")
            if isinstance(v, str) and v.startswith("SAMPLE/")
            else v
        )
        for k, v in kwargs.items()
    }
    expected = analysis(settings, **kwargs)
    assert_same_rows(page["rows"], [{k: json_safe(v) for k, v in row.items()} for row in expected.rows()])
    meta = page["meta"]
    assert meta["analysis"] == expected.analysis
    assert meta["page"] == {
        "total": expected.table.num_rows,
        "offset": 0,
        "limit": 100_000,
        "returned": expected.table.num_rows,
    }
    assert [c["name"] for c in meta["columns"]] == expected.table.column_names
    assert len(meta["provenance"]) == len(expected.provenance)
    for key, value in json_safe(dict(expected.parameters)).items():
        if not isinstance(value, str) or "/" not in value:  # server paths are shown relative
            assert meta["parameters"][key] == value, key
    assert str(settings.home) not in response.text
    assert str(settings.sample_data) not in response.text


def test_the_api_says_which_loaded_files_it_used(client: TestClient) -> None:
    meta = client.get("/api/dependencies", params={"importer": "USA", "limit": 1}).json()["meta"]
    (trade,) = [p for p in meta["provenance"] if p["table"] == "trade"]
    assert trade["source"] == "cepii-baci"
    assert len(trade["files"][0]["sha256"]) == 64


# -- parameters: CLI names, analysis defaults ---------------------------------------------
def _openapi_params(client: TestClient, ep: Endpoint) -> dict[str, dict[str, Any]]:
    spec = client.get("/openapi.json").json()
    op = spec["paths"][f"/api/{ep.path}"][ep.method.lower()]
    return {p["name"]: p for p in op.get("parameters", [])}


@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda ep: ep.path)
def test_query_defaults_are_the_analysis_defaults(client: TestClient, ep: Endpoint) -> None:
    documented = _openapi_params(client, ep)
    defaults = defaults_of(ep.analysis)
    for p in endpoint_params(ep):
        assert p.query in documented, p.query
        if p.in_path:
            continue
        schema = documented[p.query]["schema"]
        value = defaults.get(p.name)
        if p.required:
            assert documented[p.query]["required"] is True
        elif isinstance(value, bool | int | float | str) and p.kind not in ("mapping", "path"):
            assert schema.get("default") == value, (ep.path, p.query)
        else:  # None, tuples and mappings: absent means the analysis default
            assert schema.get("default") is None, (ep.path, p.query)


def _cli_options() -> dict[str, dict[str, str]]:
    """For each analysis the CLI answers with, analysis parameter -> CLI option name."""
    import click
    import typer

    from friendshore.interfaces.cli import app

    out: dict[str, dict[str, str]] = {}

    def walk(command: click.Command) -> None:
        analysis = getattr(command.callback, "__analysis__", None)
        if analysis is not None:
            names = out.setdefault(f"{analysis.__module__}.{analysis.__qualname__}", {})
            for param in command.params:
                longs = [o for o in param.opts if o.startswith("--")]
                if param.name and longs:
                    names[param.name] = longs[0][2:].replace("-", "_")
        for sub in getattr(command, "commands", {}).values():
            walk(sub)

    walk(typer.main.get_command(app))
    return out


def test_query_names_are_the_cli_option_names() -> None:
    cli = _cli_options()
    checked = 0
    for ep in ENDPOINTS:
        options = cli.get(f"{ep.analysis.__module__}.{ep.analysis.__qualname__}", {})
        for p in endpoint_params(ep):
            if p.name in options and not p.in_path:
                assert p.query == options[p.name], (ep.path, p.name)
                checked += 1
    assert checked > 30


def test_index_lists_every_endpoint(client: TestClient) -> None:
    index = client.get("/api").json()
    assert [e["path"] for e in index["endpoints"]] == [f"/api/{ep.path}" for ep in ENDPOINTS]
    assert index["token_required"] is False
    deps = next(e for e in index["endpoints"] if e["path"] == "/api/dependencies")
    importer = next(p for p in deps["parameters"] if p["name"] == "importer")
    assert importer["required"] is True
    assert "ISO3" in importer["description"]  # help text comes from the analysis docstring


def test_list_and_mapping_parameters(client: TestClient) -> None:
    repeated = client.get(
        "/api/supply-risk", params=[("for", "USA"), ("material", "cobalt"), ("material", "lithium")]
    )
    commas = client.get("/api/supply-risk", params={"for": "USA", "material": "cobalt,lithium"})
    assert repeated.json()["rows"] == commas.json()["rows"]
    assert {r["material"] for r in repeated.json()["rows"]} == {"cobalt", "lithium"}
    assert_error(client.get("/api/supply-risk", params={"for": "USA", "trade_restriction": "CHN"}), 400)
    assert_error(
        client.get("/api/partners", params={"for": "USA", "product": "850511", "draw_normalisation": "x"}),
        400,
    )


# -- formats and pages ----------------------------------------------------------------------
def test_csv_by_parameter_and_by_accept_header(client: TestClient) -> None:
    query = {"year": 2024, "limit": 5}
    as_json = client.get("/api/chokepoints", params=query).json()
    by_param = client.get("/api/chokepoints", params={**query, "format": "csv"})
    by_accept = client.get("/api/chokepoints", params=query, headers={"Accept": "text/csv"})
    for response in (by_param, by_accept):
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.text)))
        assert [r["hs6"] for r in rows] == [r["hs6"] for r in as_json["rows"]]
        assert [float(r["world_hhi"]) for r in rows] == pytest.approx(
            [r["world_hhi"] for r in as_json["rows"]]
        )
        assert response.headers["x-total-count"] == str(as_json["meta"]["page"]["total"])


def test_csv_cells_never_start_a_spreadsheet_formula() -> None:
    from friendshore.interfaces.api.routes import _csv_cell

    assert _csv_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _csv_cell("@SUM") == "'@SUM"
    assert _csv_cell(-1.5) == -1.5  # numbers stay numbers
    assert _csv_cell("CHN") == "CHN"


def test_pages_cover_the_table_once(client: TestClient) -> None:
    full = client.get("/api/taxonomy", params={"limit": 100_000}).json()["rows"]
    seen = []
    offset = 0
    while True:
        response = client.get("/api/taxonomy", params={"limit": 40, "offset": offset})
        page = response.json()
        assert page["meta"]["page"]["total"] == len(full)
        seen += page["rows"]
        if "x-next-offset" not in response.headers:
            break
        offset = int(response.headers["x-next-offset"])
    assert seen == full
    beyond = client.get("/api/taxonomy", params={"offset": len(full) + 10}).json()
    assert beyond["rows"] == []
    assert beyond["meta"]["page"]["returned"] == 0


def test_further_tables_by_name(client: TestClient) -> None:
    response = client.post(
        "/api/gravity/simulate", params={"table": "diagnostics", "limit": 50}, content=EXAMPLE, headers=TOML
    )
    page = response.json()
    assert page["meta"]["table"] == "diagnostics"
    assert {"stage", "iterations", "residual"} <= set(page["rows"][0])
    assert set(page["meta"]["tables"]) >= {"countries", "pairs", "diagnostics", "diversion"}
    assert_error(client.get("/api/countries", params={"table": "nope"}), 400, "bad_request")


# -- caching --------------------------------------------------------------------------------
def test_etag_answers_304_and_a_new_load_invalidates_it(tmp_path: Path, sample_data: Path) -> None:
    from friendshore.warehouse.ingest import SOURCES, ingest_source

    home = tmp_path / "warehouse"
    ingest_source(home, "usgs-mcs", sample_data / SOURCES["usgs-mcs"].sample[0])
    with TestClient(create_app(load_settings(home=home, sample_data=sample_data))) as c:
        first = c.get("/api/data/status")
        tag = first.headers["etag"]
        assert first.headers["cache-control"] == "no-cache"
        again = c.get("/api/data/status", headers={"If-None-Match": tag})
        assert again.status_code == 304
        assert again.content == b""
        other_page = c.get("/api/data/status", params={"limit": 1}, headers={"If-None-Match": tag})
        assert other_page.status_code == 200  # a different page has its own tag
        ingest_source(home, "eto", sample_data / SOURCES["eto"].sample[0])
        after = c.get("/api/data/status", headers={"If-None-Match": tag})
        assert after.status_code == 200
        assert after.headers["etag"] != tag
        tables = {r["table"] for r in after.json()["rows"]}
        assert {"chip_inputs", "net_import_reliance"} <= tables
        assert tables != {r["table"] for r in first.json()["rows"]}


def test_repeated_queries_come_from_the_cache(settings: Settings) -> None:
    app = create_app(settings)
    with TestClient(app) as c:
        query = {"importer": "USA", "year": 2024, "on": "CHN"}
        first = c.get("/api/dependencies", params=query).json()
        misses = app.state.cache.misses
        second = c.get("/api/dependencies", params={**query, "limit": 10}).json()
        assert app.state.cache.misses == misses  # the same analysis call, another page
        assert app.state.cache.hits >= 1
        assert second["rows"] == first["rows"][:10]


# -- errors -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("method", "url", "status", "code"),
    [
        ("get", "/api/dependencies", 400, "bad_request"),  # required parameter missing
        ("get", "/api/dependencies?importer=USA&year=abc", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&hhi=nan", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&hhi=inf", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&year=1800", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&year=99999999999999999999999", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&by=planet", 400, "bad_request"),
        ("get", "/api/dependencies?importer=XXX", 404, "unknown_code"),
        ("get", "/api/dependencies?importer=USA&sector=warp-drives", 404, "unknown_code"),
        ("get", "/api/partners?for=USA&product=12", 400, "bad_request"),
        ("get", "/api/partners?for=USA&product=850511&draws=0", 400, "bad_request"),
        ("get", "/api/partners?for=USA&product=850511&seed=-1", 400, "bad_request"),
        ("get", "/api/partners?for=USA&product=850511&weights=warmth=1", 400, "bad_input"),
        ("get", "/api/groups/no-such-group", 404, "unknown_code"),
        ("get", "/api/groups?at=2026-13-01", 400, "bad_request"),
        ("get", "/api/chips?threshold=2", 400, "bad_request"),
        ("get", "/api/examples/no-such-example", 404, "unknown_code"),
        ("get", "/api/no-such-endpoint", 404, "not_found"),
        ("delete", "/api/dependencies", 405, "method_not_allowed"),
        ("get", "/api/dependencies?importer=USA&limit=0", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&limit=100001", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&offset=-1", 400, "bad_request"),
        ("get", "/api/dependencies?importer=USA&format=xml", 400, "bad_request"),
        ("get", f"/api/dependencies?importer={'A' * 201}", 400, "bad_request"),
    ],
)
def test_errors_have_one_shape_and_the_right_status(
    client: TestClient, method: str, url: str, status: int, code: str
) -> None:
    assert_error(getattr(client, method)(url), status, code)


def test_not_loaded_is_409(tmp_path: Path, sample_data: Path) -> None:
    with TestClient(create_app(load_settings(home=tmp_path / "empty", sample_data=sample_data))) as c:
        error = assert_error(c.get("/api/dependencies", params={"importer": "USA"}), 409, "not_loaded")
        assert "ingest" in error["message"]


def test_model_errors_are_422(settings: Settings) -> None:
    def infeasible(settings: Settings, *, name: str) -> Any:
        raise InfeasibleError("no plan meets the target within the budget")

    def diverged(settings: Settings) -> Any:
        raise ConvergenceError("PPML did not converge in 100 iterations")

    app = create_app(settings, endpoints=(Endpoint("plan/{name}", infeasible), Endpoint("fit", diverged)))
    with TestClient(app) as c:
        assert_error(c.get("/api/plan/x"), 422, "infeasible")
        assert_error(c.get("/api/fit"), 422, "no_convergence")


def test_internal_errors_show_no_trace(settings: Settings) -> None:
    def broken(settings: Settings) -> Any:
        raise RuntimeError(f"secret detail {settings.home}")

    app = create_app(settings, endpoints=(Endpoint("broken", broken),))
    with TestClient(app, raise_server_exceptions=False) as c:
        error = assert_error(c.get("/api/broken"), 500, "internal")
    assert "secret" not in error["message"]
    assert "RuntimeError" not in error["message"]
    assert "id " in error["message"]


def test_time_limit_and_busy_server_are_503(settings: Settings) -> None:
    release = threading.Event()

    def slow(settings: Settings) -> Any:
        release.wait(30)
        return vocabulary.countries(settings)

    app = create_app(
        settings, endpoints=(Endpoint("slow", slow),), limits=Limits(time_limit=0.2, workers=1, queue=1)
    )
    try:
        with TestClient(app) as c:
            error = assert_error(c.get("/api/slow"), 503, "timeout")
            assert "0.2 s" in error["message"]
            assert c.get("/api/slow").headers["retry-after"] == "5"
            app.state.runner._pending = 1  # the one queue slot is taken
            assert_error(c.get("/api/slow"), 503, "busy")
            app.state.runner._pending = 0
    finally:
        release.set()


# -- bodies, tokens, hosts ----------------------------------------------------------------------
def test_oversized_bodies_are_413(settings: Settings) -> None:
    with TestClient(create_app(settings, limits=Limits(max_body=4096))) as c:
        big = b"# " + b"x" * 5000
        assert_error(c.post("/api/gravity/simulate", content=big, headers=TOML), 413, "body_too_large")

        def chunks() -> Iterator[bytes]:  # no Content-Length: counted while read
            for _ in range(10):
                yield b"#" * 1000

        assert_error(c.post("/api/gravity/simulate", content=chunks(), headers=TOML), 413, "body_too_large")


def test_post_needs_a_toml_content_type(client: TestClient) -> None:
    error = assert_error(
        client.post("/api/gravity/simulate", params={"example": "us_china_tariff"}),
        415,
        "unsupported_media_type",
    )
    assert "application/toml" in error["message"]
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    assert_error(client.post("/api/gravity/simulate", content="a=b", headers=form), 415)


@pytest.mark.parametrize(
    ("method", "url", "body"),
    [
        ("post", "/api/gravity/simulate", EXAMPLE),
        ("post", f"/api/gravity/estimate?data={GEGRAVITY}&formula={FORMULA.replace('+', '%2B')}", ""),
        ("post", "/api/reproduce/baci-world-shares", ""),
        ("post", "/api/groups/install?file=mine", '[[group]]\nname = "x"\n'),
        ("post", "/api/register/install?file=mine", '[[source]]\nid = "x"\n'),
        ("post", "/api/plan?example=magnets", ""),
    ],
)
def test_model_runs_and_writes_need_the_token(guarded: TestClient, method: str, url: str, body: str) -> None:
    assert_error(guarded.post(url, content=body, headers=TOML), 401, "unauthorized")
    wrong = {**TOML, "Authorization": "Bearer not-the-token-at-all"}
    assert_error(guarded.post(url, content=body, headers=wrong), 401, "unauthorized")
    assert guarded.post(url, content=body, headers=TOML).headers["www-authenticate"].startswith("Bearer")


def test_the_token_opens_model_runs_and_reads_stay_open(guarded: TestClient) -> None:
    ok = guarded.post(
        "/api/gravity/simulate", params={"example": "us_china_tariff", "limit": 3}, headers=AUTH
    )
    assert ok.status_code == 200, ok.text
    assert len(ok.json()["rows"]) == 3
    assert guarded.get("/api/chokepoints", params={"limit": 1}).status_code == 200
    assert guarded.get("/api").json()["token_required"] is True


def test_group_install_writes_only_with_the_token(tmp_path: Path, sample_data: Path) -> None:
    home = tmp_path / "warehouse"
    group = (
        '[[group]]\nname = "my-chips-club"\ntitle = "My club"\ndescription = "Two partners."\n'
        'source = { publisher = "Me", title = "Notes", url = "https://example.org/notes", date = "2026" }\n'
        '[[group.member]]\niso3 = "IND"\nfrom = 2020-01-01\nverified = true\n'
        '[[group.member]]\niso3 = "JPN"\nfrom = 2020-01-01\nverified = true\n'
    )
    with TestClient(create_app(load_settings(home=home, sample_data=sample_data), token=TOKEN)) as c:
        assert_error(c.post("/api/groups/install", params={"file": "mine"}, content=group, headers=TOML), 401)
        assert not (home / "groups").exists()  # no data change without the token
        for bad in ("../mine", "mine.toml/..", "/etc/passwd", ".hidden"):
            assert_error(
                c.post("/api/groups/install", params={"file": bad}, content=group, headers=AUTH), 400
            )
        response = c.post("/api/groups/install", params={"file": "mine"}, content=group, headers=AUTH)
        assert response.status_code == 200, response.text
        assert response.json()["rows"] == [{"group": "my-chips-club"}]
        assert (home / "groups" / "mine.toml").read_text() == group
        members = c.get("/api/groups/my-chips-club").json()["rows"]
        assert [m["iso3"] for m in members] == ["IND", "JPN"]
        assert_error(
            c.post("/api/groups/install", params={"file": "bad"}, content="[[group]]\n", headers=AUTH), 400
        )
        assert sorted(p.name for p in (home / "groups").iterdir()) == ["mine.toml"]


def test_a_server_beyond_loopback_needs_a_token(sample_home: Path) -> None:
    from pydantic import SecretStr

    bare = load_settings(home=sample_home)
    assert check_bind(bare, "127.0.0.1") is None
    assert check_bind(bare, "localhost") is None
    assert check_bind(bare, "::1") is None
    for host in ("0.0.0.0", "192.0.2.10", "::", "example.org"):
        with pytest.raises(SettingsError, match="FRIENDSHORE_API_TOKEN"):
            check_bind(bare, host)
    short = bare.model_copy(update={"api_token": SecretStr("short")})
    with pytest.raises(SettingsError, match="shorter"):
        check_bind(short, "0.0.0.0")
    good = bare.model_copy(update={"api_token": SecretStr(TOKEN)})
    assert check_bind(good, "0.0.0.0") == TOKEN


def test_serve_refuses_to_listen_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], sample_home: Path
) -> None:
    from friendshore.interfaces.cli import run

    monkeypatch.delenv("FRIENDSHORE_API_TOKEN", raising=False)
    assert run(["--home", str(sample_home), "serve", "--host", "0.0.0.0"]) == 2
    assert "FRIENDSHORE_API_TOKEN" in capsys.readouterr().err


def test_a_loopback_server_answers_only_to_local_host_names(settings: Settings) -> None:
    from friendshore.interfaces.api.security import LOOPBACK_HOSTS

    with TestClient(
        create_app(settings, allowed_hosts=list(LOOPBACK_HOSTS)), base_url="http://127.0.0.1:8765"
    ) as c:
        assert c.get("/api/countries", params={"limit": 1}).status_code == 200
        assert c.get("/api", headers={"Host": "localhost:8765"}).status_code == 200
        assert c.get("/api", headers={"Host": "[::1]:8765"}).status_code == 200
        assert_error(c.get("/api", headers={"Host": "attacker.example"}), 400, "bad_host")
        assert_error(c.get("/api", headers={"Host": "localhost.attacker.example:8765"}), 400, "bad_host")


# -- files: bodies and shipped examples only, never a server path ---------------------------------
def _scenario(path: str) -> str:
    return EXAMPLE.replace('"{sample_data}/yotov_agtpa/1_TradeWithoutBorder.dta"', f'"{path}"')


@pytest.mark.parametrize(
    "path",
    [
        "/etc/passwd",
        "{sample_data}/../../../../etc/passwd",
        "{sample_data}/../shared/data/yotov_agtpa/1_TradeWithoutBorder.dta",
        "~/.ssh/id_rsa",
        "yotov_agtpa/1_TradeWithoutBorder.dta",  # relative to the server's temporary folder
        "{sample_data}/{sample_data}/x.dta",
        "{sample_data}/yotov_agtpa",  # a folder
        "{sample_data}/yotov_agtpa/no-such-file.dta",
        "/proc/self/environ",
    ],
)
def test_scenario_data_paths_stay_in_the_sample_data(
    monkeypatch: pytest.MonkeyPatch, client: TestClient, path: str
) -> None:
    from friendshore.models.gravity import scenario

    read: list[Path] = []
    monkeypatch.setattr(scenario, "load_bilateral", lambda p, **kw: read.append(p))
    error = assert_error(
        client.post("/api/gravity/simulate", content=_scenario(path), headers=TOML), 400, "bad_input"
    )
    assert error["details"]["field"] == "data.path"
    assert read == []  # rejected before any file was opened


def test_a_symbolic_link_out_of_the_sample_data_is_refused(tmp_path: Path, sample_data: Path) -> None:
    from friendshore.interfaces.api.files import sample_file

    fake = tmp_path / "sample"
    fake.mkdir()
    (fake / "escape.dta").symlink_to("/etc/hostname")
    with pytest.raises(Exception, match="not a file of the sample data"):
        sample_file("escape.dta", fake, field="data")
    assert sample_file(GEGRAVITY, sample_data, field="data") == (sample_data / GEGRAVITY).resolve()


@pytest.mark.parametrize(
    "data",
    [
        "../../../../etc/passwd",
        "/etc/passwd",
        "~root/.bashrc",
        "gegravity_sample/../../../etc/passwd",
        "",
        "a\x00b",
    ],
)
def test_estimate_data_stays_in_the_sample_data(client: TestClient, data: str) -> None:
    response = client.post("/api/gravity/estimate", params={"data": data, "formula": FORMULA}, headers=TOML)
    assert_error(response, 400)


@pytest.mark.parametrize(
    "formula",
    [
        "trade ~ I(__import__('os').getpid())",
        "trade ~ ln_dist + np.log(contiguity)",
        "trade ~ ln_dist + exporter.__class__",
        'trade ~ ln_dist + C("x")',
        "trade ~ input()",
    ],
)
def test_formulas_hold_no_code(monkeypatch: pytest.MonkeyPatch, client: TestClient, formula: str) -> None:
    from friendshore.models.gravity import estimate

    monkeypatch.setattr(estimate, "estimate_gravity", lambda *a, **k: pytest.fail("the model ran"))
    response = client.post(
        "/api/gravity/estimate", params={"data": GEGRAVITY, "formula": formula}, headers=TOML
    )
    assert assert_error(response, 400, "bad_input")["details"]["field"] == "formula"
    body = EXAMPLE.replace("[costs]", f'[estimate]\nformula = "{formula}"\n\n[unused]')
    assert_error(client.post("/api/gravity/simulate", content=body.replace('"x"', "'x'"), headers=TOML), 400)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not = [toml", None),
        ("\x00", None),
        ("a = 1\n" + "x = " + "[" * 2000 + "]" * 2000, None),
        (EXAMPLE.replace("sigma = 7", "sigma = 1"), "model.sigma"),
        (EXAMPLE.replace("tariff = 0.25", "tariff = -2"), "changes.0.tariff"),
        (EXAMPLE + "\n[unknown]\nkey = 1\n", "unknown"),
    ],
)
def test_bad_scenarios_are_400(client: TestClient, body: str, field: str | None) -> None:
    error = assert_error(client.post("/api/gravity/simulate", content=body.encode(), headers=TOML), 400)
    if field is not None:
        assert error["details"].get("field") == field


def test_examples_are_listed_and_run_by_name(client: TestClient) -> None:
    names = client.get("/api/examples").json()["examples"]
    assert "us_china_tariff" in names
    text = client.get("/api/examples/us_china_tariff")
    assert text.headers["content-type"].startswith("application/toml")
    assert text.text == EXAMPLE
    by_name = client.post("/api/gravity/simulate", params={"example": "us_china_tariff"}, headers=TOML)
    by_body = client.post("/api/gravity/simulate", content=EXAMPLE, headers=TOML)
    assert by_name.json()["rows"] == by_body.json()["rows"]
    for bad in ("../us_china_tariff", "us_china_tariff.toml", "/etc/passwd"):
        assert_error(client.post("/api/gravity/simulate", params={"example": bad}, headers=TOML), 404)
    both = client.post(
        "/api/gravity/simulate", params={"example": "us_china_tariff"}, content=EXAMPLE, headers=TOML
    )
    assert_error(both, 400)


def test_the_warehouse_is_unchanged_by_all_of_the_above(client: TestClient, settings: Settings) -> None:
    before = tree_digest(settings.home)
    client.get("/api/dependencies", params={"importer": "USA'; DROP TABLE trade; --"})
    client.post("/api/gravity/simulate", content=_scenario("/etc/passwd"), headers=TOML)
    assert tree_digest(settings.home) == before


def test_register_install_writes_only_with_the_token(tmp_path: Path, sample_data: Path) -> None:
    home = tmp_path / "warehouse"
    entry = (
        '[[source]]\nid = "my-note"\npublisher = "Me"\ntitle = "Notes"\ndate = 2026-01-01\n\n'
        '[[investment]]\nid = "my-test-plant"\ncompany = "Test Co"\ncountry = "IND"\nfacility = "fab"\n'
        'technology = "semiconductors"\nstatus = "announced"\nannounced = 2026-01-01\n'
        'sources = ["my-note"]\nverified = false\nnote = "A test entry."\n'
    )
    with TestClient(create_app(load_settings(home=home, sample_data=sample_data), token=TOKEN)) as c:
        assert_error(
            c.post("/api/register/install", params={"file": "mine"}, content=entry, headers=TOML), 401
        )
        assert not (home / "register").exists()  # no data change without the token
        response = c.post("/api/register/install", params={"file": "mine"}, content=entry, headers=AUTH)
        assert response.status_code == 200, response.text
        assert {"kind": "investment", "id": "my-test-plant"} in response.json()["rows"]
        rows = c.get("/api/register/investments", params={"country": "IND"}).json()["rows"]
        assert "my-test-plant" in {r["id"] for r in rows}  # the cache saw the new file


def test_plan_takes_a_plan_body(client: TestClient) -> None:
    from friendshore.planning.plan_file import example_path

    body = example_path("magnets").read_text("utf-8")
    response = client.post("/api/plan", params={"partner_attributes": "false"}, content=body, headers=TOML)
    assert response.status_code == 200, response.text
    strategies = [r["strategy"] for r in response.json()["rows"]]
    assert strategies == ["status_quo", "reshoring", "friendshoring", "open"]
    assert_error(client.post("/api/plan", content="[products]\ncodes = [1]\n", headers=TOML), 400)


def test_event_answers_as_the_analysis_does(chips_home: Path, sample_data: Path) -> None:
    settings = load_settings(home=chips_home, sample_data=sample_data)
    query = {"importer": "CHN", "event": "us-bis-2022-10-advanced-computing-sme", "limit": 1000}
    with TestClient(create_app(settings)) as c:
        response = c.get("/api/event", params=query)
        assert response.status_code == 200, response.text
        expected = event.event(settings, importer="CHN", event="us-bis-2022-10-advanced-computing-sme")
        assert_same_rows(
            response.json()["rows"], [{k: json_safe(v) for k, v in row.items()} for row in expected.rows()]
        )
        assert_error(c.get("/api/event", params={"importer": "CHN", "event": "no-such-measure"}), 404)


def test_the_brief_is_one_html_page(client: TestClient, guarded: TestClient) -> None:
    query = {"for": "USA", "partner": "IND", "coalition": "pax-silica", "members_at": "2026-03-01",
             "sector": "critical-minerals"}  # fmt: skip
    response = client.get("/api/brief", params=query)
    assert response.status_code == 200, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    assert "Bottom line" in response.text
    assert '<script src="http' not in response.text  # self-contained
    tag = response.headers["etag"]
    again = client.get("/api/brief", params=query, headers={"If-None-Match": f'W/"other", {tag}'})
    assert again.status_code == 304
    assert again.headers["etag"] == tag
    assert not again.content
    other = client.get("/api/brief", params={**query, "partner": "JPN"}, headers={"If-None-Match": tag})
    assert other.status_code == 200  # another question: another tag, the page is sent
    assert other.headers["etag"] != tag
    assert_error(guarded.get("/api/brief", params=query), 401, "unauthorized")
    assert_error(client.get("/api/brief", params={"for": "../etc"}), 400)


def test_simulate_refuses_a_baseline_from_a_server_folder(client: TestClient) -> None:
    body = '[baseline]\nsource = "kite-files"\npath = "/etc"\n[[changes]]\nkind = "tariff"\nrate = 0\n'
    error = assert_error(client.post("/api/simulate", content=body, headers=TOML), 400)
    assert "baseline.source" in error["message"]
