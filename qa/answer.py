"""Extractive answers: pick the sentence(s) of the retrieved passages that answer, and cite them.

No language model. Each sentence of the top passages is scored by
  * how much of the question's meaning it covers (its words, weighted by rarity in the index),
  * whether it holds the kind of thing asked for ("when" wants a date, "how many" a number,
    "who" a name, "where" a place) that the question does not already contain,
  * how well its passage ranked.
The best sentence (and a second one when it is nearly as good) becomes the answer, quoted with
its speaker and a `[n]` marker; the sentence's span is recorded on the cited passage.

When the best sentence covers too little of the question, the answer says the transcripts do
not answer it and cites the nearest passages instead (`found=False`). Sentences are scored
with words only: nothing is embedded per query besides the question itself.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from qa.chunk import sentence_spans
from qa.query import MONTHS, NUMBER_WORDS, content_terms, question_type, stem, words
from qa.retrieve import Hit, open_index, search
from qa.types import Answer, Passage

TOP_PASSAGES = 8
# Calibrated on the development questions (see docs/quality.md): below this the best
# sentence shares too little with the question to be an answer.
MIN_SCORE = 0.7
NOT_FOUND = "The transcripts do not seem to answer this. The nearest passages are below."

_DATE = re.compile(
    rf"\b({'|'.join(m.capitalize() for m in MONTHS)})\b|\b(19|20)\d\d\b|\b(yesterday|today|"
    r"tomorrow|tonight|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"same day|following day|next day)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[- ][A-Z][a-z]+)+\b")
# Capitalised phrases ending in one of these name an organisation or place, not a person.
_ORG_WORDS = set(
    """forces force council organisation organization republic federation staff ministry treaty
    security nations union office committee department agency army troops institute region city
    centre center bank party government parliament assembly charter state states kingdom
    service services command group minister ministers president secretary general""".split()
)
_PLACE = re.compile(r"\b(?:in|at|to|from|near)\s+(?:the\s+)?[A-Z][\w-]+")


@dataclass
class _Candidate:
    hit: Hit
    rank: int
    start: int  # offsets into the seed file
    end: int
    text: str
    score: float


def answer(
    question: str,
    history: list[str] | None = None,
    speaker: str | None = None,
    source: str | None = None,
    *,
    k: int = 5,
    index_dir: Path | str | None = None,
    model: str | None = None,
) -> Answer:
    """Answer `question` from the transcripts with cited sentences.

    Args and the index used are as for `qa.retrieve`. Raises QuestionError for an empty or
    over-long question, IndexNotBuilt when there is no index.
    """
    found = search(
        question,
        k=k,
        history=history,
        speaker=speaker,
        source=source,
        index_dir=index_dir,
        model=model,
    )
    hits = found.hits[: max(TOP_PASSAGES, k)]
    if not hits:
        return Answer(NOT_FOUND, [], False, found.query)
    index = open_index(index_dir)
    qtype = question_type(found.query)
    weights = _term_weights(index, found.query, found.speakers_named)
    candidates = sorted(
        (
            c
            for rank, h in enumerate(hits)
            for c in _sentences(h, rank, found.query, qtype, weights, hits[0].fused)
        ),
        key=lambda c: -c.score,
    )
    best = candidates[0] if candidates else None
    if best is None or best.score < MIN_SCORE:
        top = best.score if best else 0.0
        return Answer(NOT_FOUND, [h.passage for h in hits[:k]], False, found.query, top)

    chosen = [best]
    for c in candidates[1:4]:
        if (
            c.hit is not best.hit
            and c.score >= 0.9 * best.score
            and _typed(c.text, found.query, qtype)
        ):
            chosen.append(c)
            break
    citations: list[Passage] = []
    parts = []
    for c in chosen:
        p = c.hit.passage
        if p not in citations:
            citations.append(p)
        p.highlights.append((c.start, c.end))
        who = f"{p.speaker} said" if p.speaker else "The transcript says"
        parts.append(f"{who}: “{c.text}” [{citations.index(p) + 1}]")
    for h in hits[:k]:
        if len(citations) >= k:
            break
        if h.passage not in citations:
            citations.append(h.passage)
    return Answer(" ".join(parts), citations, True, found.query, best.score)


def _term_weights(index, query: str, named: list[str]) -> dict[str, float]:
    """Inverse document frequency of each question term (by stem), from the keyword index."""
    n = max(index.count(), 1)
    out = {}
    named_words = {w.lower() for name in named for w in name.split()}
    for t in content_terms(query):
        df = index.document_frequency(t)
        w = math.log((n + 1) / (df + 0.5))
        if t in named_words:
            w *= 0.5  # the speaker's name says whose passage, not which sentence
        out[stem(t)] = max(w, 0.1)
    return out


def _sentences(hit: Hit, rank: int, query: str, qtype: str, weights, top_fused: float):
    p = hit.passage
    total = sum(weights.values()) or 1.0

    def coverage(text):
        stems = {stem(w) for w in words(text)}
        return sum(w for t, w in weights.items() if t in stems) / total

    # subtle: a sentence often answers without repeating the question's words that its
    # neighbours carry ("Yesterday we completed this deployment"), so the passage counts too.
    around = coverage(p.text)
    for a, b in sentence_spans(p.text, offset=p.start):
        text = p.text[a - p.start : b - p.start]
        typed = _typed(text, query, qtype)
        score = 0.65 * coverage(text) + 0.35 * around
        if typed:
            score += 0.3
        elif qtype != "other":
            score -= 0.1
        score += 0.15 * (hit.fused / top_fused) + 0.1 * max(hit.dense, 0.0)
        if (len(text.split()) < 4 and not typed) or text.rstrip().endswith("?"):
            score -= 0.3
        if p.minor:
            score -= 0.3
        yield _Candidate(hit, rank, a, b, text, score)


def _typed(text: str, query: str, qtype: str) -> bool:
    """Does `text` hold the kind of answer the question asks for, beyond the question's words?"""
    asked = {w.lower() for w in words(query)}

    def new(matches):
        return any(m.lower() not in asked for m in matches)

    if qtype == "when":
        return new(m.group(0) for m in _DATE.finditer(text))
    if qtype == "count":
        nums = [
            m.group(0)
            for m in _NUMBER.finditer(text)
            if not re.fullmatch(r"(19|20)\d\d", m.group(0))
        ]
        return new(nums) or new(w for w in words(text) if w.lower() in NUMBER_WORDS)
    if qtype == "who":
        people = [
            m.group(0)
            for m in _NAME.finditer(text)
            if m.group(0).split()[-1].lower() not in _ORG_WORDS
        ]
        return new(w for name in people for w in name.replace("-", " ").split())
    if qtype == "which":
        return new(m.group(0) for m in re.finditer(r"(?<=\w )[A-Z][\w-]+", text))
    if qtype == "where":
        return new(m.group(0).split()[-1] for m in _PLACE.finditer(text))
    return True
