"""Parameter documentation of an analysis, read from its docstring: the one place it is written.

An analysis documents its keyword parameters in a numpydoc ``Parameters`` section::

    Parameters
    ----------
    importer
        ISO3 code or group (e.g. USA, pax-silica).

The CLI (option help) and the API (query parameter descriptions) both read it from here, so the
API never needs the CLI to describe a parameter. ``defaults_of`` reads the defaults likewise, from
the signature: a default is declared once, in the analysis. A text several analyses share is declared
once in a table (``COMMON`` here, or a module's own) and written into each docstring by
``documented``: the entry stands there as a bare name and the docstring, once decorated, holds it in full.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable, Mapping
from typing import Any, TypeVar

__all__ = ["COMMON", "defaults_of", "documented", "parameter_docs"]

F = TypeVar("F", bound=Callable[..., Any])

# Parameter texts several analyses share, word for word.
COMMON: Mapping[str, str] = {
    "members_at": "Resolve groups at this date (default: the end of the year).",
    "stage": "Stage: ore, refined, component, equipment, final.",
    "release": "Read trade of this BACI release only, e.g. V202501 (default: the newest per year).",
    "analysis_year": "Analysis year (default: the latest loaded).",
    "trade_year": "Trade year (default: the latest loaded).",
}

_HEADER = re.compile(r"^(\w[\w ]*)\n-{3,}$", re.MULTILINE)
_NAME = re.compile(r"^(\w+)(\s*:.*)?$")


@functools.cache
def parameter_docs(analysis: Callable[..., Any]) -> dict[str, str]:
    """``{parameter: text}`` from the ``Parameters`` section of ``analysis``'s docstring.

    Each entry is a line holding the name (optionally ``name : type``) followed by its text indented
    below it; the text's lines are joined by spaces. An analysis without the section gives ``{}``.
    """
    doc = inspect.getdoc(analysis) or ""
    headers = list(_HEADER.finditer(doc))
    section = ""
    for i, header in enumerate(headers):
        if header.group(1).strip() == "Parameters":
            end = headers[i + 1].start() if i + 1 < len(headers) else len(doc)
            section = doc[header.end() : end]
            break
    out: dict[str, str] = {}
    name: str | None = None
    for line in section.splitlines():
        if not line.strip():
            continue
        if not line.startswith((" ", "\t")):
            match = _NAME.match(line.strip())
            name = match.group(1) if match else None
            if name is not None:
                out[name] = ""
        elif name is not None:
            out[name] = f"{out[name]} {line.strip()}".strip()
    return out


def documented(texts: Mapping[str, str] = COMMON, **aliases: str) -> Callable[[F], F]:
    """Complete the ``Parameters`` entries of an analysis's docstring written as a bare name.

    A bare entry ``name`` takes ``texts[aliases.get(name, name)]`` (an alias lets a parameter take a
    text filed under another key, e.g. ``year="trade_year"``). A bare entry with no text is an error
    when the module is imported, not a silent gap in the CLI's help.
    """

    def decorate(analysis: F) -> F:
        lines = (analysis.__doc__ or "").split("\n")
        out: list[str] = []
        inside, indent = False, ""
        for i, line in enumerate(lines):
            out.append(line)
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if re.fullmatch(r"\s*-{3,}\s*", nxt):
                inside = line.strip() == "Parameters"
                indent = line[: len(line) - len(line.lstrip())]
                continue
            bare = line.strip()
            if not inside or line != indent + bare or not re.fullmatch(r"\w+", bare):
                continue
            if nxt.startswith(indent + " ") and nxt.strip():
                continue
            key = aliases.get(bare, bare)
            if key not in texts:
                raise KeyError(f"{analysis.__qualname__}: no shared text for parameter '{bare}'")
            out.append(f"{indent}    {texts[key]}")
        analysis.__doc__ = "\n".join(out)
        return analysis

    return decorate


def defaults_of(analysis: Callable[..., Any]) -> dict[str, Any]:
    """The defaults of an analysis's keyword parameters: the one place a CLI option or an API
    query parameter reads them."""
    return {
        name: p.default
        for name, p in inspect.signature(analysis).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
