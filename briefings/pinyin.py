"""The only importer of pypinyin: readings, initials and sort keys for Chinese text.

pypinyin segments phrases before reading them, so heteronyms come out right
(重庆 → chong qing, 银行 → yin hang). That segmentation costs about 40 ms on a whole
briefing body, so callers read titles, tags and terms — never whole bodies — and the
results are cached per distinct string.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache
from types import ModuleType
from typing import Any

# CJK Unified Ideographs, Extension A and Compatibility Ideographs: what readers call 汉字.
HAN_CLASS = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
HAN_RUN = re.compile(f"[{HAN_CLASS}]+")
_HAN_CHAR = re.compile(f"[{HAN_CLASS}]")


@cache
def load() -> ModuleType:
    """pypinyin, imported on first use: loading its phrase dictionaries takes half a second,
    which a build with nothing to do (or a command that reads no Chinese) need not pay.
    Parsing calls it before forking its workers, so they share one copy."""
    import pypinyin

    return pypinyin


@cache
def _reader() -> Any:
    """A ``pypinyin.core.Pinyin`` whose converter remembers each word it has read.

    pypinyin cuts a text into words, then reads each word on its own (``convert``): the same
    reading whatever surrounds the word. Titles share most of their words (市教育局, 召开,
    会议 …), so reading each distinct word once makes 10,000 titles 4.3 times faster to read
    (4.4 s → 1.0 s), with the very same syllables: a cold build's largest pinyin cost.
    """
    from pypinyin.converter import UltimateConverter
    from pypinyin.core import Pinyin

    class RememberingConverter(UltimateConverter):  # type: ignore[misc]
        def __init__(self) -> None:
            super().__init__()
            self.words: dict[tuple[Any, ...], list[list[str]]] = {}

        def convert(self, words: str, style: Any, heteronym: bool, errors: Any, strict: bool,
                    **kwargs: Any) -> list[list[str]]:
            if kwargs or callable(errors):  # not a plain reading: nothing to remember it by
                return super().convert(words, style, heteronym, errors, strict, **kwargs)
            key = (words, style, heteronym, errors, strict)
            found = self.words.get(key)
            if found is None:
                if len(self.words) >= _MAX_WORDS:
                    self.words.clear()
                found = self.words[key] = super().convert(words, style, heteronym, errors, strict)
            return found  # lazy_pinyin joins the words' lists into a new one: never changed

    return Pinyin(RememberingConverter())


_MAX_WORDS = 200_000  # distinct words remembered; a long-running process starts afresh past this


def lazy_pinyin(text: str, *, style: Any, errors: str = "default") -> list[str]:
    """``pypinyin.lazy_pinyin(text, style=style, errors=errors)``, each distinct word read once."""
    load()
    return _reader().lazy_pinyin(text, style=style, errors=errors)  # type: ignore[no-any-return]


def is_han(char: str) -> bool:
    return bool(_HAN_CHAR.fullmatch(char))


# Readings already worked out, by (kind, text). Kept between command-line builds in the build
# cache (see ``known``/``remember``), so a rebuild after an edit that re-reads titles, headings
# and tags it has read before never loads pypinyin's dictionaries: 0.75 s of a 5 s rebuild.
_known: dict[tuple[str, str], tuple[str, ...]] = {}
_learned: dict[tuple[str, str], tuple[str, ...]] = {}  # worked out in this process, not yet saved
_keeping = False  # whether anything will save what is learned (command-line builds; not the dev server)
_MAX_KNOWN = 500_000  # a long-running process starts afresh past this


def _reading(kind: str, text: str, work_out: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
    key = (kind, text)
    found = _known.get(key)
    if found is None:
        if len(_known) >= _MAX_KNOWN:
            _known.clear()
        found = _known[key] = work_out()
        if _keeping:
            _learned[key] = found
    return found


def learned() -> dict[tuple[str, str], tuple[str, ...]]:
    """The readings worked out since the last call, for the cache (or a parent process)."""
    new = dict(_learned)
    _learned.clear()
    return new


def known() -> dict[tuple[str, str], tuple[str, ...]]:
    return dict(_known)


def remember(readings: dict[tuple[str, str], tuple[str, ...]], new: bool = False) -> None:
    """Readings worked out before (``new``: by a worker, so not yet saved); from here on what
    this process works out is kept for ``learned``."""
    global _keeping
    _keeping = True
    _known.update(readings)
    if new:
        _learned.update(readings)


def syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables of the Han characters in ``text``, ü written as ``v``.

    Non-Han text between them is returned as its own items, unchanged, so callers
    can keep English words and numbers (``双减ABC`` → ``shuang``, ``jian``, ``ABC``).
    """
    return _reading("n", text, lambda: tuple(lazy_pinyin(text, style=load().Style.NORMAL)))


def han_syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables of the Han characters only, one per character."""
    def work_out() -> tuple[str, ...]:
        out: list[str] = []
        for run in HAN_RUN.findall(text):
            out.extend(lazy_pinyin(run, style=load().Style.NORMAL))
        return tuple(out)

    return _reading("h", text, work_out)


def initials(text: str) -> str:
    """First letters of each Han syllable: 课后服务 → khfw."""
    return "".join(s[0] for s in han_syllables(text) if s)


def with_tones(text: str) -> str:
    """Reading with tone marks for display next to a tag: 课后服务 → kè hòu fú wù."""
    return _reading("t", text, lambda: (" ".join(
        s for s in lazy_pinyin(text, style=load().Style.TONE) if s.strip()),))[0]


def sort_key(text: str) -> tuple[str, str]:
    """Order Chinese (and mixed) names by pinyin, the way printed indexes are ordered.

    The text itself breaks ties between homophones, so the order is total and stable.
    """
    reading = " ".join(syllables(text)).lower()
    return (unicodedata.normalize("NFKD", reading), text)


def index_letter(text: str) -> str:
    """The A–Z group a name is filed under: the first letter of its reading, or '#'."""
    for item in syllables(text.strip()):
        for char in unicodedata.normalize("NFKD", item):
            if char.isascii() and char.isalpha():
                return char.upper()
            if char.isdigit():
                return "#"
    return "#"


_TONE_MARKS = re.compile("[\u0300-\u036f]")


def toneless(syllable: str) -> str:
    """shuāng → shuang, nǚ → nv: how readers type a syllable on a keyboard."""
    decomposed = unicodedata.normalize("NFD", syllable.lower()).replace("u\u0308", "v")
    return _TONE_MARKS.sub("", decomposed)


def char_readings(char: str) -> tuple[str, ...]:
    """Every toneless reading of one Han character, the most common first (行 → xing, hang, heng).

    From pypinyin's character table (no segmentation): microseconds a character, so the
    search index can read each of the site's characters in all its readings. Remembered
    like the other readings, so a rebuild after a body edit needs no pypinyin."""
    def work_out() -> tuple[str, ...]:
        found = load().pinyin_dict.pinyin_dict.get(ord(char))
        return tuple(dict.fromkeys(toneless(s) for s in found.split(",") if s)) if found else ()

    return _reading("c", char, work_out)


@cache
def _phrases() -> dict[str, list[list[str]]]:
    load()
    from pypinyin.phrases_dict import phrases_dict

    return phrases_dict  # type: ignore[no-any-return]


def pair_reading(pair: str) -> tuple[str, ...] | None:
    """The reading pypinyin's phrase table gives two characters together (银行 → yin, hang),
    or None if they are not a phrase there. A dictionary look-up, not a segmentation."""
    def work_out() -> tuple[str, ...]:
        found = _phrases().get(pair)
        return tuple(toneless(item[0]) for item in found) if found and len(found) == 2 else ()

    return _reading("p", pair, work_out) or None
