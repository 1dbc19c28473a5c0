"""Build tiny sites from inline text in tmp_path, and read what a reader would see.

A site is written as blocks, each a `-- path --` line and the file's text:

    -- site.toml --
    title = "简报"
    -- content/a.md --
    ---
    title: 课后服务推进会
    date: 2023-06-15
    ---
    正文。
"""

from __future__ import annotations

import hashlib
import re
import shutil
from dataclasses import dataclass
from pathlib import Path

from briefings.pipeline import BuildResult, build
from briefings.site import BuildOptions

REPO = Path(__file__).resolve().parent.parent
THEME = REPO / "themes" / "default"
DEFAULT_CONFIG = 'title = "测试简报"\nbase_url = "https://example.org/"\n'


def write_files(root: Path, text: str) -> None:
    for match in re.finditer(r"^-- (.+?) --\n(.*?)(?=^-- .+? --\n|\Z)", text, re.S | re.M):
        path = root / match.group(1)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(match.group(2), encoding="utf-8")


@dataclass
class Site:
    root: Path
    result: BuildResult | None = None

    @property
    def out(self) -> Path:
        return self.root / "public"

    def build(self, **options: object) -> BuildResult:
        self.result = build(self.root, self.out, BuildOptions(**options))  # type: ignore[arg-type]
        return self.result

    def page(self, url: str) -> str:
        path = self.out / url.strip("/")
        if url.endswith("/") or not path.suffix:
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    def exists(self, url: str) -> bool:
        path = self.out / url.strip("/")
        return (path / "index.html").is_file() if url.endswith("/") else path.is_file()

    def messages(self) -> list[str]:
        assert self.result is not None
        return [d.format() for d in self.result.diagnostics]

    def assert_page(self, url: str, *expected: str) -> None:
        """Each string must appear in the page; a string starting with '! ' must not."""
        html = self.page(url)
        for text in expected:
            if text.startswith("! "):
                assert text[2:] not in html, f"{url} should not contain {text[2:]!r}"
            else:
                assert text in html, f"{url} should contain {text!r}"


def make_site(tmp_path: Path, files: str, *, config: str | None = DEFAULT_CONFIG) -> Site:
    root = tmp_path / "site"
    root.mkdir(parents=True, exist_ok=True)
    shutil.copytree(THEME, root / "themes" / "default")
    if config is not None and "-- site.toml --" not in files:
        (root / "site.toml").write_text(config, encoding="utf-8")
    write_files(root, files)
    return Site(root)


def snapshot(folder: Path, *, ignore: str | None = None) -> dict[str, str]:
    """Every file under ``folder`` (but those in a folder named ``ignore``) with a hash of its
    bytes: what "nothing touched" compares."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ignore not in p.parts}
