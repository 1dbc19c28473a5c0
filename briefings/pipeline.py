"""The build, spelled out once: load → assemble → render → write, each step timed.

``Builder`` keeps what it parsed and rendered between builds, so a rebuild after one edit
re-reads one file and re-renders only the pages whose inputs changed; the bytes it
produces are the same as a cold build's. ``build`` is one build; with ``cache`` it starts
from what the last command-line build left (record.py): when only briefings' bodies
changed since, it renders their pages and feeds, patches the search index, and moves the
changed files into the output folder (output.Update), leaving the other 28,000 files of a
10,000-briefing site alone.
"""

from __future__ import annotations

import contextlib
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

try:
    import fcntl
except ImportError:  # Windows: builds do not take turns there
    fcntl = None  # type: ignore[assignment]

from .cache import (
    CACHE_DIR,
    ParseCache,
    clear_way,
    code_fingerprint,
    file_digest,
    has_body,
    load_readings,
    save_readings,
)
from .config import SiteConfig, load_config
from .content import CONTENT_DIR, briefing_files, content_problem, load_briefing, parse_many, parse_source
from .diagnostics import Diagnostic, Diagnostics
from .index_numbers import PUBLISHED_NAME as INDEX_NUMBERS_NAME
from .index_numbers import assign as assign_index_numbers
from .index_numbers import dump_store, read_store, save_store, store_paths
from .manifest import MANIFEST_NAME, manifest_file, manifest_outputs, save_manifest
from .model import Briefing, Site, same_but_body
from .output import (
    Output,
    OutputError,
    Staging,
    Update,
    finish_interrupted,
    mark,
    path_conflicts,
    refuse_output,
    replace_file,
    safe_relative,
)
from .progress import ProgressCallback
from .record import (
    BuildRecord,
    InputsStamp,
    inputs_stamp,
    load_record,
    load_search,
    output_digest,
    save_record,
    save_search,
    stamp_of,
)
from .render import RenderState, render_body_edits, render_site
from .resources import Resources
from .search.index import SearchIndex, build_index, is_index_file
from .search.patch import patch_index
from .search.process import ForkedIndex, SearchProcess
from .site import BuildOptions, assemble, briefing_url, is_published, reassemble


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
    manifest: bytes | None  # the URL manifest it kept
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


@dataclass(frozen=True)
class _Published:
    """What the last command-line build left in the output folder (which is as it left it)."""

    record: BuildRecord
    inputs: InputsStamp  # what this build reads
    # the content files that changed since, when nothing else did (and no briefing came out)
    content_changes: set[str] | None

    def known_digest(self, source: str) -> str | None:
        """The hash of a content file's bytes, when it is as the last build read it.

        Only for files stamped under their own name (a briefing linked from content/ to a
        file elsewhere has its source there, and its stamp under the link's name).
        """
        if self.content_changes is None or source in self.content_changes or source not in self.inputs.content:
            return None
        return self.record.sources.get(source)


class _Writer:
    """Writes a build's outputs as they come: while the briefing pages of a large site are
    still being rendered in worker processes, this process writes the rest (``early``)."""

    def __init__(self) -> None:
        self._early: set[int] = set()  # outputs written while rendering, by identity
        self._error: OSError | OutputError | None = None

    def stage(self, outputs: Sequence[Output]) -> None:
        """Write ``outputs``, but those ``early`` wrote already."""
        if self._error is not None:
            raise self._error
        self._write([o for o in outputs if id(o) not in self._early])

    def early(self, outputs: Sequence[Output]) -> None:
        """``stage`` for render_site's ``ready``: an error waits for the next ``stage``."""
        if self._error is None:
            try:
                self.stage(outputs)
                self._early.update(map(id, outputs))
            except (OSError, OutputError) as exc:  # reported where the writing is, once rendering is done
                self._error = exc

    def stage_index(self, outputs: Sequence[Output]) -> None:
        self.stage(outputs)

    def _write(self, outputs: list[Output]) -> None:
        raise NotImplementedError

    def finish(self) -> None:
        """Publish what was written."""
        raise NotImplementedError

    def discard(self) -> None:
        """Drop what was written, if not published yet."""
        raise NotImplementedError

    def after_failure(self) -> str:
        """What to add to the message of a failure while publishing."""
        return ""

    def report(self, result: BuildResult) -> dict[str, tuple[int, int, int]] | None:
        """Once published: what was written (and removed) into ``result``; the output folder's
        file stamps when known without walking it."""
        raise NotImplementedError


class _NewFolder(_Writer):
    """Every output, into a new folder swapped in at the end (output.Staging).

    ``digests``: work out each output's hash, for a build record.
    """

    def __init__(self, out_dir: Path, digests: bool) -> None:
        super().__init__()
        self.staging = Staging(out_dir)
        self.digests = digests

    def _write(self, outputs: list[Output]) -> None:
        self.staging.add(outputs)

    def finish(self) -> None:
        self.staging.swap()

    def discard(self) -> None:
        self.staging.discard()

    def report(self, result: BuildResult) -> None:
        result.written = sorted(o.path for o in result.outputs)
        if self.digests:
            result.digests = {o.path: output_digest(o.data) for o in result.outputs}


class _Changes(_Writer):
    """The outputs whose bytes differ from what the last build published, staged for an
    in-place update (output.Update).

    ``partial``: the outputs are only the pages this build rendered (body edits); every other
    page of the last build stays.
    """

    def __init__(self, out_dir: Path, record: BuildRecord, partial: bool) -> None:
        super().__init__()
        self.update = Update(out_dir)
        self.record, self.partial = record, partial
        self.digests: dict[str, bytes] = dict(record.outputs) if partial else {}
        self.written: list[str] = []
        self.removed: list[str] = []
        self._seen: dict[str, str] = {}  # path → source, of every output staged or found unchanged

    def _write(self, outputs: list[Output]) -> None:
        changed = []
        for output in outputs:
            if output.path in self._seen:
                earlier = self._seen[output.path] or "?"
                raise OutputError(f"{output.source or '?'} and {earlier} both write {output.path}",
                                  output.source, earlier)
            self._seen[output.path] = output.source
            digest = self.digests[output.path] = output_digest(output.data)
            if self.record.outputs.get(output.path) != digest:
                changed.append(output)
        self.update.add(changed)
        self.written.extend(o.path for o in changed)

    def stage_index(self, outputs: Sequence[Output]) -> None:
        if self.partial:  # the last build's index files make way for this one's
            for path in [p for p in self.digests if is_index_file(p)]:
                del self.digests[path]
        self.stage(outputs)

    def finish(self) -> None:
        self.removed = sorted(self.record.outputs.keys() - self.digests.keys())
        self.update.commit(self.removed)

    def discard(self) -> None:
        self.update.discard()  # a committed update stays, for the next build to finish

    def after_failure(self) -> str:
        return "; the next build finishes the update" if self.update.committed else ""

    def report(self, result: BuildResult) -> dict[str, tuple[int, int, int]]:
        result.written, result.removed, result.digests = sorted(self.written), self.removed, self.digests
        stamps = dict(self.record.files)
        prefix = str(self.update.out_dir.resolve()) + os.sep
        # the files written and removed, and every folder above them: they gained, lost or
        # replaced an entry (output_stamps records folders as 'path/', the output folder as '')
        folders = {""}
        for path in (*self.written, *self.removed):
            parts = path.split("/")[:-1]
            folders.update("/".join(parts[:n]) + "/" for n in range(1, len(parts) + 1))
        for path in (*self.written, *self.removed, *folders):
            stamp = stamp_of(prefix + path)
            if stamp is None:
                stamps.pop(path, None)
            else:
                stamps[path] = stamp
        return stamps


@dataclass
class _Parsed:
    stamp: tuple[int, int]  # (mtime_ns, size) of the file when it was parsed
    briefing: Briefing | None
    diagnostics: list[Diagnostic]
    digest: str | None = None  # hash of the file's bytes, when known (it keys the cached search index)


class _ChangedMeanwhile(Exception):
    """A briefing file changed during the build, after the build had read it."""

    def __init__(self, source: str) -> None:
        super().__init__(source)
        self.source = source


@contextmanager
def _exclusive(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``path`` (made if missing), waiting for another process's."""
    clear_way(path.parent.parent, path.name)  # a damaged cache (a folder where the lock goes): made anew
    with open(path, "a+b") as stream:
        if fcntl is not None:
            fcntl.flock(stream, fcntl.LOCK_EX)  # released when the file is closed, or the process ends
        yield


class Builder:
    """Builds one site again and again, reusing what did not change.

    With ``in_place`` the output folder is updated file by file (only changed bytes are
    written, vanished files removed) — what the dev server needs. Otherwise a build is
    published all or nothing: a new folder swapped in, or, when the build record says the
    folder is as the last build left it, the changed files moved in under a journal.
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
        # The URL manifest (manifest.py), kept in the build cache; the dev server keeps its own in memory.
        self.manifest = None if in_place else manifest_file(self.root, out_dir)
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
        self._resources = Resources(self.root, self.persist_cache)  # the files beside briefings
        self._search: tuple[Any, list[Output]] | None = None
        self._last: _LastBuild | None = None
        # source → the version of a changed briefing that the published pages were made from
        self._published_versions: dict[str, Briefing] = {}
        self._cache: ParseCache | None = None  # briefings from it come without bodies until filled
        self._index_store: dict[str, Any] | None = None  # 索引号 given out (index_numbers.py)
        self._index_bytes = b""  # the store as published beside the pages (public fields only)

    def _number(self, config: SiteConfig, loaded: list[Briefing], diagnostics: Diagnostics, write: bool,
                now: dt.datetime) -> None:
        """Give each briefing this build publishes its 索引号: written, held before, or new (index_numbers.py).

        Set in place, as the parse cache sets bodies: the same objects keep their places in the
        build's memos, and a source's number never changes once given, so no page goes stale.
        Drafts and future briefings get theirs when they are published (the store is published
        beside the pages, and must not name them before); the numbers they have written are
        kept free.
        """
        if self._index_store is None:
            self._index_store = read_store(store_paths(self.root, self.out_dir))
            self._index_bytes = dump_store(self._index_store, public=True)
        options = replace(self.options, now=now)
        shown = [b for b in loaded if not b.page and is_published(b, options, now)]  # pages have none
        seen = {id(b) for b in shown}
        kept = [b.index_no for b in loaded if id(b) not in seen and b.index_no and "index_no" in b.key_lines]
        found = assign_index_numbers(self._index_store, shown, config.disclosure.org_code, reserved=kept)
        diagnostics.extend(found.diagnostics)
        numbers = found.numbers
        for briefing in (*shown, *self._published_versions.values()):
            number = numbers.get(briefing.source)
            if number is not None and briefing.index_no != number:
                vars(briefing)["index_no"] = number
        if found.changed and not found.diagnostics:
            self._index_store = found.store
            self._index_bytes = dump_store(found.store, public=True)
            if self.persist_cache and write:
                save_store(self.root, found.store)

    def build(self, changed: Iterable[Path] | None = None, *, write: bool = True) -> BuildResult:
        """Build the site; ``changed`` (absolute paths) narrows what is re-read from disk.

        Without ``changed`` every content file is checked (by size and mtime). Nothing is
        written unless every step succeeded.

        Builds that keep the build cache take turns: two at once (two terminals, a watcher)
        could otherwise publish into one output folder from one record, each recording the
        other's files as its own.
        """
        try:
            if not (self.persist_cache and write):
                return self._build(changed, write)
            with _exclusive(self.root / CACHE_DIR / "lock"):
                return self._build(changed, write)
        except _ChangedMeanwhile as exc:  # nothing was published: the writer discarded it
            result = BuildResult(Diagnostics())
            result.diagnostics.error(exc.source, None, "file changed or vanished while it was being built",
                                     "build again")
            return result

    def _build(self, changed: Iterable[Path] | None, write: bool) -> BuildResult:
        diagnostics = Diagnostics()
        result = BuildResult(diagnostics)
        timings = result.timings
        with _timed(timings, "config"):
            config = self._load_config(diagnostics)
        if config is None:
            return result
        if write and (not self.in_place or self._on_disk is None):
            # before anything is moved or removed
            refusal = refuse_output(self.root, self.out_dir, self.manifest)
            if refusal is not None:
                diagnostics.error(str(self.out_dir), None, refusal)
                return result
        now = self.options.now or dt.datetime.now(dt.UTC)
        # Command-line builds keep a record of what they read and wrote (see record.py).
        record = load_record(self.root) if self.persist_cache and write and not self.in_place else None
        published: _Published | None = None  # what the last build left in the output folder, when intact
        if record is not None:
            with _timed(timings, "check"):
                finish_interrupted(self.out_dir)  # a build stopped while moving files in: finish its moves
                inputs = inputs_stamp(config, replace(self.options, now=None))
                intact = record.intact(self.out_dir)
            if intact and record.up_to_date(inputs, now):
                told = {d.format() for d in diagnostics}  # site.toml's warnings were given again just now
                diagnostics.extend(d for d in record.diagnostics if d.format() not in told)
                result.pages, result.up_to_date = record.pages, True
                return result
            if intact:
                published = _Published(record, inputs, record.content_changes(inputs) if record.current(now) else None)
        self._published_versions = {}  # filled by a first load only: see _body_patch
        with _timed(timings, "load"):
            loaded = self._load(config, diagnostics, changed, published)
            self._number(config, loaded, diagnostics, write, now)
        with _timed(timings, "media"):  # photos and attachments: checked, images made or taken from the cache
            loaded = self._resources.apply(loaded, diagnostics, fill=self._fill_body)
        last, self._last = self._last, None  # set again once this build is written
        swaps = _body_edits(last, loaded, now) if last is not None else None
        # Only bodies changed since the published build: render those briefings' pages and feeds.
        patch = self._body_patch(published, loaded) if published is not None and swaps is None else None
        if patch is not None:  # their pages show their bodies (a file only touched is a cache hit: none)
            with _timed(timings, "load"):
                self._fill_bodies(p.briefing for s in patch if (p := self._parsed.get(self.root / s)) and p.briefing)
        else:
            with _timed(timings, "load"):
                self._fill_bodies(loaded)  # every page, feed and the index will read them
                if self._cache is not None:
                    self._cache.release()
        with _timed(timings, "assemble"):
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
        manifest: bytes | None = None  # the URL manifest this build keeps once published
        # The index is started now and collected last: a forked child builds it meanwhile.
        with _timed(timings, "search"):
            index = None if deferring else self._start_search(site, patch, published)
        # Pages are written while workers render only when this process would otherwise wait
        # for them (a template edit: 6 s less at 10,000 briefings). With a forked child building
        # the search index both cores are busy already: cold builds measured the same either way.
        idle = index is None or index.outputs is not None
        writer: _Writer | None = None
        if write and not self.in_place:
            try:
                writer = _Changes(self.out_dir, published.record, patch is not None) if published is not None \
                    else _NewFolder(self.out_dir, digests=self.persist_cache)
            except OSError as exc:  # a folder beside the output folder cannot be made: read-only, full
                if index is not None:
                    index.cancel()
                diagnostics.error(str(self.out_dir), None, f"could not write beside the output folder: {exc}")
                return result
        try:
            with _timed(timings, "render"):
                if patch is not None:
                    pages = render_body_edits(config, site, diagnostics, patch, serve=self.serve,
                                              fill=self._fill_body)
                    result.rendered = len(pages)
                else:
                    pages, renderer = render_site(
                        config, site, diagnostics, serve=self.serve, state=self._render, extra_pages=("search",),
                        progress=self.progress, ready=writer.early if writer is not None and idle else None,
                        bodies_changed=None if swaps is None else {new.source for _, new in swaps})
                    redirects: list[Output] = []
                    if last is not None and swaps is not None:
                        # the same URLs as last time: the same redirects and manifest
                        redirects, manifest = last.redirects, last.manifest
                    elif not diagnostics.has_errors:  # URLs published before keep working: redirects + manifest
                        redirects, manifest = manifest_outputs(self.manifest, self.out_dir, site, pages, renderer,
                                                               diagnostics)
                    pages += redirects
                    pages.append(Output(INDEX_NUMBERS_NAME, self._index_bytes, "索引号"))
                    with _timed(timings, "media"):
                        media = self._resources.outputs(site.searchable, diagnostics)  # pages have files too
                    pages += media
                    if renderer.revisited is not None:
                        renderer.revisited = renderer.revisited + media
                    result.rendered, result.reused = renderer.rendered, renderer.reused
            if diagnostics.has_errors or not _paths_fit(site, pages, diagnostics):
                return result
            if patch is None:
                # Forget pages the site no longer has, so the memo does not grow without bound.
                self._render.forget_all_but({o.path for o in pages} | {MANIFEST_NAME})
                result.pages = sum(1 for o in pages if o.path.endswith(".html"))
            else:
                result.pages = published.record.pages  # type: ignore[union-attr]
            stamps, stamped_at = None, 0
            if not write or self.in_place:
                result.outputs = pages + self._collect(index, timings)
                if write:
                    self._write_served(result, site, deferring, renderer.revisited)
            elif writer is not None:
                index_outputs = self._write_out(result, pages, index, writer)
                if index_outputs is not None:
                    if manifest is not None and self.manifest is not None:  # published: keep its URLs
                        save_manifest(self.manifest, manifest)
                    result.outputs = pages + index_outputs
                    stamped_at = time.time_ns()
                    stamps = writer.report(result)
        finally:
            if index is not None:
                index.cancel()  # a build that failed before it collected the index
            if writer is not None:
                writer.discard()  # what a build that failed had written (nothing once published)
        if self.persist_cache:
            save_readings(self.root)  # the titles, headings, tags and characters read in pinyin, for the next build
        if result.ok and write and record is not None:
            with _timed(timings, "record"):
                sources = self._file_hashes()
                save_record(self.root, BuildRecord.of(
                    inputs, self.out_dir, result.digests, result.pages, diagnostics,
                    valid_until=_next_publication(loaded, now, self.options), sources=sources, files=stamps,
                    stamped_at=stamped_at))
        if result.ok and assembled_clean and patch is None:  # a patch leaves no render to build on
            self._last = _LastBuild(loaded, site, redirects, manifest, _next_publication(loaded, now, self.options))
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
                result.diagnostics.error(self._culprit(exc), None, str(exc))
                return
            except OSError as exc:  # a full disk, say: the next build starts the folder afresh
                self._on_disk = None
                result.diagnostics.error(str(self.out_dir), None, f"could not write the output folder: {exc}")
                return
            if deferring:
                if self._deferred is None:
                    self._deferred = SearchProcess(self.out_dir.resolve(), self._search_done)
                self._deferred.submit(site)

    def _write_out(self, result: BuildResult, pages: list[Output], index: _PendingIndex | None,
                   writer: _Writer) -> list[Output] | None:
        """Publish the pages, then the search index once collected (a forked child may still be
        building it meanwhile), through ``writer``: a new folder swapped in, or the last one
        updated in place. Its errors become diagnostics. Returns the index's outputs, or None
        if nothing was published."""
        timings = result.timings
        try:
            with _timed(timings, "write"):
                if self.progress is not None:
                    self.progress("writing files", 0, 0)
                writer.stage(pages)
            index_outputs = self._collect(index, timings)
            # the pages were checked: only those under search/ can clash with the index's files
            beside = [o for o in pages if o.path.startswith("search/")]
            if not _paths_fit(result.site, [*beside, *index_outputs], result.diagnostics):
                writer.discard()
                return None
            with _timed(timings, "write"):
                writer.stage_index(index_outputs)
                writer.finish()
        except OutputError as exc:
            writer.discard()
            result.diagnostics.error(self._culprit(exc), None, str(exc))
            return None
        except OSError as exc:
            writer.discard()
            result.diagnostics.error(str(self.out_dir), None, f"could not write the output folder: {exc}"
                                     f"{writer.after_failure()}")
            return None
        except BaseException:
            writer.discard()
            raise
        return index_outputs

    def _culprit(self, exc: OutputError) -> str:
        """The file to name for an output problem: what made the output, else site.toml."""
        for source in exc.sources:  # a file of the site: a static file, then a briefing
            if os.path.isabs(source) and Path(source).is_relative_to(self.root):
                return Path(source).relative_to(self.root).as_posix()
        return next((s for s in exc.sources if s.startswith(f"{CONTENT_DIR}/")), "site.toml")

    def _body_patch(self, published: _Published, loaded: Sequence[Briefing]) -> set[str] | None:
        """The sources of the briefings whose bodies, and nothing else, changed since the
        published build, if nothing else did; else None.

        The version published is the parse cache's entry with the hash the record names.
        """
        changes = published.content_changes
        if not changes or len(loaded) != len(self._parsed):
            return None  # a briefing that failed to load, or nothing changed at all
        for source in changes:
            path = self.root / source
            parsed, before = self._parsed.get(path), self._published_versions.get(source)
            if parsed is None or parsed.briefing is None or before is None \
                    or not same_but_body(before, parsed.briefing):
                return None
        return changes

    def _fill_bodies(self, briefings: Iterable[Briefing]) -> None:
        """Load the bodies of those of ``briefings`` that came from the parse cache without them."""
        wanted = [b for b in briefings if not has_body(b)]
        if self._cache is not None:
            with contextlib.suppress(KeyError):  # one the cache lost: parsed again below, one at a time
                self._cache.fill_all(wanted)
        for briefing in wanted:
            self._fill_body(briefing)

    def _fill_body(self, briefing: Briefing) -> None:
        if self._cache is None or has_body(briefing):
            return
        try:
            self._cache.fill(briefing)
        except KeyError:  # the cache lost it (another build saved meanwhile): parse the file again
            assert self._config is not None
            try:
                data = (self.root / briefing.source).read_bytes()
            except OSError:
                raise _ChangedMeanwhile(briefing.source) from None
            own = Diagnostics()
            self._cache.put(briefing.source, file_digest(data), parse_source(briefing.source, data, self._config, own),
                            own.items)
            try:
                self._cache.fill(briefing)  # the body of the bytes it was parsed from, or none
            except KeyError:
                raise _ChangedMeanwhile(briefing.source) from None

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

    def _start_search(self, site: Site, patch: set[str] | None = None,
                      published: _Published | None = None) -> _PendingIndex:
        """The search index files, to collect once the pages are rendered.

        Reused while the published briefings are the same: in this process, and with the
        persistent cache across runs, keyed by each briefing's file hash and URL (a briefing
        is a function of its file, the config and the code, all in the key). After body edits
        (``patch``: their sources) the published build's index is patched (search/patch.py).
        Otherwise built in a forked process while this one renders and writes the pages.
        """
        key = (site.base_path, site.searchable)
        if self._search is not None and self._search[0] == key:
            return _PendingIndex(self._search[1])
        hashes = self._file_hashes() if self.persist_cache else {}
        stored_key = self._search_key(site, hashes) if self.persist_cache else None
        stored = load_search(self.root) if stored_key else None
        if stored is not None and stored[0] == stored_key:
            return _PendingIndex(self._search_outputs(key, stored[1]))
        if stored is not None and stored_key and patch and published is not None:
            patched = self._patched_index(site, stored, patch, published, hashes)
            if patched is not None:
                save_search(self.root, stored_key, patched)
                return _PendingIndex(self._search_outputs(key, patched))
        documents = site.searchable  # the briefings and the standalone pages
        self._fill_bodies(documents)  # a body edit's build loaded only the bodies its pages show
        forked = ForkedIndex.start(documents, site.base_path) if len(documents) >= FORK_INDEX_FROM else None

        def finish() -> list[Output]:
            index = forked.result() if forked is not None else None
            if index is None:
                index = build_index(documents, base_path=site.base_path)
            if stored_key:
                save_search(self.root, stored_key, index)
            return self._search_outputs(key, index)

        return _PendingIndex(None, finish, forked)

    def _search_outputs(self, key: Any, index: SearchIndex) -> list[Output]:
        outputs = [Output(path, data, "search index") for path, data in index.files().items()]
        # Kept for the next build of this process (the dev server's). Not with the build cache,
        # which keeps the index on disk: its briefings may lack their bodies (ParseCache.fill),
        # and comparing those with others fails.
        self._search = (key, outputs) if not self.persist_cache else None
        return outputs

    def _patched_index(self, site: Site, stored: tuple[str, SearchIndex], patch: set[str],
                       published: _Published, hashes: dict[str, str]) -> SearchIndex | None:
        """The published build's index (if ``stored`` is it) patched for the bodies edited since."""
        assert self._config is not None
        was = {source: published.record.sources[source] for source in patch}
        if stored[0] != self._search_key(site, {**hashes, **was}):
            return None
        previous = [replace(self._published_versions[b.source], url=briefing_url(self._config, b))
                    if b.source in patch else b for b in site.searchable]
        return patch_index(stored[1], previous, site.searchable, patch, fill=self._fill_body)

    def _search_key(self, site: Site, hashes: dict[str, str]) -> str | None:
        """The cached index's key: the code, config and base path, and each briefing's file hash
        (``hashes`` by source) and URL."""
        digest = hashlib.sha256(f"{code_fingerprint()}\0{self._config!r}\0{site.base_path}\n".encode())
        lines = []
        for briefing in site.searchable:
            file_hash = hashes.get(briefing.source)
            if file_hash is None:
                return None
            lines.append(f"{briefing.source}\0{file_hash}\0{briefing.url}\n")
        digest.update("".join(lines).encode())
        return digest.hexdigest()

    def _file_hashes(self) -> dict[str, str]:
        """Source → hash of the bytes parsed, where known."""
        prefix = str(self.root) + os.sep
        return {str(path)[len(prefix):].replace(os.sep, "/"): parsed.digest
                for path, parsed in self._parsed.items()
                if parsed.digest is not None and str(path).startswith(prefix)}

    def _parse_all(self, config: SiteConfig, published: _Published | None) -> None:
        """The first load: every file, through the persistent cache, the rest across all cores.

        A warm build (nothing changed since the last one) parses nothing; a cold one spreads
        the Markdown over the machine's cores. Files the build record says are as the last
        build read them are not even read: their hash is the record's.
        """
        assert self._order is not None
        cache = self._cache = ParseCache.open(self.root, config) if self.persist_cache else None
        if cache is not None:
            load_readings(self.root)
        jobs: list[tuple[str, bytes]] = []
        stamps: dict[str, tuple[Path, tuple[int, int], str]] = {}
        prefix = str(self.root) + os.sep
        for path in self._order:
            text = str(path)  # path.relative_to(self.root), 10,000 times faster than pathlib does it
            source = text[len(prefix):].replace(os.sep, "/") if text.startswith(prefix) \
                else path.relative_to(self.root).as_posix()
            known = published.known_digest(source) if published is not None and cache is not None else None
            hit = cache.get(source, known) if known is not None and cache is not None else None
            if hit is not None and published is not None and known is not None:
                size, mtime, _ = published.inputs.content[source]
                stamps[source] = (path, (mtime, size), known)
                self._parsed[path] = _Parsed((mtime, size), hit[0], hit[1], known)
                continue
            try:
                stat = path.stat()
                data = path.read_bytes()
            except FileNotFoundError:
                continue
            digest = file_digest(data)
            stamps[source] = (path, (stat.st_mtime_ns, stat.st_size), digest)
            if cache is not None and published is not None and published.record.sources.get(source) is not None:
                # the version the published pages were made from, for _body_patch
                entry = cache.entries.get(source)
                if entry is not None and entry[0] == published.record.sources[source] and entry[1] is not None:
                    # filled now: caching this file's new version replaces the body stored
                    with contextlib.suppress(KeyError):  # not cached after all: no body patch
                        self._published_versions[source] = cache.filled(entry[1])
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

    def _load(self, config: SiteConfig, diagnostics: Diagnostics, changed: Iterable[Path] | None,
              published: _Published | None = None) -> list[Briefing]:
        content = (self.root / CONTENT_DIR).resolve()
        recheck: set[Path] | None = None  # files whose stamp is checked; None: every file
        if changed is None or self._files is None:
            problem = content_problem(self.root)
            if problem is not None:  # not an empty site published over the last one
                diagnostics.error(CONTENT_DIR, None, problem)
            refused: list[tuple[str, str]] = []
            self._files = set(briefing_files(self.root, resolve=True, refused=refused))
            for link, why in refused:
                diagnostics.warning(link, None, why)
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
            self._order = sorted(self._files, key=lambda path: path.parts)  # as Paths compare, 3× faster
        if not self._parsed:
            self._parse_all(config, published)
            recheck = set()  # every file was stamped just now
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
            root.mkdir(parents=True)
            mark(root)
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




def _paths_fit(site: Site | None, outputs: Sequence[Output], diagnostics: Diagnostics) -> bool:
    """Whether no output needs a folder where another is a file (checked before anything is
    written: an alias ``/atom.xml`` once broke an update half-way); else an error for each,
    at the line of the briefing that asked for it."""
    conflicts = path_conflicts(o.path for o in outputs)
    if not conflicts:
        return True
    sources = {o.path: o.source for o in outputs}
    briefings = {b.source: b for b in site.briefings} if site is not None else {}
    for folder_path, file_path in conflicts:
        source = sources.get(folder_path, "")
        briefing = briefings.get(source)
        url = "/" + folder_path.removesuffix("index.html")
        line = None
        if briefing is not None:
            line = briefing.key_lines.get("aliases") if url in briefing.aliases else \
                briefing.key_lines.get("slug" if briefing.slug_explicit else "title")
        diagnostics.error(source or "site.toml", line,
                          f"URL {url} would need a folder where the site has its own file /{file_path}",
                          "choose another alias or `slug:`")
    return False


def build(root: Path, out_dir: Path | None = None, options: BuildOptions | None = None,
          *, write: bool = True, serve: bool = False, cache: bool = False,
          progress: ProgressCallback | None = None) -> BuildResult:
    """One build of the site in ``root``. Nothing is written unless every step succeeded.

    With ``cache``, briefings parsed by earlier builds are taken from ``SITE/.briefings-cache/``.
    After a build that rendered only edited bodies, the briefings of ``result.site`` other than
    those shown may lack their bodies (``cache.has_body``): read them from the pages.
    """
    return Builder(root, out_dir or root / "public", options, serve=serve,
                   persist_cache=cache, progress=progress).build(write=write)
