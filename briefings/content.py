"""LOAD: content/**/*.md → Briefings. One bad file never stops the others.

``parse_briefing`` takes text and touches no disk, so tests pass inline strings;
``load_briefing`` only reads a file's bytes, ``parse_many`` spreads many over the cores.
"""

from __future__ import annotations

import datetime as dt
import difflib
import multiprocessing
import os
import posixpath
import re
from collections.abc import Iterable, Iterator, Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from . import links, pinyin, slugs
from .config import SiteConfig, normalise_language
from .diagnostics import Diagnostic, Diagnostics, Severity
from .disclosure import FIELDS as DISCLOSURE_FIELDS
from .disclosure import parse_fields as parse_disclosure
from .frontmatter import FrontMatterError, split
from .markdown import render_markdown
from .model import NO_DATE, Briefing, Reference
from .pinyin import HAN_RUN

CONTENT_DIR = "content"
# Files under content/pages/ are standalone pages (About, Contact …), not briefings.
PAGES_PREFIX = f"{CONTENT_DIR}/pages/"
KNOWN_KEYS = (
    "title", "date", "tags", "slug", "draft", "lang", "summary", "meeting", "chair",
    "attendees", "location", "translation_key", "aliases", "image", *DISCLOSURE_FIELDS,
)
MANY_TAGS = 50  # more on one briefing is a warning
IMAGE_TYPES = frozenset({".jpg", ".jpeg", ".png", ".webp", ".gif", ".heic", ".heif"})
# Published as they are and listed at the end of the page (附件); .svg only when it is safe.
ATTACHMENT_TYPES = frozenset({
    ".pdf", ".ofd", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".ppt", ".pptx", ".zip", ".txt", ".csv",
    ".odt", ".ods", ".odp", ".rar", ".7z",
})
_PAGE_TYPES = frozenset({"", ".html", ".htm", ".md", ".xml"})  # links to pages, not files to publish
_SCHEME = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:")
_COMPUTER_PATHS = ("/home/", "/Users/", "/tmp/", "/mnt/", "/media/", "/var/", "/etc/", "/root/", "/private/")
_SENTENCE_END = "。！？；!?;"
_CLAUSE_END = "，、：,:"


class SourceError(ValueError):
    """A file that cannot be read as text; the message says what to do."""


def decode_source(data: bytes) -> str:
    """UTF-8 with or without BOM, LF or CRLF → text with LF line ends."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        try:
            data.decode("gb18030")
            guess = "it looks like GBK/GB18030, as saved by some Windows editors"
        except UnicodeDecodeError:
            guess = "its encoding is unknown"
        raise SourceError(
            f"file is not UTF-8 (byte {exc.start}): {guess}; re-save it as UTF-8, "
            "e.g. `iconv -f GBK -t UTF-8 old.md > new.md` or 'Save as… UTF-8' in the editor"
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def is_briefing_path(relative: str) -> bool:
    """Whether a path under content/ ('2023/x.md') is a briefing's: editor temp and hidden files are not."""
    return relative.endswith(".md") and not any(part.startswith((".", "_")) for part in relative.split("/"))


def is_content_path(relative: str) -> bool:
    """Whether a path under content/ is a briefing's or a file one may publish (not hidden, not
    an editor's temp file, not under a `_drafts/`-style folder)."""
    return not any(part.startswith((".", "_")) for part in relative.split("/")) and not relative.endswith("~")


def content_problem(root: Path) -> str | None:
    """Why the site has no content/ folder a build may read, or None."""
    content = root / CONTENT_DIR
    if not content.exists():
        return f"no {CONTENT_DIR}/ folder in {root}: nothing to build (an empty site would replace the published one)"
    if not content.is_dir():
        return f"{CONTENT_DIR} is not a folder"
    if not links.inside(os.path.realpath(content), os.path.realpath(root)):
        return f"{CONTENT_DIR}/ links outside the site (to {os.path.realpath(content)})"
    return None


def briefing_files(root: Path, *, resolve: bool = False, refused: list[tuple[str, str]] | None = None
                   ) -> list[Path]:
    """Markdown files under content/, sorted; editor temp and hidden files left out.

    As ``Path.rglob`` finds them (linked files yes, linked folders not entered), with
    ``os.scandir`` doing it: at 10,000 briefings rglob and a resolve of each path took 0.45 s
    of a one-edit build, this 0.1 s. ``resolve``: each path with its links resolved, as the
    build keys files (a folder's real path worked out once, not once per file). A link that
    leaves the site, loops or leads nowhere is skipped: ``refused`` gets its path (relative to
    the site) and why.
    """
    content = root / CONTENT_DIR
    if content_problem(root) is not None:
        return []
    site = os.path.realpath(root)
    skip = len(str(root)) + 1
    found: list[tuple[list[str], str]] = []  # (parts under content/, path)
    pending: list[tuple[str, list[str]]] = [(str(content), [])]
    while pending:
        folder, parts = pending.pop()
        real = os.path.realpath(folder) if resolve else folder
        try:
            entries = list(os.scandir(folder))
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            continue
        for entry in entries:
            name = entry.name
            if name.startswith((".", "_")):  # hidden and `_drafts/`-style: see is_briefing_path
                continue
            try:
                if entry.is_symlink():
                    problem = links.link_problem(entry.path, (site,))
                    if problem is not None:
                        if refused is not None:
                            refused.append((entry.path[skip:].replace(os.sep, "/"), problem))
                        continue
                if entry.is_dir(follow_symlinks=False):
                    pending.append((entry.path, [*parts, name]))
                elif name.endswith(".md") and entry.is_file():
                    linked = resolve and entry.is_symlink()
                    path = os.path.realpath(entry.path) if linked else os.path.join(real, name)
                    found.append(([*parts, name], path))
            except OSError:  # gone meanwhile
                continue
    found.sort()
    return [Path(path) for _, path in found]


def load_briefing(path: Path, config: SiteConfig, diagnostics: Diagnostics) -> Briefing | None:
    return parse_source(path.relative_to(config.root).as_posix(), path.read_bytes(), config, diagnostics)


def parse_source(source: str, data: bytes, config: SiteConfig, diagnostics: Diagnostics) -> Briefing | None:
    """A file's bytes → a Briefing; an encoding problem is reported like any other."""
    try:
        text = decode_source(data)
    except SourceError as exc:
        diagnostics.error(source, None, str(exc))
        return None
    try:
        return parse_briefing(text, source, config, diagnostics)
    except (ValueError, TypeError, OverflowError, RecursionError, AttributeError) as exc:
        # A value no check foresaw: still a message naming the file, and the other files are read.
        diagnostics.error(source, None, f"could not read this file: {type(exc).__name__}: {str(exc)[:200]}",
                          "this is a bug in briefings: please report it with the file")
        return None


def parse_briefing(text: str, source: str, config: SiteConfig, diagnostics: Diagnostics) -> Briefing | None:
    """One file's text → a Briefing, or None after reporting why not."""
    try:
        document = split(text)
    except FrontMatterError as exc:
        diagnostics.error(source, exc.line, exc.message, exc.hint)
        return None
    front, lines = document.front, document.key_lines
    errors_before = len(diagnostics.errors)

    def error(key: str, message: str, hint: str | None = None) -> None:
        diagnostics.error(source, lines.get(key, 1), message, hint)

    for key in front:
        if key not in KNOWN_KEYS:
            close = difflib.get_close_matches(key, KNOWN_KEYS, n=1, cutoff=0.7)
            if close:
                diagnostics.warning(source, lines.get(key), f"unknown key `{key}`",
                                    f"did you mean `{close[0]}`?")

    kind = front.get("type", front.get("layout"))
    if kind == "page" and not source.startswith(PAGES_PREFIX):
        key = "type" if "type" in front else "layout"
        diagnostics.warning(source, lines.get(key), f"`{key}: page` does nothing: pages are the files in "
                            f"{PAGES_PREFIX}", f"move this file to {PAGES_PREFIX} to make it a page")
    title = _text(front.get("title"))
    if not title:
        error("title", "`title` is required" if "title" not in front else "`title` is empty",
              "add `title: …` to the front matter")
    date = parse_date(front.get("date"), config)
    page = source.startswith(PAGES_PREFIX)
    if "date" not in front and page:
        date = NO_DATE
    elif "date" not in front:
        error("date", "`date` is required", "add `date: 2023-06-15` to the front matter "
              "(or put the file in content/pages/ if it is a page, not a briefing)")
    elif date is None:
        error("date", f"cannot read date {front['date']!r}", "write it as 2023-06-15 or 2023-06-15T09:00:00+08:00")

    lang = _language(front, source, config, error)
    tags = tuple(config.canonical_tag(t) for t in _text_list(front, "tags", error))
    if len(tags) > MANY_TAGS:
        diagnostics.warning(source, lines.get("tags"), f"{len(tags)} tags on one briefing; more than {MANY_TAGS} "
                            "make its tag pages hard to use (its feed entries list the first 50)",
                            "keep the few that say what the briefing is about")
    attendees = _text_list(front, "attendees", error)
    aliases = tuple(_alias(a, error) for a in _text_list(front, "aliases", error))
    draft = front.get("draft", False)
    if not isinstance(draft, bool):
        error("draft", f"`draft` must be true or false, not {draft!r}")
        draft = False

    # A standalone page is no document of 政府信息公开: its fields are read, none is required.
    rules = replace(config.disclosure, required=()) if page else config.disclosure
    disclosure = parse_disclosure(front, lang, rules, config.default_language, error, date_present="date" in front)

    slug_value = front.get("slug")
    if slug_value is not None:
        slug = str(slug_value)
        if not slugs.is_valid_slug(slug):
            error("slug", f"invalid slug {slug[:80]!r}",
                  "use lowercase ASCII letters, digits and single '-', e.g. ke-hou-fu-wu-tui-jin-hui")
        elif len(slug) > MAX_URL_PART:
            error("slug", f"`slug` is {len(slug)} characters long; at most {MAX_URL_PART}",
                  "no file system keeps a name that long; shorten it")
    elif page and slugs.is_valid_slug(stem := _page_stem(source)):
        slug = stem  # content/pages/about.md is at /about/
    else:
        slug = slugs.slugify(title)

    if len(diagnostics.errors) > errors_before or date is None:
        return None
    body = render_markdown(document.body, config.base_path)
    for offset, what in body.removed_html:
        diagnostics.warning(source, document.body_line + offset, f"removed unsafe HTML: {what}",
                            "only formatting tags are kept")
    summary = _text(front.get("summary")) or cut_summary(body.first_paragraph, config.summary_length)
    body_lines = document.body.split("\n")
    resources = []
    for offset, kind, href, alt in body.links:
        line_text = body_lines[offset] if offset < len(body_lines) else ""
        reference = find_reference(source, href, kind, document.body_line + offset, line_text, alt, diagnostics)
        if reference is not None:
            resources.append(reference)
    image = _text(front.get("image"))
    if image and not image.startswith(("http://", "https://")):
        line = lines.get("image", 1)
        cover = find_reference(source, quote(image), "cover", line, f"image: {image}", "", diagnostics)
        if cover is None or cover.path.rsplit(".", 1)[-1].lower() not in {t[1:] for t in IMAGE_TYPES}:
            if cover is not None:
                diagnostics.error(source, line, f"`image` must name a photo (JPEG, PNG, WebP or GIF), not {image!r}")
            return None
        resources.append(cover)
        image = ""
    return Briefing(
        source=source,
        title=title,
        date=date,
        lang=lang,
        slug=slug,
        slug_explicit=slug_value is not None,
        body_html=body.html,
        summary=summary,
        tags=tuple(dict.fromkeys(t for t in tags if t)),
        draft=draft,
        meeting=_text(front.get("meeting")) or None,
        chair=_text(front.get("chair")) or None,
        attendees=attendees,
        location=_text(front.get("location")) or None,
        translation_key=_text(front.get("translation_key")) or None,
        aliases=aliases,
        toc=body.toc,
        sections=body.sections,
        han_count=body.han_count,
        word_count=body.word_count,
        reading_minutes=body.reading_minutes,
        extra={k: v for k, v in front.items() if k not in KNOWN_KEYS},
        key_lines=lines,
        index_no=disclosure.index_no,
        publisher=disclosure.publisher,
        category=disclosure.category,
        written=disclosure.written,
        doc_no=disclosure.doc_no,
        keywords=disclosure.keywords,
        validity=disclosure.validity,
        page=page,
        resources=tuple(resources),
        image=image,
    )


def _page_stem(source: str) -> str:
    """The file name of a page without .md and a language suffix: pages/about.en.md → about."""
    name = source.rsplit("/", 1)[-1].removesuffix(".md")
    return re.sub(r"\.[A-Za-z]{2}(?:[-_][A-Za-z]+)?$", "", name)


def find_reference(source: str, href: str, kind: str, line: int, line_text: str, alt: str,
                   diagnostics: Diagnostics) -> Reference | None:
    """The file a link or image of ``source`` names beside it, or None for a link to a page or
    another site (after reporting a link that must not be followed: out of the briefing's
    folder, to the author's own disk, to a type of file the site does not publish)."""
    written = unquote(href)
    on_computer = re.match(r"(?i)file:|[a-z]:[\\/]", written) is not None
    if href.startswith(("#", "//")) or (_SCHEME.match(href) and not on_computer):
        return None
    path = unquote(href.split("#", 1)[0].split("?", 1)[0])
    col = (line_text.find(written) + 1 or line_text.find(path) + 1 or line_text.find("](") + 3 or 1) \
        if line_text else 1
    what = "image" if kind == "image" else "file"

    def refuse(message: str, hint: str) -> None:
        diagnostics.add(Diagnostic(source, line, Severity.ERROR, message, hint, col))

    if on_computer or "\\" in path or path.startswith(_COMPUTER_PATHS):
        refuse(f"{what} {written} is a path on your computer, not in the site",
               "put the file beside the briefing and link it by its name, e.g. (photo.jpg)")
        return None
    if path.startswith("/"):
        return None  # a page or a file of static/, by its URL
    suffix = posixpath.splitext(path)[1].lower()
    if (path.endswith("/") or suffix in _PAGE_TYPES) and kind != "image":
        return None
    folder = posixpath.dirname(source)
    resolved = posixpath.normpath(posixpath.join(folder, path))
    if not resolved.startswith(folder + "/"):
        refuse(f"{what} {written} is outside the briefing's folder",
               "a briefing publishes only files in its own folder: copy the file there, or make the "
               "briefing a folder (index.md) holding its files")
        return None
    if kind == "cover" or kind == "image":
        if suffix not in IMAGE_TYPES and suffix != ".svg":
            refuse(f"{written} cannot be shown as an image", "images are JPEG, PNG, WebP, GIF or SVG files")
            return None
    elif suffix not in IMAGE_TYPES | ATTACHMENT_TYPES | {".svg"}:
        refuse(f"files of type {suffix} are not published",
               "attachments are " + ", ".join(sorted(t[1:] for t in ATTACHMENT_TYPES)))
        return None
    return Reference(resolved[len(folder) + 1:], resolved, href, kind, line, col, alt)


def cut_summary(text: str, limit: int) -> str:
    """About ``limit`` Chinese characters (a Latin letter counts half), cut at punctuation.

    Prefers the end of a sentence, then of a clause, then a space, so the summary never
    ends in the middle of a word.
    """
    text = " ".join(text.split())
    weight, cut = 0.0, len(text)
    for index, char in enumerate(text):
        weight += 1.0 if HAN_RUN.match(char) or not char.isascii() else 0.5
        if weight > limit:
            cut = index
            break
    if cut == len(text):
        return text
    head = text[:cut]
    for stops in (_SENTENCE_END, _CLAUSE_END, " "):
        at = max(head.rfind(c) for c in stops)
        if at >= len(head) // 2:
            return head[: at + 1].rstrip(_CLAUSE_END + " ") + "…"
    return head + "…"


def _text(value: Any) -> str:
    if value is None or isinstance(value, (list, dict)):
        return ""
    return str(value).strip()


def _text_list(front: Mapping[str, Any], key: str, error: Any) -> tuple[str, ...]:
    value = front.get(key)
    if value is None:
        return ()
    items: Iterable[Any] = [value] if isinstance(value, (str, int, float)) else value
    if not isinstance(items, list) and not isinstance(value, (str, int, float)):
        error(key, f"`{key}` must be a list, like [a, b], not {type(value).__name__}")
        return ()
    out: list[str] = []
    for item in items:
        if isinstance(item, (dict, list)):
            error(key, f"each of `{key}` must be text, got {item!r}")
            continue
        if item is not None and str(item).strip():
            out.append(str(item).strip())
    return tuple(out)


def parse_date(value: Any, config: SiteConfig) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        try:
            parsed = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            return None
    else:
        return None
    # A date without a zone means the site's own time zone; a given zone is kept as written.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=config.tzinfo)


def _language(front: Mapping[str, Any], source: str, config: SiteConfig, error: Any) -> str:
    if "lang" in front:
        raw = _text(front["lang"])
        code = normalise_language(raw)
        if code not in config.language_codes:
            error("lang", f"language {raw!r} is not one of the site's languages ({', '.join(config.language_codes)})",
                  "declare it under [languages] in site.toml")
            return config.default_language
        return code
    match = re.search(r"\.([A-Za-z]{2}(?:[-_][A-Za-z]+)?)\.md$", source)
    if match:
        code = normalise_language(match.group(1))
        if code in config.language_codes:
            return code
    return config.default_language


# One part of a URL is one file name on disk: most file systems stop at 255 bytes.
MAX_URL_PART = 200
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def _alias(value: str, error: Any) -> str:
    path = "/" + value.strip().strip("/") + "/"
    parts = path.split("/")
    if any(part in {"..", "."} for part in parts) or "\\" in path or _CONTROL.search(path):
        error("aliases", f"alias {value!r} must be a plain path inside the site", "e.g. /2023/old-name/")
    elif any(len(part.encode("utf-8", "surrogatepass")) > MAX_URL_PART for part in parts):
        error("aliases", f"alias {value[:40]!r}… has a part longer than {MAX_URL_PART} bytes",
              "no file system keeps a name that long; shorten it")
    return path.replace("//", "/")


def parse_many(jobs: list[tuple[str, bytes]], config: SiteConfig, workers: int = 1
               ) -> Iterator[tuple[Briefing | None, list[Diagnostic]]]:
    """Parse (source, bytes) pairs, across ``workers`` processes when there are many.

    Results come in the order of ``jobs``, each as soon as it is ready. Parsing Markdown is
    the largest share of a cold build and each file is independent,
    so it spreads over the machine's cores; small sites stay in one process, where
    starting workers would cost more than it saves.
    """
    if workers <= 1 or len(jobs) < 2 * _CHUNK:
        for job in jobs:
            yield from _parse_chunk(config, [job])
        return
    chunks = [jobs[i: i + _CHUNK] for i in range(0, len(jobs), _CHUNK)]
    pinyin.load()  # imported once here, not once in each worker
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        for chunk, readings in pool.map(_parse_in_worker, [config] * len(chunks), chunks):
            pinyin.remember(readings, new=True)  # the worker's pinyin readings, for the build cache
            yield from chunk  # in order, as the chunks finish: the caller can show progress


_CHUNK = 100


def _parse_chunk(config: SiteConfig, jobs: list[tuple[str, bytes]]) -> list[tuple[Briefing | None, list[Diagnostic]]]:
    out: list[tuple[Briefing | None, list[Diagnostic]]] = []
    for source, data in jobs:
        diagnostics = Diagnostics()
        out.append((parse_source(source, data, config, diagnostics), diagnostics.items))
    return out


def _parse_in_worker(config: SiteConfig, jobs: list[tuple[str, bytes]]
                     ) -> tuple[list[tuple[Briefing | None, list[Diagnostic]]], dict[tuple[str, str], tuple[str, ...]]]:
    return _parse_chunk(config, jobs), pinyin.learned()
