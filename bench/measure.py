"""Measure one piece of work in its own process: wall time (taken by the worker) and peak memory.

``measured(script, args)`` starts a small probe process (this file), which starts
``python script worker *args`` and samples the resident memory of that worker and its children
(Spark's JVM) every 50 ms; it also reads the worker's ``ru_maxrss``. The peak is the larger of the
two, so a short spike of the worker itself is not missed and a JVM beside it is counted. The worker
prints one JSON object on its last line (``seconds`` and whatever else it reports); ``measured``
returns it with ``peak_mb`` added. Each measurement has its own probe, so ``ru_maxrss`` of one
never carries into the next.
"""

from __future__ import annotations

import contextlib
import json
import resource
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

__all__ = ["measured"]


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.NoSuchProcess):
            total += p.memory_info().rss
    return total


def _probe(script: str, args: list[str]) -> dict[str, Any]:
    child = subprocess.Popen(
        [sys.executable, script, "worker", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(child.pid))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, stderr = child.communicate()
    done.set()
    sampler.join()
    if child.returncode != 0:
        raise SystemExit(f"worker {Path(script).name} {args[:2]} failed:\n{stderr[-4000:]}")
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    largest = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024  # KiB on Linux
    result["peak_mb"] = max(peak, largest) / 2**20
    return result


def measured(script: str | Path, args: list[str]) -> dict[str, Any]:
    """Run ``python script worker *args`` under a fresh probe; its JSON with ``peak_mb`` added."""
    done = subprocess.run(
        [sys.executable, __file__, str(script), *args], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise SystemExit(f"measurement of {Path(script).name} {args[:2]} failed:\n{done.stderr[-4000:]}")
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


if __name__ == "__main__":
    print(json.dumps(_probe(sys.argv[1], sys.argv[2:])))
