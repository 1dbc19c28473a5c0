"""The build, spelled out once: load → assemble → render → write, each step timed.

``Builder`` keeps what it parsed and rendered between builds, so a rebuild after one edit
re-reads one file and re-renders only the pages whose inputs changed; the bytes it
produces are the same as a cold build's. ``build`` is one cold build.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from .cache import ParseCache, code_fingerprint, file_digest
from .config import SiteConfig, load_config
from .content import CONTENT_DIR, briefing_files, load_briefing, parse_many
from .diagnostics import Diagnostic, Diagnostics
from .manifest import manifest_outputs
from .model import Briefing, Site, same_but_body
from .output import Output, OutputError, Staging, replace_file, safe_relative
from .progress import ProgressCallback
from .record import BuildRecord, inputs_stamp, load_record, load_search, output_digest, save_record, save_search
from .render import RenderState, render_site
from .search import build_search_index
from .search.process import ForkedIndex, SearchProcess
from .site import BuildOptions, assemble, reassemble


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    timings: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    site: Site | None = None
    outputs: list[Output] = field(default_factory=list)
    up_to_date: bool = False  # nothing changed since the last build: nothing was done
    rendered: int = 0  # pages rendered in this build
    reused: int = 0  # pages whose inputs were unchanged, taken from the previous build
    written: list[str] = field(default_factory=list)  # output paths whose bytes changed on disk
    digests: dict[str, bytes] = field(default_factory=dict)  # of each output published, for the build record
    removed: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start


@dataclass(frozen=True)
class _LastBuild:
    """The last build that was written without a complaint from assembling the site."""

    loaded: list[Briefing]  # as loaded, before assembling
    site: Site
    redirects: list[Output]  # what the URL manifest added
    next_publication: dt.datetime | None  # when a future-dated briefing comes out, changing the lists


def _next_publication(loaded: Sequence[Briefing], now: dt.datetime, options: BuildOptions) -> dt.datetime | None:
    if options.future:
        return None
    return min((b.date for b in loaded if b.date > now), default=None)


def _body_edits(last: _LastBuild, loaded: Sequence[Briefing], now: dt.datetime
                ) -> list[tuple[Briefing, Briefing]] | None:
    """(old, new) for each briefing that changed since ``last``, if only bodies changed; else None.

    Unchanged briefings are the very objects loaded last time, so the walk is identity checks.
    """
    if len(loaded) != len(last.loaded) or (last.next_publication is not None and now >= last.next_publication):
        return None
    swaps = []
    for old, new in zip(last.loaded, loaded, strict=True):
        if old is not new:
            if not same_but_body(old, new):
                return None
            swaps.append((old, new))
    return swaps


FORK_INDEX_FROM = 500  # briefings; below this, forking costs more than the overlap saves


@dataclass
class _PendingIndex:
    """Search outputs already known, or being built (``finish`` collects them)."""

    outputs: list[Output] | None
    finish: Callable[[], list[Output]] | None = None
    forked: ForkedIndex | None = None

    def result(self) -> list[Output]:
        if self.outputs is None:
            assert self.finish is not None
            self.outputs, self.finish, self.forked = self.finish(), None, None
        return self.outputs

    def cancel(self) -> None:
        if self.forked is not None:
            self.forked.cancel()
            self.forked = None


@dataclass
class _Parsed:
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was parsed
    briefing: Briefing | None
    diagnostics: list[Diagnostic]
    digest: str | None = None  # hash of the file's bytes, when known (it keys the cached search index)


class Builder:
    """Builds one site again and again, reusing what did not change.

    With ``in_place`` the output folder is updated file by file (only changed bytes are
    written, vanished files removed) — what the dev server needs; otherwise every build is
    published by swapping in a complete new folder.
    """

    def __init__(self, root: Path, out_dir: Path, options: BuildOptions | None = None, *,
                 serve: bool = False, in_place: bool = False, defer_search: bool = False,
                 persist_cache: bool = False, progress: ProgressCallback | None = None) -> None:
        self.root = Path(root).resolve()
        self.progress = progress  # told of long steps as they go: the command line's progress line
        # The dev server shows an edited page first and updates the search index after it, in the
        # background: at 10,000 briefings the index takes seconds, the page a fraction of one.
        self.defer_search = defer_search and in_place
        # Parsed briefings kept in SITE/.briefings-cache/ between runs (command-line builds).
        self.persist_cache = persist_cache
        self._deferred: SearchProcess | None = None
        # Told when a deferred search index is written (None) or failed (why): the dev server's overlay.
        self.on_search_done: Callable[[str | None], None] | None = None
        self.out_dir = out_dir
        self.options = options or BuildOptions()
        self.serve = serve
        self.in_place = in_place
        self.reset()

    def reset(self) -> None:
        """Forget everything, including what the output folder holds."""
        self.close()  # its index files are about to be swept away with the rest
        self._forget_built()
        self._on_disk: dict[str, bytes] | None = None

    def _forget_built(self) -> None:
        """Forget what was parsed and rendered (a new config changes all of it)."""
        self._config: SiteConfig | None = None
        self._parsed: dict[Path, _Parsed] = {}
        self._files: set[Path] | None = None
        self._order: list[Path] | None = None  # self._files, sorted; None when it must be sorted again
        self._placed: dict[int, tuple[Briefing, Briefing]] = {}
        self._render = RenderState()
        self._search: tuple[Any, list[Output]] | None = None
        self._last: _LastBuild | None = None

    def build(self, changed: Iterable[Path] | None = None, *, write: bool = True) -> BuildResult:
        """Build the site; ``changed`` (absolute paths) narrows what is re-read from disk.

        Without ``changed`` every content file is checked (by size and mtime). Nothing is
        written unless every step succeeded.
        """
        diagnostics = Diagnostics()
        result = BuildResult(diagnostics)
        timings = result.timings
        with _timed(timings, "config"):
            config = self._load_config(diagnostics)
        if config is None:
            return result
        now = self.options.now or dt.datetime.now(dt.UTC)
        # Command-line builds keep a record of what they read and wrote (see record.py).
        record = load_record(self.root) if self.persist_cache and write and not self.in_place else None
        if record is not None:
            with _timed(timings, "check"):
                inputs = inputs_stamp(config, replace(self.options, now=None))
                intact = record.intact(self.out_dir)
            if intact and record.up_to_date(inputs, now):
                told = {d.format() for d in diagnostics}  # site.toml's warnings were given again just now
                diagnostics.extend(d for d in record.diagnostics if d.format() not in told)
                result.pages, result.up_to_date = record.pages, True
                return result
        with _timed(timings, "load"):
            loaded = self._load(config, diagnostics, changed)
        last, self._last = self._last, None  # set again once this build is written
        with _timed(timings, "assemble"):
            swaps = _body_edits(last, loaded, now) if last is not None else None
            reported = len(diagnostics.items)
            if last is not None and swaps is not None:
                site = reassemble(config, last.site, swaps, self._placed)
            else:
                site = assemble(config, loaded, replace(self.options, now=now), diagnostics, self._placed)
            assembled_clean = len(diagnostics.items) == reported
        result.site = site
        if diagnostics.has_errors:
            return result
        deferring = self.defer_search and write
        # The index is started now and collected last: a forked child builds it meanwhile.
        index = None if deferring else self._start_search(site)
        try:
            with _timed(timings, "render"):
                pages, renderer = render_site(
                    config, site, diagnostics, serve=self.serve, state=self._render, extra_pages=("search",),
                    progress=self.progress, bodies_changed=None if swaps is None else {new.source for _, new in swaps})
                redirects: list[Output] = []
                if last is not None and swaps is not None:
                    redirects = last.redirects  # the same URLs as last time: the same redirects and manifest
                elif not diagnostics.has_errors:  # URLs published before keep working: redirects + manifest
                    redirects = manifest_outputs(self.out_dir, site, pages, renderer, diagnostics)
                pages += redirects
            result.rendered, result.reused = renderer.rendered, renderer.reused
            if diagnostics.has_errors:
                return result
            # Forget pages the site no longer has, so the memo does not grow without bound.
            self._render.forget_all_but({o.path for o in pages})
            result.pages = sum(1 for o in pages if o.path.endswith(".html"))
            if not write or self.in_place:
                result.outputs = pages + self._collect(index, timings)
                if write:
                    self._write_served(result, site, deferring, renderer.revisited)
            else:
                self._publish(result, pages, index, record if record is not None and intact else None)
        finally:
            if index is not None:
                index.cancel()  # a build that failed before it collected the index
        if result.ok and write and record is not None:
            with _timed(timings, "record"):
                save_record(self.root, BuildRecord.of(
                    inputs, self.out_dir, result.digests, result.pages, diagnostics,
                    valid_until=_next_publication(loaded, now, self.options)))
        if result.ok and assembled_clean:
            self._last = _LastBuild(loaded, site, redirects, _next_publication(loaded, now, self.options))
        return result

    def _collect(self, index: _PendingIndex | None, timings: dict[str, float]) -> list[Output]:
        if index is None:
            return []
        if self.progress is not None:
            self.progress("building the search index", 0, 0)
        with _timed(timings, "search"):  # what is left of it once the pages are rendered
            return index.result()

    def _write_served(self, result: BuildResult, site: Site, deferring: bool,
                      revisited: list[Output] | None) -> None:
        """Update the output folder in place (the dev server); a deferred index follows.

        ``revisited``: after a render that looked only at changed briefings, the outputs it
        made; all others are the last build's, already on disk (and no index is written here).
        """
        with _timed(result.timings, "write"):
            try:
                if revisited is not None and deferring and self._on_disk is not None \
                        and all(o.path in self._on_disk for o in revisited):
                    result.written = self._write_changed(revisited)
                else:
                    result.written, result.removed = self._write_in_place(result.outputs)
            except OutputError as exc:
                result.diagnostics.error("site.toml", None, str(exc))
                return
            if deferring:
                if self._deferred is None:
                    self._deferred = SearchProcess(self.out_dir.resolve(), self._search_done)
                self._deferred.submit(site)

    def _publish(self, result: BuildResult, pages: list[Output], index: _PendingIndex | None,
                 record: BuildRecord | None) -> None:
        """Write a new output folder beside the old one and swap it in.

        The pages are written while the forked child still builds the index; files the last
        build published with the same bytes (``record``, when the folder is as it left it)
        are hard-linked instead of written.
        """
        timings = result.timings
        staging = Staging(self.out_dir)
        try:
            with _timed(timings, "write"):
                if self.progress is not None:
                    self.progress("writing files", 0, 0)
                staging.add(pages, self._linker(result, pages, record))
            index_outputs = self._collect(index, timings)
            with _timed(timings, "write"):
                staging.add(index_outputs, self._linker(result, index_outputs, record))
                staging.swap()
        except OutputError as exc:
            staging.discard()
            result.diagnostics.error("site.toml", None, str(exc))
            return
        except BaseException:
            staging.discard()
            raise
        result.outputs = pages + index_outputs
        result.written = sorted(o.path for o in result.outputs)

    def _linker(self, result: BuildResult, outputs: list[Output], record: BuildRecord | None
                ) -> Callable[[Output], Path | None] | None:
        if not self.persist_cache:
            return None  # no record to keep: no digests needed
        digests = {o.path: output_digest(o.data) for o in outputs}
        result.digests.update(digests)
        return record.finder(digests) if record is not None else None

    def preload(self) -> None:
        """Parse every briefing now, across all cores: call before starting threads.

        The dev server's first build runs beside its watcher thread, and a process with
        threads must not fork, so that build would parse in one process. Parsed here first
        it only checks the files' stamps (any file saved meanwhile is parsed again).
        """
        diagnostics = Diagnostics()
        config = self._load_config(diagnostics)
        if config is not None:  # else the first build reports why
            self._load(config, diagnostics, None)

    def _load_config(self, diagnostics: Diagnostics) -> SiteConfig | None:
        """site.toml; a config unlike the last one forgets everything built with that one."""
        config = load_config(self.root, diagnostics, self.options.base_url)
        if config is not None and config != self._config:
            self._forget_built()  # what is on disk stays true whatever the config says
            self._config = config
        return config

    def wait_for_search(self, timeout: float | None = None) -> bool:
        """Block until a deferred search index is written; False if it is still running."""
        return self._deferred is None or self._deferred.wait(timeout)

    def _search_done(self, error: str | None) -> None:
        if self.on_search_done is not None:
            self.on_search_done(error)

    @property
    def search_error(self) -> str | None:
        """Why the latest deferred search index failed, if it did."""
        return None if self._deferred is None else self._deferred.error

    def close(self, wait: bool = True) -> None:
        """Stop the deferred search index's process, if one runs (``wait``: let it finish writing)."""
        if self._deferred is not None:
            self._deferred.close(wait)
            self._deferred = None

    def _start_search(self, site: Site) -> _PendingIndex:
        """The search index files, to collect once the pages are rendered.

        Reused while the published briefings are the same: in this process, and with the
        persistent cache across runs, keyed by each briefing's file hash and URL (a briefing
        is a function of its file, the config and the code, all in the key). Otherwise built
        in a forked process while this one renders and writes the pages.
        """
        key = (site.base_path, site.briefings)
        if self._search is not None and self._search[0] == key:
            return _PendingIndex(self._search[1])
        stored_key = self._search_key(site) if self.persist_cache else None
        cached = load_search(self.root, stored_key) if stored_key else None
        if cached is not None:
            self._search = (key, cached)
            return _PendingIndex(cached)
        forked = ForkedIndex.start(site.briefings, site.base_path) if len(site.briefings) >= FORK_INDEX_FROM else None

        def finish() -> list[Output]:
            files = forked.result() if forked is not None else None
            if files is None:
                files = build_search_index(site.briefings, base_path=site.base_path)
            outputs = [Output(path, data, "search index") for path, data in sorted(files.items())]
            if stored_key:
                save_search(self.root, stored_key, outputs)
            self._search = (key, outputs)
            return outputs

        return _PendingIndex(None, finish, forked)

    def _search_key(self, site: Site) -> str | None:
        digest = hashlib.sha256(f"{code_fingerprint()}\0{self._config!r}\0{site.base_path}\n".encode())
        for briefing in site.briefings:
            parsed = self._parsed.get(self.root / briefing.source)
            file_hash = parsed.digest if parsed is not None else None
            if file_hash is None:
                return None
            digest.update(f"{briefing.source}\0{file_hash}\0{briefing.url}\n".encode())
        return digest.hexdigest()

    def _parse_all(self, config: SiteConfig) -> None:
        """The first load: every file, through the persistent cache, the rest across all cores.

        A warm build (nothing changed since the last one) parses nothing; a cold one spreads
        the Markdown over the machine's cores.
        """
        assert self._order is not None
        cache = ParseCache.open(self.root, config) if self.persist_cache else None
        jobs: list[tuple[str, bytes]] = []
        stamps: dict[str, tuple[Path, tuple[int, int], str]] = {}
        for path in self._order:
            try:
                stat = path.stat()
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            source = path.relative_to(self.root).as_posix()
            digest = file_digest(data)
            stamps[source] = (path, (stat.st_mtime_ns, stat.st_size), digest)
            hit = cache.get(source, digest) if cache is not None else None
            if hit is not None:
                self._parsed[path] = _Parsed(stamps[source][1], hit[0], hit[1], digest)
            else:
                jobs.append((source, data))
        # Forking is unsafe once other threads run (the dev server's watcher): parse in-process then.
        workers = (os.cpu_count() or 1) if threading.active_count() == 1 else 1
        parsed = zip(jobs, parse_many(jobs, config, workers), strict=True)
        for done, ((source, _), (briefing, found)) in enumerate(parsed, 1):
            if self.progress is not None and done % 100 == 0:
                self.progress("parsing briefings", done, len(jobs))
            path, stamp, digest = stamps[source]
            self._parsed[path] = _Parsed(stamp, briefing, found, digest)
            if cache is not None:
                cache.put(source, digest, briefing, found)
        if cache is not None:
            cache.retain(set(stamps))
            cache.save()

    def _load(self, config: SiteConfig, diagnostics: Diagnostics, changed: Iterable[Path] | None) -> list[Briefing]:
        content = (self.root / CONTENT_DIR).resolve()
        recheck: set[Path] | None = None  # files whose stamp is checked; None: every file
        if changed is None or self._files is None:
            self._files = {p.resolve() for p in briefing_files(self.root)}
            self._order = None
        else:
            # Only the changed files are looked at: at 10,000 briefings, stat()ing, checking and
            # sorting every path again took longer than parsing the one that changed.
            recheck = set()
            sweep = False
            for path in changed:
                path = Path(path).resolve()
                if not path.is_relative_to(content):
                    continue
                if path.suffix == ".md" and path.is_file():
                    if path not in self._files:
                        self._files.add(path)
                        self._order = None
                    recheck.add(path)
                else:
                    sweep = True  # a file deleted, or a folder renamed or deleted: its files go without an event each
            if sweep:
                kept = {p for p in self._files if p.exists()}
                if kept != self._files:
                    self._files, self._order = kept, None
        if self._order is None:
            self._order = sorted(self._files)
        if not self._parsed:
            self._parse_all(config)
        briefings: list[Briefing] = []
        for path in self._order:
            parsed = self._parsed.get(path)
            if recheck is None or parsed is None or path in recheck:
                try:
                    stat = path.stat()
                except FileNotFoundError:
                    continue
                stamp = (stat.st_mtime_ns, stat.st_size)
                if parsed is None or parsed.stamp != stamp:
                    own = Diagnostics()
                    briefing = load_briefing(path, config, own)
                    parsed = self._parsed[path] = _Parsed(stamp, briefing, own.items)
            diagnostics.extend(parsed.diagnostics)
            if parsed.briefing is not None:
                briefings.append(parsed.briefing)
        for gone in self._parsed.keys() - self._files:
            del self._parsed[gone]
        return briefings

    def _write_changed(self, outputs: list[Output]) -> list[str]:
        """Write those of ``outputs`` (all of them paths already on disk) whose bytes changed."""
        assert self._on_disk is not None
        root = self.out_dir.resolve()
        written: list[str] = []
        for output in outputs:
            if self._on_disk[output.path] != output.data:
                replace_file(root, output.path, output.data)
                self._on_disk[output.path] = output.data
                written.append(output.path)
        return written

    def _write_in_place(self, outputs: list[Output]) -> tuple[list[str], list[str]]:
        """Write what changed; remove what this process wrote before and the site no longer has.

        A deferred search index is written by a process of its own, into paths this one
        never writes: it stays out of ``_on_disk``, and this write leaves it alone.
        """
        root = self.out_dir.resolve()
        if self._on_disk is None:  # first build: start from an empty folder of our own
            if root.exists():
                shutil.rmtree(root)
            self._on_disk = {}
        root.mkdir(parents=True, exist_ok=True)
        written: list[str] = []
        current: dict[str, bytes] = {}
        for output in outputs:
            relative = output.path
            if relative not in self._on_disk:  # a path already on disk was checked when it was first written
                relative = safe_relative(output.path).as_posix()
            if relative in current:
                raise OutputError(f"two outputs write {relative}")
            current[relative] = output.data
            if self._on_disk.get(relative) == output.data:
                continue
            replace_file(root, relative, output.data)
            written.append(relative)
        removed = sorted(self._on_disk.keys() - current.keys())
        for relative in removed:
            (root / relative).unlink(missing_ok=True)
        self._on_disk = current
        return written, removed




def build(root: Path, out_dir: Path | None = None, options: BuildOptions | None = None,
          *, write: bool = True, serve: bool = False, cache: bool = False,
          progress: ProgressCallback | None = None) -> BuildResult:
    """One build of the site in ``root``. Nothing is written unless every step succeeded.

    With ``cache``, briefings parsed by earlier builds are taken from ``SITE/.briefings-cache/``.
    """
    return Builder(root, out_dir or root / "public", options, serve=serve,
                   persist_cache=cache, progress=progress).build(write=write)
