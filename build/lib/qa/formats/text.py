"""Plain text and Markdown transcripts: speaker labels, header metadata, furniture.

A turn starts at a line with a speaker label and runs over the following paragraphs until
the next label. Label styles (see `qa.formats.labels`): `Name: text`, `NAME:`, a label alone on
its line with the speech below, `**Name:**`, `### Senator Name (R-MT)` over a turn,
`Mr. JORDAN.` / `The CHAIRMAN.`, `Mr. X (Country) (spoke in French):`, `Q:` / `A:`,
`Speaker 1 (00:01:02):`, `Name  0:03`, `[00:12:03] Name:`. Clock times in labels become the
turn's start time.

The lines before the first turn are the document header: YAML front matter, a `# Title`, or a
title/date/place in prose become metadata, and the rest of the header becomes turn 0 (no
speaker). Furniture is dropped, never attributed to anyone: page counters ("3 of 5",
"Page 4"), separator lines ("* * *"), short lines repeated three or more times (running
headers), and the tail of lines after the last sentence of the transcript (link lists, tags).

Hard-wrapped text (lines broken at a fixed width) is joined back into paragraphs: the line
break becomes a space, so sentences run on. The joined text has the same length as the
original, so offsets into it are offsets into the file's (normalised) text.

A document with no speaker labels is read as prose: paragraphs have no speaker, except a
quotation set off in its own paragraphs, which goes to the person the preceding prose says
made the statement ("... Magzhan Ilyassov issued a statement ...").

Deliberately left out: speaker diarisation of unlabelled text, inline quotations inside a
narrative sentence, and any per-file rules.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from qa.formats.labels import (
    TIME_LEAD,
    heading_label,
    line_label,
    link_names,
    seconds,
    split_label,
)
from qa.types import Document, Turn

MONTHS = (
    "January February March April May June July August September October November December"
).split()
# "January", "Jan", "Jan.", "Sept": a month's name or its usual abbreviation.
_MONTH = "|".join(f"{m}|{m[:3]}\\.?" for m in MONTHS) + "|Sept\\.?"
_DATE_PATTERNS = [
    (re.compile(rf"\b({_MONTH})\s+(\d{{1,2}}),?\s+(\d{{4}})\b"), ("m", "d", "y")),
    (re.compile(rf"\b(\d{{1,2}})\s+({_MONTH}),?\s+(\d{{4}})\b"), ("d", "m", "y")),
    (re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b"), ("y", "mm", "d")),
]

# Lines that are never speech in any transcript: page counters, separators, editor's notes.
_FURNITURE_LINE = re.compile(
    r"^((page\s+)?\d{1,4}(\s*(of|/)\s*\d{1,4})?|-\s*\d{1,4}\s*-|[\W_]{3,}|[*]\s*[*](\s*[*])*"
    r"|(Note|Editor's note|Editor’s note|Transcriber's note)\s*:.*"
    r"|[^>|»]{1,40}(\s+[>|»]\s+[^>|»]{1,40}){1,6})$",  # a breadcrumb: "Home > News > Speeches"
    re.IGNORECASE,
)
_TIME_LINE = re.compile(r"^\d{1,2}:\d{2}(\s*(am|pm))?$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")
_UNICODE_SPACES = re.compile("[\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]")
_EVENT = re.compile(
    r"\b(briefing|hearing|meeting|session|conference|call|interview|remarks|debate|town hall"
    r"|transcript|podcast|episode|statement|address|availability|testimony|speech|summit"
    r"|roundtable|panel|forum|webinar|lecture)s?\b",
    re.IGNORECASE,
)
_KEY_LINE = re.compile(r"^[*_]*(?P<key>Title|Transcript|Date|Place|Location|Venue|Where)[*_]*"
                       r"\s*:\s*[*_]*\s*(?P<value>.+)$", re.IGNORECASE)  # fmt: skip


def normalise(text: str) -> str:
    """One form for every file: no BOM, `\\n` line ends, plain spaces (same length otherwise)."""
    text = text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return _UNICODE_SPACES.sub(" ", text).replace("\u200b", " ")


_LINE_NUMBER = re.compile(r"^[ \t]*(\d{1,2})(?=[ \t]|$)", re.MULTILINE)


def blank_line_numbers(text: str) -> str:
    """Court and hearing transcripts print a line number (1-25) before every line, in the PDF
    and in text copied from it. When most lines start with rising numbers, those numbers
    become spaces (the text keeps its length, so offsets hold)."""
    found = list(_LINE_NUMBER.finditer(text))
    if not found:
        return text
    # subtle: counted from the first numbered line on; a cover page often has none.
    lines = sum(1 for ln in text[found[0].start() :].splitlines() if ln.strip())
    nums = [int(m.group(1)) for m in found]
    rising = sum(1 for a, b in zip(nums, nums[1:]) if b == a + 1)
    if len(found) < 0.6 * max(lines, 1) or rising < 0.6 * max(len(nums) - 1, 1):
        return text
    chars = list(text)
    for m in found:
        chars[m.start(1) : m.end(1)] = " " * (m.end(1) - m.start(1))
    return "".join(chars)


def parse_date(text: str) -> str | None:
    """The first date in `text` as ISO `YYYY-MM-DD`, or None."""
    best = None
    for pattern, order in _DATE_PATTERNS:
        m = pattern.search(text)
        if m and (best is None or m.start() < best[0]):
            parts = dict(zip(order, m.groups()))
            month = (int(parts["mm"]) if "mm" in parts
                     else [m[:3] for m in MONTHS].index(parts["m"][:3]) + 1)  # fmt: skip
            best = (m.start(), f"{int(parts['y']):04d}-{month:02d}-{int(parts['d']):02d}")
    return best[1] if best else None


@dataclass
class _Line:
    start: int  # offset of the first character of the line
    text: str  # without the line break


@dataclass
class _Label:
    line: int  # index of the label's (last) line
    name: str
    role: str | None
    text_start: int  # offset where the speech starts (the next line's start if alone)
    time: float | None
    first_line: int  # index of the label's first line (a label may wrap)


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.splitlines(keepends=True):
        out.append(_Line(pos, raw.rstrip("\n")))
        pos += len(raw)
    return out


def read(text: str, source: str, *, fmt: str | None = None) -> Document:
    """Read one plain-text or Markdown transcript into a Document with its turns."""
    text = blank_line_numbers(normalise(text))
    lines = _lines(text)
    meta, body_from = _front_matter(lines)
    furniture = _furniture_lines(lines)
    labels = _labels(lines, body_from, furniture)
    fmt = fmt or ("markdown" if source.lower().endswith((".md", ".markdown")) else "text")
    # One label near the top is a speech ("PRESIDENT OBI: My fellow citizens, ..."); one deep
    # in prose is more likely a quoted "Note: ..." than a speaker.
    top = labels and (lines[labels[0].first_line].start < 0.3 * len(text)
                      or labels[0].first_line - body_from <= 8)  # fmt: skip
    if len(labels) >= 2 or top:
        doc = _parse_transcript(text, source, lines, labels, body_from, furniture)
    else:
        doc = _parse_prose(text, source, lines, body_from, furniture)
    doc.format = fmt
    for key in ("title", "date", "place"):
        if meta.get(key):
            setattr(doc, key, meta[key])
    doc.text = _join_wrapped(text, lines, labels, furniture)
    return doc


# --------------------------------------------------------------------------- header


def _front_matter(lines: list[_Line]) -> tuple[dict, int]:
    """YAML front matter (`---` ... `---`) as metadata, and the index of the first body line."""
    if not lines or lines[0].text.strip() != "---":
        return {}, 0
    for i in range(1, min(len(lines), 80)):
        if lines[i].text.strip() in ("---", "..."):
            import yaml

            try:
                data = yaml.safe_load("\n".join(ln.text for ln in lines[1:i])) or {}
            except yaml.YAMLError:
                return {}, 0
            if not isinstance(data, dict):
                return {}, 0
            meta = {}
            if data.get("title"):
                meta["title"] = str(data["title"]).strip()
            for key in ("date", "published", "recorded"):
                if data.get(key) and (d := parse_date(str(data[key]))):
                    meta["date"] = d
                    break
            for key in ("place", "location", "venue"):
                if data.get(key):
                    meta["place"] = str(data[key]).strip()
                    break
            return meta, i + 1
    return {}, 0


def _header_metadata(source: str, header: list[_Line]) -> Document:
    texts = [ln.text.strip() for ln in header]
    date = date_idx = None
    title = place = None
    for i, t in enumerate(texts):
        k = _KEY_LINE.match(t)
        if k and k.group("key").lower() in ("title", "transcript"):
            title = k.group("value").strip()
        elif k and k.group("key").lower() not in ("date", "transcript"):
            place = place or k.group("value").strip()
        if date is None and (d := parse_date(t)) is not None:
            date, date_idx = d, i
    for t in texts:
        h = re.match(r"^#\s+(.+)$", t)
        if h and not title:
            title = h.group(1).strip()
    if not title:
        candidates = [
            t for t in texts[:10]
            if not (_KEY_LINE.match(t) or t.startswith("#")) and len(t.split()) >= 2
            and not _is_furniture(t) and not parse_date(t) and "  " not in t.strip()
        ]  # fmt: skip
        # An issuing office often heads the page ("DEPARTMENT OF WATER RESOURCES"); the
        # title is the line that names the event, when one does.
        events = [t for t in candidates if _EVENT.search(t)]
        if candidates:
            title = (events or candidates)[0]
            nxt = texts[texts.index(title) + 1] if texts.index(title) + 1 < len(texts) else ""
            if title.isupper() and nxt.isupper() and not parse_date(nxt) and len(nxt) < 80:
                title = f"{title} {nxt}"  # a capitalised title wrapped over two lines
            title = title.rstrip(".")
    if place is None and date_idx is not None:
        for t in texts[date_idx + 1 : date_idx + 3]:
            if _TIME_LINE.match(t) or not t:
                continue
            if _KEY_LINE.match(t):
                break
            if (len(t.split()) <= 8 and not re.search(r"[\d.!?]$", t) and not t.isupper()
                    and ":" not in t and not _is_furniture(t)):  # fmt: skip
                place = t
            break
    title = " ".join((title or "").split())
    return Document(source=source, title=title or source, date=date, place=place)


# --------------------------------------------------------------------------- furniture


def _is_furniture(line: str, header: bool = False) -> bool:
    s = line.strip().strip("*_").strip()
    # subtle: in a header, a lone word ("Events", "News") is a site breadcrumb, not prose; a
    # lone time ("11:45") is part of the dateline, which must stay with the place after it.
    lone = header and len(s.split()) == 1 and not _TIME_LINE.match(s)
    return bool(_FURNITURE_LINE.match(s)) or lone


def _furniture_lines(lines: list[_Line]) -> set[int]:
    """Lines that belong to nobody: counters, separators, running headers, the link tail."""
    out = {i for i, ln in enumerate(lines) if ln.text.strip() and _is_furniture(ln.text)}
    counts = Counter(" ".join(ln.text.split()) for ln in lines if ln.text.strip())
    for i, ln in enumerate(lines):
        s = " ".join(ln.text.split())
        if (
            counts[s] >= 3
            and len(s.split()) <= 12
            and not _SENTENCE_END.search(s)
            and (re.search(r"\d", s) or not re.search(r"[a-z]", s))  # "Page 4", "HEARING"
            and line_label(s) is None
            and not s.startswith(("[", "("))  # "[applause]" is part of the record
        ):
            out.add(i)
    # The tail after the transcript's last sentence: lines none of which ends a sentence
    # (a site's "See also", tags, publication details).
    last = max((i for i, ln in enumerate(lines) if _SENTENCE_END.search(ln.text.strip())),
               default=len(lines))  # fmt: skip
    tail = [i for i in range(last + 1, len(lines)) if lines[i].text.strip()]
    if tail and all(len(lines[i].text.split()) <= 25 for i in tail):
        out.update(tail)
    return out


# --------------------------------------------------------------------------- labels


# Court and deposition records: "BY MS. OYELARAN:" names who asks the `Q.` lines that follow;
# "DANIEL KOVACIK, having been first duly sworn, ..." names who answers the `A.` lines.
_EXAMINER = re.compile(r"^\s*BY\s+(?P<who>[A-Z][A-Za-z. '’-]{1,60}?)\s*:\s*$")
_SWORN = re.compile(
    r"^\s*(?P<who>[A-Z][A-Za-z .'’-]{2,60}?),?\s*(?:\n\s*)?(?:having\s+been|being|after\s+being|"
    r"was)\s+(?:first\s+)?(?:duly\s+)?(?:sworn|affirmed|called)",
    re.MULTILINE,
)


def _labels(lines: list[_Line], body_from: int, furniture: set[int]) -> list[_Label]:
    found: list[_Label] = []
    examiner = witness = None
    i = body_from
    while i < len(lines):
        line = lines[i]
        if i in furniture or not line.text.strip():
            i += 1
            continue
        if m := _EXAMINER.match(line.text):
            examiner = split_label(m.group("who"))
            i += 1
            continue
        if m := _SWORN.match(line.text + "\n" + (lines[i + 1].text if i + 1 < len(lines) else "")):
            witness = split_label(m.group("who"))
        lab = _label_at(lines, i)
        if lab is not None and lab.name == "Q" and examiner:
            lab.name, lab.role = examiner
        elif lab is not None and lab.name in ("A", "The Witness") and witness:
            lab.name, lab.role = witness[0], witness[1] or "Witness"
        if lab is None:
            lab = _wrapped_label(lines, i, furniture)
        if lab is not None:
            found.append(lab)
            i = lab.line + 1
            continue
        i += 1
    return _without_header_fields(found, lines)


def _without_header_fields(labels: list[_Label], lines: list[_Line]) -> list[_Label]:
    """Drop "Narrator:   Ottilie Brandvold", "ABSENT:   Councilmember Achterberg": fields of a
    header block, not turns. Such a label comes before the first speaker who speaks twice,
    is used once, and what follows it is a short line that ends no sentence."""
    counts: dict[str, int] = {}
    for lab in labels:
        counts[lab.name] = counts.get(lab.name, 0) + 1
    first_recurring = next((k for k, lab in enumerate(labels) if counts[lab.name] > 1), 0)
    kept = []
    for k, lab in enumerate(labels):
        line = next(ln for ln in lines if ln.start <= lab.text_start <= ln.start + len(ln.text))
        value = line.text[lab.text_start - line.start :].strip()
        field = (
            k < first_recurring
            and counts[lab.name] == 1
            and len(value.split()) <= 12
            and not _SENTENCE_END.search(value)
        )
        if not field:
            kept.append(lab)
    return kept


def _label_at(lines: list[_Line], i: int) -> _Label | None:
    line = lines[i]
    got = line_label(line.text)
    if got is not None:
        name, role, offset, time, style = got
        speech = line.text[offset:]
        if speech.strip():
            # subtle: "TOWN HALL: THE NEW RESERVOIR" is a heading; speech has lower case.
            if not any(c.islower() for c in speech):
                return None
            if speech.count(".") > sum(c.isalpha() for c in speech):  # "Mr. X . . . (Chile)"
                return None
            return _Label(i, name, role, line.start + offset, time, i)
        nxt = _next_speech(lines, i)
        if nxt is None:
            return None
        return _Label(i, name, role, lines[nxt].start, time, i)
    who = heading_label(line.text)
    if who is not None:
        nxt = _next_speech(lines, i)
        if nxt is not None:
            lead = TIME_LEAD.match(lines[nxt].text)  # "[00:41] Thank you, Ines."
            time = seconds(lead.group(1) or lead.group(2)) if lead else None
            return _Label(i, who[0], who[1], lines[nxt].start + (lead.end() if lead else 0),
                          time, i)  # fmt: skip
    return None


def _next_speech(lines: list[_Line], i: int) -> int | None:
    """The line after a lone label where its speech starts, if it is speech."""
    for j in range(i + 1, min(i + 4, len(lines))):
        t = lines[j].text.strip()
        if not t:
            continue
        if line_label(t) is not None or t.startswith("#") or not any(c.islower() for c in t):
            return None
        return j
    return None


def _wrapped_label(lines: list[_Line], i: int, furniture: set[int]) -> _Label | None:
    """A label wrapped over two or three lines: "PRIME MINISTER OF THE REPUBLIC OF" /
    "MOLDAVIA JANE DOE:" (each line short, capitalised, no sentence end before the colon)."""
    if i > 0 and lines[i - 1].text.strip() and i - 1 not in furniture:
        return None
    parts = []
    for j in range(i, min(i + 3, len(lines))):
        t = lines[j].text.strip()
        if not t or len(t) > 70:
            return None
        parts.append(t)
        if j == i:
            if t.endswith((".", "!", "?", ":", ",", ";")) or not re.fullmatch(r"[\w .,'’&()-]+", t):
                return None
            continue
        if not re.search(r":\s*$", t):
            continue
        got = line_label(" ".join(parts))
        if got is None or got[2] < len(" ".join(parts)):
            return None
        nxt = _next_speech(lines, j)
        if nxt is None:
            return None
        return _Label(j, got[0], got[1], lines[nxt].start, got[3], i)
    return None


# --------------------------------------------------------------------------- turns


def _chair_names(header: list[_Line]) -> dict[str, tuple[str, str]]:
    """Posts the header fills: "President: Mr. Okonjo (Nigeria)" makes "The President"
    Okonjo. Meeting records name the chair once, then label turns by the post."""
    out = {}
    for ln in header:
        m = re.match(r"^\s*(?:The\s+)?([A-Z][a-z]+(?:\s+[A-Z][a-z]+)?)\s*:\s*(.+)$", ln.text)
        if not m:
            continue
        value = " ".join(re.sub(r"(\s*\.){3,}", " ", m.group(2)).split())  # dotted leaders
        if who := split_label(value):
            out[f"the {m.group(1).lower()}"] = (who[0], m.group(1))
    # Court records: "BEFORE THE HONORABLE MARGARET A. THORNBURY, JUDGE" is "THE COURT".
    judge = re.search(r"\bBEFORE\b[:\s]+(?:THE\s+)?(?:HONORABLE|HON\.)\s+([A-Z][\w.'’ -]+?)"
                      r"(?:,|\s+JUDGE\b|\s*$)", "\n".join(ln.text for ln in header),
                      re.IGNORECASE | re.MULTILINE)  # fmt: skip
    if judge and (who := split_label(judge.group(1))):
        out.setdefault("the court", (who[0], "Judge"))
    return out


def _parse_transcript(text, source, lines, labels, body_from, furniture):
    first = labels[0].first_line
    header = lines[body_from:first]
    doc = _header_metadata(source, header)
    chairs = _chair_names(header)
    names = []
    for lab in labels:
        if lab.name.lower() in chairs:
            person, post = chairs[lab.name.lower()]
            lab.name, lab.role = person, lab.role or post
        names.append(lab.name)
    canon = link_names(names)
    roles: dict[str, str] = {}
    for lab in labels:
        c = canon[lab.name]
        if lab.role and len(lab.role) > len(roles.get(c, "")):
            roles[c] = lab.role

    turns: list[Turn] = _blocks(lines, body_from, first, None, None, 0, furniture, header=True)
    for k, lab in enumerate(labels):
        end_line = labels[k + 1].first_line if k + 1 < len(labels) else len(lines)
        c = canon[lab.name]
        nxt_time = next((x.time for x in labels[k + 1 :] if x.time is not None), None)
        for t in _blocks(lines, lab.line, end_line, c, roles.get(c), k + 1, furniture,
                         first_start=lab.text_start):  # fmt: skip
            if lab.time is not None:
                t.marks = [(t.start, lab.time, nxt_time, None)]
            turns.append(t)
    seen = []
    for lab in labels:
        if canon[lab.name] not in seen:
            seen.append(canon[lab.name])
    doc.participants = [f"{n} ({roles[n]})" if n in roles else n for n in seen]
    doc.turns = turns
    return doc


def _blocks(lines, a, b, speaker, role, number, furniture, first_start=None, header=False):
    """Turns for lines[a:b], cut at furniture lines and headings (which belong to nobody).

    In the header (and in prose) a blank line ends a block; in a turn it does not.
    """
    out, cur = [], None
    for i in range(a, b):
        line = lines[i]
        start = line.start
        if first_start is not None and line.start <= first_start <= line.start + len(line.text):
            start = first_start
        elif first_start is not None and line.start < first_start:
            continue  # the label's own line(s)
        body = text_of(line, start)
        blank = not body.strip()
        heading = body.lstrip().startswith("#")
        if blank and not header and first_start is not None:
            continue
        if i in furniture or blank or heading or _is_furniture(body, header=header):
            if cur:
                out.append(cur)
            cur = None
            if heading:  # a section heading ends a turn: what follows unlabelled is nobody's
                speaker = role = None
            continue
        start += len(body) - len(body.lstrip())
        end = line.start + len(line.text.rstrip())
        if cur is None:
            cur = Turn(start, end, speaker, role, number)
        else:
            cur.end = end
    if cur:
        out.append(cur)
    return out


def text_of(line: _Line, start: int) -> str:
    return line.text[start - line.start :]


# --------------------------------------------------------------------------- prose


_SPEECH_VERB = re.compile(
    r"(?P<subject>[A-Z][^.;:!?\"“”]{2,160}?)\s+"
    r"(?:(?:issued|delivered|made|gave|read(?: out)?)\s+(?:a|an|the|his|her|their)\s+"
    r"(?:\w+\s+){0,2}(?:statement|speech|address|remarks)"
    r"|said|stated|declared|told|noted|remarked|added|explained|announced)\b"
)


def _parse_prose(text, source, lines, body_from, furniture):
    """No speaker lines: paragraphs of narration, plus quoted statements attributed by the prose."""
    paras = _blocks(lines, body_from, len(lines), None, None, 0, furniture, header=True)
    # _blocks joins consecutive non-blank lines; split them back into one turn per line-paragraph
    # when the file uses one line per paragraph (no blank lines).
    if len(paras) <= 1:
        paras = [
            Turn(ln.start, ln.start + len(ln.text.rstrip()), None, None, 0)
            for i, ln in enumerate(lines[body_from:], start=body_from)
            if ln.text.strip() and not _is_furniture(ln.text) and i not in furniture
        ]
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
    doc.turns = turns
    return doc


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


# --------------------------------------------------------------------------- hard wraps


def wrap_width(lines: list[_Line]) -> int | None:
    """The width the text was hard-wrapped at, or None when it was not."""
    lengths = sorted(len(ln.text.rstrip()) for ln in lines if ln.text.strip())
    if len(lengths) < 8:
        return None
    width = lengths[int(len(lengths) * 0.95) - 1]
    if width > 110:
        return None
    full = sum(n >= 0.6 * width for n in lengths)
    return width if full >= 0.4 * len(lengths) else None


def _join_wrapped(text: str, lines: list[_Line], labels: list[_Label], furniture: set[int]) -> str:
    """Turn the line breaks inside hard-wrapped paragraphs into spaces (same length)."""
    width = wrap_width(lines)
    if width is None:
        return text
    starts = {lab.first_line for lab in labels}
    chars = list(text)
    for i in range(len(lines) - 1):
        cur, nxt = lines[i].text.rstrip(), lines[i + 1].text.strip()
        if not cur.strip() or not nxt or i in furniture or i + 1 in furniture:
            continue
        if i + 1 in starts or nxt.startswith(("#", "-", "*", "•")) or cur.lstrip().startswith("#"):
            continue
        if any(lab.line == i and lab.text_start > lines[i].start + len(cur) for lab in labels):
            continue  # a label alone on its line
        if len(cur) < 0.6 * width and _SENTENCE_END.search(cur):
            continue  # a short line that ends a sentence ends its paragraph
        end = lines[i].start + len(lines[i].text)
        if end < len(chars) and chars[end] == "\n":
            chars[end] = " "
    return "".join(chars)
