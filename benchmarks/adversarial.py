"""Try the adversarial cases of issue 20 against a copy of briefings' code and tabulate how
each ended: a clear message, a traceback, data lost (sources, or a published folder changed by
a failed build), a leak (a file from outside the site published or served), or wrong (no
message where one belongs: a duplicate id, leftovers, an empty site published).

Usage: python benchmarks/adversarial.py [--code DIR]   (DIR: a checkout whose briefings/ to run)

Each case runs `python -m briefings` in a child process with PYTHONPATH=DIR, on a fresh
site in a temporary folder.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CODE = REPO
GOOD = "---\ntitle: 课后服务推进会\ndate: 2023-06-15\n---\n正文。\n"


def run(*args: str, timeout: float = 120) -> tuple[int, str]:
    env = {**os.environ, "PYTHONPATH": str(CODE)}
    try:
        done = subprocess.run([sys.executable, "-m", "briefings", *args], capture_output=True, text=True,
                              env=env, timeout=timeout, cwd=tempfile.gettempdir())
    except subprocess.TimeoutExpired:
        return -1, "Traceback: timed out"
    return done.returncode, done.stdout + done.stderr


def make_site(root: Path) -> Path:
    shutil.copytree(CODE / "themes" / "default", root / "themes" / "default")  # the theme of the code tried
    (root / "site.toml").write_text('title = "简报"\nbase_url = "https://example.org/"\n', encoding="utf-8")
    (root / "content" / "2023").mkdir(parents=True)
    (root / "content" / "2023" / "a.md").write_text(GOOD, encoding="utf-8")
    (root / "static").mkdir()
    (root / "static" / "note.txt").write_text("note", encoding="utf-8")
    return root


def snapshot(folder: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    found = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if relative.parts and relative.parts[0] in skip:
            continue
        if path.is_file() and not path.is_symlink():
            found[relative.as_posix()] = hashlib.sha256(path.read_bytes()).hexdigest()
    return found


def verdict(code: int, output: str, *, lost: bool = False, expect_ok: bool = False, named: str = "") -> str:
    if lost:
        return "data lost"
    if "Traceback" in output:
        return "traceback"
    if expect_ok:
        return "clear" if code == 0 else "wrong"
    if code == 0 or (named and named not in output):
        return "wrong"
    return "clear"


# -- the cases ---------------------------------------------------------------------------------
def output_case(target: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        if target == "other":
            out = tmp / "documents"
            out.mkdir()
            (out / "report.docx").write_bytes(b"precious")
        else:
            out = site / target
        before = snapshot(tmp, skip=("documents",)), snapshot(tmp / "documents") if target == "other" else {}
        code, output = run("build", str(site), "-o", str(out), "--quiet")
        after = snapshot(tmp, skip=("documents",)), snapshot(tmp / "documents") if target == "other" else {}
        sources_after = {k: v for k, v in after[0].items() if k in before[0]}
        lost = sources_after != before[0] or len(sources_after) != len(before[0]) or after[1] != before[1]
        return verdict(code, output, lost=lost)
    return case


def update_case(line: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        run("build", str(site), "--quiet")
        published = snapshot(site / "public")
        bad = site / "content" / "2023" / "b.md"
        bad.write_text(f"---\ntitle: 新\ndate: 2023-07-01\n{line}\n---\n正文。\n", encoding="utf-8")
        code, output = run("build", str(site), "--quiet")
        changed = snapshot(site / "public") != published
        bad.unlink()
        code2, output2 = run("build", str(site), "--quiet")
        if changed:
            return "data lost"
        if "Traceback" in output + output2:
            return "traceback"
        return "clear" if code != 0 and "content/2023/b.md:4" in output and code2 == 0 else "wrong"
    return case


def front_case(line: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        (site / "content" / "2023" / "b.md").write_text(f"---\ntitle: 二\n{line}\n---\n正文。\n", encoding="utf-8")
        (site / "content" / "2023" / "c.md").write_text("---\ndate: 2023-06-15\n---\n正文。\n", encoding="utf-8")
        results = [run(command, str(site)) for command in ("build", "check")]
        if any("Traceback" in output for _, output in results):
            return "traceback"
        at = f"content/2023/b.md:{3 + line.count(chr(10))}"  # the line of the bad value
        ok = all(code == 1 and at in output and "content/2023/c.md" in output
                 for code, output in results)
        return "clear" if ok else "wrong"
    return case


def toml_deep(tmp: Path) -> str:
    site = make_site(tmp / "site")
    (site / "content" / "2023" / "b.md").write_text(
        "+++\ntitle = '二'\ndate = 2023-06-15\nx = " + "[" * 5000 + "]" * 5000 + "\n+++\n正文。\n", encoding="utf-8")
    code, output = run("build", str(site))
    return verdict(code, output, named="content/2023/b.md")


def link_case(kind: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        secret = tmp / "secret.md"
        secret.write_text("---\ntitle: 机密\ndate: 2023-06-15\n---\nroot:x:0:0\n", encoding="utf-8")
        if kind == "loop":
            os.symlink("loop", site / "content" / "loop")
        elif kind == "content-to-root":
            shutil.rmtree(site / "content")
            os.symlink("/", site / "content")
        elif kind == "content-file-outside":
            os.symlink(secret, site / "content" / "p.md")
        elif kind == "static-outside":
            os.symlink(secret, site / "static" / "passwd.txt")
        elif kind == "theme-static-outside":
            os.symlink(secret, site / "themes" / "default" / "static" / "passwd.txt")
        code, output = run("build", str(site), "--quiet", timeout=60)
        published = site / "public"
        leaked = published.is_dir() and any(b"root:x:0:0" in p.read_bytes() for p in published.rglob("*")
                                            if p.is_file())
        if leaked:
            return "leak"
        if "Traceback" in output:
            return "traceback"
        if kind == "content-to-root":
            return "clear" if code != 0 else "wrong"
        return "clear" if "warning" in output else "wrong"
    return case


def site_toml_gbk(tmp: Path) -> str:
    site = make_site(tmp / "site")
    (site / "site.toml").write_bytes('title = "简报"\n'.encode("gbk"))
    code, output = run("build", str(site))
    return verdict(code, output, named="site.toml")


def damaged_cache(entry: str, kind: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        run("build", str(site), "--quiet")
        target = site / ".briefings-cache" / entry
        if target.is_dir():
            shutil.rmtree(target)
        else:
            target.unlink(missing_ok=True)
        if kind == "folder":
            target.mkdir()
        else:
            target.write_bytes(b"x")
        (site / "content" / "2023" / "a.md").write_text(GOOD.replace("正文", "新正文"), encoding="utf-8")
        code, output = run("build", str(site), "--quiet")
        return verdict(code, output, expect_ok=True)
    return case


def manifest_nul(tmp: Path) -> str:
    site = make_site(tmp / "site")
    run("build", str(site), "--quiet")
    manifest = site / ".briefings-cache" / "manifests" / "public.json"  # where issue 15 keeps it
    if not manifest.is_file():
        manifest = site / "public" / ".briefings-manifest.json"  # versions before
    manifest.write_text(manifest.read_text(encoding="utf-8").replace('"redirects": {}',
                        '"redirects": {"/a\\u0000b/": "/2023/06/ke-hou-fu-wu-tui-jin-hui/"}'), encoding="utf-8")
    code, output = run("build", str(site), "--quiet", "--no-cache")
    return verdict(code, output, expect_ok=True)


def missing_content(tmp: Path) -> str:
    site = make_site(tmp / "site")
    run("build", str(site), "--quiet")
    published = snapshot(site / "public")
    shutil.rmtree(site / "content")
    code, output = run("build", str(site), "--quiet")
    return verdict(code, output, lost=snapshot(site / "public") != published)


def serve_port(tmp: Path) -> str:
    site = make_site(tmp / "site")
    code, output = run("serve", str(site), "--port", "99999", timeout=30)
    return "clear" if code == 2 and "Traceback" not in output else verdict(code, output)


def leftovers(tmp: Path) -> str:
    site = make_site(tmp / "site")
    run("build", str(site), "--quiet")
    child = subprocess.Popen(["true"])
    child.wait()
    for kind in ("staging", "old"):
        (site / f".public.{kind}-{child.pid}").mkdir()
    run("build", str(site), "--quiet", "--no-cache")
    return "clear" if not list(site.glob(".public.*")) else "wrong"


def two_hosts(tmp: Path) -> str:
    folder = tmp / "out"
    folder.mkdir()
    (folder / "index.html").write_text("<html><body>secret</body></html>", encoding="utf-8")
    script = ("import io,sys,threading;from pathlib import Path;"
              "from briefings.serve.server import DevHTTPServer, LiveState;"
              f"h=DevHTTPServer(('127.0.0.1',0),Path({str(folder)!r}),LiveState(),io.StringIO());"
              "print(h.server_address[1],flush=True);h.serve_forever()")
    server = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(CODE)}, cwd=tempfile.gettempdir())
    try:
        assert server.stdout is not None
        port = int(server.stdout.readline())
        with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
    finally:
        server.kill()
        server.wait()
    return "leak" if b"secret" in answer else "clear"


def duplicate_ids(body: str) -> Callable[[Path], str]:
    def case(tmp: Path) -> str:
        site = make_site(tmp / "site")
        (site / "content" / "2023" / "a.md").write_text(GOOD.replace("正文。", body), encoding="utf-8")
        code, output = run("build", str(site), "--quiet")
        if code != 0:
            return verdict(code, output)
        html = (site / "public" / "2023" / "06" / "ke-hou-fu-wu-tui-jin-hui" / "index.html").read_text(encoding="utf-8")
        ids = Counter(re.findall(r'\bid="([^"]+)"', html))
        return "wrong" if any(n > 1 for n in ids.values()) else "clear"
    return case


LONG = "a" * 300
CASES: list[tuple[str, str, Callable[[Path], str]]] = [
    *[("output folder", f"-o {t}", output_case(t)) for t in
      (".", "content", "content/2023", "themes", "themes/default", "static", "..", "other", "site.toml/out",
       "x" * 300)],
    *[("failed update", line, update_case(line)) for line in
      ('aliases: ["/atom.xml"]', 'aliases: ["/index.html"]', 'aliases: ["/.briefings-manifest.json"]',
       f'aliases: ["/{LONG}/"]', 'aliases: ["/a\\0b/"]', f"slug: {'ab-' * 100}c")],
    ("killed builds", "leftover staging/old folders", leftovers),
    *[("front matter", line, front_case(line)) for line in
      ("date: 2023-02-30", "date: 0000-01-01", "date: 2023-13-01", "date: 2023-01-01T25:00:00",
       "date: 2023-01-01T09:00:00+99:00", "date: 2023-06-15\nsummary: !!int 3.5",
       "date: 2023-06-15\nsummary: !!float x", "date: 2023-06-15\nsummary: " + "9" * 5000)],
    ("front matter", "TOML nested 5,000 deep", toml_deep),
    *[("files", kind, link_case(kind)) for kind in
      ("loop", "content-to-root", "content-file-outside", "static-outside", "theme-static-outside")],
    ("files", "site.toml in GBK", site_toml_gbk),
    *[("files", f"cache {entry} as a {kind}", damaged_cache(entry, kind)) for entry, kind in
      (("lock", "folder"), ("parsed", "file"))],
    ("files", "NUL in a manifest URL", manifest_nul),
    ("files", "missing content/", missing_content),
    ("serve", "--port 99999", serve_port),
    ("serve", "two Host headers", two_hosts),
    *[("ids", body, duplicate_ids(body)) for body in
      ("# main", "## fn1\n\n正文[^1]。\n\n[^1]: 注释。", '<div id="site-search-q">x</div>')],
]


def main() -> None:
    global CODE
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", type=Path, default=REPO, help="a checkout whose briefings/ to run")
    args = parser.parse_args()
    CODE = args.code.resolve()
    table: dict[str, Counter[str]] = {}
    start = time.perf_counter()
    for group, label, case in CASES:
        with tempfile.TemporaryDirectory() as folder:
            outcome = case(Path(folder))
        table.setdefault(group, Counter())[outcome] += 1
        shown = label if len(label) < 60 else label[:57] + "…"
        print(f"{group:<14} {outcome:<10} {shown!r}", flush=True)
    kinds = ["clear", "traceback", "data lost", "leak", "wrong"]
    print(f"\n{'':<14} {'cases':>5} " + " ".join(f"{k:>9}" for k in kinds))
    for group, counts in [*table.items(), ("total", sum(table.values(), Counter()))]:
        print(f"{group:<14} {sum(counts.values()):>5} " + " ".join(f"{counts[k]:>9}" for k in kinds))
    print(f"({time.perf_counter() - start:.0f} s, code from {CODE})")


if __name__ == "__main__":
    main()
