"""PDF transcripts (pypdf): page text without running headers, footers or line numbers.

Hearing and court transcripts print a running header and a page number on every page and a
line number (1-25) before every line. Those are dropped: a line number when most lines of
the page start with consecutive numbers, a first or last line of a page when the same line
(digits aside) opens or closes most pages. The pages' lines are then read as plain text,
and each turn remembers the page each part of it is printed on.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from qa.errors import SeedError
from qa.formats import text as plain
from qa.types import Document

_LINE_NUMBER = re.compile(r"^\s*(\d{1,2})(?:\s+|$)")


def read(data: bytes, source: str) -> Document:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [p.extract_text() or "" for p in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError) as e:
        raise SeedError(f"not a readable PDF ({e})") from None
    if not any(p.strip() for p in pages):
        raise SeedError("the PDF has no text layer (a scan?); qa reads text, not images")
    page_lines = [_drop_line_numbers([ln for ln in p.splitlines()]) for p in pages]
    page_lines = _drop_running_lines(page_lines)
    text, starts = "", []
    for lines in page_lines:
        starts.append(len(text))
        text += "\n".join(lines) + "\n"
    doc = plain.read(text, source, fmt="pdf")
    for turn in doc.turns:
        first = max(i for i, s in enumerate(starts) if s <= turn.start)
        marks = [(turn.start, None, None, first + 1)]
        for i, s in enumerate(starts):
            if turn.start < s < turn.end:
                marks.append((s, None, None, i + 1))
        turn.marks = marks
    return doc


def _drop_line_numbers(lines: list[str]) -> list[str]:
    numbered = [m for ln in lines if (m := _LINE_NUMBER.match(ln))]
    nums = [int(m.group(1)) for m in numbered]
    rising = sum(1 for a, b in zip(nums, nums[1:]) if b == a + 1)
    if len(numbered) < 0.6 * max(len(lines), 1) or rising < 0.6 * max(len(nums) - 1, 1):
        return lines
    out = []
    for ln in lines:
        m = _LINE_NUMBER.match(ln)
        out.append(ln[m.end() :] if m else ln)
    return out


def _shape(line: str) -> str:
    return re.sub(r"\d+", "#", " ".join(line.split())).lower()


def _drop_running_lines(pages: list[list[str]]) -> list[list[str]]:
    """Drop a page's leading/trailing lines whose shape recurs there on most pages."""
    if len(pages) < 3:
        return pages
    out = [[ln for ln in p if ln.strip()] for p in pages]
    for depth in (0, 1, -1, -2):  # the first two lines of a page, then the last two
        places = [(p, depth if depth >= 0 else len(p) + depth) for p in out]
        places = [(p, i) for p, i in places if 0 <= i < len(p)]
        shapes = Counter(_shape(p[i]) for p, i in places)
        common = {s for s, n in shapes.items() if n >= max(3, len(out) // 2)}
        for p, i in places:
            if _shape(p[i]) in common:
                p[i] = ""
    return [[ln for ln in p if ln.strip()] for p in out]
