"""``GET /api/brief``: the brief (``friendshore brief``) as one self-contained HTML page.

The same builder as the command (``friendshore.reporting.brief.build_brief``), its options as query
parameters named like the CLI's, their defaults read from the builder's signature. The brief runs
models (gravity, the planner), so it needs the API token when the server listens beyond loopback.
Pages are cached per warehouse version and parameters.
"""

from __future__ import annotations

import hashlib
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from friendshore.analyses.docs import defaults_of
from friendshore.interfaces.api.cache import etag_matches, request_key, warehouse_version
from friendshore.interfaces.api.errors import ErrorBody
from friendshore.interfaces.api.security import check_token
from friendshore.reporting.brief.build import build_brief

__all__ = ["add_brief_route"]

_CODE = r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$"
_D = defaults_of(build_brief)
_PAGES: dict[str, str] = {}
_MAX_PAGES = 16


def _write(settings: Any, **kwargs: Any) -> str:
    with tempfile.TemporaryDirectory(prefix="friendshore-brief-") as tmp:
        files = build_brief(settings, out=Path(tmp), pdf=False, **kwargs)
        return Path(files.html).read_text("utf-8")


def add_brief_route(app: FastAPI) -> None:
    @app.get(
        "/api/brief",
        tags=["brief"],
        summary="The brief for an importer (self-contained HTML; the PDF: friendshore brief)",
        response_class=HTMLResponse,
        responses={
            304: {"description": "Not modified (If-None-Match matched the ETag)"},
            400: {"model": ErrorBody, "description": "Bad parameter"},
            401: {"model": ErrorBody, "description": "Token needed"},
            404: {"model": ErrorBody, "description": "Unknown code"},
        },
    )
    async def brief(
        request: Request,
        importer: Annotated[str, Query(alias="for", pattern=_CODE, description="ISO3 code or group.")],
        partner: Annotated[str | None, Query(pattern=_CODE, description="A partner (ISO3).")] = _D["partner"],
        coalition: Annotated[str | None, Query(pattern=_CODE, description="A coalition (group).")] = _D[
            "coalition"
        ],
        year: Annotated[int | None, Query(ge=1900, le=2100, description="Trade year.")] = _D["year"],
        sector: Annotated[str | None, Query(pattern=_CODE, description="Technology.")] = _D["sector"],
        members_at: Annotated[date | None, Query(description="Resolve groups at this date.")] = _D[
            "members_at"
        ],
        concern: Annotated[str, Query(pattern=_CODE, description="Country or group of concern.")] = _D[
            "concern"
        ],
    ) -> Response:
        state = request.app.state
        check_token(request.headers, state.token)
        settings = state.settings
        args = {
            "importer": importer,
            "partner": partner,
            "coalition": coalition,
            "year": year,
            "sector": sector,
            "members_at": members_at,
            "concern": concern,
        }
        key = request_key(warehouse_version(settings.home), "brief", args)
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        if etag_matches(request.headers.get("if-none-match", ""), etag):
            return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
        html = _PAGES.get(key)
        if html is None:
            html = await state.runner.run(_write, settings, **args)
            if len(_PAGES) >= _MAX_PAGES:
                _PAGES.pop(next(iter(_PAGES)))
            _PAGES[key] = html
        return HTMLResponse(html, headers={"ETag": etag, "Cache-Control": "no-cache"})
