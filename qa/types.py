"""The plain data types that flow through every stage.

Indexing: Document -> (chunker) Passage -> index. Questions: Query -> (retriever) passages ->
(reader) Answer.

Nothing here imports a heavy library, so every module (and every test) can use them.
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import asdict, dataclass, field


@dataclass
class Passage:
    """A span of one transcript, usually (part of) one speaker's turn.

    `start`/`end` are character offsets into the document's text as read (`Document.text`:
    for a plain-text file its text with line ends and spaces normalised; for captions, speech
    JSON, Word and PDF the turns' text as the reader joined it), so `doc.text[start:end] ==
    text` always holds. `start_time`/`end_time` (seconds) and `page` say where the passage is
    in the source when its format has them. `id` derives from source and content, so
    re-indexing unchanged text never duplicates it.
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
    start_time: float | None = None  # seconds from the start of the recording
    end_time: float | None = None
    page: int | None = None  # printed page (PDF), 1-based
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

    def location(self) -> str:
        """Where to check it in the source: time or page where known, else characters."""
        if self.start_time is not None:
            end = f"-{clock(self.end_time)}" if self.end_time is not None else ""
            return f"{self.source}, {clock(self.start_time)}{end}"
        if self.page is not None:
            return f"{self.source}, page {self.page}"
        return f"{self.source}, characters {self.start}-{self.end}"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["id"] = self.id
        d["highlights"] = [list(h) for h in self.highlights]
        return d


def clock(seconds: float | None) -> str:
    """3735.2 -> '1:02:15', 62 -> '1:02'."""
    if seconds is None:
        return ""
    s = int(seconds)
    return (
        f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"
    )


def passage_id(source: str, start: int, text: str) -> str:
    digest = hashlib.sha256(f"{source}\x00{start}\x00{text}".encode()).hexdigest()
    return digest[:24]


@dataclass
class Turn:
    """One stretch of a document by one speaker (or a header or prose block: speaker None).

    `start`/`end` are offsets into `Document.text`. `marks` are the places inside the turn
    where the source says when or on which page the text is: (offset, start_time, end_time,
    page), sorted by offset; a caption cue, a speech-to-text segment or a page break each
    make one. A passage cut from the turn takes the time and page of the marks it spans.
    """

    start: int
    end: int
    speaker: str | None = None
    role: str | None = None
    number: int = 0  # 0: the document header; turns count from 1
    marks: list[tuple[int, float | None, float | None, int | None]] = field(default_factory=list)

    def where(self, a: int, b: int) -> tuple[float | None, float | None, int | None]:
        """(start_time, end_time, page) of the span [a, b) of this turn."""
        first = last = None
        for m in self.marks:
            if m[0] <= a or first is None:
                first = m
            if m[0] < b:
                last = m
        if first is None:
            return None, None, None
        last = last or first
        end_time = last[2] if last[2] is not None else last[1]
        return first[1], end_time, first[3]


@dataclass
class Document:
    """One transcript as read: metadata, its text and its turns.

    `text` and `turns` come from a reader (`qa.formats`) and feed the chunker; the index keeps
    only the metadata. `warnings` say what the reader could not make sense of.
    """

    source: str
    title: str
    date: str | None = None
    place: str | None = None
    participants: list[str] = field(default_factory=list)  # "Name (Role)" or "Name"
    sha256: str = ""
    format: str = "text"  # text, markdown, vtt, srt, json, docx, pdf
    text: str = field(default="", repr=False)
    turns: list[Turn] = field(default_factory=list, repr=False)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Query:
    """A question as understood, made once (`qa.understand`) and read by every later stage.

    `text` is what is searched and read: a follow-up with its subject spelled out, a
    speaker's name spelled as the transcripts spell it. `speaker` and `source` are filters,
    resolved to an indexed speaker and document; `named` are the indexed speakers the question
    names (their passages get rankings of their own); `terms` are the keyword search's words;
    `relation` is what it asks about the order of speaking ("after", "first", ...), if
    anything; `follow_up` are the passages that answered the question it follows up.
    """

    question: str  # as typed, spaces normalised
    text: str
    k: int = 5  # passages wanted
    history: tuple[str, ...] = ()
    speaker: str | None = None
    source: str | None = None
    named: tuple[str, ...] = ()
    terms: tuple[str, ...] = ()
    relation: str | None = None
    follow_up: tuple[str, ...] = ()


# What each citation carries in `Answer.to_dict()` and the app's `/ask` JSON.
CITATION_FIELDS = ("n", "speaker", "role", "source", "title", "date", "text", "start", "end",
                   "start_time", "end_time", "page", "score", "highlights")  # fmt: skip


@dataclass
class Answer:
    """What `qa.answer` returns. `[n]` in `text` refers to `citations[n - 1]`."""

    text: str
    citations: list[Passage]
    found: bool
    query: str
    score: float = 0.0  # the best sentence's score; below the threshold, found is False
    missing: float = 0.0  # share of the question's rare-word weight the best sentence lacks
    short: str | None = None  # the answer itself ("January 13"), when the question asks for one
    reader: str = "extractive"  # "llm" when a language model's answer is shown
    # A language model's sentences that the passages they cite do not support (shown marked).
    unsupported: list[str] = field(default_factory=list)
    fallback: str | None = None  # why the model's answer is not shown, when it is not

    def to_dict(self) -> dict:
        return {
            "answer": self.text,
            "short": self.short,
            "found": self.found,
            "query": self.query,
            "reader": self.reader,
            "unsupported": list(self.unsupported),
            "fallback": self.fallback,
            "score": round(self.score, 3),
            "citations": [{"n": i, **c.to_dict()} for i, c in enumerate(self.citations, start=1)],
        }
