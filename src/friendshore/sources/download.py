"""Downloading one file from a publisher (or a mirror) into a local cache, with pooch.

``fetch_file`` downloads a URL to ``folder/name`` unless it is already there, checks a pinned
sha256 and never leaves a partial or wrong file in the cache; ``unpack`` takes one member out of a
zip; ``get_json`` asks an API; ``mirror_url`` swaps a publisher's prefix for a mirror's. Network
failures, HTTP errors and hash mismatches raise ``DataSourceError`` naming the URL or file and
saying how to get the file by hand. The sources and their files: ``friendshore.sources.downloads``.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pooch
import requests
from rich.progress import Progress, TaskID

from friendshore import __version__
from friendshore.console import get_logger
from friendshore.errors import DataSourceError

__all__ = ["DEFAULT_TIMEOUT_S", "USER_AGENT", "fetch_file", "get_json", "mirror_url", "quiet_pooch", "unpack"]

log = get_logger(__name__)

USER_AGENT = f"friendshore/{__version__} (pooch)"
DEFAULT_TIMEOUT_S = 60.0
_CHUNK = 1 << 20


def mirror_url(url: str, prefix: str, base_url: str | None) -> str:
    """``url`` with the publisher's ``prefix`` replaced by ``base_url`` (unchanged without one)."""
    if not base_url:
        return url
    if not url.startswith(prefix):  # pragma: no cover - registry entries are built this way
        raise ValueError(f"{url} does not start with {prefix}")
    return base_url.rstrip("/") + "/" + url[len(prefix) :]


class _RichBar:
    """The progress-bar interface pooch's HTTPDownloader drives (total, update, reset, close)."""

    def __init__(self, bar: Progress, task: TaskID) -> None:
        self._bar, self._task = bar, task
        self._total = 0

    @property
    def total(self) -> int:
        return self._total

    @total.setter
    def total(self, value: int) -> None:
        self._total = value
        self._bar.update(self._task, total=value or None)

    def update(self, n: int) -> None:
        self._bar.advance(self._task, n)

    def reset(self) -> None:
        self._bar.reset(self._task, total=self._total or None)

    def close(self) -> None:
        self._bar.update(self._task, completed=self._total)


class _Downloader:
    """pooch downloader: HTTP(S) with a bounded timeout and our User-Agent; records what came."""

    def __init__(self, *, timeout: float, bar: _RichBar | None) -> None:
        self._http = pooch.HTTPDownloader(
            progressbar=bar or False,
            chunk_size=_CHUNK,
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        )
        self.sha256: str | None = None

    def __call__(self, url: str, output_file: str, pooch_: Any, check_only: bool = False) -> Any:
        result = self._http(url, output_file, pooch_, check_only=check_only)
        if not check_only:
            self.sha256 = pooch.file_hash(output_file, alg="sha256")
        return result


@contextmanager
def quiet_pooch() -> Iterator[None]:
    """pooch logs each download at INFO on its own handler; we log through friendshore instead."""
    logger = pooch.get_logger()
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


def _by_hand(url: str, how: str) -> str:
    return f"check the network, or download {url} by hand and {how}"


def fetch_file(
    url: str,
    *,
    folder: Path,
    name: str,
    sha256: str | None = None,
    timeout: float = DEFAULT_TIMEOUT_S,
    refresh: bool = False,
    bar: Progress | None = None,
    by_hand: str = "load it with 'friendshore ingest'",
) -> Path:
    """Download ``url`` to ``folder/name`` unless it is already there; check ``sha256`` if given.

    A cached file is returned without a request (with ``sha256``, after checking it; a file that
    fails the check is downloaded again). ``refresh`` downloads again in any case. The file is
    written to a temporary name first and moved into place only when complete and, with
    ``sha256``, matching; so the cache never holds a partial or wrong file.
    """
    folder = Path(folder)
    target = folder / name
    if refresh and target.exists():
        target.unlink()
    if target.exists() and sha256 is None:
        log.info("using cached %s (refresh to download it again)", target)
        return target
    task = bar.add_task(f"Downloading {name}", total=None) if bar is not None else None
    downloader = _Downloader(timeout=timeout, bar=_RichBar(bar, task) if bar and task is not None else None)
    known = f"sha256:{sha256}" if sha256 else None
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with quiet_pooch():
            pooch.retrieve(url, known_hash=known, fname=name, path=folder, downloader=downloader)
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DataSourceError(
            f"download failed: HTTP {status}", file=url, hint=_by_hand(url, by_hand)
        ) from None
    except requests.exceptions.RequestException as exc:
        raise DataSourceError(
            f"download failed ({type(exc).__name__}: {exc})", file=url, hint=_by_hand(url, by_hand)
        ) from None
    except ValueError:
        if sha256 is None or downloader.sha256 is None or downloader.sha256 == sha256:
            raise
        raise DataSourceError(
            f"sha256 mismatch: expected {sha256}, got {downloader.sha256} (downloaded from {url}; not kept)",
            file=target,
            hint="the download was corrupted or the publisher changed the file: try again, and if it "
            "persists check the publisher's page and compare the file by hand",
        ) from None
    except OSError as exc:
        raise DataSourceError(f"cannot write the download ({exc})", file=target) from None
    if downloader.sha256 is None:
        log.info("using cached %s (sha256 checked)", target)
    elif sha256 is None:
        log.info(
            "downloaded %s: sha256 %s (no published hash to check it against)", target, downloader.sha256
        )
    else:
        log.info("downloaded %s: sha256 %s matches", target, downloader.sha256)
    return target


def unpack(archive: Path, pattern: str, *, fresh: bool) -> Path:
    """The zip member matching ``pattern`` (by base name), unpacked beside the zip."""
    try:
        with zipfile.ZipFile(archive) as zf:
            names = [n for n in zf.namelist() if re.fullmatch(pattern, Path(n).name)]
            if not names:
                raise DataSourceError(
                    f"no member matching {pattern} in the archive (members: {', '.join(zf.namelist()[:10])})",
                    file=archive,
                    hint="the publisher may have changed the archive's layout; unpack it by hand",
                )
            member = sorted(names)[0]
            out = archive.parent / Path(member).name
            if out.exists() and not fresh:
                return out
            with zf.open(member) as src, tempfile.NamedTemporaryFile(dir=archive.parent, delete=False) as tmp:
                shutil.copyfileobj(src, tmp, _CHUNK)
            os.replace(tmp.name, out)
            return out
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataSourceError(
            f"not a readable zip archive ({exc})",
            file=archive,
            hint="the download may be truncated or an error page: fetch again with refresh (--refresh)",
        ) from None


def get_json(url: str, timeout: float, by_hand: str) -> Any:
    try:
        with quiet_pooch():
            response = requests.get(url, timeout=timeout, headers={"User-Agent": USER_AGENT})
        response.raise_for_status()
        return response.json()
    except requests.exceptions.HTTPError as exc:
        status = exc.response.status_code if exc.response is not None else "error"
        raise DataSourceError(f"request failed: HTTP {status}", file=url, hint=by_hand) from None
    except requests.exceptions.JSONDecodeError:
        raise DataSourceError("the answer is not JSON", file=url, hint=by_hand) from None
    except requests.exceptions.RequestException as exc:
        raise DataSourceError(
            f"request failed ({type(exc).__name__}: {exc})", file=url, hint=by_hand
        ) from None
