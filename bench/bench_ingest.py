"""Benchmark: BACI ingest against DuckDB's own CSV -> Parquet copy of the same file.

A generator writes a file in CEPII's BACI layout (``t,i,j,k,v,q``; country codes from the real
V202601 country dictionary, HS6 codes from the real HS17 product list, log-normal values, some
``q`` = ``NA``; one row per exporter, importer and product, as in BACI). Two measurements then run
on it, each in its own process:

(a) baseline: ``COPY (SELECT * FROM read_csv(...)) TO 'x.parquet' (FORMAT parquet)`` in DuckDB;
(b) friendshore: ``ingest_baci`` into a fresh warehouse (parse, validate every value, map codes to
    ISO3, write Parquet, check duplicate flows, record provenance).

Each measurement runs as the only child of a small probe process, which reads the child's peak
resident memory from ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss``; wall time is taken inside
the child around the work itself (not the interpreter start).

Run ``python bench/bench_ingest.py --rows 1000000`` for one size, or ``python bench/run.py``.
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

__all__ = ["Generated", "Measurement", "generate_baci_csv", "measure", "run_size", "sample_data_dir"]

COUNTRIES = "baci_critical_materials/country_codes_V202601.csv"
PRODUCTS = "baci_dictionaries/product_codes_HS17_V202301.csv"
FILE_NAME = "BACI_HS17_Y2024_V202601.csv"
YEAR = 2024
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


def generate_baci_csv(out_dir: Path, rows: int, *, sample: Path, seed: int = 20260101) -> Generated:
    """Write ``rows`` distinct BACI-shaped flows for one year to ``out_dir/BACI_HS17_Y2024_V202601.csv``."""
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
            "t": pa.array(np.full(rows, YEAR, dtype=np.int16)),
            "i": pa.array(countries[i_idx]),
            "j": pa.array(countries[j_idx]),
            "k": pc.utf8_lpad(pc.cast(pa.array(hs6[k_idx]), pa.string()), width=6, padding="0"),
            "v": pa.array(value),
            "q": q_text,
        }
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / FILE_NAME
    pacsv.write_csv(
        table, path, write_options=pacsv.WriteOptions(quoting_style="none", quoting_header="none")
    )
    return Generated(path, sample / COUNTRIES, rows, path.stat().st_size, time.perf_counter() - start)


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


def measure(kind: str, generated: Generated, work_dir: Path) -> Measurement:
    """Run one measurement in a fresh probe process; return its wall time and the worker's peak RSS."""
    if kind == "duckdb-copy":
        args = ["duckdb", str(generated.path), str(work_dir / "baseline.parquet")]
    elif kind == "friendshore-ingest":
        home = work_dir / "warehouse"
        if home.exists():
            import shutil

            shutil.rmtree(home)
        args = ["ingest", str(generated.path), str(home), str(generated.countries_file)]
    else:
        raise ValueError(kind)
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


def run_size(rows: int, work_dir: Path, *, sample: Path, repeat: int = 1) -> dict[str, Any]:
    """Generate ``rows`` rows, then measure baseline and ingest ``repeat`` times each (best time,
    highest peak RSS). Returns a plain dict for the report."""
    generated = generate_baci_csv(work_dir / f"rows_{rows}", rows, sample=sample)
    runs: dict[str, list[Measurement]] = {"duckdb-copy": [], "friendshore-ingest": []}
    for _ in range(repeat):
        for kind in runs:
            runs[kind].append(measure(kind, generated, generated.path.parent))
    best = {k: min(v, key=lambda m: m.seconds) for k, v in runs.items()}
    for kind, measured in runs.items():
        if any(m.rows != rows for m in measured):
            raise SystemExit(f"{kind} wrote {[m.rows for m in measured]} rows, expected {rows}")
    return {
        "rows": rows,
        "csv_mib": generated.bytes / 2**20,
        "generate_s": generated.seconds,
        "repeat": repeat,
        "baseline": asdict(best["duckdb-copy"]),
        "ingest": asdict(best["friendshore-ingest"]),
        "peak_rss_mib": {k: max(m.peak_rss_mib for m in v) for k, v in runs.items()},
        "time_ratio": best["friendshore-ingest"].seconds / best["duckdb-copy"].seconds,
        "cpu_ratio": min(m.cpu_seconds for m in runs["friendshore-ingest"])
        / min(m.cpu_seconds for m in runs["duckdb-copy"]),
    }


def _main(argv: list[str]) -> int:
    if argv and argv[0] == "worker":
        kind, *rest = argv[1:]
        if kind == "duckdb":
            out = _worker_duckdb(Path(rest[0]), Path(rest[1]))
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
    parser.add_argument("--work-dir", type=Path, default=None)
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory(prefix="friendshore-bench-") as tmp:
        work = args.work_dir or Path(tmp)
        print(json.dumps(run_size(args.rows, work, sample=sample_data_dir(), repeat=args.repeat), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
