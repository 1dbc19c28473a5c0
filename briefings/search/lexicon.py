"""What the browser needs to answer pinyin: a syllable table and a lexicon of site words.

Pinyin is never stored per posting. Instead the build ships

- ``syllables``: toneless syllable → the site's characters with that reading, most frequent
  first. A character is listed under its own reading and under every reading it has inside
  a lexicon word (行 under xing, and under hang because of 银行);
- a lexicon of the site's own words — tags, meetings, and the 2–6-character sequences that
  recur in titles, headings and a sample of bodies — each with its phrase-aware reading
  from :mod:`briefings.pinyin` (银行 → yin hang, 会计 → kuai ji) and a weight, sharded by the
  first letters of its first two syllables (课后服务 → ``kh``).

The browser parses ``khfw``, ``kehouf`` or ``课后fw`` into syllables, initials and literal
characters, reads one shard and runs the matching words as ordinary Han queries.

Counting every n-gram of 10,000 bodies would take longer than the whole index, so bodies
are sampled (every k-th briefing, so the sample is deterministic); titles and headings are
short and always counted in full. An n-gram is kept only if it is *closed*: no one-longer
n-gram containing it is nearly as frequent, which drops 课后服 (always followed by 务) but
keeps 课后服务 (followed by 工作, 质量, 水平 …).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from briefings import pinyin
from briefings.pinyin import HAN_RUN

MIN_GRAM, MAX_GRAM = 2, 6
MIN_COUNT = 2  # an n-gram seen once in the sample is noise, not a word of the site
CLOSED_RATIO = 0.9  # pruned when an extension has at least this share of its count
MAX_ENTRIES = 20_000  # bounds the pypinyin work (~70 µs an entry) and the lexicon's size
TAG_BONUS = 1000  # tags and meetings are the words readers search for: rank them first


@dataclass(frozen=True)
class LexiconInput:
    """Normalised texts the lexicon is counted from."""

    titles: Sequence[str]
    headings: Sequence[str]
    bodies: Sequence[str]  # a sample of bodies
    names: Mapping[str, int]  # tags and meetings → number of briefings carrying them


@dataclass(frozen=True)
class Lexicon:
    shards: dict[str, list[list[str | int]]]  # 'kh' → [[text, 'ke hou fu wu', weight], …]
    char_readings: dict[str, set[str]]  # readings each character has inside lexicon words


def count_ngrams(texts: Iterable[str]) -> Counter[str]:
    """Occurrences of every 2–7-character Han sequence (7 only to judge 6-grams closed).

    Runs between punctuation repeat a lot (set phrases, formulaic titles), so each distinct
    run is cut into n-grams once and its n-grams counted with the run's multiplicity.
    """
    runs: Counter[str] = Counter()
    for text in texts:
        runs.update(HAN_RUN.findall(text))
    counts: Counter[str] = Counter()
    for run, times in runs.items():
        size = len(run)
        for n in range(MIN_GRAM, min(MAX_GRAM + 1, size) + 1):
            # map over slices keeps the loop in C; a generator would be twice as slow
            grams = map(run.__getitem__, map(slice, range(size - n + 1), range(n, size + 1)))
            if times == 1:
                counts.update(grams)
            else:
                for gram in grams:
                    counts[gram] += times
    return counts


def closed_ngrams(counts: Mapping[str, int]) -> dict[str, int]:
    """The n-grams (2–6) seen at least MIN_COUNT times with no near-equal extension."""
    longest: dict[str, int] = {}
    for gram, count in counts.items():
        if len(gram) > MIN_GRAM:
            for part in (gram[:-1], gram[1:]):
                if longest.get(part, 0) < count:
                    longest[part] = count
    return {
        gram: count
        for gram, count in counts.items()
        if len(gram) <= MAX_GRAM
        and count >= MIN_COUNT
        and longest.get(gram, 0) < CLOSED_RATIO * count
    }


def reading(text: str) -> tuple[str, ...] | None:
    """Phrase-aware toneless syllables of Han ``text``, one per character, else None."""
    if not HAN_RUN.fullmatch(text):
        return None
    syllables = pinyin.syllables(text)
    if len(syllables) != len(text) or not all(s.isascii() and s.isalpha() for s in syllables):
        return None
    return tuple(s.lower() for s in syllables)


def shard_key(syllables: Sequence[str]) -> str:
    """First letters of the first two syllables: the lexicon shard a word lives in."""
    return "".join(s[0] for s in syllables[:2])


def build_lexicon(source: LexiconInput) -> Lexicon:
    """Choose the site's words, read them once each, and group them by shard key."""
    weights: Counter[str] = Counter()
    body_counts = closed_ngrams(count_ngrams(source.bodies))
    weights.update(body_counts)
    # Titles and headings are counted in full; a title n-gram counts three times, as the
    # title field does in ranking.
    for gram, count in closed_ngrams(count_ngrams([*source.titles, *source.headings])).items():
        weights[gram] += 3 * count
    for name, docs in source.names.items():
        if HAN_RUN.fullmatch(name) and len(name) >= MIN_GRAM:
            weights[name] += TAG_BONUS + docs
    chosen = sorted(weights.items(), key=lambda item: (-item[1], item[0]))[:MAX_ENTRIES]

    shards: dict[str, list[list[str | int]]] = {}
    char_readings: dict[str, set[str]] = {}
    for text, weight in chosen:
        syllables = reading(text)
        if syllables is None:
            continue
        shards.setdefault(shard_key(syllables), []).append([text, " ".join(syllables), weight])
        for char, syllable in zip(text, syllables, strict=True):
            char_readings.setdefault(char, set()).add(syllable)
    for entries in shards.values():
        entries.sort(key=lambda entry: (-int(entry[2]), str(entry[0])))
    return Lexicon(shards=shards, char_readings=char_readings)


def syllable_table(
    char_counts: Mapping[str, int], char_readings: Mapping[str, set[str]]
) -> dict[str, str]:
    """Syllable → characters read that way on the site, most frequent first.

    A character's own reading comes from pypinyin once per character; the readings it has
    inside lexicon words add the heteronyms that actually occur (行 → xing and hang).
    """
    table: dict[str, list[str]] = {}
    for char in char_counts:
        readings = set(char_readings.get(char, ()))
        own = reading(char)
        if own:
            readings.add(own[0])
        for syllable in readings:
            table.setdefault(syllable, []).append(char)
    return {
        syllable: "".join(sorted(chars, key=lambda c: (-char_counts[c], c)))
        for syllable, chars in sorted(table.items())
    }


def shard_mask(keys: Iterable[str]) -> str:
    """Which two-letter shards exist, as a hex bitmap over 'aa'…'zz' (26×26 bits).

    One-letter keys (one-syllable words) are not shipped: the syllable table answers them.
    """
    bits = 0
    for key in keys:
        if len(key) == 2:
            bits |= 1 << ((ord(key[0]) - 97) * 26 + ord(key[1]) - 97)
    return f"{bits:0169x}"
