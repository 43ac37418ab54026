"""Issue 30, item 1: ``brief`` never deletes or overwrites a file it did not write, and a brief is
written whole or not at all. The issue's own steps, one test each (the output folder's rules are
``reporting/brief/output.py``; tests/test_brief.py has more of them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from friendshore.interfaces.cli import run
from friendshore.reporting.brief.output import MANIFEST, OutputFolderError, check_out, staged


def _brief(home: Path, out: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run(["--home", str(home), "brief", "--for", "USA", "--out", out, "--no-pdf"])
    return code, capsys.readouterr().err


def test_30_1_brief_keeps_a_file_it_did_not_write(
    tmp_path: Path, sample_home: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``mkdir -p p/data; echo x > p/data/my_survey.csv; brief --out p`` -> refused, the file kept."""
    out = tmp_path / "p"
    (out / "data").mkdir(parents=True)
    (out / "data" / "my_survey.csv").write_text("x\n")
    code, err = _brief(sample_home, str(out), capsys)
    assert code == 2
    assert "my_survey.csv" in err
    assert "Traceback" not in err
    assert (out / "data" / "my_survey.csv").read_text() == "x\n"
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*")) == ["data", "data/my_survey.csv"]


@pytest.mark.parametrize("kind", ["empty", "file", "dev-null", "symlink"])
def test_30_1_brief_refuses_an_out_that_is_not_a_folder_before_any_work(
    tmp_path: Path, sample_home: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    """``--out ''`` (the current folder), an existing file, ``/dev/null``, a symbolic link: exit 2 at
    once, nothing written."""
    target = tmp_path / "mine.txt"
    target.write_text("mine")
    out = {"empty": "", "file": str(target), "dev-null": "/dev/null", "symlink": str(tmp_path / "link")}[kind]
    if kind == "symlink":
        (tmp_path / "link").symlink_to(tmp_path / "elsewhere", target_is_directory=True)
    before = sorted(p.name for p in tmp_path.iterdir())
    code, err = _brief(sample_home, out, capsys)
    assert code == 2, err
    assert "Traceback" not in err
    assert "internal error" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == before
    assert target.read_text() == "mine"


def test_30_1_brief_does_not_write_through_links_in_a_previous_brief(tmp_path: Path) -> None:
    """A previous brief whose ``brief.html`` or ``data`` is a link to a file elsewhere is refused: the
    link's target is never overwritten or deleted."""
    out, elsewhere = tmp_path / "b", tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "report.html").write_text("theirs")
    with staged(out) as tmp:
        (tmp / "brief.html").write_text("first")
        (tmp / "data").mkdir()
        (tmp / "data" / "a.csv").write_text("x")
    (out / "brief.html").unlink()
    (out / "brief.html").symlink_to(elsewhere / "report.html")
    with pytest.raises(OutputFolderError, match="symbolic link"):
        check_out(out)
    (out / "brief.html").unlink()
    (out / "brief.html").write_text("first")
    (out / "data" / "a.csv").unlink()
    (out / "data").rmdir()
    (out / "data").symlink_to(elsewhere)
    with pytest.raises(OutputFolderError, match="symbolic link"), staged(out):
        pass
    assert (elsewhere / "report.html").read_text() == "theirs"


def test_30_1_a_brief_that_fails_half_way_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    """A kill or error mid-way never leaves a new ``brief.html`` beside the previous run's
    ``brief.pdf`` and ``provenance.json``: the previous brief stays, file for file."""
    out = tmp_path / "b"
    with staged(out) as tmp:
        for name, text in (("brief.html", "old"), ("brief.pdf", "old pdf"), ("provenance.json", "{}")):
            (tmp / name).write_text(text)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(RuntimeError), staged(out) as tmp:
        (tmp / "brief.html").write_text("new")
        raise RuntimeError("killed half-way")
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b"]  # no staging folder left
    assert MANIFEST in before
