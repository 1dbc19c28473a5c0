"""Editor tools: start a briefing from the archetype (importer/save.py imports documents with these).

Both write one new file, ``content/YYYY/YYYY-MM-DD-{slug}.md`` (``.en.md`` for English), and
never overwrite one. What they write is parsed the way a build parses it before it is saved,
so a new file never breaks the build. ``compose`` and ``vocabulary`` take text and config
only; ``new_briefing`` (and importer/save.py's ``import_file``) are the edges that read and write files.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .config import SiteConfig, normalise_language, theme_dir
from .content import CONTENT_DIR, SourceError, briefing_files, decode_source, parse_briefing
from .diagnostics import Diagnostics
from .frontmatter import FrontMatterError, dump_yaml, split
from .index_numbers import with_index_no
from .model import Briefing
from .site import briefing_url
from .slugs import slugify
from .theme import display_path

ARCHETYPE = "briefing"
# When neither the site nor its theme has an archetype.
FALLBACK_ARCHETYPE = '---\nmeeting: ""\nchair: ""\nattendees: []\n---\n'
_TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
_FULL_DATE = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日")


class EditorError(Exception):
    """Why a file was not written; the message names the file and what to do."""


@dataclass(frozen=True)
class Created:
    path: Path  # the file written
    relative: str  # content/2023/2023-06-15-….md
    url: str  # absolute URL the briefing will have
    draft: bool
    notes: list[str] = field(default_factory=list)  # what the writer should check


def split_tags(values: Iterable[str]) -> list[str]:
    """'双减,课后服务' and '双减，课后服务' and '双减、课后服务' → ['双减', '课后服务']."""
    out = [t.strip() for value in values for t in re.split(r"[,，、]", value)]
    return list(dict.fromkeys(t for t in out if t))


def known_tags(config: SiteConfig) -> dict[str, str]:
    """Every spelling site.toml declares (names, aliases, translations) → the vocabulary's name."""
    known: dict[str, str] = {}
    for name, tag in config.tags.items():
        known[name] = name
        known.update({alias: name for alias in tag.aliases})
        known.update({spelling: name for spelling in tag.translations.values()})
    return known


def classify_tag(config: SiteConfig, tag: str) -> tuple[str, str | None]:
    """How the vocabulary sees ``tag``, case-insensitively as the build groups tags.

    ('known', None); ('alias', the name to write instead); ('unknown', the closest name or None).
    """
    folded = {spelling.casefold(): spelling for spelling in known_tags(config)}
    spelling = folded.get(tag.casefold())
    if spelling is not None:
        canonical = config.canonical_tag(spelling)
        return ("alias", canonical) if canonical != spelling else ("known", None)
    close = difflib.get_close_matches(tag.casefold(), list(folded), n=1, cutoff=0.6)
    return "unknown", config.canonical_tag(folded[close[0]]) if close else None


def tag_notes(config: SiteConfig, tags: Sequence[str]) -> tuple[list[str], list[str]]:
    """The tags as the vocabulary names them, and a note for each one changed or unknown."""
    notes: list[str] = []
    out: list[str] = []
    for tag in tags:
        kind, name = classify_tag(config, tag) if config.tags else ("known", None)
        if kind == "alias" and name:
            notes.append(f"tag {tag!r} written as {name!r}, the site's name for it")
            tag = name
        elif kind == "unknown":
            notes.append(f"tag {tag!r} is not in the site's tag vocabulary"
                         + (f" (did you mean `{name}`?)" if name else ""))
        out.append(tag)
    return list(dict.fromkeys(out)), notes


def vocabulary(config: SiteConfig, used: Iterable[str] = ()) -> dict[str, str]:
    """Terms the importer looks for → the tag it suggests: site.toml's names and aliases, then tags in use."""
    terms: dict[str, str] = {}
    for name, tag in config.tags.items():
        terms.setdefault(name, name)
        for alias in tag.aliases:
            terms.setdefault(alias, name)
    for tag in used:
        terms.setdefault(tag, config.canonical_tag(tag))
    return terms


def tags_in_use(config: SiteConfig) -> list[str]:
    """Tags written in the site's content files, in file order; unreadable files are skipped."""
    found: list[str] = []
    for path in briefing_files(config.root):
        try:
            tags = split(decode_source(path.read_bytes())).front.get("tags")
        except (SourceError, FrontMatterError, OSError):
            continue
        if isinstance(tags, str):
            tags = [tags]
        if isinstance(tags, list):
            found.extend(str(t).strip() for t in tags if isinstance(t, (str, int, float)) and str(t).strip())
    return list(dict.fromkeys(found))


def briefing_path(config: SiteConfig, date: dt.date, slug: str, lang: str) -> Path:
    suffix = "" if lang == config.default_language else f".{lang}"
    return config.root / CONTENT_DIR / f"{date.year:04d}" / f"{date.isoformat()}-{slug}{suffix}.md"


def find_archetype(config: SiteConfig, lang: str) -> Path | None:
    """briefing.{lang}.md, else briefing.md, each from SITE/archetypes/ before the theme's."""
    for name in (f"{ARCHETYPE}.{lang}.md", f"{ARCHETYPE}.md"):
        for folder in (config.root / "archetypes", theme_dir(config) / "archetypes"):
            if (folder / name).is_file():
                return folder / name
    return None


def compose(front: dict[str, Any], archetype: str) -> str:
    """The new file: ``front`` first, then the archetype's other front-matter lines (comments kept), its body.

    Raises FrontMatterError when the archetype has no YAML front matter.
    """
    archetype = archetype.lstrip("\ufeff").replace("\r\n", "\n")
    document = split(archetype)
    if not archetype.startswith("---"):
        raise FrontMatterError(1, "an archetype's front matter must be YAML between `---` lines")
    kept: list[str] = []
    skipping = False
    for line in archetype.split("\n")[1: document.body_line - 2]:
        key = _TOP_KEY.match(line)
        if key:
            skipping = key.group(1) in front  # the archetype's own value gives way to ours
        elif line[:1] not in (" ", "\t", "-", ""):  # a comment at the margin ends a skipped value
            skipping = False
        if not skipping:
            kept.append(line + "\n")
    return f"---\n{dump_yaml(front)}{''.join(kept)}---\n{document.body}"


def _check(text: str, path: Path, config: SiteConfig) -> Briefing:
    """Parse the new file as a build would; its errors stop the write."""
    relative = path.relative_to(config.root).as_posix()
    diagnostics = Diagnostics()
    briefing = parse_briefing(text, relative, config, diagnostics)
    if briefing is None or diagnostics.has_errors:
        problems = "; ".join(d.format() for d in diagnostics.errors)
        raise EditorError(f"not writing {relative}: it would not build: {problems}")
    return briefing


def _exists_error(path: Path, config: SiteConfig) -> EditorError:
    return EditorError(f"{path.relative_to(config.root).as_posix()} already exists: not overwriting it "
                       "(edit that file, or give the new briefing another title or date)")


def _write_new(path: Path, text: str, config: SiteConfig) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:  # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise _exists_error(path, config) from None


def _created(path: Path, briefing: Briefing, config: SiteConfig, notes: list[str]) -> Created:
    url = config.base_url.rstrip("/") + briefing_url(config, briefing)
    return Created(path, path.relative_to(config.root).as_posix(), url, briefing.draft, notes)


def new_briefing(config: SiteConfig, title: str, *, date: dt.date, tags: Sequence[str] = (),
                 lang: str | None = None) -> Created:
    """Write a draft briefing titled ``title`` from the archetype; its `slug:` is written out."""
    title = " ".join(title.split())
    if not title:
        raise EditorError("the title is empty")
    code = normalise_language(lang) if lang else config.default_language
    if code not in config.language_codes:
        raise EditorError(f"language {lang!r} is not one of the site's languages ({', '.join(config.language_codes)}): "
                          f"add [languages.{code}] to site.toml first")
    tags, notes = tag_notes(config, tags)
    slug = slugify(title)
    front: dict[str, Any] = {"title": title, "date": date, "slug": slug, "draft": True, "tags": tags}
    front = with_index_no(config, front)  # 索引号 written out, so it is the file's for good
    archetype = find_archetype(config, code)
    if archetype is None:
        notes.append(f"no archetypes/{ARCHETYPE}.md in the site or its theme: used a minimal one")
    source = archetype.read_text(encoding="utf-8") if archetype else FALLBACK_ARCHETYPE
    try:
        text = compose(front, source)
    except FrontMatterError as exc:
        where = display_path(archetype, config.root) if archetype else "archetype"
        raise EditorError(f"{where}:{exc.line}: {exc.message}") from None
    path = briefing_path(config, date, slug, code)
    if path.exists():
        raise _exists_error(path, config)
    briefing = _check(text, path, config)
    _write_new(path, text, config)
    return _created(path, briefing, config, notes)
