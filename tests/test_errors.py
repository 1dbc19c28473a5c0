"""Every bad input gets `path:line: error: message`, all at once, and the last good site survives."""

from __future__ import annotations

import pytest
from sitebuilder import make_site

from briefings.cli import main

GOOD = "-- content/good.md --\n---\ntitle: 好的简报\ndate: 2023-06-15\n---\n正文。\n"


def test_all_errors_reported_at_once_and_previous_site_untouched(tmp_path, capsys):
    site = make_site(tmp_path, GOOD)
    assert main(["build", str(site.root), "--quiet"]) == 0
    before = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}

    (site.root / "content" / "no-title.md").write_text("---\ndate: 2023-06-16\n---\n正文\n", encoding="utf-8")
    (site.root / "content" / "bad-yaml.md").write_text("---\ntitle: [未闭合\ndate: 2023-06-16\n---\n",
                                                       encoding="utf-8")
    (site.root / "content" / "bad-date.md").write_text("---\ntitle: 日期错\ndate: 6月15日\n---\n",
                                                       encoding="utf-8")
    (site.root / "content" / "no-front.md").write_text("只有正文\n", encoding="utf-8")
    assert main(["build", str(site.root)]) == 1
    err = capsys.readouterr().err.splitlines()
    assert "content/no-title.md:1: error: `title` is required (add `title: …` to the front matter)" in err
    assert any(line.startswith("content/bad-yaml.md:3: error: invalid YAML in front matter") for line in err)
    assert ("content/bad-date.md:3: error: cannot read date '6月15日' "
            "(write it as 2023-06-15 or 2023-06-15T09:00:00+08:00)") in err
    assert any(line.startswith("content/no-front.md:1: error: missing front matter") for line in err)
    assert err[-1].startswith("build failed: 4 errors;")
    after = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert after == before
    assert not list(site.root.glob(".public.*")), "no staging folder left behind"


def test_deleted_briefing_disappears_from_output(tmp_path):
    site = make_site(tmp_path, GOOD + "-- content/old.md --\n---\ntitle: 旧简报\ndate: 2023-06-10\n---\n正文。\n")
    assert site.build().ok
    assert site.exists("/2023/06/jiu-jian-bao/")
    (site.root / "content" / "old.md").unlink()
    assert site.build().ok
    assert not site.exists("/2023/06/jiu-jian-bao/")


def test_gbk_file_is_an_error_saying_what_to_do(tmp_path):
    site = make_site(tmp_path, GOOD)
    (site.root / "content" / "gbk.md").write_bytes("---\ntitle: 课后服务\ndate: 2023-06-15\n---\n正文\n".encode("gbk"))
    result = site.build()
    assert not result.ok
    (message,) = [m for m in site.messages() if m.startswith("content/gbk.md")]
    assert "error: file is not UTF-8" in message and "GBK" in message and "iconv -f GBK -t UTF-8" in message


def test_bom_and_crlf_are_fine(tmp_path):
    site = make_site(tmp_path, "")
    (site.root / "content").mkdir()
    (site.root / "content" / "win.md").write_bytes(
        "\ufeff---\r\ntitle: 课后服务\r\ndate: 2023-06-15\r\n---\r\n正文\r\n".encode())
    assert site.build().ok, site.messages()
    assert site.exists("/2023/06/ke-hou-fu-wu/")


def test_url_collision_names_both_files(tmp_path):
    site = make_site(tmp_path, GOOD + "-- content/twin.md --\n---\ntitle: 好的简报\ndate: 2023-06-20\n---\n正文。\n")
    assert not site.build().ok
    assert ("content/twin.md:2: error: URL /2023/06/hao-de-jian-bao/ is also claimed by content/good.md "
            "(give one of them a different `slug:`)") in site.messages()


def test_slug_cannot_escape_output_folder(tmp_path):
    site = make_site(tmp_path, "-- content/evil.md --\n---\ntitle: x\ndate: 2023-06-15\nslug: ../../x\n---\n")
    assert not site.build().ok
    assert any(m.startswith("content/evil.md:4: error: invalid slug '../../x'") for m in site.messages())
    assert not (tmp_path / "x").exists()


def test_alias_cannot_escape_output_folder(tmp_path):
    site = make_site(tmp_path, "-- content/evil.md --\n---\ntitle: x\ndate: 2023-06-15\n"
                               "aliases: [../../../etc/x]\n---\n")
    assert not site.build().ok
    assert any("alias '../../../etc/x' must be a plain path inside the site" in m for m in site.messages())


def test_typo_keys_warn_with_suggestion(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-06-15\ntag: [双减]\n"
                               "chiar: 张荷红\nbureau: 教育局\n---\n")
    assert site.build().ok
    messages = site.messages()
    assert "content/a.md:4: warning: unknown key `tag` (did you mean `tags`?)" in messages
    assert "content/a.md:5: warning: unknown key `chiar` (did you mean `chair`?)" in messages
    assert not any("bureau" in m for m in messages), "other keys are for templates, not typos"


def test_unknown_config_key_is_an_error_with_did_you_mean(tmp_path, capsys):
    site = make_site(tmp_path, GOOD, config='title = "简报"\nbase_url = "https://example.org/"\nper_pgae = 5\n')
    assert main(["build", str(site.root)]) == 1
    assert "site.toml:3: error: unknown key `per_pgae` (did you mean `per_page`?)" in capsys.readouterr().err


def test_template_error_names_template_and_line(tmp_path):
    site = make_site(tmp_path, GOOD + "-- templates/404.html --\n<p>\n{{ no_such_thing.x }}\n</p>\n")
    assert not site.build().ok
    assert any(m.startswith("templates/404.html:2: error: template error:") for m in site.messages())


def test_usage_error_exits_2(capsys):
    try:
        main(["build", "--no-such-flag"])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError("argparse should exit")


def test_tag_slug_collision_is_an_error(tmp_path):
    site = make_site(tmp_path, "-- content/a.md --\n---\ntitle: 会议\ndate: 2023-06-15\n"
                               "tags: [课后服务, 课后 服务]\n---\n")
    assert not site.build().ok
    assert any("would share the URL /tags/ke-hou-fu-wu/" in m for m in site.messages())


def test_bad_values_in_two_files_are_both_reported(tmp_path, capsys):
    site = make_site(tmp_path, """\
-- content/a.md --
---
title: 一
date: 2023-02-30
---
正文。
-- content/b.md --
---
date: 2023-06-15
---
正文。
-- content/c.md --
+++
title = "三"
date = 2023-06-15
x = """ + "[" * 3000 + "]" * 3000 + """
+++
正文。
""")
    assert main(["build", str(site.root), "--quiet"]) == 1
    err = capsys.readouterr().err
    assert "content/a.md:3: error:" in err and "`date`" in err
    assert "content/b.md:1: error: `title` is required" in err
    assert "content/c.md:4: error:" in err
    assert "Traceback" not in err


def test_a_static_file_in_the_way_of_a_page_is_named(tmp_path):
    site = make_site(tmp_path, """\
-- content/a.md --
---
title: 一
date: 2023-06-15
---
正文。
-- static/robots.txt --
User-agent: *
""")
    result = site.build()
    assert not result.ok
    assert any(m.startswith("static/robots.txt: error:") and "both write robots.txt" in m for m in site.messages())


@pytest.mark.parametrize("url", ["example.gov.cn", "example.gov.cn/wjw/", "ftp://example.gov.cn/", "https://"])
def test_a_bad_base_url_on_the_command_line_is_a_usage_error_not_site_toml_s(tmp_path, capsys, url):
    site = make_site(tmp_path, GOOD)
    with pytest.raises(SystemExit) as exit_:
        main(["build", str(site.root), "--base-url", url])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert ("argument --base-url: must be an absolute http(s) URL such as https://example.gov.cn/wjw/, "
            f"got {url!r}") in err
    assert "site.toml" not in err and not (site.root / "public").exists()


def test_a_good_base_url_on_the_command_line_is_used(tmp_path, capsys):
    site = make_site(tmp_path, GOOD)
    assert main(["build", str(site.root), "--base-url", "https://example.gov.cn/wjw", "--quiet"]) == 0
    assert 'href="/wjw/' in (site.root / "public" / "index.html").read_text("utf-8")
