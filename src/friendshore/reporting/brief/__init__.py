"""The brief: one command, a sourced report an analyst can send (HTML, PDF, CSVs, provenance).

``build_brief(settings, importer=..., out=...)`` runs the sections in ``SECTIONS`` (each calls
analyses and quotes their ``Result``s), collects the key findings and the methods, and writes the
files. See docs/brief.md.
"""

from friendshore.reporting.brief.build import Brief, BriefFiles, build_brief, compose_brief
from friendshore.reporting.brief.sections import SECTIONS, SectionSpec

__all__ = ["SECTIONS", "Brief", "BriefFiles", "SectionSpec", "build_brief", "compose_brief"]
