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

import json
import os
import shutil
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any


class OutputError(ValueError):
    """A path that would leave the output folder, or a second write to one path."""


@dataclass(frozen=True)
class Output:
    path: str  # relative to the output folder, '/'-separated
    data: bytes
    source: str = ""  # what produced it, for messages


def safe_relative(path: str) -> PurePosixPath:
    """The output-relative path, or OutputError when it could escape the output folder."""
    pure = PurePosixPath(path)
    if not path or pure.is_absolute() or "\\" in path or any(part in {"..", "."} for part in pure.parts):
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
        for leftover in (self.folder, self._retired):
            if leftover.exists():
                shutil.rmtree(leftover)
        self.folder.mkdir()
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
                raise OutputError(f"{output.source or '?'} and {self._sources[path] or '?'} both write {path}")
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
        _apply(self.folder, self.out_dir, journal)

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


def _apply(folder: Path, out_dir: Path, journal: dict[str, Any]) -> None:
    """Carry out a journal, in an order a reader of the live site barely notices: new files
    first, the search entry file (which names the index's folders) after them, and files
    the site no longer has last — except those in the way of a new file (a file giving way
    to a folder of the same name)."""
    moves: list[tuple[str, str]] = journal["moves"]
    removed: list[str] = journal["removed"]
    folders = {os.path.dirname(path) for path, _ in moves}
    _remove(out_dir, [path for path in removed
                      if path in folders or any(f.startswith(path + "/") for f in folders)])
    staging, root = str(folder), str(out_dir)
    for path, name in sorted(moves, key=lambda move: move[0].endswith("entry.json")):
        staged, target = os.path.join(staging, name), os.path.join(root, path)
        try:
            os.replace(staged, target)
        except FileNotFoundError:
            if not os.path.exists(staged):
                continue  # moved before the build that staged it was stopped
            os.makedirs(os.path.dirname(target), exist_ok=True)  # a new folder of the site
            os.replace(staged, target)
    _remove(out_dir, removed)
    shutil.rmtree(folder)


def _remove(out_dir: Path, paths: Iterable[str]) -> None:
    for path in paths:
        target = out_dir / path
        target.unlink(missing_ok=True)
        parent = target.parent
        while parent != out_dir:  # folders the removals emptied go too, as in a fresh build
            try:
                parent.rmdir()
            except OSError:
                break
            parent = parent.parent


def finish_interrupted(out_dir: Path) -> None:
    """Complete an update a stopped build had committed to, or drop one it had not."""
    for folder, journal in _leftover_updates(out_dir):
        if journal is None:
            shutil.rmtree(folder, ignore_errors=True)  # stopped while staging: the folder is as it was
        else:
            _apply(folder, out_dir.resolve(), journal)


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
            raise OutputError(f"{output.source or '?'} and {written[key] or '?'} both write {key}")
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
