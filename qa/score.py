"""How well a sentence answers a question: shared by reranking (retrieve) and answering.

A sentence scores by
  * coverage: the share of the question's meaning it holds: its words, weighted by rarity in
    the index (inverse document frequency), counted in the sentence and, more weakly, in the
    rest of its passage (an answer often leaves the topic words to its neighbours);
  * type: whether it holds the kind of thing asked for ("when" a date, "how many" a number,
    "who" a name or the role of a known speaker, "where" a place, "which" a name or number,
    "why" a cause) that the question does not already contain; the precise kind (a day of a
    month, a name ending in the asked-for thing) scores higher;
  * rank: how well its passage ranked in hybrid search, and whether the speaker the
    question names said it.

A document header (title, date, place, participants) is scored as one unit: its lines are
fragments that only answer together ("When was the session held?").

`missing` is the rare question words found neither in the sentence nor its passage; the
answerer abstains on it. `fits` is False for a sentence that cannot be the answer whatever
its score (see `Candidate`). Nothing is embedded here: scoring is words only.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass, field

from qa import lang
from qa.chunk import sentence_spans
from qa.formats.labels import POSTS
from qa.query import (
    FRAME_WORDS,
    MONEY,
    MONTHS,
    NUMBER_WORDS,
    STOPWORDS,
    acronyms,
    adverbs,
    attribute_terms,
    content_terms,
    context_terms,
    counted_terms,
    deed_of,
    degree_words,
    focus_of,
    kind_words,
    literal_stem,
    question_type,
    stem,
    synonym,
    verbs,
    voice_of,
    words,
)
from qa.types import Passage

_DATE = re.compile(
    rf"\b({'|'.join(m.capitalize() for m in MONTHS)})\b|\b(19|20)\d\d\b|\b(yesterday|today|"
    r"tomorrow|tonight|Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|"
    r"same day|following day|next day|late|early|mid)\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\b\d[\d,.]*\b")
# A time said relative to now: "over the past few days", "soon", "right away", "years ago".
_RELATIVE_TIME = re.compile(
    r"\b(?:(?:over|in|during|for|within) the (?:past|last|next|coming|first) (?:few |several )?"
    r"(?:hours?|days?|weeks?|months?|years?|decades?)|(?<!as )soon|later on|right away|at once|"
    r"immediately|recently|shortly|overnight|from day one|(?:hours?|days?|weeks?|months?|years?)"
    r" ago|(?:on )?the (?:following|next) (?:day|week|month))\b",
    re.IGNORECASE,
)
# Time said other than as a date: "Later on, we will ...", "from day one", "within hours".
_WHEN_WORDS = re.compile(
    r"\b(now|then|later|soon|once|immediately|instantly|promptly|recently|since|until|till|"
    r"after|before|during|while|within|ago|already|still|first|days?|nights?|hours?|minutes?|"
    r"weeks?|months?|years?|decades?|morning|afternoon|evening|dawn|weekend|earlier|"
    r"previously|shortly|last|next|as of|time|moment|future|past|period|phase|stage|when|"
    r"whenever|as soon as)\b",
    re.IGNORECASE,
)
_CURRENCY = re.compile(
    rf"[$€£¥₽₹]|\b({'|'.join(sorted(lang.word_set('currencies.txt')))})\b", re.IGNORECASE
)
# A day of a month ("January 13", "13 January", "13/01/2022"): more than "in January".
_FULL_DATE = re.compile(
    rf"\b({'|'.join(MONTHS)})\s+\d{{1,2}}\b|\b\d{{1,2}}\s+({'|'.join(MONTHS)})\b"
    r"|\b\d{1,2}/\d{1,2}/\d{2,4}\b",
    re.IGNORECASE,
)
# Words that give a cause or a purpose: the kind of answer "why" and "what caused" want.
_CAUSE = re.compile(
    r"\b(because|due to|caused|triggered|sparked|prompted|provoked|pretext|reason|so as to|"
    r"in order to|so that|led to|as a result of|owing to|"
    # "Therefore, we must create a security belt": the cause is the sentence before.
    r"therefore|hence|that is why|this is why|for this reason)\b",
    re.IGNORECASE,
)
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# For the short answer: a day of a month with its year if given, a month with a year, and an
# amount with its scale and up to three words of what it counts ("4.2 million cubic metres").
_SHORT_DATE = re.compile(
    rf"\b(?:(?:{'|'.join(MONTHS)})\s+\d{{1,2}}(?:st|nd|rd|th)?|\d{{1,2}}\s+(?:{'|'.join(MONTHS)}))"
    r"(?:,?\s+(?:19|20)\d\d)?\b",
    re.IGNORECASE,
)
_MONTH_YEAR = re.compile(rf"\b(?:{'|'.join(MONTHS)})\s+(?:of\s+)?(?:19|20)\d\d\b", re.IGNORECASE)
_WEEKDAYS = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"}
_SHORT_PLACE = re.compile(
    r"\b(?:in|at|to|from|near|into)\s+(?:the\s+)?"
    r"([A-Z][\w’'-]+(?:\s+(?:of\s+(?:the\s+)?)?[A-Z][\w’'-]+)*)"
)
_AMOUNT = re.compile(
    r"(?:\b(?i:more than|less than|fewer than|over|under|about|around|almost|nearly|some|"
    r"approximately|roughly|up to|at least|at most)\s+)?"
    r"(?:[$€£¥₽₹]\s?)?(?P<n>\b\d[\d,.]*\d\b|\b\d\b)(?P<of>\s+out of\s+\d[\d,.]*)?"
    r"(?P<scale>\s+(?:million|billion|thousand|trillion|percent|per cent|%))?"
    r"(?:\s+[a-zA-Z][\w-]*){0,3}"
)
_INNER_CAPS = re.compile(r"(?<=\w )[A-Z][\w-]+")  # a capitalised word inside a sentence
_NAME = re.compile(r"(?<![.!?]\s)(?<!^)\b[A-Z][a-z]+(?:[- ][A-Z][a-z]+)+\b")
_PLACE = re.compile(
    r"\b(?:in|at|to|from|near|across|over|into)\s+(?:the\s+)?[A-Z][\w-]+"
    # "across our state borders": a place need not be named
    r"|\b(?:in|at|to|from|near|across|over|into)\s+(?:the\s+|our\s+|their\s+|its\s+)?"
    r"(?:[a-z]+\s+)?(?:borders?|country|countries|region|city|capital|town|village|province|"
    r"territory|area|abroad)\b"
)
# A header line that names a place: "Novo-Ogaryovo, Moscow Region", "Location: Hall B".
_DATELINE_PLACE = re.compile(
    r"^(?:(?i:location|place|venue)\s*:\s*\S.*"
    r"|[A-Z][\w’'-]+(?:[ -][A-Z][\w’'-]+)*(?:,\s*[A-Z][\w’'-]+(?:\s+[A-Z][\w’'-]+)*)+)\s*$",
    re.MULTILINE,
)
# Capitalised phrases ending in one of these name an organisation or place, not a person.
_ORG_WORDS = lang.word_set("organisation_words.txt")
# A sentence opening with one of these leans on the sentence before it.
_ANAPHOR = re.compile(
    r"^(this|that|these|those|it|its|they|their|he|she|such|under this|in this|by this|"
    r"at that|for this|as a result|therefore|hence|thus)\b"
    # "I think that this is our core mission": a lead-in of opinion does not change that.
    r"|^(?:(?:i|we) (?:think|believe|hope|am sure|am confident)(?: that)?,? |of course,? "
    r"|indeed,? |and |but |so )(this|these|those|it|its|they|their|he|she|such)\b",
    re.IGNORECASE,
)
HEADER_UNIT_WORDS = 120
# A sentence's score is the weighted sum of these signals (`Scorer.candidates`):
#   cover   the share of the question's weight the sentence holds (the first sentence of a
#           reply also gets part of the question it replies to);
#   around  the same share for its whole passage, speaker, role and title;
#   fused   its passage's fused rank score as a share of the top one's; dense its cosine;
#   own     said by the speaker the question names;
#   typed   holds the kind of answer asked for (strong: the precise kind); untyped: it does
#           not, and the question asks for a kind; terse: under four words and untyped;
#   minor   a procedural turn; header: the document header; length: log(1 + its words).
# Hand-set (sessions 2-9); eval/fit_sentences.py fits them across corpora and reports
# leave-one-corpus-out.
SENTENCE_WEIGHTS = {"cover": 0.65, "around": 0.35, "fused": 0.15, "dense": 0.1, "own": 0.1,
                    "typed": 0.3, "strong": 0.1, "untyped": -0.1, "terse": -0.3, "minor": -0.3,
                    "header": 0.0, "length": 0.0}  # fmt: skip
_SPEECH = {stem(w) for w in "spoke speak said say told tell stated talked addressed".split()}
FRAME_WEIGHT = 0.5  # weight of a frame word ("take place", "how long") in coverage
# A proper noun of the question found in at most this share of passages must be in the
# passage, or in who said it or the document's title ("Afghanistan": 6% of them).
PROPER_SHARE = 0.1
SYNONYM_SHARE = 0.8  # share of a word's weight when a text holds it only through a synonym
VERB_MISSING = 0.5  # share of a missing rare verb's weight that counts towards abstaining
REPLY_CREDIT = 0.5  # share of the replied-to question's words credited to a reply's first sentence
STRONG = 2  # `Scorer.typed`: the precise kind of answer
# A run of capitalised words and the word after it ("Indestructible Brotherhood exercise").
_CAPS_RUN = re.compile(r"((?:[A-Z][\w’'-]+\s+)*[A-Z][\w’'-]+)(?:\s+([a-z][\w-]+))?")


# Things a statement names, not a proper name: "Which lesson does he draw?" is answered by
# "A crackdown at the very outset yields tangible results."
_STATEMENTS = {stem(w) for w in lang.word_set("statement_nouns.txt")}
# "led by the deputy chief of the Joint Staff": a post answers "who" too.
TITLE_WORDS = frozenset(POSTS | {"envoy", "premier", "spokesman", "spokeswoman", "spokesperson"})
# Question words that say nothing about a speaker's role.
_NOT_ROLE = {"who", "whom", "whose", "the", "of", "a", "an", "is", "was", "did"}


# The endings that make a short place name an adjective or a people ("Asian", "Iranian").
_DEMONYM_ENDINGS = ("n", "an", "ian", "i")


def related(a: str, b: str) -> bool:
    """One word extends the other by a short ending: 'afghan'/'afghanistan', 'kazakh'/'kazakhs'."""
    short, long_ = sorted((a, b), key=len)
    return len(short) >= 5 and long_.startswith(short) and len(long_) - len(short) <= 5


@functools.lru_cache(maxsize=16384)
def _word_list(text: str) -> tuple[str, ...]:
    """The words of a sentence or passage, read once for the caches below."""
    return tuple(words(text))


@functools.lru_cache(maxsize=16384)  # passages do not change; their stems are reused per query
def _text_stems(text: str) -> frozenset[str]:
    return frozenset(stem(w) for w in _word_list(text))


@functools.lru_cache(maxsize=16384)
def _text_literal_stems(text: str) -> frozenset[str]:
    return frozenset(literal_stem(w) for w in _word_list(text))


@functools.lru_cache(maxsize=16384)
def _sentence_spans(text: str, start: int) -> tuple[tuple[int, int], ...]:
    return tuple(sentence_spans(text, offset=start))


@functools.lru_cache(maxsize=16384)
def _text_prefixes(text: str) -> dict[str, list[str]]:
    """The text's stems by their first five letters (`related` needs at least five)."""
    out: dict[str, list[str]] = {}
    for s in _text_stems(text):
        if len(s) >= 5:
            out.setdefault(s[:5], []).append(s)
    return out


@functools.lru_cache(maxsize=16384)
def _text_words(text: str) -> frozenset[str]:
    return frozenset(w.lower() for w in _word_list(text))


@functools.lru_cache(maxsize=65536)
def _trim(amount: str) -> str:
    """An amount (qualifier, number, "out of", scale) and the words it counts, cut before the
    first function word ("116 weapons have been" -> "116 weapons")."""
    m = _AMOUNT.match(amount)
    if m is None:
        return amount.strip(" ,.;:")
    head = max(m.end("n"), m.end("of"), m.end("scale"))  # -1 for a group that did not match
    kept = [amount[:head]]
    for w in amount[head:].split():
        if w.lower() in STOPWORDS:
            break
        kept.append(w)
    return " ".join(kept).strip(" ,.;:")


def _found(pattern: re.Pattern, text: str) -> tuple[str, ...]:
    """What `pattern` matches in a sentence: sentences recur from query to query."""
    return tuple(m.group(0) for m in pattern.finditer(text))


@functools.lru_cache(maxsize=16384)
def _words_in(text: str, vocabulary: frozenset[str]) -> tuple[str, ...]:
    """The words of `text` in `vocabulary` (number words "twelve", posts "envoy")."""
    return tuple(w for w in _word_list(text) if w.lower() in vocabulary)


@functools.lru_cache(maxsize=65536)
def _has(pattern: re.Pattern, text: str) -> bool:
    """Does `pattern` occur in a sentence? (Cached like `_found`.)"""
    return pattern.search(text) is not None


@functools.lru_cache(maxsize=16384)
def _caps_runs(text: str) -> tuple[tuple[str, str], ...]:
    """Runs of capitalised words in `text`, each with the lower-case word after it, if any."""
    return tuple((m.group(1), m.group(2) or "") for m in _CAPS_RUN.finditer(text))


@dataclass
class Candidate:
    passage: Passage
    start: int  # offsets into the seed file
    end: int
    text: str
    score: float
    typed: bool
    missing: list[str] = field(default_factory=list)  # rare question words absent from passage
    missing_share: float = 0.0  # their share of the question's weight
    # False when it cannot be the answer whatever its score: its passage lacks a proper noun
    # of the question ("How many Belarusian troops ..."); it lacks the X of a "What is the X
    # of Y?" question ("the capital of Armenia"); it gives no number to "how many" or no sum
    # of money to "what did it cost"; or the question asks for another speaker's own words
    # ("according to Lukashenko").
    fits: bool = True
    held: frozenset[str] = frozenset()  # the question's (stemmed) words it holds
    scorer: Scorer | None = field(default=None, repr=False, compare=False)  # what scored it
    features: dict = field(default_factory=dict, repr=False, compare=False)  # `SENTENCE_WEIGHTS`

    def short(self) -> str | None:
        """The answer itself, taken from this sentence (`Scorer.short`)."""
        return self.scorer.short(self.text) if self.scorer else None


class Scorer:
    """Scores the sentences of passages against one (already rewritten) question. `texts`:
    passages found for it, which show how the transcripts write its words (capitalised)."""

    def __init__(self, index, query: str, named: list[str] | None = None,
                 texts: list[str] | None = None, weights: dict | None = None):  # fmt: skip
        self.query = query
        self.sentence_weights = weights or SENTENCE_WEIGHTS
        self.qtype = question_type(query)
        self.asked = {w.lower() for w in words(query)}
        self.focus = focus_of(query) if self.qtype in ("which", "who", "other") else None
        self.roles = index.roles()
        n = max(index.count(), 1)
        named_words = {w.lower() for name in named or [] for w in name.split()}
        asked = {w.lower() for w in content_terms(query)}
        for name in named or []:
            if name.split()[-1].lower() not in asked:
                # Named by role ("What did the Prime Minister of Armenia say ...?"): the role's
                # words say whose passage, like a name, not which sentence.
                named_words |= set(content_terms(self.roles.get(name, "")))
        self.named = set(named or [])
        # "according to Lukashenko": only his own sentences can be the answer.
        self.voice = voice_of(query, list(named or []), self.roles)
        self.weights: dict[str, float] = {}
        self.literal: dict[str, str] = {}  # each weighted stem: the question's own word
        self.rare: set[str] = set()
        self.rare_verbs: set[str] = set()  # count VERB_MISSING of their weight when absent
        self.specific: set[str] = set()  # not common; a proper noun of these must be there
        question_verbs = verbs(query)
        context = set(context_terms(query))
        frame = FRAME_WORDS | kind_words(query) | degree_words(query)
        not_topic = question_verbs | adverbs(query) | frame
        deed = deed_of(query)
        if deed and stem(deed) in _SPEECH:
            deed = None  # "Who spoke for Kazakhstan?": everyone in a transcript speaks
        self.deed = stem(deed) if deed else None
        for t in content_terms(query):
            df = index.document_frequency(t)
            if base := synonym(t):  # "soldiers" is as common as the "troops" it meets
                df = max(df, index.document_frequency(base))
            w = math.log((n + 1) / (df + 0.5))
            if t in named_words:
                w *= 0.5  # the speaker's name says whose passage, not which sentence
            elif t == deed:
                w *= 2.0  # "Who chaired the debate?": the one who chaired, not the debate
            elif t in frame:
                w *= FRAME_WEIGHT  # "take place", "what kind": how it asks, not what about
            self.weights[stem(t)] = max(w, 0.1)
            self.literal[stem(t)] = literal_stem(t)
            # Rare words the evidence must hold: names and things, not the verb or a number.
            # Verbs and words that only set the time ("during the unrest") count in part.
            if t in context and df <= 0.05 * n:
                self.rare_verbs.add(stem(t))
            elif df <= 0.05 * n and t not in named_words | not_topic and not t.isdigit():
                self.rare.add(stem(t))
            elif df <= 0.05 * n and t in question_verbs and stem(t) not in _SPEECH:
                self.rare_verbs.add(stem(t))  # "When did Tajikistan join ...?": "join"
            if df <= PROPER_SHARE * n and t not in named_words:
                self.specific.add(stem(t))
        # "liquefied petroleum gas" is answered by a sentence that says "LPG".
        self.acronyms = {a.lower(): [stem(w) for w in ws] for a, ws in acronyms(query).items()}
        self.total = sum(self.weights.values()) or 1.0
        # Proper nouns and adjectives of the question (not its first word): only these meet
        # their longer or shorter forms ("Afghan" prisons / Afghanistan).
        self.proper = {stem(w) for w in words(query)[1:] if w[0].isupper()} & set(self.weights)
        if texts and not any(c.isupper() for c in query[1:]):
            # Typed in lower case ("russian casualties"): the rarer words that the passages
            # found write capitalised inside a sentence ("the Russian Federation") are names.
            joined = "\n".join(texts)
            # (The substring test first: one regex scan of all the passages costs more.)
            self.proper |= {stem(t) for t in content_terms(query) if stem(t) in self.specific
                            and f" {t.capitalize()}" in joined
                            and re.search(rf"[a-z,] {t.capitalize()}\b", joined)}  # fmt: skip
        x, y = attribute_terms(query)
        self.attribute = {stem(t) for t in x} & set(self.weights)  # "the capital" ...
        self.owner = {stem(t) for t in y} & set(self.weights)  # ... "of Armenia"
        self.counted = {stem(t) for t in counted_terms(query)}
        # "cost", "price", "how much money", "how much ... spent": an amount of money is the
        # answer ("How many days were spent ...?" counts days).
        money = rf"{MONEY}|\bmoney\b|\bhow much\b.*\bspen[dt]\b"
        self.money = re.search(money, query, re.I) is not None
        self.wants_year = re.search(r"\b(what|which) years?\b", query, re.I) is not None
        how_many = re.search(r"\bhow (many|much)\b", query, re.I) is not None
        self.how_many = self.qtype == "count" and how_many  # a number is the answer
        self._is_new: dict[str, bool] = {}  # `_any_new`'s answer for each word seen
        # Roles whose words the question does not all say: one in a sentence answers "who".
        self._new_roles = [r.lower() for r in self.roles.values()
                           if not set(r.lower().split()) <= self.asked]  # fmt: skip

    def _stems(self, text: str) -> frozenset[str]:
        """Stems of `text`, plus each proper noun of the question that a word of `text` extends
        or shortens ("Afghan" / "Afghanistan"), and the words of an acronym it holds ("LPG")."""
        found = _text_stems(text)
        extra = set()
        if self.proper:
            by_prefix = _text_prefixes(text)
            for t in self.proper - found:
                if any(related(t, f) for f in by_prefix.get(t[:5], ())) or (
                    # too short for `related`: "Asia"/"Asian", "Iraq"/"Iraqi"
                    len(t) == 4 and any(t + end in found for end in _DEMONYM_ENDINGS)
                ):
                    extra.add(t)
        if self.acronyms:
            lowered = _text_words(text)
            for acro, parts in self.acronyms.items():
                if acro in lowered:
                    extra.update(parts)
        return found | extra if extra else found

    def coverage(self, stems: set[str], text: str) -> float:
        """The share of the question's weight that `stems` (of `text`) hold. A word `text`
        holds only through a synonym ("demonstrations" for "protests") counts
        `SYNONYM_SHARE` of its weight, so that the transcript's own word wins where both
        occur."""
        plain, literal = _text_stems(text), _text_literal_stems(text)
        total = 0.0
        for t, w in self.weights.items():
            if t in stems:
                weak = t in plain and self.literal[t] not in literal
                total += w * SYNONYM_SHARE if weak else w
        return total / self.total

    def candidates(self, passage: Passage, fused: float, top_fused: float, dense: float):
        """Every sentence (or the header unit) of `passage`, scored."""
        # The passage, the question it replies to, who spoke (a "Moderator" moderated), and the
        # document's title ("... a debate on cooperation between the UN and the CSTO").
        whole = " ".join((passage.text, passage.context, passage.speaker or "",
                          passage.role or "", passage.title))  # fmt: skip
        around = self._stems(whole)
        around_cover = self.coverage(around, whole)
        # Passage-level: rare words of the question it lacks, and their share of the weight.
        missing = sorted(self.rare - around)
        share = sum(self.weights[t] for t in missing) / self.total
        # A rare verb of the question that the passage lacks counts in part: a passage can say
        # it in other words, but "When did Tajikistan join the CSTO?" has no answer where
        # nobody joins anything.
        lacking = self.rare_verbs - around
        # The deed a "who" question asks about counts in full: nobody in a passage that lacks
        # it did it ("Who commanded the Kyrgyz contingent?" of one that only sends it).
        share += sum(self.weights[t] * (1.0 if t == self.deed else VERB_MISSING)
                     for t in lacking) / self.total  # fmt: skip
        proper_ok = not (self.proper & self.specific) - around
        fused_share = fused / (top_fused or 1.0)
        # "What is Zas going to do?": Zas's words, not others' about him.
        own_speaker = float(passage.speaker in self.named)
        spans = _sentence_spans(passage.text, passage.start)
        if passage.turn == 0 and len(passage.text.split()) <= HEADER_UNIT_WORDS:
            spans = [(passage.start, passage.end)]
        out, who = [], None
        for i, (a, b) in enumerate(spans):
            text = own = passage.text[a - passage.start : b - passage.start]
            if i > 0 and _has(_ANAPHOR, text):  # keep the sentence it refers to
                a = spans[i - 1][0]
                text = passage.text[a - passage.start : b - passage.start]
            stems = self._stems(text)
            cover = self.coverage(stems, text)
            if i == 0 and passage.context:
                # The first sentence of a reply answers the question it replies to ("And the
                # cost?" / "The current estimate is 212 million euros."): part credit.
                cover += REPLY_CREDIT * self.coverage(
                    self._stems(passage.context) - stems, passage.context
                )
            typed = self.typed(text) or self._speaker_answers(passage)
            if text.rstrip().rstrip("”\"'").endswith("?"):
                continue  # a question answers nothing
            features = {
                "cover": cover,
                "around": around_cover,
                "fused": fused_share,
                "dense": max(dense, 0.0),
                "own": own_speaker,
                "typed": float(bool(typed)),
                "strong": float(typed == STRONG),
                "untyped": float(not typed and self.qtype != "other"),
                "terse": float(len(text.split()) < 4 and not typed),
                "minor": float(passage.minor),
                "header": float(passage.turn == 0),
                "length": math.log1p(len(text.split())),
            }
            score = sum(w * features[f] for f, w in self.sentence_weights.items())
            fits = proper_ok
            if self.voice and passage.speaker != self.voice:
                fits = False
            if fits and self.attribute | self.owner:
                # X in the sentence, with Y there or in who said it ("the key priorities of our
                # chairmanship", said by the Prime Minister of Armenia); or both in who said it.
                # A role "President of Belarus" and a sentence naming Uzbekistan do not answer
                # "Who is the President of Uzbekistan?".
                mine, who = self._stems(own), who or self._who(passage)
                both = self.attribute | self.owner
                if self.attribute <= mine:
                    # Y here or in who said it, unless the sentence gives X another owner:
                    # "President of the Russian Federation" does not answer "Who is the
                    # President of Kazakhstan?", whoever says it.
                    fits = self.owner <= mine | who and not self._owned_elsewhere(own)
                else:
                    fits = both <= who
            if self.how_many and not typed:
                fits = False  # "How many weapons ...?" is not answered without a number
            if self.qtype == "when" and not typed and not _has(_WHEN_WORDS, text):
                fits = False  # "When did ...?" is not answered by a sentence with no time in it
            if fits and self.counted:
                # The counted thing is named here or in the sentence before ("Taliban members
                # are fighting ... 11 of them were killed"); "200 flights" is no sum of money.
                # A proper qualifier of it must be there too: "How many Russian troops ...?"
                # is not answered by "2,030 troops".
                near = self._stems(
                    passage.text[spans[max(i - 1, 0)][0] - passage.start : b - passage.start]
                )
                named = self.counted & self.proper
                fits = named <= near and bool((self.counted - named or named) & near)
            held = frozenset(t for t in self.weights if t in stems)
            out.append(Candidate(passage, a, b, text, score, typed, missing, share, fits, held,
                                  self, features))  # fmt: skip
        return out

    def _owned_elsewhere(self, text: str) -> bool:
        """Is an X of the question followed by "of" and a name that is not its Y here?"""
        for m in re.finditer(r"\b(\w+)\s+of\s+(?:the\s+)?((?:[A-Z][\w-]*\s*)+)", text):
            if stem(m.group(1)) in self.attribute and not self.owner & self._stems(m.group(2)):
                return True
        return False

    def _who(self, passage: Passage) -> set[str]:
        """Stems of the speaker's name and role, and the role's initialisms ("CSTO")."""
        role = passage.role or ""
        return self._stems(f"{passage.speaker or ''} {role}") | {a.lower() for a in acronyms(role)}

    def _names_focus(self, text: str) -> bool:
        """A capitalised name that ends in, or stands before, the asked-for thing:
        "Almaty International Airport", "the Indestructible Brotherhood exercise"."""
        f = stem(self.focus)
        for name, nxt in _caps_runs(text):
            if self._any_new(name.split()):  # a name the question lacks
                if stem(name.split()[-1]) == f or (nxt and stem(nxt) == f):
                    return True
        return False

    def _speaker_answers(self, passage: Passage) -> bool:
        """For "who moderated", the speaker whose role is the moderator is the answer."""
        if self.qtype != "who" or not passage.role:
            return False
        role = {stem(w) for w in words(passage.role)}
        return any(stem(w) in role for w in words(self.query) if w.lower() not in _NOT_ROLE)

    def typed(self, text: str) -> float:
        """Does `text` hold the kind of answer asked for, beyond the question's own words?
        0 no, 1 yes, STRONG when it is the precise kind: a day of a month for "when", a name
        ending in the asked-for thing for "which airport" ("Almaty International Airport")."""
        qtype, new = self.qtype, self._any_new
        if qtype == "when":
            if self.wants_year:  # "In what year ...?": a year, not "January 6 of this year"
                if new(_found(_YEAR, text)):
                    return STRONG
            elif new(_found(_FULL_DATE, text)):
                return STRONG
            return new(_found(_DATE, text)) or new(_found(_RELATIVE_TIME, text))
        if qtype == "why":
            return STRONG if _CAUSE.search(text) else 0
        if qtype == "count" and self.money and not _CURRENCY.search(text):
            return 0  # "How much did the mission cost?" is not answered by "16 dead"
        if qtype == "count":
            nums = [n for n in _found(_NUMBER, text) if not _YEAR.fullmatch(n)]
            return new(nums) or new(_words_in(text, NUMBER_WORDS))
        if qtype == "who":
            people = [n for n in _found(_NAME, text) if n.split()[-1].lower() not in _ORG_WORDS]
            if new(w for name in people for w in name.replace("-", " ").split()):
                return True
            low = text.lower()
            if any(role in low for role in self._new_roles):
                return True
            # "led by the deputy chief of the Joint Staff": a post answers "who" too.
            return new(_words_in(text, TITLE_WORDS))
        if qtype == "which":
            if self.focus and self._names_focus(text):
                return STRONG
            if self.focus and stem(self.focus) in _STATEMENTS:
                return True  # "Which lesson ...?" is answered by a statement, not a name
            return new(_found(_INNER_CAPS, text)) or new(_found(_NUMBER, text))
        if qtype == "where":
            if new(_found(_DATELINE_PLACE, text)):
                return STRONG  # where the event took place, as its header gives it
            return new(m.split()[-1] for m in _found(_PLACE, text))
        return True

    def short(self, text: str) -> str | None:
        """The answer itself, taken from the chosen sentence `text`: the date for "when", the
        amount and what it counts for "how many", the person for "who", the place for
        "where", the named thing for "which". None for other questions, and None when the
        sentence holds two or more such things the question does not already say: a wrong
        short answer read first is worse than none, so an ambiguous one is not guessed."""
        qtype = self.qtype

        def only_new(found) -> str | None:
            new = list(dict.fromkeys(
                m.strip(" ,.;:") for m in found
                if self._any_new(w for w in re.split(r"[\s-]+", m) if w)))  # fmt: skip
            return new[0] if len(new) == 1 else None

        if qtype == "when":
            if self.wants_year:
                return only_new(_found(_YEAR, text))
            dates = _found(_SHORT_DATE, text) or _found(_MONTH_YEAR, text)
            return only_new(dates) if dates else only_new(_found(_RELATIVE_TIME, text))
        if qtype == "count":
            amounts = []
            for m in _AMOUNT.finditer(text):
                n = m.group("n")
                if _YEAR.fullmatch(n) or not self._any_new([n]):
                    continue
                if re.search(r"out of\s+$", text[: m.start("n")]):
                    continue  # the 14 of "11 out of 14": the count is 11
                before = text[: m.start("n")].split()[-1:]  # "January 6" is a date, not a count
                after = text[m.end("n") :].split()[:1]
                if any(w.lower().strip(",.") in MONTHS for w in before + after):
                    continue
                if self.money and not _CURRENCY.search(m.group(0)):
                    continue
                amounts.append(_trim(m.group(0)))
            counted = [a for a in amounts if self.counted & {stem(w) for w in words(a)}]
            pick = counted if counted else amounts
            return pick[0] if len(pick) == 1 else None
        if qtype == "who":
            people = []
            for n in _found(_NAME, text):
                # "Kazakhstan Kassym-Jomart Tokayev" (after "President of"): the speaker's name
                known = [s for s in self.roles if s in n and len(s.split()) > 1]
                n = max(known, key=len) if known else n
                if n.split()[-1].lower() in _ORG_WORDS or len(n.split()) > 4:
                    continue
                if not all(w.lower() in TITLE_WORDS for w in n.split()):
                    people.append(n)
            return only_new(people)
        if qtype == "where":
            places = [m.group(1).removesuffix("’s").removesuffix("'s")
                      for m in _SHORT_PLACE.finditer(text)
                      if m.group(1).split()[0].lower() not in MONTHS | _WEEKDAYS]  # fmt: skip
            return only_new(places)
        if qtype == "which" and self.focus:
            f = stem(self.focus)
            named = [name if stem(name.split()[-1]) == f else f"{name} {nxt}"
                     for name, nxt in _caps_runs(text)
                     if self._any_new(name.split())
                     and (stem(name.split()[-1]) == f or (nxt and stem(nxt) == f))]  # fmt: skip
            return named[0] if len(named) == 1 else None
        return None

    def _any_new(self, found) -> bool:
        """Is any of the words `found` not one of the question's own (nor a form of one)?"""
        for m in found:
            low = m.lower()
            if low not in self._is_new:
                self._is_new[low] = not any(related(low, a) or low == a for a in self.asked)
            if self._is_new[low]:
                return True
        return False
