"""qa: question answering over transcripts, with every answer cited to who said it.

    >>> import qa
    >>> a = qa.answer("Who commanded the CSTO peacekeeping force?")  # doctest: +SKIP
    >>> a.citations[0].speaker  # doctest: +SKIP
    'Stanislav Zas'

Importing this package is cheap: the model, chromadb and tiktoken load on first use.
"""

from qa.errors import IndexLocked, IndexMismatch, IndexNotBuilt, QAError, QuestionError, SeedError
from qa.index import build as build_index
from qa.pipeline import Pipeline, answer, retrieve
from qa.types import Answer, Document, Passage

__all__ = [
    "Answer",
    "Document",
    "IndexLocked",
    "IndexMismatch",
    "IndexNotBuilt",
    "Passage",
    "Pipeline",
    "QAError",
    "QuestionError",
    "SeedError",
    "answer",
    "build_index",
    "retrieve",
]
