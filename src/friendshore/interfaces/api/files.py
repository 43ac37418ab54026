"""Files over the web: request bodies and shipped examples, never a path on the server.

A scenario (or group file) arrives as the request body and is saved to a private temporary
folder; the analysis reads it from there. What a scenario may name in turn is confined: its
``[data] path`` must be ``{sample_data}/...`` and resolve (symbolic links followed) to a file
inside the sample-data folder, and a model formula may hold only column names and the formula
operators (no calls, quotes or attributes: formula terms are evaluated as Python by the formula
library). A ``data`` parameter of an endpoint is a path relative to the sample-data folder, with
the same confinement. Shipped examples are named by their file stem (``us_china_tariff``).
"""

from __future__ import annotations

import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

from friendshore.errors import SchemaError, UnknownCodeError, UserError
from friendshore.models import examples
from friendshore.sources.user_files import toml_error

__all__ = [
    "check_formula",
    "example_names",
    "example_text",
    "sample_file",
    "save_body",
]

#: The shipped examples (``friendshore.models.examples``) each body kind may name: gravity scenarios
#: and multi-sector (shock) scenarios.
EXAMPLE_KINDS: dict[str, examples.ExampleKind] = {"scenario": "gravity", "shocks": "shocks"}

_FORMULA = re.compile(r"^[A-Za-z0-9_\s~+|^:*\-]*$")
_FILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
_PREFIX = "{sample_data}/"


def example_names(kind: str = "scenario") -> list[str]:
    return examples.example_names(EXAMPLE_KINDS[kind])


def example_text(name: str, kind: str | None = None) -> str:
    """The TOML of a shipped example (of ``kind``, or of any kind); ``UnknownCodeError`` otherwise."""
    kinds = [kind] if kind is not None else list(EXAMPLE_KINDS)
    for each in kinds:
        if name in example_names(each):
            return examples.example_text(EXAMPLE_KINDS[each], name)
    known = [n for each in kinds for n in example_names(each)]
    raise UnknownCodeError(f"no example scenario '{name}' (examples: {', '.join(known) or 'none installed'})")


def check_formula(formula: str, *, field: str) -> None:
    """A formula of column names and ``~ + | ^ : * -`` only."""
    if len(formula) > 500 or not _FORMULA.match(formula):
        raise SchemaError(
            "a formula over the API may hold only column names, numbers, spaces and ~ + | ^ : * - "
            "(e.g. 'trade ~ ln_dist + cntg | exporter + importer')",
            field=field,
        )


def sample_file(relative: str, sample_data: Path, *, field: str) -> Path:
    """``relative`` as a file inside the sample-data folder, or a ``SchemaError``."""
    root = Path(sample_data).resolve()
    text = relative.strip()
    bad = (
        not text
        or text.startswith(("/", "~", "\\"))
        or "\x00" in text
        or "{" in text
        or any(part == ".." for part in re.split(r"[\\/]", text))
    )
    if not bad:
        path = (root / text).resolve()
        if path.is_relative_to(root) and path.is_file():
            return path
    raise SchemaError(
        f"'{relative}' is not a file of the sample data: give a path inside it, "
        "e.g. yotov_agtpa/1_TradeWithoutBorder.dta",
        field=field,
    )


def _parse_toml(text: str, name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise toml_error(exc, name) from None
    except RecursionError:
        raise SchemaError("the TOML is nested too deeply", file=name) from None


def _check_scenario(raw: dict[str, Any], sample_data: Path) -> None:
    data = raw.get("data")
    if isinstance(data, dict) and isinstance(data.get("path"), str):
        path = data["path"]
        if not path.startswith(_PREFIX) or path.count("{sample_data}") != 1:
            raise SchemaError(
                "over the API the data must come from the sample data: write the path as "
                "'{sample_data}/yotov_agtpa/1_TradeWithoutBorder.dta'",
                file="scenario.toml",
                field="data.path",
            )
        sample_file(path.removeprefix(_PREFIX), sample_data, field="data.path")
    estimate = raw.get("estimate")
    if isinstance(estimate, dict):
        if isinstance(estimate.get("formula"), str):
            check_formula(estimate["formula"], field="estimate.formula")
        cluster = estimate.get("cluster")
        if isinstance(cluster, str) and not re.match(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$", cluster):
            raise SchemaError("a cluster is one column name", field="estimate.cluster")


def save_body(
    body: bytes, *, kind: str, name: str, sample_data: Path
) -> tuple[Path, tempfile.TemporaryDirectory[str]]:
    """Check a request body and save it to a new private temporary folder as ``<name>.toml``.

    The caller keeps the returned ``TemporaryDirectory`` alive while the analysis reads the file.
    """
    if not _FILE_NAME.match(name):
        raise UserError(
            f"'{name}' is not a file name: use letters, digits, '-' and '_' (at most 64), e.g. my-groups"
        )
    file_name = f"{name}.toml"
    if not body.strip():
        raise UserError(f"the request body is empty: send the {kind} file (TOML) as the body")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise SchemaError("the body is not UTF-8 text", file=file_name) from None
    if "\x00" in text:
        raise SchemaError("the body holds a NUL character", file=file_name)
    raw = _parse_toml(text, file_name)
    if kind == "scenario":
        _check_scenario(raw, sample_data)
    if kind == "shocks":
        baseline = raw.get("baseline")
        if isinstance(baseline, dict) and (baseline.get("source") == "kite-files" or "path" in baseline):
            raise SchemaError(
                'over the API a baseline comes from the warehouse (source = "wiod-kite") or the '
                'shipped CP 2015 data (source = "cp2015"), never from a server folder',
                file=file_name,
                field="baseline.source",
            )
    folder = tempfile.TemporaryDirectory(prefix="friendshore-api-")
    path = Path(folder.name) / file_name
    path.write_text(text, encoding="utf-8")
    return path, folder
