"""The fixture set: documents in the shapes offices have, each with the Markdown it must become.

Text pasted from web pages (UTF-8 and GBK), saved pages from three kinds of government CMS
(an old table layout, a TRS-style page with metadata tags, an HTML5 page), summaries whose
agenda uses 一、, （一）, 1., 第一 and bold lead sentences, and Word files made here with
python-docx. Each import must equal its .expected.md, carry exactly the listed bundle files,
and pass the typography lint.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from wordbuilder import agenda_docx, headings_docx

from briefings.importer import Options
from briefings.importer.sources import GivenFiles, read_document
from briefings.typography import lint_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VOCABULARY = ["双减", "课后服务", "优质均衡", "中考", "校园安全", "开学", "食品安全", "就业", "防汛", "春耕"]
BUILT = {"agenda.docx": agenda_docx, "headings.docx": headings_docx}

# input → (bundle files it brings, notes that must be among its notes)
CASES: dict[str, tuple[list[str], list[str]]] = {
    "web_paste.txt": ([], ["attachment '区卫健委第三季度重点工作推进表' was not given: "
                           "add the file beside the briefing and link it"]),
    "county_news.gbk.txt": ([], ["the page was published on 2024-06-14; date 2024-06-13 is the meeting's, "
                                 "from the opening"]),
    "cms_a_district.html": (["anquan.xls", "huiyi.jpg"], []),
    "cms_b_trs.html": ([], []),
    "cms_c_html5.html": (["稳就业政策指引.pdf"],
                         ["image https://www.example.gov.cn/uploads/2024/03/tiaodu.jpg is on another site: "
                          "save it beside the briefing and link it, so the page works offline"]),
    "numbered_points.txt": ([], []),
    "run_on_first.gbk.txt": ([], ["the text gives no year: assumed 2024; pass --date to set another"]),
    "bold_headings.html": ([], []),
    "agenda.docx": (["image-1.png"], []),
    "headings.docx": (["2024年疾控工作任务清单.xlsx", "image-1.png"],
                      ["image image-1.png has no alt text: describe it between the brackets of ![](image-1.png)"]),
}


def source(name: str, tmp_path: Path) -> Path:
    return BUILT[name](tmp_path / name) if name in BUILT else FIXTURES / name


def imported(name: str, tmp_path: Path):
    attachment = tmp_path / "2024年疾控工作任务清单.xlsx"
    attachment.write_bytes(b"PK\x03\x04 a spreadsheet")
    options = Options(assumed_year=2024, vocabulary=VOCABULARY, attachments=GivenFiles([attachment]))
    return read_document(source(name, tmp_path), options)


def expected(name: str) -> str:
    stem = name.split(".")[0]
    return (FIXTURES / f"{stem}.expected.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_becomes_its_expected_markdown(name: str, tmp_path: Path) -> None:
    draft = imported(name, tmp_path)
    assert draft.markdown == expected(name)
    files, notes = CASES[name]
    assert sorted(draft.files) == files
    for note in notes:
        assert note in draft.notes


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_output_is_lint_clean_and_its_front_matter_round_trips(name: str, tmp_path: Path) -> None:
    draft = imported(name, tmp_path)
    assert lint_markdown(draft.markdown, name) == []
    front = yaml.safe_load(draft.markdown.split("---\n", 2)[1])
    assert front == draft.front and front["date"] and front["title"]


def test_page_furniture_never_reaches_the_body(tmp_path: Path) -> None:
    for name in CASES:
        body = imported(name, tmp_path).body
        for clutter in ("首页", "当前位置", "您现在的位置", "发布时间", "浏览次数", "字体", "打印", "关闭",
                        "分享到", "上一篇", "下一篇", "版权所有", "备案号", "ICP", "网站标识码", "某某县人民政府"):
            assert clutter not in body, (name, clutter)


def test_bundle_files_are_the_bytes_beside_the_page(tmp_path: Path) -> None:
    draft = imported("cms_a_district.html", tmp_path)
    assert draft.files["huiyi.jpg"] == (FIXTURES / "cms_a_files" / "huiyi.jpg").read_bytes()
    assert draft.files["anquan.xls"] == (FIXTURES / "cms_a_files" / "anquan.xls").read_bytes()


def test_word_pictures_keep_their_bytes_and_alt_text(tmp_path: Path) -> None:
    draft = imported("agenda.docx", tmp_path)
    assert draft.files["image-1.png"].startswith(b"\x89PNG")
    assert "![局长办公会现场](image-1.png)" in draft.body


@pytest.mark.parametrize("name", sorted(CASES))
def test_fixture_renders_its_bold_italics_and_headings(name: str, tmp_path: Path) -> None:
    from briefings.markdown import render_markdown

    draft = imported(name, tmp_path)
    html = render_markdown(draft.body).html
    assert "**" not in html and "<b>" not in html and "\ue000" not in html  # bold rendered, no placeholder left
    assert html.count("<strong>") == draft.body.count("**") // 2
    assert html.count("<h2") + html.count("<h3") == sum(line.startswith(("## ", "### "))
                                                         for line in draft.body.splitlines())
