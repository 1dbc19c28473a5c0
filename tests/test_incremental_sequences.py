"""Any sequence of edits, built with the build cache, publishes exactly what a cold build does.

A Hypothesis state machine edits a small site — bodies, titles, tags, dates (future ones too),
summaries, meetings, drafts; files added, deleted, moved, touched, chmodded and reverted to old
bytes; theme files, site.toml, the published folder itself, the clock — and builds it as
`briefings build SITE -o OUT` does (``build(..., cache=True)``, with the clock pinned). Beside
it, a reference folder gets the same history of builds without the cache (``cache=False``), so
it keeps the same URL manifest and redirects: after every build the two folders must hold the
same files with the same bytes, and a second cached build must find nothing to do. A bad edit
must fail both builds and leave both folders as they were; the next rule fixes it.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, note, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test
from sitebuilder import make_site
from test_incremental import files_of

from briefings.content import is_briefing_path
from briefings.pipeline import BuildResult, build
from briefings.site import BuildOptions

working = precondition(lambda self: self.broken is None)  # every rule but the fix of a bad edit
NOW = dt.datetime(2023, 7, 1, 4, tzinfo=dt.UTC)  # 12:00 in Asia/Shanghai; later dates are future ones

CONFIG = """\
title = "市教育局会议简报"
base_url = "https://example.gov.cn/briefings/"
default_language = "zh"
permalink = "/{year}/{month}/{slug}/"
per_page = 4
taxonomies = ["tags", "meeting"]
timezone = "Asia/Shanghai"

[languages.zh]
title = "市教育局会议简报"

[languages.en]
title = "Municipal Education Bureau Briefings"

[tags."双减"]
en = "Double reduction"

[tags."课后服务"]
en = "After-school services"

[tags."中考"]
en = "Examinations"

[tags."校园安全"]
en = "Campus safety"
"""

TITLES = ["市教育局召开局党组扩大会", "局长办公会研究课后服务工作", "全市中考考务工作部署会", "校园安全专题会议",
          "学前教育推进会", "集团化办学现场会", "教育评价改革座谈会", "数字校园建设调度会", "师德师风建设大会",
          "职业教育工作会议", "民生实事项目推进会", "午餐供应工作协调会"]
TAGS = ["双减", "课后服务", "中考", "校园安全", "优质均衡", "家校共育"]  # the last two are outside the vocabulary
MEETINGS = ["局党组会", "局长办公会", "专题会"]
SUMMARIES = ["会议部署了下一阶段重点工作。", "会议强调，要压实责任、狠抓落实。", "研究了课后服务和校园安全工作。"]
FOLDERS = ["2023", "archive", "2023/q3", "_drafts"]  # content/_drafts/ is a folder the build never reads
THEME_FILES = ["themes/default/templates/base.html", "themes/default/templates/briefing.html",
               "themes/default/static/site.css"]
SENTENCES = ["会议要求，各区要细化措施。", "**三是强化督导。**市教育局将开展专项检查。", "全市教育系统要抓好落实。"]


def briefing(k: int) -> str:
    """The k-th briefing of the starting site: some with a fixed slug, a summary, a time of day."""
    month, day = 3 + k % 4, 1 + 2 * k
    extra = (f"slug: gu-ding-{k}\n" if k % 4 == 0 else "") + (f"summary: {SUMMARIES[k % 3]}\n" if k % 3 == 0 else "")
    date = f"2023-{month:02d}-{day:02d}" + ("T09:30:00+08:00" if k % 2 else "")
    return (f"---\ntitle: {TITLES[k]}\ndate: {date}\nmeeting: {MEETINGS[k % 3]}\n"
            f"tags: [{TAGS[k % 4]}, {TAGS[(k + 1) % 4]}]\n{extra}---\n\n"
            f"{month}月{day}日上午，市教育局召开{MEETINGS[k % 3]}。\n\n"
            "## 传达学习有关文件精神\n\n"
            f"**一是深入学习贯彻，坚持党对教育工作的全面领导。**全市教育系统要抓好落实{k}。\n\n"
            f"**二是统筹推进。**各区要细化措施。\n\n## 研究部署课后服务工作\n\n会议强调，内容{k}。\n")


ENGLISH = ("---\ntitle: The Bureau holds its Party Group meeting\ndate: 2023-04-03T09:30:00+08:00\n"
           "tags: [双减]\ntranslation_key: party-group\n---\n\nOn the morning of April 3, the Bureau met.\n\n"
           "## After-school services\n\n**First, study and implement.** Every district acts.\n")


def starting_site() -> str:
    files = "".join(f"-- content/2023/b{k:02d}.md --\n{briefing(k)}" for k in range(10))
    files = files.replace("meeting: 局党组会\ntags: [双减, 课后服务]\n", "meeting: 局党组会\ntags: [双减, 课后服务]\n"
                          "translation_key: party-group\n", 1)
    return files + f"-- content/2023/b00.en.md --\n{ENGLISH}"


def set_key(text: str, key: str, value: str | None) -> str:
    """The briefing with front-matter ``key`` set to ``value`` (None: removed)."""
    end = text.index("\n---\n", 4)
    front, rest = text[:end + 1], text[end + 1:]
    line = re.compile(rf"^{key}: .*\n", re.M)
    if value is None:
        front = line.sub("", front)
    elif line.search(front):
        front = line.sub(lambda _: f"{key}: {value}\n", front)
    else:
        front += f"{key}: {value}\n"
    return front + rest


def first_differences(published: Path, reference: Path, limit: int = 5) -> str:
    """'' if the two folders hold the same files with the same bytes; else which paths differ, and how."""
    got, want = files_of(published), files_of(reference)
    only_got, only_want = sorted(got.keys() - want.keys()), sorted(want.keys() - got.keys())
    differ = sorted(p for p in got.keys() & want.keys() if got[p] != want[p])
    if not (only_got or only_want or differ):
        return ""
    lines = [f"{published.name} differs from {reference.name} (the cold build):"]
    if only_got:
        lines.append(f"  only in {published.name} ({len(only_got)}): {only_got[:limit]}")
    if only_want:
        lines.append(f"  only in {reference.name} ({len(only_want)}): {only_want[:limit]}")
    if differ:
        lines.append(f"  different bytes ({len(differ)}): {differ[:limit]}")
        first = differ[0]
        diff = difflib.unified_diff(want[first].decode(errors="replace").splitlines(),
                                    got[first].decode(errors="replace").splitlines(),
                                    f"{reference.name}/{first}", f"{published.name}/{first}", lineterm="", n=1)
        lines.extend("    " + line[:200] for line in list(diff)[:24])
    return "\n".join(lines)


class EditsThenBuilds(RuleBasedStateMachine):
    """Each rule edits the site, then builds it (``later``: not yet, the next build takes this edit too)."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="briefings-sequences-"))
        self.site = make_site(self.tmp, starting_site(), config=CONFIG).root
        self.out, self.reference = self.tmp / "public", self.tmp / "reference"
        self.now = NOW
        self.serial = 0
        self.bad: set[bytes] = set()  # contents that fail a build: never reverted to
        self.broken: str | None = None  # the file with a bad edit, which the next rule fixes
        # each file's versions, oldest first: (bytes, mtime_ns); follows a file that is moved
        self.history: dict[str, list[tuple[bytes, int]]] = {}
        for path in [*self.briefings(), *THEME_FILES, "site.toml"]:
            self.remember(path)
        self.builds = 0
        self.unbuilt: list[str] = []  # edits made with ``later``, for the next build
        self.build_both("the starting site")

    def teardown(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    # the site on disk

    def briefings(self) -> list[str]:
        """Every .md file under content/, relative to the site, sorted (those in _drafts/ too)."""
        return sorted(p.relative_to(self.site).as_posix() for p in (self.site / "content").rglob("*.md"))

    def read(self) -> list[str]:
        """The briefing files a build reads (not those in content/_drafts/)."""
        return [p for p in self.briefings() if is_briefing_path(p.removeprefix("content/"))]

    def versions(self, path: str) -> list[tuple[bytes, int]]:
        """The good versions ``path`` had, other than its current bytes (if it still exists)."""
        current = (self.site / path).read_bytes() if (self.site / path).exists() else None
        return [(data, mtime) for data, mtime in self.history.get(path, []) if data not in self.bad | {current}]

    def remember(self, path: str) -> None:
        stat = (self.site / path).stat()
        self.history.setdefault(path, []).append(((self.site / path).read_bytes(), stat.st_mtime_ns))

    def write(self, path: str, data: bytes) -> None:
        target = self.site / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.remember(path)

    def edit(self, path: str, change: Callable[[str], str], why: str) -> None:
        text = (self.site / path).read_text(encoding="utf-8")
        note(f"{why}: {path}")
        self.write(path, change(text).encode())

    def next_serial(self) -> int:
        self.serial += 1
        return self.serial

    def pick(self, paths: list[str], which: int) -> str:
        return paths[which % len(paths)]

    # building

    def build_both(self, why: str) -> None:
        """Build with the cache into ``out`` and without into ``reference``; they must agree."""
        self.builds += 1
        self.unbuilt = []
        broken = self.broken
        before = (files_of(self.out), files_of(self.reference)) if broken else None
        options = BuildOptions(now=self.now)
        cached = build(self.site, self.out, options, cache=True)
        cold = build(self.site, self.reference, options)
        step = f"build {self.builds} (after {why}; now {self.now:%Y-%m-%d %H:%M})"
        messages = f"\ncached: {messages_of(cached)}\ncold:   {messages_of(cold)}"
        if broken:
            assert not cached.ok and not cold.ok, f"{step}: {broken} holds a bad edit, yet a build passed{messages}"
        else:
            assert cached.ok and cold.ok, f"{step} failed{messages}"
        assert errors_of(cached) == errors_of(cold), f"{step}: the errors differ{messages}"
        if not cached.up_to_date:  # which repeats the last build's warnings, as a cold build may not
            assert messages_of(cached) == messages_of(cold), f"{step}: the diagnostics differ{messages}"
        leftovers = sorted(p.name for p in self.tmp.iterdir() if p.name not in ("site", "public", "reference"))
        assert not leftovers, f"{step}: left beside the output folders: {leftovers}"
        if broken:
            assert before is not None
            for folder, was in zip((self.out, self.reference), before, strict=True):
                now = files_of(folder)
                changed = sorted(p for p in was.keys() | now.keys() if was.get(p) != now.get(p))
                assert not changed, f"{step}: a failed build changed {folder.name}/: {changed[:5]}"
            return
        difference = first_differences(self.out, self.reference)
        assert not difference, f"{step}\n{difference}"
        again = build(self.site, self.out, options, cache=True)
        assert again.ok and again.up_to_date, f"{step}: a second cached build found work to do ({again.written[:5]})"

    def then_build(self, later: bool, why: str) -> None:
        if later:
            self.unbuilt.append(why)
            note(f"  (not built yet: {why})")
        else:
            self.build_both(" + ".join([*self.unbuilt, why]))

    # rules: briefings' text

    @working
    @rule(which=st.integers(0, 50), kind=st.sampled_from(["append", "change", "heading", "first paragraph"]),
          later=st.booleans())
    def edit_body(self, which: int, kind: str, later: bool) -> None:
        path, n = self.pick(self.briefings(), which), self.next_serial()

        def change(text: str) -> str:
            head, body = text.split("\n---\n", 1)
            if kind == "append":
                body += f"\n{SENTENCES[n % 3]}第{n}次补充。\n"
            elif kind == "change":  # the last sentence
                body = re.sub(r"[^\n。]*。(?=[^。]*$)", f"改写后的第{n}句话。", body)
            elif kind == "heading":
                body += f"\n## 新增部分{n}\n\n**一是落实第{n}项。**各校要抓紧推进。\n"
            else:  # the summary, unless the front matter gives one, is cut from it
                body = re.sub(r"\A\n*", lambda start: f"{start.group(0)}第{n}次修改：", body, count=1)
            return f"{head}\n---\n{body}"

        self.edit(path, change, f"body ({kind})")
        self.then_build(later, f"body edit ({kind}) of {path}")

    @working
    @rule(which=st.integers(0, 50), title=st.sampled_from(TITLES), later=st.booleans())
    def edit_title(self, which: int, title: str, later: bool) -> None:
        path = self.pick(self.briefings(), which)
        new = f"{title}（第{self.next_serial()}期）"  # never another briefing's: no URL collisions
        self.edit(path, lambda text: set_key(text, "title", new), f"title → {new}")
        self.then_build(later, f"title edit of {path}")

    @working
    @rule(which=st.integers(0, 50), tags=st.lists(st.sampled_from(TAGS), max_size=3, unique=True),
          later=st.booleans())
    def edit_tags(self, which: int, tags: list[str], later: bool) -> None:
        path = self.pick(self.briefings(), which)
        value = f"[{', '.join(tags)}]" if tags else None
        self.edit(path, lambda text: set_key(text, "tags", value), f"tags → {value}")
        self.then_build(later, f"tags edit of {path}")

    @working
    @rule(which=st.integers(0, 50), day=st.dates(dt.date(2023, 1, 1), dt.date(2023, 9, 30)),
          time=st.sampled_from(["", "T09:30:00+08:00", "T23:30:00+08:00"]), later=st.booleans())
    def edit_date(self, which: int, day: dt.date, time: str, later: bool) -> None:
        """Also to a date after the build's clock: the briefing is left out until it comes."""
        path = self.pick(self.briefings(), which)
        value = f"{day.isoformat()}{time}"
        self.edit(path, lambda text: set_key(text, "date", value), f"date → {value}")
        self.then_build(later, f"date edit of {path}")

    @working
    @rule(which=st.integers(0, 50), summary=st.sampled_from([None, *SUMMARIES]), later=st.booleans())
    def edit_summary(self, which: int, summary: str | None, later: bool) -> None:
        path = self.pick(self.briefings(), which)
        self.edit(path, lambda text: set_key(text, "summary", summary), f"summary → {summary}")
        self.then_build(later, f"summary edit of {path}")

    @working
    @rule(which=st.integers(0, 50), meeting=st.sampled_from([None, *MEETINGS]), later=st.booleans())
    def edit_meeting(self, which: int, meeting: str | None, later: bool) -> None:
        path = self.pick(self.briefings(), which)
        self.edit(path, lambda text: set_key(text, "meeting", meeting), f"meeting → {meeting}")
        self.then_build(later, f"meeting edit of {path}")

    @working
    @rule(which=st.integers(0, 50), draft=st.booleans(), later=st.booleans())
    def edit_draft(self, which: int, draft: bool, later: bool) -> None:
        """A draft is left out of the build (no --drafts), as a future-dated briefing is."""
        path = self.pick(self.briefings(), which)
        self.edit(path, lambda text: set_key(text, "draft", "true" if draft else None), f"draft → {draft}")
        self.then_build(later, f"draft edit of {path}")

    # rules: files

    @working
    @rule(k=st.integers(0, len(TITLES) - 1), day=st.dates(dt.date(2023, 1, 1), dt.date(2023, 8, 31)),
          folder=st.sampled_from(FOLDERS), later=st.booleans())
    def add_briefing(self, k: int, day: dt.date, folder: str, later: bool) -> None:
        n = self.next_serial()
        text = set_key(set_key(briefing(k), "title", f"{TITLES[k]}（新{n}）"), "date", day.isoformat())
        path = f"content/{folder}/new{n:03d}.md"
        note(f"add {path}")
        self.write(path, set_key(text, "slug", None).encode())
        self.then_build(later, f"adding {path}")

    @working
    @precondition(lambda self: len(self.briefings()) > 3)
    @rule(which=st.integers(0, 50), later=st.booleans())
    def delete_briefing(self, which: int, later: bool) -> None:
        path = self.pick(self.briefings(), which)
        note(f"delete {path}")
        (self.site / path).unlink()
        self.then_build(later, f"deleting {path}")

    @working
    @rule(which=st.integers(0, 50), folder=st.sampled_from(FOLDERS), renamed=st.booleans(), later=st.booleans())
    def move_briefing(self, which: int, folder: str, renamed: bool, later: bool) -> None:
        """To another folder (content/_drafts/ hides it), or renamed in its own."""
        path = self.pick(self.briefings(), which)
        name = path.rsplit("/", 1)[1]
        if renamed:
            stem, _, suffix = name.partition(".")
            name, folder = f"{stem}-r{self.next_serial()}.{suffix}", path.rsplit("/", 1)[0].removeprefix("content/")
        target = f"content/{folder}/{name}"
        if target == path or (self.site / target).exists():
            return
        note(f"move {path} → {target}")
        (self.site / target).parent.mkdir(parents=True, exist_ok=True)
        (self.site / path).rename(self.site / target)
        self.history[target] = self.history.pop(path, [])
        self.then_build(later, f"moving {path} to {target}")

    @working
    @rule(which=st.integers(0, 50), seconds=st.integers(-5, 5), later=st.booleans())
    def touch_briefing(self, which: int, seconds: int, later: bool) -> None:
        """A save without edits: new stamps, the same bytes."""
        path = self.pick(self.briefings(), which)
        stat = (self.site / path).stat()
        note(f"touch {path} ({seconds:+d} s)")
        os.utime(self.site / path, ns=(stat.st_atime_ns, stat.st_mtime_ns + seconds * 1_000_000_000))
        self.then_build(later, f"touching {path}")

    @working
    @rule(which=st.integers(0, 50), mode=st.sampled_from([0o600, 0o640, 0o444, 0o644]), later=st.booleans())
    def chmod_briefing(self, which: int, mode: int, later: bool) -> None:
        path = self.pick(self.briefings() + THEME_FILES, which)
        note(f"chmod {mode:o} {path}")
        os.chmod(self.site / path, mode)
        self.then_build(later, f"chmod of {path}")

    @working
    @precondition(lambda self: self.revertible())
    @rule(which=st.integers(0, 50), version=st.integers(0, 50), keep_mtime=st.booleans(), later=st.booleans())
    def revert(self, which: int, version: int, keep_mtime: bool, later: bool) -> None:
        """Back to the exact bytes of an earlier version (a deleted file back too); ``keep_mtime``: with the
        mtime that version had, as `cp -p` or `rsync -a` from a backup leave it."""
        path = self.pick(self.revertible(), which)
        versions = self.versions(path)
        data, mtime = versions[version % len(versions)]
        note(f"revert {path} to its version {self.history[path].index((data, mtime))}"
             f"{' with its old mtime' if keep_mtime else ''}")
        self.write(path, data)
        if keep_mtime:
            os.utime(self.site / path, ns=(mtime, mtime))
        self.then_build(later, f"reverting {path}")

    def revertible(self) -> list[str]:
        """Files (those deleted too) with an earlier good version."""
        return sorted(path for path in self.history if self.versions(path))

    @working
    @rule(which=st.integers(0, 500), how=st.sampled_from(["delete", "deface", "stray file"]), later=st.booleans())
    def tamper_with_the_output(self, which: int, how: str, later: bool) -> None:
        """Someone edits the published folder: the next cached build must put it right. (Not the URL
        manifest: it keeps the history of URLs, and the reference keeps its own.)"""
        path = self.pick(sorted(p for p in files_of(self.out) if p != ".briefings-manifest.json"), which)
        note(f"{how} in public/: {path}")
        if how == "delete":
            (self.out / path).unlink()
        elif how == "deface":
            (self.out / path).write_bytes(b"defaced")
        else:
            (self.out / path).with_name("stray.html").write_bytes(b"stray")
        self.then_build(later, f"{how} of public/{path}")

    # rules: theme, config, clock

    @working
    @rule(which=st.integers(0, len(THEME_FILES) - 1), later=st.booleans())
    def edit_theme(self, which: int, later: bool) -> None:
        path, n = THEME_FILES[which], self.next_serial()
        comment = f"/* edit {n} */\n" if path.endswith(".css") else f"<!-- edit {n} -->\n"
        self.edit(path, lambda text: text + comment, "theme edit")
        self.then_build(later, f"editing {path}")

    @working
    @rule(which=st.integers(0, len(THEME_FILES) - 1), later=st.booleans())
    def revert_theme(self, which: int, later: bool) -> None:
        """The theme file as it first was, byte for byte."""
        path = THEME_FILES[which]
        original = self.history[path][0][0]
        if (self.site / path).read_bytes() == original:
            return
        note(f"revert {path} to the original")
        self.write(path, original)
        self.then_build(later, f"reverting {path}")

    @working
    @rule(per_page=st.sampled_from([3, 4, 10]), later=st.booleans())
    def edit_config(self, per_page: int, later: bool) -> None:
        self.edit("site.toml", lambda text: re.sub(r"per_page = \d+", f"per_page = {per_page}", text),
                  f"per_page = {per_page}")
        self.then_build(later, "editing site.toml")

    @working
    @rule(days=st.integers(1, 60))
    def time_passes(self, days: int) -> None:
        """Briefings dated after the old clock come out."""
        self.now += dt.timedelta(days=days)
        note(f"the clock moves to {self.now:%Y-%m-%d}")
        self.build_both(f"{days} days passing")

    # rules: bad edits, and their fixes

    @working
    @precondition(lambda self: self.read())
    @rule(which=st.integers(0, 50), kind=st.sampled_from(["yaml", "unclosed", "date", "template"]))
    def break_something(self, which: int, kind: str) -> None:
        """A bad edit: the build fails, and leaves both output folders as they were. The next rule fixes it.
        (Edits made ``later`` before it are in the failed build too: the cache parses them.)"""
        path = THEME_FILES[0] if kind == "template" else self.pick(self.read(), which)
        text = (self.site / path).read_text(encoding="utf-8")
        n = self.next_serial()
        if kind == "yaml":
            bad = set_key(text, "title", f"[未闭合的标题{n}")
        elif kind == "unclosed":
            bad = text.replace("\n---\n", f"\n第{n}次：没有结束的前言\n", 1)
        elif kind == "date":
            bad = set_key(text, "date", f"无{n}")
        else:
            bad = text + f"{{% if %}}{n}\n"
        note(f"bad edit ({kind}) of {path}")
        self.bad.add(bad.encode())
        self.write(path, bad.encode())
        self.broken = path
        self.build_both(f"a bad edit ({kind}) of {path}")

    @precondition(lambda self: self.broken is not None)
    @rule(which=st.integers(0, 50), also_edit=st.booleans(), later=st.booleans())
    def fix(self, which: int, also_edit: bool, later: bool) -> None:
        """Back to the file's last good bytes; ``also_edit``: and a sentence added to a briefing."""
        assert self.broken is not None
        path, self.broken = self.broken, None
        good = next(data for data, _ in reversed(self.history[path]) if data not in self.bad)
        note(f"fix {path}")
        self.write(path, good)
        why = f"fixing {path}"
        if also_edit:
            other = self.pick(self.briefings(), which)
            self.edit(other, lambda text: f"{text}补记第{self.next_serial()}句。\n", "a sentence added")
            why += f" and editing {other}"
        self.then_build(later, why)

    @invariant()
    def edits_wait_for_a_build_at_most_twice(self) -> None:
        """Not a check: edits left for a later build get built, even if the sequence ends soon."""
        if len(self.unbuilt) > 2:
            self.build_both(" + ".join(self.unbuilt))


def messages_of(result: BuildResult) -> list[str]:
    return sorted(d.format() for d in result.diagnostics)


def errors_of(result: BuildResult) -> list[str]:
    return sorted(d.format() for d in result.diagnostics.errors)


def test_any_sequence_of_edits_builds_with_the_cache_what_a_cold_build_publishes():
    run_state_machine_as_test(EditsThenBuilds, settings=settings(
        max_examples=5, stateful_step_count=12, deadline=None, suppress_health_check=[HealthCheck.too_slow]))
