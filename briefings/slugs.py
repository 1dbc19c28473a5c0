"""ASCII pinyin slugs: 市教育局召开局党组扩大会 → shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui.

Slugs become URLs that are shared in chat apps and printed in notices, so they are plain
ASCII `[a-z0-9-]`, deterministic, never empty, and cut at a syllable boundary.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass, field

from . import pinyin

SLUG_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MAX_LENGTH = 60
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _ascii_words(text: str) -> list[str]:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return [w for w in _NON_ALNUM.split(folded) if w]


def slugify(text: str, max_length: int = MAX_LENGTH) -> str:
    """A URL slug for ``text``: pinyin for Han characters, English words and numbers kept."""
    words: list[str] = []
    for item in pinyin.syllables(unicodedata.normalize("NFKC", text)):
        words.extend(_ascii_words(item))
    # Numbers at the end (a date, a document number) tell similar titles apart, so a cut
    # keeps them: "…basic education, January 30, 2023" → "…-basic-30-2023", not "…-basic".
    tail: list[str] = []
    if len("-".join(words)) > max_length:
        while words and words[-1].isdigit() and len("-".join([words[-1], *tail])) < max_length // 3:
            tail.insert(0, words.pop())
    budget = max_length - (len("-".join(tail)) + 1 if tail else 0)
    slug = ""
    for word in words:
        candidate = f"{slug}-{word}" if slug else word
        if len(candidate) > budget:
            if not slug:  # one very long word: cut it rather than return nothing
                slug = word[:budget]
            break
        slug = candidate
    slug = "-".join(part for part in (slug, *tail) if part)
    if not slug:
        # Nothing readable (emoji, punctuation only): a stable name from the text itself.
        digest = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
        slug = f"p-{digest}"
    return slug


def is_valid_slug(slug: str) -> bool:
    return bool(SLUG_PATTERN.fullmatch(slug))


@dataclass
class UrlRegistry:
    """Remembers which source claimed each URL, so a second claim can name the first."""

    owners: dict[str, str] = field(default_factory=dict)

    def claim(self, url: str, owner: str) -> str | None:
        """Claim ``url`` for ``owner``; returns the earlier owner when already taken."""
        earlier = self.owners.get(url)
        if earlier is not None and earlier != owner:
            return earlier
        self.owners[url] = owner
        return None
