"""政府信息公开: the disclosure fields of a briefing, and the `[disclosure]` and `[check]` tables of site.toml.

An inspected government site shows, above each document, its 索引号 (index_no), 发布机构
(publisher), 主题分类 (category), 成文日期 (written), 发布日期 (the date), 文号 (doc_no),
主题词 (keywords) and 有效性 (validity). All are optional unless site.toml lists them in
``[disclosure] required``; 发布机构 defaults to the site's own, and a missing 索引号 is
generated (see index_numbers.py). Pure: strings and mappings in, values and messages out.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .diagnostics import did_you_mean

# The front-matter keys this module reads (content.py adds them to the keys it knows).
FIELDS = ("index_no", "publisher", "category", "written", "doc_no", "keywords", "validity")
# What ``required`` may name: the fields above and the publication date.
REQUIRABLE = (*FIELDS, "date")

# 文号: 机关代字〔年份〕序号号, e.g. 教发〔2023〕12号 or 国办秘函〔2019〕19号. Writers type the
# brackets as 〔〕, [] or ［］ and the tortoise-shell ones are the standard (GB/T 9704): we ask for those.
DOC_NO = re.compile(r"^(?P<agency>[\u4e00-\u9fff]{1,12})〔(?P<year>\d{4})〕(?P<serial>\d{1,5})号$")
_DOC_NO_LOOSE = re.compile(
    r"^(?P<agency>[\u4e00-\u9fff]{1,12})[\[［(（](?P<year>\d{4})[\]］)）](?P<serial>\d{1,5})号?$")
# 索引号: the organisation's code, '/', the year, '-', a serial of five digits (generated ones);
# written ones may carry the site's own classification between code and year, so only the shape is asked.
INDEX_NO = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-]*/[0-9A-Za-z./\-]+$")

# 有效性: the four states the 政府信息公开 catalogues use; English spellings are accepted too.
VALIDITY = {"有效": "有效", "失效": "失效", "废止": "废止", "部分失效": "部分失效",
            "valid": "有效", "expired": "失效", "repealed": "废止", "partly valid": "部分失效"}
VALIDITY_EN = {"有效": "Valid", "失效": "Expired", "废止": "Repealed", "部分失效": "Partly valid"}


@dataclass(frozen=True)
class DisclosureConfig:
    """`[disclosure]` of site.toml: who publishes, the site's identifiers, what every briefing must carry."""

    org_code: str = ""  # 组织机构代码 / 统一社会信用代码: the first part of generated 索引号
    publisher: Mapping[str, str] = field(default_factory=dict)  # lang → 发布机构
    site_id: str = ""  # 网站标识码 (SiteIDCode)
    column_type: str = ""  # ColumnType of briefing pages, e.g. 政务动态
    required: tuple[str, ...] = ()

    def publisher_for(self, lang: str, default_language: str) -> str:
        return self.publisher.get(lang) or self.publisher.get(default_language, "")


@dataclass(frozen=True)
class CheckConfig:
    """`[check]` of site.toml: after how many days a column counts as not updated (检查指标)."""

    home_days: int = 14
    news_days: int = 14
    other_days: int = 183
    news: tuple[str, ...] = ("meeting",)  # taxonomies whose columns are news-like


_DISCLOSURE_KEYS = {"org_code", "publisher", "publisher_en", "site_id", "column_type", "required"}
_CHECK_KEYS = {"home_days", "news_days", "other_days", "news"}


def parse_disclosure(raw: Any, error: Callable[..., None], languages: tuple[str, ...]) -> DisclosureConfig:
    """The `[disclosure]` table; problems go to ``error(key, message, hint)``."""
    if raw is None:
        return DisclosureConfig()
    if not isinstance(raw, dict):
        error("disclosure", "`disclosure` must be a table: [disclosure] org_code = …")
        return DisclosureConfig()
    for key in raw:
        if key not in _DISCLOSURE_KEYS:
            error(key, f"unknown key `{key}` in [disclosure]", did_you_mean(key, _DISCLOSURE_KEYS))
    values: dict[str, str] = {}
    for key in ("org_code", "publisher", "publisher_en", "site_id", "column_type"):
        value = raw.get(key, "")
        if not isinstance(value, str):
            error(key, f"`{key}` in [disclosure] must be a string")
            value = ""
        values[key] = value.strip()
    if values["org_code"] and not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z.\-]*", values["org_code"]):
        error("org_code", f"org_code {values['org_code']!r} must be letters, digits, '.' and '-'",
              "use the 统一社会信用代码 or 组织机构代码, e.g. 11440300007542")
    required = raw.get("required", [])
    if not isinstance(required, list) or not all(isinstance(r, str) for r in required):
        error("required", "`required` in [disclosure] must be a list of field names")
        required = []
    for name in required:
        if name not in REQUIRABLE:
            error("required", f"`{name}` cannot be required", did_you_mean(name, REQUIRABLE)
                  or f"choose among {', '.join(REQUIRABLE)}")
    publisher = {code: values["publisher"] for code in languages if values["publisher"]}
    if values["publisher_en"]:
        publisher["en"] = values["publisher_en"]
    return DisclosureConfig(values["org_code"], publisher, values["site_id"], values["column_type"],
                            tuple(r for r in required if r in REQUIRABLE))


def parse_check(raw: Any, error: Callable[..., None]) -> CheckConfig:
    if raw is None:
        return CheckConfig()
    if not isinstance(raw, dict):
        error("check", "`check` must be a table: [check] news_days = 14")
        return CheckConfig()
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _CHECK_KEYS:
            error(key, f"unknown key `{key}` in [check]", did_you_mean(key, _CHECK_KEYS))
        elif key == "news":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                error(key, "`news` in [check] must be a list of taxonomy names, e.g. [\"meeting\"]")
            else:
                out[key] = tuple(value)
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            error(key, f"`{key}` in [check] must be a whole number of days, at least 1")
        else:
            out[key] = value
    return CheckConfig(**out)


@dataclass(frozen=True)
class Disclosure:
    """The disclosure fields of one briefing as read from its front matter (publisher defaulted)."""

    index_no: str | None = None
    publisher: str | None = None
    category: str | None = None
    written: dt.date | None = None
    doc_no: str | None = None
    keywords: tuple[str, ...] = ()
    validity: str | None = None


def parse_fields(front: Mapping[str, Any], lang: str, config: DisclosureConfig, default_language: str,
                 error: Callable[..., None], date_present: bool = True) -> Disclosure:
    """Read and validate the disclosure fields of a front matter; ``error(key, message, hint)``."""

    def text(key: str) -> str | None:
        value = front.get(key)
        if value is None:
            return None
        if isinstance(value, (list, dict, bool, dt.date, dt.datetime)):
            error(key, f"`{key}` must be text, not {type(value).__name__}")
            return None
        return str(value).strip() or None

    index_no = text("index_no")
    if index_no is not None and not INDEX_NO.match(index_no):
        error("index_no", f"cannot read 索引号 {index_no!r}",
              "write it as the organisation code, '/', then the year and serial, e.g. 11440300007542/2023-00012; "
              "or leave `index_no` out and one is generated")
        index_no = None
    doc_no = text("doc_no")
    if doc_no is not None and not DOC_NO.match(doc_no):
        loose = _DOC_NO_LOOSE.match(doc_no)
        hint = (f"write it as {loose['agency']}〔{loose['year']}〕{loose['serial']}号 (with 〔〕 and 号)" if loose
                else "write it as 机关代字〔年份〕序号号, e.g. 教发〔2023〕12号")
        error("doc_no", f"文号 {doc_no!r} is not of the form 机关代字〔年份〕序号号", hint)
        doc_no = None
    written = None
    if "written" in front and front["written"] is not None:
        raw = front["written"]
        if isinstance(raw, dt.datetime):
            written = raw.date()
        elif isinstance(raw, dt.date):
            written = raw
        else:
            try:
                written = dt.date.fromisoformat(str(raw).strip())
            except ValueError:
                error("written", f"cannot read 成文日期 {raw!r}", "write it as 2023-06-12")
    validity = text("validity")
    if validity is not None:
        canonical = VALIDITY.get(validity.lower() if validity.isascii() else validity)
        if canonical is None:
            error("validity", f"unknown 有效性 {validity!r}",
                  "use 有效, 失效, 废止 or 部分失效 (valid, expired, repealed, partly valid)")
        validity = canonical
    keywords_raw = front.get("keywords")
    keywords: tuple[str, ...] = ()
    if isinstance(keywords_raw, str):  # 主题词 are often written space- or 、-separated
        keywords = tuple(k for k in re.split(r"[\s、，,;；]+", keywords_raw) if k)
    elif isinstance(keywords_raw, list):
        if not all(isinstance(k, (str, int)) for k in keywords_raw):
            error("keywords", "each of `keywords` must be text")
        keywords = tuple(str(k).strip() for k in keywords_raw if isinstance(k, (str, int)) and str(k).strip())
    elif keywords_raw is not None:
        error("keywords", f"`keywords` must be a list, like [课后服务, 双减], not {type(keywords_raw).__name__}")
    publisher = text("publisher") or config.publisher_for(lang, default_language) or None
    found = Disclosure(index_no, publisher, text("category"), written, doc_no, tuple(dict.fromkeys(keywords)), validity)
    for name in config.required:
        if name == "index_no" and config.org_code:
            continue  # generated when absent (index_numbers.py)
        missing = not date_present if name == "date" else not getattr(found, name)
        if missing and front.get(name) in (None, "", []):
            hint = "add it to the front matter" + (" or set `publisher` under [disclosure] in site.toml"
                                                   if name == "publisher" else "")
            error(name, f"`{name}` is required by [disclosure] in site.toml", hint)
    return found
