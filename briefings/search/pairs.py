"""What the browser needs to answer pinyin for every word of the site.

Every word a reader can see — in a title, a tag, a name, a heading or once in a body — is a
run of Han character pairs the index already holds (校园足球: 校园 园足 足球). So the build
ships no dictionary of words; it ships the site's own pairs under their readings:

- ``syllables``: toneless syllable → the site's characters with that reading, in two tables:
  ``main`` (a character's most common reading) and ``alt`` (its other readings: 行 is listed
  under xing in main and under hang and heng in alt), most frequent characters first;
- pair shards: every distinct pair of Han characters on the site with the number of
  briefings it is in, filed under the first letters of its readings (银行 under ``yx``,
  ``yh``), so ``yh`` and ``银h`` read the shard ``yh``; and again under the first two letters
  of the first reading and the first of the second (``yi-h``, ``yi-x``), which is what
  ``yinhang`` reads: on a site with a real vocabulary a tenth of the bytes. A pair inside a
  tag is marked ``named`` (1): the site's own vocabulary, offered before fragments of
  phrases (``sj``: 双减 before 市教 of 市教育局). Where pypinyin's phrase
  table reads a pair other than its characters' main readings (银行 → yin hang, 重庆 →
  chong qing), the pair carries that reading, which ranks it first for those syllables.

The browser splits ``xiaoyuanzuqiu`` (or ``xyzq``, ``校园zq``, ``xiaoyuan足球``) into units,
reads the shards of each two neighbouring units, chains pairs that overlap (校园 + 园足 +
足球) into words whose every pair is on the site, and searches the best as Han text: the
very query a reader typing 校园足球 makes. Pairs and their counts come from the postings,
so this costs no extra pass over the text; reading a pair is two look-ups in pypinyin's
character table, and a phrase-table look-up where a character has several readings.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from briefings import pinyin
from briefings.pinyin import HAN_RUN, is_han

Entry = list[str | int]  # [pair, briefings, named] or [pair, briefings, named, "yin hang"]


def is_pair(term: str) -> bool:
    return len(term) == 2 and is_han(term[0]) and is_han(term[1])


def preferred(pair: str) -> tuple[str, ...] | None:
    """The phrase reading of ``pair`` where it differs from its characters' main readings."""
    first, second = pinyin.char_readings(pair[0]), pinyin.char_readings(pair[1])
    if not first or not second or (len(first) == 1 and len(second) == 1):
        return None
    phrase = pinyin.pair_reading(pair)
    if phrase is None or phrase == (first[0], second[0]):
        return None
    return phrase


def pair_keys(pair: str, phrase: tuple[str, ...] | None = None) -> set[str]:
    """The shards a pair is filed in, for every reading of each character: its first letters
    (``yh``: what initials read) and the first two letters of the first syllable with the
    first letter of the second (``yi-h``: what a typed syllable reads, a tenth of the bytes)."""
    readings = [set(pinyin.char_readings(char)) for char in pair]
    if phrase:
        readings[0].add(phrase[0])
        readings[1].add(phrase[1])
    seconds = {r[0] for r in readings[1]}
    return {r[0] + b for r in readings[0] for b in seconds} | {r[:2] + "-" + b for r in readings[0] for b in seconds}


def pair_entry(pair: str, df: int, named: bool = False) -> tuple[Entry, set[str]]:
    """A pair's entry and the shards it is filed in (none if a character has no reading)."""
    phrase = preferred(pair)
    entry: Entry = [pair, df, int(named)] if phrase is None else [pair, df, int(named), " ".join(phrase)]
    return entry, pair_keys(pair, phrase)


def named_pairs(names: Iterable[str]) -> set[str]:
    """The pairs inside ``names`` (normalised tags)."""
    return {run[i : i + 2] for name in names for run in HAN_RUN.findall(name) for i in range(len(run) - 1)}


def sort_entries(entries: Iterable[Entry]) -> list[Entry]:
    """A shard's order: most briefings first, then by the pair (so bytes never vary)."""
    return sorted(entries, key=lambda e: (-int(e[1]), str(e[0])))


def pair_shards(pair_df: Mapping[str, int], named: set[str]) -> dict[str, list[Entry]]:
    """Shard key → its entries, for every pair of the site."""
    shards: dict[str, list[Entry]] = {}
    for pair, df in pair_df.items():
        entry, keys = pair_entry(pair, df, pair in named)
        for key in keys:
            shards.setdefault(key, []).append(entry)
    return {key: sort_entries(entries) for key, entries in sorted(shards.items())}


def syllable_table(char_df: Mapping[str, int], keys: Iterable[str] = ()) -> dict[str, dict[str, str] | str]:
    """``{"main": {syllable: characters}, "alt": {…}, "keys": hex}`` for the site's characters,
    most frequent first (see the module's notes). ``keys`` says which pair shards by two
    letters and one exist (``xi-y``; the entry's bitmap covers those by two letters): a bitmap
    over the syllables' distinct first two letters, in order, times 26 letters."""
    tables: dict[str, dict[str, list[str]]] = {"main": {}, "alt": {}}
    for char in char_df:
        readings = pinyin.char_readings(char)
        for n, syllable in enumerate(readings):
            tables["alt" if n else "main"].setdefault(syllable, []).append(char)
    out: dict[str, dict[str, str] | str] = {
        kind: {s: "".join(sorted(chars, key=lambda c: (-char_df[c], c))) for s, chars in sorted(t.items())}
        for kind, t in tables.items()
    }
    prefixes = sorted({s[:2] for t in tables.values() for s in t})
    place = {prefix: n for n, prefix in enumerate(prefixes)}
    bits = 0
    for key in keys:
        prefix, _, letter = key.partition("-")
        if letter and prefix in place:
            bits |= 1 << (place[prefix] * 26 + ord(letter) - 97)
    out["keys"] = f"{bits:x}"
    return out


def shard_mask(keys: Iterable[str]) -> str:
    """Which two-letter shards exist, as a hex bitmap over 'aa'…'zz' (26×26 bits)."""
    bits = 0
    for key in keys:
        if len(key) != 2:
            continue
        bits |= 1 << ((ord(key[0]) - 97) * 26 + ord(key[1]) - 97)
    return f"{bits:0169x}"
