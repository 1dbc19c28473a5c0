"""The files beside a briefing (a bundle): check them, make the images' widths, publish them.

Two steps, around assembling the site (pipeline.py):

* ``Resources.apply`` (after load): for each briefing whose body links or shows files
  (``Briefing.resources``, found when parsing), check each file — there, inside the site, a
  safe SVG, a readable image — and give the briefing its final body (``<picture>`` with every
  width), its attachments list, og:image and card thumbnail. Images are made by media.py
  across all cores, cached by the hash of their bytes and the settings in
  ``.briefings-cache/media/``: a rebuild after a text edit decodes no image. A briefing whose
  files and text are unchanged comes out as the very object it did last time, so the
  incremental build sees nothing changed.
* ``Resources.outputs`` (after assemble): the files to publish beside each briefing's page.
"""

from __future__ import annotations

import difflib
import hashlib
import html
import os
import posixpath
import re
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .cache import CACHE_DIR, read_cached, write_cached
from .content import ATTACHMENT_TYPES
from .diagnostics import Diagnostic, Diagnostics, Severity
from .media import SETTINGS, ProcessedImage, Variant, process_many, svg_problem
from .model import Attachment, Briefing, Reference, Thumbnail, copied
from .output import Output

_FOLDER = "media"
_STAMPS = f"{_FOLDER}/stamps.pickle"
_SETTINGS_KEY = hashlib.blake2b(SETTINGS.encode(), digest_size=8).hexdigest()
# The body column is 42rem wide at most (site.css --measure), the screen less 2rem on phones.
SIZES = "(min-width: 44rem) 42rem, calc(100vw - 2rem)"
_IMG = re.compile(r"<img\b[^>]*>")
_ATTR = re.compile(r"""\s([a-z-]+)="([^"]*)\"""")

Stamp = tuple[int, int, int, int] | None  # (size, mtime, ctime, inode) of a file; None: missing


@dataclass(frozen=True)
class ImageMeta:
    width: int
    height: int
    variants: tuple[tuple[int, int, str], ...]  # (width, height, format), as ProcessedImage's


@dataclass(frozen=True)
class _File:
    """One file published beside a page."""

    name: str  # relative to the page, decoded
    path: str = ""  # a source file published as it is (relative to the site folder)
    key: str = ""  # or a variant of a processed image: the cache key …
    index: int = 0  # … and which variant
    line: int = 0  # where the briefing names it, for a collision's message


@dataclass
class _Done:
    given: Briefing  # as loaded
    stamps: tuple[Stamp, ...]
    made: Briefing  # with its final body and media fields
    diagnostics: list[Diagnostic]
    files: tuple[_File, ...]


def _stamp(path: Path) -> Stamp:
    try:
        stat = path.stat()
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return None
    return stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino


def variant_name(name: str, variant: Variant | tuple[int, int, str]) -> str:
    """'images/会议.png' → 'images/会议-960w.webp'."""
    width, fmt = (variant.width, variant.format) if isinstance(variant, Variant) else (variant[0], variant[2])
    return f"{posixpath.splitext(name)[0]}-{width}w.{fmt}"


class Resources:
    """What a Builder keeps of its briefings' files between builds."""

    def __init__(self, root: Path, persist: bool) -> None:
        self.root = root
        # Images made are stored in the media cache on disk (command-line builds), else kept in
        # memory; what the cache holds is used either way (`check`, the dev server): its keys are
        # the bytes of each photo and the settings, so it is never stale.
        self.persist = persist
        self._done: dict[str, _Done] = {}
        self._hashes: dict[str, tuple[Stamp, str]] | None = None  # source file → (stamp, hash of its bytes)
        self._metas: dict[str, ImageMeta | str] = {}  # cache key → what was made, or why it failed
        self._images: dict[str, ProcessedImage] = {}  # cache key → the variants' bytes, when not on disk
        self.decoded = 0  # images processed by the last apply (tests and benchmarks read it)
        self._hashes_changed = False

    # ---- after load ------------------------------------------------------------------------
    def apply(self, loaded: list[Briefing], diagnostics: Diagnostics,
              fill: Callable[[Briefing], None] | None = None) -> list[Briefing]:
        self.decoded = 0
        out: list[Briefing] = []
        todo: list[tuple[int, Briefing, tuple[Stamp, ...]]] = []
        for briefing in loaded:
            if not briefing.resources:
                out.append(briefing)
                continue
            stamps = tuple(_stamp(self.root / r.path) for r in briefing.resources)
            done = self._done.get(briefing.source)
            if done is not None and done.given is briefing and done.stamps == stamps:
                diagnostics.extend(done.diagnostics)
                out.append(done.made)
                continue
            todo.append((len(out), briefing, stamps))
            out.append(briefing)
        if todo:
            keys = self._prepare([b for _, b, _ in todo])
            for index, briefing, stamps in todo:
                if fill is not None:
                    fill(briefing)  # its body, from the parse cache, to put the pictures in
                done = self._make(briefing, stamps, keys)
                self._done[briefing.source] = done
                diagnostics.extend(done.diagnostics)
                out[index] = done.made
            self._save_hashes()
        for gone in self._done.keys() - {b.source for b in loaded}:
            del self._done[gone]
        return out

    def _prepare(self, briefings: list[Briefing]) -> dict[str, str]:
        """The cache key of each image file these briefings show (by path), made when missing."""
        keys: dict[str, str] = {}
        jobs: dict[str, tuple[str, str]] = {}  # key → (path, name): each worker reads its photo
        for briefing in briefings:
            for ref in briefing.resources:
                if ref.kind == "link" or ref.path in keys or ref.path.lower().endswith(".svg"):
                    continue
                path = self.root / ref.path
                if not self._inside(path) or not path.is_file():
                    continue
                key = self._key(ref.path, path)
                keys[ref.path] = key
                if key in self._metas or key in jobs:
                    continue
                stored = read_cached(self.root, f"{_FOLDER}/{key}.meta")
                if isinstance(stored, (ImageMeta, str)):
                    self._metas[key] = stored
                    continue
                jobs[key] = (str(path), ref.name)
        if jobs:
            # Forking is unsafe once other threads run (the dev server's watcher): one process then.
            workers = (os.cpu_count() or 1) if threading.active_count() == 1 else 1
            for key, made in zip(jobs, process_many(list(jobs.values()), workers), strict=True):
                self.decoded += 1
                self._store(key, made)
        return keys

    def _key(self, source: str, path: Path) -> str:
        """An image file's cache key: the hash of its bytes and of the settings. The hash of a
        file whose size, mtime, ctime and inode are as before is not worked out again."""
        if self._hashes is None:
            stored = read_cached(self.root, _STAMPS)
            self._hashes = stored if isinstance(stored, dict) else {}
        stamp = _stamp(path)
        known = self._hashes.get(source)
        if known is not None and known[0] == stamp:
            return known[1]
        digest = hashlib.blake2b(digest_size=16)
        with open(path, "rb") as stream:
            while chunk := stream.read(1 << 20):
                digest.update(chunk)
        key = f"{digest.hexdigest()}-{_SETTINGS_KEY}"
        self._hashes[source] = (stamp, key)
        self._hashes_changed = True
        return key

    def _save_hashes(self) -> None:
        if self.persist and self._hashes is not None and self._hashes_changed:
            write_cached(self.root, _STAMPS, self._hashes)
            self._hashes_changed = False

    def _store(self, key: str, made: ProcessedImage | str) -> None:
        meta: ImageMeta | str = made if isinstance(made, str) else ImageMeta(
            made.width, made.height, tuple((v.width, v.height, v.format) for v in made.variants))
        self._metas[key] = meta
        if not self.persist:
            if isinstance(made, ProcessedImage):
                self._images[key] = made
            return
        if isinstance(made, ProcessedImage):
            for index, variant in enumerate(made.variants):
                write_cached(self.root, f"{_FOLDER}/{key}.{index}", variant.data, raw=True)
        write_cached(self.root, f"{_FOLDER}/{key}.meta", meta)  # last: it says the variants are there

    def variant_bytes(self, key: str, index: int) -> bytes:
        image = self._images.get(key)
        if image is not None:
            return image.variants[index].data
        return (self.root / CACHE_DIR / _FOLDER / f"{key}.{index}").read_bytes()

    def _inside(self, path: Path) -> bool:
        return path.resolve().is_relative_to(self.root.resolve())

    def _make(self, briefing: Briefing, stamps: tuple[Stamp, ...], keys: dict[str, str]) -> _Done:
        own = Diagnostics()
        source = briefing.source
        files: dict[str, _File] = {}
        pictures: dict[str, str] = {}  # href as the body spells it → the <picture>'s parts
        shown: dict[str, tuple[Reference, ImageMeta, str]] = {}  # href → (reference, meta, key)
        attachments: dict[str, Attachment] = {}
        cover: tuple[Reference, ImageMeta, str] | None = None
        fingerprint = hashlib.blake2b(digest_size=16)

        def problem(ref: Reference, message: str, hint: str | None = None,
                    severity: Severity = Severity.ERROR) -> None:
            own.add(Diagnostic(source, ref.line, severity, message, hint, ref.col))

        def publish(ref: Reference, file: _File) -> None:
            """One file beside the page; another under the same name is an error."""
            earlier = files.setdefault(file.name, file)
            if (earlier.path, earlier.key, earlier.index) != (file.path, file.key, file.index):
                problem(ref, f"{file.name} would be published twice: as a file linked here and as a width "
                             "of a photo", "rename the file")

        for ref, stamp in zip(briefing.resources, stamps, strict=True):
            path = self.root / ref.path
            fingerprint.update(f"{ref.path}\0{stamp}\0{keys.get(ref.path, '')}\n".encode())
            if stamp is None:
                problem(ref, f"linked file {ref.name} does not exist", _nearby(path, ref.name))
                continue
            if not self._inside(path):
                problem(ref, f"{ref.name} is a link to a file outside the site",
                        "copy the file into the briefing's folder")
                continue
            if not path.is_file():
                problem(ref, f"{ref.name} is a folder, not a file")
                continue
            suffix = posixpath.splitext(ref.name)[1].lower()
            if suffix == ".svg":
                why = svg_problem(path.read_bytes())
                if why is not None:
                    problem(ref, f"{ref.name} is not published: {why}",
                            "SVG files can run script on the site: save the drawing as PNG, or remove that part")
                    continue
            if ref.kind != "link" and suffix != ".svg":
                meta = self._metas.get(keys.get(ref.path, ""))
                if meta is None or isinstance(meta, str):
                    problem(ref, meta or f"{ref.name} could not be read")
                    continue
                key = keys[ref.path]
                if ref.kind == "image" and not ref.alt.strip():
                    problem(ref, f"image {ref.name} has no alt text",
                            "say what it shows for readers who cannot see it: ![会议现场](photo.jpg)",
                            Severity.WARNING)
                for index, variant in enumerate(meta.variants):
                    name = variant_name(ref.name, variant)
                    publish(ref, _File(name, key=key, index=index, line=ref.line))
                if ref.kind == "cover":
                    cover = (ref, meta, key)
                else:
                    shown.setdefault(ref.href, (ref, meta, key))
                continue
            publish(ref, _File(ref.name, path=ref.path, line=ref.line))
            if ref.kind == "link" and suffix in ATTACHMENT_TYPES and ref.name not in attachments:
                attachments[ref.name] = Attachment(posixpath.basename(ref.name), quote(ref.name),
                                                   suffix[1:].upper(), stamp[0])
        for href, (ref, meta, _) in shown.items():
            pictures[href] = _picture_parts(ref.name, meta)
        body = _with_pictures(briefing.body_html, pictures) if pictures else briefing.body_html
        first = cover or next(iter(shown.values()), None)
        changes: dict[str, object] = {
            "body_html": body, "attachments": tuple(attachments.values()), "media_key": fingerprint.hexdigest(),
        }
        if first is not None:
            ref, meta, _ = first
            changes["image"] = briefing.image or quote(variant_name(ref.name, meta.variants[-1]))
            small = meta.variants[0]
            changes["thumbnail"] = Thumbnail(quote(variant_name(ref.name, small)), small[0], small[1])
        return _Done(briefing, stamps, copied(briefing, **changes), own.items, tuple(files.values()))

    # ---- after assemble --------------------------------------------------------------------
    def outputs(self, briefings: Iterable[Briefing], diagnostics: Diagnostics) -> list[Output]:
        """The files to publish beside each briefing's page; two briefings' files on one URL is
        an error naming both."""
        outputs: list[Output] = []
        taken: dict[str, tuple[str, int]] = {}
        for briefing in briefings:
            done = self._done.get(briefing.source)
            if done is None or not done.files:
                continue
            for file in done.files:
                path = briefing.url.lstrip("/") + file.name
                earlier = taken.get(path)
                if earlier is not None:
                    if earlier[0] != briefing.source:
                        diagnostics.error(briefing.source, file.line,
                                          f"{file.name} would be published at /{path}, as is a file of "
                                          f"{earlier[0]} (line {earlier[1]})",
                                          "rename one of the files, or give one briefing another slug")
                    continue
                taken[path] = (briefing.source, file.line)
                try:
                    data = (self.variant_bytes(file.key, file.index) if file.key
                            else (self.root / file.path).read_bytes())
                except OSError as exc:
                    diagnostics.error(briefing.source, file.line, f"cannot read {file.name}: {exc.strerror}")
                    continue
                outputs.append(Output(path, data, briefing.source))
        return outputs

    def referenced(self) -> set[str]:
        """Every file (relative to the site folder) some briefing links or shows."""
        return {ref.path for done in self._done.values() for ref in done.given.resources}


def _nearby(path: Path, name: str) -> str:
    """A hint: the closest name of the files that are there."""
    try:
        there = sorted(p.name for p in path.parent.iterdir() if not p.name.endswith(".md"))
    except OSError:
        return f"put {posixpath.basename(name)} in the briefing's folder"
    close = difflib.get_close_matches(path.name, there, n=1, cutoff=0.75)
    if close:
        return f"did you mean {close[0]}?"
    return f"put {path.name} beside the briefing, or correct the name"


def _picture_parts(name: str, meta: ImageMeta) -> str:
    webp = [v for v in meta.variants[:-1] if v[2] == "webp"]
    srcset = ", ".join(f"{quote(variant_name(name, v))} {v[0]}w" for v in webp)
    fallback = meta.variants[-1]
    return (f'<source type="image/webp" srcset="{srcset}" sizes="{SIZES}">'
            f'\0<img src="{quote(variant_name(name, fallback))}" width="{meta.width}" height="{meta.height}"')


def _with_pictures(body: str, pictures: dict[str, str]) -> str:
    """Each ``<img>`` of a processed image becomes a ``<picture>``: WebP in every width, the
    fallback copy, its size (no layout shift), loaded lazily but for the page's first image."""
    seen = 0

    def swap(match: re.Match[str]) -> str:
        nonlocal seen
        seen += 1
        attrs = dict(_ATTR.findall(match.group(0)))
        parts = pictures.get(html.unescape(attrs.get("src", "")))
        if parts is None:
            return match.group(0)
        source, img = parts.split("\0")
        alt = attrs.get("alt", "")
        title = f' title="{attrs["title"]}"' if "title" in attrs else ""
        lazy = ' loading="lazy"' if seen > 1 else ""
        return f'<picture>{source}{img} alt="{alt}"{title}{lazy} decoding="async"></picture>'

    return _IMG.sub(swap, body)

