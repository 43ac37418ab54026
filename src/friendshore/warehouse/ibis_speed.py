"""Two places where Ibis repeats work it has already done, each answered from a memory instead.
Both give the same answers as Ibis (``tests/test_ibis_speed.py`` compares them): only the time
changes. Installed once per process by ``warehouse.connect``, before the first query.

- The DuckDB type names of a table's columns are parsed with sqlglot each time a table is opened
  (about 7 ms a column, a third of a small analysis's CPU). The names are few and their Ibis types
  immutable, so each is parsed once per process.
- Before it writes SQL, Ibis merges each SELECT into the one around it where the merged query is no
  more complex (``merge_select_select``). It scores each candidate by walking the whole expression
  below it again (``complexity``), so a large expression is walked once per SELECT in it: a tenth
  of an analysis's time. The score of a node depends only on the node (Ibis nodes are immutable),
  so each node's score is kept, while the node lives, and the walk stops at nodes already scored.
"""

from __future__ import annotations

import sys
import weakref
from typing import Any

__all__ = ["complexity", "speed_up_ibis"]


_installed = False


def speed_up_ibis() -> None:
    """Install both memories (once per process; calling again changes nothing)."""
    global _installed
    if _installed:
        return
    _installed = True
    _remember_type_strings()
    _remember_complexity()


def _remember_type_strings() -> None:
    from ibis.backends.sql.datatypes import DuckDBType

    parse = DuckDBType.from_string.__func__
    known: dict[tuple[type, str, bool | None], Any] = {}

    def from_string(cls: type[DuckDBType], text: str, nullable: bool | None = None) -> Any:
        key = (cls, text, nullable)
        if key not in known:
            known[key] = parse(cls, text, nullable)
        return known[key]

    from_string.remembered = True  # type: ignore[attr-defined]
    DuckDBType.from_string = classmethod(from_string)


#: each node's score, for as long as the node lives
_scores: weakref.WeakKeyDictionary[Any, int] = weakref.WeakKeyDictionary()


def complexity(node: Any) -> int:
    """Ibis's ``ibis.backends.sql.rewrites.complexity``, remembered: a Field scores 1 (the relation
    it reads is not counted), an impure function ``sys.maxsize``, any other node 1 plus the scores
    of its children (each time it names one)."""
    import ibis.expr.operations as ops

    scores = _scores
    stack = [node]
    while stack:
        top = stack[-1]
        if top in scores:
            stack.pop()
        elif isinstance(top, ops.Field):
            scores[top] = 1
            stack.pop()
        elif isinstance(top, ops.Impure):
            scores[top] = sys.maxsize
            stack.pop()
        else:
            children = top.__children__
            unscored = [c for c in children if c not in scores]
            if unscored:
                stack.extend(unscored)
            else:
                scores[top] = 1 + sum(scores[c] for c in children)
                stack.pop()
    return scores[node]


#: Ibis's own ``complexity`` as it was before ``speed_up_ibis`` (the tests compare with it)
ibis_complexity: Any = None


def _remember_complexity() -> None:
    global ibis_complexity
    from ibis.backends.sql import rewrites

    ibis_complexity = rewrites.complexity
    # merge_select_select reads the module's global 'complexity' when it runs
    rewrites.complexity = complexity
