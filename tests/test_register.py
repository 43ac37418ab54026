"""The register: shipped entries validate and are sourced, every validation rule, user files and
overrides, queries, the CLI, and groups and register agreeing on every membership change."""

from __future__ import annotations

import csv
import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from friendshore.errors import SchemaError, UnknownCodeError, UserError
from friendshore.interfaces.cli import run
from friendshore.nomenclature import groups as nomenclature_groups
from friendshore.nomenclature.groups import load_groups
from friendshore.register import (
    add_register_file,
    initiatives,
    investments,
    load_register,
    measure_parties,
    measures,
    members,
    memberships,
)
from friendshore.register.models import Investment
from helpers import examples
from register_fixtures import group, initiative, investment, measure, source, write

VALID = (
    source("my-report", url="https://example.org/report")
    + initiative(
        "chip-club",
        name="Chip club",
        kind="coalition",
        details='launched = 2024-01-01\nlead = ["usa"]\ngroup = "quad"',
        source="my-report",
    )
    + investment(
        "test-fab",
        status="under-construction",
        details="\n".join(
            [
                'products = ["854231"]',
                "construction_start = 2024-06-01",
                'amount = 1_000_000_000\ncurrency = "USD"',
                'capacity_per_year = 120000\ncapacity_unit = "wafers"',
            ]
        ),
        source="my-report",
        note="Capacity not confirmed.",
    )
    + measure("test-ban", announced=None)
)


# -- the shipped register ------------------------------------------------------------------------


def test_shipped_register_validates_and_every_entry_is_sourced() -> None:
    reg = load_register()
    assert len(reg.measures) >= 8
    assert len(reg.initiatives) >= 6
    for kind in (reg.initiatives, reg.investments, reg.measures):
        for entry in kind.values():
            cited = reg.cite(entry)
            assert cited, entry.id
            assert all(s.publisher and s.title and s.date for s in cited), entry.id
            assert entry.verified or entry.note.strip(), entry.id
    for shipped in reg.sources.values():
        assert shipped.url is None or shipped.url.startswith("http"), shipped.id


def test_commentary_entries_cite_the_commentary() -> None:
    reg = load_register()
    for entry in [
        reg.initiatives["icet"],
        reg.initiatives["trust"],
        reg.initiatives["pax-silica"],
        reg.initiatives["3rd-itec-ussf-afrl"],
        reg.investments["micron-sanand-atmp"],
        reg.investments["globalfoundries-india-design"],
    ]:
        assert "rsis-rajeev" in entry.sources, entry.id
    assert reg.initiatives["icet"].succeeded_by == "trust"
    assert reg.initiatives["pax-silica"].launched == date(2025, 12, 11)
    assert reg.investments["micron-sanand-atmp"].facility == "osat"
    assert reg.investments["globalfoundries-india-design"].facility == "design"
    india = memberships(initiative="pax-silica", country="IND")
    assert [(m.role, m.start.isoformat()) for m in india] == [
        ("invited", "2026-02-01"),
        ("member", "2026-02-20"),
    ]
    assert not india[0].verified  # the day stands for a month


@pytest.mark.parametrize(
    ("measure", "who", "effective", "verified"),
    [
        # the four chip-tool controls: dates checked against the rules' texts (Federal Register
        # reproductions, gazette and press reports listed in their sources)
        ("us-bis-2022-10-advanced-computing-sme", "USA", date(2022, 10, 7), True),
        ("us-bis-2023-10-sme", "USA", date(2023, 11, 17), True),
        ("us-bis-2023-10-advanced-computing", "USA", date(2023, 11, 17), False),
        ("nl-2023-09-advanced-sme", "NLD", date(2023, 9, 1), True),
        ("jp-2023-07-sme", "JPN", date(2023, 7, 23), True),
        ("cn-2023-08-gallium-germanium", "CHN", date(2023, 8, 1), False),
        ("cn-2025-04-rare-earths", "CHN", date(2025, 4, 4), False),
        ("cn-2025-10-rare-earths-overseas", "CHN", date(2025, 10, 9), False),
    ],
)
def test_the_measures_the_analyses_need(measure: str, who: str, effective: date, verified: bool) -> None:
    item = load_register().measures[measure]
    assert item.who == (who,)
    assert item.effective == effective
    assert item.products  # HS6 codes for the trade analyses
    assert item.verified is verified  # unverified: no official text was read; the note says what was checked
    assert item.note


# -- groups and register cannot disagree --------------------------------------------------------


def _change_days(name: str, home: Path | None = None) -> list[date]:
    """Every day on which a group's membership (any role) may change, and the day before."""
    days: set[date] = set()
    for m in load_groups(home)[name].members:
        days |= {m.start, m.start - timedelta(days=1)}
        if m.end is not None:
            days |= {m.end, m.end + timedelta(days=1)}
    return sorted(days)


def test_groups_pax_silica_equals_register_members_on_every_change_day(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    days = _change_days("pax-silica")
    assert len(days) >= 8
    for day in days:
        capsys.readouterr()
        args = ["--home", str(tmp_path), "groups", "pax-silica", "--at", day.isoformat(), "--format", "csv"]
        assert run(args) == 0
        listed = [row[0] for row in csv.reader(capsys.readouterr().out.splitlines()[1:])]
        assert listed == members("pax-silica", day), day
        assert listed == nomenclature_groups.members("pax-silica", day), day
    # the invitation is the register's, not the group's member list
    assert members("pax-silica", date(2026, 2, 10), roles=("invited",)) == ["IND"]
    assert "IND" not in members("pax-silica", date(2026, 2, 10))


def test_every_group_agrees_with_the_register_on_every_change_day() -> None:
    reg = load_register()
    for name in reg.groups:
        for day in _change_days(name):
            assert members(name, day, register=reg) == nomenclature_groups.members(name, day), (name, day)


@settings(max_examples=examples(50))
@given(st.dates(min_value=date(1957, 1, 1), max_value=date(2030, 12, 31)))
def test_groups_and_register_agree_on_any_day(day: date) -> None:
    reg = load_register()
    for name in ("eu27", "pax-silica", "icet", "trust", "msp"):
        assert members(name, day, register=reg) == nomenclature_groups.members(name, day)


def test_a_user_group_is_in_the_register_at_once(tmp_path: Path) -> None:
    home = tmp_path / "home"
    chip_four = group("chip-four", title="Chip 4", members=["KOR"], guests=["TWN"], since="2022-03-01")
    write(home / "groups", "mine.toml", chip_four)
    assert members("chip-four", date(2023, 1, 1), home=home) == ["KOR"]
    assert nomenclature_groups.members("chip-four", date(2023, 1, 1), home=home) == ["KOR"]
    assert members("chip-four", date(2023, 1, 1), roles=("guest",), home=home) == ["TWN"]


# -- validation: one test per rule --------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "field", "message"),
    [
        # missing source
        (
            'sources = ["my-report"]\nverified = true\n\n[[investment]]',
            "verified = true\n\n[[investment]]",
            "initiative chip-club",
            "no source",
        ),
        # a cited source id that does not exist
        (
            'group = "quad"\nsources = ["my-report"]',
            'group = "quad"\nsources = ["no-such-report"]',
            "initiative chip-club > sources",
            "unknown source 'no-such-report'",
        ),
        # unknown country
        ('country = "IND"', 'country = "XXX"', "investment test-fab > country", "not an ISO 3166-1 alpha-3"),
        ('lead = ["usa"]', 'lead = ["USSR"]', "initiative chip-club > lead", "not an ISO 3166-1 alpha-3"),
        ('on = ["USA"]', 'on = ["no-such-group"]', "measure test-ban > on", "neither an ISO3 country code"),
        # end before start
        (
            "effective = 2024-12-03",
            "effective = 2024-12-03\nend = 2024-12-01",
            "measure test-ban",
            "'end' (2024-12-01) is before 'effective'",
        ),
        (
            "construction_start = 2024-06-01",
            "construction_start = 2024-01-01",
            "investment test-fab",
            "'construction_start' (2024-01-01) is before 'announced'",
        ),
        (
            "launched = 2024-01-01",
            "launched = 2024-01-01\nended = 2023-01-01",
            "initiative chip-club",
            "'ended' (2023-01-01) is before 'launched'",
        ),
        # unknown technology or HS6
        (
            'technology = "semiconductors"',
            'technology = "chips"',
            "investment test-fab > technology",
            "unknown technology 'chips'",
        ),
        (
            'products = ["811292"]',
            'products = ["999999"]',
            "measure test-ban > products",
            "not in friendshore's HS 2017 taxonomy",
        ),
        (
            'products = ["811292"]',
            "products = [811292]",
            "measure test-ban > products",
            "must be written as a string",
        ),
        (
            'products = ["811292"]',
            'products = ["8112"]',
            "measure test-ban > products",
            "not a 6-digit HS code",
        ),
        ('products = ["811292"]', 'inputs = ["22"]', "measure test-ban > inputs", "not an ETO input id"),
        # capacity without a unit
        ('capacity_unit = "wafers"\n', "", "investment test-fab", "capacity_per_year has no unit"),
        (
            'amount = 1_000_000_000\ncurrency = "USD"',
            "amount = 1_000_000_000",
            "investment test-fab",
            "give 'amount' and 'currency' together",
        ),
        # duplicate id
        ('id = "test-ban"', 'id = "test-fab"', "", ""),  # another kind: allowed (ids are per kind)
        (
            '[[measure]]\nid = "test-ban"',
            '[[measure]]\nid = "test-ban"\n' + "x = 1\n",
            "measure test-ban > x",
            "Extra inputs are not permitted",
        ),
        # unverified without a note
        ('note = "Capacity not confirmed."', "", "investment test-fab", "needs a note"),
        ('kind = "export-ban"', 'kind = "embargo"', "measure test-ban > kind", "Input should be"),
        ('id = "chip-club"', 'id = "Chip Club"', "initiative Chip Club > id", "lower-case-hyphenated"),
    ],
)
def test_each_rule_names_file_entry_and_field(
    tmp_path: Path, old: str, new: str, field: str, message: str
) -> None:
    assert old in VALID
    path = write(tmp_path, "bad.toml", VALID.replace(old, new, 1))
    if not message:
        add_register_file(path, tmp_path / "home")  # accepted
        return
    with pytest.raises(SchemaError, match=re.escape(message)) as info:
        add_register_file(path, tmp_path / "home")
    assert str(path) in str(info.value)
    assert info.value.field is not None
    assert info.value.field.startswith(field), info.value.field
    assert not (tmp_path / "home" / "register" / "bad.toml").exists()


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    twice = VALID + VALID[VALID.index("[[measure]]") :]
    with pytest.raises(SchemaError, match="measure 'test-ban' is defined twice") as info:
        add_register_file(write(tmp_path, "twice.toml", twice), home)
    assert info.value.field == "measure test-ban"
    add_register_file(write(tmp_path, "a.toml", VALID), home)
    with pytest.raises(SchemaError, match="already defined in"):
        add_register_file(write(tmp_path, "b.toml", VALID), home)
    add_register_file(
        write(tmp_path, "a.toml", VALID.replace("A test ban", "Edited")), home
    )  # re-adding edits
    assert load_register(home).measures["test-ban"].title == "Edited"


def test_shipped_ids_need_override_and_override_needs_a_shipped_entry(tmp_path: Path) -> None:
    home = tmp_path / "home"
    clash = VALID.replace('id = "test-ban"', 'id = "cn-2023-08-gallium-germanium"')
    with pytest.raises(SchemaError, match="has the id of a shipped measure") as info:
        add_register_file(write(tmp_path, "clash.toml", clash), home)
    assert "override = true" in str(info.value)
    stray = VALID.replace('id = "test-ban"', 'id = "test-ban"\noverride = true')
    with pytest.raises(SchemaError, match="no shipped measure 'test-ban' to replace"):
        add_register_file(write(tmp_path, "stray.toml", stray), home)
    override = clash.replace('title = "A test ban"', 'title = "My reading"\noverride = true')
    add_register_file(write(tmp_path, "clash.toml", override), home)
    mine = load_register(home).measures["cn-2023-08-gallium-germanium"]
    assert mine.title == "My reading"
    assert mine.effective == date(2024, 12, 3)
    assert mine.origin == str(home / "register" / "clash.toml")
    assert load_register().measures["cn-2023-08-gallium-germanium"].effective == date(2023, 8, 1)


def test_memberships_are_refused_in_register_files(tmp_path: Path) -> None:
    text = VALID + '\n[[membership]]\ninitiative = "quad"\ncountry = "NZL"\n'
    with pytest.raises(SchemaError, match="memberships are not written in register files") as info:
        add_register_file(write(tmp_path, "m.toml", text), tmp_path / "home")
    assert "groups add" in str(info.value)


def test_empty_or_broken_files(tmp_path: Path) -> None:
    with pytest.raises(SchemaError, match="no \\[\\[source\\]\\]"):
        add_register_file(write(tmp_path, "empty.toml", "# nothing\n"), tmp_path / "home")
    with pytest.raises(SchemaError, match="not valid TOML") as info:
        add_register_file(write(tmp_path, "broken.toml", '[[measure]]\nid = "x\n'), tmp_path / "home")
    assert info.value.line == 2
    with pytest.raises(UserError, match=r"must be a \.toml file"):
        add_register_file(write(tmp_path, "x.txt", VALID), tmp_path / "home")


# -- queries ------------------------------------------------------------------------------------


def test_measures_on_a_country_follow_world_exempt_and_imposers() -> None:
    day = date(2024, 1, 1)
    on_germany = {m.id for m in measures(on="DEU", effective_at=day)}
    assert "jp-2023-07-sme" in on_germany  # every destination
    assert "nl-2023-09-advanced-sme" not in on_germany  # the EU is exempt
    assert "cn-2023-08-gallium-germanium" in on_germany
    on_china = {m.id for m in measures(on="CHN", effective_at=day)}
    assert "cn-2023-08-gallium-germanium" not in on_china  # China does not control itself
    assert {"us-bis-2022-10-advanced-computing-sme", "nl-2023-09-advanced-sme", "jp-2023-07-sme"} <= on_china
    by_china = {m.id for m in measures(who="CHN")}
    assert {
        "cn-2023-08-gallium-germanium",
        "cn-2025-04-rare-earths",
        "cn-2025-10-rare-earths-overseas",
    } <= by_china
    assert all(m.startswith("cn-") for m in by_china)
    reg = load_register()
    who, on = measure_parties(reg.measures["nl-2023-09-advanced-sme"], day, reg)
    assert who == {"NLD"}
    assert on is None


def test_measures_in_force_and_by_window_for_the_event_view() -> None:
    window = (date(2022, 1, 1), date(2023, 12, 31))
    found = measures(on="CHN", products=["848620"], effective_between=window)
    assert [m.effective for m in found] == sorted(m.effective for m in found)
    assert [m.id for m in found] == [
        "us-bis-2022-10-advanced-computing-sme",
        "jp-2023-07-sme",
        "nl-2023-09-advanced-sme",
        "us-bis-2023-10-sme",
    ]
    suspended = "cn-2025-10-rare-earths-overseas"
    assert suspended in {m.id for m in measures(effective_at=date(2025, 11, 6))}
    assert suspended not in {m.id for m in measures(effective_at=date(2025, 11, 7))}
    magnets = {m.id for m in measures(technology="magnets-motors")}
    assert {"cn-2025-04-rare-earths", "cn-2025-10-rare-earths-overseas"} <= magnets
    assert "jp-2023-07-sme" not in magnets
    with pytest.raises(UserError, match="ends"):
        measures(effective_between=(date(2024, 1, 1), date(2023, 1, 1)))
    with pytest.raises(UnknownCodeError):
        measures(on="chn-group")


@pytest.mark.parametrize(
    ("day", "status"),
    [
        (date(2023, 6, 21), None),
        (date(2023, 6, 22), "announced"),
        (date(2023, 9, 23), "under-construction"),
        (date(2026, 2, 27), "under-construction"),
        (date(2026, 2, 28), "operating"),
    ],
)
def test_investment_status_follows_its_dates(day: date, status: str | None) -> None:
    micron = load_register().investments["micron-sanand-atmp"]
    assert micron.status_at(day) == status
    listed = [i.id for i in investments(country="IND", active_at=day)]
    assert ("micron-sanand-atmp" in listed) == (status is not None)
    assert "globalfoundries-india-design" not in listed  # no date: never placed on a day
    if status:
        assert [i.id for i in investments(active_at=day, status=status)] == ["micron-sanand-atmp"]


def test_a_cancelled_investment_leaves_the_active_list() -> None:
    item = Investment.model_validate(
        {
            "id": "x",
            "company": "C",
            "country": "USA",
            "facility": "refinery",
            "technology": "critical-minerals",
            "announced": date(2020, 1, 1),
            "cancelled": date(2021, 1, 1),
            "status": "cancelled",
            "sources": ["s"],
            "verified": True,
        }
    )
    assert item.status_at(date(2020, 6, 1)) == "announced"
    assert item.status_at(date(2021, 1, 1)) == "cancelled"


def test_initiatives_by_country_and_date() -> None:
    assert [i.id for i in initiatives(country="IND", active_at=date(2024, 1, 1))] == ["quad", "msp", "icet"]
    assert [i.id for i in initiatives(country="IND", active_at=date(2026, 3, 1))] == [
        "quad",
        "msp",
        "trust",
        "quad-critical-minerals-initiative",
        "pax-silica",
    ]
    assert "pax-silica" not in {i.id for i in initiatives(country="IND", active_at=date(2026, 2, 10))}
    assert members("icet", date(2024, 1, 1)) == ["IND", "USA"]
    assert members("icet", date(2025, 2, 13)) == []
    with pytest.raises(UnknownCodeError, match="unknown initiative or group"):
        members("nato", date(2024, 1, 1))
    with pytest.raises(UserError, match="has no group of members"):
        members("3rd-itec-ussf-afrl", date(2024, 1, 1))


# -- the CLI ------------------------------------------------------------------------------------


def test_cli_lists_every_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(tmp_path)]
    assert run([*home, "register", "--format", "csv"]) == 0
    overview = {row[0]: row for row in csv.reader(capsys.readouterr().out.splitlines()[1:])}
    assert overview["measure"][1] == str(len(load_register().measures))
    assert overview["membership"][1] == str(len(load_register().memberships))
    assert run([*home, "register", "investments", "--country", "IND", "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    micron = next(r for r in rows if r["id"] == "micron-sanand-atmp")
    assert micron["amount_million"] == 2750
    assert micron["currency"] == "USD"
    assert (
        run([*home, "register", "members", "--initiative", "pax-silica", "--role", "invited", "-f", "csv"])
        == 0
    )
    assert [r[1] for r in csv.reader(capsys.readouterr().out.splitlines()[1:])] == ["IND"]
    assert run([*home, "register", "measures", "--who", "CHN", "--active-at", "2025-06-01", "-f", "csv"]) == 0
    ids = [r[0] for r in csv.reader(capsys.readouterr().out.splitlines()[1:])]
    assert ids == [
        "cn-2023-08-gallium-germanium",
        "cn-2023-12-graphite",
        "cn-2024-09-antimony-superhard",
        "cn-2024-12-us-dual-use-ban",
        "cn-2025-02-w-te-bi-mo-in",
        "cn-2025-04-rare-earths",
    ]
    assert run([*home, "register", "initiatives", "--country", "IND", "--active-at", "2024-01-01"]) == 0


def test_cli_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert run([*home, "register", "measures", "--country", "XXX"]) == 2
    assert run([*home, "register", "investments", "--active-at", "2024-13-01"]) == 2
    assert run([*home, "register", "investments", "--status", "dreaming"]) == 2
    capsys.readouterr()
    bad = write(tmp_path, "bad.toml", VALID.replace('country = "IND"', 'country = "XXX"'))
    assert run([*home, "register", "add", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "bad.toml" in err
    assert "investment test-fab > country" in err


def test_cli_add_then_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    home = ["--home", str(tmp_path / "home")]
    assert run([*home, "register", "add", str(write(tmp_path, "mine.toml", VALID))]) == 0
    assert "measure: test-ban" in capsys.readouterr().err
    assert run([*home, "register", "measures", "--on", "USA", "--format", "json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["test-ban"]["origin"].endswith("mine.toml")
    assert rows["test-ban"]["source"] == 'Test, "Inline" (2024)'
