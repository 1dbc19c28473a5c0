"""A cache of parsed briefings that survives between runs, so a warm build parses nothing.

Entries are keyed by the file's bytes (a hash) and by a fingerprint of everything else a
parse depends on: the site's config and the code of this package. Change either and the
whole cache is ignored. The cache is a few pickles in ``SITE/.briefings-cache/parsed/``;
delete the folder at any time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import zlib
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from . import pinyin
from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import Briefing

CACHE_DIR = ".briefings-cache"
_FOLDER = "parsed"
_PACKAGE = Path(__file__).resolve().parent


# The libraries whose output ends up in pages: another version may parse or render differently.
_LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pypinyin", "PyYAML", "nh3")


@functools.cache
def code_fingerprint() -> str:
    """A hash of this package's source and its libraries' versions: a new version of either,
    or a local edit, invalidates the cache."""
    digest = hashlib.sha256()
    for path in sorted(_PACKAGE.rglob("*.py")):
        digest.update(path.relative_to(_PACKAGE).as_posix().encode())
        digest.update(path.read_bytes())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={metadata.version(name)}\n".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name}=?\n".encode())
    return digest.hexdigest()


def config_fingerprint(config: SiteConfig) -> str:
    return hashlib.sha256(repr(config).encode("utf-8")).hexdigest()


def read_cached(root: Path, name: str) -> object | None:
    """What ``write_cached`` stored under ``name``; None if missing or unreadable (another version)."""
    try:
        with open(root / CACHE_DIR / name, "rb") as stream:
            return pickle.load(stream)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
        return None


def write_cached(root: Path, name: str, value: object) -> None:
    """Store ``value`` in the cache folder; through a temporary file, so a reader never sees half."""
    target = root / CACHE_DIR / name
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as stream:
        pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, target)


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_SHARDS = 32  # files the parse cache is split into: an edit rewrites one, 1/32 of the cache


def _shard(source: str) -> int:
    return zlib.crc32(source.encode()) % _SHARDS


@dataclass
class ParseCache:
    """Parsed briefings by source, in ``_SHARDS`` files: saving after one edit rewrites one
    file of 3 MB rather than 115 MB at 10,000 briefings."""

    root: Path
    fingerprint: str
    entries: dict[str, tuple[str, Briefing | None, list[Diagnostic]]] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)  # shards changed since loaded

    @classmethod
    def open(cls, root: Path, config: SiteConfig) -> ParseCache:
        fingerprint = code_fingerprint() + config_fingerprint(config)
        cache = cls(root, fingerprint)
        for n in range(_SHARDS):
            stored = read_cached(root, f"{_FOLDER}/{n}.pickle")
            # None: no cache, or one from another version: that part starts empty
            if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == fingerprint:
                cache.entries.update(stored[1])
            else:
                cache.dirty.add(n)
        return cache

    def get(self, source: str, digest: str) -> tuple[Briefing | None, list[Diagnostic]] | None:
        entry = self.entries.get(source)
        if entry is None or entry[0] != digest:
            return None
        return entry[1], entry[2]

    def put(self, source: str, digest: str, briefing: Briefing | None, diagnostics: list[Diagnostic]) -> None:
        self.entries[source] = (digest, briefing, diagnostics)
        self.dirty.add(_shard(source))

    def retain(self, sources: set[str]) -> None:
        for gone in self.entries.keys() - sources:
            del self.entries[gone]
            self.dirty.add(_shard(gone))

    def save(self) -> None:
        if not self.dirty:
            return
        shards: dict[int, dict[str, tuple[str, Briefing | None, list[Diagnostic]]]] = {n: {} for n in self.dirty}
        for source, entry in self.entries.items():
            shard = shards.get(_shard(source))
            if shard is not None:
                shard[source] = entry
        for n, entries in shards.items():
            write_cached(self.root, f"{_FOLDER}/{n}.pickle", (self.fingerprint, entries))
        self.dirty.clear()


_READINGS = "pinyin.pickle"


def load_readings(root: Path) -> None:
    """The pinyin readings earlier builds worked out (pinyin.py), if made by this code."""
    stored = read_cached(root, _READINGS)
    valid = isinstance(stored, tuple) and len(stored) == 2 and stored[0] == code_fingerprint()
    pinyin.remember(stored[1] if valid and isinstance(stored[1], dict) else {})  # type: ignore[index]


def save_readings(root: Path) -> None:
    """Store the readings known now, if this build worked out new ones (or none are stored:
    a process that built another site may know them all already)."""
    if pinyin.learned() or not (root / CACHE_DIR / _READINGS).is_file():
        write_cached(root, _READINGS, (code_fingerprint(), pinyin.known()))
