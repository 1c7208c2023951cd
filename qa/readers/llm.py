"""Answers in a language model's words, from any OpenAI-compatible server, checked first.

The model gets the question (a follow-up as rewritten) and the top passages, numbered, each
with its speaker, role, document and date, trimmed to a token budget (tiktoken); it is asked
to cite `[n]` after each claim and to reply NO ANSWER when the passages do not answer. Its
reply is checked sentence by sentence against the passages it cites (`qa.check`): the
sentences they do not support are listed (`Answer.unsupported`), the supporting sentence is
highlighted in each source, and a reply with no supported sentence is not shown. Whenever the
model's answer is not shown (server down, timeout, refused key, empty or malformed reply, no
supported sentence) the extractive answer is, with one line saying why (`Answer.fallback`).

The `openai` package is imported only when a model is asked; without `--llm` nothing here
runs.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace

from qa.check import check
from qa.errors import QAError
from qa.readers.extractive import ExtractiveReader
from qa.types import Answer, Passage, Query

SYSTEM = (
    "You answer questions about transcripts using only the numbered passages given. "
    "After each claim, cite the passage it comes from as [n]. Be brief: one to three "
    "sentences. If the passages do not answer the question, reply exactly: NO ANSWER"
)
NO_ANSWER = "NO ANSWER"


@dataclass(frozen=True)
class LLMSettings:
    """Where the model is and how much it may take. `url` is the base URL of an
    OpenAI-compatible API (e.g. http://127.0.0.1:11434/v1 for Ollama)."""

    url: str
    model: str = ""
    api_key: str = ""
    timeout: float = 60.0  # seconds for the whole reply
    context_tokens: int = 2048  # the prompt (question + passages) is trimmed to fit this ...
    max_tokens: int = 256  # ... less the reply's budget
    passages: int = 5

    def __post_init__(self):
        if not self.url.startswith(("http://", "https://")):
            raise QAError(
                f"--llm must be the http(s) URL of an OpenAI-compatible API, got {self.url!r}"
            )
        if self.context_tokens <= self.max_tokens + 200:
            raise QAError(f"a context of {self.context_tokens} tokens leaves the passages no room")

    @classmethod
    def from_env(cls, url: str | None = None, model: str | None = None, **kw) -> LLMSettings | None:
        """Settings from arguments, else QA_LLM_URL / QA_LLM_MODEL; the key from QA_LLM_API_KEY
        or OPENAI_API_KEY. None when no URL is given anywhere."""
        url = url or os.environ.get("QA_LLM_URL")
        if not url:
            return None
        model = model or os.environ.get("QA_LLM_MODEL") or ""
        key = os.environ.get("QA_LLM_API_KEY") or os.environ.get("OPENAI_API_KEY") or ""
        return cls(url.rstrip("/"), model, key, **kw)


class LLMError(Exception):
    """The model gave no usable reply; the message says why, for `Answer.fallback`."""


class LLMReader:
    """A reader that asks a language model and falls back to `fallback` (extractive)."""

    def __init__(self, settings: LLMSettings, fallback: ExtractiveReader | None = None):
        self.settings = settings
        self.fallback = fallback or ExtractiveReader()
        self._client = None

    def read(self, query: Query, hits: list) -> Answer:
        *_, last = self.stream(query, hits)
        return last

    def stream(self, query: Query, hits: list) -> Iterator[Answer]:
        """The extractive answer first, then the model's reply as it arrives (reader "llm",
        unchecked), then the checked answer, or the extractive one with the reason."""
        base = self.fallback.read(query, hits)
        yield base
        sent = self._passages(query, hits)
        if not sent:
            return
        text = ""
        try:
            for text in self._reply(query, sent):
                yield Answer(text, sent, True, query.text, reader="llm")
        except LLMError as e:
            yield replace(base, fallback=str(e))
            return
        yield self._checked(query, text, sent, base)

    # ------------------------------------------------------------------ the request

    def _passages(self, query: Query, hits: list) -> list[Passage]:
        """The top passages, fresh copies (highlights are per answer)."""
        return [replace(h.passage, highlights=[]) for h in hits[: self.settings.passages]]

    def prompt(self, query: Query, passages: list[Passage]) -> list[dict]:
        """The chat messages: passages numbered and trimmed to the token budget."""
        from qa.chunk import count_tokens

        head = f"Question: {query.text}\n\nPassages:\n"
        budget = self.settings.context_tokens - self.settings.max_tokens
        budget -= count_tokens(SYSTEM) + count_tokens(head) + 20  # chat-format overhead
        blocks = []
        for n, p in enumerate(passages, start=1):
            who = ", ".join(x for x in (p.speaker, p.role) if x) or "Transcript"
            where = ", ".join(x for x in (p.title, p.date) if x)
            block = f"[{n}] {who} ({where}): {p.text}\n"
            cost = count_tokens(block)
            if cost > budget:
                block = _trim_tokens(block, max(budget, 0))
                cost = budget
            if budget <= 0 or not block:
                break
            blocks.append(block)
            budget -= cost
        return [{"role": "system", "content": SYSTEM},
                {"role": "user", "content": head + "".join(blocks)}]  # fmt: skip

    def _reply(self, query: Query, passages: list[Passage]) -> Iterator[str]:
        """The reply so far, growing as the server streams it."""
        s = self.settings
        try:
            import openai
        except ImportError:
            raise LLMError("the openai package is not installed (pip install openai)") from None
        if self._client is None:
            self._client = openai.OpenAI(base_url=s.url, api_key=s.api_key or "none",
                                         timeout=s.timeout, max_retries=0)  # fmt: skip
        deadline = time.monotonic() + s.timeout
        text = ""
        try:
            model = s.model or self._served_model()
            stream = self._client.chat.completions.create(
                model=model, messages=self.prompt(query, passages),
                max_tokens=s.max_tokens, temperature=0, stream=True)  # fmt: skip
            for chunk in stream:
                if time.monotonic() > deadline:
                    raise LLMError(f"the model took longer than {s.timeout:g} s")
                delta = chunk.choices[0].delta.content if chunk.choices else None
                if delta:
                    text += delta
                    yield text
        except openai.AuthenticationError:
            raise LLMError("the model server refused the API key (QA_LLM_API_KEY)") from None
        except openai.APITimeoutError:
            raise LLMError(f"the model did not answer within {s.timeout:g} s") from None
        except openai.APIConnectionError:
            raise LLMError(f"no model server answers at {s.url}") from None
        except openai.APIStatusError as e:
            raise LLMError(f"the model server answered with an error ({e.status_code})") from None
        except (openai.OpenAIError, ValueError, KeyError, IndexError, AttributeError) as e:
            raise LLMError(f"the model's reply could not be read ({type(e).__name__})") from None
        if not text.strip():
            raise LLMError("the model gave an empty reply")

    def _served_model(self) -> str:
        """With no --llm-model: the first model the server lists (llama.cpp, vLLM and Ollama
        list theirs)."""
        models = list(self._client.models.list())
        if not models:
            raise LLMError("the model server lists no model; name one with --llm-model")
        return models[0].id

    # ------------------------------------------------------------------ the check

    def _checked(self, query: Query, text: str, sent: list[Passage], base: Answer) -> Answer:
        text = text.strip()
        if text.upper().startswith(NO_ANSWER):
            return replace(base, fallback="the model found no answer in the passages")
        checked = check(text, sent)
        if not checked.supported:
            why = "the cited passages support none of the model's sentences"
            return replace(base, fallback=why)
        for c in checked.supported:
            p, a, b = c.support
            p.highlights.append((a, b))
        shown = _with_citations(checked)
        unsupported = list(dict.fromkeys(c.text for c in checked.unsupported))
        return Answer(shown, sent, True, query.text, reader="llm", unsupported=unsupported)


def _with_citations(checked) -> str:
    """The answer's sentences, each once (small models loop), each with its citation (the one
    found, for a supported sentence that cited none); list numbers and lone marks dropped."""
    text, out, seen = checked.text, [], set()
    for c in checked.claims:
        if c.text in seen:
            continue
        seen.add(c.text)
        sentence = " ".join(text[c.start : c.end].split())
        sentence = re.sub(r"^\d+[.)]\s+", "", sentence)  # "2. The mission ..."
        if c.support is not None and "[" not in sentence:
            # before the full stop: "... its mission [4]." (after it, the mark reads as the
            # next sentence's)
            body, end = re.match(r"(.*?)([.!?]*)$", sentence).groups()
            sentence = f"{body} [{c.cites[0]}]{end}"
        out.append(sentence)
    return " ".join(out)


def _trim_tokens(text: str, tokens: int) -> str:
    from qa.chunk import truncate_tokens

    return truncate_tokens(text, tokens - 2).rstrip() + " …\n" if tokens > 10 else ""
