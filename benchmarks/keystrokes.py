"""Main-thread time per keystroke on the search page, in Chromium: typing stays responsive.

Usage: python benchmarks/keystrokes.py [N]

Builds the sample site plus N generated briefings (default 1000; shared corpus generator),
serves it, opens /search/ in Debian's Chromium (Playwright) and types each query key by key
(40 ms apart, as a quick typist), including bad ones (2,000 characters pasted, punctuation,
emoji, unbalanced quotes, a bare tag:). For each: the main thread's busy time over the typing
and until the results show (Chrome DevTools Protocol ``Performance.getMetrics``, TaskDuration)
divided by the keystrokes, and every task of 50 ms or more (Long Tasks API). Target: no task
of 50 ms or more, that is each keystroke answered in under 50 ms of main-thread time.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from browser import CHROMIUM_ARGS, serve_folder  # noqa: E402

from briefings.pipeline import Builder  # noqa: E402

GEN = ROOT.parent / "shared" / "corpus" / "gen_corpus.py"
QUERIES = ["课后服务", "kehoufuwu", "xiaoyuanzuqiu", "khfw", "课后fw", "ke hou fu wu", "campus safety",
           "tag:双减 课后", '"课后服务', "，。！？", "😀🎉", "tag:"]
PASTED = ["课" * 2000, "xiaoyuan足球 " * 160]
SETTLED = "() => document.getElementById('search-status').textContent !== ''"
LONG_TASKS = """() => { window.__long = [];
  new PerformanceObserver((l) => { for (const e of l.getEntries()) window.__long.push(Math.round(e.duration)); })
    .observe({ type: 'longtask' }); }"""


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1000
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "site"
        shutil.copytree(ROOT / "content", site / "content")
        shutil.copytree(ROOT / "themes" / "default", site / "themes" / "default")
        shutil.copy(ROOT / "site.toml", site / "site.toml")
        subprocess.run([sys.executable, str(GEN), str(site / "content" / "gen"), str(n), "--seed", "3"],
                       check=True, stdout=subprocess.DEVNULL)
        result = Builder(site, site / "public").build()
        if not result.ok:
            sys.exit("build failed")
        print(f"{len(result.site.briefings)} briefings; typing 40 ms a key\n")
        print("| query | keys | main thread ms / key | tasks ≥ 50 ms |")
        print("|---|---:|---:|---|")
        with serve_folder(site / "public", "/briefings/") as url, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
            for query in QUERIES + PASTED:
                page = browser.new_page()
                cdp = page.context.new_cdp_session(page)
                cdp.send("Performance.enable")
                page.goto(f"{url}search/", wait_until="networkidle")
                page.evaluate(LONG_TASKS)
                before = metric(cdp)
                page.locator("#search-q").focus()
                if query in PASTED:
                    page.locator("#search-q").fill(query)
                    keys = 1
                else:
                    page.keyboard.type(query, delay=40)
                    keys = len(query)
                page.wait_for_function(SETTLED)
                time.sleep(0.3)  # the long-task observer reports asynchronously
                busy = (metric(cdp) - before) * 1000
                long = page.evaluate("() => window.__long")
                label = query if len(query) < 20 else f"{query[:8]}… ({len(query)} chars, pasted)"
                print(f"| {label} | {keys} | {busy / keys:.1f} | {long or 'none'} |")
                page.close()
            browser.close()


def metric(cdp: object) -> float:
    metrics = cdp.send("Performance.getMetrics")["metrics"]  # type: ignore[attr-defined]
    return next(m["value"] for m in metrics if m["name"] == "TaskDuration")


if __name__ == "__main__":
    main()
