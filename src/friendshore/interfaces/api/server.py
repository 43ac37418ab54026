"""Run the application on uvicorn: loopback by default; beyond loopback only with a token."""

from __future__ import annotations

import logging

from friendshore.errors import SettingsError
from friendshore.interfaces.api.app import Limits, create_app
from friendshore.interfaces.api.security import LOOPBACK_HOSTS, is_loopback
from friendshore.settings import Settings

__all__ = ["MIN_TOKEN_LENGTH", "check_bind", "serve"]

#: A token a server beyond loopback accepts must be at least this long (e.g. ``openssl rand -hex 24``).
MIN_TOKEN_LENGTH = 16


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
