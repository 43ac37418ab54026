"""Logging and progress through Rich. Library code never prints: it logs or reports progress."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.logging import RichHandler
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

__all__ = ["err_console", "get_logger", "progress", "setup_logging"]

#: Diagnostics, logs and progress go to stderr so that stdout stays machine-readable.
err_console = Console(stderr=True)


def setup_logging(level: int = logging.WARNING) -> None:
    """Route the ``friendshore`` logger through Rich on stderr."""
    logger = logging.getLogger("friendshore")
    logger.setLevel(level)
    if not any(isinstance(h, RichHandler) for h in logger.handlers):
        logger.addHandler(RichHandler(console=err_console, show_path=False, markup=False))
    logger.propagate = False


def get_logger(name: str) -> logging.Logger:
    return logging.getLogger(name if name.startswith("friendshore") else f"friendshore.{name}")


@contextmanager
def progress(*, transient: bool = True, console: Console | None = None) -> Iterator[Progress]:
    """A Rich progress display on stderr (hidden when stderr is not a terminal).

    Task descriptions are shown as text, never markup: they hold file names (``[/x].csv``)."""
    console = console or err_console
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}", markup=False, style="progress.description"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=transient,
        disable=not console.is_terminal,
    ) as bar:
        yield bar
