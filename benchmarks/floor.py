"""Where a cold build's time goes, and how fast it could be with Markdown parsing for free.

Usage: python benchmarks/floor.py N [--runs 3]

For N generated briefings, each build in a fresh process with no cache and no output:
  hugo         Hugo, as in scale.py (pages and tag pages, minimal layouts)
  cold         `briefings build`, as users run it: workers on every core
  one process  the same build with no worker processes: each step's time is the CPU it
               costs, and their sum is what the cores share in a parallel build
  no markdown  a cold build whose bodies' Markdown was rendered beforehand (not timed): the
               best any faster Markdown parser could give, the rest of the build unchanged
Prints median wall seconds, CPU seconds (user + system, every process), the ratio to Hugo's
wall time from the same run, and the median time of each pipeline step (``--profile``).
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _site import REPO, make_site
from scale import hugo_runs

CHILD = Path(__file__).resolve().parent / "_floor_child.py"
STEPS = ("load", "assemble", "search", "render", "write", "record")


def measured(command: list[str]) -> tuple[float, float, dict[str, float]]:
    """(wall s, CPU s of the command and its children, seconds per step from --profile)."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "cpu %U %S", *command], cwd=REPO, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    user, system = map(float, re.findall(r"^cpu (\S+) (\S+)$", done.stderr, re.M)[-1])
    for seconds in re.findall(r"^not the build's: (\S+) s$", done.stdout, re.M):  # loading the bodies
        wall -= float(seconds)
        user -= float(seconds)
    steps = {step: int(ms) / 1000 for step, ms in re.findall(r"^\s+(\w+)\s+(\d+) ms$", done.stdout, re.M)}
    return wall, user + system, steps


def bench(n: int, runs: int, tmp: Path) -> dict[str, tuple[float, float, dict[str, float]]]:
    site = make_site(tmp / f"site{n}", n)
    out = tmp / f"out{n}"
    bodies = tmp / f"bodies{n}.pickle"
    subprocess.run([sys.executable, str(CHILD), "prepare", str(site), str(out), str(bodies)], check=True)
    commands = {
        "cold": [sys.executable, "-m", "briefings", "build", str(site), "-o", str(out), "--profile"],
        "one process": [sys.executable, str(CHILD), "one-process", str(site), str(out)],
        "no markdown": [sys.executable, str(CHILD), "no-markdown", str(site), str(out), str(bodies)],
    }
    runs_of: dict[str, list[tuple[float, float, dict[str, float]]]] = {name: [] for name in commands}
    for _ in range(runs):  # the variants take turns, so a slow spell of the disk hits each alike
        for name, command in commands.items():
            shutil.rmtree(site / ".briefings-cache", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            runs_of[name].append(measured(command))
    hugo = hugo_runs(site, tmp / f"hugo{n}", runs, tmp.parent)
    results = {"hugo": (statistics.median(w for w, _ in hugo), float("nan"), {})}
    for name, each in runs_of.items():
        steps = {step: statistics.median(s.get(step, 0.0) for _, _, s in each) for step in STEPS}
        results[name] = (statistics.median(w for w, _, _ in each), statistics.median(c for _, c, _ in each), steps)
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        print(f"{'N':>7} {'variant':<12} {'wall s':>7} {'CPU s':>7} {'vs Hugo':>8} "
              + " ".join(f"{step:>8}" for step in STEPS))
        for n in args.sizes:
            results = bench(n, args.runs, Path(folder))
            hugo = results["hugo"][0]
            for name, (wall, cpu, steps) in results.items():
                print(f"{n:>7} {name:<12} {wall:7.2f} {cpu:7.1f} {wall / hugo:8.2f} "
                      + " ".join(f"{steps.get(step, float('nan')):8.2f}" for step in STEPS), flush=True)


if __name__ == "__main__":
    main()
