"""English inflections folded for search: step 1 of Porter's stemmer (1980), and only step 1.

Step 1 undoes inflections — plurals (schools → school, policies → polici), -ed and -ing
(inspected → inspect, planning → plan) and a final y (safety → safeti) — and leaves
derivations alone: services → service, never serve. The later steps fold derivations
(-ational, -ness, -ize …), which join words a reader means apart (general, generate) and
make the browser's copy of the rules three times longer. ``stem`` in search-core.mjs is the
same rules line by line; tests/fixtures/search_tokens.json holds words both sides check.
"""

from __future__ import annotations

_VOWELS = frozenset("aeiou")


def _consonant(word: str, i: int) -> bool:
    """Porter's consonant: not a vowel, and y only where it follows a vowel or starts the word."""
    char = word[i]
    if char in _VOWELS:
        return False
    if char == "y":
        return i == 0 or not _consonant(word, i - 1)
    return True


def _measure(stem: str) -> int:
    """m in [C](VC)^m[V]: how many vowel–consonant sequences ``stem`` has."""
    m, vowel_seen = 0, False
    for i in range(len(stem)):
        if _consonant(stem, i):
            if vowel_seen:
                m += 1
            vowel_seen = False
        else:
            vowel_seen = True
    return m


def _has_vowel(stem: str) -> bool:
    return any(not _consonant(stem, i) for i in range(len(stem)))


def _double_consonant(word: str) -> bool:
    return len(word) >= 2 and word[-1] == word[-2] and _consonant(word, len(word) - 1)


def _cvc(word: str) -> bool:
    """Ends consonant–vowel–consonant, the last not w, x or y (hop, not hoop or show)."""
    n = len(word)
    return (n >= 3 and _consonant(word, n - 3) and not _consonant(word, n - 2)
            and _consonant(word, n - 1) and word[-1] not in "wxy")


def stem(word: str) -> str:
    """Porter's step 1 (1a, 1b, 1c) of a lowercase word; words of two letters or fewer, and
    anything but a–z, are returned as they are."""
    if len(word) <= 2 or not word.isascii() or not word.isalpha():
        return word
    # 1a: plurals
    if word.endswith(("sses", "ies")):  # caresses → caress, ponies → poni
        word = word[:-2]
    elif word.endswith("s") and not word.endswith("ss"):
        word = word[:-1]
    # 1b: -eed, -ed, -ing
    if word.endswith("eed"):
        if _measure(word[:-3]) > 0:
            word = word[:-1]
    else:
        for suffix in ("ed", "ing"):
            if word.endswith(suffix) and _has_vowel(word[: -len(suffix)]):
                word = word[: -len(suffix)]
                if word.endswith(("at", "bl", "iz")):
                    word += "e"
                elif _double_consonant(word) and word[-1] not in "lsz":
                    word = word[:-1]
                elif _measure(word) == 1 and _cvc(word):
                    word += "e"
                break
    # 1c: a final y after a vowel-bearing stem
    if word.endswith("y") and _has_vowel(word[:-1]):
        word = word[:-1] + "i"
    return word
