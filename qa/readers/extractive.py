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

eval/calibrate.py fits that decision on four corpora and measures it on the one left out:
the two limits on a grid, or a logistic model (`Calibration`) of "this answer is right" from
a few signals (`evidence`). None of the fits beat these two limits on the corpus left out
(docs/quality.md), so none ships; `eval/calibrate.py --write` saves one as
qa/calibration.json, which the reader then uses instead of the limits.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from importlib import resources

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


# The signals the decision rests on (eval/calibrate.py tried more: the sentence's own share of
# the question, the passage's cosine similarity, the kind of answer; none helped on the corpus
# left out).
FEATURES = ("score", "missing", "fits", "lead")


@dataclass(frozen=True)
class Calibration:
    """P(answering is right) = logistic(bias + sum of weight x feature), features as
    `evidence` gives them; the reader answers when it reaches `threshold`."""

    weights: dict = field(default_factory=dict)
    bias: float = 0.0
    threshold: float = 0.5

    def chance(self, features: dict[str, float]) -> float:
        z = self.bias + sum(w * features[f] for f, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 50.0), -50.0)))

    @classmethod
    def shipped(cls) -> Calibration | None:
        """The calibration in qa/calibration.json, if the package has one."""
        f = resources.files("qa").joinpath("calibration.json")
        if not f.is_file():
            return None
        d = json.loads(f.read_text(encoding="utf-8"))
        return cls(d["weights"], d["bias"], d["threshold"])


def evidence(best, hits: list) -> dict[str, float]:
    """The signals for the chosen sentence `best`: its score, the share of the question's
    rare-word weight its passage lacks, whether it fits the question (`Candidate.fits`), and
    its passage's best rank in any single ranking (dense, keyword, ...; 0 the first), as
    log(1 + rank)."""
    lead = min((h.lead for h in hits if h.passage.id == best.passage.id), default=40)
    # log: first against third matters more than twentieth against thirtieth
    return {"score": best.score, "missing": best.missing_share, "fits": float(best.fits),
            "lead": math.log1p(lead)}  # fmt: skip


@dataclass(frozen=True)
class ExtractiveReader:
    """`calibration`: "shipped" (qa/calibration.json, if any), a `Calibration`, or None for
    the hand-set limits `min_score` and `max_missing`."""

    top: int = TOP_PASSAGES
    min_score: float = MIN_SCORE
    max_missing: float = MAX_MISSING
    calibration: Calibration | str | None = "shipped"

    def choose(self, query: Query, hits: list) -> list:
        """The candidate sentences of the top passages, the one to quote first."""
        calibrated = self._calibration() is not None
        # On a tie the longer text wins: a sentence with the one its "They" refers to holds more.
        ranked = sorted((c for h in hits[: max(self.top, query.k)] for c in h.candidates or []),
                        key=lambda c: (-round(c.score, 6), c.start - c.end))  # fmt: skip
        fitting = [c for c in ranked if c.fits]
        # A calibrated reader weighs a sentence that does not fit the question (`fits`) like
        # any other signal; the hand-set limits never quote one.
        return fitting or (ranked if calibrated else [])

    def _calibration(self) -> Calibration | None:
        if self.calibration == "shipped":
            return _SHIPPED
        return self.calibration

    def answers(self, best, hits: list) -> bool:
        cal = self._calibration()
        if cal is not None:
            return cal.chance(evidence(best, hits)) >= cal.threshold
        return best.score >= self.min_score and best.missing_share <= self.max_missing

    def read(self, query: Query, hits: list) -> Answer:
        hits = hits[: max(self.top, query.k)]
        if not hits:
            text = NO_PASSAGES if query.speaker or query.source else NOTHING_FOUND
            return Answer(text, [], False, query.text)
        candidates = self.choose(query, hits)
        best = candidates[0] if candidates else None
        nearest = [h.passage for h in hits[: query.k]]
        if best is None or not self.answers(best, hits):
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


_SHIPPED = Calibration.shipped()


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
