"""Counting and inverting: briefings in, per-term postings with quantised impacts out.

This is the hot loop of the search build (about 15 million term–briefing pairs for 10,000
briefings), so it is written for CPython's speed: counts come from
:func:`tokens.count_terms`, and the inversion appends through ``map`` over bound methods,
which keeps the per-pair work in C. Above a few thousand briefings the work is split into
contiguous doc-id ranges, one process each; ranges are merged in order, so the result is
the same bytes whatever the number of processes.

The stored impact of a term in a briefing is BM25's term-frequency part in 15 steps,
``round(15·w/(w + k1·(1 − b + b·dl/avgdl)))`` (at least 1), where ``w`` is the
field-weighted count (title ×3, tags ×2, headings ×2, body ×1). The idf factor is the same
for every posting of a term, so the browser multiplies it in from the term's document
frequency instead of storing it. Fifteen steps, not 255: impacts are most of a frequent
term's gzipped postings, and 255 steps made them 2.7 times larger (measured on the
10,000-briefing corpus: 5.1 KB against 2.4 KB for 课后) with no visible change in order.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter, defaultdict, deque
from collections.abc import Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from itertools import repeat

from briefings.pinyin import is_han
from briefings.search.encode import encode_ids, gzip_bytes, json_bytes, varint
from briefings.search.tokens import TermKey, count_terms, filter_term, normalize, term_text

K1, B = 1.2, 0.75
IMPACT_STEPS = 15
TITLE, TAGS, HEADINGS = 3, 2, 2  # field weights; the body counts once
PARALLEL_FROM = 2000  # below this, starting processes costs more than it saves
_TABLE_SIZE = 1024  # impacts saturate long before a field-weighted count of 1024


@dataclass(frozen=True)
class DocInput:
    """What the indexer needs of one briefing: plain data, cheap to send to a worker."""

    url: str  # with the site's base path
    title: str
    date: str  # YYYY-MM-DD
    lang: str
    tags: tuple[str, ...]
    meeting: str
    sections: tuple[tuple[str, str, str], ...]  # (anchor, heading, text)
    length: int  # field-weighted length in characters, for BM25's length normalisation
    avg_length: float  # mean length over briefings of the same language
    people: str = ""  # chair, attendees and location, a line each: searched like the body

    @property
    def headings(self) -> str:
        return "\n".join(heading for _, heading, _ in self.sections if heading)

    @property
    def body(self) -> str:
        return "\n".join([*(text for _, _, text in self.sections), self.meeting, self.people])

    def filters(self) -> list[str]:
        """Pseudo-terms of the filters this briefing matches."""
        terms = [filter_term("tag", tag) for tag in self.tags]
        terms += [filter_term("year", self.date[:4]), filter_term("lang", self.lang)]
        if self.meeting:
            terms.append(filter_term("meeting", self.meeting))
        return list(dict.fromkeys(terms))

    def fragment(self) -> bytes:
        """The JSON the browser shows for a result: link, title, date, tags, sections."""
        fields = {
            "u": self.url, "t": self.title, "d": self.date, "g": list(self.tags),
            "m": self.meeting, "l": self.lang, "s": [list(s) for s in self.sections],
        }
        if self.people:  # names a quoted phrase may be looked for in
            fields["p"] = self.people
        return json_bytes(fields)


def weighted_length(title: str, tags: Sequence[str], sections: Sequence[tuple[str, str, str]],
                    meeting: str) -> int:
    """Field-weighted character count: what BM25 calls the document length."""
    return (
        sum(len(text) + HEADINGS * len(heading) for _, heading, text in sections)
        + len(meeting) + TITLE * len(title) + TAGS * sum(map(len, tags))
    )


@dataclass
class TermPostings:
    """One term's postings over a range of doc ids, already encoded."""

    df: int
    first: int
    last: int
    ids: bytes  # varints: the first id, then the gaps (see encode.encode_ids)
    impacts: bytes  # one byte per doc id


@dataclass
class Postings:
    """Every term's postings (term text → postings) and the gzipped fragments, in id order."""

    terms: dict[str, TermPostings]
    fragments: list[bytes]


LENGTH_STEPS = 64  # a briefing's length relative to the average is rounded to 1/64ths


def length_bucket(length: int, avg_length: float) -> int:
    """``length / avg_length`` in 64ths, rounded: briefings in one bucket share their impacts."""
    return round(LENGTH_STEPS * length / avg_length) if avg_length else LENGTH_STEPS


def impact_table(bucket: int) -> list[int]:
    """Impact (1…15) for each field-weighted count below _TABLE_SIZE in this length bucket.

    A function of the bucket alone (not of the average length too), so an index patched
    after an edit moved the average has the very impacts a cold build computes.
    """
    norm = K1 * (1 - B + B * bucket / LENGTH_STEPS)
    return [0] + [max(1, round(IMPACT_STEPS * w / (w + norm))) for w in range(1, _TABLE_SIZE)]


def index_docs(docs: Sequence[DocInput], first_id: int) -> Postings:
    """Invert ``docs``, whose ids are ``first_id``, ``first_id + 1`` …"""
    # Per term one flat list [id, impact, id, impact, …]: one lookup and one C-level extend
    # per pair, a third faster than separate id and impact lists.
    pairs: defaultdict[TermKey, list[int]] = defaultdict(list)
    term_list, extend = pairs.__getitem__, list.extend
    tables: dict[int, list[int]] = {}
    fragments: list[bytes] = []
    for doc_id, doc in enumerate(docs, first_id):
        # One count gives title ×3, tags and headings ×2, body ×1: the body and title once,
        # then title, tags and headings twice. Newlines end Han runs, so no pair spans two.
        fields = "\n".join((doc.title, *doc.tags, doc.headings))
        counts = count_terms(normalize("\n".join((doc.body, doc.title, fields, fields))))
        # Briefings whose lengths round alike share a table: a few dozen tables in all.
        bucket = length_bucket(doc.length, doc.avg_length)
        table = tables.get(bucket)
        if table is None:
            table = tables[bucket] = impact_table(bucket)
        try:
            impacts = bytes(map(table.__getitem__, counts.values()))
        except IndexError:  # a count beyond the table: saturated, like the table's last entry
            impacts = bytes(table[min(w, _TABLE_SIZE - 1)] for w in counts.values())
        deque(map(extend, map(term_list, counts), zip(repeat(doc_id), impacts)), maxlen=0)
        for term in doc.filters():
            pairs[term] += (doc_id, 1)
        fragments.append(gzip_bytes(doc.fragment()))
    terms = {}
    for key, flat in pairs.items():
        ids = flat[0::2]
        terms[term_text(key)] = TermPostings(
            len(ids), ids[0], ids[-1], encode_ids(ids), bytes(flat[1::2])
        )
    return Postings(terms=terms, fragments=fragments)


def merge(parts: Sequence[Postings]) -> Postings:
    """Join the postings of consecutive doc-id ranges, in range order."""
    terms: dict[str, TermPostings] = {}
    fragments: list[bytes] = []
    for part in parts:
        for term, more in part.terms.items():
            have = terms.get(term)
            if have is None:
                terms[term] = more
                continue
            # ``more`` starts with its first id in full; here it becomes a gap.
            head = len(varint(more.first))
            ids = have.ids + varint(more.first - have.last) + more.ids[head:]
            terms[term] = TermPostings(
                have.df + more.df, have.first, more.last, ids, have.impacts + more.impacts
            )
        fragments.extend(part.fragments)
    return Postings(terms=terms, fragments=fragments)


def default_workers(count: int) -> int:
    """One process per core (at most four) for a large site, none for a small one."""
    if count < PARALLEL_FROM:
        return 1
    return max(1, min(os.cpu_count() or 1, 4, count // (PARALLEL_FROM // 2)))


class Workers:
    """Worker processes for the search build, or none: every method works either way.

    ``index`` starts the inversion and returns at once, so the caller can do other work
    meanwhile; ``postings`` waits for it. Where processes cannot be forked or die, the work
    is done in this process instead: slower, never different.
    """

    def __init__(self, count: int) -> None:
        self._pool: ProcessPoolExecutor | None = None
        self._docs: Sequence[DocInput] = ()
        self._futures: list[Future[Postings]] = []
        # Worker processes are forked: cheap, and no importable ``__main__`` is needed
        # (spawn would re-run ``python -m briefings``). Forking a process that runs other
        # threads (the dev server's watcher) can deadlock the child, so then: no workers.
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if count > 1 and forkable and threading.active_count() == 1:
            try:
                context = multiprocessing.get_context("fork")
                self._pool = ProcessPoolExecutor(count, mp_context=context)
            except (OSError, RuntimeError, ValueError):
                self._pool = None
        self.count = count if self._pool else 1

    def __enter__(self) -> Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None

    def index(self, docs: Sequence[DocInput]) -> None:
        self._docs, self._futures = docs, []
        if self._pool is None or not docs:
            return
        step = -(-len(docs) // self.count)
        try:
            self._futures = [
                self._pool.submit(index_docs, docs[start : start + step], start)
                for start in range(0, len(docs), step)
            ]
        except (OSError, RuntimeError, BrokenProcessPool):
            self._broken()

    def postings(self) -> Postings:
        if self._futures:
            try:
                return merge([future.result() for future in self._futures])
            except (OSError, RuntimeError, BrokenProcessPool):
                self._broken()
        return index_docs(self._docs, 0)

    def gzip(self, blobs: Sequence[bytes], level: int) -> list[bytes]:
        if self._pool is not None:
            try:
                chunk = max(1, len(blobs) // (4 * self.count))
                return list(self._pool.map(gzip_bytes, blobs, repeat(level), chunksize=chunk))
            except (OSError, RuntimeError, BrokenProcessPool):
                self._broken()
        return [gzip_bytes(blob, level) for blob in blobs]

    def _broken(self) -> None:
        self.__exit__()
        self._futures = []
        self.count = 1


def count_chars(postings: Postings) -> Counter[str]:
    """Document frequency of every Han character on the site."""
    return Counter({t: p.df for t, p in postings.terms.items() if len(t) == 1 and is_han(t)})
