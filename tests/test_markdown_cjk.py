"""Tests for the CJK-friendly emphasis plugin (briefings.markdown_cjk)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.utils import read_fixture_file

from briefings.markdown_cjk import _CJK_RANGES, cjk_friendly_plugin, is_cjk

FIXTURES = Path(__file__).parent / "fixtures" / "cjk_emphasis.md"
FIXTURE_CASES = read_fixture_file(FIXTURES)


def _cjk_md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("strikethrough").use(cjk_friendly_plugin)


def _plain_md() -> MarkdownIt:
    return MarkdownIt("commonmark").enable("strikethrough")


CJK_MD = _cjk_md()
PLAIN_MD = _plain_md()


@pytest.mark.parametrize(
    ("line", "title", "text", "expected"),
    FIXTURE_CASES,
    ids=[f"{case[0]}-{case[1]}" for case in FIXTURE_CASES],
)
def test_fixture(line: int, title: str, text: str, expected: str) -> None:
    assert CJK_MD.render(text) == expected


def test_fixture_file_is_not_empty() -> None:
    # Guards against a formatting slip that would silently parametrize zero cases.
    assert len(FIXTURE_CASES) >= 50


def test_plain_commonmark_fails_the_motivating_case() -> None:
    # The reason the plugin exists; if markdown-it-py ever fixes this upstream the
    # plugin may no longer be needed.
    text = "**一是深入学习贯彻。**全市教育系统"
    assert "**" in PLAIN_MD.render(text)
    assert "**" not in CJK_MD.render(text)


# Emphasis inputs taken from the CommonMark 0.31.2 spec, section 6.2, and from
# markdown-it's strikethrough fixtures.  Only the inputs are listed: the expected output
# is whatever plain markdown-it-py produces.
# fmt: off
COMMONMARK_CASES = [
    "*foo bar*", "a * foo bar*", 'a*"foo"*', "* a *", "*$*alpha.\n\n*£*bravo.",
    "foo*bar*", "5*6*78", "_foo bar_", "_ foo bar_", 'a_"foo"_', "foo_bar_", "5_6_78",
    "пристаням_стремятся_", 'aa_"bb"_cc', "foo-_(bar)_", "_foo*", "*foo bar *",
    "*foo bar\n*", "*(*foo)", "*(*foo*)*", "*foo*bar", "_foo bar _", "_(_foo)",
    "_(_foo_)_", "_foo_bar", "_пристаням_стремятся", "_foo_bar_baz_", "_(bar)_.",
    "**foo bar**", "** foo bar**", 'a**"foo"**', "foo**bar**", "__foo bar__",
    "__ foo bar__", "__\nfoo bar__", 'a__"foo"__', "foo__bar__", "5__6__78",
    "пристаням__стремятся__", "__foo, __bar__, baz__", "foo-__(bar)__", "**foo bar **",
    "**(**foo)", "*(**foo**)*", "**foo \"*bar*\" foo**", "**foo**bar", "__foo bar __",
    "__(__foo)", "_(__foo__)_", "__foo__bar", "__пристаням__стремятся", "__foo__bar__baz__",
    "__(bar)__.", "*foo [bar](/url)*", "*foo\nbar*", "_foo __bar__ baz_", "_foo _bar_ baz_",
    "__foo_ bar_", "*foo *bar**", "*foo **bar** baz*", "*foo**bar**baz*", "*foo**bar*",
    "***foo** bar*", "*foo **bar***", "*foo**bar***", "foo***bar***baz",
    "foo******bar*********baz", "*foo **bar *baz* bim** bop*", "** is not an empty emphasis",
    "**foo*bar**", "foo *\\**", "foo **\\***", "**foo*", "*foo**", "***foo**", "****foo*",
    "**foo***", "*foo****", "foo _\\__", "__foo_", "_foo__", "*foo _bar* baz_",
    "*foo __bar *baz bim__ bam*", "**foo **bar baz**", "*foo *bar baz*", "*[bar*](/url)",
    "*a `*`*", "_a `_`_", "**a<http://foo.bar/?q=**>", "~~Strikeout~~", "x ~~~~foo~~ bar~~",
    "~~foo~~bar", "foo~~bar~~", "a~~(b)~~c", "(~~b~~)", "«**foo**»", "a**«foo»**b",
]
# fmt: on


@pytest.mark.parametrize("text", COMMONMARK_CASES)
def test_commonmark_cases_unchanged(text: str) -> None:
    assert CJK_MD.render(text) == PLAIN_MD.render(text)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="abAB *_~\n", max_size=24))
def test_non_cjk_text_is_unchanged(text: str) -> None:
    # No CJK character and no variation selector: the amended flanking rules must reduce
    # to CommonMark's, so the output is identical to plain markdown-it-py.
    assert CJK_MD.render(text) == PLAIN_MD.render(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list('ab *_~"(.!«»—é')), max_size=24))
def test_non_cjk_punctuation_is_unchanged(text: str) -> None:
    # Same property with ASCII and non-ASCII non-CJK punctuation in the mix.
    assert CJK_MD.render(text) == PLAIN_MD.render(text)


def test_plugin_only_affects_its_instance() -> None:
    _cjk_md()
    text = "**真，**她"
    assert MarkdownIt("commonmark").render(text) == "<p>**真，**她</p>\n"


# U+1160 is a Hangul jamo of East Asian Width N, U+3097 an unassigned Hiragana slot,
# U+2FFFD an unassigned slot in the ideograph planes (treated as wide).
# fmt: off
IS_CJK_CASES = [
    ("中", True), ("。", True), ("，", True), ("）", True), ("あ", True), ("한", True),
    ("\u1160", True), ("〽", True), ("𰻞", True), ("\u3097", False), ("\U0002fffd", True),
    ("a", False), ("“", False), ("”", False), ("😀", False), ("⭕", False), ("«", False),
    ("\U000e0100", False), ("\ufe00", False),
]
# fmt: on


@pytest.mark.parametrize(("char", "expected"), IS_CJK_CASES)
def test_is_cjk(char: str, expected: bool) -> None:
    assert is_cjk(char) is expected


def test_cjk_table_matches_unicode_data() -> None:
    """Cross-check the hard-coded table against the spec's definition, computed with the
    third-party ``regex`` module (its Unicode data is newer than Python's ``unicodedata``).

    ``regex`` is pinned in pyproject.toml to a release with the table's Unicode version (17),
    so the suite does not change verdict with whatever release the registry serves that day.
    To move to a newer Unicode: bump the pin, regenerate ``_CJK_RANGES``, update its comment.
    """
    regex = pytest.importorskip("regex")
    # Ideograph blocks whose unassigned code points UAX #11 says to treat as wide.
    ideographs = [(0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x3FFFD)]
    chars = "".join(chr(cp) for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF)
    pattern = (
        r"(?=\p{Assigned})(?:[\p{ea=W}\p{ea=F}\p{ea=H}](?<!\p{Emoji_Presentation})"
        r"|\p{sc=Hangul})"
    )
    expected = {ord(m.group()) for m in regex.finditer(pattern, chars)}
    for start, end in ideographs:
        expected.update(range(start, end + 1))
    actual = {cp for start, end in _CJK_RANGES for cp in range(start, end + 1)}
    assert sorted(expected ^ actual) == []
