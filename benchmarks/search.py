"""Benchmark the search index on a generated corpus: build time, size, bytes per query.

Usage: python benchmarks/search.py N [N ...]   (e.g. 1000 10000)

Generates N briefings with /work/shared/corpus/gen_corpus.py (or $CORPUS_GEN), loads them
with a minimal loader (front matter + '## ' sections; the real pipeline will replace it),
builds the index, and replays each query with the browser's own code
(tests/js/replay.mjs) counting the bytes it fetches.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefings.model import Briefing, Section  # noqa: E402
from briefings.search import build_search_index  # noqa: E402

GEN = Path(os.environ.get("CORPUS_GEN", "/work/shared/corpus/gen_corpus.py"))
QUERIES = ["课后服务", "双减", "优质均衡", '"课后服务"', "kehoufuwu", "ke hou fu wu",
           "shuāngjiǎn", "khfw", "sj", "课后fw", "kehouf", "campus safety", "after-school"]
_BOLD = re.compile(r"\*\*|</?b>")


def load(path: Path, root: Path) -> Briefing:
    """Front matter and '## ' sections of one generated file (not the real loader)."""
    text = path.read_text(encoding="utf-8")
    _, front, body = text.split("---\n", 2)
    meta = yaml.load(front, Loader=yaml.CSafeLoader)
    sections, heading, anchor, lines = [], "", "", []
    for line in body.splitlines():
        if line.startswith("## "):
            if lines or heading:
                sections.append(Section(anchor, heading, _BOLD.sub("", "\n".join(lines)).strip()))
            heading, anchor, lines = line[3:].strip(), f"s{len(sections) + 1}", []
        else:
            lines.append(line)
    sections.append(Section(anchor, heading, _BOLD.sub("", "\n".join(lines)).strip()))
    date = meta["date"]
    if not isinstance(date, dt.datetime):
        date = dt.datetime.fromisoformat(str(date))
    rel = path.relative_to(root)
    slug = path.stem
    return Briefing(
        source=str(rel), title=str(meta["title"]), date=date, lang=meta.get("lang", "zh"),
        slug=slug, body_html="", summary=sections[0].text[:120], tags=tuple(meta.get("tags", ())),
        meeting=meta.get("meeting"), sections=tuple(sections),
        url=f"/{date:%Y/%m}/{slug}/",
    )


def main(sizes: list[int]) -> None:
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            subprocess.run([sys.executable, str(GEN), str(corpus), str(n)], check=True)
            paths = sorted(corpus.rglob("*.md"))
            briefings = [load(p, corpus) for p in paths]
            text_bytes = sum(p.stat().st_size for p in paths)
            section_bytes = sum(len(s.text.encode()) for b in briefings for s in b.sections)
            start, cpu, children = time.perf_counter(), time.process_time(), _children_cpu()
            files = build_search_index(briefings, base_path="/briefings")
            seconds = time.perf_counter() - start
            cpu_seconds = time.process_time() - cpu + _children_cpu() - children
            out = Path(tmp) / "site"
            for rel, data in files.items():
                (out / rel).parent.mkdir(parents=True, exist_ok=True)
                (out / rel).write_bytes(data)
            print(f"\n== {n} briefings: build {seconds:.2f} s wall, {cpu_seconds:.2f} s CPU "
                  f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
            print(f"  markdown {text_bytes / 1e6:.1f} MB, "
                  f"section text {section_bytes / 1e6:.1f} MB")
            report(files, out)


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def report(files: dict[str, bytes], out: Path) -> None:
    kinds: dict[str, list[int]] = {}
    for rel, data in files.items():
        parts = rel.split("/")
        kind = parts[2] if len(parts) > 3 else parts[-1]
        kinds.setdefault(kind, []).append(len(data))
    total = sum(len(d) for d in files.values())
    raw = sum(len(gzip.decompress(d)) if r.endswith(".bin") else len(d) for r, d in files.items())
    print(f"  index: {len(files)} files, {total / 1e6:.1f} MB gzip, {raw / 1e6:.1f} MB raw")
    for kind, sizes in sorted(kinds.items()):
        sizes.sort()
        print(f"  {kind:14} {len(sizes):6} files  total {sum(sizes) / 1e3:9.1f} KB  "
              f"median {sizes[len(sizes) // 2] / 1e3:6.1f} KB  max {sizes[-1] / 1e3:6.1f} KB")
    replay = ROOT / "tests" / "js" / "replay.mjs"
    if replay.exists():
        result = subprocess.run(["node", str(replay), str(out), json.dumps(QUERIES)],
                                check=True, capture_output=True, text=True)
        print(result.stdout, end="")


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000])
