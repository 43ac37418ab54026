"""Read a TOML data file and turn pydantic validation errors into ``SchemaError``s that name the
file, the entry and the field.

Shared by the country groups and the register: ``toml_file`` checks the path a user gives to
install, ``install_atomically`` installs it (never a cut file), ``read_text`` reads a user's file (one that is not UTF-8 or cannot be read is named), ``parse_toml`` reads the text (a syntax error names its line),
``schema_error`` turns a ``ValidationError`` into one message whose field path
reads ``measure us-bis-2022-10 > effective`` rather than ``('measure', 0, 'effective')``.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from friendshore.errors import DataSourceError, SchemaError, UserError, cannot_write
from friendshore.sources.user_files import toml_error

__all__ = [
    "LABEL_KEYS",
    "field_path",
    "install_atomically",
    "parse_toml",
    "read_text",
    "schema_error",
    "toml_file",
]

#: The keys that name an entry of an array of tables, in the order they are tried.
LABEL_KEYS: tuple[str, ...] = ("id", "name", "iso3")


def toml_file(path: Path, *, what: str) -> Path:
    """``path`` if it names a ``.toml`` file a user gives to install (``what``: "a group file"...);
    otherwise the error that says so."""
    path = Path(path)
    if not path.is_file():
        raise DataSourceError("file not found", file=path, hint="give the path of a .toml file")
    if path.suffix.lower() != ".toml":
        raise UserError(f"{path}: {what} must be a .toml file")
    return path


def read_text(path: Path) -> str:
    """The text of a user's file; a ``DataSourceError`` naming it if it is not UTF-8 or cannot be read."""
    try:
        return Path(path).read_text("utf-8")
    except UnicodeDecodeError:
        raise DataSourceError("is not UTF-8 text", file=path, hint="save it as UTF-8") from None
    except OSError as exc:
        raise DataSourceError(f"cannot be read ({exc.strerror})", file=path) from None


def parse_toml(text: str, origin: str) -> dict[str, Any]:
    """The TOML document ``text`` (read from ``origin``); a ``SchemaError`` naming the line if invalid."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        hint = "check quotes, brackets and dates (dates are written 2024-01-31)"
        raise toml_error(exc, origin, hint=hint) from None
    except RecursionError:
        raise SchemaError("not valid TOML: nested too deeply", file=origin) from None


def field_path(loc: Sequence[int | str], data: Mapping[str, Any], labels: Sequence[str] = LABEL_KEYS) -> str:
    """``('group', 1, 'member', 2, 'iso3')`` -> ``group quad > member IND > iso3`` (``#n`` if unnamed).

    No square brackets, so that the text reads the same wherever it is printed.
    """
    parts: list[str] = []
    node: Any = data
    i = 0
    while i < len(loc):
        key = loc[i]
        nxt = loc[i + 1] if i + 1 < len(loc) else None
        if isinstance(nxt, int) and isinstance(node, Mapping) and isinstance(node.get(key), list):
            items = node[key]
            item = items[nxt] if nxt < len(items) else {}
            label = None
            if isinstance(item, Mapping):
                label = next((item[k] for k in labels if isinstance(item.get(k), str) and item[k]), None)
            parts.append(f"{key} {label}" if label else f"{key} #{nxt + 1}")
            node = item
            i += 2
            continue
        if isinstance(key, int):
            parts.append(f"#{key + 1}")
            node = node[key] if isinstance(node, list) and key < len(node) else None
        else:
            parts.append(str(key))
            node = node.get(key) if isinstance(node, Mapping) else None
        i += 1
    return " > ".join(parts) if parts else "file"


def _message(error: Mapping[str, Any]) -> str:
    text = str(error["msg"])
    for prefix in ("Value error, ", "Assertion failed, "):
        text = text.removeprefix(prefix)
    return text


def schema_error(
    exc: ValidationError,
    data: Mapping[str, Any],
    origin: str,
    *,
    hint: str = "",
    labels: Sequence[str] = LABEL_KEYS,
) -> SchemaError:
    """One ``SchemaError`` for a pydantic error: the first problem, then up to three more."""
    errors = exc.errors()
    first = field_path(tuple(errors[0]["loc"]), data, labels)
    others = [f"{field_path(tuple(e['loc']), data, labels)}: {_message(e)}" for e in errors[1:4]]
    more = f"; also {'; '.join(others)}" if others else ""
    if len(errors) > 4:
        more += f" (and {len(errors) - 4} more)"
    return SchemaError(f"{_message(errors[0])}{more}", file=origin, field=first, hint=hint)


def install_atomically(data: bytes, target: Path) -> None:
    """Write ``data`` to ``target`` through a temporary file in the same folder, flushed to disk
    and renamed over it: ``target`` is either the old or the new file, never a cut one. The
    temporary file is removed when anything fails (a full disk, an interrupt)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        tmp.unlink(missing_ok=True)
        clean = cannot_write(target, exc, changed="nothing was changed") if isinstance(exc, OSError) else None
        if clean is not None:
            raise clean from None
        raise
