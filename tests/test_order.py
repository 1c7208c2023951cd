"""Questions about the order of speaking, answered from the turns, with the real index."""

import pytest

import qa
from qa.order import order_of


@pytest.mark.parametrize(
    "question, relation",
    [
        ("Who spoke after Zas?", "after"),
        ("Who took the floor right after Lukashenko?", "after"),
        ("who spoke before Putin", "before"),
        ("Who spoke first?", "first"),
        ("Who was the last speaker?", "last"),
        ("Who opened the session?", "first"),
        ("Pashinyan's closing remarks", "closing"),
        ("What were Putin's concluding remarks?", "closing"),
        ("What did Tokayev say in his opening statement?", "opening"),
        ("What did Pashinyan say at the start of the session?", "opening"),
        ("Who followed Tokayev?", "after"),
        ("Who reported after Tokayev?", "after"),
        # not about the order of speaking
        ("Who chaired the session?", None),
        ("What did Tokayev say after the attack?", None),
        ("Who was the first to send troops?", None),
        ("What happened after January 6?", None),
        ("Who followed the protests?", None),
        ("What did Tokayev say about the end of the operation?", None),
    ],
)
def test_order_questions_are_recognised(question, relation):
    assert order_of(question) == relation


def test_who_spoke_after_quotes_the_handover_and_the_next_speaker(seed_index):
    a = qa.answer("Who spoke after Zas?", index_dir=seed_index)
    assert a.found and a.text.startswith("After Stanislav Zas: ")
    # The chair's handover, then the speaker it hands over to, in the order spoken.
    assert [c.speaker for c in a.citations[:2]] == ["Nikol Pashinyan", "Alexander Lukashenko"]
    assert "floor to President of the Republic of Belarus Alexander Lukashenko" in a.text
    assert a.citations[0].turn < a.citations[1].turn
    # retrieve agrees with the answer
    top = qa.retrieve("Who spoke after Zas?", k=2, index_dir=seed_index)
    assert [p.id for p in top] == [c.id for c in a.citations[:2]]


def test_a_follow_up_asks_about_the_speaker_an_order_answer_names(seed_index):
    a = qa.answer("What did he say about the West?", history=["Who spoke after Zas?"],
                  index_dir=seed_index)  # fmt: skip
    assert a.query == "What did Alexander Lukashenko say about the West?"
    assert a.found and a.citations[0].speaker == "Alexander Lukashenko"


def test_who_spoke_before_and_first_and_closing_remarks(seed_index):
    before = qa.answer("Who spoke before Lukashenko?", index_dir=seed_index)
    assert [c.speaker for c in before.citations[:2]] == ["Stanislav Zas", "Nikol Pashinyan"]
    first = qa.answer("Who spoke first?", index_dir=seed_index)
    # the chair opened; the first speaker after the chair comes with it
    assert [c.speaker for c in first.citations[:2]] == ["Nikol Pashinyan", "Kassym-Jomart Tokayev"]
    closing = qa.answer("Pashinyan's closing remarks", index_dir=seed_index)
    assert "session can be considered over" in closing.text
    # each quoted span lies in its cited passage
    for c in first.citations[:2] + closing.citations[:1]:
        (start, end), *_ = c.highlights
        assert c.start <= start < end <= c.end


def test_order_questions_on_the_town_hall_format(with_town_hall):
    index = with_town_hall / "index"
    a = qa.answer("Who spoke before Tamas Varga?", index_dir=index)
    # the moderator gave him the floor ("Mr Varga, ..."); before her, the councillor
    assert [c.speaker for c in a.citations[:2]] == ["Rita Holm", "Jane Okafor"]
    last = qa.answer("Who was the last speaker at the town hall?", index_dir=index)
    assert last.citations[0].speaker == "Tamas Varga"  # the moderator's "Good night" is minor


def test_an_order_question_about_nobody_indexed_is_not_answered_from_turns(seed_index):
    a = qa.answer("Who spoke after Guterres?", index_dir=seed_index)
    assert not a.text.startswith("After")
