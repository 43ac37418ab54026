"""``build_brief``: ask the brief analysis, lay out its answer as page 1, sections and an annex,
and write the files. The parameters of the brief are declared here, once (the CLI reads them with
``defaults_of``); the choices (findings, options, recommendation) are the analysis's."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from friendshore.analyses.brief import decide
from friendshore.analyses.brief_evidence import DRAWS, Names, Question, gather
from friendshore.console import get_logger
from friendshore.reporting.assets import require_assets
from friendshore.reporting.brief.model import Brief, BriefFiles, Section, statements
from friendshore.reporting.brief.output import check_out
from friendshore.reporting.brief.provenance import collect_methods, fill_methods
from friendshore.reporting.brief.render import write_brief
from friendshore.reporting.brief.sections import ANNEX, SECTIONS
from friendshore.settings import Settings

__all__ = ["build_brief", "compose_brief"]

log = get_logger(__name__)


def compose_brief(
    settings: Settings,
    *,
    importer: str,
    partner: str | None = None,
    coalition: str | None = None,
    year: int | None = None,
    sector: str | None = None,
    members_at: date | None = None,
    concern: str | None = None,
    plan_example: str | None = "magnets",
    draws: int = DRAWS,
) -> Brief:
    """Ask the brief analysis for ``importer`` (ISO3 or group) and lay out its answer; write nothing.

    A code that is neither an ISO3 code nor a known group is refused first (``UnknownCodeError``).
    """
    question = Question(importer.strip().upper() if len(importer.strip()) == 3 else importer.strip(),
                        partner.strip().upper() if partner else None, coalition, members_at, concern, sector, year,
                        plan_example, draws)  # fmt: skip
    evidence = gather(settings, question)
    result = decide(evidence, settings)
    names = Names(settings)
    sentences = statements(result)
    sections: list[Section] = []
    for number, spec in enumerate([*SECTIONS, *ANNEX], start=2):
        log.info("brief: section %d, %s", number, spec.title)
        section = Section(spec.id, number, spec.title, spec.question, annex=spec in ANNEX)
        spec.build(result, evidence, names, sentences, section)
        sections.append(section)
    methods = collect_methods(evidence)
    last = Section("methods", len(sections) + 2, "Annex: methods, data and provenance",
                   "Where does every number come from, and what does it not say?", annex=True)  # fmt: skip
    fill_methods(last, methods)
    sections.append(last)
    return Brief(result, evidence, sections, datetime.now(UTC).strftime("%Y-%m-%d"), methods, sentences)


def build_brief(
    settings: Settings,
    *,
    importer: str,
    out: Path | str,
    partner: str | None = None,
    coalition: str | None = None,
    year: int | None = None,
    sector: str | None = None,
    members_at: date | None = None,
    concern: str | None = None,
    plan_example: str | None = "magnets",
    draws: int = DRAWS,
    pdf: bool = True,
) -> BriefFiles:
    """Write the brief for ``importer`` into ``out``: ``brief.html`` (self-contained), ``brief.pdf``,
    ``findings.json``, ``data/*.csv`` (every table behind it) and ``provenance.json``.

    ``concern`` (default: the reader's viewpoint, viewpoints.toml) is the country or group to reduce
    dependence on; ``partner`` (ISO3) is placed among the candidates; ``coalition`` (a group,
    resolved at ``members_at``) marks who is in it; ``plan_example`` is the shipped plan whose
    assumptions the options use, re-solved for the reader's own imports of its key product against its
    countries of concern (``None``: no options), with ``draws`` draws of its costs.
    ``out`` is checked before any work (``OutputFolderError``), and so are the npm assets the brief
    inlines (``AssetMissingError``): a brief without its charts or map is not written.
    """
    check_out(out)
    require_assets()
    brief = compose_brief(settings, importer=importer, partner=partner, coalition=coalition, year=year,
                          sector=sector, members_at=members_at, concern=concern, plan_example=plan_example,
                          draws=draws)  # fmt: skip
    return write_brief(brief, out, pdf=pdf)
