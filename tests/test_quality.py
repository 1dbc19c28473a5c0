"""The published-site quality gate, on the sample site (the repository root) built once per session.

Valid HTML (the Nu HTML Checker), well-formed XML and complete Atom feeds, internal links and
anchors that resolve, nothing loaded from outside the site, page weight, content-hashed assets,
description / canonical / Open Graph meta, and ``--minify`` keeping what a page shows.
The browser half (axe-core, screenshots, overflow) is in test_quality_browser.py.

The Nu HTML Checker and axe-core come from npm (package.json): ``npm ci --ignore-scripts``.
Without them those tests are skipped with the reason, except under CI=true, where they fail.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from browser import skip_or_fail

from briefings.assets import minify_available, minify_pages
from briefings.cli import main as cli_main
from briefings.output import Output
from briefings.pipeline import BuildResult, build

REPO = Path(__file__).resolve().parent.parent
NODE_MODULES = REPO / "node_modules"
VNU_JAR = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
AXE_JS = NODE_MODULES / "axe-core" / "axe.min.js"
NPM_HINT = "run `npm ci --ignore-scripts` at the repository root"
PAGE_BUDGET = 60 * 1024  # bytes of HTML + CSS + JS a page loads when opened, uncompressed
# Scripts a page fetches only when the reader uses a feature (search-core on the first search, care.js when
# 长者模式 is switched on), added to the page: a reader who uses everything never pays more than this.
PAGE_BUDGET_IN_USE = 80 * 1024
ATOM = "{http://www.w3.org/2005/Atom}"


# -- the sample site, built once ------------------------------------------------------------


@dataclass(frozen=True)
class BuiltSite:
    out: Path
    result: BuildResult
    base_url: str  # https://example.gov.cn/briefings/

    @property
    def base_path(self) -> str:  # /briefings/
        return urlsplit(self.base_url).path

    def pages(self) -> list[Path]:
        return sorted(self.out.rglob("*.html"))

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def page_url(self, path: Path) -> str:
        """The absolute URL a page is published at (``…/index.html`` as ``…/``)."""
        rel = self.rel(path)
        return self.base_url + (rel.removesuffix("index.html") if rel.endswith("index.html") else rel)

    def file_for(self, url: str) -> Path | None:
        """The output file an absolute URL of this site is served from, or None when it is outside the site."""
        parts, base = urlsplit(url), urlsplit(self.base_url)
        path = self.base_path if parts.path + "/" == self.base_path else parts.path
        if (parts.scheme, parts.netloc) != (base.scheme, base.netloc) or not path.startswith(self.base_path):
            return None
        file = self.out / unquote(path.removeprefix(self.base_path))
        return file / "index.html" if path.endswith("/") or file.is_dir() else file

    def url_of(self, site_path: str) -> str:
        """A site path (``/tags/``, as the model stores URLs) as an absolute URL."""
        return self.base_url.rstrip("/") + site_path


@functools.cache
def _build_once(out: Path) -> BuiltSite:
    result = build(REPO, out)
    assert result.ok, "\n".join(d.format() for d in result.diagnostics)
    assert result.site is not None
    return BuiltSite(out, result, result.site.base_url)


def build_sample_site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    """The sample site built into the session's temporary folder, once however many modules ask."""
    return _build_once(tmp_path_factory.getbasetemp() / "quality-site")


@functools.cache
def _minified_once(out: Path) -> Path:
    if not minify_available():
        skip_or_fail("minify-html is not installed: pip install '.[test]'")
    assert cli_main(["build", str(REPO), "-o", str(out), "--minify", "--quiet"]) == 0
    return out


def build_minified_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample site built by ``briefings build --minify``, once."""
    return _minified_once(tmp_path_factory.getbasetemp() / "quality-site-minified")


@pytest.fixture(scope="session")
def site(tmp_path_factory: pytest.TempPathFactory) -> BuiltSite:
    return build_sample_site(tmp_path_factory)


@pytest.fixture(scope="session")
def parsed(site: BuiltSite) -> dict[Path, Page]:
    return {path: parse_page(path.read_text(encoding="utf-8")) for path in site.pages()}


def node_tool(path: Path) -> Path:
    if not path.is_file():
        skip_or_fail(f"{path.relative_to(REPO)} is missing: {NPM_HINT}")
    return path


# -- what a page is made of ---------------------------------------------------------------------


@dataclass
class Page:
    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    ids: set[str] = field(default_factory=set)
    texts: list[str] = field(default_factory=list)  # text nodes, whitespace-only ones included
    title: str = ""
    h1: str = ""
    styles: list[str] = field(default_factory=list)  # <style> bodies and style="" attributes

    def meta(self, key: str) -> list[str]:
        """Contents of <meta name=key> or <meta property=key>."""
        return [a.get("content", "") for t, a in self.elements
                if t == "meta" and key in (a.get("name"), a.get("property"))]

    def links(self, rel: str) -> list[str]:
        return [a.get("href", "") for t, a in self.elements if t == "link" and rel in a.get("rel", "").split()]


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page()
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.page.elements.append((tag, values))
        for key in ("id", "name"):
            if key in values and (key == "id" or tag == "a"):
                self.page.ids.add(values[key])
        if "style" in values:
            self.page.styles.append(values["style"])
        if tag not in {"meta", "link", "img", "input", "br", "hr", "source", "wbr", "area", "base", "col",
                       "embed", "track"}:
            self._open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in self._open:
            while self._open.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        self.page.texts.append(data)
        if "title" in self._open and "svg" not in self._open:
            self.page.title += data
        if "h1" in self._open:
            self.page.h1 += data
        if self._open and self._open[-1] == "style":
            self.page.styles.append(data)


def parse_page(html: str) -> Page:
    parser = _PageParser()
    parser.feed(html)
    parser.close()
    return parser.page


def squash(text: str) -> str:
    return " ".join(text.split())


# -- the build itself ---------------------------------------------------------------------------


def test_sample_site_builds_cleanly(site: BuiltSite) -> None:
    assert not list(site.result.diagnostics), [d.format() for d in site.result.diagnostics]
    assert len(site.pages()) > 20


def test_theme_strings_have_the_same_keys_in_both_languages() -> None:
    import tomllib

    i18n = REPO / "themes" / "default" / "i18n"
    zh = tomllib.loads((i18n / "zh.toml").read_text(encoding="utf-8"))
    en = tomllib.loads((i18n / "en.toml").read_text(encoding="utf-8"))
    assert sorted(zh) == sorted(en)


# -- valid HTML ---------------------------------------------------------------------------------


def test_every_page_is_valid_html(site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> None:
    """One run of the Nu HTML Checker over every page (and the CSS), minified pages included."""
    jar = node_tool(VNU_JAR)
    java = shutil.which("java")
    if java is None:
        skip_or_fail("java not found: the Nu HTML Checker needs Java 17+ (apt-get install default-jre-headless)")
    files = [*site.pages(), *sorted(site.out.rglob("*.css"))]
    if minify_available():
        files += sorted(build_minified_site(tmp_path_factory).rglob("*.html"))
    run = subprocess.run([java, "-jar", str(jar), "--errors-only", "--also-check-css", "--format", "json",
                          "--stdout", *map(str, files)], capture_output=True, text=True, timeout=600, check=False)
    report = json.loads(run.stdout)
    errors = [f"{m.get('url', '?').removeprefix('file:')}:{m.get('lastLine', '?')}: {m['message']}"
              f"\n    {m.get('extract', '')!r}" for m in report["messages"] if m["type"] != "info"]
    assert not errors, f"{len(errors)} HTML errors:\n" + "\n".join(errors[:40])
    assert run.returncode == 0, run.stderr[-2000:]


# -- XML: feeds and sitemap ---------------------------------------------------------------------


def xml_files(site: BuiltSite) -> list[Path]:
    return sorted(site.out.rglob("*.xml"))


def test_every_xml_output_is_well_formed(site: BuiltSite) -> None:
    files = xml_files(site)
    assert any(p.name == "sitemap.xml" for p in files) and any(p.name == "atom.xml" for p in files)
    problems = []
    for path in files:
        try:
            ET.parse(path)
        except ET.ParseError as exc:
            problems.append(f"{site.rel(path)}: {exc}")
    assert not problems, "\n".join(problems)


def _timestamp(text: str | None) -> datetime:
    assert text, "empty timestamp"
    stamp = datetime.fromisoformat(text.replace("Z", "+00:00"))
    assert stamp.tzinfo is not None, f"timestamp without a time zone: {text}"
    return stamp


def atom_problems(site: BuiltSite, path: Path) -> Iterator[str]:
    root = ET.parse(path).getroot()
    where = site.rel(path)
    if root.tag != f"{ATOM}feed":
        yield f"{where}: root is {root.tag}, not an Atom feed"
        return

    def check_link(href: str | None, what: str) -> None:
        if not href or not href.startswith(site.base_url):
            problems.append(f"{where}: {what} {href!r} is not an absolute URL under {site.base_url}")
        elif (target := site.file_for(href)) is None or not target.is_file():
            problems.append(f"{where}: {what} {href} leads to no file of the site")

    problems: list[str] = []
    for name in ("id", "title", "updated"):
        if not (root.findtext(f"{ATOM}{name}") or "").strip():
            problems.append(f"{where}: feed has no <{name}>")
    _timestamp(root.findtext(f"{ATOM}updated"))
    links = {link.get("rel", "alternate"): link.get("href") for link in root.findall(f"{ATOM}link")}
    if links.get("self") != site.page_url(path):
        problems.append(f"{where}: self link {links.get('self')!r}, expected {site.page_url(path)}")
    for rel, href in links.items():
        check_link(href, f"feed link rel={rel}")
    if not (root.findtext(f"{ATOM}id") or "").startswith(site.base_url):
        problems.append(f"{where}: feed id is not an absolute URL of the site")
    if not root.findall(f"{ATOM}author") and any(not e.findall(f"{ATOM}author") for e in root.iter(f"{ATOM}entry")):
        problems.append(f"{where}: no feed <author> and an entry without one")
    entries = root.findall(f"{ATOM}entry")
    if not entries:
        problems.append(f"{where}: no entries")
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    if len(set(ids)) != len(ids):
        problems.append(f"{where}: duplicate entry ids")
    for number, entry in enumerate(entries, 1):
        for name in ("id", "title", "updated"):
            if not (entry.findtext(f"{ATOM}{name}") or "").strip():
                problems.append(f"{where}: entry {number} has no <{name}>")
        _timestamp(entry.findtext(f"{ATOM}updated"))
        alternates = [link.get("href") for link in entry.findall(f"{ATOM}link") if link.get("rel") == "alternate"]
        if not alternates:
            problems.append(f"{where}: entry {number} has no alternate link")
        for href in alternates:
            check_link(href, f"entry {number} link")
        content = entry.findtext(f"{ATOM}content") or ""
        for href in re.findall(r'(?:href|src)="([^"]*)"', content):
            if not urlsplit(href).scheme:
                problems.append(f"{where}: entry {number} content has a relative link {href!r} (readers resolve "
                                "it against the feed, not the page)")
    yield from problems


def test_atom_feeds_have_the_essentials_with_absolute_links(site: BuiltSite) -> None:
    feeds = [p for p in xml_files(site) if p.name == "atom.xml"]
    assert (site.out / "atom.xml") in feeds and len(feeds) > 2  # the home feed and one per tag at least
    problems = [problem for path in feeds for problem in atom_problems(site, path)]
    assert not problems, "\n".join(problems[:40])


def test_sitemap_lists_absolute_urls_of_existing_pages(site: BuiltSite) -> None:
    ns = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ET.parse(site.out / "sitemap.xml").getroot()
    locs = [loc.text or "" for loc in root.iter(f"{ns}loc")]
    hrefs = [link.get("href", "") for link in root.iter("{http://www.w3.org/1999/xhtml}link")]
    missing = [u for u in locs + hrefs if (f := site.file_for(u)) is None or not f.is_file()]
    assert locs and not missing, missing[:20]
    assert len(locs) == len(set(locs))
    briefings = {site.url_of(b.url) for b in site.result.site.briefings}  # type: ignore[union-attr]
    assert briefings <= set(locs)
    robots = (site.out / "robots.txt").read_text(encoding="utf-8")
    assert f"Sitemap: {site.base_url}sitemap.xml" in robots


# -- links and outside resources ----------------------------------------------------------------

RESOURCE_ATTRS = {"src", "srcset", "poster", "data", "action", "formaction", "background", "manifest"}


def references(page: Page) -> Iterator[tuple[str, str, str]]:
    """(tag, attribute, URL) of everything a page links to or loads."""
    for tag, attrs in page.elements:
        for name, value in attrs.items():
            if name == "href" and tag in {"a", "area", "link", "base"}:
                yield tag, name, value
            elif name in RESOURCE_ATTRS:
                for candidate in value.split(",") if name == "srcset" else [value]:
                    if candidate.strip():
                        yield tag, name, candidate.strip().split()[0]
            elif tag == "meta" and attrs.get("property", "").endswith((":url", ":image")) and name == "content":
                yield tag, attrs["property"], value
            elif name.startswith("data-") and re.match(r"(https?:)?//|/|\.\.?/", value):  # a URL a script loads
                yield tag, name, value


def css_references(css: str) -> list[str]:
    urls = re.findall(r"url\(\s*['\"]?([^'\")]+)", css)
    imports = re.findall(r"@import\s+(?:url\()?\s*['\"]?([^'\")\s;]+)", css)
    return urls + imports


def test_search_page_is_built(site: BuiltSite) -> None:
    if not (site.out / "search" / "index.html").is_file():
        pytest.skip("no search/index.html in the build yet (the search page is being added); "
                    "links to it are not checked until it exists")


def test_internal_links_and_anchors_resolve(site: BuiltSite, parsed: dict[Path, Page]) -> None:
    ids = {path: page.ids for path, page in parsed.items()}
    search_built = (site.out / "search" / "index.html").is_file()
    broken: list[str] = []
    for path, page in parsed.items():
        page_url = site.page_url(path)
        for tag, attr, ref in references(page):
            if ref.startswith(("mailto:", "tel:")):
                continue
            url = urljoin(page_url, ref)
            target = site.file_for(url)
            if target is None:
                continue  # outside the site: test_nothing_is_loaded_from_outside_the_site decides
            if not search_built and urlsplit(url).path.endswith("/search/"):
                continue  # see test_search_page_is_built
            fragment = unquote(urlsplit(url).fragment)
            if not target.is_file():
                broken.append(f"{site.rel(path)}: <{tag} {attr}={ref!r}> leads to no file")
            elif fragment and target.suffix == ".html":
                target_ids = ids.get(target) or parse_page(target.read_text(encoding="utf-8")).ids
                if fragment not in target_ids:
                    broken.append(f"{site.rel(path)}: <{tag} {attr}={ref!r}>: no id {fragment!r} in {site.rel(target)}")
    assert not broken, f"{len(broken)} broken links:\n" + "\n".join(broken[:40])


def test_nothing_is_loaded_from_outside_the_site(site: BuiltSite, parsed: dict[Path, Page]) -> None:
    """No CDN, web font or analytics: only plain <a href> may point at other sites."""
    outside: list[str] = []
    for path, page in parsed.items():
        page_url = site.page_url(path)
        for tag, attr, ref in references(page):
            url = urljoin(page_url, ref)
            # data: URLs are inside the page itself (the empty favicon that spares a /favicon.ico request)
            if site.file_for(url) is not None or ref.startswith(("mailto:", "tel:", "data:")):
                continue
            if tag in {"a", "area"} and attr == "href":
                continue
            outside.append(f"{site.rel(path)}: <{tag} {attr}={ref!r}>")
        for tag, attrs in page.elements:
            if tag in {"a", "area"} and "ping" in attrs:
                outside.append(f"{site.rel(path)}: <{tag} ping={attrs['ping']!r}>")
        for css in page.styles:
            outside.extend(f"{site.rel(path)}: inline CSS loads {u!r}" for u in css_references(css)
                           if site.file_for(urljoin(page_url, u)) is None and not u.startswith("data:"))
    for path in [*site.out.rglob("*.css"), *site.out.rglob("*.js"), *site.out.rglob("*.mjs")]:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".css":
            found = css_references(text)
        else:
            found = re.findall(r"""(?:from\s*|import\s*\(\s*|fetch\s*\(\s*)["'](https?:)?//[^"']+""", text)
        asset_url = site.page_url(path)
        outside.extend(f"{site.rel(path)} loads {u!r}" for u in found
                       if u and site.file_for(urljoin(asset_url, u)) is None and not u.startswith("data:"))
    assert not outside, "\n".join(outside[:40])


# -- weight and assets --------------------------------------------------------------------------


def page_assets(site: BuiltSite, path: Path, page: Page, *, on_demand: bool = True) -> list[Path]:
    """CSS and JS files a page loads (module imports followed), search index files excluded.

    Stylesheets, scripts, and with ``on_demand`` the scripts named in data- attributes (what a script
    imports when the reader first uses a feature).
    """
    found: list[Path] = []
    pending = [urljoin(site.page_url(path), ref) for tag, attr, ref in references(page)
               if (tag == "link" and ref.endswith(".css")) or (attr == "src" and tag == "script")
               or (on_demand and attr.startswith("data-") and ref.endswith((".js", ".mjs", ".css")))]
    while pending:
        target = site.file_for(pending.pop())
        if target is None or target in found or not target.is_file():
            continue
        found.append(target)
        if target.suffix in {".js", ".mjs"}:
            text = target.read_text(encoding="utf-8")
            for spec in re.findall(r"""(?:\bfrom\s*|\bimport\s*)["']([^"']+\.m?js)["']""", text):
                pending.append(urljoin(site.page_url(target), spec))
    return found


@pytest.mark.parametrize(("on_demand", "budget"), [(False, PAGE_BUDGET), (True, PAGE_BUDGET_IN_USE)],
                         ids=["opened", "every-feature-used"])
def test_every_page_weighs_under_the_budget(site: BuiltSite, parsed: dict[Path, Page], on_demand: bool,
                                            budget: int) -> None:
    heavy = []
    for path, page in parsed.items():
        assets = page_assets(site, path, page, on_demand=on_demand)
        total = path.stat().st_size + sum(a.stat().st_size for a in assets)
        if total >= budget:
            heavy.append(f"{site.rel(path)}: {total / 1024:.1f} KB (" + ", ".join(
                f"{site.rel(a)} {a.stat().st_size / 1024:.1f} KB" for a in [path, *assets]) + ")")
    assert not heavy, f"pages over {budget // 1024} KB of HTML+CSS+JS:\n" + "\n".join(heavy)


def test_css_and_js_are_served_under_content_hashed_names(site: BuiltSite, parsed: dict[Path, Page]) -> None:
    assets = {a for path, page in parsed.items() for a in page_assets(site, path, page)}
    assert any(a.suffix == ".css" for a in assets)
    wrong = []
    for asset in sorted(assets):
        match = re.search(r"\.([0-9a-f]{8,})\.(css|m?js)$", asset.name)
        if match is None or not hashlib.sha256(asset.read_bytes()).hexdigest().startswith(match.group(1)):
            wrong.append(site.rel(asset))
    assert not wrong, f"not served under a hash of their content: {wrong}"


# -- meta ---------------------------------------------------------------------------------------


def test_every_page_has_title_description_and_canonical(site: BuiltSite, parsed: dict[Path, Page]) -> None:
    problems = []
    for path, page in parsed.items():
        where = site.rel(path)
        descriptions = page.meta("description")
        canonical = page.links("canonical")
        redirect = any(t == "meta" and a.get("http-equiv", "").lower() == "refresh" for t, a in page.elements)
        if not squash(page.title):
            problems.append(f"{where}: empty <title>")
        if len(descriptions) != 1 or not squash(descriptions[0]):
            problems.append(f"{where}: {len(descriptions)} <meta name=description>, expected one with text")
        if len(canonical) != 1 or not canonical[0].startswith(site.base_url):
            problems.append(f"{where}: canonical {canonical}, expected one absolute URL under {site.base_url}")
        elif not redirect and path.name != "404.html" and canonical[0] != site.page_url(path):
            problems.append(f"{where}: canonical {canonical[0]} is not the page's own URL {site.page_url(path)}")
    assert not problems, "\n".join(problems[:40])


def test_briefings_have_open_graph_and_twitter_card_meta(site: BuiltSite) -> None:
    assert site.result.site is not None
    problems = []
    for briefing in site.result.site.briefings:
        url = site.url_of(briefing.url)
        path = site.file_for(url)
        assert path is not None
        page = parse_page(path.read_text(encoding="utf-8"))
        language = site.result.site.edition(briefing.lang).language
        expected = {
            "og:type": "article",
            "og:title": briefing.title,
            "og:description": squash(briefing.summary),
            "og:url": url,
            "og:site_name": language.title,
            "article:published_time": briefing.date.isoformat(),
            "twitter:card": "summary",  # title and description: X reads og:title and og:description
            "description": squash(briefing.summary),
        }
        for key, value in expected.items():
            found = [squash(v) for v in page.meta(key)]
            if found != [value]:
                problems.append(f"{site.rel(path)}: {key} is {found}, expected [{value!r}]")
        if squash(page.h1) != squash(briefing.title):
            problems.append(f"{site.rel(path)}: h1 {page.h1!r} is not the title")
        if page.meta("og:locale") != [{"zh": "zh_CN"}.get(briefing.lang, briefing.lang)]:
            problems.append(f"{site.rel(path)}: og:locale {page.meta('og:locale')}")
    assert not problems, "\n".join(problems[:40])


def test_list_pages_have_open_graph_basics(site: BuiltSite, parsed: dict[Path, Page]) -> None:
    """Shared links to home, tag and archive pages show a title and the site's name too."""
    problems = []
    for path, page in parsed.items():
        if page.meta("og:type") == ["article"] or page.links("canonical") != [site.page_url(path)]:
            continue  # briefings (above), redirects and the 404 page
        for key in ("og:title", "og:site_name", "og:url", "og:type"):
            if len(page.meta(key)) != 1 or not page.meta(key)[0]:
                problems.append(f"{site.rel(path)}: no {key}")
    assert not problems, "\n".join(problems[:40])


# -- --minify -----------------------------------------------------------------------------------


def dom_signature(html: str) -> tuple[list[tuple[str, tuple[tuple[str, str], ...]]], str]:
    """Elements with their attributes, and the text with whitespace squashed: what minifying must keep.

    Minifying may drop an attribute whose value is the default (``type=submit`` on a button) and
    whitespace between blocks, so those are compared leniently; browser tests compare innerText.
    """
    page = parse_page(html)
    defaults = {("button", "type", "submit"), ("input", "type", "text"), ("script", "type", "text/javascript"),
                ("style", "type", "text/css"), ("form", "method", "get")}

    def value(tag: str, attrs: dict[str, str], name: str) -> str:
        if tag == "meta" and attrs.get("name") == "viewport":  # "width=device-width, initial-scale=1"
            return re.sub(r"\s*,\s*", ",", attrs[name])
        return squash(attrs[name])

    elements = [(tag, tuple(sorted((k, value(tag, attrs, k)) for k, v in attrs.items() if (tag, k, v) not in defaults)))
                for tag, attrs in page.elements]
    return elements, "".join("".join(page.texts).split())


def test_minify_keeps_every_element_attribute_and_word(site: BuiltSite) -> None:
    if not minify_available():
        skip_or_fail("minify-html is not installed: pip install '.[test]'")
    pages = [o for o in site.result.outputs if o.path.endswith(".html")]
    minified = {o.path: o for o in minify_pages(site.result.outputs)}
    assert set(minified) == {o.path for o in site.result.outputs}
    smaller = 0
    for output in pages:
        after = minified[output.path]
        assert dom_signature(after.data.decode()) == dom_signature(output.data.decode()), output.path
        smaller += len(after.data) < len(output.data)
    assert smaller == len(pages)
    others = [o for o in site.result.outputs if not o.path.endswith(".html")]
    assert all(minified[o.path] == o for o in others)


def test_minify_cli_publishes_smaller_pages(site: BuiltSite, tmp_path_factory: pytest.TempPathFactory) -> None:
    out = build_minified_site(tmp_path_factory)
    plain = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*") if p.is_file()}
    small = {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()}
    assert small == plain
    home = (out / "index.html").read_text(encoding="utf-8")
    assert "\n<" not in home and len(home) < len((site.out / "index.html").read_text(encoding="utf-8"))


def test_minify_without_the_library_is_a_usage_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setattr("briefings.cli.minify_available", lambda: False)
    with pytest.raises(SystemExit) as exit_info:
        cli_main(["build", str(REPO), "-o", str(tmp_path / "out"), "--minify"])
    assert exit_info.value.code == 2
    assert "pip install 'briefings[minify]'" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_minify_pages_leaves_other_outputs_alone() -> None:
    if not minify_available():
        skip_or_fail("minify-html is not installed: pip install '.[test]'")
    feed = Output("atom.xml", b"<feed>\n  <title>x</title>\n</feed>\n")
    page = Output("a/index.html", "<!doctype html>\n<html lang=\"zh-CN\">\n<title>标题</title>\n<p>正文  一</p>\n"
                  .encode())
    out_feed, out_page = minify_pages([feed, page])
    assert out_feed == feed
    assert out_page.data.decode() == "<!doctype html><html lang=zh-CN><title>标题</title><p>正文 一"
