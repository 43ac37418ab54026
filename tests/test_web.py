"""The dashboard in headless Chromium (Debian's ``chromium``, driven by Playwright): a person's
clicks through the country view, the product view and one scenario run, with no console errors
and no request leaving the machine. Screenshots go to ``tests/output/web/``.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from friendshore.interfaces.api import create_app
from friendshore.settings import load_settings, project_root
from live_server import live_server

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SHOTS = project_root() / "tests" / "output" / "web"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.skipif(
        not Path(CHROMIUM).exists(), reason="Debian's chromium is not installed (make system)"
    ),
    pytest.mark.xdist_group("browser"),
]


@pytest.fixture(scope="module")
def server(sample_home: Path, sample_data: Path) -> Iterator[str]:
    from friendshore.reporting.assets import npm_file

    assert npm_file("vega", "build/vega.min.js").exists()  # 'make assets' installs it
    app = create_app(load_settings(home=sample_home, sample_data=sample_data))
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


#: API answers a test asks for on purpose (Chromium logs every 4xx fetch as a console error).
EXPECTED_4XX: list[str] = []


@pytest.fixture
def page(browser: Any, server: str) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(60_000)
    problems: list[str] = []
    outside: list[str] = []
    failed: list[str] = []
    EXPECTED_4XX.clear()

    def console(message: Any) -> None:
        if message.type == "error":
            problems.append(f"{message.text} ({message.location.get('url', '')})")

    page.on("console", console)
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith((server, "data:")) else None)
    page.on(
        "response",
        lambda r: failed.append(f"{r.url} {r.status} {r.text()[:200]}") if r.status >= 400 else None,
    )
    page.goto(server + "/")
    yield page
    context.close()
    unexpected = [u for u in failed if not any(e in u for e in EXPECTED_4XX)]
    assert unexpected == [], unexpected  # no request failed but those asked for
    logged = [p for p in problems if not ("status of 4" in p and len(unexpected) == 0 and EXPECTED_4XX)]
    assert logged == [], logged  # no console errors
    assert outside == [], outside  # everything is served locally: works with no internet


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_country_view(page: Any) -> None:
    # the dashboard opens on the US's dependence on China
    page.wait_for_selector("#dep-table table")
    page.wait_for_selector("#dep-chart svg")
    page.wait_for_selector("#risk-chart svg")
    page.wait_for_selector("#partners-map svg path")
    first = page.locator("#dep-table tbody tr").first.inner_text()
    assert "USA" in first
    # a coalition: Pax Silica's dependence on countries of concern
    page.fill("#country-importer", "quad")
    page.fill("#country-on", "countries-of-concern")
    page.check("#country-flagged")
    page.click("#country-go")
    page.wait_for_function(
        "document.querySelector('#dep-table tbody tr') && "
        "document.querySelector('#dep-table tbody tr').innerText.includes('quad')"
    )
    page.wait_for_selector("#partners-table table")
    page.wait_for_selector("#country-go:not([disabled])")
    shot(page, "country-quad")
    # an unknown code is a clear message, not a broken page
    EXPECTED_4XX.append("importer=XXX")
    page.fill("#country-importer", "XXX")
    page.click("#country-go")
    page.wait_for_selector("#dep-table .error")
    assert "neither an ISO3 country code nor a known group" in page.inner_text("#dep-table")


def test_product_view(page: Any) -> None:
    page.wait_for_selector("#dep-table table")
    page.click("#tab-product")
    page.select_option("#product-hs6", "850511")
    page.click("#product-go")
    page.wait_for_selector("#choke-table table")
    page.wait_for_selector("#flows-map svg path")
    page.wait_for_selector("#candidates-chart svg")
    summary = page.inner_text("#choke-summary")
    assert "CHN" in summary
    assert "62.7 %" in summary  # China's share of world exports of permanent magnets, BACI 2024
    assert page.locator("#candidates-table tbody tr").count() > 5
    page.wait_for_selector("#product-go:not([disabled])")
    shot(page, "product-magnets")


def test_scenario_run(page: Any) -> None:
    page.wait_for_selector("#dep-table table")
    page.click("#tab-scenario")
    page.select_option("#scenario-example", "us_china_tariff")
    page.wait_for_function("document.querySelector('#scenario-text').value.includes('tariff = 0.25')")
    text = page.input_value("#scenario-text").replace("tariff = 0.25", "tariff = 0.5")
    page.fill("#scenario-text", text)
    page.click("#scenario-run")
    page.wait_for_selector("#scenario-chart svg")
    page.wait_for_selector("#diversion-chart svg")
    assert "exports into USA" in page.inner_text("#diversion-into")
    assert "exact equilibrium" in page.inner_text("#scenario-status")
    shot(page, "scenario-tariff")
    # a broken scenario shows the server's message and where the problem is
    EXPECTED_4XX.append("/api/gravity/simulate")
    page.fill("#scenario-text", text.replace("sigma = 7", "sigma = 1"))
    page.click("#scenario-run")
    page.wait_for_selector("#scenario-status.error")
    assert "model.sigma" in page.inner_text("#scenario-status")


def test_register_browser_and_brief_link(page: Any) -> None:
    page.wait_for_selector("#dep-table table")
    page.click("#tab-register")
    page.click("#register-go")  # investments in India
    page.wait_for_selector("#register-table table")
    assert "Micron" in page.inner_text("#register-table")
    page.select_option("#register-kind", "measures")
    page.fill("#register-country", "")
    page.click("#register-go")
    page.wait_for_function("document.querySelector('#register-table').innerText.includes('us-bis-2022-10')")
    shot(page, "register-measures")
    page.click("#tab-brief")
    page.click("#brief-go")
    href = page.get_attribute("#brief-link", "href")
    assert href is not None
    assert href.startswith("/api/brief?for=USA&partner=IND&coalition=pax-silica&members_at=2026-03-01")
    shot(page, "brief-link")
