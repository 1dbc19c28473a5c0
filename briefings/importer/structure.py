"""Blocks → Markdown body: the agenda structure a summary is written in, made into headings.

Two shapes of summary:

- explicit (公文 conventions, web pages, Word): ``一、`` → ``##``, ``（一）`` → ``###``, a short
  all-bold paragraph → a heading, the document's own headings kept; ``1.`` points → a list;
- run-on (briefing_0615.txt, pasted from a word processor): agenda items open with
  '会议传达学习…', '会议听取…', each item's points ('一是…二是…') follow in one run. Each
  item becomes a ``##`` heading, its lead and one paragraph per point, lead sentence bold.

Every pattern is anchored or bounded: a block is read in linear time.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise

from .blocks import Block, bare
from .clutter import ATTACHMENT, CLOSING

ORDINALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十",
            "十一", "十二", "十三", "十四", "十五", "十六", "十七", "十八", "十九", "二十")
_ORDINAL = "(?:十[一二三四五六七八九]?|二十|[一二三四五六七八九])"
# How an agenda item opens: '会议传达学习…', '会议听取…'; the heading drops the '会议'.
ITEM_START = re.compile(r"会议(?=传达|学习|听取|研究|审议|通报|讨论|部署)")
SECTION = re.compile(rf"^(?:<b>)?{_ORDINAL}、")
SUBSECTION = re.compile(rf"^(?:<b>)?[（(]{_ORDINAL}[)）]")
# '1. ' arrives escaped ('\1. '): the block was made safe from Markdown before its structure is read.
NUMBERED = re.compile(r"^(?:<b>)?\\?(\d{1,2})[.．、](?![\d.．])\s*")
POINT = re.compile(rf"^(?:<b>)?{_ORDINAL}是")
FIRST = re.compile(r"^(?:<b>)?第[一二三四五六七八九十]{1,3}[，、,：:]")
HEADING_MAX = 40  # characters: a table of contents shows about this much on one line
BOLD_HEADING_MAX = 30


# ---- splitting what a paste glued together ---------------------------------------------


def split_glued(blocks: list[Block]) -> list[Block]:
    """'…大局。二、通报…' → two blocks, when 二、 is the section that comes next."""
    out: list[Block] = []
    expected = 0
    for block in blocks:
        if block.kind != "p":
            out.append(block)
            continue
        text = block.text
        if (start := SECTION.match(text)) and expected < len(ORDINALS) and \
                bare(start[0]).rstrip("、") == ORDINALS[expected]:
            expected += 1
        while expected < len(ORDINALS):
            glued = re.compile(rf"(?<=[。！？])(?:<b>)?{ORDINALS[expected]}、").search(text)
            if glued is None:
                break
            out.append(Block("p", text[: glued.start()].strip()))
            text = text[glued.start():]
            expected += 1
        out.append(Block("p", text.strip()))
    return [b for b in out if b.kind != "p" or b.text]


def point_starts(text: str) -> list[int]:
    """Offsets of '一是', '二是' …, in order; a point starts a sentence or a clause."""
    starts: list[int] = []
    for ordinal in ORDINALS:
        pattern = rf"(?:^|(?<=[。！？；：，]))(?:<b>)?{ordinal}是"
        found = re.compile(pattern).search(text, starts[-1] + 1 if starts else 0)
        if not found:
            break
        starts.append(found.start())
    return starts


def first_starts(text: str) -> list[int]:
    """Offsets of '第一，', '第二，' … where each starts a sentence."""
    starts: list[int] = []
    for ordinal in ORDINALS[:10]:
        found = re.compile(rf"(?:^|(?<=[。！？；，：]))(?:<b>)?第{ordinal}[，、,：:]").search(
            text, starts[-1] + 1 if starts else 0)
        if not found:
            break
        starts.append(found.start())
    return starts


# ---- shared -----------------------------------------------------------------------------


def markdown_text(text: str, notes: list[str]) -> str:
    """<b> tags → Markdown bold; the sentence's full stop goes inside: '**一是…。**'."""
    text = re.sub(r"</b>([。；])", r"\1</b>", text.replace("</b><b>", ""))
    text = text.replace("<b></b>", "")
    if text.count("<b>") != text.count("</b>") or text.count("<i>") != text.count("</i>"):
        notes.append(f"unpaired <b> or <i> in '{bare(text)[:12]}…': bold and italics removed there, check it")
        return bare(text)
    text = text.replace("<i></i>", "").replace("<i>", "*").replace("</i>", "*")
    return text.replace("<b>", "**").replace("</b>", "**")


def bold_lead(point: str, where: str, notes: list[str]) -> str:
    """The lead sentence is bold in every briefing, so readers can scan the points."""
    if point.startswith("<b>"):
        return point
    end = point.find("。")
    lead, rest = (point[: end + 1], point[end + 1:]) if end >= 0 else (point, "")
    notes.append(f"{where}bolded the lead sentence of '{lead[:5]}…'")
    return f"<b>{lead}</b>{rest}"


def table(rows: list[list[str]], notes: list[str]) -> str:
    cells = [[markdown_text(c, notes).replace("|", "\\|") or " " for c in row] for row in rows]
    lines = ["| " + " | ".join(cells[0]) + " |", "|" + "---|" * len(cells[0])]
    lines += ["| " + " | ".join(row) + " |" for row in cells[1:]]
    return "\n".join(lines)


def heading_text(text: str) -> str:
    return bare(text).strip().rstrip("。：:").strip()


def explicit(blocks: list[Block]) -> bool:
    """Has the document structure of its own (headings, 一、 sections, bold heading lines)?"""
    return any(b.kind == "h" or (b.kind == "p" and (SECTION.match(b.text) or SUBSECTION.match(b.text)
                                                     or _bold_heading(b.text)))
               for b in blocks)


def _bold_heading(text: str) -> bool:
    """A short paragraph that is bold from end to end and not a sentence: a heading."""
    if not (text.startswith("<b>") and text.endswith("</b>")) or text.count("<b>") != 1:
        return False
    words = bare(text).strip()
    return (0 < len(words) <= BOLD_HEADING_MAX and words[-1] not in "。！？；，：:"
            and not POINT.match(words) and not FIRST.match(words) and not NUMBERED.match(words))


# ---- explicit structure -------------------------------------------------------------------


def render_explicit(blocks: list[Block], notes: list[str]) -> list[str]:
    """Blocks → Markdown chunks (joined by blank lines by the caller)."""
    shift = min((b.level for b in blocks if b.kind == "h"), default=2) - 2
    sections = any(b.kind == "p" and SECTION.match(b.text) for b in blocks)
    out: list[str] = []
    listing: list[str] = []

    def flush_list() -> None:
        if listing:
            out.append("\n".join(listing))
            listing.clear()

    for number, block in enumerate(blocks, start=1):
        if block.kind == "list":
            listing.append(("1. " if block.level else "- ") + markdown_text(block.text, notes))
            continue
        flush_list()
        if block.kind == "table":
            out.append(table(block.rows, notes))
        elif block.kind == "h":
            out.append("#" * max(2, min(block.level - shift, 4)) + " " + heading_text(block.text))
        elif block.kind == "note":
            out.append(markdown_text(block.text, notes))
        elif SECTION.match(block.text) or SUBSECTION.match(block.text):
            out += _section(block.text, 2 if SECTION.match(block.text) else 3, number, notes)
        elif _bold_heading(block.text):
            out.append(("### " if sections else "## ") + heading_text(block.text))
        else:
            out += _paragraph(block.text, number, notes, listing)
            if listing:
                continue
    flush_list()
    return out


def _section(text: str, level: int, number: int, notes: list[str]) -> list[str]:
    """'二、通报上半年工作情况。会议指出，…' → a heading and the paragraph after it."""
    plain = bare(text).strip()
    if len(plain.rstrip("。")) <= HEADING_MAX and not re.search("[。！？]", plain.rstrip("。！？")):
        return ["#" * level + " " + heading_text(text)]
    end = min((i for i in (plain.find("。"), plain.find("："), plain.find("！")) if i >= 0), default=-1)
    if 0 < end <= HEADING_MAX:
        # Cut the block where the plain text ends its first sentence, tags kept in the rest.
        cut = _offset(text, end + 1)
        rest = text[cut:]
        if text[:cut].count("<b>") > text[:cut].count("</b>"):
            rest = "<b>" + rest
        return ["#" * level + " " + heading_text(text[:cut]), markdown_text(rest.strip(), notes)]
    notes.append(f"block {number}: '{plain[:8]}…' opens like a section but its first sentence is too long "
                 "for a heading: left as a paragraph")
    return [markdown_text(text, notes)]


def _offset(text: str, plain_index: int) -> int:
    """Index in ``text`` (with <b> tags) of character ``plain_index`` of its bare text."""
    seen = 0
    i = 0
    while i < len(text) and seen < plain_index:
        if text.startswith("<b>", i):
            i += 3
        elif text.startswith("</b>", i):
            i += 4
        else:
            i += 1
            seen += 1
    if text.startswith("</b>", i):
        i += 4
    return i


def _paragraph(text: str, number: int, notes: list[str], listing: list[str]) -> list[str]:
    if numbered := NUMBERED.match(text):
        lead = "<b>" if numbered[0].startswith("<b>") else ""
        listing.append(f"{numbered[1]}. " + markdown_text(lead + text[numbered.end():], notes))
        return []
    starts = point_starts(text)
    if len(starts) >= 2 or starts[:1] == [0]:
        return _points(text, starts, f"paragraph {number}: ", notes, bold=True)
    firsts = first_starts(text)
    if len(firsts) >= 2:
        return _points(text, firsts, "", notes, bold=False)
    return [markdown_text(text, notes)]


def _points(text: str, starts: list[int], where: str, notes: list[str], *, bold: bool) -> list[str]:
    lead = text[: starts[0]]
    if lead.endswith(("，", "：")):
        lead = lead[:-1] + "："  # '会议强调，' introduces the points that follow
    out = [markdown_text(lead, notes)] if lead.strip() else []
    for a, b in pairwise([*starts, len(text)]):
        point = text[a:b]
        out.append(markdown_text(bold_lead(point, where, notes) if bold else point, notes))
    return out


# ---- run-on summaries ---------------------------------------------------------------------


def group(blocks: list[Block]) -> tuple[list[Block], list[tuple[str, list[Block]]]]:
    """Blocks before the first agenda item, and per agenda item its joined text and other blocks.

    Paragraphs after an item's start belong to it: HTML sources give each point its own <p>,
    and the points are split again by ordinal.
    """
    preface: list[Block] = []
    items: list[tuple[str, list[Block]]] = []
    for block in blocks:
        if block.kind == "p" and ITEM_START.match(block.text):
            items.append((block.text, []))
        elif items and block.kind == "p" and not items[-1][1] and not _closing(block.text) \
                and not NUMBERED.match(block.text):  # '1. …' lines are a list after the item's lead
            items[-1] = (items[-1][0] + block.text, [])
        elif items:
            items[-1][1].append(block)
        else:
            preface.append(block)
    return preface, items


def _closing(text: str) -> bool:
    """'（…供稿）' and '附件：…' stand apart from the item before them."""
    plain = bare(text)
    return bool(CLOSING.fullmatch(plain) or ATTACHMENT.match(plain))


def render_item(text: str, number: int, notes: list[str], plain: Callable[[str], str] = str) -> list[str]:
    """One agenda item: a heading, its lead paragraph, one paragraph per numbered point."""
    starts = point_starts(text)
    bold = True
    if not starts and len(firsts := first_starts(text)) >= 2:
        starts, bold = firsts, False  # '第一，…第二，…': points too, their lead sentences left as written
    lead = text[: starts[0]] if starts else text
    # Like the corpus generator: the lead up to its first stop, without '会议'.
    heading = plain(bare(ITEM_START.sub("", lead, count=1)))  # a link in the lead: its text only
    cut = min((i for i in (heading.find("。"), heading.find("，")) if i >= 0), default=len(heading))
    heading = heading[:cut].rstrip("：:")  # '会议部署了以下工作：' then a list
    if len(heading) > HEADING_MAX:
        notes.append(f"section {number}: the heading has {len(heading)} characters: shorten it")
    if starts and lead.endswith(("，", "：")):
        lead = lead[:-1] + "："
    out = [f"## {heading}", markdown_text(lead, notes)]
    for a, b in pairwise([*starts, len(text)] if starts else []):
        point = bold_lead(text[a:b], f"section {number}: ", notes) if bold else text[a:b]
        out.append(markdown_text(point, notes))
    return out


def render_plain(blocks: list[Block], notes: list[str]) -> list[str]:
    """Blocks without structure of their own: paragraphs, lists and tables as they are."""
    out: list[str] = []
    for number, block in enumerate(blocks, start=1):
        if block.kind == "table":
            out.append(table(block.rows, notes))
        elif block.kind == "list":
            item = ("1. " if block.level else "- ") + markdown_text(block.text, notes)
            if number > 1 and blocks[number - 2].kind == "list" and out:
                out[-1] += "\n" + item  # one list, not one per item
            else:
                out.append(item)
        elif block.kind == "h":
            out.append("### " + heading_text(block.text))
        elif block.kind == "note":
            out.append(markdown_text(block.text, notes))
        else:
            listing: list[str] = []
            out += _paragraph(block.text, number, notes, listing)
            out += listing
    return out
