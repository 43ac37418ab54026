"""The ``friendshore`` command line (Typer + Rich).

Errors the user can fix print one line on stderr and exit with code 2; anything else exits 1
with a hint to report it. Results go to stdout (``--format table|csv|json``); logs and progress
go to stderr.
"""

from __future__ import annotations

import functools
import logging
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import click
import typer
from rich.text import Text

from friendshore import __version__
from friendshore.analyses import sources, warehouse_status
from friendshore.console import err_console, setup_logging
from friendshore.errors import FriendshoreError, UserError
from friendshore.interfaces import (
    cli_analysis,
    cli_assets,
    cli_brief,
    cli_chips_trade,
    cli_fetch,
    cli_gravity,
    cli_ingest,
    cli_partners,
    cli_plan,
    cli_register,
    cli_reproduce,
    cli_risk,
    cli_serve,
    cli_shocks,
    cli_vocab,
)
from friendshore.interfaces.cli_common import (
    ColumnsOption,
    FormatOption,
    WithMetaOption,
    answers,
    emit,
    settings_of,
)
from friendshore.interfaces.render import printable, render
from friendshore.settings import Backend, load_settings

__all__ = ["app", "main", "run"]

app = typer.Typer(
    name="friendshore",
    help="Technology supply-chain security analytics on real data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)
data_app = typer.Typer(help="Inspect the warehouse.", no_args_is_help=True)


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
    sample_data: Annotated[
        Path | None,
        typer.Option(
            "--sample-data",
            help="Folder of the sample data, holding MANIFEST.md (env FRIENDSHORE_SAMPLE_DATA).",
        ),
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
    ctx.obj = load_settings(home=home, backend=backend, sample_data=sample_data)


@app.command()
def sql(
    ctx: typer.Context,
    query: Annotated[str, typer.Argument(help='One read-only query, e.g. "select count(*) from trade".')],
    fmt: FormatOption = "table",
) -> None:
    """Run one read-only SELECT on the warehouse tables (DuckDB SQL; files, settings and writes are
    refused by the engine; refused on --backend pyspark)."""
    from friendshore.warehouse import run_query

    render(run_query(settings_of(ctx), query), fmt)


@data_app.command("status")
@answers(warehouse_status.data_status)
def data_status(
    ctx: typer.Context,
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """List the warehouse's tables with row counts and provenance (source, release, file, sha256)."""
    emit(warehouse_status.data_status(settings_of(ctx)), fmt, columns=columns, with_meta=with_meta)


@data_app.command("sources")
@answers(sources.sources)
def data_sources(
    ctx: typer.Context,
    fmt: FormatOption = "table",
    columns: ColumnsOption = "key",
    with_meta: WithMetaOption = False,
) -> None:
    """The source catalogue: publisher, release, years, licence and citation of every source."""
    emit(sources.sources(settings_of(ctx)), fmt, columns=columns, with_meta=with_meta)


@data_app.command("verify")
def data_verify(ctx: typer.Context, fmt: FormatOption = "table") -> None:
    """Re-check every partition file (sha256, rows, partition) and the DuckDB cache (sha256 when built) against
    what was recorded; exit 1 if any differs."""
    import pyarrow as pa

    from friendshore.warehouse.duckdb_cache import cache_path, verify_cache
    from friendshore.warehouse.store import verify

    home = settings_of(ctx).home
    rows = verify(home)
    if all(r["ok"] for r in rows) and (problem := verify_cache(home)) is not None:
        cache = cache_path(home)
        rows.append(
            {"table": "", "partition": "", "file": str(cache), "rows": 0, "ok": False, "problem": problem}
        )
    schema = pa.schema(
        {
            "table": pa.string(),
            "partition": pa.string(),
            "file": pa.string(),
            "rows": pa.int64(),
            "ok": pa.bool_(),
            "problem": pa.string(),
        }
    )
    render(pa.Table.from_pylist(rows, schema=schema), fmt)
    bad = sum(not r["ok"] for r in rows)
    if bad and rows[-1]["file"].endswith(".duckdb"):
        _error("error:", f"the DuckDB cache {rows[-1]['file']} {rows[-1]['problem']}")
        raise typer.Exit(1)
    if bad:
        _error("error:", f"{bad} of {len(rows)} partition file(s) differ from the manifest: load them again")
        raise typer.Exit(1)


# Every command module exposes its Typer app; mounting them here is the one registration point.
for _module in (cli_analysis, cli_risk, cli_partners, cli_vocab, cli_reproduce, cli_chips_trade, cli_shocks):
    app.add_typer(_module.app)
app.add_typer(data_app, name="data")
app.add_typer(cli_vocab.groups_app, name="groups")
app.add_typer(cli_ingest.ingest_app, name="ingest")
app.command("fetch")(cli_fetch.fetch_command)
app.add_typer(cli_gravity.gravity_app, name="gravity")
app.add_typer(cli_plan.app)
app.add_typer(cli_register.app, name="register")
app.command("serve")(cli_serve.serve_command)
app.add_typer(cli_brief.app)
app.add_typer(cli_assets.app, name="assets")


def _error(label: str, message: str) -> None:
    """One line on stderr: the label in red, the message as plain text (never markup)."""
    err_console.print(
        Text(label, style="bold red") + Text(f" {printable(message)}"), highlight=False, soft_wrap=True
    )


@functools.cache
def _command() -> Any:
    """The Click command Typer builds from ``app`` (a command of the Click that Typer ships):
    built once per process, not on every ``run`` (100 ms each time: a program that runs several
    commands, or the tests, pays it once)."""
    return typer.main.get_command(app)


def run(args: list[str] | None = None) -> int:
    """Run the CLI with ``args`` and return its exit code (no ``sys.exit``).

    Ctrl-C has one rule everywhere (a load, a query, an import, ``serve``): exit 130 and one line
    saying whether a load was committed before it."""
    from friendshore.warehouse.store import commits

    before = commits()

    def interrupted() -> int:
        message = _INTERRUPTED if commits() == before else _INTERRUPTED_AFTER_COMMIT
        err_console.print(Text(message), highlight=False, soft_wrap=True)
        return _SIGINT_EXIT

    try:
        code = _command().main(args=args, standalone_mode=False, prog_name="friendshore")
    except (typer.Exit, click.exceptions.Exit) as exc:
        if exc.exit_code == _SIGINT_EXIT:
            return interrupted()
        return int(exc.exit_code)
    except typer.TyperException as exc:  # usage errors: exit code 2, with the usage line
        show = getattr(exc, "show", None)
        if show is not None:
            show()
        else:
            _error("error:", exc.format_message())
        return int(exc.exit_code)
    except (typer.Abort, KeyboardInterrupt):  # Ctrl-C outside a command (click: Abort)
        return interrupted()
    except UserError as exc:
        _error("error:", str(exc))
        return 2
    except FriendshoreError as exc:
        _error("error:", str(exc))
        return 1
    except Exception as exc:  # an internal error: no traceback, a way to report it
        if type(exc).__name__ == "InterruptException" or str(exc) == "Query interrupted":
            return interrupted()  # Ctrl-C inside a DuckDB query
        if isinstance(exc, OSError):  # a write the command does not handle itself: a full disk is no bug
            from friendshore.errors import cannot_write

            clean = cannot_write(exc.filename or "a file", exc, changed="the command stopped before the end")
            if clean is not None:
                _error("error:", str(clean))
                return 2
        _error(
            "internal error:",
            f"{type(exc).__name__}: {exc}\n"
            "This is a bug in friendshore. Please report it with the command you ran "
            "(run again with FRIENDSHORE_DEBUG=1 for the traceback).",
        )
        if _debug():
            raise
        return 1
    code = int(code) if isinstance(code, int) else 0
    if code == _SIGINT_EXIT:  # typer turns Ctrl-C inside a command into Exit(130) and returns it
        return interrupted()
    return code


_SIGINT_EXIT = 130
_INTERRUPTED = "Interrupted: nothing was changed in the warehouse (a load in progress was rolled back)."
_INTERRUPTED_AFTER_COMMIT = (
    "Interrupted after the load was committed: the warehouse holds the new data "
    "(see 'friendshore data status')."
)


def _debug() -> bool:
    import os

    return os.environ.get("FRIENDSHORE_DEBUG", "") not in ("", "0")


def main() -> NoReturn:
    sys.exit(run(sys.argv[1:]))
