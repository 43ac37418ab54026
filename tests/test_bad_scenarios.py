"""Bad scenario files and bad data files: exit code 2 and one line naming the file and the field.

The corpus is tests/data/bad_scenarios/ (first line of each file: ``# expect: <text>``). A 2 GB data
file and a FIFO are made here. Issue 20's findings: sigma = 1.0000000001 gave infinite results as an
"exact solution" with exit 0; deeply nested TOML gave an internal error; a 2 GB file given to
``gravity`` was read into memory until the process was killed.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from friendshore.interfaces.cli import run

CORPUS = Path(__file__).parent / "data" / "bad_scenarios"
COMMANDS = {"gravity": ["gravity", "simulate"], "shocks": ["simulate"]}


def cases() -> list[tuple[str, Path]]:
    return [(kind, path) for kind in COMMANDS for path in sorted((CORPUS / kind).glob("*.toml"))]


def expected(path: Path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first.startswith("# expect: "), path
    return first.removeprefix("# expect: ")


def refused(args: list[str], capsys: pytest.CaptureFixture[str], record: Any = None) -> str:
    code = run(args)
    err = capsys.readouterr().err
    if record is not None:
        lines = err.strip().splitlines()
        record(
            clean=code == 2 and len(lines) == 1 and err.startswith("error:"),
            internal=code not in (0, 2) or "Traceback" in err or "internal error" in err,
            accepted=code == 0,
        )
    assert code == 2, err
    assert err.startswith("error:"), err
    assert "internal error" not in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1, err
    return err


@pytest.mark.parametrize(("kind", "path"), cases(), ids=lambda v: v.name if isinstance(v, Path) else v)
def test_bad_scenario_is_refused_naming_file_and_field(
    kind: str,
    path: Path,
    tmp_path: Path,
    sample_data: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    reliability: Any,
) -> None:
    monkeypatch.setenv("FRIENDSHORE_SAMPLE_DATA", str(sample_data))

    def record(**outcome: bool) -> None:
        reliability("scenario", f"{kind}/{path.name}", **outcome)

    err = refused(["--home", str(tmp_path), *COMMANDS[kind], str(path)], capsys, record)
    assert path.name in err
    assert expected(path) in err


@pytest.mark.parametrize("sigma", [1.0000000001, 1.0, 0.5, float("nan"), float("inf"), 1e6])
def test_sigma_outside_its_range_is_refused_by_the_model_too(sigma: float) -> None:
    import pandas as pd

    from friendshore.errors import UserError
    from friendshore.models.gravity import build_baseline

    data = pd.DataFrame({"exporter": ["A"], "importer": ["A"], "trade": [1.0], "x": [0.0]})
    with pytest.raises(UserError, match="sigma"):
        build_baseline(data, coefficients={"x": 1.0}, sigma=sigma)


def test_a_huge_data_file_is_refused_before_it_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    huge = tmp_path / "huge.csv"
    with open(huge, "wb") as fh:  # a sparse 2 GB file: no disk is used
        fh.truncate(2 * 2**30)
    err = refused(
        ["gravity", "estimate", str(huge), "--formula", "trade ~ ln_dist | exporter + importer"], capsys
    )
    assert "huge.csv" in err
    assert "larger than" in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_blocking(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    err = refused(["simulate", str(fifo)], capsys)
    assert "not a regular file" in err


def test_restricted_share_above_one_is_refused(sample_home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = refused(
        ["--home", str(sample_home), "shock", "--exporter", "CHN", "--product", "850511", "--share", "1.5"],
        capsys,
    )
    assert "share" in err
