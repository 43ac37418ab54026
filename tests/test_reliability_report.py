"""RELIABILITY.md is replaced only by a run that tried everything (``tests/reliability_report.py``)."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from reliability_report import CASES, CATEGORIES, write_report


def _records(folder: Path, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "main.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows), "utf-8")


def test_a_partial_run_does_not_replace_the_report(tmp_path: Path) -> None:
    corpus = [
        {"category": "input", "case": c["id"], "clean": True}
        for c in tomllib.loads(CASES.read_text("utf-8"))["case"]
    ]
    others = [{"category": c, "case": f"{c} case", "clean": True} for c in CATEGORIES if c != "input"]
    fuzz = {"category": "api", "case": "/api/countries q='x'", "clean": True}
    target = tmp_path / "RELIABILITY.md"
    for partial in (corpus, corpus + others):  # no API fuzz (make test-fast), or its payloads missing
        _records(tmp_path / "r", partial)
        assert not write_report(tmp_path / "r", target)
        assert not target.exists()
    _records(tmp_path / "r", [*corpus, *others, fuzz])
    assert write_report(tmp_path / "r", target)
    assert "| **all** |" in target.read_text("utf-8")
