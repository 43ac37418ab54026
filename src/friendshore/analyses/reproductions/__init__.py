"""The published reproductions: each recomputes a figure a publication printed (or a consistency
check of our data) and sets it beside the printed value.

They compute (build temporary warehouses, call metrics and models), so they live on the analysis
floor. ``registry`` holds the table of reproductions, ``compare`` the published figures and the
comparison; one module per family (``baci``, ``chips``, ``gravity``, ``partners``, ``risk``,
``shocks``) holds the functions, imported only when a reproduction runs; ``published/<name>.csv``
holds the printed figures as data.
"""

from __future__ import annotations

from friendshore.analyses.reproductions.compare import Check, Published, compare, published_values
from friendshore.analyses.reproductions.registry import REPRODUCTIONS, Entry, reproduction, run_reproduction

__all__ = [
    "REPRODUCTIONS",
    "Check",
    "Entry",
    "Published",
    "compare",
    "published_values",
    "reproduction",
    "run_reproduction",
]
