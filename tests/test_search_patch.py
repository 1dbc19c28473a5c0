"""An index patched for edited bodies is byte for byte the index a cold build makes."""

from __future__ import annotations

import pytest
from sitebuilder import make_site
from test_incremental import touch

from briefings.pipeline import build
from briefings.search import index as index_module
from briefings.search.index import build_index
from briefings.search.patch import patch_index

THEMES = ["双减", "课后服务", "中考", "校园安全", "教师队伍"]
CONFIG = """title = "简报"
base_url = "https://example.org/"
default_language = "zh"

[languages.zh]
title = "简报"

[languages.en]
title = "Briefings"
"""


def corpus(n: int) -> str:
    """``n`` briefings of different lengths and words, a few in English."""
    files = []
    for k in range(n):
        lang = "en" if k % 9 == 4 else "zh"
        body = "\n\n".join(
            f"会议第{k}项议题讨论了{THEMES[(k + j) % 5]}工作，要求各区{'认真' * (j % 3)}落实。"
            if lang == "zh" else f"Item {j} of meeting {k} on after-school services and safety."
            for j in range(1 + k % 7)
        )
        files.append(
            f"-- content/{k:03d}.md --\n---\ntitle: 第{k}次局长办公会\ndate: 2023-{1 + k % 12:02d}-{1 + k % 28:02d}\n"
            f"lang: {lang}\ntags: [{THEMES[k % 5]}]\nmeeting: 局长办公会\n---\n\n"
            f"{body}\n\n## 下一步工作\n\n抓好落实{k}。\n"
        )
    return "".join(files)


def briefings_of(root):
    result = build(root, write=False)
    assert result.ok, [d.format() for d in result.diagnostics]
    return list(result.site.briefings)


EDITS = {
    "appended": lambda text: text + "\n补充说明：继续做好课后服务。\n",
    "new characters": lambda text: text + "\n新增龘靐齉爩等罕见字，以及 brand-new English words.\n",
    "paragraph removed": lambda text: text.replace("抓好落实", ""),
    "much longer": lambda text: text + "\n" + "各区要把课后服务作为民生实事抓紧抓好。" * 40 + "\n",
}


@pytest.mark.parametrize("edit", EDITS)
def test_a_patched_index_is_the_cold_index(tmp_path, edit):
    site = make_site(tmp_path, corpus(60), config=CONFIG)
    before = briefings_of(site.root)
    index = build_index(before, base_path="")
    patched_some = 0
    for k in (3, 14, 25, 37, 58):
        path = site.root / "content" / f"{k:03d}.md"
        touch(path, EDITS[edit](path.read_text(encoding="utf-8")))
        after = briefings_of(site.root)
        patched = patch_index(index, before, after, {f"content/{k:03d}.md"})
        cold = build_index(after, base_path="")
        if patched is not None:
            patched_some += 1
            assert patched.files() == cold.files()
            assert patched == cold
        before, index = after, cold
    # Most edits are patched, not built again; on 60 briefings, one 40 sentences longer moves the
    # average length (and with it other briefings' impacts) or the shard count at times.
    assert patched_some >= (1 if edit == "much longer" else 4)


def test_what_the_lists_read_is_not_patched(tmp_path):
    site = make_site(tmp_path, corpus(60), config=CONFIG)
    before = briefings_of(site.root)
    index = build_index(before, base_path="")
    path = site.root / "content" / "014.md"
    touch(path, path.read_text(encoding="utf-8").replace("title: 第14次", "title: 第十四次"))
    assert patch_index(index, before, briefings_of(site.root), {"content/014.md"}) is None  # a title


def test_an_index_of_other_briefings_is_not_patched(tmp_path):
    site = make_site(tmp_path, corpus(60), config=CONFIG)
    before = briefings_of(site.root)
    stale = build_index(before[:-1], base_path="")
    path = site.root / "content" / "014.md"
    touch(path, path.read_text(encoding="utf-8") + "\n补充。\n")
    assert patch_index(stale, before, briefings_of(site.root), {"content/014.md"}) is None


def test_an_edited_sentence_changes_a_few_groups_of_files(tmp_path, monkeypatch):
    """What an incremental build writes: the groups of the shards that changed, the edited
    briefing's group of fragments, the entry, the pair shards whose counts changed; most
    groups stay as they were."""
    monkeypatch.setattr(index_module, "MAX_GROUPS", 10)  # 60 briefings in groups of 6, as 10,000 go in 100s
    monkeypatch.setattr(index_module, "SHARD_TARGET", 300)  # and their terms in many shards
    site = make_site(tmp_path, corpus(60), config=CONFIG)
    before = briefings_of(site.root)
    index = build_index(before, base_path="")
    path = site.root / "content" / "014.md"
    touch(path, path.read_text(encoding="utf-8").replace("抓好落实", "抓紧落实"))  # a word, same length
    after = briefings_of(site.root)
    patched = patch_index(index, before, after, {"content/014.md"})
    assert patched is not None
    old, new = index.files(), patched.files()
    changed = {p for p in new if old.get(p) != new[p]}
    shards = {n for n, (a, b) in enumerate(zip(index.shards, patched.shards, strict=True)) if a != b}
    size = index_module.group_size(len(patched.shards))
    written = {int(p.rsplit("/", 1)[1][:-4]) for p in changed if p.startswith("search/t/")}
    assert shards and written == {n for n in range(len(patched.shards)) if n // size in {s // size for s in shards}}, \
        "whole groups of the shards that changed, and only those"
    assert len(written) < len(patched.shards)
    assert len([p for p in changed if p.startswith("search/f/")]) == 6, "one group of fragments"
    # 抓好落实 → 抓紧落实: the pairs 抓好 好落 抓紧 紧落 (zhua hao luo jin), filed under z, h, j
    assert {p.rsplit("/", 1)[1][0] for p in changed if p.startswith("search/p/")} == {"z", "h", "j"}, \
        "the groups of pair shards holding the pairs whose counts changed, only those"
    assert "search/entry.json" in changed
