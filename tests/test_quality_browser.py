"""The published-site quality gate in Chromium: axe-core, readable text, no overflow, screenshots, print.

Each page type of the sample site is opened once per width (phone 360×740, desktop 1280×900) and
colour scheme (light, dark); axe-core runs there, sizes are measured and a full-page screenshot is
saved to test-artifacts/ for a person to look at. ``--minify`` is checked to keep every page's
``innerText``.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest
from browser import serve_folder, skip_or_fail
from test_quality import AXE_JS, NPM_HINT, REPO, BuiltSite, build_minified_site, build_sample_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
VIEWPORTS = {"phone": (360, 740), "desktop": (1280, 900)}
SCHEMES = ("light", "dark")
# 长者模式 as a reader leaves it on: the largest text, high contrast (what localStorage keeps; see care.js)
CARE = {"on": True, "size": 4, "contrast": True, "simple": False, "attr": "4 contrast"}
PAGE_TYPES = ("home", "briefing", "briefing-en", "tag", "tags", "archive", "archive-year", "search", "404")
MIN_TEXT_PX = 13  # no text smaller than this anywhere
MIN_READING_PX = 15  # running text: briefing paragraphs, summaries, list items of the main column
MIN_LINE_HEIGHT = 1.5  # WCAG 1.4.12's spacing for running text

# What a page shows of its text: every visible text's element, with its size and line height.
MEASURE_TEXT = """({minText, minReading, minLine}) => {
  const small = [], tight = [], seen = new Set();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const label = el => el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).split(' ')[0] : '')
    + ' "' + el.textContent.trim().slice(0, 20) + '"';
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || seen.has(el)) continue;
    seen.add(el);
    const rect = el.getBoundingClientRect(), style = getComputedStyle(el);
    if (rect.width <= 1 || rect.height <= 1 || rect.right <= 0 || style.visibility === 'hidden') continue;
    const size = parseFloat(style.fontSize);
    if (size < minText) small.push(label(el) + ' ' + size + 'px');
  }
  for (const el of document.querySelectorAll('.body p, .body li, .summary, .lead, .archive-list a, .toc a')) {
    const style = getComputedStyle(el), size = parseFloat(style.fontSize);
    const ratio = style.lineHeight === 'normal' ? 1.2 : parseFloat(style.lineHeight) / size;
    if (size < minReading || ratio < minLine) tight.push(label(el) + ' ' + size + 'px/' + ratio.toFixed(2));
  }
  return {small, tight};
}"""

# In 长者模式 the AAA contrast rule (7:1) runs too: high contrast promises it.
AXE_RUN = """async (aaa) => {
  const rules = aaa ? {'color-contrast-enhanced': {enabled: true}} : {};
  const result = await axe.run(document, {resultTypes: ['violations'], rules});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}));
}"""


@dataclass(frozen=True)
class Look:
    """What one page showed at one width in one colour scheme."""

    violations: list[dict[str, Any]] | None  # None: axe-core is not installed
    scroll_width: int
    inner_width: int
    small_text: list[str]
    tight_text: list[str]
    screenshot: Path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def page_paths(site: BuiltSite) -> dict[str, str]:
    """Page type → URL path below the base URL ('' for home); types the build lacks are missing."""
    assert site.result.site is not None
    default = site.result.site.edition(site.result.site.default_language)
    # The richest briefing (most headings, then longest), and its English edition if it has one.
    briefing = max(default.briefings, key=lambda b: (len(b.toc), len(b.body_html)))
    tag = max(default.tags, key=lambda t: (len(t.briefings), t.name))
    year = default.briefings[0].date.year
    english = [b for b in site.result.site.briefings if b.lang == "en"]
    translations = site.result.site.translations.get(briefing.translation_key or "", {})
    paths = {
        "home": "",
        "briefing": briefing.url.lstrip("/"),
        "tag": tag.url.lstrip("/"),
        "tags": "tags/",
        "archive": "archive/",
        "archive-year": f"archive/{year}/",
        "search": "search/?q=" + quote(tag.name),  # a query, so that results are shown and checked
        "404": "404.html",
    }
    if english:
        paths["briefing-en"] = (translations.get("en") or english[0]).url.lstrip("/")
    return {kind: path for kind, path in paths.items()
            if site.file_for(site.base_url + path.partition("?")[0]).is_file()}  # type: ignore[union-attr]


@pytest.fixture(scope="module")
def served(site: BuiltSite) -> Iterator[str]:
    """The built site over HTTP, under the base URL's path so its root-relative links work."""
    with serve_folder(site.out, site.base_path) as base:
        yield base


@pytest.fixture(scope="module")
def open_page(chromium: Browser, served: str, page_paths: dict[str, str]) -> Iterator[Callable[..., Page]]:
    """Open a page type in a fresh context of the given width and scheme; contexts close at the end."""
    contexts = []

    def opener(kind: str, viewport: str = "desktop", scheme: str = "light", base: str = "", care: bool = False) -> Page:
        if kind not in page_paths:
            if kind == "search":
                pytest.skip("no search/index.html in the build yet: the search page is being added")
            pytest.fail(f"the sample site has no {kind} page")
        width, height = VIEWPORTS[viewport]
        context = chromium.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        if care:
            context.add_init_script(f"localStorage.setItem('briefings-care', {json.dumps(json.dumps(CARE))})")
        page = context.new_page()
        # The search page fetches its index after load: wait until nothing is in flight any more.
        wait = "networkidle" if "?" in page_paths[kind] else "load"
        response = page.goto((base or served) + page_paths[kind], wait_until=wait)
        assert response is not None and response.ok, f"{kind}: HTTP {response and response.status}"
        page.evaluate("document.fonts.ready.then(() => true)")
        return page

    yield opener
    for context in contexts:
        context.close()


@pytest.fixture(scope="module")
def look(open_page: Callable[..., Page]) -> Callable[..., Look]:
    """Open a page type once, then at each width and scheme measure it, screenshot it and run axe on it.

    Every test about a page reads the result; switching width and scheme in place (instead of a new
    page each time) keeps the suite to one page load per page type.
    """
    ARTIFACTS.mkdir(exist_ok=True)

    @functools.cache
    def looks(kind: str, care: bool) -> dict[tuple[str, str], Look]:
        page = open_page(kind, care=care)
        if care:
            page.wait_for_selector(".care-bar:not([hidden])")
        axe = AXE_JS.is_file()
        if axe:
            page.add_script_tag(path=str(AXE_JS))
        found = {}
        for viewport, (width, height) in VIEWPORTS.items():
            page.set_viewport_size({"width": width, "height": height})
            for scheme in SCHEMES:
                page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
                shot = ARTIFACTS / f"{kind}-{viewport}-{scheme}{'-care' if care else ''}.png"
                page.screenshot(path=str(shot), full_page=True)
                text = page.evaluate(MEASURE_TEXT, {"minText": MIN_TEXT_PX, "minReading": MIN_READING_PX,
                                                    "minLine": MIN_LINE_HEIGHT})
                widths = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
                violations = page.evaluate(AXE_RUN, care) if axe else None
                found[viewport, scheme] = Look(violations, *widths, text["small"], text["tight"], shot)
        page.context.close()
        return found

    return lambda kind, viewport, scheme, care=False: looks(kind, care)[viewport, scheme]


LOOKS = [pytest.param(kind, viewport, scheme, care, id=f"{kind}-{viewport}-{scheme}" + ("-care" if care else ""))
         for care in (False, True) for kind in PAGE_TYPES for viewport in VIEWPORTS for scheme in SCHEMES]


@pytest.mark.parametrize(("kind", "viewport", "scheme", "care"), LOOKS)
def test_no_axe_violations(look: Callable[..., Look], kind: str, viewport: str, scheme: str, care: bool) -> None:
    violations = look(kind, viewport, scheme, care).violations
    if violations is None:
        skip_or_fail(f"{AXE_JS.relative_to(REPO)} is missing: {NPM_HINT}")
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)


@pytest.mark.parametrize(("kind", "viewport", "scheme", "care"), LOOKS)
def test_text_is_readable_and_nothing_overflows(look: Callable[..., Look], kind: str, viewport: str,
                                                scheme: str, care: bool) -> None:
    seen = look(kind, viewport, scheme, care)
    assert seen.screenshot.is_file()
    assert seen.scroll_width <= seen.inner_width, (
        f"{kind} is {seen.scroll_width}px wide in a {seen.inner_width}px window: see {seen.screenshot.name}")
    assert not seen.small_text, f"text under {MIN_TEXT_PX}px: {seen.small_text[:10]}"
    assert not seen.tight_text, (f"running text under {MIN_READING_PX}px or line height under {MIN_LINE_HEIGHT}: "
                                 f"{seen.tight_text[:10]}")


@pytest.mark.parametrize("kind", ["home", "briefing", "tag"])
def test_print_view_shows_the_content_without_navigation(open_page: Callable[..., Page], kind: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(kind, "desktop", "dark")
    page.emulate_media(media="print")
    page.screenshot(path=str(ARTIFACTS / f"{kind}-print.png"), full_page=True)
    shown = page.evaluate("""() => Object.fromEntries(
      ['.site-header', '.site-footer', '.site-search', '.prev-next', '.pagination', 'main h1'].map(s => {
        const el = document.querySelector(s);
        return [s, el ? getComputedStyle(el).display !== 'none' : null];
      }))""")
    assert shown["main h1"] is True
    hidden = {selector: visible for selector, visible in shown.items() if selector != "main h1"}
    assert not any(hidden.values()), f"shown in print: {[s for s, v in hidden.items() if v]}"
    colours = page.evaluate("[getComputedStyle(document.body).color, getComputedStyle(document.body).backgroundColor]")
    assert colours == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], "print is black on white, whatever the screen's scheme"
    # No text printed in a light colour (the screen's dark-mode palette leaking onto paper).
    pale = page.evaluate("""() => [...document.querySelectorAll('main *')].filter(el =>
        el.childNodes.length && [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
        && getComputedStyle(el).display !== 'none'
        && getComputedStyle(el).color.match(/\\d+/g).slice(0, 3).some(c => Number(c) > 120))
      .map(el => el.tagName.toLowerCase() + '.' + el.className + ' ' + getComputedStyle(el).color).slice(0, 10)""")
    assert not pale, f"pale text in print: {pale}"


@pytest.fixture(scope="module")
def served_minified(site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with serve_folder(build_minified_site(tmp_path_factory), site.base_path) as base:
        yield base


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_minified_page_shows_the_same_text(open_page: Callable[..., Page], served_minified: str, served: str,
                                           kind: str) -> None:
    script = "[document.title, document.body.innerText]"
    page = open_page(kind)
    plain = page.evaluate(script)
    response = page.goto(page.url.replace(served, served_minified, 1),
                         wait_until="networkidle" if "?" in page.url else "load")
    assert response is not None and response.ok and page.url.startswith(served_minified)
    minified = page.evaluate(script)
    page.context.close()
    assert minified == plain
