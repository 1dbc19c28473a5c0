"""RENDER: the only importer of jinja2. Site → outputs in memory; writes nothing.

Every page is rendered before anything is written (output.py does that), so a template
error leaves the published site untouched.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import importlib.util
import math
import multiprocessing
import os
import re
import threading
import tomllib
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import jinja2
import jinja2.meta

from .config import SiteConfig, theme_dir
from .diagnostics import Diagnostics
from .disclosure import VALIDITY_EN
from .inspection import json_ld, meta_tags, script_json
from .links import allowed_roots, inside, site_files
from .model import Briefing, Edition, Site, Tag, Thumbnail
from .output import Output
from .pinyin import HAN_RUN, han_syllables, initials
from .site import tag_display_name, term_values, translation_key
from .theme import display_path

MONTHS_EN = ["January", "February", "March", "April", "May", "June", "July", "August",
             "September", "October", "November", "December"]
HTML_LANG = {"zh": "zh-CN", "en": "en"}


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


@dataclass(frozen=True)
class Link:
    """What a page shows of another briefing: enough for a link, nothing that changes with its body."""

    title: str
    url: str
    date: dt.datetime


@dataclass(frozen=True)
class Card:
    """A briefing as lists show it: a body edit that keeps the summary re-renders no list."""

    title: str
    url: str
    date: dt.datetime
    meeting: str | None
    summary: str
    draft: bool
    thumbnail: Thumbnail | None = None

    @classmethod
    def of(cls, briefing: Briefing) -> Card:
        return cls(briefing.title, briefing.url, briefing.date, briefing.meeting, briefing.summary,
                   briefing.draft, briefing.thumbnail)


@dataclass(frozen=True)
class TagView:
    """What a page shows of a tag; its count, not its briefings, so one edit re-renders few pages."""

    name: str
    url: str
    reading: str
    letter: str
    count: int
    translations: Mapping[str, tuple[str, str]]

    @classmethod
    def of(cls, tag: Tag) -> TagView:
        return cls(tag.name, tag.url, tag.reading, tag.letter, len(tag.briefings), tag.translations)


def link(briefing: Briefing | None) -> Link | None:
    return None if briefing is None else Link(briefing.title, briefing.url, briefing.date)


@dataclass(frozen=True)
class Pager:
    """One page of a paginated list."""

    number: int
    count: int
    items: tuple[Card, ...]
    urls: tuple[str, ...]  # the URL of each page, 1-based by index + 1

    @property
    def url(self) -> str:
        return self.urls[self.number - 1]

    @property
    def prev_url(self) -> str | None:
        return self.urls[self.number - 2] if self.number > 1 else None

    @property
    def next_url(self) -> str | None:
        return self.urls[self.number] if self.number < self.count else None


def paginate(items: Sequence[Card], per_page: int, first_url: str) -> Iterator[Pager]:
    count = max(1, math.ceil(len(items) / per_page))
    urls = tuple(first_url if n == 1 else f"{first_url}page/{n}/" for n in range(1, count + 1))
    for number in range(1, count + 1):
        yield Pager(number, count, tuple(items[(number - 1) * per_page: number * per_page]), urls)


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
            self.diagnostics.warning(_link_shown(link, self.config.root), None, why)
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


def _link_shown(link: Path, root: Path) -> str:
    """A link as messages name it: its folder from the site (not resolved: that is where it leads)."""
    folder = display_path(link.parent, root)
    return link.name if folder == "." else f"{folder}/{link.name}"


def _relative(path: str, config: SiteConfig) -> str:
    """A template's path as messages show it: from the site folder, or in the bundled theme."""
    return display_path(Path(path), config.root) if Path(path).is_absolute() else path


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
        diagnostics.warning(_link_shown(link, config.root), None, why)  # type: ignore[union-attr]
    return outputs, names


@dataclass(frozen=True)
class Brand:
    """What the templates show of the office (site.toml's branding keys)."""

    organisation: Mapping[str, str]  # language → 主办单位
    logo: str  # site path of the logo ('/logo.svg'), '' for none
    css: str  # the accent colour's variables, '' for the theme's own
    footer: Any  # config.Footer
    menu: Mapping[str, tuple[Any, ...]]  # language → its header links (config.MenuLink)


def branding(config: SiteConfig) -> Brand:
    return Brand(
        organisation={lang.code: lang.organisation or config.organisation for lang in config.languages},
        logo="/" + config.logo if config.logo else "",
        css=config.accent.css() if config.accent is not None else "",
        footer=config.footer,
        menu={code: tuple(m for m in config.menu if m.lang == code) for code in config.language_codes},
    )


def search_examples(config: SiteConfig) -> dict[str, dict[str, str]]:
    """language → an example query for the search box and hint, from the site's first declared
    tag (its name, pinyin and initials in Chinese; its translation elsewhere). None declared: none."""
    out: dict[str, dict[str, str]] = {}
    for tag in list(config.tags.values())[:1]:
        for code in config.language_codes:
            name = tag.name if code == config.default_language else tag.translations.get(code, "")
            # 'tag:Open government' would filter by 'Open' and search for 'government'
            tag_query = f'"{name}"' if any(c.isspace() for c in name) else name
            if name and HAN_RUN.search(tag.name):
                out[code] = {"word": name, "tag": tag_query, "pinyin": "".join(han_syllables(tag.name)),
                             "initials": initials(tag.name)}
            elif name:
                out[code] = {"word": name, "tag": tag_query, "pinyin": name, "initials": name}
    return out


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


def expected_pages(site: Site, per_page: int, extra_pages: Sequence[str]) -> int:
    """How many pages ``render_site`` makes of ``site``, for a progress display's ETA."""
    count = 2  # 404.html, sitemap.xml
    for edition in site.editions:
        items = edition.briefings
        count += len(items) + sum(len(b.aliases) for b in items) + max(1, math.ceil(len(items) / per_page))
        for terms in (edition.tags, *edition.terms.values()):
            count += 1 + sum(max(1, math.ceil(len(t.briefings) / per_page)) + 1 for t in terms)
        count += 2 + len({b.date.year for b in items}) + len(extra_pages)  # archives, feed, search
        count += len(edition.pages) + sum(len(p.aliases) for p in edition.pages)
    return count


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


def body_edit_pages(r: Renderer, site: Site, sources: Collection[str], carrying: Collection[str] | None,
                    fill: Callable[[Briefing], None] | None = None) -> list[Output]:
    """The pages of the briefings from ``sources`` and the feeds (``carrying``: only those
    with one of these sources among their entries; None: all). ``fill``: see render_body_edits."""
    pages: list[Output] = []
    for edition in site.editions:
        shared = BriefingPageViews.of(r, edition)
        for index, briefing in enumerate(edition.briefings):
            if briefing.source in sources:
                pages.extend(briefing_pages(r, edition, index, shared))
        pages.extend(edition_feeds(r, edition, carrying, fill))
    return pages


def alternates(site: Site, briefing: Briefing) -> dict[str, str]:
    """lang → URL of each translation of ``briefing`` (itself included)."""
    if not site.translations:
        return {}  # saves working out a translation key per page of a site without translations
    group = site.translations.get(translation_key(briefing), {})
    return {lang: other.url for lang, other in group.items()}


@dataclass(frozen=True)
class BriefingPageViews:
    """What every briefing page of one edition shares, made once per edition, not once a page."""

    tag_views: dict[str, TagView]
    term_urls: dict[str, dict[str, str]]  # taxonomy → term name → URL
    other_homes: dict[str, str]  # language → its home page

    @classmethod
    def of(cls, r: Renderer, edition: Edition) -> BriefingPageViews:
        return cls(
            {t.name: r.tag_view(t) for t in edition.tags},
            {taxonomy: {term.name: term.url for term in terms} for taxonomy, terms in edition.terms.items()},
            {e.language.code: e.language.prefix + "/" for e in r.site.editions},
        )


def briefing_pages(r: Renderer, edition: Edition, index: int, shared: BriefingPageViews) -> Iterator[Output]:
    """A briefing's page and the redirects from its aliases."""
    lang, items = edition.language.code, edition.briefings
    briefing = items[index]
    newer, older = items[index - 1] if index > 0 else None, items[index + 1] if index + 1 < len(items) else None
    names = [tag_display_name(r.config, t, lang) for t in briefing.tags]
    tags = tuple(shared.tag_views[n] for n in names if n in shared.tag_views)
    alts = alternates(r.site, briefing) or None
    # Everything the page is made from, nearly all of it the same objects as last build when
    # unchanged, so comparing is a few identity checks; a tag edit at 10,000 briefings looks at
    # every briefing page this way, and building each page's context to compare it took 0.4 s.
    # (other_homes follows from the config; a new config starts afresh.)
    path = briefing.url + "index.html"
    out_path = path.lstrip("/")  # as outputs and the memo name it
    try:
        stamp = r.template_stamp("briefing.html")
    except jinja2.TemplateError as exc:
        raise template_problem(exc, r.config, "briefing.html") from None
    # where this briefing's meeting (chair …) has a page of its own, when site.toml asks for one
    term_urls = {taxonomy: {v: urls[v] for v in term_values(briefing, taxonomy) if v in urls}
                 for taxonomy, urls in shared.term_urls.items()}
    # ``extra`` separately: briefings compare equal whatever their other front-matter keys say.
    inputs = (stamp, r.assets, r.strings.get(lang), briefing, briefing.extra, newer, older, tags, alts, term_urls)
    earlier, made = r.page_inputs.get(out_path), r.memo.get(out_path)
    # ``made`` must be this briefing's page: a redirect may have taken the path meanwhile.
    if earlier is not None and made is not None and made[0][0] == "briefing.html" and earlier == inputs:
        r.reused += 1
        yield Output(out_path, made[1], briefing.source)
    else:
        yield r.page(
            "briefing.html", path, lang, briefing.source,
            briefing=briefing, tags=list(tags), term_urls=term_urls,
            newer=link(newer), older=link(older), alternates=alts, other_homes=shared.other_homes,
        )
        r.page_inputs[out_path] = inputs
    for alias in briefing.aliases:
        yield r.page("redirect.html", alias + "index.html", lang, briefing.source, target=briefing.url)


def edition_feeds(r: Renderer, edition: Edition, carrying: Collection[str] | None = None,
                  fill: Callable[[Briefing], None] | None = None) -> Iterator[Output]:
    """The edition's feed and one per tag and term: the pages besides a briefing's own that carry its body.

    ``carrying``: only the feeds with a briefing from one of these sources among their entries.
    ``fill``: called on the entries of each feed rendered, first.
    """
    def wanted(items: Sequence[Briefing]) -> bool:
        entries = items[: r.config.feed_length]
        if carrying is not None and not any(b.source in carrying for b in entries):
            return False
        for b in entries if fill is not None else ():
            fill(b)
        return True

    for terms in [edition.tags, *edition.terms.values()]:
        for tag in terms:
            if wanted(tag.briefings):
                yield feed(r, edition, tag.briefings, tag.url + "atom.xml", tag)
    if wanted(edition.briefings):
        yield feed(r, edition, edition.briefings, edition.language.prefix + "/atom.xml", None)


def edition_pages(r: Renderer, edition: Edition, extra_pages: Sequence[str], with_briefings: bool = True
                  ) -> Iterator[Output]:
    """The pages of one edition: its briefings' (unless rendered elsewhere), lists, tags, archives, feeds."""
    lang, prefix = edition.language.code, edition.language.prefix
    items = edition.briefings
    shared = BriefingPageViews.of(r, edition)
    for index in range(len(items) if with_briefings else 0):
        yield from briefing_pages(r, edition, index, shared)
    # Keyed by identity: hashing a frozen Briefing hashes every field, sections and all, each time.
    cards = {id(b): r.card(b) for b in items}
    for pager in paginate(list(cards.values()), r.config.per_page, prefix + "/"):
        yield r.page("list.html", pager.url + "index.html", lang, pager=pager, tag=None,
                     alternates=shared.other_homes, feed_url=prefix + "/atom.xml")
    for taxonomy, terms in [("tags", edition.tags), *edition.terms.items()]:
        index_url = f"{prefix}/{taxonomy}/"
        labels = {"taxonomy": taxonomy, "taxonomy_url": index_url, "taxonomy_label": taxonomy_label(r, taxonomy, lang)}
        yield r.page("tags.html", index_url + "index.html", lang, tags=tuple(TagView.of(t) for t in terms),
                     alternates={e.language.code: f"{e.language.prefix}/{taxonomy}/" for e in r.site.editions},
                     **labels)
        for tag in terms:
            view = TagView.of(tag)
            tag_alternates = {lang: tag.url, **{code: url for code, (_, url) in tag.translations.items()}}
            tag_cards = [cards.get(id(b)) or r.card(b) for b in tag.briefings]
            for pager in paginate(tag_cards, r.config.per_page, tag.url):
                yield r.page("list.html", pager.url + "index.html", lang, pager=pager, tag=view,
                             alternates=tag_alternates, feed_url=tag.url + "atom.xml", **labels)
    yield from edition_feeds(r, edition)
    years = archive(items)
    yield r.page("archive.html", prefix + "/archive/index.html", lang, years=years, year=None,
                 alternates={e.language.code: e.language.prefix + "/archive/" for e in r.site.editions})
    for year, months in years:
        yield r.page("archive.html", f"{prefix}/archive/{year}/index.html", lang, years=(), year=year,
                     months=months, alternates=None)
    for name in extra_pages:  # e.g. the search page, when the search index is built
        yield r.page(f"{name}.html", f"{prefix}/{name}/index.html", lang,
                     alternates={e.language.code: f"{e.language.prefix}/{name}/" for e in r.site.editions})
    for page in edition.pages:  # standalone pages: content/pages/
        yield r.page("page.html", page.url + "index.html", lang, page.source, page=page,
                     alternates=alternates(r.site, page) or None)
        for alias in page.aliases:
            yield r.page("redirect.html", alias + "index.html", lang, page.source, target=page.url)


def taxonomy_label(r: Renderer, taxonomy: str, lang: str) -> str:
    """What readers call a taxonomy: 政策主题 for tags, 会议 for meeting, else its key."""
    t = r.translator(lang)
    key = "nav_tags" if taxonomy == "tags" else f"taxonomy_{taxonomy}"
    label = t(key)
    return taxonomy if label == key else label


def archive(items: Sequence[Briefing]) -> list[tuple[int, list[tuple[int, list[Link]]]]]:
    """Years newest first, each with its months newest first, each with links to its briefings."""
    years: dict[int, dict[int, list[Link]]] = {}
    for briefing in items:
        years.setdefault(briefing.date.year, {}).setdefault(briefing.date.month, []).append(
            Link(briefing.title, briefing.url, briefing.date))
    return [(year, sorted(months.items(), reverse=True)) for year, months in sorted(years.items(), reverse=True)]


def feed(r: Renderer, edition: Edition, items: Sequence[Briefing], path: str, tag: Tag | None) -> Output:
    entries = items[: r.config.feed_length]
    updated = max((b.date for b in entries), default=dt.datetime(1970, 1, 1, tzinfo=dt.UTC))
    return r.page("atom.xml", path, edition.language.code, entries=entries, tag=tag and TagView.of(tag),
                  feed_url=path, updated=updated.isoformat(), alternates=None)


def site_pages(r: Renderer, site: Site) -> Iterator[Output]:
    default = site.default_language
    yield r.page("404.html", "/404.html", default, alternates=None)
    yield sitemap(r, site)
    yield Output("robots.txt", robots_txt(site).encode("utf-8"), "robots.txt")


def robots_txt(site: Site) -> str:
    """Crawlers read robots.txt at the host's root only. At a root, that is ours; under a path
    (/wjw/) ours is for the host's root: the lines to copy or add there (the build says so)."""
    sitemap = site.base_url + "sitemap.xml"
    if not site.base_path:
        return f"User-agent: *\nAllow: /\nSitemap: {sitemap}\n"
    host = site.base_url[: len(site.base_url) - len(site.base_path) - 1]
    return (f"# For {host}/robots.txt: crawlers read robots.txt only at the host's root, not under\n"
            f"# {site.base_path}/. Copy this file there, or add these lines to the one there.\n"
            f"User-agent: *\nAllow: {site.base_path}/\nSitemap: {sitemap}\n")


def sitemap(r: Renderer, site: Site) -> Output:
    """Every HTML page a reader may land on, with hreflang alternates for translations."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
             'xmlns:xhtml="http://www.w3.org/1999/xhtml">']

    def entry(path: str, lastmod: dt.datetime | None, alts: Mapping[str, str] | None) -> None:
        lines.append(f"<url><loc>{xml_escape(r.abs_url(path))}</loc>")
        if lastmod is not None:
            lines.append(f"<lastmod>{lastmod.date().isoformat()}</lastmod>")
        if alts and len(alts) > 1:
            for code, url in sorted(alts.items()):
                lines.append(f'<xhtml:link rel="alternate" hreflang="{HTML_LANG.get(code, code)}" '
                             f'href="{xml_escape(r.abs_url(url))}"/>')
            default_url = alts.get(site.default_language)
            if default_url:
                lines.append(f'<xhtml:link rel="alternate" hreflang="x-default" '
                             f'href="{xml_escape(r.abs_url(default_url))}"/>')
        lines.append("</url>")

    homes = {e.language.code: e.language.prefix + "/" for e in site.editions}
    for edition in site.editions:
        newest = edition.briefings[0].date if edition.briefings else None
        entry(edition.language.prefix + "/", newest, homes)
        entry(edition.language.prefix + "/tags/", newest, None)
        entry(edition.language.prefix + "/archive/", newest, None)
        for taxonomy in edition.terms:
            entry(f"{edition.language.prefix}/{taxonomy}/", newest, None)
        for tag in (*edition.tags, *(t for terms in edition.terms.values() for t in terms)):
            entry(tag.url, tag.briefings[0].date, {edition.language.code: tag.url,
                                                   **{c: u for c, (_, u) in tag.translations.items()}})
        for briefing in edition.briefings:
            entry(briefing.url, briefing.date, alternates(site, briefing))
        for page in edition.pages:
            entry(page.url, page.date if "date" in page.key_lines else None, alternates(site, page))
    lines.append("</urlset>\n")
    return Output("sitemap.xml", "\n".join(lines).encode("utf-8"), "sitemap.xml")


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
