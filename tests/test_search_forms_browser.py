"""Every query form in Chromium, on a site where the word appears exactly once; bad input stays calm.

The site is the sample site plus one briefing whose words occur nowhere else: a programme in a
paragraph (校园足球联赛), a bank and its manager (重庆银行长沙分行, 行长: heteronyms), a team of
girls (女生: ü), a chair and an attendee (欧阳振华, 单霁翔), and a line in traditional characters.
Each query is opened as /search/?q=… and must list that briefing first, linked to the section
the word is in. Bad queries (2,000 characters, punctuation, emoji, unbalanced quotes, a bare
``tag:``, broken bytes in the address) end in results or a calm "no results", with no script
error. (The main thread's time per keystroke is measured by benchmarks/keystrokes.py: timings
belong in benchmarks, not in tests.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from test_search_browser import SETTLED, Built, Reader, copy_sample_site, reading, serve_built

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

ONCE = """---
title: 市教育局召开体育工作推进会
date: 2025-04-08T09:00:00+08:00
meeting: 局务会
chair: 欧阳振华
attendees: [单霁翔]
tags: [校园安全]
slug: ti-yu-gong-zuo-tui-jin-hui
---

4月8日上午，市教育局召开体育工作推进会。

## 部署赛事工作

会议要求办好第三届校园足球联赛，做好场地和安全保障。

## 合作办学

市教育局与重庆银行长沙分行签订助学协议，该行行长出席。表彰女生篮球队。

## 來訪交流

澳門教育代表團來訪。
"""
SOURCE = "content/2025/2025-04-08-once.md"

# query → the heading of the section it must link to ('' for the briefing's top)
FORMS = {
    "校园足球联赛": "部署赛事工作",
    "xiaoyuanzuqiu": "部署赛事工作",
    "xiao yuan zu qiu": "部署赛事工作",
    "xiǎoyuánzúqiú": "部署赛事工作",
    "xiaoyuanzu": "部署赛事工作",
    "xiaoyuan zuqiu": "部署赛事工作",
    "校园zq": "部署赛事工作",
    "校园zuqiu": "部署赛事工作",
    "xiaoyuan足球": "部署赛事工作",
    "xyzqls": "部署赛事工作",
    "校園足球聯賽": "部署赛事工作",
    '"校园足球联赛"': "部署赛事工作",
    "chongqingyinhang": "合作办学",
    "yinhang": "合作办学",
    "hangzhang": "合作办学",
    "nvsheng": "合作办学",
    "nüshēng": "合作办学",
    "changshafenhang": "合作办学",
    "ouyangzhenhua": "",
    "shanjixiang": "",
    "aomen": "來訪交流",
    "澳门": "來訪交流",
}

BAD = ["课" * 2000, "，。！？、；：" * 5, "😀🎉🙏", '"课后服务', '课后"服务', "tag:", "tag: ", "year:", '"',
       "\u200b\u200b", "<script>alert(1)</script>", "a" * 2000, "xyz" * 300]
BAD_BYTES = ["%E4%B8", "%FF%FE%00%1F", "%", "%%41", "%C0%AF%ED%A0%80", "%EF%BF%BF%F4%90%80%80"]


@pytest.fixture(scope="module")
def once(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Built]:
    root = copy_sample_site(tmp_path_factory.mktemp("search-once"))
    (root / SOURCE).parent.mkdir(parents=True, exist_ok=True)
    (root / SOURCE).write_text(ONCE, encoding="utf-8")
    yield from serve_built(root, root / "public", "https://example.org/")


@pytest.fixture
def reader(chromium: Browser) -> Iterator[Reader]:
    context = chromium.new_context()
    with reading(context) as r:
        yield r
    context.close()


@pytest.mark.parametrize("query", FORMS)
def test_each_query_form_finds_the_word_that_appears_once(reader: Reader, once: Built, query: str) -> None:
    results = reader.search(once, query)
    assert results, f"{query}: no results"
    heading = FORMS[query]
    want = once.section(SOURCE, heading) if heading else once.link(SOURCE)
    assert results[0]["href"] == want, [r["href"] for r in results[:3]]
    once.assert_anchor(results[0]["href"])


@pytest.mark.parametrize("query", BAD, ids=lambda q: repr(q[:12]))
def test_bad_queries_end_calmly(reader: Reader, once: Built, query: str) -> None:
    reader.search(once, query)  # settles: results or "no results"; no script error (reading checks)
    assert reader.status()


@pytest.mark.parametrize("raw", BAD_BYTES)
def test_broken_bytes_in_the_address_end_calmly(reader: Reader, once: Built, raw: str) -> None:
    response = reader.page.goto(f"{once.url}search/?q={raw}")
    assert response is not None and response.ok
    reader.page.wait_for_function(SETTLED)
    assert reader.status()
