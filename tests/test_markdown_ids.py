"""Element ids in a briefing's body never collide with the theme's or the footnotes' ids."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from sitebuilder import THEME, make_site

from briefings.markdown import THEME_IDS, render_markdown


@pytest.mark.parametrize("heading", ["main", "site-search-q", "fn1", "fnref1", "search"])
def test_a_heading_never_takes_a_reserved_id(heading):
    html = render_markdown(f"# {heading}\n\n正文[^1]。\n\n[^1]: 注释。\n").html
    ids = re.findall(r'id="([^"]+)"', html)
    assert len(ids) == len(set(ids))
    assert re.search(r'<h1 id="([^"]+)"', html).group(1) not in THEME_IDS | {"fn1", "fnref1"}


def test_ordinary_headings_keep_their_ids():
    assert '<h2 id="ke-hou-fu-wu">' in render_markdown("## 课后服务\n").html


@pytest.mark.parametrize("raw", ['<div id="site-search-q">x</div>', '<span id="main">x</span>',
                                 '<p id="fn1">x</p>', '<div id="ke-hou-fu-wu">x</div>'])
def test_raw_html_ids_that_clash_are_dropped_with_a_warning(raw):
    body = render_markdown(f"## 课后服务\n\n正文[^1]。\n\n{raw}\n\n[^1]: 注释。\n")
    ids = re.findall(r'id="([^"]+)"', body.html)
    assert len(ids) == len(set(ids)) and not set(ids) & THEME_IDS
    assert any("id=" in what for _, what in body.removed_html)


def test_a_raw_id_that_clashes_with_nothing_is_kept():
    assert '<a id="di-yi-tiao"></a>' in render_markdown('<a id="di-yi-tiao"></a>正文。\n').html


def test_every_literal_id_of_the_theme_is_reserved():
    literal = {m for p in (THEME / "templates").glob("*.html")
               for m in re.findall(r'\bid="([^"{]+)"', p.read_text(encoding="utf-8"))}
    assert literal <= THEME_IDS


def test_a_briefing_page_has_no_duplicate_ids(tmp_path):
    site = make_site(tmp_path, """\
-- content/a.md --
---
title: 一
date: 2023-06-15
---
# main

## fn1

正文[^1]。<span id="site-search-q">x</span>

[^1]: 注释。
""")
    assert site.build().ok
    ids = Counter(re.findall(r'\bid="([^"]+)"', site.page("/2023/06/yi/")))
    assert [i for i, n in ids.items() if n > 1] == []
