"""`briefings serve` in Debian's Chromium: live reload, the error overlay, recovery, deletion.

The real server runs in a background thread on a free port; every step waits on what the
reader would see (Playwright's ``expect`` retries until its condition holds), never on a sleep.
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sitebuilder import make_site

from briefings.serve import DevServer

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

TIMEOUT = 15_000  # ms: a ceiling for each condition, not a delay

SITE = """\
-- content/2023/课后服务推进会.md --
---
title: 课后服务推进会
date: 2023-06-15
slug: ke-hou-fu-wu
tags: [课后服务]
---
第一版正文。
-- content/2023/中考工作会.md --
---
title: 中考工作会
date: 2023-05-10
tags: [中考]
draft: true
---
中考正文。
"""


def save(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    stat = path.stat()  # move the mtime on coarse file systems too
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture
def dev(tmp_path: Path) -> Iterator[tuple[Path, DevServer]]:
    site = make_site(tmp_path, SITE)
    with DevServer(site.root, port=0, stream=io.StringIO()) as server:
        yield site.root, server


def test_edit_break_fix_delete(chromium: Browser, dev: tuple[Path, DevServer]) -> None:
    from playwright.sync_api import expect

    root, server = dev
    source = root / "content" / "2023" / "课后服务推进会.md"
    good = source.read_text(encoding="utf-8")
    page = chromium.new_page()
    try:
        url = server.url + "2023/06/ke-hou-fu-wu/"
        assert page.goto(url).status == 200
        body = page.locator("article .body")
        expect(body).to_contain_text("第一版正文")

        # An edit reloads the page with the new text.
        save(source, good.replace("第一版", "第二版"))
        expect(body).to_contain_text("第二版正文", timeout=TIMEOUT)

        # Broken front matter: the overlay names the file and line; the last good page stays.
        save(source, good.replace("title: 课后服务推进会", "title: [课后服务推进会"))
        overlay = page.locator("#briefings-overlay")
        expect(overlay).to_contain_text("content/2023/课后服务推进会.md:3: error: invalid YAML", timeout=TIMEOUT)
        expect(body).to_contain_text("第二版正文")
        # The overlay is on every page, including one opened now.
        other = chromium.new_page()
        other.goto(server.url)
        expect(other.locator("#briefings-overlay")).to_contain_text("课后服务推进会.md:3", timeout=TIMEOUT)
        other.close()

        # Fixed: the overlay goes by itself and the page shows the fixed text.
        save(source, good.replace("第一版", "第三版"))
        expect(overlay).to_have_count(0, timeout=TIMEOUT)
        expect(body).to_contain_text("第三版正文", timeout=TIMEOUT)

        # Deleted: the page the reader was on reloads as the site's 404.
        source.unlink()
        expect(page.locator("main h1")).to_have_text("页面不存在", timeout=TIMEOUT)
        assert page.goto(url).status == 404
    finally:
        page.close()


def test_drafts_show_with_a_banner(chromium: Browser, dev: tuple[Path, DevServer]) -> None:
    from playwright.sync_api import expect

    _, server = dev
    page = chromium.new_page()
    try:
        page.goto(server.url + "2023/05/zhong-kao-gong-zuo-hui/")
        expect(page.locator(".draft-banner")).to_contain_text("草稿 / draft")
    finally:
        page.close()
