"""Search in Chromium, the way readers use it: what they type on /search/, what they see, what loads.

The site is the sample site (the real briefing of 2023-06-15 with its English edition, and the
generated ones) plus three briefings written here: a hostile one (markup in title and body), one
with a distinctive phrase inside a paragraph, and one with 课后 … 后服 … 服务 but never 课后服务
(for quoted phrases). It is built twice, for a domain root and for a sub-path (/briefings/), each
served under its own path. A generated site of ~300 briefings checks the download budget.

Every query is opened as a shareable URL (/search/?q=…) and typed with the keyboard; both must
show the same results. Waits are on conditions in the page, never on time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

import pytest
from browser import serve_folder

from briefings.model import Briefing
from briefings.pipeline import build
from briefings.render import format_date
from briefings.search.tokens import normalize
from briefings.site import BuildOptions

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Request

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "corpus" / "gen_corpus.py"
BUDGET = {"课后服务": 100_000, "kehoufuwu": 120_000}  # bytes of a first query, everything included
# Briefings by source file; their links come from the build (slugs are shortened).
REAL = "content/2023/2023-06-15-ju-dang-zu-kuo-da-hui.md"  # the real briefing of the sample site
REAL_EN = "content/2023/2023-06-15-ju-dang-zu-kuo-da-hui.en.md"
HOSTILE = "content/2024/2024-03-05-hostile.md"
WINTER = "content/2025/2025-01-08-dong-ji-ti-yu.md"  # a phrase inside a paragraph
SPLIT = "content/2025/2025-02-20-ju-zhang-ban-gong-hui.md"  # 课后 … 后服 … 服务, never 课后服务
HOSTILE_TITLE = '<script>alert(1)</script><img src=x onerror=alert(2)> "引号" </mark> 研学旅行通报'
PARAGRAPH_WORD = "冰雪运动进校园"

EXTRA = f"""\
-- content/2024/2024-03-05-hostile.md --
---
title: '{HOSTILE_TITLE}'
date: 2024-03-05T09:00:00+08:00
meeting: 局务会
tags: [校园安全]
slug: yan-xue-lv-xing-tong-bao
---

3月5日上午，市教育局召开局务会。

## 研学旅行安全 <span onclick=alert(5)>须知</span>

研学旅行：`<script>alert(3)</script><img src=x onerror=alert(4)>`、&lt;/mark&gt;、&quot;引号&quot;。
-- content/2025/2025-01-08-dong-ji-ti-yu.md --
---
title: 市教育局召开局务会 研究冬季体育工作
date: 2025-01-08T09:00:00+08:00
meeting: 局务会
tags: [课后服务]
---

1月8日上午，市教育局召开局务会。

## 听取冬季体育工作汇报

会议指出，各校要统筹体育课程与课外活动，落实每天综合体育活动时间，积极推进{PARAGRAPH_WORD}，因地制宜开展滑冰、滑雪和冰上游戏，同时做好场地安全检查。

## 研究部署课后服务

会议要求丰富课后服务内容，提升课后服务水平。
-- content/2025/2025-02-20-ju-zhang-ban-gong-hui.md --
---
title: 市教育局召开局长办公会 研究托管工作
date: 2025-02-20T09:00:00+08:00
meeting: 局长办公会
tags: [学前教育]
---

会议要求做好课后的延时托管，以后服从统一安排，做好服务保障。
"""

RESULTS = """() => [...document.querySelectorAll('main #search-results > li')].map((li) => ({
  href: li.querySelector('a').getAttribute('href'),
  title: li.querySelector('.search-title').textContent,
  date: li.querySelector('time').textContent,
  datetime: li.querySelector('time').getAttribute('datetime'),
  tags: [...li.querySelectorAll('.search-tag')].map((t) => t.textContent),
  heading: li.querySelector('.search-section')?.textContent ?? '',
  marks: [...li.querySelectorAll('mark')].map((m) => m.textContent),
  titleMarks: li.querySelectorAll('.search-title mark').length,
  snippet: li.querySelector('.search-snippet')?.textContent ?? '',
  elements: [...new Set([...li.querySelectorAll('*')].map((e) => e.localName))],
}))"""

# Settled: a count or "no results" is announced and, when there are results, they are listed.
SETTLED = """() => {
  const status = document.getElementById('search-status').textContent;
  return status !== '' && (document.querySelector('#search-results > li') !== null || !/\\d/.test(status));
}"""

# The results are exactly these links, and the address bar holds the query.
SHOWS = """([q, hrefs]) => new URLSearchParams(location.search).get('q') === q
  && JSON.stringify([...document.querySelectorAll('#search-results > li > a')].map((a) => a.getAttribute('href')))
     === JSON.stringify(hrefs)"""

STRINGS = "() => JSON.parse(document.getElementById('search').dataset.strings)"


# ---- sites ----


@dataclass(frozen=True)
class Built:
    """A built site served over HTTP."""

    out: Path
    url: str  # where it is served, ending in '/': http://127.0.0.1:PORT/ or …/briefings/
    base_path: str  # '' or '/briefings'
    briefings: tuple[Briefing, ...]

    def link(self, source: str) -> str:
        """The link to the briefing from ``source``, as search results show it (without #anchor)."""
        return self.base_path + next(b.url for b in self.briefings if b.source == source)

    def section(self, source: str, heading: str) -> str:
        """The link to the section of that briefing with that heading."""
        b = next(b for b in self.briefings if b.source == source)
        return self.link(source) + "#" + next(s.anchor for s in b.sections if s.heading.strip() == heading)

    def briefing(self, href: str) -> Briefing:
        path = urlsplit(href).path.removeprefix(self.base_path)
        return next(b for b in self.briefings if b.url == path)

    def containing(self, phrase: str) -> set[str]:
        """Links (with the base path) of the briefings whose title, tags or text contain ``phrase``."""
        want = normalize(phrase)
        return {self.base_path + b.url for b in self.briefings if want in normalize(searchable(b))}

    def assert_anchor(self, href: str) -> None:
        """A result link leads to a built page that has the element its #anchor names."""
        parts = urlsplit(href)
        assert parts.path.startswith(self.base_path + "/"), f"{href} is outside {self.base_path}/"
        page = self.out / unquote(parts.path.removeprefix(self.base_path)).strip("/") / "index.html"
        assert page.is_file(), f"{href}: no page at {page}"
        if parts.fragment:
            ids = re.findall(r'\sid="([^"]*)"', page.read_text(encoding="utf-8"))
            assert unquote(parts.fragment) in ids, f"{href}: no id={parts.fragment!r} on the page"


def searchable(b: Briefing) -> str:
    return "\n".join([b.title, *b.tags, b.meeting or "", *(f"{s.heading}\n{s.text}" for s in b.sections)])


def without_anchor(href: str) -> str:
    return href.partition("#")[0]


def copy_sample_site(root: Path) -> Path:
    """The sample site's content, theme and site.toml, plus the EXTRA briefings."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    shutil.copy(REPO / "site.toml", root / "site.toml")
    for match in re.finditer(r"^-- (.+?) --\n(.*?)(?=^-- .+? --\n|\Z)", EXTRA, re.S | re.M):
        path = root / match.group(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(match.group(2), encoding="utf-8")
    return root


def generated_site(root: Path, n: int) -> Path:
    """``n`` briefings from the shared corpus generator, or copies of the sample's when it is absent."""
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    shutil.copy(REPO / "site.toml", root / "site.toml")
    if GEN_CORPUS.is_file():
        subprocess.run([sys.executable, str(GEN_CORPUS), str(root / "content"), str(n)], check=True,
                       stdout=subprocess.DEVNULL)
        return root
    sources = sorted((REPO / "content").rglob("*.md"))
    for i in range(n):  # the same texts under other years: distinct URLs, realistic postings
        source, year = sources[i % len(sources)], 2026 - i // len(sources)
        text = re.sub(r"^date: \d{4}", f"date: {year}", source.read_text(encoding="utf-8"), count=1, flags=re.M)
        text = re.sub(r"^translation_key: .*\n", "", text, flags=re.M)
        target = root / "content" / str(year) / f"{year}{source.name[4:]}"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    return root


def serve_built(root: Path, out: Path, base_url: str) -> Iterator[Built]:
    result = build(root, out, BuildOptions(base_url=base_url))
    assert result.ok and result.site is not None, [d.format() for d in result.diagnostics]
    base_path = urlsplit(base_url).path.rstrip("/")
    with serve_folder(out, base_path or "/") as url:
        yield Built(out, url, base_path, result.site.briefings)


@pytest.fixture(scope="session")
def sample_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return copy_sample_site(tmp_path_factory.mktemp("search-site"))


@pytest.fixture(scope="session")
def site(sample_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The site at a domain's root."""
    yield from serve_built(sample_root, tmp_path_factory.mktemp("search-root") / "public", "https://example.org/")


@pytest.fixture(scope="session")
def sub_site(sample_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """The same site published under /briefings/."""
    out = tmp_path_factory.mktemp("search-sub") / "public"
    yield from serve_built(sample_root, out, "https://example.gov.cn/briefings/")


@pytest.fixture(scope="session")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    """~300 generated briefings: enough for postings and fragments of a realistic size."""
    root = generated_site(tmp_path_factory.mktemp("search-300"), 300)
    yield from serve_built(root, root / "public", "https://example.org/")


# ---- a reader in a browser tab ----


@dataclass
class Reader:
    """A page, with everything that must not happen on it: dialogs, script errors, failed requests."""

    page: Page
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)
    finished: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: m.type == "error" and not favicon(m.location)
                     and self.errors.append(f"{m.text} ({m.location.get('url')})"))
        self.page.on("response", lambda r: r.status >= 400 and self.failed.append(f"{r.status} {r.url}"))
        self.page.on("request", lambda r: self.requests.append(r))
        self.page.on("requestfinished", lambda r: self.finished.append(r))

    def search(self, built: Built, query: str = "", lang: str = "", **filters: str) -> list[dict[str, Any]]:
        """Open /search/?q=… (a shared link) and return the results once they are shown."""
        params = urlencode({k: v for k, v in {"q": query, **filters}.items() if v})
        response = self.page.goto(f"{built.url}{lang}search/?{params}")
        assert response is not None and response.ok
        self.page.wait_for_function(SETTLED)
        return self.results()

    def results(self) -> list[dict[str, Any]]:
        return self.page.evaluate(RESULTS)

    def status(self) -> str:
        return self.page.locator("#search-status").text_content() or ""

    def type(self, query: str, expected: list[str]) -> list[dict[str, Any]]:
        """Clear the box, type ``query`` key by key, wait until exactly ``expected`` links show."""
        box = self.page.locator("#search-q")
        box.fill("")
        self.page.wait_for_function("() => !document.querySelector('#search-results > li')")
        box.focus()
        self.page.keyboard.type(query)
        self.page.wait_for_function(SHOWS, arg=[query, expected])
        return self.results()


def favicon(location: dict[str, Any]) -> bool:
    """Chromium asks every host for /favicon.ico; the site has none, and that is no search error."""
    return urlsplit(location.get("url", "")).path.endswith("/favicon.ico")


@contextmanager
def reading(context: BrowserContext) -> Iterator[Reader]:
    page = context.new_page()
    reader = Reader(page)
    yield reader
    page.close()
    assert not reader.dialogs, f"a dialog opened: {reader.dialogs}"
    assert not reader.errors, f"script errors: {reader.errors}"
    assert not reader.failed, f"failed requests: {reader.failed}"


@pytest.fixture(scope="module")
def context(chromium: Browser) -> Iterator[BrowserContext]:
    """One browser profile for the tests of what readers find: its cache is warm after the first."""
    context = chromium.new_context()
    yield context
    context.close()


@pytest.fixture
def reader(context: BrowserContext) -> Iterator[Reader]:
    """A new tab."""
    with reading(context) as reader:
        yield reader


@pytest.fixture
def cold_reader(chromium: Browser) -> Iterator[Reader]:
    """A new tab in a new profile: nothing of the site loaded or cached before."""
    context = chromium.new_context()
    with reading(context) as reader:
        yield reader
    context.close()


@pytest.fixture(scope="module")
def first_links(context: BrowserContext, site: Built) -> Callable[[str], list[str]]:
    """The links /search/?q=QUERY shows first; each query is opened once for the whole module."""
    cache: dict[str, list[str]] = {}

    def links(query: str) -> list[str]:
        if query not in cache:
            with reading(context) as reader:
                cache[query] = hrefs(reader.search(site, query))
        return cache[query]

    return links


def hrefs(results: list[dict[str, Any]]) -> list[str]:
    return [r["href"] for r in results]


def assert_date(result: dict[str, Any], briefing: Briefing, lang: str) -> None:
    """Dates read as on the rest of the site (2023年6月15日, June 15, 2023), ISO for machines."""
    assert result["date"] == format_date(briefing.date, lang)
    assert result["datetime"] == briefing.date.date().isoformat()


def count(status: str) -> int:
    digits = re.sub(r"\D", "", status)
    assert digits, f"no count in {status!r}"
    return int(digits)


# ---- finding what readers type ----


@pytest.mark.parametrize("query", ["课后服务", "双减", "优质均衡"])
def test_chinese_words_find_the_briefings_that_contain_them(reader: Reader, site: Built, query: str) -> None:
    results = reader.search(site, query)
    expected = site.containing(query)
    assert len(results) == 10, "the first page shows ten results"
    assert count(reader.status()) >= len(expected), "every briefing with the phrase is counted"
    for r in results:  # best first: the first page is all briefings with the whole phrase
        assert without_anchor(r["href"]) in expected, f"{r['href']} does not contain {query}"
        assert query in r["marks"] or query in r["tags"], f"{query} not highlighted in {r}"
        site.assert_anchor(r["href"])
        assert_date(r, site.briefing(r["href"]), "zh")
    assert hrefs(reader.type(query, hrefs(results))) == hrefs(results)


def test_a_phrase_inside_a_paragraph_links_to_its_section(reader: Reader, site: Built) -> None:
    results = reader.search(site, PARAGRAPH_WORD)
    assert hrefs(results) == [site.section(WINTER, "听取冬季体育工作汇报")]
    assert results[0]["heading"] == "听取冬季体育工作汇报"
    assert PARAGRAPH_WORD in results[0]["marks"] and PARAGRAPH_WORD in results[0]["snippet"]
    site.assert_anchor(results[0]["href"])
    assert reader.status() == reader.page.evaluate(STRINGS)["count_one"]


def test_a_quoted_phrase_must_appear_exactly(reader: Reader, site: Built) -> None:
    loose = reader.search(site, "课后服务", year="2025")
    assert [without_anchor(h) for h in hrefs(loose)] == [site.link(WINTER), site.link(SPLIT)], "whole phrase first"
    quoted = reader.search(site, '"课后服务"', year="2025")
    assert hrefs(quoted) == [site.section(WINTER, "研究部署课后服务")]
    assert reader.status() == reader.page.evaluate(STRINGS)["count_one"], "the count is of exact matches"
    everywhere = reader.search(site, "“课后服务”")
    assert {without_anchor(h) for h in hrefs(everywhere)} <= site.containing("课后服务")


@pytest.mark.parametrize(("query", "word"), [
    ("kehoufuwu", "课后服务"), ("ke hou fu wu", "课后服务"), ("shuāngjiǎn", "双减"),
    ("khfw", "课后服务"), ("课后fw", "课后服务"), ("kehouf", "课后服务"),
])
def test_pinyin_and_initials_find_what_the_characters_find(reader: Reader, site: Built, query: str, word: str,
                                                          first_links: Callable[[str], list[str]]) -> None:
    by_characters = first_links(word)
    results = reader.search(site, query)
    assert hrefs(results) == by_characters
    # a syllable being typed (kehouf) is read as far as it goes: 课后服, the start of the word
    read = word[:3] if query == "kehouf" else word
    assert all(read in r["marks"] or word in r["tags"] for r in results), "the word read is highlighted"
    assert hrefs(reader.type(query, by_characters)) == by_characters


def test_results_appear_while_typing(reader: Reader, site: Built, first_links: Callable[[str], list[str]]) -> None:
    by_characters = first_links("课后服务")
    reader.page.goto(site.url + "search/")
    reader.page.locator("#search-q").focus()
    reader.page.keyboard.type("课后")
    reader.page.wait_for_function(SETTLED)
    assert reader.results(), "results for what is typed so far"
    reader.page.keyboard.type("fw")
    reader.page.wait_for_function(SHOWS, arg=["课后fw", by_characters])


def test_ambiguous_initials_offer_the_words_as_chips(reader: Reader, site: Built,
                                                    first_links: Callable[[str], list[str]]) -> None:
    results = reader.search(site, "sj")
    chips = reader.page.locator("#search-choices button.search-chip")
    labels = chips.all_text_contents()
    assert "双减" in labels and len(labels) >= 2, labels
    assert reader.page.locator("#search-choices").is_visible()
    assert chips.filter(has_text="双减").get_attribute("aria-pressed") == "true"
    assert hrefs(results) == first_links("双减")

    other = next(label for label in labels if label != "双减" and re.fullmatch(r"[\u4e00-\u9fff]+", label))
    expected = first_links(other)
    reader.page.locator("#search-choices button", has_text=other).click()
    reader.page.wait_for_function(SHOWS, arg=["sj", expected])
    assert chips.filter(has_text=other).get_attribute("aria-pressed") == "true"
    assert chips.filter(has_text="双减").get_attribute("aria-pressed") == "false"


@pytest.mark.parametrize(("query", "section"), [
    ("after-school", "The provincial on-site meeting on after-school services"),
    ("campus safety", ""),
])
def test_english_words_and_tag_names(reader: Reader, site: Built, query: str, section: str) -> None:
    results = reader.search(site, query, lang="en/")
    assert site.link(REAL_EN) in {without_anchor(h) for h in hrefs(results)}, hrefs(results)
    if section:
        assert site.section(REAL_EN, section) in hrefs(results)
    for r in results:
        assert site.briefing(r["href"]).lang == "en"
        assert r["marks"] or any(normalize(query) == normalize(t) for t in r["tags"]), r
        site.assert_anchor(r["href"])
        assert_date(r, site.briefing(r["href"]), "en")
    assert hrefs(reader.type(query, hrefs(results))) == hrefs(results)


# ---- filters ----


def test_filters_in_the_address_combine_with_a_query(reader: Reader, site: Built) -> None:
    results = reader.search(site, "课后服务", year="2023")
    assert [without_anchor(h) for h in hrefs(results)] == [site.link(REAL)]
    assert "课后服务" in results[0]["heading"], "links to the section about it"
    site.assert_anchor(results[0]["href"])

    results = reader.search(site, "课后服务", tag="双减", year="2026")
    assert results and all("双减" in r["tags"] and r["datetime"].startswith("2026") for r in results)

    results = reader.search(site, "优质均衡", meeting="局党组扩大会")
    assert results and all(site.briefing(r["href"]).meeting == "局党组扩大会" for r in results)

    results = reader.search(site, "课后服务 tag:学前教育 year:2025")  # filters typed in the query
    assert [without_anchor(h) for h in hrefs(results)] == [site.link(SPLIT)]

    results = reader.search(site, tag="双减")  # a filter alone lists its briefings
    assert results and all("双减" in r["tags"] for r in results)


ALL_RESULTS_HAVE = """([kind, value]) => {
  const items = [...document.querySelectorAll('#search-results > li')];
  const ok = (li) => kind === 'year' ? li.querySelector('time').dateTime.startsWith(value)
    : [...li.querySelectorAll('.search-tag')].some((t) => t.textContent === value);
  return new URLSearchParams(location.search).get(kind) === value && items.length > 0 && items.every(ok);
}"""


def test_filter_menus_narrow_the_results(reader: Reader, site: Built) -> None:
    reader.search(site, "双减")
    unfiltered = count(reader.status())
    page = reader.page
    page.locator("details.search-filters summary").click()
    page.locator("select[name=year]").select_option("2023")
    page.wait_for_function(ALL_RESULTS_HAVE, arg=["year", "2023"])
    assert [without_anchor(h) for h in hrefs(reader.results())] == [site.link(REAL)]
    page.locator("select[name=year]").select_option("")
    page.locator("select[name=tag]").select_option("校园安全")
    page.wait_for_function(ALL_RESULTS_HAVE, arg=["tag", "校园安全"])
    assert "year" not in urlsplit(page.url).query
    assert count(reader.status()) < unfiltered
    page.reload()  # the address is shareable: the same filters and query come back
    page.wait_for_function(ALL_RESULTS_HAVE, arg=["tag", "校园安全"])
    assert page.locator("#search-q").input_value() == "双减"


# ---- keyboard, screen readers, what is shown ----


def test_keyboard_only(reader: Reader, site: Built, first_links: Callable[[str], list[str]]) -> None:
    page = reader.page
    page.goto(site.url + "search/")
    focused = "() => document.activeElement.getAttribute('href') ?? document.activeElement.id"
    for _ in range(30):  # Tab through the header to the search box
        page.keyboard.press("Tab")
        if page.evaluate(focused) == "search-q":
            break
    assert page.evaluate(focused) == "search-q", "the search box is reachable with Tab"
    page.keyboard.type("课后服务")
    page.wait_for_function(SHOWS, arg=["课后服务", first_links("课后服务")])
    links = page.locator("#search-results > li > a")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links.nth(0).get_attribute("href")
    page.keyboard.press("ArrowDown")
    assert page.evaluate(focused) == links.nth(1).get_attribute("href")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == links.nth(0).get_attribute("href")
    page.keyboard.press("ArrowUp")
    assert page.evaluate(focused) == "search-q", "up from the first result returns to the box"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Escape")
    assert page.evaluate(focused) == "search-q", "Escape returns to the box"
    page.keyboard.press("ArrowDown")
    target = links.nth(0).get_attribute("href")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path + "#" + urlsplit(page.url).fragment == target
    assert page.evaluate("document.getElementById(decodeURIComponent(location.hash.slice(1))) !== null")


def test_result_count_is_announced(reader: Reader, site: Built) -> None:
    reader.search(site, "课后服务")
    status = reader.page.locator("#search-status")
    assert status.get_attribute("aria-live") == "polite" and status.get_attribute("role") == "status"
    strings = reader.page.evaluate(STRINGS)
    total = count(reader.status())
    assert reader.status() == strings["count"].replace("{count}", f"{total:,}")
    more = reader.page.locator("#search-more")
    while more.is_visible():  # the count is what the reader can reach
        shown = reader.page.locator("#search-results > li").count()
        more.click()
        reader.page.wait_for_function(f"() => document.querySelectorAll('#search-results > li').length > {shown}")
    assert reader.page.locator("#search-results > li").count() == total
    reader.type("没有这个词汇之类", [])
    reader.page.wait_for_function("none => document.getElementById('search-status').textContent === none",
                                  arg=strings["none"])


def test_hostile_content_is_shown_as_text(reader: Reader, site: Built) -> None:
    results = reader.search(site, "研学旅行")
    assert len(results) == 1
    hostile = results[0]
    assert hostile["title"] == HOSTILE_TITLE
    assert set(hostile["elements"]) <= {"a", "span", "mark", "p", "time"}, hostile["elements"]
    assert set(hostile["marks"]) == {"研学旅行"} and hostile["titleMarks"] == 1
    for text in ("<script>alert(3)</script><img src=x onerror=alert(4)>", "</mark>", '"引号"'):
        assert text in hostile["snippet"], f"{text} not shown as text in {hostile['snippet']!r}"
    assert reader.page.get_by_text(HOSTILE_TITLE, exact=True).is_visible()
    assert reader.page.locator("main script, main img").count() == 0
    words = reader.search(site, "script alert")  # the words of the markup are words, found as text
    assert site.link(HOSTILE) in {without_anchor(h) for h in hrefs(words)}
    assert all(set(r["elements"]) <= {"a", "span", "mark", "p", "time"} for r in words)
    site.assert_anchor(hostile["href"])
    page = reader.page
    page.goto(site.url + hostile["href"].lstrip("/"))  # the page itself shows it as text too
    assert page.locator("h1").first.text_content() == HOSTILE_TITLE
    page.locator("#site-search-q").focus()  # and so do the header box's results
    page.keyboard.type("研学旅行")
    link = page.locator(".search-popup li a").first
    link.wait_for()
    assert link.text_content() == HOSTILE_TITLE
    assert page.locator(".search-popup script, .search-popup img").count() == 0


# ---- deployment, loading, bytes ----


def test_works_under_a_sub_path(reader: Reader, sub_site: Built) -> None:
    results = reader.search(sub_site, "课后服务")
    assert results and all(h.startswith("/briefings/") for h in hrefs(results))
    for href in hrefs(results):
        sub_site.assert_anchor(href)
    assert hrefs(reader.type("kehoufuwu", hrefs(results))) == hrefs(results)
    english = reader.search(sub_site, "campus safety", lang="en/")
    assert sub_site.link(REAL_EN) in {without_anchor(h) for h in hrefs(english)}
    outside = [r.url for r in reader.requests if not urlsplit(r.url).path.startswith("/briefings/")]
    assert not outside, f"requests outside the sub-path: {outside}"


@pytest.mark.parametrize("where", ["site", "sub_site"])
def test_script_loads_only_on_first_focus_of_the_header_box(cold_reader: Reader, where: str,
                                                           request: pytest.FixtureRequest) -> None:
    built: Built = request.getfixturevalue(where)
    reader = cold_reader
    page = reader.page
    page.goto(built.url, wait_until="load")
    scripts = [r.url for r in reader.requests if re.search(r"/search[^/]*\.m?js$", r.url)]
    assert not scripts, f"search scripts loaded before focus: {scripts}"
    assert not any("/search/" in r.url for r in reader.requests)
    with page.expect_request(re.compile(r"/static/search\.[^/]*js$")):
        page.locator("#site-search-q").focus()
    page.keyboard.type("课后服务")
    popup = page.locator(".search-popup li a").first
    popup.wait_for()
    links = page.locator(".search-popup li a").evaluate_all("as => as.map((a) => a.getAttribute('href'))")
    every = [h for h in links if urlsplit(h).path == built.base_path + "/search/"]  # "see all results"
    assert every and parse_qs(urlsplit(every[0]).query)["q"] == ["课后服务"], links
    for href in set(links) - set(every):
        built.assert_anchor(href)
    assert page.locator(".search-popup [role=status]").text_content()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert urlsplit(page.url).path == built.base_path + "/search/"
    page.wait_for_function(SETTLED)
    assert reader.page.locator("#search-q").input_value() == "课后服务" and reader.results()


def test_search_page_loads_the_script_without_focus(reader: Reader, site: Built) -> None:
    with reader.page.expect_request(re.compile(r"/static/search\.[^/]*js$")):
        reader.page.goto(site.url + "search/")


@pytest.mark.parametrize("query", list(BUDGET))
def test_first_query_downloads_within_budget(cold_reader: Reader, big_site: Built, query: str) -> None:
    page = cold_reader.page
    cold_reader.search(big_site, query)
    shown = page.locator("#search-results > li").count()
    # Everything the page fetched has finished: wait for the events of any not seen yet.
    for url in page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"):
        if url not in {r.url for r in cold_reader.finished} and not favicon({"url": url}):
            page.wait_for_event("requestfinished", lambda r, url=url: r.url == url)
    sizes = {urlsplit(r.url).path: r.sizes()["responseBodySize"] for r in cold_reader.finished
             if r.resource_type not in ("document", "stylesheet")}  # the page and its style are not search
    total = sum(sizes.values())
    report = "\n".join(f"{n:7,} {p}" for p, n in sorted(sizes.items(), key=lambda i: -i[1]))
    assert total < BUDGET[query], f"{total:,} bytes for {query!r}:\n{report}"
    assert len([p for p in sizes if "/f/" in p]) == shown == 10, "only the fragments of the results shown"
    assert not any(p.endswith("facets.bin") for p in sizes), "no filter values without a filter"
    assert len([p for p in sizes if "/t/" in p]) <= 3, "at most a shard per term (课后 后服 服务)"
    assert len([p for p in sizes if "/l/" in p]) <= (1 if query.isascii() else 0), report
