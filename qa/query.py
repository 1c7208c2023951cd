"""Reading a question: its content words, what kind of answer it wants, and follow-ups.

A follow-up ("And when did it withdraw?") is rewritten so that its subject is spelled out,
using the earlier questions of the chat: a pronoun is replaced by the main noun phrase of the
most recent earlier question. The rewrite is what gets searched and what the UI shows.

Deliberately left out: a language model. Everything here is a few rules about English
questions, general to any transcript.
"""

from __future__ import annotations

import re

STOPWORDS = set(
    """a an and are as at be been by did do does for from had has have how i in is it its of on
    or that the their them they this to was were what when where which who whom whose why will
    with would about after before he she his her our we you your there these those into than
    then can could should may might any all also just so if not no mr mrs ms many much
    say said says tell told give gave get got go went take took make made one ones being""".split()
)

_WORD = re.compile(r"\d+(?:[,.]\d+)*|[^\W\d_][\w’'-]*")

NUMBER_WORDS = set(
    """two three four five six seven eight nine ten eleven twelve twenty thirty forty fifty
    hundred hundreds thousand thousands million millions dozen dozens""".split()
)
MONTHS = set(
    "january february march april may june july august september october november december".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def content_terms(text: str) -> list[str]:
    """Lower-cased words of `text` that carry meaning, in order, without repeats."""
    out: list[str] = []
    for w in words(text):
        lw = w.lower().replace("’", "'")
        if lw.endswith("'s"):
            lw = lw[:-2]
        if lw in STOPWORDS or (len(lw) < 2 and not lw.isdigit()) or lw in out:
            continue
        out.append(lw)
    return out


_SUFFIXES = (
    "ations",
    "ation",
    "ments",
    "ment",
    "ings",
    "ing",
    "ness",
    "ities",
    "ity",
    "ies",
    "ied",
    "ied",
    "ers",
    "er",
    "ed",
    "es",
    "ly",
    "s",
    "e",
)


def stem(word: str) -> str:
    """A crude English stem so that 'withdrew'/'withdrawal' or 'deployed'/'deployment' meet."""
    w = word.lower()
    irregular = {
        "withdrew": "withdraw",
        "withdrawn": "withdraw",
        "took": "take",
        "led": "lead",
        "flew": "fly",
        "flown": "fly",
        "flights": "flight",
        "began": "begin",
        "begun": "begin",
        "killed": "kill",
        "died": "die",
        "dead": "die",
        "deaths": "die",
        "death": "die",
        "spoke": "speak",
        "spoken": "speak",
        "met": "meet",
        "held": "hold",
        "sent": "send",
        "chose": "choose",
        "chosen": "choose",
        "fought": "fight",
    }
    w = irregular.get(w, w)
    if w.isdigit() or len(w) <= 4:
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def question_type(question: str) -> str:
    """'when', 'count', 'who', 'where' or 'other': the kind of answer the question wants."""
    q = question.lower()
    if re.search(
        r"\bhow (many|much|large|big|long ago)\b|\bnumber of\b|\bwhat (size|number|"
        r"percentage|share)\b|\bhow strong\b",
        q,
    ):
        return "count"
    if re.search(
        r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\bwhich (date|day|year|month)\b"
        r"|\bon what\b|\bhow long\b",
        q,
    ):
        return "when"
    if re.search(
        r"\bwho(m|se)?\b|\bwhich (person|leader|official|president|general|country|"
        r"countries|organi[sz]ation)\b|\bname of\b",
        q,
    ):
        return "who"
    if re.search(r"^\s*(in |on |at |from )?which\b", q):
        return "which"
    if re.search(
        r"\bwhere\b|\bin which (city|country|place|region|town)\b|\bwhat (city|"
        r"country|place|region)\b",
        q,
    ):
        return "where"
    return "other"


# --------------------------------------------------------------------------- follow-ups

_PRONOUN = re.compile(
    r"\b(it|its|they|them|their|he|him|his|she|her|this|that|these|those|there)\b",
    re.IGNORECASE,
)
_PERSONAL = {"he", "him", "his", "she", "her"}
_QWORDS = r"(?:who|whom|whose|what|which|when|where|why|how(?: many| much| large| long)?)"


def person_of(question: str) -> str | None:
    """A proper name in the question not preceded by 'the': 'What did Lukashenko say' -> it."""
    q = question.strip().rstrip("?.! ")
    for m in re.finditer(r"(?:[A-Z][a-z][\w’'-]*\s+)*[A-Z][a-z][\w’'-]*", q):
        before = q[: m.start()].split()
        if not before or before[-1].lower() in {"the", "a", "an"}:
            continue
        return m.group(0)
    return None


def subject_of(question: str) -> str | None:
    """The main noun phrase of a question: 'Who commanded the CSTO force?' -> 'the CSTO force'."""
    q = question.strip().rstrip("?.! ")
    # A determiner phrase ("the Kyrgyz peacekeeping contingent", "the Secretary General of the
    # CSTO"): the longest one, stopping before a clause that starts with a verb-like word.
    best = None
    for m in re.finditer(r"\b(the|a|an|this|that)\s+((?:[\w’'-]+\s*){1,8})", q, re.IGNORECASE):
        phrase = m.group(0).strip()
        phrase = re.split(
            r"\s+(?:to|did|was|were|is|are|do|does|has|have|had|when|after|"
            r"before|for|during|say|said)\b",
            phrase,
        )[0]
        if best is None or len(phrase) > len(best):
            best = phrase
    if best and len(best.split()) >= 2:
        return best
    names = re.findall(r"(?:[A-Z][\w’'-]+\s+)*[A-Z][\w’'-]+", q)
    names = [n for n in names if n.split()[0].lower() not in STOPWORDS | {"who", "whom"}]
    if names:
        return max(names, key=len)
    return best


def rewrite(question: str, history: list[str] | None) -> str:
    """Spell out the subject of a follow-up from the earlier questions; else return as is."""
    q = question.strip()
    if not history:
        return q
    prior = [h for h in history if h and h.strip()]
    if not prior:
        return q
    m = _PRONOUN.search(q)
    if not m:
        # No pronoun: only a bare fragment ("And the Kyrgyz one?") needs context.
        if len(content_terms(q)) <= 1 and re.match(r"(and|what about|how about)\b", q, re.I):
            return f"{_strip_lead(q)} {rewrite(prior[-1], prior[:-1])}".strip()
        return q
    for earlier in reversed(prior):
        earlier = rewrite(earlier, prior[: prior.index(earlier)])
        word = m.group(1)
        subj = (word.lower() in _PERSONAL and person_of(earlier)) or subject_of(earlier)
        if not subj:
            continue
        if word.lower() == "there" and not re.search(r"\b(in|at|to)\b", subj):
            continue
        repl = subj
        if word.lower() in {"its", "their", "his", "her"} and word.lower() != "her":
            repl = subj + "'s" if not subj.endswith("s") else subj + "'"
        if word.lower() == "her" and re.search(r"\bher\s+(\w+)\b", q, re.I):
            nxt = re.search(r"\bher\s+(\w+)", q, re.I).group(1).lower()
            if nxt not in STOPWORDS:
                repl = subj + "'s"
        out = q[: m.start()] + repl + q[m.end() :]
        out = _strip_lead(out)
        return out[0].upper() + out[1:]
    return q


def _strip_lead(q: str) -> str:
    return re.sub(r"^(and|so|but|also|then|ok|okay)[,\s]+", "", q.strip(), flags=re.IGNORECASE)
