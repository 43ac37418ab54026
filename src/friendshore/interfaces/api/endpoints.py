"""Every endpoint of the API, one declaration each.

An ``Endpoint`` names a path under ``/api/`` and the analysis it calls; the query parameters, their
types and defaults come from the analysis's signature (``params.analysis_params``), their help
text from the analysis's docstring (``analyses.docs.parameter_docs``). What an endpoint may add is
only what the signature cannot say: the CLI's name where it differs (``names``), a narrower type for
the web (``types``), parameters the web does not offer (``hidden``), a body or a confined file in
place of a server path, and
whether it runs a model or changes data (``protected``: POST, and the API token when the server
listens beyond loopback).

To add an analysis: one line in ``ENDPOINTS``, e.g. ``Endpoint("leverage", leverage.leverage)``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from friendshore.analyses import (
    chips,
    complexity,
    dependencies,
    event,
    gravity,
    labels,
    leverage,
    partners,
    plan,
    register,
    reproduce,
    shocks,
    sources,
    supply_risk,
    vocabulary,
    warehouse_status,
)
from friendshore.analyses.result import Result

__all__ = ["ENDPOINTS", "Body", "Endpoint", "endpoint"]

#: What a request body holds (TOML): a gravity scenario, a group file, a register file or a plan.
BodyKind = Literal["scenario", "shocks", "groups", "register", "plan"]


@dataclass(frozen=True)
class Body:
    """An analysis parameter filled from the request body (saved to a private temporary file).

    ``kind`` says how the body is checked: ``scenario`` (a gravity scenario whose data path must lie
    in the sample-data folder, with no code in its formula) or ``groups`` (a group file).
    ``examples``: a query parameter ``example=NAME`` may name a shipped example instead of a body.
    ``optional``: the analysis runs without a body too (a plan takes ``example=NAME`` itself).
    """

    param: str
    kind: BodyKind
    examples: bool = False
    optional: bool = False


@dataclass(frozen=True)
class Endpoint:
    """One analysis offered at ``/api/<path>``."""

    path: str
    analysis: Callable[..., Result]
    names: Mapping[str, str] = field(default_factory=dict)
    types: Mapping[str, Any] = field(default_factory=dict)
    hidden: frozenset[str] = frozenset()
    sample_files: frozenset[str] = frozenset()  # Path parameters naming a file inside the sample data
    formulas: frozenset[str] = frozenset()  # model formulas: column names and operators only
    body: Body | None = None
    protected: bool = False
    summary: str = ""

    @property
    def method(self) -> str:
        return "POST" if self.protected or self.body is not None else "GET"

    @property
    def path_params(self) -> frozenset[str]:
        return frozenset(part[1:-1] for part in self.path.split("/") if part.startswith("{"))

    @property
    def name(self) -> str:
        """An identifier for OpenAPI (``gravity/simulate`` -> ``gravity_simulate``)."""
        return self.path.replace("/", "_").replace("-", "_").replace("{", "").replace("}", "")


def endpoint(path: str) -> Endpoint:
    for ep in ENDPOINTS:
        if ep.path == path:
            return ep
    raise KeyError(path)


ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("dependencies", dependencies.dependencies),
    Endpoint("chokepoints", dependencies.chokepoints),
    Endpoint(
        "supply-risk",
        supply_risk.supply_risk,
        names={"importer": "for"},
        hidden=frozenset({"economic_importance", "inputs"}),  # server files: not offered over the web
    ),
    Endpoint(
        "partners",
        partners.partners,
        names={"importer": "for", "draw_normalisations": "draw_normalisation"},
        types={"weights": Mapping[str, float] | None},  # indicator=weight pairs, never a server file
    ),
    Endpoint("partners/reshoring", partners.reshoring, names={"importer": "for"}),
    Endpoint("complexity", complexity.complexity),
    Endpoint("leverage", leverage.leverage),
    Endpoint("event", event.event),
    Endpoint("chips", chips.chips, names={"input_name": "input"}),
    Endpoint(
        "gravity/estimate",
        gravity.estimate,
        sample_files=frozenset({"data"}),
        formulas=frozenset({"formula"}),
        protected=True,
    ),
    Endpoint(
        "gravity/simulate",
        gravity.simulate,
        body=Body("scenario", "scenario", examples=True),
        protected=True,
    ),
    Endpoint("shock", shocks.restriction),
    Endpoint("tariff", shocks.tariff),
    Endpoint(
        "simulate",
        shocks.simulate,
        body=Body("scenario", "shocks", examples=True),
        protected=True,
        summary="Solve a multi-sector scenario (the body, or example=NAME) in general equilibrium.",
    ),
    Endpoint("taxonomy", vocabulary.taxonomy),
    Endpoint("countries", vocabulary.countries),
    Endpoint("labels", labels.labels),
    Endpoint("groups", vocabulary.groups),
    Endpoint("groups/{name}", vocabulary.group_members, names={"history": "all"}),
    Endpoint(
        "groups/install",
        vocabulary.installed_group_file,
        body=Body("file", "groups"),
        protected=True,
        summary="Validate a TOML file of groups (the request body) and install it in the warehouse folder.",
    ),
    Endpoint(
        "plan",
        plan.plan,
        body=Body("plan", "plan", optional=True),
        hidden=frozenset({"committed"}),
        protected=True,
        summary="Solve a coalition plan (a plan file as the body, or example=NAME) for every strategy.",
    ),
    Endpoint("register", register.register_overview),
    Endpoint("register/initiatives", register.register_initiatives),
    Endpoint("register/members", register.register_members),
    Endpoint("register/investments", register.register_investments),
    Endpoint("register/measures", register.register_measures),
    Endpoint(
        "register/install",
        register.installed_register_file,
        body=Body("file", "register"),
        protected=True,
        summary="Validate a register file (the request body) and install it in the warehouse folder.",
    ),
    Endpoint("data/status", warehouse_status.data_status),
    Endpoint("data/sources", sources.sources),
    Endpoint("reproduce", reproduce.reproductions, names={"include_consistency": "consistency"}),
    Endpoint("reproduce/{name}", reproduce.reproduce, protected=True),
)
