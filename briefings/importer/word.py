"""Word (.docx) → HTML and its pictures: the only importer of mammoth.

mammoth turns a .docx into semantic HTML (headings, bold, lists, tables); its Markdown
writer is deprecated and writes ``__bold__``, which CommonMark does not render beside Hanzi,
so we take the HTML and make the Markdown ourselves (html.py → structure.py).
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from typing import Any

import mammoth

# Word's Title style, and the names WPS and Chinese Word give the built-in styles; mammoth
# knows the English heading names itself.
STYLE_MAP = "\n".join([
    "p[style-name='Title'] => h1:fresh",
    "p[style-name='Subtitle'] => h2:fresh",
    "p[style-name='标题'] => h1:fresh",
    *(f"p[style-name='标题 {n}'] => h{n}:fresh" for n in range(1, 7)),
])
IMAGE_TYPES = {"image/png": "png", "image/jpeg": "jpg", "image/gif": "gif", "image/bmp": "bmp",
               "image/tiff": "tif", "image/webp": "webp", "image/x-emf": "emf", "image/x-wmf": "wmf"}


class WordError(Exception):
    """The bytes are not a Word document mammoth can read."""


@dataclass
class Converted:
    html: str
    images: dict[str, bytes] = field(default_factory=dict)  # image-1.png → bytes, as the HTML names them
    messages: list[str] = field(default_factory=list)  # what mammoth could not carry over


def convert_docx(data: bytes) -> Converted:
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise WordError("not a Word .docx file (a .docx is a zip archive; this is not one)")
    images: dict[str, bytes] = {}

    def save(image: Any) -> dict[str, str]:
        with image.open() as stream:
            content = stream.read()
        name = f"image-{len(images) + 1}.{IMAGE_TYPES.get(image.content_type, 'bin')}"
        images[name] = content
        return {"src": name, "alt": image.alt_text or ""}

    try:
        result = mammoth.convert_to_html(io.BytesIO(data), convert_image=mammoth.images.img_element(save),
                                         style_map=STYLE_MAP)
    except (KeyError, ValueError, zipfile.BadZipFile, OSError) as exc:
        raise WordError(f"not a Word document mammoth can read ({type(exc).__name__}: {exc})") from None
    # A style mammoth does not know is read as a plain paragraph: what we want, not news.
    messages = [m.message for m in result.messages
                if m.type in ("warning", "error") and not m.message.startswith("Unrecognised")]
    messages += [f"{name} is a Windows drawing format browsers cannot show: save the picture as PNG or JPEG "
                 "and replace it" for name in images if name.endswith((".emf", ".wmf", ".tif", ".bin"))]
    return Converted(result.value, images, messages)
