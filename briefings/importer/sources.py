"""The edge that reads: a file on disk → a draft, whatever its format, within bounded size and time.

Each format goes through its door (text.py, html.py, word.py, office.py); pictures and
linked files a page names beside it are read here too, so the rest of the importer works on
strings and bytes only.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from .convert import Options, import_any, import_page
from .draft import Draft
from .html import read_html
from .office import CONVERTIBLE, OfficeError, to_docx
from .text import decode_bytes
from .word import WordError, convert_docx

MAX_TEXT_BYTES = 4 * 2**20  # a text or HTML file; a long summary is 30 KB, a saved page 200 KB
MAX_DOCUMENT_BYTES = 64 * 2**20  # a Word or WPS file, pictures included
MAX_FILE_BYTES = 32 * 2**20  # a picture or attachment a page links to
MAX_CHARS = 1_000_000  # characters of text, after decoding or conversion (about 4 s of work)

TEXT = frozenset({".txt", ".text", ".md", ""})
HTML = frozenset({".html", ".htm", ".shtml", ".xhtml"})
WORD = frozenset({".docx"})
NOT_DOCUMENTS = frozenset({".xls", ".xlsx", ".et", ".csv", ".ppt", ".pptx", ".dps", ".jpg", ".jpeg", ".png",
                           ".gif", ".bmp", ".tif", ".tiff", ".webp", ".zip", ".rar", ".7z", ".mp3", ".mp4",
                           ".avi", ".ofd", ".exe"})
IMPORTABLE = TEXT | HTML | WORD | CONVERTIBLE
PDF_ERROR = ("PDF is not supported: a PDF records where each character is drawn on the page, not its "
             "paragraphs, headings or tables, so the structure a briefing needs cannot be recovered reliably "
             "(and scanned PDFs hold no text at all); import the Word or WPS file it was made from, "
             "or copy its text into a .txt file")


class ReadError(Exception):
    """Why a file could not be imported; the caller puts the file's name in front."""


def read_bounded(path: Path, limit: int, what: str) -> bytes:
    """The bytes of a regular file no longer than ``limit``. FIFOs and devices are refused
    without being opened for reading (O_NONBLOCK: opening a FIFO would wait for a writer)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            kind = "a folder" if stat.S_ISDIR(info.st_mode) else "a FIFO, socket or device"
            raise ReadError(f"it is {kind}, not a regular file: not reading it")
        if info.st_size > limit:
            raise ReadError(f"it has {info.st_size:,} bytes, over the {_size(limit)} briefings reads from "
                            f"{what}: split it, or remove what is not the briefing")
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit + 1)
    except OSError as exc:
        raise ReadError(exc.strerror or str(exc)) from None
    finally:
        os.close(fd)
    if len(data) > limit:  # it grew while we read it
        raise ReadError(f"it has more than {_size(limit)}, the most briefings reads from {what}")
    if not data.strip():
        raise ReadError("the file is empty: nothing to import")
    return data


def _size(n: int) -> str:
    return f"{n / 2**20:.0f} MB" if n >= 2**20 else f"{n:,} bytes"


def read_document(path: Path, options: Options) -> Draft:
    """Any supported file → a draft. Raises ReadError with a message naming the format."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        raise ReadError(PDF_ERROR)
    if suffix in NOT_DOCUMENTS:
        raise ReadError(f"a {suffix} file is not a document briefings can import (text, HTML, .docx, "
                        ".doc or .wps); give it beside a summary whose '附件：' line names it")
    if suffix in WORD or suffix in CONVERTIBLE:
        data = read_bounded(path, MAX_DOCUMENT_BYTES, "a Word or WPS file")
        if suffix in CONVERTIBLE:
            try:
                data = to_docx(path)
            except OfficeError as exc:
                raise ReadError(str(exc)) from None
        try:
            converted = convert_docx(data)
        except WordError as exc:
            raise ReadError(str(exc)) from None
        _bound(converted.html)
        files = {name: (name, content) for name, content in converted.images.items()}
        draft = import_page(read_html(converted.html), replace(options, files=files))
        draft.notes += [f"Word: {message}" for message in dict.fromkeys(converted.messages)]
        return draft
    data = read_bounded(path, MAX_TEXT_BYTES, "a text or HTML file")
    try:
        raw = decode_bytes(data)
    except ValueError as exc:
        raise ReadError(f"{exc}; briefings imports text, HTML, .docx, .doc and .wps files") from None
    _bound(raw)
    beside: dict[str, tuple[str, bytes]] = {}
    taken: dict[str, Path] = {}
    if suffix in HTML or re.search(r"<(?:html|body|img)\b", raw[:4096], re.IGNORECASE):
        beside, taken = _beside(path, raw)
    draft = import_any(raw, replace(options, files=beside))
    draft.taken = [str(taken[name]) for name in draft.files if name in taken]
    return draft


def _bound(text: str) -> None:
    if len(text) > MAX_CHARS:
        raise ReadError(f"it holds {len(text):,} characters of text, over the {MAX_CHARS:,} briefings reads "
                        "from one document: split it")


_REFERENCE = re.compile(r"""<(?:img|a)\b[^>]{0,2000}?\b(?:src|href)\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)


def _beside(page: Path, html: str) -> tuple[dict[str, tuple[str, bytes]], dict[str, Path]]:
    """Pictures and files a saved page links to that are saved beside it, by src/href as written.

    Only files inside the page's folder are read; other pages (.html) are not taken along.
    """
    folder = page.parent.resolve()
    found: dict[str, tuple[str, bytes]] = {}
    paths: dict[str, Path] = {}  # name in the bundle → the file it was read from
    used: set[str] = set()
    for match in _REFERENCE.finditer(html):
        ref = match[1]
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or not parts.path or ref in found:
            continue
        target = (folder / unquote(parts.path)).resolve()
        if not target.is_relative_to(folder) or target.suffix.lower() in HTML or not target.is_file():
            continue
        try:
            data = read_bounded(target, MAX_FILE_BYTES, "a picture or attachment")
        except ReadError:
            continue
        name = _bundle_name(target.name, used)
        found[ref.replace("&amp;", "&")] = (name, data)
        paths[name] = page.parent / unquote(parts.path)
    return found, paths


def _bundle_name(name: str, used: set[str]) -> str:
    """A file name safe in a URL and unique in the bundle; Chinese kept."""
    stem, dot, ext = name.rpartition(".")
    stem = re.sub(r"[^\w\u4e00-\u9fff.-]+", "-", stem if dot else name).strip("-.") or "file"
    ext = re.sub(r"[^\w]", "", ext)[:8] if dot else ""
    candidate = f"{stem}.{ext}" if ext else stem
    n = 1
    while candidate in used or candidate == "index.md":
        n += 1
        candidate = f"{stem}-{n}.{ext}" if ext else f"{stem}-{n}"
    used.add(candidate)
    return candidate




class GivenFiles(Mapping[str, tuple[str, bytes]]):
    """Files given beside the documents (on the command line, or in the folder imported), by name
    with and without extension; each is read only when a '附件：' line names it."""

    def __init__(self, paths: list[Path]) -> None:
        self.paths = {p.stem.strip(): p for p in paths} | {p.name: p for p in paths}
        self.used: set[Path] = set()

    def __getitem__(self, key: str) -> tuple[str, bytes]:
        path = self.paths[key]
        try:
            data = read_bounded(path, MAX_FILE_BYTES, "an attachment")
        except ReadError:
            raise KeyError(key) from None
        self.used.add(path)
        return _bundle_name(path.name, set()), data

    def __iter__(self) -> Iterator[str]:
        return iter(self.paths)

    def __len__(self) -> int:
        return len(self.paths)
