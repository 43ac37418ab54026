"""Issue 30, items 3 and 9 (the register part): a register or group change is checked against the
whole register as it would be after it, under a lock, and installed atomically; every field has a
domain rule (plausible dates, numbers that are numbers, no self-reference or loops, no control
characters). Also the rules of the measure fields added for issue 28 (``changes``, ``items``)."""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from friendshore.analyses.vocabulary import installed_group_file
from friendshore.errors import CannotWriteError, SchemaError
from friendshore.interfaces.cli import app, run
from friendshore.register import add_register_file, load_register
from friendshore.register.load import register_lock
from friendshore.settings import Settings
from register_fixtures import group, initiative, investment, measure, source, write

DEFS = source()
USES = investment()
GROUP = group()
MEASURE = measure()


def _settings(home: Path) -> Settings:
    return Settings(home=home)


# -- 30.3: whole-register validation, lock, atomic install --------------------------------------


def test_30_3_replacing_defs_orphans_uses_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_register_file(write(tmp_path / "a", "defs.toml", DEFS), home)
    add_register_file(write(tmp_path / "a", "uses.toml", USES), home)
    without_s1 = DEFS.replace('id = "s1"', 'id = "s2"')
    with pytest.raises(SchemaError, match="still uses what it would remove") as info:
        add_register_file(write(tmp_path / "b", "defs.toml", without_s1), home)
    assert str(home / "register" / "uses.toml") in str(info.value)  # the file that still uses it
    assert "unknown source 's1'" in str(info.value)
    assert info.value.field == "investment uses-s1 > sources"
    assert 'id = "s1"' in (home / "register" / "defs.toml").read_text()  # the old file stays
    assert "uses-s1" in load_register(home).investments  # the register still loads


def test_30_3_groups_add_dropping_a_group_a_measure_uses_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    installed_group_file(_settings(home), file=write(tmp_path / "a", "clubs.toml", GROUP))
    add_register_file(
        write(tmp_path / "a", "m.toml", MEASURE.replace('on = ["USA"]', 'on = ["my-club"]')), home
    )
    renamed = GROUP.replace('name = "my-club"', 'name = "other-club"')
    with pytest.raises(SchemaError, match="still uses what it would remove") as info:
        installed_group_file(_settings(home), file=write(tmp_path / "b", "clubs.toml", renamed))
    assert str(home / "register" / "m.toml") in str(info.value)
    assert "my-club" in str(info.value)
    assert 'name = "my-club"' in (home / "groups" / "clubs.toml").read_text()
    assert load_register(home).measures["m1"].on == ("my-club",)


def test_30_3_cli_exits_2_and_names_the_file_that_still_uses_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert run([*home, "register", "add", str(write(tmp_path / "a", "defs.toml", DEFS))]) == 0
    assert run([*home, "register", "add", str(write(tmp_path / "a", "uses.toml", USES))]) == 0
    capsys.readouterr()
    bad = write(tmp_path / "b", "defs.toml", DEFS.replace('id = "s1"', 'id = "s2"'))
    assert run([*home, "register", "add", str(bad)]) == 2
    assert "uses.toml" in capsys.readouterr().err
    assert run([*home, "register", "investments", "--country", "IND"]) == 0


def test_30_3_a_change_waits_for_the_lock(tmp_path: Path) -> None:
    home = tmp_path / "home"
    path = write(tmp_path / "a", "defs.toml", DEFS)
    done = threading.Event()

    def add() -> None:
        add_register_file(path, home)
        done.set()

    with register_lock(home):
        worker = threading.Thread(target=add)
        worker.start()
        time.sleep(0.3)
        assert not done.is_set()  # blocked while another change holds the lock
        assert not (home / "register" / "defs.toml").exists()
    worker.join(10)
    assert done.is_set()
    assert (home / "register" / "defs.toml").read_text() == DEFS


def test_30_8_a_failed_install_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    add_register_file(write(tmp_path / "a", "defs.toml", DEFS), home)

    def disk_full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(CannotWriteError, match=r"the disk is full.*No space.*nothing was changed"):
        add_register_file(write(tmp_path / "b", "defs.toml", DEFS.replace("A report", "B report")), home)
    assert sorted(p.name for p in (home / "register").iterdir()) == ["defs.toml"]
    assert "A report" in (home / "register" / "defs.toml").read_text()


# -- 30.9: domain rules of every field ----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (USES.replace("announced = 2024-02-01", "announced = 2099-01-01"), "investment uses-s1 > announced",
         "not a plausible date"),
        (MEASURE.replace("effective = 2024-12-03", "effective = 0001-01-01"), "measure m1 > effective",
         "not a plausible date"),
        (MEASURE.replace("effective = 2024-12-03", "effective = 2999-01-01"), "measure m1 > effective",
         "not a plausible date"),
        (DEFS.replace("date = 2024-05-01", 'date = "2026-13-45"'), "source s1 > date", "not a calendar date"),
        (DEFS.replace("date = 2024-05-01", 'date = "1066"'), "source s1 > date", "not a plausible date"),
        (MEASURE.replace('date = "2024"', 'date = "2024-02-30"'), "measure m1 > sources", "not a calendar date"),
        (USES.replace('status = "announced"', 'status = "announced"\namount = true\ncurrency = "USD"'),
         "investment uses-s1 > amount", "is not a number"),
        (USES.replace('status = "announced"', 'status = "announced"\ncapacity_per_year = true\ncapacity_unit = "t"'),
         "investment uses-s1 > capacity_per_year", "is not a number"),
        (MEASURE.replace('on = ["USA"]', 'on = ["CHN"]'), "measure m1", "both in 'who' and in 'on'"),
        (MEASURE.replace('on = ["USA"]', 'on = ["world"]\nexempt = ["world"]'), "measure m1 > exempt",
         "'world' may only stand in 'on'"),
        (MEASURE.replace('on = ["USA"]', 'on = ["USA", "JPN"]\nexempt = ["JPN"]'), "measure m1",
         "both in 'on' and in 'exempt'"),
        (MEASURE.replace('who = ["CHN"]', 'who = ["world"]'), "measure m1 > who", "'world' may only stand"),
        (MEASURE.replace('summary = "Test."', 'summary = "Test.\\u0000"'), "measure m1 > summary",
         "control character U+0000"),
        (MEASURE.replace('summary = "Test."', 'summary = "\\u001b]0;pwned\\u0007"'), "measure m1 > summary",
         "control character U+001B"),
        (USES.replace('company = "Test Co"', 'company = "Test\\u009bCo"'), "investment uses-s1 > company",
         "control character U+009B"),
        (DEFS.replace('title = "A report"', 'title = "A \\u001b[2Jreport"'), "source s1 > title",
         "control character U+001B"),
        (MEASURE.replace('title = "Inline"', 'title = "In\\u0007line"'), "measure m1 > sources",
         "control character U+0007"),
    ],
)  # fmt: skip
def test_30_9_domain_rules_name_file_entry_and_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    home = tmp_path / "home"
    add_register_file(write(tmp_path / "a", "defs.toml", DEFS), home)
    path = write(tmp_path / "b", "bad.toml", text)
    with pytest.raises(SchemaError, match=re.escape(message)) as info:
        add_register_file(path, home)
    assert str(path) in str(info.value)
    assert info.value.field is not None
    assert info.value.field.startswith(field), info.value.field
    assert not (home / "register" / "bad.toml").exists()


def test_30_9_newlines_and_tabs_in_notes_are_plain_text(tmp_path: Path) -> None:
    text = MEASURE.replace('summary = "Test."', 'summary = """Line one,\n\tline two."""')
    add_register_file(write(tmp_path, "ok.toml", text), tmp_path / "home")


def test_30_9_succeeded_by_loops_are_refused(tmp_path: Path) -> None:
    text = DEFS + "".join(
        initiative(a, name=a, details=f'succeeded_by = "{b}"')
        for a, b in (("one", "two"), ("two", "three"), ("three", "one"))
    )
    with pytest.raises(SchemaError, match="runs in a loop: one -> two -> three -> one"):
        add_register_file(write(tmp_path, "loop.toml", text), tmp_path / "home")
    selfish = DEFS + initiative("one", name="One", details='succeeded_by = "one"')
    with pytest.raises(SchemaError, match="runs in a loop: one -> one"):
        add_register_file(write(tmp_path, "loop.toml", selfish), tmp_path / "home")


def test_30_9_help_of_register_add_and_groups_add_shows_the_table_names() -> None:
    runner = CliRunner()
    register_help = runner.invoke(app, ["register", "add", "--help"]).output
    for table in ("[[source]]", "[[initiative]]", "[[investment]]", "[[measure]]"):
        assert table in register_help
    assert "[]," not in register_help
    groups_help = runner.invoke(app, ["groups", "add", "--help"]).output
    assert "[[group]]" in groups_help


# -- issue 28: the measure fields for status changes and controlled items -----------------------


def _suspension(changes: str, kind: str = "suspension") -> str:
    return measure(
        "m1-suspended",
        title="Suspension of the test ban",
        kind=kind,
        changes=changes,
        announced=None,
        effective="2025-11-09",
        end="2026-11-27",
        summary="Suspended.",
        year="2025",
    )


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (_suspension("no-such-measure"), "measure m1-suspended > changes", "unknown measure 'no-such-measure'"),
        (_suspension("m1", kind="export-ban"), "measure m1-suspended", "names the measures it changes"),
        (_suspension("m1-suspended"), "measure m1-suspended", "names the measure itself"),
        (MEASURE.replace('kind = "export-ban"', 'kind = "suspension"'), "measure m1",
         "names the measures it changes"),
        (MEASURE.replace('products = ["811292"]', ""), "measure m1", "name what it covers"),
    ],
)  # fmt: skip
def test_28_measure_status_change_fields(tmp_path: Path, text: str, field: str, message: str) -> None:
    home = tmp_path / "home"
    add_register_file(write(tmp_path / "a", "base.toml", MEASURE), home)
    path = write(tmp_path / "b", "bad.toml", text)
    with pytest.raises(SchemaError, match=re.escape(message)) as info:
        add_register_file(path, home)
    assert info.value.field is not None
    assert info.value.field.startswith(field), info.value.field


def test_28_a_suspension_and_an_items_only_measure_are_accepted(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_register_file(write(tmp_path, "base.toml", MEASURE), home)
    listing = (
        MEASURE.replace('id = "m1"', 'id = "m2"')
        .replace('products = ["811292"]', 'items = "Entity List: two chip makers"\nkind2 = 1')
        .replace('kind = "export-ban"\n', 'kind = "entity-listing"\n')
        .replace("kind2 = 1\n", "")
    )
    add_register_file(write(tmp_path, "more.toml", _suspension("m1") + listing), home)
    reg = load_register(home)
    assert reg.measures["m1-suspended"].changes == ("m1",)
    assert reg.measures["m2"].items == "Entity List: two chip makers"
    loop = _suspension("m1-back").replace('id = "m1-suspended"', 'id = "m1-back-2"') + _suspension(
        "m1-back-2"
    ).replace('id = "m1-suspended"', 'id = "m1-back"')
    with pytest.raises(SchemaError, match="runs in a loop"):
        add_register_file(write(tmp_path, "loop.toml", loop), home)
