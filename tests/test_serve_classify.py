"""The serve classifier: one table of (path, expected kind), no disk touched."""

from __future__ import annotations

from pathlib import Path

import pytest

from briefings.serve.classify import Kind, classify, is_editor_litter

ROOT = Path("/sites/简报")
OUT_INSIDE = ROOT / ".briefings-serve"
OUT_ELSEWHERE = Path("/tmp/briefings-serve-x1")

CASES = [
    # what a site is made of
    ("site.toml", Kind.CONFIG),
    ("content/a.md", Kind.CONTENT),
    ("content/2023/课后服务推进会.md", Kind.CONTENT),
    ("content/2023", Kind.CONTENT),  # a folder made, moved or deleted
    ("content", Kind.CONTENT),
    ("content/2023/meeting.en.md", Kind.CONTENT),
    ("content/2026/photo/会议现场.jpg", Kind.CONTENT),  # a photo dropped into a bundle: its page shows it
    ("content/2026/photo/附件1.pdf", Kind.CONTENT),
    ("templates/briefing.html", Kind.TEMPLATE),
    ("templates/partials/head.html", Kind.TEMPLATE),
    ("themes/default/templates/base.html", Kind.TEMPLATE),
    ("themes/default/i18n/zh.toml", Kind.TEMPLATE),
    ("themes/其他主题/templates/list.html", Kind.TEMPLATE),
    ("themes/default/static/site.css", Kind.STATIC),
    ("themes/default/static/img/logo.svg", Kind.STATIC),
    ("static/robots.txt", Kind.STATIC),
    ("static/文件/附件.pdf", Kind.STATIC),
    # vim: swap files, the 4913 probe, backups
    ("content/.a.md.swp", Kind.IGNORE),
    ("content/.a.md.swx", Kind.IGNORE),
    ("content/.a.md.swo", Kind.IGNORE),
    ("content/2023/4913", Kind.IGNORE),
    ("content/a.md~", Kind.IGNORE),
    ("templates/base.html~", Kind.IGNORE),
    # emacs: lock and autosave files
    ("content/.#a.md", Kind.IGNORE),
    ("content/#a.md#", Kind.IGNORE),
    # save-to-temp-then-rename editors, JetBrains, gedit, Chrome, Kate
    ("content/a.md.tmp", Kind.IGNORE),
    ("content/a.md___jb_tmp___", Kind.IGNORE),
    ("content/a.md___jb_old___", Kind.IGNORE),
    ("content/.goutputstream-XYZ123", Kind.IGNORE),
    ("content/a.md.crswap", Kind.IGNORE),
    ("content/a.md.kate-swp", Kind.IGNORE),
    ("static/~$report.docx", Kind.IGNORE),
    # operating-system litter and hidden things
    ("content/.DS_Store", Kind.IGNORE),
    (".DS_Store", Kind.IGNORE),
    ("content/Thumbs.db", Kind.IGNORE),
    (".git/index", Kind.IGNORE),
    ("content/.hidden/a.md", Kind.IGNORE),
    ("content/_drafts/a.md", Kind.IGNORE),  # content.briefing_files leaves `_` parts out too
    # our own output, and the published site
    (".briefings-serve/index.html", Kind.IGNORE),
    (".briefings-serve/2023/06/x/.index.html.tmp", Kind.IGNORE),
    ("public/index.html", Kind.IGNORE),
    # other files of the site folder
    ("README.md", Kind.IGNORE),
    ("build.py", Kind.IGNORE),
    ("site.toml.bak", Kind.IGNORE),
    ("sub/site.toml", Kind.IGNORE),
    ("themes/default", Kind.IGNORE),
    ("themes", Kind.IGNORE),
]


@pytest.mark.parametrize(("relative", "kind"), CASES, ids=[c[0] for c in CASES])
def test_classify(relative: str, kind: Kind) -> None:
    assert classify(ROOT / relative, ROOT, OUT_INSIDE) is kind


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("/sites/简报", Kind.IGNORE),  # the site folder itself
        ("/sites/other/content/a.md", Kind.IGNORE),  # another site
        ("/sites/简报2/content/a.md", Kind.IGNORE),  # a sibling with the same prefix: parts, not strings
        ("/sites/简报/content/../site.toml", Kind.CONFIG),  # normalised before it is judged
        ("/tmp/briefings-serve-x1/index.html", Kind.IGNORE),  # the output folder outside the site
        ("/tmp/briefings-serve-x1", Kind.IGNORE),
    ],
)
def test_paths_outside_the_site(path: str, kind: Kind) -> None:
    assert classify(path, ROOT, OUT_ELSEWHERE) is kind


def test_output_folder_inside_content_is_still_ignored() -> None:
    out = ROOT / "content" / "out"
    assert classify(out / "index.html", ROOT, out) is Kind.IGNORE
    assert classify(ROOT / "content" / "a.md", ROOT, out) is Kind.CONTENT


def test_classify_accepts_strings_and_touches_no_disk() -> None:
    # None of these paths exist; a classifier that stat()ed or resolve()d would notice.
    assert classify("/nowhere/site/content/x.md", "/nowhere/site", "/nowhere/out") is Kind.CONTENT


@pytest.mark.parametrize("name", ["a.md", "4913.md", "notes~draft.md", "swp.md", "a.swift", "#tag.md"])
def test_ordinary_names_are_not_litter(name: str) -> None:
    assert not is_editor_litter(name)
