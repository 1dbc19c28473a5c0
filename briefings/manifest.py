"""URLs that never break: each build remembers what it published; a URL that moved gets a redirect.

Every command-line build keeps a manifest in the build cache, ``SITE/.briefings-cache/manifests/``
(one per output folder: ``public.json`` for ``public/``): each briefing's source file → its URL
(with the language, slug and translation_key that identify it), and every redirect in force.
It is not published: it names the site's source files, which are no reader's business. A
deployment that starts from an empty output folder (``rm -rf public``, a fresh CI runner) keeps
its redirects as long as ``.briefings-cache/`` is kept; a build that finds no manifest although
the output folder holds an earlier build says so. (Earlier versions kept the manifest in the
output folder as ``.briefings-manifest.json``: it is read from there once, then no longer written.)

The next build reads it back before writing. When an URL it listed is no
longer published and the same briefing — same source file, else same translation_key and
language, else a renamed file with the same slug and language — now lives at another URL, a
redirect page is written at the old URL and the redirect is kept in the manifest, so it is
produced in every later build. Redirects always point at the briefing's current URL
(A→B then B→C gives A→C); a real page at the old URL wins over a redirect.

``plan`` is pure (old manifest + assembled site → redirects, diagnostics, new manifest);
``read_manifest`` and ``manifest_outputs`` are the edges the pipeline calls.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

from .cache import CACHE_DIR
from .diagnostics import Diagnostic, Diagnostics, Severity
from .model import Briefing, Site
from .output import Output
from .render import Renderer, TemplateProblem

MANIFEST_NAME = ".briefings-manifest.json"  # in the output folder, where versions before kept it
MANIFESTS = "manifests"  # under the build cache
VERSION = 1


def manifest_file(root: Path, out_dir: Path) -> Path:
    """Where the manifest of the builds of ``root`` into ``out_dir`` is kept: in the build cache,
    named after the output folder (``public.json``), or a hash of its path when outside the site."""
    root, out = root.resolve(), out_dir.resolve()
    if out.is_relative_to(root) and out != root:
        name = quote(out.relative_to(root).as_posix(), safe="")
    else:
        name = hashlib.sha256(str(out).encode()).hexdigest()[:16]
    return root / CACHE_DIR / MANIFESTS / f"{name}.json"


@dataclass(frozen=True)
class Redirect:
    url: str  # the old URL, site-relative: /2023/06/old-slug/
    target: str  # the briefing's URL now
    lang: str
    source: str  # the briefing's source file


@dataclass
class Plan:
    redirects: list[Redirect] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)


def _entry(briefing: Briefing) -> dict[str, Any]:
    entry: dict[str, Any] = {"url": briefing.url, "lang": briefing.lang, "slug": briefing.slug}
    if briefing.translation_key:
        entry["translation_key"] = briefing.translation_key
    return entry


def _line(briefing: Briefing) -> int | None:
    """The front-matter line a moved URL comes from: the slug if written out, else the title."""
    lines = briefing.key_lines
    return lines.get("slug") if briefing.slug_explicit else lines.get("title")


def plan(old: Mapping[str, Any] | None, site: Site, taken: set[str]) -> Plan:
    """What this build must add so that every URL published before keeps leading somewhere.

    ``old`` is the previous build's manifest (None: first build), ``taken`` the output paths
    the site renders anyway (``2023/06/x/index.html``): a redirect never replaces one.
    """
    current = sorted(site.searchable, key=lambda b: b.source)  # briefings and standalone pages
    by_source = {b.source: b for b in current}
    by_url = {b.url: b for b in current}
    alias_owner = {alias: b for b in current for alias in b.aliases}
    result = Plan(manifest={"version": VERSION, "briefings": {b.source: _entry(b) for b in current},
                            "redirects": {}})
    if not old:
        return result
    old_briefings: Mapping[str, Mapping[str, Any]] = old["briefings"]
    old_redirects: Mapping[str, str] = old["redirects"]

    def note(severity: Severity, path: str, line: int | None, message: str, hint: str | None = None) -> None:
        result.diagnostics.append(Diagnostic(path, line, severity, message, hint))

    def successor(source: str, entry: Mapping[str, Any]) -> Briefing | None:
        if source in by_source:
            return by_source[source]
        fresh = [b for b in current if b.source not in old_briefings and b.lang == entry["lang"]]
        key = entry.get("translation_key")
        for candidates in ([b for b in fresh if key and b.translation_key == key],
                           [b for b in fresh if b.slug == entry["slug"]]):
            if len(candidates) == 1:
                return candidates[0]
        return None

    moved: dict[str, Briefing] = {}  # old URL → the briefing that has moved away from it
    for source, entry in sorted(old_briefings.items()):
        url = entry["url"]
        if url in by_url:
            continue
        found = successor(source, entry)
        if found is not None:
            moved[url] = found
            continue
        note(Severity.WARNING, source, None, f"URL {url} is gone: no briefing is published there any more",
             "fine if the briefing was deleted on purpose; if another briefing replaces it, "
             f"add `aliases: [{url}]` to that one; drafts and future dates are left out of a build")
        for before, target in sorted(old_redirects.items()):
            if target == url:
                note(Severity.WARNING, source, None, f"redirect {before} → {url} dropped: {url} is gone")

    wanted: dict[str, Briefing] = {}
    for url, target in old_redirects.items():
        briefing = by_url.get(target) or moved.get(target)
        if briefing is not None:
            wanted[url] = briefing
    wanted.update(moved)
    for url, briefing in sorted(wanted.items()):
        if url.lstrip("/") + "index.html" in taken:
            owner = by_url.get(url) or alias_owner.get(url)
            if owner is None or owner.source != briefing.source:  # the briefing's own old URL is quietly reused
                what = f"the page of {owner.source}" if owner else "a page of the site"
                note(Severity.WARNING, briefing.source, _line(briefing),
                     f"no redirect from {url} to {briefing.url}: {url} is now {what}", "a real page wins")
            continue
        result.redirects.append(Redirect(url, briefing.url, briefing.lang, briefing.source))
        result.manifest["redirects"][url] = briefing.url
        earlier = old_redirects.get(url)
        if earlier is None:
            note(Severity.INFO, briefing.source, _line(briefing),
                 f"URL changed from {url} to {briefing.url}: the old URL now redirects to the new one")
        elif earlier != briefing.url:
            note(Severity.INFO, briefing.source, _line(briefing),
                 f"redirect {url} now leads to {briefing.url} (it led to {earlier})")
    return result


def parse_manifest(text: str) -> dict[str, Any] | None:
    """The manifest in ``text``, or None when it is not one this version can read."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        return None
    briefings, redirects = data.get("briefings"), data.get("redirects")
    if not isinstance(briefings, dict) or not isinstance(redirects, dict):
        return None
    for entry in briefings.values():
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("url", "lang", "slug"))
                and _plain_url(entry["url"])):
            return None
    if not all(isinstance(k, str) and isinstance(v, str) and _plain_url(k) and _plain_url(v)
               for k, v in redirects.items()):
        return None
    return data


def _plain_url(url: str) -> bool:
    """A URL a build publishes: /a/b/ (a manifest edited by hand, or damaged, may hold others:
    a NUL or a `..` there once became a path the output folder could not take)."""
    return url.startswith("/") and url.endswith("/") and "\\" not in url \
        and not any(ord(c) < 32 or c == "\x7f" for c in url) \
        and not any(part in {".", ".."} for part in url.split("/"))


def dump_manifest(manifest: Mapping[str, Any]) -> bytes:
    """Deterministic bytes: sorted keys, no timestamps, so unchanged sites write identical files."""
    return (json.dumps(manifest, ensure_ascii=False, sort_keys=True, indent=1) + "\n").encode("utf-8")


def read_manifest(file: Path, out_dir: Path, diagnostics: Diagnostics,
                  known: tuple[Any, bytes] | None = None) -> dict[str, Any] | None:
    """The manifest kept in ``file``; ``known`` is (manifest, bytes) written before, which spares the parse.

    Without one: the manifest an earlier version left in ``out_dir``, if any; else, when
    ``out_dir`` holds an earlier build, a warning that moved URLs get no redirect this time.
    """
    path = file
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        path = out_dir / MANIFEST_NAME
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            if (out_dir / "sitemap.xml").is_file():
                diagnostics.warning(_shown(file), None,
                                    f"no record of the URLs {out_dir.as_posix()}/ was built with: "
                                    "briefings that moved since that build get no redirect this time",
                                    "keep .briefings-cache/ between builds and deployments: see docs/deploy.md")
            return None
        except OSError as exc:
            data = f"unreadable: {exc}".encode()
    except OSError as exc:
        data = f"unreadable: {exc}".encode()
    if known is not None and data == known[1]:
        return known[0]
    try:
        manifest = parse_manifest(data.decode("utf-8"))
    except UnicodeDecodeError:
        manifest = None
    if manifest is None:
        diagnostics.warning(_shown(path), None, "ignoring a manifest this version cannot read",
                            "URLs that moved since the last build get no redirect this time")
    return manifest


def _shown(path: Path) -> str:
    """A manifest's path as messages show it: from the build cache's folder on, when it is there."""
    parts = path.as_posix().split("/")
    return "/".join(parts[parts.index(CACHE_DIR):]) if CACHE_DIR in parts else path.as_posix()


def manifest_outputs(file: Path | None, out_dir: Path, site: Site, outputs: Sequence[Output], renderer: Renderer,
                     diagnostics: Diagnostics) -> tuple[list[Output], bytes]:
    """The redirect pages this build owes to earlier ones, and the new manifest's bytes (for the
    caller to keep in ``file`` once the build is published).

    ``file`` None (the dev server): only the builds of this process count. The renderer's memo
    (kept between builds) remembers the last manifest and its bytes, so an unchanged manifest is
    neither parsed nor serialised again.
    """
    earlier = renderer.memo.get(MANIFEST_NAME)
    if file is not None:
        old = read_manifest(file, out_dir, diagnostics, earlier)
    else:
        old = earlier[0] if earlier is not None else None
    found = plan(old, site, {o.path for o in outputs})
    diagnostics.extend(found.diagnostics)
    pages: list[Output] = []
    try:
        for redirect in found.redirects:
            pages.append(renderer.page("redirect.html", redirect.url + "index.html", redirect.lang,
                                       redirect.source, target=redirect.target))
    except TemplateProblem as problem:
        diagnostics.error(problem.path, problem.line, f"template error: {problem.message}")
    if earlier is not None and earlier[0] == found.manifest:
        data = earlier[1]
    else:
        data = dump_manifest(found.manifest)
        renderer.memo[MANIFEST_NAME] = (found.manifest, data)
    return pages, data


def save_manifest(file: Path, data: bytes) -> None:
    """Keep ``data`` in ``file`` (through a temporary file: a reader never sees half)."""
    try:
        if file.read_bytes() == data:
            return
    except OSError:
        pass
    file.parent.mkdir(parents=True, exist_ok=True)
    temporary = file.with_name(f"{file.name}.tmp")
    temporary.write_bytes(data)
    temporary.replace(file)
