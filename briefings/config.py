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

from .diagnostics import Diagnostics, did_you_mean

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


@dataclass(frozen=True)
class TagConfig:
    """What site.toml says of one policy theme: its translations and its aliases."""

    name: str
    translations: Mapping[str, str] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()


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
}
# Keys a taxonomy cannot be: their values are not names, or their URLs belong to other pages.
_NOT_TAXONOMIES = {"title", "date", "slug", "draft", "lang", "summary", "translation_key", "aliases",
                   "page", "archive", "search", "static"}
_LANGUAGE_KEYS = {"title", "description"}


def _line_of(text: str, key: str) -> int | None:
    """Line of `key =` or `[key]` in the TOML text: good enough to point a writer at it."""
    pattern = re.compile(rf'^\s*(\[+\s*)?("?{re.escape(key)}"?)\s*(=|\]|\.)', re.MULTILINE)
    match = pattern.search(text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load_config(root: Path, diagnostics: Diagnostics, base_url: str | None = None) -> SiteConfig | None:
    """Read ``root/site.toml``; every problem goes to ``diagnostics``; None when unusable."""
    path = root / CONFIG_NAME
    if not path.is_file():
        diagnostics.error(CONFIG_NAME, None, f"no {CONFIG_NAME} in {root}", "is this a site folder?")
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
    if not _theme_dir(root, theme).is_dir():
        error("theme", f"theme {theme!r} not found", f"expected a folder themes/{theme}/")

    tags = _parse_tags(raw, text, languages, error)
    taxonomies = typed("taxonomies", list, ["tags"])
    for name in taxonomies:
        if not isinstance(name, str) or not re.fullmatch(r"[a-z][a-z0-9_]*", name) or name in _NOT_TAXONOMIES:
            error("taxonomies", f"{name!r} cannot be a taxonomy",
                  "name a front-matter key whose values are names, such as meeting or chair")
    taxonomies = ["tags", *(n for n in taxonomies if n != "tags")]
    if len(diagnostics.errors) > errors_before:
        return None
    return SiteConfig(
        root=root, title=title, base_url=url, default_language=default_language,
        languages=languages, permalink=permalink, per_page=per_page, theme=theme,
        timezone=timezone, summary_length=typed("summary_length", int, 120),
        feed_length=typed("feed_length", int, 20), tags=tags, taxonomies=tuple(dict.fromkeys(taxonomies)),
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
        out[norm] = LanguageConfig(norm, str(settings.get("title", title)), str(settings.get("description", "")))
    return tuple(out.values())


def _parse_tags(
    raw: Mapping[str, Any], text: str, languages: tuple[LanguageConfig, ...], error: Any
) -> Mapping[str, TagConfig]:
    table = raw.get("tags", {})
    if not isinstance(table, dict):
        error("tags", '`tags` must be a table: [tags."课后服务"] en = "After-school services"')
        return {}
    codes = {lang.code for lang in languages}
    out: dict[str, TagConfig] = {}
    for name, settings in table.items():
        if not isinstance(settings, dict):
            error(name, f'[tags."{name}"] must be a table')
            continue
        translations: dict[str, str] = {}
        aliases: tuple[str, ...] = ()
        for key, value in settings.items():
            if key == "aliases":
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    error(name, f'`aliases` of tag "{name}" must be a list of strings')
                    continue
                aliases = tuple(value)
            elif (code := normalise_language(key)) in codes and isinstance(value, str):
                translations[code] = value
            else:
                error(key, f'unknown key `{key}` in [tags."{name}"]',
                      did_you_mean(key, [*sorted(codes), "aliases"]))
        out[name] = TagConfig(name, translations, aliases)
    return out


def _theme_dir(root: Path, theme: str) -> Path:
    return root / "themes" / theme


def theme_dir(config: SiteConfig) -> Path:
    return _theme_dir(config.root, config.theme)
