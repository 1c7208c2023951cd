"""Readers: the ranked passages of a query -> an `Answer`, or None to let the next one try.

Every reader has one method, `read(query, hits) -> Answer | None`. The pipeline asks them in
turn and returns the first answer. `OrderReader` answers questions about the order of
speaking from the turns the retriever put first; `ExtractiveReader` quotes the sentences that
answer (or declines, citing the nearest passages).
"""

from __future__ import annotations

from typing import Protocol

from qa.types import Answer, Passage, Query


class Reader(Protocol):
    def read(self, query: Query, hits: list) -> Answer | None: ...


def quote(spans: list[tuple[Passage, int, int]]) -> tuple[str, list[Passage]]:
    """'Speaker said: “sentence” [n]' for each span, and the passages the [n] refer to. Each
    span is recorded on its passage (`Passage.highlights`)."""
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
        text = " ".join(p.text[start - p.start : end - p.start].split())
        parts.append(f"{who}: “{text}” [{citations.index(p) + 1}]")
    return " ".join(parts), citations
