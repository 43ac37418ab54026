"""Benchmark: the product-level partial equilibrium as whole CLI commands on the sample warehouse
(BACI 2024), issue 25.

Timed, each as a whole ``friendshore`` command (process start, warehouse read, solve, JSON out), the
median of ``repeat`` runs after a warm-up, beside the first-order command on the same products in the
same run (the baseline: what the same question costs without prices):

- **all importers x one product**: China withholds its permanent magnets (850511) from every importer
  at once, ``shock --model pe --scope world`` (145 exporters x 211 importers in one solve);
- **one importer x every HS6 code of a sector**: a 25 % US tariff on China's critical minerals,
  ``tariff --sector critical-minerals`` (one solve per product, each over the product's whole world).

The solve time per product comes from the result's own solver table (``--output solver``).

Run: ``python bench/bench_pe.py [--repeat N] [--record]`` (``--record`` writes its records into
``bench/results/latest.json``, replacing the previous ones of the same name; ``bench/run.py``
includes the section).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
CLI = str(Path(sys.executable).with_name("friendshore"))

WORLD = ["shock", "--exporter", "CHN", "--product", "850511", "--scope", "world"]
SECTOR = ["--sector", "critical-minerals"]
TARIFF = ["tariff", "--importer", "USA", "--exporter", "CHN", *SECTOR, "--rate", "0.25"]
TARIFF_FIRST = ["shock", "--exporter", "CHN", *SECTOR, "--importer", "USA"]


def _sample_data() -> Path:
    return Path(os.environ.get("FRIENDSHORE_SAMPLE_DATA", ROOT.parent / "shared" / "data")).resolve()


def _run(home: Path, args: list[str]) -> tuple[float, Any]:
    start = time.perf_counter()
    done = subprocess.run(
        [CLI, "--home", str(home), *args, "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "FRIENDSHORE_SAMPLE_DATA": str(_sample_data())},
    )
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed: {done.stderr[-2000:]}")
    return seconds, json.loads(done.stdout)


def _median(home: Path, args: list[str], repeat: int) -> float:
    _run(home, args)  # warm-up
    return statistics.median(_run(home, args)[0] for _ in range(repeat))


def _per_product(home: Path, args: list[str]) -> list[dict[str, Any]]:
    return list(_run(home, [*args, "--output", "solver"])[1])


def _measure(home: Path, repeat: int) -> tuple[str, list[tuple[str, float, str, float, int, str]]]:
    pe_world = [*WORLD, "--model", "pe", "--output", "world"]
    fo_world = [*WORLD, "--model", "first-order", "--output", "world"]
    t_world, t_world_fo = _median(home, pe_world, repeat), _median(home, fo_world, repeat)
    (world_solver,) = _per_product(home, [*WORLD, "--model", "pe"])
    t_tariff, t_tariff_fo = _median(home, TARIFF, repeat), _median(home, TARIFF_FIRST, repeat)
    sector_solver = _per_product(home, TARIFF)
    solve = [r["seconds"] for r in sector_solver]
    cells = sum(r["exporters"] * r["importers"] for r in sector_solver)
    world_cells = world_solver["exporters"] * world_solver["importers"]
    rows = [
        (
            "PE model, all importers x one product (850511, China cuts everyone), whole CLI command",
            t_world,
            "the first-order world view of the same product (whole CLI command)",
            t_world_fo,
            world_cells,
            f"solve {world_solver['seconds'] * 1000:.0f} ms for {world_solver['exporters']} exporters x "
            f"{world_solver['importers']} importers ({world_solver['evaluations']} evaluations)",
        ),
        (
            f"PE model, one importer x {len(solve)} HS6 codes of a sector (US 25 % tariff on China, "
            "critical minerals), whole CLI command",
            t_tariff,
            "the first-order shock of the same sector for the same importer (whole CLI command)",
            t_tariff_fo,
            cells,
            f"solve per product: median {statistics.median(solve) * 1000:.0f} ms, max {max(solve) * 1000:.0f} ms, "
            f"total {sum(solve):.2f} s",
        ),
    ]
    lines = [
        "## Product-level partial equilibrium (issue 25): whole CLI commands on BACI 2024",
        "",
        "The PE model (Armington demand, export supply, one world price per exporter, every market "
        "cleared; `scipy.optimize.root` with the analytic Jacobian) timed as whole `friendshore` commands "
        f"on the sample warehouse (process start, warehouse read, solve, JSON out), median of {repeat} runs "
        "after a warm-up, beside the first-order command on the same products in the same run. The solve "
        "time per product is the result's own solver table (`--output solver`).",
        "",
        "| command | seconds | first-order baseline (s) | ratio | bilateral cells | solve |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for name, ours, _, base, n, note in rows:
        lines.append(f"| {name} | {ours:.2f} | {base:.2f} | {ours / base:.2f} | {n:,} | {note} |")
    lines += [
        "",
        "Per product of the sector (solve only): "
        + ", ".join(
            f"{r['hs6']} {r['seconds'] * 1000:.0f} ms" for r in sorted(sector_solver, key=lambda r: r["hs6"])
        ),
        "",
    ]
    return "\n".join(lines), rows


def section(repeat: int = 3, *, machine: str = "") -> Any:
    """The section and its records (``records.Section``) for ``bench/run.py`` (informative: no target)."""
    from friendshore.warehouse.ingest import ingest_sample
    from records import Record, Section

    with tempfile.TemporaryDirectory(prefix="friendshore-pe-") as tmp:
        home = Path(tmp) / "warehouse"
        ingest_sample(home, _sample_data())
        markdown, rows = _measure(home, repeat)
    records = [
        Record(name, ours, baseline=base_name, baseline_s=base, rows=n, machine=machine, note=note)
        for name, ours, base_name, base, n, note in rows
    ]
    return Section(markdown, records)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--record", action="store_true", help="write the records into bench/results/latest.json"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(BENCH))
    from run import machine_info, machine_line

    machine = machine_line(machine_info())
    part = section(args.repeat, machine=machine)
    print(part.markdown)
    if args.record:
        path = BENCH / "results" / "latest.json"
        kept = [r for r in json.loads(path.read_text()) if r["name"] not in {x.name for x in part.records}]
        path.write_text(json.dumps(kept + [r.to_json() for r in part.records], indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
