"""Traditional characters folded to simplified ones: the only importer of OpenCC.

A reader may type 課後服務 for 课后服务, and a briefing may quote a traditional name. Both
sides of a search fold, character by character, with OpenCC's own traditional → simplified
table (the ``t2s`` configuration: TSCharacters), so the index and the query meet. Folding
is per character, not per phrase, because the browser must do exactly the same thing with a
small table: the build ships only the pairs whose simplified character occurs on the site
(see ``site_fold``).

Phrase-level conversion (乾隆 stays 乾隆, 乾燥 becomes 干燥) matters for reading, not for
matching: both sides fold 乾 alike, so a query still meets the text it was typed from.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

# Where traditional characters live: CJK Unified Ideographs and Extension A (compatibility
# ideographs are folded by NFKC before this).
_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF))


@cache
def table() -> dict[int, str]:
    """Code point of each traditional character → its simplified character (about 3,800).

    Built once a process by asking OpenCC about each character (0.1 s), rather than by
    reading its binary dictionary files, whose format is OpenCC's own business."""
    import opencc

    converter = opencc.OpenCC("t2s")
    out: dict[int, str] = {}
    for first, last in _RANGES:
        chars = "\n".join(map(chr, range(first, last + 1)))
        for cp, simple in zip(range(first, last + 1), converter.convert(chars).split("\n"), strict=True):
            if len(simple) == 1 and ord(simple) != cp:
                out[cp] = simple
    return out


@cache
def _traditional() -> re.Pattern[str]:
    return re.compile("[" + "".join(map(chr, sorted(table()))) + "]")


def fold(text: str) -> str:
    """``text`` with traditional characters replaced by simplified ones (課後 → 课后).

    Most sites are written in simplified characters: a scan (in C) finds none and the text
    is returned as it is, which costs a tenth of translating it."""
    if _traditional().search(text) is None:
        return text
    return text.translate(table())


def site_fold(chars: Iterable[str]) -> dict[str, str]:
    """The pairs of the table whose simplified character is one of ``chars`` (the site's):
    what the browser needs to fold a query or a page's text, and nothing more."""
    wanted = set(chars)
    return {chr(cp): simple for cp, simple in sorted(table().items()) if simple in wanted}
