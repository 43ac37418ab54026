"""Benchmark: BACI ingest against DuckDB's own CSV -> Parquet copy of the same file.

A generator writes a file in CEPII's BACI layout (``t,i,j,k,v,q``; country codes from the real
V202601 country dictionary, HS6 codes from the real HS17 product list, log-normal values, some
``q`` = ``NA``; one row per exporter, importer and product, as in BACI). Two measurements then run
on it, each in its own process:

(a) baseline: ``COPY (SELECT * FROM read_csv(...)) TO 'x.parquet' (FORMAT parquet)`` in DuckDB;
(b) friendshore: ``ingest_baci`` into a fresh warehouse (parse, validate every value, map codes to
    ISO3, write Parquet, check duplicate flows, record coverage and provenance).

A release zip of several generated years is measured the same way: (a) extract each yearly file
with Python's ``zipfile`` and run the same COPY on it, (b) ``ingest_baci`` on the zip.

Each measurement runs as the only child of a small probe process, which reads the child's peak
resident memory from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``; wall time and CPU time
(every thread, user and system) are taken inside the child around the work itself (not the
interpreter start). Repeats alternate (a) and (b).

Run ``python bench/bench_ingest.py --rows 1000000`` for one size (``--zip-years 3`` adds a release
zip of three such years), or ``python bench/run.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from records import Record  # bench/ is a script folder: imported from sys.path

__all__ = [
    "TARGET",
    "Generated",
    "GeneratedZip",
    "Measurement",
    "generate_baci_csv",
    "generate_release_zip",
    "measure",
    "measure_zip",
    "records",
    "render",
    "run_size",
    "run_zip",
    "sample_data_dir",
]

COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
PRODUCTS = "baci_dictionaries/product_codes_HS17_V202301.csv"
FILE_NAME = "BACI_HS17_Y2024_V202601.csv"
YEAR = 2024
#: Target (issue 19): the ingest takes at most this many times DuckDB's COPY on an 11 M-row year.
TARGET = 1.3
TARGET_ROWS = 11_000_000
NA_SHARE = 0.05
MAX_BYTES_PER_ROW = 48


def sample_data_dir() -> Path:
    """The real data folder: ``FRIENDSHORE_SAMPLE_DATA``, else ``../shared/data`` from the repo root."""
    import os

    env = os.environ.get("FRIENDSHORE_SAMPLE_DATA")
    path = Path(env) if env else Path(__file__).resolve().parents[1] / ".." / "shared" / "data"
    path = path.resolve()
    if not (path / "MANIFEST.md").exists():
        raise SystemExit(f"sample data not found at {path}: set FRIENDSHORE_SAMPLE_DATA")
    return path


@dataclass(frozen=True)
class Generated:
    path: Path
    countries_file: Path
    rows: int
    bytes: int
    seconds: float


def _dictionary_codes(sample: Path) -> tuple[np.ndarray, np.ndarray]:
    table = pacsv.read_csv(sample / COUNTRIES)
    # One code per ISO3: historical codes that share one (276 and 280 are both DEU) would make the
    # same flow twice, which a real yearly file never holds.
    first: dict[str, int] = {}
    for code, iso3 in zip(table["country_code"].to_pylist(), table["country_iso3"].to_pylist(), strict=True):
        first.setdefault(str(iso3), int(code))
    countries = np.array(sorted(first.values()), dtype=np.int64)
    products = pacsv.read_csv(
        sample / PRODUCTS, convert_options=pacsv.ConvertOptions(column_types={"code": pa.string()})
    ).column("code")
    hs6 = np.array([int(c) for c in products.to_pylist()], dtype=np.int64)
    return np.unique(countries), np.unique(hs6)


def generate_baci_csv(
    out_dir: Path, rows: int, *, sample: Path, seed: int = 20260101, year: int = YEAR
) -> Generated:
    """Write ``rows`` distinct BACI-shaped flows for ``year`` to ``out_dir/BACI_HS17_Y{year}_V202601.csv``."""
    start = time.perf_counter()
    rng = np.random.default_rng(seed)
    countries, hs6 = _dictionary_codes(sample)
    n_c, n_k = len(countries), len(hs6)
    space = n_c * n_c * n_k
    if rows > space // 2:
        raise SystemExit(f"{rows} rows is more than half of the {space} possible flows")
    # Distinct (exporter, importer, product) triples with exporter != importer, sorted like BACI.
    keys = np.empty(0, dtype=np.int64)
    while len(keys) < rows:
        draw = rng.integers(0, space, size=int((rows - len(keys)) * 1.05) + 16, dtype=np.int64)
        i, rest = np.divmod(draw, n_c * n_k)
        j = rest // n_k
        keys = np.unique(np.concatenate([keys, draw[i != j]]))
    if len(keys) > rows:
        keys = np.sort(rng.choice(keys, size=rows, replace=False))
    i_idx, rest = np.divmod(keys, n_c * n_k)
    j_idx, k_idx = np.divmod(rest, n_k)
    value = np.round(rng.lognormal(mean=3.0, sigma=2.5, size=rows), 3)
    qty = np.round(rng.lognormal(mean=1.0, sigma=3.0, size=rows), 3)
    q_text = pc.if_else(
        pa.array(rng.random(rows) < NA_SHARE), pa.scalar("NA"), pc.cast(pa.array(qty), pa.string())
    )
    table = pa.table(
        {
            "t": pa.array(np.full(rows, year, dtype=np.int16)),
            "i": pa.array(countries[i_idx]),
            "j": pa.array(countries[j_idx]),
            "k": pc.utf8_lpad(pc.cast(pa.array(hs6[k_idx]), pa.string()), width=6, padding="0"),
            "v": pa.array(value),
            "q": q_text,
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME.replace(f"_Y{YEAR}_", f"_Y{year}_")
    pacsv.write_csv(
        table, path, write_options=pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    )
    return Generated(path, sample / COUNTRIES, rows, path.stat().st_size, time.perf_counter() - start)


@dataclass(frozen=True)
class GeneratedZip:
    path: Path
    years: int
    rows_per_year: int
    csv_bytes: int
    seconds: float

    @property
    def rows(self) -> int:
        return self.years * self.rows_per_year


def generate_release_zip(
    out_dir: Path, years: int, rows: int, *, sample: Path, seed: int = 20260101
) -> GeneratedZip:
    """A release zip as CEPII ships one: ``years`` yearly files of ``rows`` flows each (2024 and the
    years before, each drawn with its own seed), the country dictionary and the HS17 product list
    (the real V202301 list, under the release's name). Deflate at level 1, to keep generation short;
    reading does not depend on the level."""
    import zipfile

    start = time.perf_counter()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / "BACI_HS17_V202601.zip"
    csv_bytes = 0
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for n in range(years):
            year = YEAR - years + 1 + n
            made = generate_baci_csv(out_dir / "years", rows, sample=sample, seed=seed + n, year=year)
            archive.write(made.path, made.path.name)
            csv_bytes += made.bytes
            made.path.unlink()
        archive.write(sample / COUNTRIES, "country_codes_V202601.csv")
        archive.write(sample / PRODUCTS, "product_codes_HS17_V202601.csv")
    return GeneratedZip(path, years, rows, csv_bytes, time.perf_counter() - start)


# --------------------------------------------------------------------------------------------------
# Workers (run as the only child of a probe) and the probe


def _cpu() -> float:
    """CPU seconds of this process so far, every thread counted (user and system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _worker_duckdb(csv: Path, out: Path) -> dict[str, Any]:
    import duckdb

    start, cpu = time.perf_counter(), _cpu()
    with duckdb.connect() as db:
        db.execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{out}' (FORMAT parquet)")
        seconds, cpu = time.perf_counter() - start, _cpu() - cpu
        rows = db.execute(f"SELECT count(*) FROM read_parquet('{out}')").fetchone()
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": int(rows[0]) if rows else 0}


def _worker_duckdb_zip(archive_path: Path, out_dir: Path) -> dict[str, Any]:
    """What a user would do without friendshore: extract each yearly file, COPY it to Parquet."""
    import shutil
    import zipfile

    import duckdb

    start, cpu = time.perf_counter(), _cpu()
    rows = 0
    out_dir.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive_path) as archive, duckdb.connect() as db:
        for name in archive.namelist():
            if not name.startswith("BACI_"):
                continue
            csv = out_dir / name
            with archive.open(name) as src, open(csv, "wb") as dst:
                shutil.copyfileobj(src, dst, 1 << 20)
            out = out_dir / f"{Path(name).stem}.parquet"
            row = db.execute(f"COPY (SELECT * FROM read_csv('{csv}')) TO '{out}' (FORMAT parquet)").fetchone()
            rows += int(row[0]) if row else 0
            csv.unlink()
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu() - cpu, "rows": rows}


def _worker_ingest_zip(archive_path: Path, home: Path) -> dict[str, Any]:
    from friendshore.warehouse.ingest_baci import ingest_baci

    start, cpu = time.perf_counter(), _cpu()
    parts = ingest_baci(home, [archive_path])
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": sum(p.rows for p in parts if p.table == "trade")}


def _worker_ingest(csv: Path, home: Path, countries: Path) -> dict[str, Any]:
    from friendshore.warehouse.ingest_baci import ingest_baci

    start, cpu = time.perf_counter(), _cpu()
    parts = ingest_baci(home, [csv], countries_file=countries)
    seconds, cpu = time.perf_counter() - start, _cpu() - cpu
    rows = sum(p.rows for p in parts if p.table == "trade")
    return {"seconds": seconds, "cpu_seconds": cpu, "rows": rows}


def _probe(worker_args: list[str]) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "worker", *worker_args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark worker {worker_args[0]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mib"] = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # KiB on Linux
    return result


@dataclass(frozen=True)
class Measurement:
    kind: str  # "duckdb-copy" or "friendshore-ingest"
    rows: int
    seconds: float
    peak_rss_mib: float
    cpu_seconds: float = 0.0


def _fresh(path: Path) -> Path:
    import shutil

    if path.exists():
        shutil.rmtree(path)
    return path


def _run_probe(kind: str, args: list[str]) -> Measurement:
    done = subprocess.run(
        [sys.executable, __file__, "probe", *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark probe {kind} failed:\n{done.stderr[-4000:]}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return Measurement(
        kind,
        int(result["rows"]),
        float(result["seconds"]),
        float(result["peak_rss_mib"]),
        float(result["cpu_seconds"]),
    )


def measure(kind: str, generated: Generated, work_dir: Path) -> Measurement:
    """Run one measurement in a fresh probe process; return its wall and CPU time and the worker's
    peak RSS."""
    if kind == "duckdb-copy":
        args = ["duckdb", str(generated.path), str(work_dir / "baseline.parquet")]
    elif kind == "friendshore-ingest":
        home = _fresh(work_dir / "warehouse")
        args = ["ingest", str(generated.path), str(home), str(generated.countries_file)]
    else:
        raise ValueError(kind)
    return _run_probe(kind, args)


def measure_zip(kind: str, generated: GeneratedZip, work_dir: Path) -> Measurement:
    """Like ``measure``, for a release zip: (a) extract and COPY each year, (b) ``ingest_baci``."""
    if kind == "duckdb-copy":
        args = ["duckdb-zip", str(generated.path), str(_fresh(work_dir / "baseline"))]
    elif kind == "friendshore-ingest":
        args = ["ingest-zip", str(generated.path), str(_fresh(work_dir / "warehouse"))]
    else:
        raise ValueError(kind)
    return _run_probe(kind, args)


KINDS = ("duckdb-copy", "friendshore-ingest")


def _summary(runs: dict[str, list[Measurement]], rows: int) -> dict[str, Any]:
    for kind, measured in runs.items():
        if any(m.rows != rows for m in measured):
            raise SystemExit(f"{kind} wrote {[m.rows for m in measured]} rows, expected {rows}")
    best = {k: min(v, key=lambda m: m.seconds) for k, v in runs.items()}
    cpu = {k: min(m.cpu_seconds for m in v) for k, v in runs.items()}
    return {
        "baseline": asdict(best["duckdb-copy"]),
        "ingest": asdict(best["friendshore-ingest"]),
        "cpu_seconds": cpu,
        "peak_rss_mib": {k: max(m.peak_rss_mib for m in v) for k, v in runs.items()},
        "time_ratio": best["friendshore-ingest"].seconds / best["duckdb-copy"].seconds,
        "cpu_ratio": cpu["friendshore-ingest"] / cpu["duckdb-copy"],
    }


def run_size(rows: int, work_dir: Path, *, sample: Path, repeat: int = 1) -> dict[str, Any]:
    """Generate ``rows`` rows, then measure baseline and ingest ``repeat`` times each, alternating
    (best time and best CPU time, highest peak RSS). Returns a plain dict for the report."""
    generated = generate_baci_csv(work_dir / f"rows_{rows}", rows, sample=sample)
    runs: dict[str, list[Measurement]] = {kind: [] for kind in KINDS}
    for _ in range(repeat):
        for kind in KINDS:
            runs[kind].append(measure(kind, generated, generated.path.parent))
    return {
        "rows": rows,
        "csv_mib": generated.bytes / 2**20,
        "generate_s": generated.seconds,
        "repeat": repeat,
        **_summary(runs, rows),
    }


def run_zip(years: int, rows: int, work_dir: Path, *, sample: Path, repeat: int = 1) -> dict[str, Any]:
    """Generate a release zip of ``years`` years of ``rows`` rows, then measure (a) extract + COPY
    and (b) ``ingest_baci`` on it ``repeat`` times each, alternating."""
    generated = generate_release_zip(work_dir / f"zip_{years}x{rows}", years, rows, sample=sample)
    runs: dict[str, list[Measurement]] = {kind: [] for kind in KINDS}
    for _ in range(repeat):
        for kind in KINDS:
            runs[kind].append(measure_zip(kind, generated, generated.path.parent))
    return {
        "years": years,
        "rows_per_year": rows,
        "rows": generated.rows,
        "csv_mib": generated.csv_bytes / 2**20,
        "zip_mib": generated.path.stat().st_size / 2**20,
        "generate_s": generated.seconds,
        "repeat": repeat,
        **_summary(runs, generated.rows),
    }


# --------------------------------------------------------------------------------------------------
# The report: the ingest section of BENCHMARKS.md and the records of bench/results/latest.json


def _f(x: float, digits: int = 2) -> str:
    return f"{x:,.{digits}f}"


def _verdict(results: list[dict[str, Any]]) -> list[str]:
    at = [r for r in results if r["rows"] >= TARGET_ROWS]
    if not at:
        largest = max(results, key=lambda r: r["rows"]) if results else None
        shown = (
            f" (largest measured here: {largest['rows']:,} rows, {largest['time_ratio']:.2f}x)"
            if largest
            else ""
        )
        return [
            f"Target: at most {TARGET}x COPY's time on an {TARGET_ROWS:,}-row year. Not measured in this "
            f"run{shown}: run `bench/run.py --rows {TARGET_ROWS}`."
        ]
    r = max(at, key=lambda r: r["rows"])
    met = r["time_ratio"] <= TARGET
    line = (
        f"Target: at most {TARGET}x COPY's time on an {TARGET_ROWS:,}-row year. Measured: "
        f"{r['time_ratio']:.2f}x wall time, {r['cpu_ratio']:.2f}x CPU time at {r['rows']:,} rows: "
        f"**{'met' if met else 'not met'}**."
    )
    lines = [line]
    if not met:
        lines += [
            "",
            "The gap, and why: "
            + (
                "the CPU time is within the target, so the wall time lost the cores it needed: this machine's "
                "two cores are shared, and the ingest's parallel part (DuckDB's two threads and the "
                "thread feeding them) competes for them while the copy measured before or after it may not. "
                if r["cpu_ratio"] <= TARGET
                else "the ingest does work the copy does not: it hashes the file for provenance, checks its "
                "bytes, counts its lines, then reads the key columns of the file it wrote to check the order "
                "(no repeated flow) and record coverage; about 0.1 s a million rows in all, on top of a "
                "copy that costs about as much as DuckDB's own. "
            )
            + "What would close it: the order check and coverage inside DuckDB's pass (one operator that "
            "sees rows in file order, which SQL over a parallel scan cannot express), and hashing on a "
            "third core.",
        ]
    return lines


def render(results: list[dict[str, Any]], zip_result: dict[str, Any] | None = None) -> str:
    """The ingest section of ``BENCHMARKS.md`` (Markdown) for these results."""
    lines = [
        "## BACI ingest vs DuckDB's own CSV -> Parquet copy",
        "",
        "Input: a generated file in CEPII's BACI layout (`t,i,j,k,v,q`; country codes from the real "
        "V202601 dictionary, HS6 codes from the real HS17 product list, log-normal values, "
        f"{NA_SHARE:.0%} of `q` = `NA`, one row per exporter, importer and product, in CEPII's order). "
        "It mimics BACI's shape; it says nothing about real trade flows.",
        "",
        "- **(a) baseline**: `COPY (SELECT * FROM read_csv('x.csv')) TO 'x.parquet' (FORMAT parquet)` in "
        "DuckDB (type sniffing, default Snappy compression, no checks).",
        "- **(b) friendshore**: `ingest_baci(home, [csv], countries_file=...)` into a fresh warehouse. The "
        "fast path (`sources/baci_fast.py`) reads the file once, from a pipe, while hashing it (sha256 "
        "for provenance), checking its bytes and counting its lines; DuckDB's CSV reader parses it with "
        "declared types and one `COPY (SELECT ...) TO` checks every row (year, finite non-negative "
        "numbers), maps the country codes to ISO3 and writes zstd Parquet under a 256 MB memory limit. "
        "One pass over the key columns of the file written then checks every code and HS6 code, that "
        "no flow repeats (the flows are in CEPII's order; otherwise a grouping pass runs) and records "
        "coverage; the manifest is swapped atomically. A file outside CEPII's plain form goes to the "
        "reference reader, which names the first bad line and field.",
        "- Time: wall seconds of the work inside the measured process (interpreter start excluded); "
        "best of the repeats, (a) and (b) alternating. CPU: user and system seconds of every thread of "
        "the process over the same span, best of the repeats: on a shared machine it shows the work "
        "done, whatever cores the process got. Peak RSS: `ru_maxrss` of the measured process, read by "
        "its parent with `getrusage(RUSAGE_CHILDREN)`; each measurement has its own parent. It includes "
        "the interpreter and the imported libraries.",
        "",
        "| rows | CSV (MiB) | (a) COPY (s) | (b) ingest (s) | time (b)/(a) | (a) CPU (s) | (b) CPU (s) "
        "| CPU (b)/(a) | (a) peak RSS (MiB) | (b) peak RSS (MiB) |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rss, cpu = r["peak_rss_mib"], r["cpu_seconds"]
        lines.append(
            f"| {r['rows']:,} | {_f(r['csv_mib'], 0)} | {_f(r['baseline']['seconds'])} "
            f"| {_f(r['ingest']['seconds'])} | {_f(r['time_ratio'])} | {_f(cpu['duckdb-copy'])} "
            f"| {_f(cpu['friendshore-ingest'])} | {_f(r['cpu_ratio'])} | {_f(rss['duckdb-copy'], 0)} "
            f"| {_f(rss['friendshore-ingest'], 0)} |"
        )
    repeats = sorted({r["repeat"] for r in results})
    lines += [
        "",
        f"Repeats per size: {', '.join(map(str, repeats))}. Rows written by both sides were checked to "
        "equal the rows generated.",
        "",
        *_verdict(results),
    ]
    if len(results) >= 2:
        small, large = results[0], results[-1]
        a0, a1 = small["peak_rss_mib"]["friendshore-ingest"], large["peak_rss_mib"]["friendshore-ingest"]
        b0, b1 = small["peak_rss_mib"]["duckdb-copy"], large["peak_rss_mib"]["duckdb-copy"]
        growth = a1 / a0 - 1
        lines += [
            "",
            "### Does the ingest's memory grow with the file?",
            "",
            f"From {small['rows']:,} to {large['rows']:,} rows the ingest's peak RSS went from {a0:,.0f} to "
            f"{a1:,.0f} MiB ({growth:+.0%}); DuckDB's copy went from {b0:,.0f} to {b1:,.0f} MiB. "
            + (
                "Flat: DuckDB reads the pipe in 2 MB buffers under a 256 MB memory limit (spilling to a "
                "temporary folder beyond it), and the written file is checked one row group at a time."
                if growth <= GROWTH_TOLERANCE
                else "That is more than the 20% expected of a streaming load: look for a regression."
            ),
        ]
    if zip_result is not None:
        z = zip_result
        rss, cpu = z["peak_rss_mib"], z["cpu_seconds"]
        lines += [
            "",
            "### A release zip of several years",
            "",
            f"A generated release zip (`BACI_HS17_V202601.zip`, deflate) of {z['years']} years of "
            f"{z['rows_per_year']:,} rows each, with the country and product dictionaries. (a): extract "
            "each yearly file with Python's `zipfile`, then the same COPY on it; (b): "
            "`ingest_baci(home, [zip])`, which streams each member through the pipe (nothing extracted to "
            "disk) and loads the years in one transaction.",
            "",
            "| years x rows | zip (MiB) | CSV (MiB) | (a) extract + COPY (s) | (b) ingest (s) | time (b)/(a) "
            "| (a) CPU (s) | (b) CPU (s) | CPU (b)/(a) | (a) peak RSS (MiB) | (b) peak RSS (MiB) |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
            f"| {z['years']} x {z['rows_per_year']:,} | {_f(z['zip_mib'], 0)} | {_f(z['csv_mib'], 0)} "
            f"| {_f(z['baseline']['seconds'])} | {_f(z['ingest']['seconds'])} | {_f(z['time_ratio'])} "
            f"| {_f(cpu['duckdb-copy'])} | {_f(cpu['friendshore-ingest'])} | {_f(z['cpu_ratio'])} "
            f"| {_f(rss['duckdb-copy'], 0)} | {_f(rss['friendshore-ingest'], 0)} |",
        ]
    return "\n".join(lines)


#: Peak-memory growth above this share between the smallest and largest size is reported as growth.
GROWTH_TOLERANCE = 0.20


def records(
    results: list[dict[str, Any]], zip_result: dict[str, Any] | None = None, *, machine: str = ""
) -> list[Record]:
    """The measurements as records of ``bench/results/latest.json`` (the target only where a
    measurement has the target's size: an 11 M-row year)."""
    out = [
        Record(
            f"BACI ingest, {r['rows']:,} rows",
            r["ingest"]["seconds"],
            baseline="DuckDB COPY read_csv -> parquet",
            baseline_s=r["baseline"]["seconds"],
            target=TARGET if r["rows"] >= TARGET_ROWS else None,
            target_text=f"at most {TARGET}x DuckDB's COPY" if r["rows"] >= TARGET_ROWS else "",
            peak_mb=r["peak_rss_mib"]["friendshore-ingest"] * 2**20 / 1e6,
            rows=r["rows"],
            machine=machine,
            note=f"CPU time {r['cpu_ratio']:.2f}x the copy's",
            summary=r["rows"] >= TARGET_ROWS,
        )
        for r in results
    ]
    if zip_result is not None:
        z = zip_result
        out.append(
            Record(
                f"BACI ingest, release zip of {z['years']} x {z['rows_per_year']:,} rows",
                z["ingest"]["seconds"],
                baseline="extract + DuckDB COPY read_csv -> parquet",
                baseline_s=z["baseline"]["seconds"],
                peak_mb=z["peak_rss_mib"]["friendshore-ingest"] * 2**20 / 1e6,
                rows=z["rows"],
                machine=machine,
                note=f"CPU time {z['cpu_ratio']:.2f}x the copy's",
            )
        )
    return out


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "worker":
        kind, *rest = argv[1:]
        if kind == "duckdb":
            out = _worker_duckdb(Path(rest[0]), Path(rest[1]))
        elif kind == "duckdb-zip":
            out = _worker_duckdb_zip(Path(rest[0]), Path(rest[1]))
        elif kind == "ingest-zip":
            out = _worker_ingest_zip(Path(rest[0]), Path(rest[1]))
        else:
            out = _worker_ingest(Path(rest[0]), Path(rest[1]), Path(rest[2]))
        print(json.dumps(out))
        return 0
    if argv and argv[0] == "probe":
        print(json.dumps(_probe(argv[1:])))
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--zip-years", type=int, default=0, help="also a release zip of this many years")
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="friendshore-bench-") as tmp:
        work = args.work_dir or Path(tmp)
        result = run_size(args.rows, work, sample=sample_data_dir(), repeat=args.repeat)
        if args.zip_years:
            result["zip"] = run_zip(
                args.zip_years, args.rows, work, sample=sample_data_dir(), repeat=args.repeat
            )
        print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
