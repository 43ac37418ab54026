"""Routes generated from the endpoint declarations: parameters in, the analysis's ``Result`` out.

A handler does only what every endpoint shares: convert the query to the analysis's keywords,
check the token and the body, answer 304 to a matching ``If-None-Match``, take the ``Result``
from the cache or run the analysis (in a bounded pool, under the time limit), and render one
page of its table as JSON (``rows`` + ``meta``) or CSV. No analysis logic lives here.
"""

from __future__ import annotations

import asyncio
import csv
import hashlib
import inspect
import io
import json
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Annotated, Any, Literal

from fastapi import FastAPI, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from friendshore.analyses.docs import parameter_docs
from friendshore.analyses.result import Result, json_safe
from friendshore.deadline import DeadlineExceeded, until
from friendshore.errors import UserError
from friendshore.interfaces.api.cache import (
    PageCache,
    ResultCache,
    etag_matches,
    request_key,
    warehouse_version,
)
from friendshore.interfaces.api.endpoints import ENDPOINTS, Endpoint
from friendshore.interfaces.api.errors import ApiError, ErrorBody, hidden_paths, scrub_json
from friendshore.interfaces.api.files import check_formula, example_text, sample_file, save_body
from friendshore.interfaces.api.params import Param, analysis_params
from friendshore.interfaces.api.security import check_post, check_token
from friendshore.reporting.format import format_value
from friendshore.settings import Settings
from friendshore.warehouse.connect import forget_thread, interrupt_thread

__all__ = ["DEFAULT_LIMIT", "MAX_LIMIT", "Page", "Runner", "add_routes", "endpoint_params"]

DEFAULT_LIMIT = 1000
MAX_LIMIT = 100_000
_COMMON = ("format", "limit", "offset", "table")
_CSV_RISKY = ("=", "+", "-", "@", "\t", "\r")


class Page(BaseModel):
    """One page of a result: its rows and everything else about it."""

    rows: list[dict[str, Any]]
    meta: dict[str, Any]


_ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorBody, "description": text}
    for status, text in (
        (400, "Bad parameters or input"),
        (404, "Unknown code, group, product or endpoint"),
        (409, "The warehouse does not hold what the analysis needs"),
        (413, "Body too large"),
        (422, "The model found no solution"),
        (503, "Busy, or the analysis took longer than the time limit"),
    )
}
_PROTECTED_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Missing or wrong API token"},
    408: {"model": ErrorBody, "description": "The body arrived too slowly"},
    415: {"model": ErrorBody, "description": "POST without Content-Type: application/toml"},
}


class Runner:
    """Runs analyses in a bounded thread pool under a time limit; refuses work beyond a queue.

    Work past the time limit is stopped, not left running: its DuckDB queries are interrupted
    (``interrupt_thread``) and its numerical loops (Monte Carlo draws, solver iterations) stop at
    their next ``deadline.check()``, so the worker is free for the next request. The limit counts
    from the request's arrival: work that waited in the queue past it never starts.
    """

    def __init__(self, workers: int, time_limit: float, queue: int) -> None:
        self.workers = workers
        self.pool: ThreadPoolExecutor | None = None
        self.time_limit = time_limit
        self.queue = queue
        self._pending = 0
        self._lock = threading.Lock()

    async def run(self, fn: Callable[..., Result], /, *args: Any, **kwargs: Any) -> Result:
        with self._lock:
            if self._pending >= self.queue:
                raise ApiError(503, "busy", "the server is busy: try again in a few seconds")
            self._pending += 1
            if self.pool is None:
                self.pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="friendshore-api")
            pool = self.pool
        worker: list[int] = []
        deadline = time.monotonic() + self.time_limit

        def call() -> Result:
            worker.append(threading.get_ident())
            forget_thread(worker[0])
            with until(deadline):
                return fn(*args, **kwargs)

        try:
            loop = asyncio.get_running_loop()
            future = loop.run_in_executor(pool, call)
            try:
                return await asyncio.wait_for(future, self.time_limit)
            except (TimeoutError, DeadlineExceeded):
                if worker:  # stop its DuckDB queries: the worker is free again for the next request
                    interrupt_thread(worker[0])
                raise ApiError(
                    503,
                    "timeout",
                    f"the analysis took longer than {self.time_limit:g} s: narrow the question "
                    "(a year, a sector, fewer draws) or ask the server's operator for a longer limit",
                ) from None
        finally:
            with self._lock:
                self._pending -= 1

    def close(self) -> None:
        """Stop the pool (at server shutdown); a later request starts a new one."""
        with self._lock:
            pool, self.pool = self.pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)


def endpoint_params(ep: Endpoint) -> list[Param]:
    """The parameters of an endpoint, from its analysis's signature."""
    hidden = ep.hidden | ({ep.body.param} if ep.body else frozenset())
    params = analysis_params(
        ep.analysis,
        names=ep.names,
        types_=ep.types,
        hidden=hidden,
        path_params=ep.path_params,
        descriptions=parameter_docs(ep.analysis),
    )
    for p in params:
        if p.kind == "path" and p.name not in ep.sample_files:
            raise TypeError(f"/api/{ep.path}: parameter '{p.name}' is a server path; declare how to take it")
        added = set()
        if ep.body is not None and ep.body.examples:
            added.add("example")
        if ep.body is not None and ep.body.kind in ("groups", "register"):
            added.add("file")
        if p.query in _COMMON or p.query in added:
            raise TypeError(f"/api/{ep.path}: parameter '{p.query}' clashes with a common parameter")
    return params


def _pick_format(fmt: str | None, accept: str) -> str:
    if fmt is not None:
        return fmt
    accept = accept.lower()
    if "text/csv" in accept and "application/json" not in accept:
        return "csv"
    return "json"


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    value = json_safe(value)
    if isinstance(value, str) and value.startswith(_CSV_RISKY):
        return "'" + value  # a spreadsheet must not run a cell as a formula
    return value


def render_page(
    result: Result,
    *,
    fmt: str,
    limit: int,
    offset: int,
    table_name: str | None,
    version: str,
    hide: dict[str, str],
) -> tuple[bytes, str, dict[str, str]]:
    """One page of the result as ``(body, media type, headers)``."""
    if table_name is not None and table_name not in result.tables:
        shown = ", ".join(sorted(result.tables)) or "none"
        raise UserError(f"this result has no table '{table_name}' (its tables: {shown})")
    table = result.table if table_name is None else result.tables[table_name]
    total = table.num_rows
    page = table.slice(min(offset, total), limit)
    headers = {"X-Total-Count": str(total)}
    if offset + page.num_rows < total:
        headers["X-Next-Offset"] = str(offset + page.num_rows)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(page.column_names)
        for row in page.to_pylist():
            writer.writerow([_csv_cell(v) for v in row.values()])
        headers["Content-Disposition"] = f'inline; filename="{result.analysis}.csv"'
        return out.getvalue().encode(), "text/csv; charset=utf-8", headers
    meta = result.meta()
    if table_name is not None:
        meta["columns"] = [
            result.column(n).to_json() for n in table.column_names if n in result.table.column_names
        ] or [
            {"name": n, "label": n.replace("_", " "), "unit": "text", "key": True, "description": ""}
            for n in table.column_names
        ]
    meta["table"] = table_name or "main"
    meta["version"] = version
    meta["page"] = {"total": total, "offset": offset, "limit": limit, "returned": page.num_rows}
    raw = page.to_pylist()
    rows = [{k: json_safe(v) for k, v in row.items()} for row in raw]
    units = {c["name"]: c["unit"] for c in meta["columns"]}
    # the same rows as people read them (one formatting rule: reporting.format), for the dashboard
    display = [{k: format_value(v, units.get(k, "text")) for k, v in row.items()} for row in raw]
    body = json.dumps(
        {"rows": rows, "display": display, "meta": scrub_json(meta, hide)}, allow_nan=False, default=str
    )
    return body.encode(), "application/json", headers


def _common_parameters(ep: Endpoint) -> list[inspect.Parameter]:
    kw = inspect.Parameter.KEYWORD_ONLY
    params = [
        inspect.Parameter(
            "format",
            kw,
            default=None,
            annotation=Annotated[
                Literal["json", "csv"] | None,
                Query(description="json (rows and meta) or csv (rows); default: from Accept, else json"),
            ],
        ),
        inspect.Parameter(
            "limit",
            kw,
            default=DEFAULT_LIMIT,
            annotation=Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Rows per page.")],
        ),
        inspect.Parameter(
            "offset",
            kw,
            default=0,
            annotation=Annotated[int, Query(ge=0, le=2**31, description="Rows to skip (pagination).")],
        ),
        inspect.Parameter(
            "table",
            kw,
            default=None,
            annotation=Annotated[
                str | None,
                Query(max_length=64, description="One of the result's further tables (meta.tables)."),
            ],
        ),
    ]
    if ep.body is not None and ep.body.examples:
        params.append(
            inspect.Parameter(
                "example",
                kw,
                default=None,
                annotation=Annotated[
                    str | None,
                    Query(
                        max_length=64,
                        description="Run a shipped example (see /api/examples) instead of a body.",
                    ),
                ],
            )
        )
    if ep.body is not None and ep.body.kind in ("groups", "register"):
        params.append(
            inspect.Parameter(
                "file",
                kw,
                annotation=Annotated[
                    str,
                    Query(
                        max_length=64,
                        pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$",
                        description="Name to install the file under (<home>/groups|register/NAME.toml).",
                    ),
                ],
            )
        )
    return params


def _make_handler(ep: Endpoint, params: list[Param]) -> Callable[..., Any]:
    async def handler(request: Request, **values: Any) -> Response:
        state = request.app.state
        settings: Settings = state.settings
        if ep.protected:
            check_token(request.headers, state.token)
        if ep.method == "POST":
            check_post(request.headers)
        args = {p.name: p.convert(values[p.name]) for p in params}
        for name in ep.sample_files:
            if args.get(name) is not None:
                args[name] = sample_file(str(args[name]), settings.sample_data, field=name)
        for name in ep.formulas:
            if isinstance(args.get(name), str):
                check_formula(args[name], field=name)
        body = b""
        folder = None
        if ep.body is not None:
            body = await request.body()
            example = values.get("example") if ep.body.examples else None
            if example is not None:
                if body.strip():
                    raise UserError("send either a scenario body or ?example=NAME, not both")
                body = example_text(example, ep.body.kind).encode()
            if body.strip() or not ep.body.optional:
                name = values.get("file") or ep.body.param
                path, folder = save_body(body, kind=ep.body.kind, name=name, sample_data=settings.sample_data)
                request.state.hidden_paths = {folder.name: ""}
                args[ep.body.param] = path
        try:
            version = warehouse_version(settings.home)
            keyed = {k: (v.name if k == (ep.body.param if ep.body else None) else v) for k, v in args.items()}
            key = request_key(version, ep.path, keyed, body)
            fmt = _pick_format(values["format"], request.headers.get("accept", ""))
            page = f"{key}|{fmt}|{values['limit']}|{values['offset']}|{values['table']}"
            etag = '"' + hashlib.sha256(page.encode()).hexdigest()[:32] + '"'
            cacheable = ep.body is None and not ep.protected
            if cacheable and etag_matches(request.headers.get("if-none-match", ""), etag):
                return Response(status_code=304, headers={"ETag": etag, "Cache-Control": "no-cache"})
            cache: ResultCache = state.cache
            pages: PageCache = state.pages
            rendered = pages.get(etag) if cacheable else None
            if rendered is None:
                writes = ep.body is not None and ep.body.kind in ("groups", "register")
                result = None if writes else cache.get(key)
                if result is None:
                    result = await state.runner.run(ep.analysis, settings, **args)
                    if not writes:
                        cache.put(key, result)
                rendered = render_page(
                    result,
                    fmt=fmt,
                    limit=values["limit"],
                    offset=values["offset"],
                    table_name=values["table"],
                    version=version,
                    hide=hidden_paths(request),
                )
                if cacheable:
                    pages.put(etag, rendered)
            content, media, headers = rendered[0], rendered[1], dict(rendered[2])
        finally:
            if folder is not None:
                folder.cleanup()
        headers["Cache-Control"] = "no-cache" if cacheable else "no-store"
        if cacheable:
            headers["ETag"] = etag
        headers["X-Friendshore-Version"] = version
        return Response(content, media_type=media, headers=headers)

    kw = inspect.Parameter.KEYWORD_ONLY
    signature = [inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)]
    for p in params:
        signature.append(inspect.Parameter(p.name, kw, default=p.query_default(), annotation=p.annotation()))
    signature.extend(_common_parameters(ep))
    handler.__signature__ = inspect.Signature(signature)  # type: ignore[attr-defined]
    handler.__name__ = ep.name
    return handler


def _description(ep: Endpoint) -> str:
    doc = inspect.getdoc(ep.analysis) or ""
    first = doc.split("\n\n")[0].replace("\n", " ")
    return ep.summary or first


def add_routes(app: FastAPI, endpoints: Sequence[Endpoint] = ENDPOINTS) -> None:
    """One route per endpoint."""
    for ep in endpoints:
        params = endpoint_params(ep)
        responses = {**_ERRORS, **(_PROTECTED_ERRORS if ep.method == "POST" else {})}
        responses[200] = {
            "model": Page,
            "description": "Rows and meta (JSON), or the rows as CSV",
            "content": {"text/csv": {"schema": {"type": "string"}}},
        }
        if ep.method == "GET":
            responses[304] = {"description": "Not modified (If-None-Match matched the ETag)"}
        extra: dict[str, Any] = {}
        if ep.body is not None:
            extra["requestBody"] = {
                "required": not (ep.body.examples or ep.body.optional),
                "content": {"application/toml": {"schema": {"type": "string", "maxLength": 1 << 20}}},
            }
        app.add_api_route(
            f"/api/{ep.path}",
            _make_handler(ep, params),
            methods=[ep.method],
            name=ep.name,
            operation_id=ep.name,
            summary=_description(ep),
            description=inspect.getdoc(ep.analysis) or "",
            responses=responses,
            response_model=None,
            openapi_extra=extra or None,
            tags=["model runs and writes (token)" if ep.protected else "analyses"],
        )
