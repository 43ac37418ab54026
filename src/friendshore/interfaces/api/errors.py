"""One error shape for every failure: ``{"error": {"code", "message", "details"}}``.

``FriendshoreError`` subclasses carry their HTTP status (``errors.py``); request validation is
400, unknown paths 404, a body too large 413, a slow body 408, a busy or slow server 503. Anything
unexpected is a 500 whose message gives an id to find the traceback in the server's log: no stack
trace, path or exception text from the inside ever reaches a response.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import JSONResponse

from friendshore.errors import FriendshoreError, SchemaError

__all__ = [
    "ApiError",
    "ErrorBody",
    "ErrorDetail",
    "error_response",
    "hidden_paths",
    "install_error_handlers",
    "scrub",
    "scrub_json",
]

log = logging.getLogger("friendshore.api")


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any] = {}


class ErrorBody(BaseModel):
    """The body of every error response."""

    error: ErrorDetail


class ApiError(Exception):
    """An error the API itself raises (limits, tokens, content types), with its status."""

    def __init__(self, status: int, code: str, message: str, details: Mapping[str, Any] | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = dict(details or {})


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    408: "request_timeout",
    409: "conflict",
    413: "body_too_large",
    415: "unsupported_media_type",
    422: "unprocessable",
    500: "internal",
    503: "unavailable",
}


#: The error code of each error class (a subclass not named takes its nearest parent's code).
_ERROR_CODES = {
    "UserError": "bad_request",
    "SettingsError": "bad_setting",
    "DataSourceError": "bad_input",
    "SchemaError": "bad_input",
    "UnknownCodeError": "unknown_code",
    "NotLoadedError": "not_loaded",
    "ReadOnlyQueryError": "not_read_only",
    "InfeasibleError": "infeasible",
    "ConvergenceError": "no_convergence",
}


def _code(exc: FriendshoreError) -> str:
    """``UnknownCodeError`` -> ``unknown_code``; an unlisted class its parent's code."""
    for cls in type(exc).__mro__:
        if cls.__name__ in _ERROR_CODES:
            return _ERROR_CODES[cls.__name__]
    name = type(exc).__name__.removesuffix("Error") or "error"
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def scrub(message: str, hide: Mapping[str, str]) -> str:
    """``message`` with the server's own folders (warehouse, sample data, temporary files) replaced
    by what people know them as (``{sample_data}``, ``<home>``; a temporary folder by nothing)."""
    for path in sorted((h for h in hide if h and h != "/"), key=len, reverse=True):
        name = hide[path]
        message = message.replace(path + "/", f"{name}/" if name else "").replace(path, name or ".")
    return message


def scrub_json(value: Any, hide: Mapping[str, str]) -> Any:
    """``scrub`` applied to every string inside a JSON-like value."""
    if isinstance(value, str):
        return scrub(value, hide)
    if isinstance(value, dict):
        return {k: scrub_json(v, hide) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_json(v, hide) for v in value]
    return value


def error_response(
    status: int, code: str, message: str, details: Mapping[str, Any] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message, "details": dict(details or {})}}
    headers = {"Cache-Control": "no-store"}
    if status == 503:
        headers["Retry-After"] = "5"
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="friendshore"'
    return JSONResponse(body, status_code=status, headers=headers)


def hidden_paths(request: Request) -> dict[str, str]:
    """The server folders to keep out of this request's responses, with what to show instead."""
    hide = dict(getattr(request.app.state, "hidden_paths", {}))
    hide.update(getattr(request.state, "hidden_paths", {}))
    return hide


def install_error_handlers(app: FastAPI) -> None:
    """Route every exception to the one error shape."""

    @app.exception_handler(FriendshoreError)
    async def _friendshore(request: Request, exc: FriendshoreError) -> JSONResponse:
        status = exc.status_code
        if status >= 500:
            return _internal(request, exc)
        details: dict[str, Any] = {}
        hide = hidden_paths(request)
        if isinstance(exc, SchemaError):
            details = {k: v for k, v in (("line", exc.line), ("field", exc.field)) if v is not None}
        file = getattr(exc, "file", None)
        if file:
            details["file"] = scrub(str(file), hide)
        return error_response(status, _code(exc), scrub(str(exc), hide), details)

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, exc.details)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body", "header")]
            problems.append({"parameter": ".".join(where), "message": str(err.get("msg", "invalid"))})
        first = problems[0] if problems else {"parameter": "", "message": "invalid request"}
        message = f"{first['parameter']}: {first['message']}" if first["parameter"] else first["message"]
        return error_response(400, "bad_request", message, {"problems": problems})

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        message = exc.detail if isinstance(exc.detail, str) else "request failed"
        if status == 404:
            message = f"no such endpoint: {request.url.path} (see /api for the list)"
        response = error_response(status, _STATUS_CODES.get(status, "error"), message)
        if exc.headers:
            response.headers.update(exc.headers)
        return response

    @app.exception_handler(Exception)
    async def _any(request: Request, exc: Exception) -> JSONResponse:
        return _internal(request, exc)


def _internal(request: Request, exc: BaseException) -> JSONResponse:
    ident = uuid.uuid4().hex[:12]
    log.error("internal error %s on %s %s", ident, request.method, request.url.path, exc_info=exc)
    return error_response(
        500,
        "internal",
        f"internal error (id {ident}): this is a bug in friendshore; the server's log has the details",
    )
