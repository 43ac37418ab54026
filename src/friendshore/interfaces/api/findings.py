"""``GET /api/brief/findings``: the brief's bottom line and ranked findings as sentences (JSON).

The dashboard shows them above its tables. The choices are the brief analysis's
(``analyses.brief.brief``: which findings, in which order, with which numbers); the sentences are
the brief's own (``reporting.brief.model.statements``: the same templates and number formatting as
the HTML and PDF brief), so the dashboard, the brief and ``findings.json`` say the same thing. The
analysis solves the coalition plan, so the route needs the API token when the server listens beyond
loopback, like ``/api/brief``. Results are kept in the server's result cache per warehouse version.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse

from friendshore.analyses.brief import brief
from friendshore.analyses.result import json_safe
from friendshore.interfaces.api.cache import ResultCache, request_key, warehouse_version
from friendshore.interfaces.api.errors import ErrorBody
from friendshore.interfaces.api.security import check_token
from friendshore.reporting.brief.model import statements

__all__ = ["add_findings_route"]

_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"


def add_findings_route(app: FastAPI) -> None:
    @app.get(
        "/api/brief/findings",
        tags=["brief"],
        summary="The brief's bottom line and ranked findings for an importer, as sentences",
        responses={
            400: {"model": ErrorBody, "description": "Bad parameter"},
            401: {"model": ErrorBody, "description": "Token needed"},
            404: {"model": ErrorBody, "description": "Unknown code"},
            409: {"model": ErrorBody, "description": "Data not loaded"},
        },
    )
    async def findings(
        request: Request,
        importer: Annotated[str, Query(alias="for", pattern=_CODE, description="ISO3 code or group.")],
        concern: Annotated[
            str | None,
            Query(pattern=_CODE, description="Country or group of concern (default: the viewpoint's)."),
        ] = None,
        year: Annotated[
            int | None, Query(ge=1900, le=2100, description="Trade year (default: the latest).")
        ] = None,
        sector: Annotated[str | None, Query(pattern=_CODE, description="Technology.")] = None,
    ) -> JSONResponse:
        state = request.app.state
        check_token(request.headers, state.token)
        settings = state.settings
        args: dict[str, Any] = {"for_": importer, "concern": concern, "year": year, "sector": sector}
        version = warehouse_version(settings.home)
        key = request_key(version, "brief/findings", args)
        cache: ResultCache = state.cache
        result = cache.get(key)
        if result is None:
            result = await state.runner.run(brief, settings, **args)
            cache.put(key, result)
        sentences = statements(result)
        rows = [
            {"rank": r["rank"], "id": r["id"], "kind": r["kind"], "text": sentences[r["id"]]}
            for r in result.table.to_pylist()
        ]
        bottom = [
            sentences[s["id"]] for s in result.tables["statements"].to_pylist() if s["kind"] == "bottom-line"
        ]
        meta = result.meta()
        body = {
            "rows": rows,
            "bottom_line": " ".join(bottom),
            "meta": {
                "analysis": meta["analysis"],
                "title": meta["title"],
                "parameters": meta["parameters"],
                "notes": meta["notes"],
                "version": version,
            },
        }
        return JSONResponse(json_safe(body), headers={"Cache-Control": "no-cache"})
