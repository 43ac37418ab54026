"""Layer order over every import of ``src/friendshore``, against the floors of docs/ARCHITECTURE.md.

Every import counts: module level, deferred inside functions, under ``TYPE_CHECKING`` (a type-only
import still says which floor a module leans on), relative ones, and strings that name a module or a
``"module:function"`` target (what ``importlib.import_module`` loads). Three rules:

- a module imports only from its own floor, the floors above it and the ground (errors, settings,
  console), which imports nothing else;
- the API and the dashboard never import the CLI;
- no import cycle at all, deferred imports and strings included. Only ``TYPE_CHECKING`` imports are
  left out of the cycle check: they never run, so they cannot make an import fail half-way, and a
  module annotating with a type of a module that imports it (``Partition`` in a helper of the store)
  is how Python spells two modules that know each other's types. They still obey the floors.

Known violations are listed below by name, each with its issue; a new one fails, and so does a
listed one that is gone (take it off the list).
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import networkx as nx
import pytest

from friendshore.settings import project_root

ROOT = project_root()
SRC = ROOT / "src"
GROUND = ("errors", "settings", "console", "deadline")
_MODULE_TEXT = re.compile(r"^(?P<module>[a-z_][\w]*(\.\w+)+)(:\w+)?$")

#: (importer, imported) -> the issue that removes it. Imports that break the rules today.
KNOWN_EDGES: dict[tuple[str, str], str] = {}
#: Cycles today, each as the sorted tuple of its modules -> the issue that removes it.
KNOWN_CYCLES: dict[tuple[str, ...], str] = {}


def floors(architecture: Path) -> list[str]:
    """The layer names, top (imported by all) to bottom, from the first code block of the
    architecture's "Layers" section (lines like ``sources/   what it holds``)."""
    text = architecture.read_text("utf-8")
    section = text[text.index("## Layers") :]
    block = section.split("```")[1]
    names = [m.group(1) for m in re.finditer(r"(?m)^(\w+)/\s", block)]
    assert len(names) >= 5, f"no layers found in {architecture}"
    return names


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    line: int
    how: str  # "import", "deferred", "type-checking", "string"


def _module_name(src: Path, path: Path) -> str:
    parts = list(path.relative_to(src).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve(module: str, is_package: bool, level: int, name: str | None) -> str:
    if not level:
        return name or ""
    base = module.split(".") if is_package else module.split(".")[:-1]
    base = base[: len(base) - level + 1]
    return ".".join(base + ([name] if name else []))


def edges(src: Path, package: str) -> Iterator[Edge]:
    """Every import from one module of ``package`` (under ``src``) to another."""
    modules = {_module_name(src, p): p for p in (src / package).rglob("*.py")}

    def known(target: str) -> str | None:
        while target and target not in modules:
            target = target.rpartition(".")[0]
        return target or None

    for name, path in modules.items():
        tree = ast.parse(path.read_text("utf-8"))
        inside = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef)
            for n in ast.walk(f)
        }
        typing_only = {
            id(n)
            for f in ast.walk(tree)
            if isinstance(f, ast.If) and "TYPE_CHECKING" in ast.unparse(f.test)
            for n in ast.walk(f)
        }
        is_package = path.name == "__init__.py"
        for node in ast.walk(tree):
            how = (
                "type-checking" if id(node) in typing_only else "deferred" if id(node) in inside else "import"
            )
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = _resolve(name, is_package, node.level, node.module)
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                match = _MODULE_TEXT.match(node.value)
                if match and match.group("module").split(".")[0] == package:
                    targets, how = [match.group("module")], "string"
            for target in targets:
                resolved = known(target) if target.split(".")[0] == package else None
                if resolved is not None and resolved != name and not name.startswith(resolved + "."):
                    yield Edge(name, resolved, getattr(node, "lineno", 0), how)


def _floor(module: str, layers: list[str]) -> int | None:
    """The floor of a module: -1 the ground, else its layer's index; None for the entry point."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] in GROUND:
        return -1
    if parts[1] in layers:
        return layers.index(parts[1])
    return None


@functools.cache
def _edges(src: Path, package: str) -> tuple[Edge, ...]:
    """``edges`` read once per test process for each tree (the source tree does not change while
    the tests run; each fixture tree has a folder of its own)."""
    return tuple(edges(src, package))


def violations(src: Path, package: str, layers: list[str]) -> list[Edge]:
    """Imports against the rules: upward across floors, from the ground, or from the API to the CLI."""
    out = []
    for edge in _edges(src, package):
        here, there = _floor(edge.source, layers), _floor(edge.target, layers)
        if here is None or there is None:  # __main__: the entry point, above every floor
            continue
        upward = there > here if here >= 0 else there >= 0
        to_cli = re.search(r"\.interfaces\.(api|web)\b", edge.source) and re.search(
            r"\.interfaces\.cli(_\w+)?$", edge.target
        )
        if upward or to_cli:
            out.append(edge)
    return out


def cycles(src: Path, package: str) -> list[tuple[str, ...]]:
    graph = nx.DiGraph()
    graph.add_edges_from((e.source, e.target) for e in _edges(src, package) if e.how != "type-checking")
    return sorted(tuple(sorted(c)) for c in nx.simple_cycles(graph))


def _describe(found: list[Edge]) -> str:
    return "\n".join(sorted({f"{e.source}:{e.line} -> {e.target} ({e.how})" for e in found}))


def test_every_import_runs_down_the_floors() -> None:
    layers = floors(ROOT / "docs" / "ARCHITECTURE.md")
    found = violations(SRC, "friendshore", layers)
    new = [e for e in found if (e.source, e.target) not in KNOWN_EDGES]
    assert not new, "imports against the floors of docs/ARCHITECTURE.md:\n" + _describe(new)
    gone = set(KNOWN_EDGES) - {(e.source, e.target) for e in found}
    assert not gone, f"no longer violations (take them off KNOWN_EDGES): {sorted(gone)}"


def test_no_import_cycle() -> None:
    found = cycles(SRC, "friendshore")
    new = [c for c in found if c not in KNOWN_CYCLES]
    assert not new, f"import cycles (every import counts, deferred ones too): {new}"
    gone = set(KNOWN_CYCLES) - set(found)
    assert not gone, f"cycles that are gone (take them off KNOWN_CYCLES): {sorted(gone)}"


def _fake(tmp_path: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = tmp_path / "fake" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return tmp_path


LAYERS = ["sources", "metrics", "analyses", "interfaces"]


@pytest.mark.parametrize(
    ("text", "how"),
    [
        ("from fake.analyses import run\n", "import"),
        ("def f():\n    from fake.analyses.run import go\n    return go\n", "deferred"),
        (
            "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..analyses import run\n",
            "type-checking",
        ),
        ('TARGET = "fake.analyses.run:go"\n', "string"),
    ],
)
def test_an_upward_import_fails_however_it_is_written(tmp_path: Path, text: str, how: str) -> None:
    src = _fake(
        tmp_path,
        {
            "__init__.py": "",
            "errors.py": "",
            "sources/__init__.py": "",
            "sources/read.py": text,
            "analyses/__init__.py": "",
            "analyses/run.py": "from fake.sources.read import f\nfrom fake import errors\n",
        },
    )
    found = violations(src, "fake", LAYERS)
    assert [(e.source, e.target, e.how) for e in found] == [("fake.sources.read", "fake.analyses.run", how)]


def test_the_ground_and_the_api_rules_and_cycles_in_a_fixture(tmp_path: Path) -> None:
    src = _fake(
        tmp_path,
        {
            "__init__.py": "",
            "settings.py": "def f():\n    import fake.metrics.m\n",
            "metrics/__init__.py": "",
            "metrics/m.py": "from fake.settings import f\nfrom . import n\nfrom . import k\n",
            "metrics/n.py": "def g():\n    from fake.metrics import m\n",
            "metrics/k.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from fake.metrics.m import f\n",
            "interfaces/__init__.py": "",
            "interfaces/cli.py": "import fake.interfaces.api.routes\n",
            "interfaces/api/__init__.py": "",
            "interfaces/api/routes.py": "def h():\n    from fake.interfaces.cli import app\n",
        },
    )
    found = {(e.source, e.target) for e in violations(src, "fake", LAYERS)}
    assert found == {
        ("fake.settings", "fake.metrics.m"),
        ("fake.interfaces.api.routes", "fake.interfaces.cli"),
    }
    assert cycles(src, "fake") == [
        ("fake.interfaces.api.routes", "fake.interfaces.cli"),
        ("fake.metrics.m", "fake.metrics.n"),
        ("fake.metrics.m", "fake.settings"),
    ]


def test_the_floors_are_read_from_the_architecture() -> None:
    layers = floors(ROOT / "docs" / "ARCHITECTURE.md")
    assert layers == [
        "sources",
        "nomenclature",
        "warehouse",
        "metrics",
        "models",
        "planning",
        "register",
        "analyses",
        "reporting",
        "interfaces",
    ]
