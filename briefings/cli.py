"""Command line: parse arguments, run a command, print diagnostics, map the result to an exit code.

Exit codes: 0 success, 1 content or config errors, 2 usage errors (argparse's own).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .diagnostics import Diagnostics
from .pipeline import build
from .site import BuildOptions


def _print_diagnostics(diagnostics: Diagnostics, stream: TextIO) -> None:
    for diagnostic in diagnostics:
        print(diagnostic.format(), file=stream)


def cmd_build(args: argparse.Namespace) -> int:
    root = Path(args.site)
    out_dir = Path(args.output) if args.output else root / "public"
    options = BuildOptions(drafts=args.drafts, future=args.future, base_url=args.base_url)
    start = time.perf_counter()
    result = build(root, out_dir, options)
    _print_diagnostics(result.diagnostics, sys.stderr)
    if not result.ok:
        errors = len(result.diagnostics.errors)
        print(f"build failed: {errors} error{'s' if errors != 1 else ''}; {out_dir} left as it was",
              file=sys.stderr)
        return 1
    elapsed = time.perf_counter() - start
    if not args.quiet:
        print(f"built {result.pages} pages into {out_dir} in {elapsed:.2f} s")
    if args.profile:
        for step, seconds in result.timings.items():
            print(f"  {step:<10} {seconds * 1000:8.0f} ms")
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefings", description="Static sites for policy briefings.")
    parser.add_argument("--version", action="version", version=f"briefings {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    build_parser = commands.add_parser("build", help="build the site into a folder")
    build_parser.add_argument("site", nargs="?", default=".", help="site folder (default: .)")
    build_parser.add_argument("-o", "--output", help="output folder (default: SITE/public)")
    build_parser.add_argument("--drafts", action="store_true", help="include drafts")
    build_parser.add_argument("--future", action="store_true", help="include future-dated briefings")
    build_parser.add_argument("--base-url", help="override base_url from site.toml")
    build_parser.add_argument("--quiet", action="store_true", help="print nothing on success")
    build_parser.add_argument("--profile", action="store_true", help="print the time of each step")
    build_parser.set_defaults(run=cmd_build)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
