"""Symbolic links in a site's folders: followed while they stay inside the site, refused
(with a reason for a warning) when they lead out of it, round in a loop, or nowhere.

A link `static/passwd.txt → /etc/passwd` once published the password file, and `content → /`
had the build walk the whole disk. The default theme shipped with the package lies outside
the site: its own files are read, and links inside it may lead within it.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

from .theme import display_path


def inside(real: str, root: str) -> bool:
    """Whether the resolved path ``real`` is ``root`` (resolved) or under it."""
    return real == root or real.startswith(root.rstrip(os.sep) + os.sep)


def allowed_roots(folder: Path | str, root: Path | str) -> tuple[str, ...] | None:
    """Where links met under ``folder`` may lead: the site ``root``, and a folder outside the
    site (the bundled theme) within itself. None: ``folder``, inside the site, is itself
    linked out of it."""
    site = os.path.realpath(root)
    real = os.path.realpath(folder)
    if inside(os.path.abspath(folder), os.path.abspath(root)):
        return (site,) if inside(real, site) else None
    return site, real


def link_problem(path: str, roots: tuple[str, ...]) -> str | None:
    """Why the link at ``path`` may not be followed (it must resolve under one of ``roots``), or None."""
    try:
        os.stat(path)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return "the link leads round in a loop; skipped"
        return "the link leads nowhere; skipped"
    real = os.path.realpath(path)
    if not any(inside(real, root) for root in roots):
        return f"the link leads outside the site (to {real}); skipped"
    return None


def site_files(folder: Path, root: Path, refused: list[tuple[Path, str]]) -> list[Path]:
    """The files under ``folder``, sorted, through links that stay in the site ``root``; each
    link refused goes to ``refused`` with why. Each real folder is walked once."""
    if not os.path.isdir(folder):
        return []
    roots = allowed_roots(folder, root)
    if roots is None:
        refused.append((folder, f"the folder leads outside the site (to {os.path.realpath(folder)}); skipped"))
        return []
    found: list[Path] = []
    pending, seen = [str(folder)], set()
    while pending:
        current = pending.pop()
        try:
            real = os.path.realpath(current)
            if real in seen:
                continue
            seen.add(real)
            entries = list(os.scandir(current))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_symlink():
                    problem = link_problem(entry.path, roots)
                    if problem is not None:
                        refused.append((Path(entry.path), problem))
                        continue
                if entry.is_dir():
                    pending.append(entry.path)
                elif entry.is_file():
                    found.append(Path(entry.path))
            except OSError:  # gone meanwhile
                continue
    return sorted(found)


def link_shown(link: Path, root: Path) -> str:
    """A link as messages name it: its folder from the site (not resolved: that is where it leads)."""
    folder = display_path(link.parent, root)
    return link.name if folder == "." else f"{folder}/{link.name}"
