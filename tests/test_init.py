"""`briefings init`: a new site that builds at once, with the default theme from the package."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.cli import main
from briefings.config import _TOP_KEYS, load_config
from briefings.diagnostics import Diagnostics
from briefings.pipeline import build
from briefings.scaffold import InitError, InitOptions, parse_languages, scaffold

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("langs", [("zh",), ("en",), ("zh", "en"), ("en", "zh")])
def test_every_setting_is_explained_in_the_default_language(langs):
    files = scaffold(InitOptions(title="区卫健委会议简报", languages=langs, today=dt.date(2026, 3, 2)))
    text = files["site.toml"]
    tomllib.loads(text)  # parses
    for key in _TOP_KEYS:
        assert f"{key} =" in text or f"[{key}" in text or f"[[{key}" in text, key
    lines = text.splitlines()
    for n, line in enumerate(lines):  # every setting has a comment above it, or is one of a commented block
        if line and not line.startswith(("#", "[")) and "=" in line:
            above = lines[max(0, n - 12): n]
            assert any(a.startswith("#") for a in above), line
    chinese = sum(1 for line in lines if line.startswith("#") and any("\u4e00" <= c <= "\u9fff" for c in line))
    comments = sum(1 for line in lines if line.startswith("#"))
    assert (chinese > comments // 2) == (langs[0] == "zh")
    assert set(files) >= {"site.toml", ".gitignore", "README.md", "content/pages/about.md",
                          "content/2026/2026-03-02-ben-zhan-kai-tong.md", "archetypes/briefing.md"}
    assert "/public/" in files[".gitignore"] and "/.briefings-cache/" in files[".gitignore"]


@settings(max_examples=25, deadline=None)
@given(title=st.text(min_size=1, max_size=30).filter(lambda t: t.strip() and "\x00" not in t),
       path=st.sampled_from(["", "wjw/", "a/b/"]))
def test_any_title_and_base_url_make_a_valid_site_toml(title, path):
    files = scaffold(InitOptions(title=title, base_url=f"https://example.gov.cn/{path}", languages=("zh", "en")))
    raw = tomllib.loads(files["site.toml"])
    assert raw["title"] == title and raw["languages"]["zh"]["title"] == title
    assert raw["base_url"] == f"https://example.gov.cn/{path}"


def test_languages_are_read_like_site_toml_reads_them():
    assert parse_languages("zh-CN, en") == ("zh", "en")
    assert parse_languages("en，zh") == ("en", "zh")
    with pytest.raises(InitError, match="'fr'"):
        parse_languages("zh,fr")


def test_init_then_build_with_no_theme_folder(tmp_path, capsys):
    site = tmp_path / "wjw"
    assert main(["init", str(site), "--title", "区卫健委会议简报", "--base-url", "https://example.gov.cn/wjw/",
                 "--lang", "zh,en"]) == 0
    printed = capsys.readouterr().out
    assert str(site / "site.toml") in printed and "briefings serve" in printed
    assert not (site / "themes").exists()
    result = build(site, site / "public")
    assert result.ok and list(result.diagnostics) == []
    home = (site / "public" / "index.html").read_text("utf-8")
    assert "区卫健委会议简报" in home and "本站开通" in home
    assert (site / "public" / "about" / "index.html").is_file()
    assert (site / "public" / "en" / "about" / "index.html").is_file()
    assert 'href="/wjw/about/"' in home  # the menu link, under the base path


def test_init_refuses_to_overwrite_anything(tmp_path, capsys):
    site = tmp_path / "site"
    site.mkdir()
    (site / ".git").mkdir()  # what a new repository has: fine
    assert main(["init", str(site)]) == 0
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    (site / "site.toml").write_text('title = "我的"\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["init", str(site)]) == 1
    err = capsys.readouterr().err
    assert "already has" in err and "site.toml" in err and "not overwriting anything" in err
    after = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    assert after.keys() == before.keys()
    assert (site / "site.toml").read_text("utf-8") == 'title = "我的"\n'


def test_an_init_ed_site_checks_clean(tmp_path, capsys):
    site = tmp_path / "site"
    assert main(["init", str(site), "--base-url", "https://example.gov.cn/wjw/"]) == 0
    capsys.readouterr()
    assert main(["check", str(site)]) == 0
    assert capsys.readouterr().out.strip().endswith("no problems")
    assert load_config(site, Diagnostics()) is not None


@pytest.fixture(scope="session")
def installed(tmp_path_factory) -> Path:
    """This package as a wheel (made once a session), installed into a folder of its own."""
    wheels = tmp_path_factory.mktemp("wheel")
    # From a copy without build/: setuptools keeps build/lib between builds, so a module a
    # wheel no longer lists would still be in it from an earlier build, and the test pass.
    source = tmp_path_factory.mktemp("source") / "briefings"
    shutil.copytree(REPO, source, ignore=shutil.ignore_patterns(
        ".git", "build", "*.egg-info", "node_modules", "public", ".briefings-cache", "__pycache__", "test-artifacts"))
    made = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(source)],
                          capture_output=True, text=True)
    if made.returncode != 0:
        pytest.skip(f"cannot build a wheel here: {made.stderr.strip()[-300:]}")
    target = tmp_path_factory.mktemp("installed")
    wheel = next(wheels.glob("briefings-*.whl"))
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", str(target), str(wheel)],
                   check=True, capture_output=True)
    return target


def test_installed_package_inits_and_builds_far_from_the_repository(installed, tmp_path):
    """As a pip user: no repository around, the theme from the package (its data files)."""
    work = tmp_path / "empty"
    work.mkdir()
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, *args], cwd=work, env=env, capture_output=True, text=True)

    where = run("-c", "import briefings, briefings.theme as t; print(briefings.__file__); print(t.bundled_theme())")
    package, theme = where.stdout.split("\n")[:2]
    assert Path(package).is_relative_to(installed) and Path(theme).is_relative_to(installed), where.stdout
    assert run("-m", "briefings", "init", "site", "--lang", "zh,en").returncode == 0
    built = run("-m", "briefings", "build", "site")
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""
    public = work / "site" / "public"
    assert (public / "index.html").is_file() and (public / "about" / "index.html").is_file()
    assert list((public / "static").glob("site.*.css")) and (public / "search" / "entry.json").is_file()


def test_the_wheel_holds_every_module_and_theme_file_of_the_tree(installed):
    """A sub-package left out of pyproject's list installs without error and fails only when used."""
    tree = {p.relative_to(REPO).as_posix() for p in (REPO / "briefings").rglob("*.py")}
    wheel = {p.relative_to(installed).as_posix() for p in (installed / "briefings").rglob("*.py")}
    assert tree - wheel == set()
    theme = {p.relative_to(REPO / "themes" / "default").as_posix()
             for p in (REPO / "themes" / "default").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    packaged = {p.relative_to(installed / "briefings_theme_default").as_posix()
                for p in (installed / "briefings_theme_default").rglob("*") if p.is_file()}
    assert theme - packaged == set()


def test_installed_package_imports_a_pasted_summary(installed, tmp_path):
    work = tmp_path / "empty"
    work.mkdir()
    (work / "summary.txt").write_bytes("区卫健委召开主任办公会\n\n9月4日下午，区卫健委召开主任办公会。\n".encode("gbk"))
    env = {**os.environ, "PYTHONPATH": str(installed), "PYTHONSAFEPATH": "1"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "briefings", *args], cwd=work, env=env,
                              capture_output=True, text=True)

    assert run("init", "site").returncode == 0
    imported = run("import", "summary.txt", "--date", "2024-09-04", "--site", "site")
    assert imported.returncode == 0, imported.stderr
    assert "Traceback" not in imported.stderr
    draft = next((work / "site" / "content").rglob("2024-09-04-*.md"))
    assert "title: 区卫健委召开主任办公会" in draft.read_text("utf-8")


@pytest.mark.parametrize("langs", ["zh", "en", "en,zh", "zh,en"])
def test_every_language_choice_builds_clean_and_links_its_translations(tmp_path, capsys, langs):
    site = tmp_path / "site"
    assert main(["init", str(site), "--lang", langs, "--base-url", "https://example.gov.cn/"]) == 0
    result = build(site, site / "public")
    assert result.ok and [d.format() for d in result.diagnostics] == []
    codes = langs.split(",")
    other = f"/{codes[1]}" if len(codes) > 1 else ""
    about = (site / "public" / "about" / "index.html").read_text("utf-8")
    assert f'<html lang="{"zh-CN" if codes[0] == "zh" else "en"}">' in about
    if other:
        assert f'href="{other}/about/" hreflang=' in about  # the translation, linked
        home = (site / "public" / other.strip("/") / "index.html").read_text("utf-8")
        assert f'href="{other}/about/">' in home  # the other edition's menu
    assert main(["check", str(site)]) == 0
