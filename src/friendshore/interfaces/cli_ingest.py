"""``friendshore ingest``: load the real sources into the warehouse."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pyarrow as pa
import typer

from friendshore.interfaces.cli_common import settings_of
from friendshore.interfaces.render import render
from friendshore.warehouse.ingest import SOURCES, ingest_sample, ingest_source
from friendshore.warehouse.ingest_baci import ingest_baci
from friendshore.warehouse.store import Partition

__all__ = ["ingest_app", "report_loaded"]

_REPLACE_HELP = (
    "Replace a loaded partition even with fewer rows or countries (a load refuses that otherwise)."
)

ingest_app = typer.Typer(
    help="Load real source files into the warehouse (atomic, idempotent).", no_args_is_help=True
)


def report_loaded(parts: list[Partition]) -> None:
    """Print the partitions a load wrote."""
    rows = [
        {
            "table": p.table,
            "partition": ", ".join(f"{k}={v}" for k, v in p.key.items()),
            "rows": p.rows,
            "source": p.source,
        }
        for p in parts
    ]
    schema = pa.schema(
        [("table", pa.string()), ("partition", pa.string()), ("rows", pa.int64()), ("source", pa.string())]
    )
    render(pa.Table.from_pylist(rows, schema=schema), "table", title="Loaded")


@ingest_app.command("baci")
def baci(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="BACI yearly CSV files or a release zip.")],
    release: Annotated[
        str | None, typer.Option(help="Release, e.g. V202601 (default: from the file name).")
    ] = None,
    hs: Annotated[
        str | None, typer.Option(help="HS revision, e.g. HS17 (default: from the file name).")
    ] = None,
    countries: Annotated[Path | None, typer.Option(help="The release's country_codes_V*.csv.")] = None,
    products: Annotated[Path | None, typer.Option(help="The release's product_codes_HS*_V*.csv.")] = None,
    replace: Annotated[bool, typer.Option(help=_REPLACE_HELP)] = False,
) -> None:
    """Load CEPII BACI trade (t,i,j,k,v,q) with the release's country and product dictionaries."""
    settings = settings_of(ctx)
    report_loaded(
        ingest_baci(
            settings.home,
            files,
            release=release,
            hs_revision=hs,
            countries_file=countries,
            products_file=products,
            replace=replace,
        )
    )


@ingest_app.command("sample")
def sample(ctx: typer.Context) -> None:
    """Load every source's sample file from the sample-data folder (--sample-data or FRIENDSHORE_SAMPLE_DATA)
    in one go."""
    settings = settings_of(ctx)
    report_loaded(ingest_sample(settings.home, settings.sample_data))


def _add_source_command(name: str) -> None:
    loader = SOURCES[name]

    path_argument = typer.Argument(..., help=f"{loader.expects}.")
    replace_option = typer.Option(False, "--replace", help=_REPLACE_HELP)

    def command(ctx: typer.Context, path: Path = path_argument, replace: bool = replace_option) -> None:
        report_loaded(ingest_source(settings_of(ctx).home, name, path, replace=replace))

    command.__doc__ = f"Load {loader.description}."
    ingest_app.command(name)(command)


for _name in SOURCES:
    _add_source_command(_name)
