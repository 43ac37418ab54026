"""Country groups with dates: built-in data, resolution by date, user files, and the CLI."""

from __future__ import annotations

import csv
import re
from datetime import date
from pathlib import Path

import pytest

from friendshore.errors import DataSourceError, SchemaError, UnknownCodeError
from friendshore.interfaces.cli import run
from friendshore.nomenclature.groups import (
    add_group_file,
    builtin_groups,
    iso3_codes,
    load_groups,
    members,
    resolve,
)

VALID = """
[[group]]
name = "chip-four"
title = "Chip 4"
description = "A test group."
source = { publisher = "Test", title = "A list", url = "https://example.org/list", date = 2024-05-01 }

  [[group.member]]
  iso3 = "usa"
  from = 2022-03-01
  verified = true

  [[group.member]]
  iso3 = "TWN"
  from = 2022-03-01
  to = 2023-12-31
  verified = false
  note = "Not confirmed."
"""


def _write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_groups_are_complete_and_cited() -> None:
    groups = builtin_groups()
    expected = {"g7", "eu27", "oecd", "quad", "msp", "pax-silica", "trust", "countries-of-concern"}
    assert expected <= set(groups)
    for group in groups.values():
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", group.name)
        assert group.source.url.startswith("http")
        assert group.members
        for member in group.members:
            assert member.verified or member.note, (group.name, member.iso3)


def test_builtin_members_are_countries_baci_reports(sample_data: Path) -> None:
    path = sample_data / "baci_critical_materials" / "country_codes_V202601.csv"
    with path.open(encoding="utf-8") as f:
        baci = {row["country_iso3"] for row in csv.DictReader(f)}
    used = {m.iso3 for g in builtin_groups().values() for m in g.members}
    assert sorted(used - baci) == []


def test_eu_history_resolves_by_date() -> None:
    assert "HRV" not in members("eu27", date(2013, 6, 30))
    assert "HRV" in members("eu27", date(2013, 7, 1))
    assert "GBR" in members("eu27", date(2019, 12, 31))
    assert "GBR" in members("eu27", date(2020, 1, 31))  # the last day is inclusive
    assert "GBR" not in members("eu27", date(2020, 2, 1))
    assert len(members("eu27", date(2019, 12, 31))) == 28
    assert len(members("eu27", date(2020, 2, 1))) == 27
    assert members("eu27", date(1958, 1, 1)) == ["BEL", "DEU", "FRA", "ITA", "LUX", "NLD"]


def test_pax_silica_joiners_are_absent_before_they_sign() -> None:
    assert members("pax-silica", date(2025, 12, 11)) == []
    founders = ["AUS", "GBR", "ISR", "JPN", "KOR", "SGP", "USA"]
    assert members("pax-silica", date(2025, 12, 12)) == founders
    assert "IND" not in members("pax-silica", date(2026, 2, 19))
    assert members("pax-silica", date(2026, 3, 1)) == sorted([*founders, "QAT", "ARE", "IND", "GRC"])


def test_other_coalitions() -> None:
    assert members("quad", date(2024, 1, 1)) == ["AUS", "IND", "JPN", "USA"]
    assert "CAN" not in members("g7", date(1976, 1, 1))
    assert len(members("g7", date(2024, 1, 1))) == 7
    assert members("trust", date(2025, 3, 1)) == ["IND", "USA"]
    assert members("trust", date(2025, 2, 12)) == []
    assert "IND" in members("msp", date(2024, 1, 1))
    assert "IND" not in members("msp", date(2023, 1, 1))
    assert len(members("oecd", date(2022, 1, 1))) == 38
    concern = members("countries-of-concern", date(2025, 1, 1))
    assert {"CHN", "HKG", "RUS", "IRN", "PRK", "CUB", "VEN"} <= set(concern)


def test_unverified_members_say_why() -> None:
    msp = builtin_groups()["msp"]
    unverified = {m.iso3: m.note for m in msp.members if not m.verified}
    assert set(unverified) == {"ITA", "NOR"}
    assert all("not confirmed" in note for note in unverified.values())


def test_resolve_accepts_codes_and_groups() -> None:
    assert resolve("ind", date(2026, 3, 1)) == ["IND"]
    assert resolve("TWN", date(2026, 3, 1)) == ["TWN"]
    assert resolve("Quad", date(2026, 3, 1)) == ["AUS", "IND", "JPN", "USA"]
    with pytest.raises(UnknownCodeError, match=r"known groups: countries-of-concern, eu27"):
        resolve("XYZ", date(2026, 3, 1))
    with pytest.raises(UnknownCodeError, match="unknown group 'nato'"):
        members("nato", date(2026, 3, 1))
    assert "TWN" in iso3_codes()
    assert "XXX" not in iso3_codes()


def test_add_group_file_installs_a_valid_group(tmp_path: Path) -> None:
    home = tmp_path / "home"
    target = add_group_file(_write(tmp_path, "mine.toml", VALID), home)
    assert target == home / "groups" / "mine.toml"
    assert target.exists()
    assert resolve("chip-four", date(2023, 1, 1), home=home) == ["TWN", "USA"]
    assert resolve("chip-four", date(2024, 1, 1), home=home) == ["USA"]
    assert load_groups(home)["chip-four"].origin == str(target)
    assert "chip-four" not in load_groups()  # built-ins alone without a home


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        (VALID.replace('iso3 = "usa"', 'iso3 = "XXX"'), "member XXX > iso3", "not an ISO 3166-1 alpha-3"),
        (VALID.replace('"chip-four"', '"Chip Four"'), "name", "lower-case-hyphenated"),
        (VALID.replace('note = "Not confirmed."', ""), "member TWN", "needs a note"),
        (VALID.replace("to = 2023-12-31", "to = 2021-12-31"), "member TWN", "before 'from'"),
        (
            VALID.replace('url = "https://example.org/list"', 'url = "example"'),
            "source > url",
            "should match",
        ),
        (VALID.replace("verified = true", "verifed = true"), "member usa", "verifed: Extra inputs are not"),
    ],
)
def test_invalid_group_files_name_the_file_and_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    path = _write(tmp_path, "bad.toml", text)
    with pytest.raises(SchemaError, match=message) as info:
        add_group_file(path, tmp_path / "home")
    assert str(path) in str(info.value)
    assert info.value.field is not None
    assert field in info.value.field
    assert not (tmp_path / "home" / "groups" / "bad.toml").exists()


def test_invalid_toml_names_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, "broken.toml", '[[group]]\nname = "x"\ntitle = "unterminated\n')
    with pytest.raises(SchemaError, match="not valid TOML") as info:
        add_group_file(path, tmp_path / "home")
    assert info.value.line == 3


def test_missing_or_wrong_files(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match="file not found"):
        add_group_file(tmp_path / "absent.toml", tmp_path / "home")
    with pytest.raises(SchemaError, match=r"no \[\[group\]\] table"):
        add_group_file(_write(tmp_path, "empty.toml", "# nothing\n"), tmp_path / "home")


def test_builtin_names_are_reserved_unless_overridden(tmp_path: Path) -> None:
    home = tmp_path / "home"
    clash = VALID.replace('"chip-four"', '"countries-of-concern"')
    with pytest.raises(SchemaError, match="name of a built-in group") as info:
        add_group_file(_write(tmp_path, "clash.toml", clash), home)
    assert "override = true" in str(info.value)
    override = clash.replace('title = "Chip 4"', 'title = "My concerns"\noverride = true')
    add_group_file(_write(tmp_path, "clash.toml", override), home)
    assert load_groups(home)["countries-of-concern"].title == "My concerns"
    assert members("countries-of-concern", date(2023, 1, 1), home=home) == ["TWN", "USA"]
    assert "CHN" in members("countries-of-concern", date(2023, 1, 1))  # the default is unchanged


def test_two_user_files_cannot_define_one_group(tmp_path: Path) -> None:
    home = tmp_path / "home"
    add_group_file(_write(tmp_path, "a.toml", VALID), home)
    with pytest.raises(SchemaError, match="already defined in"):
        add_group_file(_write(tmp_path, "b.toml", VALID), home)
    add_group_file(_write(tmp_path, "a.toml", VALID.replace("Chip 4", "Chip Four")), home)  # re-adding edits
    assert load_groups(home)["chip-four"].title == "Chip Four"


def test_cli_pax_silica_members_as_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = run(["--home", str(tmp_path), "groups", "pax-silica", "--at", "2026-03-01", "--format", "csv"])
    assert code == 0
    lines = list(csv.reader(capsys.readouterr().out.splitlines()))
    assert lines[0] == ["iso3", "country", "from", "to", "verified", "source", "note"]
    assert [line[0] for line in lines[1:]] == members("pax-silica", date(2026, 3, 1))
    india = next(line for line in lines[1:] if line[0] == "IND")
    assert india[2] == "2026-02-20"
    assert india[3] == ""
    assert all("http" in line[5] for line in lines[1:])


def test_cli_show_all_periods_keeps_leavers(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(tmp_path), "groups", "show", "eu27", "--all", "--format", "csv"]) == 0
    rows = {line[0]: line for line in csv.reader(capsys.readouterr().out.splitlines()[1:])}
    assert rows["GBR"][3] == "2020-01-31"


def test_cli_all_periods_list_members_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(tmp_path), "groups", "show", "pax-silica", "--all", "--format", "csv"]) == 0
    india = [line for line in csv.reader(capsys.readouterr().out.splitlines()[1:]) if line[0] == "IND"]
    assert [line[2] for line in india] == ["2026-02-20"]  # the invitation is not a membership


def test_cli_unknown_group_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["--home", str(tmp_path), "groups", "no-such-group"]) == 2
    assert "known groups" in capsys.readouterr().err


def test_cli_bad_date_exits_2(tmp_path: Path) -> None:
    assert run(["--home", str(tmp_path), "groups", "eu27", "--at", "2013-13-01"]) == 2


def test_cli_list_and_add(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = tmp_path / "home"
    assert run(["--home", str(home), "groups", "add", str(_write(tmp_path, "mine.toml", VALID))]) == 0
    capsys.readouterr()
    assert run(["--home", str(home), "groups", "--at", "2023-06-01", "--format", "csv"]) == 0
    listed = {line[0]: line for line in csv.reader(capsys.readouterr().out.splitlines()[1:])}
    assert listed["chip-four"][2:4] == ["2", "1"]  # two members then, one unverified
    assert listed["eu27"][2] == "27"
    assert listed["eu27"][4] == "package"


def test_cli_add_invalid_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = _write(tmp_path, "bad.toml", VALID.replace('iso3 = "usa"', 'iso3 = "XXX"'))
    assert run(["--home", str(tmp_path / "home"), "groups", "add", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err
    assert "iso3" in err


# -- names never collide with countries or other groups (issue 20) ------------------------------


@pytest.mark.parametrize("name", ["chn", "ind", "twn", "usa"])
def test_a_group_can_never_take_a_country_code(tmp_path: Path, name: str) -> None:
    clash = VALID.replace('"chip-four"', f'"{name}"')
    with pytest.raises(SchemaError, match="is the ISO3 code of") as info:
        add_group_file(_write(tmp_path, "clash.toml", clash), tmp_path / "home")
    assert info.value.field == f"group {name} > name"
    overridden = clash.replace('title = "Chip 4"', 'title = "Chip 4"\noverride = true')
    with pytest.raises(SchemaError, match="is the ISO3 code of"):  # override cannot help
        add_group_file(_write(tmp_path, "clash.toml", overridden), tmp_path / "home")


@pytest.mark.parametrize("name", ["CHN", "Chn", "Quad", "QUAD"])
def test_upper_case_names_are_refused(tmp_path: Path, name: str) -> None:
    clash = VALID.replace('"chip-four"', f'"{name}"')
    with pytest.raises(SchemaError, match="lower-case-hyphenated"):
        add_group_file(_write(tmp_path, "clash.toml", clash), tmp_path / "home")


def test_a_group_file_installed_before_the_rule_fails_cleanly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    home = tmp_path / "home"
    (home / "groups").mkdir(parents=True)
    _write(home / "groups", "old.toml", VALID.replace('"chip-four"', '"chn"'))
    with pytest.raises(SchemaError, match="ISO3 code of China"):
        load_groups(home)
    assert run(["--home", str(home), "groups"]) == 2
    assert "old.toml" in capsys.readouterr().err


def test_a_country_code_always_resolves_to_the_country(tmp_path: Path) -> None:
    assert resolve("chn", date(2024, 1, 1)) == ["CHN"]
    assert resolve(" Chn ", date(2024, 1, 1), home=tmp_path) == ["CHN"]
    names = set(builtin_groups())
    assert not {n.upper() for n in names} & set(iso3_codes())


def test_one_country_cannot_hold_two_overlapping_periods(tmp_path: Path) -> None:
    overlap = VALID.replace('iso3 = "TWN"', 'iso3 = "USA"')
    with pytest.raises(SchemaError, match="overlap"):
        add_group_file(_write(tmp_path, "overlap.toml", overlap), tmp_path / "home")


def test_guests_and_invitees_are_not_members(tmp_path: Path) -> None:
    home = tmp_path / "home"
    guest = VALID.replace('iso3 = "TWN"', 'iso3 = "TWN"\n  role = "guest"')
    add_group_file(_write(tmp_path, "guest.toml", guest), home)
    assert members("chip-four", date(2023, 1, 1), home=home) == ["USA"]
    assert [m.iso3 for m in load_groups(home)["chip-four"].at(date(2023, 1, 1), roles=("guest",))] == ["TWN"]
    bad = VALID.replace('iso3 = "TWN"', 'iso3 = "TWN"\n  role = "observer"')
    with pytest.raises(SchemaError, match="member TWN > role"):
        add_group_file(_write(tmp_path, "bad.toml", bad), home)


def test_markup_in_a_user_group_never_crashes_a_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Rich markup in data (``[/x]`` closes a tag never opened; ``[segments]`` looks like a style)
    is printed as text by every command that shows it (issue 20)."""
    home = tmp_path / "home"
    marked = (
        VALID.replace('title = "Chip 4"', 'title = "Chip [/x] 4 [bold]"')
        .replace('note = "Not confirmed."', 'note = "Not confirmed [segments] [/x]."')
        .replace('publisher = "Test"', 'publisher = "[red]Test[/x]"')
    )
    assert run(["--home", str(home), "groups", "add", str(_write(tmp_path, "marked.toml", marked))]) == 0
    capsys.readouterr()
    for args in (
        ["groups", "--at", "2023-01-01"],
        ["groups", "chip-four", "--all", "--columns", "all"],
        ["register", "members", "--initiative", "chip-four", "--columns", "all"],
    ):
        assert run(["--home", str(home), *args]) == 0, args
        out = capsys.readouterr().out
        assert "[red]Test[/x]" in out, args
    assert run(["--home", str(home), "groups", "chip-four", "--all", "--columns", "all"]) == 0
    assert "Not confirmed [segments] [/x]." in capsys.readouterr().out
    assert run(["--home", str(home), "groups", "--at", "2023-01-01"]) == 0
    assert "Chip [/x] 4 [bold]" in capsys.readouterr().out
    # an error message that carries markup prints as text too
    named = _write(tmp_path, "named.toml", VALID.replace('"chip-four"', '"[/x]"'))
    assert run(["--home", str(home), "groups", "add", str(named)]) == 2
    assert "'[/x]' is not lower-case-hyphenated" in capsys.readouterr().err
    bad = _write(tmp_path, "bad.toml", VALID.replace('iso3 = "usa"', 'iso3 = "[/x]"'))
    assert run(["--home", str(home), "groups", "add", str(bad)]) == 2
    assert "'[/x]' is not an ISO 3166-1 alpha-3" in capsys.readouterr().err
