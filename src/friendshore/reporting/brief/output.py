"""The brief's output folder: written whole into a fresh folder beside ``OUT``, then swapped in.

``OUT`` may be absent, an empty folder, or a previous brief (a folder whose manifest,
``.friendshore-brief.json``, lists every file in it). Anything else is refused before any work
(``OutputFolderError``, exit code 2): a file, a symbolic link (``OUT`` or anything in it), an empty
path, or a folder holding files the brief did not write. The brief never deletes or overwrites a
file it did not write; an interrupted or failed write leaves the previous brief as it was.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from friendshore.errors import UserError, cannot_write

__all__ = ["MANIFEST", "OutputFolderError", "check_out", "staged"]

#: The manifest of a brief folder: the files the brief wrote (relative paths).
MANIFEST = ".friendshore-brief.json"


class OutputFolderError(UserError):
    """``--out`` is not a folder the brief may write into."""


def _listed(folder: Path) -> set[str]:
    try:
        data = json.loads((folder / MANIFEST).read_text("utf-8"))
    except (OSError, ValueError):
        return set()
    files = data.get("files") if isinstance(data, dict) else None
    return {str(f) for f in files} if isinstance(files, list) else set()


def check_out(out: Path | str) -> Path:
    """``out`` as an absolute path if the brief may write there; else ``OutputFolderError``."""
    if not str(out).strip():
        raise OutputFolderError("--out is empty: give a folder for the brief, e.g. --out out/brief")
    path = Path(os.path.abspath(out))
    if path.is_symlink():
        raise OutputFolderError(
            f"{out} is a symbolic link: give a real folder (the brief does not follow links)"
        )
    if path.exists() and not path.is_dir():
        raise OutputFolderError(
            f"{out} is a file, not a folder: give a new or empty folder, or a previous brief"
        )
    if not path.exists():
        above = next(p for p in path.parents if p.exists() or p.is_symlink())
        if above.is_symlink() or not above.is_dir():
            raise OutputFolderError(f"{above} is not a folder, so {out} cannot be written")
        return path
    found = set()
    for root, dirs, files in os.walk(path):
        for name in [*dirs, *files]:
            item = Path(root) / name
            rel = item.relative_to(path).as_posix()
            if item.is_symlink():
                raise OutputFolderError(
                    f"{out} holds a symbolic link ({rel}): the brief does not write through links"
                )
            if item.is_file():
                found.add(rel)
    if not found:
        return path
    listed = _listed(path)
    foreign = sorted(found - listed - {MANIFEST})
    if not listed or foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise OutputFolderError(
            f"{out} is not empty and is not a previous brief (it holds files the brief did not write: {shown}); "
            "give a new folder"
        )
    return path


@contextmanager
def staged(out: Path | str) -> Iterator[Path]:
    """A fresh folder beside ``out`` to write into; on success it replaces ``out`` (a previous brief
    is removed only after the new one is in place); on any failure or interrupt it is removed and
    ``out`` is left as it was."""
    path = check_out(out)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.parent / f".{path.name}.writing-{os.getpid()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        yield tmp
        files = sorted(p.relative_to(tmp).as_posix() for p in tmp.rglob("*") if p.is_file())
        (tmp / MANIFEST).write_text(json.dumps({"files": files}, indent=1), encoding="utf-8")
        check_out(path)  # the folder may have changed while the brief was written
        old = path.parent / f".{path.name}.previous-{os.getpid()}"
        if path.exists():
            path.rename(old)
        try:
            tmp.rename(path)
        except BaseException:
            if old.exists():
                old.rename(path)
            raise
        if old.exists():
            shutil.rmtree(old)
    except BaseException as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        clean = (
            cannot_write(path, exc, changed=f"{path} was left as it was")
            if isinstance(exc, OSError)
            else None
        )
        if clean is not None:
            raise clean from None
        raise
