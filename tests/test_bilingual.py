"""One source tree, two linked editions: Chinese at /, English under /en/."""

from __future__ import annotations

from sitebuilder import make_site

CONFIG = """title = "市教育局会议简报"
base_url = "https://example.org/"
default_language = "zh-CN"

[languages.zh-Hans]
title = "市教育局会议简报"

[languages.en-US]
title = "Education Bureau Briefings"

[tags."课后服务"]
en = "After-school services"
"""

PAIR = """-- content/2023/meeting.md --
---
title: 课后服务推进会
date: 2023-06-15T09:00:00+08:00
tags: [课后服务, 中考]
---
中文正文。
-- content/2023/meeting.en.md --
---
title: After-school services meeting
date: 2023-06-15T09:00:00+08:00
tags: [after-school services, Campus safety]
---
English body.
-- content/2023/only-zh.md --
---
title: 只有中文
date: 2023-06-10
tags: [课后服务]
---
正文。
-- content/2023/only-en.md --
---
title: English only
date: 2023-06-11
lang: en-GB
tags: [课后服务]
---
Body.
"""


def built(tmp_path):
    site = make_site(tmp_path, PAIR, config=CONFIG)
    result = site.build()
    assert result.ok, site.messages()
    return site


def test_editions_live_at_root_and_under_en(tmp_path):
    site = built(tmp_path)
    site.assert_page("/2023/06/ke-hou-fu-wu-tui-jin-hui/", '<html lang="zh-CN">', "2023年6月15日")
    site.assert_page("/en/2023/06/after-school-services-meeting/", '<html lang="en">', "June 15, 2023")
    site.assert_page("/en/2023/06/english-only/", '<html lang="en">')
    site.assert_page("/", "课后服务推进会", "只有中文", "! After-school services meeting", "! English only")
    site.assert_page("/en/", "After-school services meeting", "English only", "! 课后服务推进会")


def test_language_switch_goes_to_the_translation_or_the_other_home(tmp_path):
    site = built(tmp_path)
    site.assert_page("/2023/06/ke-hou-fu-wu-tui-jin-hui/",
                     'class="lang-switch" href="/en/2023/06/after-school-services-meeting/"',
                     'href="/en/2023/06/after-school-services-meeting/" hreflang="en" lang="en">Read in English')
    site.assert_page("/en/2023/06/after-school-services-meeting/",
                     'class="lang-switch" href="/2023/06/ke-hou-fu-wu-tui-jin-hui/"')
    site.assert_page("/2023/06/zhi-you-zhong-wen/", 'class="lang-switch" href="/en/"')
    site.assert_page("/en/2023/06/english-only/", 'class="lang-switch" href="/"')


def test_hreflang_alternates_in_pages_and_sitemap(tmp_path):
    site = built(tmp_path)
    for url in ["/2023/06/ke-hou-fu-wu-tui-jin-hui/", "/en/2023/06/after-school-services-meeting/"]:
        site.assert_page(
            url,
            '<link rel="alternate" hreflang="zh-CN" href="https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/">',
            '<link rel="alternate" hreflang="en" href="https://example.org/en/2023/06/after-school-services-meeting/">',
            '<link rel="alternate" hreflang="x-default" href="https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/">',
        )
    site.assert_page("/2023/06/zhi-you-zhong-wen/", '! hreflang="x-default"')
    sitemap = site.page("/sitemap.xml")
    assert ('<xhtml:link rel="alternate" hreflang="en" '
            'href="https://example.org/en/2023/06/after-school-services-meeting/"/>') in sitemap
    assert sitemap.count('hreflang="x-default" href="https://example.org/2023/06/ke-hou-fu-wu-tui-jin-hui/"') == 2


def test_english_tags_have_english_slugs_and_link_to_the_chinese_theme(tmp_path):
    site = built(tmp_path)
    # 'after-school services' (as written) and 课后服务 (declared en name) are one English theme.
    site.assert_page("/en/tags/after-school-services/", "After-school services", "After-school services meeting",
                     "English only", 'href="/tags/ke-hou-fu-wu/" hreflang="zh-CN" lang="zh-CN">课后服务')
    site.assert_page("/tags/ke-hou-fu-wu/", 'href="/en/tags/after-school-services/" hreflang="en" lang="en">'
                                            "After-school services")
    site.assert_page("/en/tags/campus-safety/", "Campus safety")
    site.assert_page("/en/tags/", "After-school services", "Campus safety", "! 课后服务")
    site.assert_page("/en/2023/06/english-only/", 'href="/en/tags/after-school-services/"')


def test_per_language_feeds_and_archives(tmp_path):
    site = built(tmp_path)
    assert "English only" in site.page("/en/atom.xml") and "只有中文" not in site.page("/en/atom.xml")
    assert "只有中文" in site.page("/atom.xml") and "English only" not in site.page("/atom.xml")
    assert 'xml:lang="en"' in site.page("/en/atom.xml")
    site.assert_page("/en/archive/2023/", "June 2023", "English only")
    site.assert_page("/archive/2023/", "2023年6月", "只有中文")


def test_translation_key_links_files_with_different_names(tmp_path):
    files = ("-- content/a.md --\n---\ntitle: 甲\ndate: 2023-01-01\ntranslation_key: k1\n---\n正文。\n"
             "-- content/b.md --\n---\ntitle: Alpha\ndate: 2023-01-01\nlang: en\ntranslation_key: k1\n---\nBody.\n")
    site = make_site(tmp_path, files, config=CONFIG)
    assert site.build().ok
    site.assert_page("/2023/01/jia/", 'class="lang-switch" href="/en/2023/01/alpha/"')


def test_two_briefings_of_one_language_claiming_one_translation_key(tmp_path):
    files = ("-- content/a.md --\n---\ntitle: 甲\ndate: 2023-01-01\ntranslation_key: k1\n---\n"
             "-- content/b.md --\n---\ntitle: 乙\ndate: 2023-01-02\ntranslation_key: k1\n---\n")
    site = make_site(tmp_path, files, config=CONFIG)
    assert not site.build().ok
    assert ("content/b.md:4: error: translation_key 'k1' is also used by content/a.md in the same language (zh) "
            "(each language may have one briefing per translation_key)") in site.messages()


def test_a_language_the_site_does_not_have_is_an_error(tmp_path):
    site = make_site(tmp_path, "-- content/a.fr.md --\n---\ntitle: Réunion\ndate: 2023-01-01\nlang: fr\n---\n",
                     config=CONFIG)
    assert not site.build().ok
    assert ("content/a.fr.md:4: error: language 'fr' is not one of the site's languages (zh, en) "
            "(declare it under [languages] in site.toml)") in site.messages()


def test_missing_interface_string_is_a_warning_naming_the_key(tmp_path):
    site = make_site(tmp_path, PAIR, config=CONFIG)
    en = site.root / "themes" / "default" / "i18n" / "en.toml"
    en.write_text("\n".join(line for line in en.read_text(encoding="utf-8").splitlines()
                            if not line.startswith("reading_time")), encoding="utf-8")
    assert site.build().ok
    assert ("themes/default/i18n/en.toml: warning: missing interface string `reading_time` "
            "(the page shows the other language's text)") in site.messages()
    site.assert_page("/en/2023/06/english-only/", "阅读时间")


def test_chinese_font_stack_applies_to_chinese_pages_only(tmp_path):
    site = built(tmp_path)
    css = next((site.out / "static").glob("site.*.css")).read_text(encoding="utf-8")
    assert ':lang(zh) { font-family: var(--font-zh); }' in css
    assert "body {" in css and "font-family: var(--font-latin);" in css
