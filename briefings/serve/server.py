"""SERVE: the built site over HTTP, a live-reload channel, and the error overlay.

Standard library only: ``ThreadingHTTPServer`` serves files of the build folder and
nothing else; HTML responses get a small script injected at serve time (the built files
stay exactly what ``briefings build`` would write). The script listens on a Server-Sent
Events stream: a new good build reloads the page, a failed one shows an overlay listing
each ``path:line: message`` — the last good site stays served underneath.
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import secrets
import socket
import sys
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import quote, unquote, urlsplit

EVENTS_PATH = "/__briefings__/events"
KEEPALIVE = 15.0  # seconds between SSE comments, so a closed tab frees its thread


# -- live-reload state -------------------------------------------------------------------
@dataclass(frozen=True)
class Snapshot:
    version: str  # changes whenever open pages should reload or the problems changed
    problems: tuple[str, ...]  # "path:line: error: message" of the current failed build


class LiveState:
    """What every open page should show; SSE handlers wait on it for the next change."""

    def __init__(self) -> None:
        # The token makes versions of a restarted server differ, so pages reconnecting to it reload.
        self._token = secrets.token_hex(4)
        self._count = 0
        self._problems: tuple[str, ...] = ()
        self._closed = False
        self._condition = threading.Condition()

    def snapshot(self) -> Snapshot:
        with self._condition:
            return Snapshot(f"{self._token}.{self._count}", self._problems)

    def update(self, problems: tuple[str, ...], changed: bool) -> Snapshot:
        """After a build: ``problems`` of a failed one, or ``changed`` when a good one wrote files."""
        with self._condition:
            if changed or problems != self._problems:
                self._count += 1
                self._problems = problems
                self._condition.notify_all()
            return Snapshot(f"{self._token}.{self._count}", self._problems)

    def wait(self, seen: str | None, timeout: float) -> Snapshot | None:
        """The state once its version differs from ``seen`` (or after ``timeout``); None when closed."""
        with self._condition:
            self._condition.wait_for(lambda: self._closed or f"{self._token}.{self._count}" != seen, timeout)
            if self._closed:
                return None
            return Snapshot(f"{self._token}.{self._count}", self._problems)

    def close(self) -> None:
        with self._condition:
            self._closed = True
            self._condition.notify_all()


# -- the injected script -------------------------------------------------------------------
# The overlay is built with DOM calls and textContent only: messages quote the writer's
# own text (a title, a YAML line) and must never be parsed as HTML.
_CLIENT = """(() => {
  const pageVersion = %(version)s;
  const source = new EventSource(%(events)s);
  const id = "briefings-overlay";
  function hide() { const old = document.getElementById(id); if (old) old.remove(); }
  function show(problems) {
    hide();
    const box = document.createElement("div");
    box.id = id;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;padding:2rem;" +
      "background:rgba(20,20,20,.92);color:#fff;font:14px/1.5 ui-monospace,monospace";
    const title = document.createElement("h2");
    title.textContent = "构建失败 / Build failed — 仍显示上次成功的版本 / showing the last good build";
    title.style.cssText = "margin:0 0 1rem;font-size:16px;color:#ff8a80";
    box.appendChild(title);
    const list = document.createElement("ul");
    for (const text of problems) {
      const item = document.createElement("li");
      item.textContent = text;
      item.style.cssText = "white-space:pre-wrap;margin:.5rem 0";
      list.appendChild(item);
    }
    box.appendChild(list);
    document.body.appendChild(box);
  }
  source.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (state.problems.length) { show(state.problems); return; }
    if (state.version !== pageVersion) { source.close(); location.reload(); return; }
    hide();
  };
})();"""


def _js(value: object) -> str:
    # JSON is valid JavaScript; escaping '<' keeps a "</script>" in a value from closing the tag.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def client_script(version: str) -> str:
    return "<script>" + _CLIENT % {"version": _js(version), "events": _js(EVENTS_PATH)} + "</script>"


def inject(html: bytes, version: str) -> bytes:
    """``html`` with the live-reload script before its last ``</body>`` (or at the end)."""
    script = client_script(version).encode("utf-8")
    # The last one: an earlier "</body>" may sit inside a code sample.
    at = html.lower().rfind(b"</body")
    return html + script if at < 0 else html[:at] + script + html[at:]


# -- mapping a request to a file ---------------------------------------------------------
@dataclass(frozen=True)
class Resolved:
    status: int  # 200 with ``path``, 301 with ``location``, 400 or 404
    path: Path | None = None
    location: str | None = None


def split_target(target: str) -> tuple[str, str]:
    """Path and query of a request target: origin-form (``/a?b``) or absolute-form (``http://h/a?b``).

    Not ``urlsplit`` alone: it would read ``//evil.example/x`` as a host and a path.
    """
    if not target.startswith("/"):
        parts = urlsplit(target)
        return parts.path, parts.query
    path, _, query = target.partition("#")[0].partition("?")
    return path, query


def _inside(root: Path, candidate: Path) -> Path | None:
    # resolve() follows every symlink; only then is is_relative_to a real containment check.
    real = candidate.resolve()
    return real if real.is_relative_to(root) else None


def resolve_request(site_dir: Path, target: str) -> Resolved:
    """The file of the built site a request target names, never anything outside ``site_dir``.

    The path is percent-decoded once (UTF-8: ``/%E8%AF%BE`` is ``/课``); a ``..`` segment, a
    NUL or backslash, or a symlink leading out is a 404; folders redirect to their slash form.
    """
    path, query = split_target(target)
    if not path.startswith("/"):
        return Resolved(400)
    try:
        decoded = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return Resolved(400)
    if "\x00" in decoded or "\\" in decoded:
        return Resolved(404)
    parts = [part for part in decoded.split("/") if part not in ("", ".")]
    if ".." in parts:
        return Resolved(404)
    root = site_dir.resolve()
    try:
        return _find(root, parts, decoded.endswith("/"), query)
    except OSError:  # a name too long for the file system, say: not a file of the site either
        return Resolved(404)


def _find(root: Path, parts: list[str], slash: bool, query: str) -> Resolved:
    real = _inside(root, root.joinpath(*parts))
    if real is None:
        return Resolved(404)
    if real.is_dir():
        if not slash:
            # Rebuilt from the clean parts: echoing the raw path would turn "//evil.example"
            # into a protocol-relative redirect to another host.
            location = "/" + "".join(quote(part, safe="") + "/" for part in parts)
            return Resolved(301, location=location + (f"?{query}" if query else ""))
        real = _inside(root, real / "index.html")
    if real is None or not real.is_file():
        return Resolved(404)
    return Resolved(200, path=real)


# -- responses -----------------------------------------------------------------------------
@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


_TEXT_TYPES = ("text/", "application/xml", "application/atom+xml", "application/json", "application/javascript",
               "image/svg+xml")
_NOT_FOUND = b"<!doctype html><meta charset=utf-8><title>404</title><h1>404</h1><p>Not found.</p></html>"


def content_type(path: Path) -> str:
    kind = {".xml": "application/xml", ".atom": "application/atom+xml", ".js": "application/javascript",
            ".mjs": "application/javascript", ".json": "application/json", ".webmanifest": "application/manifest+json",
            }.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return kind + "; charset=utf-8" if kind.startswith(_TEXT_TYPES) else kind


def respond(site_dir: Path, live: LiveState, target: str) -> Response:
    """The whole response to ``GET target``: a file of the site, a redirect, or the site's 404 page."""
    # The version is read before the file: a build finishing in between costs one extra
    # reload, never a missed one.
    version = live.snapshot().version
    resolved = resolve_request(site_dir, target)
    status, path = resolved.status, resolved.path
    if status == 301 and resolved.location is not None:
        return Response(301, b"", {"Location": resolved.location})
    if path is None:
        # The site's own 404 page, or a bare one while no build has succeeded yet: either
        # way the script comes with it, so the overlay shows why the site is missing.
        not_found = resolve_request(site_dir, "/404.html").path
        path, status = not_found, (404 if status != 400 else 400)
    try:
        data = path.read_bytes() if path is not None else _NOT_FOUND
    except OSError:  # removed by a rebuild after we looked
        path, data, status = None, _NOT_FOUND, 404
    kind = content_type(path) if path is not None else "text/html; charset=utf-8"
    if kind.startswith("text/html"):
        data = inject(data, version)
    return Response(status, data, {"Content-Type": kind, "Cache-Control": "no-store"})


# -- the HTTP server ---------------------------------------------------------------------
class DevHTTPServer(ThreadingHTTPServer):
    """Serves ``site_dir``; each request and each SSE stream gets a daemon thread."""

    daemon_threads = True
    block_on_close = False  # SSE streams end on their own when ``live`` closes
    # The standard library's 5 dropped 156 of 1,000 GETs arriving at once (a browser opening
    # many tabs, a link checker).
    request_queue_size = 128
    request_timeout = 30.0  # seconds a connection may sit idle or half-sent before it is closed
    max_streams = 64  # live-reload streams at once: each holds a thread

    def __init__(self, address: tuple[str, int], site_dir: Path, live: LiveState, stream: TextIO = sys.stderr):
        if ":" in address[0]:
            self.address_family = socket.AF_INET6
        self.site_dir, self.live, self.stream = site_dir, live, stream
        self.streams = 0
        self._streams_lock = threading.Lock()
        super().__init__(address, _Handler)

    def open_stream(self) -> bool:
        """Count a live-reload stream in, if fewer than ``max_streams`` are open."""
        with self._streams_lock:
            if self.streams >= self.max_streams:
                return False
            self.streams += 1
            return True

    def close_stream(self) -> None:
        with self._streams_lock:
            self.streams -= 1

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if isinstance(exc, ConnectionError | TimeoutError):
            return  # the reader closed the tab mid-response: nothing to report
        print(f"serve: error handling a request from {client_address[0]}: {exc!r}", file=self.stream)


def host_allowed(host_header: str | None, bound: str) -> bool:
    """On a loopback bind, only loopback names may ask: a page of another site that points its
    own domain at 127.0.0.1 (DNS rebinding) must not read the drafts the server shows."""
    if not _is_loopback(bound):
        return True  # bound to a network address on purpose: any name that reaches it is fine
    if not host_header:
        return True  # HTTP/1.0 clients send none; they are not browsers running a page's script
    name = host_header.strip().lower()
    name = name[1:name.index("]")] if name.startswith("[") and "]" in name else name.rsplit(":", 1)[0]
    return _is_loopback(name)


def _is_loopback(name: str) -> bool:
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class _Handler(BaseHTTPRequestHandler):
    server: DevHTTPServer
    server_version = "briefings-serve"

    def setup(self) -> None:
        self.timeout = self.server.request_timeout  # idle and half-sent requests end, freeing their thread
        super().setup()

    def _refused(self, *, body: bool) -> bool:
        hosts = self.headers.get_all("Host") or []
        if len(hosts) > 1:  # which one a proxy or browser believes is anyone's guess: neither
            self._send(Response(400, b"more than one Host header\n", {"Content-Type": "text/plain; charset=utf-8"}),
                       body=body)
            return True
        if host_allowed(hosts[0] if hosts else None, self.server.server_address[0]):
            return False
        self._send(Response(421, b"briefings serve answers only to localhost\n",
                            {"Content-Type": "text/plain; charset=utf-8"}), body=body)
        return True

    def do_GET(self) -> None:
        if self._refused(body=True):
            return
        if split_target(self.path)[0] == EVENTS_PATH:
            self._events()
        else:
            self._send(respond(self.server.site_dir, self.server.live, self.path), body=True)

    def do_HEAD(self) -> None:
        if self._refused(body=False):
            return
        self._send(respond(self.server.site_dir, self.server.live, self.path), body=False)

    def _send(self, response: Response, *, body: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if body:
            self.wfile.write(response.body)

    def _events(self) -> None:
        """One Server-Sent Events stream: the current state at once, then every change."""
        if not self.server.open_stream():
            self._send(Response(503, b"too many live-reload streams\n",
                                {"Content-Type": "text/plain; charset=utf-8", "Retry-After": "5"}), body=True)
            return
        try:
            self._stream_events()
        finally:
            self.server.close_stream()

    def _stream_events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(b"retry: 500\n\n")  # reconnect fast when the server restarts
        seen: str | None = None
        while True:
            state = self.server.live.wait(seen, KEEPALIVE)
            if state is None:
                return
            if state.version == seen:
                self.wfile.write(b": keep-alive\n\n")  # fails once the tab is gone, ending the thread
            else:
                seen = state.version
                data = json.dumps({"version": state.version, "problems": state.problems}, ensure_ascii=False)
                self.wfile.write(f"data: {data}\n\n".encode())
            self.wfile.flush()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would bury the rebuild messages
