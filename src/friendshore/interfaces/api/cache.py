"""Results cached per warehouse version; ETags from the same key.

An analysis's answer depends on its parameters and on what the warehouse holds: the manifest
(``warehouse/store.py``: a load swaps ``manifest.json`` atomically; its sha256 names the DuckDB
cache too), the user's group files (``<home>/groups/*.toml``, which change who a group is), the
date (defaults such as "members today") and friendshore's version. ``warehouse_version`` digests
all four, so a new load, a new group file or a new day gives new keys: nothing stale is served and
nothing needs to be invalidated by hand. Analyses are deterministic (seeded Monte Carlo), so the
ETag is computed from the request alone and a matching ``If-None-Match`` is answered with 304
before any work.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from collections import OrderedDict
from datetime import date
from pathlib import Path
from typing import Any

from friendshore import __version__
from friendshore.analyses.result import Result, json_safe

__all__ = ["PageCache", "ResultCache", "etag_matches", "request_key", "warehouse_version"]

_MANIFEST = "manifest.json"  # warehouse/store.py's MANIFEST


def _stat_key(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns)


class _ManifestDigest:
    """sha256 of ``manifest.json``, re-read only when the file changed (a load replaces it)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[Path, tuple[tuple[int, int, int] | None, str]] = {}

    def __call__(self, home: Path) -> str:
        path = home / _MANIFEST
        stat = _stat_key(path)
        with self._lock:
            seen = self._seen.get(path)
            if seen is not None and seen[0] == stat and stat is not None:
                return seen[1]
        try:
            digest = hashlib.sha256(path.read_bytes()).hexdigest()
        except OSError:
            digest = "empty"
        with self._lock:
            self._seen[path] = (stat, digest)
        return digest


_manifest_digest = _ManifestDigest()


def warehouse_version(home: Path) -> str:
    """A short digest of everything an answer depends on besides its parameters."""
    parts = [__version__, date.today().isoformat(), _manifest_digest(Path(home))]
    for folder in ("groups", "register"):  # the user's own group and register files
        try:
            entries = sorted(os.scandir(Path(home) / folder), key=lambda e: e.name)
        except OSError:
            entries = []
        for entry in entries:
            if entry.name.endswith(".toml"):
                st = entry.stat()
                parts.append(f"{folder}/{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


def request_key(version: str, path: str, arguments: dict[str, Any], body: bytes = b"") -> str:
    """The cache key of one analysis call (its canonical arguments, the body's digest)."""
    canonical = json.dumps(json_safe(arguments), sort_keys=True, default=str, separators=(",", ":"))
    digest = hashlib.sha256(body).hexdigest() if body else ""
    text = f"{version}\n{path}\n{canonical}\n{digest}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


class ResultCache:
    """A small thread-safe LRU of ``Result``s."""

    def __init__(self, size: int = 128) -> None:
        self.size = size
        self._lock = threading.Lock()
        self._items: OrderedDict[str, Result] = OrderedDict()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> Result | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return item

    def put(self, key: str, result: Result) -> None:
        if self.size <= 0:
            return
        with self._lock:
            self._items[key] = result
            self._items.move_to_end(key)
            while len(self._items) > self.size:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


class PageCache:
    """Rendered pages (body, media type, headers) by ETag: a repeated request skips the rendering.

    Bounded by entries and by bytes (pages over a tenth of the budget are not kept)."""

    def __init__(self, size: int = 256, budget: int = 64 << 20) -> None:
        self.size = size
        self.budget = budget
        self._bytes = 0
        self._lock = threading.Lock()
        self._items: OrderedDict[str, tuple[bytes, str, dict[str, str]]] = OrderedDict()

    def get(self, etag: str) -> tuple[bytes, str, dict[str, str]] | None:
        with self._lock:
            item = self._items.get(etag)
            if item is not None:
                self._items.move_to_end(etag)
            return item

    def put(self, etag: str, page: tuple[bytes, str, dict[str, str]]) -> None:
        if self.size <= 0 or len(page[0]) > self.budget // 10:
            return
        with self._lock:
            if etag in self._items:
                return
            self._items[etag] = page
            self._bytes += len(page[0])
            while len(self._items) > self.size or self._bytes > self.budget:
                _, old = self._items.popitem(last=False)
                self._bytes -= len(old[0])


def etag_matches(if_none_match: str, etag: str) -> bool:
    """Whether an ``If-None-Match`` header names ``etag`` (weak tags compare equal, RFC 9110)."""
    return etag in {tag.strip().removeprefix("W/") for tag in if_none_match.split(",") if tag.strip()}
