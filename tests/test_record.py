"""Command-line builds remember what they read and wrote: warm builds skip, rebuilds link."""

from __future__ import annotations

import datetime as dt
import os
import threading

import pytest
from sitebuilder import make_site
from test_incremental import files_of, many, touch

from briefings import pipeline
from briefings import record as record_module
from briefings.cache import ParseCache
from briefings.cache import _shard as _shard_of
from briefings.cli import main
from briefings.diagnostics import Diagnostics
from briefings.pipeline import build
from briefings.record import load_record, load_search, save_search
from briefings.search.index import SearchIndex
from briefings.site import BuildOptions


def inode(path) -> int:
    return path.stat().st_ino


def test_nothing_changed_means_nothing_done_and_the_same_warnings(tmp_path, capsys):
    typo = "-- content/w.md --\n---\ntitle: 警告\ndate: 2023-01-02\ntag: [中考]\n---\n正文。\n"  # `tag:` warns
    site = make_site(tmp_path, many(12) + typo)
    out = tmp_path / "public"
    first = build(site.root, out, cache=True)
    assert first.ok and not first.up_to_date
    published = files_of(out)
    second = build(site.root, out, cache=True)
    assert second.up_to_date and second.pages == first.pages
    assert [d.format() for d in second.diagnostics] == [d.format() for d in first.diagnostics] != []
    assert files_of(out) == published
    assert main(["build", str(site.root), "-o", str(out)]) == 0
    assert "is up to date" in capsys.readouterr().out


@pytest.mark.parametrize("change", ["content", "template", "output deleted", "output edited", "output added",
                                    "output folder added", "config"])
def test_any_change_of_input_or_output_means_a_real_build(tmp_path, change):
    site = make_site(tmp_path, many(12))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    page = out / "2023/03/di-5-ci-hui-yi/index.html"
    if change == "content":
        path = site.root / "content" / "05.md"
        touch(path, path.read_text(encoding="utf-8").replace("内容5。", "内容5，改过。"))
    elif change == "template":
        path = site.root / "themes/default/templates/briefing.html"
        touch(path, path.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}<!-- v2 -->"))
    elif change == "output deleted":
        page.unlink()
    elif change == "output edited":
        page.write_text("defaced", encoding="utf-8")
    elif change == "output added":
        (page.parent / "stray.html").write_text("stray", encoding="utf-8")
    elif change == "output folder added":
        (page.parent / "stray").mkdir()
    else:
        touch(site.root / "site.toml", (site.root / "site.toml").read_text(encoding="utf-8") + "\nper_page = 5\n")
    again = build(site.root, out, cache=True)
    assert again.ok and not again.up_to_date
    assert build(site.root, tmp_path / "fresh").ok
    assert files_of(out) == files_of(tmp_path / "fresh")


def test_unchanged_files_are_linked_not_written(tmp_path):
    site = make_site(tmp_path, many(12))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    untouched, edited = out / "2023/03/di-2-ci-hui-yi/index.html", out / "2023/03/di-5-ci-hui-yi/index.html"
    before = inode(untouched), inode(edited)
    path = site.root / "content" / "05.md"
    touch(path, path.read_text(encoding="utf-8").replace("内容5。", "内容5，改过。"))
    assert build(site.root, out, cache=True).ok
    assert inode(untouched) == before[0], "the same file, linked into the new folder"
    assert inode(edited) != before[1] and "内容5，改过。" in edited.read_text(encoding="utf-8")
    assert not any(p.name.startswith(".public.") for p in tmp_path.iterdir()), "no staging folder left"


def test_a_template_edit_reuses_the_search_index(tmp_path, monkeypatch):
    site = make_site(tmp_path, many(12))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    index = {p: d for p, d in files_of(out).items() if p.startswith("search/")}

    def must_not_run(*args, **kwargs):
        raise AssertionError("the search index was built again")

    monkeypatch.setattr(pipeline, "build_index", must_not_run)
    path = site.root / "themes/default/templates/briefing.html"
    touch(path, path.read_text(encoding="utf-8").replace("{% block content %}", "{% block content %}<!-- v2 -->"))
    assert build(site.root, out, cache=True).ok
    assert {p: d for p, d in files_of(out).items() if p.startswith("search/")} == index
    assert "<!-- v2 -->" in (out / "2023/03/di-5-ci-hui-yi/index.html").read_text(encoding="utf-8")


def test_a_future_briefing_coming_out_ends_the_warm_shortcut(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    before = dt.datetime(2023, 3, 20, 12, tzinfo=dt.UTC)
    assert build(site.root, out, BuildOptions(now=before), cache=True).ok
    assert build(site.root, out, BuildOptions(now=before + dt.timedelta(hours=2)), cache=True).up_to_date
    later = build(site.root, out, BuildOptions(now=before + dt.timedelta(days=10)), cache=True)
    assert later.ok and not later.up_to_date
    assert (out / "2023/03/di-24-ci-hui-yi/index.html").is_file()


def test_no_cache_ignores_the_record(tmp_path):
    site = make_site(tmp_path, many(5))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    stamp = os.stat(out).st_ino
    assert main(["build", str(site.root), "-o", str(out), "--no-cache", "--quiet"]) == 0
    assert os.stat(out).st_ino != stamp  # published again


def test_a_body_edit_renders_its_page_and_feeds_and_patches_the_index(tmp_path, monkeypatch):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    untouched = inode(out / "2023/03/di-2-ci-hui-yi/index.html")

    cold_index, patching = pipeline.build_index, [True]

    def only_when_cold(*args, **kwargs):
        assert not patching, "the search index was built again"
        return cold_index(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build_index", only_when_cold)
    for round_ in range(3):  # one after another: each build patches what the last one published
        path = site.root / "content" / "07.md"
        touch(path, path.read_text(encoding="utf-8").replace("内容7", f"内容7，第{round_}次改过，新增龘字"))
        patching[:] = [True]
        result = build(site.root, out, cache=True)
        assert result.ok and not result.up_to_date
        # its own page and the feeds that carry it (the site's and its tag's), nothing else
        assert result.rendered == 3, result.written
        patching.clear()
        assert build(site.root, tmp_path / f"cold{round_}").ok
        assert files_of(out) == files_of(tmp_path / f"cold{round_}")
        assert f"第{round_}次改过" in (out / "2023/03/di-7-ci-hui-yi/index.html").read_text(encoding="utf-8")
    assert inode(out / "2023/03/di-2-ci-hui-yi/index.html") == untouched, "not even linked again"


@pytest.mark.parametrize("edit", ["title", "tags", "new briefing", "deleted briefing", "slug"])
def test_edits_beyond_the_body_build_every_page_and_match_a_cold_build(tmp_path, edit):
    site = make_site(tmp_path, many(25))
    out, reference = tmp_path / "public", tmp_path / "reference"
    assert build(site.root, out, cache=True).ok
    assert build(site.root, reference).ok  # the same history, without the cache and record
    path = site.root / "content" / "07.md"
    text = path.read_text(encoding="utf-8")
    if edit == "title":
        touch(path, text.replace("title: 第7次会议", "title: 第七次会议"))
    elif edit == "tags":
        touch(path, text.replace("tags: [双减]", "tags: [双减, 课后服务]"))
    elif edit == "new briefing":
        touch(site.root / "content" / "new.md", text.replace("date: 2023-03-07", "date: 2023-04-01"))
    elif edit == "deleted briefing":
        path.unlink()
    else:
        touch(path, text.replace("---\n\n", "slug: qi\n---\n\n", 1))
    result = build(site.root, out, cache=True)
    assert result.ok and result.rendered > 3
    assert build(site.root, reference).ok
    assert files_of(out) == files_of(reference)
    assert build(site.root, out, cache=True).up_to_date, "the record knows the folders the update changed"


@pytest.mark.parametrize("also_edited", [False, True])
def test_a_file_touched_but_unchanged_is_built_from_the_cache_like_any_other(tmp_path, also_edited):
    """``chmod`` or a save without edits changes a file's stamps, not its bytes: the cache has
    it (without its body), and its page is rendered all the same."""
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    os.chmod(site.root / "content" / "07.md", 0o600)
    if also_edited:
        path = site.root / "content" / "09.md"
        touch(path, path.read_text(encoding="utf-8").replace("内容9", "内容9，改过"))
    for _ in range(2):
        assert build(site.root, out, cache=True).ok
    assert build(site.root, tmp_path / "reference").ok
    assert files_of(out) == files_of(tmp_path / "reference")


def test_a_body_edit_the_index_cannot_patch_builds_the_index_from_every_body(tmp_path, monkeypatch):
    """An edit the index cannot be patched for (here every edit: as if each moved the length
    of too many others) builds it again, from bodies the build had not loaded (it renders the
    edited page and its feeds only)."""
    from briefings.search import patch

    monkeypatch.setattr(patch, "MAX_REWEIGHED", -1)
    site = make_site(tmp_path, many(25))
    out, reference = tmp_path / "public", tmp_path / "reference"
    assert build(site.root, out, cache=True).ok
    path = site.root / "content" / "07.md"
    touch(path, path.read_text(encoding="utf-8").replace("## 课后服务", "## 课后服务安排"))
    result = build(site.root, out, cache=True)
    assert result.ok and result.rendered == 3, "still only its page and feeds"
    assert build(site.root, reference).ok
    assert files_of(out) == files_of(reference)


def test_bodies_another_build_replaced_are_parsed_again(tmp_path):
    """Two builds of one site at once: one saves the parse cache while the other has read
    only the briefings of it, not their bodies. The other parses what it lost, and never
    saves a briefing without its body."""
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    config = pipeline.Builder(site.root, out)._load_config(Diagnostics())
    first = ParseCache.open(site.root, config)
    source = "content/07.md"
    _, briefing, _ = first.entries[source]
    other = ParseCache.open(site.root, config)
    other.put(source, "edited elsewhere", other.filled(briefing), [])
    other.save()  # a new bodies' file for the shard; the one `first` would read is gone
    with pytest.raises(KeyError):
        first.fill(briefing)
    first.dirty.add(_shard_of(source))
    first.save()
    again = ParseCache.open(site.root, config)
    assert all(e[1] is None or again.filled(e[1]) for e in again.entries.values()), "every entry fills"


def test_a_build_that_finds_bodies_lost_parses_their_files_again(tmp_path, monkeypatch):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    parsed = site.root / ".briefings-cache" / "parsed"
    lost = _shard_of("content/07.md")
    open_cache = ParseCache.open

    def replaced_meanwhile(cls: type[ParseCache], *args: object) -> ParseCache:
        cache = open_cache(*args)
        for bodies in parsed.glob(f"{lost}.*.body"):
            bodies.unlink()  # another build saved this shard since: the bodies' file named is gone
        return cache

    monkeypatch.setattr(ParseCache, "open", classmethod(replaced_meanwhile))
    template = site.root / "themes/default/templates/base.html"
    touch(template, template.read_text(encoding="utf-8") + "<!-- v2 -->\n")  # every page: every body
    assert build(site.root, out, cache=True).ok
    monkeypatch.undo()
    assert build(site.root, tmp_path / "reference").ok
    assert files_of(out) == files_of(tmp_path / "reference")

    # the same, but the file changed after the build had read it: an error, nothing published
    published = files_of(out)
    monkeypatch.setattr(ParseCache, "open", classmethod(replaced_meanwhile))
    load = pipeline.Builder._load

    def edited_meanwhile(self, *args, **kwargs):
        loaded = load(self, *args, **kwargs)
        touch(site.root / "content" / "07.md", "---\ntitle: 改过\ndate: 2023-03-07\n---\n改过。\n")
        return loaded

    monkeypatch.setattr(pipeline.Builder, "_load", edited_meanwhile)
    touch(template, template.read_text(encoding="utf-8") + "<!-- v3 -->\n")
    failed = build(site.root, out, cache=True)
    assert not failed.ok
    assert [d.format() for d in failed.diagnostics] == [
        "content/07.md: error: file changed or vanished while it was being built (build again)"]
    assert files_of(out) == published


def test_the_published_version_decides_what_a_body_edit_is(tmp_path):
    """A build that failed parsed a new title into the cache; a later body edit of that file
    must not be patched against the unpublished title."""
    site = make_site(tmp_path, many(25))
    out, reference = tmp_path / "public", tmp_path / "reference"
    assert build(site.root, out, cache=True).ok
    assert build(site.root, reference).ok  # the same history, without the cache and record
    path, broken = site.root / "content" / "07.md", site.root / "content" / "08.md"
    text, good = path.read_text(encoding="utf-8"), broken.read_text(encoding="utf-8")
    touch(path, text.replace("title: 第7次会议", "title: 第七次会议"))
    touch(broken, good.replace("date: 2023-03-08", "date: 无"))
    assert not build(site.root, out, cache=True).ok
    touch(broken, good)
    touch(path, path.read_text(encoding="utf-8").replace("内容7", "内容7，改过"))
    assert build(site.root, out, cache=True).ok
    assert build(site.root, reference).ok
    assert files_of(out) == files_of(reference)
    assert "第七次会议" in (out / "2023/03/di-qi-ci-hui-yi/index.html").read_text(encoding="utf-8")


def test_a_file_copied_back_with_its_old_size_and_mtime_is_read_again(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    path = site.root / "content" / "07.md"
    stat = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace("内容7", "内容8"), encoding="utf-8")  # same length
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # as `cp -p` or `rsync -a` leave it
    result = build(site.root, out, cache=True)
    assert result.ok and not result.up_to_date
    assert "内容8" in (out / "2023/03/di-7-ci-hui-yi/index.html").read_text(encoding="utf-8")


def test_files_the_build_never_reads_change_nothing(tmp_path):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    (site.root / "content" / ".07.md.swp").write_bytes(b"vim was here")
    (site.root / "content" / "_drafts").mkdir()
    (site.root / "content" / "_drafts" / "x.md").write_text("not a briefing", encoding="utf-8")
    assert build(site.root, out, cache=True).up_to_date


def test_a_briefing_linked_from_elsewhere_in_the_site_follows_its_target(tmp_path):
    site = make_site(tmp_path, many(25))
    out, reference = tmp_path / "public", tmp_path / "reference"
    shared = site.root / "shared"
    shared.mkdir()
    (site.root / "content" / "07.md").rename(shared / "07.md")
    (site.root / "content" / "07.md").symlink_to(shared / "07.md")
    assert build(site.root, out, cache=True).ok
    assert build(site.root, reference).ok
    touch(shared / "07.md", (shared / "07.md").read_text(encoding="utf-8").replace("内容7", "内容7，改过"))
    assert build(site.root, out, cache=True).ok
    assert build(site.root, reference).ok
    assert files_of(out) == files_of(reference)
    assert "内容7，改过" in (out / "2023/03/di-7-ci-hui-yi/index.html").read_text(encoding="utf-8")


def test_a_body_edit_needs_no_pypinyin_the_readings_are_cached(tmp_path, monkeypatch):
    """Loading pypinyin's dictionaries costs 0.75 s: a rebuild that re-reads a title, headings and
    tags read before takes their readings from the cache instead."""
    from briefings import pinyin

    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    monkeypatch.setattr(pinyin, "_known", {})  # as a new process starts
    monkeypatch.setattr(pinyin, "load", lambda: pytest.fail("pypinyin was loaded"))
    path = site.root / "content" / "07.md"
    touch(path, path.read_text(encoding="utf-8").replace("内容7", "内容7，会议内容"))  # no character new to the site
    result = build(site.root, out, cache=True)
    assert result.ok and result.rendered == 3


@pytest.fixture
def forked_render(monkeypatch):
    """Briefing pages rendered in two forked workers, as on a site of 2,000 briefings or more."""
    from briefings import render

    monkeypatch.setattr(render, "PARALLEL_RENDER_FROM", 1)
    # Threads left idle by other tests (Playwright's) would make the render decline to fork.
    monkeypatch.setattr(render.threading, "active_count", lambda: 1)
    monkeypatch.setattr(render.os, "cpu_count", lambda: 2)


def test_a_template_edit_is_written_while_workers_render(tmp_path, monkeypatch, forked_render):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    handed: list[int] = []
    real = pipeline._Writer.early
    monkeypatch.setattr(pipeline._Writer, "early", lambda self, pages: handed.append(len(pages)) or real(self, pages))
    path = site.root / "themes/default/templates/base.html"
    touch(path, path.read_text(encoding="utf-8") + "<!-- v2 -->\n")
    result = build(site.root, out, cache=True)
    assert result.ok and len(handed) >= 2, "the lists first, then each batch of briefing pages as it came"
    assert sum(handed[1:]) == 25, "every briefing page"
    assert build(site.root, tmp_path / "cold").ok
    assert files_of(out) == files_of(tmp_path / "cold")


def test_a_template_error_in_a_worker_leaves_the_published_folder_as_it_was(tmp_path, forked_render):
    site = make_site(tmp_path, many(25))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    before = files_of(out)
    templates = site.root / "themes/default/templates"
    base, briefing = templates / "base.html", templates / "briefing.html"
    touch(base, base.read_text(encoding="utf-8") + "<!-- v2 -->\n")  # list pages render fine and are staged…
    broken = briefing.read_text(encoding="utf-8").replace("{{ briefing.title }}", "{{ briefing.title.nope() }}", 1)
    touch(briefing, broken)
    result = build(site.root, out, cache=True)  # … then a worker fails
    assert not result.ok and "nope" in result.diagnostics.errors[0].format()
    assert files_of(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public", "site"], "no staged files left behind"


def test_the_stored_search_index_rewrites_only_the_groups_an_edit_changed(tmp_path):
    def index(fragments: list[bytes]) -> SearchIndex:
        return SearchIndex(base_path="", shards=[b"shard %d" % n for n in range(7)], shard_sizes=[7] * 7,
                           fragments=fragments, pairs={}, pair_mask="0", syllables=b"", fold=b"", facets=b"",
                           urls=[], lengths=[], char_df={})

    fragments = [b"fragment %d" % n for n in range(250)]  # in 84 groups of 3 (index.MAX_GROUPS)
    save_search(tmp_path, "key", index(fragments))
    parts = tmp_path / ".briefings-cache" / "search"
    before = {p.name: p.stat().st_ino for p in parts.iterdir()}
    assert load_search(tmp_path) == ("key", index(fragments))

    fragments[120] = b"edited"
    save_search(tmp_path, "key2", index(fragments))
    after = {p.name: p.stat().st_ino for p in parts.iterdir()}
    assert len(after) == len(before) and len(set(after) - set(before)) == 1, "one group written, its old one gone"
    assert all(after[name] == before[name] for name in set(after) & set(before)), "the others left as they were"
    assert load_search(tmp_path) == ("key2", index(fragments))

    next(parts.glob("f-*")).unlink()
    assert load_search(tmp_path) is None, "a group missing: no index rather than a wrong one"


def test_a_file_added_in_the_tick_the_build_wrote_its_folder_is_found(tmp_path, monkeypatch):
    """On a clock that had not ticked since the build wrote a folder, adding a file leaves
    the folder's stamps as recorded: folders changed just before the record are listed."""
    site = make_site(tmp_path, many(12))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    record = load_record(site.root)
    folder = "2023/03/di-5-ci-hui-yi/"
    as_recorded = record.files[folder]
    (out / folder / "stray.html").write_text("stray", encoding="utf-8")
    real = record_module.stamp_of
    monkeypatch.setattr(record_module, "stamp_of", lambda path: as_recorded if path.endswith(folder) else real(path))
    record.recorded_at = as_recorded[1] + 1_000_000  # the record taken 1 ms after the folder was written
    assert not record.intact(out)
    record.recorded_at = as_recorded[1] + 10_000_000_000  # 10 s after: the stamps alone are trusted
    assert record.intact(out)


def test_builds_with_the_cache_take_turns(tmp_path):
    """A second build of the same site waits for the first (they share one record and folder)."""
    site = make_site(tmp_path, many(12))
    out = tmp_path / "public"
    assert build(site.root, out, cache=True).ok
    done = threading.Event()
    with pipeline._exclusive(site.root / ".briefings-cache" / "lock"):  # a build under way
        waiting = threading.Thread(target=lambda: done.set() if build(site.root, out, cache=True).ok else None)
        waiting.start()
        assert not done.wait(1.0), "the second build waited"
    waiting.join(30)
    assert done.is_set()


def test_a_search_index_stored_by_another_version_of_briefings_is_built_again(tmp_path, monkeypatch):
    """Upgrading briefings must not crash on the cache the old version left (issue 19's review met an
    index pickled before SearchIndex gained fields: AttributeError in every later build)."""
    site = make_site(tmp_path, many(3))
    assert main(["build", str(site.root), "--quiet"]) == 0
    assert load_search(site.root) is not None
    monkeypatch.setattr(record_module, "code_fingerprint", lambda: "another version of briefings")
    assert load_search(site.root) is None, "an index from other code is not trusted"
    assert main(["build", str(site.root), "--quiet"]) == 0
