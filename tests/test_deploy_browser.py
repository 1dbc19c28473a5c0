"""A site fresh from `briefings init`, branded (logo, green accent), read in Chromium: deployed under
/wjw/ and in `serve` at /, with one spelling of its links. Screenshots go to test-artifacts/."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from browser import serve_folder

from briefings.cli import main
from briefings.pipeline import build
from briefings.serve import DevServer

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "test-artifacts"
TIMEOUT = 15_000
BRIEFING = "2026/01/ben-zhan-kai-tong/"
LOGO = """<svg xmlns="http://www.w3.org/2000/svg" width="64" height="64" viewBox="0 0 64 64">
<circle cx="32" cy="32" r="30" fill="#1a7f37"/><path d="M26 14h12v12h12v12H38v12H26V38H14V26h12z" fill="#fff"/></svg>
"""
BRANDING = """organisation = "北京市某某区卫生健康委员会"
logo = "static/logo.svg"
accent_color = "#1a7f37"
"""
FOOTER = """[footer]
site_code = "1101050001"
icp = "京ICP备12345678号-1"
police = "京公网安备11010502000001号"
address = "北京市某某区某某路1号"
phone = "010-12345678"
"""


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A plain PNG image (a photo stand-in) made without an imaging library."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


@pytest.fixture
def branded(tmp_path: Path) -> Path:
    """`briefings init`, then what an office adds: logo, colour, organisation, footer, a photo."""
    site = tmp_path / "wjw"
    assert main(["init", str(site), "--title", "区卫健委会议简报", "--base-url", "https://example.gov.cn/wjw/",
                 "--lang", "zh,en"]) == 0
    config = site / "site.toml"
    text = config.read_text("utf-8")
    text = text.replace('organisation = ""\n', "").replace("[footer]\n", FOOTER, 1)
    config.write_text(BRANDING + text, encoding="utf-8")
    (site / "static" / "img").mkdir(parents=True)
    (site / "static" / "logo.svg").write_text(LOGO, encoding="utf-8")
    (site / "static" / "img" / "photo.png").write_bytes(png(320, 180, (120, 160, 200)))
    [briefing] = (site / "content").glob("*/*-ben-zhan-kai-tong.md")
    briefing.rename(site / "content" / "2026" / "2026-01-05-ben-zhan-kai-tong.md")  # a fixed date: a fixed URL
    briefing = site / "content" / "2026" / "2026-01-05-ben-zhan-kai-tong.md"
    text = briefing.read_text("utf-8")
    text = text.replace(text.split("date: ")[1].split("\n")[0], "2026-01-05")
    briefing.write_text(text + "\n![启用仪式](/img/photo.png)\n", encoding="utf-8")
    en = site / "content" / "2026"
    for other in en.glob("*-ben-zhan-kai-tong.en.md"):
        text = other.read_text("utf-8")
        other.unlink()
        (en / "2026-01-05-ben-zhan-kai-tong.en.md").write_text(
            text.replace(text.split("date: ")[1].split("\n")[0], "2026-01-05"), encoding="utf-8")
    return site


def loaded(page, selector: str) -> bool:
    return page.eval_on_selector(selector, "img => img.complete && img.naturalWidth > 0")


def test_deployed_under_a_sub_path(branded: Path, chromium) -> None:
    result = build(branded, branded / "public")
    assert result.ok and [d.format() for d in result.diagnostics] == []
    ARTIFACTS.mkdir(exist_ok=True)
    with serve_folder(branded / "public", "/wjw/") as base:
        assert base.endswith("/wjw/")
        page = chromium.new_page(viewport={"width": 1280, "height": 900})
        page.goto(base + BRIEFING)
        assert loaded(page, ".body img") and loaded(page, ".brand-logo")
        colour = page.eval_on_selector(".site-search button", "b => getComputedStyle(b).backgroundColor")
        assert colour == "rgb(26, 127, 55)"  # the accent of site.toml
        page.screenshot(path=str(ARTIFACTS / "init-branded-briefing-desktop-light.png"), full_page=True)
        page.locator(".body").get_by_role("link", name="关于我们").click()
        page.wait_for_url(base + "about/", timeout=TIMEOUT)
        assert page.locator("h1").inner_text() == "关于我们"
        page.screenshot(path=str(ARTIFACTS / "init-branded-about-desktop-light.png"), full_page=True)
        page.get_by_role("link", name="English", exact=True).click()
        page.wait_for_url(base + "en/about/", timeout=TIMEOUT)
        page.goto(base)
        page.screenshot(path=str(ARTIFACTS / "init-branded-home-desktop-light.png"), full_page=True)
        page.get_by_role("navigation").get_by_role("link", name="关于我们").click()  # the menu of site.toml
        page.wait_for_url(base + "about/", timeout=TIMEOUT)
        page.emulate_media(color_scheme="dark")
        page.goto(base)
        dark = page.eval_on_selector(".site-search button", "b => getComputedStyle(b).backgroundColor")
        assert dark != colour  # the derived dark-mode shade
        page.screenshot(path=str(ARTIFACTS / "init-branded-home-desktop-dark.png"), full_page=True)
        page.set_viewport_size({"width": 360, "height": 740})
        page.emulate_media(color_scheme="light")
        page.goto(base + BRIEFING)
        wide = page.evaluate("""() => [...document.querySelectorAll('body *')].filter(
            e => e.getBoundingClientRect().right > innerWidth + 1).map(e => e.tagName + '.' + e.className + ' '
            + e.textContent.slice(0, 30))""")
        assert page.evaluate("document.documentElement.scrollWidth <= innerWidth"), wide
        page.screenshot(path=str(ARTIFACTS / "init-branded-briefing-phone-light.png"), full_page=True)
        page.close()


def test_the_same_links_work_in_serve(branded: Path, chromium) -> None:
    with DevServer(branded, port=0, stream=io.StringIO()) as server:
        page = chromium.new_page()
        page.goto(server.url + BRIEFING)
        assert loaded(page, ".body img") and loaded(page, ".brand-logo")
        page.locator(".body").get_by_role("link", name="关于我们").click()
        page.wait_for_url(server.url + "about/", timeout=TIMEOUT)
        assert page.locator("h1").inner_text() == "关于我们"
        page.close()


def test_the_branded_site_is_valid_html_and_axe_clean(branded: Path, chromium) -> None:
    """The pages a branded init-ed site adds (header logo, footer lines, menu, standalone pages)
    pass the Nu HTML Checker and axe-core, in light and dark."""
    import json
    import shutil
    import subprocess

    from browser import skip_or_fail
    from test_quality import AXE_JS, VNU_JAR, node_tool
    from test_quality_browser import AXE_RUN

    assert build(branded, branded / "public").ok
    out = branded / "public"
    java = shutil.which("java")
    if java is None:
        skip_or_fail("java not found: the Nu HTML Checker needs Java 17+ (apt-get install default-jre-headless)")
    pages = sorted(out.rglob("*.html"))
    run = subprocess.run([java, "-jar", str(node_tool(VNU_JAR)), "--errors-only", "--format", "json", "--stdout",
                          *map(str, pages)], capture_output=True, text=True, timeout=600, check=False)
    errors = [f"{m.get('url', '?')}:{m.get('lastLine')}: {m['message']}"
              for m in json.loads(run.stdout)["messages"] if m["type"] != "info"]
    assert not errors, "\n".join(errors[:20])
    node_tool(AXE_JS)
    with serve_folder(out, "/wjw/") as base:
        page = chromium.new_page()
        for path in ("", BRIEFING, "about/", "en/about/"):
            for scheme in ("light", "dark"):
                page.emulate_media(color_scheme=scheme)  # type: ignore[arg-type]
                page.goto(base + path)
                page.add_script_tag(path=str(AXE_JS))
                violations = page.evaluate(AXE_RUN)
                assert not violations, (path, scheme, json.dumps(violations, ensure_ascii=False))
        page.close()


def test_paragraphs_are_indented_but_not_a_loose_list_s_items(branded: Path, chromium) -> None:
    """Chinese paragraphs open two characters in; the points of a loose list (what `import` makes of
    '1. …' lines) stay beside their numbers."""
    [briefing] = (branded / "content" / "2026").glob("*-ben-zhan-kai-tong.md")
    briefing.write_text(briefing.read_text("utf-8")
                        + "\n1. 加快新院区建设；\n\n2. 推进医养结合试点。\n\n> 会议要求抓好落实。\n", encoding="utf-8")
    assert build(branded, branded / "public").ok
    with serve_folder(branded / "public", "/wjw/") as base:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(base + BRIEFING)
        indent = "p => getComputedStyle(p).textIndent"
        assert page.eval_on_selector(".body > p", indent) != "0px"
        assert page.eval_on_selector_all(".body li > p", f"ps => ps.map({indent})") == ["0px", "0px"]
        assert page.eval_on_selector(".body blockquote p", indent) == "0px"
        page.close()


def test_the_table_of_contents_adds_no_numbers_to_headings_that_have_their_own(branded: Path, chromium) -> None:
    [briefing] = (branded / "content" / "2026").glob("*-ben-zhan-kai-tong.md")
    briefing.write_text(briefing.read_text("utf-8") + "\n## 一、传达学习\n\n正文。\n\n### （一）抓好落实\n\n正文。\n\n"
                        "## 二、研究部署\n\n正文。\n", encoding="utf-8")
    assert build(branded, branded / "public").ok
    with serve_folder(branded / "public", "/wjw/") as base:
        page = chromium.new_page(viewport={"width": 390, "height": 900})
        page.goto(base + BRIEFING)
        items = page.locator(".toc li")
        assert items.all_inner_texts()[-3:] == ["一、传达学习", "（一）抓好落实", "二、研究部署"]
        styles = page.eval_on_selector_all(".toc li", "lis => lis.map(li => getComputedStyle(li).listStyleType)")
        assert set(styles) == {"none"}
        page.close()
