"""The error hierarchy. Every error friendshore raises on purpose is a ``FriendshoreError``.

A message says what went wrong, where (file, line, field) and what to do. Interfaces turn
``UserError`` subclasses into one line and exit code 2 (CLI) or a 4xx JSON error (API);
anything else is an internal error (exit code 1, a hint to report it).
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from pathlib import Path

__all__ = [
    "CannotWriteError",
    "ConvergenceError",
    "DataSourceError",
    "FriendshoreError",
    "InfeasibleError",
    "NotLoadedError",
    "ReadOnlyQueryError",
    "SchemaError",
    "SettingsError",
    "UnknownCodeError",
    "UserError",
    "cannot_write",
    "unknown",
]


class FriendshoreError(Exception):
    """Root of every error raised by friendshore on purpose."""

    #: HTTP status an API should answer with.
    status_code: int = 500


class UserError(FriendshoreError):
    """Bad input or a request that cannot be met: the user can fix it."""

    status_code = 400


class SettingsError(UserError):
    """A setting (environment variable or option) has a value that cannot be used."""


class DataSourceError(UserError):
    """A source file cannot be read: missing, empty, corrupt, wrongly encoded."""

    def __init__(self, message: str, *, file: str | Path | None = None, hint: str = "") -> None:
        self.file = str(file) if file is not None else None
        self.hint = hint
        where = f"{self.file}: " if self.file else ""
        text = f"{where}{message}"
        if hint:
            text += f" ({hint})"
        super().__init__(text)


class SchemaError(DataSourceError):
    """A source file was readable but a header, row or field breaks the expected schema."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        field: str | None = None,
        hint: str = "",
    ) -> None:
        self.line = line
        self.field = field
        parts = []
        if line is not None:
            parts.append(f"line {line}")
        if field is not None:
            parts.append(f"field '{field}'")
        where = ", ".join(parts)
        super().__init__(f"{where}: {message}" if where else message, file=file, hint=hint)


class UnknownCodeError(UserError):
    """A country, group, product or sector code is not known."""

    status_code = 404


def unknown(what: str, name: str, known: Iterable[str]) -> UnknownCodeError:
    """The error for a ``name`` that is not one of ``known``: ``unknown <what> '<name>' (known: ...)``,
    listing them in the order given."""
    return UnknownCodeError(f"unknown {what} '{name}' (known: {', '.join(known)})")


class NotLoadedError(UserError):
    """An analysis needs a warehouse table that has not been loaded yet."""

    status_code = 409


class ReadOnlyQueryError(UserError):
    """A query given to the read-only SQL interface would change something."""


class ConvergenceError(FriendshoreError):
    """A numerical solver did not converge; carries its diagnostics."""

    status_code = 422


class InfeasibleError(UserError):
    """An optimisation problem has no feasible solution; ``binding`` names the constraints that
    cannot all hold (in words), when the solver could tell."""

    status_code = 422

    def __init__(
        self, message: str, *, binding: tuple[str, ...] | list[str] = (), strategy: str = ""
    ) -> None:
        self.binding = list(binding)
        self.strategy = strategy
        super().__init__(message)


class CannotWriteError(UserError):
    """A file could not be written because the disk is full, a quota or file-size limit is reached,
    or the folder is read-only: the user can make room (or write elsewhere) and run again."""

    status_code = 507


#: errno values of a write the user can fix by making room: the message says the disk is full.
_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
_READ_ONLY = {errno.EROFS, errno.EACCES, errno.EPERM}


def cannot_write(path: str | Path, exc: OSError, *, changed: str) -> CannotWriteError | None:
    """The clean error for ``exc``, raised writing ``path``, when the user can fix it (a full disk,
    a quota or file-size limit, a read-only folder); ``None`` for any other ``OSError``.
    ``changed`` says truthfully what was left as it was (e.g. "nothing was changed")."""
    reason = exc.strerror or str(exc)
    if exc.errno in _FULL:
        return CannotWriteError(
            f"could not write {path}: the disk is full or a size limit was reached ({reason}); {changed}: "
            "free some space (or write to a larger disk) and run the command again"
        )
    if exc.errno in _READ_ONLY:
        return CannotWriteError(
            f"could not write {path}: the folder is read-only or not yours ({reason}); {changed}: "
            "choose a folder you can write to"
        )
    return None
