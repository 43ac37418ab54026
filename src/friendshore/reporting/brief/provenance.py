"""The methods annex of the brief and ``provenance.json``: datasets, analyses and parameters, the
reproductions behind each method, caveats and gaps, and the assets inlined in the HTML."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from friendshore.analyses.brief_evidence import Evidence
from friendshore.analyses.result import json_safe
from friendshore.reporting.brief.model import Section, TableBlock

__all__ = ["METHOD_REPRODUCTIONS", "Methods", "collect_methods", "fill_methods"]

#: The reproductions (``friendshore reproduce NAME``) that back each analysis's method.
METHOD_REPRODUCTIONS: dict[str, tuple[str, ...]] = {
    "dependencies": ("baci-world-shares",),
    "chokepoints": ("baci-world-shares",),
    "suppliers": ("baci-world-shares",),
    "flows": ("baci-world-shares",),
    "supply-risk": ("crm-main-suppliers", "mineral-production-shares"),
    "chips": ("eto-chip-shares",),
    "simulate": ("cp2015-nafta",),
}

#: Files that analyses read directly (model inputs), by file name: publisher and licence.
_FILES = {
    "1_TradeWithoutBorder.dta": (
        "Yotov, Piermartini, Monteiro & Larch (2016), An Advanced Guide to Trade Policy Analysis, WTO/UNCTAD "
        "(replication data)",
        "see the publisher (WTO/UNCTAD)",
    ),
    "technology.csv": (
        "friendshore technology taxonomy (HS 2017 -> technology, stage)",
        "Apache-2.0 (this project)",
    ),
    "groups.toml": ("friendshore country groups with dates and sources", "Apache-2.0 (this project)"),
}


@dataclass
class Methods:
    datasets: list[dict[str, Any]]
    analyses: list[dict[str, Any]]
    reproductions: list[dict[str, Any]]
    caveats: list[dict[str, Any]]
    gaps: list[dict[str, Any]]
    assets: list[dict[str, Any]]


def _catalogued(source: str) -> Any:
    """The source's entry in the catalogue (publisher, licence, citation), or ``None``."""
    from friendshore.sources.catalogue import catalogue

    return catalogue().get(source)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _local_file(source: str) -> Path | None:
    """The file a result's ``sources`` entry names (``package``: the built-in groups), if it exists."""
    from importlib.resources import files

    from friendshore.settings import project_root

    text = source.split(": ", 1)[-1].strip()
    if not text:
        return None
    if text == "package":
        return Path(str(files("friendshore.nomenclature").joinpath("data", "groups.toml")))
    for path in (Path(text), project_root() / text):
        if path.is_file():
            return path
    return None


def collect_methods(run: Evidence) -> Methods:
    """Everything section 8 and provenance.json list, from the calls the brief made."""
    from friendshore.analyses.reproductions import REPRODUCTIONS

    datasets: dict[tuple[str, ...], dict[str, Any]] = {}
    for key, result in run.results.items():
        for p in result.provenance:
            download = _catalogued(p.source)
            for name, sha in p.files:
                ident = (p.source, p.release, name, sha)
                entry = datasets.setdefault(
                    ident,
                    {
                        "publisher": f"{download.publisher}: {download.title}" if download else p.source,
                        "source": p.source,
                        "release": p.release,
                        "file": name,
                        "sha256": sha,
                        "licence": download.licence if download else "see the publisher",
                        "citation": download.citation if download else "",
                        "tables": [],
                        "used_by": [],
                    },
                )
                label = f"{p.table} [{', '.join(f'{k}={v}' for k, v in p.partition.items())}]"
                if label not in entry["tables"]:
                    entry["tables"].append(label)
                if key not in entry["used_by"]:
                    entry["used_by"].append(key)
        for source in result.sources:
            path = _local_file(source)
            if path is None:
                continue
            publisher, licence = _FILES.get(path.name, ("read directly from a file", "see the publisher"))
            ident = ("file", "", str(path), "")
            entry = datasets.setdefault(
                ident,
                {
                    "publisher": publisher,
                    "source": "file",
                    "release": "",
                    "file": str(path),
                    "sha256": _sha256(path),
                    "licence": licence,
                    "citation": "",
                    "tables": [],
                    "used_by": [],
                },
            )
            if key not in entry["used_by"]:
                entry["used_by"].append(key)
    analyses = [
        {
            "key": key,
            "function": f"{call[0].__module__}:{call[0].__name__}",
            "arguments": json_safe(dict(call[1])),
            "analysis": run.results[key].analysis,
            "title": run.results[key].title,
            "parameters": json_safe(dict(run.results[key].parameters)),
        }
        for key, call in run.calls.items()
        if key in run.results
    ]
    reproductions = []
    seen: set[tuple[str, str]] = set()
    for result in run.results.values():
        names = METHOD_REPRODUCTIONS.get(result.analysis, ())
        if not names and (result.analysis, "") not in seen:
            seen.add((result.analysis, ""))
            reproductions.append({"analysis": result.analysis, "name": "", "kind": "", "title": "no published "
                                  "reproduction yet", "citation": "", "command": ""})  # fmt: skip
        for name in names:
            found = REPRODUCTIONS.get(name)
            if found is None or (result.analysis, name) in seen:
                continue
            seen.add((result.analysis, name))
            reproductions.append(
                {
                    "analysis": result.analysis,
                    "name": name,
                    "kind": found.kind,
                    "title": found.title,
                    "citation": found.citation,
                    "command": f"friendshore reproduce {name}",
                }
            )
    caveats = [
        {"call": key, "analysis": result.analysis, "note": note}
        for key, result in run.results.items()
        for note in result.notes
    ]
    gaps = [{"call": key, "gap": text} for key, text in run.gaps.items()]
    return Methods(list(datasets.values()), analyses, reproductions, caveats, gaps, _assets())


def _assets() -> list[dict[str, Any]]:
    from friendshore.reporting.assets import AssetMissingError, font_faces, vega_versions, world_topology

    out: list[dict[str, Any]] = [
        {
            "package": "vl-convert-python (PyPI)",
            "version": ", ".join(f"{k} {v}" for k, v in vega_versions().items()),
            "file": "Vega, Vega-Lite and Vega-Embed JavaScript bundle",
            "sha256": "",
            "licence": "BSD-3-Clause",
        },
    ]
    try:
        out.append(world_topology()[1].to_json())
    except AssetMissingError as exc:
        out.append(
            {"package": "world-atlas (npm)", "version": "", "file": str(exc), "sha256": "", "licence": ""}
        )
    try:
        out.extend(f.info.to_json() for f in font_faces())
    except AssetMissingError as exc:
        out.append({"package": "@fontsource/source-sans-3 (npm)", "version": "", "file": str(exc), "sha256": "",
                    "licence": ""})  # fmt: skip
    return out


#: Rows of a methods table shown in the brief (every row is in its CSV).
_SHOWN = 30


def _block(title: str, csv: str, headers: list[str], rows: list[list[str]]) -> TableBlock:
    shown = rows[:_SHOWN]
    return TableBlock(
        title,
        tuple(headers),
        tuple(tuple(r) for r in shown),
        tuple(False for _ in headers),
        csv,
        len(shown),
        len(rows),
    )


def _releases(datasets: list[dict[str, Any]]) -> list[list[str]]:
    """One row per publisher and release: how many files, and the licence."""
    count: dict[tuple[str, str, str], int] = {}
    for d in datasets:
        key = (str(d["publisher"]), str(d["release"]), str(d["licence"]))
        count[key] = count.get(key, 0) + 1
    return [[pub, rel, str(n), lic] for (pub, rel, lic), n in count.items()]


def fill_methods(section: Section, methods: Methods) -> None:
    """The methods annex (the same content as provenance.json, shortened for reading)."""
    section.blocks.append(
        _block(
            "Data: the releases behind the numbers (every file with its sha256: data/methods.datasets.csv)",
            "data/methods.datasets.csv",
            ["publisher", "release", "files", "licence"],
            _releases(methods.datasets),
        )
    )
    section.blocks.append(
        _block(
            "Analyses run, with their parameters",
            "data/methods.analyses.csv",
            ["call", "function", "arguments", "result"],
            [
                [a["key"], a["function"].split(":")[-1], _arguments(a["arguments"]), a["title"]]
                for a in methods.analyses
            ],
        )
    )
    section.blocks.append(
        _block(
            "Reproductions behind each method (run them with the command shown)",
            "data/methods.reproductions.csv",
            ["analysis", "reproduction", "kind", "what it checks"],
            [[r["analysis"], r["command"] or "—", r["kind"], r["title"]] for r in methods.reproductions],
        )
    )
    section.blocks.append(
        _block(
            "Caveats the analyses returned",
            "data/methods.caveats.csv",
            ["call", "caveat"],
            [[c["call"], c["note"]] for c in methods.caveats],
        )
    )
    if methods.gaps:
        section.blocks.append(
            _block(
                "What this brief could not show",
                "data/methods.gaps.csv",
                ["call", "why"],
                [[g["call"], g["gap"]] for g in methods.gaps],
            )
        )
    section.blocks.append(
        _block(
            "Inlined in brief.html (no request when opened)",
            "data/methods.assets.csv",
            ["package", "version", "file", "licence"],
            [[a["package"], a["version"], a["file"], a["licence"]] for a in methods.assets],
        )
    )


def _arguments(arguments: dict[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in arguments.items() if v not in (None, [], ""))
