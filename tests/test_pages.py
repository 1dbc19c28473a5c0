"""Standalone pages: content/pages/**.md at their own URL, in no list, tag or feed."""

from __future__ import annotations

import gzip
import json

import pytest
from sitebuilder import make_site

from briefings.content import parse_briefing
from briefings.diagnostics import Diagnostics

CONFIG = """title = "区卫健委会议简报"
base_url = "https://example.gov.cn/wjw/"

[languages.zh]
title = "区卫健委会议简报"

[languages.en]
title = "Health Commission Briefings"
"""

SITE = """-- content/2024/meeting.md --
---
title: 主任办公会
date: 2024-03-01
tags: [政务公开]
---
正文见[关于我们](/about/)。
-- content/pages/about.md --
---
title: 关于我们
tags: [政务公开]
---
区卫健委负责全区卫生健康工作。

## 联系方式

电话：010-12345678
-- content/pages/about.en.md --
---
title: About us
---
The commission is in charge of public health in the district.
-- content/pages/信息公开指南.md --
---
title: 政府信息公开指南
date: 2024-01-05
---
指南正文。
-- content/pages/xxgk/年报.md --
---
title: 年度报告
---
年报正文。
"""


@pytest.fixture
def site(tmp_path):
    site = make_site(tmp_path, SITE, config=CONFIG)
    result = site.build()
    assert result.ok, site.messages()
    return site


def test_pages_live_at_their_own_urls(site):
    site.assert_page("/about/", "<h1>关于我们</h1>", "区卫健委负责", "<title>关于我们 · 区卫健委会议简报</title>",
                     "! 更新日期")  # no date: none shown
    # a file name that is no slug: the title in pinyin; a date, when given, is shown
    site.assert_page("/zheng-fu-xin-xi-gong-kai-zhi-nan/", "<h1>政府信息公开指南</h1>", "2024年1月5日")
    site.assert_page("/xxgk/nian-du-bao-gao/", "<h1>年度报告</h1>")  # folders are path segments
    site.assert_page("/en/about/", "<h1>About us</h1>")


def test_translations_are_linked_like_briefings(site):
    site.assert_page("/about/", 'href="/wjw/en/about/" hreflang="en"', 'hreflang="x-default" '
                     'href="https://example.gov.cn/wjw/about/"')
    site.assert_page("/en/about/", 'href="/wjw/about/" hreflang="zh-CN"')


def test_pages_are_in_the_sitemap_and_search_but_no_list_tag_or_feed(site):
    sitemap = site.page("/sitemap.xml")
    for url in ("about/", "en/about/", "zheng-fu-xin-xi-gong-kai-zhi-nan/", "xxgk/nian-du-bao-gao/"):
        assert f"<loc>https://example.gov.cn/wjw/{url}</loc>" in sitemap
    for listing in ("/", "/page/2/", "/tags/", "/tags/zheng-wu-gong-kai/", "/archive/", "/archive/2024/",
                    "/atom.xml", "/tags/zheng-wu-gong-kai/atom.xml", "/en/", "/en/atom.xml"):
        if site.exists(listing):
            html = site.page(listing)
            assert "关于我们</a>" not in html and "/about/</id>" not in html and "年度报告" not in html, listing
            assert "指南正文" not in html and "About us" not in html, listing
    site.assert_page("/tags/zheng-wu-gong-kai/", "主任办公会", "! 区卫健委负责",
                     '! <h2 class="item-title"><a href="/wjw/about/">')
    fragments = [json.loads(gzip.decompress(p.read_bytes())) for p in (site.out / "search" / "f").rglob("*.bin")]
    urls = {f["u"] for f in fragments if f["d"] == ""}  # no date shown for pages without one
    assert {"/wjw/about/", "/wjw/en/about/", "/wjw/xxgk/nian-du-bao-gao/"} <= urls
    facets = (site.out / "search" / "facets").glob("*.bin")
    years = json.loads(gzip.decompress(next(facets).read_bytes()))["year"]
    assert [year for year, _ in years] == [2024]  # a page without a date is in no year


def test_a_page_needs_no_date_but_a_briefing_does(tmp_path):
    site = make_site(tmp_path, "-- content/about.md --\n---\ntitle: 关于我们\n---\n正文。\n", config=CONFIG)
    assert not site.build().ok
    assert site.messages() == ["content/about.md:1: error: `date` is required (add `date: 2023-06-15` to the "
                               "front matter (or put the file in content/pages/ if it is a page, not a briefing))"]


def test_a_page_that_takes_a_briefing_s_or_the_site_s_url_is_an_error(tmp_path):
    site = make_site(tmp_path, "-- content/pages/tags.md --\n---\ntitle: 标签\n---\n正文。\n"
                               "-- content/pages/a.md --\n---\ntitle: 甲\nslug: same\n---\n"
                               "-- content/pages/b.md --\n---\ntitle: 乙\nslug: same\n---\n", config=CONFIG)
    assert not site.build().ok
    assert any("URL /tags/ clashes with the site's own /tags/ pages" in m for m in site.messages())
    assert any("URL /same/ is also claimed by content/pages/a.md" in m for m in site.messages())


@pytest.mark.parametrize("source,url", [
    ("content/pages/about.md", "/about/"),
    ("content/pages/about.en.md", "/en/about/"),
    ("content/pages/联系我们.md", "/lian-xi-wo-men/"),
    ("content/pages/Contact Us.md", "/lian-xi-wo-men/"),  # not a slug: the title's pinyin
    ("content/pages/办事指南/婚育.md", "/ban-shi-zhi-nan/lian-xi-wo-men/"),
])
def test_page_urls(tmp_path, source, url):
    from briefings.config import load_config
    from briefings.site import briefing_url

    (tmp_path / "site.toml").write_text(CONFIG, encoding="utf-8")
    config = load_config(tmp_path, Diagnostics())
    diagnostics = Diagnostics()
    page = parse_briefing("---\ntitle: 联系我们\n---\n正文。\n", source, config, diagnostics)
    assert page is not None and page.page and not diagnostics.items
    assert briefing_url(config, page) == url


def test_editing_a_page_rebuilds_it_in_the_same_process(tmp_path):
    from briefings.pipeline import Builder

    site = make_site(tmp_path, SITE, config=CONFIG)
    builder = Builder(site.root, site.out)
    assert builder.build().ok
    about = site.root / "content/pages/about.md"
    about.write_text(about.read_text("utf-8").replace("全区卫生健康工作", "全区卫生健康和计生工作"), "utf-8")
    result = builder.build([about])
    assert result.ok and "about/index.html" in result.written
    site.assert_page("/about/", "全区卫生健康和计生工作")


def test_a_page_s_aliases_redirect_to_it(tmp_path):
    site = make_site(tmp_path, "-- content/pages/about.md --\n---\ntitle: 关于我们\naliases: [/gywm/, /old/about/]\n"
                               "---\n正文。\n", config=CONFIG)
    assert site.build().ok, site.messages()
    for old in ("/gywm/", "/old/about/"):
        site.assert_page(old, '<meta http-equiv="refresh" content="0; url=/wjw/about/">')


@pytest.mark.parametrize("edited,old,new", [
    ("content/2024/meeting.md", "正文见", "会议正文见"),  # a briefing's body: its pages and the index patched
    ("content/pages/about.md", "全区卫生健康工作", "全区卫生健康和计生工作"),  # a page: the full path
    ("content/pages/about.md", "title: 关于我们", "title: 关于本委"),
])
def test_cached_builds_with_pages_publish_what_a_cold_build_does(tmp_path, edited, old, new):
    from test_incremental import files_of

    from briefings.pipeline import build

    site = make_site(tmp_path, SITE, config=CONFIG)
    assert build(site.root, site.out, cache=True).ok
    path = site.root / edited
    path.write_text(path.read_text("utf-8").replace(old, new), encoding="utf-8")
    cached = build(site.root, site.out, cache=True)
    assert cached.ok and not cached.up_to_date
    reference = tmp_path / "reference"
    assert build(site.root, reference).ok
    assert files_of(site.out) == files_of(reference)


def test_type_page_outside_the_pages_folder_says_where_pages_live(tmp_path):
    text = "---\ntitle: 关于我们\ndate: 2024-01-01\nlayout: page\n---\n正文。\n"
    site = make_site(tmp_path, f"-- content/about.md --\n{text}", config=CONFIG)
    assert site.build().ok
    assert site.messages() == ["content/about.md:4: warning: `layout: page` does nothing: pages are the files in "
                               "content/pages/ (move this file to content/pages/ to make it a page)"]


def test_a_page_that_moves_leaves_a_redirect(tmp_path):
    site = make_site(tmp_path, SITE, config=CONFIG)
    assert site.build().ok
    for name in ("about.md", "about.en.md"):  # a new slug, same file: the manifest knows the page
        path = site.root / "content/pages" / name
        path.write_text(path.read_text("utf-8").replace("---\n", "---\nslug: jigou\n", 1), encoding="utf-8")
    assert site.build().ok
    site.assert_page("/jigou/", "<h1>关于我们</h1>")
    site.assert_page("/about/", '<meta http-equiv="refresh" content="0; url=/wjw/jigou/">')
    site.assert_page("/en/about/", '<meta http-equiv="refresh" content="0; url=/wjw/en/jigou/">')
    assert "content/pages/about.md:2: info: URL changed from /about/ to /jigou/: the old URL now redirects to " \
           "the new one" in site.messages()
