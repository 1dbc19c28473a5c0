"""The dev server: watch → rebuild → reload, around the build pipeline.

``DevServer`` ties a ``Builder`` (incremental, writing in place into a temporary folder of
its own — never the site's ``public/``), a ``Watcher`` and the HTTP server together. A
rebuild that fails, or even raises, keeps the last good site served and shows the
problems in the terminal and as an overlay on every open page; the next good build
removes it. ``serve`` runs one until Ctrl-C.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import shutil
import signal
import sys
import tempfile
import threading
import time
import traceback
import webbrowser
from pathlib import Path
from typing import TextIO

from ..diagnostics import Severity
from ..output import refuse_output
from ..pipeline import Builder, BuildResult
from ..site import BuildOptions
from .classify import Kind
from .server import DevHTTPServer, LiveState
from .watcher import QUIET, Change, Changes, Watcher

__all__ = ["DevServer", "Rebuilder", "serve"]


def url_host(host: str) -> str:
    """The host as a URL spells it: IPv6 in brackets; a wildcard bind is reached on loopback."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


class Rebuilder:
    """Runs one build per batch of changes and tells the terminal and the open pages how it went.

    Needs no socket and no watcher, so tests drive it directly (as MkDocs tests its
    ``LiveReloadServer``): a failed or crashed build sets the overlay, the next good one clears it.
    """

    def __init__(self, builder: Builder, live: LiveState, stream: TextIO) -> None:
        self.builder, self.live, self.stream = builder, live, stream
        builder.on_search_done = self._search_done
        self._errors: tuple[str, ...] = ()  # of the latest build
        self._search_problem: str | None = None  # of the latest search index
        self.builds = 0  # builds finished (good or not), for tests and the benchmark
        self.last: BuildResult | None = None  # the latest build that did not crash
        self._built = threading.Condition()
        self._full_next = True  # the next build re-checks every file (first build, after a crash)

    def rebuild(self, batch: list[Change] | None) -> BuildResult | None:
        """One build after ``batch`` (None: check everything). Never raises: the server goes on."""
        # A folder created, moved or deleted under content/ brings files without an event
        # each: only a full look at content/ finds them all.
        full = self._full_next or batch is None or any(c.is_directory and c.kind is Kind.CONTENT for c in batch)
        start = time.perf_counter()
        try:
            result = self.builder.build(None if full else [c.path for c in batch or ()])
        except Exception as exc:  # a bug of ours must not take the server down
            self._full_next = True
            print("".join(traceback.format_exception(exc)).rstrip(), file=self.stream)
            problem = f"briefings: internal error during the rebuild: {type(exc).__name__}: {exc}"
            print(f"{problem}; still serving the last good site", file=self.stream)
            self._errors = (problem,)
            self._show(changed=False)
            self._finished()
            return None
        self._full_next = False
        self.last = result
        self._report(result, (time.perf_counter() - start) * 1000, batch)
        self._errors = tuple(d.format() for d in result.diagnostics if d.severity is Severity.ERROR)
        self._show(changed=bool(result.written or result.removed))
        self._finished()
        return result

    def _search_done(self, error: str | None) -> None:
        """From the search index's process: the index of the latest good build is written, or failed."""
        problem = None if error is None else f"briefings: the search index could not be rebuilt: {error}"
        if problem != self._search_problem:
            if problem is not None:
                print(f"{problem}; search answers from the last good index", file=self.stream)
            elif self._search_problem is not None:
                print("search index rebuilt", file=self.stream)
            self._search_problem = problem
            self._show(changed=False)

    def _show(self, changed: bool) -> None:
        """Tell the open pages: reload (``changed``), and which problems the overlay lists."""
        problems = self._errors + ((self._search_problem,) if self._search_problem else ())
        self.live.update(problems, changed=changed)

    def _report(self, result: BuildResult, elapsed: float, batch: list[Change] | None) -> None:
        for diagnostic in result.diagnostics:
            print(diagnostic.format(), file=self.stream)
        if not result.ok:
            count = len(result.diagnostics.errors)
            print(f"build failed: {count} error{'s' if count != 1 else ''}; still serving the last good site",
                  file=self.stream)
        elif batch is None or result.written or result.removed or self.live.snapshot().problems:
            print(f"built in {elapsed:.0f} ms: {result.rendered} pages rendered, {len(result.written)} files "
                  f"written, {len(result.removed)} removed", file=self.stream)

    def _finished(self) -> None:
        with self._built:
            self.builds += 1
            self._built.notify_all()

    def wait_for_builds(self, count: int, timeout: float) -> bool:
        """Block until ``count`` builds have finished (the first counts); False on timeout."""
        with self._built:
            return self._built.wait_for(lambda: self.builds >= count, timeout)


class DevServer:
    """Builds ``root``, serves it on ``host:port`` (0: any free port) and rebuilds on change."""

    def __init__(self, root: Path, *, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
                 out_dir: Path | None = None, stream: TextIO = sys.stderr, quiet: float = QUIET) -> None:
        self.root = root.resolve()
        self.host, self.port, self.poll, self.stream = host, port, poll, stream
        self._own_out = out_dir is None
        self.out_dir = (out_dir or Path(tempfile.mkdtemp(prefix="briefings-serve-"))).resolve()
        refusal = None if self._own_out else refuse_output(self.root, self.out_dir)
        if refusal is not None:
            raise ValueError(f"{self.out_dir}: {refusal}")
        self.live = LiveState()
        self.changes = Changes(quiet=quiet)
        self._threads: list[threading.Thread] = []
        self.httpd: DevHTTPServer | None = None
        self.rebuilder: Rebuilder | None = None
        self.watcher: Watcher | None = None
        self.url = ""

    # -- lifecycle ---------------------------------------------------------------------
    def start(self) -> str:
        """Bind, build once, then serve and watch in background threads. Returns the site's URL."""
        try:
            self.httpd = DevHTTPServer((self.host, self.port), self.out_dir, self.live, self.stream)
            # Bind first: with port 0 only the bound socket knows the port the base URL needs.
            self.url = f"http://{url_host(self.host)}:{self.httpd.server_address[1]}/"
            options = BuildOptions(drafts=True, future=True, base_url=self.url)
            builder = Builder(self.root, self.out_dir, options, serve=True, in_place=True, defer_search=True)
            self.rebuilder = Rebuilder(builder, self.live, self.stream)
            builder.preload()  # before any thread of ours starts: parsing forks across the cores
            # Watch before the first build, so a save during it is not lost.
            self.watcher = Watcher(self.root, self.out_dir, self.changes, poll=self.poll)
            self.watcher.start()
            self.rebuilder.rebuild(None)
            # What the first build made lives until the config changes. Frozen, the cycle
            # collector stops walking those millions of objects at 10,000 briefings, which it
            # otherwise did now and then in the middle of an editor's rebuild.
            gc.collect()
            gc.freeze()
            for name, target in (("serve-http", self.httpd.serve_forever), ("serve-rebuild", self._loop)):
                thread = threading.Thread(target=target, name=name, daemon=True)
                thread.start()
                self._threads.append(thread)
        except BaseException:  # a busy port, or Ctrl-C during the first build
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop watching, rebuilding and serving; remove the temporary build folder. Safe to call twice."""
        self.changes.close()
        if self.watcher is not None:
            self.watcher.stop()
        self.live.close()  # ends every SSE stream
        if self.httpd is not None:
            if self._threads:
                self.httpd.shutdown()  # only returns once serve_forever has, so only when it runs
            self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=10)
        self._threads.clear()
        if self.rebuilder is not None:
            if not self._own_out:
                self._wait_for_search(self.rebuilder.builder)  # a folder of the caller's: complete it
            # Our own folder is removed next: an index still being built is of no use, stop it now.
            self.rebuilder.builder.close(wait=not self._own_out)
        if self._own_out:
            shutil.rmtree(self.out_dir, ignore_errors=True)

    def _wait_for_search(self, builder: Builder) -> None:
        if builder.wait_for_search(timeout=1):
            return
        print(f"finishing the search index in {self.out_dir} (Ctrl-C to skip)", file=self.stream)
        with contextlib.suppress(KeyboardInterrupt):  # a second Ctrl-C: leave it behind
            builder.wait_for_search()

    def __enter__(self) -> DevServer:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _loop(self) -> None:
        rebuilder = self.rebuilder
        assert rebuilder is not None, "started before the first build"
        while (batch := self.changes.next_batch()) is not None:
            rebuilder.rebuild(batch)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, *, host: str = "127.0.0.1", port: int = 8000, poll: bool = False,
          open_browser: bool = False, stream: TextIO = sys.stderr) -> int:
    """Run the dev server until Ctrl-C. Returns the exit code."""
    server = DevServer(root, host=host, port=port, poll=poll, stream=stream)
    if threading.current_thread() is threading.main_thread():
        # `docker stop` and service managers send SIGTERM: shut down as cleanly as on Ctrl-C.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        url = server.start()
        print(f"serving {server.root} at {url} (built into {server.out_dir}); Ctrl-C to stop", file=stream)
        if open_browser:
            webbrowser.open(url)
        while True:
            time.sleep(3600)  # the work happens in the server's threads; wait for Ctrl-C
    except OSError as exc:  # from start(): binding the port or setting up the watches
        hint = {errno.EADDRINUSE: f"is another server on port {port}? try --port 0",
                errno.EACCES: "ports below 1024 need privileges: try --port 8000",
                errno.ENOSPC: "too many folders for inotify: try --poll",
                errno.EMFILE: "too many folders for inotify: try --poll"}.get(exc.errno or 0)
        print(f"serve: cannot start on {host}:{port}: {exc}" + (f" ({hint})" if hint else ""), file=stream)
        return 1
    except KeyboardInterrupt:
        print("\nstopping", file=stream)
    finally:
        server.stop()
    return 0
