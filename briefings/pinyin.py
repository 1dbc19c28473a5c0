"""The only importer of pypinyin: readings, initials and sort keys for Chinese text.

pypinyin segments phrases before reading them, so heteronyms come out right
(重庆 → chong qing, 银行 → yin hang). That segmentation costs about 40 ms on a whole
briefing body, so callers read titles, tags and terms — never whole bodies — and the
results are cached per distinct string.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from types import ModuleType

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


def lazy_pinyin(text: str, **options: object) -> list[str]:
    return load().lazy_pinyin(text, **options)


def is_han(char: str) -> bool:
    return bool(_HAN_CHAR.fullmatch(char))


@lru_cache(maxsize=65536)
def syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables of the Han characters in ``text``, ü written as ``v``.

    Non-Han text between them is returned as its own items, unchanged, so callers
    can keep English words and numbers (``双减ABC`` → ``shuang``, ``jian``, ``ABC``).
    """
    return tuple(lazy_pinyin(text, style=load().Style.NORMAL, errors="default", v_to_u=False))


@lru_cache(maxsize=65536)
def han_syllables(text: str) -> tuple[str, ...]:
    """Toneless syllables of the Han characters only, one per character."""
    out: list[str] = []
    for run in HAN_RUN.findall(text):
        out.extend(lazy_pinyin(run, style=load().Style.NORMAL, v_to_u=False))
    return tuple(out)


def initials(text: str) -> str:
    """First letters of each Han syllable: 课后服务 → khfw."""
    return "".join(s[0] for s in han_syllables(text) if s)


def with_tones(text: str) -> str:
    """Reading with tone marks for display next to a tag: 课后服务 → kè hòu fú wù."""
    return " ".join(
        s for s in lazy_pinyin(text, style=load().Style.TONE, errors="default") if s.strip()
    )


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
