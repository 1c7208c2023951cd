"""WebVTT captions (webvtt-py): voice tags, `Name:` in a cue, cues merged into turns."""

from __future__ import annotations

import io
import re

from qa.errors import SeedError
from qa.formats.labels import seconds, split_label
from qa.formats.timed import Segment, build, metadata_from_notes, name_prefix
from qa.types import Document


def read(text: str, source: str) -> Document:
    import webvtt

    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
    except Exception as e:  # webvtt-py raises its own MalformedFileError and ValueErrors
        raise SeedError(f"not a readable WebVTT file ({e})") from None
    notes = [ln for block in re.findall(r"(?ms)^NOTE\b(.*?)(?:\n\s*\n|\Z)", text)
             for ln in block.splitlines()]  # fmt: skip
    title, date = metadata_from_notes(notes)
    segments = []
    for c in captions:
        body = " ".join(c.text.split())
        speaker = role = None
        if c.voice:
            who = split_label(c.voice) or (c.voice.strip(), None)
            speaker, role = who
        elif named := name_prefix(body):
            speaker, role, body = named
        segments.append(Segment(seconds(c.start), seconds(c.end), body, speaker, role))
    return build(source, segments, "vtt", title, date)
