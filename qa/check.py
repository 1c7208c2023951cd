"""Checks a language model's answer against the passages it was given, sentence by sentence.

A sentence is supported when one sentence of a passage it cites (`[n]`) holds its names,
numbers and dates (the passage's speaker and role count for names: "Zas said ... [1]") and
most of its content words (`SUPPORT` of them, the document's title counting too; stems,
synonyms and spellings as `qa.query.stem` reads them). A sentence that opens by
copying a passage's heading as the prompt gives it ("Stanislav Zas, Secretary General (Session
..., 2022-01-10): ...") is checked without it, and the heading's names must be that passage's
speaker, role or document. A sentence that cites nothing is
checked against every passage sent and gets the citation of the one that supports it. A
citation of a passage that was not sent supports nothing.

Deliberately simple: word evidence, no entailment model (none is installable here). It
catches invented names, numbers and dates, and claims made of words the passage does not
use; it can pass a sentence that reuses a passage's words to say something else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qa.chunk import sentence_spans
from qa.query import MONTHS, content_terms, stem
from qa.types import Passage

SUPPORT = 0.6  # share of a sentence's content words one passage sentence must hold
_REF = re.compile(r"\s*\[(\d+)\]")
_NUMBER = re.compile(r"\d[\d,.]*\d|\d")
_NAME = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]+")
# "Name, Role (Title, date): " as the prompt heads each passage (`qa.readers.llm`)
_HEADING = re.compile(r"^([^:()\[\]]{2,160}\((?:[^()]|\([^()]*\)){0,300}\)):\s+(?=\S)")


@dataclass
class Claim:
    text: str  # the sentence, its [n] marks removed
    start: int  # offsets into the answer text, marks included
    end: int
    cites: list[int]  # the passage numbers it cites (1-based), or the one found for it
    support: tuple[Passage, int, int] | None = None  # the passage sentence that holds it
    why: str = ""  # why it is unsupported


@dataclass
class Checked:
    text: str = ""  # the answer as checked (marks after a full stop moved before it)
    claims: list[Claim] = field(default_factory=list)

    @property
    def unsupported(self) -> list[Claim]:
        return [c for c in self.claims if c.support is None]

    @property
    def supported(self) -> list[Claim]:
        return [c for c in self.claims if c.support is not None]


def check(answer: str, passages: list[Passage]) -> Checked:
    """Each sentence of `answer` against `passages` (the ones sent, numbered from 1)."""
    # "... its mission. [4] The UN ...": the mark belongs to the sentence before it.
    # (Not across a line break: "[2] Zas, ...: ..." on a new line is that line's mark.)
    answer = re.sub(r"([.!?])((?:[ \t]*\[\d+\])+)", r"\2\1", answer)
    out = Checked(answer)
    for a, b in _sentences(answer):
        sentence = answer[a:b]
        cites = [int(n) for n in _REF.findall(sentence)]
        text = " ".join(_REF.sub("", sentence).split())
        if not any(t[0].isalpha() for t in content_terms(_HEADING.sub("", text))):
            continue  # "1." of a numbered list, a lone mark, a cut-off "The"
        claim = Claim(text, a, b, cites)
        out.claims.append(claim)
        bad = [n for n in cites if not 1 <= n <= len(passages)]
        if bad:
            claim.why = f"cites [{bad[0]}], which is not one of the {len(passages)} passages sent"
            continue
        pool = [passages[n - 1] for n in cites] if cites else passages
        heading = _HEADING.match(text)
        if heading:
            text = text[heading.end() :]
            pool = [p for p in pool if _heads(heading.group(1), p)]
        found = _support(text, pool)
        if found:
            claim.support = found
            if not cites:
                claim.cites = [passages.index(found[0]) + 1]
        else:
            claim.why = "not found in the passage it cites" if cites else "cites no passage"
    return out


def _sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans of `text`, a line break ending one too (a model's list, or passages it
    copied line by line)."""
    spans, pos = [], 0
    for line in text.split("\n"):
        spans += sentence_spans(line, offset=pos)
        pos += len(line) + 1
    return spans


def _heads(heading: str, p: Passage) -> bool:
    """Are the capitalised words of a copied heading all in `p`'s speaker, role, title, date?"""
    said = _words(" ".join((p.speaker or "", p.role or "", p.title, p.date or "")))
    names = {w.lower() for w in re.findall(r"\b[A-Z][\w’'-]*", heading)}
    return names <= said | {"transcript"}


def _words(text: str) -> set[str]:
    """Lower-case words of `text`, a hyphenated one also in its parts ("colonel-general")."""
    out = set()
    for w in re.findall(r"[\w’'-]+", text):
        w = w.lower().removesuffix("'s").removesuffix("’s")
        out.add(w)
        out.update(w.split("-"))
    return out


def _support(text: str, pool: list[Passage]) -> tuple[Passage, int, int] | None:
    """The passage sentence of `pool` that holds `text`'s names, numbers and most content."""
    numbers = {n.replace(",", "") for n in _NUMBER.findall(text)}
    names = {w.lower().removesuffix("'s").removesuffix("’s") for w in _NAME.findall(text)}
    names -= MONTHS  # a month is a date: checked as a content word
    terms = {stem(t) for t in content_terms(text)}
    best, best_share = None, 0.0
    for p in pool:
        who = " ".join((p.speaker or "", p.role or "")).lower()
        for a, b in sentence_spans(p.text, offset=p.start):
            said = p.text[a - p.start : b - p.start]
            if not numbers <= {n.replace(",", "") for n in _NUMBER.findall(said)}:
                continue
            # whole words: "UN" is not in "Council"
            if not names <= _words(said) | _words(who):
                continue
            held = {stem(t) for t in content_terms(f"{said} {who} {p.title}")}
            share = len(terms & held) / len(terms) if terms else 1.0
            if share >= SUPPORT and share > best_share:
                best, best_share = (p, a, b), share
    return best
