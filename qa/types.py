"""The plain data types that flow through every stage: chunker -> index -> retrieval -> UI.

Nothing here imports a heavy library, so every module (and every test) can use them.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A span of one seed file, usually (part of) one speaker's turn.

    `start`/`end` are character offsets into the seed file's text, so
    `seed_text[start:end] == text` always holds. `id` derives from source and
    content, so re-indexing unchanged text never duplicates it.
    """

    text: str
    source: str
    start: int
    end: int
    speaker: str | None = None
    role: str | None = None
    title: str = ""
    date: str | None = None  # ISO 8601, the document's date
    turn: int = 0  # 0 is the document header; turns count from 1; -1 a fixed-size chunk
    minor: bool = False  # a procedural turn ("Thank you.") that never outranks real content
    context: str = ""  # the question this turn replies to ("Jane Okafor asked: And the cost?")
    score: float = 0.0
    # Set by the answerer: offsets (into the seed file) of the sentence(s) that answer.
    highlights: list[tuple[int, int]] = field(default_factory=list)

    @functools.cached_property  # its text and place never change; a hash is no free lookup
    def id(self) -> str:
        return passage_id(self.source, self.start, self.text)

    def context_header(self) -> str:
        """Who said it, where: the line prepended to the text before embedding."""
        who = self.speaker or "Narration"
        if self.role:
            who += f" ({self.role})"
        head = f"{who}. {self.title}, {self.date or 'undated'}."
        return f"{head}\n{self.context}" if self.context else head

    def embedding_text(self) -> str:
        if self.turn < 0:  # a fixed-size baseline chunk: embedded as is, like the usual recipe
            return self.text
        return f"{self.context_header()}\n{self.text}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["id"] = self.id
        d["highlights"] = [list(h) for h in self.highlights]
        return d


def passage_id(source: str, start: int, text: str) -> str:
    digest = hashlib.sha256(f"{source}\x00{start}\x00{text}".encode()).hexdigest()
    return digest[:24]


@dataclass
class Document:
    """One seed file's metadata, read from its header (or its prose when it has none)."""

    source: str
    title: str
    date: str | None = None
    place: str | None = None
    participants: list[str] = field(default_factory=list)  # "Name (Role)" or "Name"
    sha256: str = ""


# What each citation carries in `Answer.to_dict()` and the app's `/ask` JSON.
CITATION_FIELDS = ("n", "speaker", "role", "source", "title", "date", "text", "start", "end",
                   "score", "highlights")  # fmt: skip


@dataclass
class Answer:
    """What `qa.answer` returns. `[n]` in `text` refers to `citations[n - 1]`."""

    text: str
    citations: list[Passage]
    found: bool
    query: str
    score: float = 0.0  # the best sentence's score; below the threshold, found is False

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "found": self.found,
            "query": self.query,
            "score": round(self.score, 3),
            "citations": [{"n": i, **c.to_dict()} for i, c in enumerate(self.citations, start=1)],
        }
