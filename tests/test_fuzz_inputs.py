"""Generated front matter and bodies: `build` and `check` never raise, every problem names
its file, and a failed build leaves the published folder byte-identical.

Like the adversarial run of 20,000 generated front matters, in a few dozen examples: values
YAML accepts but Python cannot hold, wrong types, paths onto the site's own files, ids the
theme uses, raw HTML.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sitebuilder import THEME, snapshot

from briefings.check import check_site
from briefings.pipeline import build

CONFIG = 'title = "简报"\nbase_url = "https://example.org/"\n'
GOOD = "---\ntitle: 课后服务推进会\ndate: 2023-06-15\ntags: [双减]\n---\n正文。\n"

KEYS = ["title", "date", "tags", "slug", "draft", "lang", "summary", "meeting", "chair", "attendees",
        "location", "translation_key", "aliases", "tag", "x"]
SCALARS = [
    "课后服务", "2023-06-15", "2023-02-30", "0000-01-01", "2023-13-01", "2023-01-01T25:00:00",
    "2023-01-01T09:00:00+99:00", "2023-06-15T09:00:00+08:00", "!!int 3.5", "!!float x", "!!binary xx",
    "9" * 5000, "1e999", ".nan", "~", "true", "yes", "0x1F", "[]", "{}", "[a, [b, {c: d}]]",
    '"/atom.xml"', '"/index.html"', '"/.briefings-manifest.json"', '"/a\\0b/"', '"' + "a" * 300 + '"',
    '"../../etc"', "ke-hou-fu-wu", "ab-" * 80 + "c", "&a [*a]", "!!set {a, b}", "!!timestamp 2023-02-30",
    '"\\x01\\x7f"', "zh", "en", "fr", "[" * 40 + "]" * 40,
]
BODIES = ["正文。", "# main", "## fn1", "正文[^1]。\n\n[^1]: 注释。", '<div id="site-search-q">x</div>',
          '<span id="main">x</span>', "<script>alert(1)</script>", "**一是深入学习贯彻。**全市", "[链接](#nowhere)",
          "![图](../../../etc/passwd)", "| a | b |\n|---|---|\n| 1 | 2 |", "\x00", "```\ncode\n```", "---"]


@st.composite
def briefing_file(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=6))
    lines = [f"{key}: {draw(st.sampled_from(SCALARS))}" for key in keys]
    body = "\n\n".join(draw(st.lists(st.sampled_from(BODIES), max_size=4)))
    if draw(st.booleans()):  # mostly there, so the values behind them are reached
        lines.insert(0, "title: 一")
        lines.insert(1, f"date: {draw(st.sampled_from(['2023-06-15', '2023-02-30', '2023-06-16']))}")
    return "---\n" + "\n".join(lines) + "\n---\n" + body + "\n"


TOML_VALUES = ['"课后服务"', "2023-06-15", "2023-02-30", "1979-05-27T07:32:00+08:00", "9" * 30, "inf", "nan",
               "[1, [2]]", "{a = 1}", "[" * 3000 + "]" * 3000, '"/atom.xml"', "true", '"\\u0000"']


@st.composite
def toml_file(draw: st.DrawFn) -> str:
    keys = draw(st.lists(st.sampled_from(KEYS), max_size=5, unique=True))
    lines = [f"{key} = {draw(st.sampled_from(TOML_VALUES))}" for key in keys]
    return "+++\n" + "\n".join(lines) + "\n+++\n" + draw(st.sampled_from(BODIES)) + "\n"


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(files=st.lists(briefing_file() | toml_file(), min_size=1, max_size=3))
def test_build_and_check_never_raise_and_a_failed_build_changes_nothing(files: list[str]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder) / "site"
        shutil.copytree(THEME, root / "themes" / "default")
        (root / "site.toml").write_text(CONFIG, encoding="utf-8")
        (root / "content").mkdir()
        (root / "content" / "good.md").write_text(GOOD, encoding="utf-8")
        out = root / "public"
        assert build(root, out, cache=True).ok
        published = snapshot(out)
        sources = {"site.toml", "content/good.md"}
        for n, text in enumerate(files):
            (root / "content" / f"g{n}.md").write_text(text, encoding="utf-8")
            sources.add(f"content/g{n}.md")
        result = build(root, out, cache=True)
        for diagnostic in result.diagnostics:
            assert diagnostic.path in sources, diagnostic.format()
        if not result.ok:
            assert snapshot(out) == published
            assert sorted(p.name for p in root.iterdir() if p.name.startswith(".public")) == []
        checked = check_site(root)
        for finding in checked.findings:
            assert finding.path in sources, finding.format()
        assert checked.has_errors or result.ok  # check reports all a build would, and its lint
