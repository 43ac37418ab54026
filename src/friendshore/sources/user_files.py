"""Files a user hands in (scenario TOML, their own bilateral data): read them defensively.

Every refusal is a ``DataSourceError``/``SchemaError`` naming the file (and the field or line),
which the command line turns into one line and exit code 2:

* ``require_size`` -- a file beyond a documented size is refused before it is read (a 2 GB file
  given as gravity data would otherwise be read into memory until the process is killed);
* ``read_toml`` -- UTF-8 text, at most ``MAX_TOML_BYTES``, valid TOML, not nested deeper than
  Python can parse (``tomllib`` recurses: a deeply nested file raises ``RecursionError``);
* ``toml_error`` and ``validation_error`` -- a TOML syntax error, and the first problem pydantic
  finds in a user's file, as a ``SchemaError`` naming the file, line or field;
* ``resolve_user_path`` -- a path written in a scenario file: absolute, or relative to the
  scenario's folder without leaving it, or ``{sample_data}/...`` inside the sample-data folder.
  ``..`` that climbs out of those folders (path traversal) is refused.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Collection
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import require_nonempty

if TYPE_CHECKING:
    from pydantic import BaseModel, ValidationError

    M = TypeVar("M", bound=BaseModel)

__all__ = [
    "MAX_DATA_BYTES",
    "MAX_TOML_BYTES",
    "read_toml",
    "read_toml_model",
    "require_size",
    "resolve_user_path",
    "toml_error",
    "validation_error",
]

#: Largest scenario/settings TOML file accepted (real ones are a few kilobytes).
MAX_TOML_BYTES = 1 * 2**20
#: Largest bilateral data file the models read into memory (the guide's largest is 3.7 MB; a
#: 200-country panel of 30 years is about 100 MB as CSV). Aggregate to country pairs first.
MAX_DATA_BYTES = 512 * 2**20


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB" if size >= 2**20 else f"{size:,} bytes"


def require_size(path: Path, max_bytes: int, *, what: str = "file") -> None:
    """Refuse ``path`` when it is not a regular file or is larger than ``max_bytes``."""
    path = Path(path)
    if not path.exists():
        raise DataSourceError("not found", file=path)
    if not path.is_file():
        raise DataSourceError(f"not a regular file (a {what} must be one)", file=path)
    size = path.stat().st_size
    if size > max_bytes:
        raise DataSourceError(
            f"{_mib(size)} is larger than the {_mib(max_bytes)} a {what} may be",
            file=path,
            hint="aggregate the data first (e.g. to country pairs and years) or split it",
        )


def read_toml(path: Path, *, max_bytes: int = MAX_TOML_BYTES) -> dict[str, Any]:
    """Parse a TOML file; every failure names the file (and the line where TOML says)."""
    path = Path(path)
    require_size(path, max_bytes, what="TOML file")
    require_nonempty(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise DataSourceError(f"not UTF-8 text ({exc})", file=path) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, path) from None
    except RecursionError:
        raise SchemaError(
            "nested too deeply to be a scenario (arrays or tables within each other hundreds of times)",
            file=path,
        ) from None


def read_toml_model(path: Path, model: type[M], *, hint: str) -> M:
    """A TOML file read (``read_toml``) and validated as ``model``; the first problem pydantic finds
    is a ``SchemaError`` naming the field, with ``hint`` (where the format is described)."""
    from pydantic import ValidationError

    path = Path(path)
    raw = read_toml(path)
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise validation_error(exc, path, hint=hint) from None


def toml_error(exc: tomllib.TOMLDecodeError, file: str | Path | None, *, hint: str = "") -> SchemaError:
    """A TOML syntax error as a ``SchemaError`` naming the file and the line TOML gives."""
    found = re.search(r"\(at line (\d+), column \d+\)", str(exc))
    line = int(found.group(1)) if found else None
    return SchemaError(f"not valid TOML: {exc}", file=file, line=line, hint=hint)


def validation_error(
    exc: ValidationError, file: str | Path | None, *, hint: str, drop: Collection[str] | None = None
) -> SchemaError:
    """The first problem of a pydantic error as a ``SchemaError`` naming the file and the field.

    With ``drop``, the field's path leaves out pydantic's validator wrappers (``function-...``) and
    the parts in ``drop`` (the type names pydantic adds for a union)."""
    first = exc.errors()[0]
    loc = [str(p) for p in first["loc"]]
    if drop is not None:
        loc = [p for p in loc if not p.startswith("function-") and p not in drop]
    message = str(first["msg"]).removeprefix("Value error, ")
    return SchemaError(
        message, file=file, field=".".join(loc) or None, hint=f"{exc.error_count()} problem(s); {hint}"
    )


def resolve_user_path(
    text: str, *, base: Path, sample_data: Path | None, file: Path | None = None, field: str = "path"
) -> Path:
    """Resolve a path written in a user file (see the module docstring for the rules)."""
    if not isinstance(text, str) or not text.strip():
        raise SchemaError("the path is empty", file=file, field=field)
    if "\x00" in text:
        raise SchemaError("the path holds a NUL character", file=file, field=field)
    if text.startswith("{sample_data}"):
        if sample_data is None:
            raise SchemaError(
                "the path uses {sample_data} but no sample-data folder is set", file=file, field=field
            )
        rest = text[len("{sample_data}") :].lstrip("/\\")
        return _inside(sample_data, rest, text, "sample-data folder", "remove the '..' parts", file, field)
    if "{sample_data}" in text:
        raise SchemaError("{sample_data} may only begin a path", file=file, field=field)
    path = Path(text).expanduser()
    if path.is_absolute():
        return path.resolve()
    hint = "give an absolute path, a path inside the scenario's folder, or {sample_data}/..."
    return _inside(base, path, text, "scenario's folder", hint, file, field)


def _inside(
    folder: Path, rest: str | Path, text: str, name: str, hint: str, file: Path | None, field: str
) -> Path:
    """``folder / rest`` resolved, which must stay inside ``folder`` (the folder's ``name`` in the error)."""
    root = Path(folder).resolve()
    resolved = (root / rest).resolve()
    if not resolved.is_relative_to(root):
        raise SchemaError(f"'{text}' leaves the {name}", file=file, field=field, hint=hint)
    return resolved
