"""`briefings init`: a new site folder that builds at once, explained in the staff's language.

``scaffold`` is pure (options → {relative path: text}); ``init_site`` is the edge that checks
nothing would be overwritten and writes the files. The site has no theme folder of its own:
it uses the default theme shipped with the package (theme.py).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from .config import normalise_language
from .theme import bundled_theme

TIMEZONE = "Asia/Shanghai"
DEFAULT_TITLES = {"zh": "会议简报", "en": "Briefings"}


class InitError(Exception):
    """Why nothing was written; the message says what to do."""


@dataclass(frozen=True)
class InitOptions:
    title: str = ""
    base_url: str = "https://www.example.gov.cn/"
    languages: tuple[str, ...] = ("zh",)  # the first is the default language, and the comments'
    today: dt.date | None = None


def parse_languages(text: str) -> tuple[str, ...]:
    """'zh,en' → ('zh', 'en'); only the languages the default theme speaks."""
    codes: list[str] = []
    for part in text.replace("，", ",").split(","):
        if not part.strip():
            continue
        code = normalise_language(part)
        if code not in DEFAULT_TITLES:
            raise InitError(f"cannot make a site in language {part.strip()!r}: the default theme speaks zh and en")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise InitError("--lang names no language: write e.g. --lang zh or --lang zh,en")
    return tuple(codes)


def _s(text: str) -> str:
    """A TOML basic string (JSON's escapes are TOML's; TOML also forbids a raw DEL)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def scaffold(options: InitOptions) -> dict[str, str]:
    """Every file of a new site: relative path → text."""
    langs = options.languages
    default = langs[0]
    today = options.today or dt.datetime.now(ZoneInfo(TIMEZONE)).date()
    titles = {code: (options.title if code == default and options.title else DEFAULT_TITLES[code]) for code in langs}
    base_url = options.base_url if options.base_url.endswith("/") else options.base_url + "/"
    files: dict[str, str] = {"site.toml": _site_toml(default, langs, titles, base_url)}
    year = f"{today.year:04d}"
    for code in langs:
        suffix = "" if code == default else f".{code}"
        about = ("" if code == default else f"/{code}") + "/about/"
        files[f"content/{year}/{today.isoformat()}-ben-zhan-kai-tong{suffix}.md"] = _BRIEFINGS[code].format(
            date=today.isoformat(), tag=_TAG[default], about=about)
        files[f"content/pages/about{suffix}.md"] = _PAGES[code].format(file=f"about{suffix}.md", about=about)
        archetype = _archetype(code)
        if archetype is not None:
            files[f"archetypes/briefing{suffix}.md"] = archetype
    files[".gitignore"] = _GITIGNORE
    files["README.md"] = _README[default].format(title=titles[default], base_url=base_url)
    return files


def _archetype(code: str) -> str | None:
    theme = bundled_theme()
    for name in (f"briefing.{code}.md", "briefing.md"):
        if theme is not None and (theme / "archetypes" / name).is_file():
            return (theme / "archetypes" / name).read_text(encoding="utf-8")
    return None


def init_site(target: Path, options: InitOptions) -> list[str]:
    """Write a new site into ``target`` (made if missing); nothing if any file exists already."""
    files = scaffold(options)
    taken = sorted(path for path in files if (target / path).exists())
    if taken:
        raise InitError(f"{target} already has {', '.join(taken)}: not overwriting anything "
                        "(choose an empty folder, e.g. `briefings init my-site`)")
    for path, text in files.items():
        file = target / path
        file.parent.mkdir(parents=True, exist_ok=True)
        with file.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    return list(files)


def _site_toml(default: str, langs: Sequence[str], titles: Mapping[str, str], base_url: str) -> str:
    comments = {name: _section(name, default) for name in _TOML}
    parts = [comments["head"],
             comments["top"].replace("@TITLE@", _s(titles[default])).replace("@BASE_URL@", _s(base_url))
             .replace("@LANG@", _s(default)),
             comments["brand"], comments["disclosure"], comments["menu"].replace("@ABOUT@", _s(_ABOUT[default])).replace("@LANG@", _s(default))]
    for code in langs[1:]:
        parts.append(f'[[menu]]\ntitle = {_s(_ABOUT[code])}\nurl = "/{code}/about/"\nlang = {_s(code)}\n\n')
    parts.append(comments["languages"])
    for code in langs:
        parts.append(f"[languages.{code}]\ntitle = {_s(titles[code])}\ndescription = {_s(_DESCRIPTION[code])}\n")
        if code != default:
            parts.append(comments["organisation_other"])
        parts.append("\n")
    parts.append(comments["tags"])
    translations = "".join(f"{code} = {_s(_TAG[code])}\n" for code in langs if code != default)
    parts.append(f"[tags.{_s(_TAG[default])}]\n{translations}")
    return "".join(parts)


_ABOUT = {"zh": "关于我们", "en": "About"}
_DESCRIPTION = {"zh": "本单位会议简报与政务信息。", "en": "Meeting briefings and public information."}
_TAG = {"zh": "政务公开", "en": "Open government"}

# site.toml in sections, line by line: a setting is written once for both languages; a pair
# (zh, en) is what differs, the comments (and some example values) in the site's default language.
_TOML: dict[str, list[str | tuple[str, str]]] = {
    "head": [
        (("# 网站配置文件。每个设置的含义写在它上方的注释里（以 # 开头的行不起作用）。\n"
          "# 改完后运行 `briefings check` 检查，`briefings serve` 预览，`briefings build` 生成网站。"),
         ("# The site's settings. What each one does is said in the comment above it (lines starting with # do nothing).\n"
          "# After a change, run `briefings check` to check, `briefings serve` to preview, `briefings build` to build.")),
        "",
    ],
    "top": [
        ("# 网站名称：显示在每页页眉、浏览器标签和订阅源中。",
         "# The site's name: in every page's header, the browser tab and the feeds."),
        "title = @TITLE@",
        (('# 网站发布后的完整地址，以 / 结尾。部署在子路径下时写上子路径，如 "https://www.example.gov.cn/wjw/"。\n'
          "# 站点地图、订阅源和站内链接都据此生成：正文中以 / 开头的链接（如 /about/、/img/photo.jpg）会自动加上子路径。"),
         ('# The site\'s full address once published, ending in /. Under a sub-path, include it: "https://www.example.gov.cn/wjw/".\n'
          "# The sitemap, feeds and links are made from it: links in the text that start with / (/about/, /img/photo.jpg)\n"
          "# get the sub-path added.")),
        "base_url = @BASE_URL@",
        ("# 默认语言：该语言的页面在网站根路径，其他语言在 /en/ 等路径下。",
         "# The default language: its pages are at the site's root, the other languages' under /zh/ and so on."),
        "default_language = @LANG@",
        ("# 简报网址的格式，可用 {year} {month} {day} {slug}；slug 默认是标题的拼音。",
         "# How a briefing's URL is made: {year} {month} {day} {slug}; the slug is made from the title."),
        'permalink = "/{year}/{month}/{slug}/"',
        ("# 列表页每页显示几篇简报。",
         "# How many briefings a list page shows."),
        "per_page = 10",
        ("# 列表中摘要的长度（汉字数，未写 summary 时从正文开头截取）；订阅源中的简报篇数。",
         ("# How long a summary in lists may be (in Chinese characters; without `summary:` it is cut from the start of\n"
          "# the text), and how many briefings a feed carries.")),
        "# summary_length = 120",
        "# feed_length = 20",
        ("# 时区：前置信息中不带时区的日期按此时区理解。",
         "# Dates written without a time zone are in this one."),
        'timezone = "Asia/Shanghai"',
        ("# 哪些前置信息生成索引页（tags 即政策主题总会生成），如 meeting 为每个会议名称生成一页。",
         "# Front-matter keys that get an index page per value (tags always do), e.g. meeting: a page per meeting."),
        'taxonomies = ["tags", "meeting"]',
        (("# 主题：不写即用 briefings 自带的默认主题，网站文件夹中不需要 themes/。\n"
          "# 只改一部分时不必复制整个主题：同名文件放进本网站的 templates/（模板）、static/（如 static/site.css）\n"
          "# 即替换主题的那个文件；i18n/zh.toml 中写出的键替换主题的界面文字。"),
         ("# The theme: leave it out for the default theme that comes with briefings (no themes/ folder needed).\n"
          "# To change a part, do not copy the theme: a file of the same name in this site's templates/ (templates) or\n"
          "# static/ (e.g. static/site.css) replaces the theme's; keys written in i18n/en.toml replace its interface text.")),
        '# theme = "default"',
        "",
        (("# ---- 单位信息与外观 ----\n"
          "# 主办单位名称：显示在页眉网站名称下方和页脚。"),
         ("# ---- The office and the look ----\n"
          "# The organisation that runs the site: under the site's name in the header, and in the footer.")),
        'organisation = ""',
        ('# 标志：放在 static/ 文件夹中的图片（SVG 或 PNG），显示在页眉左侧，如 "static/logo.svg"。',
         '# The logo: an image (SVG or PNG) in the static/ folder, left of the site\'s name, e.g. "static/logo.svg".'),
        '# logo = "static/logo.svg"',
        (('# 主色：链接、按钮和页眉细线的颜色，写成 "#1a7f37" 这样的十六进制色值。\n'
          "# 主题据此生成悬停色和深色模式的颜色；颜色太浅、文字对比度不足 4.5:1 时会自动加深并给出提示。"),
         ('# The accent colour of links, buttons and the header\'s rule, as "#1a7f37".\n'
          "# The theme derives the hover and dark-mode shades; a colour too light for text (contrast under 4.5:1)\n"
          "# is darkened, with a warning.")),
        '# accent_color = "#1a7f37"',
        "",
    ],
    "brand": [
        (("# 页脚信息，按实际情况填写，不用的删去或保留注释。\n"
          "# 网站标识码照原样显示；ICP 备案号链接到工业和信息化部备案查询页 https://beian.miit.gov.cn/；\n"
          "# 公安备案号链接到全国互联网安全管理服务平台的查询页（按其中的数字查询）。"),
         ("# Footer lines: fill in what applies, delete or keep commented what does not.\n"
          "# The ICP number links to the MIIT's register (https://beian.miit.gov.cn/), the public-security\n"
          "# number to the national register's query page for its digits.")),
        "[footer]",
        ('# site_code = "1101050001"              # 网站标识码',
         '# site_code = "1101050001"              # 网站标识码, the government website code'),
        '# icp = "京ICP备12345678号-1"            # ICP备案号',
        '# police = "京公网安备11010502000001号"   # 公安机关备案号',
        (('# address = "××市××区××路1号"            # 通讯地址\n'
          '# phone = "010-12345678"                 # 联系电话\n'
          '# email = "xxgk@example.gov.cn"          # 电子邮箱\n'
          '# lines = ["本网站由××信息中心负责维护"]   # 其他页脚文字，每项一行'),
         ('# address = "1 Example Road, Example District"\n'
          '# phone = "010-12345678"\n'
          '# email = "info@example.gov.cn"\n'
          '# lines = ["Maintained by the information centre"]  # other footer text, one line each')),
        "",
    ],
    "disclosure": [
        (("# 政府信息公开：每篇简报正文上方有信息公开表（索引号、发布机构、主题分类、成文日期、发布日期、文号、主题词、有效性）。\n"
          "# 简报中未写发布机构时用这里的 publisher；填写 org_code（统一社会信用代码或组织机构代码）后，未写 index_no 的\n"
          "# 简报自动得到索引号“代码/年份-五位序号”，发布后永不改变，`briefings new` 也会把它写进新简报。\n"
          "# site_id 是网站标识码（页面的 SiteIDCode 标签；不写则用 [footer] 的 site_code）；\n"
          '# required 列出每篇简报必须写明的字段，如 ["category", "doc_no"]。'),
         ("# 政府信息公开: above each briefing's text, a table of its disclosure fields (index number, publisher,\n"
          "# category, date written, date published, document number, keywords, validity). `publisher` here is used\n"
          "# where a briefing names none; with `org_code` (the organisation's code) a briefing without `index_no` gets\n"
          '# "CODE/YEAR-NNNNN", never changed once published, and `briefings new` writes it into new briefings.\n'
          "# site_id is the 网站标识码 (the SiteIDCode tag; without it, [footer] site_code); `required` lists fields\n"
          '# every briefing must give, e.g. ["category", "doc_no"].')),
        "[disclosure]",
        '# org_code = "11110000000000000X"',
        ('# publisher = "××局"',
         '# publisher = "Municipal Bureau"'),
        '# site_id = "1101050001"',
        ('# column_type = "政务动态"',
         '# column_type = "News"'),
        "# required = []",
        "",
        (("# `briefings check --site` 按政府网站检查指标查看更新：首页和新闻类栏目（news 中的分类）超过两周、\n"
          '# 其他栏目超过半年没有新简报即提示；单个主题可在它的 [tags."…"] 中写 stale_after = 天数。'),
         ("# `briefings check --site` looks at updates as government-website inspections do: the home page and news\n"
          "# columns (the taxonomies in `news`) without a new briefing for two weeks, other columns for six months;\n"
          '# a theme may set its own period as stale_after = DAYS in its [tags."…"] table.')),
        "[check]",
        "# home_days = 14",
        "# news_days = 14",
        "# other_days = 183",
        '# news = ["meeting"]',
        "",
    ],
    "menu": [
        (("# 页眉菜单中的额外链接，每个 [[menu]] 一项，按顺序显示。\n"
          "# url 以 / 开头表示本站页面（不用写子路径），也可以是 https:// 开头的外部地址；\n"
          "# lang 是该链接出现在哪个语言版本（不写即默认语言）。\n"
          "# 独立页面（关于我们、联系我们、信息公开指南等）写在 content/pages/ 中，网址为 /文件名/\n"
          "# （文件名用英文字母或拼音，如 about.md；中文文件名则取标题的拼音）。"),
         ("# Extra links in the header menu, one [[menu]] each, in order.\n"
          "# A url starting with / is a page of this site (no sub-path needed); https:// addresses work too.\n"
          "# lang: the edition the link appears in (default: the default language).\n"
          "# Standalone pages (About, Contact, Information disclosure guide) live in content/pages/, at /file-name/\n"
          "# (a name in ASCII letters, digits and -, like about.md; any other name: the title's pinyin).")),
        "[[menu]]",
        "title = @ABOUT@",
        'url = "/about/"',
        "lang = @LANG@",
        "",
    ],
    "languages": [
        ("# 各语言版本的网站名称和简介（简介用于首页和搜索引擎）。",
         "# Each language edition's name and description (the description is for the home page and search engines)."),
    ],
    "organisation_other": [
        ('# organisation = ""  # 该语言版本中主办单位的名称',
         '# organisation = ""  # the organisation\'s name in this edition'),
    ],
    "tags": [
        (("# 政策主题（标签）词表：`briefings check` 会提示词表外的标签并给出建议。\n"
          '# 每个主题一节；其他语言的名称写成 en = "…"，同义写法写成 aliases = ["…"]。\n'
          "# 搜索框中的示例取自第一个主题。"),
         ("# The policy themes (tags): `briefings check` flags tags outside this list, with a suggestion.\n"
          '# One section per theme; its name in another language as zh = "…", other spellings as aliases = ["…"].\n'
          "# The search box's example comes from the first theme.")),
    ],
}


def _section(name: str, lang: str) -> str:
    column = ("zh", "en").index(lang)
    return "".join((line if isinstance(line, str) else line[column]) + "\n" for line in _TOML[name])


_BRIEFINGS = {
    "zh": """\
---
title: 本站开通
date: {date}
slug: ben-zhan-kai-tong
tags: [{tag}]
---

这是一篇示例简报，可以修改或删除。每篇简报是 `content/` 中的一个 Markdown 文件：上方 `---` 之间是标题、日期、政策主题等信息，下方是正文。

## 写下一篇

在网站文件夹中运行 `briefings new "标题"`，会按 `archetypes/briefing.md` 生成草稿。预览用 `briefings serve`，生成网站用 `briefings build`。

**一是**正文中的加粗、列表和表格都按 Markdown 书写。**二是**站内链接以 / 开头，如 [关于我们]({about})，部署在子路径下也能用。
""",
    "en": """\
---
title: The site is open
date: {date}
slug: the-site-is-open
tags: [{tag}]
---

This is an example briefing: edit or delete it. Each briefing is a Markdown file in `content/`:
the title, date and themes between the `---` lines, the text below them.

## Writing the next one

Run `briefings new "Title" --lang en` in the site folder for a draft made from `archetypes/briefing.en.md`.
Preview with `briefings serve`, build with `briefings build`.

Links to the site's own pages start with /, like [About]({about}): they work under a sub-path too.
""",
}

_PAGES = {
    "zh": """\
---
title: 关于我们
slug: about
---

这是一个示例页面，可以修改。`content/pages/` 中的文件是独立页面（如关于我们、联系我们、信息公开指南）：不需要日期，不出现在简报列表、主题和订阅源中，网址是 `/文件名/`，如本页 `content/pages/{file}` 在 {about}。它们会出现在站点地图和搜索中。

在 `site.toml` 的 `[[menu]]` 中把页面加入页眉菜单。
""",
    "en": """\
---
title: About
slug: about
---

This is an example page: edit it. Files in `content/pages/` are standalone pages (About, Contact,
Information disclosure guide): no date needed, never in the lists of briefings, themes or feeds, at
`/file-name/` (this one, `content/pages/{file}`, is at {about}). They are in the sitemap and search.

Add a page to the header menu with a `[[menu]]` entry in `site.toml`.
""",
}

_GITIGNORE = """\
# What `briefings build` makes: rebuilt from the sources at any time.
/public/
# The build cache. Not for git, but keep it between builds on a server or in CI: it holds the list of
# published URLs that lets moved briefings redirect (see the deployment guide).
/.briefings-cache/
"""

_README = {
    "zh": """\
# {title}

本网站用 [briefings](https://pypi.org/project/briefings/) 生成，发布地址：{base_url}

- `content/年份/`：会议简报，每篇一个 Markdown 文件。`briefings new "标题"` 新建草稿。
- `content/pages/`：独立页面（关于我们、联系我们等），网址为 `/文件名/`。
- `static/`：图片、附件和标志，原样发布（`static/img/a.jpg` 的网址是 `/img/a.jpg`）。
- `site.toml`：网站名称、地址、主办单位、颜色、页脚和菜单，每项都有注释。

常用命令（在本文件夹中运行）：

```sh
briefings serve      # 本机预览 http://127.0.0.1:8000/，改动自动刷新
briefings check      # 检查错误、失效链接和中文排版
briefings build      # 生成网站到 public/，把 public/ 上传到网站服务器
```

部署时请保留 `.briefings-cache/`（构建缓存和已发布网址清单）：简报改了标题或日期后，
旧网址据此自动跳转到新网址。
""",
    "en": """\
# {title}

This site is made with [briefings](https://pypi.org/project/briefings/) and published at {base_url}

- `content/YEAR/`: the briefings, one Markdown file each. `briefings new "Title"` starts a draft.
- `content/pages/`: standalone pages (About, Contact), at `/file-name/`.
- `static/`: images, attachments and the logo, published as they are (`static/img/a.jpg` is at `/img/a.jpg`).
- `site.toml`: the site's name, address, organisation, colour, footer and menu, each setting explained.

Commands (run in this folder):

```sh
briefings serve      # preview at http://127.0.0.1:8000/, reloading on every change
briefings check      # errors, broken links, Chinese typography
briefings build      # build the site into public/; upload public/ to the web server
```

Keep `.briefings-cache/` between builds (the build cache and the list of published URLs): when a
briefing's title or date changes, its old URL then redirects to the new one.
""",
}
