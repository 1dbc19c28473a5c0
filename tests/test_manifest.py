"""URLs that never break: a build remembers what it published, and a URL that moved redirects."""

from __future__ import annotations

import json
import shutil

import pytest
from sitebuilder import make_site

from briefings.manifest import MANIFEST_NAME, manifest_file, parse_manifest
from briefings.pipeline import Builder

A = "-- content/a.md --\n---\ntitle: 课后服务推进会\ndate: 2023-06-15\n---\n正文。\n"
OLD_URL = "/2023/06/ke-hou-fu-wu-tui-jin-hui/"


def edit(site, path: str, old: str, new: str) -> None:
    file = site.root / path
    file.write_text(file.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")


def manifest(site) -> dict:
    return json.loads(manifest_file(site.root, site.out).read_text(encoding="utf-8"))


def redirects_to(site, url: str, target: str) -> None:
    site.assert_page(url, f'<meta http-equiv="refresh" content="0; url={target}">',
                     f'<link rel="canonical" href="https://example.org{target}">')


def test_first_build_records_every_briefing_and_says_nothing(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    assert site.messages() == []
    assert manifest(site) == {
        "version": 1,
        "briefings": {"content/a.md": {"url": OLD_URL, "lang": "zh", "slug": "ke-hou-fu-wu-tui-jin-hui"}},
        "redirects": {},
    }


def test_title_edit_leaves_a_redirect_at_the_old_url_in_every_later_build(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "课后服务推进会", "课后服务工作推进会")
    new_url = "/2023/06/ke-hou-fu-wu-gong-zuo-tui-jin-hui/"
    assert site.build().ok
    assert site.messages() == [
        f"content/a.md:2: info: URL changed from {OLD_URL} to {new_url}: the old URL now redirects to the new one"]
    site.assert_page(new_url, "<h1>课后服务工作推进会</h1>")
    redirects_to(site, OLD_URL, new_url)
    assert manifest(site)["redirects"] == {OLD_URL: new_url}
    assert OLD_URL not in site.page("/sitemap.xml")

    assert site.build().ok  # nothing changed: the redirect stays, and nothing more is said
    assert site.messages() == []
    redirects_to(site, OLD_URL, new_url)


def test_date_correction_redirects(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "date: 2023-06-15", "date: 2023-07-15")
    assert site.build().ok
    redirects_to(site, OLD_URL, "/2023/07/ke-hou-fu-wu-tui-jin-hui/")


def test_chains_collapse(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "课后服务推进会", "第二个标题")
    assert site.build().ok
    edit(site, "content/a.md", "第二个标题", "第三个标题")
    assert site.build().ok
    second, third = "/2023/06/di-er-ge-biao-ti/", "/2023/06/di-san-ge-biao-ti/"
    assert site.messages() == [
        f"content/a.md:2: info: URL changed from {second} to {third}: the old URL now redirects to the new one",
        f"content/a.md:2: info: redirect {OLD_URL} now leads to {third} (it led to {second})",
    ]
    redirects_to(site, OLD_URL, third)  # not via the second URL
    redirects_to(site, second, third)
    assert manifest(site)["redirects"] == {OLD_URL: third, second: third}


def test_renamed_file_keeps_its_redirect_by_translation_key(tmp_path):
    site = make_site(tmp_path, A.replace("date:", "translation_key: kh-2023\ndate:"))
    assert site.build().ok
    text = (site.root / "content/a.md").read_text(encoding="utf-8").replace("课后服务推进会", "课后服务现场会")
    (site.root / "content/a.md").unlink()
    (site.root / "content/2023").mkdir()
    (site.root / "content/2023/renamed.md").write_text(text, encoding="utf-8")
    assert site.build().ok
    redirects_to(site, OLD_URL, "/2023/06/ke-hou-fu-wu-xian-chang-hui/")


def test_renamed_file_with_corrected_date_keeps_its_redirect_by_slug(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    text = (site.root / "content/a.md").read_text(encoding="utf-8").replace("2023-06-15", "2023-05-15")
    (site.root / "content/a.md").unlink()
    (site.root / "content/b.md").write_text(text, encoding="utf-8")
    assert site.build().ok
    redirects_to(site, OLD_URL, "/2023/05/ke-hou-fu-wu-tui-jin-hui/")


def test_deleted_briefing_is_a_warning_once(tmp_path):
    site = make_site(tmp_path, A + "-- content/b.md --\n---\ntitle: 另一个\ndate: 2023-06-16\n---\n正文。\n")
    assert site.build().ok
    (site.root / "content/a.md").unlink()
    assert site.build().ok
    assert site.messages() == [
        f"content/a.md: warning: URL {OLD_URL} is gone: no briefing is published there any more "
        "(fine if the briefing was deleted on purpose; if another briefing replaces it, "
        f"add `aliases: [{OLD_URL}]` to that one; drafts and future dates are left out of a build)"]
    assert not site.exists(OLD_URL)
    assert site.build().ok and site.messages() == []


def test_a_real_page_wins_over_a_redirect(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "课后服务推进会", "新标题")
    assert site.build().ok
    # A new briefing takes the old title, so the old URL is a real page again.
    (site.root / "content/c.md").write_text("---\ntitle: 课后服务推进会\ndate: 2023-06-20\n---\n新的正文。\n",
                                            encoding="utf-8")
    assert site.build().ok
    assert site.messages() == [
        f"content/a.md:2: warning: no redirect from {OLD_URL} to /2023/06/xin-biao-ti/: {OLD_URL} "
        "is now the page of content/c.md (a real page wins)"]
    site.assert_page(OLD_URL, "新的正文", "! http-equiv")
    assert manifest(site)["redirects"] == {}


def test_title_reverted_swaps_the_redirect_quietly(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "课后服务推进会", "新标题")
    assert site.build().ok
    edit(site, "content/a.md", "新标题", "课后服务推进会")
    assert site.build().ok
    assert site.messages() == [
        f"content/a.md:2: info: URL changed from /2023/06/xin-biao-ti/ to {OLD_URL}: "
        "the old URL now redirects to the new one"]
    site.assert_page(OLD_URL, "<h1>课后服务推进会</h1>")
    redirects_to(site, "/2023/06/xin-biao-ti/", OLD_URL)


def test_in_place_builds_redirect_too_and_stay_byte_identical(tmp_path):
    site = make_site(tmp_path, A)
    out = tmp_path / "serve-out"
    builder = Builder(site.root, out, in_place=True)
    assert builder.build().ok
    edit(site, "content/a.md", "课后服务推进会", "新标题")
    result = builder.build([site.root / "content/a.md"])
    assert result.ok
    assert "2023/06/ke-hou-fu-wu-tui-jin-hui/index.html" in result.written
    assert "url=/2023/06/xin-biao-ti/" in (out / "2023/06/ke-hou-fu-wu-tui-jin-hui/index.html").read_text("utf-8")
    again = builder.build()
    assert again.ok and again.written == [] and again.removed == []


def test_unreadable_manifest_is_ignored_with_a_warning(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    kept = manifest_file(site.root, site.out)
    kept.write_text("{not json", encoding="utf-8")
    result = site.build()
    assert result.ok
    assert [d.format() for d in result.diagnostics] == [
        ".briefings-cache/manifests/public.json: warning: ignoring a manifest this version cannot read "
        "(URLs that moved since the last build get no redirect this time)"]
    assert parse_manifest(kept.read_text(encoding="utf-8")) is not None


def test_manifest_is_kept_in_the_cache_not_published(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    assert manifest_file(site.root, site.out) == site.root / ".briefings-cache" / "manifests" / "public.json"
    assert not (site.out / MANIFEST_NAME).exists()
    assert all("content/a.md" not in path.read_text("utf-8", "replace") for path in site.out.rglob("*")
               if path.is_file() and path.suffix in {".html", ".xml", ".json", ".txt"})


def test_redirects_survive_an_emptied_output_folder_as_ci_does(tmp_path):
    """`rm -rf public && briefings build`: the redirect history lives in .briefings-cache/."""
    site = make_site(tmp_path, A)
    assert site.build().ok
    edit(site, "content/a.md", "课后服务推进会", "课后服务工作推进会")
    new_url = "/2023/06/ke-hou-fu-wu-gong-zuo-tui-jin-hui/"
    assert site.build().ok
    for run in range(2):  # the redirect is made again from the kept manifest, run after run
        shutil.rmtree(site.out)
        assert site.build().ok, run
        redirects_to(site, OLD_URL, new_url)
        assert site.messages() == []


def test_a_lost_manifest_is_reported_when_the_output_holds_an_earlier_build(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    shutil.rmtree(site.root / ".briefings-cache")
    edit(site, "content/a.md", "课后服务推进会", "课后服务工作推进会")
    assert site.build().ok
    assert site.messages() == [
        ".briefings-cache/manifests/public.json: warning: no record of the URLs "
        f"{site.out.as_posix()}/ was built with: briefings that moved since that build get no redirect this time "
        "(keep .briefings-cache/ between builds and deployments: see docs/deploy.md)"]
    shutil.rmtree(site.root / ".briefings-cache")
    shutil.rmtree(site.out)
    assert site.build().ok and site.messages() == []  # a first build: nothing was lost that it could know of


def test_a_manifest_left_in_the_output_folder_by_earlier_versions_is_read_once(tmp_path):
    site = make_site(tmp_path, A)
    assert site.build().ok
    kept = manifest_file(site.root, site.out)
    (site.out / MANIFEST_NAME).write_bytes(kept.read_bytes())  # as versions before this one left it
    kept.unlink()
    edit(site, "content/a.md", "课后服务推进会", "课后服务工作推进会")
    assert site.build().ok
    new_url = "/2023/06/ke-hou-fu-wu-gong-zuo-tui-jin-hui/"
    redirects_to(site, OLD_URL, new_url)
    assert not (site.out / MANIFEST_NAME).exists() and manifest(site)["redirects"] == {OLD_URL: new_url}


def test_parse_manifest_rejects_what_it_cannot_trust():
    good = {"version": 1, "briefings": {"content/a.md": {"url": "/a/", "lang": "zh", "slug": "a"}}, "redirects": {}}
    assert parse_manifest(json.dumps(good)) == good
    for bad in ([], {"version": 2, "briefings": {}, "redirects": {}},
                {"version": 1, "briefings": {"a": {"url": 1}}, "redirects": {}},
                {"version": 1, "briefings": {}, "redirects": {"/a/": 3}}):
        assert parse_manifest(json.dumps(bad)) is None


@pytest.mark.parametrize("url", ["/a\u0000b/", "/../../x/", "/a\\b/", "relative/"])
def test_a_manifest_with_a_url_no_build_publishes_is_ignored_with_a_warning(tmp_path, url):
    site = make_site(tmp_path, """\
-- content/a.md --
---
title: 一
date: 2023-06-15
---
正文。
""")
    assert site.build().ok
    kept = manifest_file(site.root, site.out)
    data = json.loads(kept.read_text(encoding="utf-8"))
    data["redirects"][url] = "/2023/06/yi/"
    kept.write_text(json.dumps(data), encoding="utf-8")
    assert site.build().ok
    assert any("ignoring a manifest" in m for m in site.messages())
