"""Domain errors. The library raises these; the CLI and the app turn them into messages."""


class QAError(Exception):
    """Base class: every error a user can cause or fix."""


class IndexNotBuilt(QAError):
    """There is no index yet at the given folder."""


class IndexLocked(QAError):
    """Another process is writing the index (one writer at a time)."""


class IndexMismatch(QAError):
    """The index was built with another embedding model or chunker version."""


class SeedError(QAError):
    """The seeds folder is missing or holds nothing that can be indexed."""


class QuestionError(QAError):
    """The question is empty or too long."""
