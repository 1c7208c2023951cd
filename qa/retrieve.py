"""Hybrid retrieval: dense (Chroma) and keyword (SQLite FTS5) rankings fused by reciprocal rank.

Dense search finds paraphrases; keyword search finds the names, numbers and dates that
embeddings blur. Reciprocal rank fusion (score = sum of 1 / (60 + rank)) needs no score
calibration between the two. A speaker named in the question ("What did Rahmon say ...")
adds rankings restricted to that speaker's passages; a follow-up adds the passages that
answered the previous question. The top passages are then reordered by their best answering
sentence (`qa.score`), and `Passage.score` becomes that sentence's score; below the top it
stays the fused score. Procedural turns (`minor`) rank after every substantive passage.

The index is opened once per process and reopened only when a rebuild made a new
generation live. Deliberately left out: a cross-encoder reranker (none is installable here).
"""

from __future__ import annotations

import difflib
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from qa.embed import Embedder
from qa.errors import QAError, QuestionError
from qa.index import Index
from qa.order import order_of
from qa.order import quotes as order_quotes
from qa.query import (
    STOPWORDS,
    acronyms,
    content_terms,
    deed_of,
    mentions_person,
    name_person,
    question_type,
    rewrite,
    stem,
    synonym,
)
from qa.score import Candidate, Scorer
from qa.types import Passage

RRF_K = 60
CANDIDATES = 40
RERANK_DEPTH = 16  # passages whose sentences are scored to reorder the top of the list
# ... plus the top few of every single ranking: a passage keyword search puts first can sit
# far down the fused list when the dense ranking misses it, and is still worth reading.
RERANK_EACH = 6
FOLLOW_UP_DEPTH = 5  # passages of the previous question's answer offered to a follow-up
# "full" is the shipped pipeline; the others are the baselines `qa eval --compare` measures.
MODES = ("full", "hybrid", "dense", "keyword")
MAX_QUESTION_CHARS = 2000
# A word no passage holds is read as a speaker's surname or a word of the passages found
# this alike: "Tokaev" / Tokayev 0.92, "peacekeping" / peacekeeping 0.96, "froce" / force 0.8.
LIKENESS = 0.8

_open_lock = threading.Lock()
_open_indexes: dict[Path, Index] = {}


def default_index_dir() -> Path:
    return Path(os.environ.get("QA_INDEX_DIR") or "index")


def open_index(index_dir: Path | str | None = None) -> Index:
    """The shared reader for `index_dir` (default: $QA_INDEX_DIR or index/)."""
    path = Path(index_dir) if index_dir else default_index_dir()
    key = path.resolve()
    with _open_lock:
        ix = _open_indexes.get(key)
        if ix is None or ix.stale():
            # subtle: the old reader is not closed here; a request in another thread may still
            # be using it, and its generation stays on disk until the build after next.
            ix = _open_indexes[key] = Index(path)
        return ix


@dataclass
class Hit:
    passage: Passage
    fused: float
    dense: float  # cosine similarity to the query, 0 when only keyword search found it
    candidates: list[Candidate] | None = None  # its scored sentences, once reranked

    @property
    def best(self) -> Candidate | None:
        return max(self.candidates, key=lambda c: (c.fits, c.score)) if self.candidates else None


@dataclass
class Search:
    query: str
    hits: list[Hit]
    speakers_named: list[str]
    # For a question about the order of speaking ("Who spoke after Zas?"): the spans of the
    # turns that answer it, (passage, start, end), whose passages head `hits`.
    order: list[tuple[Passage, int, int]] | None = None
    relation: str | None = None  # what it asks of the order ("after", "first", ...): `order_of`
    scorer: Scorer | None = None  # what reranked the hits (the answerer reads its short answer)


def check_question(question: str) -> str:
    if question is None or not str(question).strip():
        raise QuestionError("the question is empty; type a question about the transcripts")
    q = " ".join(str(question).split())
    if len(q) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(q)} characters long; the limit is {MAX_QUESTION_CHARS}"
        )
    return q


def resolve_speaker(index: Index, speaker: str | None) -> str | None:
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


def resolve_source(index: Index, source: str | None) -> str | None:
    if not source:
        return None
    sources = [d["source"] for d in index.documents()]
    if source in sources:
        return source
    matches = [s for s in sources if source.lower() in s.lower()]
    if len(matches) == 1:
        return matches[0]
    raise QAError(f"no document {source!r} in the index; documents: {', '.join(sources)}")


def speakers_named(index: Index, text: str) -> list[str]:
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


def respell_names(index: Index, text: str) -> str:
    """A speaker's surname spelled another way ("Tokaev", "Lukashenka"), a word the
    transcripts never use, becomes the surname as the transcripts spell it. ("Rakhmon" is
    left alone: Putin's words in the transcript spell Rahmon so.)"""
    surnames = {n.split()[-1].lower(): n.split()[-1] for n in index.speakers()}

    def fix(w: str) -> str:
        if w.lower() in surnames:
            return w
        close = [s for s, r in _likeness(w, surnames).items() if len(s) >= 5 and r >= LIKENESS]
        if len(close) != 1 or index.document_frequency(w.lower()):
            return w
        return surnames[close[0]]

    return _respell(text, fix)


def name_words(index: Index) -> frozenset[str]:
    """The lower-case words of the indexed speakers' names, hyphenated ones also in parts."""
    return frozenset(
        w.lower() for n in index.speakers() for w in n.split() + n.replace("-", " ").split()
    )


def respell_words(index: Index, text: str, texts: list[str], names: frozenset[str]) -> str:
    """A word of the question that no passage holds ("peacekeping", "withdrawl") becomes the
    one closest to it in the passages found (the dense ranking finds them despite the slip).
    `names`: the speakers' name words (`name_words`), left as typed."""
    seen: set[str] = set()

    def fix(w: str) -> str:
        low = w.lower()
        if low in STOPWORDS or low in names or synonym(low) or index.document_frequency(low):
            return w
        if not seen:
            seen.update(x.lower() for t in texts for x in re.findall(r"[^\W\d_]{4,}", t))
        likeness = _likeness(w, (x for x in seen if abs(len(x) - len(low)) <= 2))
        best = max(likeness, key=likeness.get, default=None)
        # "listen" is not a slip for "list": a word that runs on past a whole corpus word is
        # another word (a slip drops, swaps or doubles letters: "withdrawl", "peacekeping").
        if not best or likeness[best] < LIKENESS or (low.startswith(best) and low != best):
            return w
        return best.capitalize() if w[0].isupper() else best  # "Serdukov": still a name

    return _respell(text, fix)


def _respell(text: str, fix) -> str:
    """`text` with each word of five letters or more passed through `fix`."""
    return re.sub(r"[^\W\d_][\w-]*", lambda m: fix(m.group(0)) if len(m.group(0)) >= 5
                  else m.group(0), text)  # fmt: skip


def _likeness(word: str, options) -> dict[str, float]:
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


def answered_person(index: Index, previous: str, before: Search, follow_up: str) -> str | None:
    """The indexed speaker who answers a previous "who" question, when the follow-up refers
    to a person ("he", "his", "her"): the one speaker the best answering sentence names, or,
    when it names none, the one who said it in the first person with the question's verb."""
    if question_type(previous) != "who" or not mentions_person(follow_up):
        return None
    if before.order:
        # "Who spoke after Zas?" / "What did he say ...?": the one who took the floor after the
        # chair's handover (the last turn quoted); before someone, the first turn quoted.
        spans = before.order
        return (spans[-1] if before.relation == "after" else spans[0])[0].speaker
    ranked = sorted((h for h in before.hits[:RERANK_DEPTH] if h.best), key=lambda h: -h.best.score)
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


def search(
    question: str,
    *,
    k: int = 5,
    history: list[str] | None = None,
    speaker: str | None = None,
    source: str | None = None,
    index_dir: Path | str | None = None,
    model: str | None = None,
    mode: str = "full",
) -> Search:
    """Rewrite the question if it is a follow-up, then rank passages.

    mode "full" fuses dense and keyword rankings (plus a ranking of a named speaker's
    passages) and reorders the top by the best answering sentence; "hybrid", "dense" and
    "keyword" are the plain baselines.
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    q = check_question(question)
    typed = q
    index = open_index(index_dir)
    index.check_model(model)
    people = name_words(index)
    q = rewrite(q, history, people) if mode == "full" else q  # baselines search what was typed
    q = respell_names(index, q) if mode == "full" else q
    speaker = resolve_speaker(index, speaker)
    source = resolve_source(index, source)
    before, person = None, None
    if mode == "full" and history and q != typed:
        # A follow-up is usually answered near the previous answer: rank those passages too.
        prior = [h for h in history if h and h.strip()]
        previous = rewrite(prior[-1], prior[:-1], people) if prior else ""
        if previous:
            before = search(previous, k=k, speaker=speaker, source=source, index_dir=index_dir,
                            model=model)  # fmt: skip
            # "Who chaired the session?" / "What did he say about ...?": "he" is the person
            # the previous answer names, whatever the question called him.
            person = None if speaker else answered_person(index, previous, before, typed)
            if person:
                q = name_person(typed, person)
    terms = content_terms(q) + list(acronyms(q))
    n = max(CANDIDATES, k)

    rankings, sims = [], {}
    if mode != "keyword":
        vector = Embedder(index.model).encode_query(q)
        dense = index.dense(vector, n, speaker=speaker, source=source)
        rankings.append([i for i, _ in dense])
        sims = dict(dense)
    if mode != "dense":
        keyword = index.keyword(terms, n, speaker=speaker, source=source)
        rankings.append([i for i, _ in keyword])
    named = [] if speaker or mode != "full" else speakers_named(index, q)
    if named:
        # The question is about what a named person said: rank their passages too.
        for_named = index.dense(vector, n, speaker=named, source=source, boost=True)
        sims.update(for_named)
        rankings.append([i for i, _ in for_named])
        # Within their passages their own name matches everything: rank by the topic words.
        names = {w.lower() for name in named for w in name.split()}
        topic = [t for t in terms if t not in names]
        rankings.append([i for i, _ in index.keyword(topic, n, speaker=named, source=source)])

    if before is not None:
        rankings.append([h.passage.id for h in before.hits[:FOLLOW_UP_DEPTH]])

    fused: dict[str, float] = {}
    for ranking in rankings:
        for rank, pid in enumerate(ranking):
            fused[pid] = fused.get(pid, 0.0) + 1.0 / (RRF_K + rank + 1)
    passages = index.passages(list(fused))
    hits = []
    for pid, score in fused.items():
        p = passages[pid]
        p.score = round(score, 5)
        hits.append(Hit(p, score, sims.get(pid, 0.0)))
    hits.sort(key=lambda h: (h.passage.minor, -h.fused))
    scorer = None
    if mode == "full" and hits:
        pool = {pid for ranking in rankings for pid in ranking[:RERANK_EACH]}
        texts = [h.passage.text for h in hits[:CANDIDATES]]  # how the transcripts write words
        q = respell_words(index, q, texts, people)
        scorer = Scorer(index, q, named, texts)
        hits = _rerank(hits, scorer, pool)
    relation = order_of(q) if mode == "full" else None
    order = order_quotes(index, relation, q, named, source) if relation else None
    if order:
        # The turns that answer head the list (the order of speaking is not in the words).
        first = {p.id: Hit(p, 1.0, sims.get(p.id, 0.0)) for p, _, _ in order}
        hits = list(first.values()) + [h for h in hits if h.passage.id not in first]
    return Search(query=q, hits=hits, speakers_named=named, order=order,
                  relation=relation if order else None, scorer=scorer)  # fmt: skip


def _rerank(hits: list[Hit], scorer: Scorer, pool: set[str]) -> list[Hit]:
    """Order the top passages, and those in `pool`, by their best answering sentence (the
    fused rank is part of it); the rest stay in fused order below them."""
    chosen = [i < RERANK_DEPTH or h.passage.id in pool for i, h in enumerate(hits)]
    top = [h for h, c in zip(hits, chosen) if c]
    rest = [h for h, c in zip(hits, chosen) if not c]
    for h in top:
        h.candidates = scorer.candidates(h.passage, h.fused, top[0].fused, h.dense)
    # A passage whose best sentence cannot be the answer (`Candidate.fits`) ranks lower.
    top.sort(key=lambda h: (h.passage.minor, not (h.best and h.best.fits),
                            -(h.best.score if h.best else -1.0)))  # fmt: skip
    for h in top:
        h.passage.score = round(h.best.score, 4) if h.best else h.passage.score
    return top + rest


def retrieve(
    question: str,
    k: int = 5,
    history: list[str] | None = None,
    speaker: str | None = None,
    source: str | None = None,
    *,
    index_dir: Path | str | None = None,
    model: str | None = None,
    mode: str = "full",
) -> list[Passage]:
    """The `k` passages that best match `question`, best first (hybrid dense + keyword).

    Args:
        question: what the user asked.
        k: how many passages to return.
        history: the user's earlier questions in this chat, oldest first; a follow-up
            ("When did it withdraw?") is searched with its subject spelled out.
        speaker: only passages by this speaker (full name or surname).
        source: only passages from this seed file.
        index_dir: the index folder (default: $QA_INDEX_DIR or index/).
        model: refuse to run if the index was built with another embedding model.
        mode: "full" (shipped) or a baseline: "hybrid", "dense", "keyword".
    """
    found = search(
        question,
        k=k,
        history=history,
        speaker=speaker,
        source=source,
        index_dir=index_dir,
        model=model,
        mode=mode,
    )
    return [h.passage for h in found.hits[:k]]
