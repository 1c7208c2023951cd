"""Adding and removing transcripts in the seeds folder: safe names, limits, nothing lost."""

import pytest

from qa import library
from qa.errors import SeedError


def upload(tmp_path, name, data=b"ANNA: Hello there.\nTOM: Hi.\n"):
    src = tmp_path / "upload" / name.replace("/", "_")
    src.parent.mkdir(exist_ok=True)
    src.write_bytes(data)
    return name, src


def test_names_are_made_safe_and_never_overwrite(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "talk.vtt").write_text("keep me")
    files = [upload(tmp_path, n) for n in ("../../etc/passwd.txt", "talk.vtt", ".hidden.md")]
    added = library.add(seeds, files)
    assert [a.saved_as for a in added] == ["passwd.txt", "talk (2).vtt", "hidden.md"]
    assert "renamed" in added[1].reason
    assert (seeds / "talk.vtt").read_text() == "keep me"
    assert not (tmp_path / "etc").exists()


def test_too_large_empty_and_unknown_files_are_refused_with_a_reason(tmp_path):
    seeds = tmp_path / "seeds"
    files = [upload(tmp_path, "big.txt", b"x" * 2048), upload(tmp_path, "empty.txt", b""),
             upload(tmp_path, "photo.png", b"\x89PNG")]  # fmt: skip
    added = library.add(seeds, files, max_bytes=1024)
    assert [a.saved_as for a in added] == [None, None, None]
    assert "over the" in added[0].reason and "empty" in added[1].reason
    assert ".png is not a transcript format" in added[2].reason
    assert list(seeds.iterdir()) == []


def test_remove_moves_the_file_aside_and_never_deletes(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "a.txt").write_text("first")
    moved = library.remove(seeds, "a.txt")
    assert moved == (seeds / ".removed" / "a.txt").resolve() and moved.read_text() == "first"
    (seeds / "a.txt").write_text("second")
    again = library.remove(seeds, "a.txt")
    assert again.name == "a (2).txt" and moved.read_text() == "first"
    with pytest.raises(SeedError):
        library.remove(seeds, "../outside.txt")
    with pytest.raises(SeedError):
        library.remove(seeds, "a.txt")  # already gone
