"""`briefings check --site`: what a government-website inspection vetoes or deducts for.

From the assembled site and its rendered pages (政府网站与政务新媒体检查指标, 国办秘函〔2019〕19号):

- ``stale-home``: the home page shows no briefing newer than ``[check] home_days`` (14);
- ``stale-column``: a column (a tag's or a term's page) not updated for longer than its period:
  ``stale_after`` of the tag in site.toml, else ``news_days`` (14) for the taxonomies listed in
  ``[check] news`` (meeting by default), else ``other_days`` (183, six months);
- ``empty-column``: a theme of site.toml's ``[tags]`` with no briefing, whose column would be empty;
- ``no-publisher``: a briefing without 发布机构 (neither written nor set in ``[disclosure]``);
- ``no-date``: a briefing page that shows no labelled publication date (an unlabelled date counts as none);
- ``broken-link``: a link or asset on any rendered page that leads to no page of the site;
- ``duplicate-index-no``: two documents with one 索引号.

All are warnings: ``check --site`` exits 0 on them unless ``--strict``. Pure: model and outputs in.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import unquote

from .check import Targets, _site_path
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity
from .model import Briefing, Site, Tag
from .output import Output

RULES = ("stale-home", "stale-column", "empty-column", "no-publisher", "no-date", "broken-link",
         "duplicate-index-no")
_LINK = re.compile(r"""\s(?:href|src)=["']([^"'#]*)(?:#[^"']*)?["']""")
_PUBLISHED_LABEL = re.compile(r"<t[hd][^>]*>\s*(发布日期|Published)\s*</t[hd]>|<dt>\s*(发布日期|Published)\s*</dt>")


def _finding(path: str, rule: str, message: str, hint: str | None = None, line: int | None = None) -> Diagnostic:
    return Diagnostic(path, line, Severity.WARNING, message, hint, None, rule)


def _page(url: str) -> str:
    """The output file of a page URL: /tags/x/ → tags/x/index.html."""
    return url.lstrip("/") + "index.html" if url.endswith("/") else url.lstrip("/")


def _newest(briefings: Sequence[Briefing]) -> dt.datetime | None:
    return max((b.date for b in briefings), default=None)


def _days(delta: dt.timedelta) -> int:
    return delta.days


def stale_columns(config: SiteConfig, site: Site, now: dt.datetime) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    limits = config.check
    for edition in site.editions:
        prefix = edition.language.prefix
        newest = _newest(edition.briefings)
        if newest is not None and now - newest > dt.timedelta(days=limits.home_days):
            found.append(_finding(_page(prefix + "/"), "stale-home",
                                  f"home page not updated for {_days(now - newest)} days "
                                  f"(newest briefing {newest.date().isoformat()}, limit {limits.home_days} days)",
                                  "publish a briefing, or set `home_days` under [check] in site.toml"))
        columns: list[Tag] = [*edition.tags, *(t for terms in edition.terms.values() for t in terms)]
        for tag in columns:
            days = _limit(config, tag)
            newest = _newest(tag.briefings)
            if newest is not None and now - newest > dt.timedelta(days=days):
                found.append(_finding(_page(tag.url), "stale-column",
                                      f"column “{tag.name}” not updated for {_days(now - newest)} days "
                                      f"(newest briefing {newest.date().isoformat()}, limit {days} days)",
                                      "publish in it, or give it `stale_after` days in site.toml"))
    return found


def _limit(config: SiteConfig, tag: Tag) -> int:
    canonical = config.canonical_tag(tag.name)
    for name, settings in config.tags.items():
        if tag.taxonomy == "tags" and (name == canonical or tag.name in settings.translations.values()) \
                and settings.stale_after:
            return settings.stale_after
    return config.check.news_days if tag.taxonomy in config.check.news else config.check.other_days


def empty_columns(config: SiteConfig, site: Site, config_text: str) -> list[Diagnostic]:
    used = {config.canonical_tag(t) for b in site.briefings for t in b.tags}
    found = []
    for name in config.tags:
        if name not in used:
            line = next((n for n, text in enumerate(config_text.split("\n"), 1)
                         if re.match(rf'^\s*\[tags\."?{re.escape(name)}"?\]', text)), None)
            found.append(_finding("site.toml", "empty-column", f"theme “{name}” has no briefing: its column is empty",
                                  "publish under it, or take it out of [tags]", line))
    return found


def missing_fields(site: Site, outputs: Iterable[Output]) -> list[Diagnostic]:
    found = []
    pages = {o.path: o.data for o in outputs}
    for briefing in site.briefings:
        if not briefing.publisher:
            found.append(_finding(briefing.source, "no-publisher", "no 发布机构 (publisher)",
                                  "add `publisher:` or set `publisher` under [disclosure] in site.toml",
                                  briefing.key_lines.get("title")))
        data = pages.get(_page(briefing.url))
        if data is not None and not _PUBLISHED_LABEL.search(data.decode("utf-8", "replace")):
            found.append(_finding(briefing.source, "no-date",
                                  f"{briefing.url} shows no date labelled 发布日期 / Published",
                                  "an unlabelled date counts as none: keep the theme's disclosure table"))
    return found


def duplicate_numbers(site: Site) -> list[Diagnostic]:
    holders: dict[str, list[Briefing]] = defaultdict(list)
    for briefing in site.briefings:
        if briefing.index_no:
            holders[briefing.index_no].append(briefing)
    found = []
    for number, group in sorted(holders.items()):
        if len({b.translation_key or b.source for b in group}) > 1:
            for briefing in group:
                others = ", ".join(b.source for b in group if b is not briefing)
                found.append(_finding(briefing.source, "duplicate-index-no", f"索引号 {number} is also {others}'s",
                                      line=briefing.key_lines.get("index_no")))
    return found


def broken_links(config: SiteConfig, outputs: Sequence[Output], targets: Targets) -> list[Diagnostic]:
    """Links and assets of every rendered page that lead to no page or file of the site (``targets``)."""
    pages = targets.pages
    found = []
    for output in outputs:
        if not output.path.endswith(".html"):
            continue
        page_url = "/" + output.path.removesuffix("index.html")
        seen: set[str] = set()
        for href in _LINK.findall(output.data.decode("utf-8", "replace")):
            if not href or href in seen or href.startswith(("mailto:", "tel:", "data:", "javascript:")):
                continue
            seen.add(href)
            where = _site_path(href, config.base_path + page_url, config)
            if where is None:
                continue
            path = unquote(where[0])
            if config.base_path and path.startswith(config.base_path + "/"):
                path = path[len(config.base_path):]  # rendered links carry base_url's path; targets are site paths
            if path in pages or (path + "/") in pages or path.rstrip("/") + "/" in pages:
                continue
            found.append(_finding(output.path, "broken-link", f"link to {href} leads to no page of the site"))
    return found


def site_findings(config: SiteConfig, site: Site, outputs: Sequence[Output], now: dt.datetime,
                  config_text: str, targets: Targets) -> list[Diagnostic]:
    return [*stale_columns(config, site, now), *empty_columns(config, site, config_text),
            *missing_fields(site, outputs), *duplicate_numbers(site), *broken_links(config, outputs, targets)]


def counts(findings: Iterable[Diagnostic]) -> str:
    """`site checks: 2 stale-column, 1 empty-column` (or `no problems`)."""
    tally = Counter(d.rule for d in findings if d.rule in RULES)
    return "site checks: " + (", ".join(f"{tally[r]} {r}" for r in RULES if tally[r]) or "no problems")
