from hypothesis import given
from hypothesis import strategies as st

from briefings.slugs import SLUG_PATTERN, UrlRegistry, is_valid_slug, slugify


def test_phrase_aware_heteronyms():
    assert slugify("重庆") == "chong-qing"
    assert slugify("银行") == "yin-hang"
    assert slugify("长沙") == "chang-sha"


def test_title_slug_matches_the_readme_example():
    assert slugify("市教育局召开局党组扩大会") == "shi-jiao-yu-ju-zhao-kai-ju-dang-zu-kuo-da-hui"


def test_english_numbers_and_u_umlaut():
    assert slugify("Campus safety: 2023 review") == "campus-safety-2023-review"
    assert slugify("绿色学校") == "lv-se-xue-xiao"
    assert slugify("双减ABC 2023年") == "shuang-jian-abc-2023-nian"
    assert slugify("Ｆｕｌｌ－ｗｉｄｔｈ １２３") == "full-width-123"


def test_cut_at_a_syllable_boundary():
    slug = slugify("市教育局召开2023年第3次局党组扩大会 研究部署传达学习中共中央办公厅国务院办公厅印发的意见")
    assert len(slug) <= 60 and not slug.endswith("-")
    assert slug.startswith("shi-jiao-yu-ju-zhao-kai-2023-nian-di-3-ci")


def test_unreadable_title_gets_a_stable_non_empty_slug():
    assert slugify("！！！") == slugify("！！！")
    assert slugify("！！！").startswith("p-")


@given(st.text(max_size=80))
def test_slug_is_always_ascii_non_empty_and_deterministic(text):
    slug = slugify(text)
    assert slug and SLUG_PATTERN.fullmatch(slug)
    assert slug == slugify(text)
    assert len(slug) <= 60


@given(st.text(alphabet="课后服务双减中考安全abcXYZ 0123-_", max_size=40))
def test_slug_of_a_slug_is_itself(text):
    slug = slugify(text)
    assert slugify(slug) == slug


def test_valid_slugs():
    assert is_valid_slug("ke-hou-fu-wu")
    for bad in ["../x", "Ke", "a--b", "-a", "a/b", "课后", ""]:
        assert not is_valid_slug(bad)


def test_registry_names_the_first_owner():
    registry = UrlRegistry()
    assert registry.claim("/a/", "content/a.md") is None
    assert registry.claim("/a/", "content/a.md") is None
    assert registry.claim("/a/", "content/b.md") == "content/a.md"


def test_a_cut_keeps_the_numbers_that_tell_titles_apart():
    first = slugify("Bureau Party Group meeting on balanced, high-quality basic education, January 30, 2023")
    second = slugify("Bureau Party Group meeting on balanced, high-quality basic education, January 7, 2023")
    assert first != second
    assert first.endswith("-30-2023") and len(first) <= 60
