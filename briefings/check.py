"""`briefings check`: everything a build would report, without writing, plus editorial lint.

On top of the build's own diagnostics (front matter, URLs, templates, moved URLs):

- ``future-date``: a date after now, so the briefing stays off the site (often a typo);
- ``unknown-tag`` / ``tag-alias``: tags outside the vocabulary site.toml declares;
- ``broken-link``: internal links and heading anchors that lead nowhere on the assembled site;
- Chinese typography (typography.py), which ``fix=True`` repairs in place where it is safe.

Every finding has file, line, column and rule. ``check_site`` reads files and runs the build;
the lint functions take text and the assembled site.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote, unquote, urljoin, urlsplit

from .config import SiteConfig, load_config
from .content import CONTENT_DIR, SourceError, briefing_files, decode_source, find_reference, parse_date
from .diagnostics import Diagnostic, Diagnostics, Severity
from .editor import classify_tag
from .frontmatter import Document, FrontMatterError, split
from .markdown import body_links
from .model import Briefing, Site
from .output import Output
from .pipeline import build
from .site import BuildOptions
from .typography import fix_markdown, lint_markdown

_ID = re.compile(r"""\sid=["']?([^"'\s>]+)""")


@dataclass
class CheckResult:
    findings: list[Diagnostic] = field(default_factory=list)  # sorted by file, line, column
    fixed: list[Diagnostic] = field(default_factory=list)  # what fix=True changed, one per fix
    files: int = 0  # content files looked at
    site_findings: int = 0  # of the findings, those of the site checks (`check --site`)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.findings)


def _finding(path: str, line: int | None, col: int | None, rule: str, message: str,
             hint: str | None = None, severity: Severity = Severity.WARNING) -> Diagnostic:
    return Diagnostic(path, line, severity, message, hint, col, rule)


def _col(line_text: str, *needles: str) -> int | None:
    for needle in needles:
        if needle and (at := line_text.find(needle)) >= 0:
            return at + 1
    return None


# ---- front matter ------------------------------------------------------------------------


def lint_front(document: Document, text: str, source: str, config: SiteConfig, now: dt.datetime,
               future: bool = False) -> list[Diagnostic]:
    """Tags outside the vocabulary, dates in the future."""
    found: list[Diagnostic] = []
    lines = text.split("\n")
    front, key_lines = document.front, document.key_lines
    if not future and "date" in front:
        date = parse_date(front["date"], config)
        if date is not None and date > now:
            line = key_lines.get("date")
            written = str(front["date"])[:10]
            found.append(_finding(source, line, _col(lines[line - 1], written) if line else None, "future-date",
                                  f"date {written} is in the future: the briefing stays off the site until then",
                                  "correct the date, or build with --future to publish it now"))
    tags = front.get("tags")
    if config.tags and isinstance(tags, (list, str)):
        start = key_lines.get("tags", 1)
        end = min([n for n in key_lines.values() if n > start] + [document.body_line - 1])
        for tag in [tags] if isinstance(tags, str) else tags:
            if not isinstance(tag, str) or not tag.strip():
                continue  # wrong types are the build's to report
            tag = tag.strip()
            line, col = next(((n, c) for n in range(start, end) if (c := _col(lines[n - 1], tag))), (start, None))
            kind, name = classify_tag(config, tag)
            if kind == "alias":
                found.append(_finding(source, line, col, "tag-alias",
                                      f"tag {tag!r} is an alias of {name!r}", f"write `{name}`"))
            elif kind == "unknown":
                hint = f"did you mean `{name}`?" if name else f'or declare it in site.toml: [tags."{tag}"]'
                found.append(_finding(source, line, col, "unknown-tag",
                                      f"tag {tag!r} is not in the site's tag vocabulary", hint))
    return found


# ---- links -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Targets:
    """Where a link may lead: every URL of the site, and the ids on each page we know."""

    pages: frozenset[str]
    anchors: Mapping[str, frozenset[str]]
    briefing_urls: Mapping[str, str]  # source → URL, for links written to a .md file
    complete: bool  # False when only the model was available (no static files known)


def site_targets(site: Site, config: SiteConfig, outputs: Iterable[Output] = ()) -> Targets:
    """URLs and anchors of the assembled site; the rendered outputs, when there are some, add the rest."""
    pages: set[str] = {"/404.html", "/sitemap.xml", "/robots.txt"}
    anchors: dict[str, set[str]] = {}
    for edition in site.editions:
        prefix = edition.language.prefix
        pages.update(prefix + p for p in ("/", "/tags/", "/archive/", "/search/", "/atom.xml"))
        pages.update(f"{prefix}/page/{n}/" for n in range(2, -(-len(edition.briefings) // config.per_page) + 1))
        pages.update(f"{prefix}/archive/{year}/" for year in {b.date.year for b in edition.briefings})
        for tag in edition.tags:
            pages.update({tag.url, tag.url + "atom.xml"})
            pages.update(f"{tag.url}page/{n}/" for n in range(2, -(-len(tag.briefings) // config.per_page) + 1))
        for briefing in (*edition.briefings, *edition.pages):
            pages.add(briefing.url)
            pages.update(briefing.aliases)
            anchors[briefing.url] = {h.anchor for h in briefing.toc}
    complete = False
    for output in outputs:
        complete = True
        path = "/" + output.path
        if path.endswith("/index.html"):
            path = path.removesuffix("index.html")
            anchors.setdefault(path, set()).update(_ID.findall(output.data.decode("utf-8", "replace")))
        pages.add(path)
    return Targets(frozenset(pages), {url: frozenset(ids) for url, ids in anchors.items()},
                   {b.source: b.url for b in _documents(site)}, complete)


def _documents(site: Site) -> list[Briefing]:
    """The briefings and the standalone pages: whose links are checked, and where links may lead."""
    return [*site.briefings, *(p for e in site.editions for p in e.pages)]


def _site_path(href: str, page_url: str, config: SiteConfig) -> tuple[str, str] | None:
    """(site-relative path, fragment) a link leads to, or None when it leaves the site."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        base = urlsplit(config.base_url)
        if parts.scheme not in ("http", "https") or parts.netloc != base.netloc:
            return None
        if not parts.path.startswith(base.path.rstrip("/") + "/") and parts.path != base.path.rstrip("/"):
            return None
        path = "/" + parts.path[len(base.path):]
    else:
        # Relative links resolve against the page; links from the root (/img/a.jpg) against
        # base_url, as the build writes them: both are site paths already.
        path = urljoin(page_url, parts.path) if parts.path else page_url
    return unquote(path), unquote(parts.fragment)


def lint_links(document: Document, text: str, source: str, page_url: str, targets: Targets,
               config: SiteConfig) -> list[Diagnostic]:
    """Links in one briefing's body that lead to no page, or to no heading of the page."""
    found: list[Diagnostic] = []
    lines = text.split("\n")
    cursor: dict[int, int] = {}  # line → where the previous link on it ended
    for offset, href in body_links(document.body):
        line = document.body_line + offset
        if find_reference(source, href, "link", line, "", "", Diagnostics()) is not None:
            continue  # a file beside the briefing: the build publishes it, or says why not
        resolved = _site_path(href, page_url, config)
        if resolved is None:
            continue
        path, fragment = resolved
        col = _link_col(lines[line - 1] if line <= len(lines) else "", href, cursor, line)
        problem: tuple[str, str | None] | None = None
        if path not in targets.pages and path + "/" in targets.pages:
            path += "/"  # servers answer /2023/06/x with /2023/06/x/
        base = config.base_path
        if path not in targets.pages:
            if not targets.complete and path.startswith("/static/"):
                continue  # static files are only known after rendering
            if base and href.startswith(base + "/") and _known(path[len(base):], targets):
                problem = (f"links starting with / are resolved against base_url, so it would lead to {base}{path}",
                           f"write `{unquote(href)[len(base):]}`: it works in `serve` and under {base}/ alike")
            elif path.endswith(".md"):
                target = (PurePosixPath(source).parent / unquote(urlsplit(href).path)).as_posix()
                url = targets.briefing_urls.get(_normalise(target))
                problem = ("links to .md source files do not work on the site",
                           f"link to its URL: {url}" if url else "link to the briefing's URL, e.g. /2023/06/slug/")
            else:
                close = difflib.get_close_matches(path, sorted(targets.pages), n=1, cutoff=0.75)
                where = "no such page" if path == unquote(href) else f"no page at {path}"
                problem = (f"the site has {where}", f"did you mean `{close[0]}`?" if close else None)
        elif fragment and (ids := targets.anchors.get(path)) is not None and fragment not in ids:
            close = difflib.get_close_matches(fragment, sorted(ids), n=1, cutoff=0.6)
            problem = (f"{path} has no heading #{fragment}", f"did you mean `#{close[0]}`?" if close else None)
        if problem is not None:
            found.append(_finding(source, line, col, "broken-link", f"link to {unquote(href)} leads nowhere: "
                                  f"{problem[0]}", problem[1], Severity.ERROR))
    return found


def lint_menu(config: SiteConfig, text: str, targets: Targets) -> list[Diagnostic]:
    """site.toml's [[menu]] links to this site that lead nowhere."""
    found: list[Diagnostic] = []
    lines = text.split("\n")
    for link in config.menu:
        path = unquote(urlsplit(link.url).path)
        if not link.url.startswith("/") or _known(path, targets):
            continue
        written = re.compile(rf"\s*url\s*=\s*[\"']{re.escape(link.url)}")
        line = next((n for n, t in enumerate(lines, 1) if written.match(t)), None)
        close = difflib.get_close_matches(path, sorted(targets.pages), n=1, cutoff=0.75)
        found.append(_finding("site.toml", line, None, "broken-link",
                              f"menu link {link.title!r} to {link.url} leads nowhere: the site has no such page",
                              f"did you mean `{close[0]}`?" if close else "pages live in content/pages/",
                              Severity.ERROR))
    return found


def _known(path: str, targets: Targets) -> bool:
    return path in targets.pages or path + "/" in targets.pages


def _link_col(line_text: str, href: str, cursor: dict[int, int], line: int) -> int | None:
    """1-based column of the destination of the next link on a line: `](href)` before a bare match."""
    start = cursor.get(line, 0)
    for written in dict.fromkeys((href, unquote(href))):
        for before in ("](", "<", ""):
            at = line_text.find(before + written, start)
            if at >= 0:
                at += len(before)
                cursor[line] = at + len(written)
                return at + 1
    return None


def _normalise(path: str) -> str:
    parts: list[str] = []
    for part in path.split("/"):
        if part == "..":
            if parts:
                parts.pop()
        elif part not in ("", "."):
            parts.append(part)
    return "/".join(parts)


# ---- the command -------------------------------------------------------------------------


def fix_file(text: str, source: str) -> tuple[str, list[Diagnostic]]:
    """Typography fixes for one file; the front matter is left exactly as it was."""
    fixed, changes = fix_markdown(text, path=source)
    if fixed == text:
        return text, []
    try:
        head = split(text).body_line - 1
    except FrontMatterError:
        head = 0
    if text.split("\n")[:head] != fixed.split("\n")[:head]:  # fix_markdown masks front matter: a bug
        return text, []
    return fixed, changes


def check_site(root: Path, options: BuildOptions | None = None, *, out_dir: Path | None = None,
               fix: bool = False, site: bool = False) -> CheckResult:
    """Check the site in ``root``; nothing is written except, with ``fix``, the fixed content files.

    ``site``: the inspection's checks as well (sitecheck.py: stale columns, empty ones, …)."""
    options = options or BuildOptions()
    result = CheckResult()
    files = briefing_files(root)
    result.files = len(files)
    texts: dict[str, str] = {}
    for path in files:
        source = path.relative_to(root).as_posix()
        try:
            texts[source] = decode_source(path.read_bytes())
        except SourceError:
            continue  # the build says what is wrong with it
        if fix:
            fixed, changes = fix_file(texts[source], source)
            if changes:
                path.write_text(fixed, encoding="utf-8")
                texts[source] = fixed
                result.fixed += changes
    built = build(root, out_dir or root / "public", options, write=False)
    findings: list[Diagnostic] = list(built.diagnostics)
    config = load_config(root, Diagnostics(), options.base_url)
    if config is not None:
        # where links may lead: read from every rendered page once, for all the checks below
        targets = site_targets(built.site, config, built.outputs) if built.site is not None else None
        findings += lint_content(texts, config, built.site, targets, options)
        findings += lint_unlinked(root, texts)
        if built.site is not None and targets is not None:
            config_text = (root / "site.toml").read_text(encoding="utf-8-sig")
            findings += lint_menu(config, config_text, targets)
        if site and built.site is not None and targets is not None:
            from .sitecheck import site_findings  # it builds on this module's link helpers

            now = options.now or dt.datetime.now(dt.UTC)
            found = site_findings(config, built.site, built.outputs, now, config_text, targets)
            result.site_findings = len(found)
            findings += found
    result.findings = sorted(findings, key=lambda d: (d.path, d.line or 0, d.col or 0))
    return result


def lint_content(texts: Mapping[str, str], config: SiteConfig, site: Site | None, targets: Targets | None,
                 options: BuildOptions) -> list[Diagnostic]:
    """Editorial lint of each content file (source → text) against the assembled site (and its ``targets``)."""
    now = options.now or dt.datetime.now(dt.UTC)
    urls = {b.source: b.url for b in _documents(site)} if site is not None else {}
    found: list[Diagnostic] = []
    for source, text in texts.items():
        found += lint_markdown(text, source)
        try:
            document = split(text)
        except FrontMatterError:
            continue
        found += lint_front(document, text, source, config, now, options.future)
        if targets is not None and source in urls:
            found += lint_links(document, text, source, urls[source], targets, config)
    return found



def lint_unlinked(root: Path, texts: Mapping[str, str]) -> list[Diagnostic]:
    """Files under content/ that no briefing links or shows: the build does not publish them."""
    referenced: set[str] = set()
    for source, text in texts.items():
        try:
            document = split(text)
        except FrontMatterError:
            continue
        hrefs = [href for _, href in body_links(document.body)]
        image = document.front.get("image")
        if isinstance(image, str):
            hrefs.append(quote(image))
        for href in hrefs:
            reference = find_reference(source, href, "link", 1, "", "", Diagnostics())
            if reference is not None:
                referenced.add(reference.path)
    found = []
    for folder, dirs, names in os.walk(root / CONTENT_DIR):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(names):
            if name.startswith((".", "_")) or name.endswith((".md", "~")):
                continue
            path = Path(folder, name).relative_to(root).as_posix()
            if path not in referenced:
                found.append(_finding(path, None, None, "unlinked-file",
                                      "no briefing links or shows this file, so it is not published",
                                      "link it from the briefing beside it, e.g. [附件](name), or delete it"))
    return found


def format_fix(change: Diagnostic) -> str:
    """`path:line:col: fixed: rule: what was done` for one change --fix made."""
    where = ":".join(str(p) for p in (change.path, change.line, change.col) if p is not None)
    return f"{where}: fixed: {change.rule}: {change.message}"


def summary(result: CheckResult) -> str:
    counts = {s: sum(1 for d in result.findings if d.severity is s) for s in Severity}
    parts = [f"{n} {s.value}{'s' if n != 1 else ''}" for s, n in counts.items() if n and s is not Severity.INFO]
    files = f"{result.files} content file{'s' if result.files != 1 else ''}"
    return f"checked {files}: " + (", ".join(parts) if parts else "no problems")
