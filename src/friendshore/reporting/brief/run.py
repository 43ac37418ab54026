"""Calling analyses for the brief: each call recorded, each failure turned into a one-line gap.

``BriefRun.call`` imports the analysis by name (``"friendshore.analyses.x:fn"``), so a section can
name an analysis that is not in this version yet: it then reads "not available" instead of failing.
``BriefRun.quote`` takes one cell of a recorded result as a ``Figure`` (the text people read, and the
call, row and column it came from) so that every number of the brief can be checked against a fresh
run of the same call.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from friendshore.analyses.result import Result
from friendshore.console import get_logger
from friendshore.errors import FriendshoreError
from friendshore.reporting.brief.model import Call, Figure, Gap
from friendshore.reporting.format import format_value
from friendshore.settings import Settings

__all__ = ["BriefRun", "Unavailable"]

log = get_logger(__name__)


class Unavailable(Exception):
    """An analysis could not answer for the brief; ``gap`` says why in one line."""

    def __init__(self, gap: Gap) -> None:
        super().__init__(gap.text)
        self.gap = gap


@dataclass
class BriefRun:
    """The settings and parameters of one brief, and every analysis call it made."""

    settings: Settings
    importer: str
    partner: str | None
    coalition: str | None
    year: int | None
    sector: str | None
    members_at: date | None
    concern: str
    tariff_scenario: Path | None = None
    plan_example: str | None = None
    calls: dict[str, Call] = field(default_factory=dict)
    results: dict[str, Result] = field(default_factory=dict)
    gaps: dict[str, str] = field(default_factory=dict)

    def call(self, key: str, target: str, /, **kwargs: Any) -> Result:
        """Run ``target`` (``module:function``) with the settings and ``kwargs``; record it.

        Raises ``Unavailable`` when the analysis is not importable, when its data are not loaded,
        or when it refuses the question (any ``FriendshoreError``): the caller shows the gap.
        """
        module_name, _, function = target.partition(":")
        what = module_name.rsplit(".", 1)[-1].replace("_", " ")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name and module_name.startswith(exc.name):
                raise self._gap(key, f"the {what} analysis is not in this version of friendshore") from None
            raise
        fn = getattr(module, function, None)
        if fn is None:
            raise self._gap(key, f"the {what} analysis has no function '{function}' in this version")
        self.calls[key] = Call(key, target, dict(kwargs))
        try:
            result = fn(self.settings, **kwargs)
        except FriendshoreError as exc:
            raise self._gap(key, f"{what}: {exc}") from None
        except TypeError as exc:
            if "argument" not in str(exc):
                raise
            raise self._gap(
                key,
                f"the installed {what} analysis does not take the parameters this brief passes ({exc}); "
                "update its adapter in friendshore/reporting/brief/sections.py",
            ) from None
        if not isinstance(result, Result):
            raise self._gap(key, f"the {what} analysis did not return a Result")
        self.results[key] = result
        return result

    def _gap(self, key: str, text: str) -> Unavailable:
        self.gaps[key] = text
        log.info("brief: %s", text)
        return Unavailable(Gap(text))

    def quote(
        self,
        key: str,
        column: str,
        row: Mapping[str, Any],
        *,
        table: str | None = None,
        unit: str | None = None,
    ) -> Figure:
        """The cell ``column`` of the row of result ``key`` whose columns equal ``row``."""
        result = self.results[key]
        data = result.tables[table] if table else result.table
        matches = [r for r in data.to_pylist() if all(r.get(name) == value for name, value in row.items())]
        if len(matches) != 1:
            raise ValueError(f"{key}: {len(matches)} rows match {dict(row)} (expected one)")
        value = matches[0][column]
        chosen = unit or result.column(column).unit
        return Figure(format_value(value, chosen), value, chosen, key, column, dict(row), table)
