"""Scores the sentences of the top passages (`qa.score`) and orders the top by its best one.

A word of the question that no passage holds ("peacekeping", "withdrawl") is first read as
the word closest to it in the passages found (the dense ranking finds them despite the slip):
the query that comes out says so. Then every sentence of the top passages, and of the first
few of every single ranking (a passage keyword search puts first can sit far down the fused
list when the dense ranking misses it), is scored; those passages are ordered by their best
sentence, the rest stay below in fused order, and `Passage.score` becomes the best
sentence's score. With `reorder=False` (the plain baselines) the sentences are scored for
the reader and the order is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from qa.query import STOPWORDS, synonym
from qa.retrieve import CANDIDATES, Hit
from qa.score import Scorer
from qa.types import Query
from qa.understand import LIKENESS, likeness, name_words, respell

RERANK_DEPTH = 16  # passages whose sentences are scored to reorder the top of the list
RERANK_EACH = 6  # ... plus the top few of every single ranking


@dataclass(frozen=True)
class SentenceRanker:
    reorder: bool = True
    depth: int = RERANK_DEPTH
    each: int = RERANK_EACH
    weights: dict | None = None  # the sentence signals' weights (None: `qa.score.SENTENCE_WEIGHTS`)

    def rank(self, index, query: Query, hits: list[Hit]) -> tuple[Query, list[Hit]]:
        """The query as read against the passages found, and `hits` with their sentences
        scored (the top reordered)."""
        if not hits:
            return query, hits
        if not self.reorder:
            scorer = Scorer(index, query.text, list(query.named), weights=self.weights)
            for h in hits[: self.depth]:
                h.candidates = scorer.candidates(h.passage, h.fused, hits[0].fused, h.dense)
            return query, hits
        texts = [h.passage.text for h in hits[:CANDIDATES]]  # how the transcripts write words
        query = replace(query, text=respell_words(index, query.text, texts))
        scorer = Scorer(index, query.text, list(query.named), texts, self.weights)
        chosen = [i < self.depth or h.lead < self.each for i, h in enumerate(hits)]
        top = [h for h, c in zip(hits, chosen) if c]
        rest = [h for h, c in zip(hits, chosen) if not c]
        for h in top:
            h.candidates = scorer.candidates(h.passage, h.fused, top[0].fused, h.dense)
        # A passage whose best sentence cannot be the answer (`Candidate.fits`) ranks lower.
        top.sort(key=lambda h: (h.passage.minor, not (h.best and h.best.fits),
                                -(h.best.score if h.best else -1.0)))  # fmt: skip
        for h in top:
            h.passage.score = round(h.best.score, 4) if h.best else h.passage.score
        return query, top + rest


def respell_words(index, text: str, texts: list[str]) -> str:
    """A word of `text` that no passage holds ("peacekeping", "withdrawl") becomes the one
    closest to it in `texts`, the passages found. Speakers' names are left as typed."""
    names = name_words(index)
    seen: set[str] = set()

    def fix(w: str) -> str:
        low = w.lower()
        if low in STOPWORDS or low in names or synonym(low) or index.document_frequency(low):
            return w
        if not seen:
            seen.update(x.lower() for t in texts for x in re.findall(r"[^\W\d_]{4,}", t))
        close = likeness(w, (x for x in seen if abs(len(x) - len(low)) <= 2))
        best = max(close, key=close.get, default=None)
        # "listen" is not a slip for "list": a word that runs on past a whole corpus word is
        # another word (a slip drops, swaps or doubles letters: "withdrawl", "peacekeping").
        if not best or close[best] < LIKENESS or (low.startswith(best) and low != best):
            return w
        return best.capitalize() if w[0].isupper() else best  # "Serdukov": still a name

    return respell(text, fix)
