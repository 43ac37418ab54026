"""What the brief inlines and the dashboard serves: the Vega libraries, a world map and a font.

Nothing here is vendored into the repository and nothing is fetched at run time:

- the brief's Vega, Vega-Lite and Vega-Embed JavaScript come from the PyPI package
  ``vl-convert-python`` (``vl_convert.javascript_bundle``), the same build that renders its charts
  to images; the dashboard serves the npm builds of the same libraries (``npm_file``);
- the world map (``countries-110m.json``, Natural Earth 1:110m, ISC licence) and the font (Source
  Sans 3, SIL Open Font Licence) come from the npm packages ``world-atlas`` and
  ``@fontsource/source-sans-3``. Every npm package is installed once from the hash-locked
  ``package-lock.json`` that ships in the wheel (``friendshore/reporting/npm/``, copied from the
  checkout's ``assets/``) by one command, ``friendshore assets install`` (``npm ci`` into the
  user's data folder); in a checkout ``make assets`` installs the same lock into
  ``<venv>/share/friendshore/node_modules``. ``FRIENDSHORE_ASSETS`` names another ``node_modules``
  folder. The brief and the dashboard read the same files.

Map features are matched to ISO3 codes by their Natural Earth names through the project's country
crosswalk (``nomenclature/data/country_names.csv``); features without an ISO3 code (N. Cyprus,
Somaliland) stay unmatched and are drawn as land without data.

A missing asset raises ``AssetMissingError`` (a ``UserError`` that says how to install it);
``require_assets`` checks them all at once, so a brief that would lack a part fails before it is
written (exit code 2) instead of exiting 0 with a gap.
"""

from __future__ import annotations

import base64
import copy
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from pathlib import Path
from typing import Any

import platformdirs

from friendshore.errors import UserError

__all__ = [
    "NPM_PACKAGES",
    "AssetMissingError",
    "Font",
    "asset_dir",
    "chart_font_dir",
    "font_faces",
    "install_assets",
    "missing_assets",
    "npm_file",
    "require_assets",
    "vega_bundle",
    "vega_versions",
    "world_topology",
]

#: The font every chart and page uses (with system sans-serif fonts as the fallback).
FONT_FAMILY = "Source Sans 3"
_FONT_PACKAGE = "@fontsource/source-sans-3"
_MAP_PACKAGE = "world-atlas"
_MAP_FILE = "countries-110m.json"
_WEIGHTS = (400, 600, 700)
#: The npm packages the brief and the dashboard need at run time.
NPM_PACKAGES = (_FONT_PACKAGE, "vega", "vega-embed", "vega-lite", _MAP_PACKAGE)
_INSTALL = "run 'friendshore assets install' (npm ci of the shipped lock; 'make assets' in a checkout)"
_LOCK_FILES = ("package.json", "package-lock.json", ".npmrc")


class AssetMissingError(UserError):
    """An asset the report inlines is not installed."""


def _user_dir() -> Path:
    return Path(platformdirs.user_data_dir("friendshore", appauthor=False)) / "assets" / "node_modules"


def asset_dir() -> Path:
    """The ``node_modules`` folder the assets are read from: ``FRIENDSHORE_ASSETS``; else the
    environment's ``share/friendshore/node_modules`` where ``make assets`` installed them; else the
    user's data folder, where ``friendshore assets install`` puts them."""
    given = os.environ.get("FRIENDSHORE_ASSETS")
    if given:
        return Path(given)
    venv = Path(sys.prefix) / "share" / "friendshore" / "node_modules"
    return venv if venv.is_dir() else _user_dir()


def missing_assets() -> list[str]:
    """The npm packages of ``NPM_PACKAGES`` that are not installed in ``asset_dir()``."""
    return [name for name in NPM_PACKAGES if not (asset_dir() / name / "package.json").is_file()]


def require_assets() -> None:
    """Raise ``AssetMissingError`` naming every missing npm package and how to install them."""
    missing = missing_assets()
    if missing:
        raise AssetMissingError(
            f"the brief's and dashboard's assets are not installed ({', '.join(missing)} missing in "
            f"{asset_dir()}): {_INSTALL}, or set FRIENDSHORE_ASSETS to a node_modules folder that has them"
        )


def install_assets(into: Path | None = None, *, lock: Path | None = None) -> Path:
    """Install the npm packages with ``npm ci`` from the lock shipped in the package (or the folder
    ``lock``) into ``into`` (default: the parent of ``FRIENDSHORE_ASSETS``, else the user's data
    folder); return the ``node_modules`` folder. Needs ``npm`` and, once, the npm registry."""
    given = os.environ.get("FRIENDSHORE_ASSETS")
    target = Path(into) if into is not None else Path(given).parent if given else _user_dir().parent
    npm = shutil.which("npm")
    if npm is None:
        raise UserError("npm is needed once to install the assets: install Node.js (with npm) and run again")
    source = files("friendshore.reporting").joinpath("npm") if lock is None else lock
    target.mkdir(parents=True, exist_ok=True)
    for name in _LOCK_FILES:
        item = source.joinpath(name)
        if not item.is_file():
            raise AssetMissingError(
                f"no {name} in {source}: this installation carries no asset lock "
                "(in a checkout run 'make assets', or give --lock assets/)"
            )
        (target / name).write_bytes(item.read_bytes())
    command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund", "--omit=dev"]
    done = subprocess.run(command, cwd=target, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise UserError(f"npm ci failed in {target}: {' / '.join(tail) or 'no output'}")
    return target / "node_modules"


def _package(name: str) -> tuple[Path, str]:
    folder = asset_dir() / name
    manifest = folder / "package.json"
    if not manifest.is_file():
        raise AssetMissingError(
            f"the npm package {name} is not installed in {asset_dir()}: {_INSTALL} "
            "(or set FRIENDSHORE_ASSETS to a node_modules folder that has it)"
        )
    version = str(json.loads(manifest.read_text("utf-8")).get("version", "?"))
    return folder, version


def npm_file(package: str, path: str) -> Path:
    """A file of an installed npm package (``AssetMissingError`` when it is not installed)."""
    folder, _ = _package(package)
    found = folder / path
    if not found.is_file():
        raise AssetMissingError(f"{found} is missing: reinstall the assets ({_INSTALL})")
    return found


@dataclass(frozen=True)
class AssetInfo:
    """Where an inlined asset came from (for provenance.json)."""

    package: str
    version: str
    file: str
    sha256: str
    licence: str

    def to_json(self) -> dict[str, str]:
        return {
            "package": self.package,
            "version": self.version,
            "file": self.file,
            "sha256": self.sha256,
            "licence": self.licence,
        }


@lru_cache(maxsize=4)
def vega_bundle(vl_version: str) -> str:
    """The Vega, Vega-Lite and Vega-Embed libraries as one script (from vl-convert-python).

    Bundling takes seconds, so the script is kept in the user cache folder, keyed by the
    vl-convert-python and Vega-Lite versions (written atomically; safe for parallel runs).
    """
    import vl_convert
    from platformdirs import user_cache_dir

    cache = Path(os.environ.get("FRIENDSHORE_CACHE") or user_cache_dir("friendshore"))
    path = cache / f"vega-bundle-{_dist_version('vl-convert-python')}-vl{vl_version}.js"
    if path.is_file():
        return path.read_text("utf-8")
    text = str(vl_convert.javascript_bundle(None, vl_version=vl_version))  # type: ignore[arg-type]
    try:
        cache.mkdir(parents=True, exist_ok=True)
        handle, tmp = tempfile.mkstemp(dir=cache, suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only cache only costs time
    return text


def vega_versions() -> dict[str, str]:
    import vl_convert

    return {
        "vega": str(vl_convert.get_vega_version()),
        "vega-embed": str(vl_convert.get_vega_embed_version()),
        "vl-convert-python": _dist_version("vl-convert-python"),
    }


def _dist_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


@lru_cache(maxsize=1)
def _world() -> tuple[dict[str, Any], AssetInfo]:
    from friendshore.nomenclature.countries import country_names, normalise_name

    folder, version = _package(_MAP_PACKAGE)
    path = folder / _MAP_FILE
    raw = path.read_bytes()
    topology = json.loads(raw)
    known = country_names()
    for geometry in topology["objects"]["countries"]["geometries"]:
        props = geometry.setdefault("properties", {})
        match = known.get(normalise_name(str(props.get("name", ""))))
        props["iso3"] = match.iso3 if match is not None else None
    info = AssetInfo(
        _MAP_PACKAGE, version, f"{_MAP_PACKAGE}/{_MAP_FILE}", hashlib.sha256(raw).hexdigest(), "ISC"
    )
    return topology, info


def world_topology() -> tuple[dict[str, Any], AssetInfo]:
    """The Natural Earth 1:110m countries as TopoJSON (object ``countries``), each feature with an
    ``iso3`` property (``None`` where the crosswalk has no code), and where it came from."""
    topology, info = _world()
    return copy.deepcopy(topology), info


@dataclass(frozen=True)
class Font:
    """One weight of the report font, as WOFF2 bytes."""

    family: str
    weight: int
    woff2: bytes
    info: AssetInfo

    def css(self) -> str:
        data = base64.b64encode(self.woff2).decode("ascii")
        return (
            f"@font-face {{ font-family: '{self.family}'; font-style: normal; font-weight: {self.weight}; "
            f"src: url(data:font/woff2;base64,{data}) format('woff2'); }}"
        )


@lru_cache(maxsize=1)
def font_faces() -> tuple[Font, ...]:
    """The Latin subset of Source Sans 3 in the weights the report uses."""
    folder, version = _package(_FONT_PACKAGE)
    out = []
    for weight in _WEIGHTS:
        name = f"source-sans-3-latin-{weight}-normal.woff2"
        path = folder / "files" / name
        if not path.is_file():
            raise AssetMissingError(f"{path} is missing: reinstall the assets ({_INSTALL})")
        raw = path.read_bytes()
        info = AssetInfo(
            _FONT_PACKAGE,
            version,
            f"{_FONT_PACKAGE}/files/{name}",
            hashlib.sha256(raw).hexdigest(),
            "OFL-1.1",
        )
        out.append(Font(FONT_FAMILY, weight, raw, info))
    return tuple(out)


@lru_cache(maxsize=1)
def chart_font_dir() -> Path:
    """A folder of TrueType copies of the report font, for vl-convert (which reads no WOFF2).

    Registered once per process with ``vl_convert.register_font_directory``.
    """
    import vl_convert
    from fontTools.ttLib import TTFont

    folder = Path(tempfile.mkdtemp(prefix="friendshore-fonts-"))
    for font in font_faces():
        path = folder / f"source-sans-3-{font.weight}.woff2"
        path.write_bytes(font.woff2)
        ttf = TTFont(str(path))
        ttf.flavor = None
        # fontsource's static instances keep the variable font's instance name ("Source Sans 3
        # ExtraLight") in every weight: name them by family and weight so fonts are matched by
        # family name and OS/2 weight class.
        style = {400: "Regular", 600: "SemiBold", 700: "Bold"}[font.weight]
        table = ttf["name"]
        for record in list(table.names):
            if record.nameID in (1, 2, 4, 6, 16, 17):
                table.removeNames(nameID=record.nameID)
        table.setName(FONT_FAMILY, 1, 3, 1, 0x409)
        table.setName("Bold" if font.weight == 700 else "Regular", 2, 3, 1, 0x409)
        table.setName(f"{FONT_FAMILY} {style}", 4, 3, 1, 0x409)
        table.setName(f"SourceSans3-{style}", 6, 3, 1, 0x409)
        table.setName(FONT_FAMILY, 16, 3, 1, 0x409)
        table.setName(style, 17, 3, 1, 0x409)
        ttf.save(str(folder / f"source-sans-3-{font.weight}.ttf"))
        path.unlink()
    vl_convert.register_font_directory(str(folder))
    return folder
