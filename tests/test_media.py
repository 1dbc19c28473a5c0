"""media.py: a photo's bytes → published variants, with images made by Pillow in the test."""

from __future__ import annotations

import io
import struct
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from briefings.media import (
    FALLBACK_WIDTH,
    MAX_PIXELS,
    WIDTHS,
    MediaError,
    process_image,
    process_many,
    svg_problem,
    widths_for,
)

GPS = 0x8825
ORIENTATION = 0x0112


def photo(width: int, height: int, fmt: str = "JPEG", *, orientation: int | None = None, gps: bool = False,
          mode: str = "RGB") -> bytes:
    """A plain picture: a gradient with a square, so resizing and turning show."""
    image = Image.linear_gradient("L").resize((width, height)).convert(mode)
    image.paste((200, 30, 30) if mode == "RGB" else (200, 30, 30, 128), (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    if orientation is not None:
        exif[ORIENTATION] = orientation
    if gps:
        exif[GPS] = {1: "N", 2: (39.0, 54.0, 27.0), 3: "E", 4: (116.0, 23.0, 17.0)}
    out = io.BytesIO()
    image.save(out, fmt, **({"exif": exif} if len(exif) else {}))
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    return Image.open(io.BytesIO(data))


def test_a_large_photo_comes_in_every_width_as_webp_plus_a_jpeg():
    made = process_image(photo(4000, 3000), "meeting.jpg")
    assert [(v.width, v.format) for v in made.variants] == [(480, "webp"), (960, "webp"), (1600, "webp"),
                                                             (960, "jpg")]
    assert (made.width, made.height) == (1600, 1200)
    for variant in made.variants:
        image = opened(variant.data)
        assert image.size == (variant.width, variant.height)
        assert image.format == {"webp": "WEBP", "jpg": "JPEG"}[variant.format]


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=1, max_value=2400))
def test_widths_are_never_wider_than_the_image(width):
    chosen = widths_for(width)
    assert chosen == sorted(set(chosen)) and max(chosen) <= width
    assert max(chosen) == min(width, WIDTHS[-1])
    assert min(FALLBACK_WIDTH, width) in chosen  # the fallback copy is one of them


def test_small_images_are_not_upscaled_and_png_stays_png():
    made = process_image(photo(300, 200, "PNG"), "chart.png")
    assert [(v.width, v.height, v.format) for v in made.variants] == [(300, 200, "webp"), (300, 200, "png")]


def test_exif_orientation_is_applied_and_gps_and_every_other_tag_stripped():
    made = process_image(photo(1200, 800, orientation=6, gps=True), "phone.jpg")
    assert (made.width, made.height) == (800, 1200)  # turned upright
    for variant in made.variants:
        image = opened(variant.data)
        assert not image.getexif(), variant.format
        assert b"Exif" not in variant.data and b"GPS" not in variant.data
    # the red square, top-left as stored, is top-right once turned a quarter clockwise
    upright = opened(made.fallback.data).convert("RGB")
    def red(xy: tuple[int, int]) -> bool:
        r, g, _ = upright.getpixel(xy)
        return r > 150 and g < 90

    assert red((upright.width - 5, 5)) and not red((5, 5))


def test_transparency_keeps_a_png_fallback():
    made = process_image(photo(600, 400, "PNG", mode="RGBA"), "logo.png")
    assert made.fallback.format == "png" and opened(made.fallback.data).mode == "RGBA"


@pytest.mark.parametrize(("data", "expected"), [
    (photo(800, 600)[:2000], "damaged or truncated"),
    (b"%PDF-1.7\n" + b"0" * 500, "is not an image: it is a PDF document"),
    (b"PK\x03\x04" + b"0" * 500, "it is a ZIP archive"),
    (b"\x00" * 100, "not an image"),
])
def test_bad_files_are_errors_that_say_what_they_are(data, expected):
    with pytest.raises(MediaError, match=expected):
        process_image(data, "photo.jpg")


def _png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels: what a decompression bomb looks like."""
    data = photo(4, 4, "PNG")
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + header
    return data[:8] + struct.pack(">I", 13) + chunk + struct.pack(">I", zlib.crc32(chunk)) + data[33:]


def test_a_200_megapixel_image_is_refused_before_decoding():
    bomb = _png_claiming(20_000, 10_000)
    with pytest.warns(Image.DecompressionBombWarning):  # Pillow reads the header only, and warns
        assert opened(bomb).size == (20_000, 10_000)
    assert MAX_PIXELS < 20_000 * 10_000
    with pytest.raises(MediaError, match=r"huge.png is too large to decode safely \(more than 100 megapixels\)"):
        process_image(bomb, "huge.png")


def test_process_many_keeps_order_and_reports_failures_in_place():
    jobs = [(photo(700, 500), "a.jpg"), (b"%PDF-1.4", "b.jpg"), (photo(500, 700, "PNG"), "c.png")]
    results = list(process_many(jobs, workers=2))
    assert results[0].width == 700 and "PDF" in results[1] and results[2].fallback.format == "png"
    assert [r if isinstance(r, str) else r.variants for r in results] == \
        [r if isinstance(r, str) else r.variants for r in process_many(jobs, workers=1)]


@pytest.mark.parametrize(("svg", "problem"), [
    ('<svg xmlns="http://www.w3.org/2000/svg"><rect width="10" height="10"/></svg>', None),
    ('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "<script>"),
    ('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "event handler"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><a href="javascript:alert(1)"><text>x</text></a></svg>', "javascript"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><div/></foreignObject></svg>', "foreignObject"),
    ('<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY x "y">]><svg/>', "entity"),
    ('<svg xmlns="http://www.w3.org/2000/svg"><image href="https://x.org/a.png"/></svg>', "another document"),
    ("plain text", "not an SVG"),
])
def test_svg_with_script_is_never_safe(svg, problem):
    found = svg_problem(svg.encode())
    assert found is None if problem is None else problem in found
