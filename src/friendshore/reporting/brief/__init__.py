"""The brief: one command, a decision document an analyst can send (HTML, PDF, findings.json, CSVs,
provenance).

``build_brief(settings, importer=..., out=...)`` asks the brief analysis
(``friendshore.analyses.brief``: findings, options, recommendation, unknowns), lays its answer out as
page 1, the evidence sections and an annex, and writes the files. See docs/brief.md.
"""

from friendshore.reporting.brief.build import build_brief, compose_brief
from friendshore.reporting.brief.model import Brief, BriefFiles
from friendshore.reporting.brief.output import OutputFolderError
from friendshore.reporting.brief.sections import ANNEX, SECTIONS, SectionSpec

__all__ = [
    "ANNEX",
    "SECTIONS",
    "Brief",
    "BriefFiles",
    "OutputFolderError",
    "SectionSpec",
    "build_brief",
    "compose_brief",
]
