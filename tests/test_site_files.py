"""Files a build reads: links that leave the site or loop are refused with a warning naming
the link; a missing content/ or a site.toml that is not UTF-8 is an error, not a traceback."""

from __future__ import annotations

import os

import pytest
from sitebuilder import make_site

from briefings.cli import main

FILES = """\
-- content/a.md --
---
title: 课后服务推进会
date: 2023-06-15
---
正文。
"""


def build(site, capsys, *args: str) -> tuple[int, str]:
    code = main(["build", str(site.root), "--quiet", *args])
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return code, err


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_a_link_loop_in_content_is_skipped_with_a_warning(tmp_path, capsys, cache):
    site = make_site(tmp_path, FILES)
    os.symlink("loop", site.root / "content" / "loop")
    os.symlink(".", site.root / "content" / "self")
    os.symlink("b.md", site.root / "content" / "b.md")  # a file linked to itself
    code, err = build(site, capsys, *cache)
    assert code == 0
    assert any(line.startswith("content/b.md: warning:") for line in err.splitlines())
    assert site.exists("/2023/06/ke-hou-fu-wu-tui-jin-hui/")


@pytest.mark.parametrize("cache", [[], ["--no-cache"]])
def test_a_content_link_leaving_the_site_is_refused(tmp_path, capsys, cache):
    site = make_site(tmp_path, FILES)
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: 机密\ndate: 2023-06-15\n---\n机密正文。\n", encoding="utf-8")
    os.symlink(secret, site.root / "content" / "p.md")
    os.symlink("/", site.root / "content" / "root")
    code, err = build(site, capsys, *cache)
    assert code == 0
    assert any(line.startswith("content/p.md: warning:") for line in err.splitlines()) and "outside the site" in err
    assert "机密" not in "".join(p.read_text(encoding="utf-8", errors="replace")
                               for p in site.out.rglob("*.html"))


def test_content_linked_to_the_root_of_the_disk_is_an_error(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    (site.root / "content" / "a.md").unlink()
    (site.root / "content").rmdir()
    os.symlink("/", site.root / "content")
    code, err = build(site, capsys)
    assert code == 1
    assert "content: error:" in err and "outside the site" in err


@pytest.mark.parametrize("where", ["static/passwd.txt", "themes/default/static/passwd.txt"])
def test_a_static_link_leaving_the_site_is_not_published(tmp_path, capsys, where):
    site = make_site(tmp_path, FILES)
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    link = site.root / where
    link.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(secret, link)
    code, err = build(site, capsys)
    assert code == 0
    assert any(line.startswith(f"{where}: warning:") for line in err.splitlines()) and "outside the site" in err
    assert not any("root:x:0:0" in p.read_text(encoding="utf-8", errors="replace")
                   for p in site.out.rglob("*") if p.is_file())


def test_a_static_link_inside_the_site_is_followed(tmp_path, capsys):
    site = make_site(tmp_path, FILES + "-- shared/logo.txt --\nlogo\n")
    (site.root / "static").mkdir()
    os.symlink(site.root / "shared" / "logo.txt", site.root / "static" / "logo.txt")
    code, err = build(site, capsys)
    assert code == 0 and "warning" not in err
    assert (site.out / "logo.txt").read_text(encoding="utf-8") == "logo\n"


def test_a_missing_content_folder_is_an_error_and_the_site_stays(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    assert build(site, capsys)[0] == 0
    before = sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*"))
    (site.root / "content" / "a.md").unlink()
    (site.root / "content").rmdir()
    code, err = build(site, capsys)
    assert code == 1 and "content: error:" in err
    assert sorted(p.relative_to(site.out).as_posix() for p in site.out.rglob("*")) == before


def test_site_toml_not_utf8_is_an_error(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    (site.root / "site.toml").write_bytes('title = "简报"\n'.encode("gbk"))
    code, err = build(site, capsys)
    assert code == 1 and "site.toml" in err and "UTF-8" in err


@pytest.mark.parametrize("damage", ["lock-folder", "parsed-file", "build-folder", "search-file"])
def test_cache_entries_of_the_wrong_type_rebuild_the_cache(tmp_path, capsys, damage):
    site = make_site(tmp_path, FILES)
    assert build(site, capsys)[0] == 0
    cache = site.root / ".briefings-cache"
    name, kind = {"lock-folder": ("lock", "folder"), "parsed-file": ("parsed", "file"),
                  "build-folder": ("build.pickle", "folder"), "search-file": ("search", "file")}[damage]
    target = cache / name
    if target.is_dir():
        import shutil
        shutil.rmtree(target)
    else:
        target.unlink()
    if kind == "folder":
        (target / "x").mkdir(parents=True)
    else:
        target.write_bytes(b"x")
    (site.root / "content" / "a.md").write_text("---\ntitle: 新\ndate: 2023-06-15\n---\n正文。\n", encoding="utf-8")
    code, err = build(site, capsys)
    assert code == 0, err
    assert "新" in site.page("/")
    assert build(site, capsys)[0] == 0


def test_serve_port_out_of_range_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as info:
        main(["serve", ".", "--port", "99999"])
    assert info.value.code == 2
    assert "port" in capsys.readouterr().err


def test_a_template_linked_outside_the_site_is_not_used(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    secret = tmp_path / "secret.html"
    secret.write_text("root:x:0:0", encoding="utf-8")
    (site.root / "templates").mkdir()
    os.symlink(secret, site.root / "templates" / "briefing.html")
    code, err = build(site, capsys)
    assert code == 0
    assert [line.startswith("templates/briefing.html: warning:") for line in err.splitlines()].count(True) == 1
    assert "outside the site" in err
    assert not any("root:x:0:0" in p.read_text(encoding="utf-8", errors="replace")
                   for p in site.out.rglob("*") if p.is_file())
    assert "正文。" in site.page("/2023/06/ke-hou-fu-wu-tui-jin-hui/")


def test_a_search_index_cached_by_another_version_is_built_anew(tmp_path, capsys):
    import pickle
    site = make_site(tmp_path, FILES)
    assert build(site, capsys)[0] == 0
    stored = site.root / ".briefings-cache" / "search.pickle"
    *head, index, names = pickle.loads(stored.read_bytes())
    del index.__dict__[next(iter(index.__dict__))]  # a damaged index, without one of its fields
    stored.write_bytes(pickle.dumps((*head, index, names)))
    (site.root / "content" / "a.md").write_text("---\ntitle: 新\ndate: 2023-06-15\n---\n正文。\n", encoding="utf-8")
    assert build(site, capsys)[0] == 0
