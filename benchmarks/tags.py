"""Time a cold build of a site whose one briefing carries N tags: the cost should grow
linearly with N (each tag is a page and a feed; none of them lists all N).

Usage: python benchmarks/tags.py 1000 2000 4000

Each build runs in a fresh process; prints wall seconds, seconds per tag, the bytes written
and the child's peak memory.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def make_site(root: Path, tags: int) -> None:
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    (root / "site.toml").write_text('title = "简报"\nbase_url = "https://example.org/"\n', encoding="utf-8")
    (root / "content").mkdir()
    names = ", ".join(f"主题{n}" for n in range(tags))
    (root / "content" / "a.md").write_text(
        f"---\ntitle: 课后服务推进会\ndate: 2023-06-15\ntags: [{names}]\n---\n正文。\n", encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("counts", nargs="+", type=int)
    args = parser.parse_args()
    print(f"{'tags':>6} {'seconds':>8} {'ms/tag':>7} {'MB out':>7} {'peak MB':>8}")
    for count in args.counts:
        with tempfile.TemporaryDirectory() as folder:
            site = Path(folder) / "site"
            make_site(site, count)
            before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
            start = time.perf_counter()
            done = subprocess.run([sys.executable, "-m", "briefings", "build", str(site), "--no-cache", "--quiet"],
                                  cwd=REPO, capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                sys.exit(done.stderr)
            peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) / 1024
            size = sum(p.stat().st_size for p in (site / "public").rglob("*") if p.is_file()) / 1e6
            print(f"{count:>6} {seconds:>8.2f} {seconds / count * 1000:>7.2f} {size:>7.1f} {peak:>8.0f}")


if __name__ == "__main__":
    main()
