"""CJK-friendly emphasis for markdown-it-py.

Why this exists: CommonMark decides whether a ``*``/``_``/``~~`` run may open or close
emphasis from the characters on either side of it (the "flanking" rules).  Those rules
assume that words are separated by spaces, so a run that sits between punctuation and a
letter is only allowed to open, never to close.  Chinese briefings mark their numbered
points as ``**一是深入学习贯彻。**全市教育系统…``: the closing ``**`` follows the
full-width full stop and precedes a Han character, so plain CommonMark leaves the
asterisks in the output.

This module implements the "CJK-friendly amendments" to CommonMark by tats-u
(https://github.com/tats-u/markdown-cjk-friendly, ``specification.md``).  In short:

* CJK punctuation (``。，）》`` ...) no longer blocks a run from flanking: only
  *non-CJK* punctuation does.
* A run after a CJK character (or an Ideographic Variation Selector) may open even
  when followed by non-CJK punctuation, e.g. ``𰻞𰻞**(ビャンビャン)**麺``.
* A run after non-CJK punctuation may close when followed by a CJK character.
* A general-use variation selector (U+FE00..U+FE0E) is looked through, so ``。︀``
  behaves like ``。``; ``“︁`` etc. (CJK ambiguous punctuation sequences) count as CJK
  punctuation.
* For ``_``/``__`` the amended flanking definitions apply as well, and rules 2/6 accept
  a punctuation character followed by a variation selector before the run.

Text without CJK characters or variation selectors parses exactly as in CommonMark:
the amended conditions reduce to the original ones when no CJK character is involved.

markdown-it-py (unlike markdown-it in JavaScript) has no ``md.inline.State`` hook, so
the plugin replaces ``md.inline.parse`` on the given instance with one that builds a
:class:`CjkFriendlyStateInline`; the emphasis and strikethrough rules call
``state.scanDelims`` and therefore pick up the amended rules without being copied.
"""

from __future__ import annotations

from bisect import bisect_right
from typing import TYPE_CHECKING

from markdown_it.common.utils import isMdAsciiPunct, isPunctChar, isWhiteSpace
from markdown_it.rules_inline.state_inline import Scanned, StateInline

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token
    from markdown_it.utils import EnvType

__all__ = ["CjkFriendlyStateInline", "cjk_friendly_plugin", "is_cjk"]

# Code points that are "CJK characters" in the spec's sense: East Asian Width W, F or H
# and not a default-emoji-presentation character, or Script=Hangul.  Unassigned code
# points in the ideograph blocks count as W, as UAX #11 prescribes.  Generated from
# Unicode 17 data (EastAsianWidth, emoji-data, Scripts); the same list as the spec's
# ranges.md.  Kept as data rather than computed with ``unicodedata`` because Python's
# bundled Unicode is older (3.11 ships 14.0) and the stdlib knows no emoji properties.
# fmt: off
_CJK_RANGES: tuple[tuple[int, int], ...] = (
    (0x1100, 0x11FF), (0x20A9, 0x20A9), (0x2329, 0x232A), (0x2630, 0x2637),
    (0x268A, 0x268F), (0x2E80, 0x2E99), (0x2E9B, 0x2EF3), (0x2F00, 0x2FD5),
    (0x2FF0, 0x303E), (0x3041, 0x3096), (0x3099, 0x30FF), (0x3105, 0x312F),
    (0x3131, 0x318E), (0x3190, 0x31E5), (0x31EF, 0x321E), (0x3220, 0x3247),
    (0x3250, 0xA48C), (0xA490, 0xA4C6), (0xA960, 0xA97C), (0xAC00, 0xD7A3),
    (0xD7B0, 0xD7C6), (0xD7CB, 0xD7FB), (0xF900, 0xFAFF), (0xFE10, 0xFE19),
    (0xFE30, 0xFE52), (0xFE54, 0xFE66), (0xFE68, 0xFE6B), (0xFF01, 0xFFBE),
    (0xFFC2, 0xFFC7), (0xFFCA, 0xFFCF), (0xFFD2, 0xFFD7), (0xFFDA, 0xFFDC),
    (0xFFE0, 0xFFE6), (0xFFE8, 0xFFEE), (0x16FE0, 0x16FE4), (0x16FF0, 0x16FF6),
    (0x17000, 0x18CD5), (0x18CFF, 0x18D1E), (0x18D80, 0x18DF2), (0x1AFF0, 0x1AFF3),
    (0x1AFF5, 0x1AFFB), (0x1AFFD, 0x1AFFE), (0x1B000, 0x1B122), (0x1B132, 0x1B132),
    (0x1B150, 0x1B152), (0x1B155, 0x1B155), (0x1B164, 0x1B167), (0x1B170, 0x1B2FB),
    (0x1D300, 0x1D356), (0x1D360, 0x1D376), (0x1F200, 0x1F200), (0x1F202, 0x1F202),
    (0x1F210, 0x1F219), (0x1F21B, 0x1F22E), (0x1F230, 0x1F231), (0x1F237, 0x1F237),
    (0x1F23B, 0x1F23B), (0x1F240, 0x1F248), (0x1F260, 0x1F265), (0x20000, 0x3FFFD),
)
# fmt: on
_CJK_STARTS: tuple[int, ...] = tuple(start for start, _ in _CJK_RANGES)

# Ideographic Variation Selectors (Variation Selectors Supplement block).
_IVS_FIRST, _IVS_LAST = 0xE0100, 0xE01EF
# Non-emoji general-use variation selectors: U+FE00..U+FE0E (U+FE0F asks for emoji
# presentation, so a character followed by it is not treated as its base character).
_VS_FIRST, _VS_LAST = 0xFE00, 0xFE0E
# "CJK ambiguous punctuation sequences": quotation marks of East Asian Width A that
# StandardizedVariants.txt gives a fullwidth form with U+FE01.  ``“︁`` is a CJK quote.
_CJK_AMBIGUOUS_PUNCT = frozenset({"\u2018", "\u2019", "\u201c", "\u201d"})
_FULLWIDTH_VS = "\ufe01"


def is_cjk(ch: str) -> bool:
    """Return whether the single character ``ch`` is a CJK character per the spec."""
    cp = ord(ch)
    if cp < 0x1100:  # fast path: nothing below the Hangul Jamo block is CJK
        return False
    i = bisect_right(_CJK_STARTS, cp) - 1
    return i >= 0 and cp <= _CJK_RANGES[i][1]


def _is_punct(ch: str) -> bool:
    # Same notion of "Unicode punctuation" (P* and S*) as markdown-it-py's own scanDelims.
    return isMdAsciiPunct(ord(ch)) or isPunctChar(ch)


def _is_space(ch: str) -> bool:
    return isWhiteSpace(ord(ch))


def _is_general_vs(ch: str) -> bool:
    return _VS_FIRST <= ord(ch) <= _VS_LAST


def _is_ivs(ch: str) -> bool:
    return _IVS_FIRST <= ord(ch) <= _IVS_LAST


def _classify_preceding(src: str, start: int) -> tuple[bool, bool, bool]:
    """Classify what precedes the run at ``start`` as (whitespace, punctuation, CJK).

    Python strings index code points, so a non-BMP character such as ``𰻞`` is one
    ``src`` element and needs none of the surrogate-pair stitching the JavaScript
    implementation does.  (A lone surrogate is just "other"; the spec leaves that case
    unspecified.)
    """
    # The beginning of the inline content counts as whitespace, as in CommonMark.
    last = src[start - 1] if start > 0 else " "
    if _is_ivs(last):
        # An IVS only ever follows an ideograph, so it stands for a CJK character
        # (left-flanking rule 2bδ).  It is neither punctuation nor whitespace.
        return False, False, True
    if not _is_general_vs(last):
        return _is_space(last), _is_punct(last), is_cjk(last)
    # A variation selector only restyles the character before it, so classify that one
    # ("CJK sequence" / "punctuation sequence" in the spec).
    base = src[start - 2] if start > 1 else None
    if base is None or _is_space(base) or _is_ivs(base):
        # Unspecified by the spec; treat the stray selector as an ordinary letter.
        return False, False, False
    if base in _CJK_AMBIGUOUS_PUNCT and last == _FULLWIDTH_VS:
        return False, True, True
    return False, _is_punct(base), is_cjk(base)


class CjkFriendlyStateInline(StateInline):
    """Inline parser state whose ``scanDelims`` follows the CJK-friendly amendments."""

    def scanDelims(self, start: int, canSplitWord: bool) -> Scanned:
        """Scan the run of markers at ``start`` and decide if it can open/close.

        ``canSplitWord`` is true for ``*`` and ``~~`` and false for ``_``, which may not
        open or close inside a word (rules 2, 3, 6 and 7 of the CommonMark spec).
        """
        src = self.src
        maximum = self.posMax
        marker = src[start]
        pos = start
        while pos < maximum and src[pos] == marker:
            pos += 1

        prev_space, prev_punct, prev_cjk = _classify_preceding(src, start)
        # The end of the inline content counts as whitespace.  Unlike the preceding side,
        # the following side is one plain character: the spec's rules name the following
        # *character* only, and leave a selector directly after the run to implementers.
        nxt = src[pos] if pos < maximum else " "
        next_space, next_punct, next_cjk = _is_space(nxt), _is_punct(nxt), is_cjk(nxt)

        # Only non-CJK punctuation restricts flanking: CJK punctuation is written without
        # surrounding spaces, so it cannot be used to tell opening from closing runs.
        prev_non_cjk_punct = prev_punct and not prev_cjk
        next_non_cjk_punct = next_punct and not next_cjk

        left_flanking = not next_space and (
            not next_non_cjk_punct or prev_space or prev_non_cjk_punct or prev_cjk
        )
        right_flanking = not prev_space and (
            not prev_non_cjk_punct or next_space or next_non_cjk_punct or next_cjk
        )

        # Unchanged from CommonMark except that prev_punct now also covers "punctuation
        # followed by a variation selector" (amended rules 2 and 6 for ``_``).
        can_open = left_flanking and (canSplitWord or not right_flanking or prev_punct)
        can_close = right_flanking and (canSplitWord or not left_flanking or next_punct)
        return Scanned(can_open, can_close, pos - start)


def cjk_friendly_plugin(md: MarkdownIt) -> None:
    """Make ``*``, ``_`` and ``~~`` emphasis of ``md`` CJK-friendly.

    Usage: ``MarkdownIt("commonmark").enable("strikethrough").use(cjk_friendly_plugin)``.
    Only this ``md`` instance is affected.
    """
    inline = md.inline

    def parse(src: str, md: MarkdownIt, env: EnvType, tokens: list[Token]) -> list[Token]:
        # Mirrors ParserInline.parse; only the state class differs.
        state = CjkFriendlyStateInline(src, md, env, tokens)
        inline.tokenize(state)
        for rule in inline.ruler2.getRules(""):
            rule(state)
        return state.tokens

    inline.parse = parse  # type: ignore[method-assign]
