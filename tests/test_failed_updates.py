"""A failed build leaves the published folder byte-identical, and the next build recovers.

An alias onto one of the site's own files once had an incremental build move half its files
in, then crash every later build until `--no-cache`.
"""

from __future__ import annotations

import os

import pytest
from sitebuilder import make_site, snapshot

from briefings.cli import main

FILES = """\
-- content/2023/a.md --
---
title: 课后服务推进会
date: 2023-06-15
---
正文。
"""


def bad_briefing(key_line: str) -> str:
    return f"---\ntitle: 新的简报\ndate: 2023-07-01\n{key_line}\n---\n正文。\n"


LONG = "a" * 300


@pytest.mark.parametrize(("key_line", "line"), [
    ('aliases: ["/atom.xml"]', 4),
    ('aliases: ["/index.html"]', 4),
    ('aliases: ["/.briefings-manifest.json"]', 4),
    ('aliases: ["/.briefings-output"]', 4),
    ('aliases: ["/sitemap.xml"]', 4),
    ('aliases: ["/search/entry.json"]', 4),
    (f'aliases: ["/{LONG}/"]', 4),
    ('aliases: ["/a\\0b/"]', 4),
    (f"slug: {'ab-' * 100}c", 4),
])
def test_a_bad_output_path_is_refused_before_the_update_and_the_next_build_recovers(
        tmp_path, capsys, key_line, line):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "--quiet"]) == 0
    published = snapshot(site.out)
    bad = site.root / "content/2023/b.md"
    bad.write_text(bad_briefing(key_line), encoding="utf-8")
    assert main(["build", str(site.root), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert f"content/2023/b.md:{line}: error:" in err, err
    assert "Traceback" not in err
    assert snapshot(site.out) == published
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".public")) == []
    bad.unlink()
    assert main(["build", str(site.root), "--quiet"]) == 0
    capsys.readouterr()
    recovered = snapshot(site.out)
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    assert snapshot(site.out) == recovered


def test_a_cold_build_names_the_briefing_too(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    (site.root / "content/2023/b.md").write_text(bad_briefing('aliases: ["/atom.xml"]'), encoding="utf-8")
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 1
    assert "content/2023/b.md:4: error:" in capsys.readouterr().err
    assert not site.out.exists()


def test_a_move_that_fails_rolls_the_update_back(tmp_path, capsys, monkeypatch):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "--quiet"]) == 0
    published = snapshot(site.out)
    (site.root / "content/2023/b.md").write_text(bad_briefing("tags: [新]"), encoding="utf-8")
    real_replace, moved = os.replace, []

    def failing_replace(source, target):  # the disk fills up after a few files went in
        if str(target).startswith(str(site.out)) and not str(target).endswith(".tmp"):
            if len(moved) == 3:
                raise OSError(28, "No space left on device")
            moved.append(target)
        return real_replace(source, target)

    monkeypatch.setattr(os, "replace", failing_replace)
    assert main(["build", str(site.root), "--quiet"]) == 1
    monkeypatch.undo()
    err = capsys.readouterr().err
    assert "No space left on device" in err and "left as it was" in err
    assert len(moved) == 3
    assert snapshot(site.out) == published
    assert sorted(p.name for p in site.root.iterdir() if p.name.startswith(".public")) == []
    assert main(["build", str(site.root), "--quiet"]) == 0
    recovered = snapshot(site.out)
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    assert snapshot(site.out) == recovered
