"""The bad-input corpus (tests/data/bad/cases.toml) through the real command line.

Every case must exit 2 with one line that names the file (and line and field where the input has
them), print no traceback, and leave every file of a loaded warehouse byte for byte as it was.
Each outcome is recorded for RELIABILITY.md (see conftest.py).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest

from friendshore.interfaces.cli import run

BAD = Path(__file__).parent / "data" / "bad"
CASES: list[dict[str, Any]] = tomllib.loads((BAD / "cases.toml").read_text("utf-8"))["case"]


def tree(home: Path) -> dict[str, str]:
    """sha256 of every file under ``home`` (the empty lock files aside: flock does not change them)."""
    return {
        p.relative_to(home).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(home.rglob("*"))
        if p.is_file() and not (p.name.startswith(".") and p.name.endswith(".lock") and not p.stat().st_size)
    }


@pytest.fixture(scope="module")
def loaded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A warehouse holding the good version of every source the corpus breaks, cache built."""
    home = tmp_path_factory.mktemp("bad-inputs") / "warehouse"
    good = [
        [
            "baci",
            str(BAD / "baci/good/BACI_HS17_Y2024_V202601.csv"),
            "--countries",
            str(BAD / "baci/country_codes_V202601.csv"),
        ],
        ["wdi-gdp", str(BAD / "wdi/good/WDI_NY.GDP.MKTP.CD_2025-03-24.csv")],
        ["wgi", str(BAD / "wgi/good/wgi_long.csv")],
        ["unga", str(BAD / "unga/good/IdealpointestimatesAll_Jun2024.csv")],
        ["geodist", str(BAD / "geodist/good/dist_cepii.csv")],
        ["eto", str(BAD / "eto/base")],
        ["usgs-mcs", str(BAD / "usgs/good/mcs2026_world_production.csv")],
        ["bgs", str(BAD / "bgs/good/bgs_wms_production.csv")],
    ]
    for args in good:
        assert run(["--home", str(home), "ingest", *args]) == 0, args
    assert run(["--home", str(home), "sql", "select count(*) from trade"]) == 0  # builds the cache
    return home


def _expand(args: list[str], tmp: Path) -> list[str]:
    out = []
    for arg in args:
        for name in re.findall(r"\{eto:([\w-]+)\}", arg):
            folder = tmp / f"eto-{name}"
            shutil.copytree(BAD / "eto" / "base", folder)
            for path in (BAD / "eto" / name).iterdir():
                shutil.copy(path, folder / path.name)
            arg = arg.replace(f"{{eto:{name}}}", str(folder))
        out.append(
            arg.replace("{bad}", str(BAD)).replace("{countries}", str(BAD / "baci/country_codes_V202601.csv"))
        )
    return out


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_bad_input_is_refused_cleanly(
    case: dict[str, Any],
    loaded: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    reliability: Any,
) -> None:
    args = _expand(case["args"], tmp_path)
    before = tree(loaded)
    code = run(args if args[0] == "--home" else ["--home", str(loaded), *args])
    captured = capsys.readouterr()
    err = captured.err.strip()
    lines = [line for line in err.splitlines() if line.strip()]
    changed = tree(loaded) != before
    named = case["file"] in err
    if "line" in case:
        named = named and f"line {case['line']}" in err
    if "field" in case:
        named = named and f"field '{case['field']}'" in err
    internal = code not in (0, 2) or "Traceback" in err or "internal error" in err
    if case.get("usage"):  # click's usage block: keep its one "Error:" line as the message
        lines = [line for line in lines if line.startswith("Error:")]
        lines = [f"error:{line[len('Error:') :]}" for line in lines]
    reliability(
        "input",
        case["id"],
        kind=case["kind"],
        clean=code == 2 and len(lines) == 1 and lines[0].startswith("error:") and named and not changed,
        internal=internal,
        accepted=code == 0,
        data_lost=changed,
    )
    assert code == 2, err
    assert len(lines) == 1, err
    assert lines[0].startswith("error:"), err
    assert "Traceback" not in captured.err
    assert case["file"] in err, err
    if "line" in case:
        assert f"line {case['line']}" in err, err
    if "field" in case:
        assert f"field '{case['field']}'" in err, err
    assert not changed


def test_every_case_folder_is_used() -> None:
    """No case file lies in the corpus without a case that runs it (nor a case without its file)."""
    text = (BAD / "cases.toml").read_text("utf-8")
    folders = {p.parent.relative_to(BAD).as_posix() for p in BAD.rglob("*") if p.is_file()}
    folders -= {".", "baci", "eto/base", "baci/good", "wdi/good", "wgi/good", "unga/good", "geodist/good"}
    folders -= {"usgs/good", "bgs/good"}
    unused = sorted(f for f in folders if f"{{bad}}/{f}/" not in text and f'{{bad}}/{f}"' not in text)
    unused = [f for f in unused if not (f.startswith("eto/") and f"{{eto:{f[4:]}}}" in text)]
    assert unused == []
