"""A question's way through qa: understand -> retrieve -> rank -> the first reader that answers.

    >>> p = Pipeline("index")                                  # doctest: +SKIP
    >>> p.answer("Who commanded the CSTO peacekeeping force?")  # doctest: +SKIP

Each stage is a small object with its settings (`Retriever`, `SentenceRanker`, the readers
of `qa.readers`) and one method; data flows one way, as a `Query` and a list of `Hit`s. A
follow-up is the one loop: its previous question goes through the same stages first, and
what they found becomes part of the follow-up's `Query` (`qa.understand.follow`).

The baselines `qa eval --compare` measures are other combinations of the same stages
(`BASELINES`). The UI and the CLI build one `Pipeline` and ask it for everything, the
index's speakers and documents included; neither opens the index itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from qa.index import open_index
from qa.rank import RERANK_DEPTH, SentenceRanker
from qa.readers.extractive import ExtractiveReader
from qa.readers.llm import LLMReader, LLMSettings
from qa.readers.order import OrderReader
from qa.retrieve import Hit, Retriever, by_order
from qa.types import Answer, Passage, Query
from qa.understand import follow, previous_question, understand


@dataclass
class Search:
    """What the stages up to reading found: the query as read, and its passages ranked."""

    query: Query
    hits: list[Hit]


@dataclass
class Pipeline:
    """Answers questions from the index at `index_dir` (default: $QA_INDEX_DIR or index/).

    `model`: refuse to run if the index was built with another embedding model.
    `rewrite`: spell out follow-ups and respell names (off: the question as typed).
    `llm`: answer in a language model's words (`LLMSettings`, or the URL of an
    OpenAI-compatible API), checked against the passages; the extractive reader becomes its
    fallback.
    """

    index_dir: Path | str | None = None
    model: str | None = None
    retriever: Retriever = field(default_factory=Retriever)
    ranker: SentenceRanker = field(default_factory=SentenceRanker)
    readers: tuple = (OrderReader(), ExtractiveReader())
    rewrite: bool = True
    llm: LLMSettings | str | None = None

    def __post_init__(self):
        if isinstance(self.llm, str):
            self.llm = LLMSettings.from_env(self.llm)
        if self.llm is not None:
            self.readers = tuple(LLMReader(self.llm, r) if isinstance(r, ExtractiveReader) else r
                                 for r in self.readers)  # fmt: skip

    def index(self):
        ix = open_index(self.index_dir)
        ix.check_model(self.model)
        return ix

    def search(self, question: str, history: list[str] | None = None, speaker: str | None = None,
               source: str | None = None, *, k: int = 5) -> Search:  # fmt: skip
        index = self.index()
        query = understand(index, question, history, speaker, source, k=k,
                           rewrite_question=self.rewrite)  # fmt: skip
        previous = previous_question(index, query) if self.rewrite else None
        if previous:
            before = self.search(previous, None, query.speaker, query.source, k=k)
            query = follow(index, query, previous, before.query, before.hits[:RERANK_DEPTH])
        hits = self.retriever.retrieve(index, query)
        query, hits = self.ranker.rank(index, query, hits)
        if self.rewrite:
            hits = by_order(index, query, hits)
        return Search(query, hits)

    def retrieve(self, question: str, history: list[str] | None = None,
                 speaker: str | None = None, source: str | None = None, *,
                 k: int = 5) -> list[Passage]:  # fmt: skip
        """The `k` passages that best match `question`, best first."""
        return [h.passage for h in self.search(question, history, speaker, source, k=k).hits[:k]]

    def answer(self, question: str, history: list[str] | None = None,
               speaker: str | None = None, source: str | None = None, *,
               k: int = 5) -> Answer:  # fmt: skip
        """The first reader's answer (the last reader always answers, if only to decline)."""
        *_, last = self.read(self.search(question, history, speaker, source, k=k))
        return last

    def stream(self, question: str, history: list[str] | None = None,
               speaker: str | None = None, source: str | None = None, *,
               k: int = 5) -> Iterator[Answer]:  # fmt: skip
        """Answers as they improve: a reader that streams (the language model's) gives the
        extractive answer first, then the model's text as it arrives, then the checked one.
        The last answer is what `answer` returns."""
        yield from self.read(self.search(question, history, speaker, source, k=k))

    def read(self, found: Search) -> Iterator[Answer]:
        """The first reader that answers what `search` found: its answers, the last one final
        (one, unless the reader streams)."""
        for reader in self.readers:
            if hasattr(reader, "stream"):
                yield from reader.stream(found.query, found.hits)
                return
            a = reader.read(found.query, found.hits)
            if a is not None:
                yield a
                return
        raise RuntimeError("no reader answered; the last reader must always answer")

    def speakers(self) -> list[str]:
        return self.index().speakers()

    def documents(self) -> list[dict]:
        return self.index().documents()

    def warm_up(self) -> None:
        """Load the embedding model and open the index, so the first answer is quick."""
        from qa.embed import Embedder

        Embedder(self.index().model).encode_query("warm up")


# The plain baselines `qa eval --compare` measures against the shipped pipeline: the question
# as typed, no speaker rankings, no reordering by sentences, no speaking-order turns.
BASELINES = {
    "dense": dict(retriever=Retriever(keyword=False, speakers=False)),
    "keyword": dict(retriever=Retriever(dense=False, speakers=False)),
    "hybrid": dict(retriever=Retriever(speakers=False)),
}


def baseline(name: str, index_dir: Path | str | None = None) -> Pipeline:
    """The baseline `name` ("dense", "keyword", "hybrid") over the index at `index_dir`."""
    return Pipeline(index_dir, ranker=SentenceRanker(reorder=False), readers=(ExtractiveReader(),),
                    rewrite=False, **BASELINES[name])  # fmt: skip


def retrieve(
    question: str,
    k: int = 5,
    history: list[str] | None = None,
    speaker: str | None = None,
    source: str | None = None,
    *,
    index_dir: Path | str | None = None,
    model: str | None = None,
) -> list[Passage]:
    """The `k` passages that best match `question`, best first.

    Args:
        question: what the user asked.
        k: how many passages to return.
        history: the user's earlier questions in this chat, oldest first; a follow-up
            ("When did it withdraw?") is searched with its subject spelled out.
        speaker: only passages by this speaker (full name or surname).
        source: only passages from this seed file.
        index_dir: the index folder (default: $QA_INDEX_DIR or index/).
        model: refuse to run if the index was built with another embedding model.
    """
    return Pipeline(index_dir, model).retrieve(question, history, speaker, source, k=k)


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

    Args are as for `retrieve`. Raises QuestionError for an empty or over-long question,
    IndexNotBuilt when there is no index.
    """
    return Pipeline(index_dir, model).answer(question, history, speaker, source, k=k)
