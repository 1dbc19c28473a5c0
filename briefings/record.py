"""What the last command-line build read and wrote, so the next one can skip what is unchanged.

Kept in ``SITE/.briefings-cache/build.pickle`` beside the parse cache:

* ``inputs``: a hash of everything a build reads — the package's code and its libraries'
  versions, site.toml, the build options, and the path, size and mtime of every file under
  content/, the theme, templates/ and static/.
  When it is unchanged, and the output folder is still exactly as the build left it (every
  file's size and mtime), the build has nothing to do: it says so and re-reports the
  warnings it gave. At 10,000 briefings that check takes under a second; the build, a minute.
* ``outputs``: a hash of each file it published, so the next build hard-links the files
  whose bytes are unchanged into its staging folder instead of writing them again (the
  publish stays all-or-nothing: the old folder is untouched until the swap).
* the search index with a key of the briefings it was built from, reused while those are
  the same (a template edit re-renders every page but leaves the index as it was).

Delete the folder at any time; ``--no-cache`` ignores it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .cache import code_fingerprint, read_cached, write_cached
from .config import SiteConfig, theme_dir
from .content import CONTENT_DIR
from .diagnostics import Diagnostic
from .output import Output

_RECORD = "build.pickle"
_SEARCH = "search.pickle"


def output_digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def _file_stamps(folder: Path, follow: bool = False) -> Iterable[tuple[str, int, int]]:
    """(path relative to ``folder``, size, mtime) of every file under it, sorted; hidden ones too.

    ``follow``: through symbolic links, as the build reads sources (a linked stylesheet or
    folder of briefings changes when its target does); each real folder is walked once.
    """
    found: list[tuple[str, int, int]] = []
    skip = len(str(folder)) + 1  # entry paths start with the folder's and a separator
    pending, seen = [str(folder)], set()
    while pending:
        current = pending.pop()
        try:
            entries = list(os.scandir(current))
            if follow:
                stat = os.stat(current)
                if (stat.st_dev, stat.st_ino) in seen:
                    continue  # a link back up the tree
                seen.add((stat.st_dev, stat.st_ino))
        except (FileNotFoundError, NotADirectoryError):
            continue
        for entry in entries:  # plain strings: at 100,000 briefings this walks 270,000 files
            try:
                if entry.is_dir(follow_symlinks=follow):
                    pending.append(entry.path)
                    continue
                stat = entry.stat(follow_symlinks=follow)
            except FileNotFoundError:  # a dangling link, or a file gone meanwhile
                continue
            found.append((entry.path[skip:].replace(os.sep, "/"), stat.st_size, stat.st_mtime_ns))
    return sorted(found)


def inputs_stamp(config: SiteConfig, options: object) -> str:
    """A hash of everything a build reads (see the module's notes); ``options`` without the clock."""
    root = config.root
    digest = hashlib.sha256()
    digest.update(code_fingerprint().encode())
    digest.update(repr(config).encode())
    digest.update(repr(options).encode())
    # Every file under content/, not only the briefings: one walk, and a stray file costs a rebuild at worst.
    for folder in (root / CONTENT_DIR, theme_dir(config), root / "templates", root / "static", root / "archetypes"):
        digest.update(f"{folder}\n".encode())
        for stamp in _file_stamps(folder, follow=True):
            digest.update(repr(stamp).encode())
    return digest.hexdigest()


def outputs_stamp(out_dir: Path) -> str:
    """A hash of the output folder's files by path, size and mtime: any change by hand shows."""
    digest = hashlib.sha256()
    for stamp in _file_stamps(out_dir):
        digest.update(repr(stamp).encode())
    return digest.hexdigest()


@dataclass
class BuildRecord:
    inputs: str = ""
    out_dir: str = ""
    outputs_stamp: str = ""
    # a build made before this moment stays right until it: a future-dated briefing comes out then
    valid_until: dt.datetime | None = None
    pages: int = 0
    diagnostics: list[Diagnostic] = field(default_factory=list)  # warnings to report again
    outputs: dict[str, bytes] = field(default_factory=dict)  # output path → output_digest

    @classmethod
    def of(cls, inputs: str, out_dir: Path, digests: dict[str, bytes], pages: int,
           diagnostics: Iterable[Diagnostic], valid_until: dt.datetime | None) -> BuildRecord:
        """The record of a build just published into ``out_dir``; ``digests`` by output path."""
        return cls(inputs, str(out_dir.resolve()), outputs_stamp(out_dir), valid_until, pages, list(diagnostics),
                   digests)

    def intact(self, out_dir: Path) -> bool:
        """Whether ``out_dir`` holds exactly what this record's build published there."""
        return bool(self.out_dir) and str(out_dir.resolve()) == self.out_dir and out_dir.is_dir() \
            and outputs_stamp(out_dir) == self.outputs_stamp

    def up_to_date(self, inputs: str, now: dt.datetime) -> bool:
        """Whether a build of these inputs now would publish what this record's build did."""
        return inputs == self.inputs and (self.valid_until is None or now < self.valid_until)

    def finder(self, digests: dict[str, bytes]) -> Callable[[Output], Path | None]:
        """For ``publish``: the published file that already holds an output's bytes, if any.

        ``digests`` are the new outputs' by path; call only when the folder is ``intact``.
        """
        def published(output: Output) -> Path | None:
            same = self.outputs.get(output.path) == digests[output.path]
            return Path(self.out_dir) / output.path if same else None

        return published


def load_record(root: Path) -> BuildRecord:
    record = read_cached(root, _RECORD)
    return record if isinstance(record, BuildRecord) else BuildRecord()


def save_record(root: Path, record: BuildRecord) -> None:
    write_cached(root, _RECORD, record)


def load_search(root: Path, key: str) -> list[Output] | None:
    """The search index built from briefings with this key, if the last one was."""
    stored = read_cached(root, _SEARCH)
    if isinstance(stored, tuple) and len(stored) == 2 and stored[0] == key:
        return stored[1]
    return None


def save_search(root: Path, key: str, outputs: list[Output]) -> None:
    write_cached(root, _SEARCH, (key, outputs))
