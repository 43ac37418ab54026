"""Load CEPII BACI files (yearly CSVs or release zips) into ``trade``, ``countries``, ``products``.

The whole call is one transaction: every (hs_revision, release, year) partition it reads is
replaced at once, or nothing changes.
"""

from __future__ import annotations

import functools
import io
import tempfile
import zipfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import duckdb
import pyarrow.parquet as pq

from friendshore.console import get_logger, progress
from friendshore.errors import DataSourceError, SchemaError, UserError
from friendshore.sources.baci import (
    iter_baci_trade,
    open_zip,
    parse_baci_name,
    read_baci_countries,
    read_baci_products,
)
from friendshore.sources.checks import require_nonempty
from friendshore.warehouse.coverage import measure_coverage
from friendshore.warehouse.store import (
    Partition,
    SourceFile,
    Transaction,
    read_manifest,
    sha256_file,
    transaction,
)
from friendshore.warehouse.tables import TABLES

__all__ = ["ingest_baci"]

log = get_logger(__name__)
SOURCE = "cepii-baci"


@dataclass(frozen=True)
class _Member:
    """A file to read: on disk, or a member of a zip."""

    path: Path
    member: str | None

    @property
    def name(self) -> str:
        return self.member or self.path.name

    @property
    def label(self) -> str:
        return f"{self.path}:{self.member}" if self.member else str(self.path)

    def size(self, archive: zipfile.ZipFile | None) -> int:
        if archive is not None and self.member:
            return archive.getinfo(self.member).file_size
        return self.path.stat().st_size


class _Counting(io.RawIOBase):
    """Wrap a binary stream and report bytes read (for the progress bar)."""

    def __init__(self, raw: IO[bytes], advance: Callable[[int], None]) -> None:
        self.raw, self.advance = raw, advance

    def readable(self) -> bool:
        return True

    def readinto(self, b: bytearray) -> int:  # type: ignore[override]
        data = self.raw.read(len(b))
        b[: len(data)] = data
        self.advance(len(data))
        return len(data)


@contextmanager
def _open(member: _Member, archive: zipfile.ZipFile | None) -> Iterator[IO[bytes]]:
    if archive is not None and member.member:
        with archive.open(member.member) as fh:
            yield fh
    else:
        with open(member.path, "rb") as fh:
            yield fh


def _classify(name: str) -> str | None:
    base = Path(name).name.lower()
    if base.startswith("baci_") and base.endswith(".csv"):
        return "trade"
    if base.startswith("country_codes") and base.endswith(".csv"):
        return "countries"
    if base.startswith("product_codes") and base.endswith(".csv"):
        return "products"
    return None


def _check_duplicates(path: Path, file: str) -> None:
    """Fail if two rows share (year, exporter, importer, hs6); name the later row's line.

    One grouped pass under a DuckDB memory limit (it spills to disk beyond it), so the check
    stays bounded on a full BACI year.
    """
    quoted = str(path).replace("'", "''")
    sql = f"""
        SELECT max(file_row_number) + 2 AS line, exporter, importer, hs6
        FROM read_parquet('{quoted}', file_row_number = true)
        GROUP BY year, exporter, importer, hs6 HAVING count(*) > 1
        ORDER BY line LIMIT 1"""
    spill = Path(tempfile.gettempdir()) / "friendshore-spill"
    with duckdb.connect(config={"memory_limit": "128MB", "temp_directory": str(spill)}) as db:
        row = db.execute(sql).fetchone()
    if row is not None:
        line, exporter, importer, hs6 = row
        raise SchemaError(
            f"duplicate flow {exporter}->{importer} {hs6} (already on an earlier line)",
            file=file,
            line=int(line),
            hint="a BACI file has one row per year, exporter, importer and product",
        )


def ingest_baci(
    home: Path,
    paths: Sequence[Path],
    *,
    release: str | None = None,
    hs_revision: str | None = None,
    countries_file: Path | None = None,
    products_file: Path | None = None,
) -> list[Partition]:
    """Load BACI files into the warehouse at ``home``; returns the partitions written."""
    if not paths:
        raise UserError("give at least one BACI file or release zip")
    with ExitStack() as stack:
        # Gather every member to read, grouped by archive.
        jobs: list[tuple[zipfile.ZipFile | None, _Member, str]] = []
        for path in map(Path, paths):
            require_nonempty(path)
            if path.suffix.lower() == ".zip":
                opened = stack.enter_context(open_zip(path))
                members = [_Member(path, n) for n in opened.namelist() if _classify(n)]
                if not any(_classify(m.name) == "trade" for m in members):
                    raise DataSourceError("zip holds no BACI_*.csv yearly file", file=path)
                jobs += [(opened, m, _classify(m.name) or "") for m in members]
            else:
                kind = _classify(path.name) or "trade"
                jobs.append((None, _Member(path, None), kind))
        for extra, kind in ((countries_file, "countries"), (products_file, "products")):
            if extra is not None:
                require_nonempty(Path(extra))
                jobs = [j for j in jobs if j[2] != kind] + [(None, _Member(Path(extra), None), kind)]

        trade_jobs = [j for j in jobs if j[2] == "trade"]
        if not trade_jobs:
            raise UserError("no BACI yearly trade file given (BACI_HSxx_Yyyyy_Vyyyymm.csv)")

        def meta(member: _Member) -> tuple[str, int | None, str]:
            parsed = parse_baci_name(member.name)
            hs = hs_revision or parsed.hs_revision
            rel = release or parsed.release
            if hs is None or rel is None:
                raise UserError(
                    f"{member.label}: cannot tell the HS revision and release from the file name; "
                    "pass --hs (e.g. HS17) and --release (e.g. V202601)"
                )
            return hs.upper(), parsed.year, rel.upper()

        releases = {meta(m)[2] for _, m, _ in trade_jobs}
        if len(releases) > 1:
            raise UserError(f"one load takes files of one release, got {sorted(releases)}")
        rel = releases.pop()

        first = trade_jobs[0][1]
        if first.member is None and not any(kind == "products" for *_, kind in jobs):
            beside = _beside(first.path, f"product_codes_{meta(first)[0]}_", rel)
            if beside is not None:
                jobs.append((None, _Member(beside, None), "products"))

        with transaction(home) as tx:
            countries = _load_countries(tx, jobs, rel, home)
            for archive, member, kind in jobs:
                if kind == "products":
                    hs = hs_revision or parse_baci_name(member.name).hs_revision or meta(trade_jobs[0][1])[0]
                    with _open(member, archive) as fh:
                        table = read_baci_products(fh, file=member.label, hs_revision=hs.upper(), release=rel)
                    tx.replace(
                        "products",
                        {"hs_revision": hs.upper(), "release": rel},
                        table,
                        source=SOURCE,
                        release=rel,
                        files=(_source_file(member),),
                    )
            with progress() as bar:
                for archive, member, _ in trade_jobs:
                    hs, year, _ = meta(member)
                    task = bar.add_task(f"BACI {member.name}", total=member.size(archive))
                    _load_trade_file(
                        tx,
                        archive,
                        member,
                        countries,
                        hs,
                        year,
                        rel,
                        functools.partial(bar.advance, task),
                    )
            return list(tx.staged)


def _beside(trade_file: Path, prefix: str, release: str) -> Path | None:
    """The release's dictionary shipped next to a yearly file (``country_codes_V202601.csv``,
    ``product_codes_HS17_V202601.csv``), names compared without case (releases such as ``V202301b``
    are written either way)."""
    want = f"{prefix}{release}.csv".lower()
    return next((p for p in sorted(trade_file.parent.glob("*.csv")) if p.name.lower() == want), None)


def _other_releases(trade_file: Path, prefix: str) -> str:
    """A hint naming dictionaries of other releases next to ``trade_file`` ('' when none)."""
    other = sorted(p.name for p in trade_file.parent.glob("*.csv") if p.name.lower().startswith(prefix))
    return f" ({', '.join(other)} next to the file is of another release)" if other else ""


def _source_file(member: _Member) -> SourceFile:
    return SourceFile(member.path.name, _sha256(member.path), member.member)


@functools.lru_cache(maxsize=64)
def _sha256_cached(path: Path, size: int, mtime_ns: int) -> str:
    return sha256_file(path)


def _sha256(path: Path) -> str:
    """sha256 of a file, computed once per file version: every member of a release zip records
    the zip's hash, and a full BACI release is a few GB."""
    stat = path.stat()
    return _sha256_cached(path.resolve(), stat.st_size, stat.st_mtime_ns)


def _load_countries(
    tx: Transaction, jobs: list[tuple[zipfile.ZipFile | None, _Member, str]], rel: str, home: Path
) -> dict[int, str]:
    """The release's country dictionary: from the files given, beside them, or already loaded."""
    given = [(a, m) for a, m, kind in jobs if kind == "countries"]
    if not given:
        first = next(m for _, m, kind in jobs if kind == "trade")
        beside = _beside(first.path, "country_codes_", rel) if first.member is None else None
        if beside is not None:
            given = [(None, _Member(beside, None))]
    if given:
        archive, member = given[-1]
        with _open(member, archive) as fh:
            table = read_baci_countries(fh, file=member.label, release=rel)
        tx.replace(
            "countries", {"release": rel}, table, source=SOURCE, release=rel, files=(_source_file(member),)
        )
    else:
        parts = [p for p in read_manifest(home).partitions("countries") if p.key["release"] == rel]
        if not parts:
            hint = _other_releases(first.path, "country_codes_") if first.member is None else ""
            raise UserError(
                f"no country dictionary for BACI release {rel}: put country_codes_{rel}.csv next to "
                f"the file or pass --countries FILE (it ships in the release zip){hint}"
            )
        table = pq.read_table(home / parts[0].file)
    return dict(zip(table.column("code").to_pylist(), table.column("iso3").to_pylist(), strict=True))


def _load_trade_file(
    tx: Transaction,
    archive: zipfile.ZipFile | None,
    member: _Member,
    countries: dict[int, str],
    hs: str,
    year: int | None,
    rel: str,
    advance: Callable[[int], None],
) -> None:
    path, relpath = tx.new_file("trade")
    rows = 0
    years: set[int] = set()
    schema = TABLES["trade"].schema
    try:
        with _open(member, archive) as raw, pq.ParquetWriter(path, schema, compression="zstd") as out:
            stream = io.BufferedReader(_Counting(raw, advance), buffer_size=1 << 20)  # type: ignore[type-var]
            for batch in iter_baci_trade(
                stream, file=member.label, countries=countries, year=year, hs_revision=hs, release=rel
            ):
                out.write_table(batch.cast(schema))
                rows += batch.num_rows
                if year is None:
                    years.update(batch.column("year").unique().to_pylist())
    except (zipfile.BadZipFile, EOFError) as exc:
        raise DataSourceError(
            f"archive member is corrupt or truncated ({exc})",
            file=member.label,
            hint="fetch the release again",
        ) from None
    if rows == 0:
        raise DataSourceError("file has a header but no rows", file=member.label)
    if year is None:
        if len(years) != 1:
            raise SchemaError(
                f"a file without a year in its name must hold one year, found {sorted(years)}",
                file=member.label,
                field="t",
            )
        year = years.pop()
    _check_duplicates(path, member.label)
    coverage = measure_coverage(path, set(countries.values()))
    log.info("read %s rows from %s (%s)", rows, member.label, coverage.describe())
    tx.adopt(
        "trade",
        {"hs_revision": hs, "release": rel, "year": year},
        relpath,
        rows,
        source=SOURCE,
        release=rel,
        files=(_source_file(member),),
        coverage=coverage.to_json(),
    )
