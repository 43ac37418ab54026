"""The package works outside its checkout: build the wheel, install it in a fresh virtual environment
in a temporary folder, and run it from there as a new user would (``-m wheel`` selects these tests).

The fresh environment reuses the installed dependencies of the checkout's environment (a ``.pth``
line naming its site-packages, added after the fresh environment's own) and installs the wheel with
``--no-deps``: no network. The checkout itself is never on the path, so a file the wheel lacks, or
a path tied to the checkout, fails here.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from friendshore.reporting.assets import NPM_PACKAGES, asset_dir, install_assets
from friendshore.settings import project_root

pytestmark = pytest.mark.wheel

ROOT = project_root()
BRIEF = [
    "brief",
    "--for",
    "USA",
    "--partner",
    "IND",
    "--coalition",
    "pax-silica",
    "--members-at",
    "2026-03-01",
]
BRIEF += ["--sector", "critical-minerals"]


def _uv() -> str:
    uv = Path(sys.prefix) / "bin" / "uv"
    return str(uv) if uv.exists() else "uv"


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv (outside the checkout) with the wheel installed; its ``bin`` folder."""
    base = tmp_path_factory.mktemp("wheel")
    dist = base / "dist"
    subprocess.run([_uv(), "build", "--wheel", "--out-dir", str(dist)], cwd=ROOT, check=True, timeout=300)
    (wheel,) = dist.glob("friendshore-*.whl")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (site / "zz_checkout_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [_uv(), "pip", "install", "--python", str(python), "--no-deps", "--offline", str(wheel)],
        check=True,
        timeout=300,
    )
    return venv / "bin"


def _run(bin_dir: Path, args: list[str], cwd: Path, env: dict[str, str], timeout: int = 600) -> str:
    done = subprocess.run(
        [str(bin_dir / "friendshore"), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, (
        f"friendshore {' '.join(args)} exited {done.returncode}:\n{done.stderr[-3000:]}"
    )
    return done.stdout


def _env(tmp: Path, sample_data: Path) -> dict[str, str]:
    keep = {
        k: v for k, v in os.environ.items() if not k.startswith(("FRIENDSHORE_", "PYTHON", "VIRTUAL_ENV"))
    }
    return {
        **keep,
        "FRIENDSHORE_HOME": str(tmp / "home"),
        "FRIENDSHORE_SAMPLE_DATA": str(sample_data),
        "FRIENDSHORE_CACHE": str(tmp / "cache"),
        "FRIENDSHORE_ASSETS": str(asset_dir()),  # the checkout's installed npm packages: no network
        "HOME": str(tmp),
        "COLUMNS": "120",
    }


def _sections(html: str) -> list[str]:
    return re.findall(r'<section id="([^"]+)"', html)


def _charts(html: str) -> list[str]:
    return re.findall(r'<figure class="chart" id="([^"]+)"', html)


def test_the_wheel_runs_outside_the_checkout(installed: Path, tmp_path: Path, sample_data: Path) -> None:
    env = _env(tmp_path, sample_data)
    where = subprocess.run(
        [str(installed / "python"), "-c", "import friendshore; print(friendshore.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert str(ROOT) not in where, where

    assert "Usage" in _run(installed, ["--help"], tmp_path, env)
    _run(installed, ["ingest", "sample"], tmp_path, env)
    rows = json.loads(
        _run(
            installed,
            ["chokepoints", "--year", "2024", "--sector", "critical-minerals", "-f", "json"],
            tmp_path,
            env,
        )
    )
    assert rows
    diversion = _run(
        installed, ["gravity", "simulate", "us_china_tariff", "-o", "diversion", "-f", "csv"], tmp_path, env
    )
    assert diversion.splitlines()[0].startswith("exporter")

    out = tmp_path / "brief"
    _run(installed, [*BRIEF, "--no-pdf", "--out", str(out)], tmp_path, env)
    ours = (out / "brief.html").read_text("utf-8")
    reference = tmp_path / "reference"
    checkout = {**env, "FRIENDSHORE_HOME": env["FRIENDSHORE_HOME"]}
    _run(Path(sys.prefix) / "bin", [*BRIEF, "--no-pdf", "--out", str(reference)], ROOT, checkout)
    theirs = (reference / "brief.html").read_text("utf-8")
    assert _sections(theirs)
    assert _sections(ours) == _sections(theirs)
    assert _charts(ours) == _charts(theirs)


def test_assets_install_runs_npm_ci_on_the_shipped_lock(installed: Path, tmp_path: Path) -> None:
    """``friendshore assets install`` from the wheel: the lock is in the package; npm is a fake that
    records its arguments and creates the packages, so no registry is needed."""
    fake = tmp_path / "fakebin"
    fake.mkdir()
    (fake / "npm").write_text(
        "#!/bin/sh\n"
        'echo "$@" > npm-args.txt\n'
        "for p in " + " ".join(NPM_PACKAGES) + "; do mkdir -p node_modules/$p; "
        'echo \'{"version": "1"}\' > node_modules/$p/package.json; done\n'
    )
    (fake / "npm").chmod(0o755)
    env = {**_env(tmp_path, tmp_path), "PATH": f"{fake}:{os.environ['PATH']}"}
    del env["FRIENDSHORE_ASSETS"]
    target = tmp_path / "assets"
    _run(installed, ["assets", "install", "--into", str(target)], tmp_path, env)
    assert (target / "npm-args.txt").read_text().split()[:1] == ["ci"]
    lock = json.loads((target / "package-lock.json").read_text())
    assert lock["name"] == "friendshore-assets"
    _run(
        installed, ["assets", "status"], tmp_path, {**env, "FRIENDSHORE_ASSETS": str(target / "node_modules")}
    )


def test_assets_status_fails_when_a_package_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from friendshore.interfaces.cli import run

    monkeypatch.setenv("FRIENDSHORE_ASSETS", str(tmp_path / "node_modules"))
    assert run(["assets", "status"]) == 2


def test_install_assets_without_npm_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from friendshore.errors import UserError

    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(UserError, match="npm is needed"):
        install_assets(tmp_path, lock=ROOT / "assets")
