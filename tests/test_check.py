"""`briefings check`: what a build would report, without writing, plus editorial lint and --fix."""

from __future__ import annotations

from sitebuilder import make_site

from briefings.cli import main
from briefings.pinyin import HAN_RUN

CONFIG = '''title = "测试简报"
base_url = "https://example.org/"

[tags."双减"]
aliases = ["双减政策"]

[tags."课后服务"]
'''

OTHER = """-- content/2023/b.md --
---
title: 另一篇
date: 2023-06-16
tags:
  - 课后服务
  - 新词
---

## 安全稳定

正文。
"""


def check(site, capsys, *args: str) -> tuple[int, list[str]]:
    code = main(["check", str(site.root), *args])
    return code, capsys.readouterr().out.splitlines()


def test_clean_site_passes_and_nothing_is_written(tmp_path, capsys):
    site = make_site(tmp_path, OTHER.replace("  - 新词\n", ""), config=CONFIG)
    assert check(site, capsys) == (0, ["checked 1 content file: no problems"])
    assert not site.out.exists()


def test_tags_outside_the_vocabulary(tmp_path, capsys):
    site = make_site(tmp_path, OTHER + "-- content/2023/a.md --\n---\ntitle: 会议\ndate: 2023-06-15\n"
                                       "tags: [双减政策, 课后服, 双减]\n---\n正文。\n", config=CONFIG)
    assert check(site, capsys) == (0, [
        "content/2023/a.md:4:8: warning: tag-alias: tag '双减政策' is an alias of '双减' (write `双减`)",
        "content/2023/a.md:4:14: warning: unknown-tag: tag '课后服' is not in the site's tag vocabulary "
        "(did you mean `课后服务`?)",
        "content/2023/b.md:6:5: warning: unknown-tag: tag '新词' is not in the site's tag vocabulary "
        '(or declare it in site.toml: [tags."新词"])',
        "checked 2 content files: 3 warnings",
    ])


def test_without_a_vocabulary_any_tag_goes(tmp_path, capsys):
    site = make_site(tmp_path, OTHER)
    assert check(site, capsys) == (0, ["checked 1 content file: no problems"])


def test_future_date_is_a_warning(tmp_path, capsys):
    site = make_site(tmp_path, "-- content/c.md --\n---\ntitle: 未来\ndate: 2099-01-01\n---\n正文。\n")
    assert check(site, capsys) == (0, [
        "content/c.md:3:7: warning: future-date: date 2099-01-01 is in the future: the briefing stays off "
        "the site until then (correct the date, or build with --future to publish it now)",
        "checked 1 content file: 1 warning",
    ])
    assert check(site, capsys, "--future") == (0, ["checked 1 content file: no problems"])


LINKS = """-- content/2023/a.md --
---
title: 课后服务推进会
date: 2023-06-15
---

见[另一篇](/2023/06/ling-yi-pian/#an-quan-wen-ding)和[专题](/tags/ke-hou-fu-wu/)。

## 课后服务

见[本文](#ke-hou-fu-wu)、[错的锚点](#ke-hou-fu)、[错的页](/2023/06/ling-yi-pian-x/)、[源文件](b.md)、
[相对](../ling-yi-pian/)、[外部](https://gov.cn/x)、[绝对](https://example.org/archive/2023/)、[搜索](/search/)、
[错的相对](../06/ling-yi-pian/)、[别页的锚点](/2023/06/ling-yi-pian/#mei-you)。
"""


def test_links_and_anchors_that_lead_nowhere_are_errors_on_their_line(tmp_path, capsys):
    site = make_site(tmp_path, OTHER + LINKS)
    assert check(site, capsys) == (1, [
        "content/2023/a.md:10:29: error: broken-link: link to #ke-hou-fu leads nowhere: "
        "/2023/06/ke-hou-fu-wu-tui-jin-hui/ has no heading #ke-hou-fu (did you mean `#ke-hou-fu-wu`?)",
        "content/2023/a.md:10:47: error: broken-link: link to /2023/06/ling-yi-pian-x/ leads nowhere: "
        "the site has no such page (did you mean `/2023/06/ling-yi-pian/`?)",
        "content/2023/a.md:10:79: error: broken-link: link to b.md leads nowhere: links to .md source files "
        "do not work on the site (link to its URL: /2023/06/ling-yi-pian/)",
        "content/2023/a.md:12:8: error: broken-link: link to ../06/ling-yi-pian/ leads nowhere: "
        "the site has no page at /2023/06/06/ling-yi-pian/ (did you mean `/2023/06/ling-yi-pian/`?)",
        "content/2023/a.md:12:37: error: broken-link: link to /2023/06/ling-yi-pian/#mei-you leads nowhere: "
        "/2023/06/ling-yi-pian/ has no heading #mei-you",
        "checked 2 content files: 5 errors",
    ])


def test_build_problems_are_reported_too(tmp_path, capsys):
    site = make_site(tmp_path, OTHER + "-- content/bad.md --\n---\ndate: 2023-06-15\ntag: [双减]\n---\n正文。\n")
    code, out = check(site, capsys)
    assert code == 1
    assert out == [
        "content/bad.md:1: error: `title` is required (add `title: …` to the front matter)",
        "content/bad.md:3: warning: unknown key `tag` (did you mean `tags`?)",
        "checked 2 content files: 1 error, 1 warning",
    ]


FIXABLE = """-- content/fix.md --
---
title: 会议,强调
date: 2023-06-15
---

会议强调,要做好课后服务。。全市 教育系统要落实２０２３年工作。
"""


def test_fix_rewrites_the_body_only_and_is_idempotent(tmp_path, capsys):
    site = make_site(tmp_path, FIXABLE)
    path = site.root / "content/fix.md"
    before = path.read_text(encoding="utf-8")
    code, out = check(site, capsys)
    assert code == 0 and len(out) == 5 and out[-1] == "checked 1 content file: 4 warnings"
    assert path.read_text(encoding="utf-8") == before  # without --fix nothing changes

    code, out = check(site, capsys, "--fix")
    assert code == 0
    assert out == [
        "content/fix.md:6:5: fixed: halfwidth-punct: replaced half-width ',' with '，'",
        "content/fix.md:6:13: fixed: doubled-punct: collapsed doubled '。'",
        "content/fix.md:6:17: fixed: han-space: removed space between Chinese characters",
        "content/fix.md:6:25: fixed: fullwidth-digit: replaced full-width digits '２０２３' with '2023'",
        "checked 1 content file: no problems",
    ]
    after = path.read_text(encoding="utf-8")
    assert after == before.replace("会议强调,要做好课后服务。。全市 教育系统要落实２０２３年",
                                   "会议强调，要做好课后服务。全市教育系统要落实2023年")
    assert after.startswith("---\ntitle: 会议,强调\n")  # front matter is never touched
    assert "".join(HAN_RUN.findall(after)) == "".join(HAN_RUN.findall(before))  # Han characters untouched

    assert check(site, capsys, "--fix") == (0, ["checked 1 content file: no problems"])
    assert path.read_text(encoding="utf-8") == after


def test_drafts_are_linted_but_their_links_only_with_drafts(tmp_path, capsys):
    site = make_site(tmp_path, "-- content/d.md --\n---\ntitle: 草稿\ndate: 2023-06-15\ndraft: true\n---\n"
                               "会议强调,见[错](/nowhere/)。\n")
    assert check(site, capsys) == (0, [
        "content/d.md:6:5: warning: halfwidth-punct: half-width ',' between Chinese characters; use '，'",
        "checked 1 content file: 1 warning",
    ])
    code, out = check(site, capsys, "--drafts")
    assert code == 1
    assert out[1] == "content/d.md:6:11: error: broken-link: link to /nowhere/ leads nowhere: the site has no such page"


def test_check_says_what_the_next_build_would_redirect_and_writes_nothing(tmp_path, capsys):
    site = make_site(tmp_path, OTHER.replace("  - 新词\n", ""))
    assert site.build().ok
    before = {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    path = site.root / "content/2023/b.md"
    path.write_text(path.read_text(encoding="utf-8").replace("另一篇", "第二篇"), encoding="utf-8")
    assert check(site, capsys) == (0, [
        "content/2023/b.md:2: info: URL changed from /2023/06/ling-yi-pian/ to /2023/06/di-er-pian/: "
        "the old URL now redirects to the new one",
        "checked 1 content file: no problems",
    ])
    assert {p: p.read_bytes() for p in site.out.rglob("*") if p.is_file()} == before
