"""Timed segments (caption cues, speech-to-text segments) -> a Document of turns.

Every timed format comes down to a list of segments, each with a start and end time, its
text, and a speaker when the source names one. Consecutive segments of one speaker are one
turn (a caption's voice usually appears only on a turn's first cue: it carries over); the
segments of a turn are joined with spaces, so a sentence cut across cues reads whole. Each
segment leaves a mark (offset, start, end) on its turn, so a passage says when it was said.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from qa.formats.labels import line_label, link_names, split_label
from qa.formats.text import parse_date
from qa.types import Document, Turn

# Sounds and stage directions in brackets: "[Laughter]" is nobody's name.
_SOUNDS = set(
    """laughter laughs laughing applause music crosstalk inaudible silence noise cheering
    cheers indistinct unintelligible background pause coughs cough sighs beep phone
    foreign speaking chuckles overlapping""".split()
)
_BRACKET_NAME = re.compile(r"^\s*[\[(](?P<name>[^\])\d]{2,60})[\])]\s*:?\s*")
_SPACES = re.compile(r"\s+")


@dataclass
class Segment:
    start: float | None
    end: float | None
    text: str
    speaker: str | None = None  # None: the previous segment's speaker goes on
    role: str | None = None


def name_prefix(text: str, *, brackets: bool = True) -> tuple[str, str | None, str] | None:
    """A speaker named at the start of a cue ("NAME: ...", "[Name] ...", ">> NAME: ..."):
    (name, role, rest). Broadcast captions mark a change of speaker with ">>"."""
    text = re.sub(r"^\s*>>+\s*", "", text)
    if brackets and (m := _BRACKET_NAME.match(text)):
        raw = m.group("name").strip()
        if raw.lower().split()[0] not in _SOUNDS and (who := split_label(raw)):
            return who[0], who[1], text[m.end() :]
    got = line_label(text)
    if got is not None and got[4] in ("colon", "qa") and got[2] < len(text):
        return got[0], got[1], text[got[2] :]
    return None


def build(source: str, segments: list[Segment], fmt: str, title: str = "",
          date: str | None = None) -> Document:  # fmt: skip
    """Join segments into turns and the document text."""
    canon = link_names([s.speaker for s in segments if s.speaker])
    for s in segments:
        s.speaker = canon.get(s.speaker, s.speaker) if s.speaker else None
    parts: list[str] = []
    turns: list[Turn] = []
    pos = 0
    cur: Turn | None = None
    speakers: list[str] = []
    roles: dict[str, str] = {}
    for seg in segments:
        body = _SPACES.sub(" ", seg.text).strip()
        if not body:
            continue
        new_speaker = seg.speaker is not None and (cur is None or seg.speaker != cur.speaker)
        if cur is None or new_speaker:
            if cur is not None:
                parts.append("\n\n")
                pos += 2
            cur = Turn(pos, pos, seg.speaker, seg.role, len(turns) + 1)
            turns.append(cur)
            if seg.speaker and seg.speaker not in speakers:
                speakers.append(seg.speaker)
            if seg.speaker and seg.role:
                roles[seg.speaker] = seg.role
        else:
            parts.append(" ")
            pos += 1
        cur.marks.append((pos, seg.start, seg.end, None))
        parts.append(body)
        pos += len(body)
        cur.end = pos
    for t in turns:
        if t.speaker in roles:
            t.role = roles[t.speaker]
    doc = Document(source=source, title=title or _title_from(source), date=date, format=fmt)
    doc.text = "".join(parts)
    doc.turns = turns
    doc.participants = [f"{s} ({roles[s]})" if s in roles else s for s in speakers]
    return doc


def _title_from(source: str) -> str:
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", source.rsplit("/", 1)[-1])
    return " ".join(stem.replace("_", " ").replace("-", " ").split()).capitalize() or source


def metadata_from_notes(notes: list[str]) -> tuple[str, str | None]:
    """(title, date) from free lines such as a caption file's NOTE block."""
    title, date = "", None
    for line in notes:
        line = line.strip()
        m = re.match(r"^(title|episode|date|recorded)\s*:\s*(.+)$", line, re.IGNORECASE)
        if m and m.group(1).lower() in ("title", "episode") and not title:
            title = m.group(2).strip()
        if date is None:
            date = parse_date(line)
        if (not title and line and not m and 2 <= len(line.split()) <= 14
                and parse_date(line) is None and not line.endswith(".")):  # fmt: skip
            title = line  # a free line that reads as a title, not as a remark
    return title, date
