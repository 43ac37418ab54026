"""Published results that friendshore reproduces, runnable by users and by the test suite.

Each ``Reproduction`` computes ``ours`` in the run (never stored) and sets it beside the
``published`` figure with a tolerance. ``friendshore reproduce NAME`` prints the checks and exits
non-zero when one is off; ``tests/published/`` runs the same functions.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

from friendshore.errors import UnknownCodeError
from friendshore.settings import Settings

__all__ = ["REPRODUCTIONS", "Check", "Reproduction", "register", "reproduction", "run_reproduction"]


@dataclass(frozen=True)
class Check:
    """One published quantity and our figure for it."""

    quantity: str
    published: float
    ours: float
    tolerance: float
    source: str = ""

    @property
    def ok(self) -> bool:
        return math.isfinite(self.ours) and abs(self.ours - self.published) <= self.tolerance

    def to_json(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


@dataclass(frozen=True)
class Reproduction:
    name: str
    title: str
    citation: str
    run: Callable[[Settings], list[Check]]


REPRODUCTIONS: dict[str, Reproduction] = {}


def register(
    name: str, title: str, citation: str
) -> Callable[[Callable[[Settings], list[Check]]], Callable[[Settings], list[Check]]]:
    """Decorator: register a function ``Settings -> list[Check]`` as reproduction ``name``."""

    def wrap(fn: Callable[[Settings], list[Check]]) -> Callable[[Settings], list[Check]]:
        REPRODUCTIONS[name] = Reproduction(name, title, citation, fn)
        return fn

    return wrap


def _load_all() -> None:
    # Modules that register reproductions; imported lazily so the CLI starts fast.
    from friendshore.reporting import (
        reproductions,  # noqa: F401
        reproductions_gravity,  # noqa: F401
        reproductions_partners,  # noqa: F401
        reproductions_risk,  # noqa: F401
    )


def reproduction(name: str) -> Reproduction:
    _load_all()
    try:
        return REPRODUCTIONS[name]
    except KeyError:
        known = ", ".join(sorted(REPRODUCTIONS))
        raise UnknownCodeError(f"unknown reproduction '{name}' (known: {known})") from None


def run_reproduction(name: str, settings: Settings) -> list[Check]:
    return reproduction(name).run(settings)
