"""An accent colour → the shades the theme uses, each kept readable (WCAG contrast ≥ 4.5:1).

Pure colour arithmetic: config.py checks the colour a site chose, render.py hands the palette
to the templates. The accent colours links, buttons (with the page colour as text) and the
header's rule, so it must read against the page's background in light mode and in dark mode.
"""

from __future__ import annotations

import colorsys
import re
from dataclasses import dataclass

MIN_CONTRAST = 4.5
LIGHT_BG = "#ffffff"  # the theme's page colours (site.css: --bg)
DARK_BG = "#14181f"
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


def parse_hex(text: str) -> str | None:
    """'#1A7F37', '1a7f37' or '#1a3' → '#1a7f37'; None for anything else."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits


def _rgb(colour: str) -> tuple[float, float, float]:
    return tuple(int(colour[i: i + 2], 16) / 255 for i in (1, 3, 5))  # type: ignore[return-value]


def _hex(rgb: tuple[float, float, float]) -> str:
    return "#" + "".join(f"{round(max(0.0, min(1.0, c)) * 255):02x}" for c in rgb)


def luminance(colour: str) -> float:
    """Relative luminance, as WCAG 2 defines it."""
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    r, g, b = (channel(c) for c in _rgb(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours, 1 to 21."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _with_lightness(colour: str, lightness: float) -> str:
    h, _, s = colorsys.rgb_to_hls(*_rgb(colour))
    return _hex(colorsys.hls_to_rgb(h, max(0.0, min(1.0, lightness)), s))


def readable_on(colour: str, background: str, minimum: float = MIN_CONTRAST) -> str:
    """``colour`` itself if it reads on ``background``; else the same hue made darker (on a light
    background) or lighter (on a dark one), just enough."""
    if contrast(colour, background) >= minimum:
        return colour
    _, lightness, _ = colorsys.rgb_to_hls(*_rgb(colour))
    darker = luminance(background) > 0.5
    step = -0.01 if darker else 0.01
    while 0.0 <= lightness <= 1.0:
        lightness += step
        candidate = _with_lightness(colour, lightness)
        if contrast(candidate, background) >= minimum:
            return candidate
    return "#000000" if darker else "#ffffff"


def shifted(colour: str, amount: float) -> str:
    """The same hue, lighter (amount > 0) or darker (amount < 0) by ``amount`` of lightness."""
    _, lightness, _ = colorsys.rgb_to_hls(*_rgb(colour))
    return _with_lightness(colour, lightness + amount)


@dataclass(frozen=True)
class Palette:
    chosen: str
    accent: str  # light mode: links, buttons, the header rule
    hover: str
    soft: str  # a pale tint behind highlighted things
    dark_accent: str  # dark mode
    dark_hover: str
    dark_soft: str

    @property
    def adjusted(self) -> bool:
        """Whether the chosen colour had to be darkened to read on a white page."""
        return self.accent != self.chosen

    @property
    def ratio(self) -> float:
        return contrast(self.chosen, LIGHT_BG)

    def css(self) -> str:
        """The theme's colour variables for this accent (site.css reads them)."""
        return (f":root{{--accent:{self.accent};--accent-hover:{self.hover};--accent-soft:{self.soft};"
                f"--link:{self.accent};--link-hover:{self.hover}}}"
                f"@media (prefers-color-scheme:dark){{:root{{--accent:{self.dark_accent};"
                f"--accent-hover:{self.dark_hover};--accent-soft:{self.dark_soft};"
                f"--link:{self.dark_accent};--link-hover:{self.dark_hover}}}}}")


def palette(chosen: str) -> Palette:
    """The shades of one accent colour (``chosen`` as parse_hex returns it)."""
    accent = readable_on(chosen, LIGHT_BG)
    dark = readable_on(chosen, DARK_BG)
    return Palette(
        chosen=chosen,
        accent=accent,
        hover=readable_on(shifted(accent, -0.08), LIGHT_BG),  # darker still: stays readable
        soft=_with_lightness(accent, 0.95),
        dark_accent=dark,
        dark_hover=readable_on(shifted(dark, 0.08), DARK_BG),
        dark_soft=_with_lightness(accent, 0.16),
    )
