"""索引号 that never change: the store of every number given out, and who holds it.

A briefing without ``index_no`` in its front matter gets ``{org_code}/{year}-{serial:05d}``
(``[disclosure] org_code`` of site.toml, the year of its date, the next serial of that year).
Once given, a number is the briefing's for good: a rebuild, a reordering, an edited title or
date, a renamed file (matched like the URL manifest matches it: same language and slug, else
same translation_key, else same title and date) keep it; a deleted briefing's number is never
given again (a gap is fine, a reuse is an error).

The store is its own small JSON file, kept twice so that losing one loses nothing: in the
build cache (``SITE/.briefings-cache/index-numbers.json``, in full) and in the published folder
beside the pages (``OUT/.briefings-index-numbers.json``, written with the site, so it travels with
every deployment). The published copy holds only what the site shows anyway — each number with
the language, slug and date of its URL, and whether it is given up — never source files or
titles (the URL manifest keeps to the build cache for that reason): after a lost cache, briefings
find their numbers again by their URLs. Neither file depends on the URL manifest's format.

``assign`` is pure (store + loaded briefings → numbers, messages, new store); ``read_store``,
``save_store`` and ``allocate`` are the edges. ``allocate`` is what ``briefings new`` and the
importer call to write a number into a new file's front matter.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .cache import CACHE_DIR
from .config import SiteConfig
from .diagnostics import Diagnostic, Severity
from .model import Briefing

STORE_NAME = "index-numbers.json"  # in the build cache folder
PUBLISHED_NAME = ".briefings-index-numbers.json"  # in the output folder
VERSION = 1

Entry = dict[str, Any]  # {"source", "lang", "slug", "title", "date", "translation_key"?, "gone"}


def generated(org_code: str, year: int, serial: int) -> str:
    return f"{org_code}/{year:04d}-{serial:05d}"


def _serial(number: str, prefix: str) -> int | None:
    if not number.startswith(prefix):
        return None
    rest = number[len(prefix):]
    return int(rest) if rest.isdigit() else None


def next_serial(numbers: Iterable[str], org_code: str, year: int) -> int:
    """One past the highest serial of ``year`` among ``numbers`` (1 for the first)."""
    prefix = generated(org_code, year, 0)[:-5]
    return max((s for n in numbers if (s := _serial(n, prefix)) is not None), default=0) + 1


@dataclass
class Assignment:
    numbers: dict[str, str] = field(default_factory=dict)  # source → 索引号
    diagnostics: list[Diagnostic] = field(default_factory=list)
    store: dict[str, Entry] = field(default_factory=dict)  # 索引号 → entry
    changed: bool = False  # the store differs from the one given


def _entry(briefing: Briefing) -> Entry:
    entry: Entry = {"source": briefing.source, "lang": briefing.lang, "slug": briefing.slug,
                    "title": briefing.title, "date": briefing.date.date().isoformat(), "gone": False}
    if briefing.translation_key:
        entry["translation_key"] = briefing.translation_key
    return entry


def _explicit(briefing: Briefing) -> str | None:
    """The number written in the front matter (a generated one given by an earlier build is not)."""
    return briefing.index_no if "index_no" in briefing.key_lines else None


def assign(store: Mapping[str, Entry], briefings: Sequence[Briefing], org_code: str,
           reserved: Iterable[str] = ()) -> Assignment:
    """Every briefing's 索引号: its written one, else the one it held before, else a new one.

    ``store`` is what earlier builds gave out (索引号 → entry). Without ``org_code`` nothing is
    generated; written numbers are still checked for reuse. ``reserved``: numbers written in
    briefings not published yet (drafts), never generated for another. Entries are copied only where they
    change: a rebuild of 10,000 unchanged briefings builds no new ones.
    """
    result = Assignment()
    current = {b.source: b for b in briefings}
    written = {b.source: n for b in briefings if (n := _explicit(b)) is not None}
    new = result.store = dict(store)

    def problem(briefing: Briefing, message: str, hint: str | None = None) -> None:
        line = briefing.key_lines.get("index_no", briefing.key_lines.get("title"))
        result.diagnostics.append(Diagnostic(briefing.source, line, Severity.ERROR, message, hint))

    # 1. Written numbers: unique among briefings (translations of one briefing may share one),
    #    and not one that an earlier build gave to another document.
    holders: dict[str, list[Briefing]] = {}
    for source, number in written.items():
        holders.setdefault(number, []).append(current[source])
    for number, group in sorted(holders.items()):
        keys = {b.translation_key or b.source for b in group}
        if len(keys) > 1:
            for briefing in group:
                others = ", ".join(b.source for b in group if b is not briefing)
                problem(briefing, f"索引号 {number} is also given to {others}",
                        "each document has its own 索引号; remove `index_no` from the newer one to have one generated")
            continue
        owner = new.get(number)
        # An earlier holder that vanished in this very build is a renamed file carrying its number along.
        if owner is not None and owner["source"] not in {b.source for b in group} \
                and (owner["source"] in current or owner.get("gone")):
            still = "is" if owner["source"] in current else "was"
            holder = f"{owner['source']} ({owner['title']})" if owner["source"] else f"the briefing of {owner['date']}"
            problem(group[0], f"索引号 {number} {still} the number of {holder}: "
                    "a 索引号 is never given to another document",
                    "remove `index_no` to have a new one generated, or write another")
            continue
        for briefing in group:
            result.numbers[briefing.source] = number

    # 2. Briefings without one: the number their source held (one still held before a given-up one),
    #    else that of a vanished briefing they are the renamed file of.
    held: dict[str, str] = {}
    vanished: dict[str, Entry] = {}
    for number, entry in new.items():
        source = entry["source"]
        if number in holders:
            continue
        if source not in current:  # '' for an entry known only from the published copy
            vanished[number] = entry
        elif source not in written:
            before = held.get(source)
            if before is None or (new[before]["gone"], before) > (entry["gone"], number):
                held[source] = number
    fresh: list[Briefing] = []
    for briefing in briefings:
        if briefing.source in result.numbers:
            continue
        if briefing.source in held:
            result.numbers[briefing.source] = held[briefing.source]
        else:
            fresh.append(briefing)
    for briefing in fresh:
        match = _successor_of(briefing, vanished)
        if match is not None:
            result.numbers[briefing.source] = match
            del vanished[match]
    # 3. New numbers for the rest, in source order: repeatable.
    if org_code:
        taken = [*new, *holders, *reserved]
        serials: dict[int, int] = {}  # year → the last serial given: one pass over the numbers, not one a briefing
        for briefing in sorted(fresh, key=lambda b: b.source):
            if briefing.source in result.numbers:
                continue
            year = briefing.date.year
            serials[year] = serials[year] + 1 if year in serials else next_serial(taken, org_code, year)
            result.numbers[briefing.source] = generated(org_code, year, serials[year])
    # 4. The new store: each number held now describes its briefing; every other one is given up, kept.
    for source, number in result.numbers.items():
        entry = _entry(current[source])
        if new.get(number) != entry:
            new[number] = entry
            result.changed = True
    for number, entry in new.items():
        if not entry["gone"] and result.numbers.get(entry["source"]) != number:
            new[number] = {**entry, "gone": True}  # never given again
            result.changed = True
    return result


def _successor_of(briefing: Briefing, vanished: Mapping[str, Entry]) -> str | None:
    """The number of a vanished briefing that ``briefing`` is the renamed file of, when exactly one fits:
    same language, slug and date (its URL: all the published copy knows), else language and slug,
    else translation_key, else title and date."""
    date = briefing.date.date().isoformat()
    for same in (lambda e: e["lang"] == briefing.lang and e["slug"] == briefing.slug and e["date"] == date,
                 lambda e: e["lang"] == briefing.lang and e["slug"] == briefing.slug,
                 lambda e: bool(briefing.translation_key) and e["lang"] == briefing.lang
                 and e.get("translation_key") == briefing.translation_key,
                 lambda e: e["title"] == briefing.title and e["date"] == date):
        found = [n for n, e in vanished.items() if same(e)]
        if len(found) == 1:
            return found[0]
    return None


# ---- the edges: files ------------------------------------------------------------------------


_PUBLIC = ("lang", "slug", "date", "gone")  # what the published copy keeps of an entry


def parse_store(text: str) -> dict[str, Entry] | None:
    """A store's entries; those of the published copy come without source and title ('')."""
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("version") != VERSION or not isinstance(data.get("numbers"), dict):
        return None
    out: dict[str, Entry] = {}
    for number, entry in data["numbers"].items():
        if isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("lang", "slug", "date")):
            out[number] = {"source": "", "title": "", **entry, "gone": bool(entry.get("gone"))}
    return out


def dump_store(store: Mapping[str, Entry], public: bool = False) -> bytes:
    """Deterministic bytes: an unchanged store writes an identical file. ``public``: the copy
    published beside the pages, without source files and titles."""
    numbers = {n: {k: e[k] for k in _PUBLIC} for n, e in store.items()} if public else store
    return (json.dumps({"version": VERSION, "numbers": numbers}, ensure_ascii=False, sort_keys=True, indent=1)
            + "\n").encode("utf-8")


def store_paths(root: Path, out_dir: Path | None) -> list[Path]:
    paths = [root / CACHE_DIR / STORE_NAME]
    if out_dir is not None:
        paths.append(out_dir / PUBLISHED_NAME)
    return paths


def read_store(paths: Iterable[Path]) -> dict[str, Entry]:
    """The union of the stores found at ``paths`` (a missing or damaged one adds nothing).

    Where two know one number the first one's entry is kept (the build cache's, which names the
    source file); either way the number is never given again.
    """
    merged: dict[str, Entry] = {}
    for path in paths:
        try:
            found = parse_store(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError):
            continue
        for number, entry in (found or {}).items():
            merged.setdefault(number, entry)
    return merged


def save_store(root: Path, store: Mapping[str, Entry]) -> None:
    """Into the build cache, atomically (a reader never sees half a file)."""
    folder = root / CACHE_DIR
    folder.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=folder, prefix=".index-numbers.")
    with os.fdopen(fd, "wb") as stream:
        stream.write(dump_store(store))
    os.replace(temp, folder / STORE_NAME)


_WRITTEN = re.compile(r"^index_no\s*[:=]\s*[\"']?([^\"'#\s]+)", re.MULTILINE)


def known_numbers(root: Path, out_dir: Path | None = None) -> set[str]:
    """Every 索引号 the stores hold and every one written in content/: what ``allocate`` must pass."""
    numbers = set(read_store(store_paths(root, out_dir if out_dir is not None else root / "public")))
    content = root / "content"
    if content.is_dir():
        for path in content.rglob("*.md"):
            try:
                numbers.update(_WRITTEN.findall(path.read_text(encoding="utf-8", errors="replace")))
            except OSError:
                continue
    return numbers


def allocate(root: Path, org_code: str, year: int, out_dir: Path | None = None,
             known: set[str] | None = None) -> str | None:
    """A 索引号 for a new briefing of ``year``, to write into its front matter; None without an org_code.

    Higher than every number of that year the stores hold and every one written in content/
    (so two `briefings new` before a build do not collide). For ``briefings new`` and the importer.
    ``known``: ``known_numbers(root)`` read once for a run that allocates many (an import of a
    folder); the number given is added to it.
    """
    if not org_code:
        return None
    numbers = known if known is not None else known_numbers(root, out_dir)
    number = generated(org_code, year, next_serial(numbers, org_code, year))
    numbers.add(number)
    return number


def with_index_no(config: SiteConfig, front: dict[str, Any]) -> dict[str, Any]:
    """``front`` (a new briefing's front matter, with its ``date``) with ``index_no`` allocated
    and placed after the date; as given when it has one already or the site has no org_code.

    What ``briefings new`` writes; the importer calls it the same way before dumping its front matter.
    """
    date = front.get("date")
    if front.get("index_no") or not isinstance(date, dt.date):
        return front
    number = allocate(config.root, config.disclosure.org_code, date.year)
    if number is None:
        return front
    out: dict[str, Any] = {}
    for key, value in front.items():
        out[key] = value
        if key == "date":
            out["index_no"] = number
    return out
