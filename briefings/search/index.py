"""Lay out the search files: term shards, fragments, pairs, syllables, fold, facets, entry.

Every file but ``search/entry.json`` is named by a hash of its contents (a file or a group of
files, their folder): the files can be cached forever, and one small entry file, fetched
fresh, names the current ones. After an edit of one briefing's text only the groups whose
bytes changed are new, so an incremental build (see patch.py) writes a few hundred files
instead of every one, and a reader's browser keeps the rest cached::

    search/entry.json                {"v", "docs", "shards", "pairs", "files", "terms", "frag"}
    search/t/<group>/<n>.bin         term shard n: terms whose CRC-32 modulo "shards" is n
    search/f/<group>/<id>.bin        fragment of briefing <id>: url, title, date, tags, sections
    search/p/<group>/<xy>.bin        Han pairs with readings starting x, y (see pairs.py)
    search/p/<group>/<xi-y>.bin      the same by the first two letters of the first reading
    search/syllables/<hash>.bin      syllable → characters (main and other readings)
    search/fold/<hash>.bin           traditional → simplified, for the site's characters
    search/facets/<hash>.bin         tags, years, meetings and languages with their counts

Shards and fragments are grouped by number, ``terms.size`` / ``frag.size`` to a group, and
each entry lists its groups' folder names in order (``terms.groups``, ``frag.groups``).
A group size grows with the site so that there are at most ``MAX_GROUPS`` groups of each:
the entry stays under 4 KB at 100,000 briefings. (Hashing each file's name instead would
make it list thousands of hashes on every first query.) ``files`` names the pairs'
folders (one a first letter) and the syllable, fold and facet files; ``pairs`` is a bitmap of the pair shards
that exist. At 10,000 briefings an edited sentence changes
about 10 of the 1,650 shards: 10 groups of 17 shards, and one group of 100 fragments.

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
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from briefings.model import NO_DATE, Briefing
from briefings.search.encode import gzip_bytes, json_bytes, shard_of, varint
from briefings.search.fold import site_fold
from briefings.search.pairs import is_pair, named_pairs, pair_shards, shard_mask, syllable_table
from briefings.search.postings import (
    DocInput,
    Postings,
    Workers,
    count_chars,
    default_workers,
    weighted_length,
)
from briefings.search.tokens import normalize

FORMAT_VERSION = 4
MAX_GROUPS = 100  # groups of shards, and of fragments, at most: the entry lists each one's name
SHARD_TARGET = 16_000  # raw bytes a term shard aims at: 4–6 KB once gzipped


_INDEX_FILE = re.compile(
    r"search/(?:entry\.json|[tf]/[0-9a-f]{12}/[0-9]+\.bin|p/[0-9a-f]{12}/[a-z]+(?:-[a-z])?\.bin|(?:syllables|fold|facets)/[0-9a-f]{12}\.bin)")


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
    lengths = [briefing_length(b) for b in briefings]
    averages = average_lengths(briefings, lengths)
    return [doc_input(b, base_path, length, averages[b.lang]) for b, length in zip(briefings, lengths, strict=True)]


def _sections(b: Briefing) -> tuple[tuple[str, str, str], ...]:
    return tuple((s.anchor, s.heading, s.text) for s in b.sections) or (("", "", b.summary),)


def _people(b: Briefing) -> str:
    return "\n".join(filter(None, (b.chair, *b.attendees, b.location)))


def briefing_length(b: Briefing) -> int:
    """A briefing's field-weighted length: what BM25 calls its document length."""
    return weighted_length(b.title, b.tags, _sections(b), b.meeting or "") + len(_people(b))


def average_lengths(briefings: Sequence[Briefing], lengths: Sequence[int]) -> dict[str, float]:
    """Mean length of the briefings of each language."""
    by_lang: dict[str, list[int]] = {}
    for b, length in zip(briefings, lengths, strict=True):
        by_lang.setdefault(b.lang, []).append(length)
    return {lang: sum(values) / len(values) for lang, values in by_lang.items()}


def doc_input(b: Briefing, base_path: str, length: int, avg_length: float) -> DocInput:
    return DocInput(
        # a standalone page without a date shows none
        url=base_path + b.url, title=b.title, date="" if b.date == NO_DATE else b.date.date().isoformat(),
        lang=b.lang,
        tags=tuple(b.tags), meeting=b.meeting or "", sections=_sections(b), length=length,
        avg_length=avg_length, people=_people(b),
    )


def shard_records(postings: Postings) -> dict[str, bytes]:
    """Each term's record in a term shard (see the module's notes)."""
    records: dict[str, bytes] = {}
    for term, p in postings.terms.items():
        records[term] = term_record(term, p.df, p.ids, p.impacts)
    return records


def term_record(term: str, df: int, ids: bytes, impacts: bytes) -> bytes:
    text = term.encode()
    return b"".join((varint(len(text)), text, varint(df), varint(len(ids)), ids, impacts))


def shard_count(raw_size: int) -> int:
    return max(1, -(-raw_size // SHARD_TARGET))


def term_shards(records: dict[str, bytes]) -> list[bytes]:
    """Group the terms' records into shards (raw; the caller gzips them)."""
    count = shard_count(sum(map(len, records.values())))
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
    years = Counter(b.year for b in briefings if not b.page)  # pages: in no year
    out["year"] = [[year, years[year]] for year in sorted(years, reverse=True)]
    return out


@dataclass
class SearchIndex:
    """The parts the index files are laid out from (``files``), and what ``patch.py`` needs
    to update them for edited briefings without building them again."""

    base_path: str
    shards: list[bytes]  # gzipped term shards
    shard_sizes: list[int]  # their raw sizes
    fragments: list[bytes]  # gzipped, in doc-id order
    pairs: dict[str, bytes]  # pair shard key → gzipped entries
    pair_mask: str
    syllables: bytes
    fold: bytes
    facets: bytes
    urls: list[str]  # of the briefings, in doc-id order
    lengths: list[int]  # their field-weighted lengths
    char_df: dict[str, int]  # document frequency of each Han character

    def files(self) -> dict[str, bytes]:
        """Every file under search/, output-relative path → bytes (see the module's notes)."""
        out: dict[str, bytes] = {}
        # Pair shards in a group per first letter: an edit rewrites the groups of its pairs only.
        pairs: dict[str, str] = {}
        for letter in sorted({key[0] for key in self.pairs}):
            group = sorted((k, data) for k, data in self.pairs.items() if k[0] == letter)
            pairs[letter] = _digest(f"{key}\0".encode() + data for key, data in group)
            out.update((f"search/p/{pairs[letter]}/{key}.bin", data) for key, data in group)
        named: dict[str, object] = {"pairs": pairs}
        for kind, data in (("syllables", self.syllables), ("fold", self.fold), ("facets", self.facets)):
            named[kind] = _digest([data])
            out[f"search/{kind}/{named[kind]}.bin"] = data
        terms, frag = _grouped(out, "t", self.shards), _grouped(out, "f", self.fragments)
        entry = {
            "v": FORMAT_VERSION,
            "docs": len(self.fragments),
            "shards": len(self.shards),
            "pairs": self.pair_mask,
            "files": named,
            "terms": terms,
            "frag": frag,
        }
        out["search/entry.json"] = json_bytes(entry)
        return dict(sorted(out.items()))


def group_size(count: int) -> int:
    """Files a group of ``count`` shards or fragments: as few as keep groups to ``MAX_GROUPS``."""
    return max(1, -(-count // MAX_GROUPS))


def groups(items: Sequence[bytes]) -> Iterator[tuple[str, int, Sequence[bytes]]]:
    """(name, first number, items) of each group of ``items``: the name a hash of its bytes."""
    size = group_size(len(items))
    for start in range(0, len(items), size):
        group = items[start : start + size]
        yield _digest([str(start).encode(), *group]), start, group  # numbered: equal bytes stay apart


def _grouped(out: dict[str, bytes], kind: str, items: Sequence[bytes]) -> dict[str, object]:
    """Lay ``items`` out as ``search/<kind>/<group>/<n>.bin``; their entry: size and group names."""
    names = []
    for name, start, group in groups(items):
        names.append(name)
        out.update((f"search/{kind}/{name}/{start + n}.bin", item) for n, item in enumerate(group))
    return {"size": group_size(len(items)), "groups": names}


def _digest(parts: Iterable[bytes]) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(hashlib.sha256(part).digest())
    return digest.hexdigest()[:12]


def syllable_file(char_df: dict[str, int], pair_keys: Iterable[str]) -> bytes:
    return gzip_bytes(json_bytes(syllable_table(char_df, pair_keys)))


def fold_file(char_df: dict[str, int]) -> bytes:
    return gzip_bytes(json_bytes(site_fold(char_df)))


def pair_file(entries: list[list[str | int]]) -> bytes:
    return gzip_bytes(json_bytes(entries))


def pair_files(pair_df: dict[str, int], named: set[str]) -> dict[str, bytes]:
    return {key: pair_file(entries) for key, entries in pair_shards(pair_df, named).items()}


def names(briefings: Iterable[Briefing]) -> set[str]:
    """The pairs of the site's tags: its own vocabulary, the words readers look for. (Not
    meetings' or people's: 全市教育工作调度会 would make 市教 a word.)"""
    return named_pairs(normalize(tag) for b in briefings for tag in b.tags)


def build_index(briefings: Sequence[Briefing], *, base_path: str, workers: int | None = None) -> SearchIndex:
    """The index of ``briefings``; the same input gives the same bytes.

    ``base_path`` ('' or e.g. '/briefings') prefixes the result links stored in fragments.
    ``workers`` forces the number of indexing processes (default: by site size).
    """
    ordered = order(briefings)
    docs = doc_inputs(ordered, base_path)
    with Workers(default_workers(len(docs)) if workers is None else workers) as pool:
        pool.index(docs)
        postings = pool.postings()
        records = shard_records(postings)
        raw = term_shards(records)
        shards = pool.gzip(raw, level=6)
    char_df = dict(count_chars(postings))
    pairs = pair_files({term: p.df for term, p in postings.terms.items() if is_pair(term)}, names(ordered))
    return SearchIndex(
        base_path=base_path, shards=shards, shard_sizes=[len(shard) for shard in raw],
        fragments=postings.fragments, pairs=pairs, pair_mask=shard_mask(pairs),
        syllables=syllable_file(char_df, pairs), fold=fold_file(char_df),
        facets=gzip_bytes(json_bytes(facets(ordered))),
        urls=[d.url for d in docs], lengths=[d.length for d in docs], char_df=char_df,
    )


def build_search_index(
    briefings: Sequence[Briefing], *, base_path: str, workers: int | None = None
) -> dict[str, bytes]:
    """All search files, output-relative path → bytes (see ``build_index``)."""
    return build_index(briefings, base_path=base_path, workers=workers).files()
