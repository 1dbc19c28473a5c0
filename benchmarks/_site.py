"""Make a benchmark site of N generated briefings (shared by the benchmarks in this folder)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
GEN_CORPUS = REPO.parent / "shared" / "corpus" / "gen_corpus.py"

SITE_TOML = """title = "市教育局会议简报"
base_url = "https://example.gov.cn/"
default_language = "zh"

[languages.zh]
title = "市教育局会议简报"

[languages.en]
title = "Municipal Education Bureau Briefings"
"""


def make_site(root: Path, n: int) -> Path:
    """A site folder with ``n`` briefings from gen_corpus.py, the default theme and a site.toml."""
    if not GEN_CORPUS.is_file():
        sys.exit(f"gen_corpus.py not found at {GEN_CORPUS}")
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    subprocess.run([sys.executable, str(GEN_CORPUS), str(root / "content"), str(n)], check=True,
                   stdout=subprocess.DEVNULL)
    shutil.copytree(REPO / "themes" / "default", root / "themes" / "default")
    (root / "site.toml").write_text(SITE_TOML, encoding="utf-8")
    return root
