"""The index with a real Chroma in a temporary folder and the real model."""

import json
import os
import shutil
import subprocess
import sys

import pytest
from conftest import KREMLIN, ROOT, UN, build_killed_after_commit

from qa.chunk import CHUNKER_VERSION
from qa.embed import Embedder
from qa.errors import IndexLocked, IndexMismatch, IndexNotBuilt, SeedError
from qa.index import Index, build, current_generation, writer_lock
from qa.pipeline import retrieve


def test_round_trip(seed_index):
    ix = Index(seed_index)
    assert ix.count() == sum(d["passages"] for d in ix.documents())
    assert {d["source"] for d in ix.documents()} == {KREMLIN, UN}
    assert ix.manifest["model"] == "all-MiniLM-L6-v2" and ix.manifest["dim"] == 384
    assert "Stanislav Zas" in ix.speakers()
    top = retrieve("Who commanded the CSTO peacekeeping force?", index_dir=seed_index)
    assert any("Serdyukov" in p.text for p in top)
    assert all(p.score > 0 and p.date and p.title for p in top)


def test_incremental_add_modify_delete(seeds_copy, tmp_path, embedder):
    index = tmp_path / "index"
    first = build(seeds_copy, index, embedder=embedder)
    assert first.added == [KREMLIN, UN] and first.embedded == first.passages
    n_un = Index(index).manifest["files"][UN]["passages"]

    (seeds_copy / "extra.txt").write_text(
        "Minutes\nMarch 3, 2023\n\nANNA BERG: The bridge over the Vistula reopens on 12 May.\n"
        "PETER LUND: Good. The ferry service then ends.\n",
        encoding="utf-8",
    )
    added = build(seeds_copy, index, embedder=embedder)
    assert added.added == ["extra.txt"] and added.unchanged == [KREMLIN, UN]
    assert added.embedded == 3  # header + two turns; nothing else re-embedded
    assert any(
        "Vistula" in p.text for p in retrieve("When does the bridge reopen?", index_dir=index)
    )

    un = seeds_copy / UN
    un.write_text(
        un.read_text(encoding="utf-8") + "\nA closing paragraph about fisheries.\n",
        encoding="utf-8",
    )
    changed = build(seeds_copy, index, embedder=embedder)
    assert changed.changed == [UN]
    assert changed.reused >= n_un - 1 and changed.embedded <= 2  # unchanged passages reused

    (seeds_copy / "extra.txt").unlink()
    removed = build(seeds_copy, index, embedder=embedder)
    assert removed.removed == ["extra.txt"]
    ix = Index(index)
    assert "extra.txt" not in {d["source"] for d in ix.documents()}
    assert not any("Vistula" in p.text for p in retrieve("Vistula bridge", index_dir=index))
    assert ix.count() == removed.passages


def test_no_change_loads_no_model_and_no_chromadb(seed_index):
    code = (
        "import sys; from qa.index import build; "
        f"r = build({str(ROOT / 'seeds')!r}, {str(seed_index)!r}); "
        "assert not r.changed_anything, r; "
        "assert 'sentence_transformers' not in sys.modules and 'torch' not in sys.modules; "
        "assert 'chromadb' not in sys.modules; print('ok')"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_interrupted_build_keeps_the_old_index(seeds_copy, tmp_path, embedder, monkeypatch):
    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    live = current_generation(index)
    (seeds_copy / "new.txt").write_text("ANNA: One.\nBOB: The dam holds 7 million litres.\n")

    def boom(self, texts, progress=False):
        raise KeyboardInterrupt

    monkeypatch.setattr(Embedder, "encode", boom)
    with pytest.raises(KeyboardInterrupt):
        build(seeds_copy, index, embedder=embedder)
    monkeypatch.undo()
    assert current_generation(index) == live
    assert not list(index.glob("*.tmp-*"))
    top = retrieve("Who commanded the CSTO peacekeeping force?", index_dir=index)
    assert any("Serdyukov" in p.text for p in top)
    again = build(seeds_copy, index, embedder=embedder)
    assert again.added == ["new.txt"] and current_generation(index) != live


def test_a_killed_build_leaves_a_leftover_that_readers_ignore(seeds_copy, tmp_path, embedder):
    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    live = current_generation(index)
    (index / "gen-000099.tmp-12345").mkdir()  # what SIGKILL mid-build leaves
    assert Index(index).generation == live
    (seeds_copy / "new.txt").write_text("ANNA: One.\nBOB: The dam holds 7 million litres.\n")
    build(seeds_copy, index, embedder=embedder)
    assert not (index / "gen-000099.tmp-12345").exists()


def test_second_writer_is_refused(tmp_path, seeds_copy):
    index = tmp_path / "index"
    with writer_lock(index):
        with pytest.raises(IndexLocked, match="one writer at a time"):
            build(seeds_copy, index)


def test_model_mismatch_is_refused_or_rebuilt(seed_index):
    with pytest.raises(IndexMismatch, match="built with model 'all-MiniLM-L6-v2'"):
        retrieve("Who commanded?", index_dir=seed_index, model="another-model")


def test_changed_model_triggers_rebuild(tmp_path, seeds_copy, embedder):
    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    manifest = index / current_generation(index) / "manifest.json"
    m = json.loads(manifest.read_text())
    m["chunker"] = "0"
    manifest.write_text(json.dumps(m))
    report = build(seeds_copy, index, embedder=embedder)
    assert report.rebuilt_because == f"chunker version 0 -> {CHUNKER_VERSION}"
    assert report.embedded == report.passages


def test_bad_files_are_named_and_the_rest_indexed(tmp_path, seeds_copy, embedder):
    (seeds_copy / "empty.txt").write_text("")
    (seeds_copy / "latin1.txt").write_bytes("Caf\xe9 r\xe9sum\xe9: ANNA: hi".encode("latin-1"))
    (seeds_copy / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    report = build(seeds_copy, tmp_path / "index", embedder=embedder)
    reasons = dict(report.skipped)
    assert reasons["empty.txt"] == "empty file"
    assert reasons["latin1.txt"].startswith("not UTF-8")
    assert reasons["image.png"].startswith("binary")
    assert report.added == [KREMLIN, UN]


def test_a_file_turned_unreadable_keeps_its_last_version(tmp_path, seeds_copy, embedder):
    index = tmp_path / "index"
    build(seeds_copy, index, embedder=embedder)
    (seeds_copy / UN).write_bytes(b"\xff\xfe garbage \x00\x01")
    report = build(seeds_copy, index, embedder=embedder)
    assert report.kept == [UN] and not report.removed
    assert UN in {d["source"] for d in Index(index).documents()}


def test_empty_or_missing_seeds(tmp_path):
    (tmp_path / "seeds").mkdir()
    with pytest.raises(SeedError, match="no readable transcripts"):
        build(tmp_path / "seeds", tmp_path / "index")
    with pytest.raises(SeedError, match="seeds folder not found"):
        build(tmp_path / "nope", tmp_path / "index")
    with pytest.raises(IndexNotBuilt, match="qa index"):
        Index(tmp_path / "index")


def test_large_index_keyword_queries_keep_their_rarest_terms(seed_index, monkeypatch):
    import qa.index

    ix = Index(seed_index)
    sent = []
    real_sql = ix._sql
    monkeypatch.setattr(ix, "_sql", lambda q, a=(): sent.append((q, a)) or real_sql(q, a))
    # Behave as on a corpus of millions, where these terms' postings would not all fit.
    monkeypatch.setattr(qa.index, "LARGE_INDEX", 0)
    budget = ix.document_frequency("serdyukov") + ix.document_frequency("airborne")
    monkeypatch.setattr(qa.index, "POSTINGS_BUDGET", budget)
    hits = ix.keyword(["kazakhstan", "csto", "commander", "serdyukov", "airborne"], 5)
    match = next(a[0] for q, a in sent if "bm25" in q)
    assert match == '"serdyukov" OR "airborne"' or match == '"airborne" OR "serdyukov"'
    assert "Serdyukov" in ix.passages([hits[0][0]])[hits[0][0]].text
    assert ix.keyword(["kazakhstan"], 5) == []  # nothing within budget: dense search covers it


def test_every_format_indexes_and_cites_time_or_page(tmp_path, embedder):
    """Captions, subtitles, speech JSON, Word and PDF go through build() like text does."""
    from conftest import DATA

    from qa.index import Index

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    for name in ("captions.vtt", "subtitles.srt", "assemblyai.json", "otter.docx", "hearing.pdf",
                 "markdown_bold.md"):  # fmt: skip
        shutil.copy(DATA / "formats" / name, seeds / name)
    report = build(seeds, tmp_path / "index", embedder=embedder)
    assert sorted(report.added) == sorted(p.name for p in seeds.iterdir()) and not report.skipped
    idx = Index(tmp_path / "index")
    docs = {d["source"]: d for d in idx.documents()}
    assert docs["captions.vtt"]["format"] == "vtt" and docs["captions.vtt"]["end_time"] > 0
    assert docs["hearing.pdf"]["pages"] >= 2
    assert "Carla Mendes" in docs["captions.vtt"]["speakers"]
    assert all(p.page for p in idx.document_passages("hearing.pdf"))
    timed = idx.document_passages("subtitles.srt")
    assert all(p.start_time is not None and p.end_time >= p.start_time for p in timed)
    hits = retrieve("permit decisions", k=3, index_dir=tmp_path / "index")
    assert hits and all(h.start_time is not None or h.page or h.source.endswith(".md")
                        for h in hits)  # fmt: skip


def _note(seeds, name, place):
    (seeds / name).write_text(f"Minutes\nMay 2, 2024\n\nANNA BERG: The {place} dam holds "
                              f"7 million litres.\nTOM LI: Agreed.\n")  # fmt: skip


def test_a_build_writes_only_the_change_and_readers_keep_their_generation(
    small_seeds, tmp_path, embedder
):
    index = tmp_path / "index"
    base = build(small_seeds, index, embedder=embedder)
    _note(small_seeds, "dam.txt", "Vistula")
    added = build(small_seeds, index, embedder=embedder)
    assert added.written == added.embedded == 3 and not added.rewritten
    segments = Index(index).manifest["segments"]
    assert [s["vectors"] for s in segments] == [base.passages, 3]
    before = Index(index)  # a reader of this generation, like an app answering meanwhile

    (small_seeds / "dam.txt").unlink()
    removed = build(small_seeds, index, embedder=embedder)
    assert removed.removed == ["dam.txt"] and removed.written == 0
    after = Index(index)
    assert [s["name"] for s in after.manifest["segments"]] == [segments[0]["name"]]
    assert "dam.txt" not in {d["source"] for d in after.documents()}
    vector = embedder.encode_query("How much does the Vistula dam hold?")
    assert all(after.passages([i])[i].source != "dam.txt" for i, _ in after.dense(vector, 5))
    assert not after.keyword(["vistula"], 5)
    # the reader opened before the removal still sees its whole generation
    assert before.passages([before.dense(vector, 1)[0][0]]).popitem()[1].source == "dam.txt"
    assert not before.keyword(["vistula"], 5)  # the keyword index holds the alive rows only
    assert (index / segments[1]["name"]).is_dir()  # kept while the previous generation is
    _note(small_seeds, "other.txt", "Oder")
    build(small_seeds, index, embedder=embedder)
    assert not (index / segments[1]["name"]).exists()


def test_too_many_segments_are_merged_and_dead_ones_rewritten(
    small_seeds, tmp_path, embedder, monkeypatch
):
    import qa.index

    monkeypatch.setattr(qa.index, "MAX_SEGMENTS", 3)
    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    for i, place in enumerate(["Vistula", "Oder", "Elbe", "Rhine"]):
        _note(small_seeds, f"dam{i}.txt", place)
        report = build(small_seeds, index, embedder=embedder)
        assert len(Index(index).manifest["segments"]) <= 3
    assert report.rewritten and report.written > report.embedded
    ix = Index(index)
    for place in ["Vistula", "Oder", "Elbe", "Rhine"]:
        top = retrieve(f"How much does the {place} dam hold?", index_dir=index)
        assert place in top[0].text
    assert sum(s["vectors"] - s["dead"] for s in ix.manifest["segments"]) == ix.count()
    # removing one of the merged files leaves the merged segment a quarter dead or more
    merged = next(s for s in ix.manifest["segments"] if s["vectors"] <= 12)
    for i in range(4):
        (small_seeds / f"dam{i}.txt").unlink()
    report = build(small_seeds, index, embedder=embedder)
    assert merged["name"] in report.rewritten and report.written == 0
    ix = Index(index)
    assert sum(s["vectors"] for s in ix.manifest["segments"]) == ix.count()


def test_a_build_that_dies_after_its_commit_is_undone(small_seeds, tmp_path, embedder):
    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    live = current_generation(index)
    count = Index(index).count()
    _note(small_seeds, "dam.txt", "Vistula")
    (small_seeds / "council.txt").unlink()
    build_killed_after_commit(small_seeds, index, embedder)
    ix = Index(index)
    assert ix.generation == live and ix.count() == count
    assert "council.txt" in {d["source"] for d in ix.documents()}
    assert not list(index.glob("*.tmp-*"))
    report = build(small_seeds, index, embedder=embedder)
    assert report.added == ["dam.txt"] and report.removed == ["council.txt"]
    ix = Index(index)
    assert {d["source"] for d in ix.documents()} == {"board.txt", "press.txt", "dam.txt"}
    assert ix.count() == report.passages == sum(f["passages"] for f in
                                                 ix.manifest["files"].values())  # fmt: skip


def test_an_index_of_an_older_format_is_rebuilt_or_refused(small_seeds, tmp_path, embedder):
    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    manifest = index / current_generation(index) / "manifest.json"
    m = json.loads(manifest.read_text())
    manifest.write_text(json.dumps({**m, "format": 3}))
    with pytest.raises(IndexMismatch, match="older qa .*rebuild it with `qa index`"):
        Index(index)
    report = build(small_seeds, index, embedder=embedder)
    assert report.rebuilt_because == f"index format 3 -> {qa_index_format()}"
    assert Index(index).count() == report.passages


def qa_index_format():
    from qa.index import FORMAT

    return FORMAT


def test_dead_vectors_nearest_the_question_are_skipped(small_seeds, tmp_path, embedder):
    index = tmp_path / "index"
    (small_seeds / "filler.txt").write_text("Roll call\nMay 9, 2024\n\n" + "".join(
        f"CLERK: Item {i} of the agenda is approved.\n" for i in range(30)))  # fmt: skip
    _note(small_seeds, "dam.txt", "Vistula")
    (small_seeds / "floods.txt").write_text("Flood desk\nMay 2, 2024\n\n" + "".join(
        f"{who}: The Vistula is rising.\n" for who in ["ANNA BERG", "TOM LI"] * 3))  # fmt: skip
    (small_seeds / "bridge.txt").write_text(
        "Minutes\nMay 3, 2024\n\nTOM LI: So, as the minutes of the last three meetings of "
        "this board have recorded at some length, the old bridge over the Vistula will reopen "
        "to traffic on the twelfth of May.\n"
    )
    build(small_seeds, index, embedder=embedder)
    vector = embedder.encode_query("How much does the Vistula dam hold?")
    ix = Index(index)
    assert Index(index).passages([Index(index).dense(vector, 1)[0][0]]).popitem()[1].source == (
        "dam.txt"
    )
    (small_seeds / "dam.txt").unlink()
    (small_seeds / "floods.txt").unlink()
    report = build(small_seeds, index, embedder=embedder)
    ix = Index(index)
    (segment,) = ix.manifest["segments"]
    assert segment["dead"] >= 9 and not report.rewritten  # the dead stay in the one segment
    for k in (1, 2, 5):
        hits = ix.dense(vector, k)
        assert len(hits) == k and "dam.txt" not in {p.source for p in ix.passages(
            [i for i, _ in hits]).values()}  # fmt: skip


def test_keyword_search_skips_the_rows_of_a_build_not_yet_live(small_seeds, tmp_path, embedder):
    index = tmp_path / "index"
    (small_seeds / "bridge.txt").write_text(
        "Minutes\nMay 3, 2024\n\nTOM LI: So, as the minutes of the last three meetings of "
        "this board have recorded at some length, the old bridge over the Vistula will reopen "
        "to traffic on the twelfth of May.\n"
    )
    build(small_seeds, index, embedder=embedder)
    (small_seeds / "floods.txt").write_text("Flood desk\nMay 2, 2024\n\n" + "".join(
        f"{who}: The Vistula is rising.\n" for who in ["ANNA BERG", "TOM LI"] * 3))  # fmt: skip
    build_killed_after_commit(small_seeds, index, embedder)  # its new rows are in the FTS table
    ix = Index(index)
    for k in (1, 3):
        hits = ix.keyword(["vistula"], k)
        assert {p.source for p in ix.passages([i for i, _ in hits]).values()} == {"bridge.txt"}


def test_an_index_built_step_by_step_answers_as_one_built_at_once(small_seeds, tmp_path,
                                                                  embedder):  # fmt: skip
    import qa

    steps = tmp_path / "steps"
    build(small_seeds, steps, embedder=embedder)
    _note(small_seeds, "dam.txt", "Vistula")
    _note(small_seeds, "weir.txt", "Oder")
    build(small_seeds, steps, embedder=embedder)
    board = small_seeds / "board.txt"
    board.write_text(board.read_text() + "ANNA BERG: The troops left on a Sunday.\n")
    (small_seeds / "dam.txt").unlink()
    build(small_seeds, steps, embedder=embedder)
    at_once = tmp_path / "at-once"
    build(small_seeds, at_once, embedder=embedder)
    a, b = Index(steps), Index(at_once)
    for terms in (["troops"], ["dam", "floods"], ["vistula"], ["oder", "litres"]):
        assert a.keyword(terms, 10) == b.keyword(terms, 10)
        assert [a.document_frequency(t) for t in terms] == [b.document_frequency(t) for t in terms]
    for q in ("When did the troops leave?", "How much does the Oder dam hold?",
              "Who commanded the troops?", "What does the Vistula dam hold?"):  # fmt: skip
        x, y = qa.answer(q, index_dir=steps), qa.answer(q, index_dir=at_once)
        assert (x.text, [c.id for c in x.citations]) == (y.text, [c.id for c in y.citations]), q


def test_a_build_reads_only_files_whose_size_or_time_changed(small_seeds, tmp_path, embedder,
                                                             monkeypatch):  # fmt: skip
    import pathlib

    import qa.index

    index = tmp_path / "index"
    build(small_seeds, index, embedder=embedder)
    board = small_seeds / "board.txt"
    # within two seconds of the scan, equal size and time are not trusted: a same-size edit
    # in the same clock tick is still seen
    stat = board.stat()
    board.write_text(board.read_text().replace("Friday", "Monday"))
    os.utime(board, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert build(small_seeds, index, embedder=embedder).changed == ["board.txt"]

    monkeypatch.setattr(qa.index, "RACY_NS", 0)
    read = []
    real = pathlib.Path.read_bytes
    monkeypatch.setattr(pathlib.Path, "read_bytes", lambda p: read.append(p.name) or real(p))
    assert not build(small_seeds, index, embedder=embedder).changed_anything
    assert read == []  # nothing changed: no file read
    (small_seeds / "press.txt").write_text((small_seeds / "press.txt").read_text() + "X: Y.\n")
    report = build(small_seeds, index, embedder=embedder)
    assert report.changed == ["press.txt"] and read == ["press.txt"]
