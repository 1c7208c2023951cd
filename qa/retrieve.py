"""Query -> ranked passages: dense (Chroma) and keyword (SQLite FTS5) rankings, fused.

Dense search finds paraphrases; keyword search finds the names, numbers and dates that
embeddings blur; `qa.fusion` joins them by reciprocal rank. A speaker the question names
("What did Rahmon say ...") adds rankings restricted to that speaker's passages; a follow-up
adds the passages that answered the previous question (`Query.follow_up`). Procedural turns
(`minor`) rank after every substantive passage. For a question about the order of speaking,
`by_order` puts the turns that answer it first: no words say who spoke after whom.

Deliberately left out: reading the passages (`qa.rank` orders the top by their sentences) and
a cross-encoder reranker (none is installable here).
"""

from __future__ import annotations

from dataclasses import dataclass

from qa.embed import Embedder
from qa.fusion import best_ranks, fuse
from qa.order import quotes as order_quotes
from qa.score import Candidate
from qa.types import Passage, Query

CANDIDATES = 40  # passages each ranking offers to the fusion


@dataclass
class Hit:
    passage: Passage
    fused: float
    dense: float  # cosine similarity to the query, 0 when only keyword search found it
    lead: int = 0  # its best 0-based rank in any single ranking
    candidates: list[Candidate] | None = None  # its scored sentences (`qa.rank`)
    # For a question about the order of speaking: the span (offsets) of the turn quoted.
    span: tuple[int, int] | None = None

    @property
    def best(self) -> Candidate | None:
        return max(self.candidates, key=lambda c: (c.fits, c.score)) if self.candidates else None


@dataclass(frozen=True)
class Retriever:
    """Which rankings to fuse: `dense`, `keyword`, and `speakers` (rankings of the passages
    of the speakers a question names). The plain baselines switch some off."""

    dense: bool = True
    keyword: bool = True
    speakers: bool = True
    depth: int = CANDIDATES
    keyword_weight: float = 1.0  # a keyword ranking's share in the fusion, a dense one's is 1

    def __post_init__(self):
        if not (self.dense or self.keyword):
            raise ValueError("a retriever needs dense or keyword search, or both")

    def retrieve(self, index, query: Query) -> list[Hit]:
        """Every passage some ranking found for `query`, best first (fused score)."""
        n = max(self.depth, query.k)
        where = {"speaker": query.speaker, "source": query.source}
        rankings, weights, sims, vector = [], [], {}, None
        if self.dense:
            vector = Embedder(index.model).encode_query(query.text)
            dense = index.dense(vector, n, **where)
            rankings.append([i for i, _ in dense])
            weights.append(1.0)
            sims = dict(dense)
        if self.keyword:
            rankings.append([i for i, _ in index.keyword(list(query.terms), n, **where)])
            weights.append(self.keyword_weight)
        named = list(query.named) if self.speakers else []
        if named and vector is not None:
            # The question is about what a named person said: rank their passages too.
            for_named = index.dense(vector, n, speaker=named, source=query.source, boost=True)
            sims.update(for_named)
            rankings.append([i for i, _ in for_named])
            weights.append(1.0)
            # Within their passages their own name matches everything: rank by the topic words.
            names = {w.lower() for name in named for w in name.split()}
            topic = [t for t in query.terms if t not in names]
            rankings.append([i for i, _ in index.keyword(topic, n, speaker=named,
                                                         source=query.source)])  # fmt: skip
            weights.append(self.keyword_weight)
        if query.follow_up:
            # A follow-up is usually answered near the previous answer.
            rankings.append(list(query.follow_up))
            weights.append(1.0)
        fused = fuse(rankings, weights=weights)
        lead = best_ranks(rankings)
        passages = index.passages(list(fused))
        hits = []
        for pid, score in fused.items():
            p = passages[pid]
            p.score = round(score, 5)
            hits.append(Hit(p, score, sims.get(pid, 0.0), lead[pid]))
        hits.sort(key=lambda h: (h.passage.minor, -h.fused))
        return hits


def by_order(index, query: Query, hits: list[Hit]) -> list[Hit]:
    """For a question about the order of speaking ("Who spoke after Zas?"): the turns that
    answer it, each with the span to quote, then `hits`. `hits` alone when the transcripts
    cannot say (a speaker it needs is not named, or spoke nowhere)."""
    if not query.relation:
        return hits
    spans = order_quotes(index, query.relation, query.text, list(query.named), query.source)
    if not spans:
        return hits
    sims = {h.passage.id: h.dense for h in hits}
    first = {p.id: Hit(p, 1.0, sims.get(p.id, 0.0), span=(a, b)) for p, a, b in spans}
    return list(first.values()) + [h for h in hits if h.passage.id not in first]
