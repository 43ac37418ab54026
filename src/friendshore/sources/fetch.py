"""Download the real sources from their publishers into a local cache (``fetch_*``).

``fetch(name, cache=...)`` downloads source ``name`` (the same names as ``friendshore ingest``)
with pooch and returns the local paths, ready for the ingest loaders. ``DOWNLOADS``
(``friendshore.sources.downloads``) says, per source, where the publisher serves the file(s), the
file's sha256 where it is fixed, and the source's catalogue id (publisher, licence, citation:
``friendshore.sources.catalogue``); ``friendshore.sources.download`` downloads one file. Where no
hash is known, the hash of what came is logged so that a user can pin it.

The cache keeps one folder per source and release: ``<cache>/<source>/<release>/<file>``. A file
already in the cache is not downloaded again (a pinned hash is checked each time; a file that
fails it is downloaded again). Sources whose URL always serves the publisher's newest file
(``pinned=False``: WDI, WGI, ...) are cached under ``latest`` until ``refresh=True``.

Mirrors and tests: ``base_url`` (or the environment variable below) replaces each publisher's
``prefix`` (scheme, host and leading path, see ``Download.prefix``); the rest of the URL, usually
the file name, is kept. A mirror therefore holds each file under the same relative path.

| variable | meaning | default |
|---|---|---|
| ``FRIENDSHORE_FETCH_BASE_URL`` | a mirror URL that replaces every publisher's prefix | unset: the publishers |

Network failures, HTTP errors and hash mismatches raise ``DataSourceError`` naming the URL or
file and saying how to get the file by hand (then load it with ``friendshore ingest``).
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Mapping
from pathlib import Path

from friendshore.console import progress
from friendshore.errors import DataSourceError, SettingsError, UserError, unknown
from friendshore.sources.download import DEFAULT_TIMEOUT_S, fetch_file, mirror_url, unpack
from friendshore.sources.downloads import DOWNLOADS, Download

__all__ = ["DOWNLOADS", "FETCH_BASE_URL_ENV", "fetch", "fetch_file"]

#: Environment variable naming a mirror that replaces every publisher's URL prefix.
FETCH_BASE_URL_ENV = "FRIENDSHORE_FETCH_BASE_URL"


def _base_url(base_url: str | None) -> str | None:
    env = os.environ.get(FETCH_BASE_URL_ENV, "").strip()
    chosen = base_url or env or None
    if chosen is not None and not re.match(r"^https?://", chosen):
        where = "--base-url" if base_url else FETCH_BASE_URL_ENV
        error = UserError if base_url else SettingsError
        raise error(f"{where} '{chosen}' must be an http:// or https:// URL")
    return chosen


def _folder_label(download: Download, options: Mapping[str, str]) -> str:
    if not options:
        return download.version
    label = "_".join(options[k] for k in sorted(options, key=lambda k: (k != "hs", k)))
    return re.sub(r"[^A-Za-z0-9._-]+", "", label) or download.version


def fetch(
    name: str,
    *,
    cache: Path,
    base_url: str | None = None,
    refresh: bool = False,
    timeout: float = DEFAULT_TIMEOUT_S,
    **options: str,
) -> list[Path]:
    """Download source ``name`` into ``cache`` (or take it from there); return the local paths.

    ``options`` are the source's own (``release=``, ``hs=`` for BACI; see ``DOWNLOADS[name].options``).
    ``base_url`` (default: ``FRIENDSHORE_FETCH_BASE_URL``) replaces the publisher's URL prefix.
    ``refresh`` downloads again even when the cache has the file. ``timeout`` bounds each
    connection and each wait for data, in seconds.
    """
    try:
        download = DOWNLOADS[name]
    except KeyError:
        raise unknown("source", name, sorted(DOWNLOADS)) from None
    if not (isinstance(timeout, int | float) and math.isfinite(timeout) and timeout > 0):
        raise UserError(f"--timeout must be a number of seconds above 0, got {timeout!r}")
    command = "friendshore ingest baci FILE" if name == "baci" else f"friendshore ingest {name} PATH"
    if download.manual:
        raise DataSourceError(
            f"'{name}' has no stable download URL: {download.manual}",
            file=download.catalogued.landing_page,
            hint=f"then run '{command}'",
        )
    settled = download.settle(options)
    mirror = _base_url(base_url)
    if download.resolve is not None:
        label, files = download.resolve(download, settled, mirror, timeout)
    else:
        label, files = _folder_label(download, settled), download.files
    folder = Path(cache) / name / label
    paths: list[Path] = []
    with progress() as bar:
        for remote in files:
            url = mirror_url(download.prefix + remote.path.format(**settled), download.prefix, mirror)
            file_name = remote.name.format(**settled)
            cached = (folder / file_name).exists()
            path = fetch_file(
                url,
                folder=folder,
                name=file_name,
                sha256=remote.sha256,
                timeout=timeout,
                refresh=refresh,
                bar=bar,
                by_hand=f"run '{command}'",
            )
            if remote.member is not None:
                path = unpack(path, remote.member, fresh=refresh or not cached)
            paths.append(path)
    return paths
