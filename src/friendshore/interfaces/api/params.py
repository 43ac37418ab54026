"""Query parameters read off an analysis's signature: names, types, defaults, converters.

An analysis is ``fn(settings, *, name: type = default, ...) -> Result``. Each keyword parameter
becomes one query parameter of the same name (or the CLI's option name where it differs), typed
from its annotation, with the analysis's default: defaults are never written twice. Supported
annotations: ``str``, ``int``, ``float``, ``bool``, ``date``, ``Literal[...]``, any of those
``| None``, ``Sequence[str]`` or ``Sequence[Literal[...]]`` (repeat the parameter or separate
values by commas) and ``Mapping[str, float]`` (``K=V,K=V``). A ``Path`` parameter needs an explicit
rule in its endpoint (a confined file or a request body): the API never takes a server path.
"""

from __future__ import annotations

import collections.abc
import inspect
import re
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from fastapi import Path as PathParam
from fastapi import Query

from friendshore.errors import UserError

__all__ = ["MAX_TEXT", "Kind", "Param", "analysis_params", "classify"]

#: The longest text a query parameter takes (codes, names, formulas are far shorter).
MAX_TEXT = 200
#: Text parameters hold no control characters (a NUL byte breaks the engines' SQL text).
TEXT_PATTERN = r"^[^\x00-\x1f\x7f]*$"
#: Integers are bounded to what the engines store (int64); the analyses check their own ranges.
_INT_MIN, _INT_MAX = -(2**63), 2**63 - 1

Kind = Literal["str", "int", "float", "bool", "date", "choice", "list", "mapping", "path"]


@dataclass(frozen=True)
class Param:
    """One query (or path) parameter of an endpoint, and how it maps to the analysis keyword."""

    name: str  # the analysis's keyword
    query: str  # the name in the URL
    kind: Kind
    default: Any  # the analysis's default (inspect.Parameter.empty: required)
    optional: bool = False  # the annotation admits None
    choices: tuple[str, ...] = ()
    description: str = ""
    in_path: bool = False

    @property
    def required(self) -> bool:
        return self.default is inspect.Parameter.empty

    def annotation(self) -> Any:
        """The FastAPI annotation: type, location, alias, bounds and description."""
        base: Any
        extra: dict[str, Any] = {}
        if self.kind == "str":
            base, extra = str, {"max_length": MAX_TEXT, "pattern": TEXT_PATTERN}
        elif self.kind == "int":
            base, extra = int, {"ge": _INT_MIN, "le": _INT_MAX}
        elif self.kind == "float":
            base, extra = float, {"allow_inf_nan": False}
        elif self.kind == "bool":
            base = bool
        elif self.kind == "date":
            base = date
        elif self.kind == "choice":
            base = Literal[self.choices]
        elif self.kind == "list":
            item: Any = Literal[self.choices] if self.choices else str
            base, extra = list[item], {"max_length": 100}
        elif self.kind in ("mapping", "path"):
            base, extra = str, {"max_length": MAX_TEXT, "pattern": TEXT_PATTERN}
        else:  # pragma: no cover - Kind is closed
            raise AssertionError(self.kind)
        text = self.description
        shown = self.shown_default()
        if shown is not None and not self.in_path:
            text = f"{text} (default: {shown})" if text else f"default: {shown}"
        if self.in_path:
            return Annotated[base, PathParam(description=text or None, **extra)]
        if self.optional or not self.required or self.kind == "list":
            base = base | None
        return Annotated[base, Query(alias=self.query, description=text or None, **extra)]

    def query_default(self) -> Any:
        """What FastAPI fills in when the parameter is absent (the analysis default where it is
        plain JSON; ``None`` otherwise, and ``convert`` substitutes the analysis default)."""
        if self.required:
            return inspect.Parameter.empty
        if self.kind in ("list", "mapping", "path") or isinstance(self.default, tuple | list | Mapping):
            return None
        return self.default

    def shown_default(self) -> str | None:
        if self.required or self.default is None:
            return None
        if isinstance(self.default, tuple | list):
            return ",".join(map(str, self.default)) or None
        if isinstance(self.default, bool):
            return "true" if self.default else "false"
        return str(self.default)

    def convert(self, value: Any) -> Any:
        """The query value as the analysis takes it."""
        if value is None:
            return None if self.required else self.default
        if self.kind == "list":
            if any(re.search(r"[\x00-\x1f\x7f]", str(text)) or len(str(text)) > MAX_TEXT for text in value):
                raise UserError(
                    f"{self.query}: values hold at most {MAX_TEXT} characters and no control characters"
                )
            items = [part.strip() for text in value for part in str(text).split(",") if part.strip()]
            if self.choices:
                bad = [i for i in items if i not in self.choices]
                if bad:
                    raise UserError(f"{self.query}: {', '.join(bad)} is not one of {', '.join(self.choices)}")
            return tuple(items) if items else self.default
        if self.kind == "mapping":
            from friendshore.analyses.supply_risk import parse_assignments

            return parse_assignments([value], what="KEY", option=self.query) or self.default
        return value


# The plain types a query parameter may have, and their kind.
_SCALARS: tuple[tuple[type, Kind], ...] = (
    (bool, "bool"),
    (int, "int"),
    (float, "float"),
    (str, "str"),
    (date, "date"),
    (Path, "path"),
)


def _union_args(tp: Any) -> tuple[Any, ...] | None:
    if get_origin(tp) in (Union, types.UnionType):
        return get_args(tp)
    return None


def classify(tp: Any) -> tuple[Kind, tuple[str, ...], bool]:
    """``(kind, choices, optional)`` of an annotation; ``TypeError`` for one the API cannot take."""
    optional = False
    args = _union_args(tp)
    if args is not None:
        rest = [a for a in args if a is not type(None)]
        optional = len(rest) < len(args)
        if len(rest) != 1:
            raise TypeError(f"cannot offer {tp!r} as one query parameter")
        tp = rest[0]
    origin = get_origin(tp)
    scalar = next((kind for t, kind in _SCALARS if tp is t), None)
    if scalar is not None:
        return scalar, (), optional
    if origin is Literal:
        return "choice", tuple(str(a) for a in get_args(tp)), optional
    if origin in (collections.abc.Sequence, list, tuple):
        (item, *more) = get_args(tp) or (str,)
        if more and more != [Ellipsis]:
            raise TypeError(f"cannot offer the fixed tuple {tp!r} as a query parameter")
        if item is str:
            return "list", (), optional
        if get_origin(item) is Literal:
            return "list", tuple(str(a) for a in get_args(item)), optional
    if origin in (collections.abc.Mapping, dict) and get_args(tp) == (str, float):
        return "mapping", (), optional
    raise TypeError(f"cannot offer {tp!r} as a query parameter")


def analysis_params(
    analysis: Callable[..., Any],
    *,
    names: Mapping[str, str],
    types_: Mapping[str, Any],
    hidden: frozenset[str],
    path_params: frozenset[str],
    descriptions: Mapping[str, str],
) -> list[Param]:
    """The parameters of ``analysis`` (all but ``settings``) as ``Param``s, in signature order."""
    hints = typing.get_type_hints(analysis)
    out = []
    for name, p in inspect.signature(analysis).parameters.items():
        if name == "settings" or name in hidden:
            continue
        if p.kind is not inspect.Parameter.KEYWORD_ONLY:
            raise TypeError(f"{analysis.__qualname__}: parameter '{name}' must be keyword-only")
        tp = types_.get(name, hints[name])
        kind, choices, optional = classify(tp)
        query = names.get(name, name)
        out.append(
            Param(
                name=name,
                query=query,
                kind=kind,
                default=p.default,
                optional=optional,
                choices=choices,
                description=descriptions.get(name) or descriptions.get(query, ""),
                in_path=name in path_params,
            )
        )
    return out
