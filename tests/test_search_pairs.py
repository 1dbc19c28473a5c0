"""The pinyin tables: every reading of a pair finds the shard it is filed in, the syllable
tables list every reading, and the bitmap of shards says which exist."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from briefings import pinyin
from briefings.search.pairs import (
    named_pairs,
    pair_entry,
    pair_keys,
    pair_shards,
    preferred,
    shard_mask,
    syllable_table,
)

CHARS = "银行重庆长沙校园足球女生单霁翔厦门蚌埠会计了的和乐教育局课后服务双减"


@settings(deadline=None)  # the first example loads pypinyin's tables
@given(st.sampled_from(CHARS), st.sampled_from(CHARS), st.data())
def test_every_reading_of_a_pair_reads_a_shard_it_is_in(first: str, second: str, data: st.DataObject) -> None:
    a = data.draw(st.sampled_from(pinyin.char_readings(first)))
    b = data.draw(st.sampled_from(pinyin.char_readings(second)))
    keys = pair_keys(first + second)
    assert a[0] + b[0] in keys, "initials"
    assert f"{a[:2]}-{b[0]}" in keys, "a typed syllable"


def test_phrase_readings_are_kept_where_they_differ_from_the_main_ones() -> None:
    assert preferred("银行") == ("yin", "hang")
    assert preferred("重庆") == ("chong", "qing")
    assert preferred("校园") is None  # read as its characters' main readings
    entry, keys = pair_entry("行长", 3, named=True)
    assert entry == ["行长", 3, 1, "hang zhang"] and {"hz", "ha-z"} <= keys


def test_shards_list_pairs_most_briefings_first_and_tags_are_marked() -> None:
    shards = pair_shards({"书记": 5, "双减": 9, "实际": 5}, named_pairs(["双减"]))
    assert [e[:3] for e in shards["sj"]] == [["双减", 9, 1], ["书记", 5, 0], ["实际", 5, 0]]
    assert shards["sh-j"][0][0] == "双减" and "shu-j" not in shards  # two letters, not three


def test_syllable_tables_list_main_and_other_readings_and_which_split_shards_exist() -> None:
    table = syllable_table({"行": 5, "银": 3, "长": 2}, ["yi-h", "yh", "xi-z"])
    assert table["main"]["xing"] == "行" and "行" in table["alt"]["hang"] and table["main"]["yin"] == "银"
    prefixes = sorted({s[:2] for kind in ("main", "alt") for s in table[kind]})
    bits = int(table["keys"], 16)
    present = {f"{p}-{chr(97 + k)}" for n, p in enumerate(prefixes) for k in range(26) if bits >> (n * 26 + k) & 1}
    assert present == {"yi-h", "xi-z"}


def test_the_entry_bitmap_covers_two_letter_shards() -> None:
    mask = int(shard_mask(["aa", "yh", "yi-h"]), 16)
    assert mask == 1 | 1 << ((ord("y") - 97) * 26 + ord("h") - 97)
