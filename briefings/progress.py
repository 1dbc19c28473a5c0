"""A one-line progress display for long builds: step, items done, items per second, ETA.

Shown only on an interactive terminal, never under ``CI`` or ``--quiet``, and only once a
build has run for a second: short builds print their result line and nothing else. The
line is redrawn in place (``\\r``) at most ten times a second and erased when the build ends.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import TextIO

# step, done, total (0 when unknown); called by the pipeline as work completes
ProgressCallback = Callable[[str, int, int], None]


def wanted(stream: TextIO, quiet: bool) -> bool:
    """Whether to show progress on ``stream``: a terminal, outside CI, without --quiet."""
    return not quiet and not os.environ.get("CI") and stream.isatty()


class Progress:
    def __init__(self, stream: TextIO, *, delay: float = 1.0, interval: float = 0.1,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.stream, self.delay, self.interval, self.clock = stream, delay, interval, clock
        self.started = clock()
        self._step = ""
        self._step_started = self.started
        self._drawn_at: float | None = None
        self.shown = False

    def __call__(self, step: str, done: int, total: int) -> None:
        now = self.clock()
        if step != self._step:
            self._step, self._step_started = step, now
        if now - self.started < self.delay:
            return
        if self._drawn_at is not None and now - self._drawn_at < self.interval and done != total:
            return
        self._drawn_at = now
        self.stream.write("\r" + line(step, done, total, now - self._step_started) + "\x1b[K")
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        """Erase the line, so the build's own report starts on a clean one."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
            self.shown = False


def line(step: str, done: int, total: int, elapsed: float) -> str:
    """``rendering 4,210/16,692 pages · 1,180/s · ETA 11 s``, or just the step when uncounted."""
    if total <= 0:
        return f"{step} …"
    text = f"{step} {done:,}/{total:,}"
    if elapsed > 0 and done > 0:
        rate = done / elapsed
        text += f" · {rate:,.0f}/s · ETA {max(0.0, (total - done) / rate):.0f} s"
    return text
