"""``friendshore serve``: the web API and the dashboard."""

from __future__ import annotations

from typing import Annotated

import typer

from friendshore.interfaces.cli_common import say, settings_of

__all__ = ["serve_command"]


def serve_command(
    ctx: typer.Context,
    host: Annotated[
        str,
        typer.Option(help="Address to listen on; anything but loopback needs FRIENDSHORE_API_TOKEN."),
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8765,
    time_limit: Annotated[
        float, typer.Option(min=1, max=3600, help="Seconds an analysis may take before the request gets 503.")
    ] = 120.0,
    max_body: Annotated[
        int, typer.Option(min=1024, max=1 << 30, help="Largest request body in bytes (scenarios).")
    ] = 1 << 20,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Analyses run at once.")] = 4,
    header_timeout: Annotated[
        float,
        typer.Option(
            min=1, max=300, help="Seconds a client may take to send a request's headers before it is dropped."
        ),
    ] = 10.0,
) -> None:
    """Serve the web API (/api/, OpenAPI at /openapi.json) and the dashboard (/) on HOST:PORT.

    Endpoints mirror the commands: /api/dependencies?importer=USA&on=CHN returns JSON rows and meta
    (or CSV with format=csv). Model runs and writes (gravity, reproduce, groups install) are POSTs
    that need 'Authorization: Bearer $FRIENDSHORE_API_TOKEN' when a token is set. See docs/api.md.
    """
    from friendshore.interfaces.api.app import Limits
    from friendshore.interfaces.api.server import check_bind, serve

    settings = settings_of(ctx)
    check_bind(settings, host)  # refuse before anything starts
    say("", f"friendshore: serving {settings.home} on http://{host}:{port}/ (Ctrl-C to stop)")
    serve(
        settings,
        host=host,
        port=port,
        limits=Limits(
            time_limit=time_limit, max_body=max_body, workers=workers, header_timeout=header_timeout
        ),
    )
