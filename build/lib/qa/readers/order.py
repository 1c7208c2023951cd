"""Answers a question about the order of speaking ("Who spoke after Zas?") from the turns
the retriever put first (`qa.retrieve.by_order`), quoted in the order they were spoken."""

from __future__ import annotations

from dataclasses import dataclass

from qa.readers import quote
from qa.types import Answer, Query

_LEADS = {"after": "After {who}: ", "before": "Before {who}: ", "first": "First to speak: ",
          "last": "Last to speak: "}  # fmt: skip


@dataclass(frozen=True)
class OrderReader:
    def read(self, query: Query, hits: list) -> Answer | None:
        turns = [h for h in hits if h.span]
        if not turns:
            return None
        text, citations = quote([(h.passage, *h.span) for h in turns])
        who = query.named[0] if query.named else ""
        text = _LEADS.get(query.relation, "").format(who=who) + text
        citations += [h.passage for h in hits if h.passage not in citations]
        return Answer(text, citations[: max(query.k, len(turns))], True, query.text, 1.0)
