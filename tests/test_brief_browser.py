"""The brief in a real browser (headless Debian chromium, network blocked) and its PDF."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from friendshore.settings import project_root

pytestmark = pytest.mark.xdist_group("brief")

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
TITLES = ["Bottom line", "Exposure along the value chain", "Critical-material supply risk", "Partners",
          "A supply cut", "Options", "Events and commitments", "Annex: the tables behind the brief",
          "Annex: methods, data and provenance"]  # fmt: skip


def output_dir() -> Path:
    """Where the brief's browser test leaves its screenshot (beside the dashboard's, tests/output/)."""
    path = project_root() / "tests" / "output" / "brief"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_brief_opens_offline_with_every_chart_drawn(brief_files: Any) -> None:
    from playwright.sync_api import sync_playwright

    errors: list[str] = []
    requests: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={"width": 1000, "height": 1400})
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(("file:", "data:"))
                   else (requests.append(route.request.url), route.abort())[1])  # fmt: skip
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("requestfailed", lambda r: requests.append(r.url))
        page.goto(brief_files.html.as_uri())
        n = sum(len(s.charts) for s in brief_files.brief.sections)
        page.wait_for_selector(f'body[data-charts-drawn="{n}"]', timeout=30_000)
        drawn = page.eval_on_selector_all(
            "div.vega",
            "els => els.map(e => { const s = e.querySelector('svg'); "
            "return s ? s.querySelectorAll('path, text, rect').length : 0; })",
        )
        page.screenshot(path=str(output_dir() / "brief.png"), full_page=False)
        browser.close()
    assert errors == []
    assert requests == []
    assert len(drawn) == n >= 5
    assert all(count > 10 for count in drawn), drawn


def test_pdf_has_every_section_and_every_chart_as_an_image(brief_files: Any) -> None:
    from pypdf import PdfReader

    assert brief_files.pdf is not None
    reader = PdfReader(str(brief_files.pdf))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in reader.pages)
    for number, title in enumerate(TITLES, start=1):
        assert f"{number} {title}" in text or (number == 3 and title in text), title
    # WeasyPrint shares resources between pages: count distinct image objects
    images = {
        ref.idnum
        for page in reader.pages
        for ref in (page["/Resources"].get_object().get("/XObject") or {}).values()
        if ref.get_object().get("/Subtype") == "/Image"
    }
    assert len(images) == sum(len(s.charts) for s in brief_files.brief.sections)
    for sentence in brief_files.brief.sentences.values():
        assert " ".join(sentence.split()[:4]) in text
