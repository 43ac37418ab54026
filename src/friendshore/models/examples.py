"""The scenario examples shipped in the package, found through ``importlib.resources``.

Gravity scenarios live in ``friendshore/models/gravity/examples/``, multi-sector (shock) scenarios
in ``friendshore/models/multisector/examples/``; each is named by its file stem
(``us_china_tariff``). Nothing here depends on a source checkout: the wheel carries the files.
"""

from __future__ import annotations

import re
from importlib.resources import files
from pathlib import Path
from typing import Literal

from friendshore.errors import UnknownCodeError

__all__ = ["KINDS", "ExampleKind", "example_names", "example_path", "example_text", "scenario_path"]

ExampleKind = Literal["gravity", "shocks"]
#: Which package holds each kind's ``examples/`` folder.
KINDS: dict[ExampleKind, str] = {
    "gravity": "friendshore.models.gravity",
    "shocks": "friendshore.models.multisector",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")


def example_names(kind: ExampleKind) -> list[str]:
    """The names of the shipped examples of ``kind``, sorted."""
    folder = files(KINDS[kind]).joinpath("examples")
    return sorted(
        entry.name.removesuffix(".toml")
        for entry in folder.iterdir()
        if entry.name.endswith(".toml") and _NAME.match(entry.name.removesuffix(".toml"))
    )


def example_path(kind: ExampleKind, name: str) -> Path:
    """The file of the shipped example ``name`` of ``kind``; ``UnknownCodeError`` for another name."""
    if name not in example_names(kind):
        known = ", ".join(example_names(kind)) or "none"
        raise UnknownCodeError(f"no shipped {kind} example '{name}' (examples: {known})")
    return Path(str(files(KINDS[kind]).joinpath("examples", f"{name}.toml")))


def example_text(kind: ExampleKind, name: str) -> str:
    """The TOML of the shipped example ``name`` of ``kind``."""
    return example_path(kind, name).read_text("utf-8")


def scenario_path(kind: ExampleKind, scenario: Path | str) -> Path:
    """``scenario`` as a file: an existing file as given, else the shipped example of that name."""
    path = Path(scenario)
    if path.is_file() or str(scenario) not in example_names(kind):
        return path
    return example_path(kind, str(scenario))
