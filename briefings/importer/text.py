"""Plain text as offices save it → blocks.

Summaries arrive pasted from a word processor (briefing_0615.txt is the model): one long
paragraph per agenda item separated by spaces, raw ``<b>`` tags around each numbered point's
lead sentence. Or pasted from a web page: one paragraph a line, with the page's furniture.
"""

from __future__ import annotations

import codecs
import re

from .blocks import Block
from .structure import ITEM_START

_BLOCK_BREAK = re.compile(rf"(?<=[。！？])[ \t\u3000]+|[ \t\u3000]+(?={ITEM_START.pattern})")
_BOLD_TAG = re.compile(r"<\s*(/?)\s*(?:b|strong)(?:\s[^<>]{0,200})?>", re.IGNORECASE)
LOOKS_HTML = re.compile(
    r"<(?:p|br|div|span|html|body|h[1-6]|li|table|font|a|img)\b|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
    re.IGNORECASE,
)


def decode_bytes(data: bytes) -> str:
    """Text of a file as offices save it: UTF-8 (with or without BOM), UTF-16, or GBK/GB18030.

    Raises ValueError when the bytes are none of these.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:  # GB18030 is a superset of GBK and GB2312: one decoder reads all three
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not UTF-8 or GBK/GB18030 text (byte {exc.start})") from exc


def normalise(raw: str) -> str:
    """One form of line ends and spaces; private-use characters (ours stand for links) dropped."""
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\u00a0", " ").replace("\u200b", "")
    return re.sub("[\ue000-\uf7ff]", "", text)


def text_blocks(text: str) -> list[Block]:
    """Paragraphs: lines, and the spaces a word processor leaves between paragraphs."""
    text = _BOLD_TAG.sub(r"<\1b>", text)  # <B>, <strong>, <b style=…> → <b>
    return [Block("p", b.strip(" \t\u3000")) for line in text.split("\n")
            for b in _BLOCK_BREAK.split(line) if b.strip(" \t\u3000")]
