"""The search index: file layout, shard records, determinism, pair readings, and the
browser's reader (search-core.mjs, run by node) finding what readers type."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
from itertools import accumulate
from pathlib import Path

import pytest

from briefings.model import Briefing, Section
from briefings.search import build_search_index
from briefings.search.encode import decode_varints, shard_of
from briefings.search.index import is_index_file
from briefings.search.pairs import pair_entry
from briefings.search.stem import stem

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=8))


def briefing(
    n: int, title: str, sections: list[tuple[str, str, str]], *, tags: tuple[str, ...] = (),
    lang: str = "zh", meeting: str | None = "局务会", day: int = 1,
) -> Briefing:
    date = dt.datetime(2023, 6, day, 9, tzinfo=TZ)
    return Briefing(
        source=f"{n}.md", title=title, date=date, lang=lang, slug=str(n), body_html="",
        summary=sections[0][2][:50], tags=tags, meeting=meeting,
        sections=tuple(Section(*s) for s in sections), url=f"/2023/06/b{n}/",
    )


BRIEFINGS = [
    briefing(1, "市教育局召开局务会 研究部署课后服务", [
        ("", "", "6月1日上午，市教育局召开局务会。"),
        ("chuan-da-xue-xi", "传达学习全省课后服务现场会精神",
         "不断丰富课后服务内容和形式，提升课后服务水平。"),
        ("ting-qu", "听取中考工作汇报", "确保考试安全。"),
    ], tags=("课后服务", "双减"), day=5),
    briefing(2, "局长办公会", [
        ("", "", "会议强调，持续深化集团化办学、教育“双减”、课堂教学改革。"),
        ("yin-hang", "银行与会计", "与银行合作，规范会计核算。书记讲话。"),
    ], tags=("双减", "银行"), meeting="局长办公会", day=4),
    briefing(3, "优质均衡发展", [
        ("", "", "推进义务教育优质均衡发展，实事求是，从实际出发。"),
        ("", "", "党组书记出席。"),
    ], tags=("优质均衡",), day=3),
    briefing(4, "After-school services: quality and coverage", [
        ("", "", "It called for richer after-school programmes."),
        ("safety", "Campus safety", "Schools will run daily campus safety checks."),
    ], tags=("after-school services", "campus safety"), lang="en", meeting=None, day=2),
    briefing(5, '<script>alert("x")</script> 标题', [
        ("", "", '正文 </mark> <b>课后</b> "引号" 服务'),
    ], tags=("安全",), day=1),
]


@pytest.fixture(scope="module")
def files() -> dict[str, bytes]:
    return build_search_index(BRIEFINGS, base_path="/briefings")


def entry(files: dict[str, bytes]) -> dict:
    return json.loads(files["search/entry.json"])


def read(files: dict[str, bytes], kind: str, name: str = "") -> bytes:
    """A file found the way search-core.mjs finds it: 'syllables', 'fold', 'facets', a pair key ('p'),
    or a shard or fragment ('t' or 'f' and its number) through its group in the entry."""
    e = entry(files)
    if kind in ("t", "f"):
        grouping = e["terms" if kind == "t" else "frag"]
        path = f"search/{kind}/{grouping['groups'][int(name) // grouping['size']]}/{name}.bin"
    elif kind == "p":
        path = f"search/p/{e['files']['pairs'][name[0]]}/{name}.bin"
    else:
        path = f"search/{kind}/{e['files'][kind]}.bin"
    return gzip.decompress(files[path])


def fragment(files: dict[str, bytes], doc_id: int) -> dict:
    return json.loads(read(files, "f", str(doc_id)))


def postings(files: dict[str, bytes], term: str) -> tuple[list[int], bytes] | None:
    """Decode one term the way search-core.mjs's findTerm does."""
    data = read(files, "t", str(shard_of(term, entry(files)["shards"])))
    pos = 0
    while pos < len(data):
        (length,), pos = decode_varints(data, 1, pos)
        name = data[pos : pos + length].decode()
        pos += length
        (df, size), pos = decode_varints(data, 2, pos)
        if name == term:
            gaps, _ = decode_varints(data, df, pos)
            return list(accumulate(gaps)), data[pos + size : pos + size + df]
        pos += size + df
    return None


def test_layout_entry_names_every_file_and_all_is_under_search(files: dict[str, bytes]) -> None:
    e = entry(files)
    assert set(e) == {"v", "docs", "shards", "pairs", "files", "terms", "frag"} and e["docs"] == 5
    assert all(path.startswith("search/") for path in files)
    size, groups = e["frag"]["size"], e["frag"]["groups"]
    fragments = {f"search/f/{groups[n // size]}/{n}.bin" for n in range(5)}
    assert {p for p in files if p.startswith("search/f/")} == fragments
    shards = [p for p in files if p.startswith("search/t/")]
    assert len(shards) == e["shards"] and {p.split("/")[2] for p in shards} == set(e["terms"]["groups"])
    assert {p for p in files if not p.startswith(("search/f/", "search/t/", "search/p/"))} == {
        "search/entry.json", f"search/syllables/{e['files']['syllables']}.bin",
        f"search/fold/{e['files']['fold']}.bin", f"search/facets/{e['files']['facets']}.bin"}
    assert {p.split("/")[2] for p in files if p.startswith("search/p/")} == set(e["files"]["pairs"].values())
    assert all(is_index_file(path) for path in files)
    for path, data in files.items():
        if path.endswith(".bin"):
            assert data[:2] == b"\x1f\x8b" and gzip.decompress(data)


def test_fragments_carry_links_with_the_base_path_and_sections(files: dict[str, bytes]) -> None:
    first = fragment(files, 0)  # newest first
    assert first["u"] == "/briefings/2023/06/b1/" and first["d"] == "2023-06-05"
    assert first["s"][1] == ["chuan-da-xue-xi", "传达学习全省课后服务现场会精神",
                             "不断丰富课后服务内容和形式，提升课后服务水平。"]
    hostile = fragment(files, 4)
    assert hostile["t"] == '<script>alert("x")</script> 标题'  # stored as text, shown as text


def test_postings_are_in_the_hashed_shard_with_impacts_and_filters(files: dict[str, bytes]) -> None:
    ids, impacts = postings(files, "课后")
    assert ids == [0, 4] and all(1 <= i <= 15 for i in impacts)
    assert impacts[0] > impacts[1]  # title, tag, heading and body beat one body mention
    assert postings(files, "#tag:双减")[0] == [0, 1]
    assert postings(files, "#meeting:局长办公会")[0] == [1]
    assert postings(files, "#year:2023")[0] == [0, 1, 2, 3, 4]
    assert postings(files, "#lang:en")[0] == [3]
    assert postings(files, stem("campus"))[0] == [3]  # stored as its stem (campu)
    assert postings(files, "后服")[0] == [0]  # 课后</b> "引号" 服务 has no pair 后服
    assert postings(files, "不存在") is None


def test_same_input_same_bytes_whatever_the_order_or_processes() -> None:
    one = build_search_index(BRIEFINGS, base_path="/briefings")
    shuffled = BRIEFINGS[:]
    random.Random(7).shuffle(shuffled)
    assert build_search_index(shuffled, base_path="/briefings") == one
    assert build_search_index(BRIEFINGS, base_path="/briefings", workers=2) == one
    other = build_search_index(BRIEFINGS, base_path="")
    assert other["search/entry.json"] != one["search/entry.json"]  # links changed: new build


def test_same_bytes_whatever_the_hash_seed() -> None:
    """Sets and dicts of str iterate by hash seed: none of that may leak into the bytes."""
    script = (
        "import hashlib, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]\n"
        "from test_search_index import BRIEFINGS\n"
        "from briefings.search import build_search_index\n"
        "f = build_search_index(BRIEFINGS, base_path='/b')\n"
        "print(hashlib.sha256(b''.join(k.encode() + f[k] for k in sorted(f))).hexdigest())\n"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(ROOT), str(ROOT / "tests")], check=True,
            capture_output=True, text=True, env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(digests) == 1


def test_every_pair_of_the_site_is_filed_under_all_its_readings(files: dict[str, bytes]) -> None:
    # 行: xing, hang, heng; filed by first letters and by two letters and one
    assert pair_entry("银行", 2) == (["银行", 2, 0, "yin hang"], {"yx", "yh", "yi-x", "yi-h"})
    assert pair_entry("校园", 1, named=True)[0] == ["校园", 1, 1]  # main readings: no phrase reading needed
    # 银行 is in one briefing (its tag, a heading, its body): filed under yh and yx
    for key in ("yh", "yx", "yi-h"):
        assert ["银行", 1, 1, "yin hang"] in json.loads(read(files, "p", key))  # a tag: named
    # a pair seen once, in a body, is there too: every word a reader can see
    assert ["核算", 1, 0] in json.loads(read(files, "p", "hs"))
    kh = json.loads(read(files, "p", "kh"))
    assert kh[0] == ["课后", 2, 1], "most briefings first"
    syllables = json.loads(read(files, "syllables"))
    assert "行" in syllables["main"]["xing"] and "行" in syllables["alt"]["hang"]
    prefixes = sorted({s[:2] for table in ("main", "alt") for s in syllables[table]})
    bit = prefixes.index("yi") * 26 + ord("h") - 97
    assert int(syllables["keys"], 16) >> bit & 1, "the bitmap says yi-h exists"


def test_the_browser_gets_the_fold_pairs_of_the_sites_characters(files: dict[str, bytes]) -> None:
    fold = json.loads(read(files, "fold"))
    assert fold["課"] == "课" and fold["銀"] == "银"
    assert all(simple in "".join(json.loads(read(files, "syllables"))["main"].values()) for simple in fold.values())


def test_facets_list_filters_with_counts(files: dict[str, bytes]) -> None:
    facets = json.loads(read(files, "facets"))
    assert facets["tag"][0] == ["双减", 2]
    assert facets["year"] == [[2023, 5]]
    assert ["局长办公会", 1] in facets["meeting"]


def test_empty_site_still_has_an_entry() -> None:
    files = build_search_index([], base_path="")
    assert entry(files)["docs"] == 0 and entry(files)["shards"] == 1


@pytest.fixture(scope="module")
def replay(files: dict[str, bytes], tmp_path_factory: pytest.TempPathFactory):
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    site = tmp_path_factory.mktemp("site")
    for path, data in files.items():
        (site / path).parent.mkdir(parents=True, exist_ok=True)
        (site / path).write_bytes(data)

    def run(*queries: str) -> list[dict]:
        out = subprocess.run(
            ["node", str(ROOT / "tests/js/replay.mjs"), str(site), json.dumps(queries), "--json"],
            check=True, capture_output=True, text=True,
        )
        return json.loads(out.stdout)

    return run


@pytest.mark.parametrize("query", [
    "课后服务", '"课后服务"', "kehoufuwu", "ke hou fu wu", "khfw", "课后fw", "kehouf", "KeHouFuWu",
    "課後服務", "kehou服务", "课后fuwu",
])
def test_browser_finds_after_school_services_first(replay, query: str) -> None:
    (result,) = replay(query)
    assert result["top"][0]["url"] == "/briefings/2023/06/b1/#chuan-da-xue-xi"
    # kehouf is 课后服 while the last syllable is being typed
    assert ("<课后服>" if query == "kehouf" else "<课后服务>") in result["top"][0]["snippet"]


def test_browser_quoted_phrase_must_occur_exactly(replay) -> None:
    loose, quoted = replay("课后 服务", '"课后 服务"')
    pages = [r["url"].split("#")[0] for r in loose["top"]]
    assert pages == ["/briefings/2023/06/b1/", "/briefings/2023/06/b5/"]
    assert quoted["top"] == []


def test_browser_pinyin_offers_choices_and_tone_marks_work(replay) -> None:
    sj, tones, bank = replay("sj", "shuāngjiǎn", "yinhang")
    assert sj["parts"][0]["choices"][:2] == ["双减", "书记"]  # a tag first, then the most briefings
    assert tones["parts"][0]["text"] == "双减" and tones["total"] == 2
    assert bank["parts"][0]["text"] == "银行" and bank["top"][0]["url"].endswith("/b2/#yin-hang")


def test_browser_english_words_and_filters(replay) -> None:
    campus, hyphen, tagged, nothing = replay(
        "campus safety", "after-school", "tag:双减 会议", "tag:不存在"
    )
    assert campus["top"][0]["url"] == "/briefings/2023/06/b4/#safety"
    assert hyphen["total"] == 1
    assert [r["url"].split("#")[0] for r in tagged["top"]] == ["/briefings/2023/06/b2/"]
    assert nothing["total"] == 0


def test_browser_sees_hostile_text_as_text(replay) -> None:
    (result,) = replay("标题")
    assert result["top"][0]["title"] == '<script>alert("x")</script> 标题'


def test_index_files_are_told_from_a_site_s_own_files_under_search() -> None:
    assert is_index_file("search/entry.json") and is_index_file("search/t/0123456789ab/0.bin")
    assert is_index_file("search/f/0123456789ab/12.bin") and is_index_file("search/p/0123456789ab/kh.bin")
    assert is_index_file("search/fold/0123456789ab.bin") and is_index_file("search/p/0123456789ab/zh-q.bin")
    assert is_index_file("search/facets/0123456789ab.bin")
    assert not is_index_file("search/index.html") and not is_index_file("search/cafe/logo.png")
