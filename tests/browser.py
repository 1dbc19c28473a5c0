"""Shared browser-test helpers: Debian's Chromium through Playwright, and a folder served on loopback.

Use from a test module with ``pytest_plugins = ["browser"]`` (fixtures ``chromium``) and
``from browser import serve_folder``. Without Chromium (or Playwright) the browser tests are
skipped with the reason, except under ``CI=true``, where a missing browser fails the run.

PYTEST_DONT_REWRITE: test modules import it before pytest loads it as a plugin; it has no asserts.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def skip_or_fail(reason: str) -> None:
    """Skip a test that lacks a tool; under CI=true a missing tool is a failure, never a skip."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: required tools must be installed)", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def chromium() -> Iterator[Browser]:
    """One headless Debian Chromium for the whole session."""
    executable = shutil.which("chromium")
    if executable is None:
        skip_or_fail("Chromium not found: apt-get install chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("Playwright not installed: pip install '.[test]'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves ``directory`` under ``prefix``; a path outside the prefix is a 404. Quiet."""

    prefix = "/"

    def translate_path(self, path: str) -> str:
        clean = urllib.parse.urlsplit(path).path
        if not clean.startswith(self.prefix) and clean + "/" != self.prefix:
            return str(Path(self.directory) / ".outside-the-prefix")
        return super().translate_path("/" + clean[len(self.prefix):])

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that drops a connection it no longer needs is no error worth a traceback."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextmanager
def serve_folder(root: Path, prefix: str = "/") -> Iterator[str]:
    """Serve ``root`` over HTTP on 127.0.0.1 at a free port, under ``prefix``; yield the base URL.

    ``prefix`` is the site's base path (``/briefings/`` for ``https://example.gov.cn/briefings/``),
    so root-relative links of a built site resolve as they will when published.
    """
    prefix = "/" + prefix.strip("/") + "/" if prefix.strip("/") else "/"
    handler = type("Handler", (_Handler,), {"prefix": prefix})
    server = _Server(("127.0.0.1", 0), functools.partial(handler, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, name="serve-folder", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{prefix}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
