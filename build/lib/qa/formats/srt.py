"""SRT subtitles (the `srt` package), with `NAME:` or `[Name]` prefixes naming the speaker."""

from __future__ import annotations

from qa.errors import SeedError
from qa.formats.timed import Segment, build, name_prefix
from qa.types import Document


def read(text: str, source: str) -> Document:
    import srt

    try:
        subs = list(srt.parse(text))
    except srt.SRTParseError as e:
        raise SeedError(f"not a readable SRT file ({e})") from None
    segments = []
    for s in subs:
        body = " ".join(s.content.split())
        speaker = role = None
        if named := name_prefix(body):
            speaker, role, body = named
        segments.append(Segment(s.start.total_seconds(), s.end.total_seconds(), body, speaker,
                                role))  # fmt: skip
    return build(source, segments, "srt")
