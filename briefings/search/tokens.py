"""Search tokens: the one definition shared by the index build and the browser.

Text is normalised (NFKC, lowercase, traditional characters folded to simplified ones,
Latin diacritics dropped), then every maximal run of Han characters gives each character
and each overlapping pair (课后服务 → 课 后 服 务 课后 后服 服务) and every ``[a-z0-9]+`` run
gives one word, its inflections folded (schools → school, see stem.py). No dictionary segmenter is
involved, so ``themes/default/static/search-core.mjs`` computes exactly the same tokens;
``tests/fixtures/search_tokens.json`` holds the cases both test suites check.

Tags, years, meetings and languages become pseudo-terms (``#tag:双减``) so that filters are
answered from the same shard files as words.

Indexing 10,000 briefings means counting about 35 million tokens, so :func:`count_terms`
counts with C-level loops over UTF-16 code units and returns integer keys (a character's
code point, or two code points packed into one int for a pair); :func:`term_text` turns a
key back into the token string once per distinct term. :func:`tokenize` is the readable
reference that the tests hold :func:`count_terms` to.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from array import array
from collections import Counter, deque
from itertools import chain, repeat
from operator import itemgetter, lshift, or_

from briefings.pinyin import HAN_CLASS
from briefings.search.fold import fold
from briefings.search.stem import stem

_MARKS = re.compile("[\u0300-\u036f]+")
TOKEN = re.compile(f"[{HAN_CLASS}]+|[a-z0-9]+")
_NOT_HAN_GROUP = re.compile(f"([^{HAN_CLASS}]+)")
_WORD = re.compile("[a-z0-9]+")
_SPACES = re.compile(r"\s+")

# Pseudo-term prefixes; '#' never occurs in a token, so they cannot collide with words.
FILTER_KINDS = ("tag", "year", "meeting", "lang")

TermKey = int | str

# count_terms reads UTF-16 in native byte order: one 16-bit unit per Han character, and a
# 32-bit read at an even offset is a pair, whose first character is in the low half on a
# little-endian machine and in the high half on a big-endian one.
_UTF16 = "utf-16-le" if sys.byteorder == "little" else "utf-16-be"
_FIRST, _SECOND = (0, 16) if sys.byteorder == "little" else (16, 0)
assert array("H").itemsize == 2 and array("I").itemsize == 4


def normalize(text: str) -> str:
    """NFKC, lowercase, traditional → simplified, then drop combining diacritics
    (Café → cafe, shuāng → shuang, 課後 → 课后; NFKC already folds compatibility ideographs).
    """
    lowered = fold(unicodedata.normalize("NFKC", text).lower())
    return _MARKS.sub("", unicodedata.normalize("NFD", lowered))


def tokenize(text: str) -> list[str]:
    """Tokens of ``text`` in reading order: per Han run its characters then its pairs."""
    out: list[str] = []
    for match in TOKEN.finditer(normalize(text)):
        run = match.group()
        if run[0].isascii():
            out.append(stem(run))
        else:
            out.extend(run)
            out.extend(run[i : i + 2] for i in range(len(run) - 1))
    return out


def filter_term(kind: str, value: str | int) -> str:
    """The pseudo-term of a filter: ``filter_term("tag", "双减")`` → ``#tag:双减``."""
    if kind not in FILTER_KINDS:
        raise ValueError(f"unknown filter kind {kind!r}; expected one of {FILTER_KINDS}")
    return f"#{kind}:{_SPACES.sub(' ', normalize(str(value))).strip()}"


def count_terms(normalized: str) -> Counter[TermKey]:
    """Token counts of already-normalised text; :func:`term_text` turns keys into tokens.

    Counter(tokenize(t)) gives the same counts with string keys, three times slower:
    the body of a briefing is counted here, titles and tags may use either.
    """
    # Split keeps the separators (odd items); Latin words can only be in them, and
    # scanning the short separators is cheaper than scanning the whole text again.
    pieces = _NOT_HAN_GROUP.split(normalized)
    runs = [run for run in pieces[0::2] if run]
    words = _WORD.findall(" ".join(pieces[1::2]))
    han = " ".join(runs).encode(_UTF16)
    # Han code points are all in the BMP (see HAN_CLASS): one unit is one character.
    counts: Counter[TermKey] = Counter(array("H", han))
    counts.update(array("I", han[: len(han) // 4 * 4]))
    counts.update(array("I", han[2 : 2 + (len(han) - 2) // 4 * 4]))
    # Drop the keys that touch the space joining two runs: they are not tokens. They are
    # computed from the runs' ends rather than filtered key by key, which would cost more
    # than the counting.
    firsts = map(lshift, map(ord, map(itemgetter(0), runs[1:])), repeat(_SECOND))
    lasts = map(lshift, map(ord, map(itemgetter(-1), runs[:-1])), repeat(_FIRST))
    junk = chain(
        (0x20,),
        map(or_, firsts, repeat(0x20 << _FIRST)),  # (space, first character of a run)
        map(or_, lasts, repeat(0x20 << _SECOND)),  # (last character of a run, space)
    )
    deque(map(counts.pop, junk, repeat(None)), maxlen=0)
    counts.update(map(stem, words))
    return counts


def term_text(key: TermKey) -> str:
    """The token string of a :func:`count_terms` key."""
    if isinstance(key, str):
        return key
    if key > 0xFFFF:
        return chr(key >> _FIRST & 0xFFFF) + chr(key >> _SECOND & 0xFFFF)
    return chr(key)
