"""The furniture of a government web page, found in its text and taken out.

Pages pasted from an old CMS carry a breadcrumb, a line of facts (发布时间, 来源, 浏览次数),
buttons written as text (【字体：大中小】【打印】【关闭】, 分享到), links to the neighbouring
articles (上一篇/下一篇) and a footer (版权所有, 备案号). The date and source are kept; the
rest is dropped. Every pattern is anchored or bounded, so a block is read in linear time.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from .blocks import Block, Inlines, bare

_BUTTON = re.compile(
    r"[【\[]\s*(?:(?:字体|字号)\s*[:：]?\s*)?(?:[大中小]\s*){2,3}[】\]]"
    r"|[【\[]\s*(?:打印(?:本页|此页|文章|正文)?|关闭(?:窗口|本页|此页)?|收藏(?:本页)?|加入收藏|返回顶部|返回|顶部|"
    r"(?:我要)?纠错|字体|分享)\s*[】\]]"
    r"|(?:字体|字号|文字大小)\s*[:：]\s*(?:[大中小]\s*){2,3}"
)
BREADCRUMB = re.compile(
    r"^(?:当前位置|您的位置|你的位置|您现在的位置|你现在的位置|您当前的位置|所在位置|位置)\s*[:：]"
    r"|^(?:网站)?首页\s*(?:>>?|＞|»|›|→|/|\\)"
)
_META_LABEL = re.compile(
    r"(?:发布时间|发布日期|发文日期|成文日期|更新时间|信息来源|文章来源|稿件来源|来源|浏览次数|浏览量|阅读次数|"
    r"阅读量|点击数|点击量|点击率|访问量|访问次数|作者|责任编辑|编辑|发布机构|发布者)\s*[:：]"
)
_META_START = re.compile(r"^(?:时间|日期)\s*[:：]")
META_DATE = re.compile(r"(\d{4})\s*[-年/.]\s*(\d{1,2})\s*[-月/.]\s*(\d{1,2})日?")
_META_SOURCE = re.compile(r"(?:信息|文章|稿件)?来源\s*[:：]\s*([^\s|｜【\[]{1,40})")
_SHARE = re.compile(r"^分享到")
_NEIGHBOUR = re.compile(r"^(?:上一篇|下一篇|上一条|下一条|上篇|下篇)\s*[:：]?")
_FOOTER = re.compile(r"版权所有|Copyright|©|ICP\s*[备证]|备案号|网站标识码|网站识别码|公网安备|技术支持\s*[:：]|"
                     r"主办单位\s*[:：]|承办单位\s*[:：]|维护单位\s*[:：]|建议使用.{0,20}浏览器", re.IGNORECASE)
_ONLY_BUTTONS = re.compile(r"^(?:\s|打印本页|打印|关闭窗口|关闭|收藏|返回顶部|扫一扫在手机打开当前页|扫一扫)+$")
_SITE_NAME = re.compile(r"^[\w\u4e00-\u9fff]{2,24}(?:门户网站|政府网站|网站|门户网|政务网|政府网)$")
_NAV_ITEM = re.compile(r"^[\w\u4e00-\u9fff]{1,6}$")
_HOME = ("首页", "网站首页", "返回首页", "主页")
_SENTENCE_END = "。！？"
CLOSING = re.compile(r"(?:（|\()[^（）()]{1,40}?(?:供稿|供图|撰稿|来稿|报送|摄影|摄)(?:）|\))$"
                     r"|(?:（|\()(?:来源|供稿|作者|撰稿|责任编辑|编辑|审核|通讯员)\s*[:：][^（）()]{1,40}(?:）|\))$")
ATTACHMENT = re.compile(r"(?:相关)?附件\s*\d{0,2}\s*[:：]")


@dataclass
class Found:
    """What the page's furniture said, and how much of it was dropped."""

    date: dt.date | None = None
    date_text: str = ""
    source: str | None = None
    dropped: list[str] = field(default_factory=list)  # the dropped lines, shortened, for the notes


def clean(blocks: list[Block], inlines: Inlines) -> tuple[list[Block], Found]:
    found = Found()
    kept: list[Block] = []
    for block in blocks:
        if block.kind == "table":
            kept.append(block)
            continue
        text = _BUTTON.sub("", block.text) if ("【" in block.text or "[" in block.text or "：" in block.text
                                                or ":" in block.text) else block.text
        plain = inlines.plain(bare(text)).strip()
        if not plain and not re.search("[\ue000-\uf7ff]", text):
            if text != block.text:
                found.dropped.append(_short(inlines.plain(bare(block.text))))
            continue
        if _clutter(plain, found):
            found.dropped.append(_short(plain))
            continue
        kept.extend(_split_closing(Block(block.kind, text.strip(), block.level, block.rows)))
    return kept, found


def _clutter(plain: str, found: Found) -> bool:
    if len(plain) > 200:
        return False
    if (BREADCRUMB.search(plain) or _SHARE.search(plain) or _NEIGHBOUR.search(plain) or _ONLY_BUTTONS.match(plain)
            or _SITE_NAME.match(plain)):  # the site's name, pasted from the page's header
        return True
    if _FOOTER.search(plain) and "。" not in plain[:-1]:
        return True
    if (_META_LABEL.search(plain) or _META_START.search(plain)) and not any(c in plain for c in _SENTENCE_END):
        if found.date is None and (date := META_DATE.search(plain)):
            try:
                found.date = dt.date(int(date[1]), int(date[2]), int(date[3]))
                found.date_text = date[0]
            except ValueError:
                pass
        if found.source is None and (source := _META_SOURCE.search(plain)):
            found.source = source[1].rstrip("，,;；")
        return True
    words = plain.split()
    # A menu: 首页 政务公开 政务服务 …; a short one when it starts at the home page.
    return ((len(words) >= 4 or (len(words) >= 2 and words[0] in _HOME))
            and all(_NAV_ITEM.match(w) for w in words))


def _split_closing(block: Block) -> list[Block]:
    """'…大局。（区卫健委办公室供稿）' and '…。相关附件：…' → separate paragraphs."""
    if block.kind != "p":
        return [block]
    out: list[Block] = []
    text = block.text
    attachment = None
    for match in ATTACHMENT.finditer(text):
        if match.start() > 0 and text[match.start() - 1] in _SENTENCE_END + " ":
            attachment = match.start()
            break
    tail = text[attachment:] if attachment is not None else ""
    head = text[:attachment] if attachment is not None else text
    closing = CLOSING.search(head.rstrip())
    if closing and closing.start() > 0:
        out += [Block("p", head[: closing.start()].strip()), Block("p", closing[0])]
    else:
        out.append(Block("p", head.strip()))
    if tail:
        out.append(Block("p", tail.strip()))
    return [b for b in out if b.text]


def _short(text: str) -> str:
    return text if len(text) <= 24 else text[:23] + "…"
