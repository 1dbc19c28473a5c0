"""RENDER: the only importer of jinja2. Site → outputs in memory; writes nothing.

The Jinja door: the environment (templates compiled once, kept between builds), its filters
and globals, the translator of interface strings (theme.py reads them), and ``Renderer.page``,
which renders one template with its context or reuses last build's bytes. ``render_site`` runs
the page plan (pages.py), in forked workers on a first build of a large site. Every page is
rendered before anything is written (output.py does that), so a template error leaves the
published site untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import re
import threading
from collections.abc import Callable, Collection, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2
import jinja2.meta

from .assets import static_outputs
from .config import SiteConfig, theme_dir
from .diagnostics import Diagnostics
from .disclosure import VALIDITY_EN
from .inspection import json_ld, meta_tags, script_json
from .links import allowed_roots, inside, link_shown, site_files
from .model import Briefing, Site, Tag
from .output import Output
from .pages import (
    HTML_LANG,
    BriefingPageViews,
    Card,
    TagView,
    body_edit_pages,
    branding,
    briefing_pages,
    edition_pages,
    expected_pages,
    search_examples,
    site_pages,
)
from .theme import display_path, load_strings

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]


class TemplateProblem(Exception):
    """A template that failed; carries the template path and line for the diagnostic."""

    def __init__(self, path: str, line: int | None, message: str) -> None:
        super().__init__(path, line, message)  # all three: a render worker's problem is pickled
        self.path, self.line, self.message = path, line, message

    def __str__(self) -> str:
        return self.message


_RELATIVE_URL = re.compile(r'(\s(?:href|src)=")(?![A-Za-z][A-Za-z0-9+.-]*:|/|#)([^"]*)"')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')


def absolute_links(html: str, base: str) -> str:
    """Relative links and image sources of a body (its photos and attachments, beside the page)
    made absolute against the page's URL ``base``: a feed reader resolves them against the feed."""
    if 'src="' not in html and 'href="' not in html:
        return html
    html = _RELATIVE_URL.sub(lambda m: f'{m.group(1)}{base}{m.group(2)}"', html)
    return _SRCSET.sub(lambda m: m.group(1) + ", ".join(
        part if ":" in part.split(" ")[0] or part.startswith("/") else base + part
        for part in m.group(2).split(", ")) + '"', html)


def size_label(size: int) -> str:
    """A file's size as the attachments list shows it: 235 KB, 1.4 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / (1024 * 1024):.1f} MB"


def format_date(value: dt.datetime, lang: str) -> str:
    """2023年6月15日 for Chinese readers, June 15, 2023 for English ones."""
    if lang == "zh":
        return f"{value.year}年{value.month}月{value.day}日"
    return f"{MONTHS_EN[value.month - 1]} {value.day}, {value.year}"


def format_month(year: int, month: int, lang: str) -> str:
    return f"{year}年{month}月" if lang == "zh" else f"{MONTHS_EN[month - 1]} {year}"


def _template_files(folders: Sequence[Path]) -> tuple[tuple[str, int, int], ...]:
    return tuple((str(p), st.st_mtime_ns, st.st_size) for folder in folders
                 for p in sorted(folder.rglob("*")) if p.is_file() and (st := p.stat()))


class _InsideLoader(jinja2.FileSystemLoader):
    """Templates of one folder, but none that a link leads to outside the site ``root``: the
    next folder's (the theme's) is used instead, and the walk in Renderer warns of the link."""

    def __init__(self, folder: Path, root: Path) -> None:
        super().__init__(folder)
        self.roots = allowed_roots(folder, root) or ()

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        source, filename, uptodate = super().get_source(environment, template)
        if not any(inside(os.path.realpath(filename), root) for root in self.roots):
            raise jinja2.TemplateNotFound(template)
        return source, filename, uptodate


@dataclass
class TemplateCache:
    """Kept by the caller between builds: one Jinja environment (so templates are compiled
    once, not once a build) and the files each template is made of. Both stay valid until a
    file in the template folders is added, removed or changed; then both are dropped.
    """

    folders: tuple[Path, ...] = ()
    env: jinja2.Environment | None = None
    files: tuple[tuple[str, int, int], ...] = ()
    stamps: dict[str, tuple[tuple[str, int, int], ...]] = field(default_factory=dict)

    def environment(self, folders: tuple[Path, ...], root: Path) -> jinja2.Environment:
        if self.env is None or folders != self.folders:
            self.folders, self.files, self.stamps = folders, (), {}
            self.env = jinja2.Environment(
                loader=jinja2.ChoiceLoader([_InsideLoader(f, root) for f in folders]),
                autoescape=True,
                undefined=jinja2.StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=True,
            )
            self.env.filters["date"] = format_date
            self.env.filters["filesize"] = size_label
            self.env.filters["absolute_links"] = absolute_links
        files = _template_files(folders)
        if files != self.files:
            # A new override in templates/ shadows a theme template Jinja still has compiled.
            self.files, self.stamps = files, {}
            self.env.cache.clear()  # type: ignore[union-attr]
        return self.env


@dataclass
class Renderer:
    config: SiteConfig
    site: Site
    diagnostics: Diagnostics
    serve: bool = False
    assets: dict[str, str] = field(default_factory=dict)  # theme static name → hashed file name
    strings: dict[str, dict[str, str]] = field(default_factory=dict)
    # output path → (what the page was rendered from, its bytes); kept between builds by the caller
    memo: dict[str, tuple[Any, bytes]] = field(default_factory=dict)
    templates: TemplateCache = field(default_factory=TemplateCache)  # also kept between builds
    # briefing page path → what it was made from, by identity where possible (see briefing_pages)
    page_inputs: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    views: dict[tuple[str, str], TagView] = field(default_factory=dict)  # the last build's TagViews
    cards: dict[int, tuple[Briefing, Card]] = field(default_factory=dict)  # by id of the briefing
    rendered: int = 0
    reused: int = 0
    # After a render that looked only at changed briefings: the outputs it looked at (the
    # static files among them); every other output is the previous render's. None otherwise.
    revisited: list[Output] | None = None

    def __post_init__(self) -> None:
        theme = theme_dir(self.config)
        site_templates = self.config.root / "templates"
        folders = ((site_templates,) if site_templates.is_dir() else ()) + (theme / "templates",)
        self.env = self.templates.environment(folders, self.config.root)
        refused: list[tuple[Path, str]] = []
        for folder in folders:
            site_files(folder, self.config.root, refused)
        for link, why in refused:
            self.diagnostics.warning(link_shown(link, self.config.root), None, why)
        self.env.globals.update(
            # Globals stay the same from build to build (they depend on site.toml and the theme only),
            # so a page's bytes depend on its context alone: what lets rebuilds reuse pages.
            url=self.url, abs_url=self.abs_url, asset=self.asset, serve=self.serve,
            format_month=format_month, html_lang=HTML_LANG, default_language=self.site.default_language,
            languages=tuple(e.language for e in self.site.editions),
            extra_taxonomies=tuple(t for t in self.config.taxonomies if t != "tags"),
            # 政府信息公开 and inspection tags (disclosure.py, inspection.py): from site.toml alone
            inspection_meta=functools.partial(meta_tags, self.config),
            inspection_ld=functools.partial(json_ld, self.config), script_json=script_json,
            validity_en=VALIDITY_EN,
            brand=branding(self.config), search_example=search_examples(self.config),
        )
        self.strings = load_strings(theme, self.config.language_codes, self.diagnostics, self.config.root)
        self._stamps = self.templates.stamps

    # -- helpers the templates call ------------------------------------------------------
    def url(self, path: str) -> str:
        return self.site.base_path + path

    def abs_url(self, path: str) -> str:
        return self.site.base_url.rstrip("/") + path

    def asset(self, name: str) -> str:
        return self.url("/static/" + self.assets.get(name, name))

    def translator(self, lang: str) -> Callable[[str], str]:
        table = self.strings.get(lang, {})
        fallback = self.strings.get(self.config.default_language, {})

        def t(key: str, **values: Any) -> str:
            text = table.get(key) or fallback.get(key) or key
            return text.format(**values) if values else text

        return t

    def card(self, briefing: Briefing) -> Card:
        """The briefing's card; the last build's very object for the same briefing (see tag_view)."""
        earlier = self.cards.get(id(briefing))
        if earlier is not None and earlier[0] is briefing:
            return earlier[1]
        made = self.cards[id(briefing)] = (briefing, Card.of(briefing))
        return made[1]

    def tag_view(self, tag: Tag) -> TagView:
        """The tag's view; the last build's very object when equal, so pages compare it by identity."""
        view = TagView.of(tag)
        earlier = self.views.get((tag.lang, tag.url))
        if earlier == view:
            return earlier  # type: ignore[return-value]
        self.views[(tag.lang, tag.url)] = view
        return view

    # -- rendering ---------------------------------------------------------------------
    def template_stamp(self, template: str) -> tuple[tuple[str, int, int], ...]:
        """The files a template is made of (itself, what it extends, includes, imports), with mtimes.

        A page is reused only while this stamp is unchanged, so editing one template re-renders
        exactly the pages that use it.
        """
        if template not in self._stamps:
            seen: dict[str, tuple[str, int, int]] = {}
            pending = [template]
            while pending:
                name = pending.pop()
                if name in seen:
                    continue
                source, filename, _ = self.env.loader.get_source(self.env, name)  # type: ignore[union-attr]
                stat = Path(filename).stat() if filename else None
                seen[name] = (filename or name, stat.st_mtime_ns if stat else 0, stat.st_size if stat else 0)
                try:
                    referenced = jinja2.meta.find_referenced_templates(self.env.parse(source))
                except jinja2.TemplateSyntaxError:
                    referenced = []
                pending.extend(r for r in referenced if r)
            self._stamps[template] = tuple(sorted(seen.values()))
        return self._stamps[template]

    def stamp(self, template: str) -> tuple[tuple[str, int, int], ...]:
        """``template_stamp`` for the page plan: a template error comes as a TemplateProblem."""
        try:
            return self.template_stamp(template)
        except jinja2.TemplateError as exc:
            raise template_problem(exc, self.config, template) from None

    def page(self, template: str, path: str, lang: str, source: str = "", **context: Any) -> Output:
        out_path = path.lstrip("/")
        try:
            # Briefings compare equal whatever their other front-matter keys (``extra``) say, which
            # a template may show: those go into the key on their own.
            extras = [value.extra for value in context.values() if isinstance(value, Briefing)]
            key = (template, lang, self.template_stamp(template), self.assets,
                   self.strings.get(lang), context, extras)
            earlier = self.memo.get(out_path)
            if earlier is not None and earlier[0] == key:
                self.reused += 1
                return Output(out_path, earlier[1], source or template)
            html = self.env.get_template(template).render(
                lang=lang, t=self.translator(lang), page_url=path.removesuffix("index.html"),
                language=self.site.edition(lang).language, **context,
            )
        except jinja2.TemplateError as exc:
            raise template_problem(exc, self.config, template) from None
        data = html.encode("utf-8")
        self.memo[out_path] = (key, data)
        self.rendered += 1
        return Output(out_path, data, source or template)


def template_problem(exc: jinja2.TemplateError, config: SiteConfig, template: str) -> TemplateProblem:
    """Find the template file and line of a Jinja error, from the syntax error or the traceback."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return TemplateProblem(_relative(exc.filename or template, config), exc.lineno, exc.message or str(exc))
    tb = exc.__traceback__
    path, line = template, None
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith((".html", ".xml", ".txt")):
            path, line = filename, tb.tb_lineno
        tb = tb.tb_next
    return TemplateProblem(_relative(path, config), line, str(exc))


def _relative(path: str, config: SiteConfig) -> str:
    """A template's path as messages show it: from the site folder, or in the bundled theme."""
    return display_path(Path(path), config.root) if Path(path).is_absolute() else path


@dataclass
class RenderState:
    """What one render leaves for the next, kept by the caller between builds of one config.

    ``memo``: output path → (what the page was rendered from, its bytes), so a page whose
    inputs are unchanged is reused, not rendered. ``templates``: one Jinja environment, so
    templates are compiled once. ``pages``/``inputs``: the last render's pages and the
    templates, asset names and strings they were made with, for renders that re-render only
    the briefings whose bodies changed.
    """

    memo: dict[str, tuple[Any, bytes]] = field(default_factory=dict)
    templates: TemplateCache = field(default_factory=TemplateCache)
    pages: list[Output] = field(default_factory=list)
    inputs: tuple[Any, ...] | None = None
    page_inputs: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    views: dict[tuple[str, str], TagView] = field(default_factory=dict)
    cards: dict[int, tuple[Briefing, Card]] = field(default_factory=dict)

    def forget_all_but(self, paths: set[str]) -> None:
        """Forget pages the site no longer has (``paths``: every output it has)."""
        for stale in self.memo.keys() - paths:
            del self.memo[stale]
            self.page_inputs.pop(stale, None)


def render_site(config: SiteConfig, site: Site, diagnostics: Diagnostics, serve: bool = False,
                extra_pages: Sequence[str] = (), state: RenderState | None = None,
                bodies_changed: Collection[str] | None = None,
                progress: Callable[[str, int, int], None] | None = None,
                ready: Callable[[list[Output]], None] | None = None) -> tuple[list[Output], Renderer]:
    """Every output of the site, in memory. Template errors become diagnostics.

    ``state`` (kept by the caller between builds) lets pages whose inputs did not change be
    reused instead of rendered again; the bytes are the same either way. ``bodies_changed``
    says the site differs from the one ``state`` last rendered only in the bodies of the
    briefings from these sources (see ``site.reassemble``): then only their pages and the
    feeds are looked at, not all 16,000 pages of a 10,000-briefing site. ``ready`` is given
    pages while others are still being rendered in worker processes (to write them
    meanwhile); every page is returned all the same.
    """
    state = state if state is not None else RenderState()
    static, names = static_outputs(config, diagnostics)
    renderer = Renderer(config, site, diagnostics, serve=serve, assets=names, memo=state.memo,
                        templates=state.templates, page_inputs=state.page_inputs, views=state.views,
                        cards=state.cards)
    # The same objects as last time when equal: every page's memo key holds both, and comparing
    # a tuple with the very same objects in it skips comparing their contents, 16,000 times.
    if state.inputs is not None:
        _, last_names, last_strings, *_ = state.inputs
        renderer.assets = names = last_names if names == last_names else names
        renderer.strings = last_strings if renderer.strings == last_strings else renderer.strings
    inputs = (state.templates.files, names, renderer.strings, serve, tuple(extra_pages))
    try:
        if bodies_changed is not None and inputs == state.inputs:
            pages, fresh = _rerender_bodies(renderer, site, state.pages, set(bodies_changed))
            renderer.revisited = static + fresh
        elif (workers := _render_workers(site, state)) > 1:
            pages = _render_in_workers(renderer, site, extra_pages, workers, progress, ready)
        else:
            pages = []
            expected = expected_pages(site, config.per_page, extra_pages) if progress else 0
            for edition in site.editions:
                for page in edition_pages(renderer, edition, extra_pages):
                    pages.append(page)
                    if progress is not None and len(pages) % 200 == 0:
                        progress("rendering pages", len(pages), max(expected, len(pages)))
            pages.extend(site_pages(renderer, site))
            current = {id(b) for b in site.briefings}
            for gone in state.cards.keys() - current:  # cards of briefings the site no longer has
                del state.cards[gone]
    except TemplateProblem as problem:
        diagnostics.error(problem.path, problem.line, f"template error: {problem.message}")
        state.inputs = None
        return [], renderer
    state.pages, state.inputs = pages, inputs
    return static + pages, renderer


PARALLEL_RENDER_FROM = 2000  # briefings; below this, forking costs more than it saves
# What forked render workers inherit: the renderer (its compiled templates) and the site.
_FORKED: tuple[Renderer, Site] | None = None


def _render_workers(site: Site, state: RenderState) -> int:
    """Processes for the briefing pages: all cores on a first render of a large site, else one.

    Only where forking is safe (no other threads: not in the dev server) and only when
    nothing can be reused (a later render in the same process reuses most pages instead).
    """
    if (state.memo or len(site.briefings) < PARALLEL_RENDER_FROM or threading.active_count() != 1
            or "fork" not in multiprocessing.get_all_start_methods()):
        return 1
    return os.cpu_count() or 1


def _render_range(edition_index: int, start: int, stop: int) -> tuple[list[Output], int]:
    """In a forked worker: the pages of briefings ``start``…``stop`` of one edition."""
    assert _FORKED is not None
    r, site = _FORKED
    edition = site.editions[edition_index]
    shared = BriefingPageViews.of(r, edition)
    before = r.rendered
    pages = [page for index in range(start, stop) for page in briefing_pages(r, edition, index, shared)]
    return pages, r.rendered - before


def _render_in_workers(r: Renderer, site: Site, extra_pages: Sequence[str], workers: int,
                       progress: Callable[[str, int, int], None] | None,
                       ready: Callable[[list[Output]], None] | None = None) -> list[Output]:
    """Every page, the briefing pages (most of the work) in forked workers.

    The workers inherit the compiled templates and the site, so only (edition, range) goes
    to them and only the pages' bytes come back; this process renders the lists, tag pages,
    archives and feeds meanwhile. The bytes are those of one process; the order differs.
    """
    global _FORKED
    _FORKED = (r, site)
    expected = expected_pages(site, r.config.per_page, extra_pages) if progress else 0
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
            tasks = []
            for edition_index, edition in enumerate(site.editions):
                step = max(1, -(-len(edition.briefings) // (4 * workers)))
                tasks += [pool.submit(_render_range, edition_index, start, min(start + step, len(edition.briefings)))
                          for start in range(0, len(edition.briefings), step)]
            pages = [page for edition in site.editions
                     for page in edition_pages(r, edition, extra_pages, with_briefings=False)]
            pages.extend(site_pages(r, site))
            if ready is not None:
                ready(pages)  # while the workers still render
            batches: dict[Future[tuple[list[Output], int]], list[Output]] = {}
            for task in as_completed(tasks):  # each batch handed on as soon as it is done
                done, rendered = task.result()
                if ready is not None:
                    ready(done)
                batches[task] = done
                r.rendered += rendered
                if progress is not None:
                    made = len(pages) + sum(map(len, batches.values()))
                    progress("rendering pages", made, max(expected, made))
            for task in tasks:  # in a fixed order
                pages += batches[task]
    finally:
        _FORKED = None
    return pages


def _rerender_bodies(r: Renderer, site: Site, previous: Sequence[Output], sources: set[str]
                     ) -> tuple[list[Output], list[Output]]:
    """The previous pages with the changed briefings' own pages and every feed made again;
    and those made again."""
    fresh = {o.path: o for o in body_edit_pages(r, site, sources, carrying=None)}
    made = list(fresh.values())
    pages = [fresh.pop(o.path, o) for o in previous]
    return pages + list(fresh.values()), made  # none added, unless a feed appeared: kept, not lost


def render_body_edits(config: SiteConfig, site: Site, diagnostics: Diagnostics, sources: Collection[str],
                      serve: bool = False, fill: Callable[[Briefing], None] | None = None) -> list[Output]:
    """Only the pages that an edit of these briefings' bodies changes: their own and the feeds
    that carry them (see ``model.same_but_body``). Template errors become diagnostics.

    For a command-line build whose last build published every other page of ``site``. Its
    other briefings may come without their bodies: ``fill`` is called on each entry of the
    feeds rendered, first.
    """
    _, names = static_outputs(config)
    r = Renderer(config, site, diagnostics, serve=serve, assets=names)
    try:
        return body_edit_pages(r, site, sources, carrying=sources, fill=fill)
    except TemplateProblem as problem:
        diagnostics.error(problem.path, problem.line, f"template error: {problem.message}")
        return []
