"""The ``friendshore`` command line (Typer + Rich).

Errors the user can fix print one line on stderr and exit with code 2; anything else exits 1
with a hint to report it. Results go to stdout (``--format table|csv|json``); logs and progress
go to stderr.
"""

from __future__ import annotations

import logging
import sys
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, NoReturn

import pyarrow as pa
import typer

from friendshore import __version__
from friendshore.console import err_console, setup_logging
from friendshore.errors import FriendshoreError, UserError
from friendshore.interfaces.render import Format, render
from friendshore.settings import Backend, Settings, load_settings

__all__ = ["app", "main", "note_sources", "parse_date", "run", "settings_of"]

app = typer.Typer(
    name="friendshore",
    help="Technology supply-chain security analytics on real data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
data_app = typer.Typer(help="Inspect the warehouse.", no_args_is_help=True)
app.add_typer(data_app, name="data")

FormatOption = Annotated[
    Format, typer.Option("--format", "-f", help="Output: a table for people, csv or json for programs.")
]


def parse_date(value: str | None, *, option: str = "--members-at") -> date | None:
    """A ``YYYY-MM-DD`` option value as a date (``None`` stays ``None``); a usage error otherwise."""
    if value is None:
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d").date()
    except ValueError:
        raise typer.BadParameter(f"'{value}' is not a date like 2026-03-01", param_hint=option) from None


def note_sources(settings: Settings, tables: list[str]) -> None:
    """Say on stderr which loaded files a result comes from (source, release, file, sha256)."""
    from friendshore.warehouse import read_manifest

    manifest = read_manifest(settings.home)
    for table in tables:
        for part in manifest.partitions(table):
            files = "; ".join(f"{f.member or f.name} sha256 {f.sha256[:12]}" for f in part.files)
            err_console.print(
                f"data: {table} <- {part.source} {part.release} ({files}), loaded {part.loaded_at[:10]}",
                highlight=False,
                markup=False,
                soft_wrap=True,
            )


def _version(value: bool) -> None:
    if value:
        typer.echo(f"friendshore {__version__}")
        raise typer.Exit()


@app.callback()
def _global(
    ctx: typer.Context,
    home: Annotated[
        Path | None, typer.Option("--home", help="Warehouse folder (env FRIENDSHORE_HOME).")
    ] = None,
    backend: Annotated[
        Backend | None,
        typer.Option("--backend", help="Query engine: duckdb or pyspark (env FRIENDSHORE_BACKEND)."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log progress details.")] = False,
    version: Annotated[
        bool | None,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit."),
    ] = None,
) -> None:
    """friendshore: where an economy or coalition depends on others for technology-critical goods,
    how risky that is, who could substitute, and what policies would do."""
    setup_logging(logging.INFO if verbose else logging.WARNING)
    ctx.obj = load_settings(home=home, backend=backend)


def settings_of(ctx: typer.Context) -> Settings:
    settings = ctx.find_root().obj
    assert isinstance(settings, Settings)
    return settings


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='One read-only query, e.g. "select count(*) from trade".')],
    fmt: FormatOption = "table",
) -> None:
    """Run a read-only SQL query on the warehouse (DuckDB dialect; Spark SQL on --backend pyspark)."""
    from friendshore.warehouse import connect, run_query

    render(run_query(connect(settings_of(ctx)), query), fmt)


@data_app.command("status")
def data_status(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """List the warehouse's tables with row counts and provenance (source, release, file, sha256)."""
    from friendshore.warehouse import TABLES, read_manifest

    settings = settings_of(ctx)
    manifest = read_manifest(settings.home)
    rows = []
    for name in TABLES:
        for part in manifest.partitions(name):
            rows.append(
                {
                    "table": name,
                    "partition": ", ".join(f"{k}={v}" for k, v in part.key.items()),
                    "rows": part.rows,
                    "source": part.source,
                    "release": part.release,
                    "files": "; ".join(f.name + (f":{f.member}" if f.member else "") for f in part.files),
                    "sha256": "; ".join(f.sha256[:12] for f in part.files),
                    "loaded_at": part.loaded_at,
                }
            )
    if not rows:
        err_console.print(
            f"The warehouse at {settings.home} is empty: run 'friendshore ingest sample' "
            "or 'friendshore ingest baci FILE'."
        )
    schema = pa.schema(
        [
            (c, pa.int64() if c == "rows" else pa.string())
            for c in ("table", "partition", "rows", "source", "release", "files", "sha256", "loaded_at")
        ]
    )
    render(pa.Table.from_pylist(rows, schema=schema), fmt, title=f"Warehouse {settings.home}")


def _register_commands() -> None:
    """Command modules add their commands to ``app`` when imported; sub-apps are added here."""
    from friendshore.interfaces import (  # noqa: F401  (analysis modules register on import)
        cli_analysis,
        cli_fetch,
        cli_gravity,
        cli_ingest,
        cli_partners,
        cli_reproduce,
        cli_risk,
        cli_vocab,
    )

    app.add_typer(cli_ingest.ingest_app, name="ingest")
    app.command("fetch")(cli_fetch.fetch_command)
    app.add_typer(cli_gravity.gravity_app, name="gravity")


_register_commands()


def run(args: list[str] | None = None) -> int:
    """Run the CLI with ``args`` and return its exit code (no ``sys.exit``)."""
    try:
        app(args=args, standalone_mode=False, prog_name="friendshore")
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: exit code 2, with the usage line
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            err_console.print(f"error: {exc.format_message()}", highlight=False)
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("Aborted.")
        return 1
    except UserError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, markup=True, soft_wrap=True)
        return 2
    except FriendshoreError as exc:
        err_console.print(f"[bold red]error:[/] {exc}", highlight=False, soft_wrap=True)
        return 1
    except KeyboardInterrupt:
        err_console.print("Interrupted.")
        return 130
    except Exception as exc:  # an internal error: no traceback, a way to report it
        err_console.print(
            f"[bold red]internal error:[/] {type(exc).__name__}: {exc}\n"
            "This is a bug in friendshore. Please report it with the command you ran "
            "(run again with FRIENDSHORE_DEBUG=1 for the traceback).",
            highlight=False,
            soft_wrap=True,
        )
        if _debug():
            raise
        return 1
    return 0


def _debug() -> bool:
    import os

    return os.environ.get("FRIENDSHORE_DEBUG", "") not in ("", "0")


def main() -> NoReturn:
    sys.exit(run(sys.argv[1:]))
