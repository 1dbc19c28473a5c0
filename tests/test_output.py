import os
from pathlib import Path

import pytest

from briefings.output import MARKER, Output, OutputError, Update, finish_interrupted, publish


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
    files = out.rglob("*")
    assert {p.relative_to(out).as_posix(): p.read_bytes() for p in files if p.is_file() and p.name != MARKER} == {
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
    update.discard()  # what a failing build does on its way out: a committed update stays
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


def test_an_interrupted_update_of_a_folder_since_replaced_is_dropped(tmp_path, monkeypatch):
    out = tmp_path / "public"
    publish([Output("a.html", b"a1"), Output("b.html", b"b1")], out)
    update = Update(out)
    update.add([Output("a.html", b"a2"), Output("b.html", b"b2")])
    real_replace = os.replace

    def crash(source, target):
        if str(target).startswith(str(out)):
            raise KeyboardInterrupt
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(KeyboardInterrupt):
        update.commit(["b.html"])
    monkeypatch.undo()
    publish([Output("a.html", b"fresh"), Output("b.html", b"fresh")], out)  # e.g. a build with --no-cache
    finish_interrupted(out)
    assert [(out / n).read_bytes() for n in ("a.html", "b.html")] == [b"fresh", b"fresh"]
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def test_an_update_names_the_search_index_last_and_removes_old_files_after(tmp_path, monkeypatch):
    out = tmp_path / "public"
    publish([Output("search/entry.json", b"old"), Output("search/aaaaaaaaaaaa/t/0.bin", b"old")], out)
    update = Update(out)
    update.add([Output("search/entry.json", b"new"), Output("search/ffffffffffff/t/0.bin", b"new"),
                Output("index.html", b"new")])
    order, real_replace, real_unlink = [], os.replace, Path.unlink

    def replace(source, target):
        real_replace(source, target)
        order.append(("move", Path(target).name))

    def unlink(self, missing_ok=False):
        order.append(("remove", self.name))
        real_unlink(self, missing_ok=missing_ok)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(Path, "unlink", unlink)
    update.commit(["search/aaaaaaaaaaaa/t/0.bin"])
    monkeypatch.undo()
    moves = [name for kind, name in order if kind == "move" and name != ".journal"]
    assert sorted(moves[:-1]) == ["0.bin", "index.html"] and moves[-1] == "entry.json"
    assert order[-1] == ("remove", "0.bin"), "the old index goes once the new one is in place"


def test_an_update_into_a_folder_linked_out_of_the_output_is_refused(tmp_path):
    out, elsewhere = tmp_path / "public", tmp_path / "elsewhere"
    publish([Output("a/index.html", b"a1")], out)
    elsewhere.mkdir()
    (out / "b").symlink_to(elsewhere)
    update = Update(out)
    update.add([Output("b/index.html", b"evil")])
    with pytest.raises(OutputError, match="outside the output folder"):
        update.commit([])
    update.discard()
    assert list(elsewhere.iterdir()) == []


def test_a_journal_of_another_version_is_dropped_not_followed(tmp_path):
    out = tmp_path / "public"
    publish([Output("a.html", b"a1")], out)
    leftover = tmp_path / ".public.update-999999"  # a build of an older version, stopped
    leftover.mkdir()
    (leftover / "a.html").write_bytes(b"old")
    (leftover / ".journal").write_text('{"moves": ["a.html"], "removed": []}', encoding="utf-8")
    finish_interrupted(out)
    assert (out / "a.html").read_bytes() == b"a1"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]


def _dead_pid() -> int:
    """The id of a process that has ended."""
    import subprocess
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def test_leftovers_of_killed_builds_are_removed_but_not_those_of_a_running_one(tmp_path):
    out = tmp_path / "public"
    publish([Output("index.html", b"one")], out)
    dead, alive = _dead_pid(), os.getppid()  # our parent runs as long as we do
    for kind in ("staging", "old", "update"):
        for pid in (dead, alive):
            (tmp_path / f".public.{kind}-{pid}" / "x").mkdir(parents=True)
    publish([Output("index.html", b"two")], out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["public", f".public.staging-{alive}", f".public.old-{alive}", f".public.update-{alive}"])
    assert (out / "index.html").read_bytes() == b"two"


def test_a_build_killed_between_its_renames_gets_its_last_site_back(tmp_path):
    out = tmp_path / "public"
    publish([Output("index.html", b"good")], out)
    dead = _dead_pid()
    os.rename(out, tmp_path / f".public.old-{dead}")  # the first rename of swap, then the kill
    (tmp_path / f".public.staging-{dead}").mkdir()
    finish_interrupted(out)
    assert (out / "index.html").read_bytes() == b"good"
    assert [p.name for p in tmp_path.iterdir()] == ["public"]
