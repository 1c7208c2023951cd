"""JSON from speech-to-text tools, read with the standard library.

Shapes: Whisper / WhisperX (`segments: [{start, end, text, speaker?}]`, seconds) and the
utterances of AssemblyAI / Deepgram (`utterances: [{speaker, start, end, text|transcript}]`,
AssemblyAI in milliseconds). Diarisation labels ("SPEAKER_00", "A") are kept as given:
"Speaker A" for a bare letter or number.
"""

from __future__ import annotations

import json

from qa.errors import SeedError
from qa.formats.timed import Segment, build
from qa.types import Document


def read(text: str, source: str) -> Document:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as e:
        raise SeedError(f"not valid JSON (line {e.lineno}: {e.msg})") from None
    if isinstance(data, dict) and isinstance(data.get("results"), dict):  # Deepgram
        data = data["results"]
    if isinstance(data, list):
        items, ms = data, False
    elif isinstance(data, dict) and isinstance(data.get("utterances"), list):
        items = data["utterances"]
        ms = _in_milliseconds(items)
    elif isinstance(data, dict) and isinstance(data.get("segments"), list):
        items, ms = data["segments"], False
    else:
        raise SeedError(
            "JSON without 'segments' or 'utterances': not a speech-to-text transcript "
            "(expected Whisper/WhisperX segments or AssemblyAI/Deepgram utterances)"
        )
    segments = []
    for item in items:
        if not isinstance(item, dict):
            raise SeedError("JSON segments must be objects with start, end and text")
        body = item.get("text", item.get("transcript"))
        if not isinstance(body, str):
            continue
        start, end = _num(item.get("start")), _num(item.get("end"))
        if ms:
            start = start / 1000 if start is not None else None
            end = end / 1000 if end is not None else None
        segments.append(Segment(start, end, body, _speaker(item.get("speaker"))))
    if not segments:
        raise SeedError("JSON transcript holds no segment with text")
    # A segment without a speaker goes on the previous one's turn: `timed.build` carries it.
    title = data.get("title", "") if isinstance(data, dict) else ""
    date = data.get("date") if isinstance(data, dict) else None
    return build(
        source, segments, "json", str(title or ""), date if isinstance(date, str) else None
    )


def _num(x) -> float | None:
    return float(x) if isinstance(x, int | float) and not isinstance(x, bool) else None


def _in_milliseconds(items: list) -> bool:
    """AssemblyAI gives milliseconds, Deepgram seconds: a long recording tells them apart."""
    ends = [i.get("end") for i in items if isinstance(i, dict) and _num(i.get("end"))]
    if not ends:
        return False
    return max(ends) > 10_000 or (all(isinstance(e, int) for e in ends) and max(ends) > 600)


def _speaker(x) -> str | None:
    if x is None or x == "":
        return None
    s = str(x).strip()
    if len(s) <= 2 and s.isalnum():
        return f"Speaker {s.upper()}"
    return s
