"""Which kind of change a file event is: a pure function of three paths, table-tested.

The dev server watches a few folders of the site; editors litter them with swap, backup
and temporary files, and the server's own output may live inside the site. ``classify``
drops all of that and names what is left, so the rebuild loop knows what happened
without touching the disk (zola's ``filter_events`` in src/fs_utils.rs does the same).
"""

from __future__ import annotations

import os
import re
from enum import StrEnum
from pathlib import PurePath


class Kind(StrEnum):
    IGNORE = "ignore"
    CONTENT = "content"  # a briefing (or a folder of them) under content/
    TEMPLATE = "template"  # templates/ of the site or anything of a theme but its static/
    STATIC = "static"  # static/ of the site or of a theme
    CONFIG = "config"  # site.toml


# Names editors and operating systems write beside the files people edit. Vim writes
# `.x.swp`/`.swo`…/`.swx` and probes a folder with a file called `4913`; Emacs writes `.#x`
# locks and `#x#` autosaves; many editors save to `x~` or `x.tmp` and rename.
_IGNORED_NAMES = {"4913", ".DS_Store", "Thumbs.db", "desktop.ini"}
_IGNORED_SUFFIXES = (
    "~", ".tmp", ".temp", ".swp", ".swx", ".bak", ".orig", ".crswap", ".kate-swp", "___jb_tmp___", "___jb_old___",
)
_VIM_SWAP = re.compile(r"\.sw[a-p]$")  # .swp, then .swo, .swn … when several vims edit one file
_IGNORED_PREFIXES = (".#", ".goutputstream-", "~$")


def is_editor_litter(name: str) -> bool:
    """True for a swap, lock, backup or temporary file name — never a file a site is made of."""
    return (
        name in _IGNORED_NAMES
        or name.endswith(_IGNORED_SUFFIXES)
        or name.startswith(_IGNORED_PREFIXES)
        or bool(_VIM_SWAP.search(name))
        or (name.startswith("#") and name.endswith("#"))
    )


def _normal(path: str | os.PathLike[str]) -> PurePath:
    # normpath, not resolve(): resolving would read symlinks from disk, and this stays pure.
    return PurePath(os.path.normpath(os.fspath(path)))


def classify(path: str | os.PathLike[str], root: str | os.PathLike[str], out_dir: str | os.PathLike[str]) -> Kind:
    """The kind of change an event on ``path`` is, for the site in ``root`` built into ``out_dir``.

    All three should be absolute (the watcher passes them so). A path outside the site, in
    the output folder, hidden (any part starting with '.'), or an editor's litter is IGNORE.
    """
    target, site, out = _normal(path), _normal(root), _normal(out_dir)
    if target == out or target.is_relative_to(out):
        return Kind.IGNORE  # our own writes must never trigger a rebuild: that would loop forever
    if not target.is_relative_to(site) or target == site:
        return Kind.IGNORE
    parts = target.relative_to(site).parts
    if any(part.startswith(".") for part in parts) or is_editor_litter(parts[-1]):
        return Kind.IGNORE
    top = parts[0]
    if top == "site.toml" and len(parts) == 1:
        return Kind.CONFIG
    if top == "content":
        # content.briefing_files leaves out `_drafts/`-style parts; a rebuild must agree with it.
        if any(part.startswith("_") for part in parts[1:]):
            return Kind.IGNORE
        return Kind.CONTENT
    if top in ("templates", "i18n"):  # i18n/: the site's own interface strings
        return Kind.TEMPLATE
    if top == "static":
        return Kind.STATIC
    if top == "themes" and len(parts) >= 3:
        # themes/<name>/static/… is copied; templates/ and i18n/ change what pages render.
        return Kind.STATIC if parts[2] == "static" else Kind.TEMPLATE
    return Kind.IGNORE
