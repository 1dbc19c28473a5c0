"""A briefing with one photo in Chromium: the right width is fetched on a phone and on a desktop,
the photo fills the column without shifting the layout, and it weighs what the issue allows."""

from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from browser import serve_folder
from PIL import Image
from sitebuilder import make_site
from test_quality import REPO

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytest_plugins = ["browser"]
pytestmark = pytest.mark.browser

ARTIFACTS = REPO / "test-artifacts"
URL = "/2026/05/shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui/"
# (viewport, device pixels per CSS pixel, the image bytes allowed, the width the browser should pick)
SCREENS = {"phone": ((390, 844), 1, 150 * 1024, 480), "phone-2x": ((390, 844), 2, 150 * 1024, 960),
           "desktop": ((1280, 900), 1, 300 * 1024, 960)}


def camera_photo(width: int = 4000, height: int = 3000) -> bytes:
    """A 12-megapixel JPEG with fine detail at every scale (harder to compress than most photos)."""
    gradient = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    colour = Image.effect_mandelbrot((width // 4, height // 4), (-2.2, -1.2, 1, 1.2), 80).convert("RGB")
    noise = Image.effect_noise((width // 3, height // 3), 60).convert("RGB")
    image = Image.blend(Image.blend(gradient, colour.resize((width, height)), 0.5),
                        noise.resize((width, height), Image.Resampling.BICUBIC), 0.3)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture(scope="module")
def photo_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    site = make_site(tmp_path_factory.mktemp("photo"), """\
-- content/2026/photo/index.md --
---
title: 市教育局召开局党组扩大会
date: 2026-05-10
---

5月10日上午，市教育局召开局党组扩大会，研究部署下一阶段重点工作。

![会议现场](meeting.jpg)

会议强调，要压实责任、狠抓落实。会议印发了[工作要点](要点.pdf)。
""")
    (site.root / "content/2026/photo/meeting.jpg").write_bytes(camera_photo())
    (site.root / "content/2026/photo/要点.pdf").write_bytes(b"%PDF-1.4\n" + b"0" * 5000)
    assert site.build().ok, site.messages()
    return site.out


@pytest.mark.parametrize("screen", SCREENS)
def test_the_photo_fetched_fits_the_screen_and_its_weight(chromium: Browser, photo_site: Path, screen: str) -> None:
    (width, height), scale, budget, expected = SCREENS[screen]
    context = chromium.new_context(viewport={"width": width, "height": height}, device_scale_factor=scale)
    page = context.new_page()
    images: dict[str, int] = {}

    def seen(response) -> None:  # type: ignore[no-untyped-def]
        if response.request.resource_type == "image":
            images[response.url.rsplit("/", 1)[1]] = len(response.body())

    page.on("response", seen)
    with serve_folder(photo_site) as base:
        page.goto(base + URL.lstrip("/"), wait_until="load")
        shown = page.evaluate("""() => {
            const img = document.querySelector('.body picture img');
            const column = document.querySelector('.body').getBoundingClientRect();
            const box = img.getBoundingClientRect();
            return {src: img.currentSrc.split('/').pop(), natural: img.naturalWidth, width: box.width,
                    height: box.height, column: column.width, scroll: document.documentElement.scrollWidth};
        }""")
        ARTIFACTS.mkdir(exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"briefing-photo-{screen}.png"), full_page=True)
    context.close()
    assert shown["src"] == f"meeting-{expected}w.webp", shown
    assert abs(shown["width"] - shown["column"]) < 1, shown  # fills the column …
    assert abs(shown["height"] - shown["width"] * 1200 / 1600) < 1.5, shown  # … in proportion
    assert shown["scroll"] <= width, shown  # and never wider than the screen
    assert list(images) == [f"meeting-{expected}w.webp"], images  # one image, one width: no fallback fetched
    assert sum(images.values()) <= budget, images
