"""Run the application on uvicorn: loopback by default; beyond loopback only with a token.

uvicorn has no time limit for a request's head (request line and headers): a client that opens
connections and sends headers a byte at a time would hold them forever. ``header_timeout_protocol``
is uvicorn's h11 protocol with one: a connection whose request head has not fully arrived within
``Limits.header_timeout`` seconds of the connection (or of the previous response) is closed.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from friendshore.errors import SettingsError
from friendshore.interfaces.api.app import Limits, create_app
from friendshore.interfaces.api.security import LOOPBACK_HOSTS, is_loopback
from friendshore.settings import Settings

__all__ = ["MIN_TOKEN_LENGTH", "check_bind", "header_timeout_protocol", "serve"]

#: A token a server beyond loopback accepts must be at least this long (e.g. ``openssl rand -hex 24``).
MIN_TOKEN_LENGTH = 16


class _HeaderTimeoutProtocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request head is late (``header_timeout``)."""

    header_timeout: float = 10.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._head_timer: asyncio.TimerHandle | None = None

    def _await_head(self) -> None:
        self._head_arrived()
        self._head_timer = self.loop.call_later(self.header_timeout, self._head_late)

    def _head_arrived(self) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self) -> None:
        self._head_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_head()

    def handle_events(self) -> None:
        cycle = self.cycle
        super().handle_events()
        if self.cycle is not cycle:  # a whole request head arrived: its body has its own limit
            self._head_arrived()

    def on_response_complete(self) -> None:
        if not self.transport.is_closing():
            self._await_head()  # the next request's head (a pipelined one cancels this at once)
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        self._head_arrived()
        super().connection_lost(exc)


def header_timeout_protocol(seconds: float) -> type[H11Protocol]:
    """uvicorn's h11 protocol closing a connection whose request head takes over ``seconds``
    (pass it as ``uvicorn.Config(http=...)``)."""
    return type("HeaderTimeoutProtocol", (_HeaderTimeoutProtocol,), {"header_timeout": seconds})


def check_bind(settings: Settings, host: str) -> str | None:
    """The token to use for ``host``; refuses a host beyond loopback without a good token."""
    token = settings.api_token.get_secret_value() if settings.api_token is not None else None
    if is_loopback(host):
        return token or None
    if not token:
        raise SettingsError(
            f"listening on {host} lets other machines in: set FRIENDSHORE_API_TOKEN to a secret of at "
            f"least {MIN_TOKEN_LENGTH} characters first (e.g. `export FRIENDSHORE_API_TOKEN=$(openssl "
            "rand -hex 24)`), or listen on 127.0.0.1"
        )
    if len(token) < MIN_TOKEN_LENGTH:
        raise SettingsError(f"FRIENDSHORE_API_TOKEN is shorter than {MIN_TOKEN_LENGTH} characters")
    return token


def serve(
    settings: Settings, *, host: str = "127.0.0.1", port: int = 8765, limits: Limits | None = None
) -> None:
    """Serve the API and the dashboard until interrupted."""
    import uvicorn

    token = check_bind(settings, host)
    limits = limits or Limits()
    app = create_app(
        settings,
        token=token,
        allowed_hosts=list(LOOPBACK_HOSTS) if is_loopback(host) else None,
        limits=limits,
    )
    logging.getLogger("friendshore.api").info("serving on http://%s:%s/", host, port)
    server = uvicorn.Server(
        uvicorn.Config(
            app,
            http=header_timeout_protocol(limits.header_timeout),
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
            proxy_headers=False,
            timeout_keep_alive=5,
            limit_concurrency=256,
            timeout_graceful_shutdown=5,
            h11_max_incomplete_event_size=16 * 1024,  # request line and headers
        )
    )
    server.run()
    if not server.started:
        raise SettingsError(
            f"could not listen on {host}:{port} (is the port in use?): pick another with --port"
        )
    # uvicorn returns after Ctrl-C (or SIGTERM) once requests are done: the command line's rule
    # for an interrupt (exit 130) applies to the server too
    raise KeyboardInterrupt
