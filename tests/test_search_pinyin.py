"""Pinyin answers for every word of the site: for words taken at random from random briefings,
the pinyin query (full, spaced, with tones, initials) finds what the Hanzi query finds, run
by the browser's own code (search-core.mjs under Node) against a built index."""

from __future__ import annotations

import datetime as dt
import json
import random
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from briefings import pinyin
from briefings.model import Briefing, Section
from briefings.pinyin import HAN_RUN
from briefings.search import build_search_index

ROOT = Path(__file__).resolve().parent.parent
TZ = dt.timezone(dt.timedelta(hours=8))
# Words a briefing may hold: common ones, and names, places and heteronyms (银行 hang, 重庆 chong,
# 长沙 chang, 行长 zhang, 单 shan as a surname, 厦门 xia, 蚌埠 beng).
WORDS = ["会议", "强调", "学校", "教育", "工作", "落实", "推进", "安全", "服务", "课后",
         "校园", "足球", "联赛", "重庆", "银行", "长沙", "分行", "行长", "欧阳", "振华",
         "单霁翔", "覃海洋", "乌鲁木齐", "厦门", "蚌埠", "人工智能", "实验室", "女生", "篮球",
         "碳中和", "研学", "旅行", "防汛", "抗旱", "冰雪", "运动", "书记", "实际", "双减",
         "市委", "局长", "主持", "召开"]


def random_briefings(seed: int, n: int = 24) -> list[Briefing]:
    rng = random.Random(seed)
    out = []
    for k in range(n):
        def sentence() -> str:
            return "".join(rng.choices(WORDS, k=rng.randint(3, 9))) + "。"
        sections = [("", "", sentence() + sentence()),
                    (f"s{k}", "".join(rng.choices(WORDS, k=2)), sentence() + sentence() + sentence())]
        out.append(Briefing(
            source=f"{k}.md", title="".join(rng.choices(WORDS, k=3)), lang="zh", slug=str(k), body_html="",
            date=dt.datetime(2024, 1 + k % 12, 1 + k % 28, 9, tzinfo=TZ), summary="",
            tags=(rng.choice(WORDS),), meeting=rng.choice(("局务会", "局长办公会")),
            chair=rng.choice(("欧阳振华", "单霁翔")),
            sections=tuple(Section(*s) for s in sections), url=f"/2024/b{k}/",
        ))
    return out


PLANTED = Briefing(
    source="planted.md", title="校园足球联赛开幕", lang="zh", slug="planted", body_html="", summary="",
    date=dt.datetime(2025, 3, 1, 9, tzinfo=TZ), url="/2025/planted/", sections=(
        Section("", "", "市教育局与重庆银行长沙分行签约，行长出席。来自厦门和蚌埠的女生参加。"),
        Section("ai", "人工智能实验室", "单霁翔到乌鲁木齐考察。"),
    ),
)
BRIEFINGS = [*random_briefings(17), PLANTED]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not shutil.which("node"):
        pytest.skip("node is not installed")
    root = tmp_path_factory.mktemp("pinyin-site")
    for path, data in build_search_index(BRIEFINGS, base_path="").items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    return root


def searched(site: Path, pairs: list[tuple[str, str]]) -> list[dict]:
    out = subprocess.run(["node", str(ROOT / "tests/js/same.mjs"), str(site), json.dumps(pairs)],
                         check=True, capture_output=True, text=True, timeout=120)
    return json.loads(out.stdout)


def visible_runs(b: Briefing) -> list[str]:
    texts = [b.title, *b.tags, b.meeting or "", b.chair or "", *(f"{s.heading}\n{s.text}" for s in b.sections)]
    return [run for text in texts for run in HAN_RUN.findall(text) if len(run) >= 2]


@st.composite
def words(draw: st.DrawFn) -> str:
    """A word a reader saw: 2–5 characters of a Han run of a random briefing's visible text."""
    run = draw(st.sampled_from(visible_runs(draw(st.sampled_from(BRIEFINGS)))))
    size = draw(st.integers(2, min(5, len(run))))
    start = draw(st.integers(0, len(run) - size))
    return run[start : start + size]


def typed(word: str) -> list[str]:
    """What a reader types for ``word``: its reading run together, spaced, and with tone marks."""
    syllables = pinyin.han_syllables(word)
    return ["".join(syllables), " ".join(syllables), pinyin.with_tones(word).replace(" ", "")]


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(word=words())
def test_a_words_pinyin_finds_what_its_characters_find(site: Path, word: str) -> None:
    for result in searched(site, [(word, query) for query in typed(word)]):
        assert result["hanziHits"], f"{word} is on the site"
        choices = result["choices"][0]
        assert word in choices, f"{result['pinyin']} offers {choices}, not {word}"
        # the reader's pick (or the first candidate, when it is the word) gives the same ranked list
        assert result["pickedHits"] == result["hanziHits"], result["pinyin"]
        if result["chosen"] == [word]:
            assert result["pinyinHits"] == result["hanziHits"], result["pinyin"]


@pytest.mark.parametrize(("word", "query"), [
    ("银行", "yinhang"), ("重庆", "chongqing"), ("行长", "hangzhang"), ("厦门", "xiamen"), ("蚌埠", "bengbu"),
    ("单霁翔", "shanjixiang"), ("校园足球", "xiaoyuanzuqiu"), ("校园足球", "xiao yuan zu qiu"),
    ("校园足球", "xiaoyuan zuqiu"), ("校园足球", "校园zq"), ("校园足球", "校园zuqiu"), ("校园足球", "xiaoyuan足球"),
    ("女生", "nvsheng"), ("女生", "nüshēng"), ("乌鲁木齐", "wlmq"), ("人工智能", "rgzn"), ("校园足", "xiaoyuanzu"),
])
def test_every_query_form_is_answered_by_the_word_first(site: Path, word: str, query: str) -> None:
    (result,) = searched(site, [(word, query)])
    assert result["chosen"] == [word], result["choices"]
    assert result["pinyinHits"] == result["hanziHits"] and result["hanziHits"]


def test_traditional_characters_find_the_simplified_word(site: Path) -> None:
    (result,) = searched(site, [("重庆银行", "重慶銀行")])
    assert result["pinyinHits"] == result["hanziHits"]  # here the second query is in Hanzi too
