"""Branding from site.toml: logo, accent colour, organisation, footer lines, menu; a theme that
speaks of no one office in particular."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitebuilder import make_site

from briefings.brand import DARK_BG, LIGHT_BG, MIN_CONTRAST, contrast, palette, parse_hex
from briefings.theme import bundled_theme

BRANDED = '''title = "区卫健委会议简报"
base_url = "https://example.gov.cn/wjw/"
organisation = "北京市某某区卫生健康委员会"
logo = "static/logo.svg"
accent_color = "#1a7f37"

[footer]
site_code = "1101050001"
icp = "京ICP备12345678号-1"
police = "京公网安备11010502000001号"
address = "某某区某某路1号"
phone = "010-12345678"
lines = ["本网站由区卫健委信息中心维护"]

[[menu]]
title = "关于我们"
url = "/about/"

[[menu]]
title = "首都之窗"
url = "https://www.beijing.gov.cn/"

[languages.zh]
title = "区卫健委会议简报"

[languages.en]
title = "District Health Commission"
organisation = "District Health Commission"

[tags."健康促进"]
en = "Health promotion"
'''

FILES = """-- static/logo.svg --
<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40"><circle cx="20" cy="20" r="18" fill="#1a7f37"/></svg>
-- content/2024/a.md --
---
title: 主任办公会
date: 2024-03-01
tags: [健康促进]
---
正文。
-- content/pages/about.md --
---
title: 关于我们
---
正文。
"""

colours = st.integers(0, 0xFFFFFF).map(lambda n: f"#{n:06x}")


@given(colours)
def test_every_shade_the_theme_derives_is_readable(colour):
    shades = palette(colour)
    assert contrast(shades.accent, LIGHT_BG) >= MIN_CONTRAST
    assert contrast(shades.hover, LIGHT_BG) >= MIN_CONTRAST
    assert contrast(shades.dark_accent, DARK_BG) >= MIN_CONTRAST
    assert contrast(shades.dark_hover, DARK_BG) >= MIN_CONTRAST
    assert shades.adjusted == (contrast(colour, LIGHT_BG) < MIN_CONTRAST)
    if not shades.adjusted:
        assert shades.accent == colour  # a readable colour is kept as chosen


@pytest.mark.parametrize("text,expected", [("#1A7F37", "#1a7f37"), ("1a7f37", "#1a7f37"), ("#1a3", "#11aa33"),
                                           ("green", None), ("#12345", None)])
def test_colours_are_read_as_hex(text, expected):
    assert parse_hex(text) == expected


def test_header_footer_and_colours_come_from_site_toml(tmp_path):
    site = make_site(tmp_path, FILES, config=BRANDED)
    assert site.build().ok, site.messages()
    assert site.messages() == []
    site.assert_page("/",
                     '<img class="brand-logo" src="/wjw/logo.svg" alt="" height="44">',
                     '<span class="brand-org">北京市某某区卫生健康委员会</span>',
                     "--accent:#1a7f37;", "--accent-hover:#",
                     '<li><a href="/wjw/about/">关于我们</a></li>',
                     '<li><a href="https://www.beijing.gov.cn/">首都之窗</a></li>',
                     "主办单位：北京市某某区卫生健康委员会", "网站标识码：1101050001",
                     '<a href="https://beian.miit.gov.cn/" rel="noopener">京ICP备12345678号-1</a>',
                     '<a href="https://beian.mps.gov.cn/#/query/webSearch?code=11010502000001" rel="noopener">'
                     "京公网安备11010502000001号</a>",
                     '<a href="tel:010-12345678">010-12345678</a>', "本网站由区卫健委信息中心维护")
    site.assert_page("/en/", "District Health Commission</span>", "! 关于我们</a>")  # the menu is per language
    assert (site.out / "logo.svg").is_file()
    site.assert_page("/about/", '<a href="/wjw/about/" aria-current="page">关于我们</a>')


def test_a_light_accent_is_darkened_with_a_warning(tmp_path):
    site = make_site(tmp_path, FILES, config=BRANDED.replace("#1a7f37", "#8fe388"))
    assert site.build().ok
    [message] = site.messages()
    assert re.fullmatch(r"site\.toml:5: warning: accent_color #8fe388 has a contrast of 1\.\d:1 on a white page "
                        r"\(text needs 4\.5:1\): the theme uses (#[0-9a-f]{6}) instead \(choose a darker colour to "
                        r"have it as it is\)", message), message
    used = re.search(r"uses (#[0-9a-f]{6})", message).group(1)
    assert contrast(used, "#ffffff") >= 4.5
    site.assert_page("/", f"--accent:{used};")


@pytest.mark.parametrize("line,message", [
    ('accent_color = "verde"', "site.toml:5: error: cannot read accent_color 'verde' (write it as \"#1a7f37\")"),
    ('logo = "static/missing.png"', "site.toml:4: error: logo file static/missing.png not found "
                                    "(put the image in the site's static/ folder)"),
    ('logo = "../logo.svg"', "site.toml:4: error: logo '../logo.svg' must be a file under static/ "
                             '(e.g. logo = "static/logo.svg")'),
])
def test_branding_mistakes_name_their_line(tmp_path, line, message):
    key = line.split(" ")[0]
    config = re.sub(rf"^{key} = .*$", line, BRANDED, flags=re.M)
    site = make_site(tmp_path, FILES, config=config)
    assert not site.build().ok
    assert message in site.messages()


def test_unknown_footer_and_menu_keys_get_a_suggestion(tmp_path):
    config = BRANDED.replace('icp = "', 'ipc = "').replace('url = "/about/"', 'link = "/about/"')
    site = make_site(tmp_path, FILES, config=config)
    assert not site.build().ok
    assert site.messages() == [
        "site.toml:9: error: unknown key `ipc` in [footer] (did you mean `icp`?)",
        "site.toml:15: error: each [[menu]] link needs a `title` and a `url` "
        '(e.g. title = "关于我们", url = "/about/")',
        "site.toml:17: error: unknown key `link` in [[menu]]"]


def test_no_branding_no_extra_markup(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会\ndate: 2024-01-01\n---\n正文。\n")
    assert site.build().ok
    site.assert_page("/", "! brand-logo", "! brand-org", "! <style>", "! footer-filing", "! 主办单位")


def test_search_examples_come_from_the_site_s_own_tags(tmp_path):
    site = make_site(tmp_path, FILES, config=BRANDED)
    assert site.build().ok
    site.assert_page("/", 'placeholder="搜索：健康促进 / jkcj"')
    site.assert_page("/search/", "如 健康促进、jiankangcujin、jkcj；可加 tag:健康促进")
    site.assert_page("/en/", 'placeholder="Search: Health promotion"')
    # A name with a space is quoted in the hint, as the query syntax needs: tag:"Health promotion".
    site.assert_page("/en/search/", "narrow with tag:&#34;Health promotion&#34; year:2024.")
    bare = make_site(tmp_path / "bare", "-- content/a.md --\n---\ntitle: 会\ndate: 2024-01-01\n---\n正文。\n")
    assert bare.build().ok
    bare.assert_page("/", 'placeholder="搜索简报"')


EDUCATION = ["教育", "课后", "双减", "学校", "校园", "中考", "局党组", "张荷红", "赵小丁", "khfw", "kehoufuwu",
             "school", "education", "bureau"]


def test_the_default_theme_speaks_of_no_office_in_particular():
    theme = bundled_theme()
    assert theme is not None
    for path in sorted(theme.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".toml", ".md", ".xml"}:
            text = path.read_text("utf-8").lower()
            found = [word for word in EDUCATION if word in text]
            assert not found, f"{path.relative_to(theme)} speaks of {found}"


def test_theme_is_found_without_a_themes_folder(tmp_path):
    site = make_site(tmp_path, FILES, config=BRANDED)
    import shutil

    shutil.rmtree(site.root / "themes")
    assert site.build().ok, site.messages()
    assert Path(bundled_theme() or "").name == "default"
