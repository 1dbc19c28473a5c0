"""WATCH: the only importer of watchdog. File events → classified, debounced batches.

An editor's save is a burst of events (write a temp file, rename it over the original,
touch a backup), and ``git checkout`` is a burst of hundreds. ``Changes`` collects them and
hands the rebuild loop one batch once the folder has been quiet for ``quiet`` seconds.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver, ObservedWatch
from watchdog.observers.polling import PollingObserver

from .classify import Kind, classify

QUIET = 0.05  # seconds without events before a batch is handed over (editors save in bursts of a few ms)
LONGEST = 2.0  # a folder that never goes quiet (a running script) still gets rebuilt this often


@dataclass(frozen=True)
class Change:
    path: Path
    kind: Kind
    is_directory: bool = False


@dataclass
class Debounce:
    """The pure part of debouncing: given the time of each event, is a batch due?

    ``clock`` is injected so tests drive it by hand instead of sleeping.
    """

    quiet: float = QUIET
    longest: float = LONGEST
    first: float | None = None
    last: float | None = None

    def event(self, now: float) -> None:
        if self.first is None:
            self.first = now
        self.last = now

    def remaining(self, now: float) -> float | None:
        """Seconds until the batch is due (0 when due); None when nothing is pending."""
        if self.first is None or self.last is None:
            return None
        return max(0.0, min(self.last + self.quiet, self.first + self.longest) - now)

    def reset(self) -> None:
        self.first = self.last = None


@dataclass
class Changes:
    """A thread-safe inbox of changes; ``next_batch`` blocks until a debounced batch is due."""

    quiet: float = QUIET
    longest: float = LONGEST
    clock: Callable[[], float] = time.monotonic
    _pending: dict[Path, Change] = field(default_factory=dict)
    _closed: bool = False

    def __post_init__(self) -> None:
        self._debounce = Debounce(self.quiet, self.longest)
        self._condition = threading.Condition()

    def put(self, changes: Iterable[Change]) -> None:
        with self._condition:
            for change in changes:
                # A later event on one path wins: deleted-then-recreated is just "changed".
                self._pending[change.path] = change
                self._debounce.event(self.clock())
            self._condition.notify_all()

    def close(self) -> None:
        """Wake ``next_batch`` for good: the server is shutting down."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()

    def next_batch(self) -> list[Change] | None:
        """The next batch, once events have stopped for ``quiet`` seconds; None once closed."""
        with self._condition:
            while not self._closed:
                remaining = self._debounce.remaining(self.clock())
                if remaining == 0.0 and self._pending:
                    batch = list(self._pending.values())
                    self._pending.clear()
                    self._debounce.reset()
                    return batch
                # A new event notifies and moves the deadline; wake up and look again.
                self._condition.wait(timeout=remaining)
            return None


WATCHED = ("content", "themes", "templates", "static")  # the folders a site is made of, besides site.toml


def changes_of(event_type: str, paths: Iterable[str | bytes], is_directory: bool, root: Path,
               out_dir: Path) -> list[Change]:
    """The changes one file event means: its source and (for a move) destination, classified.

    A save-by-rename (``a.md.tmp`` → ``a.md``) is one change to ``a.md``; opening or reading
    a file is none.
    """
    if event_type in ("opened", "closed_no_write"):
        return []  # inotify reports reads too; reading a file changes nothing
    if is_directory and event_type == "modified":
        return []  # a folder "changes" whenever a file in it does: that file has its own event
    found = []
    for raw in paths:
        if not raw:
            continue
        path = Path(os.fsdecode(raw))
        kind = classify(path, root, out_dir)
        if kind is not Kind.IGNORE:
            found.append(Change(path, kind, is_directory))
    return found


class _Handler(FileSystemEventHandler):
    def __init__(self, root: Path, out_dir: Path, changes: Changes, on_new_folder: Callable[[Path], None]) -> None:
        self.root, self.out_dir, self.changes = root, out_dir, changes
        self.on_new_folder = on_new_folder

    def on_any_event(self, event: FileSystemEvent) -> None:
        dest = getattr(event, "dest_path", "")
        if event.is_directory and event.event_type in ("created", "moved"):
            new = Path(os.fsdecode(dest or event.src_path))
            if new.parent == self.root and new.name in WATCHED:
                self.on_new_folder(new)  # e.g. static/ made after the server started
        found = changes_of(event.event_type, (event.src_path, dest), event.is_directory, self.root, self.out_dir)
        if found:
            self.changes.put(found)


class Watcher:
    """Watches the folders a site is made of; ``poll`` for network drives and some containers."""

    def __init__(self, root: Path, out_dir: Path, changes: Changes, *, poll: bool = False) -> None:
        self.root, self.out_dir = root, out_dir
        self.observer: BaseObserver = PollingObserver(timeout=0.5) if poll else Observer()
        self._handler = _Handler(root, out_dir, changes, self._watch)
        self._watches: dict[Path, ObservedWatch] = {}
        # The site folder itself, not recursively: site.toml, and content/ or static/ appearing.
        self.observer.schedule(self._handler, str(root), recursive=False)
        # Only what a site is made of: a recursive watch of the site folder would also walk
        # public/ and .git/, which can hold more files than the site has briefings.
        for name in WATCHED:
            if (root / name).is_dir():
                self._watch(root / name)

    def _watch(self, folder: Path) -> None:
        # Also runs in the observer's thread when a folder appears (its lock is re-entrant).
        # A folder deleted and made again needs a new watch: the old one died with it.
        earlier = self._watches.pop(folder, None)
        if earlier is not None:
            with contextlib.suppress(KeyError):
                self.observer.unschedule(earlier)
        self._watches[folder] = self.observer.schedule(self._handler, str(folder), recursive=True)

    def start(self) -> None:
        self.observer.start()

    def stop(self) -> None:
        self.observer.stop()
        self.observer.join(timeout=5)
