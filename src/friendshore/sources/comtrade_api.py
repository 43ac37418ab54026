"""Download UN Comtrade records from the Comtrade API (v1) with the user's own subscription key.

``fetch_comtrade(...)`` asks the data endpoint (``{base}/C/{freq}/HS?reporterCode=...&period=...``)
for one reporter's records, a year of periods per request, and saves each answer as the API gave
it (JSON, ``{"data": [records]}``) under ``out``; ``friendshore ingest comtrade-monthly OUT`` then
loads the folder (``friendshore.sources.comtrade_monthly.read_comtrade_api`` reads it). Only totals
are asked for: all modes of transport, all customs procedures, no second partner.

The key: a UN Comtrade subscription key (comtradeplus.un.org, the free ``comtrade - v1`` product)
read from ``FRIENDSHORE_COMTRADE_KEY`` (or passed as ``key``). It is sent in the
``Ocp-Apim-Subscription-Key`` header, never in the URL, and only to the configured base URL:
redirects are not followed, plain ``http`` is refused except to this machine (127.0.0.1,
localhost), and no message, log line or file name holds it.

| variable | meaning | default |
|---|---|---|
| ``FRIENDSHORE_COMTRADE_KEY`` | the user's Comtrade subscription key | none: required |
| ``FRIENDSHORE_COMTRADE_BASE_URL`` | where the data endpoint is (a mirror, a test server) | ``https://comtradeapi.un.org/data/v1/get`` |

The general mirror of ``friendshore.sources.fetch`` (``FRIENDSHORE_FETCH_BASE_URL``) is not used
here: a mirror of publishers' files is not a place to send a key to.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import requests

from friendshore import __version__
from friendshore.console import get_logger
from friendshore.errors import DataSourceError, SettingsError, UserError

__all__ = [
    "COMTRADE_BASE_URL",
    "COMTRADE_BASE_URL_ENV",
    "COMTRADE_KEY_ENV",
    "MAX_RECORDS",
    "PERIODS_PER_REQUEST",
    "comtrade_url",
    "fetch_comtrade",
]

log = get_logger(__name__)

COMTRADE_KEY_ENV = "FRIENDSHORE_COMTRADE_KEY"
COMTRADE_BASE_URL_ENV = "FRIENDSHORE_COMTRADE_BASE_URL"
COMTRADE_BASE_URL = "https://comtradeapi.un.org/data/v1/get"
#: Periods asked for in one request: a year of months (the answer stays far below ``MAX_RECORDS``).
PERIODS_PER_REQUEST = 12
#: Records asked for per request; an answer that reaches it may be cut short and is refused.
MAX_RECORDS = 100_000
_LOOPBACK = {"127.0.0.1", "localhost", "::1"}
_PERIOD = {"M": re.compile(r"^\d{4}(0[1-9]|1[0-2])$"), "A": re.compile(r"^\d{4}$")}


def _key(key: str | None) -> str:
    chosen = key if key is not None else os.environ.get(COMTRADE_KEY_ENV, "")
    chosen = chosen.strip()
    if not chosen:
        raise SettingsError(
            f"no UN Comtrade subscription key: set {COMTRADE_KEY_ENV} to your key (a free one comes "
            "with the 'comtrade - v1' product at comtradeplus.un.org)"
        )
    if any(ch.isspace() for ch in chosen) or not chosen.isprintable():
        raise SettingsError(f"{COMTRADE_KEY_ENV} holds spaces or control characters: it is not a key")
    return chosen


def _base(base_url: str | None) -> str:
    chosen = (base_url or os.environ.get(COMTRADE_BASE_URL_ENV, "") or COMTRADE_BASE_URL).strip().rstrip("/")
    parts = urlsplit(chosen)
    where = "base_url" if base_url else COMTRADE_BASE_URL_ENV
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query or parts.fragment:
        raise SettingsError(f"{where} '{chosen}' is not an http(s) URL without a query")
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise SettingsError(
            f"{where} '{chosen}' is plain http to another machine: the key would travel unencrypted; use https"
        )
    return chosen


def comtrade_url(
    base: str,
    *,
    freq: str,
    reporter: str,
    periods: Sequence[str],
    hs: Sequence[str],
    flow: str,
    partners: Sequence[str] | None,
) -> str:
    """The data endpoint's URL for one request (no key: the key goes in a header)."""
    query = {
        "reporterCode": reporter,
        "period": ",".join(periods),
        "cmdCode": ",".join(hs),
        "flowCode": flow,
        "customsCode": "C00",
        "motCode": "0",
        "partner2Code": "0",
        "includeDesc": "true",
        "maxRecords": str(MAX_RECORDS),
    }
    if partners:
        query["partnerCode"] = ",".join(partners)
    return f"{base}/C/{freq}/HS?{urlencode(query, safe=',')}"


def _check(values: Sequence[str], pattern: str, what: str) -> list[str]:
    out = [str(v).strip() for v in values]
    bad = [v for v in out if not re.fullmatch(pattern, v)]
    if not out or bad:
        raise UserError(f"{what}: {', '.join(bad) or 'none given'} (expected {pattern})")
    return out


def fetch_comtrade(
    *,
    reporter: str,
    periods: Sequence[str],
    hs: Sequence[str],
    out: Path,
    flow: str = "X",
    freq: str = "M",
    partners: Sequence[str] | None = None,
    key: str | None = None,
    base_url: str | None = None,
    timeout: float = 60.0,
) -> list[Path]:
    """Download ``reporter``'s records (Comtrade numeric area code, e.g. ``156`` China) of the HS
    codes ``hs`` in ``periods`` (``YYYYMM`` with ``freq`` M, ``YYYY`` with A), flow ``flow`` (X
    exports, M imports), to ``partners`` (numeric codes; ``None``: every partner and the world).

    Returns the saved answers (one JSON file per request, in ``out``), ready for
    ``friendshore ingest comtrade-monthly``. Raises ``SettingsError`` without a key,
    ``DataSourceError`` when the API refuses or answers something else than records."""
    if freq not in _PERIOD:
        raise UserError(f"freq is M (monthly) or A (annual), not '{freq}'")
    reporter = _check([reporter], r"\d{1,4}", "reporter must be a Comtrade numeric area code")[0]
    codes = _check(hs, r"\d{2}|\d{4}|\d{6}", "HS codes must be of 2, 4 or 6 digits")
    asked = _check(periods, _PERIOD[freq].pattern, f"periods with freq {freq}")
    flow = _check([flow], r"[A-Z]{1,3}", "flow must be a Comtrade flow code (X, M, ...)")[0]
    others = (
        _check(partners, r"\d{1,4}", "partners must be Comtrade numeric area codes") if partners else None
    )
    secret, base = _key(key), _base(base_url)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    headers = {"Ocp-Apim-Subscription-Key": secret, "User-Agent": f"friendshore/{__version__}"}
    saved = []
    for start in range(0, len(asked), PERIODS_PER_REQUEST):
        chunk = asked[start : start + PERIODS_PER_REQUEST]
        url = comtrade_url(
            base, freq=freq, reporter=reporter, periods=chunk, hs=codes, flow=flow, partners=others
        )
        answer = _get(url, headers, secret, timeout)
        digest = hashlib.sha256(url.encode()).hexdigest()[:10]
        path = out / f"comtrade_{freq}_{reporter}_{flow}_{chunk[0]}-{chunk[-1]}_{digest}.json"
        tmp = path.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(answer), encoding="utf-8")
        tmp.replace(path)
        log.info("%s: %d records from %s", path.name, len(answer["data"]), url)
        saved.append(path)
    return saved


def _get(url: str, headers: dict[str, str], secret: str, timeout: float) -> dict[str, Any]:
    """One request, its answer checked; ``secret`` is scrubbed from anything said back."""

    def said(text: str) -> str:
        return text.replace(secret, "<key>")[:300]

    try:
        response = requests.get(url, headers=headers, timeout=timeout, allow_redirects=False)
    except requests.RequestException as exc:
        raise DataSourceError(
            f"cannot reach the Comtrade API ({said(type(exc).__name__)})", file=url
        ) from None
    status = response.status_code
    if 300 <= status < 400:
        raise DataSourceError(
            f"the API answered with a redirect (HTTP {status}) to {said(response.headers.get('Location', '?'))}; "
            "not followed, so that the key goes nowhere else",
            file=url,
            hint=f"set {COMTRADE_BASE_URL_ENV} to the address that answers",
        )
    if status in (401, 403):
        raise DataSourceError(
            f"the API refused the key (HTTP {status})", file=url, hint=f"check {COMTRADE_KEY_ENV}"
        )
    if status == 429:
        raise DataSourceError(
            "the API's rate limit was reached (HTTP 429)", file=url, hint="wait, then fetch again"
        )
    if status != 200:
        raise DataSourceError(f"HTTP {status}: {said(response.text)}", file=url)
    try:
        answer = response.json()
    except ValueError:
        raise DataSourceError(f"the answer is not JSON: {said(response.text)}", file=url) from None
    if not isinstance(answer, dict) or not isinstance(answer.get("data"), list):
        raise DataSourceError("the answer holds no 'data' list of records", file=url)
    if answer.get("error"):
        raise DataSourceError(f"the API reports an error: {said(str(answer['error']))}", file=url)
    if len(answer["data"]) >= MAX_RECORDS:
        raise DataSourceError(
            f"the answer holds {len(answer['data'])} records, the most one request returns: it may be cut short",
            file=url,
            hint="ask for fewer codes or partners per call",
        )
    return answer
