"""The dev server without a browser: path safety, injection, live state, debounce, rebuilds.

Most tests call plain functions (``resolve_request``, ``respond``, ``Rebuilder.rebuild``) with
no socket and no watcher; the few that need threads wait on conditions, never on sleeps.
"""

from __future__ import annotations

import io
import json
import os
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from sitebuilder import make_site

from briefings.pipeline import Builder
from briefings.serve import DevServer, Rebuilder
from briefings.serve.classify import Kind
from briefings.serve.server import (
    EVENTS_PATH,
    DevHTTPServer,
    LiveState,
    host_allowed,
    inject,
    resolve_request,
    respond,
)
from briefings.serve.watcher import Change, Changes, Debounce, Watcher, changes_of

WAIT = 10.0  # seconds: a generous ceiling for conditions, never a sleep


# -- path safety ----------------------------------------------------------------------------
@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A built-site folder beside a secret file and folder it must never reveal."""
    (tmp_path / "secret.txt").write_text("secret", encoding="utf-8")
    (tmp_path / "private").mkdir()
    (tmp_path / "private" / "key.txt").write_text("key", encoding="utf-8")
    site = tmp_path / "site-out"
    (site / "2023" / "06" / "ke-hou").mkdir(parents=True)
    (site / "index.html").write_text("<html><body><p>首页</p></body></html>", encoding="utf-8")
    (site / "404.html").write_text("<html><body><h1>找不到</h1></body></html>", encoding="utf-8")
    (site / "2023" / "06" / "ke-hou" / "index.html").write_text("<body>课后</body>", encoding="utf-8")
    (site / "文件").mkdir()
    (site / "文件" / "附件 1.txt").write_text("附件", encoding="utf-8")
    (site / "atom.xml").write_text("<feed/>", encoding="utf-8")
    (site / "site.css").write_text("body{}", encoding="utf-8")
    (site / "%2e%2e").mkdir()  # a real folder named like an encoded '..': served only when asked twice-encoded
    (site / "%2e%2e" / "x.txt").write_text("literal", encoding="utf-8")
    (site / "leak.txt").symlink_to(tmp_path / "secret.txt")
    (site / "leak-dir").symlink_to(tmp_path / "private", target_is_directory=True)
    (site / "alias.html").symlink_to(site / "index.html")  # a link that stays inside is fine
    return site


@pytest.mark.parametrize("target", [
    "/../secret.txt",
    "/../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2E%2E/%2e%2e/etc/passwd",
    "/2023/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    "/.%2e/secret.txt",
    "/%2e./private/key.txt",
    "/2023/../../secret.txt",
    "/etc/passwd",
    "//etc/passwd",
    "///../secret.txt",
    "/%2Fetc%2Fpasswd",
    "/..%2fsecret.txt",
    "/..%5csecret.txt",
    "/%5c..%5csecret.txt",
    "/index.html%00.txt",
    "/leak.txt",
    "/leak-dir/key.txt",
    "/leak-dir/",
    "http://127.0.0.1:8000/../secret.txt",
    "/" + "长" * 400,  # longer than a file name may be
    "/" + "a/" * 3000,
])
def test_nothing_outside_the_site_is_served(built: Path, target: str) -> None:
    resolved = resolve_request(built, target)
    assert resolved.status == 404, (target, resolved)
    assert resolved.path is None
    response = respond(built, LiveState(), target)
    assert response.status == 404 and b"secret" not in response.body and b"key" not in response.body
    assert "找不到" in response.body.decode("utf-8")  # the site's own 404 page


@pytest.mark.parametrize(("target", "relative"), [
    ("/", "index.html"),
    ("/index.html", "index.html"),
    ("/2023/06/ke-hou/", "2023/06/ke-hou/index.html"),
    ("/2023/06/ke-hou/?from=feed#top", "2023/06/ke-hou/index.html"),
    ("/%E6%96%87%E4%BB%B6/%E9%99%84%E4%BB%B6%201.txt", "文件/附件 1.txt"),
    ("/文件/附件 1.txt", "文件/附件 1.txt"),  # raw UTF-8 in the request line works too
    ("/%252e%252e/x.txt", "%2e%2e/x.txt"),  # decoded once: the folder literally named %2e%2e
    ("/./index.html", "index.html"),
    ("/alias.html", "index.html"),
    ("http://127.0.0.1:8000/atom.xml", "atom.xml"),
])
def test_files_of_the_site_are_served(built: Path, target: str, relative: str) -> None:
    resolved = resolve_request(built, target)
    assert resolved.status == 200
    assert resolved.path == (built / relative).resolve()


def test_folder_without_slash_redirects(built: Path) -> None:
    assert resolve_request(built, "/2023/06/ke-hou").location == "/2023/06/ke-hou/"
    assert resolve_request(built, "/2023/06/ke-hou?q=1").location == "/2023/06/ke-hou/?q=1"
    response = respond(built, LiveState(), "/%E6%96%87%E4%BB%B6")
    assert response.status == 301 and response.headers["Location"] == "/%E6%96%87%E4%BB%B6/"


def test_redirects_never_leave_the_site(built: Path) -> None:
    (built / "evil.example").mkdir()
    assert resolve_request(built, "//evil.example").location == "/evil.example/"
    assert resolve_request(built, "/%2Fevil.example").location == "/evil.example/"
    assert resolve_request(built, "/文件").location == "/%E6%96%87%E4%BB%B6/"


def test_bad_requests(built: Path) -> None:
    assert resolve_request(built, "/%ff%fe").status == 400  # not UTF-8
    assert resolve_request(built, "index.html").status == 400  # not an absolute path


def test_html_gets_the_script_other_files_do_not(built: Path) -> None:
    live = LiveState()
    page = respond(built, live, "/")
    assert page.status == 200 and page.headers["Content-Type"] == "text/html; charset=utf-8"
    html = page.body.decode("utf-8")
    assert html.index("<script>") < html.index("</body>") and EVENTS_PATH in html
    assert json.dumps(live.snapshot().version) in html  # the page knows the build it shows
    assert (built / "index.html").read_text(encoding="utf-8").count("<script>") == 0  # the file is untouched
    feed = respond(built, live, "/atom.xml")
    assert feed.body == b"<feed/>" and feed.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert respond(built, live, "/site.css").headers["Content-Type"] == "text/css; charset=utf-8"
    assert respond(built, live, "/site.css").headers["Cache-Control"] == "no-store"


def test_missing_page_is_the_sites_404_with_status_404(built: Path) -> None:
    response = respond(built, LiveState(), "/2023/06/gone/")
    assert response.status == 404
    assert "找不到" in response.body.decode("utf-8") and b"EventSource" in response.body


def test_before_any_good_build_a_bare_404_still_carries_the_script(tmp_path: Path) -> None:
    response = respond(tmp_path, LiveState(), "/")
    assert response.status == 404 and b"EventSource" in response.body


def test_inject_goes_before_the_last_body_tag_and_escapes() -> None:
    html = b"<body><pre>&lt;/body&gt; </BODY> sample</pre></BODY >"
    out = inject(html, "v</script><b>")
    assert out.endswith(b"</BODY >") and out.count(b"<script>") == 1
    assert out.index(b"<script>") > html.index(b"sample")
    assert b"v</script><b>" not in out and b"v\\u003c/script>\\u003cb>" in out
    assert inject(b"<p>no body tag", "v").startswith(b"<p>no body tag<script>")


def test_overlay_is_built_with_text_content_only(built: Path) -> None:
    script = respond(built, LiveState(), "/").body.decode("utf-8")
    assert "textContent" in script and "innerHTML" not in script and "insertAdjacentHTML" not in script


# -- live state ---------------------------------------------------------------------------
def test_live_state_versions_and_waiting() -> None:
    live = LiveState()
    first = live.snapshot()
    assert live.update((), changed=False) == first  # nothing happened: nobody reloads
    seen: list[object] = []
    ready = threading.Event()

    def listen() -> None:
        ready.set()
        seen.append(live.wait(first.version, timeout=WAIT))

    thread = threading.Thread(target=listen)
    thread.start()
    ready.wait(WAIT)
    failed = live.update(("content/a.md:2: error: bad",), changed=False)
    thread.join(WAIT)
    assert seen == [failed] and failed.version != first.version
    assert live.update(("content/a.md:2: error: bad",), changed=False) == failed  # same failure: no news
    fixed = live.update((), changed=False)
    assert fixed.problems == () and fixed.version != failed.version  # fixing clears the overlay
    live.close()
    assert live.wait(fixed.version, timeout=WAIT) is None


# -- debounce -----------------------------------------------------------------------------
def test_debounce_waits_for_a_quiet_period() -> None:
    debounce = Debounce(quiet=0.1, longest=2.0)
    assert debounce.remaining(0.0) is None
    for now in (0.0, 0.03, 0.06, 0.09):  # an editor's burst: temp file, rename, backup
        debounce.event(now)
    assert debounce.remaining(0.10) == pytest.approx(0.09)
    assert debounce.remaining(0.19) == 0.0


def test_debounce_gives_up_waiting_after_longest() -> None:
    debounce = Debounce(quiet=0.1, longest=2.0)
    for tick in range(60):  # a script touching files every 50 ms, for 3 s
        debounce.event(tick * 0.05)
    assert debounce.remaining(2.0) == 0.0


def test_burst_of_changes_is_one_batch_with_a_fake_clock() -> None:
    now = [100.0]
    changes = Changes(quiet=0.1, clock=lambda: now[0])
    a, b = Path("/s/content/a.md"), Path("/s/content/b.md")
    changes.put([Change(a, Kind.CONTENT)])
    changes.put([Change(b, Kind.CONTENT), Change(a, Kind.CONTENT)])
    now[0] += 0.1
    assert sorted(c.path for c in changes.next_batch() or []) == [a, b]
    changes.put([Change(a, Kind.CONTENT)])
    now[0] += 0.1
    assert [c.path for c in changes.next_batch() or []] == [a]  # later changes: a new batch


def test_next_batch_blocks_until_changes_arrive_and_ends_on_close() -> None:
    changes = Changes(quiet=0.01)
    batches: list[object] = []

    def loop() -> None:
        while (batch := changes.next_batch()) is not None:
            batches.append(batch)
        batches.append("closed")

    thread = threading.Thread(target=loop)
    thread.start()
    changes.put([Change(Path("/s/site.toml"), Kind.CONFIG)])
    changes.close()
    thread.join(WAIT)
    assert not thread.is_alive() and batches[-1] == "closed"


@pytest.mark.parametrize(("event", "paths", "expected"), [
    ("modified", ["/s/content/.a.md.swp"], []),
    ("created", ["/s/content/4913"], []),
    ("modified", ["/s/content/a.md~"], []),
    ("deleted", ["/s/content/.#a.md"], []),
    ("opened", ["/s/content/a.md"], []),
    ("closed_no_write", ["/s/content/a.md"], []),
    ("modified", ["/tmp/out/index.html"], []),
    ("moved", ["/s/content/a.md.tmp", "/s/content/a.md"], ["/s/content/a.md"]),  # save by rename
    ("moved", ["/s/content/a.md", "/s/content/b.md"], ["/s/content/a.md", "/s/content/b.md"]),
    ("modified", [b"/s/content/\xe8\xaf\xbe.md"], ["/s/content/课.md"]),  # watchdog may give bytes
    ("modified", ["/s/content/2023/"], []),  # a folder "modified" because a file in it was
    ("created", ["/s/content/2024/"], ["/s/content/2024"]),
])
def test_editor_litter_never_reaches_the_rebuild(event: str, paths: list[str | bytes], expected: list[str]) -> None:
    is_directory = os.fsdecode(paths[0]).endswith("/")
    found = changes_of(event, paths, is_directory, Path("/s"), Path("/tmp/out"))
    assert [str(c.path) for c in found] == expected


@pytest.mark.parametrize("poll", [False, True], ids=["native", "polling"])
def test_watcher_reports_a_save_and_ignores_swap_files(tmp_path: Path, poll: bool) -> None:
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 甲\ndate: 2023-01-01\n---\n正文。\n")
    root = site.root.resolve()
    changes = Changes(quiet=0.05)
    watcher = Watcher(root, tmp_path / "out", changes, poll=poll)
    watcher.start()
    try:
        (root / "content" / ".a.md.swp").write_bytes(b"swap")
        (root / "content" / "4913").write_bytes(b"")
        (root / "content" / "a.md").write_text("---\ntitle: 乙\ndate: 2023-01-01\n---\n", encoding="utf-8")
        seen: set[Path] = set()
        result: list[set[Path]] = []

        def collect() -> None:
            while (batch := changes.next_batch()) is not None:
                seen.update(c.path for c in batch)
                if root / "content" / "a.md" in seen:
                    result.append(set(seen))
                    return

        thread = threading.Thread(target=collect)
        thread.start()
        thread.join(WAIT)
        changes.close()
        assert result == [{root / "content" / "a.md"}]
    finally:
        watcher.stop()


# -- the rebuild loop (à la MkDocs test_recovers_from_build_error) --------------------------
BRIEFINGS = (
    "-- content/2023/课后服务推进会.md --\n---\ntitle: 课后服务推进会\ndate: 2023-06-15\nslug: ke-hou-fu-wu\n"
    "tags: [课后服务]\n---\n第一版正文。\n"
    "-- content/2023/b.md --\n---\ntitle: 中考工作会\ndate: 2023-05-10\ntags: [中考]\n---\n中考正文。\n"
)


def rebuilder_for(tmp_path: Path) -> tuple[Rebuilder, Path, Path, io.StringIO]:
    site = make_site(tmp_path, BRIEFINGS)
    out = tmp_path / "serve-out"
    stream = io.StringIO()
    rebuilder = Rebuilder(Builder(site.root, out, serve=True, in_place=True), LiveState(), stream)
    assert rebuilder.rebuild(None) is not None
    return rebuilder, site.root, out, stream


def edit(path: Path, old: str, new: str) -> Change:
    path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    stat = path.stat()  # move the mtime on coarse file systems too
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    return Change(path, Kind.CONTENT)


def page(out: Path, live: LiveState, url: str) -> tuple[int, str]:
    response = respond(out, live, url)
    return response.status, response.body.decode("utf-8")


def test_recovers_from_build_error(tmp_path: Path) -> None:
    rebuilder, root, out, stream = rebuilder_for(tmp_path)
    live = rebuilder.live
    good = live.snapshot()
    assert good.problems == () and "第一版正文" in page(out, live, "/2023/06/ke-hou-fu-wu/")[1]
    source = root / "content" / "2023" / "课后服务推进会.md"

    result = rebuilder.rebuild([edit(source, "title: 课后服务推进会\n", "title: [课后服务推进会\n")])
    assert result is not None and not result.ok
    broken = live.snapshot()
    assert len(broken.problems) == 1
    # The YAML parser notices the unclosed '[' on the next line.
    assert broken.problems[0].startswith("content/2023/课后服务推进会.md:3: error: invalid YAML")
    assert broken.problems[0] in stream.getvalue()  # the terminal shows the same line
    status, html = page(out, live, "/2023/06/ke-hou-fu-wu/")
    assert status == 200 and "第一版正文" in html  # the last good site is still served

    rebuilder.rebuild([edit(source, "title: [课后服务推进会\n", "")])  # still broken, another way
    assert live.snapshot().problems == (
        "content/2023/课后服务推进会.md:1: error: `title` is required (add `title: …` to the front matter)",)

    rebuilder.rebuild([edit(source, "date: 2023-06-15\n", "title: 课后服务推进会\ndate: 2023-06-15\n")])
    fixed = live.snapshot()
    assert fixed.problems == () and fixed.version != broken.version  # the overlay goes by itself
    assert "built in" in stream.getvalue().splitlines()[-1]
    rebuilder.rebuild([edit(source, "第一版", "第二版")])
    assert "第二版正文" in page(out, live, "/2023/06/ke-hou-fu-wu/")[1]


def test_recovers_from_an_unexpected_exception(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rebuilder, root, out, stream = rebuilder_for(tmp_path)
    calls: list[object] = []
    real_build = rebuilder.builder.build

    def crash(changed: object = None) -> object:
        calls.append(changed)
        raise RuntimeError("boom")

    monkeypatch.setattr(rebuilder.builder, "build", crash)
    source = root / "content" / "2023" / "b.md"
    assert rebuilder.rebuild([edit(source, "中考正文", "中考新正文")]) is None
    problems = rebuilder.live.snapshot().problems
    assert problems == ("briefings: internal error during the rebuild: RuntimeError: boom",)
    assert "Traceback" in stream.getvalue() and "RuntimeError: boom" in stream.getvalue()

    def spy(changed: object = None) -> object:
        calls.append(changed)
        return real_build(changed)  # type: ignore[arg-type]

    monkeypatch.setattr(rebuilder.builder, "build", spy)
    result = rebuilder.rebuild([Change(root / "site.toml", Kind.CONFIG)])
    assert result is not None and result.ok and calls[-1] is None  # after a crash: a full look
    assert rebuilder.live.snapshot().problems == ()
    assert "中考新正文" in page(out, rebuilder.live, "/2023/05/zhong-kao-gong-zuo-hui/")[1]


def test_template_error_names_the_template(tmp_path: Path) -> None:
    rebuilder, root, _, _ = rebuilder_for(tmp_path)
    template = root / "themes" / "default" / "templates" / "briefing.html"
    rebuilder.rebuild([edit(template, "{% block content %}", "{% block content %}{{ nope(")])
    (problem,) = rebuilder.live.snapshot().problems
    assert problem.startswith("themes/default/templates/briefing.html:")
    rebuilder.rebuild([edit(template, "{{ nope(", "")])
    assert rebuilder.live.snapshot().problems == ()


def test_delete_rename_and_add(tmp_path: Path) -> None:
    rebuilder, root, out, _ = rebuilder_for(tmp_path)
    live = rebuilder.live
    content = root / "content" / "2023"
    # Renamed with its slug in the front matter: same URL.
    renamed = content / "改名后.md"
    (content / "课后服务推进会.md").rename(renamed)
    result = rebuilder.rebuild([Change(content / "课后服务推进会.md", Kind.CONTENT), Change(renamed, Kind.CONTENT)])
    assert result is not None and result.ok and not result.removed
    assert page(out, live, "/2023/06/ke-hou-fu-wu/")[0] == 200
    # Deleted: its page is a 404, its tag is gone from the tags page.
    (content / "b.md").unlink()
    before = live.snapshot().version
    result = rebuilder.rebuild([Change(content / "b.md", Kind.CONTENT)])
    assert result is not None and "2023/05/zhong-kao-gong-zuo-hui/index.html" in result.removed
    assert page(out, live, "/2023/05/zhong-kao-gong-zuo-hui/")[0] == 404
    assert "中考" not in page(out, live, "/tags/")[1] and live.snapshot().version != before
    # A folder moved in brings its files without an event each: a directory change rescans.
    elsewhere = tmp_path / "elsewhere" / "2024"
    elsewhere.mkdir(parents=True)
    (elsewhere / "c.md").write_text("---\ntitle: 新学期\ndate: 2024-02-01\ntags: [开学]\n---\n新。\n", encoding="utf-8")
    elsewhere.rename(root / "content" / "2024")
    rebuilder.rebuild([Change(root / "content" / "2024", Kind.CONTENT, is_directory=True)])
    assert page(out, live, "/2024/02/xin-xue-qi/")[0] == 200
    assert "开学" in page(out, live, "/tags/")[1]


def test_drafts_and_future_briefings_are_shown_with_a_banner(tmp_path: Path) -> None:
    site = make_site(tmp_path, "-- content/d.md --\n---\ntitle: 草稿简报\ndate: 2999-01-01\ndraft: true\n---\n草。\n")
    with DevServer(site.root, port=0, stream=io.StringIO()) as server:
        status, html = page(server.out_dir, server.live, "/2999/01/cao-gao-jian-bao/")
        assert status == 200 and "draft-banner" in html
        assert 'href="http://127.0.0.1:' in html  # base URL is the server's own
    assert not (site.root / "public").exists()  # never the user's public/


def test_a_save_is_picked_up_by_the_watcher_and_rebuilt(tmp_path: Path) -> None:
    site = make_site(tmp_path, BRIEFINGS)
    with DevServer(site.root, port=0, stream=io.StringIO()) as server:
        url = "/2023/05/zhong-kao-gong-zuo-hui/"
        assert "中考正文" in page(server.out_dir, server.live, url)[1]
        source = site.root / "content" / "2023" / "b.md"
        builds = server.rebuilder.builds
        edit(source, "中考正文", "中考新正文")
        # Wait build by build (each a condition, not a sleep) until the page shows the edit.
        while "中考新正文" not in page(server.out_dir, server.live, url)[1]:
            builds += 1
            assert server.rebuilder.wait_for_builds(builds, WAIT), "no rebuild after the save"


# -- one real socket: the handler wiring, HEAD and the event stream --------------------------
def test_http_server_end_to_end(built: Path) -> None:
    live = LiveState()
    httpd = DevHTTPServer(("127.0.0.1", 0), built, live, io.StringIO())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    try:
        with urllib.request.urlopen(base + "/%E6%96%87%E4%BB%B6/%E9%99%84%E4%BB%B6%201.txt", timeout=WAIT) as r:
            assert r.status == 200 and r.read().decode("utf-8") == "附件"
        head = urllib.request.Request(base + "/", method="HEAD")
        with urllib.request.urlopen(head, timeout=WAIT) as r:
            assert r.status == 200 and r.read() == b"" and int(r.headers["Content-Length"]) > 0
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(base + "/%2e%2e/secret.txt", timeout=WAIT)
        assert missing.value.code == 404 and b"secret" not in missing.value.read()
        with urllib.request.urlopen(base + EVENTS_PATH, timeout=WAIT) as events:
            assert events.headers["Content-Type"].startswith("text/event-stream")
            lines = []
            while not (line := events.readline().decode("utf-8")).startswith("data:"):
                lines.append(line)
            assert json.loads(line[5:])["version"] == live.snapshot().version
            failed = live.update(("content/a.md:3: error: bad",), changed=False)
            while not (line := events.readline().decode("utf-8")).startswith("data:"):
                pass
            assert json.loads(line[5:]) == {"version": failed.version, "problems": ["content/a.md:3: error: bad"]}
    finally:
        live.close()
        httpd.shutdown()
        httpd.server_close()


@pytest.mark.parametrize("host,bound,allowed", [
    ("127.0.0.1:8000", "127.0.0.1", True),
    ("localhost:8000", "127.0.0.1", True),
    ("localhost", "127.0.0.1", True),
    ("[::1]:8000", "::1", True),
    (None, "127.0.0.1", True),
    ("evil.example:8000", "127.0.0.1", False),  # DNS rebinding: a foreign name pointed at loopback
    ("127.0.0.1.evil.example", "127.0.0.1", False),
    ("briefings.lan:8000", "0.0.0.0", True),  # bound to the network on purpose
])
def test_host_header_guards_a_loopback_server(host, bound, allowed):
    assert host_allowed(host, bound) is allowed


def test_the_first_build_parses_before_any_thread_starts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Parsing forks across the cores only in a process without threads: before the watcher's."""
    from briefings import pipeline

    calls: list[tuple[int, int]] = []
    real = pipeline.parse_many

    def spy(jobs, config, workers=1):  # type: ignore[no-untyped-def]
        calls.append((len(jobs), threading.active_count()))
        return real(jobs, config, workers)

    monkeypatch.setattr(pipeline, "parse_many", spy)
    site = make_site(tmp_path, BRIEFINGS)
    threads_before = threading.active_count()
    with DevServer(site.root, port=0, stream=io.StringIO()) as server:
        assert server.rebuilder is not None and server.rebuilder.last is not None and server.rebuilder.last.ok
    assert calls == [(2, threads_before)]  # every file, once, while no thread of ours ran


def test_stopping_removes_the_folder_and_the_index_process(tmp_path: Path) -> None:
    import multiprocessing

    site = make_site(tmp_path, BRIEFINGS)
    with DevServer(site.root, port=0, stream=io.StringIO()) as server:
        out = server.out_dir
        assert (out / "index.html").is_file()
        source = site.root / "content" / "2023" / "b.md"
        edit(source, "中考正文", "中考新正文")
        assert server.rebuilder is not None
        server.rebuilder.rebuild([Change(source, Kind.CONTENT)])  # an index may still be on its way
    assert not out.exists()
    assert multiprocessing.active_children() == []


# -- the server under load and abuse ----------------------------------------------------------
@pytest.fixture
def server(built: Path):
    live = LiveState()
    httpd = DevHTTPServer(("127.0.0.1", 0), built, live, io.StringIO())
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield httpd
    finally:
        live.close()
        httpd.shutdown()
        httpd.server_close()


def _raw(httpd: DevHTTPServer, request: bytes) -> bytes:
    import socket
    with socket.create_connection(httpd.server_address[:2], timeout=WAIT) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_a_request_with_two_host_headers_is_refused(server: DevHTTPServer) -> None:
    answer = _raw(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 400") and "首页".encode() not in answer
    answer = _raw(server, b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 200")


@pytest.mark.parametrize("sent", [b"", b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n"])
def test_idle_and_half_sent_requests_time_out(server: DevHTTPServer, sent: bytes) -> None:
    server.request_timeout = 0.3
    answer = _raw(server, sent)  # returns once the server closes the connection
    assert b"200" not in answer


def test_the_listen_backlog_holds_a_burst_of_connections() -> None:
    assert DevHTTPServer.request_queue_size >= 128


def test_live_reload_streams_are_bounded(server: DevHTTPServer) -> None:
    server.max_streams = 2
    base = f"http://127.0.0.1:{server.server_address[1]}"
    streams = [urllib.request.urlopen(base + EVENTS_PATH, timeout=WAIT) for _ in range(2)]
    try:
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(base + EVENTS_PATH, timeout=WAIT)
        assert refused.value.code == 503
    finally:
        for stream in streams:
            stream.close()


def test_a_value_python_cannot_hold_is_shown_at_its_line_not_as_an_internal_error(tmp_path: Path) -> None:
    rebuilder, root, _out, stream = rebuilder_for(tmp_path)
    source = root / "content" / "2023" / "课后服务推进会.md"
    result = rebuilder.rebuild([edit(source, "date: 2023-06-15\n", "date: 2023-02-30\n")])
    assert result is not None and not result.ok
    problems = rebuilder.live.snapshot().problems
    assert len(problems) == 1 and problems[0].startswith("content/2023/课后服务推进会.md:3: error: `date`")
    assert "internal error" not in stream.getvalue()


def test_a_write_that_fails_is_a_message_and_the_next_build_recovers(tmp_path: Path,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    from briefings import pipeline
    rebuilder, root, out, stream = rebuilder_for(tmp_path)
    source = root / "content" / "2023" / "课后服务推进会.md"
    real = pipeline.replace_file

    def full_disk(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(pipeline, "replace_file", full_disk)
    result = rebuilder.rebuild([edit(source, "第一版", "第二版")])
    assert result is not None and not result.ok
    assert "No space left on device" in rebuilder.live.snapshot().problems[0]
    assert "internal error" not in stream.getvalue()
    monkeypatch.setattr(pipeline, "replace_file", real)
    result = rebuilder.rebuild([edit(source, "第二版", "第三版")])
    assert result is not None and result.ok
    assert "第三版正文" in page(out, rebuilder.live, "/2023/06/ke-hou-fu-wu/")[1]
