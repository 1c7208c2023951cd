"""PDF transcripts (pypdf): page text without running headers, footers or line numbers.

Hearing and court transcripts print a running header and a page number on every page and a
line number (1-25) before every line. A first or last line of a page is dropped when the same
line (digits aside) opens or closes most pages; line numbers are found as the plain-text
reader finds them in text copied from such a PDF, and removed with their margin. The pages'
lines are then read as plain text, and each turn remembers the page it is printed on.
"""

from __future__ import annotations

import io
import re
from collections import Counter

from qa.errors import SeedError
from qa.formats import text as plain
from qa.types import Document


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
    page_lines = [_without_line_numbers(p) for p in pages]
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


def _without_line_numbers(page: str) -> list[str]:
    """The page's lines, printed line numbers and the margin after them removed (this text is
    the reader's own, so it need not keep the page's length: spaces would cost tokens)."""
    blanked = plain.blank_line_numbers(page)
    return [ln.lstrip() for ln in blanked.splitlines()] if blanked != page else page.splitlines()


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
