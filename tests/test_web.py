"""The dashboard in headless Chromium (Debian's ``chromium``, driven by Playwright), at a desktop
(1400 px) and a phone (390 px) width: the landing view answers "how dependent is the US on China"
with the largest dependency first, names beside codes, the view's state in the URL (a reload
restores it), a CSV download equal to the API's CSV, an unknown importer that clears every card, no
horizontal overflow, no serious or critical accessibility violation (axe-core), no console error
and no request leaving the machine. Screenshots go to ``tests/output/web/``.

Chromium missing is a failure, not a skip: install it with ``make system``.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request
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
WIDTHS = {"desktop": 1400, "phone": 390}
#: every answer the page asked for is drawn (app.js keeps the count of runs in flight)
READY = 'body[data-started][data-pending="0"]'

pytestmark = pytest.mark.xdist_group("browser")


@pytest.fixture(scope="module")
def server(sample_home: Path, sample_data: Path) -> Iterator[str]:
    from friendshore.reporting.assets import npm_file

    assert npm_file("vega", "build/vega.min.js").exists()  # 'make assets' installs it
    app = create_app(load_settings(home=sample_home, sample_data=sample_data))
    with live_server(app) as url:
        yield url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    assert Path(CHROMIUM).exists(), f"Debian's chromium is not installed at {CHROMIUM}: run 'make system'"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


class Watch:
    """What a page did besides drawing: console errors, failed and outside requests."""

    def __init__(self, server: str) -> None:
        self.server = server
        self.problems: list[str] = []
        self.outside: list[str] = []
        self.failed: list[str] = []
        self.expected_4xx: list[str] = []  # API answers a test asks for on purpose

    def attach(self, page: Any) -> None:
        def console(message: Any) -> None:
            if message.type == "error":
                self.problems.append(f"{message.text} ({message.location.get('url', '')})")

        page.on("console", console)
        page.on("pageerror", lambda e: self.problems.append(str(e)))
        page.on(
            "request",
            lambda r: (
                self.outside.append(r.url) if not r.url.startswith((self.server, "data:", "blob:")) else None
            ),
        )
        page.on("response", lambda r: self.failed.append(f"{r.url} {r.status}") if r.status >= 400 else None)

    def check(self) -> None:
        unexpected = [u for u in self.failed if not any(e in u for e in self.expected_4xx)]
        assert unexpected == [], unexpected  # no request failed but those asked for
        # Chromium logs each 4xx fetch as a console error: only those asked for may appear
        logged = [p for p in self.problems if not (self.expected_4xx and "status of 4" in p)]
        assert logged == [], logged
        assert self.outside == [], self.outside  # everything is served locally: works with no internet


@pytest.fixture(params=sorted(WIDTHS))
def width(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def open_page(browser: Any, server: str, path: str, width: str) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": WIDTHS[width], "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(90_000)
    watch = Watch(server)
    watch.attach(page)
    page.goto(server + path)
    page.wait_for_selector(READY)
    return context, page, watch


@pytest.fixture
def session(browser: Any, server: str, width: str) -> Iterator[tuple[Any, Watch, str]]:
    context, page, watch = open_page(browser, server, "/", width)
    yield page, watch, width
    context.close()
    watch.check()


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def submit(page: Any, button: str) -> None:
    page.click(button)
    page.wait_for_selector(READY)


def no_overflow(page: Any, width: str) -> None:
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= WIDTHS[width], f"the page is {scroll} px wide at a {WIDTHS[width]} px screen"


def api_get(server: str, path: str, **params: Any) -> str:
    url = f"{server}{path}?{urllib.parse.urlencode({**params, 'limit': 100_000})}"
    with urllib.request.urlopen(url, timeout=120) as response:
        return str(response.read().decode("utf-8"))


def api_rows(server: str, path: str, **params: Any) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(api_get(server, path, **params))["rows"]
    return rows


def test_landing_answers_the_question_with_names(session: tuple[Any, Watch, str], server: str) -> None:
    page, _, width = session
    # no click: the US's dependence on China loads by itself, largest first
    page.wait_for_selector("#dep-chart svg")
    page.wait_for_selector("#risk-chart svg")
    page.wait_for_selector("#partners-map svg path")
    rows = api_rows(server, "/api/dependencies", importer="USA", concern="CHN")
    share = "concern_share" if "concern_share" in rows[0] else "on_share"
    largest = max(rows, key=lambda r: (r[share] or 0) * (r["import_value_kusd"] or 0))
    first = page.locator("#dep-table tbody tr").first.inner_text()
    assert f"({largest['hs6']})" in first
    assert "Permanent magnets (850511)" in first  # BACI 2024: 74.5 % of 492 m USD from China
    assert "China (CHN)" in first
    # every card's title names its importer and year; the coverage of the loaded data is said
    for card in ("dep", "risk", "partners"):
        title = page.inner_text(f"#{card}-title")
        assert "United States (USA)" in title, title
        assert "2024" in title, title
    assert "30 products only" in page.inner_text("#dep-title")
    # country names beside codes in the partners' table; no command-line term or slug anywhere
    assert re.search(r"Germany\s*\(DEU\)", page.inner_text("#partners-table"))
    text = page.inner_text("main")
    for bad in (
        "--on",
        "import_value_kusd",
        "on_share",
        "pax-silica",
        "critical-minerals",
        "friendshore brief",
    ):
        assert bad not in text, bad
    # every row reachable
    page.click("#dep-table .table-foot button")
    assert page.locator("#dep-table tbody tr").count() == len(rows)
    # definitions one click away; the API token field hidden when the server needs none
    page.locator("#dep-table th details.define summary").nth(7).click()  # the EC flag
    assert "European Commission" in page.locator("#dep-table th details.define[open] p").inner_text()
    assert not page.is_visible("#token-label")
    no_overflow(page, width)
    shot(page, f"landing-{width}")


def test_url_holds_the_state_and_a_reload_restores_it(session: tuple[Any, Watch, str]) -> None:
    page, _, width = session
    page.fill("#country-importer", "IND")
    page.select_option("#dep-sort", "import_value_kusd")
    page.wait_for_selector(READY)
    submit(page, "#country-go")
    assert "importer=IND" in page.url
    assert "concern=CHN" in page.url
    assert "sort=import_value_kusd" in page.url
    assert "year=2024" in page.url
    assert "tab=country" in page.url
    page.reload()
    page.wait_for_selector(READY)
    assert page.input_value("#country-importer") == "IND"
    assert page.input_value("#dep-sort") == "import_value_kusd"
    assert "India (IND)" in page.inner_text("#dep-title")
    # the product tab: its product in the URL, restored on reload
    page.click("#tab-product")
    page.wait_for_selector(READY)
    page.select_option("#product-hs6", "810194")
    submit(page, "#product-go")
    assert "tab=product" in page.url
    assert "product=810194" in page.url
    page.reload()
    page.wait_for_selector(READY)
    assert page.get_attribute("#tab-product", "aria-selected") == "true"
    assert page.input_value("#product-hs6") == "810194"
    assert "Tungsten" in page.inner_text("#choke-title")
    no_overflow(page, width)


def test_csv_download_equals_the_api_csv(session: tuple[Any, Watch, str], server: str) -> None:
    page, _, _ = session
    page.wait_for_selector("#dep-table .csv")
    with page.expect_download() as info:
        page.click("#dep-table a.csv")
    downloaded = Path(info.value.path()).read_text(encoding="utf-8")
    expected = api_get(server, "/api/dependencies", importer="USA", concern="CHN", year=2024, format="csv")
    assert downloaded == expected
    assert downloaded.count("\n") == 31  # header and 30 products


def test_chart_downloads_png_and_svg(session: tuple[Any, Watch, str]) -> None:
    page, _, _ = session
    page.wait_for_selector("#dep-chart svg")
    with page.expect_download() as info:
        page.locator("#dep-chart .exports button").nth(1).click()
    svg = Path(info.value.path()).read_text(encoding="utf-8")
    assert svg.startswith("<svg")
    assert "Permanent magnets" in svg
    assert "2024" in svg
    with page.expect_download() as info:
        page.locator("#dep-chart .exports button").nth(0).click()
    assert Path(info.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_unknown_importer_clears_every_card(session: tuple[Any, Watch, str]) -> None:
    page, watch, width = session
    page.wait_for_selector("#partners-table table")
    watch.expected_4xx.append("importer=XYZ")
    page.fill("#country-importer", "XYZ")
    submit(page, "#country-go")
    assert "neither an ISO3 country code nor a known group" in page.inner_text("#country-error")
    for card in ("dep", "risk", "partners"):
        assert page.locator(f"#{card}-card svg").count() == 0, card
        assert page.locator(f"#{card}-card table").count() == 0, card
        assert "United States" not in page.inner_text(f"#{card}-card"), card
        assert "see the message above" in page.inner_text(f"#{card}-meta"), card
    no_overflow(page, width)
    shot(page, f"unknown-importer-{width}")


def axe_violations(page: Any) -> list[str]:
    from friendshore.reporting.assets import npm_file

    page.add_script_tag(content=npm_file("axe-core", "axe.min.js").read_text(encoding="utf-8"))
    result = page.evaluate(
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})"
    )
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("tab", ["country", "product", "scenario", "register", "brief"])
def test_every_tab_passes_the_accessibility_scan_and_fits(
    browser: Any, server: str, width: str, tab: str
) -> None:
    context, page, watch = open_page(browser, server, f"/?tab={tab}", width)
    try:
        assert page.get_attribute(f"#tab-{tab}", "aria-selected") == "true"
        assert page.locator("[role=tab][aria-selected=false]").count() == 4
        assert axe_violations(page) == []
        no_overflow(page, width)
        # every chart has a text alternative
        for figure in page.locator(".figure").all():
            assert len(figure.get_attribute("aria-label") or "") > 20
        shot(page, f"{tab}-{width}")
    finally:
        context.close()
    watch.check()


def test_tabs_by_keyboard(session: tuple[Any, Watch, str]) -> None:
    page, _, _ = session
    page.focus("#tab-country")
    page.keyboard.press("ArrowRight")
    page.wait_for_selector(READY)
    assert page.get_attribute("#tab-product", "aria-selected") == "true"
    assert page.evaluate("document.activeElement.id") == "tab-product"
    assert "tab=product" in page.url


def test_product_view(session: tuple[Any, Watch, str]) -> None:
    page, _, width = session
    page.click("#tab-product")
    page.wait_for_selector(READY)  # opens with a product shown, without a click
    page.wait_for_selector("#flows-map svg path")
    summary = page.inner_text("#choke-summary")
    assert "China (CHN)" in summary
    assert "62.7 %" in summary
    assert "Permanent magnets (850511)" in page.inner_text("#choke-title")
    assert "62.7 %" in page.inner_text("#flows-table")  # world share as a percentage
    assert page.locator("#candidates-table tbody tr").count() > 5
    # only loaded products can be chosen; the others say why not
    options = page.locator("#product-hs6 option")
    disabled = page.locator("#product-hs6 option:disabled")
    assert 0 < disabled.count() < options.count()
    assert "(not loaded)" in disabled.first.inner_text()
    sectors = page.locator("#country-sector option:disabled")
    assert sectors.count() >= 1
    assert "none of its products loaded" in sectors.first.inner_text()
    no_overflow(page, width)
    shot(page, f"product-magnets-{width}")


def test_scenario_form_writes_the_request(session: tuple[Any, Watch, str]) -> None:
    page, _watch, width = session
    page.click("#tab-scenario")
    page.wait_for_selector(READY)
    # the product-level model on the loaded year by default: an export restriction of magnets, the world at once
    assert page.input_value("#scenario-model") == "pe"
    assert "2024" in page.inner_text("#scenario-baseline")
    request = page.text_content("#scenario-request") or ""
    assert request.startswith("GET /api/shock?")
    assert "model=pe" in request
    assert "scope=world" in request
    page.wait_for_selector("#scenario-chart svg")
    assert "Permanent magnets (850511)" in page.inner_text("#scenario-title")
    assert "world's gap" in page.inner_text("#diversion-title")
    # a tariff: the same model; the request is written for the reader
    page.select_option("#scenario-policy", "tariff")
    page.fill("#scenario-rate", "50")
    page.dispatch_event("#scenario-rate", "change")
    assert page.input_value("#scenario-model") == "pe"
    assert "GET /api/tariff?" in (page.text_content("#scenario-request") or "")
    submit(page, "#scenario-run")
    page.wait_for_selector("#scenario-chart svg")
    assert "50 %" in page.inner_text("#scenario-title")
    assert "policy=tariff" in page.url
    assert "rate=50" in page.url
    # the one-sector model says it runs on its 2006 data, illustrative; products and year do not apply
    page.select_option("#scenario-model", "gravity")
    assert "2006" in page.inner_text("#scenario-baseline")
    assert "tariff = 0.5" in (page.text_content("#scenario-request") or "")
    assert page.is_disabled("#scenario-products")
    assert page.is_disabled("#scenario-year")
    submit(page, "#scenario-run")
    page.wait_for_selector("#diversion-chart svg")
    assert "2006 data (illustrative)" in page.inner_text("#scenario-title")
    no_overflow(page, width)
    shot(page, f"scenario-tariff-{width}")


def test_register_as_analysts_read_it(session: tuple[Any, Watch, str]) -> None:
    page, _, width = session
    page.click("#tab-register")
    page.wait_for_selector(READY)  # export controls, without a click
    first = page.locator("#register-list .entry").first
    text = first.inner_text()
    assert "US export controls on advanced computing chips" in text  # the title, not its id
    for part in ("United States (USA)", "China (CHN)", "legal reference", "87 FR 62186", "Summary:", "Note:"):
        assert part in text, part
    assert first.locator(".source a[href^='http']").count() >= 1  # sources are links
    assert first.locator(".badge").count() == 1  # verified visible
    assert page.locator("#register-list .badge.warn").count() >= 1  # unconfirmed entries say so
    page.select_option("#register-kind", "investments")
    page.fill("#register-country", "IND")
    submit(page, "#register-go")
    assert "Micron" in page.inner_text("#register-list")
    assert "kind=investments" in page.url
    assert "country=IND" in page.url
    no_overflow(page, width)
    shot(page, f"register-{width}")


def test_brief_link_in_one_click(session: tuple[Any, Watch, str]) -> None:
    page, _, _ = session
    page.click("#tab-brief")
    page.wait_for_selector(READY)
    href = page.get_attribute("#brief-link", "href")
    assert href is not None
    assert href.startswith("/api/brief?for=USA&partner=IND&coalition=pax-silica&members_at=2026-03-01")
    assert "Pax Silica" in page.inner_text("#brief-link")
    assert "pax-silica" not in page.inner_text("#view-brief")


def test_the_brief_findings_stand_above_the_tables(session: tuple[Any, Watch, str]) -> None:
    page, _, width = session
    page.wait_for_selector('#findings[data-state="done"]', timeout=180_000)
    items = page.locator("#findings li")
    assert 3 <= items.count() <= 5
    texts = [items.nth(i).inner_text() for i in range(items.count())]
    assert "permanent magnets (850511)" in texts[0]  # the brief's first finding: the largest exposure
    assert all("{" not in t and "_" not in t for t in texts), texts
    assert "United States (USA)" in page.inner_text("#findings-title")
    above = page.locator("#findings").bounding_box()
    table = page.locator("#dep-card").bounding_box()
    assert above is not None
    assert table is not None
    assert above["y"] + above["height"] <= table["y"]
    no_overflow(page, width)
    shot(page, f"landing-findings-{width}")
