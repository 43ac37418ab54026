"""The sections of the brief after page 1, in reading order: each one renders evidence the brief
analysis (``friendshore.analyses.brief``) gathered and chose; none calls an analysis or chooses.

A section is a ``SectionSpec`` in ``SECTIONS``; its builder receives the brief ``Result``, the
evidence, the names, the rendered sentences and the section to fill. ``ANNEX`` follows, after a page
break: the full tables and the methods.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Result
from friendshore.reporting.brief.model import Section
from friendshore.reporting.brief.sections.annex import annex_tables
from friendshore.reporting.brief.sections.decision import events, options, partners, shocks
from friendshore.reporting.brief.sections.exposure import exposure, supply_risk

__all__ = ["ANNEX", "SECTIONS", "Builder", "SectionSpec"]

Builder = Callable[[Result, Evidence, Names, dict[str, str], Section], None]


@dataclass(frozen=True)
class SectionSpec:
    """One section of the brief: where it sits, what it asks, and the builder that renders it."""

    id: str
    title: str
    question: str
    build: Builder


SECTIONS: tuple[SectionSpec, ...] = (
    SectionSpec(
        "exposure", "Exposure along the value chain", "Where are we exposed, and how badly?", exposure
    ),
    SectionSpec(
        "supply-risk",
        "Critical-material supply risk",
        "How risky is each critical material for us?",
        supply_risk,
    ),
    SectionSpec("partners", "Partners", "Who could replace the countries of concern?", partners),
    SectionSpec("shocks", "A supply cut", "What if the countries of concern stopped supplying?", shocks),
    SectionSpec("options", "Options", "What would each option cost, and what does it assume?", options),
    SectionSpec("events", "Events and commitments", "Which measures and investments bear on this?", events),
)

ANNEX: tuple[SectionSpec, ...] = (
    SectionSpec(
        "annex-tables",
        "Annex: the tables behind the brief",
        "What else did the analyses return?",
        annex_tables,
    ),
)
