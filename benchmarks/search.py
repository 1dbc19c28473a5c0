"""Benchmark search on a generated site built by the real pipeline: index time, size, bytes per query.

Usage: python benchmarks/search.py [N ...] [--browser-queries all|none|Q,Q] [--keep DIR]

For each N (default 1000): generates N briefings with the shared corpus generator
(../shared/corpus/gen_corpus.py beside the repository, or $CORPUS_GEN), adds the default theme
and a site.toml published under /briefings/, and builds it with ``briefings.pipeline.Builder``
— load, assemble, render, search index, write — as ``briefings build`` does. Then:

- the pipeline's step timings, and the index built once more on its own (wall and CPU, workers
  included);
- the index's size against the HTML's, and per kind of search file;
- every query replayed with the browser's own code under Node (tests/js/replay.mjs), cold,
  counting the bytes of the index files and the first 10 results' fragments;
- in Debian's Chromium through Playwright (``--browser-queries``, default 课后服务 and
  kehoufuwu), each query opened cold as /briefings/search/?q=… from the built folder, served
  the way a production server does (text files gzip-compressed, the .bin files as they are),
  summing the response bodies of every request but the page and its stylesheet: transferred
  (as sent) and decoded. Budgets: a first Chinese query < 100 KB, a first pinyin query < 120 KB.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from briefings.pipeline import Builder  # noqa: E402
from briefings.search import build_search_index  # noqa: E402

GEN = Path(os.environ.get("CORPUS_GEN", Path(__file__).resolve().parents[2] / "shared/corpus/gen_corpus.py"))
QUERIES = ["课后服务", "双减", "优质均衡", '"课后服务"', "kehoufuwu", "ke hou fu wu",
           "shuāngjiǎn", "khfw", "sj", "课后fw", "kehouf", "campus safety", "after-school",
           "zhangpeiyin", "zhaoxiaoding", "qxb", "judangzukuodahui", "課後服務", "schools",
           "xiaoyuanzuqiu", "xyzq", "校园zq", "chongqingyinhang", "ouyangzhenhua", "nüshēng", "rengongzhineng"]
BROWSER_QUERIES = ["课后服务", "kehoufuwu", "xiaoyuanzuqiu", "xyzq"]
BUDGET_CHINESE, BUDGET_PINYIN = 100_000, 100_000
BASE_PATH = "/briefings"
SITE_TOML = """\
title = "市教育局会议简报"
base_url = "https://example.gov.cn/briefings/"
default_language = "zh"
# With the day: at 10,000 briefings the generator repeats English titles within a month.
permalink = "/{year}/{month}/{day}/{slug}/"

[languages.zh]
title = "市教育局会议简报"

[languages.en]
title = "Municipal Education Bureau Briefings"
"""
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]
COMPRESSED = {".html", ".css", ".js", ".mjs", ".json", ".xml", ".txt"}


def make_site(folder: Path, n: int) -> Path:
    if not GEN.is_file():
        sys.exit(f"gen_corpus.py not found at {GEN} (set CORPUS_GEN)")
    subprocess.run([sys.executable, str(GEN), str(folder / "content"), str(n)], check=True, stdout=subprocess.DEVNULL)
    # and the relevance benchmark's planted briefings: words that occur once (校园足球联赛 …)
    from relevance.planted import PLANTED

    (folder / "content" / "planted").mkdir()
    for name, text in PLANTED.items():
        (folder / "content" / "planted" / name).write_text(text, encoding="utf-8")
    shutil.copytree(ROOT / "themes" / "default", folder / "themes" / "default")
    (folder / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    return folder


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def kb(n: float) -> str:
    return f"{n / 1000:.1f}"


def run(n: int, browser_queries: list[str], keep: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = make_site(Path(tmp) / "site", n)
        out = (keep / f"search-{n}") if keep else Path(tmp) / "out"
        start = time.perf_counter()
        result = Builder(site, out).build()
        wall = time.perf_counter() - start
        if not result.ok or result.site is None:
            sys.exit("\n".join(d.format() for d in result.diagnostics.errors)[:4000])
        steps = ", ".join(f"{step} {seconds:.2f}" for step, seconds in result.timings.items())
        print(f"\n== {n} briefings: pipeline {wall:.2f} s ({steps}) "
              f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")

        start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
        build_search_index(result.site.briefings, base_path=result.site.base_path)
        seconds = time.perf_counter() - start
        cpu_seconds = time.process_time() - cpu + _children_cpu() - children
        print(f"  index alone: {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU (workers included)")

        sizes(result.outputs)
        replayed = {r["query"]: r for r in replay(out, QUERIES)}
        measured = browse(out, browser_queries) if browser_queries else {}
        table(replayed, measured)
        if keep:
            print(f"  kept: {out}")


def sizes(outputs: list[Any]) -> None:
    search = {o.path: o.data for o in outputs if o.path.startswith("search/") and o.path != "search/index.html"}
    html = [o.data for o in outputs if o.path.endswith(".html")]
    html_bytes, html_gzip = sum(map(len, html)), sum(len(gzip.compress(h, 6)) for h in html)
    index_bytes = sum(map(len, search.values()))
    raw = sum(len(gzip.decompress(d)) if p.endswith(".bin") else len(d) for p, d in search.items())
    print(f"  HTML:  {len(html):6} pages {html_bytes / 1e6:7.1f} MB ({html_gzip / 1e6:.1f} MB gzip)")
    print(f"  index: {len(search):6} files {index_bytes / 1e6:7.1f} MB gzip ({raw / 1e6:.1f} MB raw) "
          f"= {index_bytes / html_bytes:.0%} of the HTML, {index_bytes / html_gzip:.0%} of it gzipped")
    kinds: dict[str, list[int]] = {}
    for path, data in search.items():
        parts = path.split("/")
        kinds.setdefault(parts[2] if len(parts) > 3 else parts[-1], []).append(len(data))
    for kind, values in sorted(kinds.items()):
        values.sort()
        print(f"    {kind:14} {len(values):6} files  total {kb(sum(values)):>9} KB  "
              f"median {kb(values[len(values) // 2]):>6} KB  max {kb(values[-1]):>6} KB")


def replay(out: Path, queries: list[str]) -> list[dict[str, Any]]:
    """Each query run cold by search-core.mjs under Node, reading the files from ``out``."""
    script = ROOT / "tests" / "js" / "replay.mjs"
    if shutil.which("node") is None:
        print("  (node not found: no replay)")
        return []
    result = subprocess.run(["node", str(script), str(out), json.dumps(queries), "--json"],
                            check=True, capture_output=True, text=True)
    return json.loads(result.stdout)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the built folder under BASE_PATH; text files gzip-compressed like a production server."""

    def translate_path(self, path: str) -> str:
        clean = urlsplit(path).path
        if not clean.startswith(BASE_PATH + "/"):
            return str(Path(self.directory) / ".outside")
        return super().translate_path(clean[len(BASE_PATH):])

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in COMPRESSED or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not path.is_file():
            return super().send_head()
        data = gzip.compress(path.read_bytes(), 6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        return io.BytesIO(data)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@contextmanager
def serving(folder: Path) -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Handler, directory=str(folder)))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{BASE_PATH}/"
    finally:
        server.shutdown()
        server.server_close()


SETTLED = """() => {
  const status = document.getElementById('search-status').textContent;
  return status !== '' && (document.querySelector('#search-results > li') !== null || !/\\d/.test(status));
}"""


def browse(out: Path, queries: list[str]) -> dict[str, dict[str, Any]]:
    """Each query opened cold in Chromium: bytes of every response but the page and its style."""
    executable = shutil.which("chromium")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        executable = None
    if executable is None:
        print("  (Chromium or Playwright not found: no browser measurement)")
        return {}
    measured: dict[str, dict[str, Any]] = {}
    with serving(out) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        for query in queries:
            context = browser.new_context()  # a cold cache
            page = context.new_page()
            finished: list[Any] = []
            page.on("requestfinished", lambda r, finished=finished: finished.append(r))
            start = time.perf_counter()
            page.goto(f"{base}search/?q={quote(query)}")
            page.wait_for_function(SETTLED)
            seconds = time.perf_counter() - start
            for url in page.evaluate("performance.getEntriesByType('resource').map((e) => e.name)"):
                if url not in {r.url for r in finished} and not url.endswith("/favicon.ico"):
                    page.wait_for_event("requestfinished", lambda r, url=url: r.url == url)
            parts = {"script": [0, 0], "entry": [0, 0], "index": [0, 0], "fragments": [0, 0]}
            for r in finished:
                if r.resource_type in ("document", "stylesheet"):
                    continue
                path = urlsplit(r.url).path
                kind = ("script" if path.endswith(("js", "mjs")) else "entry" if path.endswith("entry.json")
                        else "fragments" if "/f/" in path else "index")
                response = r.response()
                parts[kind][0] += r.sizes()["responseBodySize"]
                parts[kind][1] += len(response.body()) if response else 0
            measured[query] = {
                "sent": sum(p[0] for p in parts.values()), "decoded": sum(p[1] for p in parts.values()),
                "parts": {k: v[0] for k, v in parts.items()}, "requests": len(finished), "seconds": seconds,
                "shown": page.locator("#search-results > li").count(),
            }
            context.close()
        browser.close()
    return measured


def table(replayed: dict[str, dict[str, Any]], measured: dict[str, dict[str, Any]]) -> None:
    """A Markdown table: replayed bytes (index files + first 10 fragments; + the scripts gzipped) and,
    where measured, Chromium's: sent by a compressing server (scripts; entry; syllables, fold, pairs and
    term shards; fragments), sent by a server that compresses nothing, time to results, budget."""
    print("\n| query | hits | replay: index KB (entry+syl+fold+pairs, shards, fragments) | + scripts gzip KB "
          "| Chromium KB sent (scripts, entry, syl+fold+pairs+shards, fragments) | KB, server without gzip "
          "| ms to results | budget KB |")
    print("|---|---:|---:|---:|---:|---:|---:|---|")
    for query in QUERIES:
        r, m = replayed.get(query), measured.get(query)
        cells = [query.replace("|", "\\|"), "", "", "", "", "", "", ""]
        if r:
            b = r["bytes"]
            small = b["entry"] + b["syllables"] + b["fold"] + b["pairs"]
            cells[1:4] = [str(r["total"]), f"{kb(r['index'])} ({kb(small)}, "
                          f"{kb(b['shards'])}, {kb(b['fragments'])})", kb(r["withScriptGzip"])]
        if m:
            p, budget = m["parts"], BUDGET_PINYIN if re.search("[a-z]", query, re.I) else BUDGET_CHINESE
            cells[4:8] = [f"{kb(m['sent'])} ({kb(p['script'])}, {kb(p['entry'])}, {kb(p['index'])}, "
                          f"{kb(p['fragments'])})", kb(m["decoded"]), f"{m['seconds'] * 1000:.0f}",
                          f"{'ok' if m['sent'] < budget else 'OVER'} < {budget // 1000}"]
        print("| " + " | ".join(cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="*", default=[1000])
    parser.add_argument("--browser-queries", default=",".join(BROWSER_QUERIES),
                        help="'all', 'none' or queries separated by commas (default: %(default)s)")
    parser.add_argument("--keep", type=Path, help="write the built sites into this folder and keep them")
    args = parser.parse_args()
    choice = args.browser_queries
    queries = QUERIES if choice == "all" else [] if choice == "none" else choice.split(",")
    for n in args.sizes:
        run(n, queries, args.keep)


if __name__ == "__main__":
    main()
