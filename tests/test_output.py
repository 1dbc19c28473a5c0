import os

import pytest

from briefings.output import Output, OutputError, Update, finish_interrupted, publish


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


def test_an_update_moves_only_changed_files_in_and_removes_the_rest(tmp_path):
    out = tmp_path / "public"
    publish([Output("a/index.html", b"a1"), Output("b/index.html", b"b1"), Output("gone/x/index.html", b"x")], out)
    kept = (out / "a/index.html").stat().st_ino
    update = Update(out)
    update.add([Output("b/index.html", b"b2"), Output("new/index.html", b"n")])
    update.commit(["gone/x/index.html"])
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*") if p.is_file()} == {
        "a/index.html": b"a1", "b/index.html": b"b2", "new/index.html": b"n"}
    assert (out / "a/index.html").stat().st_ino == kept
    assert not (out / "gone").exists(), "emptied folders go too"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_an_update_stopped_half_way_is_finished_by_the_next_build(tmp_path, monkeypatch):
    out = tmp_path / "public"
    publish([Output("a.html", b"a1"), Output("b.html", b"b1"), Output("c.html", b"c1")], out)
    update = Update(out)
    update.add([Output("a.html", b"a2"), Output("b.html", b"b2"), Output("c.html", b"c2")])
    real_replace, moves = os.replace, []

    def crash_after_one(source, target):
        if str(target).startswith(str(out)):
            if moves:
                raise KeyboardInterrupt  # the build is stopped after moving one file in
            moves.append(target)
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash_after_one)
    with pytest.raises(KeyboardInterrupt):
        update.commit([])
    monkeypatch.undo()
    assert (out / "a.html").read_bytes() == b"a2" and (out / "b.html").read_bytes() == b"b1"
    finish_interrupted(out)
    assert [(out / n).read_bytes() for n in ("a.html", "b.html", "c.html")] == [b"a2", b"b2", b"c2"]
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_an_update_stopped_while_staging_is_dropped(tmp_path):
    out = tmp_path / "public"
    publish([Output("a.html", b"a1")], out)
    update = Update(out)
    update.add([Output("a.html", b"a2")])
    del update  # stopped before committing: no journal
    finish_interrupted(out)
    assert (out / "a.html").read_bytes() == b"a1"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]
