"""Search tokens: the shared fixture, the fast counter against the reference, filters."""

from __future__ import annotations

import json
import zlib
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from briefings.search.fold import fold, site_fold, table
from briefings.search.stem import stem
from briefings.search.tokens import count_terms, filter_term, normalize, term_text, tokenize

FIXTURE = json.loads(
    (Path(__file__).parent / "fixtures" / "search_tokens.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize("case", FIXTURE["tokens"], ids=lambda c: repr(c["input"])[:30])
def test_tokens_match_the_shared_fixture(case: dict) -> None:
    assert tokenize(case["input"]) == case["tokens"]


@pytest.mark.parametrize("case", FIXTURE["filters"], ids=lambda c: c["term"])
def test_filter_terms_match_the_shared_fixture(case: dict) -> None:
    assert filter_term(case["kind"], case["value"]) == case["term"]


@pytest.mark.parametrize("case", FIXTURE["crc32"], ids=lambda c: c["term"])
def test_shard_hash_matches_the_shared_fixture(case: dict) -> None:
    assert zlib.crc32(case["term"].encode()) == case["crc32"]


@pytest.mark.parametrize("case", FIXTURE["stems"], ids=lambda c: c["word"])
def test_stems_match_the_shared_fixture(case: dict) -> None:
    assert stem(case["word"]) == case["stem"]


def test_the_fixtures_fold_pairs_are_opencc_s() -> None:
    assert FIXTURE["fold"], "the fixture must exercise folding"
    assert all(table()[ord(t)] == s for t, s in FIXTURE["fold"].items())


def test_traditional_folds_to_simplified_on_both_sides() -> None:
    assert normalize("課後服務 校園足球 銀行") == "课后服务 校园足球 银行"
    assert tokenize("重慶銀行") == tokenize("重庆银行")
    assert filter_term("tag", "課後服務") == "#tag:课后服务"
    assert fold("课后服务") == "课后服务"  # simplified text as it is


def test_the_browser_gets_only_the_pairs_for_the_sites_characters() -> None:
    assert site_fold("课后银") == {"課": "课", "後": "后", "銀": "银"}
    assert site_fold("abc") == {}


def test_english_inflections_meet_and_derivations_stay_apart() -> None:
    assert tokenize("schools") == tokenize("school")
    assert tokenize("inspected") == tokenize("inspecting") == tokenize("inspect")
    assert tokenize("services") != tokenize("serve")


def test_han_runs_give_characters_then_pairs() -> None:
    assert tokenize("课后服务") == ["课", "后", "服", "务", "课后", "后服", "服务"]
    # punctuation and spaces end a run: no pair spans them
    assert "后服" not in tokenize("课后，服务") and "后服" not in tokenize("课后 服务")


def test_normalize_folds_width_case_and_tone_marks() -> None:
    assert normalize("ＫｅＨòu Café") == "kehou cafe"


def test_unknown_filter_kind_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown filter kind 'author'"):
        filter_term("author", "x")


def counted(text: str) -> Counter[str]:
    return Counter({term_text(k): n for k, n in count_terms(normalize(text)).items()})


@pytest.mark.parametrize("case", FIXTURE["tokens"], ids=lambda c: repr(c["input"])[:30])
def test_fast_counter_agrees_with_tokenize_on_the_fixture(case: dict) -> None:
    assert counted(case["input"]) == Counter(case["tokens"])


# Han, punctuation, spaces, Latin with accents, full-width and circled digits, and a Han
# character outside the BMP (not a token on either side).
ALPHABET = [*"课后服务双减優質均衡行銀，。、“” \n\tAbcÉsing12ｋ①-'", "\U00020000"]
TEXT = st.text(alphabet=st.sampled_from(ALPHABET), max_size=60)


@given(TEXT)
def test_fast_counter_agrees_with_tokenize(text: str) -> None:
    assert counted(text) == Counter(tokenize(text))
