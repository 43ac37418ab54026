"""Benchmark: the web API under load on loopback (issue 18).

``friendshore serve`` runs in its own process over a warehouse holding the sample data; N
concurrent clients (threads, each with its own keep-alive connection) send requests for a fixed
time, and every latency is recorded:

- **cached**: the same dependency query again and again (``/api/dependencies?importer=USA&
  year=2024&on=CHN``): the result comes from the server's cache, so this is HTTP, JSON and the
  server's own overhead;
- **uncached**: the same query with a different ``hhi`` threshold each time (every request a new
  cache key), so each one runs the analysis on DuckDB;
- **baseline**: the analysis function called directly in one process, no HTTP (the floor an
  uncached request cannot beat on one core).

Only loopback addresses are used; every loop is bounded in time. Run:
``python bench/bench_api.py [--seconds 30] [--clients 20]``.
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
QUERY = {"importer": "USA", "year": "2024", "on": "CHN", "limit": "50"}


def _sample_data() -> Path:
    return Path(os.environ.get("FRIENDSHORE_SAMPLE_DATA", ROOT / ".." / "shared" / "data")).resolve()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _load(url: str, *, seconds: float, clients: int, vary: bool) -> dict[str, Any]:
    """``clients`` threads sending requests for ``seconds``; latencies of the 200 answers."""
    import httpx2

    latencies: list[float] = []
    failures = 0
    lock = threading.Lock()
    counter = iter(range(10**9))
    stop = time.monotonic() + seconds

    def client() -> None:
        nonlocal failures
        with httpx2.Client(base_url=url, timeout=120) as http:
            while time.monotonic() < stop:
                params = dict(QUERY)
                if vary:
                    params["hhi"] = f"{0.4 + next(counter) * 1e-9:.9f}"
                started = time.perf_counter()
                response = http.get("/api/dependencies", params=params)
                took = time.perf_counter() - started
                with lock:
                    if response.status_code == 200:
                        latencies.append(took)
                    else:
                        failures += 1

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "requests": len(latencies),
        "failures": failures,
        "rps": len(latencies) / wall,
        "p50_ms": 1000 * _percentile(latencies, 0.50),
        "p95_ms": 1000 * _percentile(latencies, 0.95),
        "wall_s": wall,
    }


def _baseline(home: Path, sample: Path, seconds: float) -> dict[str, Any]:
    from friendshore.analyses.dependencies import dependencies
    from friendshore.settings import load_settings

    settings = load_settings(home=home, sample_data=sample)
    dependencies(settings, importer="USA", year=2024, on="CHN")  # warm-up (DuckDB cache)
    times = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop or len(times) < 3:
        started = time.perf_counter()
        dependencies(settings, importer="USA", year=2024, on="CHN", hhi=0.4 + len(times) * 1e-9)
        times.append(time.perf_counter() - started)
    return {
        "calls": len(times),
        "p50_ms": 1000 * statistics.median(times),
        "p95_ms": 1000 * _percentile(times, 0.95),
    }


def measure(*, seconds: float = 30.0, clients: int = 20, home: Path | None = None) -> dict[str, Any]:
    """Serve a sample warehouse and measure; ``home`` reuses a loaded one (else one is built)."""
    import httpx2

    sample = _sample_data()
    with tempfile.TemporaryDirectory(prefix="friendshore-bench-api-") as tmp:
        if home is None:
            from friendshore.warehouse.ingest import ingest_sample

            home = Path(tmp) / "warehouse"
            ingest_sample(home, sample)
        port = _free_port()
        env = {**os.environ, "FRIENDSHORE_SAMPLE_DATA": str(sample)}
        env.pop("FRIENDSHORE_API_TOKEN", None)
        server = subprocess.Popen(
            [sys.executable, "-m", "friendshore", "--home", str(home), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    httpx2.get(f"{url}/api", timeout=2)
                    break
                except httpx2.TransportError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the API server did not start") from None
                    time.sleep(0.1)
            httpx2.get(f"{url}/api/dependencies", params=QUERY, timeout=120)  # warm the cache
            cached = _load(url, seconds=seconds, clients=clients, vary=False)
            uncached = _load(url, seconds=seconds, clients=clients, vary=True)
        finally:
            server.terminate()
            server.wait(10)
        baseline = _baseline(home, sample, min(seconds, 10.0))
    return {
        "seconds": seconds,
        "clients": clients,
        "cached": cached,
        "uncached": uncached,
        "baseline": baseline,
    }


def render(result: dict[str, Any]) -> str:
    """The BENCHMARKS.md section."""
    c, u, b = result["cached"], result["uncached"], result["baseline"]
    lines = [
        "## Web API under load (loopback)",
        "",
        f"`friendshore serve` (its own process, 4 analysis workers) over the sample warehouse; "
        f"{result['clients']} concurrent keep-alive clients for {result['seconds']:g} s per row, on this "
        "machine's loopback. Query: `/api/dependencies?importer=USA&year=2024&on=CHN&limit=50` "
        "(the US's dependence on China, 31 critical-material HS6 codes of BACI 2024). *Cached*: the same "
        "query each time (answered from the server's result cache, keyed on the warehouse version); "
        "*uncached*: a different `hhi` threshold each time, so every request runs the analysis on DuckDB. "
        "*Baseline*: the analysis function called directly, one at a time, no HTTP.",
        "",
        "| | requests | failed | requests/s | p50 (ms) | p95 (ms) |",
        "|---|---:|---:|---:|---:|---:|",
        f"| cached | {c['requests']:,} | {c['failures']} | {c['rps']:,.1f} | {c['p50_ms']:,.1f} | {c['p95_ms']:,.1f} |",
        f"| uncached | {u['requests']:,} | {u['failures']} | {u['rps']:,.1f} | {u['p50_ms']:,.1f} | {u['p95_ms']:,.1f} |",
        f"| baseline: direct call | {b['calls']:,} | 0 | {1000 / b['p50_ms']:,.1f} | {b['p50_ms']:,.1f} | {b['p95_ms']:,.1f} |",
        "",
        f"An uncached request takes {u['p50_ms'] / b['p50_ms']:,.1f}x the direct call at the median under "
        f"{result['clients']} clients (queueing for the workers included); a cached one "
        f"{c['p50_ms'] / b['p50_ms']:,.2f}x. Run `python bench/bench_api.py --seconds 30 --clients 20` for "
        "the full-length load test (`make bench` runs a shorter one).",
        "",
    ]
    return "\n".join(lines)


def run(seconds: float = 30.0, clients: int = 20) -> str:
    return render(measure(seconds=seconds, clients=clients))


def section(seconds: float = 30.0, clients: int = 20, *, machine: str = "") -> Any:
    """The section and its records (``records.Section``) for ``bench/run.py``."""
    from records import Record, Section

    result = measure(seconds=seconds, clients=clients)
    b = result["baseline"]
    records = [
        Record(
            f"web API p50 latency, {kind} ({clients} clients)",
            result[kind]["p50_ms"] / 1000,
            baseline="the analysis called directly (p50, no HTTP)",
            baseline_s=b["p50_ms"] / 1000,
            machine=machine,
            target_text="informative (no target)",
            note=f"{result[kind]['requests']:,} requests, {result[kind]['failures']} failed",
        )
        for kind in ("cached", "uncached")
    ]
    return Section(render(result), records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--seconds", type=float, default=30.0, help="load time per row (default: %(default)s)"
    )
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default: %(default)s)")
    args = parser.parse_args(argv)
    print(run(args.seconds, args.clients))
    return 0


if __name__ == "__main__":
    sys.exit(main())
