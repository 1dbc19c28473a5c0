from pathlib import Path

import pytest

from briefings.config import load_config, normalise_language
from briefings.diagnostics import Diagnostics


def config_from(tmp_path: Path, text: str):
    (tmp_path / "themes" / "default").mkdir(parents=True, exist_ok=True)
    (tmp_path / "site.toml").write_text(text, encoding="utf-8")
    diagnostics = Diagnostics()
    return load_config(tmp_path, diagnostics), [d.format() for d in diagnostics]


@pytest.mark.parametrize("code,expected", [("zh", "zh"), ("zh-CN", "zh"), ("zh-Hans", "zh"), ("zh_cn", "zh"),
                                           ("en-US", "en"), ("EN", "en")])
def test_language_codes_are_normalised(code, expected):
    assert normalise_language(code) == expected


def test_languages_default_first_and_normalised(tmp_path):
    config, messages = config_from(tmp_path, 'title = "简报"\ndefault_language = "zh-CN"\n[languages.en-US]\n'
                                             'title = "Briefings"\n[languages.zh_cn]\ntitle = "简报"\n')
    assert messages == []
    assert config.language_codes == ("zh", "en")
    assert config.default_language == "zh"


def test_all_config_errors_at_once(tmp_path):
    config, messages = config_from(tmp_path, 'titel = "x"\nbase_url = "example.org"\npermalink = "/{year}/{nope}/"\n'
                                             'per_page = 0\ntheme = "fancy"\n')
    assert config is None
    assert "site.toml:1: error: unknown key `titel` (did you mean `title`?)" in messages
    assert "site.toml:2: error: `base_url` must be an absolute http(s) URL, got 'example.org'" in messages
    assert any(m.startswith("site.toml:3: error: unknown placeholder {nope} in permalink") for m in messages)
    assert "site.toml:4: error: `per_page` must be at least 1" in messages
    assert ("site.toml:5: error: theme 'fancy' not found "
            "(expected a folder themes/fancy/, or leave `theme` out for the default theme)") in messages


def test_tag_vocabulary_with_translations_and_aliases(tmp_path):
    config, messages = config_from(tmp_path, 'title = "简报"\n[languages.zh]\n[languages.en]\n'
                                             '[tags."双减"]\nen = "Double reduction"\naliases = ["双减政策"]\n'
                                             '[tags."课后服务"]\nfr = "x"\n')
    assert config is None
    assert any("unknown key `fr` in [tags.\"课后服务\"]" in m for m in messages)


def test_invalid_toml_names_the_line(tmp_path):
    config, messages = config_from(tmp_path, 'title = "简报"\nbase_url = \n')
    assert config is None and messages[0].startswith("site.toml:2: error: invalid TOML")


def test_tags_written_as_a_list_says_how_to_write_the_vocabulary_without_another_office_s_words(tmp_path):
    config, messages = config_from(tmp_path, 'title = "简报"\ntags = ["政务公开", "疫情防控"]\n')
    assert config is None
    assert messages == ['site.toml:2: error: `tags` must be a table of themes: '
                        '[tags."政务公开"] en = "Open government"']
