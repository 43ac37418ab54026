"""``build_brief``: run the sections, collect the key findings and the methods, write the files.

The parameters of the brief are declared here, once (the CLI reads them with ``defaults_of``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from friendshore.console import get_logger, progress
from friendshore.reporting.brief.model import Section, Sentence
from friendshore.reporting.brief.provenance import Methods, collect_methods, fill_methods
from friendshore.reporting.brief.run import BriefRun
from friendshore.reporting.brief.sections import SECTIONS, Labels, attempt
from friendshore.settings import Settings, project_root

__all__ = ["MAX_FINDINGS", "Brief", "BriefFiles", "build_brief", "compose_brief"]

log = get_logger(__name__)

#: The key findings: at most this many sentences, in section order.
MAX_FINDINGS = 8

#: The tariff scenario of section 5: the checkout's example (found wherever the command runs from).
DEFAULT_TARIFF_SCENARIO = project_root() / "examples" / "gravity" / "us_china_tariff.toml"


@dataclass
class Brief:
    """Everything a brief shows, before it is written: sections, findings, calls and results."""

    title: str
    subtitle: str
    parameters: dict[str, Any]
    sections: list[Section]
    findings: list[Sentence]
    run: BriefRun
    generated: str
    methods: Methods
    labels: Labels = field(default_factory=Labels)

    def section(self, section_id: str) -> Section:
        return next(s for s in self.sections if s.id == section_id)


@dataclass(frozen=True)
class BriefFiles:
    """What ``build_brief`` wrote."""

    html: Path
    pdf: Path | None
    data: Path
    provenance: Path
    brief: Brief


def _labels(run: BriefRun) -> Labels:
    from friendshore.analyses.vocabulary import taxonomy
    from friendshore.nomenclature.groups import iso3_codes

    products: dict[str, str] = {}
    for row in taxonomy(run.settings).table.to_pylist():
        products.setdefault(str(row["hs6"]), _short(str(row["description"] or "")))
    from friendshore.nomenclature.groups import load_groups

    groups = {name: g.title for name, g in load_groups(run.settings.home).items()}
    return Labels(countries=dict(iso3_codes()), products=products, groups=groups)


def _short(description: str) -> str:
    """A product description people can read in a sentence: its first clause, at most 60 characters."""
    text = description.replace(";", ",").split(",")[0].strip()
    return text if len(text) <= 50 else text[:49].rsplit(" ", 1)[0].rstrip(" ,:") + "…"


def compose_brief(
    settings: Settings,
    *,
    importer: str,
    partner: str | None = None,
    coalition: str | None = None,
    year: int | None = None,
    sector: str | None = None,
    members_at: date | None = None,
    concern: str = "countries-of-concern",
    tariff_scenario: Path | None = DEFAULT_TARIFF_SCENARIO,
    plan_example: str | None = "magnets",
) -> Brief:
    """Run every section for an importer (ISO3 or group); write nothing.

    A code that is neither an ISO3 code nor a known group is refused first (``UnknownCodeError``),
    so a typo gives one line, not a brief of gaps.
    """
    from friendshore.nomenclature.groups import resolve

    when = members_at or date.today()
    for code in (importer, partner, coalition, concern):
        if code:
            resolve(code, when, home=settings.home)
    run = BriefRun(
        settings,
        importer=importer,
        partner=partner.upper() if partner else None,
        coalition=coalition,
        year=year,
        sector=sector,
        members_at=members_at,
        concern=concern,
        tariff_scenario=tariff_scenario,
        plan_example=plan_example,
    )
    labels = _labels(run)
    sections: list[Section] = [
        Section("findings", 1, "Key findings", "What should a reader take away?"),
    ]
    with progress() as bar:
        task = bar.add_task("brief", total=len(SECTIONS))
        for number, spec in enumerate(SECTIONS, start=2):
            bar.update(task, description=f"brief: {spec.title.lower()}")
            log.info("brief: section %d, %s", number, spec.title)
            section = Section(spec.id, number, spec.title, spec.question)
            attempt(section, lambda: spec.build(run, section, labels))  # noqa: B023
            sections.append(section)
            bar.advance(task)
    methods = Section("methods", len(sections) + 1, "Methods, data and provenance",
                      "Where does every number come from, and what does it not say?")  # fmt: skip
    sections.append(methods)
    collected = collect_methods(run)
    fill_methods(methods, collected)
    findings = _choose_findings(sections)
    who = labels.group(importer)
    year_used = _year_used(run)
    subtitle = ", ".join(
        part
        for part in (
            f"partner {labels.country(run.partner)}" if run.partner else "",
            f"coalition {coalition}" + (f" (members at {members_at.isoformat()})" if members_at else "")
            if coalition
            else "",
            f"countries of concern: {concern}" if concern != "countries-of-concern" else "",
            f"trade year {year_used}" if year_used else "",
            f"sector {sector}" if sector else "",
        )
        if part
    )
    parameters = {
        "importer": importer,
        "partner": run.partner,
        "coalition": coalition,
        "year": year,
        "sector": sector,
        "members_at": members_at,
        "concern": concern,
        "tariff_scenario": str(tariff_scenario) if tariff_scenario else None,
        "plan_example": plan_example,
    }
    return Brief(
        title=f"Technology supply-chain security: {who}",
        subtitle=subtitle[:1].upper() + subtitle[1:],
        parameters=parameters,
        sections=sections,
        findings=findings,
        run=run,
        generated=datetime.now(UTC).strftime("%Y-%m-%d"),
        methods=collected,
        labels=labels,
    )


def _choose_findings(sections: list[Section]) -> list[Sentence]:
    """Each section's first finding, then the others, up to ``MAX_FINDINGS``, in section order."""
    ranked = [(i, j, f) for i, s in enumerate(sections) for j, f in enumerate(s.findings)]
    chosen = sorted(ranked, key=lambda t: (t[1] > 0, t[0], t[1]))[:MAX_FINDINGS]
    return [f for _i, _j, f in sorted(chosen, key=lambda t: (t[0], t[1]))]


def _year_used(run: BriefRun) -> Any:
    for result in run.results.values():
        year = result.parameters.get("year")
        if isinstance(year, int):
            return year
    return run.year


def build_brief(
    settings: Settings,
    *,
    importer: str,
    out: Path,
    partner: str | None = None,
    coalition: str | None = None,
    year: int | None = None,
    sector: str | None = None,
    members_at: date | None = None,
    concern: str = "countries-of-concern",
    tariff_scenario: Path | None = DEFAULT_TARIFF_SCENARIO,
    plan_example: str | None = "magnets",
    pdf: bool = True,
) -> BriefFiles:
    """Write the brief for an importer (ISO3 or group) into ``out``: ``brief.html`` (self-contained),
    ``brief.pdf``, ``data/*.csv`` (every table behind it) and ``provenance.json``.

    ``partner`` (ISO3) is placed among the candidates; ``coalition`` (a group, resolved at
    ``members_at``) marks who is in it; ``concern`` is the country or group to reduce dependence
    on; ``tariff_scenario`` is the gravity scenario of section 5 and ``plan_example`` the shipped
    coalition plan of section 6 (``friendshore plan --example``; ``None``: none).
    """
    from friendshore.reporting.brief.render import write_brief

    brief = compose_brief(
        settings,
        importer=importer,
        partner=partner,
        coalition=coalition,
        year=year,
        sector=sector,
        members_at=members_at,
        concern=concern,
        tariff_scenario=tariff_scenario,
        plan_example=plan_example,
    )
    return write_brief(brief, Path(out), pdf=pdf)
