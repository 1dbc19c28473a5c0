"""A meeting summary as staff receive it → a draft briefing: YAML front matter + Markdown.

Summaries arrive pasted from a word processor (briefing_0615.txt is the model): one long
paragraph per agenda item separated by spaces, raw ``<b>`` tags around each numbered
point's lead sentence, half-width commas, a full stop slipped inside a bold tag. Or as a
simple HTML page. Both are brought to one plain form (text with ``<b>`` tags, one block a
line), split into the opening and agenda items, and written out as Markdown with the
typography fixes of typography.py applied. Everything guessed is listed in ``notes``.

Text in, text out: reading files is the caller's job (``decode_bytes`` for raw bytes).
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from itertools import pairwise
from typing import Any

import yaml

from briefings.typography import fix_markdown, lint_markdown

ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
            "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十")
# How an agenda item opens: '会议传达学习…', '会议听取…'; the heading drops the '会议'.
ITEM_START = re.compile(r"会议(?=传达|学习|听取|研究|审议|通报|讨论|部署)")
# Position words that end the chair's titles: '…党组书记、局长张荷红主持召开'.
TITLE_WORDS = re.compile(
    r"(?:书记|局长|厅长|主任|市长|县长|区长|部长|校长|院长|处长|科长|主席|组长|秘书长|"
    r"理事长|董事长|总经理|负责人|委员)"
)
NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")

_BLOCK_BREAK = re.compile(rf"(?<=[。！？])[ \t\u3000]+|[ \t\u3000]+(?={ITEM_START.pattern})")
_BOLD_TAG = re.compile(r"<\s*(/?)\s*(?:b|strong)(?:\s[^<>]*)?>", re.IGNORECASE)
_LOOKS_HTML = re.compile(
    r"<(?:p|br|div|span|html|body|h[1-6]|li|table|font)\b|&(?:#\d+|#x[0-9a-f]+|[a-z]+);",
    re.IGNORECASE,
)
_DATE = re.compile(r"(?:(\d{4})年)?(\d{1,2})月(\d{1,2})日")


@dataclass(frozen=True)
class ImportResult:
    markdown: str  # the whole file: front matter + body
    front: dict[str, Any]
    notes: list[str] = field(default_factory=list)  # what a reviewer should check


def decode_bytes(data: bytes) -> str:
    """Text of a file as offices save it: UTF-8 (with or without BOM), UTF-16, or GBK/GB18030.

    Raises ValueError when the bytes are none of these.
    """
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
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


def import_text(raw: str, *, year: int | None, vocabulary: Sequence[str] | Mapping[str, str] = ()) -> ImportResult:
    """Turn a raw summary (plain text or simple HTML) into a draft briefing.

    ``year`` completes dates written '6月15日'; ``vocabulary`` lists known tags, of which
    those found in the text are suggested, most frequent first; a mapping names the tag each
    term stands for (an alias → the vocabulary's name for it).
    """
    notes: list[str] = []
    fixed: Counter[str] = Counter()
    blocks = [_fix(b, fixed) for b in _blocks(_plain(raw))]
    title = blocks.pop(0) if len(blocks) > 1 and _looks_like_title(blocks[0]) else None
    if not blocks:
        return _result({"title": "", "draft": True}, "", [*notes, "the text is empty"])
    preface, items = _group(blocks)
    front = _front(preface[0], title, year, notes)
    body = [_markdown_text(p, notes) for p in preface]
    for number, item in enumerate(items, start=1):
        body += _item(item, number, notes)
    markdown_body, changes = fix_markdown("\n\n".join(body) + "\n")
    fixed.update(c.rule or "" for c in changes)
    if fixed:
        counts = ", ".join(f"{n} {rule}" for rule, n in fixed.most_common())
        notes.append(f"typography fixed: {counts}")
    front["tags"] = _tags(preface + items, vocabulary)
    front["draft"] = True
    result = _result(front, markdown_body, notes)
    for problem in lint_markdown(result.markdown, "imported"):
        notes.append(f"line {problem.line}: {problem.rule}: {problem.message}")
    if not items:
        notes.append("no agenda items ('会议传达学习…', '会议听取…') found: check the sections")
    return result


def _result(front: dict[str, Any], body: str, notes: list[str]) -> ImportResult:
    # width: PyYAML folds long strings at 80 columns, and a folded title is hard to edit.
    dumped = yaml.safe_dump(front, allow_unicode=True, sort_keys=False, width=10**6)
    return ImportResult(f"---\n{dumped}---\n\n{body}", front, notes)


# ---- raw text → blocks ------------------------------------------------------------------


class _HtmlText(HTMLParser):
    """Simple HTML → the plain form: block elements become line breaks, bold stays <b>."""

    BLOCKS = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6",
                        "section", "article", "blockquote"})
    HIDDEN = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, "<b>")

    def handle_endtag(self, tag: str) -> None:
        self._tag(tag, "</b>", closing=True)

    def _tag(self, tag: str, bold: str, closing: bool = False) -> None:
        if tag in self.HIDDEN:
            self.hidden += -1 if closing else 1
        elif tag in ("b", "strong"):
            self.parts.append(bold)
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.hidden:  # source line breaks inside a <p> are only spaces in HTML
            self.parts.append(re.sub(r"\s+", " ", data))


def _plain(raw: str) -> str:
    """Plain text with <b> tags, one block per line, whatever form the input came in."""
    text = raw.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if _LOOKS_HTML.search(text):
        parser = _HtmlText()
        parser.feed(text)
        parser.close()
        text = "".join(parser.parts)
    text = _BOLD_TAG.sub(r"<\1b>", text)  # <B>, <strong>, <b style=…> → <b>
    return text.replace("\u00a0", " ").replace("\u200b", "")


def _blocks(text: str) -> list[str]:
    """Paragraphs: lines, and the spaces a word processor leaves between paragraphs."""
    return [b.strip() for line in text.split("\n") for b in _BLOCK_BREAK.split(line) if b.strip()]


def _fix(block: str, fixed: Counter[str]) -> str:
    """A block with Markdown's special characters escaped and safe typography fixes applied."""
    escaped = re.sub(r"([\\`*])", r"\\\1", block)
    escaped = re.sub(r"<(?!/?b>)", r"\\<", escaped)
    text, changes = fix_markdown(escaped)
    fixed.update(c.rule or "" for c in changes)
    return text


def _looks_like_title(block: str) -> bool:
    """A headline line above the opening: short, and not a sentence."""
    return len(block) <= 50 and not re.search(r"[。！？]", block) and not ITEM_START.match(block)


def _group(blocks: list[str]) -> tuple[list[str], list[str]]:
    """Blocks before the first agenda item, and one joined text per agenda item.

    Blocks after an item's start belong to it: HTML sources give each point its own <p>,
    and the points are split again by ordinal.
    """
    preface: list[str] = []
    items: list[str] = []
    for block in blocks:
        if ITEM_START.match(block):
            items.append(block)
        elif items:
            items[-1] += block
        else:
            preface.append(block)
    return preface or [""], items


# ---- front matter -----------------------------------------------------------------------


def _front(opening: str, title: str | None, year: int | None, notes: list[str]) -> dict[str, Any]:
    front: dict[str, Any] = {"title": title or ""}
    text = opening.replace("<b>", "").replace("</b>", "")
    if date := _date(text, year, notes):
        front["date"] = date
    clause = re.search(r"([^，。；]*?)主持召开([^，。；]+)", text)
    if clause is None:
        notes.append("no '…主持召开…' in the opening: add meeting and chair by hand")
    else:
        titles, chair = _chair(clause[1])
        front["meeting"] = clause[2]
        if chair:
            front["chair"] = chair
        else:
            notes.append(f"no chair's name found in '{clause[1]}': add chair by hand")
        if not title:
            org = _organisation(titles)
            front["title"] = f"{org}召开{clause[2]}" if org else f"召开{clause[2]}"
            notes.append(f"title '{front['title']}' was made from the opening: check it")
    if attendees := _attendees(text, notes):
        front["attendees"] = attendees
    if not front["title"]:
        notes.append("no title found: add title by hand")
    return front


def _date(text: str, year: int | None, notes: list[str]) -> dt.date | None:
    found = _DATE.search(text)
    if not found:
        notes.append("no date like '6月15日' in the opening: add date by hand")
        return None
    written = int(found[1]) if found[1] else None
    if written and year and written != year:
        notes.append(f"the text says {written}年 but year {year} was given: using {written}")
    if not (written or year):
        notes.append(f"'{found[0]}' has no year: pass the year to fill in date")
        return None
    try:
        return dt.date(written or year or 0, int(found[2]), int(found[3]))
    except ValueError:
        notes.append(f"'{found[0]}' is not a date: add date by hand")
        return None


def _chair(before: str) -> tuple[str, str | None]:
    """The chair's titles and name from '市委教育工委书记、市教育局党组书记、局长张荷红'."""
    before = re.sub(r"在[^、]*$", "", before)  # '局长张荷红在市教育局主持召开'
    ends = [m.end() for m in TITLE_WORDS.finditer(before)]
    titles, name = (before[: ends[-1]], before[ends[-1] :]) if ends else ("", before)
    name = name.removesuffix("同志")
    return titles, name if NAME.fullmatch(name) else None


def _organisation(titles: str) -> str | None:
    """The body that holds the meeting: '…、市教育局党组书记、局长' → 市教育局.

    The last title is usually bare ('局长'): its first character names the kind of body,
    and an earlier title spells that body out in full.
    """
    parts = [p for p in titles.split("、") if p]
    if not parts:
        return None
    kind = parts[-1][0]
    for part in parts[:-1]:
        if found := re.match(rf"(.+?{re.escape(kind)})", part):
            return found[1]
    found = re.match(r"(.+?(?:局|厅|委员会|政府|办公室))", parts[0])
    return found[1] if found else None


def _attendees(text: str, notes: list[str]) -> list[str]:
    """Names from '局领导赵小丁、齐晓兵…李鑫出席'."""
    found = re.search(r"([^。；]*?)出席", text)
    if not found:
        notes.append("no '…出席' sentence in the opening: add attendees by hand if any")
        return []
    who = re.sub(r"^.*?(?:领导|班子成员)(?:同志)?", "", found[1].split("，")[-1])
    names = [n.removesuffix("同志") for n in re.split(r"[、，]|和|及", who) if n]
    odd = [n for n in names if not NAME.fullmatch(n)]
    if odd:
        notes.append(f"check attendees: {'、'.join(odd)} may not be names")
    return names


def _tags(texts: list[str], vocabulary: Sequence[str] | Mapping[str, str]) -> list[str]:
    """Vocabulary terms found in the text, most frequent first, ties in order of appearance."""
    text = "".join(texts)
    tag_of = vocabulary if isinstance(vocabulary, Mapping) else {t: t for t in vocabulary}
    found = sorted((t for t in tag_of if t and t in text), key=lambda t: (-text.count(t), text.index(t)))
    return list(dict.fromkeys(tag_of[t] for t in found))


# ---- body -------------------------------------------------------------------------------


def _item(text: str, number: int, notes: list[str]) -> list[str]:
    """One agenda item: a heading, its lead paragraph, one paragraph per numbered point."""
    starts = _point_starts(text)
    lead = text[: starts[0]] if starts else text
    # Like the corpus generator: the lead up to its first stop, without '会议'.
    heading = re.sub(r"[。，].*$", "", re.sub(r"</?b>", "", ITEM_START.sub("", lead, count=1)))
    if len(heading) > 40:  # a table of contents shows about this much on one line
        notes.append(f"section {number}: the heading has {len(heading)} characters: shorten it")
    if starts and lead.endswith(("，", "：")):
        lead = lead[:-1] + "："  # '会议强调，' introduces the points that follow
    out = [f"## {heading}", _markdown_text(lead, notes)]
    for point in (text[a:b] for a, b in pairwise([*starts, len(text)]) if starts):
        if not point.startswith("<b>"):
            # The lead sentence is bold in every briefing, so readers can scan the points.
            point = re.sub(r"^(.*?(?:。|$))", r"<b>\1</b>", point, count=1)
            notes.append(f"section {number}: bolded the lead sentence of '{point[3:8]}…'")
        out.append(_markdown_text(point, notes))
    return out


def _point_starts(text: str) -> list[int]:
    """Offsets of '一是', '二是' …, in order; a point starts a sentence or a clause."""
    starts: list[int] = []
    for ordinal in ORDINALS:
        pattern = rf"(?:^|(?<=[。！？；：，]))(?:<b>)?{ordinal}是"
        found = re.compile(pattern).search(text, starts[-1] + 1 if starts else 0)
        if not found:
            break
        starts.append(found.start())
    return starts


def _markdown_text(text: str, notes: list[str]) -> str:
    """<b> tags → Markdown bold; the sentence's full stop goes inside: '**一是…。**'."""
    text = re.sub(r"</b>([。；])", r"\1</b>", text)
    text = re.sub(r"<b></b>", "", text)
    if text.count("<b>") != text.count("</b>"):
        notes.append(f"unpaired <b> in '{text[:12]}…': bold removed there, check it")
        return text.replace("<b>", "").replace("</b>", "")
    return text.replace("<b>", "**").replace("</b>", "**")
