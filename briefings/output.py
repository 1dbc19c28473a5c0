"""WRITE: put rendered outputs on disk, all or nothing.

Two ways, both leaving the published folder as it was until every output is on disk:

* ``Staging``: a whole new folder written beside the output folder, then swapped in. For
  a first build, or a folder that is not as the last build left it.
* ``Update``: only the files whose bytes changed, written into a folder beside the output
  folder, then moved into place one by one, with the files the site no longer has removed.
  A journal, written once every new file is staged, lists the moves: a build stopped
  half-way through them is finished by the next one (``finish_interrupted``) before it
  looks at the folder. At 10,000 briefings an edit changes a handful of the 28,000 files;
  linking all of them into a new folder and deleting the old one took 8 s on this disk.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any


class OutputError(ValueError):
    """A path that would leave the output folder, or a second write to one path.

    ``sources``: what produced the outputs at fault (a briefing, a static file), when known."""

    def __init__(self, message: str, *sources: str) -> None:
        super().__init__(message)
        self.sources = sources


# Written into every output folder a build makes: a build replaces only a folder holding it
# (or an empty one). `-o content` once replaced the site's sources with the built pages.
MARKER = ".briefings-output"
_MARKER_TEXT = b"This folder is the output of `briefings build`; each build replaces it.\n"
# Output folders of versions before the marker are known by their URL manifest.
_LEGACY_MARKERS = (".briefings-manifest.json",)
# The folders a site reads (and its cache): an output folder must be none of them, nor hold one.
SOURCE_FOLDERS = ("content", "themes", "templates", "static", "archetypes", "i18n", ".briefings-cache")
_NAME_MAX = 255  # bytes of one file name on the file systems we know


def refuse_output(site_root: Path, out_dir: Path, recorded: Path | None = None) -> str | None:
    """Why ``out_dir`` may not be the output folder of the site in ``site_root``, or None (the
    reason is told as a diagnostic of ``out_dir``: "refusing this output folder: …").

    Looks only; touches nothing. A build replaces its whole output folder, so the folder must
    be one a build made (it holds ``MARKER``, or the build cache keeps its URL manifest in
    ``recorded``), an empty one or one still to be made — never
    the site folder, a folder holding the site, or one inside or holding its sources.
    """
    for part in out_dir.parts:
        if len(part.encode("utf-8", "surrogateescape")) > _NAME_MAX:
            return f"refusing this output folder: the name {part[:40]}… is too long ({len(part)} characters)"
    root = site_root.resolve()
    try:
        out = out_dir.resolve()
    except (OSError, RuntimeError) as exc:  # a loop of symbolic links
        return f"refusing this output folder: {exc}"
    existing = out
    while not os.path.lexists(existing) and existing != existing.parent:
        existing = existing.parent
    if existing != out and not existing.is_dir():
        return f"refusing this output folder: {existing} is a file, not a folder"
    if out == root:
        return "refusing this output folder: it is the site folder itself (its sources would be replaced)"
    if root.is_relative_to(out):
        return f"refusing this output folder: it holds the site folder {root}"
    for name in SOURCE_FOLDERS:
        source = (root / name).resolve()
        if not source.is_relative_to(root):
            continue  # a folder linked out of the site: the build refuses to read it
        if out.is_relative_to(source) or source.is_relative_to(out):
            relation = "is inside" if out.is_relative_to(source) else "holds"
            return (f"refusing this output folder: it {relation} the site's {name}/ folder "
                    "(the build replaces its output folder)")
    if os.path.lexists(out):
        if not out.is_dir():
            return "refusing this output folder: it is a file, not a folder"
        try:
            names = set(os.listdir(out))
        except OSError as exc:
            return f"refusing this output folder: {exc.strerror or exc}"
        if names and not names & {MARKER, *_LEGACY_MARKERS} and not (recorded is not None and recorded.is_file()):
            return (f"refusing this output folder: not a folder briefings built (it has no {MARKER}) "
                    "and not empty; the build would replace everything in it. Choose a new or empty folder")
    parent = existing if existing != out else out.parent
    if not os.access(parent, os.W_OK | os.X_OK):
        return f"cannot build here: the folder {parent} is not writable"
    return None


@dataclass(frozen=True)
class Output:
    path: str  # relative to the output folder, '/'-separated
    data: bytes
    source: str = ""  # what produced it, for messages


def path_conflicts(paths: Iterable[str]) -> list[tuple[str, str]]:
    """(folder path, file path) for each output that would need a folder where another output,
    the marker or an older version's manifest is a file (an alias ``/atom.xml`` would be ``atom.xml/index.html``)."""
    files = set(paths)
    folders: set[str] = set()
    for path in files:  # each folder once: most paths share theirs with others
        folder = path.rpartition("/")[0]
        while folder and folder not in folders:
            folders.add(folder)
            folder = folder.rpartition("/")[0]
    clashes = folders & (files | {MARKER, *_LEGACY_MARKERS})
    if not clashes:
        return []
    found: list[tuple[str, str]] = []
    for path in sorted(files):
        folder = path
        while "/" in folder:
            folder = folder.rpartition("/")[0]
            if folder in clashes:
                found.append((path, folder))
                break
    return found


def safe_relative(path: str) -> PurePosixPath:
    """The output-relative path, or OutputError when it could escape the output folder."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or "\0" in path \
            or any(part in {"..", "."} for part in pure.parts):
        raise OutputError(f"refusing to write {path!r}: outside the output folder")
    return pure


class Staging:
    """A new output folder written beside the old one, then swapped in by ``swap``.

    Until the swap the published folder is untouched, so a failed build — or a crash
    half-way — leaves it exactly as it was. ``add`` may be called several times (the pages
    first, the search index once it is ready); a path written twice is an error.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.out_dir.parent.mkdir(parents=True, exist_ok=True)
        self.folder = self.out_dir.parent / f".{self.out_dir.name}.staging-{os.getpid()}"
        self._retired = self.out_dir.parent / f".{self.out_dir.name}.old-{os.getpid()}"
        remove_dead_leftovers(self.out_dir)
        for leftover in (self.folder, self._retired):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.folder.mkdir()
        (self.folder / MARKER).write_bytes(_MARKER_TEXT)
        self._written: dict[str, str] = {}
        self._made_dirs: set[Path] = set()

    def add(self, outputs: Iterable[Output]) -> int:
        """Write ``outputs`` into the staging folder."""
        return write_tree(outputs, self.folder, self._written, self._made_dirs)

    def swap(self) -> None:
        if self.out_dir.exists():
            os.rename(self.out_dir, self._retired)
        os.rename(self.folder, self.out_dir)
        shutil.rmtree(self._retired, ignore_errors=True)
        for folder, _ in _leftover_updates(self.out_dir):  # updates of a folder that is gone now
            shutil.rmtree(folder, ignore_errors=True)

    def discard(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


_JOURNAL = ".journal"
_JOURNAL_VERSION = 2  # moves as [output path, staged file's name]


class Update:
    """Changed files for a published folder: staged by ``add``, moved in by ``commit``.

    Staged files are numbered, side by side in one folder: staging a tree of 10,000 folders
    beside the output folder, then removing it, took 5 s of a template edit's rebuild.
    """

    def __init__(self, out_dir: Path) -> None:
        self.out_dir = out_dir.resolve()
        self.folder = self.out_dir.parent / f".{self.out_dir.name}.update-{os.getpid()}"
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.folder.mkdir()
        self.committed = False
        self._staged: dict[str, str] = {}  # output path → staged file's name
        self._sources: dict[str, str] = {}

    def add(self, outputs: Iterable[Output]) -> int:
        jobs: list[tuple[str, bytes]] = []
        for output in outputs:
            path = safe_relative(output.path).as_posix()
            if path in self._staged:
                raise OutputError(f"{output.source or '?'} and {self._sources[path] or '?'} both write {path}",
                                  output.source, self._sources[path])
            name = self._staged[path] = str(len(self._staged))
            self._sources[path] = output.source
            jobs.append((os.path.join(self.folder, name), output.data))
        _put_in_threads(jobs)
        return len(jobs)

    def commit(self, removed: Iterable[str]) -> None:
        """Remove ``removed`` (output-relative paths) and move every staged file into place.

        Every path is checked before the journal is written; from then on the update is as
        good as done: if it is stopped, or a move fails, the next build finishes it.
        """
        journal = {"v": _JOURNAL_VERSION, "moves": sorted(self._staged.items()), "removed": sorted(removed)}
        for path in journal["removed"]:
            safe_relative(path)
        _check_folders(self.out_dir, [path for path, _ in journal["moves"]] + journal["removed"])
        temporary = self.folder / f"{_JOURNAL}.tmp"
        temporary.write_text(json.dumps(journal), encoding="utf-8")
        os.replace(temporary, self.folder / _JOURNAL)
        self.committed = True
        try:
            _apply(self.folder, self.out_dir, journal, undoable=True)
        except OSError:
            self.committed = False  # rolled back: the folder is as it was, nothing to finish
            raise

    def discard(self) -> None:
        """Drop the staged files, unless committed: then the next build finishes the update."""
        if not self.committed:
            shutil.rmtree(self.folder, ignore_errors=True)


def _check_folders(out_dir: Path, paths: Iterable[str]) -> None:
    """Refuse an update whose files would land in, or be removed from, a folder linked out of
    ``out_dir`` (a folder of the published site replaced by a symbolic link)."""
    root = str(out_dir)
    folders: set[str] = set()  # every folder the paths go through, once
    for path in paths:
        folder = os.path.dirname(path)
        while folder and folder not in folders:
            folders.add(folder)
            folder = os.path.dirname(folder)
    for folder in folders:
        full = os.path.join(root, folder)
        if folder and os.path.islink(full) and not Path(full).resolve().is_relative_to(out_dir):
            raise OutputError(f"refusing to write under {folder!r}: outside the output folder")


def _apply(folder: Path, out_dir: Path, journal: dict[str, Any], undoable: bool = False) -> None:
    """Carry out a journal, in an order a reader of the live site barely notices: new files
    first, the search entry file (which names the index's folders) after them, and files
    the site no longer has last — except those in the way of a new file (a file giving way
    to a folder of the same name).

    ``undoable``: keep a link to each file replaced or removed, and on a failure (a full
    disk, a file in the way) put every one back, so the folder is as it was, and drop the
    journal; the error is raised again. (A build killed meanwhile is finished instead.)
    """
    moves: list[tuple[str, str]] = journal["moves"]
    removed: list[str] = journal["removed"]
    undo = _Undo(folder) if undoable else None
    folders = {os.path.dirname(path) for path, _ in moves}
    try:
        _remove(out_dir, [path for path in removed
                          if path in folders or any(f.startswith(path + "/") for f in folders)], undo)
        staging, root = str(folder), str(out_dir)
        for path, name in sorted(moves, key=lambda move: move[0].endswith("entry.json")):
            staged, target = os.path.join(staging, name), os.path.join(root, path)
            if undo is not None:
                undo.keep(target)
            try:
                os.replace(staged, target)
            except FileNotFoundError:
                if not os.path.exists(staged):
                    continue  # moved before the build that staged it was stopped
                parent = os.path.dirname(target)
                if undo is not None:
                    undo.made_folders(parent)
                os.makedirs(parent, exist_ok=True)  # a new folder of the site
                os.replace(staged, target)
        _remove(out_dir, removed, undo)
    except OSError:  # not on Ctrl-C: a stopped update is finished by the next build
        if undo is not None:
            undo.roll_back(out_dir)
        raise
    shutil.rmtree(folder)


class _Undo:
    """What an update changed so far, to put back: files replaced or removed (kept as links in
    the update's folder), files and folders new."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.changed: list[tuple[str, str | None]] = []  # (target, link to what it was, or None: new)
        self.folders: list[str] = []  # made, outermost first

    def keep(self, target: str) -> None:
        kept = os.path.join(self.folder, f"was-{len(self.changed)}")
        try:
            os.link(target, kept)
        except FileNotFoundError:
            self.changed.append((target, None))
        except NotADirectoryError:
            self.changed.append((target, None))
        else:
            self.changed.append((target, kept))

    def made_folders(self, folder: str) -> None:
        missing = []
        while folder and not os.path.lexists(folder):
            missing.append(folder)
            folder = os.path.dirname(folder)
        self.folders.extend(reversed(missing))

    def roll_back(self, out_dir: Path) -> None:
        # os.rename, not os.replace: the same on POSIX, and kept apart from what failed
        for target, kept in reversed(self.changed):
            with contextlib.suppress(OSError):
                if kept is None:
                    os.unlink(target)
                else:
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    os.rename(kept, target)
        for made in reversed(self.folders):
            with contextlib.suppress(OSError):
                os.rmdir(made)
        shutil.rmtree(self.folder, ignore_errors=True)  # the journal with it: nothing to finish


def _remove(out_dir: Path, paths: Iterable[str], undo: _Undo | None = None) -> None:
    for path in paths:
        target = out_dir / path
        if undo is not None:
            undo.keep(str(target))
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out_dir:  # folders the removals emptied go too, as in a fresh build
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def mark(out_dir: Path) -> None:
    """Write the marker into a folder a build writes in place (the dev server's)."""
    (out_dir / MARKER).write_bytes(_MARKER_TEXT)


def remove_dead_leftovers(out_dir: Path) -> None:
    """Remove the staging and retired folders of builds no longer running (killed, or crashed).

    A build stopped between its two renames in ``Staging.swap`` left no output folder, and
    the last good one under its retired name: that one is put back first.
    """
    out_dir = out_dir.resolve()
    for kind in ("old", "staging"):
        for folder in sorted(out_dir.parent.glob(f".{out_dir.name}.{kind}-*")):
            if _running(folder.name.rpartition("-")[2]) or folder.name.rpartition("-")[2] == str(os.getpid()):
                continue
            if kind == "old" and not os.path.lexists(out_dir) and (folder / MARKER).is_file():
                os.rename(folder, out_dir)
                continue
            shutil.rmtree(folder, ignore_errors=True)


def finish_interrupted(out_dir: Path) -> None:
    """Complete an update a stopped build had committed to, or drop one it had not."""
    remove_dead_leftovers(out_dir)
    for folder, journal in _leftover_updates(out_dir):
        if journal is None:
            shutil.rmtree(folder, ignore_errors=True)  # stopped while staging: the folder is as it was
        else:
            try:
                _apply(folder, out_dir.resolve(), journal)
            except OSError:
                # It cannot be finished (a file in the way, a full disk): the folder is no
                # longer as any build left it, so the build record sends the next build to a
                # new folder. Never a crash of every build from now on.
                shutil.rmtree(folder, ignore_errors=True)


def _leftover_updates(out_dir: Path) -> list[tuple[Path, dict[str, list[str]] | None]]:
    """Update folders of builds no longer running, with their journals (None: not committed)."""
    out_dir = out_dir.resolve()
    found: list[tuple[Path, dict[str, list[str]] | None]] = []
    for folder in out_dir.parent.glob(f".{out_dir.name}.update-*"):
        if _running(folder.name.rpartition("-")[2]):
            continue  # another build's, still going
        try:
            journal = json.loads((folder / _JOURNAL).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            journal = None
        if not _well_formed(journal):
            journal = None  # not committed, or by another version: the folder is not as it expects
        found.append((folder, journal))
    return found


def _well_formed(journal: object) -> bool:
    return isinstance(journal, dict) and journal.get("v") == _JOURNAL_VERSION \
        and all(isinstance(m, list) and len(m) == 2 and all(isinstance(x, str) for x in m) for m in journal["moves"]) \
        and all(isinstance(path, str) for path in journal["removed"])


def _running(pid: str) -> bool:
    if not pid.isdigit() or int(pid) == os.getpid():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # someone else's process
    return True


def publish(outputs: Iterable[Output], out_dir: Path) -> int:
    """Write ``outputs`` to a staging folder, then swap it into ``out_dir``. Returns the count."""
    staging = Staging(out_dir)
    try:
        count = staging.add(outputs)
    except BaseException:
        staging.discard()
        raise
    staging.swap()
    return count


def replace_file(root: Path, relative: str, data: bytes) -> None:
    """Write ``root/relative`` through a temporary file, so a reader never sees half of it."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


WRITERS = 4  # threads writing files: on a slow disk, four writes in flight take half the time of one


def write_tree(outputs: Iterable[Output], root: Path, written: dict[str, str] | None = None,
               made_dirs: set[Path] | None = None) -> int:
    """Write ``outputs`` under ``root``; ``written`` and ``made_dirs`` carry over between calls.

    Paths are checked and folders made here, in order; the files are then written by a few
    threads, which spend their time in system calls, outside the GIL.
    """
    written = {} if written is None else written
    made_dirs = set() if made_dirs is None else made_dirs
    jobs: list[tuple[str, bytes]] = []
    resolved_root = root.resolve()
    for output in outputs:
        relative = safe_relative(output.path)
        key = relative.as_posix()
        if key in written:
            raise OutputError(f"{output.source or '?'} and {written[key] or '?'} both write {key}",
                              output.source, written[key])
        written[key] = output.source
        target = root.joinpath(*relative.parts)
        if target.parent not in made_dirs:
            # Checked once per folder: a folder linked elsewhere would take its files along.
            # (The files themselves are new: the folder holds only what this call wrote.)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.parent.resolve().is_relative_to(resolved_root):
                raise OutputError(f"refusing to write {key!r}: outside the output folder")
            made_dirs.add(target.parent)
        jobs.append((str(target), output.data))
    _put_in_threads(jobs)
    return len(jobs)


def _put_in_threads(jobs: list[tuple[str, bytes]]) -> None:
    if len(jobs) < 4 * WRITERS:
        _put_all(jobs)
    else:
        with ThreadPoolExecutor(WRITERS) as pool:
            for _ in pool.map(_put_all, [jobs[n::WRITERS] for n in range(WRITERS)]):
                pass  # re-raises a worker's error here


def _put_all(jobs: list[tuple[str, bytes]]) -> None:
    for target, data in jobs:
        with open(target, "wb") as stream:
            stream.write(data)
