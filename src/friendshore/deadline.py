"""Cooperative deadlines: long numerical work stops when its caller's time is up.

The API runs each analysis under its time limit (``interfaces.api.routes.Runner``): it sets a
deadline with ``until(...)`` around the call, and the loops that can run long (Monte Carlo draws,
solver iterations) call ``check()``, which raises ``DeadlineExceeded`` once the deadline has passed.
Outside ``until`` there is no deadline and ``check()`` costs one context-variable read: the command
line never stops work on its own. DuckDB queries are stopped separately (``warehouse.connect``
``interrupt_thread``); this module stops what runs in Python, numpy and scipy between them.

Part of the ground (with ``errors``, ``settings`` and ``console``): every floor may import it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from friendshore.errors import FriendshoreError

__all__ = ["DeadlineExceeded", "check", "until"]

_DEADLINE: ContextVar[float | None] = ContextVar("friendshore_deadline", default=None)


class DeadlineExceeded(FriendshoreError):
    """The work passed the deadline its caller set (the API's time limit) and was stopped."""

    status_code = 503


@contextmanager
def until(deadline: float) -> Iterator[None]:
    """Run the block under ``deadline`` (a ``time.monotonic()`` instant): ``check()`` inside it
    raises once that instant has passed. An earlier deadline already set stays in force."""
    current = _DEADLINE.get()
    token = _DEADLINE.set(deadline if current is None else min(current, deadline))
    try:
        yield
    finally:
        _DEADLINE.reset(token)


def check() -> None:
    """Raise ``DeadlineExceeded`` if the deadline set by ``until`` has passed; else do nothing."""
    deadline = _DEADLINE.get()
    if deadline is not None and time.monotonic() > deadline:
        raise DeadlineExceeded(
            "the work passed its time limit and was stopped: narrow the question (a year, a sector, "
            "fewer draws) or ask for a longer limit"
        )
