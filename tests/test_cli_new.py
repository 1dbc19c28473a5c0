"""`briefings new`: a draft from the archetype, with a stable slug; never overwrites."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sitebuilder import make_site

from briefings.cli import main

VOCABULARY = '''title = "测试简报"
base_url = "https://example.org/jb/"

[languages.zh]
title = "测试简报"

[languages.en]
title = "Test briefings"

[tags."双减"]
en = "Double reduction"
aliases = ["双减政策"]

[tags."课后服务"]
'''


def test_new_writes_complete_front_matter_and_prints_path_and_url(tmp_path, capsys):
    site = make_site(tmp_path, "")
    code = main(["new", "课后服务推进会", "--date", "2023-06-15", "--tags", "双减,课后服务", "--site", str(site.root)])
    assert code == 0
    path = site.root / "content/2023/2023-06-15-ke-hou-fu-wu-tui-jin-hui.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith(
        "---\ntitle: 课后服务推进会\ndate: 2023-06-15\nslug: ke-hou-fu-wu-tui-jin-hui\ndraft: true\n"
        "tags: [双减, 课后服务]\nmeeting: \"\"  # 会议名称，如：主任办公会\nchair: \"\"  # 主持人\n"
        "attendees: []  # 出席的领导，如：[张三, 李四]\n---\n\n")
    out = capsys.readouterr().out.splitlines()
    assert out == [str(site.root / "content/2023/2023-06-15-ke-hou-fu-wu-tui-jin-hui.md"),
                   "  URL: https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/ "
                   "(a draft: `briefings build --drafts` shows it)"]
    # A draft: not on the site until it is published, then at the URL printed.
    assert site.build().ok and not site.exists("/2023/06/ke-hou-fu-wu-tui-jin-hui/")
    assert site.build(drafts=True).ok, site.messages()
    assert site.messages() == []
    site.assert_page("/2023/06/ke-hou-fu-wu-tui-jin-hui/", "<h1>课后服务推进会</h1>")


def test_slug_is_written_out_so_a_title_edit_keeps_the_url(tmp_path):
    site = make_site(tmp_path, "")
    assert main(["new", "课后服务推进会", "--date", "2023-06-15", "--site", str(site.root)]) == 0
    path = site.root / "content/2023/2023-06-15-ke-hou-fu-wu-tui-jin-hui.md"
    path.write_text(path.read_text(encoding="utf-8").replace("title: 课后服务推进会", "title: 课后服务工作推进会"),
                    encoding="utf-8")
    assert site.build(drafts=True).ok
    site.assert_page("/2023/06/ke-hou-fu-wu-tui-jin-hui/", "<h1>课后服务工作推进会</h1>")


def test_never_overwrites(tmp_path, capsys):
    site = make_site(tmp_path, "")
    args = ["new", "课后服务推进会", "--date", "2023-06-15", "--site", str(site.root)]
    assert main(args) == 0
    path = site.root / "content/2023/2023-06-15-ke-hou-fu-wu-tui-jin-hui.md"
    path.write_text(path.read_text(encoding="utf-8") + "编辑写的正文。\n", encoding="utf-8")
    before = path.read_bytes()
    capsys.readouterr()
    assert main(args) == 1
    assert capsys.readouterr().err == (
        "error: content/2023/2023-06-15-ke-hou-fu-wu-tui-jin-hui.md already exists: not overwriting it "
        "(edit that file, or give the new briefing another title or date)\n")
    assert path.read_bytes() == before


def test_date_defaults_to_today_in_the_site_time_zone(tmp_path, capsys):
    site = make_site(tmp_path, "")
    assert main(["new", "今天的会", "--site", str(site.root)]) == 0
    today = dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()
    path = site.root / f"content/{today.year}/{today.isoformat()}-jin-tian-de-hui.md"
    assert f"date: {today.isoformat()}\n" in path.read_text(encoding="utf-8")


def test_english_briefing_gets_en_suffix_english_archetype_and_en_url(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    assert main(["new", "After-school services meeting", "--lang", "en", "--date", "2023-06-15",
                 "--tags", "Double reduction", "--site", str(site.root)]) == 0
    path = site.root / "content/2023/2023-06-15-after-school-services-meeting.en.md"
    text = path.read_text(encoding="utf-8")
    assert "tags: [Double reduction]\n" in text and "chair: \"\"  # who chaired it\n" in text
    out = capsys.readouterr().out
    assert "URL: https://example.org/jb/en/2023/06/after-school-services-meeting/" in out
    assert "check:" not in out  # a translation of a declared tag is in the vocabulary
    assert site.build(drafts=True).ok
    assert site.exists("/en/2023/06/after-school-services-meeting/")


def test_aliases_become_the_canonical_tag_and_unknown_tags_are_noted(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    assert main(["new", "会议", "--date", "2023-06-15", "--tags", "双减政策，课后服", "--site", str(site.root)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[2:] == ["  check: tag '双减政策' written as '双减', the site's name for it",
                       "  check: tag '课后服' is not in the site's tag vocabulary (did you mean `课后服务`?)"]
    assert "tags: [双减, 课后服]\n" in (site.root / "content/2023/2023-06-15-hui-yi.md").read_text(encoding="utf-8")


def test_site_archetype_wins_over_the_theme_and_our_keys_win_over_it(tmp_path):
    site = make_site(tmp_path, "-- archetypes/briefing.md --\n---\ntitle: 不该出现\nlocation: 市教育局\n"
                               "tags:\n  - 旧\n# 备注\nmeeting: 局长办公会\n---\n\n正文模板。\n")
    assert main(["new", "会议", "--date", "2023-06-15", "--site", str(site.root)]) == 0
    assert (site.root / "content/2023/2023-06-15-hui-yi.md").read_text(encoding="utf-8") == (
        "---\ntitle: 会议\ndate: 2023-06-15\nslug: hui-yi\ndraft: true\ntags: []\nlocation: 市教育局\n"
        "# 备注\nmeeting: 局长办公会\n---\n\n正文模板。\n")


def test_unknown_language_and_bad_date(tmp_path, capsys):
    site = make_site(tmp_path, "")
    assert main(["new", "会议", "--lang", "fr", "--site", str(site.root)]) == 1
    assert capsys.readouterr().err == ("error: language 'fr' is not one of the site's languages (zh): "
                                       "add [languages.fr] to site.toml first\n")
    with pytest.raises(SystemExit) as exit_:
        main(["new", "会议", "--date", "6月15日", "--site", str(site.root)])
    assert exit_.value.code == 2
    assert "cannot read date '6月15日': write it as 2023-06-15" in capsys.readouterr().err
    assert not (site.root / "content").exists()
