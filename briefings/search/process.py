"""The search index built in a process of its own, beside the work of the build's process.

``ForkedIndex``: a command-line build forks a child to build the index while it renders
and writes the pages; on two cores at 10,000 briefings, each keeps a core busy.

``SearchProcess``: the dev server's index, built after each rebuild.

At 10,000 briefings the index takes seconds to build, the edited page a tenth of one. In
a thread of the server's process the index held the GIL for most of those seconds and
slowed the next page rebuild several times over; in a child process at a lower priority
it takes nothing from it. The child keeps the briefings it was sent, so after the first
index each rebuild sends only the briefings that changed, and it writes the index files
into the serve folder itself (the pages' writer leaves those paths alone).

Only the newest site is indexed: requests that arrive while an index is being built
supersede it, so the files on disk end up as a full build makes them.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from briefings import pinyin
from briefings.model import Briefing, Site
from briefings.output import replace_file, safe_relative
from briefings.search.index import SearchIndex, build_index, build_search_index

ENTRY = "search/entry.json"

# (request number, base path, briefings added or changed by source, sources removed); None: stop
Request = tuple[int, str, dict[str, Briefing], list[str]] | None


class ForkedIndex:
    """``build_index`` in a forked child; ``result`` waits for the index."""

    def __init__(self, process: multiprocessing.process.BaseProcess, conn: Connection) -> None:
        self._process, self._conn = process, conn

    @classmethod
    def start(cls, briefings: Sequence[Briefing], base_path: str) -> ForkedIndex | None:
        """The child, or None where forking is unsafe (threads running) or unavailable."""
        if "fork" not in multiprocessing.get_all_start_methods() or threading.active_count() != 1:
            return None
        context = multiprocessing.get_context("fork")
        parent, child = context.Pipe(duplex=False)
        # Not a daemon: daemonic processes may not start the indexer's own worker processes.
        # ``result`` or ``cancel`` always reaps it.
        process = context.Process(target=_index_in_child, args=(child, briefings, base_path),
                                  name="briefings-search-index")
        try:
            process.start()
        except OSError:
            return None
        child.close()
        return cls(process, parent)

    def result(self) -> SearchIndex | None:
        """The index, or None if the child failed (the caller builds it itself)."""
        try:
            index, readings = self._conn.recv()
            pinyin.remember(readings, new=True)  # the child's, for the build cache
        except (EOFError, OSError, TypeError, ValueError):
            index = None
        self._conn.close()
        self._process.join()
        return index

    def cancel(self) -> None:
        self._conn.close()
        if self._process.is_alive():
            self._process.kill()
        self._process.join()


def _index_in_child(conn: Connection, briefings: Sequence[Briefing], base_path: str) -> None:
    try:
        index: SearchIndex | None = build_index(briefings, base_path=base_path)
    except Exception:  # the parent builds the index itself and reports what goes wrong
        index = None
    with contextlib.suppress(OSError):
        conn.send((index, pinyin.learned()))


class SearchProcess:
    """The parent's side: ``submit`` a site after each good rebuild, ``wait`` for its index.

    ``on_done(error)`` is called from a thread of ours after each index the child wrote
    (``error`` None) or failed to build (a one-line message).
    """

    def __init__(self, out_dir: Path, on_done: Callable[[str | None], None] | None = None) -> None:
        self.out_dir = Path(out_dir)
        self.on_done = on_done
        self.error: str | None = None
        self._sent: dict[str, Briefing] = {}
        self._submitted = self._finished = 0
        self._state = threading.Condition()
        self._conn: _Channel | None = None
        self._process: subprocess.Popen[bytes] | None = None

    def submit(self, site: Site) -> None:
        """Index ``site`` next; sends only what changed since the last submit."""
        with self._state:
            current = {b.source: b for b in site.searchable}
            for attempt in (1, 2):  # a child that died since the last submit is replaced once
                if self._conn is None:
                    self._start()
                assert self._conn is not None
                # The index reads titles, dates, tags and sections, never the HTML: half the bytes to send.
                changed = {source: replace(b, body_html="", toc=()) for source, b in current.items()
                           if self._sent.get(source) is not b}
                removed = [source for source in self._sent if source not in current]
                try:
                    self._conn.send((self._submitted + 1, site.base_path, changed, removed))
                except OSError:
                    self._abandon()
                    if attempt == 2:
                        raise
                    continue
                break
            self._sent = current
            self._submitted += 1

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the newest submitted site's index is written (or failed); False on timeout."""
        with self._state:
            return self._state.wait_for(lambda: self._finished >= self._submitted, timeout)

    def close(self, wait: bool = True) -> None:
        """Stop the child: once it has written the index it is building (``wait``), or at once."""
        with self._state:
            conn, process, self._conn, self._process = self._conn, self._process, None, None
            self._finished = self._submitted
            self._state.notify_all()
        if conn is not None:
            with contextlib.suppress(OSError):
                conn.send(None)
            conn.close_outgoing()  # the listener closes the other end once the child has gone
        if process is not None:
            try:
                process.wait(timeout=5 if wait else 0.1)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def _start(self) -> None:
        # A new interpreter, not a fork: the server's process runs threads, and forking those is
        # unsafe. Not multiprocessing's spawn either, which imports the caller's __main__ again:
        # a script without an `if __name__ == "__main__"` guard would run twice.
        child_reads, parent_writes = os.pipe()
        parent_reads, child_writes = os.pipe()
        package_parent = str(Path(__file__).resolve().parents[2])  # importable even when not installed
        path = os.pathsep.join(filter(None, (package_parent, os.environ.get("PYTHONPATH"))))
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-c", "from briefings.search.process import child_main; child_main()",
                 str(child_reads), str(child_writes), str(self.out_dir)],
                pass_fds=(child_reads, child_writes), env={**os.environ, "PYTHONPATH": path},
                stdin=subprocess.DEVNULL, start_new_session=True)  # Ctrl-C is for the server, which stops it
        except OSError:
            os.close(parent_reads)
            os.close(parent_writes)
            raise
        finally:
            os.close(child_reads)
            os.close(child_writes)
        channel = _Channel(Connection(parent_reads, writable=False), Connection(parent_writes, readable=False))
        self._conn, self._sent = channel, {}
        threading.Thread(target=self._listen, args=(channel,), name="briefings-search-results", daemon=True).start()

    def _abandon(self) -> None:
        """Forget a child that cannot be reached: close our ends, reap it."""
        conn, process, self._conn, self._process = self._conn, self._process, None, None
        if conn is not None:
            conn.close_outgoing()
        if process is not None:
            process.kill()
            process.wait()

    def _listen(self, conn: _Channel) -> None:
        """Results from the child until it goes. Only this thread closes the pipe it reads: a
        descriptor closed under a blocked read can be reused by another file and read from."""
        while True:
            try:
                number, error = conn.recv()
            except (EOFError, OSError):
                conn.incoming.close()
                with self._state:
                    if self._conn is conn:  # died, not closed: start afresh on the next submit
                        self._conn = None
                        conn.close_outgoing()
                        self.error = "the search index process stopped unexpectedly"
                        self._finished = self._submitted
                        self._state.notify_all()
                        died = True
                    else:
                        died = False
                if died and self.on_done is not None:
                    self.on_done(self.error)
                return
            with self._state:
                self.error = error
                self._finished = max(self._finished, number)
                self._state.notify_all()
            if self.on_done is not None:
                self.on_done(error)


class _Channel:
    """Two one-way pipes used as one two-way connection (what a child of subprocess gets)."""

    def __init__(self, incoming: Connection, outgoing: Connection) -> None:
        self.incoming, self.outgoing = incoming, outgoing

    def send(self, message: object) -> None:
        self.outgoing.send(message)

    def recv(self) -> Any:
        return self.incoming.recv()

    def poll(self, timeout: float | None = 0.0) -> bool:
        return self.incoming.poll(timeout)

    def close_outgoing(self) -> None:
        self.outgoing.close()


def child_main() -> None:
    """The child's entry point: ``python -c …child_main()`` READ_FD WRITE_FD OUT_DIR."""
    read_fd, write_fd, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    _child(_Channel(Connection(read_fd, writable=False), Connection(write_fd, readable=False)), out_dir)


class _IndexFiles:
    """The child's view of the index files in the serve folder: writes only what changed."""

    def __init__(self, root: Path) -> None:
        self.root = root
        # Files left by an earlier child (one that died) are unknown: rewritten or removed.
        self.on_disk: dict[str, bytes | None] = {
            p.relative_to(root).as_posix(): None for p in (root / "search").rglob("*.bin")
        } if (root / "search").is_dir() else {}

    def write(self, files: dict[str, bytes]) -> None:
        # The build folder's files first and the entry last: a reader who fetches the new entry
        # finds every file it names; the old build's files go only after that.
        for path in sorted(files, key=lambda p: p == ENTRY):
            if self.on_disk.get(path) != files[path]:
                replace_file(self.root, safe_relative(path).as_posix(), files[path])
        gone = self.on_disk.keys() - files.keys()
        for path in gone:
            (self.root / safe_relative(path)).unlink(missing_ok=True)
        for folder in sorted({(self.root / path).parent for path in gone}, key=lambda p: -len(p.parts)):
            with contextlib.suppress(OSError):  # an old build's folders, once empty, go too
                folder.rmdir()
                if folder.parent != self.root / "search":
                    folder.parent.rmdir()
        self.on_disk = dict(files)


def _child(conn: _Channel, out_dir: str) -> None:
    with contextlib.suppress(OSError, AttributeError):
        os.nice(10)  # the editor's page rebuild comes first
    briefings: dict[str, Briefing] = {}
    files = _IndexFiles(Path(out_dir))
    number, base_path, stop = 0, "", False

    def take_waiting() -> bool:
        """Apply every request waiting in the pipe; True if one was a site (not only a stop)."""
        nonlocal number, base_path, stop
        newer = False
        while not stop and conn.poll():
            request: Request = conn.recv()
            if request is None:
                stop = True
                break
            number, base_path, changed, removed = request
            briefings.update(changed)
            for source in removed:
                briefings.pop(source, None)
            newer = True
        return newer

    try:
        while not stop:
            conn.poll(None)  # until a request comes, or the pipe closes (then recv raises EOFError)
            if not take_waiting():
                break
            while True:  # build; requests that came meanwhile supersede it: only the newest is written
                try:
                    index = build_search_index(list(briefings.values()), base_path=base_path, workers=1)
                except Exception as exc:  # reported to the server, which shows it and goes on
                    conn.send((number, f"{type(exc).__name__}: {exc}"))
                    break
                if take_waiting():
                    continue
                files.write(index)  # also when asked to stop: the index that was asked for is finished
                conn.send((number, None))
                break
    except (EOFError, OSError):
        return
