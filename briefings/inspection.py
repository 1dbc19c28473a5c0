"""What inspection tools read from a briefing page: the 政府网站 meta tags and schema.org JSON-LD.

The meta names are those of the 政府网站发展指引 (国办发〔2017〕47号) page-tagging rules:
SiteName, SiteDomain, SiteIDCode (网站标识码), ColumnName, ColumnType, ArticleTitle, PubDate,
ContentSource, Keywords, Author, Description (the page's own ``description``), Url. The JSON-LD is an ``Article`` (a
``NewsArticle``: a meeting report) published by a ``GovernmentOrganization``, about the meeting
as an ``Event`` with its organiser and attendees. Pure: the templates call these with the
briefing and get values to print (render.py binds the site's config).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from .config import SiteConfig
from .model import Briefing

HTML_LANG = {"zh": "zh-CN", "en": "en"}
_COLUMN_TYPE = {"zh": "政务动态", "en": "News"}


def script_json(data: Any) -> str:
    """JSON safe to print inside <script> (`<`, `>`, `&` escaped), Chinese kept as is (Jinja's
    ``tojson`` escapes every Han character, tripling a page's JSON-LD)."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def column_name(briefing: Briefing, tag_names: list[str], site_title: str) -> str:
    """The column a briefing is filed in: its first policy theme, else its meeting, else the site."""
    return (tag_names[0] if tag_names else None) or briefing.meeting or site_title


def meta_tags(config: SiteConfig, briefing: Briefing, site_title: str, tag_names: list[str],
              page_url: str) -> list[tuple[str, str]]:
    """(name, content) of each inspection meta tag, in the order the rules list them."""
    lang = briefing.lang
    publisher = briefing.publisher or site_title
    keywords = list(dict.fromkeys([*briefing.keywords, *tag_names]))
    tags = [
        ("SiteName", site_title),
        ("SiteDomain", urlsplit(config.base_url).hostname or ""),
        ("SiteIDCode", config.disclosure.site_id or config.footer.site_code),  # [footer] site_code: issue 15
        ("ColumnName", column_name(briefing, tag_names, site_title)),
        ("ColumnType", config.disclosure.column_type or _COLUMN_TYPE.get(lang, _COLUMN_TYPE["en"])),
        ("ArticleTitle", briefing.title),
        ("PubDate", briefing.date.strftime("%Y-%m-%d %H:%M")),
        ("ContentSource", publisher),
        ("Keywords", ("、" if lang == "zh" else ", ").join(keywords)),
        ("Author", publisher),
        # Description: HTML meta names are case-insensitive, so the page's own <meta name="description">
        # is this tag (the summary); a second copy would only add its bytes to every page.
        ("Url", config.base_url.rstrip("/") + page_url),
    ]
    return [(name, content) for name, content in tags if content]  # an empty one is invalid HTML


def json_ld(config: SiteConfig, briefing: Briefing, site_title: str, tag_names: list[str],
            page_url: str) -> dict[str, Any]:
    """schema.org NewsArticle for the page; the template prints it with ``tojson`` (safe inside <script>)."""
    # Described once as the publisher; author and organiser point at it by its @id.
    organisation: dict[str, Any] = {"@type": "GovernmentOrganization", "@id": "#publisher",
                                    "name": briefing.publisher or site_title}
    if config.disclosure.org_code:
        organisation["identifier"] = config.disclosure.org_code
    same = {"@id": organisation["@id"]}
    article: dict[str, Any] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": briefing.title,
        "datePublished": briefing.date.isoformat(),
        "publisher": organisation,
        "author": same,
    }
    if briefing.written:
        article["dateCreated"] = briefing.written.isoformat()
    if briefing.keywords:  # the policy themes are in the Keywords meta tag already
        article["keywords"] = list(briefing.keywords)
    if briefing.category:
        article["articleSection"] = briefing.category
    identifiers = [{"@type": "PropertyValue", "propertyID": name, "value": value}
                   for name, value in (("索引号", briefing.index_no), ("文号", briefing.doc_no)) if value]
    if identifiers:
        article["identifier"] = identifiers
    if briefing.meeting or briefing.chair or briefing.attendees:
        people = [name for name in (briefing.chair, *briefing.attendees) if name]
        event: dict[str, Any] = {
            "@type": "Event",
            "name": briefing.meeting or briefing.title,
            "startDate": briefing.date.isoformat(),
            "organizer": same,
            "attendee": [{"@type": "Person", "name": name} for name in dict.fromkeys(people)],
        }
        if briefing.location:
            event["location"] = {"@type": "Place", "name": briefing.location}
        article["about"] = event
    return article
