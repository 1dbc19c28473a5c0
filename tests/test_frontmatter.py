import datetime as dt

import pytest

from briefings.frontmatter import FrontMatterError, split


def test_yaml_front_matter_with_key_lines_and_body_line():
    doc = split("---\ntitle: 课后服务\ndate: 2023-06-15T09:00:00+08:00\ntags: [双减]\n---\n\n正文\n")
    assert doc.front["title"] == "课后服务"
    assert doc.front["date"] == dt.datetime(2023, 6, 15, 9, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    assert doc.key_lines == {"title": 2, "date": 3, "tags": 4}
    assert doc.body == "\n正文\n" and doc.body_line == 6


def test_toml_front_matter():
    doc = split('+++\ntitle = "课后服务"\ndate = 2023-06-15\n+++\n正文\n')
    assert doc.front == {"title": "课后服务", "date": dt.date(2023, 6, 15)}
    assert doc.key_lines == {"title": 2, "date": 3}


@pytest.mark.parametrize("text,line,start", [
    ("正文\n", 1, "missing front matter"),
    ("---\ntitle: x\n", 1, "front matter opened with `---` is never closed"),
    ("---\ntitle: x\n  bad: [\n---\n", 3, "invalid YAML"),
    ("---\n- a\n- b\n---\n", 2, "front matter must be `key: value` lines"),
])
def test_errors_point_at_the_line(text, line, start):
    with pytest.raises(FrontMatterError) as info:
        split(text)
    assert info.value.line == line
    assert info.value.message.startswith(start)


# Values YAML's grammar accepts but Python cannot hold: each once raised out of the build.
@pytest.mark.parametrize("front,line,key", [
    ("title: a\ndate: 2023-02-30", 3, "date"),
    ("title: a\ndate: 0000-01-01", 3, "date"),
    ("title: a\ndate: 2023-13-01", 3, "date"),
    ("title: a\ndate: 2023-01-01T25:00:00", 3, "date"),
    ("title: a\ndate: 2023-01-01T09:00:00+99:00", 3, "date"),
    ("title: a\ndate: !!timestamp 2023-02-30", 3, "date"),
    ("title: 2023-02-30\ndate: 2023-01-01", 2, "title"),
    ("title: a\nsummary: !!int 3.5", 3, "summary"),
    ("title: a\nsummary: !!float x", 3, "summary"),
    ("title: a\nsummary: " + "9" * 5000, 3, "summary"),
    ("title: a\ntags:\n  - 双减\n  - 2023-02-30", 5, "tags"),
    ("title: a\nextra: {inner: [!!int x]}", 3, "extra"),
], ids=lambda value: value[:40] if isinstance(value, str) else str(value))
def test_values_python_cannot_hold_are_errors_at_their_key(front, line, key):
    with pytest.raises(FrontMatterError) as info:
        split(f"---\n{front}\n---\n正文\n")
    assert info.value.line == line
    assert f"`{key}`" in info.value.message
    assert "Exceeds the limit" not in info.value.message


def test_toml_nested_too_deep_is_an_error():
    with pytest.raises(FrontMatterError) as info:
        split("+++\ntitle = 'a'\nx = " + "[" * 5000 + "]" * 5000 + "\n+++\n正文\n")
    assert "nested too deeply" in info.value.message
    assert info.value.line == 3


def test_yaml_nested_too_deep_is_an_error_or_held():
    try:
        doc = split("---\ntitle: a\nx: " + "[" * 5000 + "]" * 5000 + "\n---\n正文\n")
    except FrontMatterError as exc:
        assert exc.line == 3
    else:
        assert doc.front["title"] == "a"


@pytest.mark.parametrize("value,reason", [
    ("2026-13-40", "month must be in 1..12"),
    ("2026-02-30", "day is out of range for month"),
    ("2026-06-15T25:00:00", "hour must be in 0..23"),
    ("2026-06-15 09:61:00+08:00", "minute must be in 0..59"),
])
def test_an_impossible_date_is_an_error_at_its_line_not_a_crash(value, reason):
    with pytest.raises(FrontMatterError) as info:
        split(f"---\ntitle: x\ndate: {value}\ntags: [a]\n---\n正文\n")
    assert info.value.line == 3
    assert info.value.message == f"`date`: {value} is not a real date or time ({reason})"
    assert info.value.hint == "write it as YYYY-MM-DD, or YYYY-MM-DDTHH:MM"


def test_real_dates_still_parse_with_the_safe_loader():
    doc = split("---\ndate: 2024-02-29\nat: 2024-02-29T23:59:59+08:00\nn: 1\n---\n")
    assert doc.front["date"] == dt.date(2024, 2, 29)
    assert doc.front["at"].hour == 23 and doc.front["n"] == 1
