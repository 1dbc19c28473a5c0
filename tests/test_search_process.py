"""The dev server's search index, built in a child process from the changes sent to it."""

from __future__ import annotations

import io
import threading
from pathlib import Path

import pytest
from sitebuilder import make_site
from test_incremental import files_of, many, touch

from briefings.pipeline import Builder, build
from briefings.search.index import is_index_file
from briefings.serve import Rebuilder
from briefings.serve.server import LiveState

WAIT = 60.0  # seconds: a ceiling for conditions, never a sleep


def index_files(folder: Path) -> dict[str, bytes]:
    return {path: data for path, data in files_of(folder).items() if is_index_file(path)}


def cold_index(site, tmp_path: Path) -> dict[str, bytes]:
    assert build(site.root, tmp_path / "cold").ok
    return index_files(tmp_path / "cold")


def test_the_index_follows_edits_deletions_and_bursts(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True, defer_search=True)
    try:
        builder.build()
        assert builder.wait_for_search(WAIT) and builder.search_error is None
        assert index_files(out) == cold_index(site, tmp_path)
        # A burst of edits: each build submits its site, the child indexes the newest.
        for k in range(3, 9):
            path = site.root / "content" / f"{k:02d}.md"
            touch(path, path.read_text(encoding="utf-8").replace(f"内容{k}。", f"内容{k}，新词{k}。"))
            assert builder.build([path]).ok
        (site.root / "content" / "11.md").unlink()
        assert builder.build([site.root / "content" / "11.md"]).ok
        assert builder.wait_for_search(WAIT) and builder.search_error is None
        builder.close()
        assert index_files(out) == cold_index(site, tmp_path / "again")
    finally:
        builder.close()


def test_a_dead_index_process_is_reported_and_replaced(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "serve-out"
    stream = io.StringIO()
    live = LiveState()
    rebuilder = Rebuilder(Builder(site.root, out, serve=True, in_place=True, defer_search=True), live, stream)
    builder = rebuilder.builder
    try:
        rebuilder.rebuild(None)
        assert builder.wait_for_search(WAIT)
        reported = threading.Event()
        builder.on_search_done = lambda error: (rebuilder._search_done(error), reported.set())
        assert builder._deferred is not None
        builder._deferred._process.kill()  # as the OOM killer would
        assert reported.wait(WAIT)
        (problem,) = live.snapshot().problems
        assert problem.endswith("could not be rebuilt: the search index process stopped unexpectedly")
        assert problem in stream.getvalue()
        # The next good build starts a new process, sends it every briefing, and the overlay goes.
        path = site.root / "content" / "05.md"
        touch(path, path.read_text(encoding="utf-8").replace("内容5。", "内容5，又改了。"))
        rebuilder.rebuild(None)
        assert builder.wait_for_search(WAIT) and builder.search_error is None
        assert live.snapshot().problems == ()
        assert "search index rebuilt" in stream.getvalue()
        builder.close()
        assert index_files(out) == cold_index(site, tmp_path)
    finally:
        builder.close()


def test_an_index_failure_joins_the_build_errors_in_the_overlay(tmp_path):
    site = make_site(tmp_path, many(3))
    rebuilder = Rebuilder(Builder(site.root, tmp_path / "out", serve=True, in_place=True), LiveState(), io.StringIO())
    rebuilder.rebuild(None)
    rebuilder._search_done("MemoryError: ")
    assert rebuilder.live.snapshot().problems == ("briefings: the search index could not be rebuilt: MemoryError: ",)
    path = site.root / "content" / "02.md"
    touch(path, path.read_text(encoding="utf-8").replace("title: 第2次会议\n", ""))
    rebuilder.rebuild(None)
    assert len(rebuilder.live.snapshot().problems) == 2  # the build's error and the index's
    rebuilder._search_done(None)
    (only,) = rebuilder.live.snapshot().problems
    assert only.startswith("content/02.md:1: error: `title` is required")


@pytest.fixture
def forks(monkeypatch):
    """Builds of any size fork the index; the children started (None: declined) are listed."""
    from briefings import pipeline
    from briefings.search import process

    started: list[object] = []
    real_start = process.ForkedIndex.start

    def start(*args):  # type: ignore[no-untyped-def]
        started.append(real_start(*args))
        return started[-1]

    monkeypatch.setattr(pipeline.ForkedIndex, "start", start)
    monkeypatch.setattr(pipeline, "FORK_INDEX_FROM", 1)
    # Threads left idle by other tests (Playwright's) would make the build decline to fork.
    monkeypatch.setattr(process.threading, "active_count", lambda: 1)
    return started


def test_a_build_forks_the_index_beside_the_pages_and_gets_the_same_bytes(tmp_path, monkeypatch, forks):
    from briefings import pipeline

    site = make_site(tmp_path, many(25))
    assert build(site.root, tmp_path / "forked").ok
    assert forks and forks[0] is not None, "the index was built in a forked child"
    monkeypatch.setattr(pipeline, "FORK_INDEX_FROM", 10**9)
    assert build(site.root, tmp_path / "here").ok
    assert files_of(tmp_path / "forked") == files_of(tmp_path / "here")


def test_a_failed_build_leaves_no_index_child_behind(tmp_path, forks):
    import multiprocessing

    site = make_site(tmp_path, many(25))
    template = site.root / "themes/default/templates/briefing.html"
    template.write_text(template.read_text(encoding="utf-8") + "{{ nope( }}", encoding="utf-8")
    result = build(site.root, tmp_path / "out")
    assert not result.ok and "template error" in result.diagnostics.errors[0].format()
    assert forks and forks[0] is not None, "a child was started"
    assert multiprocessing.active_children() == []
    assert not (tmp_path / "out").exists()


def test_a_child_that_fails_is_replaced_by_building_here(tmp_path, monkeypatch, forks):
    from briefings.search import process

    site = make_site(tmp_path, many(25))
    monkeypatch.setattr(process, "build_search_index", lambda *a, **k: 1 / 0)  # only the child sees this
    assert build(site.root, tmp_path / "out").ok
    assert forks and forks[0] is not None
    assert (tmp_path / "out" / "search" / "entry.json").is_file()


def test_the_forked_index_may_start_workers_of_its_own(tmp_path, monkeypatch, forks):
    """Large sites index in worker processes; the forked child must be allowed to start them."""
    from briefings.search import build_search_index, postings
    from briefings.search.process import ForkedIndex

    site = make_site(tmp_path, many(25))
    result = build(site.root, write=False)
    assert result.site is not None
    monkeypatch.setattr(postings, "PARALLEL_FROM", 4)  # 25 briefings count as large: 2 workers
    monkeypatch.setattr(postings.threading, "active_count", lambda: 1)
    child = ForkedIndex.start(result.site.briefings, "")
    assert child is not None
    index = child.result()
    assert index is not None and index.files() == build_search_index(result.site.briefings, base_path="")
