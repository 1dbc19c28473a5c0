"""One build of floor.py, in its own process: ``python _floor_child.py MODE SITE OUT [BODIES]``.

MODE ``one-process``: no worker processes, the search index built in this process, so
every step's time in ``--profile`` is CPU time spent on that step alone.
MODE ``no-markdown``: every body's Markdown was rendered beforehand (BODIES, a pickle made
by MODE ``prepare``), so the build spends no time parsing Markdown: what a parser that
cost nothing would give. Loading them is not the build's time: it is printed, to be taken off.
"""

from __future__ import annotations

import os
import pickle
import sys
import time
from pathlib import Path


def prepare(site: Path, bodies: Path) -> None:
    from briefings.content import briefing_files, decode_source
    from briefings.frontmatter import split
    from briefings.markdown import render_markdown

    rendered = {}
    for path in briefing_files(site):
        body = split(decode_source(path.read_bytes())).body
        rendered[body] = render_markdown(body)
    bodies.write_bytes(pickle.dumps(rendered, protocol=pickle.HIGHEST_PROTOCOL))


def main() -> None:
    mode, site, out = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
    if mode == "prepare":
        prepare(site, Path(sys.argv[4]))
        return
    if mode == "one-process":
        os.cpu_count = lambda: 1  # parse, render and index workers: none
        import briefings.pipeline

        briefings.pipeline.FORK_INDEX_FROM = 10**9  # the index too, in this process
    elif mode == "no-markdown":
        import briefings.content

        start = time.perf_counter()
        rendered = pickle.loads(Path(sys.argv[4]).read_bytes())
        briefings.content.render_markdown = rendered.__getitem__  # type: ignore[assignment]
        print(f"not the build's: {time.perf_counter() - start:.3f} s", flush=True)  # floor.py subtracts it
    else:
        sys.exit(f"unknown mode {mode!r}")
    from briefings.cli import main as briefings_main

    sys.exit(briefings_main(["build", str(site), "-o", str(out), "--profile"]))


if __name__ == "__main__":
    main()
