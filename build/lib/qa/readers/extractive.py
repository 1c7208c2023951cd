"""Extractive answers: the sentence(s) of the ranked passages that answer, quoted and cited.

No language model. The sentences were scored by `qa.score.Scorer` (coverage of the question,
the kind of answer asked for, passage rank) when the passages were ranked (`qa.rank`). The
best one, and a second one when it is nearly as good, become the answer, quoted with the
speaker's name and a `[n]` marker. For who / when / where / how many / which questions the
answer leads with the answer itself, taken from the quoted sentence ("January 13 [1]. ...").

The reader declines (`found=False`, citing the nearest passages) when the best sentence
scores below `min_score`, or when rare words of the question (names, specific things; its
verbs at half weight, `qa.score.VERB_MISSING`) are not in its passage: "Which club won the
Champions League final?" shares words with the transcripts, but not "club" or "Champions".
The limits were calibrated on the development questions (see docs/quality.md).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.readers import quote
from qa.types import Answer, Query

TOP_PASSAGES = 8
MIN_SCORE = 0.7
MAX_MISSING = 0.42  # abstain when absent rare question words carry this much of its weight
SECOND_SENTENCE = 0.9  # a second sentence is quoted when it scores this share of the best
NEXT_SENTENCE = 0.8  # ... or this share when it is the very next sentence of the same passage
ADDS_SENTENCE = 0.7  # ... or this share when it also holds question words the best one lacks
NOTHING_FOUND = "The transcripts do not seem to answer this."
NOT_FOUND = f"{NOTHING_FOUND} The nearest passages are below."
NO_PASSAGES = "No passage matches the speaker or document chosen; try without the filter."


@dataclass(frozen=True)
class ExtractiveReader:
    top: int = TOP_PASSAGES
    min_score: float = MIN_SCORE
    max_missing: float = MAX_MISSING

    def read(self, query: Query, hits: list) -> Answer:
        hits = hits[: max(self.top, query.k)]
        if not hits:
            text = NO_PASSAGES if query.speaker or query.source else NOTHING_FOUND
            return Answer(text, [], False, query.text)
        # On a tie the longer text wins: a sentence with the one its "They" refers to holds more.
        candidates = sorted((c for h in hits for c in h.candidates or [] if c.fits),
                            key=lambda c: (-round(c.score, 6), c.start - c.end))  # fmt: skip
        best = candidates[0] if candidates else None
        nearest = [h.passage for h in hits[: query.k]]
        if best is None or best.score < self.min_score or best.missing_share > self.max_missing:
            return Answer(NOT_FOUND, nearest, False, query.text, best.score if best else 0.0,
                          best.missing_share if best else 1.0)  # fmt: skip
        chosen = [best] + _second(best, candidates[1:4])
        text, citations = quote([(c.passage, c.start, c.end) for c in chosen])
        citations += [p for p in nearest if p not in citations][: max(query.k - len(citations), 0)]
        # Lead with the answer itself when the question asks for a date, number, person, place
        # or named thing: "Colonel-General Serdyukov [1]. Stanislav Zas said: ...". It is taken
        # from the quoted sentence, so it never says more than the quote.
        short = best.short()
        if short:
            text = f"{short} [1]. {text}"
        return Answer(text, citations, True, query.text, best.score, best.missing_share, short)


def _second(best, others) -> list:
    """A second sentence to quote after `best`, if one of `others` is nearly as good."""
    for c in others:
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
            return [c]  # a second sentence nearly as good (windows overlap: not a repeat)
    return []
