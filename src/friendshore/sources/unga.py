"""UN General Assembly ideal points (Bailey, Strezhnev & Voeten 2017, JCR), Harvard Dataverse.

``IdealpointestimatesAll_<Mon><YYYY>.csv`` (here the June 2024 version, sessions 1-78) has one row
per country and session: ``ccode`` (Correlates of War code), ``session``, ``NVotesAll`` (votes
cast), ``IdealPointAll`` (the ideal point: a country's position on the one dimension that best
explains its UNGA votes, with the US at the high end), posterior quantiles, ``iso3c``,
``Countryname`` and the share of votes agreeing with the US, Russia, Brazil, China, India and
Israel (``USAgree``, ``RUSSAgree``, ..., ``NA`` where that state did not vote). The session held
in autumn of year Y is session Y - 1945 (session 1 = 1946, session 78 = 2023).

Historic states. Every row of the June 2024 file carries a code; for the ``alignment`` table
(one row per country and year) they are kept as follows, all with their COW code:

* COW 260 (German Federal Republic, sessions 28-45) is ``DEU`` in the file and stays ``DEU``;
  COW 265 (German Democratic Republic) stays ``DDR``, COW 315 (Czechoslovakia) ``CSK``, COW 678
  (Yemen Arab Republic) ``YAR``, COW 713 (Republic of China seat, sessions 1-26) ``TWN``.
* COW 680 (Yemen People's Republic, sessions 22-44) shares ``YAR`` with North Yemen in the file;
  it becomes ``YMD``, the ISO 3166-3 alpha-3 code of Democratic Yemen.
* COW 345 is ``YUG`` in every session; from session 61 (2006, the first after Montenegro's
  independence, when Serbia continued the UN seat) it becomes ``SRB``.
* A row with no code (empty or ``NA``) cannot be joined to other tables and is dropped, with a
  warning naming how many and the first line.

Completeness. The file covers every UN member voting in each session; a file cut short loses the
last countries (rows run by COW code, then session) or the last sessions of one. So a file must
reach session ``UNGA_LATEST_SESSION`` (78, 2023: the June 2024 version) and its latest session must
hold every country of ``UNGA_MEMBERS``: the 192 that voted in session 78 of the June 2024 file (the
193 UN members but Venezuela, which has no row in sessions 76-78 of that file).
"""

from __future__ import annotations

import re
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from friendshore.console import get_logger
from friendshore.errors import DataSourceError, SchemaError
from friendshore.sources.checks import (
    first_false,
    parse_integers,
    parse_numbers,
    read_text_csv,
    recoded,
    require_columns,
    require_nonempty,
    require_rows,
    require_unique,
)

__all__ = [
    "SERBIA_FROM_SESSION",
    "UNGA_COW_ISO3",
    "UNGA_LATEST_SESSION",
    "UNGA_MEMBERS",
    "read_unga_ideal_points",
    "unga_release",
]

log = get_logger(__name__)

#: COW codes whose ISO3 in the file is replaced (see the module docstring).
UNGA_COW_ISO3: dict[int, str] = {680: "YMD"}
#: COW 345 (Yugoslavia) is Serbia from this session on.
SERBIA_FROM_SESSION = 61
#: The latest session of the June 2024 version: a release must reach it.
UNGA_LATEST_SESSION = 78
#: The countries with a row in session 78 of the June 2024 version (after the recoding above).
_MEMBERS = (
    "AFG AGO ALB AND ARE ARG ARM ATG AUS AUT AZE BDI BEL BEN BFA BGD BGR BHR BHS BIH BLR BLZ BOL BRA "
    "BRB BRN BTN BWA CAF CAN CHE CHL CHN CIV CMR COD COG COL COM CPV CRI CUB CYP CZE DEU DJI DMA DNK "
    "DOM DZA ECU EGY ERI ESP EST ETH FIN FJI FRA FSM GAB GBR GEO GHA GIN GMB GNB GNQ GRC GRD GTM GUY "
    "HND HRV HTI HUN IDN IND IRL IRN IRQ ISL ISR ITA JAM JOR JPN KAZ KEN KGZ KHM KIR KNA KOR KWT LAO "
    "LBN LBR LBY LCA LIE LKA LSO LTU LUX LVA MAR MCO MDA MDG MDV MEX MHL MKD MLI MLT MMR MNE MNG MOZ "
    "MRT MUS MWI MYS NAM NER NGA NIC NLD NOR NPL NRU NZL OMN PAK PAN PER PHL PLW PNG POL PRK PRT PRY "
    "QAT ROU RUS RWA SAU SDN SEN SGP SLB SLE SLV SMR SOM SRB SSD STP SUR SVK SVN SWE SWZ SYC SYR TCD "
    "TGO THA TJK TKM TLS TON TTO TUN TUR TUV TZA UGA UKR URY USA UZB VCT VNM VUT WSM YEM ZAF ZMB ZWE"
)
UNGA_MEMBERS = frozenset(_MEMBERS.split())

#: Source column -> ``alignment`` column (numbers).
_NUMBERS = {
    "NVotesAll": "n_votes",
    "IdealPointAll": "ideal_point",
    "USAgree": "agree_usa",
    "ChinaAgree": "agree_chn",
    "IndiaAgree": "agree_ind",
    "RUSSAgree": "agree_rus",
}
_COLUMNS = [
    "release",
    "country",
    "cow_code",
    "year",
    "session",
    "ideal_point",
    "n_votes",
    "agree_usa",
    "agree_chn",
    "agree_ind",
    "agree_rus",
]
_NAME_RE = re.compile(r"_(?P<release>[A-Z][a-z]{2}\d{4})$")


def unga_release(path: Path) -> str:
    """The Dataverse version in the file name (``IdealpointestimatesAll_Jun2024.csv`` -> ``Jun2024``)."""
    m = _NAME_RE.search(Path(path).stem)
    if not m:
        raise DataSourceError(
            "no version (e.g. _Jun2024) at the end of the file name",
            file=path,
            hint="keep the Dataverse file name IdealpointestimatesAll_<Mon><YYYY>.csv",
        )
    return m["release"]


def read_unga_ideal_points(path: Path, *, release: str | None = None) -> pa.Table:
    """The ideal-point CSV -> ``alignment`` rows: ``year = session + 1945``; agreement shares in 0..1."""
    path = Path(path)
    require_nonempty(path)
    release = release or unga_release(path)
    raw = read_text_csv(path, ["ccode", "session", "iso3c", *_NUMBERS])
    require_columns(
        raw.column_names,
        ["ccode", "session", "iso3c", *_NUMBERS],
        file=path,
        hint="is this IdealpointestimatesAll_<version>.csv from the UNGA voting Dataverse?",
    )
    require_rows(raw, file=path)
    n = raw.num_rows
    cow = pc.cast(
        parse_integers(raw.column("ccode"), field="ccode", file=path, first_line=2, minimum=0, maximum=99999),
        pa.int32(),
    )
    session = pc.cast(
        parse_integers(
            raw.column("session"),
            field="session",
            file=path,
            first_line=2,
            minimum=1,
            maximum=200,
            what="a UNGA session number",
        ),
        pa.int16(),
    )
    data: dict[str, pa.Array | pa.ChunkedArray] = {
        "cow_code": cow,
        "session": session,
        "year": pc.cast(pc.add(pc.cast(session, pa.int32()), 1945), pa.int16()),
        "line": pa.array(range(2, n + 2), pa.int64()),
    }
    for col, out in _NUMBERS.items():
        agree = col.endswith("Agree")
        values = parse_numbers(
            raw.column(col),
            field=col,
            file=path,
            first_line=2,
            missing=("", "NA"),
            allow_missing=agree,
            nonnegative=out != "ideal_point",
        )
        if agree:
            over = first_false(pc.or_kleene(pc.is_null(values), pc.less_equal(values, 1)))
            if over is not None:
                raise SchemaError(
                    f"agreement share {values[over].as_py()} is above 1",
                    file=path,
                    line=over + 2,
                    field=col,
                    hint="agreement scores are shares of votes, 0..1",
                )
        data[out] = values
    data["country"] = _country(raw.column("iso3c"), cow, session)
    table = pa.table(data)
    table = _drop_without_code(table, path)
    _check_unique(table, path)
    _check_complete(table, path)
    table = table.append_column("release", pa.array([release] * table.num_rows, pa.string()))
    return table.select(_COLUMNS)


def _country(
    iso3c: pa.ChunkedArray, cow: pa.Array | pa.ChunkedArray, session: pa.Array | pa.ChunkedArray
) -> pa.Array | pa.ChunkedArray:
    code = pc.utf8_trim_whitespace(iso3c)
    code = pc.if_else(pc.is_in(code, value_set=pa.array(["", "NA"])), pa.scalar(None, pa.string()), code)
    code = recoded(cow, UNGA_COW_ISO3, key_type=pa.int32(), otherwise=code)
    serbia = pc.and_(pc.equal(cow, 345), pc.greater_equal(session, SERBIA_FROM_SESSION))
    return pc.if_else(serbia, "SRB", code)


def _drop_without_code(table: pa.Table, path: Path) -> pa.Table:
    has_code = pc.is_valid(table.column("country"))
    dropped = table.num_rows - pc.sum(pc.cast(has_code, pa.int64())).as_py()
    if dropped:
        first = table.column("line")[first_false(has_code) or 0].as_py()
        log.warning("%s: %d row(s) without an iso3c code dropped (first at line %d)", path, dropped, first)
        table = table.filter(has_code)
    bad = first_false(pc.match_substring_regex(table.column("country"), r"^[A-Z]{3}$"))
    if bad is not None:
        raise SchemaError(
            f"'{table.column('country')[bad].as_py()}' is not a 3-letter country code",
            file=path,
            line=table.column("line")[bad].as_py(),
            field="iso3c",
        )
    return table


def _check_complete(table: pa.Table, path: Path) -> None:
    """The file reaches session 78 and its latest session has every country of ``UNGA_MEMBERS``."""
    latest = int(pc.max(table.column("session")).as_py())
    hint = "the file looks cut short or edited: download it again (friendshore fetch unga)"
    if latest < UNGA_LATEST_SESSION:
        raise SchemaError(
            f"the file ends at session {latest} ({latest + 1945}); the version of June 2024 and later "
            f"ones reach session {UNGA_LATEST_SESSION} ({UNGA_LATEST_SESSION + 1945})",
            file=path,
            field="session",
            hint=hint,
        )
    voting = pc.filter(table.column("country"), pc.equal(table.column("session"), latest))
    missing = sorted(UNGA_MEMBERS - set(voting.to_pylist()))
    if missing:
        shown = ", ".join(missing[:8]) + (f" and {len(missing) - 8} more" if len(missing) > 8 else "")
        raise SchemaError(
            f"session {latest} ({latest + 1945}) has no row for {len(missing)} of the "
            f"{len(UNGA_MEMBERS)} UN members that vote: {shown}",
            file=path,
            field="iso3c",
            hint=hint,
        )


def _check_unique(table: pa.Table, path: Path) -> None:
    require_unique(
        table,
        ["country", "session"],
        "{country} appears {count} times in session {session}",
        file=path,
        field="iso3c",
        hint="each country may vote once per session; check the ccode and iso3c columns",
        line_column="line",
    )
