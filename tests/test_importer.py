"""Raw meeting summaries → draft briefings: fixture pairs, extracted fields, encodings, HTML."""

import codecs
import datetime as dt
import re
from pathlib import Path

import pytest
import yaml

from briefings.importer import decode_bytes, import_text
from briefings.pinyin import HAN_RUN
from briefings.typography import lint_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "import"
VOCABULARY = ["双减", "课后服务", "优质均衡", "中考", "校园安全", "开学", "未出现的词"]
LEADERS = ["赵小丁", "齐晓兵", "赵洪亮", "郭矿生", "刘士杰", "张培银", "王吉学", "黎晓东", "李鑫"]

# raw file → (expected file, year passed in)
PAIRS = {
    "briefing_0615.txt": ("briefing_0615.expected.md", 2023),
    "spring_term.gbk.txt": ("spring_term.expected.md", None),  # the year is in the text
    "back_to_school.html": ("back_to_school.expected.md", 2023),
}


def imported(name: str, year: int | None = 2023, vocabulary: list[str] = VOCABULARY):
    return import_text(decode_bytes((FIXTURES / name).read_bytes()), year=year,
                       vocabulary=vocabulary)


def split(markdown: str) -> tuple[dict, str]:
    _, front, body = markdown.split("---\n", 2)
    return yaml.safe_load(front), body


def han(text: str) -> str:
    return "".join(HAN_RUN.findall(text))


@pytest.mark.parametrize("raw", sorted(PAIRS))
def test_fixture_pairs(raw: str) -> None:
    expected, year = PAIRS[raw]
    result = imported(raw, year)
    assert result.markdown == (FIXTURES / expected).read_text(encoding="utf-8")


@pytest.mark.parametrize("raw", sorted(PAIRS))
def test_front_matter_round_trips_and_body_lints_clean(raw: str) -> None:
    result = imported(raw, PAIRS[raw][1])
    front, _ = split(result.markdown)
    assert front == result.front
    assert front["draft"] is True
    assert lint_markdown(result.markdown, raw) == []


def test_briefing_0615_fields() -> None:
    result = imported("briefing_0615.txt")
    assert result.front["title"] == "市教育局召开局党组扩大会"
    assert result.front["date"] == dt.date(2023, 6, 15)
    assert result.front["meeting"] == "局党组扩大会"
    assert result.front["chair"] == "张荷红"
    assert result.front["attendees"] == LEADERS
    # 课后服务 7 times, 优质均衡 6, 中考 4, then 双减 and 校园安全 twice each, 双减 first.
    assert result.front["tags"] == ["课后服务", "优质均衡", "中考", "双减", "校园安全"]


def test_briefing_0615_body() -> None:
    _, body = split(imported("briefing_0615.txt").markdown)
    headings = re.findall(r"^## (.*)$", body, re.MULTILINE)
    assert headings[1:] == ["传达学习全省课后服务现场会精神",
                            "听取中考准备情况、存在问题和下步安排汇报",
                            "听取全市优质均衡现场会准备情况、存在问题和下步工作汇报"]
    assert headings[0].startswith("传达学习中共中央办公厅、国务院办公厅印发的《关于构建")
    points = re.findall(r"^\*\*([一二三四五六七八九十]+)是[^*\n]+。\*\*\S", body, re.MULTILINE)
    assert "".join(points) == "一二三四五六" "一二三四五" "一二三四五" "一二三"
    assert "切实维护教育安全稳定大局。\n\n**六是聚焦民生关切，用心用情用力办好教育实事。**" in body
    assert body.count("会议强调：\n\n**一是") == 4
    assert "<b>" not in body and "**。" not in body and "," not in body
    assert "各相关县（市、区）教体局" in body


def test_body_keeps_every_han_character_of_the_source() -> None:
    raw = (FIXTURES / "briefing_0615.txt").read_text(encoding="utf-8")
    _, body = split(imported("briefing_0615.txt").markdown)
    paragraphs = [p for p in body.split("\n\n") if not p.startswith("## ")]
    assert han("".join(paragraphs)) == han(raw)


def test_notes_tell_the_reviewer_what_was_guessed() -> None:
    notes = imported("briefing_0615.txt").notes
    assert "title '市教育局召开局党组扩大会' was made from the opening: check it" in notes
    assert "section 1: the heading has 75 characters: shorten it" in notes
    assert "typography fixed: 119 halfwidth-punct, 1 bold-punct" in notes


def test_without_a_year_the_date_is_left_out_and_a_note_asks_for_it() -> None:
    result = imported("briefing_0615.txt", year=None)
    assert "date" not in result.front
    assert "'6月15日' has no year: pass the year to fill in date" in result.notes


def test_a_year_in_the_text_wins_and_a_conflict_is_noted() -> None:
    result = import_text("2024年3月8日，局长赵小丁主持召开局务会。", year=2023)
    assert result.front["date"] == dt.date(2024, 3, 8)
    assert "the text says 2024年 but year 2023 was given: using 2024" in result.notes


def test_gbk_fixture_reads_headline_date_and_unbolded_points() -> None:
    result = imported("spring_term.gbk.txt", year=None)
    assert result.front["title"] == "市教育局召开2024年第3次局长办公会"
    assert result.front["date"] == dt.date(2024, 3, 8)
    assert result.front["chair"] == "赵小丁"
    assert result.front["attendees"] == ["齐晓兵", "李鑫"]
    # Each tag occurs once, so they come in order of appearance.
    assert result.front["tags"] == ["开学", "校园安全", "课后服务"]
    assert "**三是加强宣传引导。**及时回应社会关切。" in result.markdown
    assert "section 1: bolded the lead sentence of '三是加强宣…'" in result.notes


def test_html_fixture_converts_entities_strong_and_line_breaks() -> None:
    result = imported("back_to_school.html")
    _, body = split(result.markdown)
    assert result.front["title"] == "市教育局召开专题工作会议"  # from <h1>; <title> is ignored
    assert "教育局网站" not in result.markdown and "text-indent" not in result.markdown
    assert "**二是做好“双减”工作。**提升课后服务质量&水平。" in body  # <br> inside <STRONG>
    assert "重点部位安全隐患，落实“日排查”制度。" in body  # &nbsp; and the source line break
    assert body.endswith("## 传达学习全市教育工作会议精神\n\n会议传达学习全市教育工作会议精神。\n")


@pytest.mark.parametrize("data", [
    "会议".encode(),
    codecs.BOM_UTF8 + "会议".encode(),
    "会议".encode("gbk"),
    "会议".encode("utf-16"),
])
def test_decode_bytes_accepts_office_encodings(data: bytes) -> None:
    assert decode_bytes(data) == "会议"


def test_decode_bytes_reads_gb18030_beyond_gbk_and_refuses_garbage() -> None:
    assert decode_bytes("𠀀会议".encode("gb18030")) == "𠀀会议"
    with pytest.raises(ValueError, match="not UTF-8 or GBK/GB18030"):
        decode_bytes(b"\x81\x30\xff\xff")


def test_yaml_is_quoted_so_awkward_titles_round_trip() -> None:
    raw = "关于: #1 “双减”的通知\n6月1日，局长张荷红主持召开局务会。"
    result = import_text(raw, year=2023)
    front, _ = split(result.markdown)
    assert front["title"] == "关于: #1 “双减”的通知" == result.front["title"]


def test_missing_parts_are_noted_not_guessed() -> None:
    result = import_text("局里开了个会。会议听取汇报。", year=2023)
    assert "chair" not in result.front and "attendees" not in result.front
    assert "no '…主持召开…' in the opening: add meeting and chair by hand" in result.notes
    assert "no date like '6月15日' in the opening: add date by hand" in result.notes
    assert "no title found: add title by hand" in result.notes


def test_odd_attendee_names_are_noted() -> None:
    result = import_text("6月1日，局长张荷红主持召开局务会。局领导赵小丁、机关各处室出席。",
                         year=2023)
    assert result.front["attendees"] == ["赵小丁", "机关各处室"]
    assert "check attendees: 机关各处室 may not be names" in result.notes


def test_markdown_characters_in_the_source_are_escaped() -> None:
    result = import_text("6月1日，局长张荷红主持召开局务会。会议听取*重点*工作`汇报`。", year=2023)
    assert "会议听取\\*重点\\*工作\\`汇报\\`。" in result.markdown


@pytest.mark.parametrize(("opening", "names"), [
    ("委领导班子成员出席，各科室负责人列席。", []),
    ("局党组班子成员出席。", []),
    ("局领导班子成员赵小丁、齐晓兵同志出席。", ["赵小丁", "齐晓兵"]),
    ("班子成员李红出席。", ["李红"]),
    ("局领导赵小丁、齐晓兵出席。", ["赵小丁", "齐晓兵"]),
])
def test_attendees_written_as_the_leadership_team_are_no_name(opening: str, names: list[str]) -> None:
    """'班子成员' (the leadership team) is four Hanzi like a name; it must not become an attendee."""
    result = import_text(f"6月1日，局长张荷红主持召开局务会。{opening}会议听取汇报。", year=2023)
    assert result.fields.attendees == names
    assert any("names no one: add attendees by hand" in n for n in result.notes) == (names == [])


@pytest.mark.parametrize(("opening", "chair"), [
    ("11月19日下午，区卫健委召开安全生产专题会议。委党委副书记张丽主持会议。", "张丽"),
    ("9月4日下午，区卫健委召开医疗质量安全管理委员会会议。委副主任陈华主持。", "陈华"),
    ("9月4日下午，区卫健委召开会议，会议由副主任陈华同志主持。", "陈华"),
    ("9月4日下午，区卫健委召开会议，各单位积极支持。", None),
])
def test_a_chair_named_in_a_sentence_of_its_own_is_found(opening: str, chair: str | None) -> None:
    """Web pages often write '…召开…会议。…张丽主持会议。' rather than '…张丽主持召开…'."""
    result = import_text(f"{opening}会议听取汇报。", year=2024)
    assert result.fields.chair == chair and result.fields.meeting is None
    if chair:
        assert (f"chair {chair} from '…{chair}主持…'; no '…主持召开…' in the opening: add meeting by hand"
                in result.notes)
    else:
        assert "no '…主持召开…' in the opening: add meeting and chair by hand" in result.notes
