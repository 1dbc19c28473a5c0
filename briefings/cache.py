"""A cache of parsed briefings that survives between runs, so a warm build parses nothing.

Entries are keyed by the file's bytes (a hash) and by a fingerprint of everything else a
parse depends on: the site's config and the code of this package. Change either and the
whole cache is ignored. The cache is a few files in ``SITE/.briefings-cache/parsed/``;
delete the folder at any time.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import shutil
import zlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import NoReturn

from . import pinyin
from .config import SiteConfig
from .diagnostics import Diagnostic
from .model import Briefing, copied

CACHE_DIR = ".briefings-cache"
_FOLDER = "parsed"
_PACKAGE = Path(__file__).resolve().parent


# The libraries whose output ends up in pages: another version may parse or render differently.
_LIBRARIES = ("jinja2", "markdown-it-py", "mdit-py-plugins", "pypinyin", "PyYAML", "nh3", "Pillow")


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


def clear_way(root: Path, name: str) -> Path:
    """``root/CACHE_DIR/name``, with its folders made: a file where one of them belongs, or a
    folder where the file belongs, is removed (a damaged cache is rebuilt, not a crash)."""
    cache = root / CACHE_DIR
    target = cache / name
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for folder in [cache, *reversed(target.relative_to(cache).parents[:-1])]:
            folder = cache / folder if folder != cache else cache
            if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
                folder.unlink()
        target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    return target


def write_cached(root: Path, name: str, value: object, raw: bool = False) -> Path:
    """Store ``value`` (pickled, or as it is: ``raw`` bytes) in the cache folder; through a
    temporary file, so a reader never sees half."""
    target = clear_way(root, name)
    temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
    with open(temporary, "wb") as stream:
        if raw:
            stream.write(value)  # type: ignore[arg-type]
        else:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(temporary, target)
    return target


def file_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


_SHARDS = 32  # files the parse cache is split into: an edit rewrites one, 1/32 of the cache

# A briefing's heavy fields: four fifths of the time a cached briefing takes to unpickle. They
# are kept apart, so a build that renders a few pages (a body edit) never unpickles the rest.
BODY = ("body_html", "toc", "sections")


class BodyNotLoaded:
    """Stands for a body the cache has not loaded: any use of it fails loudly, rather than a
    page rendering with an empty body."""

    def _fail(self, *_: object) -> NoReturn:
        raise RuntimeError("a briefing's body was used before the parse cache loaded it (ParseCache.fill)")

    __str__ = __html__ = __iter__ = __len__ = __bool__ = __eq__ = __hash__ = __getitem__ = _fail

    def __reduce__(self) -> str:
        return "NOT_LOADED"  # unpickles as this module's one instance


NOT_LOADED = BodyNotLoaded()


def has_body(briefing: Briefing) -> bool:
    return briefing.body_html is not NOT_LOADED  # type: ignore[comparison-overlap]


def _shard(source: str) -> int:
    return zlib.crc32(source.encode()) % _SHARDS


_READ_WHOLE_FROM = 100  # bodies wanted at once: from this many, the shards' files are read whole
Entry = tuple[str, "Briefing | None", list[Diagnostic]]  # (file hash, briefing without its body, diagnostics)
_LOADED_FROM = "_body_of"  # set on a briefing without its body: the file hash its body belongs to


@dataclass
class ParseCache:
    """Parsed briefings by source, in ``_SHARDS`` pairs of files: ``N.pickle`` (briefings
    without their bodies, and where each body lies in the other file) and ``N.<token>.body``
    (the bodies, each pickled on its own, one after another). Saving after one edit rewrites
    one pair, 3 MB, rather than 115 MB at 10,000 briefings; loading the briefings without
    bodies takes a fifth of the time, and one body is one read of its bytes.

    Each save of a pair draws a new token: the briefings' file names its bodies' file, so
    a save cut short between the two, or another build's save, never pairs one with the
    other's bodies (and a copied cache, inode numbers and all changed, stays valid).

    ``get`` returns a briefing whose body fields are ``NOT_LOADED``; ``fill`` loads them.
    """

    root: Path
    fingerprint: str
    entries: dict[str, Entry] = field(default_factory=dict)
    dirty: set[int] = field(default_factory=set)  # shards changed since loaded
    # shard → source → (file hash, pickled body fields): a shard's bodies read whole, when
    # it is saved or most of its bodies are wanted
    _bodies: dict[int, dict[str, tuple[str, bytes]]] = field(default_factory=dict)
    # shard → source → (file hash, offset, length) of each body in the shard's bodies' file
    _places: dict[int, dict[str, tuple[str, int, int]]] = field(default_factory=dict)
    _tokens: dict[int, str] = field(default_factory=dict)  # shard → token of its bodies' file

    @classmethod
    def open(cls, root: Path, config: SiteConfig) -> ParseCache:
        fingerprint = code_fingerprint() + config_fingerprint(config)
        cache = cls(root, fingerprint)
        for n in range(_SHARDS):
            stored = read_cached(root, f"{_FOLDER}/{n}.pickle")
            # None: no cache, or one from another version: that part starts empty. So does one
            # whose bodies' file is gone.
            if isinstance(stored, tuple) and len(stored) == 4 and stored[0] == fingerprint \
                    and (root / CACHE_DIR / _body_file(n, stored[1])).is_file():
                cache._tokens[n], entries, cache._places[n] = stored[1:]
                cache.entries.update(entries)
            else:
                cache.dirty.add(n)
                cache._bodies[n] = {}
        return cache

    def get(self, source: str, digest: str) -> tuple[Briefing | None, list[Diagnostic]] | None:
        """The briefing parsed from bytes with this hash, without its body (see ``fill``)."""
        entry = self.entries.get(source)
        if entry is None or entry[0] != digest:
            return None
        return entry[1], entry[2]

    def put(self, source: str, digest: str, briefing: Briefing | None, diagnostics: list[Diagnostic]) -> None:
        """Keep a briefing as parsed, body and all (one without its body is refused)."""
        if briefing is not None and not has_body(briefing):
            raise ValueError(f"{source}: a briefing without its body cannot be cached")
        shard = _shard(source)
        bodies = self._shard_bodies(shard)
        if briefing is not None:
            fields = tuple(getattr(briefing, name) for name in BODY)
            bodies[source] = (digest, pickle.dumps(fields, protocol=pickle.HIGHEST_PROTOCOL))
            briefing = _without_body(briefing, digest)
        else:
            bodies.pop(source, None)
        self.entries[source] = (digest, briefing, diagnostics)
        self.dirty.add(shard)

    def fill(self, briefing: Briefing) -> None:
        """Give ``briefing`` (one from ``get``, or a copy of one) its body, in place: the body
        of the very bytes it was parsed from. KeyError when the cache no longer holds it."""
        if has_body(briefing):
            return
        blob = self._body(briefing.source, vars(briefing).get(_LOADED_FROM))
        try:
            fields = pickle.loads(blob)
        except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
            raise KeyError(briefing.source) from None  # damaged: as if not cached
        # A frozen dataclass: its fields are set the way its __init__ sets them.
        vars(briefing).update(zip(BODY, fields, strict=True))

    def filled(self, briefing: Briefing) -> Briefing:
        """A copy of ``briefing`` with its body (``fill``); the cache's own stays without."""
        copy = copied(briefing)
        self.fill(copy)
        return copy

    def fill_all(self, briefings: Iterable[Briefing]) -> None:
        """``fill`` each of ``briefings`` that lacks its body. Past ``_READ_WHOLE_FROM`` of
        them on, their shards' bodies' files are read whole first: one read a shard beats one a body."""
        wanted = [b for b in briefings if not has_body(b)]
        if len(wanted) > _READ_WHOLE_FROM:
            for n in {_shard(b.source) for b in wanted}:
                self._shard_bodies(n)
        for briefing in wanted:
            self.fill(briefing)

    def release(self) -> None:
        """Let go of the bodies read (saved ones are read again if asked for): a build of
        10,000 briefings would otherwise carry 100 MB of them into every process it forks."""
        if self.dirty:
            self.save()
        self._bodies.clear()

    def _body(self, source: str, digest: str | None) -> bytes:
        n = _shard(source)
        bodies = self._bodies.get(n)
        if bodies is not None:
            stored = bodies.get(source)
            if stored is None or stored[0] != digest:
                raise KeyError(source)
            return stored[1]
        place = self._places.get(n, {}).get(source)
        if place is None or place[0] != digest:
            raise KeyError(source)
        try:
            with open(self.root / CACHE_DIR / _body_file(n, self._tokens[n]), "rb") as stream:
                stream.seek(place[1])
                blob = stream.read(place[2])
        except OSError:  # another build saved this shard since: its briefings count as not cached
            raise KeyError(source) from None
        if len(blob) != place[2]:
            raise KeyError(source)
        return blob

    def _shard_bodies(self, n: int) -> dict[str, tuple[str, bytes]]:
        bodies = self._bodies.get(n)
        if bodies is None:
            bodies = self._bodies[n] = {}
            try:
                data = (self.root / CACHE_DIR / _body_file(n, self._tokens[n])).read_bytes()
            except (OSError, KeyError):
                return bodies  # gone: another build saved this shard since
            for source, (digest, start, length) in self._places.get(n, {}).items():
                if start + length <= len(data):
                    bodies[source] = (digest, data[start : start + length])
        return bodies

    def retain(self, sources: set[str]) -> None:
        for gone in self.entries.keys() - sources:
            del self.entries[gone]
            self.dirty.add(_shard(gone))

    def save(self) -> None:
        if not self.dirty:
            return
        shards: dict[int, dict[str, Entry]] = {n: {} for n in self.dirty}
        for source, entry in self.entries.items():
            shard = shards.get(_shard(source))
            if shard is not None:
                shard[source] = entry
        folder = self.root / CACHE_DIR / _FOLDER
        for n, entries in shards.items():
            stored = self._shard_bodies(n)
            # only entries with the body of their own bytes: any other would fail to fill
            kept = {source: entry for source, entry in entries.items()
                    if entry[1] is None or stored.get(source, ("",))[0] == entry[0]}
            places: dict[str, tuple[str, int, int]] = {}
            blobs, offset = [], 0
            for source, entry in kept.items():
                if entry[1] is not None:
                    blob = stored[source][1]
                    places[source] = (entry[0], offset, len(blob))
                    blobs.append(blob)
                    offset += len(blob)
            token = os.urandom(8).hex()
            write_cached(self.root, _body_file(n, token), b"".join(blobs), raw=True)  # the bodies first
            write_cached(self.root, f"{_FOLDER}/{n}.pickle", (self.fingerprint, token, kept, places))
            self._tokens[n], self._places[n] = token, places
            for old in folder.glob(f"{n}.*.body"):
                if old.name != f"{n}.{token}.body":
                    old.unlink(missing_ok=True)
        self.dirty.clear()


def _body_file(n: int, token: str) -> str:
    return f"{_FOLDER}/{n}.{token}.body"


def _without_body(briefing: Briefing, digest: str) -> Briefing:
    return copied(briefing, **dict.fromkeys(BODY, NOT_LOADED), **{_LOADED_FROM: digest})


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
