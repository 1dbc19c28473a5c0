"""What inspection tools read from a briefing page: the 政府网站 meta tags and schema.org JSON-LD.

The JSON-LD is parsed as JSON from the built page and checked for the properties schema.org and
search engines require of an Article (NewsArticle) and of an Event.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import pytest
from sitebuilder import make_site

from briefings.inspection import script_json

SITE = '''title = "测试简报"
base_url = "https://example.gov.cn/jb/"

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

FULL = """---
title: 课后服务推进会
date: 2023-06-15T09:00:00+08:00
meeting: 专题工作会议
chair: 张荷红
attendees: [赵小丁, 齐晓兵]
location: 市教育局三楼会议室
tags: [课后服务, 双减]
doc_no: 教发〔2023〕12号
keywords: [延时服务]
category: 基础教育
written: 2023-06-12
summary: 会议部署课后服务工作。
---

6月15日上午，召开课后服务推进会。
"""

BARE = """---
title: Notice
date: 2024-01-05
lang: en
---

A short notice </script><script>alert(1)</script>.
"""


class Head(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.meta: dict[str, list[str]] = {}
        self.ld: list[str] = []
        self._in_ld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "meta" and values.get("name"):
            self.meta.setdefault(values["name"] or "", []).append(values.get("content") or "")
        self._in_ld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_data(self, data: str) -> None:
        if self._in_ld:
            self.ld.append(data)

    def handle_endtag(self, tag: str) -> None:
        self._in_ld = False


@pytest.fixture
def built(tmp_path):
    site = make_site(tmp_path, f"-- content/2023/a.md --\n{FULL}-- content/2024/b.en.md --\n{BARE}", config=SITE)
    assert site.build().ok, site.messages()
    return site


def read(site, url: str) -> Head:
    head = Head()
    head.feed(site.page(url))
    return head


def test_every_inspection_meta_tag_once(built):
    head = read(built, "/2023/06/ke-hou-fu-wu-tui-jin-hui/")
    assert {name: values for name, values in head.meta.items() if name[0].isupper()} == {
        "SiteName": ["测试简报"],
        "SiteDomain": ["example.gov.cn"],
        "SiteIDCode": ["4403000099"],
        "ColumnName": ["课后服务"],
        "ColumnType": ["政务动态"],
        "ArticleTitle": ["课后服务推进会"],
        "PubDate": ["2023-06-15 09:00"],
        "ContentSource": ["市教育局"],
        "Keywords": ["延时服务、课后服务、双减"],
        "Author": ["市教育局"],
        "Url": ["https://example.gov.cn/jb/2023/06/ke-hou-fu-wu-tui-jin-hui/"],
    }
    # Description is the page's own description (meta names are case-insensitive): one, the summary
    assert head.meta["description"] == ["会议部署课后服务工作。"]


def test_the_json_ld_is_a_news_article_by_a_government_organisation_about_the_meeting(built):
    head = read(built, "/2023/06/ke-hou-fu-wu-tui-jin-hui/")
    assert len(head.ld) == 1
    data = json.loads(head.ld[0])
    assert data["@context"] == "https://schema.org" and data["@type"] == "NewsArticle"
    for key in ("headline", "datePublished", "author", "publisher"):  # what an Article must have
        assert data[key], key
    assert data["headline"] == "课后服务推进会" and data["datePublished"] == "2023-06-15T09:00:00+08:00"
    assert data["dateCreated"] == "2023-06-12" and data["articleSection"] == "基础教育"
    publisher = data["publisher"]
    assert publisher["@type"] == "GovernmentOrganization" and publisher["name"] == "市教育局"
    assert publisher["identifier"] == "11440300MB2C92051X"
    assert data["author"] == {"@id": publisher["@id"]}
    assert {i["propertyID"]: i["value"] for i in data["identifier"]} == {
        "索引号": "11440300MB2C92051X/2023-00001", "文号": "教发〔2023〕12号"}
    event = data["about"]
    assert event["@type"] == "Event"
    for key in ("name", "startDate", "location", "organizer", "attendee"):  # an Event's required properties
        assert event[key], key
    assert event["name"] == "专题工作会议" and event["startDate"] == data["datePublished"]
    assert event["location"] == {"@type": "Place", "name": "市教育局三楼会议室"}
    assert event["organizer"] == {"@id": publisher["@id"]}
    assert event["attendee"] == [{"@type": "Person", "name": n} for n in ("张荷红", "赵小丁", "齐晓兵")]


def test_a_briefing_without_a_meeting_has_no_event_and_english_defaults(built):
    head = read(built, "/en/2024/01/notice/")
    data = json.loads(head.ld[0])
    assert "about" not in data  # the language is the page's own <html lang>
    assert data["publisher"]["name"] == "Municipal Education Bureau"
    assert head.meta["ColumnName"] == ["Test briefings"] and head.meta["ColumnType"] == ["News"]
    assert "Keywords" not in head.meta  # none: no empty tag
    assert head.meta["Url"] == ["https://example.gov.cn/jb/en/2024/01/notice/"]


def test_json_ld_cannot_close_its_script_element(built):
    html = built.page("/en/2024/01/notice/")
    ld = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert ld is not None and "<" not in ld.group(1)
    assert json.loads(ld.group(1))["headline"] == "Notice"
    assert json.loads(script_json({"a": "</script><b>&"})) == {"a": "</script><b>&"}
    assert "<" not in script_json({"a": "</script>"})


def test_without_a_disclosure_table_in_site_toml_the_tags_fall_back(tmp_path):
    site = make_site(tmp_path, f"-- content/2023/a.md --\n{FULL}")
    assert site.build().ok
    head = read(site, "/2023/06/ke-hou-fu-wu-tui-jin-hui/")
    assert "SiteIDCode" not in head.meta  # unknown: left out rather than empty
    assert head.meta["ContentSource"] == ["测试简报"] and head.meta["Author"] == ["测试简报"]
    data = json.loads(head.ld[0])
    assert data["publisher"] == {"@type": "GovernmentOrganization", "@id": "#publisher", "name": "测试简报"}
    assert "identifier" in data and [i["propertyID"] for i in data["identifier"]] == ["文号"]
