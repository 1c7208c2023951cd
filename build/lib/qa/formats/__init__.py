"""Readers: one per container format, each turning a file into a `Document` of turns.

`read(name, data)` picks the reader by the file's extension, then by its content (a `.txt`
that is really WebVTT, a transcript saved without an extension). Every reader returns the
same `Document`: metadata, the text as read, and turns with speaker, role, offsets into that
text, and time or page where the format has them. The chunker knows no format.

| format   | extensions        | library        |
|----------|-------------------|----------------|
| text     | .txt, none        | -              |
| markdown | .md, .markdown    | PyYAML (front matter) |
| vtt      | .vtt              | webvtt-py      |
| srt      | .srt              | srt            |
| json     | .json             | json           |
| docx     | .docx             | python-docx    |
| pdf      | .pdf              | pypdf          |

Unreadable input raises `SeedError` with the reason; nothing here prints.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from qa.errors import SeedError
from qa.types import Document

EXTENSIONS = {".txt": "text", ".text": "text", ".md": "markdown", ".markdown": "markdown",
              ".vtt": "vtt", ".webvtt": "vtt", ".srt": "srt", ".json": "json",
              ".docx": "docx", ".pdf": "pdf"}  # fmt: skip
# Files in a seeds folder that are no transcripts: skipped with this reason.
NOT_TRANSCRIPTS = {".doc": "old Word .doc: save it as .docx",
                   ".rtf": "RTF: save it as .docx or plain text",
                   ".zip": "an archive: unpack it into the seeds folder"}  # fmt: skip


def sniff(name: str, data: bytes) -> str:
    """The format of a file: by extension, else by content."""
    ext = PurePosixPath(name).suffix.lower()
    if ext in EXTENSIONS and EXTENSIONS[ext] != "text":
        return EXTENSIONS[ext]
    if ext in NOT_TRANSCRIPTS:
        raise SeedError(NOT_TRANSCRIPTS[ext])
    head = data[:4096]
    if head.startswith(b"%PDF"):
        return "pdf"
    if head.startswith(b"PK") and b"word/" in data[:65536]:
        return "docx"
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise SeedError("binary file, not a transcript qa can read")
    start = head.decode("utf-8", errors="replace").lstrip("\ufeff \t\r\n")
    if start.startswith("WEBVTT"):
        return "vtt"
    if re.match(r"\d+\s*\r?\n\d{1,2}:\d{2}:\d{2},\d{3} -->", start):
        return "srt"
    if start[:1] in "{[" and ext not in EXTENSIONS:
        return "json"
    if start[:1] == "{" and re.search(r'"(segments|utterances|results)"\s*:', start):
        return "json"  # a speech-to-text export saved as .txt
    return "text"


def decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 with a BOM ("Unicode" in Notepad)
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError:
            text = ""
        # subtle: any even run of bytes decodes as UTF-16; real text is mostly Latin letters.
        if text and sum(ord(c) < 0x250 for c in text) >= 0.6 * len(text):
            return text
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        # subtle: no guess at a legacy code page; a wrong guess would index garbled names.
        raise SeedError(f"not UTF-8 text (byte {e.start}); save it as UTF-8") from None


def read(name: str, data: bytes) -> Document:
    """Read one file (its name in the seeds folder and its bytes) into a Document."""
    if not data.strip():
        raise SeedError("empty file")
    fmt = sniff(name, data)
    if fmt == "pdf":
        from qa.formats import pdf

        doc = pdf.read(data, name)
    elif fmt == "docx":
        from qa.formats import docx

        doc = docx.read(data, name)
    else:
        text = decode(data)
        if fmt == "vtt":
            from qa.formats import vtt

            doc = vtt.read(text, name)
        elif fmt == "srt":
            from qa.formats import srt

            doc = srt.read(text, name)
        elif fmt == "json":
            from qa.formats import speech_json

            doc = speech_json.read(text, name)
        else:
            from qa.formats import text as plain

            doc = plain.read(text, name, fmt=fmt)
    if not doc.text.strip() or not doc.turns:
        raise SeedError(f"no transcript text found in this {fmt} file")
    doc.warnings = warnings(doc, len(data))
    return doc


def warnings(doc: Document, size: int) -> list[str]:
    """What a user should know about how a file was read."""
    out = []
    spoken = [t for t in doc.turns if t.speaker]
    if size > 2048 and not spoken:
        out.append("no speaker found: passages will not say who spoke (see `qa inspect`)")
    elif spoken and size > 2048:
        by: dict[str, int] = {}
        for t in spoken:
            by[t.speaker] = by.get(t.speaker, 0) + t.end - t.start
        total = sum(t.end - t.start for t in doc.turns) or 1
        top, n = max(by.items(), key=lambda kv: kv[1])
        if n / total > 0.9:  # a speech is one speaker; a debate read as one is a misread
            out.append(f"one speaker ({top}) holds {n / total:.0%} of the text: were other "
                       "speakers' labels missed? (see `qa inspect`)")  # fmt: skip
    return out
