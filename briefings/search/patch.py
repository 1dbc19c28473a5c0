"""Update the last search index for briefings whose text changed, instead of building it again.

A cold index of 10,000 briefings costs about 26 s of CPU; one edited body touches a few
hundred of its 1,650 term shards and one fragment. ``patch_index`` re-counts the terms of
the edited briefings (old and new versions), moves their postings in the shards that hold
those terms, and leaves every other byte as it was. The result is byte for byte the index a
cold build makes of the same briefings (tests compare them), or None where it cannot be:

* the briefings' order (doc ids) or URLs changed, or their titles, tags, meetings or dates:
  those reach the facets and every id after the first change;
* the edits moved the average length far enough that more than a few other briefings'
  length buckets change (their impacts change with them);
* the shards' total size crossed a multiple of the shard target, so the shard count
  changes and every term moves.

Then the caller builds the index again. None of these is common for a typo fixed in a body.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Sequence
from dataclasses import replace
from itertools import accumulate

from briefings.model import Briefing
from briefings.pinyin import is_han
from briefings.search.encode import decode_varints, encode_ids, gzip_bytes, shard_of
from briefings.search.index import (
    SearchIndex,
    average_lengths,
    briefing_length,
    doc_input,
    fold_file,
    names,
    order,
    pair_file,
    shard_count,
    syllable_file,
    term_record,
)
from briefings.search.pairs import is_pair, pair_entry, shard_mask, sort_entries
from briefings.search.postings import DocInput, count_terms, impact_table, length_bucket, normalize, term_text

MAX_REWEIGHED = 50  # other briefings whose length bucket may change before a full build is cheaper


def doc_counts(doc: DocInput) -> dict[str, int]:
    """Term → field-weighted count in one briefing, as ``postings.index_docs`` counts them."""
    fields = "\n".join((doc.title, *doc.tags, doc.headings))
    counts = count_terms(normalize("\n".join((doc.body, doc.title, fields, fields))))
    return {term_text(key): count for key, count in counts.items()}


def doc_impacts(doc: DocInput, counts: dict[str, int]) -> dict[str, int]:
    """Term → impact of one briefing, exactly as ``postings.index_docs`` stores them."""
    table = impact_table(length_bucket(doc.length, doc.avg_length))
    impacts = {term: table[min(count, len(table) - 1)] for term, count in counts.items()}
    for term in doc.filters():
        impacts[term] = 1
    return impacts


def _outline(b: Briefing) -> tuple[object, ...]:
    """What of a briefing reaches the index beyond its own postings and fragment."""
    return (b.url, b.date, b.lang, b.title, b.tags, b.meeting, b.chair, b.attendees, b.location)


def patch_index(index: SearchIndex, previous: Sequence[Briefing], current: Sequence[Briefing],
                edited: set[str], fill: Callable[[Briefing], None] | None = None) -> SearchIndex | None:
    """The index of ``current``, from ``index`` (the index of ``previous``); None if it cannot be
    patched (see the module's notes). ``edited``: sources of the briefings that differ.

    Only the edited briefings' texts are read, and those of the few others re-weighed:
    ``fill`` is called on each of those first (briefings may come from the build cache
    without their bodies).
    """
    after = order(current)
    # ``previous`` differs in the edited briefings only: its order is found from theirs
    was = {b.source: b for b in previous if b.source in edited}
    before = [was.get(b.source, b) for b in after]
    if len(previous) != len(after) or len(after) != len(index.urls) or was.keys() != edited:
        return None
    base = index.base_path
    changed = [i for i, b in enumerate(after) if b.source in edited]
    for i in changed if fill is not None else ():
        fill(before[i])
        fill(after[i])
    if any(_outline(before[i]) != _outline(after[i]) or before[i].source != after[i].source for i in changed) \
            or any(base + b.url != url for b, url in zip(after, index.urls, strict=True)):
        return None  # other briefings, or other URLs, dates, titles …: not an edit of bodies alone
    old_lengths, new_lengths = index.lengths, list(index.lengths)
    for i in changed:
        if briefing_length(before[i]) != old_lengths[i]:
            return None  # not the index of ``previous``
        new_lengths[i] = briefing_length(after[i])
    old_avg, new_avg = average_lengths(before, old_lengths), average_lengths(after, new_lengths)
    old_docs = {i: doc_input(before[i], base, old_lengths[i], old_avg[before[i].lang]) for i in changed}
    new_docs = {i: doc_input(after[i], base, new_lengths[i], new_avg[after[i].lang]) for i in changed}
    moved = {lang for lang in new_avg if new_avg[lang] != old_avg[lang]}
    reweighed = [i for i, b in enumerate(after) if b.lang in moved and i not in old_docs
                 and length_bucket(old_lengths[i], old_avg[b.lang]) != length_bucket(new_lengths[i], new_avg[b.lang])]
    if len(reweighed) > MAX_REWEIGHED:
        return None
    for i in reweighed:
        if fill is not None:
            fill(before[i])
            fill(after[i])
        old_docs[i] = doc_input(before[i], base, old_lengths[i], old_avg[before[i].lang])
        new_docs[i] = doc_input(after[i], base, new_lengths[i], new_avg[after[i].lang])

    # term → {doc id: new impact, or 0 where the briefing no longer has the term}
    moves: dict[str, dict[int, int]] = {}
    for i in sorted(old_docs):
        counts = doc_counts(old_docs[i])  # a reweighed briefing's text is as it was
        old = doc_impacts(old_docs[i], counts)
        new = doc_impacts(new_docs[i], doc_counts(new_docs[i]) if i in changed else counts)
        for term in old.keys() | new.keys():
            if old.get(term) != new.get(term):
                moves.setdefault(term, {})[i] = new.get(term, 0)
    shards = list(index.shards)
    sizes = list(index.shard_sizes)
    char_df = dict(index.char_df)
    pair_df: dict[str, int] = {}  # pairs whose number of briefings changed → the new number
    by_shard: dict[int, list[str]] = {}
    for term in moves:
        by_shard.setdefault(shard_of(term, len(shards)), []).append(term)
    for n, terms in by_shard.items():
        records = _records(gzip.decompress(shards[n]))
        for term in terms:
            postings = _postings(records[term]) if term in records else {}
            for doc_id, impact in moves[term].items():
                if impact:
                    postings[doc_id] = impact
                else:
                    postings.pop(doc_id, None)
            if len(term) == 1 and is_han(term):
                _count(char_df, term, len(postings))
            elif is_pair(term):
                pair_df[term] = len(postings)
            if postings:
                ids = sorted(postings)
                records[term] = term_record(term, len(ids), encode_ids(ids), bytes(postings[i] for i in ids))
            else:
                del records[term]
        raw = b"".join(records[term] for term in sorted(records))
        sizes[n] = len(raw)
        shards[n] = gzip_bytes(raw, level=6)
    if shard_count(sum(sizes)) != len(shards):
        return None  # every term changes shard: a full build
    fragments = list(index.fragments)
    for i in changed:
        fragments[i] = gzip_bytes(new_docs[i].fragment())
    same_chars = char_df.keys() == index.char_df.keys()
    pairs = _patched_pairs(index.pairs, pair_df, names(after))
    return replace(
        index, shards=shards, shard_sizes=sizes, fragments=fragments, pairs=pairs,
        pair_mask=index.pair_mask if pairs.keys() == index.pairs.keys() else shard_mask(pairs),
        syllables=syllable_file(char_df, pairs) if char_df != index.char_df or pairs.keys() != index.pairs.keys()
        else index.syllables,
        fold=index.fold if same_chars else fold_file(char_df),
        lengths=new_lengths, char_df=char_df,
    )


def _patched_pairs(pairs: dict[str, bytes], pair_df: dict[str, int], named: set[str]) -> dict[str, bytes]:
    """The pair shards with the new numbers of briefings of ``pair_df``'s pairs (0: gone)."""
    by_key: dict[str, dict[str, list[str | int] | None]] = {}
    for pair, df in pair_df.items():
        entry, keys = pair_entry(pair, df, pair in named)
        for key in keys:
            by_key.setdefault(key, {})[pair] = entry if df else None
    out = dict(pairs)
    for key, changes in by_key.items():
        entries = {str(e[0]): e for e in json.loads(gzip.decompress(out[key]))} if key in out else {}
        for pair, entry in changes.items():
            if entry is None:
                entries.pop(pair, None)
            else:
                entries[pair] = entry
        if entries:
            out[key] = pair_file(sort_entries(entries.values()))
        else:
            out.pop(key, None)
    return dict(sorted(out.items()))


def _count(char_df: dict[str, int], char: str, df: int) -> None:
    if df:
        char_df[char] = df
    else:
        char_df.pop(char, None)


def _records(raw: bytes) -> dict[str, bytes]:
    """A term shard's records, whole, by term (see index.py for the layout)."""
    records: dict[str, bytes] = {}
    pos = 0
    while pos < len(raw):
        start = pos
        (length,), pos = decode_varints(raw, 1, pos)
        term = raw[pos : pos + length].decode()
        pos += length
        (df, size), pos = decode_varints(raw, 2, pos)
        pos += size + df
        records[term] = raw[start:pos]
    return records


def _postings(record: bytes) -> dict[int, int]:
    """Doc id → impact of one record."""
    (length,), pos = decode_varints(record, 1)
    (df, size), pos = decode_varints(record, 2, pos + length)
    gaps, _ = decode_varints(record, df, pos)
    return dict(zip(accumulate(gaps), record[pos + size : pos + size + df], strict=True))
