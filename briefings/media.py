"""The only importer of Pillow: a photo's bytes → the widths and formats a page shows.

``process_image`` takes bytes and returns bytes (no disk), so tests hand it images made in
memory. Every image comes out as WebP in a few widths (never wider than it was) plus one
copy in a format every browser reads, turned the way the camera held it (EXIF orientation)
and stripped of everything else the file carried: a phone photo's GPS position, camera
serial and time stamps must never reach the public site. ``process_many`` spreads the work
over the machine's cores. SVG is not decoded here; ``svg_problem`` tells why one is unsafe.
"""

from __future__ import annotations

import io
import multiprocessing
import re
import warnings
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError
from PIL import __version__ as PILLOW_VERSION

WIDTHS = (480, 960, 1600)
FALLBACK_WIDTH = 960  # the copy old browsers get: a column's width, not the largest
WEBP_QUALITY = 75
JPEG_QUALITY = 80
# A 200-megapixel image takes 600 MB decoded: refused before decoding, with a reason.
MAX_PIXELS = 100_000_000
# Bumped when the code below changes what it makes: the cache keys on it.
VERSION = 1
SETTINGS = (f"v{VERSION} pillow={PILLOW_VERSION} widths={WIDTHS} fallback={FALLBACK_WIDTH} "
            f"webp={WEBP_QUALITY} jpeg={JPEG_QUALITY}")

# Pillow's own guard (a warning past 89 MP, an error past twice that) is ours, made an error.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

_READABLE = {"JPEG": "jpg", "MPO": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_MAGIC = ((b"%PDF", "a PDF document"), (b"PK\x03\x04", "a ZIP archive (or a Word/Excel file)"),
          (b"\xd0\xcf\x11\xe0", "an old Office document"), (b"<svg", "an SVG drawing"),
          (b"<?xml", "an XML file"), (b"<!DOCTYPE", "an HTML page"), (b"<html", "an HTML page"))


class MediaError(ValueError):
    """An image that cannot be published; the message says what is wrong and what to do."""


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    format: str  # file extension: webp, jpg, png
    data: bytes


@dataclass(frozen=True)
class ProcessedImage:
    width: int  # of the largest variant, as shown (after EXIF orientation)
    height: int
    variants: tuple[Variant, ...]  # the WebP widths, narrowest first, then the fallback copy

    @property
    def webp(self) -> tuple[Variant, ...]:
        return tuple(v for v in self.variants if v.format == "webp")

    @property
    def fallback(self) -> Variant:
        return self.variants[-1]


def widths_for(width: int) -> list[int]:
    """The widths published for an image ``width`` pixels wide: never wider than it is."""
    chosen = [w for w in WIDTHS if w < width]
    if width <= WIDTHS[-1]:
        chosen.append(width)
    return chosen or [width]


def _what_is_it(data: bytes) -> str:
    head = data[:64].lstrip()
    for magic, name in _MAGIC:
        if head.startswith(magic):
            return f"it is {name}"
    return "its bytes are not an image Pillow can read"


def process_image(data: bytes, name: str = "image") -> ProcessedImage:
    """Decode ``data`` and make the published variants; MediaError when it cannot be."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            kind = image.format or ""
            if kind not in _READABLE:
                raise MediaError(f"{name}: {kind or 'unknown'} images are not supported; save it as JPEG or PNG")
            if image.width * image.height > MAX_PIXELS:
                raise MediaError(f"{name} is {image.width}×{image.height} pixels "
                                 f"({image.width * image.height / 1e6:.0f} megapixels), more than the "
                                 f"{MAX_PIXELS // 1_000_000} allowed", )
            orientation = image.getexif().get(0x0112, 1)
            turned = orientation in (5, 6, 7, 8)
            shown_width = image.height if turned else image.width
            largest = min(WIDTHS[-1], shown_width)
            if kind == "JPEG":  # decode at 1/2, 1/4 … of full size when that still covers the largest width
                scale = largest / shown_width
                image.draft("RGB", (max(1, int(image.width * scale)), max(1, int(image.height * scale))))
            image.load()
            image = ImageOps.exif_transpose(image) or image
    except MediaError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise MediaError(f"{name} is too large to decode safely (more than {MAX_PIXELS // 1_000_000} megapixels)",
                         ) from None
    except UnidentifiedImageError:
        if name.lower().endswith((".heic", ".heif")):
            raise MediaError(f"{name}: this Pillow cannot read HEIC photos; export it as JPEG "
                             "(or install pillow-heif)") from None
        raise MediaError(f"{name} is not an image: {_what_is_it(data)}") from None
    except (OSError, SyntaxError, ValueError, EOFError) as exc:
        raise MediaError(f"{name} is damaged or truncated ({exc}); export it again") from None
    alpha = image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info)
    image = image.convert("RGBA" if alpha else "RGB")
    icc = image.info.get("icc_profile")  # colour, not a secret: kept so colours look right
    sizes = widths_for(shown_width)
    fallback_width = min(FALLBACK_WIDTH, shown_width)  # one of ``sizes``
    variants: list[Variant] = []
    base = image
    for width in sorted(sizes, reverse=True):  # each from the next larger: fast, and sharp enough
        height = max(1, round(image.height * width / image.width))
        base = base if base.size == (width, height) else base.resize((width, height), Image.Resampling.LANCZOS)
        variants.append(_encode(base, "webp", icc))
        if width == fallback_width:
            fallback = _encode(base, "png" if alpha or kind in ("PNG", "GIF") else "jpg", icc)
    variants.sort(key=lambda v: v.width)
    largest_variant = variants[-1]
    return ProcessedImage(largest_variant.width, largest_variant.height, (*variants, fallback))


def _encode(image: Image.Image, fmt: str, icc: bytes | None) -> Variant:
    out = io.BytesIO()
    extra = {"icc_profile": icc} if icc else {}
    if fmt == "webp":
        image.save(out, "WEBP", quality=WEBP_QUALITY, method=4, **extra)
    elif fmt == "jpg":
        image.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True, **extra)
    else:
        image.save(out, "PNG", optimize=True, **extra)
    return Variant(image.width, image.height, fmt, out.getvalue())


def _process_job(job: tuple[bytes | str, str]) -> ProcessedImage | str:
    data, name = job
    try:
        if isinstance(data, str):
            with open(data, "rb") as stream:
                data = stream.read()
        return process_image(data, name)
    except MediaError as exc:
        return str(exc)
    except OSError as exc:
        return f"{name} could not be read: {exc.strerror}"


def process_many(jobs: Sequence[tuple[bytes | str, str]], workers: int = 1) -> Iterator[ProcessedImage | str]:
    """``process_image`` over (bytes or a file's path, name) pairs, in order; a failure comes as
    its message. Paths keep a thousand 3-MB photos out of memory while they wait for a worker.

    Decoding and resizing a photo takes a tenth of a second or more, each independent of the
    others: with several, every core takes some.
    """
    if workers <= 1 or len(jobs) < 2:
        yield from map(_process_job, jobs)
        return
    context = multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else None)
    with ProcessPoolExecutor(max_workers=min(workers, len(jobs)), mp_context=context) as pool:
        yield from pool.map(_process_job, jobs, chunksize=1)


# ---- SVG ---------------------------------------------------------------------------------------

_SVG_DANGER = (
    (re.compile(rb"<\s*script", re.I), "a <script> element"),
    (re.compile(rb"\son[a-z]+\s*=", re.I), "an event handler (onload=, onclick= …)"),
    (re.compile(rb"javascript\s*:", re.I), "a javascript: URL"),
    (re.compile(rb"<\s*foreignObject", re.I), "a <foreignObject> (HTML inside the drawing)"),
    (re.compile(rb"<!ENTITY", re.I), "an XML entity declaration"),
    (re.compile(rb"<\s*(iframe|embed|object)\b", re.I), "an embedded document"),
    (re.compile(rb"""href\s*=\s*["']\s*(?!#)""", re.I), "a link to another document"),
    (re.compile(rb"""<\?xml-stylesheet|@import|url\(\s*["']?\s*(?!#)""", re.I), "an external style sheet or resource"),
)


def svg_problem(data: bytes) -> str | None:
    """Why an SVG is unsafe to publish as it is (it can carry script run on the site's own
    origin when opened), or None for a plain drawing."""
    if b"<svg" not in data[:4096].lower() and b"<svg" not in data.lower():
        return "it is not an SVG drawing"
    for pattern, what in _SVG_DANGER:
        if pattern.search(data):
            return f"it contains {what}"
    return None
