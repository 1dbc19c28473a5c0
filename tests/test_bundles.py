"""Whole sites whose briefings carry photos and attachments, with real images made by Pillow."""

from __future__ import annotations

import io
import os
import re
import shutil
from html import unescape as html_unescape
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image
from sitebuilder import Site, make_site
from test_incremental import files_of

from briefings.check import check_site
from briefings.diagnostics import Diagnostics
from briefings.model import Briefing, Reference, copied
from briefings.pipeline import Builder
from briefings.resources import Resources
from briefings.serve import Rebuilder
from briefings.serve.classify import Kind
from briefings.serve.server import LiveState
from briefings.serve.watcher import Change
from briefings.site import BuildOptions

URL = "/2026/05/shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui/"
BUNDLE = """\
-- content/2026/photo/index.md --
---
title: 市教育局召开局党组扩大会
date: 2026-05-10
---

5月10日上午，市教育局召开局党组扩大会。

![会议现场](meeting.png)

会议传达学习了[2023年工作要点](附件1.pdf)，并审议了[经费表](经费.xlsx)。

![分组讨论](photos/讨论.jpg "分组讨论")
"""


def picture(width: int, height: int, fmt: str = "JPEG", *, gps: bool = False, seed: int = 0) -> bytes:
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    image.paste((40 + seed % 200, 90, 160), (width // 3, height // 3, width // 2, height // 2))
    exif = Image.Exif()
    if gps:
        exif[0x8825] = {1: "N", 2: (39.0, 54.0, 27.0)}
    out = io.BytesIO()
    image.save(out, fmt, **({"exif": exif} if gps else {}))
    return out.getvalue()


def bundle_site(tmp_path: Path, files: str = BUNDLE) -> Site:
    site = make_site(tmp_path, files)
    folder = site.root / "content/2026/photo"
    (folder / "meeting.png").write_bytes(picture(3000, 2000, "PNG"))
    (folder / "photos").mkdir(exist_ok=True)
    (folder / "photos/讨论.jpg").write_bytes(picture(1200, 800, gps=True))
    (folder / "附件1.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 240_000)
    (folder / "经费.xlsx").write_bytes(b"PK\x03\x04" + b"0" * 3000)
    return site


def test_a_bundle_publishes_its_photos_in_every_width_and_its_attachments(tmp_path):
    site = bundle_site(tmp_path)
    result = site.build()
    assert result.ok, site.messages()
    page_folder = site.out / URL.strip("/")
    published = sorted(p.relative_to(page_folder).as_posix() for p in page_folder.rglob("*") if p.is_file())
    assert published == sorted([
        "index.html", "meeting-480w.webp", "meeting-960w.webp", "meeting-1600w.webp", "meeting-960w.png",
        "photos/讨论-480w.webp", "photos/讨论-960w.webp", "photos/讨论-1200w.webp", "photos/讨论-960w.jpg",
        "附件1.pdf", "经费.xlsx",
    ])  # the originals are not published: nobody linked them
    html = site.page(URL)
    first, second = re.findall(r"<picture>.*?</picture>", html)
    assert '<source type="image/webp" srcset="meeting-480w.webp 480w, meeting-960w.webp 960w, ' \
           'meeting-1600w.webp 1600w" sizes="' in first
    assert 'src="meeting-960w.png" width="1600" height="1067" alt="会议现场" decoding="async"' in first
    assert "loading" not in first  # the first image is wanted at once
    encoded = quote("photos/讨论")
    assert f'srcset="{encoded}-480w.webp 480w, {encoded}-960w.webp 960w, {encoded}-1200w.webp 1200w"' in second
    assert f'src="{encoded}-960w.jpg" width="1200" height="800" alt="分组讨论" title="分组讨论" ' \
           'loading="lazy" decoding="async"' in second
    site.assert_page(
        URL,
        f'<meta property="og:image" content="https://example.org{URL}meeting-960w.png">',
        '<section class="attachments" aria-label="附件">',
        f'<li><a href="{quote("附件1.pdf")}">附件1.pdf</a>（PDF，234 KB）',  # named 附件1: not labelled twice
        f'附件2：<a href="{quote("经费.xlsx")}">经费.xlsx</a>（XLSX，3 KB）',
        "! meeting.png\"",
    )
    # the list shows a small thumbnail, lazily
    site.assert_page("/", f'<img class="thumb" src="{URL}meeting-480w.webp" alt="" width="480" height="320" '
                          'loading="lazy" decoding="async">')
    # no camera metadata survives: the phone photo's GPS position stays at home
    for path in page_folder.rglob("讨论-*"):
        assert not Image.open(path).getexif(), path


def test_a_single_file_briefing_publishes_the_files_beside_it_and_english_gets_its_own(tmp_path):
    site = make_site(tmp_path, """\
-- content/2023/kaihui.md --
---
title: 课后服务推进会
date: 2023-06-15
translation_key: kh
---

![课后服务现场](<现场 照片.jpg>)

[通知](通知.txt)
-- content/2023/kaihui.en.md --
---
title: After-school services meeting
date: 2023-06-15
translation_key: kh
---

![The meeting](<现场 照片.jpg>)

[Notice](通知.txt)
-- content/2023/通知.txt --
会议通知。
""", config='title = "简报"\nbase_url = "https://example.org/"\n'
                 '[languages.zh]\ntitle = "简报"\n[languages.en]\ntitle = "Briefings"\n')
    (site.root / "content/2023/现场 照片.jpg").write_bytes(picture(700, 500))
    assert site.build().ok, site.messages()
    zh, en = "/2023/06/ke-hou-fu-wu-tui-jin-hui/", "/en/2023/06/after-school-services-meeting/"
    for url in (zh, en):
        assert site.exists(url + "现场 照片-480w.webp") and site.exists(url + "现场 照片-700w.jpg")
        assert site.exists(url + "通知.txt") and not site.exists(url + "现场 照片.jpg")
    site.assert_page(zh, f'srcset="{quote("现场 照片")}-480w.webp 480w, {quote("现场 照片")}-700w.webp 700w"',
                     "附件1：", "（TXT，1 KB）")
    site.assert_page(en, "<h2>Attachments</h2>", "Attachment 1: ", " (TXT, 1 KB)")


BAD = [
    ("![x](missing.jpg)", "content/2026/photo/index.md:7:6: error: linked file missing.jpg does not exist"),
    ("[计划](../../../site.toml)", "content/2026/photo/index.md:7:6: error: file ../../../site.toml is outside "
                                 "the briefing's folder"),
    ("![x](/home/zhang/photo.jpg)", "content/2026/photo/index.md:7:6: error: image /home/zhang/photo.jpg is a "
                                    "path on your computer"),
    ("![x](C:/Users/zhang/photo.jpg)", "error: image C:/Users/zhang/photo.jpg is a path on your computer"),
    ("![x](bad.jpg)", "content/2026/photo/index.md:7:6: error: bad.jpg is not an image: it is a PDF document"),
    ("![x](cut.jpg)", "error: cut.jpg is damaged or truncated"),
    ("![x](evil.svg)", "error: evil.svg is not published: it contains a <script> element"),
    ("![x](outside.png)", "error: outside.png is a link to a file outside the site"),
    ("[程序](setup.exe)", "error: files of type .exe are not published"),
    ("![x](a.png) [y](a-480w.webp)", "error: a-480w.webp would be published twice"),
]


@pytest.mark.parametrize(("line", "message"), BAD)
def test_bad_files_fail_the_build_with_file_line_and_column_and_leave_the_site(tmp_path, line, message):
    site = make_site(tmp_path, "-- content/2026/photo/index.md --\n---\ntitle: 会议\ndate: 2026-05-10\n---\n\n"
                               "正文。\n")
    assert site.build().ok
    before = files_of(site.out)
    folder = site.root / "content/2026/photo"
    (folder / "bad.jpg").write_bytes(b"%PDF-1.7\n" + b"0" * 100)
    (folder / "cut.jpg").write_bytes(picture(800, 600)[:3000])
    (folder / "evil.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>')
    (tmp_path / "secret.png").write_bytes(picture(100, 100, "PNG"))
    os.symlink(tmp_path / "secret.png", folder / "outside.png")
    (folder / "setup.exe").write_bytes(b"MZ")
    (folder / "a.png").write_bytes(picture(600, 400, "PNG"))
    (folder / "a-480w.webp").write_bytes(b"RIFF")
    with open(folder / "index.md", "a", encoding="utf-8") as stream:
        stream.write(line + "\n")
    result = site.build()
    assert not result.ok
    assert any(message in m for m in site.messages()), site.messages()
    assert files_of(site.out) == before


def test_an_image_without_alt_text_is_a_warning_in_build_and_check_and_unlinked_files_in_check(tmp_path):
    site = bundle_site(tmp_path, BUNDLE.replace("![会议现场]", "![]"))
    (site.root / "content/2026/photo/草稿图.png").write_bytes(picture(50, 50, "PNG"))
    result = site.build()
    assert result.ok
    warning = "content/2026/photo/index.md:8:5: warning: image meeting.png has no alt text"
    assert any(m.startswith(warning) for m in site.messages()), site.messages()
    assert not site.exists(URL + "草稿图.png") and not site.exists(URL + "草稿图-50w.webp")
    checked = [d.format() for d in check_site(site.root).findings]
    assert any(m.startswith(warning) for m in checked), checked
    assert any(m.startswith("content/2026/photo/草稿图.png: warning: unlinked-file:") for m in checked), checked
    assert not any("broken-link" in m for m in checked), checked  # the photos and files are there


def test_image_in_front_matter_is_og_image_and_thumbnail_even_when_the_body_shows_none(tmp_path):
    site = make_site(tmp_path, """\
-- content/a/index.md --
---
title: 会议
date: 2023-06-15
image: cover.jpg
---

正文，没有图片。
-- content/b.md --
---
title: 另一次会议
date: 2023-06-16
image: https://cdn.example.org/b.jpg
---

![现场](b.png)
""")
    (site.root / "content/a/cover.jpg").write_bytes(picture(2000, 1000))
    (site.root / "content/b.png").write_bytes(picture(640, 480, "PNG"))
    assert site.build().ok, site.messages()
    site.assert_page("/2023/06/hui-yi/", '<meta property="og:image" content="https://example.org/2023/06/hui-yi/'
                                         'cover-960w.jpg">', "! <picture>")
    site.assert_page("/2023/06/ling-yi-ci-hui-yi/",
                     '<meta property="og:image" content="https://cdn.example.org/b.jpg">', "<picture>")
    site.assert_page("/", 'src="/2023/06/hui-yi/cover-480w.webp" alt="" width="480" height="240"',
                     'src="/2023/06/ling-yi-ci-hui-yi/b-480w.webp" alt="" width="480" height="360"')
    assert site.exists("/2023/06/hui-yi/cover-1600w.webp") and not site.exists("/2023/06/hui-yi/cover.jpg")


def test_feeds_carry_absolute_urls_for_photos_and_attachments(tmp_path):
    site = bundle_site(tmp_path)
    assert site.build().ok
    feed = (site.out / "atom.xml").read_text(encoding="utf-8")
    base = f"https://example.org{URL}"
    assert f'srcset="{base}meeting-480w.webp 480w, {base}meeting-960w.webp 960w' in html_unescape(feed)
    assert f'href="{base}{quote("附件1.pdf")}"' in html_unescape(feed)
    assert 'src="meeting' not in html_unescape(feed)


def test_a_clean_svg_is_published_as_it_is(tmp_path):
    site = make_site(tmp_path, "-- content/a/index.md --\n---\ntitle: 会议\ndate: 2023-06-15\n---\n\n"
                               "![结构图](chart.svg)\n-- content/a/chart.svg --\n"
                               '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" '
                               'height="10"/></svg>\n')
    assert site.build().ok, site.messages()
    site.assert_page("/2023/06/hui-yi/", '<img src="chart.svg" alt="结构图">', "! <picture>")
    assert site.exists("/2023/06/hui-yi/chart.svg")


def test_two_briefings_files_on_one_url_is_an_error_naming_both(tmp_path):
    root = tmp_path / "site"
    (root / "content/a").mkdir(parents=True)
    (root / "content/b").mkdir(parents=True)
    for folder in ("a", "b"):
        (root / f"content/{folder}/plan.pdf").write_bytes(b"%PDF")
    resources = Resources(root, persist=False)
    loaded = []
    for folder in ("a", "b"):
        reference = Reference("plan.pdf", f"content/{folder}/plan.pdf", "plan.pdf", "link", 7, 2)
        loaded.append(Briefing(source=f"content/{folder}/index.md", title="t", date=None, lang="zh",  # type: ignore[arg-type]
                               slug="s", body_html="", summary="", resources=(reference,)))
    diagnostics = Diagnostics()
    made = resources.apply(loaded, diagnostics)
    resources.outputs([copied(b, url="/2023/06/s/") for b in made], diagnostics)
    assert [d.format() for d in diagnostics] == [
        "content/b/index.md:7: error: plan.pdf would be published at /2023/06/s/plan.pdf, as is a file of "
        "content/a/index.md (line 7) (rename one of the files, or give one briefing another slug)"]


def test_a_text_edit_decodes_no_image_again_even_in_a_new_process(tmp_path):
    site = bundle_site(tmp_path)
    first = Builder(site.root, site.out, BuildOptions(), persist_cache=True)
    assert first.build().ok
    assert first._resources.decoded == 2
    index = site.root / "content/2026/photo/index.md"
    index.write_text(index.read_text(encoding="utf-8") + "\n会议还研究了其他事项。\n", encoding="utf-8")
    again = Builder(site.root, site.out, BuildOptions(), persist_cache=True)  # as the next `briefings build`
    result = again.build()
    assert result.ok and again._resources.decoded == 0
    assert "会议还研究了其他事项" in site.page(URL)
    cold = Site(tmp_path / "cold")  # the same site built from nothing: the same bytes
    shutil.copytree(site.root, cold.root, ignore=shutil.ignore_patterns(".briefings-cache", "public"))
    assert cold.build().ok
    assert files_of(cold.out) == files_of(site.out)


def test_the_dev_server_publishes_a_photo_dropped_into_a_bundle(tmp_path):
    site = make_site(tmp_path, "-- content/2026/photo/index.md --\n---\ntitle: 市教育局召开局党组扩大会\n"
                               "date: 2026-05-10\n---\n\n![会议现场](new.jpg)\n")
    builder = Builder(site.root, site.out, BuildOptions(), serve=True, in_place=True)
    failed = builder.build()
    assert [d.format() for d in failed.diagnostics.errors] == [
        "content/2026/photo/index.md:6:9: error: linked file new.jpg does not exist "
        "(put new.jpg beside the briefing, or correct the name)"]
    photo = site.root / "content/2026/photo/new.jpg"
    photo.write_bytes(picture(1000, 700))
    result = builder.build([photo])
    assert result.ok, [d.format() for d in result.diagnostics]
    assert any(p.endswith("new-960w.webp") for p in result.written)
    assert (site.out / URL.strip("/") / "new-1000w.webp").is_file()
    photo.write_bytes(picture(600, 400, seed=7))  # replaced by a smaller one: the widths follow
    result = builder.build([photo])
    assert result.ok and (site.out / URL.strip("/") / "new-600w.webp").is_file()
    assert not (site.out / URL.strip("/") / "new-1000w.webp").exists()
    assert 'width="600" height="400"' in site.page(URL)


def test_the_dev_server_reloads_open_pages_when_a_photo_is_dropped_in(tmp_path):
    """Through the dev server's Rebuilder, as the watcher drives it: the overlay names the missing
    photo; once it is dropped into the bundle the overlay goes and open pages reload."""
    site = make_site(tmp_path, "-- content/2026/photo/index.md --\n---\ntitle: 市教育局召开局党组扩大会\n"
                               "date: 2026-05-10\n---\n\n![会议现场](new.jpg)\n")
    builder = Builder(site.root, site.out, BuildOptions(drafts=True, future=True), serve=True, in_place=True,
                      defer_search=True)
    live = LiveState()
    rebuilder = Rebuilder(builder, live, io.StringIO())
    try:
        rebuilder.rebuild(None)
        failed = live.snapshot()
        assert failed.problems == ("content/2026/photo/index.md:6:9: error: linked file new.jpg does not exist "
                                   "(put new.jpg beside the briefing, or correct the name)",)
        photo = site.root / "content/2026/photo/new.jpg"
        photo.write_bytes(picture(800, 600))
        rebuilder.rebuild([Change(photo, Kind.CONTENT)])
        fixed = live.snapshot()
        assert fixed.problems == () and fixed.version != failed.version
        assert "new-800w.webp 800w" in site.page(URL)
        published = site.out / URL.strip("/") / "new-800w.webp"
        before = published.read_bytes()
        photo.write_bytes(picture(800, 600, seed=90))  # the same size, other pixels: pages reload again
        rebuilder.rebuild([Change(photo, Kind.CONTENT)])
        assert live.snapshot().version != fixed.version and published.read_bytes() != before
    finally:
        builder.close()
