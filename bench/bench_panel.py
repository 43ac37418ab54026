"""Benchmark: the analyses over a generated BACI-shaped panel of 1, 5, 10 and 30 years (issue 19).

``panel.py`` generates the years (with year-to-year persistence) into one warehouse; each size is a
warehouse holding the last N years (hard links, no copy). Every measurement runs in its own
process (``measure.py``: peak resident memory of the worker and its children, Spark's JVM
included); wall time is taken inside the worker around the work (interpreter start, imports and
Spark's JVM start excluded).

Workloads (all through the harmonised trade of ``analyses.context``, as every analysis reads it):

- ``cache``: the one-off native DuckDB copy of a newly loaded warehouse (DuckDB only);
- ``screen``: ``dependence_screen`` of every importer x product x year (top supplier named),
  written to Parquet;
- ``trends``: the ``dependencies`` analysis of the US, share from China, every year with changes;
- ``churn``: the ``dependencies`` analysis of the EU-27 (extra-EU imports), persistence of flags;
- ``chokepoints``: world export concentration of every product in every year;
- ``eci``: ``complexity`` (RCA, ECI, PCI, density, COI, COG) of every year;
- ``partners``: ``partner_candidates`` (capacity, RCA, density, governance, alignment, distance,
  1,000 Monte Carlo draws) for the US's semiconductor imports without the countries of concern,
  in every year.

Run ``python bench/bench_panel.py --rows 200000 --years 1,5`` for a small run.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from measure import measured  # a script folder, not a package: imported from sys.path
from panel import PanelSpec, subset_home, write_panel
from records import Record, Section, speed

WORKLOADS = ("screen", "trends", "churn", "chokepoints", "eci", "partners")
DEFAULT_SIZES = (1, 5, 10, 30)
#: Linear or better: the time per year of data at N years within this factor of that at 1 year.
LINEAR_TOLERANCE = 1.25
#: The memory the full panel must fit in (issue 19: a 24 GB laptop, without swapping).
LAPTOP_MB = 24 * 1024
#: The full BACI panel of one HS revision (issue 19: 1995-2024, about 300 M rows).
FULL_BACI_ROWS = 300_000_000
CONCERN = "countries-of-concern"
SECTOR = "semiconductors"

DESCRIPTIONS = {
    "cache": "native DuckDB copy of the loaded warehouse (once per load)",
    "screen": "dependency screen: every importer x product x year -> Parquet",
    "trends": "`dependencies` USA, share from China, every year with changes",
    "churn": "`dependencies` EU-27 (extra-EU), persistence of EC flags",
    "chokepoints": "world export concentration, every product and year",
    "eci": "RCA, ECI, PCI, density, COI, COG, every year",
    "partners": "partner scores, US semiconductors without countries of concern, every year",
}


# --------------------------------------------------------------------------------------------------
# The worker: one workload on one warehouse and engine; writes its result to out/, prints JSON.


def _work(workload: str, home: Path, backend: str, sample: Path, out: Path) -> dict[str, Any]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from friendshore.settings import load_settings

    settings = load_settings(home=home, backend=backend, sample_data=sample)
    out.mkdir(parents=True, exist_ok=True)
    if workload == "cache":
        from friendshore.warehouse import read_manifest
        from friendshore.warehouse.duckdb_cache import ensure_cache
        from friendshore.warehouse.tables import TABLES

        manifest = read_manifest(home)
        started = time.perf_counter()
        ensure_cache(
            home, manifest, [t for t in TABLES if manifest.partitions(t)], config=settings.duckdb_config()
        )
        return {"seconds": time.perf_counter() - started}
    from friendshore.analyses.context import open_context

    session_s = 0.0
    if backend == "pyspark":  # the JVM starts before the clock, as the interpreter does
        from friendshore.warehouse.connect import spark_session

        started = time.perf_counter()
        spark_session()
        session_s = time.perf_counter() - started
    started = time.perf_counter()
    if workload == "screen":
        from friendshore.metrics.dependence import dependence_screen

        ctx = open_context(settings)
        dependence_screen(ctx.table("trade")).to_parquet(out / "result.parquet")
    elif workload in ("trends", "churn"):
        from friendshore.analyses.dependencies import dependencies

        if workload == "trends":
            result = dependencies(settings, importer="USA", on="CHN", all_years=True)
        else:
            result = dependencies(settings, importer="eu27", churn=True)
        pq.write_table(result.table, out / "result.parquet")
    elif workload == "chokepoints":
        from friendshore.metrics.dependence import chokepoints

        ctx = open_context(settings)
        table = chokepoints(ctx.table("trade"), world_known=ctx.known("world")).to_pyarrow()
        pq.write_table(table, out / "result.parquet")
    elif workload == "eci":
        from friendshore.metrics.complexity import complexity

        ctx = open_context(settings)
        trade, _ = ctx.world_trade()
        parts = []
        for year in ctx.loaded_years():
            found = complexity(trade, year=year)
            parts.append(found.countries.append_column("year", pa.array([year] * found.countries.num_rows)))
        pq.write_table(pa.concat_tables(parts), out / "result.parquet")
    elif workload == "partners":
        from friendshore.analyses.context import resolve_who
        from friendshore.metrics.partners import partner_candidates
        from friendshore.nomenclature.taxonomy import sector_codes

        ctx = open_context(settings)
        trade, _ = ctx.world_trade()
        codes = sector_codes(SECTOR)
        products = trade.select("hs6").distinct()
        traded = products.filter(products.hs6.isin(codes)).to_pyarrow().column("hs6").to_pylist()
        if not traded:  # a quick panel over a few products: the first few it has
            traded = products.order_by("hs6").limit(len(codes)).to_pyarrow().column("hs6").to_pylist()
        codes = sorted(traded)
        last = ctx.loaded_years()[-1]
        concern = resolve_who(CONCERN, year=last, members_at=None, settings=settings).members
        parts = []
        for year in ctx.loaded_years():
            ranked = partner_candidates(
                trade,
                hs6=codes,
                year=year,
                importer=["USA"],
                exclude=concern,
                governance=ctx.optional("governance"),
                alignment=ctx.optional("alignment"),
                geography=ctx.optional("geography"),
            )
            table = ranked.table.select(["rank", "candidate", "export_kusd", "score", "rank_median"])
            parts.append(table.append_column("year", pa.array([year] * table.num_rows)))
        pq.write_table(pa.concat_tables(parts), out / "result.parquet")
    else:
        raise SystemExit(f"unknown workload {workload}")
    return {"seconds": time.perf_counter() - started, "session_s": session_s}


def measure(workload: str, home: Path, backend: str, sample: Path, out: Path) -> dict[str, Any]:
    """One measurement in its own process (``measure.measured``): ``{seconds, peak_mb, ...}``; the
    result is written under ``out``."""
    return measured(__file__, [workload, str(home), backend, str(sample), str(out)])


def fingerprint(out: Path) -> tuple[int, float]:
    """Rows and the sum of every numeric column of a result written under ``out`` (file or folder)."""
    import duckdb

    path = out / "result.parquet"
    pattern = f"{path}/*.parquet" if path.is_dir() else str(path)
    with duckdb.connect(config={"memory_limit": "1GB", "threads": "1"}) as db:
        cols = db.execute(f"DESCRIBE SELECT * FROM read_parquet('{pattern}')").fetchall()
        numeric = [c[0] for c in cols if c[1] in ("DOUBLE", "FLOAT", "BIGINT", "INTEGER", "SMALLINT")]
        sums = " + ".join(f'coalesce(sum("{c}"), 0)' for c in numeric) or "0"
        row = db.execute(f"SELECT count(*), {sums} FROM read_parquet('{pattern}')").fetchone()
    assert row is not None
    return int(row[0]), float(row[1])


# --------------------------------------------------------------------------------------------------
# The run


def build(work: Path, spec: PanelSpec, sizes: Sequence[int], sample: Path) -> tuple[dict[int, Path], float]:
    """The panel's warehouse and one per size (the last N years); returns them and the generation time."""
    master = work / "panel"
    started = time.perf_counter()
    write_panel(master, spec, sample=sample)
    seconds = time.perf_counter() - started
    homes = {}
    for n in sizes:
        if n == spec.years:
            homes[n] = master
        else:
            homes[n] = work / f"years_{n}"
            subset_home(master, homes[n], n)
    return homes, seconds


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run(
    work: Path,
    *,
    spec: PanelSpec,
    sizes: Sequence[int] = DEFAULT_SIZES,
    spark_sizes: Sequence[int] = (1, 5),
    sample: Path,
    machine: str = "",
    workloads: Sequence[str] = WORKLOADS,
) -> tuple[Section, dict[int, Path]]:
    """Generate, measure and return the section (and the warehouses, for other benchmarks)."""
    sizes = sorted(set(sizes))
    if spec.years != max(sizes):
        raise ValueError("the panel must have as many years as the largest size")
    _log(f"panel: generating {spec.years} years, {spec.total_rows:,} rows")
    homes, gen_s = build(work, spec, sizes, sample)
    rows = {n: sum(spec.rows_of(y) for y in range(spec.last_year - n + 1, spec.last_year + 1)) for n in sizes}
    duck: dict[tuple[str, int], dict[str, Any]] = {}
    for n in sizes:
        for workload in ("cache", *workloads):
            out = work / "out" / f"duckdb-{workload}-{n}"
            m = measure(workload, homes[n], "duckdb", sample, out)
            if workload != "cache":
                m["rows_out"], m["check"] = fingerprint(out)
            shutil.rmtree(out, ignore_errors=True)
            duck[(workload, n)] = m
            _log(f"  duckdb {workload:12s} {n:2d} years: {m['seconds']:8.2f} s, peak {m['peak_mb']:,.0f} MB")
    spark: dict[tuple[str, int], dict[str, Any]] = {}
    for n in [s for s in sorted(set(spark_sizes)) if s in homes]:
        for workload in workloads:
            out = work / "out" / f"spark-{workload}-{n}"
            m = measure(workload, homes[n], "pyspark", sample, out)
            m["rows_out"], m["check"] = fingerprint(out)
            shutil.rmtree(out, ignore_errors=True)
            ref = duck[(workload, n)]
            m["same"] = m["rows_out"] == ref["rows_out"] and abs(m["check"] - ref["check"]) <= 1e-6 * max(
                1.0, abs(ref["check"])
            )
            spark[(workload, n)] = m
            _log(f"  spark  {workload:12s} {n:2d} years: {m['seconds']:8.2f} s, peak {m['peak_mb']:,.0f} MB")
    section = render(spec, sizes, rows, duck, spark, gen_s, machine, workloads)
    return section, homes


def render(
    spec: PanelSpec,
    sizes: Sequence[int],
    rows: dict[int, int],
    duck: dict[tuple[str, int], dict[str, Any]],
    spark: dict[tuple[str, int], dict[str, Any]],
    gen_s: float,
    machine: str,
    workloads: Sequence[str],
) -> Section:
    records: list[Record] = []
    first, last = sizes[0], sizes[-1]
    head = "| workload | " + " | ".join(f"{n} yr (s)" for n in sizes) + " | "
    head += " | ".join(f"{n} yr peak (MB)" for n in sizes) + f" | time per year, {last} vs {first} |"
    lines = [
        "## The panel: cost curve over 1 to 30 years (issue 19)",
        "",
        f"A generated BACI-shaped panel (`bench/panel.py`): {spec.years} years ending {spec.last_year}, "
        f"{spec.rows_of(spec.first_year):,} to {spec.rows_last:,} flows a year ({spec.total_rows:,} rows in all; "
        f"generated and stored in {gen_s:.0f} s), real ISO3 and HS 2017 codes, flows that persist from one "
        f"year to the next (about {spec.survival:.0%} of them, most of the value) with noise in their values, "
        "new flows entering and capabilities drifting so that shares trend. It mimics BACI's shape and "
        "dynamics; it says nothing about real trade. Each size is a warehouse holding the last N years.",
        "",
        "Each cell is one process (the probe process measures it): wall seconds of the work, and the peak "
        "resident memory of the process and its children (sampled every 50 ms, and `ru_maxrss`), which "
        "includes the interpreter and the libraries (about 200-300 MB on its own). DuckDB backend; the "
        "native DuckDB copy (`cache`) is built once after each load and read by every later analysis.",
        "",
        head,
        "|---|" + "---:|" * (2 * len(sizes) + 1),
    ]
    for workload in ("cache", *workloads):
        t = {n: duck[(workload, n)]["seconds"] for n in sizes}
        mb = {n: duck[(workload, n)]["peak_mb"] for n in sizes}
        per_year = (t[last] / last) / (t[first] / first) if t[first] > 0 else float("nan")
        lines.append(
            f"| {workload}: {DESCRIPTIONS[workload]} | "
            + " | ".join(f"{t[n]:,.2f}" for n in sizes)
            + " | "
            + " | ".join(f"{mb[n]:,.0f}" for n in sizes)
            + f" | {per_year:.2f} |"
        )
        for n in sizes:
            rec = Record(
                f"panel {workload}, {n} years (DuckDB)",
                t[n],
                peak_mb=mb[n],
                rows=rows[n],
                machine=machine,
            )
            rec.summary = n == last
            if n != first:
                rec.baseline = f"{n // first}x the time of {first} year(s) (linear)"
                rec.baseline_s = t[first] * n / first
                rec.target = LINEAR_TOLERANCE
                rec.target_text = (
                    f"linear or better (time per year within {LINEAR_TOLERANCE}x of {first} year)"
                )
            records.append(rec)
    peak_all = max(duck[(w, last)]["peak_mb"] for w in ("cache", *workloads))
    verdicts = []
    for workload in ("cache", *workloads):
        t0, t1 = duck[(workload, first)]["seconds"], duck[(workload, last)]["seconds"]
        ratio = (t1 / last) / (t0 / first)
        m0, m1 = duck[(workload, first)]["peak_mb"], duck[(workload, last)]["peak_mb"]
        verdicts.append(
            f"- **{workload}**: {last} years take {t1 / t0:,.1f}x the time of {first} for {last / first:.0f}x "
            f"the data (time per year x{ratio:.2f}: "
            + ("linear or better" if ratio <= LINEAR_TOLERANCE else "worse than linear")
            + f"); peak memory {m0:,.0f} -> {m1:,.0f} MB (x{m1 / m0:.1f})."
        )
    lines += [
        "",
        "The last column is the time per year of data at the largest size over that at the smallest: "
        f"1 is linear, below 1 better than linear (fixed costs spread over more years); target at most "
        f"{LINEAR_TOLERANCE} (linear, with room for this shared machine's noise).",
        "",
        *verdicts,
        "",
        f"Largest peak at {last} years: {peak_all:,.0f} MB "
        + (
            f"(within a {LAPTOP_MB // 1024} GB laptop)."
            if peak_all < LAPTOP_MB
            else f"(more than a {LAPTOP_MB // 1024} GB laptop: NOT met)."
        ),
    ]
    if spec.total_rows < FULL_BACI_ROWS:
        lines += [
            "",
            f"This run holds {spec.total_rows:,} rows, not the full panel's {FULL_BACI_ROWS:,} (`make bench "
            "FULL=1`, not part of this run). Peak memory grows with the data where DuckDB sorts or groups "
            "all of it (cache, screen, chokepoints); DuckDB keeps that memory under its own limit (80% of "
            "the machine's RAM unless set) and spills to disk beyond it, so the full panel runs on a 24 GB "
            "machine without swapping only if that limit holds for the largest of these steps: measure it "
            "with `FULL=1` before relying on it.",
        ]
    lines.append("")
    if spark:
        spark_sizes = sorted({n for _, n in spark})
        lines += [
            "### Spark local mode against DuckDB, same warehouses",
            "",
            "The same workloads with `--backend pyspark` (Spark local mode, `local[2]`, the JVM's memory "
            "included in the peak), each in its own process. The JVM starts before the clock does (it took "
            f"{statistics.median(s['session_s'] for s in spark.values()):.1f} s, median), as the interpreter "
            "does for both engines. Before its time counts, each Spark result is checked against DuckDB's "
            "(the same rows and the same sum of every numeric column, to 1e-6).",
            "",
            "| workload | years | DuckDB (s) | Spark local (s) | Spark / DuckDB | DuckDB peak (MB) | Spark peak (MB) "
            "| same result |",
            "|---|---:|---:|---:|---:|---:|---:|---|",
        ]
        for workload in workloads:
            for n in spark_sizes:
                d, s = duck[(workload, n)], spark[(workload, n)]
                lines.append(
                    f"| {workload} | {n} | {d['seconds']:,.2f} | {s['seconds']:,.2f} | "
                    f"{s['seconds'] / d['seconds']:,.1f} | {d['peak_mb']:,.0f} | {s['peak_mb']:,.0f} | "
                    f"{'yes' if s['same'] else 'NO'} |"
                )
                records.append(
                    Record(
                        f"spark local vs duckdb: {workload}, {n} years",
                        s["seconds"],
                        baseline="friendshore on DuckDB (same run)",
                        baseline_s=d["seconds"],
                        peak_mb=s["peak_mb"],
                        rows=rows[n],
                        machine=machine,
                        target_text="informative (no target): Spark is the path past one machine",
                        note="" if s["same"] else "Spark's result differed from DuckDB's",
                    )
                )
        total_d = sum(duck[(w, n)]["seconds"] for w in workloads for n in spark_sizes)
        total_s = sum(spark[(w, n)]["seconds"] for w in workloads for n in spark_sizes)
        lines += [
            "",
            f"In all, Spark local mode was {speed(total_s / total_d)} than DuckDB on this machine "
            f"({total_s:,.0f} s against {total_d:,.0f} s). On one machine DuckDB is the engine to use; Spark "
            "pays a fixed cost per query (planning, scheduling tasks, the JVM) that dominates at these sizes. "
            "It is there for what one machine cannot hold: see docs/scale.md.",
            "",
        ]
        if not all(s["same"] for s in spark.values()):
            lines += ["**Some Spark results differed from DuckDB's (see the table).**", ""]
    return Section("\n".join(lines), records)


def main(argv: list[str]) -> int:
    if argv and argv[0] == "worker":
        workload, home, backend, sample, out = argv[1:6]
        print(json.dumps(_work(workload, Path(home), backend, Path(sample), Path(out))))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=200_000, help="flows in the last year")
    parser.add_argument("--years", default="1,5", help="sizes in years (comma-separated)")
    parser.add_argument("--spark-years", default="1", help="sizes also run on Spark ('' for none)")
    parser.add_argument("--products", type=int, default=None, help="HS6 codes (default: all)")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    from bench_ingest import sample_data_dir

    sizes = [int(x) for x in args.years.split(",") if x.strip()]
    spark_sizes = [int(x) for x in args.spark_years.split(",") if x.strip()]
    with tempfile.TemporaryDirectory(prefix="friendshore-panel-", dir=args.work_dir) as tmp:
        section, _ = run(
            Path(tmp),
            spec=PanelSpec(years=max(sizes), rows_last=args.rows, products=args.products),
            sizes=sizes,
            spark_sizes=spark_sizes,
            sample=sample_data_dir(),
        )
    print(section.markdown)
    print(json.dumps([r.to_json() for r in section.records], indent=1))
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    sys.exit(main(sys.argv[1:]))
