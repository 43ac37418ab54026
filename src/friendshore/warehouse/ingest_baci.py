"""Load CEPII BACI files (yearly CSVs or release zips) into ``trade``, ``countries``, ``products``.

The whole call is one transaction: every (hs_revision, release, year) partition it reads is
replaced at once, or nothing changes. Two files for the same year (two copies, or two parts of a
split year) are refused: keeping one of them would drop the other's rows without a word, and
adding them up could count a copy twice. Join the parts into one file and load that.

A yearly file is read by the fast path (``sources/baci_fast.py``: DuckDB, one pass, the file read
once) when it is in CEPII's plain form, and by the reference reader (``iter_baci_trade``) otherwise;
either way every value is checked, codes are mapped with the release's dictionary, no flow may
repeat, and the partition records its coverage and the source file's sha256.
"""

from __future__ import annotations

import io
import re
import tempfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

import duckdb
import pyarrow.parquet as pq
from rich.progress import Progress, TaskID

from friendshore.console import get_logger, progress
from friendshore.errors import DataSourceError, SchemaError, UserError
from friendshore.nomenclature.hs import HS_REVISIONS
from friendshore.sources import baci_fast
from friendshore.sources.baci import (
    iter_baci_trade,
    open_zip,
    parse_baci_name,
    read_baci_countries,
    read_baci_products,
)
from friendshore.sources.checks import require_nonempty
from friendshore.warehouse.coverage import classify_coverage
from friendshore.warehouse.store import (
    Partition,
    SourceFile,
    Transaction,
    sha256_file,
    transaction,
)
from friendshore.warehouse.tables import TABLES

__all__ = ["Reader", "check_hs_revision", "check_release", "ingest_baci", "stage_baci"]

log = get_logger(__name__)
SOURCE = "cepii-baci"
#: ``auto``: the fast path (``sources/baci_fast.py``) where the file is in CEPII's plain form, the
#: reference reader (``iter_baci_trade``) otherwise; ``reference``: the reference reader always.
Reader = Literal["auto", "reference"]


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


_RELEASE_LABEL = re.compile(r"^V\d{6}[A-Z]?$")


def check_hs_revision(value: str, *, source: str = "--hs") -> str:
    """``value`` upper-cased if it is an HS revision BACI ships (HS92 ... HS22); a UserError otherwise."""
    label = value.strip().upper()
    if label not in HS_REVISIONS:
        raise UserError(f"{source} '{value}' is not an HS revision (one of {', '.join(HS_REVISIONS)})")
    return label


def check_release(value: str, *, source: str = "--release") -> str:
    """``value`` upper-cased if it is a BACI release label such as V202601; a UserError otherwise."""
    label = value.strip().upper()
    if not _RELEASE_LABEL.match(label):
        raise UserError(f"{source} '{value}' is not a BACI release label such as V202601")
    return label


def ingest_baci(
    home: Path,
    paths: Sequence[Path],
    *,
    release: str | None = None,
    hs_revision: str | None = None,
    countries_file: Path | None = None,
    products_file: Path | None = None,
    reader: Reader = "auto",
    replace: bool = False,
) -> list[Partition]:
    """Load BACI files into the warehouse at ``home``; returns the partitions written.

    ``reader`` picks how yearly files are read (see ``Reader``); both store the same rows, and
    every error is the reference reader's (the fast path hands a file it does not take to it).
    ``replace``: a partition may be replaced by one with fewer rows or countries."""
    with transaction(home, replace=replace) as tx:
        stage_baci(
            tx,
            paths,
            release=release,
            hs_revision=hs_revision,
            countries_file=countries_file,
            products_file=products_file,
            reader=reader,
        )
        return list(tx.staged)


def stage_baci(
    tx: Transaction,
    paths: Sequence[Path],
    *,
    release: str | None = None,
    hs_revision: str | None = None,
    countries_file: Path | None = None,
    products_file: Path | None = None,
    reader: Reader = "auto",
) -> None:
    """Read BACI files into the open transaction ``tx`` (see ``ingest_baci``)."""
    if reader not in ("auto", "reference"):
        raise UserError(f"reader '{reader}' is not one of auto, reference")
    if release is not None:
        release = check_release(release)
    if hs_revision is not None:
        hs_revision = check_hs_revision(hs_revision)
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
            where = f"the name of {member.label}"
            return check_hs_revision(hs, source=where), parsed.year, check_release(rel, source=where)

        releases = {meta(m)[2] for _, m, _ in trade_jobs}
        if len(releases) > 1:
            raise UserError(f"one load takes files of one release, got {sorted(releases)}")
        rel = releases.pop()
        seen: dict[tuple[str, int], _Member] = {}
        for _, member, _ in trade_jobs:
            hs, year, _ = meta(member)
            if year is None:
                continue  # a year read from the rows is checked when the partition is staged
            if (hs, year) in seen:
                raise UserError(
                    f"two files for {hs} {year}: {seen[hs, year].label} and {member.label}; one load "
                    "takes one file per year (join the parts of a split year into one file): nothing was loaded"
                )
            seen[hs, year] = member

        first = trade_jobs[0][1]
        if first.member is None and not any(kind == "products" for *_, kind in jobs):
            beside = _beside(first.path, f"product_codes_{meta(first)[0]}_", rel)
            if beside is not None:
                jobs.append((None, _Member(beside, None), "products"))

        countries = _load_countries(tx, jobs, rel)
        for archive, member, kind in jobs:
            if kind == "products":
                hs = hs_revision or parse_baci_name(member.name).hs_revision or meta(trade_jobs[0][1])[0]
                hs = check_hs_revision(hs, source=f"the name of {member.label}")
                with _open(member, archive) as fh:
                    table = read_baci_products(fh, file=member.label, hs_revision=hs, release=rel)
                tx.replace(
                    "products",
                    {"hs_revision": hs, "release": rel},
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
                    tx, archive, member, countries, hs, year, rel, _Task(bar, task), reader=reader
                )


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


_HASHES: dict[tuple[Path, int, int], str] = {}


def _version(path: Path) -> tuple[Path, int, int]:
    stat = path.stat()
    return path.resolve(), stat.st_size, stat.st_mtime_ns


def _sha256(path: Path) -> str:
    """sha256 of a file, computed once per file version: every member of a release zip records
    the zip's hash, and a full BACI release is a few GB (the fast path hashes a yearly file while
    reading it: ``_remember_sha256``)."""
    version = _version(path)
    if version not in _HASHES:
        _remember_sha256(version, sha256_file(path))
    return _HASHES[version]


def _remember_sha256(version: tuple[Path, int, int], digest: str) -> None:
    if len(_HASHES) >= 64:
        _HASHES.pop(next(iter(_HASHES)))
    _HASHES[version] = digest


def _load_countries(
    tx: Transaction, jobs: list[tuple[zipfile.ZipFile | None, _Member, str]], rel: str
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
        parts = [p for p in tx.result().partitions("countries") if p.key["release"] == rel]
        if not parts:
            hint = _other_releases(first.path, "country_codes_") if first.member is None else ""
            raise UserError(
                f"no country dictionary for BACI release {rel}: put country_codes_{rel}.csv next to "
                f"the file or pass --countries FILE (it ships in the release zip){hint}"
            )
        table = pq.read_table(tx.home / parts[0].file)
    return dict(zip(table.column("code").to_pylist(), table.column("iso3").to_pylist(), strict=True))


@dataclass(frozen=True)
class _Task:
    """A file's progress bar: bytes read; back to zero when the reference reader starts over."""

    bar: Progress
    task: TaskID

    def advance(self, size: int) -> None:
        self.bar.advance(self.task, size)

    def restart(self) -> None:
        self.bar.reset(self.task)


def _load_trade_file(
    tx: Transaction,
    archive: zipfile.ZipFile | None,
    member: _Member,
    countries: dict[int, str],
    hs: str,
    year: int | None,
    rel: str,
    task: _Task,
    *,
    reader: Reader = "auto",
) -> None:
    path, relpath = tx.new_file("trade")
    fast = _read_fast(archive, member, path, countries, hs, year, rel, task) if reader == "auto" else None
    if fast is None:
        rows, year = _read_reference(archive, member, path, countries, hs, year, rel, task)
        scan = baci_fast.scan_trade_file(path, countries)
    else:
        rows, year, scan = fast.rows, fast.year, fast.scan
    if not scan.ordered:  # not sorted by exporter, importer and product: look for repeated flows
        _check_duplicates(path, member.label)
    countries_iso3 = set(countries.values())
    coverage = classify_coverage(scan.importers, scan.exporters, scan.products, countries_iso3)
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


def _read_fast(
    archive: zipfile.ZipFile | None,
    member: _Member,
    path: Path,
    countries: dict[int, str],
    hs: str,
    year: int | None,
    rel: str,
    task: _Task,
) -> baci_fast.FastCopy | None:
    """What the fast path wrote, or ``None`` when it declined the file (logged)."""
    plain = member.member is None
    version = _version(member.path) if plain else None
    with _open(member, archive) as raw:
        got = baci_fast.copy_baci_trade(
            raw,
            path,
            countries=countries,
            year=year,
            hs_revision=hs,
            release=rel,
            advance=task.advance,
            digest=plain,
            path=_direct(member.path) if plain else None,
        )
    if isinstance(got, baci_fast.Declined):
        log.info("%s: read by the reference reader (%s)", member.label, got.reason)
        path.unlink(missing_ok=True)
        task.restart()
        return None
    if version is not None and _version(member.path) == version:  # unchanged while it was read
        _remember_sha256(version, got.sha256)
    return got


def _direct(path: Path) -> Path | None:
    """``path`` made absolute where DuckDB can read it by name (no glob characters in it), for the
    fast path to let DuckDB read the file itself; ``None``: through a pipe."""
    absolute = path.resolve()
    return None if any(c in str(absolute) for c in "*?[]{}") else absolute


def _read_reference(
    archive: zipfile.ZipFile | None,
    member: _Member,
    path: Path,
    countries: dict[int, str],
    hs: str,
    year: int | None,
    rel: str,
    task: _Task,
) -> tuple[int, int]:
    """Rows and year written by the reference reader; every error names its line and field."""
    rows = 0
    years: set[int] = set()
    schema = TABLES["trade"].schema
    try:
        with _open(member, archive) as raw, pq.ParquetWriter(path, schema, compression="zstd") as out:
            stream = io.BufferedReader(_Counting(raw, task.advance), buffer_size=1 << 20)  # type: ignore[type-var]
            for batch in iter_baci_trade(
                stream, file=member.label, countries=countries, year=year, hs_revision=hs, release=rel
            ):
                out.write_table(batch.cast(schema))
                rows += batch.num_rows
                if year is None:
                    years.update(batch.column("year").unique().to_pylist())
    except (zipfile.BadZipFile, EOFError, zlib.error) as exc:
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
    return rows, year
