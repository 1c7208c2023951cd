"""Question -> `Query`: what is asked, made once before anything is searched.

A follow-up ("When did it withdraw?") gets its subject spelled out from the earlier
questions (`qa.query.rewrite`); a speaker's name spelled another way ("Tokaev") becomes the
transcripts' spelling; the speaker and document filters are resolved to what the index
holds; the speakers the question names, the keyword terms and any question about the order
of speaking are read off the result. A follow-up that refers to a person ("What did he say
...?") after a "who" question names the person the previous answer found (`follow`).

Everything here reads the index's lists (speakers, roles, word counts), never its passages'
rankings. Deliberately left out: a language model; the English rules are in `qa.query`.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from qa.errors import QAError, QuestionError
from qa.order import order_of
from qa.query import (
    acronyms,
    content_terms,
    deed_of,
    mentions_person,
    name_person,
    question_type,
    rewrite,
    stem,
)
from qa.types import Query

MAX_QUESTION_CHARS = 2000
# A word no passage holds is read as a speaker's surname or a word of the passages found
# this alike: "Tokaev" / Tokayev 0.92, "peacekeping" / peacekeeping 0.96, "froce" / force 0.8.
LIKENESS = 0.8
FOLLOW_UP_DEPTH = 5  # passages of the previous question's answer offered to a follow-up


def check_question(question: str) -> str:
    if question is None or not str(question).strip():
        raise QuestionError("the question is empty; type a question about the transcripts")
    q = " ".join(str(question).split())
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(q)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return q


def understand(index, question: str, history: list[str] | None = None,
               speaker: str | None = None, source: str | None = None, *, k: int = 5,
               rewrite_question: bool = True) -> Query:  # fmt: skip
    """The `Query` for `question`. With `rewrite_question=False` (the plain baselines) the
    question is searched as typed and no speaker it names gets a ranking of its own."""
    typed = check_question(question)
    prior = tuple(h.strip() for h in history or [] if h and h.strip())
    q = typed
    if rewrite_question:
        q = respell_names(index, rewrite(typed, list(prior), name_words(index)))
    speaker = resolve_speaker(index, speaker)
    source = resolve_source(index, source)
    return _completed(index, Query(typed, q, k, prior, speaker, source), rewrite_question)


def previous_question(index, query: Query) -> str | None:
    """The earlier question a follow-up continues, with its own subject spelled out; None
    when `query` is no follow-up (its text is what was typed)."""
    if not query.history or query.text == query.question:
        return None
    return rewrite(query.history[-1], list(query.history[:-1]), name_words(index)) or None


def follow(index, query: Query, previous: str, before: Query, hits: list) -> Query:
    """The follow-up `query` once its previous question (`previous`, asked as `before`) was
    searched: the first passages `hits` found for it are ranked for it too, and "he" in it is
    the person the previous answer names ("Who chaired the session?" / "What did he say
    ...?"). `hits`: the previous question's reranked passages, best first."""
    person = None if query.speaker else answered_person(index, previous, before, hits,
                                                        query.question)  # fmt: skip
    text = name_person(query.question, person) if person else query.text
    out = replace(query, text=text, follow_up=tuple(h.passage.id for h in hits[:FOLLOW_UP_DEPTH]))
    return _completed(index, out, True)


def _completed(index, query: Query, rewrite_question: bool) -> Query:
    """`query` with the terms, named speakers and speaking-order relation of its text."""
    q = query.text
    named = () if query.speaker or not rewrite_question else tuple(speakers_named(index, q))
    return replace(query, terms=tuple(content_terms(q) + list(acronyms(q))), named=named,
                   relation=order_of(q) if rewrite_question else None)  # fmt: skip


def resolve_speaker(index, speaker: str | None) -> str | None:
    """An indexed speaker's full name from a full name or a surname, case-insensitively."""
    if not speaker:
        return None
    want = speaker.strip().lower()
    names = index.speakers()
    for n in names:
        if n.lower() == want:
            return n
    matches = [n for n in names if n.lower().split()[-1] == want.split()[-1]]
    if len(matches) == 1:
        return matches[0]
    raise QAError(f"no speaker {speaker!r} in the index; speakers: {', '.join(names)}")


def resolve_source(index, source: str | None) -> str | None:
    if not source:
        return None
    sources = [d["source"] for d in index.documents()]
    if source in sources:
        return source
    matches = [s for s in sources if source.lower() in s.lower()]
    if len(matches) == 1:
        return matches[0]
    raise QAError(f"no document {source!r} in the index; documents: {', '.join(sources)}")


def speakers_named(index, text: str) -> list[str]:
    """Indexed speakers named in `text`: by surname, or by most of their role
    ("its UN representative" names the "Permanent Representative of Kazakhstan")."""
    words = {w.lower() for w in content_terms(text)}
    roles = index.roles()
    named = []
    for n in index.speakers():
        role_words = set(content_terms(roles.get(n, "")))
        shared = role_words & words
        by_role = len(shared) >= 2 and len(shared) >= 0.6 * len(role_words)
        if n.lower().split()[-1] in words or by_role:
            named.append(n)
    return named


def name_words(index) -> frozenset[str]:
    """The lower-case words of the indexed speakers' names, hyphenated ones also in parts."""
    return frozenset(
        w.lower() for n in index.speakers() for w in n.split() + n.replace("-", " ").split()
    )


def respell_names(index, text: str) -> str:
    """A speaker's surname spelled another way ("Tokaev", "Lukashenka"), a word the
    transcripts never use, becomes the surname as the transcripts spell it. ("Rakhmon" is
    left alone: Putin's words in the transcript spell Rahmon so.)"""
    surnames = {n.split()[-1].lower(): n.split()[-1] for n in index.speakers()}

    def fix(w: str) -> str:
        if w.lower() in surnames:
            return w
        close = [s for s, r in likeness(w, surnames).items() if len(s) >= 5 and r >= LIKENESS]
        if len(close) != 1 or index.document_frequency(w.lower()):
            return w
        return surnames[close[0]]

    return respell(text, fix)


def respell(text: str, fix) -> str:
    """`text` with each word of five letters or more passed through `fix`."""
    return re.sub(r"[^\W\d_][\w-]*", lambda m: fix(m.group(0)) if len(m.group(0)) >= 5
                  else m.group(0), text)  # fmt: skip


def likeness(word: str, options) -> dict[str, float]:
    """How alike `word` and each lower-case option with its first letter are (0 to 1), for
    the options that can reach `LIKENESS` (the only ones its callers keep)."""
    low = word.lower()
    out = {}
    for o in options:
        if o[0] == low[0]:
            m = difflib.SequenceMatcher(None, low, o)
            # subtle: the quick ratios bound ratio() from above, at a fraction of its cost.
            if m.real_quick_ratio() >= LIKENESS and m.quick_ratio() >= LIKENESS:
                out[o] = m.ratio()
    return out


def answered_person(index, previous: str, before: Query, hits: list, follow_up: str) -> str | None:
    """The indexed speaker who answers a previous "who" question, when the follow-up refers
    to a person ("he", "his", "her"): the one speaker the best answering sentence names, or,
    when it names none, the one who said it in the first person with the question's verb.
    `hits`: what was found for the previous question (`before`), best first."""
    if question_type(previous) != "who" or not mentions_person(follow_up):
        return None
    spans = [h for h in hits if h.span]
    if spans:
        # "Who spoke after Zas?" / "What did he say ...?": the one who took the floor after the
        # chair's handover (the last turn quoted); before someone, the first turn quoted.
        return (spans[-1] if before.relation == "after" else spans[0]).passage.speaker
    ranked = sorted((h for h in hits if h.best), key=lambda h: -h.best.score)
    if not ranked:
        return None
    text = ranked[0].best.text.lower()
    asked = {w.lower() for w in content_terms(previous)}
    names = [n for n in index.speakers()
             if n.lower().split()[-1] in text and n.lower().split()[-1] not in asked]  # fmt: skip
    if not names:
        # "Who thanked Armenia?" / "I would like to thank Armenia": the speaker did the deed.
        deed = deed_of(previous)
        said = {stem(w) for w in content_terms(text)}
        first_person = re.search(r"\b(i|we)\b", text) is not None
        return ranked[0].passage.speaker if deed and stem(deed) in said and first_person else None
    return names[0] if len(names) == 1 else None
