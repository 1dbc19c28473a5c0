"""What the build writes besides rendered pages: the theme's static files under content-hashed
names (and the site's static/ as is), and, with ``--minify``, the pages minified."""

from __future__ import annotations

import hashlib
import importlib.util
from collections.abc import Sequence
from pathlib import Path

from .config import SiteConfig, theme_dir
from .diagnostics import Diagnostics
from .links import link_shown, site_files
from .output import Output


def static_outputs(config: SiteConfig, diagnostics: Diagnostics | None = None) -> tuple[list[Output], dict[str, str]]:
    """Theme static files under content-hashed names (cache forever); site static/ as is.

    A file in the site's static/ at the path of a theme file (``static/site.css``) takes the
    theme file's place, under a hashed name of its own, and is not copied as is besides.
    Links that leave the site are not followed (a warning each, with ``diagnostics``).
    """
    outputs: list[Output] = []
    names: dict[str, str] = {}
    refused: list[tuple[Path, str]] = []
    theme_static = theme_dir(config) / "static"
    site_static = config.root / "static"
    own = {p.relative_to(site_static).as_posix(): p for p in site_files(site_static, config.root, refused)}
    for path in site_files(theme_static, config.root, refused):
        rel = path.relative_to(theme_static).as_posix()
        path = own.get(rel, path)
        data = path.read_bytes()
        stem, dot, suffix = rel.rpartition(".")
        digest = hashlib.sha256(data).hexdigest()[:10]
        hashed = f"{stem}.{digest}.{suffix}" if dot else f"{rel}.{digest}"
        names[rel] = hashed
        outputs.append(Output(f"static/{hashed}", data, path.as_posix()))
    for rel, path in own.items():
        if rel not in names:
            outputs.append(Output(rel, path.read_bytes(), path.as_posix()))
    for link, why in refused if diagnostics is not None else ():
        diagnostics.warning(link_shown(link, config.root), None, why)  # type: ignore[union-attr]
    return outputs, names


def minify_available() -> bool:
    """Whether minify-html (the optional ``minify`` extra) is installed."""
    return importlib.util.find_spec("minify_html") is not None


def minify_pages(outputs: Sequence[Output]) -> list[Output]:
    """HTML pages minified by minify-html; every other output as it was.

    Only spec-compliant changes (whitespace the layout ignores, optional tags and quotes,
    inline CSS), so a page shows the same text; inline scripts are left as written.
    """
    import minify_html  # the optional `minify` extra: pip install 'briefings[minify]'

    def minified(output: Output) -> Output:
        html = minify_html.minify(output.data.decode("utf-8"), keep_html_and_head_opening_tags=True,
                                  minify_css=True)
        return Output(output.path, html.encode("utf-8"), output.source)

    return [minified(o) if o.path.endswith(".html") else o for o in outputs]
