"""The page plan: which pages a site has (briefings, home and tag lists, archives, feeds, the
sitemap, redirects, standalone pages), what each is made from (its views) and, for briefing
pages, the inputs that say whether last build's bytes still hold. Writes nothing and never
touches Jinja: every page is made by ``Renderer.page`` (render.py, the only importer of jinja2).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape as xml_escape

from .config import SiteConfig
from .model import Briefing, Edition, Site, Tag, Thumbnail
from .output import Output
from .pinyin import HAN_RUN, han_syllables, initials
from .site import tag_display_name, term_values, translation_key

if TYPE_CHECKING:  # the renderer makes the pages this module plans; it imports this module
    from .render import Renderer

HTML_LANG = {"zh": "zh-CN", "en": "en"}


@dataclass(frozen=True)
class Link:
    """What a page shows of another briefing: enough for a link, nothing that changes with its body."""

    title: str
    url: str
    date: dt.datetime


@dataclass(frozen=True)
class Card:
    """A briefing as lists show it: a body edit that keeps the summary re-renders no list."""

    title: str
    url: str
    date: dt.datetime
    meeting: str | None
    summary: str
    draft: bool
    thumbnail: Thumbnail | None = None

    @classmethod
    def of(cls, briefing: Briefing) -> Card:
        return cls(briefing.title, briefing.url, briefing.date, briefing.meeting, briefing.summary,
                   briefing.draft, briefing.thumbnail)


@dataclass(frozen=True)
class TagView:
    """What a page shows of a tag; its count, not its briefings, so one edit re-renders few pages."""

    name: str
    url: str
    reading: str
    letter: str
    count: int
    translations: Mapping[str, tuple[str, str]]

    @classmethod
    def of(cls, tag: Tag) -> TagView:
        return cls(tag.name, tag.url, tag.reading, tag.letter, len(tag.briefings), tag.translations)


def link(briefing: Briefing | None) -> Link | None:
    return None if briefing is None else Link(briefing.title, briefing.url, briefing.date)


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    count: int
    items: tuple[Card, ...]
    urls: tuple[str, ...]  # the URL of each page, 1-based by index + 1

    @property
    def url(self) -> str:
        return self.urls[self.number - 1]

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None


def paginate(items: Sequence[Card], per_page: int, first_url: str) -> Iterator[Pager]:
    count = max(1, math.ceil(len(items) / per_page))
    urls = tuple(first_url if n == 1 else f"{first_url}page/{n}/" for n in range(1, count + 1))
    for number in range(1, count + 1):
        yield Pager(number, count, tuple(items[(number - 1) * per_page: number * per_page]), urls)


@dataclass(frozen=True)
class Brand:
    """What the templates show of the office (site.toml's branding keys)."""

    organisation: Mapping[str, str]  # language → 主办单位
    logo: str  # site path of the logo ('/logo.svg'), '' for none
    css: str  # the accent colour's variables, '' for the theme's own
    footer: Any  # config.Footer
    menu: Mapping[str, tuple[Any, ...]]  # language → its header links (config.MenuLink)


def branding(config: SiteConfig) -> Brand:
    return Brand(
        organisation={lang.code: lang.organisation or config.organisation for lang in config.languages},
        logo="/" + config.logo if config.logo else "",
        css=config.accent.css() if config.accent is not None else "",
        footer=config.footer,
        menu={code: tuple(m for m in config.menu if m.lang == code) for code in config.language_codes},
    )


def search_examples(config: SiteConfig) -> dict[str, dict[str, str]]:
    """language → an example query for the search box and hint, from the site's first declared
    tag (its name, pinyin and initials in Chinese; its translation elsewhere). None declared: none."""
    out: dict[str, dict[str, str]] = {}
    for tag in list(config.tags.values())[:1]:
        for code in config.language_codes:
            name = tag.name if code == config.default_language else tag.translations.get(code, "")
            # 'tag:Open government' would filter by 'Open' and search for 'government'
            tag_query = f'"{name}"' if any(c.isspace() for c in name) else name
            if name and HAN_RUN.search(tag.name):
                out[code] = {"word": name, "tag": tag_query, "pinyin": "".join(han_syllables(tag.name)),
                             "initials": initials(tag.name)}
            elif name:
                out[code] = {"word": name, "tag": tag_query, "pinyin": name, "initials": name}
    return out


def alternates(site: Site, briefing: Briefing) -> dict[str, str]:
    """lang → URL of each translation of ``briefing`` (itself included)."""
    if not site.translations:
        return {}  # saves working out a translation key per page of a site without translations
    group = site.translations.get(translation_key(briefing), {})
    return {lang: other.url for lang, other in group.items()}


@dataclass(frozen=True)
class BriefingPageViews:
    """What every briefing page of one edition shares, made once per edition, not once a page."""

    tag_views: dict[str, TagView]
    term_urls: dict[str, dict[str, str]]  # taxonomy → term name → URL
    other_homes: dict[str, str]  # language → its home page

    @classmethod
    def of(cls, r: Renderer, edition: Edition) -> BriefingPageViews:
        return cls(
            {t.name: r.tag_view(t) for t in edition.tags},
            {taxonomy: {term.name: term.url for term in terms} for taxonomy, terms in edition.terms.items()},
            {e.language.code: e.language.prefix + "/" for e in r.site.editions},
        )


def briefing_pages(r: Renderer, edition: Edition, index: int, shared: BriefingPageViews) -> Iterator[Output]:
    """A briefing's page and the redirects from its aliases."""
    lang, items = edition.language.code, edition.briefings
    briefing = items[index]
    newer, older = items[index - 1] if index > 0 else None, items[index + 1] if index + 1 < len(items) else None
    names = [tag_display_name(r.config, t, lang) for t in briefing.tags]
    tags = tuple(shared.tag_views[n] for n in names if n in shared.tag_views)
    alts = alternates(r.site, briefing) or None
    # Everything the page is made from, nearly all of it the same objects as last build when
    # unchanged, so comparing is a few identity checks; a tag edit at 10,000 briefings looks at
    # every briefing page this way, and building each page's context to compare it took 0.4 s.
    # (other_homes follows from the config; a new config starts afresh.)
    path = briefing.url + "index.html"
    out_path = path.lstrip("/")  # as outputs and the memo name it
    stamp = r.stamp("briefing.html")
    # where this briefing's meeting (chair …) has a page of its own, when site.toml asks for one
    term_urls = {taxonomy: {v: urls[v] for v in term_values(briefing, taxonomy) if v in urls}
                 for taxonomy, urls in shared.term_urls.items()}
    # ``extra`` separately: briefings compare equal whatever their other front-matter keys say.
    inputs = (stamp, r.assets, r.strings.get(lang), briefing, briefing.extra, newer, older, tags, alts, term_urls)
    earlier, made = r.page_inputs.get(out_path), r.memo.get(out_path)
    # ``made`` must be this briefing's page: a redirect may have taken the path meanwhile.
    if earlier is not None and made is not None and made[0][0] == "briefing.html" and earlier == inputs:
        r.reused += 1
        yield Output(out_path, made[1], briefing.source)
    else:
        yield r.page(
            "briefing.html", path, lang, briefing.source,
            briefing=briefing, tags=list(tags), term_urls=term_urls,
            newer=link(newer), older=link(older), alternates=alts, other_homes=shared.other_homes,
        )
        r.page_inputs[out_path] = inputs
    for alias in briefing.aliases:
        yield r.page("redirect.html", alias + "index.html", lang, briefing.source, target=briefing.url)


def edition_feeds(r: Renderer, edition: Edition, carrying: Collection[str] | None = None,
                  fill: Callable[[Briefing], None] | None = None) -> Iterator[Output]:
    """The edition's feed and one per tag and term: the pages besides a briefing's own that carry its body.

    ``carrying``: only the feeds with a briefing from one of these sources among their entries.
    ``fill``: called on the entries of each feed rendered, first.
    """
    def wanted(items: Sequence[Briefing]) -> bool:
        entries = items[: r.config.feed_length]
        if carrying is not None and not any(b.source in carrying for b in entries):
            return False
        for b in entries if fill is not None else ():
            fill(b)
        return True

    for terms in [edition.tags, *edition.terms.values()]:
        for tag in terms:
            if wanted(tag.briefings):
                yield feed(r, edition, tag.briefings, tag.url + "atom.xml", tag)
    if wanted(edition.briefings):
        yield feed(r, edition, edition.briefings, edition.language.prefix + "/atom.xml", None)


def edition_pages(r: Renderer, edition: Edition, extra_pages: Sequence[str], with_briefings: bool = True
                  ) -> Iterator[Output]:
    """The pages of one edition: its briefings' (unless rendered elsewhere), lists, tags, archives, feeds."""
    lang, prefix = edition.language.code, edition.language.prefix
    items = edition.briefings
    shared = BriefingPageViews.of(r, edition)
    for index in range(len(items) if with_briefings else 0):
        yield from briefing_pages(r, edition, index, shared)
    # Keyed by identity: hashing a frozen Briefing hashes every field, sections and all, each time.
    cards = {id(b): r.card(b) for b in items}
    for pager in paginate(list(cards.values()), r.config.per_page, prefix + "/"):
        yield r.page("list.html", pager.url + "index.html", lang, pager=pager, tag=None,
                     alternates=shared.other_homes, feed_url=prefix + "/atom.xml")
    for taxonomy, terms in [("tags", edition.tags), *edition.terms.items()]:
        index_url = f"{prefix}/{taxonomy}/"
        labels = {"taxonomy": taxonomy, "taxonomy_url": index_url, "taxonomy_label": taxonomy_label(r, taxonomy, lang)}
        yield r.page("tags.html", index_url + "index.html", lang, tags=tuple(TagView.of(t) for t in terms),
                     alternates={e.language.code: f"{e.language.prefix}/{taxonomy}/" for e in r.site.editions},
                     **labels)
        for tag in terms:
            view = TagView.of(tag)
            tag_alternates = {lang: tag.url, **{code: url for code, (_, url) in tag.translations.items()}}
            tag_cards = [cards.get(id(b)) or r.card(b) for b in tag.briefings]
            for pager in paginate(tag_cards, r.config.per_page, tag.url):
                yield r.page("list.html", pager.url + "index.html", lang, pager=pager, tag=view,
                             alternates=tag_alternates, feed_url=tag.url + "atom.xml", **labels)
    yield from edition_feeds(r, edition)
    years = archive(items)
    yield r.page("archive.html", prefix + "/archive/index.html", lang, years=years, year=None,
                 alternates={e.language.code: e.language.prefix + "/archive/" for e in r.site.editions})
    for year, months in years:
        yield r.page("archive.html", f"{prefix}/archive/{year}/index.html", lang, years=(), year=year,
                     months=months, alternates=None)
    for name in extra_pages:  # e.g. the search page, when the search index is built
        yield r.page(f"{name}.html", f"{prefix}/{name}/index.html", lang,
                     alternates={e.language.code: f"{e.language.prefix}/{name}/" for e in r.site.editions})
    for page in edition.pages:  # standalone pages: content/pages/
        yield r.page("page.html", page.url + "index.html", lang, page.source, page=page,
                     alternates=alternates(r.site, page) or None)
        for alias in page.aliases:
            yield r.page("redirect.html", alias + "index.html", lang, page.source, target=page.url)


def taxonomy_label(r: Renderer, taxonomy: str, lang: str) -> str:
    """What readers call a taxonomy: 政策主题 for tags, 会议 for meeting, else its key."""
    t = r.translator(lang)
    key = "nav_tags" if taxonomy == "tags" else f"taxonomy_{taxonomy}"
    label = t(key)
    return taxonomy if label == key else label


def archive(items: Sequence[Briefing]) -> list[tuple[int, list[tuple[int, list[Link]]]]]:
    """Years newest first, each with its months newest first, each with links to its briefings."""
    years: dict[int, dict[int, list[Link]]] = {}
    for briefing in items:
        years.setdefault(briefing.date.year, {}).setdefault(briefing.date.month, []).append(
            Link(briefing.title, briefing.url, briefing.date))
    return [(year, sorted(months.items(), reverse=True)) for year, months in sorted(years.items(), reverse=True)]


def feed(r: Renderer, edition: Edition, items: Sequence[Briefing], path: str, tag: Tag | None) -> Output:
    entries = items[: r.config.feed_length]
    updated = max((b.date for b in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    return r.page("atom.xml", path, edition.language.code, entries=entries, tag=tag and TagView.of(tag),
                  feed_url=path, updated=updated.isoformat(), alternates=None)


def site_pages(r: Renderer, site: Site) -> Iterator[Output]:
    default = site.default_language
    yield r.page("404.html", "/404.html", default, alternates=None)
    yield sitemap(r, site)
    yield Output("robots.txt", robots_txt(site).encode("utf-8"), "robots.txt")


def robots_txt(site: Site) -> str:
    """Crawlers read robots.txt at the host's root only. At a root, that is ours; under a path
    (/wjw/) ours is for the host's root: the lines to copy or add there (the build says so)."""
    sitemap = site.base_url + "sitemap.xml"
    if not site.base_path:
        return f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n"
    host = site.base_url[: len(site.base_url) - len(site.base_path) - 1]
    return (f"# For {host}/robots.txt: crawlers read robots.txt only at the host's root, not under\n"
            f"# {site.base_path}/. Copy this file there, or add these lines to the one there.\n"
            f"User-agent: *\nAllow: {site.base_path}/\nSitemap: {sitemap}\n")


def sitemap(r: Renderer, site: Site) -> Output:
    """Every HTML page a reader may land on, with hreflang alternates for translations."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']

    def entry(path: str, lastmod: dt.datetime | None, alts: Mapping[str, str] | None) -> None:
        lines.append(f"<url><loc>{xml_escape(r.abs_url(path))}</loc>")
        if lastmod is not None:
            lines.append(f"<lastmod>{lastmod.date().isoformat()}</lastmod>")
        if alts and len(alts) > 1:
            for code, url in sorted(alts.items()):
                lines.append(f'<xhtml:link rel="alternate" hreflang="{HTML_LANG.get(code, code)}" '
                             f'href="{xml_escape(r.abs_url(url))}"/>')
            default_url = alts.get(site.default_language)
            if default_url:
                lines.append(f'<xhtml:link rel="alternate" hreflang="x-default" '
                             f'href="{xml_escape(r.abs_url(default_url))}"/>')
        lines.append("</url>")

    homes = {e.language.code: e.language.prefix + "/" for e in site.editions}
    for edition in site.editions:
        newest = edition.briefings[0].date if edition.briefings else None
        entry(edition.language.prefix + "/", newest, homes)
        entry(edition.language.prefix + "/tags/", newest, None)
        entry(edition.language.prefix + "/archive/", newest, None)
        for taxonomy in edition.terms:
            entry(f"{edition.language.prefix}/{taxonomy}/", newest, None)
        for tag in (*edition.tags, *(t for terms in edition.terms.values() for t in terms)):
            entry(tag.url, tag.briefings[0].date, {edition.language.code: tag.url,
                                                   **{c: u for c, (_, u) in tag.translations.items()}})
        for briefing in edition.briefings:
            entry(briefing.url, briefing.date, alternates(site, briefing))
        for page in edition.pages:
            entry(page.url, page.date if "date" in page.key_lines else None, alternates(site, page))
    lines.append("</urlset>\n")
    return Output("sitemap.xml", "\n".join(lines).encode("utf-8"), "sitemap.xml")


def body_edit_pages(r: Renderer, site: Site, sources: Collection[str], carrying: Collection[str] | None,
                    fill: Callable[[Briefing], None] | None = None) -> list[Output]:
    """The pages of the briefings from ``sources`` and the feeds (``carrying``: only those
    with one of these sources among their entries; None: all). ``fill``: see render_body_edits."""
    pages: list[Output] = []
    for edition in site.editions:
        shared = BriefingPageViews.of(r, edition)
        for index, briefing in enumerate(edition.briefings):
            if briefing.source in sources:
                pages.extend(briefing_pages(r, edition, index, shared))
        pages.extend(edition_feeds(r, edition, carrying, fill))
    return pages


def expected_pages(site: Site, per_page: int, extra_pages: Sequence[str]) -> int:
    """How many pages ``render_site`` makes of ``site``, for a progress display's ETA."""
    count = 2  # 404.html, sitemap.xml
    for edition in site.editions:
        items = edition.briefings
        count += len(items) + sum(len(b.aliases) for b in items) + max(1, math.ceil(len(items) / per_page))
        for terms in (edition.tags, *edition.terms.values()):
            count += 1 + sum(max(1, math.ceil(len(t.briefings) / per_page)) + 1 for t in terms)
        count += 2 + len({b.date.year for b in items}) + len(extra_pages)  # archives, feed, search
        count += len(edition.pages) + sum(len(p.aliases) for p in edition.pages)
    return count
