import pytest

from briefings.output import Output, OutputError, publish


def test_publish_swaps_a_complete_folder(tmp_path):
    out = tmp_path / "public"
    publish([Output("a/index.html", b"one"), Output("old.html", b"x")], out)
    publish([Output("a/index.html", b"two")], out)
    assert (out / "a" / "index.html").read_bytes() == b"two"
    assert not (out / "old.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


@pytest.mark.parametrize("path", ["../evil.html", "/etc/passwd", "a/../../b", "a\\..\\b", ""])
def test_paths_outside_the_output_are_refused_and_nothing_changes(tmp_path, path):
    out = tmp_path / "public"
    publish([Output("index.html", b"good")], out)
    with pytest.raises(OutputError):
        publish([Output("new.html", b"new"), Output(path, b"evil")], out)
    assert (out / "index.html").read_bytes() == b"good"
    assert not (out / "new.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["public"]


def test_second_write_to_one_path_is_refused(tmp_path):
    with pytest.raises(OutputError, match=r"both write a\.html"):
        publish([Output("a.html", b"1", "x.md"), Output("a.html", b"2", "y.md")], tmp_path / "public")
    assert not (tmp_path / "public").exists()
