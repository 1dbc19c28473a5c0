"""Command line: parse arguments, run a command, print diagnostics, map the result to an exit code.

Exit codes: 0 success, 1 content or config errors, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, TextIO

from . import __version__
from .assets import minify_available, minify_pages
from .config import SiteConfig, load_config
from .diagnostics import Diagnostics
from .manifest import manifest_file
from .output import OutputError, publish, refuse_output
from .pipeline import build
from .progress import Progress
from .progress import wanted as progress_wanted
from .site import BuildOptions

if TYPE_CHECKING:
    from .editor import Created

# The editor and check commands import their modules when run: a build, the command run most,
# does not pay for them (75 ms of a 2.5 s one-edit build).


def _print_diagnostics(diagnostics: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=stream)


def cmd_build(args: argparse.Namespace) -> int:
    root = Path(args.site)
    out_dir = Path(args.output) if args.output else root / "public"
    refusal = refuse_output(root, out_dir, manifest_file(root, out_dir))
    if refusal is not None:  # a usage error: nothing is read, nothing touched
        print(f"{out_dir}: error: {refusal}", file=sys.stderr)
        return 2
    options = BuildOptions(drafts=args.drafts, future=args.future, base_url=args.base_url)
    start = time.perf_counter()
    progress = Progress(sys.stderr) if progress_wanted(sys.stderr, args.quiet) else None
    try:
        result = build(root, out_dir, options, write=not args.minify, cache=not args.no_cache, progress=progress)
    finally:
        if progress is not None:
            progress.finish()
    if args.minify and result.ok:  # minify the rendered pages, then publish them as build() would
        began = time.perf_counter()
        try:
            publish(minify_pages(result.outputs), out_dir)
        except OutputError as exc:
            result.diagnostics.error("site.toml", None, str(exc))
        result.timings["minify"] = time.perf_counter() - began
    _print_diagnostics(result.diagnostics, sys.stderr)
    if not result.ok:
        errors = len(result.diagnostics.errors)
        print(f"build failed: {errors} error{'s' if errors != 1 else ''}; {out_dir} left as it was",
              file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - start
    if not args.quiet and result.up_to_date:
        print(f"{out_dir} is up to date ({result.pages} pages; nothing changed since the last build)")
    elif not args.quiet:
        print(f"built {result.pages} pages into {out_dir} in {elapsed:.2f} s")
    site = result.site
    if not args.quiet and site is not None and site.base_path and "robots.txt" in result.written:
        # said when the file is new or changed, not on every build
        host = site.base_url[: len(site.base_url) - len(site.base_path) - 1]
        print(f"note: {out_dir / 'robots.txt'} is for {host}/robots.txt: crawlers look for it only at the "
              f"host's root, not under {site.base_path}/; copy it there (or add its lines to the one there)")
    if args.profile:
        for step, seconds in result.timings.items():
            print(f"  {step:<10} {seconds * 1000:8.0f} ms")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from .serve import serve  # imported here: `build` never needs watchdog

    # Drafts and future-dated briefings are always shown in serve mode, marked with a banner;
    # --drafts is accepted so a command line written for `build` works here too.
    return serve(Path(args.site), host=args.host, port=args.port, poll=args.poll, open_browser=args.open)


def _site_config(site: str) -> SiteConfig | None:
    diagnostics = Diagnostics()
    config = load_config(Path(site).resolve(), diagnostics)
    _print_diagnostics(diagnostics, sys.stderr)
    return config


def _base_url(text: str) -> str:
    """--base-url is checked here: a bad one is the command line's mistake, not site.toml's."""
    if not re.match(r"^https?://[^/\s]+(/\S*)?$", text):  # the rule config.py applies to site.toml's
        raise argparse.ArgumentTypeError(f"must be an absolute http(s) URL such as https://example.gov.cn/wjw/, "
                                         f"got {text!r}")
    return text


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"cannot read date {text!r}: write it as 2023-06-15") from None


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"port {text!r} must be a number from 0 to 65535 (0 picks a free one)")
    return port


def _print_created(site: str, created: Created) -> None:
    print(Path(site, created.relative))
    draft = " (a draft: `briefings build --drafts` shows it)" if created.draft else ""
    print(f"  URL: {created.url}{draft}")
    for note in created.notes:
        print(f"  check: {note}")


def cmd_new(args: argparse.Namespace) -> int:
    config = _site_config(args.site)
    if config is None:
        return 1
    from .editor import EditorError, new_briefing, split_tags

    date = args.date or dt.datetime.now(config.tzinfo).date()  # today where the site is
    try:
        created = new_briefing(config, args.title, date=date, tags=split_tags(args.tags), lang=args.lang)
    except EditorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    _print_created(args.site, created)
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    config = _site_config(args.site)
    if config is None:
        return 1
    from .editor import EditorError, tags_in_use, vocabulary
    from .importer.save import Duplicate, existing_briefings, import_file
    from .importer.sources import IMPORTABLE, GivenFiles
    from .index_numbers import known_numbers

    files, problems = _import_inputs(args.files)
    content = (config.root / "content").resolve()
    inside = [f for f in files if f.resolve().is_relative_to(content)]
    problems += [f"{f} is in the site's content/ already: not importing it" for f in inside]
    files = [f for f in files if f not in inside]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)
    batch = len(files) > 1 or any(Path(f).is_dir() for f in args.files)
    given = GivenFiles(files)
    terms = vocabulary(config, tags_in_use(config))
    existing = existing_briefings(config)
    # the 索引号 already given, read once for the run (each import adds its own)
    numbers = known_numbers(config.root) if config.disclosure.org_code else None
    today = dt.datetime.now(config.tzinfo).date()
    # Documents first, so the files their '附件：' lines take along are known before the rest.
    order = sorted(files, key=lambda f: f.suffix.lower() not in IMPORTABLE)
    rows: list[tuple[str, str, str, str]] = []  # file, draft, date, warnings
    created_paths: dict[str, int] = {}  # relative path → row
    failed = 0
    taken: set[Path] = set()  # pictures and files a page beside them took into its bundle
    for file in order:
        if file in given.used or file in taken:
            continue
        if batch and file.suffix.lower() not in IMPORTABLE and file.suffix.lower() != ".pdf":
            rows.append((str(file), "-", "-", "not a document: skipped"))
            continue
        try:
            done = import_file(config, file, date=args.date, today=today, terms=terms, given=given,
                               publish=args.publish, existing=existing, numbers=numbers)
        except Duplicate as exc:
            taken.update(exc.taken)
            print(f"note: {exc}", file=sys.stderr)
            rows.append((str(file), "-", "-", "duplicate: skipped"))
            continue
        except EditorError as exc:
            print(f"error: {exc}", file=sys.stderr)
            rows.append((str(file), "-", "-", f"error: {str(exc).split(': ', 1)[-1][:60]}"))
            failed += 1
            continue
        taken.update(done.attachments)
        _print_created(args.site, done.created)
        created_paths[done.created.relative] = len(rows)
        rows.append((str(file), done.created.relative, f"{done.date.isoformat()} ({done.date_from})",
                     str(len(done.created.notes))))
    review = _review(config, created_paths, rows) if created_paths and not args.no_check else 0
    if batch:
        rows = [r for r in rows if Path(r[0]) not in taken]
        _print_summary(rows, sorted(given.used | taken), failed)
    elif review:
        print(f"{review} thing{'s' if review != 1 else ''} for `briefings check` to review: see above")
    return 1 if failed or problems else 0


def _import_inputs(names: list[str]) -> tuple[list[Path], list[str]]:
    """Files named, and the files in folders named (sorted; hidden files and Word's ~$ lock files left out)."""
    files: list[Path] = []
    problems: list[str] = []
    for name in names:
        path = Path(name)
        if path.is_dir():
            inside = [p for p in sorted(path.rglob("*"))
                      if p.is_file() and not any(part.startswith((".", "~$")) for part in p.relative_to(path).parts)]
            if not inside:
                problems.append(f"{path} holds no files to import")
            files += inside
        else:
            files.append(path)
    return list(dict.fromkeys(files)), problems


def _review(config: SiteConfig, created: dict[str, int], rows: list[tuple[str, str, str, str]]) -> int:
    """Run `briefings check` over the site; print what it says about the new files."""
    from .check import check_site

    result = check_site(config.root, BuildOptions(drafts=True))
    found = [f for f in result.findings if f.path in created]
    for finding in found:
        print(f"  review: {finding.format()}")
        row = created[finding.path]
        file, draft, date, warnings = rows[row]
        rows[row] = (file, draft, date, str(int(warnings) + 1))
    return len(found)


def _print_summary(rows: list[tuple[str, str, str, str]], used: list[Path], failed: int) -> None:
    rows = rows + [(str(p), "-", "-", "attached to a briefing above") for p in used]
    imported = sum(1 for r in rows if r[1] != "-")
    print()
    print(f"summary: {len(rows)} files, {imported} imported, {failed} failed")
    print("| file | draft | date | warnings |")
    print("|---|---|---|---|")
    for file, draft, date, warnings in rows:
        print(f"| {file} | {draft} | {date} | {warnings} |")


def cmd_init(args: argparse.Namespace) -> int:
    from .scaffold import InitError, InitOptions, init_site, parse_languages

    target = Path(args.dir)
    try:
        languages = parse_languages(args.lang)
        base_url = args.base_url or "https://www.example.gov.cn/"
        if not base_url.startswith(("http://", "https://")):
            raise InitError(f"--base-url must be an absolute http(s) URL, got {base_url!r}")
        written = init_site(target, InitOptions(title=args.title or "", base_url=base_url, languages=languages))
    except InitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for path in written:
        print(target / path)
    where = "" if args.dir == "." else f" {args.dir}"
    if not args.base_url:
        print("base_url is https://www.example.gov.cn/ for now: write the site's real address in site.toml")
    print(f"made a new site in {target.resolve()}; next: `briefings serve{where}` to preview it, "
          f"site.toml to name it, `briefings build{where}` to publish")
    return 0


def cmd_check(args: argparse.Namespace) -> int:
    from .check import check_site, format_fix, summary

    root = Path(args.site).resolve()  # file paths inside are made relative to it
    options = BuildOptions(drafts=args.drafts, future=args.future)
    result = check_site(root, options, out_dir=Path(args.output) if args.output else None, fix=args.fix,
                        site=args.site_checks)
    for change in result.fixed:
        print(format_fix(change))
    for finding in result.findings:
        print(finding.format())
    print(summary(result))
    if args.site_checks:
        from .sitecheck import counts

        print(counts(result.findings))
        if args.strict and result.site_findings:
            return 1
    return 1 if result.has_errors else 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefings", description="Static sites for policy briefings.")
    parser.add_argument("--version", action="version", version=f"briefings {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_parser = commands.add_parser("build", help="build the site into a folder")
    build_parser.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    build_parser.add_argument("-o", "--output", help="output folder (default: SITE/public)")
    build_parser.add_argument("--drafts", action="store_true", help="include drafts")
    build_parser.add_argument("--future", action="store_true", help="include future-dated briefings")
    build_parser.add_argument("--base-url", type=_base_url, help="override base_url from site.toml")
    build_parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    build_parser.add_argument("--profile", action="store_true", help="print the time of each step")
    build_parser.add_argument("--no-cache", action="store_true",
                              help="build everything again, ignoring SITE/.briefings-cache/")
    build_parser.add_argument("--minify", action="store_true",
                              help="minify HTML pages (needs minify-html: pip install 'briefings[minify]')")
    build_parser.set_defaults(run=cmd_build)

    serve_parser = commands.add_parser("serve", help="build, serve and rebuild on change, with live reload")
    serve_parser.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    serve_parser.add_argument("--port", type=_port, default=8000, help="port (default: 8000; 0 picks a free one)")
    serve_parser.add_argument("--drafts", action="store_true", help="include drafts (always on in serve mode)")
    serve_parser.add_argument("--poll", action="store_true", help="poll for changes (network drives, containers)")
    serve_parser.add_argument("--open", action="store_true", help="open the site in a web browser")
    serve_parser.set_defaults(run=cmd_serve)

    init_parser = commands.add_parser("init", help="make a new site folder that builds at once")
    init_parser.add_argument("dir", nargs="?", default=".", help="the new site's folder (default: .)")
    init_parser.add_argument("--title", help="the site's name (default: 会议简报 / Briefings)")
    init_parser.add_argument("--base-url", help="where it will be published, e.g. https://www.example.gov.cn/wjw/")
    init_parser.add_argument("--lang", default="zh",
                             help="its languages, the default first: zh, en or zh,en (default: zh)")
    init_parser.set_defaults(run=cmd_init)

    new_parser = commands.add_parser("new", help="start a draft briefing from the archetype")
    new_parser.add_argument("title", help="the briefing's title")
    new_parser.add_argument("--date", type=_date, help="YYYY-MM-DD (default: today in the site's time zone)")
    new_parser.add_argument("--tags", action="append", default=[], help="comma-separated tags, e.g. 政务公开,疫情防控")
    new_parser.add_argument("--lang", help="language of the briefing (default: the site's default language)")
    new_parser.add_argument("--site", default=".", help="site folder (default: .)")
    new_parser.set_defaults(run=cmd_new)

    import_parser = commands.add_parser("import", help="turn summaries (text, web pages, Word, WPS) into drafts")
    import_parser.add_argument("files", nargs="+", metavar="FILE",
                               help="text (UTF-8 or GBK), a saved web page, .docx, or .doc/.wps "
                                    "(with LibreOffice); a folder imports every file in it")
    import_parser.add_argument("--publish", action="store_true", help="write the briefings as published, not drafts")
    import_parser.add_argument("--no-check", action="store_true",
                               help="do not run `briefings check` over the site afterwards (it builds the site: "
                                    "about 3 s at 1,000 briefings)")
    import_parser.add_argument("--date", type=_date, help="YYYY-MM-DD: the year, and the date if the text has none")
    import_parser.add_argument("--site", default=".", help="site folder (default: .)")
    import_parser.set_defaults(run=cmd_import)

    check_parser = commands.add_parser("check", help="report every problem a build would, plus editorial lint")
    check_parser.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    check_parser.add_argument("--fix", action="store_true", help="apply the safe typography fixes in place")
    check_parser.add_argument("-o", "--output", help="the build's output folder (default: SITE/public)")
    check_parser.add_argument("--drafts", action="store_true", help="check as a build with drafts would")
    check_parser.add_argument("--future", action="store_true", help="check as a build with --future would")
    check_parser.add_argument("--site", dest="site_checks", action="store_true",
                              help="also what a government-website inspection looks for: columns not updated, "
                                   "empty columns, briefings without publisher or date, broken links, duplicate 索引号")
    check_parser.add_argument("--strict", action="store_true", help="with --site: exit 1 on any of its warnings")
    check_parser.set_defaults(run=cmd_check)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = make_parser()
    args = parser.parse_args(argv)
    if getattr(args, "minify", False) and not minify_available():
        parser.error("--minify needs the minify-html library: pip install 'briefings[minify]'")  # exits 2
    return int(args.run(args))


def run() -> NoReturn:
    """The ``briefings`` command. After a build, the process ends without freeing the site's
    objects one by one (half a second at 10,000 briefings: the system frees them at once);
    every file it wrote is closed and its worker processes and threads have ended by then."""
    argv = sys.argv[1:]
    code = main(argv)
    if argv[:1] == ["build"]:
        with contextlib.suppress(OSError):  # a closed pipe: nothing more can be said anyway
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    sys.exit(code)


if __name__ == "__main__":  # pragma: no cover
    run()
