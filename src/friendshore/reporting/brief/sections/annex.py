"""The annex of the brief: the fuller tables behind the decision part (every row is in ``data/``)."""

from __future__ import annotations

from friendshore.analyses.brief_evidence import Evidence, Names
from friendshore.analyses.result import Column, Result
from friendshore.reporting.brief.model import Section
from friendshore.reporting.brief.sections.common import country_names, table

__all__ = ["annex_tables"]


def annex_tables(
    brief: Result, ev: Evidence, names: Names, sentences: dict[str, str], section: Section
) -> None:
    """Exposure per product, world concentration, the candidates, and what we do not know."""
    unknown = brief.tables["unknowns"]
    if unknown.num_rows:
        view = Result("brief", "Unknowns", unknown, columns=(Column("kind", "kind", "text", True),
                                                             Column("what", "what we do not know", "text", True)))  # fmt: skip
        table(
            section, view, "brief.unknowns", ["kind", "what"], title="What we do not know, in full", limit=40
        )
    dep = ev.get("exposure")
    if dep is not None:
        ordered = dep.table.sort_by([("on_share", "descending"), ("hs6", "ascending")])
        table(section, dep, "exposure", ["hs6", "import_value_kusd", "on_share", "top_supplier", "top_share", "hhi"],
              title=dep.title, data=ordered, limit=15,
              labels={"hs6": {h: names.label(h) for h in dep.table.column("hs6").to_pylist()},
                      **country_names(dep, "top_supplier", names=names)})  # fmt: skip
    choke = ev.get("chokepoints")
    if choke is not None:
        table(section, choke, "chokepoints", ["hs6", "world_export_kusd", "top_exporter", "top_share", "world_hhi"],
              title=choke.title, limit=10,
              labels={"hs6": {h: names.label(h) for h in choke.table.column("hs6").to_pylist()},
                      **country_names(choke, "top_exporter", names=names)})  # fmt: skip
    cand = ev.get("partners")
    if cand is not None:
        table(section, cand, "partners", ["rank", "candidate", "in_coalition", "export_kusd", "share_ex_concern",
              "rank_p05", "rank_p95"], title=cand.title, limit=15,
              labels=country_names(cand, "candidate", names=names))  # fmt: skip
