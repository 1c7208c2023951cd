"""The evaluation itself: question files that load and make sense, figures computed right, and
every baseline run on the same questions.

Quality levels are not asserted here (issue 19): they live in `qa eval` and
`docs/quality.md`, measured and reported, so that a test never sits one point under
the last measurement or pins how many question files there are.
"""

import re

import pytest
from conftest import ROOT

from qa.evaluate import Result, compare, load_questions, run, short_right, summarize

EVAL = ROOT / "eval"
# Which transcripts each family of question files is about.
CORPORA = {"formats_qa": EVAL / "formats", "formats_heldout_qa": EVAL / "formats_heldout"}
QUESTION_FILES = sorted(EVAL.glob("*_qa.jsonl")) + sorted(EVAL.glob("formats*_qa/*_qa.jsonl"))


def sources_for(path):
    folder = CORPORA.get(path.parent.name)
    if folder is not None:
        return {p.name for p in folder.iterdir()}
    return {p.name for p in (ROOT / "seeds").iterdir()} | {
        p.name for p in (EVAL / "corpus").iterdir()
    }


@pytest.mark.parametrize("path", QUESTION_FILES, ids=lambda p: p.name)
def test_question_files_are_well_formed(path):
    questions = load_questions(path)
    assert questions, path
    known = sources_for(path)
    for q in questions:
        assert q["id"] and q["question"].strip(), q
        assert isinstance(q.get("answerable", True), bool), q
        for pattern in q.get("answers", []):
            re.compile(pattern)
        if q.get("answerable", True):
            assert q["answers"], q  # an answerable question says what a right answer holds
        assert q.get("source") in (None, *known), q
        assert q.get("history") is None or all(isinstance(h, str) for h in q["history"]), q
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids)), path


def result(answerable=True, rank=1, correct=True, speaker_ok=True, found=True, **kw):
    return Result("x", "q", answerable, rank, correct, speaker_ok, found, 0.01, "a", "q", **kw)


def test_summary_figures_are_computed_as_documented():
    rs = [
        result(rank=1),
        result(rank=3, correct=False, speaker_ok=False),
        result(rank=None, correct=False, speaker_ok=None, found=False),
        result(answerable=False, rank=None, correct=True, speaker_ok=None, found=False),
        result(answerable=False, rank=None, correct=False, speaker_ok=None, found=True),
    ]
    s = summarize(rs)
    assert (s["hit@1"], s["hit@5"], s["mrr@5"]) == (0.333, 0.667, 0.444)
    assert (s["answer_accuracy"], s["speaker_accuracy"]) == (0.333, 0.5)
    assert (s["abstention"], s["false_abstention"]) == (0.5, 0.333)


def test_a_short_answer_is_right_when_it_is_part_of_the_expected_span():
    pats = [re.compile("Real fighting went on in Almaty", re.I)]
    text = "Almaty [1]. Tokayev said: “Real fighting went on in Almaty.”"
    assert short_right("Almaty", text, pats)
    assert not short_right("Astana", "Astana [1]. Tokayev said: “Real fighting went on in Almaty.”",
                           pats)  # fmt: skip


def test_eval_runs_on_a_second_format_alongside_the_seeds(with_town_hall):
    questions = load_questions(EVAL / "town_hall_qa.jsonl")
    results = run(questions, index_dir=with_town_hall / "index")
    assert [r.id for r in results] == [q["id"] for q in questions]
    assert all(r.found == (not r.answer.startswith("The transcripts do not")) for r in results)


def test_compare_runs_every_pipeline_on_the_same_questions(with_town_hall):
    questions = load_questions(EVAL / "town_hall_qa.jsonl")[:4]
    rows = compare(questions, with_town_hall / "seeds", with_town_hall, progress=lambda m: None)
    names = [name for name, _, _ in rows]
    assert names[0].startswith("fixed") and names[-1].startswith("shipped")
    fixed, shipped = rows[0][1], rows[-1][1]
    assert all(r[1]["questions"] == 4 for r in rows)
    assert fixed["speaker_accuracy"] in (0, None)  # fixed chunks know no speakers
    assert shipped["speaker_accuracy"] == 1.0
    assert rows[2][2][0].answer != ""  # every pipeline answered
