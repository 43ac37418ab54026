"""The register entries the register tests write: one builder per table (source, initiative,
investment, measure, group) giving a TOML entry, and ``write``. Tests vary an entry by the builders'
arguments or by ``str.replace`` on its text, so the defaults below are what those tests read."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path


def write(folder: Path, name: str, text: str) -> Path:
    """``text`` written to ``folder/name`` (the folder made if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _entry(table: str, *lines: str) -> str:
    return "\n".join(["", f"[[{table}]]", *(line for line in lines if line)]) + "\n"


def source(id: str = "s1", *, url: str | None = None) -> str:
    return _entry(
        "source",
        f'id = "{id}"',
        'publisher = "Test Institute"',
        'title = "A report"',
        f'url = "{url}"' if url else "",
        "date = 2024-05-01",
    )


def initiative(id: str, *, name: str, kind: str = "forum", details: str = "", source: str = "s1") -> str:
    """An initiative; ``details`` are further lines (dates, members, ``succeeded_by``)."""
    return _entry(
        "initiative",
        f'id = "{id}"',
        f'name = "{name}"',
        f'kind = "{kind}"',
        'aims = "Test."',
        details,
        f'sources = ["{source}"]',
        "verified = true",
    )


def investment(
    id: str = "uses-s1",
    *,
    status: str = "announced",
    details: str = "",
    source: str = "s1",
    note: str | None = None,
) -> str:
    """An investment in India; ``details`` are further lines (products, dates, money, capacity);
    with a ``note`` it is unverified."""
    return _entry(
        "investment",
        f'id = "{id}"',
        'company = "Test Co"',
        'country = "IND"',
        'facility = "fab"',
        'technology = "semiconductors"',
        "announced = 2024-02-01",
        f'status = "{status}"',
        details,
        f'sources = ["{source}"]',
        f"verified = {'false' if note else 'true'}",
        f'note = "{note}"' if note else "",
    )


def measure(
    id: str = "m1",
    *,
    title: str = "A test ban",
    kind: str = "export-ban",
    changes: str | None = None,
    announced: str | None = "2024-12-03",
    effective: str = "2024-12-03",
    end: str | None = None,
    summary: str = "Test.",
    year: str = "2024",
) -> str:
    """China's ban on one product to the United States, sourced inline; ``changes`` names the
    measure a status change (a suspension) changes."""
    return _entry(
        "measure",
        f'id = "{id}"',
        f'title = "{title}"',
        f'kind = "{kind}"',
        f'changes = ["{changes}"]' if changes else "",
        'who = ["CHN"]',
        'on = ["USA"]',
        'products = ["811292"]',
        f"announced = {announced}" if announced else "",
        f"effective = {effective}",
        f"end = {end}" if end else "",
        f'summary = "{summary}"',
        f'sources = [{{ publisher = "Test", title = "Inline", date = "{year}" }}]',
        "verified = true",
    )


def group(
    name: str = "my-club",
    *,
    title: str = "My club",
    members: Sequence[str] = ("USA",),
    guests: Sequence[str] = (),
    since: str = "2024-01-01",
) -> str:
    """A country group with its members (and guests, role ``guest``) from ``since``."""
    text = _entry(
        "group",
        f'name = "{name}"',
        f'title = "{title}"',
        'description = "A test group."',
        'source = { publisher = "Test", title = "Club charter", date = "2024" }',
    )
    for iso3, role in [(m, "") for m in members] + [(g, 'role = "guest"') for g in guests]:
        text += _entry("group.member", f'iso3 = "{iso3}"', role, f"from = {since}", "verified = true")
    return text
