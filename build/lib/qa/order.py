"""Questions about the order of speaking, answered from the turns of a transcript.

"Who spoke after Zas?", "Who spoke first?", "Who was the last speaker?", "Pashinyan's
closing remarks": no sentence says these; the order of the turns does. Every passage
carries its document and turn number (`Passage.turn`), so the turns concerned are found
from the index alone, and quoted: their first sentences (the last ones for closing remarks).

A chair's short handover ("Thank you, Mr Zas. I now give the floor to ... Lukashenko.")
is a turn too; after it the answer also quotes the turn it hands over to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.chunk import sentence_spans
from qa.query import content_terms
from qa.types import Passage

_SPOKE = r"(?:spoke|speaks?|talked|took the floor|had the floor|came|reported|followed)"
_AFTER = re.compile(
    rf"(?i:\bwho\b.{{0,40}}?\b{_SPOKE}\s+(?:right\s+|just\s+|immediately\s+|directly\s+)?"
    r"(after|before|following|next|first|last)\b)"
    r"|(?i:\bwho\s+(followed))\s+(?=[A-Z]|the\s+[A-Z])",  # "Who followed Tokayev?"
)
_NTH = re.compile(
    r"\bwho\b.{0,20}?\b(?:is|was|were)\s+the\s+(first|last|final|next)\s+speaker", re.IGNORECASE
)
_OPENED = re.compile(r"\bwho\s+(opened|closed)\b", re.IGNORECASE)
_REMARKS = re.compile(
    r"\b(opening|closing|concluding|final|introductory)\s+(?:remarks|words|statement|speech)\b"
    # "What did Pashinyan say at the start of the session?"
    r"|\b(?:say|said|says|tell|told)\b.{0,30}?\b(?:at|in) the (start|beginning|outset|end|close)\b",
    re.IGNORECASE,
)
_RELATION = {"following": "after", "followed": "after", "next": "after", "final": "last",
             "opened": "first", "closed": "last", "concluding": "closing", "end": "closing",
             "close": "closing", "introductory": "opening", "start": "opening",
             "beginning": "opening", "outset": "opening"}  # fmt: skip
HANDOVER_WORDS = 60  # a turn this short that names the next speaker hands them the floor
QUOTE_SENTENCES = 2  # quoted from a turn, unless together they run past QUOTE_WORDS
QUOTE_WORDS = 45


def order_of(question: str) -> str | None:
    """What the question asks about the order of turns: "after" or "before" a named
    speaker, the "first" or "last" speaker, or a named speaker's "opening" or "closing"
    remarks. None for any other question."""
    m = _REMARKS.search(question)
    if m:
        word = next(g for g in m.groups() if g).lower()
        return "closing" if word == "final" else _RELATION.get(word, word)
    for pattern in (_AFTER, _NTH, _OPENED):
        m = pattern.search(question)
        if m:
            word = next(g for g in m.groups() if g).lower()
            return _RELATION.get(word, word)
    return None


@dataclass
class Turn:
    speaker: str | None
    minor: bool
    passages: list[Passage]  # in document order; consecutive passages may overlap

    @property
    def words(self) -> int:
        end, n = -1, 0
        for p in self.passages:  # count each character of the turn once
            n += len(p.text[max(end - p.start, 0) :].split())
            end = max(end, p.end)
        return n


def turns(passages: list[Passage]) -> list[Turn]:
    """A document's speaker turns (not its header), in order, from its passages."""
    out: dict[int, Turn] = {}
    for p in sorted(passages, key=lambda p: p.start):
        if p.turn <= 0 or p.speaker is None:
            continue
        t = out.setdefault(p.turn, Turn(p.speaker, p.minor, []))
        t.passages.append(p)
    return [out[n] for n in sorted(out)]


def quotes(index, relation: str, question: str, named: list[str], source: str | None = None):
    """The (passage, start, end) spans that answer an order question (`relation` is its
    `order_of`), in document order, or None when the transcripts cannot say (a speaker it
    needs is not named, or spoke nowhere)."""
    needs_speaker = relation in ("after", "before", "opening", "closing")
    if needs_speaker and len(named) != 1:
        return None
    who = named[0] if needs_speaker else None
    docs = [d for d in index.documents() if source is None or d["source"] == source]
    if who:
        docs = [d for d in docs if who in d["speakers"]]
    else:
        # "Who spoke first at the UN debate?": the document the question's words describe,
        # else the one with the most speakers.
        asked = set(content_terms(question))
        docs.sort(key=lambda d: (-len(asked & set(content_terms(d["title"]))),
                                 -len(d["speakers"])))  # fmt: skip
        docs = docs[:1]
    for d in docs:
        ts = [t for t in turns(index.document_passages(d["source"])) if not t.minor]
        chosen = _choose(ts, relation, who)
        if chosen:
            out = []
            for i, t in enumerate(chosen):
                nxt = chosen[i + 1].speaker if i + 1 < len(chosen) else None
                to = nxt or (who if relation == "before" else None)
                # A handover is quoted where it names whom it hands the floor to.
                out.append(_quote(t, relation == "closing", to if _hands_over(t, to) else None))
            return out
    return None


def _choose(ts: list[Turn], relation: str, who: str | None) -> list[Turn]:
    if not ts:
        return []
    if relation == "first":
        first = ts[0]
        # The chair opens; the first speaker after the chair is asked about as often.
        chair = max({t.speaker for t in ts}, key=lambda s: sum(t.speaker == s for t in ts))
        others = [t for t in ts if t.speaker != first.speaker]
        return [first, others[0]] if first.speaker == chair and others else [first]
    if relation == "last":
        return [ts[-1]]
    own = [i for i, t in enumerate(ts) if t.speaker == who]
    if not own:
        return []
    if relation == "opening":
        return [ts[own[0]]]
    if relation == "closing":
        return [ts[own[-1]]]
    i = own[0]  # a speaker who spoke several times: their first turn
    if relation == "after":
        nxt = [t for t in ts[i + 1 :] if t.speaker != who][:1]
        k = ts.index(nxt[0]) if nxt else 0
        if nxt and k + 1 < len(ts) and _hands_over(nxt[0], ts[k + 1].speaker):
            nxt.append(ts[k + 1])  # the chair handed the floor on: to whom
        return nxt
    before = [t for t in ts[:i] if t.speaker != who][-1:]
    k = ts.index(before[0]) if before else 0
    if before and k > 0 and ts[k - 1].speaker != who and _hands_over(before[0], who):
        before.insert(0, ts[k - 1])  # the chair gave the floor: after whom
    return before


def _hands_over(turn: Turn, to: str | None) -> bool:
    """Is `turn` a short one that gives the floor to the speaker `to` ("I now give the floor
    to ... Alexander Lukashenko", "Mr Varga, the farmers ...")?"""
    if not to or turn.words > HANDOVER_WORDS:
        return False
    return any(_names(p.text, to) for p in turn.passages)


def _names(text: str, speaker: str) -> bool:
    return re.search(rf"\b{re.escape(speaker.split()[-1])}\b", text, re.IGNORECASE) is not None


def _quote(turn: Turn, closing: bool, to: str | None = None) -> tuple[Passage, int, int]:
    """The first sentences of the turn (its last ones for closing remarks), skipping
    salutations ("Mr Pashinyan, colleagues,") and handovers ("Please, Mr Putin."); of a
    handover to the speaker `to`, the sentence that names them."""
    p = turn.passages[-1] if closing else turn.passages[0]
    spans = sentence_spans(p.text, offset=p.start)
    said = [p.text[a - p.start : b - p.start] for a, b in spans]
    if to:
        for (a, b), t in zip(spans, said):
            if _names(t, to):
                return p, a, b
    # Not a salutation line ("Mr Chairman and members of the Council,") or a bare courtesy.
    real = [s for s, t in zip(spans, said) if len(t.split()) >= 4 and not t.endswith(",")]
    real = real or spans
    chosen = real[-QUOTE_SENTENCES:] if closing else real[:QUOTE_SENTENCES]
    if len(p.text[chosen[0][0] - p.start : chosen[-1][1] - p.start].split()) > QUOTE_WORDS:
        chosen = chosen[-1:] if closing else chosen[:1]
    return p, chosen[0][0], chosen[-1][1]
