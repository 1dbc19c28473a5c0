"""Chinese typography for briefings: lint findings, and the few fixes that are always safe.

Rules follow GB/T 15834 as government offices apply it: full-width punctuation in Chinese
text, no spaces between Chinese characters, ASCII digits, bold lead sentences that start
with their ordinal (``**一是…。**``), never with punctuation.

Why not autocorrect-py (2.14.0, tried on briefing_0615.txt and small samples): it fixes
``会议强调,`` → ``会议强调，`` and ``２023`` → ``2023``, but its core rule adds spaces between
Chinese and Latin/digits (``年度16件`` → ``年度 16 件``, ``6月15日`` → ``6 月 15 日``), which
government style does not want; it turns ``县(市、区)教体局`` into ``县 (市、区) 教体局`` instead
of ``县（市、区）教体局``; and it leaves ``<b>。六是``, ``建设。。推进``, ``张 荷 红`` and
``“双减”,课堂`` untouched. Switching its space rules off needs ``load_config`` (process-global
state), and its lint reports rewritten line chunks, all as errors, with no rule ids. What
would remain useful is two regex-sized rules, so we write all rules here and add no dependency.

Both entry points scan the same prose: front matter, fenced and indented code, inline code,
URLs, link destinations, HTML tags and entities are masked out first.
"""

from __future__ import annotations

import re
from bisect import bisect_left, insort
from collections.abc import Iterator
from dataclasses import dataclass

from briefings.diagnostics import Diagnostic, Severity
from briefings.pinyin import HAN_CLASS, is_han

# In a line's "view" (same length as the line) masked characters become OPAQUE: they are
# nobody's neighbour. Bold markers become MARK: rules look through them, so ``强调,**一是``
# still has ``,`` between two Chinese characters.
OPAQUE, MARK = "\x00", "\x01"

FULL = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！", "(": "（", ")": "）"}
OPENERS, CLOSERS = "“‘《（「『【〈", "”’》）」』】〉"
PAIRS = {"「": "」", "“": "”", "《": "》", "（": "）", "【": "】"}
STOPS = "。，、；：！？"  # full-width punctuation that never starts bold text

_HAN = re.compile(f"[{HAN_CLASS}]")
_HALF = re.compile(r"[,;:?!()]")
_DOUBLED = re.compile("([。，、；：])\\1+")  # not ……/——: those are single marks of two
# Full-width punctuation carries its own spacing: a space beside it is as wrong as between Han.
_WIDE = f"{HAN_CLASS}。，、；：！？“”‘’《》（）「」『』【】〈〉…—"
_HAN_SPACE = re.compile(f"(?<=[{_WIDE}])[ \\t\u3000]+(?=[{_WIDE}])")
_DIGITS = re.compile("[0-9０-９]*[０-９][0-9０-９]*")
_TO_ASCII = str.maketrans("０１２３４５６７８９", "0123456789")
_STOP_RUN = re.compile(f"[{STOPS}]+")
_NOT_TEXT = MARK + OPAQUE + "".join(FULL) + STOPS
_BOLD_OPEN = re.compile(r"<(?:b|strong)>", re.IGNORECASE)
_BOLD_MARKER = re.compile(r"\*\*|</?(?:b|strong)>", re.IGNORECASE)
_PAIR_CHARS = re.compile(f"[{''.join(PAIRS)}{''.join(PAIRS.values())}]")

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_HEADING = re.compile(r"^ {0,3}#{1,6}(?:\s|$)")
_TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>\n]*>|&(?:#\d+|#[xX][0-9a-fA-F]+|[A-Za-z]\w*);")
_BOLD_TAG = re.compile(r"</?(?:b|strong)>", re.IGNORECASE)
# A URL runs to whitespace or full-width punctuation. Han characters stay inside (IRIs such
# as '/会议?a=1' exist), so text glued to a URL goes unchecked rather than a fix corrupting it.
_URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'`\u3000-\u303f\uff00-\uffef“”‘’]+|mailto:[^\s<>]+")
_LINK_DEST = re.compile(r"(?<=\])\([^()\s]*(?:\s+\"[^\"]*\")?\)")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:.*$")


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based line in the file
    start: int  # offset of the line's first character in the text
    text: str  # without its line ending
    view: str  # same length as text, masked as described above


@dataclass(frozen=True)
class _Finding:
    line: int
    col: int  # 1-based
    rule: str
    message: str
    done: str = ""  # what fix_markdown says when it applies ``edits``
    edits: tuple[tuple[int, int, str], ...] = ()  # (start, end, replacement) in the text


def lint_markdown(text: str, path: str) -> list[Diagnostic]:
    """Every typography problem in a Markdown briefing, as warnings with line and column."""
    return [
        Diagnostic(path, f.line, Severity.WARNING, f.message, col=f.col, rule=f.rule)
        for f in _findings(text)
    ]


def fix_markdown(text: str, *, path: str = "<text>") -> tuple[str, list[Diagnostic]]:
    """Apply the safe fixes and say what changed; Han characters are never touched.

    A pass computes every fix on one snapshot, so the first pass reports positions of the
    original text. A fix can expose another (``**。。六是`` → ``。。**六是`` → ``。**六是``);
    passes repeat until nothing changes, which is what makes the function idempotent.
    """
    changes: list[Diagnostic] = []
    for _ in range(100):  # every pass shortens the text or removes a fixable finding
        fixable = [f for f in _findings(text) if f.edits]
        if not fixable:
            break
        text, applied = _apply(text, fixable)
        changes += [
            Diagnostic(path, f.line, Severity.WARNING, f.done, col=f.col, rule=f.rule)
            for f in applied
        ]
    return text, changes


def _apply(text: str, findings: list[_Finding]) -> tuple[str, list[_Finding]]:
    """Apply findings whose edits do not collide; colliding ones wait for the next pass."""
    taken: dict[tuple[int, int], str] = {}
    spans: list[tuple[int, int]] = []  # the taken edits' spans, sorted; they never overlap
    applied: list[_Finding] = []

    def collides(start: int, end: int) -> bool:
        # Spans that do not overlap, sorted by start, have sorted ends too: of those starting
        # before ``end``, only the last can reach past ``start`` (a bisect, not a scan of all).
        before = bisect_left(spans, (end, -1))
        return before > 0 and start < spans[before - 1][1]

    for finding in findings:
        fresh = [e for e in finding.edits if taken.get(e[:2]) != e[2]]
        if any(collides(s, e) for s, e, _ in fresh):
            continue
        for s, e, new in fresh:
            taken[(s, e)] = new
            insort(spans, (s, e))
        applied.append(finding)
    # Joined once, from the end backwards: rebuilding the text per edit was quadratic
    # (a 50,000-character line with 10,000 half-width commas took 9 s).
    pieces: list[str] = []
    last = len(text)
    for (start, end), new in sorted(taken.items(), reverse=True):
        pieces += [text[end:last], new]
        last = start
    pieces.append(text[:last])
    return "".join(reversed(pieces)), applied


def _findings(text: str) -> list[_Finding]:
    found: list[_Finding] = []
    for paragraph in _paragraphs(text):
        for line in paragraph:
            found += _halfwidth(line)
            found += _doubled(line)
            found += _han_space(line)
            found += _digits(line)
        found += _bold_punct(paragraph)
        found += _unbalanced(paragraph)
    return sorted(found, key=lambda f: (f.line, f.col, f.rule))


# ---- scanning: which characters are prose ---------------------------------------------


def _paragraphs(text: str) -> list[list[_Line]]:
    """Prose lines grouped into paragraphs; code and front matter are left out."""
    raw = text.split("\n")
    starts, offset = [], 0
    for chunk in raw:
        starts.append(offset)
        offset += len(chunk) + 1
    lines = [chunk.removesuffix("\r") for chunk in raw]
    skip = _front_matter_end(lines)
    paragraphs: list[list[_Line]] = []
    current: list[_Line] = []
    fence: re.Pattern[str] | None = None  # the closing line of the open code fence

    def flush() -> None:
        nonlocal current
        if current:
            paragraphs.append(current)
        current = []

    for index, content in enumerate(lines):
        opening = _FENCE.match(content)
        if fence is not None:
            if fence.match(content):
                fence = None
        elif index >= skip and opening:
            run = opening[1]
            fence = re.compile(f"^ {{0,3}}{re.escape(run[0])}{{{len(run)},}}\\s*$")
        # Four spaces after a blank line is indented code; inside a paragraph it is not.
        indented = content.startswith(("    ", "\t")) and not current
        if index < skip or fence is not None or opening or indented or not content.strip():
            flush()
            continue
        line = _Line(index + 1, starts[index], content, _mask(content))
        if _HEADING.match(content):
            flush()
            paragraphs.append([line])
        else:
            current.append(line)
    flush()
    return paragraphs


def _front_matter_end(lines: list[str]) -> int:
    """Index of the first line after a leading ``---`` block, or 0 when there is none."""
    if not lines or lines[0].lstrip("\ufeff").rstrip() != "---":
        return 0
    for index, content in enumerate(lines[1:], start=1):
        if content.rstrip() in ("---", "..."):
            return index + 1
    return 0  # never closed: not front matter, so the text is still linted


def _mask(line: str) -> str:
    view = list(line.replace(MARK, OPAQUE))

    def cover(start: int, end: int, char: str = OPAQUE) -> None:
        view[start:end] = char * (end - start)

    runs = list(re.finditer(r"`+", line))
    k = 0
    while k < len(runs):  # a code span closes with a run of backticks of the same length
        close = next((j for j in range(k + 1, len(runs)) if len(runs[j][0]) == len(runs[k][0])), 0)
        if close:
            cover(runs[k].start(), runs[close].end())
        k = close + 1 if close else k + 1
    if "<" in line or "&" in line:
        for match in _TAG.finditer("".join(view)):
            cover(*match.span(), MARK if _BOLD_TAG.fullmatch(match[0]) else OPAQUE)
    for pattern, hint in ((_URL, ":"), (_LINK_DEST, "]("), (_REF_DEF, "]:")):
        if hint in line:  # most lines have none of these: skip the regex
            for match in pattern.finditer("".join(view)):
                cover(*match.span())
    return "".join(view).replace("*", MARK)  # '*' still in the view is not masked


def _prev(view: str, index: int) -> str:
    """The visible character before ``index``, looking through bold markers; '' at the start."""
    index -= 1
    while index >= 0 and view[index] == MARK:
        index -= 1
    return view[index] if index >= 0 else ""


def _next(view: str, index: int) -> str:
    """The visible character after ``index``, looking through bold markers; '' at the end."""
    index += 1
    while index < len(view) and view[index] == MARK:
        index += 1
    return view[index] if index < len(view) else ""


def _han(char: str) -> bool:
    return bool(char) and is_han(char)


def _chinese_before(char: str) -> bool:
    return _han(char) or (bool(char) and char in CLOSERS)


def _chinese_after(char: str) -> bool:
    return _han(char) or (bool(char) and char in OPENERS)


# ---- rules ------------------------------------------------------------------------------


def _halfwidth(line: _Line) -> Iterator[_Finding]:
    """Half-width , ; : ? ! ( ) after Chinese text; fixed where the next character is too."""
    view = line.view
    for match in _HALF.finditer(view):
        char, i = match[0], match.start()
        before, after = _prev(view, i), _next(view, i)
        if not _chinese_before(before) or (char == "!" and after == "["):  # ![image]
            continue
        between = _chinese_after(after)
        where = "between Chinese characters" if between else "after a Chinese character"
        message = f"half-width '{char}' {where}; use '{FULL[char]}'"
        if char in "()":
            edits = _paren_edits(line, i)
        elif between or after == "":  # the line ends a Chinese sentence: '会议强调:'
            edits = ((line.start + i, line.start + i + 1, FULL[char]),)
        else:  # '时间:8:30', '汉, abc': the next word is not Chinese, leave it to a person
            edits = ()
        done = f"replaced half-width '{char}' with '{FULL[char]}'"
        if char in "()":
            done = "replaced half-width '( )' with '（ ）'"
        yield _Finding(line.number, i + 1, "halfwidth-punct", message, done, edits)


def _paren_edits(line: _Line, i: int) -> tuple[tuple[int, int, str], ...]:
    """Both halves of a half-width pair, so a fix never leaves '（市、区)' behind.

    A pair is converted when Chinese text touches it from outside and either its content
    is Chinese or Chinese text is on both sides ('第(1)条'); 'abc (汉字)' is left to a person.
    """
    view = line.view
    step = 1 if view[i] == "(" else -1
    j = i + step
    while 0 <= j < len(view) and view[j] not in "()":
        j += step
    if not 0 <= j < len(view) or view[j] == view[i]:
        return ()  # unpaired, or nested: the inner pair is fixed first
    open_, close = min(i, j), max(i, j)
    before, after = _prev(view, open_), _next(view, close)
    outside = _chinese_before(before) and (_chinese_after(after) or after == "")
    touching = _chinese_before(before) or _chinese_after(after)
    if not touching or not (_HAN.search(view[open_ + 1 : close]) or outside):
        return ()
    return ((line.start + open_, line.start + open_ + 1, "（"),
            (line.start + close, line.start + close + 1, "）"))


def _doubled(line: _Line) -> Iterator[_Finding]:
    for match in _DOUBLED.finditer(line.view):
        char = match[1]
        edit = (line.start + match.start(), line.start + match.end(), char)
        yield _Finding(line.number, match.start() + 1, "doubled-punct",
                       f"doubled '{char}'; use one", f"collapsed doubled '{char}'", (edit,))


def _han_space(line: _Line) -> Iterator[_Finding]:
    # Word processors pad names ('张 荷 红') and justify lines; on the web it reads as a gap.
    for match in _HAN_SPACE.finditer(line.view):
        before, after = line.view[match.start() - 1], line.view[match.end()]
        where = "between Chinese characters" if _han(before) and _han(after) else (
            f"next to '{after if _han(before) else before}'")
        edit = (line.start + match.start(), line.start + match.end(), "")
        yield _Finding(line.number, match.start() + 1, "han-space",
                       f"space {where}; remove it", f"removed space {where}", (edit,))


def _digits(line: _Line) -> Iterator[_Finding]:
    for match in _DIGITS.finditer(line.view):
        run, ascii_ = match[0], match[0].translate(_TO_ASCII)
        mixed = any(c.isascii() for c in run)
        kind = "mixed full-width and half-width digits" if mixed else "full-width digits"
        edit = (line.start + match.start(), line.start + match.end(), ascii_)
        yield _Finding(line.number, match.start() + 1, "fullwidth-digit",
                       f"{kind} '{run}'; use '{ascii_}'",
                       f"replaced {kind} '{run}' with '{ascii_}'", (edit,))


def _bold_punct(paragraph: list[_Line]) -> Iterator[_Finding]:
    """Bold that starts with punctuation: '**。六是' belongs as '。**六是'.

    The full stop of the previous sentence slips inside the bold tag when the bold is
    applied in a word processor. Which ``**`` opens is decided by counting them over the
    paragraph, the way a reader pairs them.
    """
    stars = 0
    for line in paragraph:
        for match in _BOLD_MARKER.finditer(line.text):
            if line.view[match.start() : match.end()] != MARK * len(match[0]):
                continue  # in code, or in a URL
            if match[0] == "**":
                stars += 1
                if stars % 2 == 0:
                    continue
            elif not _BOLD_OPEN.fullmatch(match[0]):
                continue
            run = _STOP_RUN.match(line.view, match.end())
            if not run:
                continue
            # Move only when real text follows: '**。**' or '**。 ' has nothing to start.
            after = line.view[run.end() : run.end() + 1]
            content = bool(after) and not after.isspace() and after not in _NOT_TEXT
            punct, marker = run[0], match[0]
            edits = ((line.start + match.start(), line.start + run.end(), punct + marker),)
            yield _Finding(line.number, match.start() + 1, "bold-punct",
                           f"bold text starts with '{punct}'; put it before the opening '{marker}'",
                           f"moved '{punct}' before the opening '{marker}'",
                           edits if content else ())


def _unbalanced(paragraph: list[_Line]) -> Iterator[_Finding]:
    """Quotes and brackets opened and closed within one paragraph, properly nested."""
    closing = {close: open_ for open_, close in PAIRS.items()}
    stack: list[tuple[str, int, int]] = []
    for line in paragraph:
        for match in _PAIR_CHARS.finditer(line.view):
            i, char = match.start(), match[0]
            if char in PAIRS:
                stack.append((char, line.number, i + 1))
            elif char in closing:
                if not any(open_ == closing[char] for open_, _, _ in stack):
                    yield _Finding(line.number, i + 1, "unbalanced-pair",
                                   f"'{char}' has no matching '{closing[char]}' in this paragraph")
                    continue
                while stack[-1][0] != closing[char]:  # '《“》': the '“' was never closed
                    yield _unclosed(*stack.pop())
                stack.pop()
    for entry in stack:
        yield _unclosed(*entry)


def _unclosed(char: str, number: int, col: int) -> _Finding:
    return _Finding(number, col, "unbalanced-pair",
                    f"'{char}' is not closed in this paragraph; expected '{PAIRS[char]}'")
