"""Word documents (python-docx): the paragraphs become lines of text, read as plain text.

Transcription services' Word exports ("Name  0:03" then the speech) and typed minutes alike
are paragraphs of text, so the plain-text reader does the rest.
"""

from __future__ import annotations

import io

from qa.errors import SeedError
from qa.formats import text as plain
from qa.types import Document


def read(data: bytes, source: str) -> Document:
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as e:  # python-docx raises zipfile / lxml / KeyError on a broken file
        raise SeedError(f"not a readable Word (.docx) file ({type(e).__name__})") from None
    paragraphs = [p.text for p in document.paragraphs]
    for table in document.tables:  # some exports put speaker and speech in table cells
        for row in table.rows:
            paragraphs.append("  ".join(c.text for c in row.cells))
    # A blank line between paragraphs: a Word paragraph is a paragraph, never a wrapped line.
    return plain.read("\n\n".join(paragraphs), source, fmt="docx")
