"""HTML (a saved web page, or what mammoth makes of a Word file) → blocks, with the page's facts.

The standard library's html.parser is enough: pages from old CMSs are malformed in ways a
tolerant tokenizer survives, and we need only a stream of tags and text, not a tree.
Navigation, headers and footers marked up as such are skipped here; the clutter that is only
text (breadcrumbs, 发布时间 lines, 【打印】) is clutter.py's job, for text and HTML alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

from .blocks import Block, Inlines, bare, destination, escape_inline

BLOCK_TAGS = frozenset({"p", "div", "li", "tr", "section", "article", "blockquote", "center", "dd", "dt",
                        "ul", "ol", "dl", "form", "main", "figure", "figcaption", "pre", "address", "hr"})
HIDDEN_TAGS = frozenset({"script", "style", "head", "noscript", "template", "iframe", "select", "button",
                         "nav", "header", "footer", "object", "svg", "textarea", "map"})
VOID_TAGS = frozenset({"br", "img", "hr", "meta", "link", "input", "area", "base", "col", "embed",
                       "param", "source", "track", "wbr"})
# class or id words of page furniture; a token naming the article ('article-header') is kept.
_FURNITURE = re.compile(r"(?:^|[-_])(?:header|footer|foot|nav|navbar|menu|breadcrumbs?|crumbs?|share|"
                        r"bdshare|copyright|sidebar|logo|banner|toolbar|position|location)(?:$|[-_\d])",
                        re.IGNORECASE)
_KEEP = re.compile(r"article|content|title|main|news|text|detail|body", re.IGNORECASE)
_CSS_BOLD = re.compile(r"font-weight\s*:\s*(?:bold|bolder|[6-9]00)", re.IGNORECASE)
_NOTE = re.compile(r"(foot|end)note-(\d{1,4})")  # mammoth's ids for Word's footnotes and endnotes
_NOTE_BACK = re.compile(r"#(?:foot|end)note-ref-\d{1,4}")
_CELL_LIMIT = 300  # characters: a cell longer than this is page layout, not a data table


@dataclass
class Page:
    blocks: list[Block]
    inlines: Inlines
    title_tag: str = ""  # <title>
    headings: list[str] = field(default_factory=list)  # h1 texts, in order
    meta: dict[str, str] = field(default_factory=dict)  # <meta name=… content=…>, names lower-cased
    images: list[tuple[int, str, str]] = field(default_factory=list)  # (token index, src, alt)
    links: list[tuple[int, str, str]] = field(default_factory=list)  # (token index, href, text)
    base: str = ""  # where the page was published: <base>, rel=canonical, og:url or SiteDomain

    def address(self) -> str:
        """The page's own URL, as far as it says; '' when it does not."""
        domain = self.meta.get("sitedomain", "")
        if self.base:
            return self.base
        return f"http://{domain.strip('/')}/" if domain and re.fullmatch(r"[\w.-]+(?::\d+)?/?", domain) else ""


@dataclass
class _Table:
    start: int  # index of its first block
    rows: list[list[tuple[int, int]]] = field(default_factory=list)  # cells as block ranges
    cell: int | None = None  # first block of the open cell
    layout: bool = False  # holds another table, or headings: page layout


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.page = Page([], Inlines())
        self.line: list[str] = []
        self.heading: int = 0  # level of the open <hN>
        self.bold = 0
        self.italic = 0
        self.hidden: list[tuple[str, int]] = []  # (tag, depth of that tag inside it)
        self.in_title = False
        self.anchor: tuple[str, list[str]] | None = None  # href, the parts of its text
        self.tables: list[_Table] = []
        self.list_kind: list[str] = []
        self.note: str | None = None  # label of the Word footnote whose text is being read
        self.styled: list[bool] = []  # per open <span>/<font>: did its style make it bold?

    # ---- tags -------------------------------------------------------------------------------

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if tag in ("meta", "title", "base", "link"):  # the page's facts, in <head> (hidden) or not
            self._head(tag, values)
            return
        if self.hidden:
            hidden_tag, depth = self.hidden[-1]
            if tag == hidden_tag and tag not in VOID_TAGS:
                self.hidden[-1] = (hidden_tag, depth + 1)
            return
        self._body_tag(tag, values)

    def _head(self, tag: str, values: dict[str, str]) -> None:
        if tag == "meta" and values.get("name") and values.get("content"):
            self.page.meta[values["name"].lower()] = values["content"].strip()
        if not self.page.base and (
                (tag == "base" and values.get("href"))
                or (tag == "link" and values.get("rel", "").lower() == "canonical" and values.get("href"))
                or (tag == "meta" and values.get("property") == "og:url" and values.get("content"))):
            address = values.get("href") or values.get("content", "")
            if re.match(r"https?://", address):
                self.page.base = address
        # The page's first <title>, not one inside an <svg> or the body.
        if tag == "title" and not self.page.title_tag and all(t == "head" for t, _ in self.hidden):
            self.in_title = True

    def _body_tag(self, tag: str, values: dict[str, str]) -> None:
        if tag not in VOID_TAGS and (tag in HIDDEN_TAGS or self._furniture(values)):
            self.hidden.append((tag, 0))
            return
        if tag in ("span", "font"):  # Word pasted into a CMS: bold as style="font-weight:bold"
            bold = bool(_CSS_BOLD.search(values.get("style", "")))
            self.styled.append(bold)
            if bold:
                self._bold(+1)
        elif tag in ("b", "strong"):
            self._bold(+1)
        elif tag in ("em", "i"):
            self.italic += 1
            if self.italic == 1:
                self._text("<i>")
        elif tag == "br":
            self._break()
        elif tag == "img":
            self._image(values)
        elif tag == "a" and self.anchor is None:
            self.anchor = (values.get("href", ""), [])
        elif re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self.heading = int(tag[1])
        elif tag == "table":
            self._flush()
            for table in self.tables:
                table.layout = True
            self.tables.append(_Table(len(self.page.blocks)))
        elif tag in ("td", "th") and self.tables:
            self._flush()
            table = self.tables[-1]
            if not table.rows:
                table.rows.append([])
            table.cell = len(self.page.blocks)
        elif tag == "tr" and self.tables:
            self._flush()
            self.tables[-1].rows.append([])
        elif tag in ("ul", "ol"):
            self._flush()
            self.list_kind.append(tag)
        elif tag == "li" and (note := _NOTE.fullmatch(values.get("id", ""))):
            self._flush()
            self.note = _label(note)
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
            return
        if self.hidden:
            hidden_tag, depth = self.hidden[-1]
            if tag == hidden_tag:
                if depth:
                    self.hidden[-1] = (hidden_tag, depth - 1)
                else:
                    self.hidden.pop()
            return
        if tag == "title":
            self.in_title = False
        elif tag in ("span", "font") and self.styled:
            if self.styled.pop():
                self._bold(-1)
        elif tag in ("b", "strong") and self.bold:
            self._bold(-1)
        elif tag in ("em", "i") and self.italic:
            self.italic -= 1
            if not self.italic:
                self._text("</i>")
        elif tag == "a" and self.anchor is not None:
            self._link()
        elif re.fullmatch(r"h[1-6]", tag) and self.heading:
            self._flush()
        elif tag in ("td", "th") and self.tables and self.tables[-1].cell is not None:
            self._flush()
            table = self.tables[-1]
            table.rows[-1].append((table.cell or 0, len(self.page.blocks)))
            table.cell = None
        elif tag == "table" and self.tables:
            self._flush()
            self._close_table(self.tables.pop())
        elif tag in ("ul", "ol") and self.list_kind:
            self._flush()
            self.list_kind.pop()
        elif tag == "li" and self.note is not None:
            self._flush()
            self.note = None
        elif tag in BLOCK_TAGS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.page.title_tag += data
            return
        if self.hidden:
            return
        self._text(re.sub(r"[\s\u3000]+", " ", data))

    # ---- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _furniture(values: dict[str, str]) -> bool:
        words = f"{values.get('class', '')} {values.get('id', '')}".split()
        return any(_FURNITURE.search(w) and not _KEEP.search(w) for w in words)

    def _bold(self, step: int) -> None:
        """Nested bold is one bold: only the outermost opening and closing are written."""
        if step < 0 and not self.bold:
            return
        self.bold += step
        if step > 0 and self.bold == 1:
            self._text("<b>")
        elif step < 0 and self.bold == 0:
            self._text("</b>")

    def _text(self, text: str) -> None:
        if self.anchor is not None:
            self.anchor[1].append(text)
        else:
            self.line.append(text)

    def _break(self) -> None:
        """<br>: a new line; bold open across it is closed and reopened."""
        if self.anchor is not None:
            self.anchor[1].append(" ")
            return
        if self.bold:
            self.line.append("</b>")
        self._flush()
        if self.bold:
            self.line.append("<b>")

    def _image(self, values: dict[str, str]) -> None:
        src = values.get("src", "").strip()
        if not src or src.startswith("data:"):
            return
        alt = " ".join((values.get("alt") or values.get("title") or "").split())
        token = self.page.inlines.token(f"![{escape_inline(alt)}]({destination(src)})")
        if token is not None:
            self.page.images.append((ord(token) - 0xE000, src, alt))
            self._text(token)

    def _link(self) -> None:
        assert self.anchor is not None
        href, parts = self.anchor
        self.anchor = None
        inner = bare("".join(parts))
        text = " ".join(inner.split())
        if note := _NOTE.fullmatch(href.lstrip("#")):  # mammoth's reference to a Word footnote
            token = self.page.inlines.token(f"[^{_label(note)}]")
            self._text(token or text)
            return
        if _NOTE_BACK.fullmatch(href):  # the '↑' back to the reference: Markdown makes its own
            return
        if not href or href.startswith(("javascript:", "#")) or not text:
            self._text(text)
            return
        if re.fullmatch("[\ue000-\uf7ff]+", text):  # a linked picture: keep the picture
            self._text(text)
            return
        token = self.page.inlines.token(f"[{escape_inline(text)}]({destination(href)})")
        if token is None:
            self._text(text)
            return
        self.page.links.append((ord(token) - 0xE000, href, text))
        self._text(token)

    def _flush(self) -> None:
        if self.anchor is not None:
            self._link()
        text = "".join(self.line).replace("</b><b>", "").replace("<b></b>", "").replace("<i></i>", "").strip()
        self.line = []
        if not bare(text).strip():
            if self.heading:
                self.heading = 0
            return
        if self.heading:
            self.page.blocks.append(Block("h", text, self.heading))
            if self.heading == 1:
                self.page.headings.append(bare(text))
            self.heading = 0
        elif self.note is not None:
            token = self.page.inlines.token(f"[^{self.note}]:")
            self.page.blocks.append(Block("note", f"{token} {text}") if token else Block("p", text))
            self.note = None  # a second paragraph of the note is a paragraph
        elif self.list_kind:
            self.page.blocks.append(Block("list", text, 1 if self.list_kind[-1] == "ol" else 0))
        else:
            self.page.blocks.append(Block("p", text))

    def _close_table(self, table: _Table) -> None:
        """A data table becomes one block; a layout table leaves its cells' blocks in place."""
        blocks = self.page.blocks
        rows = [row for row in table.rows if row]
        width = max((len(r) for r in rows), default=0)
        cells = [blocks[a:b] for row in rows for a, b in row]
        if (table.layout or width < 2 or any(len(c) > 1 and any(b.kind != "p" for b in c) for c in cells)
                or any(sum(len(b.text) for b in c) > _CELL_LIMIT for c in cells)):
            return
        grid = [[" ".join(b.text for b in blocks[a:b]) for a, b in row] for row in rows]
        del blocks[table.start:]
        blocks.append(Block("table", "", rows=[row + [""] * (width - len(row)) for row in grid]))

    def close(self) -> None:
        super().close()
        self._flush()
        while self.tables:
            self._close_table(self.tables.pop())


def _label(note: re.Match[str]) -> str:
    """Footnote 3 → '3', endnote 3 → 'e3': one document may have both."""
    return note[2] if note[1] == "foot" else f"e{note[2]}"


def read_html(html: str) -> Page:
    reader = _Reader()
    reader.feed(html)
    reader.close()
    page = reader.page
    page.title_tag = " ".join(page.title_tag.split())
    return page
