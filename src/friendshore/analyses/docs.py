"""Parameter documentation of an analysis, read from its docstring: the one place it is written.

An analysis documents its keyword parameters in a numpydoc ``Parameters`` section::

    Parameters
    ----------
    importer
        ISO3 code or group (e.g. USA, pax-silica).

The CLI (option help) and the API (query parameter descriptions) both read it from here, so the
API never needs the CLI to describe a parameter. ``defaults_of`` reads the defaults likewise, from
the signature: a default is declared once, in the analysis.
"""

from __future__ import annotations

import functools
import inspect
import re
from collections.abc import Callable
from typing import Any

__all__ = ["defaults_of", "parameter_docs"]

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


def defaults_of(analysis: Callable[..., Any]) -> dict[str, Any]:
    """The defaults of an analysis's keyword parameters: the one place a CLI option or an API
    query parameter reads them."""
    return {
        name: p.default
        for name, p in inspect.signature(analysis).parameters.items()
        if p.default is not inspect.Parameter.empty
    }
