"""The form every door (text, HTML, Word) brings a document to before it is structured.

A document is a list of ``Block``s. A paragraph's or heading's text is "inline plain form":
characters as written, bold as ``<b>…</b>``, and each link or image as one private-use
character that stands for its finished Markdown (kept in ``Inlines``), so escaping and the
typography fixes never touch a URL.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

TOKEN_BASE = 0xE000
TOKEN_LIMIT = 0x1800  # the Private Use Area of the BMP: 6,144 links and images per document
TOKEN = re.compile("[\ue000-\uf7ff]")

Kind = Literal["p", "h", "table", "list", "note"]  # note: a footnote's text, after its '[^1]:' token


@dataclass
class Block:
    kind: Kind
    text: str  # p, h, list: inline plain form; table: unused (see rows)
    level: int = 0  # h: 1–6 as the source had it; list: 1 ordered, 0 not
    rows: list[list[str]] = field(default_factory=list)  # table: cells in inline plain form


@dataclass
class Inlines:
    """Finished Markdown of links and images, each standing in the text as one character."""

    markdown: list[str] = field(default_factory=list)

    def token(self, markdown: str) -> str | None:
        """The character standing for ``markdown``; None when the document has too many."""
        if len(self.markdown) >= TOKEN_LIMIT:
            return None
        self.markdown.append(markdown)
        return chr(TOKEN_BASE + len(self.markdown) - 1)

    def expand(self, text: str) -> str:
        # Twice: a linked picture is a link whose text holds the picture's token.
        for _ in range(2):
            if self.markdown and TOKEN.search(text):
                text = TOKEN.sub(lambda m: self.markdown[ord(m[0]) - TOKEN_BASE], text)
        return text

    def plain(self, text: str) -> str:
        """``text`` with tokens replaced by what a reader sees of them (a link's text)."""
        def seen(match: re.Match[str]) -> str:
            if self.markdown[ord(match[0]) - TOKEN_BASE].startswith("[^"):
                return ""  # a footnote reference is no part of the text read
            found = re.match(r"!?\[((?:\\.|[^\]\\])*)\]", self.markdown[ord(match[0]) - TOKEN_BASE])
            return re.sub(r"\\(.)", r"\1", found[1]) if found else ""
        for _ in range(2):
            if self.markdown and TOKEN.search(text):
                text = TOKEN.sub(seen, text)
        return text


def escape_inline(text: str) -> str:
    """Text as Markdown shows it literally inside link text or alt text."""
    return re.sub(r"([\\`*_\[\]<])", r"\\\1", text)


def destination(url: str) -> str:
    """A link destination Markdown reads whole: spaces and parentheses kept by angle brackets."""
    url = url.strip()
    if re.search(r"[\s()<>]", url):
        return "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return url


def bare(text: str) -> str:
    """A block's text without bold and italic tags: what the reader reads, tokens aside."""
    return text.replace("<b>", "").replace("</b>", "").replace("<i>", "").replace("</i>", "") if "<" in text else text
