"""What an import produces: front-matter fields, a Markdown body, files for the bundle, notes.

``FRONT_KEYS`` and ``Draft.front`` are the one place where front-matter keys are assembled:
a new key is a field here and a name in that tuple.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import yaml

# The order keys are written in. A key whose value is empty is left out (draft never is).
# publisher: 发布机构, what a web page names as its 来源 (the disclosure field the theme shows and the
# inspection tags read as ContentSource); index_no: the 索引号 the site allocates (index_numbers.py).
FRONT_KEYS = ("title", "date", "index_no", "publisher", "meeting", "chair", "attendees", "tags", "draft")


@dataclass
class Fields:
    """Front-matter values found in a document; None or empty where nothing was found."""

    title: str = ""
    date: dt.date | None = None
    index_no: str | None = None  # set when saved, where the site has an org_code
    publisher: str | None = None  # the issuing office a web page names ('来源：区卫健委')
    meeting: str | None = None
    chair: str | None = None
    attendees: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    draft: bool = True


@dataclass
class Draft:
    """One imported document. ``files`` are written beside the Markdown (a page bundle)."""

    fields: Fields
    body: str  # Markdown
    notes: list[str] = field(default_factory=list)  # what a reviewer should check
    files: dict[str, bytes] = field(default_factory=dict)  # file name in the bundle → bytes
    taken: list[str] = field(default_factory=list)  # files on disk read into the bundle (set by sources.py)

    @property
    def front(self) -> dict[str, Any]:
        values = vars(self.fields)
        # title is always written, so a draft without one fails loudly in the build.
        return {k: values[k] for k in FRONT_KEYS if k in ("title", "draft") or values[k] not in (None, "", [])}

    @property
    def markdown(self) -> str:
        # width: PyYAML folds long strings at 80 columns, and a folded title is hard to edit.
        dumped = yaml.safe_dump(self.front, allow_unicode=True, sort_keys=False, width=10**6)
        return f"---\n{dumped}---\n\n{self.body}"


# The name the first importer gave its result; tests and callers use both.
ImportResult = Draft
