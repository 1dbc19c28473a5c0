import pypinyin
from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import pinyin

# Han characters of briefing titles, heteronyms among them (行 hang/xing, 长 chang/zhang,
# 重 chong/zhong, 调 diao/tiao), with Latin letters, digits and punctuation between them.
_TITLE_CHARS = (
    "市教育局召开党组扩大会议研究部署银行长沙重庆调整中考双减课后服务第次年月日行走学习增长"
    " ABC123，、。《》-"
)


def _stock(text: str, style: pypinyin.Style) -> list[str]:
    return pypinyin.lazy_pinyin(text, style=style, errors="default")


def test_heteronyms_read_by_their_word_even_after_the_same_character_elsewhere():
    for text in ("银行行长到长沙调研", "行走", "重庆重新调整", "银行", "行长", "长沙"):
        assert pinyin.lazy_pinyin(text, style=pypinyin.Style.NORMAL) == _stock(text, pypinyin.Style.NORMAL)
    assert pinyin.lazy_pinyin("银行行长", style=pypinyin.Style.NORMAL) == ["yin", "hang", "hang", "zhang"]


@settings(max_examples=300)
@given(st.text(alphabet=_TITLE_CHARS, max_size=30), st.sampled_from([pypinyin.Style.NORMAL, pypinyin.Style.TONE]))
def test_readings_are_pypinyins_whatever_was_read_before(text, style):
    assert pinyin.lazy_pinyin(text, style=style) == _stock(text, style)
    assert pinyin.lazy_pinyin(text, style=style) == _stock(text, style)  # now from what it remembered
