"""The served site in a real browser: Playwright driving Debian's Chromium against
``igfkg serve`` (issue 16). One server and one browser for the module.

Search autocomplete by mouse and keyboard, hedged claims marked, a canned query run from its
form, diagrams drawn as SVG, labels and keyboard reach, no console errors and no request
leaving loopback. With ``IGFKG_SCREENSHOTS=1`` the README screenshots in ``docs/screenshots/``
are written too.
"""

from __future__ import annotations

import os
import re
import struct
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import (
    Browser,
    ConsoleMessage,
    Error,
    Page,
    Playwright,
    Request,
    ViewportSize,
    expect,
    sync_playwright,
)

from .servers import Served

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = Path(__file__).resolve().parent.parent / "docs" / "screenshots"
VIEWPORT: ViewportSize = {"width": 1280, "height": 900}
IGF1 = "insulin-like growth factor 1"


@dataclass
class Session:
    """One browser page on the served site, with what it logged over the whole module."""

    base: str
    page: Page
    requests: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    visited: list[str] = field(default_factory=list)

    def visit(self, path: str) -> Page:
        """Open ``path`` on the site; it must answer 200."""
        response = self.page.goto(self.base + path)
        assert response is not None, path
        assert response.status == 200, (path, response.status)
        self.visited.append(path)
        return self.page

    def path(self) -> str:
        """The page's path (and query) now."""
        parts = urllib.parse.urlsplit(self.page.url)
        return parts.path + (f"?{parts.query}" if parts.query else "")


@pytest.fixture(scope="module")
def served() -> Iterator[Served]:
    server = Served()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def pw() -> Iterator[Playwright]:
    with sync_playwright() as running:
        yield running


@pytest.fixture(scope="module")
def browser(pw: Playwright) -> Iterator[Browser]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"the browser tests need Debian's Chromium at {CHROMIUM}: apt-get install chromium"
            " (scripts/test.sh installs it)"
        )
    launched = pw.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
    try:
        yield launched
    finally:
        launched.close()


@pytest.fixture(scope="module")
def session(served: Served, browser: Browser) -> Iterator[Session]:
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(10_000)
    page = context.new_page()
    s = Session(served.url, page)

    def console(message: ConsoleMessage) -> None:
        if message.type == "error":
            s.errors.append(f"{page.url}: console: {message.text} {message.location}")

    def page_error(error: Error) -> None:
        s.errors.append(f"{page.url}: uncaught: {error}")

    def request(req: Request) -> None:
        s.requests.append(req.url)

    page.on("console", console)
    page.on("pageerror", page_error)
    context.on("request", request)
    try:
        yield s
    finally:
        context.close()


def _type_search(s: Session, text: str) -> None:
    """Type ``text`` into the search box key by key and wait for its suggestions."""
    box = s.page.locator("#q")
    box.click()
    box.press_sequentially(text, delay=30)
    expect(s.page.locator("#suggestions li").first).to_be_visible()
    expect(box).to_have_attribute("aria-expanded", "true")


def test_search_suggestion_clicked_opens_the_entity(session: Session) -> None:
    page = session.visit("/")
    _type_search(session, "somatomedin")
    link = page.locator("a").filter(has_text=re.compile(f"^{IGF1}$"))
    item = page.locator("#suggestions li").filter(has=link)
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Somatomedin C")  # the synonym that matched, beside the label
    option = item.locator("a")
    option.click()
    page.wait_for_url(f"{session.base}/kb/igf-1")
    assert session.path() == "/kb/igf-1"
    expect(page.locator("h1")).to_have_text(IGF1)


def test_search_suggestion_chosen_with_the_keyboard(session: Session) -> None:
    page = session.visit("/")
    _type_search(session, "somatomedin")
    labels = page.locator("#suggestions li a").all_inner_texts()
    assert IGF1 in labels, labels
    box = page.locator("#q")
    for _ in range(labels.index(IGF1) + 1):
        box.press("ArrowDown")
    chosen = page.locator('#suggestions li[aria-selected="true"]')
    expect(chosen).to_have_count(1)
    expect(chosen.locator("a")).to_have_text(IGF1)
    expect(box).to_have_attribute("aria-activedescendant", chosen.get_attribute("id") or "?")
    box.press("Enter")
    page.wait_for_url(f"{session.base}/kb/igf-1")
    expect(page.locator("h1")).to_have_text(IGF1)
    # Escape closes the list again
    session.visit("/")
    _type_search(session, "somatomedin")
    page.locator("#q").press("Escape")
    expect(page.locator("#suggestions li")).to_have_count(0)
    expect(page.locator("#suggestions")).to_be_hidden()


@pytest.mark.parametrize("name", ["igf-1", "mecasermin"])
def test_hedged_claims_are_marked_with_their_quote(session: Session, name: str) -> None:
    page = session.visit(f"/kb/{name}")
    hedged = page.locator("main li.hedged")
    assert hedged.count() > 0, f"/kb/{name} shows no hedged claim"
    for item in hedged.all():
        expect(item).to_be_visible()
        text = item.inner_text()
        certainty = re.search(r"\(hedged: (\w[\w ]*)\)", text)
        assert certainty, text
        # visibly set apart: the dashed rule of .hedged, not only a class name
        style = item.evaluate("e => getComputedStyle(e).borderLeftStyle")
        assert style == "dashed", style
        quote = item.locator("span.quote").first
        expect(quote).to_be_visible()
        words = re.search(r"\[\w[\w ]*: “([^”]+)”\]", text)
        assert words, f"no hedge words shown: {text}"
        # the hedge words shown are in the verbatim quote shown
        assert words.group(1).lower() in quote.inner_text().lower(), text
    # and a claim that is not hedged is not marked
    for item in page.locator("main li:not(.hedged)").all():
        assert "(hedged:" not in item.inner_text()


def test_canned_query_runs_from_its_form(session: Session) -> None:
    page = session.visit("/queries/entity")
    expect(page.locator("main table")).to_have_count(0)
    field = page.get_by_label("name")
    field.press_sequentially("somatomedin", delay=30)
    # site.js fills the field's datalist with the matching entities
    expect(page.locator(f'#dl-name option[value="{IGF1}"]')).to_have_count(1)
    field.fill(IGF1)  # as when the user picks the suggestion
    page.get_by_role("button", name="Run").click()
    page.wait_for_url(re.compile(r"/queries/entity\?"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(page.url).query)
    assert query["name"] == [IGF1], query
    rows = page.locator("main table tbody tr")
    assert rows.count() > 0
    link = page.locator('main table a[href="/kb/igf-1"]').first
    expect(link).to_be_visible()
    expect(page.get_by_label("name")).to_have_value(IGF1)  # the form keeps what was asked
    link.click()
    page.wait_for_url(f"{session.base}/kb/igf-1")
    expect(page.locator("h1")).to_have_text(IGF1)


def test_diagrams_are_drawn_as_svg(session: Session) -> None:
    for path, label in (("/", "IGF-1"), ("/kb/igf-1", "IGF-1")):
        page = session.visit(path)
        svg = page.locator(".diagram svg").first
        expect(svg).to_be_visible()
        assert svg.evaluate("e => e.namespaceURI") == "http://www.w3.org/2000/svg"
        box = svg.bounding_box()
        assert box is not None, path
        assert box["width"] > 100, (path, box)
        assert box["height"] > 50, (path, box)
        # its labels are laid out too (text with a size), not an empty canvas
        texts = svg.locator("text")
        assert texts.count() > 2, path
        drawn = svg.evaluate(
            "e => Array.from(e.querySelectorAll('text'))"
            ".filter(t => t.getBBox().width > 0).map(t => t.textContent)"
        )
        assert any(label in t for t in drawn), (path, drawn)


PAGES = [
    "/",
    "/kb/igf-1",
    "/kb/mecasermin",
    "/queries",
    "/queries/drug-profile",
    "/queries/entity?name=somatomedin+C&run=1",
    "/sparql",
    "/sparql?query=SELECT+%3Fs+WHERE+%7B+%3Fs+a+%3Fo+%7D+LIMIT+3",
    "/search?q=igf",
]


def test_no_console_errors_on_any_page(session: Session) -> None:
    for path in PAGES:
        session.visit(path)
        session.page.wait_for_load_state("networkidle")
    assert len(session.visited) >= len(PAGES)
    assert session.errors == [], "\n".join(session.errors)


def test_no_request_leaves_loopback(session: Session) -> None:
    session.visit("/")
    _type_search(session, "insulin")
    session.page.wait_for_load_state("networkidle")
    seen = {urllib.parse.urlsplit(url).path for url in session.requests}
    assert {"/", "/static/site.js", "/api/search"} <= seen, seen
    outside = [
        url for url in session.requests if urllib.parse.urlsplit(url).hostname != "127.0.0.1"
    ]
    assert outside == [], outside


def _fields(page: Page) -> list[dict[str, str]]:
    return page.evaluate(  # type: ignore[no-any-return]
        """() => Array.from(document.querySelectorAll("input, select, textarea"))
            .filter(e => e.type !== "hidden")
            .map(e => ({
                field: e.id || e.name,
                label: Array.from(e.labels || []).map(l => l.textContent.trim()).join(" "),
            }))"""
    )


@pytest.mark.parametrize("path", ["/", "/queries/drug-profile", "/queries/entity", "/sparql"])
def test_every_form_field_has_a_label(session: Session, path: str) -> None:
    page = session.visit(path)
    fields = _fields(page)
    assert len(fields) >= (2 if path.startswith("/queries") else 1), fields
    unlabelled = [f["field"] for f in fields if not f["label"]]
    assert unlabelled == [], f"{path}: fields without a label: {unlabelled}"
    for button in page.locator("button").all():
        assert button.inner_text().strip(), f"{path}: a button without text"


def test_tab_reaches_the_skip_link_then_the_search_field(session: Session) -> None:
    page = session.visit("/kb/igf-1")
    page.keyboard.press("Tab")
    skip = page.locator(":focus")
    expect(skip).to_have_text("Skip to the content")
    expect(skip).to_have_attribute("href", "#main")
    box = skip.bounding_box()  # shown when focused (off-screen otherwise)
    assert box is not None
    assert box["x"] >= 0, box
    assert box["y"] >= 0, box
    for _ in range(10):
        if page.evaluate("document.activeElement.id") == "q":
            break
        page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "q"
    # the skip link moves the focus to the content
    session.visit("/kb/igf-1")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile("#main$"))


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


@pytest.mark.parametrize(("path", "name"), [("/", "home"), ("/kb/igf-1", "entity-igf-1")])
def test_screenshots(session: Session, path: str, name: str) -> None:
    """The README's screenshots: taken on every run, written to docs/screenshots/ only with
    IGFKG_SCREENSHOTS=1 (a normal run leaves the repository alone)."""
    page = session.visit(path)
    page.wait_for_load_state("networkidle")
    data = page.screenshot(type="png")
    assert _png_size(data) == (VIEWPORT["width"], VIEWPORT["height"])
    assert len(data) < 400_000, len(data)
    if os.environ.get("IGFKG_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        (SCREENSHOTS / f"{name}.png").write_bytes(data)


def test_readme_shows_the_screenshots() -> None:
    """README links each screenshot by a relative path, and each is a small PNG of the viewport."""
    readme = (SCREENSHOTS.parent.parent / "README.md").read_text(encoding="utf-8")
    linked = re.findall(r"!\[[^\]]+\]\((docs/screenshots/[^)]+)\)", readme)
    assert linked == ["docs/screenshots/home.png", "docs/screenshots/entity-igf-1.png"], linked
    for path in linked:
        data = (SCREENSHOTS.parent.parent / path).read_bytes()
        assert _png_size(data) == (VIEWPORT["width"], VIEWPORT["height"]), path
        assert len(data) < 400_000, (path, len(data))
