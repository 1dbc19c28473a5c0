"""Chinese typography: each lint rule with its exact message, the safe fixes, and properties."""

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings.pinyin import HAN_RUN
from briefings.typography import fix_markdown, lint_markdown

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def lines(text: str) -> list[str]:
    return [d.format() for d in lint_markdown(text, "a.md")]


def han(text: str) -> str:
    return "".join(HAN_RUN.findall(text))


W = "a.md:{}: warning: "

RULES = [
    # halfwidth-punct
    ("会议强调,一是\n", [W.format("1:5") + "halfwidth-punct: half-width ',' between Chinese"
                        " characters; use '，'"]),
    ("时间:8点\n", [W.format("1:3") + "halfwidth-punct: half-width ':' after a Chinese character;"
                   " use '：'"]),
    ("是否完成?\n", [W.format("1:5") + "halfwidth-punct: half-width '?' after a Chinese"
                    " character; use '？'"]),
    ("县(市、区)教体局\n", [
        W.format("1:2") + "halfwidth-punct: half-width '(' between Chinese characters; use '（'",
        W.format("1:6") + "halfwidth-punct: half-width ')' between Chinese characters; use '）'",
    ]),
    ("会议强调,**一是**\n", [W.format("1:5") + "halfwidth-punct: half-width ',' between"
                           " Chinese characters; use '，'"]),
    ("“双减”,课堂\n", [W.format("1:5") + "halfwidth-punct: half-width ',' between Chinese"
                      " characters; use '，'"]),
    # bold-punct
    ("维护大局**。六是聚焦民生。**全力破解\n", [
        W.format("1:5") + "bold-punct: bold text starts with '。'; put it before the opening '**'",
    ]),
    ("维护大局<b>。六是聚焦民生。</b>全力破解\n", [
        W.format("1:5") + "bold-punct: bold text starts with '。'; put it before the opening '<b>'",
    ]),
    # unbalanced-pair
    ("打造“工匠摇篮。\n", [W.format("1:3") + "unbalanced-pair: '“' is not closed in this"
                         " paragraph; expected '”'"]),
    ("把握《意见》》精神\n", [W.format("1:7") + "unbalanced-pair: '》' has no matching '《' in this"
                           " paragraph"]),
    ("《意见“》\n", [W.format("1:4") + "unbalanced-pair: '“' is not closed in this paragraph;"
                  " expected '”'"]),
    ("“第一段\n\n第二段”\n", [
        W.format("1:1") + "unbalanced-pair: '“' is not closed in this paragraph; expected '”'",
        W.format("3:4") + "unbalanced-pair: '”' has no matching '“' in this paragraph",
    ]),
    ("【通知（草案】\n", [W.format("1:4") + "unbalanced-pair: '（' is not closed in this"
                         " paragraph; expected '）'"]),
    # doubled-punct
    ("建设。。推进\n", [W.format("1:3") + "doubled-punct: doubled '。'; use one"]),
    ("优布局，，促公平、、提质量\n", [
        W.format("1:4") + "doubled-punct: doubled '，'; use one",
        W.format("1:9") + "doubled-punct: doubled '、'; use one",
    ]),
    # han-space
    ("张 荷 红主持\n", [
        W.format("1:2") + "han-space: space between Chinese characters; remove it",
        W.format("1:4") + "han-space: space between Chinese characters; remove it",
    ]),
    ("张\u3000荷红\n", [W.format("1:2") + "han-space: space between Chinese characters;"
                      " remove it"]),
    ("隐患， 落实\n", [W.format("1:4") + "han-space: space next to '，'; remove it"]),
    # fullwidth-digit
    ("２023年\n", [W.format("1:1") + "fullwidth-digit: mixed full-width and half-width digits"
                  " '２023'; use '2023'"]),
    ("办好年度１６件实事\n", [W.format("1:5") + "fullwidth-digit: full-width digits '１６';"
                             " use '16'"]),
]


@pytest.mark.parametrize("text,expected", RULES)
def test_each_rule_reports_exact_message(text: str, expected: list[str]) -> None:
    assert lines(text) == expected


CLEAN = [
    "**一是深入学习贯彻，坚持党对教育工作的全面领导。**全市教育系统要坚持。\n",  # bold lead
    "“第一行\n第二行”一个段落里可以跨行。\n",
    "省略号……和破折号——不算重复。\n",
    "年度16件民生实事，2023年。\n",
    "Use iPhone, please (really)!\n",
    "abc (def): ghi\n",
    "## 传达学习全省课后服务现场会精神\n",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_text_has_no_findings(text: str) -> None:
    assert lines(text) == []


SKIPPED = [
    "---\ntitle: 会议强调,一是\ntags: [双减,课后服务]\n---\n",
    "```\n代码,代码。。\n```\n",
    "~~~~python\n代码,代码\n~~~\n仍是代码,代码\n~~~~\n",
    "行内`代码,代码`不查。\n",
    "网址https://example.cn/会议?a=1,b=2不查。\n",
    "标签<a title=\"会议,强调\">链接</a>内部不查。\n",
    "链接[文字](路径/会议,强调.md)不查。\n",
    "图片![图](a.png)不查。\n",
    "实体&nbsp;不查。\n",
    "前文。\n\n    缩进代码,代码\n",
]


@pytest.mark.parametrize("text", SKIPPED)
def test_code_urls_tags_and_front_matter_are_skipped(text: str) -> None:
    assert lines(text) == []


def test_lines_count_from_the_top_of_the_file_and_crlf_is_fine() -> None:
    text = "---\r\ntitle: 标题\r\n---\r\n\r\n正文,正文\r\n"
    assert lines(text) == [W.format("5:3") + "halfwidth-punct: half-width ',' between Chinese"
                           " characters; use '，'"]


def test_unclosed_front_matter_is_linted_as_text() -> None:
    assert lines("---\n会议强调,一是\n") == [
        W.format("2:5") + "halfwidth-punct: half-width ',' between Chinese characters; use '，'"
    ]


def test_the_raw_briefing_has_the_problems_staff_paste() -> None:
    found = lint_markdown((FIXTURES / "briefing_0615.txt").read_text(encoding="utf-8"), "raw")
    rules = [d.rule for d in found]
    assert rules.count("halfwidth-punct") == 119
    assert rules.count("bold-punct") == 1
    assert rules.count("han-space") == 4  # '参加。 会议…': the paragraph breaks of a paste
    assert set(rules) == {"halfwidth-punct", "bold-punct", "han-space"}


FIXES = [
    ("会议强调,一是深入学习贯彻;坚持\n", "会议强调，一是深入学习贯彻；坚持\n"),
    ("会议强调:\n", "会议强调：\n"),
    ("会议强调,**一是**\n", "会议强调，**一是**\n"),
    ("“双减”,课堂\n", "“双减”，课堂\n"),
    ("县(市、区)教体局\n", "县（市、区）教体局\n"),
    ("第(1)条\n", "第（1）条\n"),
    ("大局**。六是聚焦。**全力\n", "大局。**六是聚焦。**全力\n"),
    ("大局<b>。六是聚焦。</b>全力\n", "大局。<b>六是聚焦。</b>全力\n"),
    ("大局。**。六是聚焦。**全力\n", "大局。**六是聚焦。**全力\n"),
    ("建设。。。推进、、落实\n", "建设。推进、落实\n"),
    ("张 荷 红主持\n", "张荷红主持\n"),
    ("参加。 会议传达\n", "参加。会议传达\n"),
    ("２０２3年\n", "2023年\n"),
    ("```\n代码,代码\n```\n正文,正文\n", "```\n代码,代码\n```\n正文，正文\n"),
    ("---\ntitle: 标题,标题\n---\n正文 正文\n", "---\ntitle: 标题,标题\n---\n正文正文\n"),
]


@pytest.mark.parametrize("before,after", FIXES)
def test_safe_fixes(before: str, after: str) -> None:
    assert fix_markdown(before)[0] == after


LINT_ONLY = [
    "时间:8点\n",  # the next word is not Chinese: which colon was meant is for a person
    "汉字, abc\n",
    "abc (汉字)\n",
    "打造“工匠摇篮。\n",
    "**。**\n",  # bold with nothing but punctuation: moving it would leave '****'
]


@pytest.mark.parametrize("text", LINT_ONLY)
def test_unsafe_findings_are_not_fixed(text: str) -> None:
    assert lint_markdown(text, "a.md")
    assert fix_markdown(text) == (text, [])


def test_fix_reports_what_changed_where() -> None:
    _, changes = fix_markdown("正文\n\n会议强调,一是大局**。二是**\n", path="a.md")
    assert [c.format() for c in changes] == [
        W.format("3:5") + "halfwidth-punct: replaced half-width ',' with '，'",
        W.format("3:10") + "bold-punct: moved '。' before the opening '**'",
    ]


def test_fixed_briefing_lints_clean_and_keeps_its_han() -> None:
    raw = (FIXTURES / "briefing_0615.txt").read_text(encoding="utf-8")
    fixed, changes = fix_markdown(raw)
    assert len(changes) == 124
    assert lint_markdown(fixed, "fixed") == []
    assert han(fixed) == han(raw)
    assert "大局。<b>六是" in fixed


# ---- properties ---------------------------------------------------------------------------

PIECES = [
    *"汉字会议强调一是六中",
    *",;:?!() \u3000*`<>b/-#\n",
    *"。，、；：！？“”《》（）【】「」…—",
    *"０１９2３4a",
    "**", "<b>", "</b>", "```\n", "---\n", "http://a.cn/", "![x](y)", "\n\n",
]
texts = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_fix_never_changes_han_characters(text: str) -> None:
    assert han(fix_markdown(text)[0]) == han(text)


@settings(max_examples=400, deadline=None)
@given(texts)
def test_fix_is_idempotent(text: str) -> None:
    once, _ = fix_markdown(text)
    assert fix_markdown(once) == (once, [])


@settings(max_examples=200, deadline=None)
@given(texts)
def test_fix_adds_no_findings_and_keeps_lines(text: str) -> None:
    fixed, changes = fix_markdown(text)
    remaining = {(d.line, d.col, d.rule) for d in lint_markdown(fixed, "p")}
    assert len(remaining) <= len(lint_markdown(text, "p"))
    assert fixed.count("\n") == text.count("\n")  # never joins or splits lines
    assert (fixed != text) == bool(changes)
