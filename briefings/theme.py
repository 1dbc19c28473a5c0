"""Where a site's theme lives, and which of its files a site overrides.

Lookup order, file by file (the first that has the file wins):

1. the site's own ``templates/``, ``static/`` and ``i18n/`` (``i18n/zh.toml`` key by key);
2. ``SITE/themes/<theme>/`` when the site has such a folder;
3. for ``theme = "default"`` without one: the default theme shipped inside the package.

The default theme sits at ``themes/default/`` in the repository; an installed package carries it
as the package ``briefings_theme_default`` (pyproject.toml maps one onto the other), so a site
made with ``briefings init`` needs no theme folder of its own.
"""

from __future__ import annotations

import importlib.util
import tomllib
from collections.abc import Sequence
from pathlib import Path

from .diagnostics import Diagnostics

BUNDLED_THEME = "default"
BUNDLED_PACKAGE = "briefings_theme_default"
# A source checkout: the theme beside the package, as the repository lays it out.
_CHECKOUT = Path(__file__).resolve().parent.parent / "themes" / BUNDLED_THEME


def bundled_theme() -> Path | None:
    """The default theme that comes with this package: the checkout's folder, else the installed one."""
    if (_CHECKOUT / "templates").is_dir():
        return _CHECKOUT
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    for location in (spec.submodule_search_locations or ()) if spec is not None else ():
        if (Path(location) / "templates").is_dir():
            return Path(location)
    return None


def find_theme(root: Path, name: str) -> Path | None:
    """The folder of theme ``name`` for the site in ``root``: its own, else the bundled default."""
    own = root / "themes" / name
    if own.is_dir():
        return own
    return bundled_theme() if name == BUNDLED_THEME else None


def display_path(path: Path, root: Path) -> str:
    """A theme file as messages name it: relative to the site, or as the bundled theme's file."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        bundled = bundled_theme()
        if bundled is not None and path.resolve().is_relative_to(bundled.resolve()):
            return f"(default theme)/{path.resolve().relative_to(bundled.resolve()).as_posix()}"
        return path.as_posix()


def load_strings(theme: Path, languages: Sequence[str], diagnostics: Diagnostics,
                 site: Path | None = None) -> dict[str, dict[str, str]]:
    """The theme's interface strings per language, with the site's ``i18n/{code}.toml`` (if any)
    overriding them key by key; a key missing in one language is a warning."""
    strings: dict[str, dict[str, str]] = {}
    root = site if site is not None else theme.parent.parent

    def read(path: Path, required: bool) -> dict[str, str]:
        rel = display_path(path, root)
        try:
            return {k: str(v) for k, v in tomllib.loads(path.read_text(encoding="utf-8")).items()}
        except FileNotFoundError:
            if required:
                diagnostics.warning(rel, None, f"no interface strings for language {path.stem!r}")
        except tomllib.TOMLDecodeError as exc:
            diagnostics.error(rel, None, f"invalid TOML: {exc}")
        return {}

    themed: set[str] = set()  # keys the theme has: a key missing elsewhere is the site's to add
    for code in languages:
        strings[code] = read(theme / "i18n" / f"{code}.toml", True)
        themed.update(strings[code])
        if site is not None:
            strings[code].update(read(site / "i18n" / f"{code}.toml", False))
    every_key = set().union(*strings.values()) if strings else set()
    for code, table in strings.items():
        for key in sorted(every_key - table.keys()):
            owner = theme if key in themed or site is None else site
            diagnostics.warning(display_path(owner / "i18n" / f"{code}.toml", root), None,
                                f"missing interface string `{key}`", "the page shows the other language's text")
    return strings
