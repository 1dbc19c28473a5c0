"""Byte formats of the search files, kept in one place because search-core.mjs reads them.

- gzip with mtime 0, so that the same input always gives the same bytes;
- compact UTF-8 JSON for everything read whole (fragments, pairs, syllables, fold, facets);
- LEB128 varints for postings: a doc-id list is its first id, then the gaps between ids;
- a term's shard is CRC-32 of its UTF-8 bytes modulo the shard count (zlib's CRC here,
  a 20-line table in JS), so the browser needs no list of terms to find a term's shard.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Sequence
from itertools import compress, repeat
from operator import ge, sub
from typing import Any


def gzip_bytes(data: bytes, level: int = 9) -> bytes:
    """gzip ``data`` reproducibly (no timestamp, no file name).

    Term shards use level 6: on their repetitive bytes level 9 takes six times as long
    for 3 % less.
    """
    return gzip.compress(data, compresslevel=level, mtime=0)


def json_bytes(value: Any) -> bytes:
    """Compact UTF-8 JSON with sorted keys: stable bytes for stable input."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def varint(value: int) -> bytes:
    """LEB128: seven bits a byte, low bits first, high bit set on all but the last byte."""
    out = bytearray()
    while value >= 0x80:
        out.append((value & 0x7F) | 0x80)
        value >>= 7
    out.append(value)
    return bytes(out)


def encode_ids(ids: Sequence[int]) -> bytes:
    """Varint-encode ascending doc ids as the first id and then the gaps.

    Most gaps of a frequent term are below 128 and then ``bytes(gaps)`` does the whole
    list in C; only lists with a wide gap take the byte-by-byte path.
    """
    if not ids:
        return b""
    gaps = list(map(sub, ids[1:], ids[:-1]))
    head = varint(ids[0])
    if not gaps or max(gaps) < 0x80:
        return head + bytes(gaps)
    # Copy the runs of one-byte gaps in C and varint-encode only the wide gaps.
    wide = list(compress(range(len(gaps)), map(ge, gaps, repeat(0x80))))
    out, start = [head], 0
    for i in wide:
        out += (bytes(gaps[start:i]), varint(gaps[i]))
        start = i + 1
    out.append(bytes(gaps[start:]))
    return b"".join(out)


def decode_varints(data: bytes, count: int, pos: int = 0) -> tuple[list[int], int]:
    """Read ``count`` varints from ``data`` at ``pos``; return them and the next position."""
    out: list[int] = []
    for _ in range(count):
        value = shift = 0
        while True:
            byte = data[pos]
            pos += 1
            value |= (byte & 0x7F) << shift
            shift += 7
            if byte < 0x80:
                break
        out.append(value)
    return out, pos


def shard_of(term: str, shards: int) -> int:
    """Which term shard holds ``term``: CRC-32 of its UTF-8 bytes modulo ``shards``."""
    return zlib.crc32(term.encode()) % shards
