"""Reading a question: its content words, what kind of answer it wants, and follow-ups.

A follow-up ("And when did it withdraw?") is rewritten so that its subject is spelled out,
using the earlier questions of the chat: a pronoun is replaced by the main noun phrase of the
most recent earlier question. The rewrite is what gets searched and what the UI shows.

Deliberately left out: a language model. Everything here is a few rules about English
questions, general to any transcript.
"""

from __future__ import annotations

import functools
import re

from qa import lang

STOPWORDS = lang.word_set("stopwords.txt")

_WORD = re.compile(r"\d+(?:[,.]\d+)*(?:st|nd|rd|th)?|[^\W\d_][\w’'-]*")

NUMBER_WORDS = lang.word_set("number_words.txt")
MONTHS = set(
    "january february march april may june july august september october november december".split()
)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


_MONTH_ABBREVIATIONS = {m[:3]: m for m in MONTHS} | {"sept": "september"}


_CONTRACTED = {"won't": "will", "can't": "can", "shan't": "shall"}


def _plain(word: str) -> str:
    """An ordinal as the transcripts write a date's day: "6th" is "6"."""
    w = word.lower()
    return re.sub(r"(?<=\d)(?:st|nd|rd|th)$", "", w) if w[:1].isdigit() else w


def content_terms(text: str) -> list[str]:
    """Lower-cased words of `text` that carry meaning, in order, without repeats. A month
    abbreviated next to a number is the month: "jan 6th" is "january", "6"."""
    return list(_content_terms(text))


@functools.lru_cache(maxsize=4096)  # a query's words are read by several stages; roles recur
def _content_terms(text: str) -> tuple[str, ...]:
    out: list[str] = []
    ws = words(text)
    for i, w in enumerate(ws):
        lw = _plain(w).replace("’", "'")
        if lw in _MONTH_ABBREVIATIONS and any(
            x[:1].isdigit() for x in ws[max(i - 1, 0) : i + 2]
        ):  # fmt: skip
            lw = _MONTH_ABBREVIATIONS[lw]
        if lw.endswith("'s"):
            lw = lw[:-2]
        # "didn't", "wasn't", "they're": the word it shortens, a stopword ("won't" is "will")
        lw = _CONTRACTED.get(lw, re.sub(r"(?:n't|'re|'ve|'ll|'d|'m)$", "", lw))
        if lw in STOPWORDS or (len(lw) < 2 and not lw.isdigit()) or lw in out:
            continue
        out.append(lw)
    return tuple(out)


def acronyms(text: str) -> dict[str, list[str]]:
    """Initialisms of runs of 3 to 5 content words: 'liquefied petroleum gas' -> 'LPG'."""
    out: dict[str, list[str]] = {}
    run: list[str] = []
    for w in [*words(text), "."]:
        if w.lower() in STOPWORDS or not w[0].isalpha():
            for n in range(3, 6):
                for i in range(len(run) - n + 1):
                    part = run[i : i + n]
                    out["".join(x[0].upper() for x in part)] = part
            run = []
        else:
            run.append(w)
    return out


FRAME_WORDS = lang.word_set("frame_words.txt")
_AUX = {"did", "does", "do", "will", "would", "can", "could", "should", "may", "might", "to"}
_DETS = {"the", "a", "an", "its", "their", "his", "her", "this", "that", "these", "those"}


_NOT_ADVERBS = lang.word_set("not_adverbs.txt")


def adverbs(question: str) -> set[str]:
    """Lower-cased adverbs of the question ("permanently", "quickly"): how a thing was done,
    which a passage says in its own words ("for a limited period", "within hours")."""
    return {w.lower() for w in words(question)
            if re.fullmatch(r"[a-z]{3,}ly", w) and w not in _NOT_ADVERBS}  # fmt: skip


def degree_words(question: str) -> set[str]:
    """The word a "how" question measures ("fast" in "How fast was the force deployed?"): it
    frames the question, like "long" in "how long"; the answer says it in its own words
    ("within quite a short period of time")."""
    m = re.search(r"\bhow\s+([a-z]+)\s+(?:is|was|are|were|did|do|does|will|would|can|could|has"
                  r"|have|had|should|must)\b", question, re.IGNORECASE)  # fmt: skip
    w = m.group(1).lower() if m else ""
    return {w} if w and w not in STOPWORDS | _AUX | {"many", "much"} else set()


def verbs(question: str) -> set[str]:
    """Lower-cased words of the question that are probably verbs ("lose" in "did the police lose").

    After an auxiliary the subject comes first and the verb ends that run of words; a past form
    right after a wh-word ("Who asked") or after another verb ("helped prepare") is one too.
    """
    raw = words(question)
    ws = [w.lower() for w in raw]
    out: set[str] = set()
    for i, w in enumerate(ws):
        if w in _AUX:
            j = i + 1
            while j < len(ws) and ws[j] in _DETS:
                j += 1
            run_end = j
            if j == i + 1 and j < len(ws) and raw[j][0].isupper():
                # A named subject ("will Kazakhstan hold elections"): the verb follows the name.
                while run_end < len(ws) and raw[run_end][0].isupper():
                    run_end += 1
                if run_end < len(ws) and ws[run_end] not in STOPWORDS | _DETS:
                    out.add(ws[run_end])
                continue
            while run_end < len(ws) and ws[run_end] not in STOPWORDS | _DETS:
                run_end += 1
            if run_end > j:
                out.add(ws[run_end - 1])
                if run_end - 2 > j and ws[run_end - 1].endswith("ing"):
                    out.add(ws[run_end - 2])  # "did they finish leaving": both are verbs
        prev = ws[i - 1] if i else ""
        if w.endswith("ed") and prev not in _DETS and len(w) > 4:
            out.add(w)
        elif (
            i >= 2
            and ws[i - 2] == "how"
            and prev in ("many", "much")
            and (w.endswith("ed") or w in _VERB_FORMS)
        ):
            out.add(w)  # "How many died?": no counted noun, the verb follows at once
        elif prev in {"have", "has", "had", "having"} | ({"who"} if i == 1 else set()) and (
            w not in STOPWORDS | _DETS
        ):  # "having gone through", "Who spoke for ...": a verb
            out.add(w)
        elif w.endswith("ing") and prev not in _DETS | STOPWORDS and len(w) > 5 and i > 1:
            out.add(w)  # "citizens coming back": a participle after its noun
        elif prev in out and w not in STOPWORDS and i + 1 < len(ws) and ws[i + 1] in _DETS:
            out.add(w)
    return out


_SUFFIXES = tuple(
    """ations ation ments ment ings ing ness ities ity ies ied ees ee ers er ors or ed es ly s
    e""".split()
)


_VERB_FORMS = lang.table("verb_forms.txt")
_VERB_NOUNS = lang.table("verb_nouns.txt")
_IRREGULAR = {**_VERB_FORMS, **_VERB_NOUNS}
_SYNONYMS = lang.table("synonyms.txt")  # "soldiers" meets "troops"


# British and American spellings meet in one form: the seeds write "organisation", "centre",
# "armour" and "travelled" in one transcript and "organization", "self-defense" in the other,
# and people type either.
_SPELLINGS = lang.rewrites("spellings.tsv")


# subtle: if none matches the word, none can match after another's change either (none did).
_ANY_SPELLING = re.compile("|".join(f"(?:{rx.pattern})" for rx, _ in _SPELLINGS))


def _canonical(w: str) -> str:
    """One spelling for both: 'organization'/'organisation', 'armor'/'armour'."""
    if not _ANY_SPELLING.search(w):
        return w  # most words: one scan instead of eight
    for rx, repl in _SPELLINGS:
        w = rx.sub(repl, w)
    return w


@functools.lru_cache(maxsize=65536)  # a hot path: every word of every scored passage
def stem(word: str) -> str:
    """A crude English stem so that 'withdrew'/'withdrawal' or 'deployed'/'deployment' meet,
    and 'finished'/'completed' (`_SYNONYMS`)."""
    return _stem(word, synonyms=True)


@functools.lru_cache(maxsize=65536)
def literal_stem(word: str) -> str:
    """`stem` without the synonyms: 'finished' -> 'finish', where `stem` gives 'complete'."""
    return _stem(word, synonyms=False)


def _stem(word: str, synonyms: bool) -> str:
    # "Kazakhstan’s", "‘Maidan’", "armourers’": the word without its possessive or quote.
    w = _canonical(re.sub(r"['’](?:s)?$", "", _plain(word)).strip("'’-"))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", w):
        return w.replace(",", "")  # "1,300" is "1300"
    w = _IRREGULAR.get(w, w)
    w = _SYNONYMS.get(w, w) if synonyms else w
    # "decision"/"decided", "conclusion"/"conclude", "invasion"/"invade", "extension"/"extend"
    w = re.sub(r"(?<=[aiuon])sions?$", "de", w) if len(w) >= 8 else w
    # "confidence"/"confident", "violence"/"violent", "importance"/"important"
    w = re.sub(r"(?<=[^aeiou][ae]n)ces?$", "t", w) if len(w) >= 8 else w
    if w.isdigit() or len(w) <= 4 or not w.endswith(_SUFFIXES):
        return w
    for suf in _SUFFIXES:
        if w.endswith(suf) and len(w) - len(suf) >= 4:
            return w[: -len(suf)]
    return w


def synonym(word: str) -> str | None:
    """The word `stem` makes `word` meet ("soldiers" -> "troop", "began" -> "start"), if any."""
    w = _plain(word)
    return _SYNONYMS.get(_IRREGULAR.get(w, w))


MONEY = r"\bcost\b|\bprice\b|\bbudget\b|\bhow expensive\b"
# The kind of answer a question wants, first match wins.
_QUESTION_TYPES = [
    ("count", r"\bhow (many|much|large|big|long ago)\b|\bnumber of\b|\bhow strong\b"
              r"|\bwhat (size|number|percentage|share)\b"),
    ("count", MONEY),  # money is a number too
    ("when", r"\bwhen\b|\bwhat (date|day|year|month|time)\b|\bwhich (date|day|year|month)\b"
             r"|\bon what\b|\bhow long\b"),
    ("who", r"\bwho(m|se)?\b|\bname of\b|\bwhich (person|leader|official|president|general"
            r"|country|countries|organi[sz]ation)\b"),
    ("which", r"^\s*(in |on |at |from )?which\b"),
    ("why", r"\bwhy\b|\bwhat (caused|triggered|prompted|sparked|provoked|set|led to)\b"
            r"|\b(reason|cause)s? (for|of|behind)\b"),
    ("where", r"\bwhere\b|\bin which (city|country|place|region|town)\b"
              r"|\bwhat (city|country|place|region)\b"),
]  # fmt: skip


_KEYWORD_TYPES = [
    ("when", r"\b(date|dates|day|year|when)\b"),
    ("count", r"\b(number|amount|total|count|toll|tally|figures?|size)\b"),
    ("where", r"\b(place|location|venue|where)\b"),
    ("why", r"\b(reason|reasons|cause|causes|motive|why)\b"),
    ("who", r"\b(name|names|speaker|speakers)\b"),  # "kazakhstan un envoy name"
]
_WH_WORDS = {"what", "when", "where", "which", "who", "whom", "whose", "why", "how"}
_WH = re.compile(rf"\b({'|'.join(sorted(_WH_WORDS))})\b")


def kind_words(question: str) -> set[str]:
    """In a query typed as keywords, the words that name the kind of answer it wants
    ("toll" in "kazakhstan death toll"): they frame it, like "how many" would."""
    q = question.lower()
    if not _typed_as_keywords(q):
        return set()
    return {m.group(0) for _, rx in _KEYWORD_TYPES for m in re.finditer(rx, q)}


def _typed_as_keywords(q: str) -> bool:
    """No question word, and no auxiliary opening a yes/no question."""
    return not _WH.search(q) and not re.match(
        r"\s*(is|are|was|were|do|does|did|has|have|had|can|will)\b", q
    )


def question_type(question: str) -> str:
    """'count', 'when', 'who', 'which', 'where', 'why' or 'other': the kind of answer wanted.

    Read from the question's head, up to three words past its first question word: in
    "What does he think they forget when challenged?" the "when" asks for no date.
    """
    q = question.lower()
    m = _WH.search(q)
    head = " ".join(q[: m.end()].split() + q[m.end() :].split()[:3]) if m else q
    for kind, rx in _QUESTION_TYPES:
        if re.search(rx, head) or (kind == "count" and re.search(MONEY, q)):
            return kind
    if _typed_as_keywords(q):
        # A query typed as keywords names the kind it wants: "withdrawal date of the troops".
        for kind, rx in _KEYWORD_TYPES:
            if re.search(rx, q):
                return kind
    return "other"


def _noun_run(question: str, after: str, stop: set[str] = frozenset()) -> list[str]:
    """The words after the first match of `after`, up to a stopword, verb or `stop` word."""
    m = re.search(after + r"\s+((?:[\w’'-]+\s+){0,4})", question, re.IGNORECASE)
    if not m:
        return []
    run, found = [], verbs(question)
    for w in m.group(1).split():
        lw = w.lower().replace("’", "'").removesuffix("'s").rstrip("'")
        if lw in STOPWORDS or lw in found or lw in _AUX or lw in stop:
            break
        run.append(lw)
    return run


def focus_of(question: str) -> str | None:
    """The thing a "which"/"what kind of" question asks to name: 'Which joint exercise helped
    prepare ...' -> 'exercise' (the last word of the noun run after the question word)."""
    run = _noun_run(question, r"\b(?:which|what(?: kind| type| sort)? of|what)")
    return run[-1] if run else None


_ATTRIBUTE = re.compile(
    r"^\s*(?:what|who|which)\s+(?:is|was|are|were)\s+(?:the\s+)?(?P<x>[^?]+?)\s+of\s+"
    r"(?P<y>[^?,]+?)\s*(?:,[^?]*)?\??\s*$",  # ", according to Tokayev" is no part of Y
    re.IGNORECASE,
)

# "Who was Kazakhstan's prime minister during the unrest?": a post and whose it is. ("What
# was Tokayev's request?" asks what he requested, in whatever words: no X of Y.)
_POSSESSIVE = re.compile(
    r"^\s*who\s+(?:is|was|are|were)\s+(?:the\s+)?(?P<y>(?:[\w-]+\s+){0,2}[\w-]+)['’]s\s",
    re.IGNORECASE,
)


def attribute_terms(question: str) -> tuple[list[str], list[str]]:
    """The X and the Y of a "What is the X of Y?" question, which the answer must hold together:
    'What is the capital of Armenia?' -> (['capital'], ['armenia']) (framing words left out,
    so 'the name of the commander' -> ([], ['commander'])). Empty for any other question."""
    if p := _POSSESSIVE.match(question):  # "Who is Armenia's prime minister?"
        text = re.sub(r"[?!.,]", " ", question) + " "
        x = [t for t in _noun_run(text, r"['’]s") if t not in FRAME_WORDS]
        return (x, content_terms(p["y"])) if x else ([], [])
    m = _ATTRIBUTE.match(question)
    # X is a short noun phrase: "What was declared when criminals took control of Almaty?"
    # asks no "X of Y".
    x = m["x"].lower().split() if m else []
    if not m or len(x) > 4 or set(x) & (verbs(question) | _WH_WORDS):
        return [], []
    return tuple([t for t in content_terms(m[g]) if t not in FRAME_WORDS] for g in ("x", "y"))


def context_terms(question: str) -> list[str]:
    """Words of a phrase that only sets the time of the question: 'What happened to hospitals
    during the unrest?' -> ['unrest']. An answer often leaves them out ("There were barbarous
    attacks on hospitals")."""
    text = re.sub(r"[?!.]", " ", question) + " "  # the phrase often ends the question
    return _noun_run(text, r"\b(?:during|amid|amidst|throughout)(?:\s+the)?")


def counted_terms(question: str) -> list[str]:
    """The thing a "how many"/"how much" question counts: 'How much money did Russia spend?'
    -> ['money']; 'How many law enforcement officers ...' -> ['law', 'enforcement',
    'officers']. Empty when no noun follows ("How much did it cost?")."""
    return _noun_run(question, r"\bhow (?:many|much)", FRAME_WORDS)


def deed_of(question: str) -> str | None:
    """The verb of a "Who <verb> ...?" question: 'Who thanked Armenia?' -> 'thanked'."""
    ws = words(question)
    if len(ws) > 1 and ws[0].lower() == "who" and ws[1].lower() in verbs(question):
        return ws[1].lower()
    return None


# Verbs of saying and thinking: "What does Rahmon propose?" asks for Rahmon's own words.
_VOICE_VERBS = {stem(w) for w in lang.word_set("voice_verbs.txt")}


def voice_of(question: str, names: list[str], roles: dict[str, str] | None = None) -> str | None:
    """Which of the speakers `names` (full names) the question asks to be quoted:
    "according to Lukashenko", "What does Rahmon propose?", "in Putin's words", "What did
    the Prime Minister of Armenia say?" (by the last word of a role in `roles`). With
    "according to" and one named speaker (named by role: "Kazakhstan's UN envoy"), that one.
    None when the question only mentions them ("What did Tokayev request?")."""
    ws = [w.lower().replace("’", "'").removesuffix("'s") for w in words(question)]
    surnames = {n.lower().split()[-1]: n for n in names}
    for n in names:  # "... Prime Minister of Armenia say": a role's last word names its holder
        role_words = content_terms((roles or {}).get(n, ""))
        if role_words:
            surnames.setdefault(role_words[-1], n)
    for i, w in enumerate(ws):
        if w == "according" and i + 1 < len(ws) and ws[i + 1] == "to":
            after = [surnames[x] for x in ws[i + 2 : i + 8] if x in surnames]
            if after or len(names) == 1:
                return after[0] if after else names[0]
        if w in surnames and any(stem(v) in _VOICE_VERBS for v in ws[i + 1 : i + 3]):
            return surnames[w]
    return None


def mentions_person(question: str) -> bool:
    """Does the question refer to a person by pronoun ("he", "his", "her")?"""
    return any(w.lower() in _PERSONAL for w in words(question))


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
        # "the West", "of Kazakhstan", "in Almaty": things and places, not people; "CSTO
        # Collective Security Council": the tail of a longer name.
        if (
            not before
            or before[-1][:1].isupper()
            or before[-1].lower()
            in {
                "the",
                "a",
                "an",
                "of",
                "in",
                "to",
                "from",
                "at",
                "on",
                "into",
                "about",
            }
        ):
            continue
        return m.group(0)
    return None


def plural_of(question: str) -> str | None:
    """What 'they' refers to: 'How many troops did Kyrgyzstan send?' -> 'the troops'."""
    m = re.search(r"\bhow many\s+((?:[a-z][\w-]*\s+)?[a-z][\w-]*s)\b(?:\s+(?:did|does|do|will|"
                  r"have|has|had)\s+([A-Z][\w-]*))?", question, re.IGNORECASE)  # fmt: skip
    if not m:
        return None
    # "How many troops did Kyrgyzstan send?" -> "the Kyrgyzstan troops": keep whose they are.
    return f"the {m.group(2)} {m.group(1)}" if m.group(2) else f"the {m.group(1)}"


def place_of(question: str) -> str | None:
    """What 'there' refers to: the last 'to/in/at <Name>' phrase."""
    found = re.findall(r"\b((?:to|in|at|into)\s+(?:the\s+)?[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*)",
                       question)  # fmt: skip
    return found[-1] if found else None


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
        # "When did the withdrawal of CSTO troops begin?": with do-support, the phrase that
        # ends the question ends with the main verb, which is not part of the subject.
        aux = re.search(r"\b(did|does|do|will|would|can|could|should)\b", q[: m.start()], re.I)
        if aux and q.endswith(phrase) and len(phrase.split()) > 2:
            phrase = phrase.rsplit(" ", 1)[0]
        if best is None or len(phrase) > len(best):
            best = phrase
    if best and len(best.split()) >= 2:
        return best
    # "What did Varga say about compensation?": the topic, for "it".
    topic = re.search(r"\b(?:about|on|regarding|concerning)\s+((?:[a-z][\w-]*\s*){1,3})$", q)
    if topic:
        return topic.group(1).strip()
    names = re.findall(r"(?:[A-Z][\w’'-]+\s+)*[A-Z][\w’'-]+", q)
    names = [n for n in names if n.split()[0].lower() not in STOPWORDS | {"who", "whom"}]
    if names:
        return max(names, key=len)
    return best


# A chat request's opening, which names nothing a passage holds: "can you summarise what
# Rahmon said ...", "info on the withdrawal", "tell me about ...", "I want to know who ...".
_REQUEST = re.compile(
    r"^(?:please\s+)?(?:(?:can|could|would|will) you\s+(?:please\s+)?)?"
    r"(?:(?:tell|show|give|find)(?: me)?|let me know|i(?:'d| would) like to know|i want to know"
    r"|i wonder|explain|describe|summari[sz]e|list)?\s*"
    r"(?:(?:some |more |the )?(?:info|information|details?|summary|overview|facts)"
    r"\s+(?:on|about|of|regarding|for)\s+)?(?:about\s+)?",
    re.IGNORECASE,
)


def strip_request(question: str) -> str:
    """The question without a chat request's opening, when words are left to ask about."""
    rest = _REQUEST.sub("", question, count=1).strip()
    return rest if rest != question and content_terms(rest) else question


def rewrite(question: str, history: list[str] | None, people: frozenset[str] = frozenset()) -> str:
    """Spell out the subject of a follow-up from the earlier questions; else return as is.
    `people`: the lower-case words of people's names, which "it" never stands for."""
    q = strip_request(question.strip())
    prior = [h.strip() for h in history or [] if h and h.strip()]
    if not prior:
        return q
    if _FRAGMENT.match(q):  # "And about Afghanistan?"
        swapped = _swap_object(q, rewrite(prior[-1], prior[:-1], people))
        if swapped:
            return swapped
    if not _PRONOUN.search(q):
        # No pronoun: only a bare fragment ("And the Kyrgyz one?", "How many died?", "Why?")
        # needs context.
        if len(content_terms(q)) <= 1 and re.match(r"(and|what about|how about)\b", q, re.I):
            return f"{_strip_lead(q)} {rewrite(prior[-1], prior[:-1], people)}".strip()
        named = any(w[0].isupper() for w in words(q)[1:])
        if len(content_terms(q)) <= 1 and re.match(r"(how|when|why|where|who|what)\b", q, re.I) \
                and not named:  # fmt: skip
            # "How many died?": asked as it is, about what the previous question was about.
            previous = rewrite(prior[-1], prior[:-1], people)
            wanted = set(content_terms(previous))
            topic = [w for w in words(previous) if w.lower() in wanted]
            return f"{q.rstrip('?')} ({' '.join(dict.fromkeys(topic))})?"
        return q
    earlier = [rewrite(h, prior[:i], people) for i, h in enumerate(prior)]
    out, pos = q, 0
    while m := _PRONOUN.search(out, pos):
        repl = _referent(m.group(1), out, m, earlier, people)
        if repl is None:
            pos = m.end()
            continue
        out = out[: m.start()] + repl + out[m.end() :]
        pos = m.start() + len(repl)
    out = _strip_lead(out)
    return out[0].upper() + out[1:] if out else q


_FRAGMENT = re.compile(
    r"^(?:and\s+|what\s+|how\s+|and\s+what\s+)?(about|on|regarding|in|to|from|for|with)\s+"
    r"((?:[\w’'-]+\s*){1,4})\?*$",
    re.IGNORECASE,
)


def _swap_object(fragment: str, previous: str) -> str | None:
    """ "And about Afghanistan?" after "What did Lukashenko say about Uzbekistan?" asks the
    previous question about another thing: "What did Lukashenko say about Afghanistan?"."""
    m = _FRAGMENT.match(fragment.strip())
    if not m:
        return None
    prep, thing = m.group(1).lower(), m.group(2).strip()
    found = list(re.finditer(rf"\b{prep}\s+([^,?]+)", previous, re.IGNORECASE))
    if not found:
        return None
    last = found[-1]
    return previous[: last.start(1)] + thing + previous[last.end(1) :]


def _referent(
    word: str, q: str, m: re.Match, earlier: list[str], people: frozenset[str] = frozenset()
) -> str | None:
    """What `word` in the follow-up stands for, from the most recent earlier question."""
    w = word.lower()
    if w in {"this", "that", "these", "those"}:
        nxt = q[m.end() :].lstrip()
        if nxt and nxt[0].isalpha() and nxt.split()[0].lower() not in STOPWORDS:
            return None  # "this exercise": a determiner, not a pronoun
    for e in reversed(earlier):
        if w == "there":
            found = place_of(e)
        elif w in _PERSONAL:
            found = person_of(e) or subject_of(e)
        elif w in {"they", "them", "their"}:
            found = plural_of(e) or subject_of(e)
        else:
            found = subject_of(e)
            if found and w in {"it", "its"} and set(found.lower().split()) <= people:
                # "What lesson did Tokayev draw?" / "Is it useful?": a thing, not the person.
                thing = focus_of(e)
                found = f"the {thing}" if thing else None
        if not found:
            continue
        possessive = w in {"its", "their", "his"} or (
            w == "her" and re.match(r"\s+[a-z]", q[m.end() :]) is not None
            and q[m.end() :].split()[0].lower() not in STOPWORDS)  # fmt: skip
        if possessive:
            return found + ("'" if found.endswith("s") else "'s")
        return found
    return None


def _strip_lead(q: str) -> str:
    return re.sub(r"^(and|so|but|also|then|ok|okay)[,\s]+", "", q.strip(), flags=re.IGNORECASE)


def name_person(question: str, person: str) -> str:
    """Put `person` in place of the question's personal pronouns: 'What did he say?' ->
    'What did Nikol Pashinyan say?', 'his' -> "Nikol Pashinyan's"."""
    out = re.sub(r"\b(he|she|him)\b", person, question.strip(), flags=re.IGNORECASE)
    out = _strip_lead(re.sub(r"\b(his|her)\b", f"{person}'s", out, flags=re.IGNORECASE))
    return out[:1].upper() + out[1:]
