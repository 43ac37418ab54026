"""Benchmark: the developer's and the new user's loops, as whole commands.

- ``make test-fast``: the developer's test loop (target: under 2 minutes on 2 cores);
- ``make demo``'s commands: ``friendshore ingest sample`` and the two briefs (the US and India,
  Pax Silica), with the set-up step excluded (the virtualenv and the npm assets already installed:
  ``make demo``'s set-up is then a no-op);
- the brief's own build time: one ``friendshore brief`` command on a loaded warehouse.

Each is one child process: wall time from start to exit, CPU time (user and system, every thread
and child) from ``os.wait4``; the machine's load average is recorded beside them.

    python bench/bench_loop.py --update               # demo and brief; writes BENCHMARKS.md's section
    python bench/bench_loop.py --test-fast --update   # and make test-fast (minutes)
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from records import Record

__all__ = ["BEGIN", "END", "PREFIXES", "demo_commands", "measure", "records", "render", "run"]

ROOT = Path(__file__).resolve().parents[1]
TEST_FAST_BUDGET_S = 120.0
#: The names of this script's records start with these (``run.py`` keeps them with its section).
PREFIXES = ("make demo", "brief build", "make test-fast")
BEGIN, END = "<!-- bench_loop: begin -->", "<!-- bench_loop: end -->"


def measure(command: list[str], *, cwd: Path = ROOT) -> dict[str, Any]:
    """Run ``command`` to its end: wall and CPU seconds (its children included) and its exit code."""
    with tempfile.TemporaryFile() as out:
        start = time.perf_counter()
        child = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=cwd)
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        out.seek(0)
        tail = out.read()[-3000:].decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    return {"seconds": seconds, "cpu_seconds": usage.ru_utime + usage.ru_stime, "code": code, "tail": tail}


def _friendshore() -> str:
    exe = Path(sys.executable).with_name("friendshore")
    return str(exe) if exe.exists() else "friendshore"


def demo_commands(home: Path, out: Path) -> list[tuple[str, list[str]]]:
    """The commands of ``make demo`` (after its set-up step), on ``home``, writing under ``out``."""
    fs = [_friendshore(), "--home", str(home)]
    brief = [
        "brief",
        "--coalition",
        "pax-silica",
        "--members-at",
        "2026-03-01",
        "--sector",
        "critical-minerals",
    ]
    return [
        ("ingest sample", [*fs, "ingest", "sample"]),
        ("brief USA", [*fs, *brief, "--for", "USA", "--partner", "IND", "--out", str(out / "usa")]),
        ("brief IND", [*fs, *brief, "--for", "IND", "--partner", "USA", "--out", str(out / "ind")]),
    ]


def run(*, test_fast: bool, work: Path) -> dict[str, Any]:
    load_before = os.getloadavg()
    steps: dict[str, dict[str, Any]] = {}
    (work / "brief").mkdir(parents=True, exist_ok=True)  # make demo writes under out/, which exists
    for label, command in demo_commands(work / "home", work / "brief"):
        steps[label] = measure(command)
        print(f"  {label}: {steps[label]['seconds']:.1f} s", file=sys.stderr, flush=True)
        if steps[label]["code"] != 0:
            raise SystemExit(f"{label} failed:\n{steps[label]['tail']}")
    if test_fast:
        steps["make test-fast"] = measure(["make", "--no-print-directory", "test-fast"])
        print(f"  make test-fast: {steps['make test-fast']['seconds']:.1f} s", file=sys.stderr, flush=True)
    return {
        "steps": {k: {f: v[f] for f in ("seconds", "cpu_seconds", "code")} for k, v in steps.items()},
        "demo_s": sum(steps[k]["seconds"] for k in ("ingest sample", "brief USA", "brief IND")),
        "demo_cpu_s": sum(steps[k]["cpu_seconds"] for k in ("ingest sample", "brief USA", "brief IND")),
        "load_average": [round(x, 1) for x in (*load_before, *os.getloadavg())],
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
    }


def records(result: dict[str, Any], *, machine: str = "") -> list[Record]:
    load = ", ".join(f"{x:g}" for x in result["load_average"])
    steps = result["steps"]
    out = [
        Record(
            "make demo, set-up excluded (ingest sample + two briefs), whole commands",
            result["demo_s"],
            machine=machine,
            note=f"CPU {result['demo_cpu_s']:.1f} s; load average {load}",
            summary=False,
        ),
        Record(
            "brief build, USA (Pax Silica, critical minerals), whole command",
            steps["brief USA"]["seconds"],
            machine=machine,
            note=f"CPU {steps['brief USA']['cpu_seconds']:.1f} s; load average {load}",
            summary=False,
        ),
    ]
    if "make test-fast" in steps:
        step = steps["make test-fast"]
        out.append(
            Record(
                "make test-fast, whole run",
                step["seconds"],
                baseline="the developer's 2-minute budget",
                baseline_s=TEST_FAST_BUDGET_S,
                target=1.0,
                target_text="under 2 minutes on 2 cores",
                machine=machine,
                note=f"CPU {step['cpu_seconds']:.0f} s; exit code {step['code']}; load average {load}",
            )
        )
    return out


def render(result: dict[str, Any]) -> str:
    steps, load = result["steps"], ", ".join(f"{x:g}" for x in result["load_average"])
    loaded = max(result["load_average"]) > 1.5 * (result["cores"] or 1)
    lines = [
        BEGIN,
        "## The developer's and the new user's loops (`bench/bench_loop.py`)",
        "",
        f"Measured on {result['date']} (`bench/{Path(__file__).name}`; other sections may be older).",
        "",
        "Whole commands, one process each: wall time from start to exit and CPU time (user and system, "
        "children included) from `wait4`. `make demo` is measured without its set-up step (the virtualenv "
        "and the npm assets were installed, so that step is a no-op): `ingest sample`, then the US and the "
        "India brief.",
        "",
        "| step | wall (s) | CPU (s) |",
        "|---|---:|---:|",
        *[f"| {k} | {v['seconds']:.1f} | {v['cpu_seconds']:.1f} |" for k, v in steps.items()],
        f"| **make demo** (the three steps above, set-up excluded) | {result['demo_s']:.1f} "
        f"| {result['demo_cpu_s']:.1f} |",
        "",
        f"Load average (1, 5 and 15 minutes, before and after): {load} on {result['cores']} cores"
        + (": **a loaded machine**; on an idle one the wall times are shorter." if loaded else "."),
        END,
    ]
    return "\n".join(lines)


def update(result: dict[str, Any], report: Path, results: Path, *, machine: str = "") -> None:
    """Put this section into ``report`` and its records into ``results``, replacing earlier ones."""
    from bench_ingest_cli import replace_section

    replace_section(report, BEGIN, END, render(result))
    new = [r.to_json() for r in records(result, machine=machine)]
    old = json.loads(results.read_text()) if results.exists() else []
    names = {r["name"] for r in new}
    results.write_text(json.dumps([r for r in old if r["name"] not in names] + new, indent=1) + "\n")


def _main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--test-fast", action="store_true", help="also time make test-fast")
    parser.add_argument("--update", action="store_true", help="write BENCHMARKS.md's section and latest.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="friendshore-bench-loop-") as tmp:
        result = run(test_fast=args.test_fast, work=Path(tmp))
    print(json.dumps(result, indent=1))
    if args.update:
        import run as bench_run

        machine = bench_run.machine_line(bench_run.machine_info())
        update(result, ROOT / "BENCHMARKS.md", ROOT / "bench" / "results" / "latest.json", machine=machine)
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
