"""The web application: the API under ``/api/``, its OpenAPI at ``/openapi.json``, the dashboard at ``/``.

``create_app(settings)`` builds it; ``friendshore serve`` runs it on uvicorn (``server.py``).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from importlib.resources import files
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from friendshore import __version__
from friendshore.interfaces.api.brief import add_brief_route
from friendshore.interfaces.api.cache import PageCache, ResultCache, warehouse_version
from friendshore.interfaces.api.endpoints import ENDPOINTS, Endpoint
from friendshore.interfaces.api.errors import ErrorBody, install_error_handlers
from friendshore.interfaces.api.files import example_names, example_text
from friendshore.interfaces.api.findings import add_findings_route
from friendshore.interfaces.api.routes import DEFAULT_LIMIT, MAX_LIMIT, Runner, add_routes, endpoint_params
from friendshore.interfaces.api.security import LimitMiddleware
from friendshore.settings import Settings

__all__ = ["Limits", "create_app", "web_root"]


def web_root() -> Path:
    """The dashboard's static files (package data of ``friendshore.interfaces.web``)."""
    return Path(str(files("friendshore.interfaces.web").joinpath("static")))


class Limits:
    """The server's limits (defaults suit a laptop; ``friendshore serve`` options change them)."""

    def __init__(
        self,
        *,
        max_body: int = 1 << 20,
        body_timeout: float = 10.0,
        header_timeout: float = 10.0,
        time_limit: float = 120.0,
        workers: int = 4,
        queue: int = 64,
        cache_size: int = 256,
    ) -> None:
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.header_timeout = header_timeout
        self.time_limit = time_limit
        self.workers = workers
        self.queue = queue
        self.cache_size = cache_size


def create_app(
    settings: Settings,
    *,
    token: str | None = None,
    allowed_hosts: list[str] | None = None,
    limits: Limits | None = None,
    endpoints: Sequence[Endpoint] | None = None,
) -> FastAPI:
    """The API and the dashboard over the warehouse of ``settings``.

    ``token`` (default: ``settings.api_token``) guards the endpoints that run a model or change
    data; ``allowed_hosts`` restricts the Host header (``server.serve`` sets the loopback names when
    it listens on loopback). ``endpoints`` defaults to every declared endpoint (``ENDPOINTS``).
    """
    declared = tuple(ENDPOINTS if endpoints is None else endpoints)
    limits = limits or Limits()
    if token is None and settings.api_token is not None:
        token = settings.api_token.get_secret_value() or None
    runner = Runner(limits.workers, limits.time_limit, limits.queue)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        runner.close()

    app = FastAPI(
        title="friendshore",
        version=__version__,
        description=(
            "Technology supply-chain security analytics: the same analyses as the friendshore command "
            "line. Every answer is JSON `{rows, meta}` (meta: parameters, provenance, notes, columns "
            "with units, page) or CSV (`format=csv`). Errors: `{error: {code, message, details}}`."
        ),
        docs_url=None,  # Swagger UI loads its JavaScript from a CDN: the server works offline
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.token = token
    app.state.cache = ResultCache(limits.cache_size)
    app.state.pages = PageCache(limits.cache_size)
    app.state.runner = runner
    app.state.limits = limits
    app.state.hidden_paths = {
        str(Path(settings.sample_data).resolve()): "{sample_data}",
        str(Path(settings.sample_data)): "{sample_data}",
        str(Path(settings.home).resolve()): "<home>",
        str(Path(settings.home)): "<home>",
    }
    install_error_handlers(app)
    app.add_middleware(
        LimitMiddleware,
        max_body=limits.max_body,
        body_timeout=limits.body_timeout,
        allowed_hosts=allowed_hosts,
    )

    @app.get(
        "/api", tags=["about"], summary="What this server offers", responses={200: {"description": "Index"}}
    )
    async def index(request: Request) -> JSONResponse:
        return JSONResponse(
            {
                "friendshore": __version__,
                "version": warehouse_version(settings.home),
                "token_required": token is not None,
                "limits": {
                    "max_body_bytes": limits.max_body,
                    "time_limit_s": limits.time_limit,
                    "default_limit": DEFAULT_LIMIT,
                    "max_limit": MAX_LIMIT,
                },
                "endpoints": [_describe(ep) for ep in declared],
            },
            headers={"Cache-Control": "no-store"},
        )

    @app.get(
        "/api/examples",
        tags=["about"],
        summary="Shipped example scenarios (names)",
        responses={200: {"description": "Names"}},
    )
    async def examples() -> JSONResponse:
        return JSONResponse({"examples": example_names(), "shocks": example_names("shocks")})

    @app.get(
        "/api/examples/{name}",
        tags=["about"],
        summary="The TOML of a shipped example scenario",
        responses={
            200: {"description": "TOML", "content": {"application/toml": {"schema": {"type": "string"}}}},
            404: {"model": ErrorBody, "description": "No such example"},
        },
    )
    async def example(name: str) -> Response:
        return Response(example_text(name), media_type="application/toml")

    add_routes(app, declared)
    add_brief_route(app)
    add_findings_route(app)

    root = web_root()
    if root.is_dir():

        @app.get("/static/vendor/{name}", include_in_schema=False)
        async def vendor(name: str) -> Response:
            return vendor_response(name)

        app.mount("/static", StaticFiles(directory=root), name="static")

        @app.get("/", include_in_schema=False)
        async def dashboard() -> FileResponse:
            return FileResponse(root / "index.html", headers={"Cache-Control": "no-cache"})

    return app


#: The dashboard's libraries: name under /static/vendor/ -> (npm package, file), installed by
#: ``make assets`` (friendshore.reporting.assets); the world map is the brief's, with ISO3 codes.
VENDOR = {
    "vega.min.js": ("vega", "build/vega.min.js"),
    "vega-lite.min.js": ("vega-lite", "build/vega-lite.min.js"),
    "vega-embed.min.js": ("vega-embed", "build/vega-embed.min.js"),
}


def vendor_response(name: str) -> Response:
    """A library of the dashboard, or the world map (TopoJSON with an ``iso3`` property per country)."""
    from friendshore.errors import UnknownCodeError
    from friendshore.reporting.assets import npm_file, world_topology

    headers = {"Cache-Control": "public, max-age=86400"}
    if name == "world-110m.json":
        topology, _ = world_topology()
        return JSONResponse(topology, headers=headers)
    if name not in VENDOR:
        raise UnknownCodeError(f"no such file: /static/vendor/{name}")
    package, path = VENDOR[name]
    return FileResponse(npm_file(package, path), media_type="text/javascript", headers=headers)


def _describe(ep: Endpoint) -> dict[str, Any]:
    return {
        "path": f"/api/{ep.path}",
        "method": ep.method,
        "analysis": f"{ep.analysis.__module__}.{ep.analysis.__qualname__}",
        "protected": ep.protected,
        "body": ep.body.kind if ep.body is not None else None,
        "parameters": [
            {
                "name": p.query,
                "kind": p.kind,
                "required": p.required,
                "default": p.shown_default(),
                "choices": list(p.choices),
                "in": "path" if p.in_path else "query",
                "description": p.description,
            }
            for p in endpoint_params(ep)
        ],
    }
