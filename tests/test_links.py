"""Links written from the site's root work in `serve` and deployed under any path; `check`
reports the spellings that would break once deployed."""

from __future__ import annotations

import pytest
from sitebuilder import make_site

from briefings.cli import main
from briefings.markdown import render_markdown, root_links

CONFIG = 'title = "区卫健委会议简报"\nbase_url = "https://example.gov.cn/wjw/"\n'
SITE = """-- static/img/photo.jpg --
jpeg
-- content/pages/about.md --
---
title: 关于我们
---
关于。
-- content/2024/a.md --
---
title: 主任办公会
date: 2024-03-01
---
![合影](/img/photo.jpg) 见[关于我们](/about/)、[附件](/img/photo.jpg#x)。
"""


@pytest.mark.parametrize("base_path", ["", "/wjw", "/a/b"])
def test_root_links_take_the_base_path_and_nothing_else_does(base_path):
    html = render_markdown("[a](/about/) ![p](/img/p.jpg) [x](https://e.org/y) [p](//cdn.e.org/z) [r](img/p.jpg) "
                           "[f](#top) <a href=\"/raw/\">raw</a>\n\n`/code`", base_path).html
    assert f'<a href="{base_path}/about/">' in html and f'src="{base_path}/img/p.jpg"' in html
    assert f'href="{base_path}/raw/"' in html  # raw HTML links too
    for kept in ('href="https://e.org/y"', 'href="//cdn.e.org/z"', 'href="img/p.jpg"', 'href="#top"',
                 "<code>/code</code>"):
        assert kept in html


def test_root_links_leave_text_that_only_looks_like_a_link():
    text = '<p>href="/x" src="/y"</p>'
    assert root_links(text, "/wjw") == text


def test_deployed_and_served_builds_each_resolve_root_links(tmp_path):
    site = make_site(tmp_path, SITE, config=CONFIG)
    assert site.build().ok
    site.assert_page("/2024/03/zhu-ren-ban-gong-hui/", 'src="/wjw/img/photo.jpg"', 'href="/wjw/about/"',
                     'href="/wjw/img/photo.jpg#x"')
    assert (site.out / "img" / "photo.jpg").is_file()
    assert site.build(base_url="http://127.0.0.1:8000/").ok  # as `serve` builds: the site at /
    site.assert_page("/2024/03/zhu-ren-ban-gong-hui/", 'src="/img/photo.jpg"', 'href="/about/"')


def check(site, capsys) -> tuple[int, list[str]]:
    code = main(["check", str(site.root)])
    return code, capsys.readouterr().out.splitlines()


def test_check_passes_root_links_and_reports_the_spellings_that_break_deployed(tmp_path, capsys):
    site = make_site(tmp_path, SITE, config=CONFIG)
    code, out = check(site, capsys)
    assert code == 0, out
    body = "\n[带子路径](/wjw/img/photo.jpg) [相对](img/photo.jpg) [页面](/wjw/about/) [无](/img/none.jpg)\n"
    path = site.root / "content/2024/a.md"
    path.write_text(path.read_text("utf-8") + body, encoding="utf-8")
    code, out = check(site, capsys)
    assert code == 1
    assert out[:4] == [
        "content/2024/a.md:7:8: error: broken-link: link to /wjw/img/photo.jpg leads nowhere: links starting with / "
        "are resolved against base_url, so it would lead to /wjw/wjw/img/photo.jpg (write `/img/photo.jpg`: it "
        "works in `serve` and under /wjw/ alike)",
        "content/2024/a.md:7:33: error: broken-link: link to img/photo.jpg leads nowhere: the site has no page at "
        "/2024/03/zhu-ren-ban-gong-hui/img/photo.jpg (did you mean `/2024/03/zhu-ren-ban-gong-hui/`?)",
        "content/2024/a.md:7:53: error: broken-link: link to /wjw/about/ leads nowhere: links starting with / are "
        "resolved against base_url, so it would lead to /wjw/wjw/about/ (write `/about/`: it works in `serve` and "
        "under /wjw/ alike)",
        "content/2024/a.md:7:70: error: broken-link: link to /img/none.jpg leads nowhere: the site has no such page",
    ]


def test_links_in_pages_are_checked_too(tmp_path, capsys):
    site = make_site(tmp_path, SITE.replace("关于。", "见[不存在](/nowhere/)。"), config=CONFIG)
    code, out = check(site, capsys)
    assert code == 1
    assert out[0] == ("content/pages/about.md:4:8: error: broken-link: link to /nowhere/ leads nowhere: "
                      "the site has no such page")


def test_check_reports_menu_links_that_lead_nowhere(tmp_path, capsys):
    config = CONFIG + '[[menu]]\ntitle = "关于我们"\nurl = "/about/"\n[[menu]]\ntitle = "联系"\nurl = "/contact/"\n'
    site = make_site(tmp_path, SITE, config=config)
    code, out = check(site, capsys)
    assert code == 1
    assert out[0] == ("site.toml:8: error: broken-link: menu link '联系' to /contact/ leads nowhere: the site has no "
                      "such page (pages live in content/pages/)")
