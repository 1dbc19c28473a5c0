"""索引号: generated when absent, the briefing's for good, never given to another document.

``assign`` is pure and tested on its own (with Hypothesis over edit sequences); whole-site tests
build with the command line (build cache on) across rebuilds, reorderings, renames, deletions and
a removed cache or output folder, and read the number each page shows.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st
from sitebuilder import make_site

from briefings.cli import main
from briefings.config import load_config
from briefings.diagnostics import Diagnostics
from briefings.index_numbers import allocate, assign, generated, next_serial, with_index_no
from briefings.model import Briefing

ORG = "11440300MB2C92051X"
SITE = f'title = "测试简报"\nbase_url = "https://example.org/"\n[disclosure]\norg_code = "{ORG}"\n'


def briefing(source: str, title: str = "会议", date: str = "2023-06-15", *, lang: str = "zh",
             slug: str | None = None, index_no: str | None = None, key: str | None = None) -> Briefing:
    lines = {"title": 2, "date": 3} | ({"index_no": 4} if index_no else {})
    return Briefing(source=source, title=title, date=dt.datetime.fromisoformat(date + "T09:00:00+08:00"), lang=lang,
                    slug=slug or source.rsplit("/", 1)[-1].removesuffix(".md"), body_html="", summary="",
                    index_no=index_no, key_lines=lines, translation_key=key)


def test_numbers_are_given_in_source_order_per_year_and_kept():
    first = assign({}, [briefing("content/b.md"), briefing("content/a.md"),
                        briefing("content/c.md", date="2024-01-02")], ORG)
    assert first.numbers == {"content/a.md": f"{ORG}/2023-00001", "content/b.md": f"{ORG}/2023-00002",
                             "content/c.md": f"{ORG}/2024-00001"}
    assert first.diagnostics == [] and first.changed
    # a new briefing sorting first takes the next serial; the others keep theirs
    again = assign(first.store, [briefing("content/0.md"), briefing("content/a.md"), briefing("content/b.md"),
                                 briefing("content/c.md", date="2024-01-02")], ORG)
    assert again.numbers["content/0.md"] == f"{ORG}/2023-00003"
    assert {k: v for k, v in again.numbers.items() if k != "content/0.md"} == first.numbers
    unchanged = assign(again.store, [briefing("content/c.md", date="2024-01-02"), briefing("content/0.md"),
                                     briefing("content/b.md"), briefing("content/a.md")], ORG)
    assert unchanged.numbers == again.numbers and not unchanged.changed


def test_an_edited_date_or_title_keeps_the_number():
    first = assign({}, [briefing("content/a.md")], ORG)
    later = assign(first.store, [briefing("content/a.md", "新标题", "2025-01-01")], ORG)
    assert later.numbers == {"content/a.md": f"{ORG}/2023-00001"}


def test_a_renamed_file_keeps_its_number_by_slug_translation_key_or_title_and_date():
    first = assign({}, [briefing("content/a.md", slug="hui-yi"), briefing("content/b.md", "二会", key="k"),
                        briefing("content/c.md", "三会", "2023-07-01")], ORG)
    renamed = assign(first.store, [briefing("content/2023/x.md", slug="hui-yi"),
                                   briefing("content/2023/y.md", "二会改", key="k"),
                                   briefing("content/2023/z.md", "三会", "2023-07-01")], ORG)
    assert renamed.numbers == {"content/2023/x.md": first.numbers["content/a.md"],
                               "content/2023/y.md": first.numbers["content/b.md"],
                               "content/2023/z.md": first.numbers["content/c.md"]}
    assert renamed.diagnostics == []


def test_a_deleted_briefings_number_is_never_given_again():
    first = assign({}, [briefing("content/a.md"), briefing("content/b.md", "二会")], ORG)
    gone = assign(first.store, [briefing("content/a.md")], ORG)
    assert gone.store[f"{ORG}/2023-00002"]["gone"] is True
    fresh = assign(gone.store, [briefing("content/a.md"), briefing("content/new.md", "新会")], ORG)
    assert fresh.numbers["content/new.md"] == f"{ORG}/2023-00003"  # a gap, not a reuse
    reuse = assign(gone.store, [briefing("content/a.md"), briefing("content/new.md", "新会",
                                                                    index_no=f"{ORG}/2023-00002")], ORG)
    assert [d.format() for d in reuse.diagnostics] == [
        f"content/new.md:4: error: 索引号 {ORG}/2023-00002 was the number of content/b.md (二会): a 索引号 is never "
        "given to another document (remove `index_no` to have a new one generated, or write another)"]


def test_written_numbers_win_are_kept_and_may_not_be_shared():
    first = assign({}, [briefing("content/a.md", index_no="X/2023-00007"), briefing("content/b.md")], ORG)
    assert first.numbers == {"content/a.md": "X/2023-00007", "content/b.md": f"{ORG}/2023-00001"}
    # written numbers of the same year count for the next serial
    mine = assign({}, [briefing("content/a.md", index_no=f"{ORG}/2023-00007"), briefing("content/b.md")], ORG)
    assert mine.numbers["content/b.md"] == f"{ORG}/2023-00008"
    twice = assign({}, [briefing("content/a.md", index_no="X/1"), briefing("content/b.md", index_no="X/1")], ORG)
    assert [d.format() for d in twice.diagnostics] == [
        "content/a.md:4: error: 索引号 X/1 is also given to content/b.md (each document has its own 索引号; "
        "remove `index_no` from the newer one to have one generated)",
        "content/b.md:4: error: 索引号 X/1 is also given to content/a.md (each document has its own 索引号; "
        "remove `index_no` from the newer one to have one generated)"]
    # the two editions of one briefing may share theirs
    shared = assign({}, [briefing("content/a.md", index_no="X/1", key="k"),
                         briefing("content/a.en.md", lang="en", index_no="X/1", key="k")], ORG)
    assert shared.diagnostics == []
    # another briefing may not take a number a build gave out
    taken = assign(first.store, [briefing("content/a.md", index_no="X/2023-00007"), briefing("content/b.md"),
                                 briefing("content/c.md", "三会", index_no=f"{ORG}/2023-00001")], ORG)
    assert "is the number of content/b.md" in taken.diagnostics[0].message


def test_without_an_org_code_nothing_is_generated():
    result = assign({}, [briefing("content/a.md"), briefing("content/b.md", index_no="X/1")], "")
    assert result.numbers == {"content/b.md": "X/1"}


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["add", "delete", "rename", "retitle"]), st.integers(0, 30)),
                min_size=1, max_size=25))
def test_over_any_edits_a_number_never_changes_owner_and_is_never_reused(edits):
    files: dict[str, tuple[str, str]] = {}  # source → (slug, title)
    store: dict = {}
    owner: dict[str, str] = {}  # number → the document (by its first slug) it was given to
    identity: dict[str, str] = {}  # source → first slug
    counter = 0
    for action, n in edits:
        names = sorted(files)
        if action == "add" or not names:
            counter += 1
            source, slug = f"content/n{counter}.md", f"doc-{counter}"
            files[source] = (slug, f"会议{counter}")
            identity[source] = slug
        else:
            source = names[n % len(names)]
            if action == "delete":
                del files[source]
            elif action == "rename":
                counter += 1
                files[f"content/r{counter}.md"] = files.pop(source)
                identity[f"content/r{counter}.md"] = identity[source]
            else:
                files[source] = (files[source][0], files[source][1] + "改")
        result = assign(store, [briefing(s, t, slug=slug) for s, (slug, t) in files.items()], ORG)
        assert result.diagnostics == []
        assert len(set(result.numbers.values())) == len(result.numbers)
        for source, number in result.numbers.items():
            assert owner.setdefault(number, identity[source]) == identity[source]
        store = result.store


def test_next_serial_and_allocate(tmp_path):
    assert next_serial([], "A", 2023) == 1
    assert next_serial(["A/2023-00009", "A/2024-00100", "B/2023-00500", "A/2023-x"], "A", 2023) == 10
    assert generated("A", 2023, 12) == "A/2023-00012"
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n"
                               f"index_no: {ORG}/2023-00041\n---\n\n正文。\n", config=SITE)
    assert allocate(site.root, ORG, 2023) == f"{ORG}/2023-00042"
    assert allocate(site.root, "", 2023) is None
    config = load_config(site.root, Diagnostics())
    assert config is not None
    front = with_index_no(config, {"title": "会", "date": dt.date(2023, 1, 2), "slug": "hui"})
    assert list(front) == ["title", "date", "index_no", "slug"] and front["index_no"] == f"{ORG}/2023-00042"


# ---- whole sites, built as a user builds them --------------------------------------------------

def _md(title: str, date: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {date}\n{extra}---\n\n{title}的正文。\n"


def shown(root: Path) -> dict[str, str]:
    """URL path → the 索引号 its page shows."""
    out = {}
    for page in (root / "public").rglob("index.html"):
        found = re.search(r'<td class="index-no">([^<]+)</td>', page.read_text(encoding="utf-8"))
        if found:
            out[page.parent.relative_to(root / "public").as_posix()] = found.group(1)
    return out


def build(root: Path) -> None:
    assert main(["build", str(root), "--quiet"]) == 0


def test_numbers_survive_rebuilds_renames_deletions_and_a_removed_cache(tmp_path):
    site = make_site(tmp_path, "".join(f"-- content/2023/{name}.md --\n{_md(title, date)}" for name, title, date in [
        ("b", "乙会", "2023-06-01"), ("a", "甲会", "2023-06-02"), ("c", "丙会", "2023-07-01")]), config=SITE)
    root = site.root
    build(root)
    first = shown(root)
    assert sorted(first.values()) == [f"{ORG}/2023-0000{n}" for n in (1, 2, 3)]
    build(root)  # nothing changed
    assert shown(root) == first
    shutil.rmtree(root / ".briefings-cache")  # the cache is gone: the published store remembers
    (root / "content/2023/0.md").write_text(_md("零会", "2023-05-01"), encoding="utf-8")  # sorts first
    build(root)
    after = shown(root)
    assert {k: v for k, v in after.items() if k in first} == first
    assert after["2023/05/ling-hui"] == f"{ORG}/2023-00004"
    # renamed file: same URL, same number
    (root / "content/2023/a.md").rename(root / "content/2023/2023-06-02-jia-hui.md")
    build(root)
    assert shown(root) == after
    # deleted: its number is not given to the next one, even after both stores are read afresh
    (root / "content/2023/c.md").unlink()
    build(root)
    shutil.rmtree(root / "public")  # the output folder is gone: the cache remembers
    (root / "content/2023/d.md").write_text(_md("丁会", "2023-08-01"), encoding="utf-8")
    build(root)
    final = shown(root)
    assert final["2023/08/ding-hui"] == f"{ORG}/2023-00005"
    assert f"{ORG}/2023-00003" not in final.values()
    assert {k: v for k, v in final.items() if k != "2023/08/ding-hui"} == \
        {k: v for k, v in after.items() if k != "2023/07/bing-hui"}


def test_a_written_number_reusing_a_deleted_ones_fails_the_build(tmp_path):
    site = make_site(tmp_path, f"-- content/a.md --\n{_md('甲会', '2023-06-02')}"
                               f"-- content/b.md --\n{_md('乙会', '2023-06-03')}", config=SITE)
    build(site.root)
    (site.root / "content/b.md").unlink()
    build(site.root)
    (site.root / "content/c.md").write_text(_md("丙会", "2023-06-04", f"index_no: {ORG}/2023-00002\n"),
                                            encoding="utf-8")
    assert main(["build", str(site.root), "--quiet"]) == 1
    assert shown(site.root)["2023/06/jia-hui"] == f"{ORG}/2023-00001"  # the last good site is intact


def test_briefings_new_writes_the_next_number(tmp_path, capsys):
    site = make_site(tmp_path, f"-- content/a.md --\n{_md('甲会', '2023-06-02')}", config=SITE)
    build(site.root)
    assert main(["new", "课后服务推进会", "--date", "2023-09-01", "--site", str(site.root)]) == 0
    assert main(["new", "双减工作会", "--date", "2023-09-02", "--site", str(site.root)]) == 0
    texts = [p.read_text(encoding="utf-8") for p in sorted((site.root / "content/2023").glob("*.md"))]
    assert [re.search(r"^index_no: (.+)$", t, re.M).group(1) for t in texts] == [  # type: ignore[union-attr]
        f"{ORG}/2023-00002", f"{ORG}/2023-00003"]
    assert main(["build", str(site.root), "--drafts", "--quiet"]) == 0
    assert sorted(shown(site.root).values()) == [f"{ORG}/2023-0000{n}" for n in (1, 2, 3)]


def test_drafts_are_numbered_when_published_and_never_named_before(tmp_path):
    draft, numbered = "draft: true\n", f"draft: true\nindex_no: {ORG}/2023-00002\n"
    site = make_site(tmp_path, f"-- content/a.md --\n{_md('甲会', '2023-06-02')}"
                               f"-- content/b.md --\n{_md('秘密草稿', '2023-06-03', draft)}"
                               f"-- content/c.md --\n{_md('丙会', '2023-06-04', numbered)}", config=SITE)
    build(site.root)
    published = (site.root / "public/.briefings-index-numbers.json").read_text(encoding="utf-8")
    cached = (site.root / ".briefings-cache/index-numbers.json").read_text(encoding="utf-8")
    assert "秘密草稿" not in published + cached and "丙会" not in published
    (site.root / "content/d.md").write_text(_md("丁会", "2023-06-05"), encoding="utf-8")
    build(site.root)
    # the draft's written number stays free for it: new ones go on after it
    assert shown(site.root) == {"2023/06/jia-hui": f"{ORG}/2023-00003", "2023/06/ding-hui": f"{ORG}/2023-00004"}
    (site.root / "content/b.md").write_text(_md("秘密草稿", "2023-06-03"), encoding="utf-8")  # published
    build(site.root)
    assert shown(site.root)["2023/06/mi-mi-cao-gao"] == f"{ORG}/2023-00005"


def test_the_published_copy_names_no_source_or_title_and_restores_numbers_by_url(tmp_path):
    # three briefings of one recurring meeting: one slug, told apart by their dates (their URLs)
    site = make_site(tmp_path, "".join(f"-- content/{n}.md --\n{_md('局务会', d)}"
                                       for n, d in [("a", "2023-03-01"), ("b", "2023-04-01"), ("c", "2023-05-01")]),
                     config=SITE)
    build(site.root)
    first = shown(site.root)
    published = (site.root / "public/.briefings-index-numbers.json").read_text(encoding="utf-8")
    assert "content/" not in published and "局务会" not in published
    shutil.rmtree(site.root / ".briefings-cache")
    for name in "abc":  # and every file renamed too
        (site.root / f"content/{name}.md").rename(site.root / f"content/x-{name}.md")
    build(site.root)
    assert shown(site.root) == first
