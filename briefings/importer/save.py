"""The edge that writes: import a file into a site's content/ as a draft briefing (or a page bundle).

A document with pictures or attachments becomes a bundle, ``content/YYYY/YYYY-MM-DD-{slug}/``
with ``index.md`` and its files linked relatively (the date keeps two meetings of one title
in a year apart, as flat files' names do); one without becomes ``content/YYYY/YYYY-MM-DD-{slug}.md``.
Nothing is overwritten, and a briefing already in content/ with the same date and title is
skipped. The file is parsed as a build would parse it before anything is written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from briefings.config import SiteConfig
from briefings.content import SourceError, briefing_files, decode_source
from briefings.editor import Created, EditorError, _check, _created, _exists_error, _write_new, briefing_path
from briefings.frontmatter import FrontMatterError, split
from briefings.index_numbers import allocate
from briefings.slugs import slugify

from .convert import Options, lint_notes
from .draft import Draft
from .sources import ReadError, read_document


class Duplicate(EditorError):
    """The site already has a briefing of this date and title."""

    def __init__(self, message: str, taken: list[Path]) -> None:
        super().__init__(message)
        self.taken = taken  # the files beside the document it would have taken along


@dataclass
class Imported:
    created: Created
    date: dt.date
    date_from: str  # where the date came from: 'the text', "the page's publication date", '--date'
    attachments: list[Path] = field(default_factory=list)


def existing_briefings(config: SiteConfig) -> dict[tuple[str, str], str]:
    """(date YYYY-MM-DD, title) → file, for every briefing in content/ whose front matter reads."""
    found: dict[tuple[str, str], str] = {}
    for path in briefing_files(config.root):
        try:
            front = split(decode_source(path.read_bytes())).front
        except (SourceError, FrontMatterError, OSError):
            continue
        date, title = front.get("date"), front.get("title")
        if isinstance(date, (dt.date, str)) and isinstance(title, str):
            found[(str(date)[:10], " ".join(title.split()))] = path.relative_to(config.root).as_posix()
    return found


def import_file(config: SiteConfig, file: Path, *, date: dt.date | None, today: dt.date,
                terms: dict[str, str], given: Mapping[str, tuple[str, bytes]] | None = None,
                publish: bool = False, existing: dict[tuple[str, str], str] | None = None,
                numbers: set[str] | None = None) -> Imported:
    """Import one document as a draft briefing (``publish``: not a draft).

    The year comes from ``date``, else from the text or the page; failing all, this year (with
    a note). The date is the text's; ``date`` stands in when the text has none. ``existing``
    (``existing_briefings``) and ``numbers`` (``index_numbers.known_numbers``): read once for a
    run of many files, kept up to date here.
    """
    options = Options(year=date.year if date else None, assumed_year=None if date else today.year,
                      vocabulary=terms, attachments=given if given is not None else {})
    try:
        draft = read_document(file, options)
    except ReadError as exc:
        raise EditorError(f"cannot read {file}: {exc}") from None
    if not draft.body.strip():
        raise EditorError(f"cannot import {file}: no text is left once the page's furniture "
                          "(menus, date and source lines, buttons, footer) is taken out")
    date_from = _settle_date(draft, file, date)
    if not draft.fields.title:
        draft.fields.title = file.stem
        draft.notes = [n for n in draft.notes if n != "no title found: add title by hand"]
        draft.notes.append(f"no title found: the title is the file name {file.stem!r}: replace it")
    draft.fields.draft = not publish
    found = draft.fields.date
    assert found is not None
    key = (found.isoformat(), " ".join(draft.fields.title.split()))
    if existing is not None and key in existing:
        raise Duplicate(f"skipped {file}: {existing[key]} already has date {key[0]} and title {key[1]!r} "
                        "(not imported again, nothing overwritten)", [Path(p) for p in draft.taken])
    # the 索引号 is written into the file, so it is the briefing's for good (as `briefings new` does)
    draft.fields.index_no = allocate(config.root, config.disclosure.org_code, found.year, known=numbers)
    text = draft.markdown
    draft.notes = [n for n in draft.notes if not re.match(r"line \d+: |… and \d+ more typography", n)] + \
        lint_notes(text)
    path = briefing_path(config, found, slugify(draft.fields.title), config.default_language)
    if draft.files:
        path = path.with_suffix("") / "index.md"
    if path.exists() or (draft.files and path.parent.exists()):
        raise _exists_error(path.parent if draft.files else path, config)
    briefing = _check(text, path, config)
    if draft.files:
        _write_bundle(path.parent, text, draft, config)
    else:
        _write_new(path, text, config)
    if existing is not None:
        existing[key] = path.relative_to(config.root).as_posix()
    return Imported(_created(path, briefing, config, draft.notes), found, date_from, [Path(p) for p in draft.taken])


def _settle_date(draft: Draft, file: Path, date: dt.date | None) -> str:
    found = draft.fields.date
    if found is not None:
        if date is not None and found != date:
            draft.notes.append(f"the text says {found.isoformat()} but --date says {date.isoformat()}: "
                               "kept the text's")
        published = any(n.startswith(f"date {found.isoformat()} is the page's publication date") for n in draft.notes)
        return "the page's publication date" if published else "the text"
    if date is None:
        raise EditorError(f"cannot tell the date of {file}: pass --date YYYY-MM-DD")
    draft.fields.date = date
    draft.notes.insert(0, f"no date in the text: used --date {date.isoformat()}")
    return "--date"


def _write_bundle(folder: Path, text: str, draft: Draft, config: SiteConfig) -> None:
    """index.md and its files, written in a hidden folder beside and renamed into place whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".import-", dir=folder.parent))
    try:
        for name, data in draft.files.items():
            (staging / name).write_bytes(data)
        _write_new(staging / "index.md", text, config)
        os.rename(staging, folder)  # refuses (ENOTEMPTY) a folder that appeared meanwhile
    except OSError as exc:
        raise EditorError(f"could not write {folder.relative_to(config.root).as_posix()}: {exc}") from None
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
