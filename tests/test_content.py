"""Parsing one briefing from text: front matter, body facts, summary, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from briefings.cache import ParseCache, file_digest, has_body
from briefings.config import LanguageConfig, SiteConfig
from briefings.content import briefing_files, cut_summary, parse_briefing, parse_many
from briefings.diagnostics import Diagnostics
from briefings.model import same_but_body


def parse(text: str, source: str = "content/a.md"):
    diagnostics = Diagnostics()
    briefing = parse_briefing(text, source, _config(), diagnostics)
    return briefing, [d.format() for d in diagnostics]


def _config() -> SiteConfig:
    return SiteConfig(root=Path("."), title="简报", base_url="https://example.org/",
                      languages=(LanguageConfig("zh", "简报"), LanguageConfig("en", "Briefings")))


def test_front_matter_fields_and_body_facts():
    briefing, messages = parse(
        "---\ntitle: 课后服务推进会\ndate: 2023-06-15\ntags: 双减\nattendees: [赵小丁, 齐晓兵]\n"
        "bureau: 市教育局\n---\n\n首段文字。\n\n## 课后服务\n\n正文一。\n\n### 细则\n\n正文二。\n\n"
        "## 安全\n\n正文三。\n")
    assert messages == []
    assert briefing.tags == ("双减",) and briefing.attendees == ("赵小丁", "齐晓兵")
    assert briefing.date == dt.datetime(2023, 6, 15, tzinfo=_config().tzinfo)
    assert briefing.extra == {"bureau": "市教育局"}
    assert [(h.level, h.text, h.anchor) for h in briefing.toc] == [
        (2, "课后服务", "ke-hou-fu-wu"), (3, "细则", "xi-ze"), (2, "安全", "an-quan")]
    assert [(s.anchor, s.heading, s.text) for s in briefing.sections] == [
        ("", "", "首段文字。"), ("ke-hou-fu-wu", "课后服务", "正文一。"), ("xi-ze", "细则", "正文二。"),
        ("an-quan", "安全", "正文三。")]
    assert briefing.summary == "首段文字。"


def test_duplicate_headings_get_distinct_anchors():
    briefing, _ = parse("---\ntitle: x\ndate: 2023-06-15\n---\n## 安全\n\n## 安全\n")
    assert [h.anchor for h in briefing.toc] == ["an-quan", "an-quan-1"]


def test_language_from_file_name_and_time_zone_kept():
    briefing, _ = parse("---\ntitle: Meeting\ndate: 2023-06-15T09:00:00+01:00\n---\nBody.\n", "content/m.en.md")
    assert briefing.lang == "en"
    assert briefing.date.utcoffset() == dt.timedelta(hours=1)


def test_summary_is_cut_at_punctuation_near_the_limit():
    text = "一二三四五六七八九十，" * 20
    summary = cut_summary(text, 50)
    # cut after the 4th clause (44 characters), its comma replaced by the ellipsis
    assert summary == "一二三四五六七八九十，" * 3 + "一二三四五六七八九十…"
    assert cut_summary("短摘要。", 120) == "短摘要。"
    english = cut_summary("word " * 100, 20)
    assert english.endswith("word…") and len(english) < 45


def test_wrong_types_are_errors():
    briefing, messages = parse("---\ntitle: x\ndate: 2023-06-15\ndraft: maybe\nattendees: {a: 1}\n---\n")
    assert briefing is None
    assert "content/a.md:4: error: `draft` must be true or false, not 'maybe'" in messages
    assert "content/a.md:5: error: `attendees` must be a list, like [a, b], not dict" in messages


def test_parse_many_in_workers_gives_the_same_briefings():
    jobs = [(f"content/{n}.md", f"---\ntitle: 会议{n}\ndate: 2023-06-15\n---\n正文{n}。\n".encode())
            for n in range(250)]
    jobs.append(("content/bad.md", "---\ntitle: 坏\n---\n".encode("gbk")))
    single = list(parse_many(jobs, _config(), workers=1))
    pooled = list(parse_many(jobs, _config(), workers=2))
    assert single == pooled
    assert pooled[-1][0] is None and "not UTF-8" in pooled[-1][1][0].message


def test_parse_cache_round_trip(tmp_path):
    config = _config()
    briefing, _ = parse("---\ntitle: x\ndate: 2023-06-15\n---\n正文\n")
    cache = ParseCache.open(tmp_path, config)
    digest = file_digest(b"one")
    cache.put("content/a.md", digest, briefing, [])
    cache.save()
    again = ParseCache.open(tmp_path, config)
    cached, found = again.get("content/a.md", digest)
    assert found == [] and not has_body(cached), "bodies stay on disk until asked for"
    with pytest.raises(RuntimeError, match="body was used before"):
        str(cached.body_html)
    assert same_but_body(cached, briefing)
    again.fill(cached)
    assert cached == briefing and cached.sections == briefing.sections
    assert again.get("content/a.md", file_digest(b"two")) is None
    other = ParseCache.open(tmp_path, SiteConfig(root=Path("."), title="别的", base_url="https://example.org/"))
    assert other.get("content/a.md", digest) is None, "another config invalidates the cache"


def test_briefing_files_are_the_markdown_files_rglob_finds(tmp_path):
    """Linked files yes (resolved on request), linked folders not entered, hidden, `_` and
    editor files out, sorted as paths sort."""
    content = tmp_path / "content"
    for name in ("2023/a.md", "2023/b-c/d.md", "2023-b/e.md", "2023/.x.md", "_drafts/f.md", ".git/g.md",
                 "2023/notes.txt", "2023/h.md~", "elsewhere/i.md"):
        (content / name).parent.mkdir(parents=True, exist_ok=True)
        (content / name).write_text("x")
    (content / "2023" / "folder.md").mkdir()  # a folder, not a briefing
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "j.md").write_text("x")
    (content / "linked-folder").symlink_to(outside)
    (content / "2023" / "linked.md").symlink_to(content / "elsewhere" / "i.md")
    (content / "2023" / "dangling.md").symlink_to(tmp_path / "missing.md")

    expected = sorted(p for p in content.rglob("*.md")
                      if p.is_file() and not any(part.startswith((".", "_")) for part in p.relative_to(content).parts))
    assert briefing_files(tmp_path) == expected
    assert [p.relative_to(content).as_posix() for p in expected] == [
        "2023/a.md", "2023/b-c/d.md", "2023/linked.md", "2023-b/e.md", "elsewhere/i.md"]
    resolved = briefing_files(tmp_path, resolve=True)
    assert resolved == [p.resolve() for p in expected]
    assert resolved[2] == (content / "elsewhere" / "i.md").resolve()


def test_parse_cache_drops_a_shard_whose_bodies_are_not_the_ones_saved_with_it(tmp_path):
    """A save cut short between a shard's two files: its briefings are parsed again, never
    given another version's body."""
    config = _config()
    briefing, _ = parse("---\ntitle: x\ndate: 2023-06-15\n---\n正文\n")
    edited, _ = parse("---\ntitle: x\ndate: 2023-06-15\n---\n正文改了\n")
    cache = ParseCache.open(tmp_path, config)
    cache.put("content/a.md", file_digest(b"one"), briefing, [])
    cache.save()
    briefings = {path: path.read_bytes() for path in (tmp_path / ".briefings-cache" / "parsed").glob("*.pickle")}
    cache.put("content/a.md", file_digest(b"two"), edited, [])
    cache.save()
    for path, data in briefings.items():
        path.write_bytes(data)  # the first save's briefings beside the second save's bodies
    assert ParseCache.open(tmp_path, config).get("content/a.md", file_digest(b"one")) is None


def test_parse_cache_reads_one_body_where_it_lies_and_never_a_short_one(tmp_path):
    config = _config()
    cache = ParseCache.open(tmp_path, config)
    texts = {f"content/{k}.md": f"---\ntitle: 第{k}次\ndate: 2023-06-15\n---\n正文{k}。\n\n## 小节\n\n内容{k}。\n"
             for k in range(6)}
    parsed = {source: parse(text, source)[0] for source, text in texts.items()}
    for source, briefing in parsed.items():
        cache.put(source, file_digest(texts[source].encode()), briefing, [])
    cache.save()
    again = ParseCache.open(tmp_path, config)
    for source, briefing in parsed.items():
        cached, _ = again.get(source, file_digest(texts[source].encode()))
        again.fill(cached)
        assert cached == briefing and cached.toc == briefing.toc
    holding = [p for p in (tmp_path / ".briefings-cache" / "parsed").glob("*.body") if p.stat().st_size]
    for bodies in holding:
        bodies.write_bytes(bodies.read_bytes()[:-1])  # cut short: the last body of each file
    cut = ParseCache.open(tmp_path, config)
    failed = 0
    for source in parsed:
        cached, _ = cut.get(source, file_digest(texts[source].encode()))
        try:
            cut.fill(cached)
        except KeyError:
            failed += 1
        else:
            assert cached == parsed[source]
    assert failed == len(holding) > 0
    for bodies in holding:
        bodies.write_bytes(b"\0" * bodies.stat().st_size)  # damaged, the same length
    damaged = ParseCache.open(tmp_path, config)
    cached, _ = damaged.get("content/0.md", file_digest(texts["content/0.md"].encode()))
    with pytest.raises(KeyError):
        damaged.fill(cached)


def test_many_tags_are_a_warning_and_feeds_do_not_list_them_all(tmp_path):
    from sitebuilder import make_site
    names = ", ".join(f"主题{n}" for n in range(120))
    site = make_site(tmp_path, f"-- content/a.md --\n---\ntitle: 一\ndate: 2023-06-15\ntags: [{names}]\n---\n正文。\n")
    result = site.build()
    assert result.ok
    assert any(m.startswith("content/a.md:4: warning: 120 tags on one briefing") for m in site.messages())
    feeds = [p for p in site.out.rglob("atom.xml")]
    assert len(feeds) > 120
    assert max(p.read_text(encoding="utf-8").count("<category") for p in feeds) == 50
    assert site.page("/2023/06/yi/").count("主题119") >= 1  # the briefing's own page shows every one
