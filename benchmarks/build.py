"""Time cold full builds of N generated briefings: median wall time, pages per second, peak memory.

Usage: python benchmarks/build.py N [--runs 3]

Each build runs in a fresh process (`python -m briefings build`), so imports, caches and
memory are those a user's build has; peak memory is the child's maximum resident size.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _site import REPO, make_site


def timed_build(site: Path, out: Path) -> tuple[float, int, float]:
    """(wall seconds, pages, peak RSS in MB) of one build in a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "briefings", "build", str(site), "-o", str(out), "--no-cache"],
                          cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"build failed:\n{done.stderr[-2000:]}")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    pages = int(re.search(r"built (\d+) pages", done.stdout).group(1))
    # ru_maxrss of children is the largest child so far; runs are alike, so the max is the figure.
    return wall, pages, max(peak, before) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(Path(tmp) / "site", args.n)
        walls, peak, pages = [], 0.0, 0
        for run in range(args.runs):
            wall, pages, peak = timed_build(site, Path(tmp) / f"out{run}")
            walls.append(wall)
        median = statistics.median(walls)
        print(f"briefings: {args.n}  pages written: {pages}  runs: {args.runs}")
        print(f"cold build  median {median:.2f} s  (runs: {', '.join(f'{w:.2f}' for w in walls)})")
        print(f"pages/s     {pages / median:.0f}")
        print(f"peak memory {peak:.0f} MB")


if __name__ == "__main__":
    main()
