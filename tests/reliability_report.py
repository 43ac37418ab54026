"""Write RELIABILITY.md from what the reliability tests recorded (see ``reliability`` in conftest.py).

Categories: ``input`` (the bad-input corpus through the command line), ``sql`` (queries that try
to write or read files), ``crash`` (an ingest killed at a point of the load), ``concurrency``.
The report is written only when the whole corpus ran and every category was tried, the API fuzz
and the crash tests included, so a partial run (``make test-fast``, one file) never replaces it; it
has no timestamp, so it changes only when an outcome does.
"""

from __future__ import annotations

import json
import tomllib
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

CASES = Path(__file__).parent / "data" / "bad" / "cases.toml"
CATEGORIES = ("input", "scenario", "sql", "api", "crash", "concurrency")

_HEADER = """# Reliability

Written by the test run (`make test`; `tests/reliability_report.py`): do not edit by hand. Each
row counts inputs the tests tried against a warehouse holding data (issue 20):

- **input**: the bad-input corpus (`tests/data/bad/cases.toml`, one case per kind and per source
  reader) through `friendshore.interfaces.cli.run`; *rejected cleanly* means exit 2, one line
  naming the file (and line and field where the input has them), no traceback, and every file of
  the warehouse byte for byte as before.
- **sql**: queries that try to write a file, read a file, show settings or run a second
  statement (`tests/test_query.py`); an *escape* is one that ran.
- **crash**: an ingest killed with SIGKILL (or interrupted with SIGINT) at a point of the load
  (`tests/test_crash.py`); afterwards the warehouse must open, `friendshore data verify` must
  pass and exactly the old (or, after the commit, the new) data must be there.
- **concurrency**: readers and cache builds during a load, two loads at once (threads and
  processes; `tests/test_store_reliability.py`, `tests/test_crash.py`).
- **scenario**: bad gravity and multi-sector scenario files (`tests/data/bad_scenarios/`) through
  the command line: exit 2 and one line naming the file and field.
- **api**: SQL-injection, path-traversal and shell payloads in every string parameter of every
  GET endpoint (`tests/test_api_fuzz.py`): no 5xx, no file outside the warehouse read (an
  *escape*), and the warehouse unchanged afterwards.

Issue 30 added to the corpus: every real sample file cut at random line boundaries and loaded over
the whole one (`tests/test_reliability_shrink.py`, kind *cut-at-line*: a *silent replacement* is a
cut file that loaded), damaged manifests and partition files (`tests/test_reliability_verify.py`),
the engine's settings and catalog views (`tests/test_reliability_sql.py`), ETO duplicates, shares
and cycles, gravity `[costs]` on identifier columns, plan numbers `inf`/`1e300`, `partners`
`--include`/`--weights`, and `serve` limits (`tests/data/bad/cases.toml`, ids with `30-`); the cut
files of the sources whose reader knows what they must contain (WDI, UNGA, WGI, GeoDist, and ETO by
what its other files call for) loaded into an empty warehouse too (`cut-first-load-…`; ETO's
`provision.csv` cut to at most 98 % of its lines: a cut that loses only its last firms, after the
last country row, leaves nothing to compare with; the USGS MCS file is cut at every line boundary in
`tests/test_reliability_cut_first_load.py`, where a cut right after a World total row that leaves only
whole series loads on a first load and is refused over an earlier one); a full disk for real, while
building the cache, loading, `register add`, `groups add` and `brief` (kind *disk-full*,
`tests/test_reliability_disk.py`: a child process whose writes fail at the operating system; *clean* also means no temporary file left and
`data verify` passing afterwards); and a server that must not be starved (api `30-5-…`: 20 connections
sending partial headers are closed after the header timeout; 5 requests of 20,000 Monte Carlo draws
past the time limit are stopped and the next request answers at once, `tests/test_reliability_api.py`).
An *internal error* includes any traceback printed.

Targets: 0 internal errors, 0 data lost, 0 gate escapes, 0 silent replacements.
"""


def _load(folder: Path) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for path in sorted(folder.glob("*.jsonl")) if folder.is_dir() else []:
        rows += [json.loads(line) for line in path.read_text("utf-8").splitlines() if line.strip()]
    return rows


def write_report(folder: Path, target: Path) -> bool:
    """Write ``target`` from the records under ``folder``; ``False`` (nothing written) unless every
    corpus case was recorded and every category tried (the API fuzz's payloads included)."""
    rows = _load(folder)
    expected = {c["id"] for c in tomllib.loads(CASES.read_text("utf-8"))["case"]}
    if not expected <= {r["case"] for r in rows if r["category"] == "input"}:
        return False
    tried = {r["category"] for r in rows}
    fuzzed = any(r["category"] == "api" and str(r["case"]).startswith("/api/") for r in rows)
    if not set(CATEGORIES) <= tried or not fuzzed:
        return False
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in rows:  # a case retried in the same run counts once, as last seen
        latest[row["category"], row["case"]] = row
    by_category: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for (category, _), row in sorted(latest.items()):
        by_category[category].append(row)

    lines = [_HEADER, "| inputs | tried | rejected cleanly | internal errors | data lost | gate escapes |"]
    lines.append("|---|---:|---:|---:|---:|---:|")
    totals = Counter[str]()
    for category in CATEGORIES:
        items = by_category.get(category, [])
        counts = {
            "tried": len(items),
            "clean": sum(bool(r.get("clean")) for r in items),
            "internal": sum(bool(r.get("internal")) for r in items),
            "lost": sum(bool(r.get("data_lost")) for r in items),
            "escapes": sum(bool(r.get("escaped")) for r in items),
        }
        totals.update(counts)
        lines.append(
            f"| {category} | {counts['tried']} | {counts['clean']} | {counts['internal']} | "
            f"{counts['lost']} | {counts['escapes']} |"
        )
    lines.append(
        f"| **all** | **{totals['tried']}** | **{totals['clean']}** | **{totals['internal']}** | "
        f"**{totals['lost']}** | **{totals['escapes']}** |"
    )
    cuts = [r for r in by_category["input"] if r.get("kind") == "cut-at-line"]
    silent = sum(bool(r.get("accepted") or r.get("data_lost")) for r in cuts)
    lines += [
        "",
        f"Cut files: {len(cuts)} loads of a sample file cut at a line boundary (over the whole file, or "
        "into an empty warehouse); "
        f"{len(cuts) - silent} refused, **{silent} silent replacements**.",
    ]
    kinds = Counter(r.get("kind", "") for r in by_category["input"])
    lines += ["", "## Corpus cases by kind", "", "| kind | cases |", "|---|---:|"]
    lines += [f"| {kind} | {n} |" for kind, n in sorted(kinds.items())]
    lines += ["", "## Every input tried", "", "| category | case | outcome |", "|---|---|---|"]
    for category in CATEGORIES:
        rows_of = by_category.get(category, [])
        if category == "api":  # hundreds of payloads: list the ones that were not clean, count the rest
            bad = [r for r in rows_of if _outcome(r) != "rejected cleanly"]
            lines.append(f"| api | {len(rows_of) - len(bad)} payloads and checks | rejected cleanly |")
            rows_of = bad
        for row in rows_of:
            lines.append(f"| {category} | {row['case']} | {_outcome(row)} |")
    text = "\n".join(lines) + "\n"
    if not target.exists() or target.read_text("utf-8") != text:
        target.write_text(text, "utf-8")
    return True


def _outcome(row: dict[str, Any]) -> str:
    if row.get("escaped"):
        return "ESCAPED"
    if row.get("data_lost"):
        return "DATA LOST"
    if row.get("internal"):
        return "internal error"
    if row.get("accepted"):
        return "accepted (not refused)"
    return "rejected cleanly" if row.get("clean") else "refused, not cleanly"
