"""The question pipeline's stages, each alone and swapped: understand, retrieve, rank, read."""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path

import pytest

from qa.fusion import fuse
from qa.pipeline import Pipeline, baseline
from qa.readers.extractive import NO_PASSAGES, NOT_FOUND, ExtractiveReader
from qa.retrieve import Retriever
from qa.types import Answer, Query

ROOT = Path(__file__).resolve().parent.parent


def test_rank_fusion_adds_reciprocal_ranks():
    fused = fuse([["a", "b"], ["b", "c"]], k=60)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61) and fused["c"] == pytest.approx(1 / 62)
    assert fused["b"] > fused["a"] > fused["c"]
    # a ranking weighted 2 counts twice: "c", first there, overtakes "a"
    weighted = fuse([["a", "b"], ["c", "b"]], k=60, weights=[1.0, 2.0])
    assert weighted["c"] == pytest.approx(2 / 61) and weighted["c"] > weighted["a"]


def test_a_query_is_made_once_and_cannot_change(seed_index):
    p = Pipeline(seed_index)
    found = p.search("And when did it withdraw?", ["What did the CSTO force do in Almaty?"])
    q = found.query
    assert q.question == "And when did it withdraw?"
    assert "CSTO force" in q.text and q.history == ("What did the CSTO force do in Almaty?",)
    assert q.follow_up, "a follow-up carries the passages that answered the question before"
    with pytest.raises(dataclasses.FrozenInstanceError):
        q.text = "something else"


def test_the_first_reader_that_answers_wins(seed_index):
    class Always:
        def read(self, query, hits):
            return Answer(f"{len(hits)} passages for {query.text}", [], True, query.text)

    class Never:
        def read(self, query, hits):
            return None

    p = Pipeline(seed_index, readers=(Never(), Always(), ExtractiveReader()))
    a = p.answer("Who commanded the peacekeeping force?")
    assert a.text.endswith("passages for Who commanded the peacekeeping force?"), a.text
    # without them the shipped readers answer
    assert "Serdyukov" in Pipeline(seed_index).answer("Who commanded the peacekeeping force?").text


def test_the_extractive_reader_declines_with_nothing_to_read():
    q = Query("anything?", "anything?")
    assert ExtractiveReader().read(q, []).found is False
    assert ExtractiveReader().read(dataclasses.replace(q, speaker="X"), []).text == NO_PASSAGES


def test_a_stricter_reader_declines_what_the_shipped_one_answers(seed_index):
    from qa.readers.extractive import Calibration

    question = "Who commanded the peacekeeping force?"
    strict = Pipeline(seed_index, readers=(ExtractiveReader(calibration=None, min_score=99),))
    a = strict.answer(question)
    assert not a.found and a.text == NOT_FOUND and a.citations
    never = Pipeline(seed_index, readers=(ExtractiveReader(calibration=Calibration({}, 0, 1.0)),))
    assert not never.answer(question).found  # a chance of 0.5 never reaches 1.0


def test_baselines_are_the_same_stages_with_parts_switched_off(seed_index):
    question = "What did Tokaev say about snipers?"
    dense = baseline("dense", seed_index).search(question)
    assert dense.query.text == question  # searched as typed: no respelling
    assert all(h.dense > 0 for h in dense.hits)  # dense only: every hit has a similarity
    keyword = baseline("keyword", seed_index).search(question)
    assert keyword.hits and all(h.dense == 0 for h in keyword.hits)
    shipped = Pipeline(seed_index).search(question)
    assert shipped.query.text == "What did Tokayev say about snipers?"
    assert shipped.query.named == ("Kassym-Jomart Tokayev",)
    with pytest.raises(ValueError):
        Retriever(dense=False, keyword=False)


def test_the_ui_and_cli_never_open_the_index_and_the_ui_never_imports_the_cli():
    for name in ("ui", "cli"):
        tree = ast.parse((ROOT / "qa" / f"{name}.py").read_text())
        froms = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
        names = {a.name for n in froms for a in n.names}
        assert not names & {"open_index", "Index"}, f"qa/{name}.py opens the index itself"
        if name == "ui":  # (the CLI hands `qa serve` to the UI; never the other way)
            assert "qa.cli" not in {n.module for n in froms}


def test_a_calibrated_reader_answers_exactly_when_the_chance_reaches_its_threshold(seed_index):
    from qa.readers.extractive import Calibration, evidence

    cal = Calibration({"score": 10.0}, -10.0 * 0.9, 0.5)  # chance 0.5 at score 0.9
    reader = ExtractiveReader(calibration=cal)
    asked = ("Who commanded the peacekeeping force?", "Which club won the Champions League?")
    for question in asked:
        found = Pipeline(seed_index).search(question)
        best = reader.choose(found.query, found.hits)[0]
        assert set(evidence(best, found.hits)) >= {"score", "missing", "fits", "lead"}
        a = reader.read(found.query, found.hits)
        assert a.found == (best.score >= 0.9), (question, best.score, a.found)


def test_a_reader_without_calibration_uses_its_hand_set_limits(seed_index):
    question = "Who commanded the peacekeeping force?"
    hits = Pipeline(seed_index).search(question)
    assert ExtractiveReader(calibration=None).read(hits.query, hits.hits).found
    hits = Pipeline(seed_index).search(question)
    strict = ExtractiveReader(calibration=None, min_score=99).read(hits.query, hits.hits)
    assert not strict.found and strict.citations
