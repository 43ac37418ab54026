"""What keeps a shared server safe: the token, the body limits, the hosts it answers to.

- **Token**: endpoints that run a model or change data (``Endpoint.protected``) take
  ``Authorization: Bearer <token>`` whenever a token is configured (``FRIENDSHORE_API_TOKEN``);
  a server listening beyond loopback must have one (``server.serve`` refuses to start without).
  Tokens are compared in constant time.
- **Cross-site requests**: a POST must say ``Content-Type: application/toml`` (or carry the
  token), which a web page on another site cannot send without a CORS preflight this server never
  grants: a page you visit cannot make your local server run a model.
- **Body limits** (``LimitMiddleware``): a body larger than ``max_body`` bytes gets 413 (checked on
  ``Content-Length`` and while reading a chunked body); a body that trickles in slower than
  ``body_timeout`` seconds between chunks gets 408.
- **Hosts**: on loopback the server answers only to ``localhost``/``127.0.0.1``/``[::1]`` host
  names (no DNS rebinding of a local server).
"""

from __future__ import annotations

import asyncio
import hmac
import ipaddress
import json
from collections.abc import Iterable
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from friendshore.interfaces.api.errors import ApiError

__all__ = [
    "LOOPBACK_HOSTS",
    "PER_CLIENT",
    "LimitMiddleware",
    "check_post",
    "check_token",
    "is_loopback",
]

LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "[::1]")
POST_TYPES = ("application/toml", "application/json")


def is_loopback(host: str) -> bool:
    """Whether ``host`` (a bind address) is reachable only from this machine."""
    if host.strip("[]") == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bearer(headers: Any) -> str | None:
    value = headers.get("authorization", "")
    scheme, _, token = value.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def check_token(headers: Any, token: str | None) -> None:
    """Raise 401 unless the request carries ``token`` (no-op when no token is configured)."""
    if token is None:
        return
    given = _bearer(headers)
    if given is None:
        raise ApiError(
            401,
            "unauthorized",
            "this endpoint runs a model or changes data: send 'Authorization: Bearer <token>' "
            "(the server's FRIENDSHORE_API_TOKEN)",
        )
    if not hmac.compare_digest(given.encode(), token.encode()):
        raise ApiError(401, "unauthorized", "the API token is not the server's")


def check_post(headers: Any) -> None:
    """A POST must send a TOML or JSON content type, or the token (no simple cross-site form)."""
    if _bearer(headers) is not None:
        return
    kind = headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in POST_TYPES:
        raise ApiError(
            415,
            "unsupported_media_type",
            "send the request with 'Content-Type: application/toml' (the body, if any, is TOML)",
            {"content_type": kind},
        )


async def _send_error(send: Send, status: int, code: str, message: str) -> None:
    body = json.dumps({"error": {"code": code, "message": message, "details": {}}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
                (b"cache-control", b"no-store"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


class _TooLarge(ApiError):
    def __init__(self, limit: int) -> None:
        super().__init__(413, "body_too_large", f"the request body is larger than {limit} bytes")


class _TooSlow(ApiError):
    def __init__(self, seconds: float) -> None:
        super().__init__(408, "request_timeout", f"the request body did not arrive within {seconds:g} s")


#: Anonymous API requests (no Authorization header) one client address may have in progress at once:
#: enough for the dashboard's parallel reads, too few for one client to hold every worker.
PER_CLIENT = 8


class LimitMiddleware:
    """Body size and body pace limits, and the allowed host names, in front of the app."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        max_body: int = 1 << 20,
        body_timeout: float = 10.0,
        allowed_hosts: Iterable[str] | None = None,
        per_client: int = PER_CLIENT,
    ) -> None:
        self.app = app
        self.max_body = max_body
        self.body_timeout = body_timeout
        self.allowed_hosts = {h.lower() for h in allowed_hosts} if allowed_hosts is not None else None
        self.per_client = per_client
        self._in_flight: dict[str, int] = {}  # anonymous API reads in progress, per client address

    def _host_ok(self, scope: Scope) -> bool:
        if self.allowed_hosts is None:
            return True
        for key, value in scope.get("headers", []):
            if key == b"host":
                host = value.decode("latin-1").lower()
                name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
                if host.startswith("[") and "]:" in host:
                    name = host.split("]:", 1)[0] + "]"
                return name in self.allowed_hosts
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if not self._host_ok(scope):
            await _send_error(send, 400, "bad_host", "this server answers only to localhost host names")
            return
        length = None
        for key, value in scope.get("headers", []):
            if key == b"content-length":
                try:
                    length = int(value)
                except ValueError:
                    await _send_error(send, 400, "bad_request", "Content-Length is not a number")
                    return
        if length is not None and length > self.max_body:
            await _send_error(
                send, 413, "body_too_large", f"the request body is larger than {self.max_body} bytes"
            )
            return
        headers = dict(scope.get("headers", []))
        anonymous = scope["path"].startswith("/api/") and b"authorization" not in headers
        client = str((scope.get("client") or ("unknown",))[0])
        if anonymous and self._in_flight.get(client, 0) >= self.per_client:
            await _send_error(
                send,
                429,
                "too_many_requests",
                f"this client already has {self.per_client} requests in progress: wait for one to finish",
            )
            return
        if anonymous:
            self._in_flight[client] = self._in_flight.get(client, 0) + 1
        try:
            await self._limited(scope, receive, send)
        finally:
            if anonymous:
                self._in_flight[client] -= 1
                if not self._in_flight[client]:
                    del self._in_flight[client]

    async def _limited(self, scope: Scope, receive: Receive, send: Send) -> None:
        received = 0
        started = False
        body_done = False

        async def limited_receive() -> Message:
            nonlocal received, body_done
            if body_done:
                return await receive()
            try:
                message = await asyncio.wait_for(receive(), self.body_timeout)
            except TimeoutError:
                raise _TooSlow(self.body_timeout) from None
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    raise _TooLarge(self.max_body)
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        async def tracked_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, tracked_send)
        except (_TooLarge, _TooSlow) as exc:  # raised where no handler renders it
            if not started:
                await _send_error(send, exc.status, exc.code, exc.message)
