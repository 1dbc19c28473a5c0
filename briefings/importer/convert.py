"""One document's blocks → a draft: clutter out, title and dates found, structure made, typography fixed.

Text in, text out: reading files is sources.py's job. Everything guessed is listed in ``notes``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import urljoin

from briefings.typography import fix_markdown, lint_markdown

from .blocks import TOKEN, TOKEN_BASE, Block, Inlines, bare, destination, escape_inline
from .clutter import ATTACHMENT, BREADCRUMB, META_DATE, Found, clean
from .draft import Draft
from .html import Page, read_html
from .opening import DATE, find_date, opening_fields, tags
from .structure import ITEM_START, SECTION, explicit, group, render_explicit, render_item, render_plain, split_glued
from .text import LOOKS_HTML, normalise, text_blocks

_TITLE_SEPARATORS = re.compile(r"\s*(?:_|\||｜|--|——|—|-|–|::)\s*")
# What typography.fix_markdown's rules can change: half-width punctuation, spaces, full-width
# digits, bold markers, doubled stops. A block without any of these is left as it is.
_FIXABLE = re.compile(r"[,;:?!()\s\u3000０-９*]|</?b>|([。，、；：])\1")
MAX_LINT_NOTES = 30
_FULL_DATE = re.compile(r"(\d{4})\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


@dataclass
class Options:
    """What the caller knows beside the text."""

    year: int | None = None  # completes dates written '6月15日' (from --date)
    assumed_year: int | None = None  # used, with a note, when neither year nor the text gives one
    vocabulary: Sequence[str] | Mapping[str, str] = ()
    # Files the edge has read: an image's src or a link's href as written → (name in the bundle, bytes)
    files: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    # Files given beside the document, for '附件：' lines: name without extension → (file name, bytes)
    attachments: Mapping[str, tuple[str, bytes]] = field(default_factory=dict)


def import_text(raw: str, *, year: int | None = None, vocabulary: Sequence[str] | Mapping[str, str] = (),
                assumed_year: int | None = None) -> Draft:
    """A raw summary (plain text or HTML) → a draft briefing.

    ``year`` completes dates written '6月15日'; ``vocabulary`` lists known tags, of which
    those found in the text are suggested, most frequent first; a mapping names the tag each
    term stands for (an alias → the vocabulary's name for it).
    """
    options = Options(year=year, assumed_year=assumed_year, vocabulary=vocabulary)
    return import_any(raw, options)


def import_any(raw: str, options: Options) -> Draft:
    text = normalise(raw)
    if LOOKS_HTML.search(text):
        return import_page(read_html(text), options)
    return compose(text_blocks(text), Inlines(), None, options)


def import_page(page: Page, options: Options) -> Draft:
    """A web page or a converted Word file: its title from <h1> or <title>, never a breadcrumb."""
    title, site_names = page_title(page)
    blocks = list(page.blocks)
    if title:
        for i, block in enumerate(blocks[:8]):
            if block.kind in ("h", "p") and _same(bare(page.inlines.plain(block.text)), title):
                del blocks[i]
                break
    blocks = [b for b in blocks if not (b.kind in ("h", "p") and bare(page.inlines.plain(b.text)).strip()
                                        in site_names)]
    # The site's logo is no part of the article: a picture named like the site, or called logo.
    logos = {image for image in page.images if image[2] in site_names or re.search(r"logo", image[1], re.I)}
    if logos:
        page.images = [image for image in page.images if image not in logos]
        gone = str.maketrans({chr(TOKEN_BASE + index): None for index, _, _ in logos})
        blocks = [Block(b.kind, b.text.translate(gone), b.level, b.rows) for b in blocks]
    # A caption that only repeats the picture's alt text is said once.
    alts = {chr(TOKEN_BASE + index): alt for index, _, alt in page.images if alt}
    blocks = [b for i, b in enumerate(blocks)
              if not (i and b.kind == "p" and any(alts.get(t) == bare(b.text).strip() for t in blocks[i - 1].text))]
    found = Found(source=page.meta.get("contentsource") or None)
    pubdate = META_DATE.search(page.meta.get("pubdate", "") or page.meta.get("publishdate", ""))
    if pubdate:
        try:
            found.date = dt.date(int(pubdate[1]), int(pubdate[2]), int(pubdate[3]))
            found.date_text = pubdate[0]
        except ValueError:
            pass
    return compose(blocks, page.inlines, title or None, options, found, page)


def page_title(page: Page) -> tuple[str, set[str]]:
    """The article's title and the site's names, from ArticleTitle, <h1> and <title>; never a breadcrumb."""
    parts = [p for p in _TITLE_SEPARATORS.split(page.title_tag) if p.strip()]
    site = page.meta.get("sitename", "")
    headings = [h.strip() for h in page.headings if h.strip() and not BREADCRUMB.search(h.strip())
                and not re.search(r"\S\s*(?:>|＞|»|›)\s*\S", h) and not SECTION.match(h.strip())]
    title = page.meta.get("articletitle", "").strip()
    longest = max(parts, key=len, default="")
    if not title:
        title = next((h for h in headings if longest and (_same(h, longest) or longest in h)), "")
    if not title:
        shorter = {p for p in parts if p != longest}
        title = next((h for h in headings if h not in shorter and h != site and len(h) >= 4), "")
    if not title:
        title = longest if longest != site else ""
    names = {p for p in parts if not _same(p, title) and p not in title} | ({site} if site else set())
    return title, names


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()) == " ".join(b.split())


def compose(blocks: list[Block], inlines: Inlines, title: str | None, options: Options,
            page_found: Found | None = None, page: Page | None = None) -> Draft:
    notes: list[str] = []
    files: dict[str, bytes] = {}
    blocks, found = clean(blocks, inlines)
    if page_found is not None:
        found.date = page_found.date or found.date
        found.date_text = page_found.date_text or found.date_text
        found.source = page_found.source or found.source
    if found.dropped:
        lines = f"{len(found.dropped)} line" + ("s" if len(found.dropped) > 1 else "")
        notes.append(f"page furniture dropped ({lines}): " + " / ".join(found.dropped[:4])
                     + (" / …" if len(found.dropped) > 4 else ""))
    if page is not None:
        _bundle_files(page, options, files, notes)
    blocks = _attachment_links(blocks, inlines, options, files, notes)
    # A headline above the opening; on a web page even when nothing follows it (then nothing is left).
    if (title is None and blocks and (len(blocks) > 1 or found.dropped) and blocks[0].kind in ("p", "h")
            and _looks_like_title(blocks[0].text)):
        title = bare(inlines.plain(blocks.pop(0).text)).strip()
    fixed: Counter[str] = Counter()
    blocks = split_glued([_fixed(b, fixed) for b in blocks])
    draft = Draft(opening_fields(_opening(blocks, inlines), title, notes), "", notes, files)
    if not any(b.text or b.rows for b in blocks):
        draft.notes = ["the text is empty"]
        draft.fields.title = title or ""
        return draft
    _date(draft, _opening(blocks, inlines), found, options)
    draft.fields.publisher = found.source
    if not draft.fields.title:
        notes.append("no title found: add title by hand")
    if explicit(blocks):
        chunks = render_explicit(blocks, notes)
    else:
        preface, items = group(blocks)
        chunks = render_plain(preface, notes)
        for number, (text, rest) in enumerate(items, start=1):
            chunks += render_item(text, number, notes, inlines.plain) + render_plain(rest, notes)
        if not items:
            notes.append("no agenda items ('会议传达学习…', '会议听取…') found: check the sections")
    body, changes = fix_markdown(inlines.expand("\n\n".join(c for c in chunks if c)) + "\n")
    fixed.update(c.rule or "" for c in changes)
    if fixed:
        counts = ", ".join(f"{n} {rule}" for rule, n in fixed.most_common())
        notes.append(f"typography fixed: {counts}")
    draft.fields.tags = tags(inlines.plain("".join(b.text for b in blocks)), options.vocabulary)
    draft.body = body
    draft.notes = _ordered(notes) + lint_notes(draft.markdown)
    return draft


def lint_notes(markdown: str) -> list[str]:
    """What the typography lint still finds, as notes; a long list is cut short."""
    found = [f"line {p.line}: {p.rule}: {p.message}" for p in lint_markdown(markdown, "imported")]
    if len(found) > MAX_LINT_NOTES:
        found[MAX_LINT_NOTES - 1:] = [f"… and {len(found) - MAX_LINT_NOTES + 1} more typography findings: "
                                      "`briefings check` lists them all"]
    return found


def _ordered(notes: list[str]) -> list[str]:
    """The 'no agenda items' note reads best last, as the first importer wrote it."""
    last = [n for n in notes if n.startswith("no agenda items")]
    return [n for n in notes if n not in last] + last


def _opening(blocks: list[Block], inlines: Inlines) -> str:
    """The first paragraph with words of its own (a picture above it is not the opening); of the
    first three such, the one that names the meeting or a day ('各镇街：' comes before it)."""
    found = [bare(inlines.plain(b.text)) for b in blocks
             if b.kind == "p" and re.search("[\u4e00-\u9fff]", TOKEN.sub("", b.text))][:3]
    return next((text for text in found if "主持召开" in text), None) or \
        next((text for text in found if DATE.search(text)), found[0] if found else "")


def _looks_like_title(text: str) -> bool:
    """A headline line above the opening: short, and not a sentence."""
    plain = bare(text).strip()
    return (len(plain) <= 50 and not re.search(r"[。！？]", plain) and not ITEM_START.match(plain)
            and not SECTION.match(plain))


def _fixed(block: Block, fixed: Counter[str]) -> Block:
    if block.kind == "table":
        return Block("table", "", rows=[[_fix(c, fixed, cell=True) for c in row] for row in block.rows])
    return Block(block.kind, _fix(block.text, fixed), block.level)


def _fix(text: str, fixed: Counter[str], cell: bool = False) -> str:
    """A block with Markdown's special characters escaped and safe typography fixes applied."""
    escaped = re.sub(r"([\\`*])", r"\\\1", text)
    escaped = re.sub(r"<(?!/?[bi]>)", r"\\<", escaped)
    escaped = re.sub(r"^([#>+=-]|\d+[.)](?=\s|$))", r"\\\1", escaped)  # not a heading, quote or list
    if not _FIXABLE.search(escaped):  # most blocks: nothing a safe fix could change
        return escaped
    fixed_text, changes = fix_markdown(escaped)
    fixed.update(c.rule or "" for c in changes)
    return fixed_text.replace("\n", " ") if cell else fixed_text


def _date(draft: Draft, opening: str, found: Found, options: Options) -> None:
    """The meeting's date from the opening ('9月12日上午'); the year from the caller, the text or
    the page's 发布时间; the page's date alone when the opening has none."""
    notes = draft.notes
    year = options.year
    written = DATE.search(opening)
    assumed = False
    if year is None and written and not written[1]:
        year = found.date.year if found.date else None
        if year is None and (full := _FULL_DATE.search(opening)):
            year = int(full[1])
        if year is None and options.assumed_year:
            year, assumed = options.assumed_year, True
    if written is None and found.date is not None:
        draft.fields.date = found.date
        notes.append(f"date {found.date.isoformat()} is the page's publication date ('{found.date_text}'): "
                     "the opening names no day, check it is the meeting's")
        return
    date = find_date(opening, year, notes)
    if date and assumed:
        notes.insert(0, f"the text gives no year: assumed {year}; pass --date to set another")
    if date and found.date and found.date != date:
        notes.append(f"the page was published on {found.date.isoformat()}; date {date.isoformat()} "
                     "is the meeting's, from the opening")
    draft.fields.date = date


def _bundle_files(page: Page, options: Options, files: dict[str, bytes], notes: list[str]) -> None:
    """Images and linked files the edge found on disk go into the bundle; the rest are noted."""
    address = page.address()
    for index, src, alt in page.images:
        local = options.files.get(src)
        if local is None and address and not re.match(r"(?:[a-z]+:|//)", src):
            src = urljoin(address, src)
            page.inlines.markdown[index] = f"![{escape_inline(alt)}]({destination(src)})"
        if local is None:
            if re.match(r"(?:https?:)?//", src):
                notes.append(f"image {src} is on another site: save it beside the briefing and link it, "
                             "so the page works offline")
            else:
                notes.append(f"image {src} was not found beside the document: add it or remove the image")
            continue
        name, data = local
        files[name] = data
        page.inlines.markdown[index] = f"![{escape_inline(alt)}]({destination(name)})"
        if not alt:
            notes.append(f"image {name} has no alt text: describe it between the brackets of ![]({name})")
    for index, href, text in page.links:
        local = options.files.get(href)
        if local is not None:
            name, data = local
            files[name] = data
            page.inlines.markdown[index] = f"[{escape_inline(text)}]({destination(name)})"
        elif address and not re.match(r"(?:[a-z]+:|//|#)", href):
            # A link into the old site: made absolute, so it still leads there.
            page.inlines.markdown[index] = f"[{escape_inline(text)}]({destination(urljoin(address, href))})"


_ITEM = re.compile(r"^\s*(?:\d{1,2}\s*[.．、]\s*)?(.+?)\s*$")


def _attachment_links(blocks: list[Block], inlines: Inlines, options: Options, files: dict[str, bytes],
                      notes: list[str]) -> list[Block]:
    """'附件：1.xx表' → a link to the file, when the file was given too."""
    out: list[Block] = []
    listing = False
    for block in blocks:
        head = ATTACHMENT.match(block.text) if block.kind == "p" else None
        numbered = block.kind == "p" and listing and re.match(r"^\d{1,2}\s*[.．、]", block.text)
        if head is None and not numbered:
            listing = False
            out.append(block)
            continue
        listing = True
        prefix = block.text[: head.end()] if head else ""
        parts = [p for p in re.split(r"(?<=\S)\s*(?=\d{1,2}\s*[.．、])", block.text[len(prefix):].strip()) if p]
        numbered_parts = [p for p in parts if re.match(r"\d{1,2}\s*[.．、]", p)]
        if head and len(parts) == 1 and not numbered_parts:  # '附件：工作台账': one file, on the line
            out.append(Block("p", prefix + _attachment(parts[0], inlines, options, files, notes)))
            continue
        if prefix:
            out.append(Block("p", prefix))
        # '附件：1.工作台账 2.责任清单', or numbered lines after '附件：': a numbered list.
        for part in parts:
            out.append(Block("list", _attachment(re.sub(r"^\d{1,2}\s*[.．、]\s*", "", part), inlines, options,
                                                 files, notes), 1))
    return out


def _attachment(part: str, inlines: Inlines, options: Options, files: dict[str, bytes], notes: list[str]) -> str:
    """One attachment's name → a link to the file given under that name (it joins the bundle)."""
    if TOKEN.search(part):
        return part  # already a link: a saved page's <a>
    item = _ITEM.match(bare(part))
    if item is None:
        return part
    name = item[1].strip("《》“” ")
    key = re.sub(r"\.\w{1,5}$", "", name)
    given = options.attachments.get(key) or options.attachments.get(name)
    if given is None:
        if name:
            notes.append(f"attachment '{name}' was not given: add the file beside the briefing and link it")
        return part
    file_name, data = given
    files[file_name] = data
    token = inlines.token(f"[{escape_inline(name)}]({destination(file_name)})")
    return part.replace(item[1], token, 1) if token else part
