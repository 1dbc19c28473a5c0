"""`briefings import`: pasted meeting summaries → draft briefings in content/, never overwriting."""

from __future__ import annotations

from pathlib import Path

from sitebuilder import make_site

from briefings.cli import main
from briefings.importer import import_text

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VOCABULARY = '''title = "测试简报"
base_url = "https://example.org/"

[tags."双减"]
aliases = ["双减政策"]

[tags."课后服务"]
[tags."优质均衡"]
[tags."中考"]
[tags."校园安全"]
[tags."开学"]
'''
BRIEFING_0615 = "content/2023/2023-06-15-shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui.md"
URL_0615 = "/2023/06/shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui/"


def test_briefing_0615_becomes_a_draft_that_builds_without_warnings(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    code = main(["import", str(FIXTURES / "briefing_0615.txt"), "--date", "2023-06-15", "--site", str(site.root)])
    assert code == 0
    written = (site.root / BRIEFING_0615).read_text(encoding="utf-8")
    # The site's vocabulary is the importer tests' one: the same file as the importer's fixture.
    assert written == (FIXTURES / "briefing_0615.expected.md").read_text(encoding="utf-8")
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [str(site.root / BRIEFING_0615),
                       f"  URL: https://example.org{URL_0615} (a draft: `briefings build --drafts` shows it)"]
    assert "  check: title '市教育局召开局党组扩大会' was made from the opening: check it" in out
    assert site.build().ok and not site.exists(URL_0615)  # a draft until someone reviews it
    assert site.build(drafts=True).ok
    assert site.messages() == []
    site.assert_page(URL_0615, "<h1>市教育局召开局党组扩大会</h1>", "张荷红",
                     "<strong>一是深入学习贯彻，坚持党对教育工作的全面领导。</strong>全市", "! <b>", "! **")


def test_gbk_file_with_the_year_in_the_text_needs_no_date(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    assert main(["import", str(FIXTURES / "spring_term.gbk.txt"), "--site", str(site.root)]) == 0
    path = site.root / "content/2024/2024-03-08-shi-jiao-yu-ju-zhao-kai-2024-nian-di-3-ci-ju-zhang-ban-gong.md"
    assert path.read_text(encoding="utf-8") == (FIXTURES / "spring_term.expected.md").read_text(encoding="utf-8")
    assert "assumed" not in capsys.readouterr().out


def test_without_a_year_anywhere_this_year_is_assumed_and_said(tmp_path, capsys):
    site = make_site(tmp_path, "")
    assert main(["import", str(FIXTURES / "briefing_0615.txt"), "--site", str(site.root)]) == 0
    out = capsys.readouterr().out.splitlines()
    year = out[0].split("/content/")[1][:4]
    assert out[2] == f"  check: the text gives no year: assumed {year}; pass --date to set another"


def test_aliases_map_to_the_vocabulary_and_tags_in_use_are_suggested(tmp_path, capsys):
    old = "-- content/old.md --\n---\ntitle: 旧\ndate: 2023-01-01\ntags: [集团化办学]\n---\n正文。\n"
    site = make_site(tmp_path, old, config=VOCABULARY)
    raw = tmp_path / "raw.txt"
    raw.write_text("6月20日上午，市教育局党组书记、局长张荷红主持召开局长办公会。会议听取双减政策和集团化办学工作汇报。",
                   encoding="utf-8")
    assert main(["import", str(raw), "--date", "2023-06-20", "--site", str(site.root)]) == 0
    path = site.root / "content/2023/2023-06-20-shi-jiao-yu-ju-zhao-kai-ju-zhang-ban-gong-hui.md"
    text = path.read_text(encoding="utf-8")
    assert "tags:\n- 双减\n- 集团化办学\n" in text


def test_importer_maps_terms_to_tags():
    result = import_text("6月20日，局长张荷红主持召开局长办公会。会议听取双减政策、双减工作汇报。", year=2023,
                         vocabulary={"双减": "双减", "双减政策": "双减", "课后服务": "课后服务"})
    assert result.front["tags"] == ["双减"]


def test_date_option_stands_in_when_the_text_has_none(tmp_path, capsys):
    site = make_site(tmp_path, "")
    raw = tmp_path / "raw.txt"
    raw.write_text("市教育局党组书记、局长张荷红主持召开局长办公会。会议研究春季开学工作。", encoding="utf-8")
    assert main(["import", str(raw), "--site", str(site.root)]) == 1
    assert capsys.readouterr().err == f"error: cannot tell the date of {raw}: pass --date YYYY-MM-DD\n"
    assert main(["import", str(raw), "--date", "2023-03-01", "--site", str(site.root)]) == 0
    assert "  check: no date in the text: used --date 2023-03-01" in capsys.readouterr().out
    path = site.root / "content/2023/2023-03-01-shi-jiao-yu-ju-zhao-kai-ju-zhang-ban-gong-hui.md"
    text = path.read_text(encoding="utf-8")
    assert text.startswith("---\ntitle: 市教育局召开局长办公会\ndate: 2023-03-01\nmeeting: 局长办公会\n")
    assert site.build(drafts=True).ok


def test_never_overwrites_and_goes_on_with_the_other_files(tmp_path, capsys):
    site = make_site(tmp_path, "")
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\xfa\x00\x81")
    files = [str(FIXTURES / "briefing_0615.txt"), "--date", "2023-06-15", "--site", str(site.root)]
    assert main(["import", *files]) == 0
    path = site.root / BRIEFING_0615
    path.write_text(path.read_text(encoding="utf-8").replace("draft: true", "draft: false"), encoding="utf-8")
    before = path.read_bytes()
    capsys.readouterr()
    assert main(["import", str(bad), str(FIXTURES / "spring_term.gbk.txt"), *files]) == 1
    captured = capsys.readouterr()
    assert captured.err.splitlines()[0].startswith(f"error: cannot read {bad}: ")
    # Same date and title as a briefing in content/: skipped with a note, not an error.
    assert captured.err.splitlines()[1] == (f"note: skipped {FIXTURES / 'briefing_0615.txt'}: {BRIEFING_0615} "
                                            "already has date 2023-06-15 and title '市教育局召开局党组扩大会' "
                                            "(not imported again, nothing overwritten)")
    assert "2024-03-08-shi-jiao-yu-ju" in captured.out  # the good file in between was imported
    assert path.read_bytes() == before


def test_a_file_at_the_draft_path_is_never_overwritten(tmp_path, capsys):
    site = make_site(tmp_path, "")
    path = site.root / BRIEFING_0615
    path.parent.mkdir(parents=True)
    path.write_text("---\ntitle: 另一个标题\ndate: 2023-06-15\n---\n正文。\n", encoding="utf-8")
    before = path.read_bytes()
    assert main(["import", str(FIXTURES / "briefing_0615.txt"), "--date", "2023-06-15", "--site", str(site.root)]) == 1
    assert capsys.readouterr().err == (f"error: {BRIEFING_0615} already exists: not overwriting it "
                                       "(edit that file, or give the new briefing another title or date)\n")
    assert path.read_bytes() == before
