"""The progress line: only for builds longer than a second, on a terminal, outside CI."""

from __future__ import annotations

import io

from sitebuilder import make_site
from test_incremental import many

from briefings.config import load_config
from briefings.diagnostics import Diagnostics
from briefings.pages import expected_pages
from briefings.pipeline import build
from briefings.progress import Progress, line, wanted
from briefings.render import render_site


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_the_line_says_what_how_far_how_fast_and_how_long():
    assert line("rendering pages", 4210, 16692, 3.5) == "rendering pages 4,210/16,692 · 1,203/s · ETA 10 s"
    assert line("building the search index", 0, 0, 2.0) == "building the search index …"
    assert line("parsing briefings", 0, 100, 0.0) == "parsing briefings 0/100"


def test_nothing_is_shown_in_the_first_second_then_redrawn_in_place_and_erased():
    clock, stream = Clock(), io.StringIO()
    progress = Progress(stream, clock=clock)
    progress("parsing briefings", 100, 1000)
    assert stream.getvalue() == ""  # a short build prints nothing
    clock.now += 1.5
    progress("parsing briefings", 600, 1000)
    assert stream.getvalue() == "\rparsing briefings 600/1,000 · 400/s · ETA 1 s\x1b[K"
    progress("parsing briefings", 650, 1000)  # within a tenth of a second: not redrawn
    assert stream.getvalue().count("\r") == 1
    clock.now += 0.5
    progress("rendering pages", 200, 400)
    assert stream.getvalue().endswith("\rrendering pages 200/400\x1b[K")  # a new step: its own rate
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_shown_only_on_a_terminal_outside_ci_without_quiet(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    assert wanted(Terminal(), quiet=False)
    assert not wanted(Terminal(), quiet=True)
    assert not wanted(io.StringIO(), quiet=False)
    monkeypatch.setenv("CI", "true")
    assert not wanted(Terminal(), quiet=False)


def test_the_render_step_knows_its_page_count_in_advance(tmp_path):
    site = make_site(tmp_path, many(25) + "-- content/en.en.md --\n---\ntitle: In English\ndate: 2022-05-01\n"
                     "aliases: [/old/]\n---\nText.\n")
    result = build(site.root, write=False)
    config = load_config(site.root, Diagnostics())
    assert result.site is not None and config is not None
    reports: list[tuple[str, int, int]] = []
    outputs, _ = render_site(config, result.site, Diagnostics(), extra_pages=("search",),
                             progress=lambda *report: reports.append(report))
    pages = [o for o in outputs if not o.path.startswith("static/") and o.path != "robots.txt"]
    assert expected_pages(result.site, config.per_page, ("search",)) == len(pages)
