"""The only importer of markdown-it, its plugins and nh3: Markdown body → safe HTML + facts.

Besides the HTML, one parse yields what the rest of the site needs: the table of contents,
the plain text of each section (for search), the first paragraph (for the summary) and the
counts behind the reading time.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.anchors import anchors_plugin
from mdit_py_plugins.footnote import footnote_plugin

from . import slugs
from .markdown_cjk import cjk_friendly_plugin
from .model import Heading, Section
from .pinyin import HAN_RUN

HAN_PER_MINUTE = 400  # a common figure for reading Chinese prose
WORDS_PER_MINUTE = 200
_LATIN_WORD = re.compile(r"[A-Za-z0-9]+(?:['’-][A-Za-z0-9]+)*")

# What survives sanitising. Formatting yes; scripts, styles, forms, frames and event handlers never.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd",
    "del", "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3",
    "h4", "h5", "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "rp",
    "rt", "ruby", "s", "samp", "section", "small", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr", "u", "ul", "var", "wbr",
}
ALLOWED_ATTRIBUTES = {
    "*": {"id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "ol": {"start"},
    "time": {"datetime"},
    "abbr": {"title"},
}
ALLOWED_CLASSES = {
    "a": {"footnote-ref", "footnote-backref"},
    "hr": {"footnotes-sep"},
    "section": {"footnotes"},
    "ol": {"footnotes-list"},
    "li": {"footnote-item"},
    "sup": {"footnote-ref"},
}
URL_SCHEMES = {"http", "https", "mailto", "tel"}
_TAG = re.compile(r"<\s*/?\s*([A-Za-z][\w-]*)([^>]*)>")
_ATTRIBUTE = re.compile(r"""([^\s=/"'>]+)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+))?""")


@dataclass(frozen=True)
class RenderedBody:
    html: str
    toc: tuple[Heading, ...]
    sections: tuple[Section, ...]
    first_paragraph: str
    han_count: int
    word_count: int
    # (line offset inside the body, 0-based; what was removed) for each sanitised HTML piece
    removed_html: tuple[tuple[int, str], ...]
    # (line offset, 'image' or 'link', destination as rendered, alt text) of each link and
    # image, in reading order: what resources.py publishes beside the page
    links: tuple[tuple[int, str, str, str], ...] = ()

    @property
    def reading_minutes(self) -> int:
        minutes = self.han_count / HAN_PER_MINUTE + self.word_count / WORDS_PER_MINUTE
        return max(1, math.ceil(minutes))


# Ids the pages showing a body use besides it (the theme's base.html, briefing.html and
# search page; the dev server's overlay) and the footnotes' ids: a heading or raw HTML in a
# body must not take one (`# main` once sat beside the theme's <main id="main">). The theme's
# other ids (`letter-…`, `m-…`) are on pages without bodies.
THEME_IDS = frozenset({
    "main", "site-search-q", "search", "search-q", "search-choices", "search-hint", "search-keys",
    "search-more", "search-results", "search-status", "briefings-overlay", "footnotes", "care-boot", "care-toggle",
})
_FOOTNOTE_ID = re.compile(r"fn\d+|fnref\d+(?::\d+)?")


def reserved_id(value: str) -> bool:
    return value in THEME_IDS or _FOOTNOTE_ID.fullmatch(value) is not None


@lru_cache(maxsize=4096)
def heading_anchor(text: str) -> str:
    """Heading ids are ASCII pinyin, so `#ke-hou-fu-wu` survives copy-paste into chat apps.
    One the page uses already (`main`, `fn1`) gets an `h-` in front."""
    anchor = slugs.slugify(text, max_length=40)
    return f"h-{anchor}" if reserved_id(anchor) else anchor


def _make_parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": True, "typographer": False})
    md.enable(["table", "strikethrough"])
    md.use(cjk_friendly_plugin)
    md.use(footnote_plugin)
    md.use(anchors_plugin, min_level=1, max_level=6, slug_func=heading_anchor)
    return md


_PARSER = _make_parser()


# A link or image written from the site's root (/img/photo.jpg, /about/), not //host/….
_ROOTED = re.compile(r'(<(?:a|img)\s[^>]*?\b(?:href|src)=")/(?!/)')


def root_links(html: str, base_path: str) -> str:
    """Links written from the site's root, resolved against the site's base path: with base_url
    https://example.gov.cn/wjw/, `/img/photo.jpg` becomes `/wjw/img/photo.jpg`. So one spelling
    works in `serve` (served at /) and deployed under any path. Sanitised HTML only: its
    attributes are double-quoted."""
    return _ROOTED.sub(lambda m: m.group(1) + base_path + "/", html) if base_path else html


def render_markdown(body: str, base_path: str = "") -> RenderedBody:
    """``base_path``: the path of the site's base_url without its final '/' ('/wjw'), '' at a root."""
    tokens = _PARSER.parse(body, {})
    clashes = _drop_clashing_ids(tokens)
    html = _PARSER.renderer.render(tokens, _PARSER.options, {})
    toc, sections, first_paragraph, removed = _walk(tokens)
    links = tuple(_links(tokens))
    if clashes:
        removed = tuple(sorted((*removed, *clashes)))
    text = "".join(section.heading + section.text for section in sections)
    return RenderedBody(
        html=root_links(sanitise(html), base_path),
        toc=toc,
        sections=sections,
        first_paragraph=first_paragraph,
        han_count=sum(len(run) for run in HAN_RUN.findall(text)),
        word_count=len(_LATIN_WORD.findall(text)),
        removed_html=removed,
        links=links,
    )


_ID_ATTRIBUTE = re.compile(r"""(\s)id\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]+)""", re.IGNORECASE)


def _drop_clashing_ids(tokens: list[Token]) -> list[tuple[int, str]]:
    """Remove from raw HTML each id the page already has — the theme's, a footnote's, a
    heading's, an earlier raw one's — and say where. Other raw ids stay (anchors to link to)."""
    taken = {str(t.attrs["id"]) for t in tokens if t.type == "heading_open" and "id" in t.attrs}
    dropped: list[tuple[int, str]] = []

    def settle(token: Token, line: int) -> None:
        if "id" not in token.content.lower():
            return

        def tag(match: re.Match[str]) -> str:
            def attribute(found: re.Match[str]) -> str:
                value = found.group(2).strip("\"'")
                if reserved_id(value) or value in taken:
                    dropped.append((line, f'id="{value}" on <{match.group(1).lower()}> (the page has that id already)'))
                    return found.group(1)
                taken.add(value)
                return found.group(0)
            return match.group(0)[: match.start(2) - match.start(0)] + _ID_ATTRIBUTE.sub(attribute, match.group(2)) \
                + match.group(0)[match.end(2) - match.start(0):]
        token.content = _TAG.sub(tag, token.content)

    for token in tokens:
        if token.type == "html_block":
            settle(token, token.map[0] if token.map else 0)
        elif token.type == "inline":
            start = token.map[0] if token.map else 0
            for child in token.children or ():
                if child.type == "html_inline":
                    settle(child, start + token.content[: token.content.find(child.content)].count("\n"))
    return dropped


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
    )


def _walk(tokens: list[Token]) -> tuple[tuple[Heading, ...], tuple[Section, ...], str, tuple[tuple[int, str], ...]]:
    toc: list[Heading] = []
    sections: list[Section] = []
    anchor, heading, parts = "", "", []
    first_paragraph: str | None = None
    removed: list[tuple[int, str]] = []
    in_heading = False
    in_paragraph = False
    for index, token in enumerate(tokens):
        if token.type == "heading_open":
            if parts or anchor:
                sections.append(Section(anchor, heading, " ".join(parts)))
            anchor, parts, in_heading = str(token.attrs.get("id", "")), [], True
        elif token.type == "heading_close":
            in_heading = False
        elif token.type == "paragraph_open":
            in_paragraph = True
        elif token.type == "paragraph_close":
            in_paragraph = False
        elif token.type == "html_block":
            line = token.map[0] if token.map else 0
            removed.extend((line, what) for what in unsafe_parts(token.content))
        elif token.type == "inline":
            text = plain_text(token)
            for child_line, what in _inline_html(token):
                removed.append((child_line, what))
            if in_heading:
                heading = text
                level = int(tokens[index - 1].tag[1])
                toc.append(Heading(level, text, anchor))
            else:
                parts.append(text)
                if in_paragraph and first_paragraph is None and text.strip():
                    first_paragraph = text
    if parts or anchor:
        sections.append(Section(anchor, heading, " ".join(parts)))
    return tuple(toc), tuple(sections), first_paragraph or "", tuple(removed)


def plain_text(inline: Token) -> str:
    out: list[str] = []
    for child in inline.children or ():
        if child.type in {"text", "code_inline"}:
            out.append(child.content)
        elif child.type in {"softbreak", "hardbreak"}:
            # A line break inside Chinese prose is not a space; inside English it is.
            out.append("\n")
        elif child.type == "image":
            out.append(child.content)
    text = "".join(out)
    return re.sub(r"(?<=[\u3400-\u9fff\u3000-\u303f\uff00-\uffef])\n(?=[\u3400-\u9fff])", "", text).replace("\n", " ")


def _inline_html(inline: Token) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    start = inline.map[0] if inline.map else 0
    for child in inline.children or ():
        if child.type == "html_inline":
            line = start + inline.content[: inline.content.find(child.content)].count("\n")
            found.extend((line, what) for what in unsafe_parts(child.content))
    return found


def unsafe_parts(html: str) -> list[str]:
    """Describe what sanitising removes from a piece of raw HTML, for a warning."""
    found: list[str] = []
    for match in _TAG.finditer(html):
        name = match.group(1).lower()
        if name not in ALLOWED_TAGS:
            if not match.group(0).lstrip("<").lstrip().startswith("/"):
                found.append(f"<{name}>")
            continue
        allowed = ALLOWED_ATTRIBUTES["*"] | ALLOWED_ATTRIBUTES.get(name, set())
        for attr in _ATTRIBUTE.finditer(match.group(2)):
            attr_name = attr.group(1).lower()
            value = (attr.group(2) or "").strip("\"'").strip().lower()
            if attr_name == "class":
                continue  # an unknown class is dropped quietly: it cannot do harm
            if attr_name not in allowed:
                found.append(f"{attr_name}= on <{name}>")
            elif (attr_name in {"href", "src"} and re.match(r"[a-z][a-z0-9+.-]*:", value)
                  and value.split(":", 1)[0] not in URL_SCHEMES):
                found.append(f"{value.split(':', 1)[0]}: URL on <{name}>")
    return found


def _links(tokens: list[Token]) -> Iterator[tuple[int, str, str, str]]:
    for token in tokens:
        if token.type != "inline" or not token.map:
            continue
        line = token.map[0]
        for child in token.children or ():
            if child.type in {"softbreak", "hardbreak"}:
                line += 1
            elif child.type == "link_open":
                yield line, "link", str(child.attrs.get("href", "")), ""
            elif child.type == "image":
                yield line, "image", str(child.attrs.get("src", "")), child.content


def body_links(body: str) -> list[tuple[int, str]]:
    """(0-based line in ``body``, destination) of every link and image, in reading order.

    Destinations are as markdown-it normalises them (non-ASCII percent-encoded).
    """
    return [(line, href) for line, _, href, _ in _links(_PARSER.parse(body, {}))]
