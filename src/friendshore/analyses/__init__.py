"""Analyses: one function per user question, plain typed parameters in, one ``Result`` out.

Each module answers one kind of question (``dependencies``, ``supply_risk``, ``partners``, ...).
Defaults are declared here, once; the CLI, the API and the brief read them from the signatures and
render the ``Result``. Modules import their engines inside the functions, so importing an analysis
module is cheap.
"""

from friendshore.analyses.result import Column, Provenance, Result

__all__ = ["Column", "Provenance", "Result"]
