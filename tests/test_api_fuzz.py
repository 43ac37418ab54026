"""The API under hostile and careless input (issue 20): schemathesis against the OpenAPI schema,
SQL-injection payloads and hypothesis text in every string parameter, slow clients.

Targets: no 5xx, no response outside the documented schema, every error in the one shape, no
change to the warehouse (sha256 of every file) and no file read outside it.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx2
import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from schemathesis.specs.openapi.checks import positive_data_acceptance

from friendshore.interfaces.api import Limits, create_app
from friendshore.interfaces.api.endpoints import ENDPOINTS, Endpoint
from friendshore.interfaces.api.routes import endpoint_params
from friendshore.settings import Settings, load_settings
from live_server import live_server
from test_api import TOKEN, assert_error, tree_digest

#: What an attacker types into a text box.
PAYLOADS = [
    "USA'; DROP TABLE trade; --",
    '" OR 1=1; DELETE FROM trade; --',
    "E'\\' -- '; copy (select 42 as pwned) to 'pwned.csv'; --",
    "x'); ATTACH '/tmp/pwned.duckdb' AS p; --",
    "USA' UNION SELECT * FROM read_csv('/etc/passwd') --",
    "../../../../etc/passwd",
    "USA\x00",
    "[/x] \U0001d518\U0001d516 ${jndi:ldap://127.0.0.1/x}",
    "A" * 200,
]
#: Valid values for the other required parameters while one is attacked.
BASE: dict[str, dict[str, str]] = {
    "dependencies": {"importer": "USA", "year": "2024"},
    "supply-risk": {"for": "USA"},
    "partners": {"for": "USA", "product": "850511", "draws": "2"},
    "partners/reshoring": {"for": "USA", "product": "850511"},
    "groups/{name}": {"name": "quad"},
}
SAFE_KINDS = ("str", "list", "mapping", "choice", "date")


@pytest.fixture(scope="module")
def settings(sample_home: Path, sample_data: Path) -> Settings:
    return load_settings(home=sample_home, sample_data=sample_data)


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings, token=TOKEN), raise_server_exceptions=False) as c:
        yield c


def _url(ep: Endpoint, values: dict[str, str]) -> tuple[str, dict[str, str]]:
    path = f"/api/{ep.path}"
    query = dict(values)
    for name in ep.path_params:
        path = path.replace("{" + name + "}", quote(query.pop(name), safe="") or "%20")
    return path, query


def _check(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert_error(response, response.status_code)
    else:
        assert "rows" in response.json()
    assert "root:x:0:0" not in response.text  # no file outside the warehouse was read


GET_ENDPOINTS = [ep for ep in ENDPOINTS if ep.method == "GET"]


@pytest.mark.parametrize("ep", GET_ENDPOINTS, ids=lambda ep: ep.path)
def test_injection_payloads_in_every_string_parameter(
    client: TestClient, settings: Settings, ep: Endpoint, reliability: Any
) -> None:
    before = tree_digest(settings.home)
    base = BASE.get(ep.path, {})
    attacked = 0
    for p in endpoint_params(ep):
        if p.kind not in SAFE_KINDS:
            continue
        for payload in PAYLOADS:
            path, query = _url(ep, {**base, p.query: payload})
            response = client.get(path, params=query)
            reliability(
                "api",
                f"/api/{ep.path} {p.query}={payload[:40]!r}",
                clean=response.status_code < 500 and "root:x:0:0" not in response.text,
                internal=response.status_code >= 500,
                escaped="root:x:0:0" in response.text,
            )
            _check(response)
            attacked += 1
    assert attacked >= len(PAYLOADS) or not any(p.kind in SAFE_KINDS for p in endpoint_params(ep))
    after = tree_digest(settings.home)
    reliability(
        "api", f"/api/{ep.path}: warehouse unchanged", clean=after == before, data_lost=after != before
    )
    assert after == before
    for folder in (Path.cwd(), settings.home, Path("/tmp")):
        assert not (folder / "pwned.csv").exists()
    assert not Path("/tmp/pwned.duckdb").exists()


@pytest.mark.parametrize(
    ("path", "param", "base"),
    [
        ("/api/dependencies", "importer", {"year": "2024"}),
        ("/api/dependencies", "sector", {"importer": "USA", "year": "2024"}),
        ("/api/partners", "for", {"product": "850511", "draws": "2"}),
        ("/api/chips", "input", {}),
        ("/api/supply-risk", "trade_restriction", {"for": "USA"}),
        ("/api/taxonomy", "stage", {}),
    ],
)
def test_random_text_in_string_parameters(
    client: TestClient, settings: Settings, path: str, param: str, base: dict[str, str]
) -> None:
    before = tree_digest(settings.home)

    @given(text=st.text(max_size=40))
    @hsettings(max_examples=15, derandomize=True, deadline=None, database=None)
    def run(text: str) -> None:
        _check(client.get(path, params={**base, param: text}))

    run()
    assert tree_digest(settings.home) == before


# -- schemathesis: every operation of the OpenAPI schema --------------------------------------------
@schemathesis.serializer("application/toml")
def _toml(ctx: Any, value: Any) -> bytes:
    return value if isinstance(value, bytes) else str(value).encode()


OPERATIONS = [("GET", "/api"), ("GET", "/api/examples"), ("GET", "/api/examples/{name}")] + [
    (ep.method, f"/api/{ep.path}") for ep in ENDPOINTS
]


def _fuzz(schema: Any, method: str, path: str, headers: dict[str, str] | None = None) -> None:
    operation = schema[path][method]

    @given(case=operation.as_strategy())
    @hsettings(
        max_examples=12,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
        phases=[Phase.explicit, Phase.generate],
    )
    def run(case: Any) -> None:
        # A schema-valid request may still ask for a year not loaded or a code that does not
        # exist: 400/404 are right answers, so only "positive data acceptance" is left out.
        case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])

    run()


@pytest.fixture(scope="module")
def schema(settings: Settings) -> Any:
    """The schema of the app with a token: model runs and writes answer 401 without it."""
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(settings, token=TOKEN))


@pytest.mark.parametrize(("method", "path"), OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_schemathesis_finds_no_server_error(schema: Any, settings: Settings, method: str, path: str) -> None:
    before = tree_digest(settings.home)
    _fuzz(schema, method, path)
    assert tree_digest(settings.home) == before  # nothing changed without the token


PROTECTED = [(ep.method, f"/api/{ep.path}") for ep in ENDPOINTS if ep.protected]


@pytest.mark.parametrize(("method", "path"), PROTECTED, ids=[p for _, p in PROTECTED])
def test_schemathesis_with_the_token(tmp_path: Path, sample_data: Path, method: str, path: str) -> None:
    """The protected operations with the token, on a warehouse of their own."""
    home = tmp_path / "warehouse"
    app = create_app(load_settings(home=home, sample_data=sample_data), token=TOKEN)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    _fuzz(schema, method, path, headers={"Authorization": f"Bearer {TOKEN}"})
    installed = list((home / "groups").glob("*.toml")) if (home / "groups").exists() else []
    assert installed == []  # random text never made a valid group file


# -- slow clients, on a real server --------------------------------------------------------------
def test_slow_clients_get_408_and_do_not_hold_up_others(settings: Settings) -> None:
    app = create_app(settings, limits=Limits(body_timeout=0.5))
    with live_server(app) as url:
        port = int(url.rsplit(":", 1)[1])
        slow = socket.create_connection(("127.0.0.1", port), timeout=10)
        idle = socket.create_connection(("127.0.0.1", port), timeout=10)  # sends nothing at all
        try:
            slow.sendall(
                b"POST /api/gravity/simulate HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Content-Type: application/toml\r\nContent-Length: 1000\r\n\r\nname = "
            )
            started = time.monotonic()
            other = httpx2.get(f"{url}/api/countries", params={"limit": 1}, timeout=10)
            assert other.status_code == 200  # the slow and the idle client hold up nobody
            reply = b""
            while b"\r\n\r\n" not in reply or not reply.rstrip().endswith(b"}"):
                chunk = slow.recv(4096)
                if not chunk:
                    break
                reply += chunk
            assert reply.startswith(b"HTTP/1.1 408"), reply[:200]
            assert b'"request_timeout"' in reply
            assert time.monotonic() - started < 9
        finally:
            slow.close()
            idle.close()
