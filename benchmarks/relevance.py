"""Relevance, measured side by side with Pagefind: recall@10 and MRR per query form.

Usage: python benchmarks/relevance.py [--generated N] [--keep DIR] [--no-pagefind]

The corpus: the sample site (content/ of this repository), N briefings (default 300) from the
shared generator (../shared/corpus/gen_corpus.py, seed 17) and the planted briefings of
relevance/planted.py, whose words occur nowhere else. relevance/queries.json holds the
judged queries (every query form of the search issue), each with the planted briefings it
must find; before measuring, the benchmark checks that each Han query's words are in those
briefings' visible text and in no other briefing.

Ours: every query replayed with the browser's own code under Node (tests/js/replay.mjs), the
first 10 results as a reader sees them (quoted phrases checked, filters applied).
Pagefind: `pagefind` (PyPI, the extended binary with its Chinese segmenter) indexes the same
built folder; its own pagefind.js answers each query in Chromium (Playwright), from a page in
the query's language (Pagefind keeps one index per `<html lang>`). Pages that are not briefings
(lists, tag pages) are skipped, and Pagefind is given the words of a filter query without the
`tag:`/`year:` syntax it does not have: both in its favour.

recall@10 = relevant briefings in the first 10 / min(10, relevant briefings); MRR = mean of
1 / rank of the first relevant briefing (0 if none in the first 10).
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from relevance.planted import PLANTED  # noqa: E402

from briefings.pipeline import Builder  # noqa: E402
from briefings.search.tokens import normalize  # noqa: E402

GEN = ROOT.parent / "shared" / "corpus" / "gen_corpus.py"
QUERIES = Path(__file__).resolve().parent / "relevance" / "queries.json"
HAN = re.compile("[\u3400-\u9fff]+")


def make_site(folder: Path, generated: int) -> Path:
    shutil.copytree(ROOT / "content", folder / "content")
    shutil.copy(ROOT / "site.toml", folder / "site.toml")
    shutil.copytree(ROOT / "themes" / "default", folder / "themes" / "default")
    subprocess.run([sys.executable, str(GEN), str(folder / "content" / "gen"), str(generated), "--seed", "17"],
                   check=True, stdout=subprocess.DEVNULL)
    planted = folder / "content" / "planted"
    planted.mkdir()
    for name, text in PLANTED.items():
        (planted / name).write_text(text, encoding="utf-8")
    return folder


def visible_text(b: Any) -> str:
    parts = [b.title, *b.tags, b.meeting or "", b.chair or "", *b.attendees, b.location or ""]
    parts += [f"{s.heading}\n{s.text}" for s in b.sections] or [b.summary]
    return normalize("\n".join(parts))


def check_judgements(briefings: list[Any], queries: list[dict[str, Any]]) -> list[str]:
    """Each Han word of a query in Han alone must be in its relevant briefings and in no other."""
    texts = {b.source: visible_text(b) for b in briefings}
    problems = []
    for q in queries:
        if re.search("[a-z]", re.sub(r"\w+:\S+", "", q["query"]), re.I):
            continue  # pinyin, mixed or English: its Han word is judged by its Han query
        words = [w for w in HAN.findall(normalize(re.sub(r"\w+:\S+", "", q["query"])))]
        for word in words:
            holders = {s for s, t in texts.items() if word in t}
            if holders != set(q["relevant"]):
                problems.append(f"{q['query']}: {word} is in {sorted(holders)[:5]}, judged {q['relevant']}")
    return problems


def ours(out: Path, queries: list[str], base: str) -> dict[str, list[str]]:
    replay = subprocess.run(["node", str(ROOT / "tests/js/replay.mjs"), str(out), json.dumps(queries), "--json"],
                            check=True, capture_output=True, text=True)
    return {r["query"]: [page(u["url"], base) for u in r["top"]] for r in json.loads(replay.stdout)}


def page(url: str, base: str) -> str:
    path = url.split("#")[0]
    path = re.sub(r"^https?://[^/]+", "", path)
    return path[len(base):] if base and path.startswith(base) else path


def pagefind(out: Path, queries: list[dict[str, Any]], base: str, briefing_urls: set[str],
             en_page: str) -> dict[str, list[str]]:
    from browser import CHROMIUM_ARGS, serve_folder
    from playwright.sync_api import sync_playwright

    subprocess.run([sys.executable, "-m", "pagefind", "--site", str(out)], check=True, capture_output=True)
    found: dict[str, list[str]] = {}
    script = """async ([queries, base, wanted]) => {
      const pf = await import(base + 'pagefind/pagefind.js');
      await pf.options({ baseUrl: base });
      await pf.init();
      const out = {};
      for (const q of queries) {
        const r = await pf.search(q);
        const urls = [];
        for (const hit of (r ? r.results : []).slice(0, 40)) {
          const d = await hit.data();
          const u = d.url.split('#')[0];
          if (wanted.includes(u) && !urls.includes(u)) urls.push(u);
          if (urls.length === 10) break;
        }
        out[q] = urls;
      }
      return out;
    }"""
    with serve_folder(out, base) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=CHROMIUM_ARGS)
        for lang, start in (("zh", url), ("en", url.rstrip("/") + "/" + en_page.lstrip("/"))):
            batch = [q for q in queries if (q["form"] == "English") == (lang == "en")]
            texts = [re.sub(r"\b(tag|year|meeting|lang):\S*", "", q["query"]).strip() or q["query"] for q in batch]
            p = browser.new_page()
            p.goto(start)
            wanted = [base.rstrip("/") + u for u in briefing_urls]
            answers = p.evaluate(script, [texts, base, wanted])
            for q, text in zip(batch, texts, strict=True):
                found[q["query"]] = [page(u, base.rstrip("/")) for u in answers.get(text, [])]
            p.close()
        browser.close()
    return found


def score(results: dict[str, list[str]], queries: list[dict[str, Any]], url_of: dict[str, str]) -> dict[str, Any]:
    by_form: dict[str, list[tuple[float, float]]] = defaultdict(list)
    misses = []
    for q in queries:
        relevant = {url_of[s] for s in q["relevant"]}
        top = results.get(q["query"], [])[:10]
        recall = len(relevant & set(top)) / min(10, len(relevant))
        rank = next((i + 1 for i, u in enumerate(top) if u in relevant), None)
        by_form[q["form"]].append((recall, 1 / rank if rank else 0.0))
        if recall < 1:
            misses.append(q["query"])
    table = {form: (sum(r for r, _ in v) / len(v), sum(m for _, m in v) / len(v), len(v))
             for form, v in by_form.items()}
    return {"forms": table, "misses": misses}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated", type=int, default=300)
    parser.add_argument("--keep", type=Path)
    parser.add_argument("--no-pagefind", action="store_true")
    args = parser.parse_args()
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))["queries"]
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        if folder.exists() and args.keep:
            shutil.rmtree(folder)
        site = make_site(folder / "site", args.generated)
        out = folder / "out"
        start = time.perf_counter()
        result = Builder(site, out).build()
        if not result.ok or result.site is None:
            sys.exit("\n".join(d.format() for d in result.diagnostics.errors)[:4000])
        briefings = list(result.site.briefings)
        print(f"corpus: {len(briefings)} briefings ({len(PLANTED)} planted), built in "
              f"{time.perf_counter() - start:.1f} s; {len(queries)} judged queries")
        problems = check_judgements(briefings, queries)
        for problem in problems:
            print("  judgement check:", problem)
        if problems:
            sys.exit("the planted words are not where the judgements say")
        base = result.site.base_path
        url_of = {b.source: b.url for b in briefings}
        en_page = next((b.url for b in briefings if b.lang == "en"), "/")
        mine = score(ours(out, [q["query"] for q in queries], base), queries, url_of)
        theirs = None if args.no_pagefind else score(
            pagefind(out, queries, base + "/", set(url_of.values()), en_page), queries, url_of)
    forms = list(dict.fromkeys(q["form"] for q in queries))
    print("\n| query form | queries | briefings: recall@10 | MRR | Pagefind: recall@10 | MRR |")
    print("|---|---:|---:|---:|---:|---:|")
    for form in forms:
        r, m, n = mine["forms"][form]
        cells = [form, str(n), f"{r:.2f}", f"{m:.2f}"]
        if theirs:
            pr, pm, _ = theirs["forms"][form]
            cells += [f"{pr:.2f}", f"{pm:.2f}"]
        else:
            cells += ["–", "–"]
        print("| " + " | ".join(cells) + " |")
    print(f"\nbriefings missed: {mine['misses'] or 'none'}")
    if theirs:
        print(f"Pagefind missed {len(theirs['misses'])} of {len(queries)}")


if __name__ == "__main__":
    main()
