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


def _folder(tmp_path: Path) -> Path:
    """A bureau's archive: pasted pages, saved pages with their files, a Word file, a PDF, a spreadsheet."""
    import shutil

    from wordbuilder import agenda_docx

    folder = tmp_path / "archive"
    folder.mkdir()
    for name in ("web_paste.txt", "cms_b_trs.html", "cms_a_district.html", "county_news.gbk.txt"):
        shutil.copy(FIXTURES / name, folder / name)
    shutil.copytree(FIXTURES / "cms_a_files", folder / "cms_a_files")
    agenda_docx(folder / "agenda.docx")
    (folder / "扫描件.pdf").write_bytes(b"%PDF-1.4\n")
    (folder / "统计.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (folder / ".DS_Store").write_bytes(b"\x00")
    (folder / "~$agenda.docx").write_bytes(b"lock")
    return folder


def test_a_folder_imports_each_document_and_ends_with_a_summary_table(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    folder = _folder(tmp_path)
    assert main(["import", str(folder), "--site", str(site.root)]) == 1  # the PDF failed
    captured = capsys.readouterr()
    assert f"error: cannot read {folder / '扫描件.pdf'}: PDF is not supported: " in captured.err
    table = captured.out[captured.out.index("summary: "):].splitlines()
    assert table[0] == "summary: 9 files, 5 imported, 1 failed"
    assert table[1:3] == ["| file | draft | date | warnings |", "|---|---|---|---|"]
    rows = {line.split(" | ")[0].removeprefix("| "): line.split(" | ")[1:] for line in table[3:]}
    bundle = "content/2024/2024-08-29-xian-jiao-yu-ju-zhao-kai-qiu-ji-xue-qi-an-quan-gong-zuo-hui/index.md"
    assert rows[str(folder / "cms_a_district.html")][:2] == [bundle, "2024-08-29 (the text)"]
    assert rows[str(folder / "web_paste.txt")][:2] == [
        "content/2024/2024-09-12-qu-wei-jian-wei-zhao-kai-2024-nian-di-san-ji-du-zhong-dian.md",
        "2024-09-12 (the text)"]
    assert rows[str(folder / "cms_a_files/huiyi.jpg")] == ["-", "-", "attached to a briefing above |"]
    assert rows[str(folder / "统计.xls")] == ["-", "-", "not a document: skipped |"]
    assert rows[str(folder / "扫描件.pdf")][2].startswith("error: PDF is not supported")
    assert not any(".DS_Store" in r or "~$" in r for r in rows)
    written = site.root / bundle
    body = written.read_text(encoding="utf-8").split("---\n", 2)[2]  # tags differ: the site's vocabulary
    assert body == (FIXTURES / "cms_a_district.expected.md").read_text(encoding="utf-8").split("---\n", 2)[2]
    assert sorted(p.name for p in written.parent.iterdir()) == ["anquan.xls", "huiyi.jpg", "index.md"]


def test_importing_the_folder_again_skips_every_duplicate_and_changes_nothing(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    folder = _folder(tmp_path)
    (folder / "扫描件.pdf").unlink()
    assert main(["import", str(folder), "--site", str(site.root)]) == 0
    before = {p: p.read_bytes() for p in (site.root / "content").rglob("*") if p.is_file()}
    capsys.readouterr()
    assert main(["import", str(folder), "--site", str(site.root)]) == 0
    captured = capsys.readouterr()
    assert captured.err.count("note: skipped ") == 5
    assert "note: skipped " + str(folder / "web_paste.txt") + ": content/2024/2024-09-12-" in captured.err
    assert "summary: 8 files, 0 imported, 0 failed" in captured.out
    assert {p: p.read_bytes() for p in (site.root / "content").rglob("*") if p.is_file()} == before


def test_publish_writes_briefings_that_are_not_drafts(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    assert main(["import", str(FIXTURES / "web_paste.txt"), "--publish", "--site", str(site.root)]) == 0
    path = site.root / "content/2024/2024-09-12-qu-wei-jian-wei-zhao-kai-2024-nian-di-san-ji-du-zhong-dian.md"
    assert "\ndraft: false\n" in path.read_text(encoding="utf-8")
    assert "(a draft" not in capsys.readouterr().out
    assert site.build().ok
    site.assert_page("/2024/09/qu-wei-jian-wei-zhao-kai-2024-nian-di-san-ji-du-zhong-dian/",
                     "<h2", "一、通报第三季度重点工作进展情况", "（区卫健委办公室供稿）", "! 浏览次数", "! 版权所有")


def test_imports_without_files_leave_nothing_for_check_to_say(tmp_path, capsys):
    from briefings.check import check_site
    from briefings.site import BuildOptions

    site = make_site(tmp_path, "", config=VOCABULARY)
    names = ["web_paste.txt", "cms_b_trs.html", "county_news.gbk.txt", "numbered_points.txt",
             "bold_headings.html", "run_on_first.gbk.txt", "back_to_school.html", "briefing_0615.txt"]
    assert main(["import", *(str(FIXTURES / n) for n in names), "--date", "2024-01-01",
                 "--site", str(site.root)]) == 0
    assert "review:" not in capsys.readouterr().out
    result = check_site(site.root, BuildOptions(drafts=True))
    assert result.findings == []
    assert len(list((site.root / "content").rglob("*.md"))) == len(names)


def test_what_check_finds_in_an_import_is_listed_for_review(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    page = tmp_path / "page.html"
    page.write_text("<h1>市教育局召开局务会</h1><p>5月6日，局长张荷红主持召开局务会。</p>"
                    "<p>会议审议了<a href=\"/2020/01/no-such-page/\">有关文件</a>。</p>", encoding="utf-8")
    assert main(["import", str(page), "--date", "2024-05-06", "--site", str(site.root)]) == 0
    out = capsys.readouterr().out
    assert ("  review: content/2024/2024-05-06-shi-jiao-yu-ju-zhao-kai-ju-wu-hui.md:13:13: error: broken-link: "
            "link to /2020/01/no-such-page/ leads nowhere: the site has no such page") in out
    assert out.endswith("1 thing for `briefings check` to review: see above\n")


def test_files_already_in_content_are_not_imported_again(tmp_path, capsys):
    site = make_site(tmp_path, "-- content/2024/a.md --\n---\ntitle: 甲\ndate: 2024-01-01\n---\n正文。\n")
    assert main(["import", str(site.root / "content"), "--site", str(site.root)]) == 1
    assert f"error: {site.root / 'content/2024/a.md'} is in the site's content/ already: not importing it" in (
        capsys.readouterr().err)
    assert [p.name for p in (site.root / "content").rglob("*.md")] == ["a.md"]


def test_no_check_skips_the_review(tmp_path, capsys):
    site = make_site(tmp_path, "", config=VOCABULARY)
    page = tmp_path / "page.html"
    page.write_text("<h1>市教育局召开局务会</h1><p>5月6日，局长张荷红主持召开局务会。</p>"
                    "<p>会议审议了<a href=\"/2020/01/no-such-page/\">有关文件</a>。</p>", encoding="utf-8")
    assert main(["import", str(page), "--date", "2024-05-06", "--no-check", "--site", str(site.root)]) == 0
    assert "review:" not in capsys.readouterr().out


def test_imports_get_a_index_no_each_and_the_page_source_as_publisher(tmp_path, capsys):
    """Issue 19 meets issue 18: a site with an org_code numbers every imported draft (as `briefings new`
    does), never twice, and the 来源 a web page names becomes the disclosure field 发布机构."""
    org = "11440300MB2C92051X"
    site = make_site(tmp_path, "", config=VOCABULARY + f'\n[disclosure]\norg_code = "{org}"\n')
    folder = _folder(tmp_path)
    main(["import", str(folder), "--site", str(site.root), "--publish", "--no-check"])
    capsys.readouterr()
    drafts = sorted((site.root / "content").rglob("*.md"))
    numbers = [line.removeprefix("index_no: ") for d in drafts
               for line in d.read_text(encoding="utf-8").splitlines() if line.startswith("index_no: ")]
    assert len(numbers) == len(drafts) == 5 and len(set(numbers)) == 5
    assert all(n.startswith(f"{org}/20") for n in numbers), numbers
    paste = next(d for d in drafts if "di-san-ji-du" in d.name).read_text(encoding="utf-8")
    assert "\npublisher: " in paste and "\nsource: " not in paste
    assert main(["build", str(site.root), "--quiet"]) == 0
    page = next((site.root / "public" / "2024" / "09").rglob("index.html")).read_text(encoding="utf-8")
    assert any(n in page for n in numbers)
