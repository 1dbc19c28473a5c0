"""Rebuilds reuse what did not change, and produce the same bytes as a cold build."""

from __future__ import annotations

import os
from pathlib import Path

from sitebuilder import make_site

from briefings.pipeline import Builder, build
from briefings.search.index import is_index_file


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def many(n: int) -> str:
    return "".join(
        f"-- content/{k:02d}.md --\n---\ntitle: 第{k}次会议\ndate: 2023-03-{k:02d}\n"
        f"tags: [{'双减' if k % 2 else '中考'}]\n"
        f"---\n\n会议{k}的正文。\n\n## 课后服务\n\n内容{k}。\n"
        for k in range(1, 26)
    )


def pages(written: list[str]) -> list[str]:
    return [path for path in written if not is_index_file(path)]


def touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # make sure the mtime moves even on coarse file systems
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


def served(tmp_path: Path, **builder_options):
    """A 25-briefing site built once by a Builder that writes in place, as the dev server's does."""
    site = make_site(tmp_path, many(25))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True, **builder_options)
    builder.build()
    return site, out, builder


def assert_same_as_cold_build(site, served: Path) -> None:
    cold = site.root.parent / "cold"
    assert build(site.root, cold).ok
    assert files_of(served) == files_of(cold)


def test_body_edit_rerenders_only_the_pages_that_show_it(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True)
    first = builder.build()
    assert first.ok and first.reused == 0
    path = site.root / "content" / "03.md"
    touch(path, path.read_text(encoding="utf-8").replace("内容3。", "内容3，已修改。"))
    second = builder.build([path])
    assert second.ok
    # its page and its tag's feed, which carries its body; the lists show only its summary
    assert second.rendered == 2, second.rendered
    assert pages(second.written) == ["2023/03/di-3-ci-hui-yi/index.html", "tags/shuang-jian/atom.xml"]
    assert "search/entry.json" in second.written  # the search index follows the new text
    assert "index.html" not in second.written  # summary unchanged: home page untouched
    assert_same_as_cold_build(site, out)


def test_body_edit_looks_only_at_its_own_page_and_the_feeds(tmp_path):
    """At 10,000 briefings, visiting every page to find the two that changed took longer than
    rendering them: a body-only edit skips the lists, tag pages and archives altogether."""
    site, out, builder = served(tmp_path)
    feeds = sum(1 for p in out.rglob("atom.xml"))
    for k, text in [(3, "内容3，改一次。"), (3, "内容3，改两次。"), (9, "内容9，也改了。")]:
        path = site.root / "content" / f"{k:02d}.md"
        body = path.read_text(encoding="utf-8")
        touch(path, body.replace(f"内容{k}。", text).replace("内容3，改一次。", text))
        result = builder.build([path])
        assert result.ok
        assert result.rendered + result.reused == 1 + feeds, "its own page and the feeds, nothing else"
        assert text in (out / f"2023/03/di-{k}-ci-hui-yi/index.html").read_text(encoding="utf-8")
        assert_same_as_cold_build(site, out)


def test_edits_beyond_the_body_still_update_every_page_that_shows_them(tmp_path):
    site, out, builder = served(tmp_path)
    path = site.root / "content" / "04.md"
    # a body edit first, so the next build starts from a site that was patched, not assembled
    touch(path, path.read_text(encoding="utf-8").replace("内容4。", "内容4，改了。"))
    assert builder.build([path]).ok
    for old, new in [("title: 第4次会议", "title: 第4次会议（续）\nslug: di-4-ci-hui-yi"),
                     ("tags: [中考]", "tags: [中考, 双减]"),
                     ("date: 2023-03-04", "date: 2023-03-04\nmeeting: 局务会")]:
        touch(path, path.read_text(encoding="utf-8").replace(old, new))
        result = builder.build([path])
        assert result.ok and result.rendered + result.reused > 30, old
        assert_same_as_cold_build(site, out)
    tag_pages = (out / "tags/shuang-jian").rglob("index.html")
    assert any("第4次会议（续）" in page.read_text(encoding="utf-8") for page in tag_pages)


def test_a_briefing_coming_out_later_changes_the_lists_without_an_edit(tmp_path):
    import datetime as dt

    from briefings.site import BuildOptions

    before = dt.datetime(2023, 3, 20, 12, tzinfo=dt.UTC)
    site, out, builder = served(tmp_path, options=BuildOptions(now=before))
    assert not (out / "2023/03/di-24-ci-hui-yi").exists()  # dated after `now`
    path = site.root / "content" / "03.md"
    touch(path, path.read_text(encoding="utf-8").replace("内容3。", "内容3，改了。"))
    builder.options = BuildOptions(now=before + dt.timedelta(days=10))
    assert builder.build([path]).ok
    assert (out / "2023/03/di-24-ci-hui-yi/index.html").is_file()
    assert "第24次会议" in (out / "index.html").read_text(encoding="utf-8")


def test_summary_edit_updates_lists_and_tag_pages(tmp_path):
    site, out, builder = served(tmp_path)
    path = site.root / "content" / "25.md"
    touch(path, path.read_text(encoding="utf-8").replace("会议25的正文。", "会议25的新摘要。"))
    result = builder.build([path])
    assert {"index.html", "tags/shuang-jian/index.html", "2023/03/di-25-ci-hui-yi/index.html"} <= set(result.written)
    assert "tags/zhong-kao/index.html" not in result.written
    assert_same_as_cold_build(site, out)


def test_tag_change_add_and_delete(tmp_path):
    site, out, builder = served(tmp_path)
    edited = site.root / "content" / "04.md"
    touch(edited, edited.read_text(encoding="utf-8").replace("tags: [中考]", "tags: [中考, 新主题]"))
    added = site.root / "content" / "new.md"
    added.write_text("---\ntitle: 新增简报\ndate: 2023-04-01\n---\n正文。\n", encoding="utf-8")
    deleted = site.root / "content" / "01.md"
    deleted.unlink()
    result = builder.build([edited, added, deleted])
    assert result.ok
    assert "tags/xin-zhu-ti/index.html" in result.written
    assert "2023/03/di-1-ci-hui-yi/index.html" in result.removed
    assert not (out / "2023/03/di-1-ci-hui-yi/index.html").exists()
    assert_same_as_cold_build(site, out)


def test_template_edit_rerenders_pages_that_use_it(tmp_path):
    site, out, builder = served(tmp_path)
    template = site.root / "themes" / "default" / "templates" / "tags.html"
    touch(template, template.read_text(encoding="utf-8").replace("<h1>", '<h1 class="changed">', 1))
    result = builder.build([template])
    assert result.rendered == 1 and result.written == ["tags/index.html"]  # the search index is unchanged
    assert_same_as_cold_build(site, out)


def test_error_keeps_last_good_output_and_recovers(tmp_path):
    site = make_site(tmp_path, many(5))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True)
    builder.build()
    before = files_of(out)
    path = site.root / "content" / "02.md"
    good = path.read_text(encoding="utf-8")
    touch(path, good.replace("title: 第2次会议\n", ""))
    failed = builder.build([path])
    assert not failed.ok
    assert [d.format() for d in failed.diagnostics.errors] == [
        "content/02.md:1: error: `title` is required (add `title: …` to the front matter)"]
    assert files_of(out) == before
    touch(path, good)
    assert builder.build([path]).ok
    assert files_of(out) == before


def test_config_change_rebuilds_everything(tmp_path):
    site = make_site(tmp_path, many(5))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True)
    builder.build()
    config = site.root / "site.toml"
    touch(config, config.read_text(encoding="utf-8").replace("测试简报", "新名字"))
    result = builder.build([config])
    assert result.reused == 0 and "新名字" in (out / "index.html").read_text(encoding="utf-8")
    assert_same_as_cold_build(site, out)


def test_deferred_search_index_catches_up_with_the_pages(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True, defer_search=True)
    first = builder.build()
    assert pages(first.written) == first.written, "the index comes after the pages"
    assert builder.wait_for_search(timeout=60)
    assert (out / "search" / "entry.json").is_file()
    path = site.root / "content" / "07.md"
    touch(path, path.read_text(encoding="utf-8").replace("内容7。", "内容7，独一无二的新词。"))
    second = builder.build([path])
    assert pages(second.written) == second.written, "pages only; the index follows"
    assert builder.wait_for_search(timeout=60)
    builder.close()
    assert_same_as_cold_build(site, out)


def test_persistent_cache_gives_the_same_site_and_notices_edits(tmp_path):
    site = make_site(tmp_path, many(12))
    cold = build(site.root, tmp_path / "cold", cache=True)
    assert cold.ok and (site.root / ".briefings-cache").is_dir()
    warm = build(site.root, tmp_path / "warm", cache=True)
    assert files_of(tmp_path / "warm") == files_of(tmp_path / "cold")
    path = site.root / "content" / "05.md"
    path.write_text(path.read_text(encoding="utf-8").replace("内容5。", "内容5，改过。"), encoding="utf-8")
    edited = build(site.root, tmp_path / "edited", cache=True)
    uncached = build(site.root, tmp_path / "uncached")
    assert edited.ok and files_of(tmp_path / "edited") == files_of(tmp_path / "uncached")
    assert "内容5，改过。" in (tmp_path / "edited" / "2023/03/di-5-ci-hui-yi/index.html").read_text(encoding="utf-8")
    assert warm.ok and uncached.ok


def test_briefing_pages_rendered_in_forked_workers_are_the_same_bytes(tmp_path, monkeypatch):
    from briefings import render

    site = make_site(tmp_path, many(25))
    assert build(site.root, tmp_path / "one-process").ok
    monkeypatch.setattr(render, "PARALLEL_RENDER_FROM", 1)
    # Threads left idle by other tests (Playwright's) would make the render decline to fork.
    monkeypatch.setattr(render.threading, "active_count", lambda: 1)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)
    calls: list[int] = []
    real = render._render_in_workers
    monkeypatch.setattr(render, "_render_in_workers", lambda *args: calls.append(args[3]) or real(*args))
    forked = build(site.root, tmp_path / "workers")
    assert calls == [2], "rendered in two forked workers"
    assert forked.ok and forked.rendered == build(site.root, tmp_path / "again").rendered
    assert files_of(tmp_path / "workers") == files_of(tmp_path / "one-process")


def test_a_template_error_in_a_render_worker_names_the_template_and_line(tmp_path, monkeypatch):
    from briefings import render

    site = make_site(tmp_path, many(25))
    monkeypatch.setattr(render, "PARALLEL_RENDER_FROM", 1)
    monkeypatch.setattr(render.threading, "active_count", lambda: 1)
    template = site.root / "themes/default/templates/briefing.html"
    text = template.read_text(encoding="utf-8")
    template.write_text(text.replace("{{ briefing.title }}", "{{ briefing.title.nope() }}", 1), encoding="utf-8")
    result = build(site.root, tmp_path / "out")
    (error,) = result.diagnostics.errors
    assert error.format().startswith("themes/default/templates/briefing.html:")
    assert "template error" in error.format() and "nope" in error.format()


def test_a_slug_changed_and_changed_back_serves_the_briefing_not_the_redirect(tmp_path):
    """The redirect written while the slug was changed must not be taken for the briefing's page."""
    site, out, builder = served(tmp_path)
    path = site.root / "content" / "05.md"
    original = path.read_text(encoding="utf-8")
    touch(path, original.replace("title: 第5次会议", "title: 第5次会议\nslug: di-wu-ci"))
    assert builder.build([path]).ok
    assert "http-equiv" in (out / "2023/03/di-5-ci-hui-yi/index.html").read_text(encoding="utf-8")
    touch(path, original)
    assert builder.build([path]).ok
    page = (out / "2023/03/di-5-ci-hui-yi/index.html").read_text(encoding="utf-8")
    assert "<h1>第5次会议</h1>" in page and "http-equiv" not in page


TERMS = 'title = "简报"\nbase_url = "https://example.org/"\ntaxonomies = ["tags", "meeting", "topic"]\n'


def test_term_links_follow_spellings_and_keys_of_other_briefings(tmp_path):
    """A term's URL (and whether a briefing's page links it) can change with another briefing."""
    site = make_site(tmp_path, (
        "-- content/a.md --\n---\ntitle: 新的\ndate: 2023-05-02\nmeeting: Standing Committee\ntopic: 减负\n---\n甲。\n"
        "-- content/m.md --\n---\ntitle: 中间\ndate: 2023-05-01T12:00:00\n---\n丙。\n"  # a and b are no neighbours
        "-- content/b.md --\n---\ntitle: 旧的\ndate: 2023-05-01\nmeeting: standing committee\ntopic: 减负\n---\n乙。\n"
    ), config=TERMS)
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True)
    assert builder.build().ok
    a = site.root / "content" / "a.md"
    edits = [("meeting: Standing Committee", "meeting: standing committee"), ("topic: 减负", "topic: 课后服务")]
    for old, new in edits:
        touch(a, a.read_text(encoding="utf-8").replace(old, new))
        assert builder.build([a]).ok
        assert_same_as_cold_build(site, out)
