"""The site's model: frozen dataclasses only, no I/O.

content.py makes Briefings from files; site.py assembles them into a Site with URLs,
tags, archives and translations; render.py and search/ only read the model.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any


@dataclass(frozen=True)
class Heading:
    """A heading of a briefing's body, for its table of contents."""

    level: int
    text: str
    anchor: str


@dataclass(frozen=True)
class Section:
    """A stretch of body text under one heading: what search links into.

    ``anchor`` is the heading's id on the page ('' for the text before the first heading).
    """

    anchor: str
    heading: str
    text: str


# The date of a standalone page whose front matter gives none: it shows none (a briefing always has one).
NO_DATE = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)


@dataclass(frozen=True)
class Briefing:
    source: str  # path relative to the site folder, with '/' separators
    title: str
    date: dt.datetime
    lang: str
    slug: str
    body_html: str
    summary: str
    tags: tuple[str, ...] = ()
    draft: bool = False
    meeting: str | None = None
    chair: str | None = None
    attendees: tuple[str, ...] = ()
    location: str | None = None
    translation_key: str | None = None
    aliases: tuple[str, ...] = ()
    toc: tuple[Heading, ...] = ()
    sections: tuple[Section, ...] = ()
    han_count: int = 0
    word_count: int = 0
    reading_minutes: int = 1
    extra: Mapping[str, Any] = field(default_factory=dict, compare=False)
    # 1-based line of each front-matter key in the source file, for later diagnostics.
    key_lines: Mapping[str, int] = field(default_factory=dict, compare=False)
    slug_explicit: bool = False
    # 政府信息公开 (disclosure.py): 索引号 — written, or given by index_numbers.py as the build loads —,
    # 发布机构 (site.toml's when not written), 主题分类, 成文日期, 文号, 主题词, 有效性.
    index_no: str | None = None
    publisher: str | None = None
    category: str | None = None
    written: dt.date | None = None
    doc_no: str | None = None
    keywords: tuple[str, ...] = ()
    validity: str | None = None
    # A standalone page (content/pages/**.md): its own URL, in no list, tag or feed; no date needed.
    page: bool = False
    # Set when the site is assembled.
    url: str = ""

    @property
    def year(self) -> int:
        return self.date.year


def copied(briefing: Briefing, **changes: Any) -> Briefing:
    """``briefing`` with ``changes``, without re-running __init__ over all 25 fields as
    ``dataclasses.replace`` does (a fifth of its cost): 10,000 times in a build. The changes
    are not checked: callers set fields, or keys of their own."""
    copy = object.__new__(Briefing)
    object.__setattr__(copy, "__dict__", {**vars(briefing), **changes})
    return copy


# What only a briefing's own page shows (besides the feeds and the search index, which carry its
# text): an edit that changes these and nothing else leaves every list, tag page, archive and
# neighbouring page as it was. The summary is not one of them: lists show it.
BODY_FIELDS = frozenset({"body_html", "toc", "sections", "han_count", "word_count", "reading_minutes"})
_OUTER_FIELDS = tuple(f.name for f in fields(Briefing) if f.name not in BODY_FIELDS)


def same_but_body(a: Briefing, b: Briefing) -> bool:
    """Whether two versions of a briefing differ in their body fields at most.

    Compares every other field, ``extra`` and ``key_lines`` included (equality skips them):
    a taxonomy may read ``extra``.
    """
    if a.page or b.page:  # pages are rendered with the rest of the site, never patched alone
        return False
    return all(getattr(a, name) == getattr(b, name) for name in _OUTER_FIELDS)


@dataclass(frozen=True)
class Tag:
    name: str
    slug: str
    lang: str
    url: str
    reading: str  # pinyin with tone marks, '' for non-Chinese names
    letter: str  # A–Z group for the tags index
    briefings: tuple[Briefing, ...]
    taxonomy: str = "tags"  # the front-matter key it comes from: tags, meeting …
    # lang → (name, url) of the same theme in the other editions
    translations: Mapping[str, tuple[str, str]] = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class Language:
    code: str  # normalised: 'zh', 'en'
    title: str
    description: str
    prefix: str  # '' for the default language, '/en' for others


@dataclass(frozen=True)
class Edition:
    """Everything of one language: its briefings newest first, tags, archive."""

    language: Language
    briefings: tuple[Briefing, ...]
    tags: tuple[Tag, ...]  # sorted by pinyin / alphabet
    # the other taxonomies of site.toml (e.g. meeting), each with its terms sorted like tags
    terms: Mapping[str, tuple[Tag, ...]] = field(default_factory=dict, compare=False)
    pages: tuple[Briefing, ...] = ()  # standalone pages (content/pages/), by URL


@dataclass(frozen=True)
class Site:
    title: str
    base_url: str  # absolute, ends with '/'
    base_path: str  # path part of base_url without trailing '/', '' at a domain's root
    default_language: str
    editions: tuple[Edition, ...]
    # translation_key → {lang: Briefing}
    translations: Mapping[str, Mapping[str, Briefing]] = field(default_factory=dict, compare=False)
    build_time: dt.datetime | None = None

    def edition(self, lang: str) -> Edition:
        for edition in self.editions:
            if edition.language.code == lang:
                return edition
        raise KeyError(lang)

    @property
    def briefings(self) -> tuple[Briefing, ...]:
        return tuple(b for e in self.editions for b in e.briefings)

    @property
    def searchable(self) -> tuple[Briefing, ...]:
        """What the search index holds: the briefings, then the standalone pages."""
        pages = tuple(p for e in self.editions for p in e.pages)
        return self.briefings + pages if pages else self.briefings
