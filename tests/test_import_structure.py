"""How the importer reads a document's structure and furniture, one behaviour per test."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from wordbuilder import bold_paragraph

from briefings.importer import Options, import_text
from briefings.importer.sources import GivenFiles, read_document

OPENING = "9月12日上午，区教育局局长王强主持召开局务会。局领导李红出席。"


def body(raw: str) -> str:
    return import_text(raw, year=2024).body


def test_sections_glued_to_the_sentence_before_are_split_off() -> None:
    result = body(f"{OPENING}\n一、通报工作情况。会议指出，进展顺利。二、研究下步工作\n会议要求抓好落实。")
    assert "## 一、通报工作情况\n\n会议指出，进展顺利。\n\n## 二、研究下步工作\n\n会议要求抓好落实。\n" in result


def test_a_section_marker_out_of_sequence_is_not_a_break() -> None:
    result = body(f"{OPENING}\n一、通报工作情况\n会议指出，三、四年级的课后服务已全覆盖。")
    assert "会议指出，三、四年级的课后服务已全覆盖。" in result


@pytest.mark.parametrize(("line", "heading"), [
    ("（一）关于安全工作", "### （一）关于安全工作"),
    ("(二)关于招生工作", "### （二）关于招生工作"),  # parentheses made full-width beside Hanzi
    ("<b>三、签订责任书</b>", "## 三、签订责任书"),
])
def test_gongwen_markers_become_headings(line: str, heading: str) -> None:
    assert f"\n{heading}\n" in body(f"{OPENING}\n{line}\n会议要求抓好落实。")


def test_a_short_all_bold_line_is_a_heading_but_a_bold_lead_sentence_is_not() -> None:
    result = body(f"{OPENING}\n<b>安全生产</b>\n<b>一是压实责任。</b>\n<b>要加强执法检查。</b>")
    assert "\n## 安全生产\n" in result
    assert "\n**一是压实责任。**\n" in result and "\n**要加强执法检查。**\n" in result


def test_numbered_points_become_a_list_and_first_second_points_paragraphs() -> None:
    result = body(f"{OPENING}\n一、部署工作\n1．抓好农资保供。\n2、抓好技术指导。\n"
                  "会议强调，第一，要加快进度。第二，要守牢底线。")
    assert "1. 抓好农资保供。\n\n2. 抓好技术指导。" in result
    assert "会议强调：\n\n第一，要加快进度。\n\n第二，要守牢底线。\n" in result


@pytest.mark.parametrize("number", ["1. ", "1.", "1．", "1、", "<b>1. "])
def test_points_numbered_with_a_plain_full_stop_and_space_are_a_list_too(number: str) -> None:
    """'1. ' is how people type it in Word; the block is escaped against Markdown before it is read."""
    second = number.replace("1", "2")
    close = "</b>" if number.startswith("<b>") else ""
    result = body(f"{OPENING}\n一、部署工作\n{number}加快新院区建设{close}；\n{second}推进医养结合试点{close}。\n"
                  "会议要求抓好落实。")
    b = "**" if close else ""  # bold takes the point's stop inside, as everywhere
    assert f"\n\n1. {b}加快新院区建设；{b}\n\n2. {b}推进医养结合试点。{b}\n\n会议要求抓好落实。\n" in result
    assert "\\1" not in result and "\\2" not in result


def test_numbered_lines_after_a_run_on_item_stay_a_list_not_glued_into_it() -> None:
    result = body(f"{OPENING}\n会议部署了以下工作：\n1. 加快新院区建设；\n2. 推进医养结合试点。\n会议要求抓好落实。")
    assert "## 部署了以下工作\n\n会议部署了以下工作：\n\n1. 加快新院区建设；\n\n2. 推进医养结合试点。\n\n" \
           "会议要求抓好落实。\n" in result


def test_a_number_in_a_sentence_is_not_a_list() -> None:
    assert body(f"{OPENING}\n1.5亿元用于校舍改造。").endswith("\n\n1.5亿元用于校舍改造。\n")


def test_closing_lines_and_attachments_stand_apart() -> None:
    result = body(f"{OPENING} 会议听取汇报。会议要求抓好落实。（区教育局办公室供稿）\n相关附件：工作台账")
    assert result.endswith("会议要求抓好落实。\n\n（区教育局办公室供稿）\n\n相关附件：工作台账\n")


def test_page_furniture_goes_and_its_date_and_source_stay() -> None:
    result = import_text("您的位置：首页 > 动态\n区教育局召开局务会\n"
                         "发布时间：2024-09-13 09:00 来源：区教育局 浏览次数：12 【字体：大 中 小】【打印】\n"
                         f"{OPENING}\n分享到：微信 微博\n上一篇：某某\n版权所有：某区人民政府 备案号：京ICP备1号")
    assert result.fields.title == "区教育局召开局务会"
    assert result.fields.date == dt.date(2024, 9, 12)  # the meeting's day; the year from the page
    assert result.fields.publisher == "区教育局"
    assert result.body == f"{OPENING}\n"
    assert "the page was published on 2024-09-13; date 2024-09-12 is the meeting's, from the opening" in result.notes


@pytest.mark.parametrize("menu", [
    '<a href="/">首页</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a>',
    '<img src="/images/logo.png" alt="某区卫健委"> <a href="/">网站首页</a> <a href="/gzdt/">工作动态</a>',
    "首页 政务公开",
])
def test_a_short_header_menu_from_the_home_page_is_furniture(menu: str) -> None:
    """Three links are a menu too when the first is the home page; its words suggest no tags."""
    result = import_text(f"<html><body><div class='top'>{menu}</div><h1>区卫健委召开局务会</h1>"
                         f"<div class='content'><p>{OPENING}</p></div></body></html>", year=2024,
                         vocabulary=["政务公开", "工作动态"])
    assert result.body == f"{OPENING}\n"
    assert result.fields.tags == []


def test_a_sentence_that_begins_with_the_words_home_page_is_kept() -> None:
    # Kept (typography then drops the spaces between Hanzi): a comma makes it a sentence, not a menu.
    assert body(f"{OPENING}\n首页 改版 工作 已完成，").endswith("\n\n首页改版工作已完成，\n")


def test_a_pasted_page_starting_with_the_site_name_takes_the_next_line_as_title() -> None:
    result = import_text(f"某某区人民政府门户网站\n区教育局召开局务会\n{OPENING}", year=2024)
    assert result.fields.title == "区教育局召开局务会"
    assert "门户网站" not in result.body


def test_the_title_is_never_the_breadcrumb_or_the_site_name() -> None:
    page = ("<html><head><title>区教育局召开局务会_某区人民政府</title></head><body>"
            "<h1 class='x'>某区人民政府</h1><h1>首页 &gt; 工作动态</h1><div class='con'><h1>区教育局召开局务会</h1>"
            f"<p>{OPENING}</p></div></body></html>")
    result = import_text(page, year=2024)
    assert result.fields.title == "区教育局召开局务会"
    assert "某区人民政府" not in result.body and "工作动态" not in result.body


def test_the_title_from_title_without_the_site_name_when_there_is_no_h1() -> None:
    page = f"<html><head><title>某区人民政府 - 区教育局召开局务会</title></head><body><p>{OPENING}</p></body></html>"
    assert import_text(page, year=2024).fields.title == "区教育局召开局务会"


def test_links_into_the_old_site_become_absolute_when_the_page_says_where_it_was() -> None:
    page = ("<html><head><meta name='SiteDomain' content='www.example.gov.cn'><title>区教育局召开局务会</title>"
            f"</head><body><p>{OPENING}</p><p>会议学习了<a href='/xxgk/1.html'>有关文件</a>。</p></body></html>")
    assert "[有关文件](http://www.example.gov.cn/xxgk/1.html)" in import_text(page, year=2024).body


def test_an_attachment_line_links_the_file_when_it_is_given(tmp_path: Path) -> None:
    (tmp_path / "summary.txt").write_text(f"{OPENING}\n附件：1.工作台账\n2.责任清单", encoding="utf-8")
    (tmp_path / "工作台账.xlsx").write_bytes(b"PK")
    given = GivenFiles([tmp_path / "工作台账.xlsx"])
    draft = read_document(tmp_path / "summary.txt", Options(year=2024, attachments=given))
    assert draft.body.endswith("\n\n附件：\n\n1. [工作台账](工作台账.xlsx)\n1. 责任清单\n")
    assert draft.files == {"工作台账.xlsx": b"PK"}
    assert given.used == {tmp_path / "工作台账.xlsx"}
    assert "attachment '责任清单' was not given: add the file beside the briefing and link it" in draft.notes


def test_word_title_style_and_chinese_heading_styles(tmp_path: Path) -> None:
    from docx import Document

    document = Document()
    document.add_heading("区教育局召开局务会", level=0)  # Word's Title style
    document.add_paragraph(OPENING)
    document.add_heading("一、研究开学工作", level=1)
    bold_paragraph(document, "一是抓安全。", "全面排查。")
    document.save(tmp_path / "t.docx")
    draft = read_document(tmp_path / "t.docx", Options(year=2024))
    assert draft.fields.title == "区教育局召开局务会"
    assert draft.body == f"{OPENING}\n\n## 一、研究开学工作\n\n**一是抓安全。**全面排查。\n"


def test_italics_from_word_stay_italic(tmp_path: Path) -> None:
    page = f"<h1>区教育局召开局务会</h1><p>{OPENING}</p><p>会议要求<em>务必</em>抓好落实。</p>"
    assert "会议要求*务必*抓好落实。" in import_text(page, year=2024).body


def test_a_page_with_nothing_but_furniture_is_not_written(tmp_path: Path) -> None:
    from briefings.cli import main

    site = tmp_path / "site"
    (site / "content").mkdir(parents=True)
    (site / "site.toml").write_text('title = "t"\nbase_url = "https://example.org/"\n', encoding="utf-8")
    import shutil
    shutil.copytree(Path(__file__).parent.parent / "themes" / "default", site / "themes" / "default")
    page = tmp_path / "page.txt"
    page.write_text("区教育局召开局务会\n发布时间：2024-09-13\n【打印】【关闭】\n", encoding="utf-8")
    assert main(["import", str(page), "--site", str(site)]) == 1
    assert list((site / "content").rglob("*")) == []


def test_word_footnotes_become_markdown_footnotes() -> None:
    # The HTML mammoth writes for a Word footnote: a numbered reference, the note in a list at the end.
    page = ("<h1>区教育局召开局务会</h1><p>9月12日，局长王强主持召开局务会。</p>"
            "<p>会议传达了文件精神<sup><a href=\"#footnote-1\" id=\"footnote-ref-1\">[1]</a></sup>。</p>"
            "<ol><li id=\"footnote-1\"><p> 指《关于减轻学生作业负担的意见》。 <a href=\"#footnote-ref-1\">↑</a></p>"
            "</li><li id=\"endnote-1\"><p>另见附件。</p></li></ol>")
    result = import_text(page, year=2024)
    assert result.body.endswith("会议传达了文件精神[^1]。\n\n[^1]: 指《关于减轻学生作业负担的意见》。\n\n"
                                "[^e1]: 另见附件。\n")
    assert "## 传达了文件精神\n" in result.body  # the reference is no part of a heading made from the text


def test_bold_written_as_a_style_is_bold() -> None:
    page = (f"<h1>区教育局召开局务会</h1><p>{OPENING}</p><p><span style='FONT-WEIGHT: bold'>要压实责任。</span>"
            "<span style='color:red'>全面排查</span>。<font style='font-weight:700'><b>要</b>抓好落实。</font></p>")
    assert import_text(page, year=2024).body.endswith("\n**要压实责任。**全面排查。**要抓好落实。**\n")


@pytest.mark.parametrize(("furniture", "note"), [
    ("【打印本页】【关闭窗口】\n", "page furniture dropped (1 line): 【打印本页】【关闭窗口】"),
    ("分享到：微信\n上一篇：某某\n", "page furniture dropped (2 lines): 分享到：微信 / 上一篇：某某"),
    ("分享到\n上一篇：甲\n下一篇：乙\n【打印】\n版权所有\n",
     "page furniture dropped (5 lines): 分享到 / 上一篇：甲 / 下一篇：乙 / 【打印】 / …"),
])
def test_the_dropped_furniture_is_listed_for_review(furniture: str, note: str) -> None:
    assert note in import_text(f"区教育局召开局务会\n{OPENING}\n{furniture}", year=2024).notes
