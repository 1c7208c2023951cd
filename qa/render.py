"""Turn answers into what the web chat shows: escaped chat text and the sources panel's HTML.

Transcript text is data, never markup: everything quoted from a seed is HTML-escaped and its
markdown characters neutralised, so a seed holding `<script>` or `**bold**` shows as typed.
Pure functions of `Answer`/`Passage`, so they are tested without a browser.
"""

from __future__ import annotations

import html
import re

from qa.types import Answer, Passage

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")

CSS = """
#sources .src { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin-bottom: 10px; }
#sources .src-head { font-size: 0.9em; margin-bottom: 4px; }
#sources .src-n { font-weight: 700; margin-right: 4px; }
#sources .src-meta { color: var(--body-text-color-subdued); font-size: 0.85em; }
#sources .src-text { white-space: pre-wrap; margin: 6px 0 0 0; font-size: 0.92em; }
#sources mark { background: #fde68a; color: #111; padding: 0 1px; }
"""


def chat_text(text: str) -> str:
    """`text` made safe for the chat's markdown renderer: shown exactly as written."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def sources_html(answer: Answer | None) -> str:
    """The sources panel: each cited passage with its speaker, document, date and score."""
    if answer is None:
        return '<div class="src-empty">Cited passages will appear here.</div>'
    if not answer.citations:
        return '<div class="src-empty">No passages matched.</div>'
    head = "" if answer.found else "<p><b>Nearest passages</b> (they do not answer it):</p>"
    return head + "".join(passage_html(n, p) for n, p in enumerate(answer.citations, 1))


def passage_html(n: int, p: Passage) -> str:
    who = html.escape(p.speaker or "Narration")
    role = f" ({html.escape(p.role)})" if p.role else ""
    meta = " · ".join(html.escape(x) for x in (p.title, p.date or "undated", p.location()))
    return (
        f'<div class="src" data-n="{n}">'
        f'<div class="src-head"><span class="src-n">[{n}]</span>'
        f'<span class="src-speaker">{who}</span>{role}'
        f' <span class="src-meta">· score {p.score:.4f}</span></div>'
        f'<div class="src-meta">{meta}</div>'
        f'<div class="src-text">{highlighted(p)}</div></div>'
    )


def highlighted(p: Passage) -> str:
    """The passage's text, escaped, with its answering sentence(s) in <mark>."""
    out, pos = [], 0
    for a, b in sorted(p.highlights):
        a, b = max(a - p.start, pos), b - p.start
        if a >= b:
            continue
        out += [html.escape(p.text[pos:a]), "<mark>", html.escape(p.text[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(p.text[pos:]))
    return "".join(out)


def documents_rows(documents: list[dict]) -> list[list]:
    """Rows for the documents table: title, date, file, passages, speakers."""
    return [
        [d["title"], d["date"] or "", d["source"], d["passages"], ", ".join(d["speakers"])]
        for d in documents
    ]
