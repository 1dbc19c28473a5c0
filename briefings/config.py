"""site.toml → a frozen SiteConfig. Unknown keys are errors with a did-you-mean."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .brand import Palette, palette, parse_hex
from .diagnostics import Diagnostics, did_you_mean
from .disclosure import CheckConfig, DisclosureConfig, parse_check, parse_disclosure
from .theme import find_theme

CONFIG_NAME = "site.toml"
PERMALINK_FIELDS = {"year", "month", "day", "slug"}

_LANGUAGE_ALIASES = {"zh": "zh", "cn": "zh", "chinese": "zh", "en": "en", "english": "en"}


def normalise_language(code: str) -> str | None:
    """zh-CN, zh-Hans, zh_cn → zh; en-US → en. None for a code we cannot read."""
    base = re.split(r"[-_]", code.strip().lower(), maxsplit=1)[0]
    if not re.fullmatch(r"[a-z]{2,3}", base):
        return _LANGUAGE_ALIASES.get(code.strip().lower())
    return _LANGUAGE_ALIASES.get(base, base)


@dataclass(frozen=True)
class LanguageConfig:
    code: str
    title: str
    description: str = ""
    organisation: str = ""  # 主办单位 in this language, when it differs from the top-level one


@dataclass(frozen=True)
class TagConfig:
    """What site.toml says of one policy theme: its translations and its aliases."""

    name: str
    translations: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()
    stale_after: int | None = None  # days without a new briefing before `check --site` warns


@dataclass(frozen=True)
class MenuLink:
    """An extra link in the header of one edition (``[[menu]]`` in site.toml)."""

    title: str
    url: str  # site-relative ('/about/') or absolute ('https://…')
    lang: str


@dataclass(frozen=True)
class Footer:
    """The footer lines a Chinese government site carries (``[footer]`` in site.toml)."""

    site_code: str = ""  # 网站标识码
    icp: str = ""  # ICP备案号, e.g. 京ICP备12345678号
    police: str = ""  # 公安机关备案号, e.g. 京公网安备11010502000001号
    address: str = ""
    phone: str = ""
    email: str = ""
    lines: tuple[str, ...] = ()  # any other lines, as written

    @property
    def police_code(self) -> str:
        """The digits of the 公安备案号, which its official query link carries."""
        return "".join(re.findall(r"\d", self.police))


@dataclass(frozen=True)
class SiteConfig:
    root: Path
    title: str
    base_url: str
    default_language: str = "zh"
    languages: tuple[LanguageConfig, ...] = ()
    permalink: str = "/{year}/{month}/{slug}/"
    per_page: int = 10
    theme: str = "default"
    timezone: str = "Asia/Shanghai"
    summary_length: int = 120
    feed_length: int = 20
    tags: Mapping[str, TagConfig] = field(default_factory=dict)
    # front-matter keys that get a page per value, like tags: ("tags", "meeting")
    taxonomies: tuple[str, ...] = ("tags",)
    # 政府信息公开: publisher, identifiers, required fields; and what `check --site` measures
    disclosure: DisclosureConfig = field(default_factory=DisclosureConfig)
    check: CheckConfig = field(default_factory=CheckConfig)
    # Branding (see the annotated site.toml `briefings init` writes)
    organisation: str = ""  # 主办单位
    logo: str = ""  # path of the logo under static/, as published: 'logo.svg'
    accent: Palette | None = None
    footer: Footer = field(default_factory=Footer)
    menu: tuple[MenuLink, ...] = ()

    @property
    def base_path(self) -> str:
        return urlsplit(self.base_url).path.rstrip("/")

    @property
    def tzinfo(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def language(self, code: str) -> LanguageConfig:
        return next(lang for lang in self.languages if lang.code == code)

    @property
    def language_codes(self) -> tuple[str, ...]:
        return tuple(lang.code for lang in self.languages)

    def canonical_tag(self, name: str) -> str:
        """The vocabulary's name for a tag written as one of its aliases (双减政策 → 双减)."""
        for tag in self.tags.values():
            if name in tag.aliases:
                return tag.name
        return name


_TOP_KEYS = {
    "title", "base_url", "default_language", "languages", "permalink", "per_page",
    "theme", "timezone", "summary_length", "feed_length", "tags", "taxonomies",
    "disclosure", "check",
    "organisation", "logo", "accent_color", "footer", "menu",
}
_FOOTER_KEYS = {"site_code", "icp", "police", "address", "phone", "email", "lines"}
_MENU_KEYS = {"title", "url", "lang"}
# Keys a taxonomy cannot be: their values are not names, or their URLs belong to other pages.
_NOT_TAXONOMIES = {"title", "date", "slug", "draft", "lang", "summary", "translation_key", "aliases",
                   "page", "archive", "search", "static"}
_LANGUAGE_KEYS = {"title", "description", "organisation"}


def _line_of(text: str, key: str) -> int | None:
    """Line of `key =` or `[key]` in the TOML text: good enough to point a writer at it."""
    pattern = re.compile(rf'^[ \t]*(\[+\s*)?("?{re.escape(key)}"?)\s*(=|\]|\.)', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_config(root: Path, diagnostics: Diagnostics, base_url: str | None = None) -> SiteConfig | None:
    """Read ``root/site.toml``; every problem goes to ``diagnostics``; None when unusable."""
    path = root / CONFIG_NAME
    if not path.is_file():
        diagnostics.error(CONFIG_NAME, None, f"no {CONFIG_NAME} in {root}",
                          "is this a site folder? `briefings init` makes a new one")
        return None
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        diagnostics.error(CONFIG_NAME, None, f"{CONFIG_NAME} is not UTF-8 (byte {exc.start})",
                          "re-save it as UTF-8, e.g. `iconv -f GBK -t UTF-8`")
        return None
    except OSError as exc:
        diagnostics.error(CONFIG_NAME, None, f"cannot read {CONFIG_NAME}: {exc.strerror or exc}")
        return None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line = re.search(r"line (\d+)", str(exc))
        diagnostics.error(CONFIG_NAME, int(line.group(1)) if line else None, f"invalid TOML: {exc}")
        return None
    return parse_config(raw, text, root, diagnostics, base_url)


def parse_config(
    raw: Mapping[str, Any], text: str, root: Path, diagnostics: Diagnostics, base_url: str | None = None
) -> SiteConfig | None:
    errors_before = len(diagnostics.errors)

    def error(key: str, message: str, hint: str | None = None) -> None:
        diagnostics.error(CONFIG_NAME, _line_of(text, key), message, hint)

    for key in raw:
        if key not in _TOP_KEYS:
            error(key, f"unknown key `{key}`", did_you_mean(key, _TOP_KEYS))

    def typed(key: str, kind: type, default: Any) -> Any:
        value = raw.get(key, default)
        if not isinstance(value, kind) or (kind is int and isinstance(value, bool)):
            error(key, f"`{key}` must be a {kind.__name__}, not {type(value).__name__}")
            return default
        return value

    title = typed("title", str, "")
    if not title:
        error("title", "`title` is required", 'add `title = "…"` at the top')
    url = base_url or typed("base_url", str, "http://localhost:8000/")
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", url):
        error("base_url", f"`base_url` must be an absolute http(s) URL, got {url!r}")
        url = "http://localhost/"
    url = url if url.endswith("/") else url + "/"

    permalink = typed("permalink", str, "/{year}/{month}/{slug}/")
    fields = set(re.findall(r"{(\w+)}", permalink))
    if unknown := fields - PERMALINK_FIELDS:
        error("permalink", f"unknown placeholder {{{sorted(unknown)[0]}}} in permalink",
              f"use {', '.join('{' + f + '}' for f in sorted(PERMALINK_FIELDS))}")
    if "slug" not in fields:
        error("permalink", "permalink must contain {slug}", "two briefings of one day would collide")
    if not permalink.startswith("/") or not permalink.endswith("/"):
        error("permalink", "permalink must start and end with '/'", 'e.g. "/{year}/{month}/{slug}/"')

    per_page = typed("per_page", int, 10)
    if per_page < 1:
        error("per_page", "`per_page` must be at least 1")
    timezone = typed("timezone", str, "Asia/Shanghai")
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        error("timezone", f"unknown time zone {timezone!r}", 'use an IANA name such as "Asia/Shanghai"')

    languages = _parse_languages(raw, text, title, error)
    default_raw = typed("default_language", str, "zh")
    default_language = normalise_language(default_raw) or default_raw
    if not languages:
        languages = (LanguageConfig(default_language, title),)
    if default_language not in {lang.code for lang in languages}:
        error("default_language", f"default_language {default_raw!r} is not among [languages]")
    # The default language comes first: it lives at '/', the others under '/{code}/'.
    languages = tuple(sorted(languages, key=lambda lang: lang.code != default_language))

    theme = typed("theme", str, "default")
    if find_theme(root, theme) is None:
        error("theme", f"theme {theme!r} not found",
              f"expected a folder themes/{theme}/, or leave `theme` out for the default theme")
    branding = _parse_branding(raw, text, root, diagnostics, error, typed, {lang.code for lang in languages},
                               default_language)

    tags = _parse_tags(raw, text, languages, error)
    taxonomies = typed("taxonomies", list, ["tags"])
    for name in taxonomies:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in _NOT_TAXONOMIES:
            error("taxonomies", f"{name!r} cannot be a taxonomy",
                  "name a front-matter key whose values are names, such as meeting or chair")
    taxonomies = ["tags", *(n for n in taxonomies if n != "tags")]
    disclosure = parse_disclosure(raw.get("disclosure"), error, tuple(lang.code for lang in languages))
    check = parse_check(raw.get("check"), error)
    if len(diagnostics.errors) > errors_before:
        return None
    return SiteConfig(
        root=root, title=title, base_url=url, default_language=default_language,
        languages=languages, permalink=permalink, per_page=per_page, theme=theme,
        timezone=timezone, summary_length=typed("summary_length", int, 120),
        feed_length=typed("feed_length", int, 20), tags=tags, taxonomies=tuple(dict.fromkeys(taxonomies)),
        disclosure=disclosure, check=check,
        **branding,
    )


def _parse_languages(raw: Mapping[str, Any], text: str, title: str, error: Any) -> tuple[LanguageConfig, ...]:
    table = raw.get("languages", {})
    if not isinstance(table, dict):
        error("languages", "`languages` must be a table: [languages.zh] title = …")
        return ()
    out: dict[str, LanguageConfig] = {}
    for code, settings in table.items():
        norm = normalise_language(code)
        if norm is None:
            error(code, f"cannot read language code {code!r}", "use zh or en")
            continue
        if norm in out:
            error(code, f"language {code!r} is declared twice (as {norm})")
            continue
        if not isinstance(settings, dict):
            error(code, f"[languages.{code}] must be a table")
            continue
        for key in settings:
            if key not in _LANGUAGE_KEYS:
                error(key, f"unknown key `{key}` in [languages.{code}]", did_you_mean(key, _LANGUAGE_KEYS))
        out[norm] = LanguageConfig(norm, str(settings.get("title", title)), str(settings.get("description", "")),
                                   str(settings.get("organisation", "")))
    return tuple(out.values())


def _parse_tags(
    raw: Mapping[str, Any], text: str, languages: tuple[LanguageConfig, ...], error: Any
) -> Mapping[str, TagConfig]:
    table = raw.get("tags", {})
    if not isinstance(table, dict):
        error("tags", '`tags` must be a table of themes: [tags."政务公开"] en = "Open government"')
        return {}
    codes = {lang.code for lang in languages}
    out: dict[str, TagConfig] = {}
    for name, settings in table.items():
        if not isinstance(settings, dict):
            error(name, f'[tags."{name}"] must be a table')
            continue
        translations: dict[str, str] = {}
        aliases: tuple[str, ...] = ()
        stale_after: int | None = None
        for key, value in settings.items():
            if key == "stale_after":
                if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                    error(name, f'`stale_after` of tag "{name}" must be a whole number of days, at least 1')
                    continue
                stale_after = value
            elif key == "aliases":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    error(name, f'`aliases` of tag "{name}" must be a list of strings')
                    continue
                aliases = tuple(value)
            elif (code := normalise_language(key)) in codes and isinstance(value, str):
                translations[code] = value
            else:
                error(key, f'unknown key `{key}` in [tags."{name}"]',
                      did_you_mean(key, [*sorted(codes), "aliases", "stale_after"]))
        out[name] = TagConfig(name, translations, aliases, stale_after)
    return out


def _parse_branding(raw: Mapping[str, Any], text: str, root: Path, diagnostics: Diagnostics, error: Any, typed: Any,
                    codes: set[str], default_language: str) -> dict[str, Any]:
    """organisation, logo, accent_color, [footer] and [[menu]]: what a site shows of its office."""
    out: dict[str, Any] = {"organisation": typed("organisation", str, "").strip()}
    logo = typed("logo", str, "").strip().replace("\\", "/")
    if logo:
        relative = logo.removeprefix("./").removeprefix("static/")
        if ".." in relative.split("/") or relative.startswith("/"):
            error("logo", f"logo {logo!r} must be a file under static/", 'e.g. logo = "static/logo.svg"')
        elif not (root / "static" / relative).is_file():
            error("logo", f"logo file static/{relative} not found", "put the image in the site's static/ folder")
        else:
            out["logo"] = relative
    colour_text = typed("accent_color", str, "")
    if colour_text:
        colour = parse_hex(colour_text)
        if colour is None:
            error("accent_color", f"cannot read accent_color {colour_text!r}", 'write it as "#1a7f37"')
        else:
            shades = palette(colour)
            if shades.adjusted:
                diagnostics.warning(CONFIG_NAME, _line_of(text, "accent_color"),
                                    f"accent_color {colour} has a contrast of {shades.ratio:.1f}:1 on a white page "
                                    f"(text needs 4.5:1): the theme uses {shades.accent} instead",
                                    "choose a darker colour to have it as it is")
            out["accent"] = shades
    table = raw.get("footer", {})
    if not isinstance(table, dict):
        error("footer", "`footer` must be a table: [footer] icp = \"…\"")
        table = {}
    values: dict[str, Any] = {}
    for key, value in table.items():
        if key not in _FOOTER_KEYS:
            error(key, f"unknown key `{key}` in [footer]", did_you_mean(key, _FOOTER_KEYS))
        elif key == "lines":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                error("lines", "`lines` in [footer] must be a list of strings")
            else:
                values[key] = tuple(value)
        elif not isinstance(value, (str, int)) or isinstance(value, bool):
            error(key, f"`{key}` in [footer] must be text")
        else:
            values[key] = str(value).strip()
    out["footer"] = Footer(**values)
    entries = raw.get("menu", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        error("menu", "`menu` must be a list of links: [[menu]] title = \"关于我们\" url = \"/about/\"")
        entries = []
    menu: list[MenuLink] = []
    for entry in entries:
        for key in entry:
            if key not in _MENU_KEYS:
                error(key, f"unknown key `{key}` in [[menu]]", did_you_mean(key, _MENU_KEYS))
        title, url = entry.get("title"), entry.get("url")
        lang = normalise_language(str(entry.get("lang", default_language))) or ""
        if not isinstance(title, str) or not title.strip() or not isinstance(url, str) or not url.strip():
            error("menu", "each [[menu]] link needs a `title` and a `url`", 'e.g. title = "关于我们", url = "/about/"')
        elif not (url.startswith("/") or re.match(r"^(https?:|mailto:|tel:)", url)):
            error("menu", f"menu url {url!r} must start with / (a page of this site) or https://")
        elif lang not in codes:
            error("menu", f"menu lang {entry.get('lang')!r} is not one of the site's languages")
        else:
            menu.append(MenuLink(title.strip(), url.strip(), lang))
    out["menu"] = tuple(menu)
    return out


def theme_dir(config: SiteConfig) -> Path:
    """The theme's folder: the site's themes/<name>/, else the default theme shipped with briefings."""
    found = find_theme(config.root, config.theme)
    assert found is not None, "load_config checked that the theme exists"
    return found
