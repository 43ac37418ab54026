"""One word per idea across the CLI, the API and the analyses: the glossary.

Each entry names an idea, says what it means, and lists the words it replaced and in which commands
(kept for one release as hidden, deprecated CLI aliases that warn: ``interfaces.cli_common.renamed``,
and as deprecated keywords of the analysis, so the API takes them too). A word is replaced only where
it meant that idea: ``by`` is still the level of aggregation in ``dependencies``, but no longer the
holders in ``leverage`` (``holder``) or the imposer in ``register measures`` (``who``). A parameter, an option or a column that means one of these ideas uses its
word; ``tests/test_glossary.py`` checks that no command offers a word it replaced as a visible option. Money columns carry their unit in the
name (``MONEY_SUFFIXES``); the column catalogue (``analyses/columns.py``) says what each column is.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["GLOSSARY", "MONEY_SUFFIXES", "Term", "replaced_in"]


@dataclass(frozen=True)
class Term:
    """An idea's one word, its meaning, and the words it replaced: old word -> the commands (and the
    analyses and API routes of the same name) where the old word meant this idea."""

    word: str
    meaning: str
    replaced: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


GLOSSARY: dict[str, Term] = {
    t.word: t
    for t in (
        Term(
            "concern",
            "the set of countries to reduce dependence on (an ISO3 code or a group)",
            {"on": ("dependencies",), "exclude": ("partners",), "over": ("leverage",)},
        ),
        Term(
            "holder",
            "the country or group whose leverage over a target is measured (it supplies what the target "
            "imports)",
            {"by": ("leverage",)},
        ),
        Term(
            "who",
            "the country or group that imposes a measure of the register (an export control, a ban, a "
            "tariff); 'on' is the side it applies to",
            {"by": ("register measures",)},
        ),
        Term(
            "exporter",
            "the supplier that restricts its exports or is taxed in a shock or tariff (the actor)",
        ),
        Term(
            "draws", "the number of Monte Carlo draws of a sensitivity analysis", {"sensitivity": ("plan",)}
        ),
        Term("output", "which table of a result to show", {"show": ("partners", "event")}),
        Term("year", "the analysis year: the year of the trade (or other data) the analysis reads"),
        Term("by", "the level products are aggregated to (technology or stage)"),
        Term("members_at", "the date at which group memberships are resolved"),
    )
}

#: A money column's name ends with its unit: US dollars, thousand and million US dollars (with
#: ``_per_...`` after the unit for a rate, e.g. ``target_cost_usd_per_pp``).
MONEY_SUFFIXES = ("_usd", "_kusd", "_musd")


def replaced_in(command: str) -> dict[str, str]:
    """The words replaced in ``command`` (e.g. ``"leverage"``) -> the word that replaced each."""
    return {
        old: term.word
        for term in GLOSSARY.values()
        for old, commands in term.replaced.items()
        if command in commands
    }
