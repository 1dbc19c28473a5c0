"""The output folder: a build replaces only a folder it made itself (or an empty one).

`briefings build . -o content` once deleted every source; any folder that is not a previous
output — the site itself, a folder holding or inside its sources, a non-empty folder without
our marker — is refused with exit 2 and nothing touched.
"""

from __future__ import annotations

import os

import pytest
from sitebuilder import make_site, snapshot

from briefings.cli import main
from briefings.manifest import MANIFEST_NAME, manifest_file
from briefings.output import MARKER

FILES = """\
-- content/2023/a.md --
---
title: 课后服务推进会
date: 2023-06-15
---
正文。
-- static/files/note.txt --
User-agent: *
-- templates/.keep --
"""


@pytest.mark.parametrize("output", [
    ".", "content", "content/2023", "themes", "themes/default", "themes/default/templates",
    "static", "templates", "..", "content/new-folder",
])
def test_a_source_folder_or_the_site_is_refused_and_nothing_touched(tmp_path, capsys, output):
    site = make_site(tmp_path, FILES)
    before = snapshot(tmp_path, ignore=".briefings-cache")
    code = main(["build", str(site.root), "-o", str(site.root / output), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert "error:" in err and "refusing" in err and "Traceback" not in err
    assert snapshot(tmp_path, ignore=".briefings-cache") == before
    assert not (site.root / output / MARKER).exists()


def test_a_folder_that_is_not_an_output_is_refused(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    other = tmp_path / "documents"
    other.mkdir()
    (other / "report.docx").write_bytes(b"precious")
    assert main(["build", str(site.root), "-o", str(other), "--quiet"]) == 2
    assert (other / "report.docx").read_bytes() == b"precious"
    assert sorted(p.name for p in other.iterdir()) == ["report.docx"]
    assert "not a folder briefings built" in capsys.readouterr().err


def test_an_empty_folder_or_a_new_one_is_fine_and_gets_the_marker(tmp_path):
    site = make_site(tmp_path, FILES)
    empty = tmp_path / "empty"
    empty.mkdir()
    assert main(["build", str(site.root), "-o", str(empty), "--quiet"]) == 0
    assert (empty / MARKER).is_file()
    assert main(["build", str(site.root), "-o", str(tmp_path / "new" / "out"), "--quiet"]) == 0
    assert (tmp_path / "new" / "out" / MARKER).is_file()


def test_a_previous_output_is_replaced_with_and_without_the_cache(tmp_path):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "--quiet"]) == 0
    assert (site.out / MARKER).is_file()
    edited = "---\ntitle: 新标题\ndate: 2023-06-15\n---\n正文。\n"
    (site.root / "content/2023/a.md").write_text(edited, encoding="utf-8")
    assert main(["build", str(site.root), "--quiet"]) == 0
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    assert (site.out / MARKER).is_file()
    assert "新标题" in (site.out / "index.html").read_text(encoding="utf-8")


def test_an_output_of_an_older_version_is_recognised_by_its_manifest(tmp_path):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    (site.out / MARKER).unlink()
    kept = manifest_file(site.root, site.out)
    (site.out / MANIFEST_NAME).write_bytes(kept.read_bytes())  # where versions before kept it
    kept.unlink()
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    assert (site.out / MARKER).is_file()


def test_an_output_whose_manifest_the_cache_keeps_is_recognised(tmp_path):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0
    (site.out / MARKER).unlink()  # built by a version that kept the manifest but wrote no marker
    assert manifest_file(site.root, site.out).is_file()
    assert main(["build", str(site.root), "--quiet", "--no-cache"]) == 0


def test_an_output_path_through_a_file_is_a_clear_error(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    before = snapshot(tmp_path, ignore=".briefings-cache")
    assert main(["build", str(site.root), "-o", str(site.root / "site.toml" / "out"), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "site.toml" in err and "Traceback" not in err
    assert snapshot(tmp_path, ignore=".briefings-cache") == before


def test_an_output_name_too_long_is_a_clear_error(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    assert main(["build", str(site.root), "-o", str(tmp_path / ("x" * 300)), "--quiet"]) == 2
    assert "too long" in capsys.readouterr().err


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_a_read_only_parent_is_a_clear_error(tmp_path, capsys):
    site = make_site(tmp_path, FILES)
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    try:
        code = main(["build", str(site.root), "-o", str(locked / "out"), "--quiet"])
    finally:
        locked.chmod(0o755)
    err = capsys.readouterr().err
    assert code in (1, 2) and "Traceback" not in err and str(locked) in err


def test_the_api_refuses_too(tmp_path):
    from briefings.pipeline import build
    site = make_site(tmp_path, FILES)
    before = snapshot(tmp_path, ignore=".briefings-cache")
    result = build(site.root, site.root / "content", cache=True)
    assert not result.ok
    assert any("refusing" in d.message for d in result.diagnostics)
    assert snapshot(tmp_path, ignore=".briefings-cache") == before


def test_serve_refuses_a_folder_that_is_not_ours(tmp_path):
    from briefings.serve import DevServer
    site = make_site(tmp_path, FILES)
    before = snapshot(tmp_path, ignore=".briefings-cache")
    for folder in (site.root / "content", site.root / "static", site.root):
        with pytest.raises(ValueError, match="refusing"):
            DevServer(site.root, port=0, out_dir=folder)
    assert snapshot(tmp_path, ignore=".briefings-cache") == before


def test_a_staging_folder_that_cannot_be_made_is_a_clear_error(tmp_path, monkeypatch):
    from briefings import output
    from briefings.pipeline import build
    site = make_site(tmp_path, FILES)

    def read_only(self, *args, **kwargs):
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(output.Path, "mkdir", read_only)
    result = build(site.root, tmp_path / "out")
    assert not result.ok
    assert any("Permission denied" in d.message for d in result.diagnostics)
