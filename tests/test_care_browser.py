"""长者模式 / accessible mode in Chromium: the header switch, each setting, remembered, by keyboard alone, read-aloud.

The sample site is built once (test_quality's build) and served; each test opens a fresh browser
context, so localStorage starts empty unless a test says otherwise. Read-aloud is tested with
``speechSynthesis`` stubbed in the page (headless Chromium has no voices): with a Chinese voice
the 朗读 button shows and reading highlights each sentence in turn; with none it stays hidden.
Screenshots of a briefing in the mode at 390 and 1280 px go to test-artifacts/.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from browser import serve_folder, skip_or_fail
from test_quality import AXE_JS, NPM_HINT, REPO, BuiltSite, build_sample_site

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
KEY = "briefings-care"

# speechSynthesis as a browser with the given voices has it; speak() plays each utterance at once,
# firing start, then end on the next task, and records what was said and what was highlighted.
SPEECH_STUB = """(voices) => {
  window.__spoken = [];
  window.__marked = [];
  const synth = {
    getVoices: () => voices.map(([name, lang]) => ({name, lang, default: false, localService: true, voiceURI: name})),
    addEventListener() {}, removeEventListener() {},
    cancel() { this.queue = []; },
    speak(u) {
      window.__spoken.push(u.text);
      setTimeout(() => {
        u.onstart && u.onstart();
        const h = CSS.highlights && CSS.highlights.get('care-reading');
        window.__marked.push(h ? [...h][0].toString() : null);
        setTimeout(() => u.onend && u.onend(), 0);
      }, 0);
    },
  };
  Object.defineProperty(window, 'speechSynthesis', {value: synth, configurable: true});
  // the stub's voices are plain objects: an utterance of our own takes them
  window.SpeechSynthesisUtterance = class { constructor(text) { this.text = text; } };
}"""

AXE_RUN = """async (rules) => {
  const result = await axe.run(document, {resultTypes: ['violations'], rules});
  return result.violations.map(v => ({id: v.id, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(' ') + ': ' + (n.failureSummary || '').replace(/\\s+/g, ' '))}));
}"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_sample_site(tmp_path_factory)


@pytest.fixture(scope="module")
def served(site: BuiltSite) -> Iterator[str]:
    with serve_folder(site.out, site.base_path) as base:
        yield base


@pytest.fixture(scope="module")
def briefing_url(site: BuiltSite, served: str) -> str:
    assert site.result.site is not None
    default = site.result.site.edition(site.result.site.default_language)
    richest = max(default.briefings, key=lambda b: (len(b.toc), len(b.body_html)))
    return served + richest.url.lstrip("/")


@pytest.fixture
def open_page(chromium: Browser, briefing_url: str) -> Iterator[Callable[..., Page]]:
    contexts = []

    def opener(width: int = 1280, scheme: str = "light", voices: list[tuple[str, str]] | None = None,
               url: str = "") -> Page:
        context = chromium.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)  # type: ignore[arg-type]
        contexts.append(context)
        if voices is not None:
            context.add_init_script(f"({SPEECH_STUB})({json.dumps(voices)})")
        page = context.new_page()
        page.goto(url or briefing_url)
        return page

    yield opener
    for context in contexts:
        context.close()


def stored(page: Page) -> dict[str, object] | None:
    return page.evaluate(f"JSON.parse(localStorage.getItem('{KEY}') || 'null')")


def html_attrs(page: Page) -> dict[str, str]:
    return page.evaluate("Object.fromEntries([...document.documentElement.attributes]"
                         ".filter(a => a.name.startsWith('data-care')).map(a => [a.name, a.value]))")


def font_px(page: Page, selector: str) -> float:
    return page.evaluate(f"parseFloat(getComputedStyle(document.querySelector({selector!r})).fontSize)")


def press_until_focused(page: Page, selector: str, limit: int = 60) -> None:
    """Tab from wherever focus is until ``selector`` has it (fails after ``limit`` presses)."""
    for _ in range(limit):
        if page.evaluate(f"document.activeElement && document.activeElement.matches({selector!r})"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{selector} never got the focus by Tab")


def test_the_switch_is_in_the_header_and_loads_nothing_until_used(open_page: Callable[..., Page]) -> None:
    page = open_page()
    toggle = page.locator("header #care-toggle")
    assert toggle.get_attribute("aria-pressed") == "false"
    assert toggle.inner_text() == "长者模式"
    scripts = page.evaluate("performance.getEntriesByType('resource').map(e => e.name)")
    assert not [s for s in scripts if "care" in s], "care.js loads on first use only"
    assert html_attrs(page) == {}
    assert page.evaluate("document.cookie") == ""


def test_keyboard_alone_turns_the_mode_on_and_each_setting_applies(open_page: Callable[..., Page]) -> None:
    page = open_page()
    normal_title = font_px(page, ".briefing-header h1")
    normal_para = font_px(page, ".body p")
    press_until_focused(page, "#care-toggle")
    page.keyboard.press("Enter")
    page.wait_for_selector(".care-bar:not([hidden])")
    assert page.get_attribute("#care-toggle", "aria-pressed") == "true"
    assert html_attrs(page) == {"data-care": "1 contrast"}
    assert font_px(page, ".body p") == pytest.approx(normal_para * 1.25, rel=0.02)
    # larger text: three more steps, up to 200 %, then the button is disabled
    press_until_focused(page, "[data-care=larger]")
    for _ in range(3):
        page.keyboard.press("Enter")
    assert html_attrs(page) == {"data-care": "4 contrast"}
    assert font_px(page, ".body p") == pytest.approx(normal_para * 2, rel=0.02)
    assert font_px(page, ".briefing-header h1") == pytest.approx(normal_title * 2, rel=0.02)
    assert page.get_attribute("[data-care=larger]", "aria-disabled") == "true"
    page.keyboard.press("Enter")  # one more does nothing, and the focus stays
    assert html_attrs(page) == {"data-care": "4 contrast"}
    assert page.inner_text("[data-care=size]") == "字号 200%"
    # line height and paragraph spacing
    spacing = page.evaluate("""(() => { const s = getComputedStyle(document.querySelector('.body p'));
      const line = parseFloat(s.lineHeight);
      return [line / parseFloat(s.fontSize), parseFloat(s.marginBottom) / line]; })()""")
    assert spacing[0] >= 1.5 and spacing[1] >= 1.3, spacing
    # high contrast: black on white, links dark blue
    colours = page.evaluate("""(() => { const b = getComputedStyle(document.body);
      return [b.color, b.backgroundColor, getComputedStyle(document.querySelector('.body a, main a')).color]; })()""")
    assert colours[:2] == ["rgb(0, 0, 0)", "rgb(255, 255, 255)"], colours
    # a large cursor and a thick focus ring
    cursor = page.evaluate("getComputedStyle(document.body).cursor")
    assert cursor.startswith('url("data:image/svg+xml') and "48" in cursor
    ring = page.evaluate("(() => { const s = getComputedStyle(document.activeElement); "
                         "return [s.outlineWidth, s.boxShadow]; })()")
    assert ring[0] == "4px" and "8px" in ring[1], ring
    # contrast off, simple view on: each by keyboard
    press_until_focused(page, "[data-care=contrast]")
    page.keyboard.press("Space")
    assert html_attrs(page) == {"data-care": "4"}
    assert page.get_attribute("[data-care=contrast]", "aria-pressed") == "false"
    press_until_focused(page, "[data-care=simple]")
    page.keyboard.press("Enter")
    assert html_attrs(page) == {"data-care": "4 simple"}
    assert page.is_hidden(".site-search") and page.is_hidden(".toc")
    columns = page.evaluate("getComputedStyle(document.querySelector('.prev-next')).gridTemplateColumns")
    assert len(columns.split(" ")) == 1
    assert stored(page) == {"on": True, "size": 4, "contrast": False, "simple": True, "attr": "4 simple"}
    # and off again: everything back as it was
    page.focus("#care-toggle")
    page.keyboard.press("Enter")
    assert html_attrs(page) == {}
    assert page.is_hidden(".care-bar")
    assert font_px(page, ".body p") == pytest.approx(normal_para)
    assert stored(page)["on"] is False  # type: ignore[index]


def test_the_mode_is_remembered_across_pages(open_page: Callable[..., Page], briefing_url: str) -> None:
    page = open_page()
    page.click("#care-toggle")
    page.wait_for_selector(".care-bar:not([hidden])")
    page.click("[data-care=larger]")
    page.click("a.brand")  # another page of the site
    page.wait_for_selector(".care-bar:not([hidden])")
    assert html_attrs(page) == {"data-care": "2 contrast"}
    assert page.get_attribute("#care-toggle", "aria-pressed") == "true"
    page.goto(briefing_url)
    assert html_attrs(page) == {"data-care": "2 contrast"}


@pytest.mark.parametrize("width", [360, 1280])
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_nothing_in_the_mode_and_nothing_overflows(open_page: Callable[..., Page], width: int,
                                                            scheme: str) -> None:
    if not AXE_JS.is_file():
        skip_or_fail(f"{AXE_JS.relative_to(REPO)} is missing: {NPM_HINT}")
    page = open_page(width=width, scheme=scheme)
    settings = {"on": True, "size": 4, "contrast": True, "simple": False, "attr": "4 contrast"}
    page.evaluate(f"localStorage.setItem('{KEY}', {json.dumps(json.dumps(settings))})")
    page.reload()
    page.wait_for_selector(".care-bar:not([hidden])")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.add_script_tag(path=str(AXE_JS))
    # WCAG AAA contrast (7:1) on top of axe's default rules: what high contrast promises
    violations = page.evaluate(AXE_RUN, {"color-contrast-enhanced": {"enabled": True}})
    assert not violations, json.dumps(violations, ensure_ascii=False, indent=1)
    page.click("[data-care=simple]")
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert not page.evaluate(AXE_RUN, {})


def test_read_aloud_is_offered_with_a_voice_and_reads_sentence_by_sentence(open_page: Callable[..., Page]) -> None:
    page = open_page(voices=[("Tingting", "zh-CN"), ("Samantha", "en-US")])
    page.click("#care-toggle")
    read = page.locator("[data-care=read]")
    read.wait_for(state="visible")
    assert read.inner_text() == "朗读"
    read.focus()
    page.keyboard.press("Enter")
    page.wait_for_function("window.__spoken.length >= 3 && window.__marked.length >= 3")
    spoken = page.evaluate("window.__spoken")
    marked = page.evaluate("window.__marked")
    title = page.inner_text(".briefing-header h1")
    assert spoken[0] == title
    assert all(s.strip() for s in spoken)
    # the first body sentence ends at a full stop and is what was highlighted while it was read
    assert spoken[1].endswith("。") and spoken[1] in page.inner_text(".body")
    assert marked[1] is not None and marked[1].strip() == spoken[1]
    page.wait_for_function("document.querySelector('[data-care=read]').getAttribute('aria-pressed') === 'false'",
                           timeout=20000)
    assert page.evaluate("CSS.highlights.has('care-reading')") is False


def test_a_selected_paragraph_alone_is_read(open_page: Callable[..., Page]) -> None:
    page = open_page(voices=[("Tingting", "zh-CN")])
    page.click("#care-toggle")
    page.wait_for_selector("[data-care=read]:not([hidden])")
    paragraph = page.evaluate("""(() => {
      const p = [...document.querySelectorAll('.body p')].find(p => p.textContent.length > 30);
      const r = document.createRange(); r.selectNodeContents(p);
      getSelection().removeAllRanges(); getSelection().addRange(r);
      return p.textContent; })()""")
    page.click("[data-care=read]")
    page.wait_for_function("document.querySelector('[data-care=read]').getAttribute('aria-pressed') === 'false'")
    assert "".join(page.evaluate("window.__spoken")).replace(" ", "") == paragraph.strip().replace(" ", "")


@pytest.mark.parametrize("voices", [[], [("Samantha", "en-US")]], ids=["no-voice", "no-chinese-voice"])
def test_read_aloud_is_hidden_without_a_voice_for_the_page(open_page: Callable[..., Page],
                                                          voices: list[tuple[str, str]]) -> None:
    page = open_page(voices=voices)
    page.click("#care-toggle")
    page.wait_for_selector(".care-bar:not([hidden])")
    assert page.is_hidden("[data-care=read]")
    assert page.locator(".care-bar button:visible").count() == 4  # A−, A+, contrast, simple


@pytest.mark.parametrize("width", [390, 1280])
def test_screenshot_of_a_briefing_in_the_mode(open_page: Callable[..., Page], width: int) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page = open_page(width=width, voices=[("Tingting", "zh-CN")])
    page.click("#care-toggle")
    page.click("[data-care=larger]")
    page.wait_for_selector("[data-care=read]:not([hidden])")
    press_until_focused(page, "[data-care=read]")  # by keyboard: the focus ring shows
    shot = ARTIFACTS / f"care-briefing-{width}.png"
    page.screenshot(path=str(shot), full_page=False)
    assert shot.stat().st_size > 10_000
    assert page.evaluate("document.documentElement.scrollWidth") <= width


# Every element a mouse could use (numbered, to know each when focused), and whether the focused one shows a ring.
INTERACTIVE = """() => [...document.querySelectorAll(
    'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])')]
  .filter(el => el.checkVisibility({checkVisibilityCSS: true}))  // not in a closed <details>, say
  .map((el, i) => { el.dataset.probe = i; return [i, el.outerHTML.slice(0, 80)]; })"""
FOCUSED = """() => { const el = document.activeElement, s = getComputedStyle(el);
  if (el.dataset.probe === undefined) el.dataset.probe = 'later-' + (window.__later = (window.__later || 0) + 1);
  return [el.dataset.probe, s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2]; }"""


@pytest.mark.parametrize("path", ["", "tags/", "search/?q=%E5%8F%8C%E5%87%8F", None],
                         ids=["home", "tags", "search", "briefing"])
@pytest.mark.parametrize("care", [False, True], ids=["normal", "care"])
def test_every_interactive_element_is_reached_by_tab_with_a_visible_ring(open_page: Callable[..., Page],
                                                                        served: str, path: str | None,
                                                                        care: bool) -> None:
    page = open_page(voices=[("Tingting", "zh-CN")], url=served + path if path is not None else "")
    page.wait_for_load_state("networkidle")
    if care:
        press_until_focused(page, "#care-toggle")
        page.keyboard.press("Enter")
        page.wait_for_function("JSON.parse(localStorage.getItem('briefings-care') || '{}').on === true")
        page.reload()  # remembered; and Tab starts from the top again
        page.wait_for_selector(".care-bar:not([hidden])")
        page.wait_for_load_state("networkidle")
    wanted = dict(page.evaluate(INTERACTIVE))  # number → what it is
    reached: dict[str, bool] = {}  # probe → ring shown
    page.keyboard.press("Tab")
    for _ in range(len(wanted) + 20):
        probe, ring = page.evaluate(FOCUSED)
        if probe in reached:
            break  # round again
        reached[probe] = ring
        page.keyboard.press("Tab")
    assert [what for n, what in wanted.items() if str(n) not in reached] == [], "not reachable by Tab"
    assert [wanted[int(p)] for p, ring in reached.items() if not ring and str(p).isdigit()] == [], "no focus ring"
    # the skip link comes first and takes the reader to the text
    first = next(iter(reached))
    assert 'class="skip-link"' in wanted[int(first)]
