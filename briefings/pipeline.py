"""The build, spelled out once: load → assemble → render → write, each step timed."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .config import SiteConfig, load_config
from .content import load_content
from .diagnostics import Diagnostics
from .model import Site
from .output import Output, OutputError, publish
from .render import render_site
from .site import BuildOptions, assemble


@dataclass
class BuildResult:
    diagnostics: Diagnostics
    timings: dict[str, float] = field(default_factory=dict)
    pages: int = 0
    site: Site | None = None
    outputs: list[Output] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.has_errors


@contextmanager
def _timed(timings: dict[str, float], step: str) -> Iterator[None]:
    start = time.perf_counter()
    try:
        yield
    finally:
        timings[step] = timings.get(step, 0.0) + time.perf_counter() - start


# Extra outputs a feature adds to the site, given the config and the assembled site.
Extension = Callable[[SiteConfig, Site, Diagnostics], list[Output]]


def build(root: Path, out_dir: Path | None = None, options: BuildOptions | None = None,
          *, write: bool = True, serve: bool = False) -> BuildResult:
    """Build the site in ``root``. Nothing is written unless every step succeeded."""
    options = options or BuildOptions()
    diagnostics = Diagnostics()
    result = BuildResult(diagnostics)
    timings = result.timings
    with _timed(timings, "config"):
        config = load_config(root, diagnostics, options.base_url)
    if config is None:
        return result
    with _timed(timings, "load"):
        loaded = load_content(config, diagnostics)
    with _timed(timings, "assemble"):
        site = assemble(config, loaded, options, diagnostics)
    result.site = site
    if diagnostics.has_errors:
        return result
    with _timed(timings, "render"):
        outputs = render_site(config, site, diagnostics, serve=serve)
    if diagnostics.has_errors:
        return result
    result.outputs = outputs
    result.pages = sum(1 for o in outputs if o.path.endswith(".html"))
    if write:
        with _timed(timings, "write"):
            try:
                publish(outputs, out_dir or root / "public")
            except OutputError as exc:
                diagnostics.error("site.toml", None, str(exc))
    return result
