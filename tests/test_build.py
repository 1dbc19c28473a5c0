"""Whole-site tests: build a tiny site from inline files and read the pages a reader sees."""

from __future__ import annotations

import datetime as dt

from sitebuilder import make_site

BRIEFING = """-- content/2023/ke-hou.md --
---
title: 课后服务推进会
date: 2023-06-15T09:00:00+08:00
meeting: 局党组扩大会
chair: 张荷红
attendees: [赵小丁, 齐晓兵]
tags: [课后服务, 双减]
---

6月15日上午，局长张荷红主持召开局党组扩大会。

## 课后服务

**一是深入学习贯彻。**全市教育系统要坚持立德树人。

## 安全稳定

严格落实校园安全。
"""


def test_briefing_page_shows_what_a_reader_needs(tmp_path):
    site = make_site(tmp_path, BRIEFING)
    assert site.build().ok, site.messages()
    site.assert_page(
        "/2023/06/ke-hou-fu-wu-tui-jin-hui/",
        "<h1>课后服务推进会</h1>",
        "2023年6月15日",
        "局党组扩大会",
        "张荷红",
        "赵小丁、齐晓兵",
        'href="/tags/ke-hou-fu-wu/"',
        'id="ke-hou-fu-wu"',
        "<strong>一是深入学习贯彻。</strong>全市",
        '<html lang="zh-CN">',
        "! **",
        '<link rel="canonical" href="https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/">',
    )


def test_home_tags_archive_feeds_sitemap(tmp_path):
    site = make_site(tmp_path, BRIEFING)
    assert site.build().ok
    site.assert_page("/", "课后服务推进会", "6月15日上午")
    site.assert_page("/tags/ke-hou-fu-wu/", "课后服务", "kè hòu fú wù", "课后服务推进会")
    site.assert_page("/tags/", 'id="letter-K"', 'id="letter-S"', "双减", "shuāng jiǎn")
    site.assert_page("/archive/", "2023年", "2023年6月")
    site.assert_page("/archive/2023/", "课后服务推进会")
    feed = site.page("/atom.xml")
    assert "<id>https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/</id>" in feed
    assert site.exists("/tags/ke-hou-fu-wu/atom.xml")
    assert "https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/" in site.page("/sitemap.xml")
    assert "Sitemap: https://example.org/sitemap.xml" in site.page("/robots.txt")
    assert site.exists("/404.html")


def test_tags_index_is_sorted_by_pinyin_and_grouped_a_to_z(tmp_path):
    files = "".join(
        f"-- content/{n}.md --\n---\ntitle: 会议{n}\ndate: 2023-01-0{n}\ntags: [{tag}]\n---\n正文。\n"
        for n, tag in enumerate(["中考", "安全", "重庆", "长沙", "八项规定"], start=1)
    )
    site = make_site(tmp_path, files)
    assert site.build().ok
    html = site.page("/tags/")
    order = [html.index(f">{name}<") for name in ["安全", "八项规定", "长沙", "重庆", "中考"]]
    assert order == sorted(order)
    assert html.index('id="letter-A"') < html.index('id="letter-B"') < html.index('id="letter-C"')


def test_pagination_newest_first(tmp_path):
    files = "".join(
        f"-- content/{n:02d}.md --\n---\ntitle: 第{n}次会议\ndate: 2023-03-{n:02d}\n---\n正文{n}。\n"
        for n in range(1, 24)
    )
    site = make_site(tmp_path, files)
    assert site.build().ok
    first = site.page("/")
    assert first.index("第23次会议") < first.index("第14次会议")
    assert "第13次会议" not in first
    site.assert_page("/page/2/", "第13次会议", 'rel="prev"', "第 2 页，共 3 页")
    site.assert_page("/page/3/", "第1次会议")
    assert not site.exists("/page/4/")


def test_drafts_and_future_left_out_unless_asked(tmp_path):
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    files = (
        "-- content/a.md --\n---\ntitle: 已发布\ndate: 2023-01-01\n---\n正文。\n"
        "-- content/b.md --\n---\ntitle: 草稿简报\ndate: 2023-01-02\ndraft: true\n---\n正文。\n"
        f"-- content/c.md --\n---\ntitle: 未来简报\ndate: {future}\n---\n正文。\n"
    )
    site = make_site(tmp_path, files)
    assert site.build().ok
    site.assert_page("/", "已发布", "! 草稿简报", "! 未来简报")
    assert site.build(drafts=True, future=True).ok
    site.assert_page("/", "已发布", "草稿简报", "未来简报")
    site.assert_page("/2023/01/cao-gao-jian-bao/", "草稿 / draft")


def test_aliases_get_redirect_pages(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 新标题\ndate: 2023-05-01\n"
                               "aliases: [/old/path/]\n---\n正文。\n")
    assert site.build().ok
    site.assert_page("/old/path/", 'http-equiv="refresh"', "/2023/05/xin-biao-ti/")


def test_raw_html_is_sanitised_with_a_warning(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n---\n\n"
                               "会议强调,<b>一是深入学习。</b>全市\n\n"
                               '<script>alert(1)</script>\n\n<a href="javascript:alert(1)" onclick="x()">链接</a>\n')
    assert site.build().ok
    site.assert_page("/2023/05/hui-yi/", "<b>一是深入学习。</b>", "! <script>", "! alert(1)", "! onclick",
                     "! javascript:")
    messages = site.messages()
    assert "content/a.md:8: warning: removed unsafe HTML: <script> (only formatting tags are kept)" in messages
    assert any(m.startswith("content/a.md:10: warning: removed unsafe HTML: onclick=") for m in messages)


def test_explicit_slug_and_permalink(tmp_path):
    config = 'title = "简报"\nbase_url = "https://example.org/sub/"\npermalink = "/{year}/{slug}/"\n'
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\nslug: my-meeting\n"
                               "---\n正文。\n", config=config)
    assert site.build().ok
    site.assert_page("/2023/my-meeting/", 'href="/sub/static/site.', 'href="/sub/tags/"')


def test_theme_template_can_be_overridden(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n---\n正文。\n"
                               "-- templates/404.html --\n<p>自定义 404</p>\n")
    assert site.build().ok
    assert site.page("/404.html") == "<p>自定义 404</p>\n"


def test_static_files_copied_and_theme_assets_hashed(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n---\n正文。\n"
                               "-- static/logo.txt --\nlogo\n")
    assert site.build().ok
    assert (site.out / "logo.txt").read_text() == "logo\n"
    css = list((site.out / "static").glob("site.*.css"))
    assert len(css) == 1 and len(css[0].name.split(".")[1]) == 10


def test_reading_time_and_summary(tmp_path):
    body = "课后服务" * 300 + "。\n\n" + "word " * 100
    site = make_site(tmp_path, f"-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n---\n{body}\n")
    result = site.build()
    briefing = result.site.briefings[0]
    assert briefing.han_count == 1200 and briefing.word_count == 100
    assert briefing.reading_minutes == 4  # 1200/400 + 100/200 = 3.5
    assert briefing.summary.endswith("…") and len(briefing.summary) <= 122


def test_extra_taxonomy_gets_its_own_pages(tmp_path):
    config = 'title = "简报"\nbase_url = "https://example.org/"\ntaxonomies = ["tags", "meeting"]\n'
    files = ("-- content/a.md --\n---\ntitle: 甲会议\ndate: 2023-05-01\nmeeting: 局党组扩大会\n---\n正文。\n"
             "-- content/b.md --\n---\ntitle: 乙会议\ndate: 2023-05-02\nmeeting: 局长办公会\n---\n正文。\n"
             "-- content/c.md --\n---\ntitle: 丙会议\ndate: 2023-05-03\nmeeting: 局党组扩大会\n---\n正文。\n")
    site = make_site(tmp_path, files, config=config)
    assert site.build().ok, site.messages()
    site.assert_page("/meeting/", "<h1>会议</h1>", "局党组扩大会", "jú dǎng zǔ kuò dà huì", "局长办公会")
    site.assert_page("/meeting/ju-dang-zu-kuo-da-hui/", "甲会议", "丙会议", "! 乙会议", 'href="/meeting/">会议</a>')
    site.assert_page("/2023/05/jia-hui-yi/", '<a href="/meeting/ju-dang-zu-kuo-da-hui/">局党组扩大会</a>')
    site.assert_page("/", 'href="/meeting/">会议</a>')
    assert site.exists("/meeting/ju-zhang-ban-gong-hui/atom.xml")
    assert "https://example.org/meeting/ju-zhang-ban-gong-hui/" in site.page("/sitemap.xml")


def test_taxonomy_must_be_a_name_key(tmp_path):
    config = 'title = "简报"\nbase_url = "https://example.org/"\ntaxonomies = ["tags", "date", "Bad Name"]\n'
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 甲\ndate: 2023-05-01\n---\n", config=config)
    assert not site.build().ok
    messages = site.messages()
    assert any(m.startswith("site.toml:3: error: 'date' cannot be a taxonomy") for m in messages)
    assert any(m.startswith("site.toml:3: error: 'Bad Name' cannot be a taxonomy") for m in messages)
