"""WRITE: put rendered outputs on disk, all or nothing.

Everything is written into a staging folder beside the output folder, then swapped into
place, so a failed build — or a crash half-way — leaves the last published site exactly
as it was, and files of deleted briefings disappear with the old folder.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath


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


def publish(outputs: Iterable[Output], out_dir: Path, unchanged: Callable[[Output], Path | None] | None = None) -> int:
    """Write ``outputs`` to a staging folder, then swap it into ``out_dir``. Returns the count.

    ``unchanged`` names a published file that already holds an output's bytes: it is
    hard-linked into the staging folder instead of written (at 10,000 briefings, most of the
    files of a rebuild), and the old folder stays untouched until the swap all the same.
    """
    out_dir = out_dir.resolve()
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = out_dir.parent / f".{out_dir.name}.staging-{os.getpid()}"
    retired = out_dir.parent / f".{out_dir.name}.old-{os.getpid()}"
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    staging.mkdir()
    try:
        count = write_tree(outputs, staging, unchanged)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    if out_dir.exists():
        os.rename(out_dir, retired)
    os.rename(staging, out_dir)
    shutil.rmtree(retired, ignore_errors=True)
    return count


def replace_file(root: Path, relative: str, data: bytes) -> None:
    """Write ``root/relative`` through a temporary file, so a reader never sees half of it."""
    target = root / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, target)


def write_tree(outputs: Iterable[Output], root: Path, unchanged: Callable[[Output], Path | None] | None = None) -> int:
    written: dict[str, str] = {}
    made_dirs: set[Path] = set()
    for output in outputs:
        relative = safe_relative(output.path)
        key = relative.as_posix()
        if key in written:
            raise OutputError(f"{output.source or '?'} and {written[key] or '?'} both write {key}")
        written[key] = output.source
        target = root.joinpath(*relative.parts)
        if not target.resolve().is_relative_to(root.resolve()):
            raise OutputError(f"refusing to write {key!r}: outside the output folder")
        if target.parent not in made_dirs:
            target.parent.mkdir(parents=True, exist_ok=True)
            made_dirs.add(target.parent)
        earlier = unchanged(output) if unchanged is not None else None
        if earlier is not None:
            try:
                os.link(earlier, target)
                continue
            except OSError:  # gone, or a file system without hard links: write it
                pass
        target.write_bytes(output.data)
    return len(written)
