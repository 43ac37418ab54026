"""Backend parity on Spark: every metric and every analysis gives DuckDB's answer (issue 19).

The reference is always DuckDB; the engine under test is Spark, in local mode (``--backend
pyspark``) and through Spark Connect (``FRIENDSHORE_SPARK_REMOTE``, against a local Connect server
started for the session: ``spark_connect.connect_server``).

- **Analyses**: each analysis function that reads the warehouse is called with settings for each
  engine; the ``Result`` must be the same: title, parameters, notes, provenance, column
  descriptions, schema, and every row in the same order (floats to 1e-9 relative). Every analysis
  runs through Connect once, and its variants (groups, trends, churn, levels) on local Spark.
- **Metrics**: each public Ibis metric of ``friendshore.metrics`` runs on Spark here or in another
  Spark test of the suite (``test_every_engine_metric_has_a_spark_parity_test`` finds them);
  numpy kernels and pure-Python helpers run on no engine and are listed with the reason.
- **Coverage**: a new analysis that opens the warehouse, or a new metric, fails the coverage
  tests until it has a parity case.

Warehouses are the session's sample and China-chips warehouses (small, built once per worker).
"""

from __future__ import annotations

import ast
import datetime as dt
import importlib
import inspect
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from friendshore.analyses import (
    brief_chain,
    brief_plan,
    chips,
    complexity,
    dependencies,
    event,
    flows,
    geopolrisk,
    leverage,
    partners,
    plan,
    shocks,
    supply_risk,
)
from friendshore.analyses.result import Result
from friendshore.settings import Settings, load_settings, project_root

pytestmark = pytest.mark.spark

SRC = project_root() / "src" / "friendshore"
TESTS = project_root() / "tests"
SHOCK_EXAMPLES = Path(str(files("friendshore.models.multisector").joinpath("examples")))
CONCERN = ["CHN", "CUB", "HKG", "IRN", "MAC", "PRK", "RUS", "VEN"]
RTOL = 1e-9


# --- comparison --------------------------------------------------------------------------------


def same_table(ours: pa.Table, reference: pa.Table, what: str) -> None:
    """Same columns, types and rows in the same order (floats to ``RTOL``)."""
    assert ours.schema.names == reference.schema.names, what
    assert ours.schema.types == reference.schema.types, f"{what}: {ours.schema} != {reference.schema}"
    clock = [n for n in reference.schema.names if n == "seconds"]  # a solver's wall time, not a result
    pd.testing.assert_frame_equal(
        ours.to_pandas().drop(columns=clock), reference.to_pandas().drop(columns=clock), rtol=RTOL, obj=what
    )


def same_result(ours: Result, reference: Result) -> None:
    """Two ``Result``s of one analysis agree in everything but the engine that computed them."""
    name = reference.analysis
    assert (ours.analysis, ours.title) == (reference.analysis, reference.title)
    assert ours.parameters == reference.parameters, name
    assert ours.notes == reference.notes, name
    assert [p.to_json() for p in ours.provenance] == [p.to_json() for p in reference.provenance], name
    assert [c.to_json() for c in ours.described_columns()] == [
        c.to_json() for c in reference.described_columns()
    ], name
    assert ours.sources == reference.sources, name
    same_table(ours.table, reference.table, name)
    assert sorted(ours.tables) == sorted(reference.tables), name
    for key in reference.tables:
        same_table(ours.tables[key], reference.tables[key], f"{name}: table {key}")


def sorted_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Rows in one order whatever the engine's: by every column, floats last (an unordered
    metric result has no order of its own)."""
    floats = [c for c in frame.columns if pd.api.types.is_float_dtype(frame[c])]
    keys = [c for c in frame.columns if c not in floats] + floats
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


# --- engines -----------------------------------------------------------------------------------

ENGINES = {
    "local": pytest.mark.xdist_group("spark"),
    # a Connect client starts no JVM in the test process: its tests run beside the local ones
    "connect": pytest.mark.xdist_group("spark-connect"),
}


@pytest.fixture(scope="session")
def spark_remote() -> Iterator[str]:
    """A local Spark Connect server for the session; yields its ``sc://`` URL."""
    from spark_connect import connect_server

    with connect_server() as url:
        yield url


def settings_for(engine: str, home: Path, sample_data: Path, request: pytest.FixtureRequest) -> Settings:
    if engine == "duckdb":
        return load_settings(home=home, backend="duckdb", sample_data=sample_data)
    remote = request.getfixturevalue("spark_remote") if engine == "connect" else None
    return load_settings(home=home, backend="pyspark", spark_remote=remote, sample_data=sample_data)


# --- analyses ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One call of an analysis; ``connect`` marks the call that also runs through Spark Connect."""

    name: str
    analysis: Callable[..., Result]
    call: Callable[[Settings], Result]
    home: str = "sample"
    connect: bool = False


PAX = dt.date(2026, 3, 1)

ANALYSIS_CASES = [
    Case(
        "dependencies",
        dependencies.dependencies,
        lambda s: dependencies.dependencies(s, importer="USA", concern="CHN"),
        connect=True,
    ),
    Case(
        "dependencies-group",
        dependencies.dependencies,
        lambda s: dependencies.dependencies(
            s, importer="pax-silica", concern="countries-of-concern", members_at=PAX, year=2024
        ),
    ),
    Case(
        "dependencies-trends",
        dependencies.dependencies,
        lambda s: dependencies.dependencies(s, importer="USA", concern="CHN", all_years=True),
    ),
    Case(
        "dependencies-churn",
        dependencies.dependencies,
        lambda s: dependencies.dependencies(s, importer="CHN", churn=True),
    ),
    Case(
        "dependencies-by-stage",
        dependencies.dependencies,
        lambda s: dependencies.dependencies(s, importer="USA", concern="CHN", by="stage"),
    ),
    Case("chokepoints", dependencies.chokepoints, lambda s: dependencies.chokepoints(s), connect=True),
    Case(
        "chokepoints-exposure",
        dependencies.chokepoints,
        lambda s: dependencies.chokepoints(s, exposure=True, min_share=0.6),
    ),
    Case(
        "supply-risk",
        supply_risk.supply_risk,
        # WGI and alignment together: both score paths in one (slow) Spark plan
        lambda s: supply_risk.supply_risk(s, importer="IND", alignment_weight=0.5),
        connect=True,
    ),
    Case(
        "supply-risk-geopolrisk",  # HHI of production x import risk (WGI political stability), a group
        geopolrisk.geopolrisk,
        lambda s: supply_risk.supply_risk(s, importer="eu27", method="geopolrisk"),
        connect=True,
    ),
    Case(
        "partners",
        partners.partners,
        lambda s: partners.partners(s, importer="USA", product="850511", coalition="quad", draws=20),
        connect=True,
    ),
    Case(
        "reshoring",
        partners.reshoring,
        lambda s: partners.reshoring(s, importer="USA", product="850511,810411", coalition="quad"),
        connect=True,
    ),
    Case(
        "complexity-country",
        complexity.complexity,
        lambda s: complexity.complexity(s, level="country"),
        connect=True,
    ),
    Case("complexity-density", complexity.complexity, lambda s: complexity.complexity(s, level="density")),
    Case("chips", chips.chips, lambda s: chips.chips(s), connect=True),
    Case(
        "chips-country-trade",
        chips.chips,
        lambda s: chips.chips(s, country="IND", with_trade=True),
    ),
    Case("chips-input", chips.chips, lambda s: chips.chips(s, input_name="EUV")),
    Case(
        "leverage",
        leverage.leverage,
        lambda s: leverage.leverage(s, concern="USA", holder="CHN", year=2024),
        connect=True,
    ),
    Case(
        "leverage-per-holder",
        leverage.leverage,
        lambda s: leverage.leverage(
            s, concern="USA", holder="countries-of-concern", year=2024, per_holder=True
        ),
    ),
    Case(
        "suppliers",
        flows.suppliers,
        lambda s: flows.suppliers(s, importer="USA", product="850511"),
        connect=True,
    ),
    Case("flows", flows.flows, lambda s: flows.flows(s, product="850511,810411"), connect=True),
    Case(
        "event",
        event.event,
        lambda s: event.event(s, importer="CHN", event="us-bis-2022-10-advanced-computing-sme"),
        home="chips",
        connect=True,
    ),
    Case(
        "event-monthly",  # an exporter's destinations by month, from the sample's trade_monthly
        event.event,
        lambda s: event.event(
            s, exporter="CHN", products="250410", date=dt.date(2023, 12, 1), frequency="month"
        ),
    ),
    Case("plan", plan.plan, lambda s: plan.plan(s, example="magnets"), connect=True),
    Case(
        "brief-reader-plan",  # the brief's options, solved for the reader's own imports
        brief_plan.reader_plan,
        lambda s: brief_plan.reader_plan(s, for_="USA", product="850511", concern="CHN", coalition="quad"),
        connect=True,
    ),
    Case(
        "brief-stage-trade",  # the brief's value chain: a country's share of each stage's world exports
        brief_chain.stage_trade,
        lambda s: brief_chain.stage_trade(
            s, country="CHN", stages={"magnets": ["850511"], "magnets and magnesium": ["850511", "810411"]}
        ),
        connect=True,
    ),
    Case(
        "shock-restriction",
        shocks.restriction,
        lambda s: shocks.restriction(s, exporter="CHN", product="850511,810411", output="suppliers"),
        connect=True,
    ),
    Case(
        "shock-restriction-group",
        shocks.restriction,
        lambda s: shocks.restriction(
            s,
            exporter="countries-of-concern",
            sector="critical-minerals",
            share=0.5,
            importer="pax-silica",
            members_at=PAX,
        ),
    ),
    Case(
        "shock-restriction-world-pe",  # the product-level partial equilibrium, every importer at once
        shocks.restriction,
        lambda s: shocks.restriction(
            s, exporter="CHN", product="850511,810411", model="pe", scope="world", output="world"
        ),
        connect=True,
    ),
    Case(
        "shock-restriction-world-first-order",
        shocks.restriction,
        lambda s: shocks.restriction(s, exporter="countries-of-concern", product="850511", scope="world"),
    ),
    Case(
        "shock-tariff",
        shocks.tariff,
        lambda s: shocks.tariff(s, importer="USA", exporter="CHN", products="850511,810411", rate=0.25),
        connect=True,
    ),
    Case(
        "simulate-kite",  # the multi-sector baseline read from the warehouse's KITE tables
        shocks.simulate,
        lambda s: shocks.simulate(s, scenario=SHOCK_EXAMPLES / "decoupling.toml"),
        connect=True,
    ),
]


def _analysis_params() -> list[Any]:
    out = []
    for case in ANALYSIS_CASES:
        engines = ["local", "connect"] if case.connect else ["local"]
        for engine in engines:
            out.append(pytest.param(case, engine, id=f"{case.name}-{engine}", marks=ENGINES[engine]))
    return out


_references: dict[str, Result] = {}


@pytest.mark.parametrize(("case", "engine"), _analysis_params())
def test_analysis_on_spark_equals_duckdb(
    case: Case, engine: str, sample_data: Path, request: pytest.FixtureRequest
) -> None:
    home = request.getfixturevalue("chips_home" if case.home == "chips" else "sample_home")
    if case.name not in _references:  # DuckDB once per case and worker
        _references[case.name] = case.call(settings_for("duckdb", home, sample_data, request))
    reference = _references[case.name]
    assert reference.table.num_rows > 0 or case.name == "dependencies-churn", case.name
    ours = case.call(settings_for(engine, home, sample_data, request))
    same_result(ours, reference)


@pytest.mark.xdist_group("spark")
def test_spark_reads_the_files_where_spark_data_points(
    sample_home: Path, sample_data: Path, tmp_path: Path
) -> None:
    """A cluster reads the warehouse's files from object storage (``FRIENDSHORE_SPARK_DATA``) while
    the manifest is read where the analysis runs: here the folder holds the manifest only and the
    files sit under another URI, and the answer is DuckDB's."""
    import shutil

    home, store = tmp_path / "home", tmp_path / "bucket"
    home.mkdir()
    shutil.copy2(sample_home / "manifest.json", home / "manifest.json")
    shutil.copytree(sample_home / "data", store / "data")

    def call(s: Settings) -> Result:
        return dependencies.dependencies(s, importer="USA", concern="CHN", year=2024)

    reference = call(load_settings(home=sample_home, backend="duckdb", sample_data=sample_data))
    settings = load_settings(home=home, backend="pyspark", spark_data=store.as_uri(), sample_data=sample_data)
    same_result(call(settings), reference)
    without = load_settings(home=home, backend="pyspark", sample_data=sample_data)
    from pyspark.errors import AnalysisException

    with pytest.raises(AnalysisException, match="PATH_NOT_FOUND"):
        call(without)  # the proof that the files came from the other place


def _calls(path: Path) -> dict[str, set[str]]:
    """For each module-level function of ``path``: the names it calls."""
    tree = ast.parse(path.read_text())
    return {
        node.name: {
            n.func.id for n in ast.walk(node) if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


def _callers(calls: dict[str, set[str]], targets: set[str], *, private_only: bool) -> set[str]:
    """``targets`` and the functions of ``calls`` that call one of them, at any depth."""
    found = set(targets)
    while (
        grown := {n for n, called in calls.items() if called & found and (n[0] == "_" or not private_only)}
        - found
    ):
        found |= grown
    return found


def _warehouse_analyses() -> dict[str, str]:
    """``module.function`` of every public analysis that opens the warehouse: calls ``open_context``,
    a function of ``analyses.context`` that does (``open_trade`` ...) or a private function of its
    own module that does."""
    openers = _callers(_calls(SRC / "analyses" / "context.py"), {"open_context"}, private_only=False)
    found = {}
    for path in sorted((SRC / "analyses").glob("*.py")):
        if path.stem == "context":
            continue
        calls = _calls(path)
        opening = _callers(calls, openers, private_only=True)
        for name, called in calls.items():
            if not name.startswith("_") and called & opening:
                found[f"{path.stem}.{name}"] = name
    return found


def test_every_warehouse_analysis_has_a_spark_case() -> None:
    covered = {f"{c.analysis.__module__.rsplit('.', 1)[1]}.{c.analysis.__name__}" for c in ANALYSIS_CASES}
    through_connect = {
        f"{c.analysis.__module__.rsplit('.', 1)[1]}.{c.analysis.__name__}"
        for c in ANALYSIS_CASES
        if c.connect
    }
    wanted = set(_warehouse_analyses())
    assert len(wanted) >= 12
    assert wanted <= covered, f"analyses without a Spark parity case: {sorted(wanted - covered)}"
    assert wanted <= through_connect, (
        f"analyses not run through Spark Connect: {sorted(wanted - through_connect)}"
    )


# --- metrics -------------------------------------------------------------------------------------

#: Public functions of ``friendshore.metrics`` that run on no engine (numpy kernels on small
#: materialised matrices, pure Python): parity does not apply; their own tests check them.
NOT_ON_AN_ENGINE = {
    "chips.input_stages": "pure Python over the ETO graph (rows already materialised)",
    "chips.match_inputs": "pure Python text matching over materialised input names",
    "complexity.calc_density": "numpy kernel on the materialised presence matrix",
    "complexity.calc_eci_pci": "numpy kernel on the materialised presence matrix",
    "complexity.calc_outlook": "numpy kernel on the materialised presence matrix",
    "complexity.calc_proximity": "numpy kernel on the materialised presence matrix",
    "partners.calc_composite": "numpy kernel on the small candidate table",
    "partners.calc_normalise": "numpy kernel on the small candidate table",
    "partners.calc_rank_uncertainty": "numpy Monte Carlo on the small candidate table",
    "partners.calc_ranks": "numpy kernel on the small candidate table",
    "partners.load_weights": "reads a TOML/JSON file",
    "rules.members_of": "pure Python over a list of codes (an argument check)",
    "rules.top_of": "pure Python over a materialised mapping",
    "rules.years_of": "pure Python over the year argument",
    "supply_risk.geopolrisk_inputs": "pure Python over a user's inputs file (a published case)",
    "supply_risk.geopolrisk_score": "float kernel (HHI x import risk)",
    "supply_risk.hhi_normalised": "float kernel over given production figures",
    "supply_risk.import_risk": "float kernel over given imports",
    "supply_risk.political_instability": "float kernel (one WGI estimate)",
    "parameters.load_weights": "reads a TOML/JSON file",
    "parameters.require_fraction": "argument check",
    "parameters.require_number": "argument check",
}

Tables = dict[str, Any]


def _metric_cases() -> dict[str, Callable[[Tables], Any]]:
    """``module.function`` -> the expression (or result) it builds over an engine's tables."""
    from friendshore.metrics import chips as mc
    from friendshore.metrics import complexity as mx
    from friendshore.metrics import flows as mf
    from friendshore.metrics import partners as mp
    from friendshore.metrics import rules as mr
    from friendshore.metrics import shifts as ms
    from friendshore.metrics import shocks as msh
    from friendshore.metrics import supply_risk as msr

    def supply(t: Tables) -> Any:
        return msr.global_supply(t["mineral_production"], year=2024)

    def weighted(t: Tables) -> Any:
        s, w = supply(t), msr.wgi_scores(t["governance"], year=2024)
        j = s.left_join(w, s.country == w.country)
        j = j.select("material", "stage", supplier=j.country, share=j.share, score=j.wgi_score, t=1.0)
        return msr.hhi_weighted(j.filter(j.share.notnull()), by=["material", "stage"])

    def ordered(t: Tables) -> Any:
        import ibis

        trade = t["trade"].filter(t["trade"].hs6 == "850511")
        w = ibis.window(group_by=trade.importer, order_by=mr.supplier_order(trade.value_kusd, trade.exporter))
        return trade.select("importer", "exporter", rank=ibis.row_number().over(w))

    def total(t: Tables) -> Any:
        trade = t["trade"]
        return trade.group_by("hs6").aggregate(
            total=mx.exact_sum(trade.value_kusd),
            china=mx.exact_sum(trade.value_kusd, where=trade.exporter == "CHN"),
        )

    def calc_sr(t: Tables) -> Any:
        s = supply(t).filter(lambda r: r.share.notnull())
        return s.select(
            "material", "stage", "country", sr=msr.calc_supply_risk(s.share, s.share * s.share, 0.5, 0.1, 0.9)
        )

    def whole_complexity(t: Tables) -> pd.DataFrame:
        result = mx.complexity(t["trade"], year=2024)
        cells = result.to_frame("cell")
        frame = cells.merge(result.to_frame("country"), on="country").merge(
            result.to_frame("product"), on="hs6"
        )
        return frame

    def candidates(t: Tables) -> pd.DataFrame:
        result = mp.partner_candidates(
            t["trade"],
            hs6=["850511"],
            year=2024,
            importer=["USA"],
            exclude=CONCERN,
            coalition=["IND", "JPN"],
            governance=t["governance"],
            alignment=t["alignment"],
            geography=t["geography"],
            uncertainty=mp.Uncertainty(draws=10, seed=1),
        )
        return result.table.to_pandas()

    magnets = ["850511", "810411"]
    return {
        "chips.chip_country_shares": lambda t: mc.chip_country_shares(t["chip_provision"]),
        "chips.chip_position": lambda t: mc.chip_position(
            t["chip_inputs"], t["chip_provision"], country="IND"
        ),
        "chips.chip_providers": lambda t: mc.chip_providers(t["chip_provision"], country="USA"),
        "complexity.complexity": whole_complexity,
        "complexity.exact_sum": total,
        "complexity.exports": lambda t: mx.exports(t["trade"], year=2024),
        "complexity.market_shares": lambda t: mx.market_shares(t["trade"], year=[2023, 2024]),
        "complexity.proximity": lambda t: mx.proximity(
            mx.revealed_advantage(t["trade"], year=2024), hs6=magnets
        ),
        "flows.main_flows": lambda t: mf.main_flows(t["trade"], year=2024, hs6=magnets, top=15),
        "flows.supplier_shares": lambda t: mf.supplier_shares(
            t["trade"], importer=["USA", "JPN"], year=2024, hs6=magnets
        ),
        "partners.candidate_density": lambda t: mp.candidate_density(t["trade"], hs6=magnets, year=2024),
        "partners.partner_candidates": candidates,
        "rules.governance_means": lambda t: mr.governance_means(t["governance"], year=2024),
        "rules.in_years": lambda t: mr.in_years(t["trade"], [2023, 2024]),
        "rules.ideal_points": lambda t: mr.ideal_points(t["alignment"], year=2024),
        "rules.latest_per_country": lambda t: mr.latest_per_country(t["gdp"], year=2024, value="gdp_usd"),
        "rules.latest_release": lambda t: mr.latest_release(t["governance"], by=["indicator"]),
        "rules.supplier_order": ordered,
        "shifts.yearly_shares": lambda t: ms.yearly_shares(
            t["trade"], importer=["USA"], hs6=magnets, years=[2022, 2023, 2024]
        ),
        "supply_risk.alignment_scores": lambda t: msr.alignment_scores(
            t["alignment"], importer=["USA"], year=2024
        ),
        "supply_risk.calc_supply_risk": calc_sr,
        "supply_risk.geopolrisk": lambda t: msr.geopolrisk(
            t["trade"], t["mineral_production"], t["governance"], importer=["USA"], year=2024
        ),
        "supply_risk.political_scores": lambda t: msr.political_scores(t["governance"], year=2024),
        "supply_risk.global_supply": supply,
        "supply_risk.hhi_weighted": weighted,
        "supply_risk.importer_sourcing": lambda t: msr.importer_sourcing(
            t["trade"], supply(t), importer=["USA"], year=2024
        )[0],
        "supply_risk.wgi_scores": lambda t: msr.wgi_scores(t["governance"], year=2024),
        "shocks.restriction_exposure": lambda t: msh.restriction_exposure(
            t["trade"], exporters=["CHN"], year=2024, hs6=magnets, share=0.5
        ),
        "shocks.restriction_suppliers": lambda t: msh.restriction_suppliers(
            t["trade"], exporters=["CHN", "RUS"], label="CHN+RUS", year=2024, hs6=magnets
        ),
        "shocks.restriction_world": lambda t: msh.restriction_world(
            t["trade"], exporters=["CHN"], year=2024, hs6=magnets, share=0.5
        ),
        "shocks.restriction_world_totals": lambda t: msh.restriction_world_totals(
            t["trade"], exporters=["CHN", "RUS"], label="CHN+RUS", year=2024, hs6=magnets
        ),
    }


METRIC_CASES = _metric_cases()


def _tables(settings: Settings) -> Tables:
    from friendshore.analyses.context import open_context

    ctx = open_context(settings)
    tables: Tables = {"trade": ctx.table("trade")}
    for name in (
        "mineral_production",
        "governance",
        "alignment",
        "geography",
        "gdp",
        "chip_inputs",
        "chip_provision",
    ):
        tables[name] = ctx.table(name)
    return tables


@pytest.fixture(scope="module")
def duck_tables(sample_home: Path, sample_data: Path) -> Tables:
    return _tables(load_settings(home=sample_home, backend="duckdb", sample_data=sample_data))


@pytest.fixture(scope="module")
def spark_tables(sample_home: Path, sample_data: Path) -> Tables:
    return _tables(load_settings(home=sample_home, backend="pyspark", sample_data=sample_data))


def _materialise(value: Any) -> pd.DataFrame:
    if isinstance(value, pd.DataFrame):
        return value
    if isinstance(value, pa.Table):
        return value.to_pandas()
    return value.to_pyarrow().to_pandas()


@pytest.mark.xdist_group("spark")
@pytest.mark.parametrize("name", sorted(METRIC_CASES))
def test_metric_on_spark_equals_duckdb(name: str, duck_tables: Tables, spark_tables: Tables) -> None:
    build = METRIC_CASES[name]
    reference = sorted_frame(_materialise(build(duck_tables)))
    assert len(reference) > 0, f"{name}: the reference is empty, the case tests nothing"
    ours = sorted_frame(_materialise(build(spark_tables)))
    pd.testing.assert_frame_equal(ours, reference, check_dtype=False, rtol=RTOL, obj=name)


def _engine_metrics() -> list[str]:
    out = []
    for path in sorted((SRC / "metrics").iterdir()):  # modules and packages (supply_risk)
        if path.stem.startswith("_") or not (path.suffix == ".py" or (path / "__init__.py").is_file()):
            continue
        module = importlib.import_module(f"friendshore.metrics.{path.stem}")
        for name in getattr(module, "__all__", []):
            if inspect.isfunction(getattr(module, name)):
                out.append(f"{path.stem}.{name}")
    return out


def _spark_tests_elsewhere() -> dict[str, str]:
    """Source of every test function outside this module that runs on Spark (it takes the ``con``
    or ``backend`` fixture, or is marked ``spark``)."""
    found = {}
    for path in sorted(TESTS.glob("test_*.py")):
        if path.name == Path(__file__).name:
            continue
        text = path.read_text()
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test"):
                args = {a.arg for a in node.args.args}
                marks = ast.unparse(node.decorator_list) if node.decorator_list else ""
                if {"con", "backend"} & args or "spark" in marks:
                    found[f"{path.name}::{node.name}"] = ast.get_source_segment(text, node) or ""
    return found


def test_every_engine_metric_has_a_spark_parity_test() -> None:
    elsewhere = _spark_tests_elsewhere()
    missing = []
    for qualified in _engine_metrics():
        if qualified in NOT_ON_AN_ENGINE or qualified in METRIC_CASES:
            continue
        name = qualified.split(".", 1)[1]
        if not any(f"{name}(" in source for source in elsewhere.values()):
            missing.append(qualified)
    assert not missing, f"metrics that run on no Spark test: {missing}"
    stale = sorted(set(METRIC_CASES) - set(_engine_metrics()))
    assert not stale, f"parity cases for metrics that no longer exist: {stale}"
