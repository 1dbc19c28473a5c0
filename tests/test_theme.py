"""Theme lookup: the site's templates/, static/ and i18n/ override the theme file by file; the
site's themes/<name>/ comes before the default theme shipped with the package."""

from __future__ import annotations

import shutil

from sitebuilder import make_site

from briefings.pipeline import build
from briefings.serve.classify import Kind, classify
from briefings.theme import bundled_theme, find_theme

A = "-- content/a.md --\n---\ntitle: 主任办公会\ndate: 2024-01-01\n---\n正文。\n"


def bare_site(tmp_path, files: str = ""):
    """A site without a themes/ folder: the bundled default theme."""
    site = make_site(tmp_path, A + files)
    shutil.rmtree(site.root / "themes")
    return site


def test_without_themes_folder_the_bundled_theme_is_used(tmp_path):
    site = bare_site(tmp_path)
    assert find_theme(site.root, "default") == bundled_theme()
    assert find_theme(site.root, "fancy") is None
    assert site.build().ok and site.messages() == []
    site.assert_page("/", "主任办公会", 'class="site-header"')


def test_a_site_template_overrides_the_theme_s_and_the_rest_stay(tmp_path):
    site = bare_site(tmp_path, "-- templates/_brand_header.html --\n<a class=\"brand\" href=\"/\">自定义页眉</a>\n")
    assert site.build().ok
    site.assert_page("/", "自定义页眉", "site-footer")  # base.html is still the theme's
    site.assert_page("/2024/01/zhu-ren-ban-gong-hui/", "自定义页眉", "<h1>主任办公会</h1>")


def test_a_site_static_file_replaces_the_theme_file_of_that_name(tmp_path):
    site = bare_site(tmp_path, "-- static/site.css --\nbody { color: rebeccapurple; }\n-- static/img/a.png --\npng\n")
    assert site.build().ok
    [css] = (site.out / "static").glob("site.*.css")
    assert css.read_text("utf-8") == "body { color: rebeccapurple; }\n"  # under a hashed name, as the theme's
    assert not (site.out / "site.css").exists()  # not published a second time as is
    assert (site.out / "img" / "a.png").is_file()  # other static files: as they are
    assert len(list((site.out / "static").glob("search.*.js"))) == 1  # the theme's others stay


def test_site_i18n_overrides_interface_strings_key_by_key(tmp_path):
    site = bare_site(tmp_path, '-- i18n/zh.toml --\nnav_tags = "专题"\n')
    assert site.build().ok and site.messages() == []
    site.assert_page("/", ">专题</a>", ">归档</a>", "! >政策主题</a>")


def test_a_theme_folder_of_the_site_comes_before_the_bundled_one(tmp_path):
    site = make_site(tmp_path, A)  # copies the theme into themes/default/
    base = site.root / "themes" / "default" / "templates" / "404.html"
    text = base.read_text("utf-8")
    base.write_text(text.replace("{% block content %}", "{% block content %}站点自己的主题"), "utf-8")
    assert site.build().ok
    site.assert_page("/404.html", "站点自己的主题")


def test_editing_the_site_i18n_rebuilds_a_cached_build(tmp_path):
    site = bare_site(tmp_path, '-- i18n/zh.toml --\nnav_tags = "专题"\n')
    assert build(site.root, site.out, cache=True).ok
    assert build(site.root, site.out, cache=True).up_to_date
    (site.root / "i18n" / "zh.toml").write_text('nav_tags = "主题词"\n', encoding="utf-8")
    again = build(site.root, site.out, cache=True)
    assert again.ok and not again.up_to_date
    site.assert_page("/", ">主题词</a>")


def test_the_dev_server_rebuilds_on_i18n_edits(tmp_path):
    assert classify(tmp_path / "i18n" / "zh.toml", tmp_path, tmp_path / "out") is Kind.TEMPLATE


def test_new_uses_the_bundled_archetype_in_a_site_without_one(tmp_path, capsys):
    from briefings.cli import main

    site = bare_site(tmp_path)
    assert main(["new", "卫生应急工作会", "--date", "2024-02-01", "--site", str(site.root)]) == 0
    [made] = (site.root / "content" / "2024").glob("2024-02-01-*.md")
    assert "# 会议名称" in made.read_text("utf-8")  # the bundled theme's archetype, comments and all


def test_a_string_the_site_adds_in_one_language_is_asked_for_in_the_site_s_other_file(tmp_path):
    site = bare_site(tmp_path, '-- i18n/zh.toml --\nhotline = "热线"\n')
    (site.root / "site.toml").write_text('title = "简报"\nbase_url = "https://example.org/"\n'
                                         '[languages.zh]\n[languages.en]\ntitle = "Briefings"\n', encoding="utf-8")
    assert site.build().ok
    assert site.messages() == ["i18n/en.toml: warning: missing interface string `hotline` "
                               "(the page shows the other language's text)"]
