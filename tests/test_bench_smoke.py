"""Smoke test of the ingest benchmark (``make bench``) at 20,000 rows: well-formed output, no timings.

It runs the same code as ``bench/run.py``: the generator, both measured processes (DuckDB's COPY
and ``ingest_baci``) and the report, and checks what they wrote, never how fast.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pytest

from friendshore.settings import project_root

ROWS = 20_000
BENCH = project_root() / "bench"


def _load(name: str, module_name: str) -> ModuleType:
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))  # run.py imports bench_ingest as a sibling script
    spec = importlib.util.spec_from_file_location(module_name, BENCH / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def bench_ingest() -> ModuleType:
    return _load("bench_ingest", "bench_ingest")


def test_generator_writes_a_baci_shaped_file(
    bench_ingest: ModuleType, sample_data: Path, tmp_path: Path
) -> None:
    generated = bench_ingest.generate_baci_csv(tmp_path, ROWS, sample=sample_data)

    assert generated.path.name == "BACI_HS17_Y2024_V202601.csv"
    assert generated.path.read_text().splitlines()[0] == "t,i,j,k,v,q"
    table = pacsv.read_csv(
        generated.path, convert_options=pacsv.ConvertOptions(column_types={c: pa.string() for c in "tijkvq"})
    )
    assert table.num_rows == generated.rows == ROWS
    assert set(table["t"].to_pylist()) == {"2024"}
    countries = set(pacsv.read_csv(sample_data / bench_ingest.COUNTRIES)["country_code"].to_pylist())
    exporters = {int(x) for x in table["i"].to_pylist()}
    importers = {int(x) for x in table["j"].to_pylist()}
    assert exporters | importers <= countries
    assert pc.all(pc.match_substring_regex(table["k"], r"^\d{6}$")).as_py()
    assert pc.all(pc.not_equal(table["i"], table["j"])).as_py()
    keys = pc.binary_join_element_wise(table["i"], table["j"], table["k"], "|")
    assert len(pc.unique(keys)) == ROWS  # one row per exporter, importer and product
    na = pc.sum(pc.equal(table["q"], "NA")).as_py()
    assert 0 < na < ROWS * 0.2
    values = pc.cast(table["v"], pa.float64())
    assert pc.min(values).as_py() >= 0


def test_both_measurements_and_the_report_are_well_formed(sample_data: Path, tmp_path: Path) -> None:
    run = _load("run", "friendshore_bench_run")
    out = tmp_path / "BENCHMARKS.md"
    results = tmp_path / "results" / "latest.json"

    code = run.main(
        [
            "--rows",
            str(ROWS),
            "--repeat",
            "1",
            "--out",
            str(out),
            "--work-dir",
            str(tmp_path),
            "--sample-data",
            str(sample_data),
            "--screen-rows",
            "20000",
            "--zip-years",
            "2",
            "--cli-rows",
            str(ROWS),
            "--panel-rows",
            "20000",
            "--panel-products",
            "300",
            "--panel-years",
            "1,2",
            "--spark-years",
            "",
            "--results",
            str(results),
            "--skip-gravity",
            "--skip-multisector",
            "--skip-planner",
            "--skip-api",
        ]
    )

    assert code == 0
    report = out.read_text()
    assert report.startswith("# Benchmarks")
    assert "## BACI ingest as a user runs it: whole processes" in report
    header = next(line for line in report.splitlines() if line.startswith("| rows |"))
    in_process = report.split("<!-- bench_ingest_cli: begin -->", 1)[0]  # the whole-process table follows
    (row,) = [line for line in in_process.splitlines() if line.startswith(f"| {ROWS:,} |")]
    assert row.count("|") == header.count("|") == 11
    cells = [c.strip() for c in row.strip("|").split("|")]
    assert all(float(c.replace(",", "")) > 0 for c in cells)
    (zipped,) = [line for line in report.splitlines() if line.startswith(f"| 2 x {ROWS:,} |")]
    zip_header = next(line for line in report.splitlines() if line.startswith("| years x rows |"))
    assert zipped.count("|") == zip_header.count("|") == 12
    assert all(float(c.strip().replace(",", "")) > 0 for c in zipped.strip("|").split("|")[1:])
    assert "Target: at most 1.3x COPY's time on an 11,000,000-row year. Not measured in this run" in report
    assert "| Python |" in report
    assert "| DuckDB |" in report
    assert "make bench FULL=1" in report
    screen = report.split("## Dependency screen", 1)[1]
    assert "20,000 rows" in screen
    assert "| (a) hand-written DuckDB SQL over the raw Parquet |" in screen
    assert "## ECI and PCI" in report
    curve = report.split("## The panel", 1)[1]
    for workload in ("cache", "screen", "trends", "churn", "chokepoints", "eci", "partners"):
        assert f"| {workload}: " in curve
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "BENCHMARKS.md",
        "results",
    ]  # the rest is cleaned up

    # latest.json: the same run's records, in the shape, one per measurement in the report
    records = json.loads(results.read_text())
    fields = {
        "name",
        "ours_s",
        "baseline",
        "baseline_s",
        "ratio",
        "target",
        "met",
        "peak_mb",
        "rows",
        "machine",
    }
    assert all(fields <= set(r) for r in records)
    names = [r["name"] for r in records]
    assert len(names) == len(set(names))
    assert f"BACI ingest, {ROWS:,} rows" in names
    assert any(n.startswith("ECI/PCI") for n in names)
    assert sum(n.startswith("panel ") for n in names) == 7 * 2  # cache + six workloads, at 1 and 2 years
    for r in records:
        assert r["ours_s"] > 0
        assert r["machine"]
        if r["baseline_s"] is not None:
            assert r["ratio"] == pytest.approx(r["ours_s"] / r["baseline_s"], rel=1e-4)
        if r["target"] is not None:
            assert r["met"] == (r["ratio"] <= r["target"])
    summary = report.split("## Summary: every target", 1)[1].split("\n## ", 1)[0]
    largest = [r for r in records if r["target"] is not None and not r["name"].endswith(" 1 years (DuckDB)")]
    assert (
        summary.count("\n| ") == len(largest) + 1
    )  # one row per target (largest panel size), plus the header


def test_measurements_report_the_generated_row_count(
    bench_ingest: ModuleType, sample_data: Path, tmp_path: Path
) -> None:
    generated = bench_ingest.generate_baci_csv(tmp_path / "data", ROWS, sample=sample_data)

    for kind in ("duckdb-copy", "friendshore-ingest"):
        measured = bench_ingest.measure(kind, generated, tmp_path / "data")
        assert measured.kind == kind
        assert measured.rows == ROWS
        assert measured.peak_rss_mib > 0
        assert measured.cpu_seconds > 0
    assert (tmp_path / "data" / "baseline.parquet").exists()
    assert (tmp_path / "data" / "warehouse" / "manifest.json").exists()


def test_multisector_benchmark_variant_solves_the_same_system() -> None:
    """Variant (c) of bench_multisector (a dense linear solve of the spending system) is the same
    system as the solver's fixed point, so its timing compares like with like."""
    import numpy as np

    from friendshore.models.multisector.kernels import calc_expenditure

    bench = _load("bench_multisector", "bench_multisector")
    rng = np.random.default_rng(0)
    n, j = 4, 3
    shares = rng.random((n, n, j))
    shares /= shares.sum(axis=1, keepdims=True)
    tariff = rng.uniform(0, 0.2, (n, n, j))
    tax = rng.uniform(0, 0.1, (n, n, j))
    va = rng.uniform(0.3, 0.7, (n, j))
    io = rng.random((n, j, j))
    io = io / io.sum(axis=1, keepdims=True) * (1 - va)[:, None, :]
    alpha = rng.random((n, j))
    alpha /= alpha.sum(axis=1, keepdims=True)
    income = rng.uniform(5, 10, n)
    fixed, _, _ = calc_expenditure(shares, tariff, tax, io, alpha, income, start=np.ones((n, j)), tol=1e-15)
    dense, _, _ = bench.dense_expenditure(
        shares, tariff, tax, io, alpha, income, start=np.ones((n, j)), tol=0.0
    )
    np.testing.assert_allclose(dense, fixed, rtol=1e-12)


def test_api_load_test_is_well_formed(sample_home: Path) -> None:
    """Two clients for one second each: the report's rows are there and no request failed."""
    bench_api = _load("bench_api", "bench_api")
    result = bench_api.measure(seconds=1.0, clients=2, home=sample_home)
    for row in ("cached", "uncached"):
        assert result[row]["requests"] > 0
        assert result[row]["failures"] == 0
        assert 0 < result[row]["p50_ms"] <= result[row]["p95_ms"]
    assert result["baseline"]["calls"] >= 3
    section = bench_api.render(result)
    assert section.startswith("## Web API under load")
    assert section.count("| cached |") == section.count("| uncached |") == 1


def test_ingest_records_carry_the_measured_ratio(
    bench_ingest: ModuleType, sample_data: Path, tmp_path: Path
) -> None:
    result = bench_ingest.run_size(ROWS, tmp_path, sample=sample_data)
    (record,) = [r.to_json() for r in bench_ingest.records([result], machine="test")]
    assert record["rows"] == ROWS
    assert record["ratio"] == pytest.approx(record["ours_s"] / record["baseline_s"], rel=1e-4)
    assert record["target"] is None  # the 1.3x target is for an 11 M-row year
    assert record["met"] is None
    assert record["peak_mb"] == pytest.approx(
        result["peak_rss_mib"]["friendshore-ingest"] * 2**20 / 1e6, abs=0.1
    )
    cpu = result["cpu_seconds"]["friendshore-ingest"] / result["cpu_seconds"]["duckdb-copy"]
    assert f"CPU time {cpu:.2f}x" in record["note"]


def test_whole_process_ingest_benchmark_is_well_formed(
    bench_ingest: ModuleType, sample_data: Path, tmp_path: Path
) -> None:
    """The CLI against DuckDB's COPY as whole processes (``bench/bench_ingest_cli.py``), once each:
    both wrote every row, the record and the section carry what was measured, and ``update`` replaces
    its own section and records and keeps the rest."""
    cli = _load("bench_ingest_cli", "bench_ingest_cli")
    generated = bench_ingest.generate_baci_csv(tmp_path / "data", ROWS, sample=sample_data)
    result = cli.run(generated.path, generated.countries_file, ROWS, tmp_path, repeat=1)

    assert [r["kind"] for r in result["runs"]] == ["copy", "cli"]
    assert all(r["seconds"] > 0 and r["cpu_seconds"] > 0 and r["peak_rss_mib"] > 0 for r in result["runs"])
    assert result["time_ratio"] == pytest.approx(result["cli"]["seconds"] / result["copy"]["seconds"])
    assert len(result["load_average"]) == 6
    assert set(result["start_up_s"]) == {"copy", "cli"}
    assert all(seconds > 0 for seconds in result["start_up_s"].values())
    (record,) = [r.to_json() for r in cli.records(result, machine="test")]
    assert record["name"] == f"BACI ingest CLI, whole process, {ROWS:,} rows"
    assert record["baseline"] == "DuckDB COPY, whole process"
    assert record["target"] is None  # the 1.3x target is for a year of 11 M rows or more
    assert f"CPU time {result['cpu_ratio']:.2f}x" in record["note"]

    report, results = tmp_path / "BENCHMARKS.md", tmp_path / "latest.json"
    report.write_text("# Benchmarks\n\n## Other\n\nkept\n")
    results.write_text(json.dumps([{"name": "other"}, {"name": record["name"], "ours_s": -1}]))
    for _ in range(2):  # a second update replaces the first
        cli.update(result, report, results, machine="test")
    text = report.read_text()
    assert text.count(cli.BEGIN) == text.count(cli.END) == 1
    assert "## Other\n\nkept" in text
    assert f"| {ROWS:,} |" in text
    names = [r["name"] for r in json.loads(results.read_text())]
    assert names == ["other", record["name"]]
    assert json.loads(results.read_text())[1]["ours_s"] == record["ours_s"]

    summary = "# Benchmarks\n\n## Summary: every target\n\n1 of 1 targets met in this run.\n\n| a | b |\n|---|---|\n"
    report.write_text(summary + "| other | 1 | x | 1 | same | t | yes |\n\n## Next\n")
    target = cli.Record(
        "BACI ingest CLI, whole process, 1 rows", 2.0, baseline="copy", baseline_s=1.0, target=1.3
    )
    for _ in range(2):
        cli._summary_row(report, target)
    text = report.read_text()
    assert "1 of 2 targets met in this run" in text
    assert text.count("| BACI ingest CLI, whole process, 1 rows | 2.000 | copy | 1.000 | 2.00x slower |") == 1
    assert text.endswith("\n## Next\n")
    assert text.count("- **BACI ingest CLI, whole process, 1 rows** (2.00x slower;") == 1


def test_loop_benchmark_measures_commands_and_keeps_its_section(tmp_path: Path) -> None:
    """``bench/bench_loop.py``: a command's wall and CPU time and exit code; its section and records
    go into the report and ``latest.json``; ``run.py`` keeps that section when it rewrites the report."""
    loop = _load("bench_loop", "bench_loop")
    run = _load("run", "bench_run")
    measured = loop.measure([sys.executable, "-c", "sum(range(10**6))"])
    assert measured["code"] == 0
    assert measured["seconds"] > 0
    assert measured["cpu_seconds"] > 0
    assert loop.measure([sys.executable, "-c", "raise SystemExit(3)"])["code"] == 3
    labels = [label for label, _ in loop.demo_commands(tmp_path / "home", tmp_path / "out")]
    assert labels == ["ingest sample", "brief USA", "brief IND"]

    step = {"seconds": 2.0, "cpu_seconds": 1.0, "code": 0}
    result = {
        "steps": {"ingest sample": step, "brief USA": step, "brief IND": step, "make test-fast": step},
        "demo_s": 6.0,
        "demo_cpu_s": 3.0,
        "load_average": [1.0] * 6,
        "cores": 2,
        "date": "2026-12-06 09:00 UTC",
    }
    report, results = tmp_path / "BENCHMARKS.md", tmp_path / "latest.json"
    loop.update(result, report, results, machine="test")
    assert "| **make demo** (the three steps above, set-up excluded) | 6.0 | 3.0 |" in report.read_text()
    fast = next(r for r in json.loads(results.read_text()) if r["name"] == "make test-fast, whole run")
    assert fast["met"] is True  # 2 s of a 120 s budget
    assert all(r["name"].startswith(loop.PREFIXES) for r in json.loads(results.read_text()))

    kept = run.kept_sections(report, "# Benchmarks\n\nnew\n")
    assert len(kept) == 1
    assert loop.BEGIN in kept[0]
    assert run.kept_sections(report, kept[0]) == []  # written again by this run: not kept twice


def test_full_panel_benchmark_loads_each_year_by_the_cli_under_the_memory_limit(
    sample_data: Path, tmp_path: Path
) -> None:
    """``bench_panel_full.py`` at 2 years x 3,000 flows over 200 products: every year loaded by the
    CLI (the fast path takes the CSV it writes: numbers without exponents), every workload measured
    under the memory limit, the records named as BENCHMARKS.md and latest.json expect."""
    _load("bench_panel", "bench_panel")
    full = _load("bench_panel_full", "bench_panel_full")
    panel = _load("panel", "panel")
    spec = panel.PanelSpec(years=2, rows_last=3_000, products=200)
    result = full.run(tmp_path / "work", spec=spec, sample=sample_data, memory_limit="1GB")

    assert result["rows"] == spec.total_rows == sum(y["rows"] for y in result["ingest"])
    assert [y["year"] for y in result["ingest"]] == [2023, 2024]
    assert set(result["workloads"]) == {
        "cache",
        "screen",
        "trends",
        "churn",
        "chokepoints",
        "eci",
        "partners",
    }
    assert all(m["peak_mb"] > 0 and m["seconds"] > 0 for m in result["workloads"].values())
    names = [r.name for r in full.records(result)]
    assert f"panel full eci, 2 years, {spec.total_rows:,} rows (DuckDB, memory limit 1GB)" in names
    assert any(n.startswith("panel full ingest per year") for n in names)
    markdown = full.render(result)
    assert markdown.startswith(full.BEGIN)
    assert markdown.endswith(full.END)
    assert "| 2024 | 3,000 |" in markdown


def test_the_full_panel_csv_has_no_exponents(sample_data: Path, tmp_path: Path) -> None:
    full = _load("bench_panel_full", "bench_panel_full")
    table = pa.table(
        {
            "exporter": ["USA", "CHN"],
            "importer": ["CHN", "USA"],
            "hs6": ["850511", "010121"],
            "value_kusd": [2.5e10, 0.001],
            "qty_t": pa.array([None, 1.23456789012345e11]),
        }
    )
    path = full.write_baci_csv(table, 2024, full._codes(sample_data), tmp_path)
    lines = path.read_text().splitlines()
    assert lines[0] == "t,i,j,k,v,q"
    assert lines[1:] == [
        "2024,156,842,010121,0.001,123456789012.345",
        "2024,842,156,850511,25000000000.000,NA",
    ]
