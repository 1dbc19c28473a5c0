"""The pinyin tables' work and size as a site grows: pair shards and syllables at N briefings.

Usage: python benchmarks/pairs.py [N ...] [--rare K]

The generated corpus repeats one real summary, so its vocabulary stays at ~1,400 pairs
whatever N: far fewer than a real site's. Here each of N briefings has the pairs of a
generated briefing (its counts scaled) plus K words (default 12) a real briefing adds
(names, places, programmes), drawn Zipf-like from pypinyin's phrase dictionary (47,000
words of 2–6 Han characters) and run together four at a time, so that the pairs across word
boundaries count as they do in real text. Then the build's own code files every pair (pairs.pair_files) and writes the
syllable and fold tables, timed; sizes are gzip, as served. "4 syllables" is what a cold
four-syllable pinyin query reads: the three pair shards of xiao·yuan·zu·qiu (xi-y, yu-z, zu-q), or
of its initials xyzq (xy, yz, zq).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from briefings import pinyin
from briefings.search.index import fold_file, pair_files, syllable_file
from briefings.search.pairs import is_pair


def vocabulary() -> list[str]:
    pinyin.load()
    from pypinyin.phrases_dict import phrases_dict

    return sorted(w for w in phrases_dict if 2 <= len(w) <= 6 and all(is_pair(w[i:i + 2]) for i in range(len(w) - 1)))


def pair_counts(n: int, rare: int, words: list[str]) -> tuple[Counter[str], Counter[str]]:
    rng = random.Random(17)
    weights = [1 / (rank + 1000) for rank in range(len(words))]  # Zipf-like: a few words recur
    pairs: Counter[str] = Counter()
    chars: Counter[str] = Counter()
    for _ in range(n):
        seen = set()
        chosen = rng.choices(words, weights, k=rare)
        # words run into each other in a sentence: the pairs across their boundaries count too
        for start in range(0, len(chosen), 4):
            run = "".join(chosen[start:start + 4])
            seen.update(run[i:i + 2] for i in range(len(run) - 1))
        pairs.update(seen)
        chars.update({c for p in seen for c in p})
    # the generated corpus's own ~1,400 pairs, in most briefings
    base = "市教育局召开局党组扩大会传达学习全省课后服务现场会精神优质均衡双减中考考试安全校园安全舆情"
    for i in range(len(base) - 1):
        pairs[base[i:i + 2]] += n
    return pairs, chars


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--rare", type=int, default=12)
    args = parser.parse_args()
    words = vocabulary()
    print(f"vocabulary: {len(words)} words from pypinyin's phrase dictionary; {args.rare} a briefing")
    for n in args.sizes:
        pairs, chars = pair_counts(n, args.rare, words)
        start = time.perf_counter()
        files = pair_files(dict(pairs), set())
        syllables, fold = syllable_file(dict(chars), files), fold_file(dict(chars))
        seconds = time.perf_counter() - start
        sizes = sorted(len(data) for data in files.values())
        initials = sum(len(files.get(key, b"")) for key in ("xy", "yz", "zq"))
        syllables_read = sum(len(files.get(key, b"")) for key in ("xi-y", "yu-z", "zu-q"))
        print(f"\n== {n} briefings: {len(pairs):,} distinct pairs, {len(chars):,} characters; "
              f"pair tables built in {seconds:.1f} s")
        print(f"  pair shards: {len(files)} files, {sum(sizes) / 1e6:.1f} MB gzip; median "
              f"{statistics.median(sizes) / 1e3:.1f} KB, p90 {sizes[int(len(sizes) * 0.9)] / 1e3:.1f} KB, "
              f"max {sizes[-1] / 1e3:.1f} KB")
        print(f"  syllables {len(syllables) / 1e3:.1f} KB, fold {len(fold) / 1e3:.1f} KB; "
              f"pair shards read by xiaoyuanzuqiu (xi-y, yu-z, zu-q) {syllables_read / 1e3:.1f} KB, "
              f"by xyzq (xy, yz, zq) {initials / 1e3:.1f} KB")


if __name__ == "__main__":
    main()
