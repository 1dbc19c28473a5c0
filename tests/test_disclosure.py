"""政府信息公开 fields: read from front matter, validated, publisher from site.toml, required ones enforced.

Whole sites (sitebuilder) show each field in the disclosure table above the text, in both languages.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sitebuilder import make_site

from briefings.config import LanguageConfig, SiteConfig
from briefings.content import parse_briefing
from briefings.diagnostics import Diagnostics
from briefings.disclosure import DOC_NO, DisclosureConfig

SITE = '''title = "测试简报"
base_url = "https://example.org/"

[languages.zh]
title = "测试简报"

[languages.en]
title = "Test briefings"

[disclosure]
org_code = "11440300MB2C92051X"
publisher = "市教育局"
publisher_en = "Municipal Education Bureau"
site_id = "4403000099"
'''


def config(**disclosure: object) -> SiteConfig:
    return SiteConfig(root=Path("."), title="简报", base_url="https://example.org/",
                      languages=(LanguageConfig("zh", "简报"), LanguageConfig("en", "Briefings")),
                      disclosure=DisclosureConfig(**disclosure))  # type: ignore[arg-type]


def parse(front: str, cfg: SiteConfig | None = None, source: str = "content/a.md"):
    diagnostics = Diagnostics()
    briefing = parse_briefing(f"---\ntitle: 课后服务推进会\ndate: 2023-06-15\n{front}---\n\n正文。\n", source,
                              cfg or config(), diagnostics)
    return briefing, [d.format() for d in diagnostics]


def test_every_field_is_read():
    briefing, messages = parse(
        "index_no: 11440300MB2C92051X/2023-00012\npublisher: 市教育局办公室\ncategory: 教育\n"
        "written: 2023-06-12\ndoc_no: 教发〔2023〕12号\nkeywords: [课后服务, 双减]\nvalidity: 有效\n")
    assert messages == []
    assert briefing.index_no == "11440300MB2C92051X/2023-00012"
    assert briefing.publisher == "市教育局办公室"
    assert briefing.category == "教育"
    assert briefing.written == dt.date(2023, 6, 12)
    assert briefing.doc_no == "教发〔2023〕12号"
    assert briefing.keywords == ("课后服务", "双减")
    assert briefing.validity == "有效"
    assert briefing.extra == {}  # known keys, not extras


def test_all_optional_and_the_publisher_defaults_from_site_toml_by_language():
    cfg = config(publisher={"zh": "市教育局", "en": "Municipal Education Bureau"})
    zh, messages = parse("", cfg)
    assert messages == [] and zh.publisher == "市教育局" and zh.index_no is None and zh.keywords == ()
    en, _ = parse("lang: en\n", cfg, "content/a.en.md")
    assert en.publisher == "Municipal Education Bureau"
    nobody, _ = parse("")
    assert nobody.publisher is None


@pytest.mark.parametrize(("front", "expected"), [
    ("keywords: 课后服务 双减、校园安全\n", ("课后服务", "双减", "校园安全")),
    ("keywords: 课后服务，双减\n", ("课后服务", "双减")),
    ("keywords: [双减, 双减, 2023]\n", ("双减", "2023")),
    ("validity: valid\n", "有效"), ("validity: Repealed\n", "废止"), ("validity: 部分失效\n", "部分失效"),
    ("written: 2023-06-12T10:00:00\n", dt.date(2023, 6, 12)),
])
def test_field_spellings(front, expected):
    briefing, messages = parse(front)
    assert messages == []
    key = front.split(":")[0]
    assert getattr(briefing, key) == expected


@pytest.mark.parametrize(("front", "message"), [
    ("doc_no: 教发[2023]12号\n",
     "content/a.md:4: error: 文号 '教发[2023]12号' is not of the form 机关代字〔年份〕序号号 "
     "(write it as 教发〔2023〕12号 (with 〔〕 and 号))"),
    ("doc_no: 12号文件\n", "content/a.md:4: error: 文号 '12号文件' is not of the form 机关代字〔年份〕序号号 "
                          "(write it as 机关代字〔年份〕序号号, e.g. 教发〔2023〕12号)"),
    ("written: 六月十二日\n", "content/a.md:4: error: cannot read 成文日期 '六月十二日' (write it as 2023-06-12)"),
    ("validity: 作废\n", "content/a.md:4: error: unknown 有效性 '作废' "
                        "(use 有效, 失效, 废止 or 部分失效 (valid, expired, repealed, partly valid))"),
    ("index_no: 第12号\n", "content/a.md:4: error: cannot read 索引号 '第12号'"),
    ("category: [a, b]\n", "content/a.md:4: error: `category` must be text, not list"),
    ("keywords: {a: 1}\n", "content/a.md:4: error: `keywords` must be a list, like [课后服务, 双减], not dict"),
])
def test_bad_values_are_errors_at_their_line(front, message):
    briefing, messages = parse(front)
    assert briefing is None
    assert any(m.startswith(message) for m in messages), messages


@given(agency=st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), min_size=1, max_size=8),
       year=st.integers(1949, 2099), serial=st.integers(1, 99999))
def test_doc_no_shape_accepts_every_agency_year_and_serial(agency, year, serial):
    assert DOC_NO.match(f"{agency}〔{year}〕{serial}号")
    assert not DOC_NO.match(f"{agency}({year}){serial}号")
    assert not DOC_NO.match(f"{agency}〔{year}〕{serial}")


def test_required_fields_come_from_site_toml():
    cfg = config(required=("category", "doc_no", "publisher", "index_no"))
    briefing, messages = parse("", cfg)
    assert briefing is None
    assert messages == [
        "content/a.md:1: error: `category` is required by [disclosure] in site.toml (add it to the front matter)",
        "content/a.md:1: error: `doc_no` is required by [disclosure] in site.toml (add it to the front matter)",
        "content/a.md:1: error: `publisher` is required by [disclosure] in site.toml (add it to the front matter "
        "or set `publisher` under [disclosure] in site.toml)",
        "content/a.md:1: error: `index_no` is required by [disclosure] in site.toml (add it to the front matter)",
    ]
    # with an org_code the 索引号 is generated, and a site-wide publisher fills that field
    cfg = config(required=("index_no", "publisher"), org_code="X1", publisher={"zh": "市教育局"})
    assert parse("", cfg)[1] == []


def test_site_toml_disclosure_and_check_tables_are_validated(tmp_path):
    site = make_site(tmp_path, "", config=SITE + 'required = ["publisher", "wirtten"]\ncolour = 1\n'
                     '[check]\nnews_days = 0\nnews = "meeting"\n')
    site.build()
    messages = site.messages()
    assert "site.toml:15: error: `wirtten` cannot be required (did you mean `written`?)" in messages
    assert "site.toml:16: error: unknown key `colour` in [disclosure]" in messages
    assert "site.toml:18: error: `news_days` in [check] must be a whole number of days, at least 1" in messages
    assert any(m.startswith("site.toml:19: error: `news` in [check] must be a list") for m in messages)


BRIEFING = """---
title: 课后服务推进会
date: 2023-06-15T09:00:00+08:00
meeting: 专题工作会议
chair: 张荷红
attendees: [赵小丁, 齐晓兵]
location: 市教育局
tags: [课后服务]
category: 教育
written: 2023-06-12
doc_no: 教发〔2023〕12号
keywords: [课后服务, 双减]
validity: 有效
---

6月15日上午，召开课后服务推进会。会议强调，要做好课后服务。
"""


def test_the_disclosure_table_shows_each_field_above_the_text(tmp_path):
    site = make_site(tmp_path, f"-- content/2023/a.md --\n{BRIEFING}"
                               f"-- content/2023/a.en.md --\n{english()}", config=SITE)
    assert site.build().ok, site.messages()
    html = site.page("/2023/06/ke-hou-fu-wu-tui-jin-hui/")
    table = html[html.index('<table class="disclosure">'):html.index("</table>")]
    assert html.index('<table class="disclosure">') < html.index('<div class="body">')
    for label, value in [("索引号", "11440300MB2C92051X/2023-0000"), ("发布机构", "市教育局"), ("主题分类", "教育"),
                         ("成文日期", "2023年6月12日"), ("发布日期", "2023年6月15日"), ("文号", "教发〔2023〕12号"),
                         ("主题词", "课后服务、双减"), ("有效性", "有效")]:
        assert f'<th>{label}</th>' in table
        assert value in table
    english_page = site.page("/en/2023/06/after-school-services/")
    for label in ("Index No.", "Publisher", "Written", "Published", "Document No.", "Keywords", "Validity"):
        assert f'<th>{label}</th>' in english_page
    assert "<td>Municipal Education Bureau</td>" in english_page and "<td>Valid</td>" in english_page


def english() -> str:
    return ("---\ntitle: After-school services\ndate: 2023-06-15\nlang: en\nwritten: 2023-06-12\n"
            "doc_no: 教发〔2023〕12号\nkeywords: [after-school]\nvalidity: valid\n---\n\nText.\n")


def test_a_briefing_without_the_fields_shows_only_the_labelled_publication_date(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-05-01\n---\n\n正文。\n")
    assert site.build().ok
    html = site.page("/2023/05/hui-yi/")
    table = html[html.index('<table class="disclosure">'):html.index("</table>")]
    assert table.count("<tr>") == 1
    assert '<th>发布日期</th><td><time datetime="2023-05-01T00:00:00+08:00">2023年5月1日</time>' in table
    assert "索引号" not in html  # no org_code, none written: no number
