"""Benchmark `briefings import`: time per input size and shape (linear?), and a folder of many files.

Usage: python benchmarks/importer.py [--sizes 10000,20000,50000,100000] [--files 300]

1. For each shape (Han without stops, English, one line per 30 characters, HTML paragraphs,
   a real summary repeated, half-width commas, unclosed brackets) and each size: import_text's
   CPU time, best of 3. Linear time
   shows as a constant time per 10,000 characters across sizes.
2. A folder of --files documents (the fixtures copied round-robin, titles made distinct) imported
   into an empty site by `briefings import DIR`: total wall time, and time per file.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from briefings.cli import main  # noqa: E402
from briefings.importer import import_text  # noqa: E402

FIXTURES = ROOT / "tests" / "fixtures" / "import"


def shapes(size: int) -> dict[str, str]:
    han = "".join(chr(0x4E00 + (i * 7919) % 20000) for i in range(size))
    summary = (FIXTURES / "briefing_0615.txt").read_text(encoding="utf-8")
    return {
        "Han, no stops": han,
        "English words": " ".join(f"word{i}" for i in range(size // 5))[:size],
        "lines of 30": "\n".join(han[i:i + 30] for i in range(0, size, 30)),
        "HTML <p> of 50": "<p>" + "</p><p>".join(han[i:i + 50] for i in range(0, size, 50)) + "</p>",
        "summary repeated": (summary * (size // len(summary) + 1))[:size],
        "half-width commas": ("会议,强调" * (size // 5 + 1))[:size],
        "unclosed （": "（" * size,
    }


def best(text: str) -> float:
    """CPU seconds, best of 3: on a shared machine wall time measures the neighbours."""
    times = []
    for _ in range(3):
        began = time.process_time()
        import_text(text, year=2024)
        times.append(time.process_time() - began)
    return min(times)


def folder(count: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp, "site")
        (site / "content").mkdir(parents=True)
        shutil.copytree(ROOT / "themes" / "default", site / "themes" / "default")
        (site / "site.toml").write_text('title = "t"\nbase_url = "https://example.org/"\n', encoding="utf-8")
        inputs = Path(tmp, "archive")
        inputs.mkdir()
        sources = [p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".html")]
        for n in range(count):
            source = sources[n % len(sources)]
            raw = source.read_bytes()
            encoding = "gbk" if ".gbk" in source.name else "utf-8"
            text = raw.decode(encoding)
            # A distinct title per copy, so no copy is skipped as a duplicate.
            text = text.replace("召开", f"召开第{n}次")
            Path(inputs, f"{n:04d}-{source.name}").write_bytes(text.encode(encoding))
        began = time.perf_counter()
        import contextlib
        import io
        with contextlib.redirect_stdout(io.StringIO()) as out, contextlib.redirect_stderr(io.StringIO()):
            code = main(["import", str(inputs), "--date", "2024-01-01", "--site", str(site)])
        elapsed = time.perf_counter() - began
        written = len(list((site / "content").rglob("*.md")))
        summary = [line for line in out.getvalue().splitlines() if line.startswith("summary")]
        print(f"\nfolder of {count} files: {elapsed:.2f} s ({elapsed / count * 1000:.1f} ms a file), exit {code}, "
              f"{written} files written; {summary[0] if summary else 'no summary'}")


def run() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,20000,50000,100000")
    parser.add_argument("--files", type=int, default=300)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    print(f"{'shape':<18}" + "".join(f"{s:>12,}" for s in sizes) + "   (CPU seconds, best of 3)")
    for name in shapes(10):
        row = [best(shapes(size)[name]) for size in sizes]
        print(f"{name:<18}" + "".join(f"{t:>12.3f}" for t in row))
    if args.files:
        folder(args.files)


if __name__ == "__main__":
    run()
