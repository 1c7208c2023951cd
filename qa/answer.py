"""Extractive answers: the sentence(s) of the retrieved passages that answer, cited.

No language model. Sentences are scored by `qa.score.Scorer` (coverage of the question,
the kind of answer asked for, passage rank). The best one, and a second one when it is nearly
as good, become the answer, quoted with the speaker's name and a
`[n]` marker; each sentence's span is recorded on its cited passage (`highlights`).

The answerer abstains (`found=False`, citing the nearest passages) when the best sentence
scores below `MIN_SCORE`, or when rare words of the question (names, specific things; its
verbs at half weight, `qa.score.VERB_MISSING`) are not in its passage: "Which club won the
Champions League final?" shares words with the transcripts, but not "club" or "Champions".
The limits were calibrated on the development questions only (see docs/quality.md).

A question about the order of speaking ("Who spoke after Zas?") is answered from the turns
(`qa.order`): the turns concerned are quoted in the order they were spoken.
"""

from __future__ import annotations

from pathlib import Path

from qa.retrieve import open_index, search
from qa.score import Scorer
from qa.types import Answer, Passage

TOP_PASSAGES = 8
MIN_SCORE = 0.7
MAX_MISSING = 0.42  # abstain when absent rare question words carry this much of its weight
SECOND_SENTENCE = 0.9  # a second sentence is quoted when it scores this share of the best
NEXT_SENTENCE = 0.8  # ... or this share when it is the very next sentence of the same passage
ADDS_SENTENCE = 0.7  # ... or this share when it also holds question words the best one lacks
NOTHING_FOUND = "The transcripts do not seem to answer this."
NOT_FOUND = f"{NOTHING_FOUND} The nearest passages are below."
NO_PASSAGES = "No passage matches the speaker or document chosen; try without the filter."


def answer(
    question: str,
    history: list[str] | None = None,
    speaker: str | None = None,
    source: str | None = None,
    *,
    k: int = 5,
    index_dir: Path | str | None = None,
    model: str | None = None,
    mode: str = "full",
) -> Answer:
    """Answer `question` from the transcripts with cited sentences.

    Args are as for `qa.retrieve`. Raises QuestionError for an empty or over-long question,
    IndexNotBuilt when there is no index.
    """
    found = search(question, k=k, history=history, speaker=speaker, source=source,
                   index_dir=index_dir, model=model, mode=mode)  # fmt: skip
    if found.order:
        return _order_answer(found, k)
    hits = found.hits[: max(TOP_PASSAGES, k)]
    if not hits:
        return Answer(NO_PASSAGES if speaker or source else NOTHING_FOUND, [], False, found.query)
    scorer = None
    for h in hits:
        if h.candidates is None:  # baselines do not rerank; score their sentences here
            scorer = scorer or Scorer(open_index(index_dir), found.query, found.speakers_named)
            h.candidates = scorer.candidates(h.passage, h.fused, hits[0].fused, h.dense)
    # On a tie the longer text wins: a sentence with the one its "They" refers to holds more.
    candidates = sorted((c for h in hits for c in h.candidates if c.fits),
                        key=lambda c: (-round(c.score, 6), c.start - c.end))  # fmt: skip
    best = candidates[0] if candidates else None
    nearest = [h.passage for h in hits[:k]]
    if best is None or best.score < MIN_SCORE or best.missing_share > MAX_MISSING:
        return Answer(NOT_FOUND, nearest, False, found.query, best.score if best else 0.0,
                      best.missing_share if best else 1.0)  # fmt: skip

    chosen = [best]
    for c in candidates[1:4]:
        overlaps = (
            c.passage.source == best.passage.source and c.start < best.end and best.start < c.end
        )
        # The sentence right after the best one continues its answer: a lower bar.
        follows = (
            c.passage is best.passage
            and not c.passage.text[best.end - c.passage.start : c.start - c.passage.start].strip()
        )
        bar = NEXT_SENTENCE if follows else SECOND_SENTENCE
        if follows and c.held - best.held:
            bar = ADDS_SENTENCE  # it says what the best one leaves out: "The police repelled ..."
        if not overlaps and c.score >= bar * best.score and c.typed:
            chosen.append(c)  # a second sentence nearly as good (windows overlap: not a repeat)
            break
    text, citations = _quote([(c.passage, c.start, c.end) for c in chosen])
    citations += [p for p in nearest if p not in citations][: max(k - len(citations), 0)]
    # Lead with the answer itself when the question asks for a date, number, person, place
    # or named thing: "Colonel-General Serdyukov [1]. Stanislav Zas said: ...". It is taken
    # from the quoted sentence, so it never says more than the quote.
    short = (found.scorer or scorer).short(best.text) if (found.scorer or scorer) else None
    if short:
        text = f"{short} [1]. {text}"
    return Answer(text, citations, True, found.query, best.score, best.missing_share, short)


def _quote(spans: list[tuple[Passage, int, int]]) -> tuple[str, list[Passage]]:
    """'Speaker said: “sentence” [n]' for each span, and the passages the [n] refer to."""
    citations: list[Passage] = []
    quotes: list[list] = []  # [passage, start, end]
    for p, start, end in spans:
        if p not in citations:
            citations.append(p)
        p.highlights.append((start, end))
        last = quotes[-1] if quotes else None
        if (
            last
            and last[0] is p
            and start >= last[2]
            and not p.text[last[2] - p.start : start - p.start].strip()
        ):
            last[2] = end  # the very next sentence: one quote
        else:
            quotes.append([p, start, end])
    parts = []
    for p, start, end in quotes:
        who = f"{p.speaker} said" if p.speaker else "The transcript says"
        quote = " ".join(p.text[start - p.start : end - p.start].split())
        parts.append(f"{who}: “{quote}” [{citations.index(p) + 1}]")
    return " ".join(parts), citations


def _order_answer(found, k: int) -> Answer:
    """The turns that answer "Who spoke after Zas?", quoted in the order they were spoken."""
    text, citations = _quote(found.order)
    who = found.speakers_named[0] if found.speakers_named else ""
    lead = {"after": f"After {who}: ", "before": f"Before {who}: ", "first": "First to speak: ",
            "last": "Last to speak: "}.get(found.relation, "")  # fmt: skip
    text = lead + text
    citations += [h.passage for h in found.hits if h.passage not in citations]
    return Answer(text, citations[: max(k, len(found.order))], True, found.query, 1.0)
