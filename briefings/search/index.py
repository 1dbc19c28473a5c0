"""Lay out the search files: term shards, fragments, lexicon, syllables, facets, entry.

Everything but ``search/entry.json`` lives in ``search/<build>/``, where ``<build>`` is a
hash of all those files' contents: the files can be cached forever, and one small entry
file, fetched fresh, names the current build. (Hashing each file's name instead would make
the entry list thousands of hashes — 15 KB or more on every first query.)

::

    search/entry.json              {"v", "build", "docs", "shards", "lex"}
    search/<build>/t/<n>.bin       term shard n: terms whose CRC-32 modulo "shards" is n
    search/<build>/f/<id>.bin      fragment of briefing <id>: url, title, date, tags, sections
    search/<build>/l/<xy>.bin      lexicon words whose first two syllables start with x, y
    search/<build>/syllables.bin   syllable → characters
    search/<build>/facets.bin      tags, years, meetings and languages with their counts

``.bin`` files are gzip; the extension keeps servers from labelling them
``Content-Encoding: gzip``, which would make the browser inflate them a second time.
A term shard is a sequence of records, terms in code-point order::

    varint len(term) · term (UTF-8) · varint df · varint len(ids) · ids · df impact bytes

where ids are varints (the first doc id, then the gaps) and an impact is 1–15, BM25's
term-frequency part (see postings.py); pseudo-terms (``#tag:…``) have impact 1 and are
used as filters. Doc ids number briefings newest first, so ties in score go to the most
recent. One fragment per briefing means as many files as briefings: the price of fetching
only the ten results shown (2–4 KB each) rather than pages of the site.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable, Sequence

from briefings.model import Briefing
from briefings.search.encode import gzip_bytes, json_bytes, shard_of, varint
from briefings.search.lexicon import LexiconInput, build_lexicon, shard_mask, syllable_table
from briefings.search.postings import (
    DocInput,
    Postings,
    Workers,
    count_chars,
    default_workers,
    weighted_length,
)
from briefings.search.tokens import normalize

FORMAT_VERSION = 1
SHARD_TARGET = 16_000  # raw bytes a term shard aims at: 4–6 KB once gzipped
LEXICON_SAMPLE = 400  # bodies counted for the lexicon; titles and headings are all counted


_INDEX_FILE = re.compile(r"search/(?:entry\.json|[0-9a-f]+/.+)")


def is_index_file(path: str) -> bool:
    """A file of the search index (not the search page, which is a page like any other)."""
    return bool(_INDEX_FILE.fullmatch(path))


def order(briefings: Iterable[Briefing]) -> list[Briefing]:
    """Doc-id order: newest first, ties by URL, so ids (and bytes) never depend on input order."""
    return sorted(sorted(briefings, key=lambda b: b.url), key=lambda b: b.date, reverse=True)


def doc_inputs(briefings: Sequence[Briefing], base_path: str) -> list[DocInput]:
    """The indexer's view of each briefing, in doc-id order.

    Only cheap work happens here (lengths); tokenising and fragment JSON happen in the
    worker processes.
    """
    parts = []
    for b in briefings:
        sections = tuple((s.anchor, s.heading, s.text) for s in b.sections)
        sections = sections or (("", "", b.summary),)
        length = weighted_length(b.title, b.tags, sections, b.meeting or "")
        parts.append((b, sections, length))
    lengths: dict[str, list[int]] = {}
    for b, _, length in parts:
        lengths.setdefault(b.lang, []).append(length)
    averages = {lang: sum(values) / len(values) for lang, values in lengths.items()}
    return [
        DocInput(
            url=base_path + b.url, title=b.title, date=b.date.date().isoformat(), lang=b.lang,
            tags=tuple(b.tags), meeting=b.meeting or "", sections=sections, length=length,
            avg_length=averages[b.lang],
        )
        for b, sections, length in parts
    ]


def term_shards(postings: Postings) -> list[bytes]:
    """Group the terms' records into shards (raw; the caller gzips them)."""
    records: dict[str, bytes] = {}
    for term, p in postings.terms.items():
        text = term.encode()
        records[term] = b"".join(
            (varint(len(text)), text, varint(p.df), varint(len(p.ids)), p.ids, p.impacts)
        )
    count = max(1, -(-sum(map(len, records.values())) // SHARD_TARGET))
    shards: list[list[bytes]] = [[] for _ in range(count)]
    for term in sorted(records):
        shards[shard_of(term, count)].append(records[term])
    return [b"".join(shard) for shard in shards]


def facets(briefings: Sequence[Briefing]) -> dict[str, list[list[str | int]]]:
    """Filter values with their counts, most common first (years newest first)."""
    counters: dict[str, Counter[str | int]] = {
        "tag": Counter(t for b in briefings for t in b.tags),
        "meeting": Counter(b.meeting for b in briefings if b.meeting),
        "lang": Counter(b.lang for b in briefings),
    }
    out: dict[str, list[list[str | int]]] = {
        kind: [[value, n] for value, n in sorted(c.items(), key=lambda i: (-i[1], str(i[0])))]
        for kind, c in counters.items()
    }
    years = Counter(b.year for b in briefings)
    out["year"] = [[year, years[year]] for year in sorted(years, reverse=True)]
    return out


def lexicon_input(docs: Sequence[DocInput], briefings: Sequence[Briefing]) -> LexiconInput:
    step = max(1, len(docs) // LEXICON_SAMPLE)
    names: Counter[str] = Counter()
    for b in briefings:
        names.update(normalize(name) for name in (*b.tags, b.meeting or "") if name)
    return LexiconInput(
        titles=[normalize(d.title) for d in docs],
        headings=sorted({normalize(h) for d in docs for h in d.headings.split("\n") if h}),
        bodies=[normalize(d.body) for d in docs[::step]],
        names=names,
    )


def build_search_index(
    briefings: Sequence[Briefing], *, base_path: str, workers: int | None = None
) -> dict[str, bytes]:
    """All search files, output-relative path → bytes; the same input gives the same bytes.

    ``base_path`` ('' or e.g. '/briefings') prefixes the result links stored in fragments.
    ``workers`` forces the number of indexing processes (default: by site size).
    """
    ordered = order(briefings)
    docs = doc_inputs(ordered, base_path)
    with Workers(default_workers(len(docs)) if workers is None else workers) as pool:
        pool.index(docs)
        lexicon = build_lexicon(lexicon_input(docs, ordered))  # while the workers index
        postings = pool.postings()
        shards = pool.gzip(term_shards(postings), level=6)

    files: dict[str, bytes] = {}
    for n, shard in enumerate(shards):
        files[f"t/{n}.bin"] = shard
    for doc_id, fragment in enumerate(postings.fragments):
        files[f"f/{doc_id}.bin"] = fragment
    for key, entries in lexicon.shards.items():
        files[f"l/{key}.bin"] = gzip_bytes(json_bytes(entries))
    syllables = syllable_table(count_chars(postings), lexicon.char_readings)
    files["syllables.bin"] = gzip_bytes(json_bytes(syllables))
    files["facets.bin"] = gzip_bytes(json_bytes(facets(ordered)))

    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + hashlib.sha256(files[path]).digest())
    build = digest.hexdigest()[:12]
    entry = {
        "v": FORMAT_VERSION,
        "build": build,
        "docs": len(ordered),
        "shards": sum(1 for path in files if path.startswith("t/")),
        "lex": shard_mask(lexicon.shards),
    }
    out = {f"search/{build}/{path}": data for path, data in sorted(files.items())}
    out["search/entry.json"] = json_bytes(entry)
    return out
