"""ASSEMBLE: loaded briefings → a Site with URLs, editions, tags and translations.

Cross-file checks live here: two pages on one URL, two briefings claiming one
translation, two tags that would share a slug.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache

from . import pinyin, slugs
from .config import SiteConfig
from .diagnostics import Diagnostics
from .model import Briefing, Edition, Language, Site, Tag, copied

# First path segments that the site's own pages use; a briefing URL may not start with one.
RESERVED_SEGMENTS = {"page", "tags", "archive", "search", "static", "404.html", "atom.xml",
                     "sitemap.xml", "robots.txt"}


@dataclass(frozen=True)
class BuildOptions:
    drafts: bool = False
    future: bool = False
    base_url: str | None = None
    now: dt.datetime | None = None


def _placed(config: SiteConfig, briefing: Briefing, placed: dict[int, tuple[Briefing, Briefing]] | None
            ) -> Briefing:
    if placed is not None:
        hit = placed.get(id(briefing))
        if hit is not None and hit[0] is briefing:
            return hit[1]
    with_url = copied(briefing, url=briefing_url(config, briefing))
    if placed is not None:
        placed[id(briefing)] = (briefing, with_url)
    return with_url


def language_prefix(config: SiteConfig, code: str) -> str:
    return "" if code == config.default_language else f"/{code}"


def page_url(config: SiteConfig, page: Briefing) -> str:
    """content/pages/about.md → /about/; content/pages/xxgk/zhinan.md → /xxgk/zhinan/ (folders in pinyin)."""
    folders = page.source.split("/")[2:-1]  # between content/pages/ and the file
    parts = [f if slugs.is_valid_slug(f) else slugs.slugify(f) for f in folders] + [page.slug]
    return language_prefix(config, page.lang) + "/" + "/".join(parts) + "/"


def briefing_url(config: SiteConfig, briefing: Briefing) -> str:
    if briefing.page:
        return page_url(config, briefing)
    date = briefing.date
    path = config.permalink.format(year=f"{date.year:04d}", month=f"{date.month:02d}",
                                   day=f"{date.day:02d}", slug=briefing.slug)
    return language_prefix(config, briefing.lang) + path


def is_published(briefing: Briefing, options: BuildOptions, now: dt.datetime) -> bool:
    if briefing.draft and not options.drafts:
        return False
    return options.future or briefing.date <= now or briefing.page


def assemble(config: SiteConfig, loaded: Sequence[Briefing], options: BuildOptions,
             diagnostics: Diagnostics, placed: dict[int, tuple[Briefing, Briefing]] | None = None) -> Site:
    """``placed`` (kept by the caller between builds of one config) remembers each loaded
    briefing with its URL set, so a rebuild after one edit does not copy 10,000 briefings."""
    now = options.now or dt.datetime.now(dt.UTC)
    everything = [_placed(config, b, placed) for b in loaded if is_published(b, options, now)]
    published = [b for b in everything if not b.page]
    pages = sorted((b for b in everything if b.page), key=lambda b: (b.url, b.source))
    if placed is not None:  # forget briefings that are gone or were parsed again
        keep = {id(b) for b in loaded}
        for stale in placed.keys() - keep:
            del placed[stale]
    # Newest first; the source path makes the order total, so builds are repeatable.
    published.sort(key=lambda b: (b.date.timestamp(), b.source), reverse=True)
    _check_urls(config, [*published, *pages], diagnostics)
    translations = _link_translations([*published, *pages], diagnostics)
    editions = tuple(
        replace(_edition(config, lang.code, [b for b in published if b.lang == lang.code], diagnostics),
                pages=tuple(p for p in pages if p.lang == lang.code))
        for lang in config.languages
    )
    editions = _link_tag_translations(config, editions)
    return Site(
        title=config.title,
        base_url=config.base_url,
        base_path=config.base_path,
        default_language=config.default_language,
        editions=editions,
        translations=translations,
        build_time=max((b.date for b in published), default=None),
    )


def reassemble(config: SiteConfig, previous: Site, swaps: Sequence[tuple[Briefing, Briefing]],
               placed: dict[int, tuple[Briefing, Briefing]]) -> Site:
    """What ``assemble`` would make after edits that changed briefings' bodies only.

    ``swaps`` pairs each briefing as loaded for ``previous`` with its new version, which
    ``same_but_body`` says differs in body fields at most. Nothing that orders, groups, links
    or checks briefings reads a body, so the site keeps its shape and the new versions take
    the old ones' places: a few tuples copied instead of 10,000 briefings sorted and grouped.
    """
    swap: dict[int, Briefing] = {}
    # (language, taxonomy, term key) of every term a swapped briefing files itself under:
    # only those terms' member lists hold it (keys as _terms groups them).
    holding: set[tuple[str, str, str]] = set()
    for old, new in swaps:
        swap[id(_placed(config, old, placed))] = _placed(config, new, placed)
        del placed[id(old)]
        for taxonomy in config.taxonomies:
            for value in term_values(old, taxonomy):
                holding.add((old.lang, taxonomy, term_name(config, value, old.lang, taxonomy).casefold()))

    def swapped(items: tuple[Briefing, ...]) -> tuple[Briefing, ...]:
        return tuple(swap.get(id(b), b) for b in items)

    def with_members(terms: tuple[Tag, ...]) -> tuple[Tag, ...]:
        return tuple(replace(t, briefings=swapped(t.briefings))
                     if (t.lang, t.taxonomy, t.name.casefold()) in holding else t for t in terms)

    editions = tuple(
        replace(e, briefings=swapped(e.briefings), tags=with_members(e.tags),
                terms={taxonomy: with_members(terms) for taxonomy, terms in e.terms.items()})
        for e in previous.editions
    )
    translations = {key: {lang: swap.get(id(b), b) for lang, b in group.items()}
                    for key, group in previous.translations.items()}
    return replace(previous, editions=editions, translations=translations)


def _check_urls(config: SiteConfig, briefings: Sequence[Briefing], diagnostics: Diagnostics) -> None:
    registry = slugs.UrlRegistry()
    reserved = RESERVED_SEGMENTS | set(config.language_codes) | set(config.taxonomies)
    # In source order, so the file named as the first owner is the same in every build.
    for briefing in sorted(briefings, key=lambda b: b.source):
        prefix = language_prefix(config, briefing.lang)
        first = briefing.url[len(prefix):].strip("/").split("/")[0]
        line = briefing.key_lines.get("slug") if briefing.slug_explicit else briefing.key_lines.get("title")
        if first in reserved:
            diagnostics.error(briefing.source, line, f"URL {briefing.url} clashes with the site's own /{first}/ pages",
                              "choose another `slug:` or permalink")
        claims = [(briefing.url, line)] + [(a, briefing.key_lines.get("aliases")) for a in briefing.aliases]
        for url, where in claims:
            earlier = registry.claim(url, briefing.source)
            if earlier is not None:
                diagnostics.error(briefing.source, where, f"URL {url} is also claimed by {earlier}",
                                  "give one of them a different `slug:`")


def translation_key(briefing: Briefing) -> str:
    return _translation_key(briefing.source, briefing.translation_key)


_LANGUAGE_SUFFIX = re.compile(r"\.[A-Za-z]{2}(?:[-_][A-Za-z]+)?$")


@lru_cache(maxsize=65536)
def _translation_key(source: str, declared: str | None) -> str:
    if declared:
        return "key:" + declared
    # Files that share a base name are translations: meeting.md + meeting.en.md. (String
    # operations, as PurePosixPath's parent and stem would give: a third of the time.)
    folder, _, name = source.rpartition("/")
    dot = name.rfind(".")
    stem = name[:dot] if 0 < dot < len(name) - 1 else name
    if "." in stem:  # most have none: the pattern is not even tried
        stem = _LANGUAGE_SUFFIX.sub("", stem)
    return f"file:{folder or '.'}/{stem}"


def _link_translations(briefings: Sequence[Briefing], diagnostics: Diagnostics) -> dict[str, dict[str, Briefing]]:
    groups: dict[str, dict[str, Briefing]] = defaultdict(dict)
    for briefing in sorted(briefings, key=lambda b: b.source):
        key = translation_key(briefing)
        earlier = groups[key].get(briefing.lang)
        if earlier is not None:
            diagnostics.error(briefing.source, briefing.key_lines.get("translation_key"),
                              f"translation_key {briefing.translation_key!r} is also used by {earlier.source} "
                              f"in the same language ({briefing.lang})",
                              "each language may have one briefing per translation_key")
            continue
        groups[key][briefing.lang] = briefing
    return {key: dict(group) for key, group in groups.items() if len(group) > 1}


def tag_display_name(config: SiteConfig, name: str, lang: str) -> str:
    declared = config.tags.get(name)
    if declared is not None and lang in declared.translations:
        return declared.translations[lang]
    return name


def term_name(config: SiteConfig, value: str, lang: str, taxonomy: str) -> str:
    """The name a term is shown under: a tag as site.toml names it in ``lang``; other terms as written.
    Terms are grouped by its casefold, so 'After-school services' and 'after-school services' are one."""
    return tag_display_name(config, value, lang) if taxonomy == "tags" else value


def term_values(briefing: Briefing, taxonomy: str) -> tuple[str, ...]:
    """The names a briefing files itself under in one taxonomy: its tags, its meeting …"""
    if taxonomy == "tags":
        return briefing.tags
    value = getattr(briefing, taxonomy) if taxonomy in _FIELDS else briefing.extra.get(taxonomy)
    if value is None:
        return ()
    items = value if isinstance(value, (list, tuple)) else [value]
    return tuple(str(item).strip() for item in items if not isinstance(item, (dict, list)) and str(item).strip())


_FIELDS = {"meeting", "chair", "attendees", "location"}


def _edition(config: SiteConfig, code: str, briefings: list[Briefing], diagnostics: Diagnostics) -> Edition:
    language_config = config.language(code)
    prefix = language_prefix(config, code)
    language = Language(code, language_config.title, language_config.description, prefix)
    terms = {taxonomy: _terms(config, code, prefix, briefings, taxonomy, diagnostics)
             for taxonomy in config.taxonomies}
    return Edition(language, tuple(briefings), terms.pop("tags"), terms)


def _terms(config: SiteConfig, code: str, prefix: str, briefings: list[Briefing], taxonomy: str,
           diagnostics: Diagnostics) -> tuple[Tag, ...]:
    # Group case-insensitively, so 'After-school services' and 'after-school services' are one theme.
    groups: dict[str, list[Briefing]] = defaultdict(list)
    names: dict[str, str] = {}
    for briefing in briefings:
        for value in term_values(briefing, taxonomy):
            name = term_name(config, value, code, taxonomy)
            key = name.casefold()
            names.setdefault(key, name)
            if name != value or (taxonomy == "tags" and value in config.tags):
                names[key] = name  # the spelling declared in site.toml wins
            groups[key].append(briefing)
    tags: list[Tag] = []
    slug_owner: dict[str, str] = {}
    for key, members in groups.items():
        name = names[key]
        slug = slugs.slugify(name)
        if slug in slug_owner:
            diagnostics.error(members[0].source, members[0].key_lines.get(taxonomy),
                              f"{taxonomy} {slug_owner[slug]!r} and {name!r} would share the URL "
                              f"{prefix}/{taxonomy}/{slug}/",
                              "spell them the same, or declare one as an alias in site.toml")
            continue
        slug_owner[slug] = name
        has_han = bool(pinyin.HAN_RUN.search(name))
        tags.append(Tag(
            name=name, slug=slug, lang=code, url=f"{prefix}/{taxonomy}/{slug}/",
            reading=pinyin.with_tones(name) if has_han else "",
            letter=pinyin.index_letter(name),
            # Deduplicated by identity: hashing a frozen Briefing hashes every field, body and all.
            briefings=tuple({id(b): b for b in members}.values()),
            taxonomy=taxonomy,
        ))
    tags.sort(key=lambda tag: pinyin.sort_key(tag.name))
    return tuple(tags)


def _link_tag_translations(config: SiteConfig, editions: tuple[Edition, ...]) -> tuple[Edition, ...]:
    """A theme declared in site.toml links its pages across editions (课后服务 ↔ After-school services)."""
    by_name = {(e.language.code, t.name.casefold()): t for e in editions for t in e.tags}
    linked: list[Edition] = []
    for edition in editions:
        new_tags = []
        for tag in edition.tags:
            others: dict[str, tuple[str, str]] = {}
            for declared in config.tags.values():
                spellings = {config.default_language: declared.name, **declared.translations}
                if spellings.get(edition.language.code, "").casefold() != tag.name.casefold():
                    continue
                for code, spelling in spellings.items():
                    other = by_name.get((code, spelling.casefold()))
                    if code != edition.language.code and other is not None:
                        others[code] = (other.name, other.url)
            new_tags.append(replace(tag, translations=others) if others else tag)
        linked.append(replace(edition, tags=tuple(new_tags)))
    return tuple(linked)
