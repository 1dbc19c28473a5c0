"""Benchmark `briefings serve`: from a file's save to the rebuilt page being served.

Usage: python benchmarks/serve.py N [N ...] [--edits 20] [--keep]

For each N: generates N briefings with the shared corpus generator (../shared/corpus/
gen_corpus.py beside the repository, or $CORPUS_GEN), adds the repository's default theme
and a site.toml, starts the dev server (Builder + watcher + HTTP server) in a child process,
then saves edits one at a time and polls the server over HTTP until the edited page shows
the new text. Two kinds of edit, ``--edits`` of each: a sentence added to the end of a
body, and a new tag. Prints the median and 90th percentile of each, and how long the
child says each rebuild took (the rest is the watcher, the 50 ms debounce and polling).

The server runs in its own process so that polling does not compete with the rebuild for
the interpreter lock, as a browser would not.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GEN = Path(os.environ.get("CORPUS_GEN", Path(__file__).resolve().parents[2] / "shared/corpus/gen_corpus.py"))
SITE_TOML = """\
title = "教育简报"
base_url = "https://example.org/"
# With the day: at 10,000 briefings the generator repeats English titles within a month.
permalink = "/{year}/{month}/{day}/{slug}/"

[languages.zh]
title = "教育简报"

[languages.en]
title = "Education briefings"
"""
POLL = 0.002  # seconds between polls of the server
GIVE_UP = 300.0  # seconds; a rebuild with the search index at 10,000 briefings takes tens of seconds


def child(root: Path, log: Path) -> None:
    """Run the dev server; print its URL and each briefing's source → URL; stop when stdin closes."""
    sys.path.insert(0, str(ROOT))
    from briefings.serve import DevServer

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # stop the server (and remove its folder) when killed
    with log.open("w", encoding="utf-8") as stream:
        stream.reconfigure(line_buffering=True)
        server = DevServer(root, port=0, stream=stream)
        start = time.perf_counter()
        server.start()
        first = time.perf_counter() - start
        last = server.rebuilder.last if server.rebuilder else None
        if last is None or not last.ok:
            raise SystemExit(f"the first build failed: see {log}")
        site = last.site
        urls = {b.source: b.url for e in site.editions for b in e.briefings} if site else {}  # type: ignore[union-attr]
        print(json.dumps({"url": server.url, "first_build": first, "urls": urls}), flush=True)
        try:
            sys.stdin.read()  # the parent closes stdin when done
        finally:
            server.stop()


def make_site(folder: Path, n: int) -> Path:
    root = folder / "site"
    subprocess.run([sys.executable, str(GEN), str(root / "content"), str(n)], check=True, stdout=subprocess.DEVNULL)
    shutil.copytree(ROOT / "themes" / "default", root / "themes" / "default")
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    return root


def fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.read().decode("utf-8")
    except urllib.error.HTTPError:
        return ""


def timed_save(path: Path, text: str, url: str, expected: str) -> float:
    """Seconds from writing ``text`` to ``path`` until ``url`` serves ``expected``."""
    start = time.perf_counter()
    path.write_text(text, encoding="utf-8")
    while expected not in fetch(url):
        if time.perf_counter() - start > GIVE_UP:
            raise TimeoutError(f"{url} never showed {expected!r}")
        time.sleep(POLL)
    return time.perf_counter() - start


def body_edit(text: str, k: int) -> tuple[str, str]:
    marker = f"基准测试第{k}次修改正文"
    return text.rstrip("\n") + f"\n\n{marker}。\n", marker


def tag_edit(text: str, k: int) -> tuple[str, str]:
    tag = f"基准标签{k}"
    if re.search(r"^tags: \[", text, re.M):
        return re.sub(r"^tags: \[", f"tags: [{tag}, ", text, count=1, flags=re.M), tag
    return text.replace("\n---\n", f"\ntags: [{tag}]\n---\n", 1), tag


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def rebuild_times(log: Path, skip: int) -> list[float]:
    found = [float(m) for m in re.findall(r"^built in (\d+) ms", log.read_text(encoding="utf-8"), re.M)]
    return found[skip:]


def run(n: int, edits: int, keep: bool) -> dict[str, object]:
    folder = Path(tempfile.mkdtemp(prefix=f"briefings-bench-serve-{n}-"))
    try:
        root = make_site(folder, n)
        log = folder / "serve.log"
        proc = subprocess.Popen([sys.executable, __file__, "--child", str(root), str(log)],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        try:
            assert proc.stdout is not None and proc.stdin is not None
            info = json.loads(proc.stdout.readline())
            base, urls = info["url"].rstrip("/"), info["urls"]
            sources = sorted(urls)
            # Spread the edits over the site: old and new, Chinese and English briefings.
            picked = [sources[i * len(sources) // edits] for i in range(edits)]
            results: dict[str, list[float]] = {"body edit": [], "tag change": []}
            builds: dict[str, list[float]] = {}
            for label, change in (("body edit", body_edit), ("tag change", tag_edit)):
                before = len(rebuild_times(log, 0))
                for k, source in enumerate(picked):
                    path = root / source
                    text, expected = change(path.read_text(encoding="utf-8"), k)
                    results[label].append(timed_save(path, text, base + urls[source], expected))
                builds[label] = rebuild_times(log, before)
        finally:
            if proc.stdin:
                proc.stdin.close()
            proc.wait(timeout=300)
        return {"n": n, "first_build": info["first_build"], "results": results, "builds": builds}
    finally:
        if keep:
            print(f"kept {folder}", file=sys.stderr)
        else:
            shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000])
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--keep", action="store_true", help="keep the generated site and the server's log")
    parser.add_argument("--child", nargs=2, metavar=("ROOT", "LOG"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(Path(args.child[0]), Path(args.child[1]))
        return
    print(f"{'briefings':>9}  {'edit':<10}  {'median':>8}  {'p90':>8}  {'rebuild median':>14}  first build")
    for n in args.sizes:
        report = run(n, args.edits, args.keep)
        for label, values in report["results"].items():  # type: ignore[union-attr]
            built = report["builds"][label]  # type: ignore[index]
            rebuild = f"{statistics.median(built):11.0f} ms" if built else "—"
            print(f"{n:>9}  {label:<10}  {statistics.median(values) * 1000:5.0f} ms  "
                  f"{percentile(values, 0.9) * 1000:5.0f} ms  {rebuild:>14}  {report['first_build']:.1f} s")


if __name__ == "__main__":
    main()
