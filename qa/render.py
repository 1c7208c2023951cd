"""Turn answers into what the web chat shows: escaped chat text and the sources panel's HTML.

Transcript text is data, never markup: everything quoted from a seed is HTML-escaped and its
markdown characters neutralised, so a seed holding `<script>` or `**bold**` shows as typed.
Pure functions of `Answer`/`Passage`, so they are tested without a browser.
"""

from __future__ import annotations

import html
import re

from qa.types import Answer, Passage, clock

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~>])")

CSS = """
#sources .src { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 8px 10px; margin: 0 0 10px 0; }
#sources .src:first-of-type { margin-top: 0; }
#sources .src-head { font-size: 0.9em; margin-bottom: 4px; }
#sources .src-n { font-weight: 700; margin-right: 4px; }
#sources .src-meta { color: var(--body-text-color); opacity: 0.85; font-size: 0.85em; }
#sources .src-text { white-space: pre-wrap; margin: 6px 0 0 0; font-size: 0.92em; }
#sources .src-empty { margin: 0; }
#sources mark { background: #fde68a; color: #111; padding: 0 1px; }
#documents table { table-layout: fixed; width: 100%; border-collapse: collapse; font-size: 0.9em; }
#documents th, #documents td { padding: 4px 6px;
  border-bottom: 1px solid var(--border-color-primary); overflow: hidden;
  text-overflow: ellipsis; white-space: nowrap; text-align: left; }
#documents .c-title { width: 30%; } #documents .c-date { width: 9%; }
#documents .c-format { width: 7%; } #documents .c-speakers { width: 24%; }
#documents .c-passages { width: 7%; } #documents .c-span { width: 11%; }
#documents .c-file { width: 12%; }
"""


def chat_text(text: str) -> str:
    """`text` made safe for the chat's markdown renderer: shown exactly as written."""
    return _MD_SPECIAL.sub(r"\\\1", html.escape(text, quote=False))


def answer_markdown(answer: Answer, *, streaming: bool = False) -> str:
    """An answer for the chat: a language model's with each sentence the passages do not
    support marked; a fallback with the reason the model's answer is not shown."""
    if answer.fallback:
        return f"{chat_text(answer.text)}\n\n*(The language model's answer is not shown: " \
            f"{chat_text(answer.fallback)}.)*"  # fmt: skip
    text = chat_text(answer.text)
    if answer.reader != "llm":
        return text
    if streaming:
        return f"{text} ▌\n\n*A language model is answering; its claims are checked at the end.*"
    text = _strike(answer.text, set(answer.unsupported))
    note = "*Answer by a language model, checked against the passages it cites.*"
    if answer.unsupported:
        n = len(answer.unsupported)
        note += f" ⚠️ *{n} sentence{'s' if n > 1 else ''} struck through: not supported by them.*"
    return f"{text}\n\n{note}"


def _strike(text: str, unsupported: set[str]) -> str:
    """`text` for the chat with each sentence in `unsupported` (compared without its [n]
    marks) marked and struck through."""
    from qa.chunk import sentence_spans

    out, pos = [], 0
    for a, b in sentence_spans(text):
        sentence = text[a:b]
        out.append(chat_text(text[pos:a]))
        bare = " ".join(re.sub(r"\s*\[\d+\]", "", sentence).split())
        out.append(f"⚠️ ~~{chat_text(sentence)}~~" if bare in unsupported else chat_text(sentence))
        pos = b
    out.append(chat_text(text[pos:]))
    return "".join(out)


def sources_html(answer: Answer | None) -> str:
    """The sources panel: each cited passage, in the order of its number, with its speaker,
    document, date and where to check it (time, page or characters). The rank is the order;
    no raw score is shown."""
    style = f"<style>{CSS}</style>"  # subtle: carried by the panel itself (no gap above it)
    if answer is None:
        return style + '<p class="src-empty">Cited passages will appear here.</p>'
    if not answer.citations:
        return style + '<p class="src-empty">No passages to show.</p>'
    head = (
        ""
        if answer.found
        else '<p class="src-empty"><b>Nearest passages</b> (they do not answer it):</p>'
    )
    return style + head + "".join(passage_html(n, p) for n, p in enumerate(answer.citations, 1))


def speaker_label(p: Passage) -> str:
    """Who a passage is by: its speaker, the document's header, or narration."""
    if p.speaker:
        return p.speaker
    return "Document header" if p.turn == 0 else "Narration"


def passage_html(n: int, p: Passage) -> str:
    who = html.escape(speaker_label(p))
    role = f" ({html.escape(p.role)})" if p.role else ""
    meta = " · ".join(html.escape(x) for x in (p.title, p.date or "undated", p.location()))
    return (
        f'<div class="src" data-n="{n}">'
        f'<div class="src-head"><span class="src-n">[{n}]</span>'
        f'<span class="src-speaker">{who}</span>{role}</div>'
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


DOCUMENT_COLUMNS = ("Title", "Date", "Format", "Speakers", "Passages", "Time or pages", "File")


def documents_html(documents: list[dict]) -> str:
    """The Documents tab's table: every column fits at 1400 px; a cut cell shows all on hover."""
    if not documents:
        return '<p id="no-documents">No documents indexed yet: add transcripts below.</p>'
    cls = ("title", "date", "format", "speakers", "passages", "span", "file")
    head = "".join(f'<th class="c-{c}">{h}</th>' for c, h in zip(cls, DOCUMENT_COLUMNS))
    rows = []
    for d in documents:
        span = ""
        if d.get("start_time") is not None:
            span = f"{clock(d['start_time'])}–{clock(d.get('end_time') or d['start_time'])}"
        elif d.get("pages"):
            span = f"pages 1–{d['pages']}"
        speakers = d["speakers"]
        who = f"{len(speakers)}: {', '.join(speakers)}" if speakers else "none found"
        cells = [d["title"], d["date"] or "undated", d.get("format") or "", who,
                 str(d["passages"]), span, d["source"]]  # fmt: skip
        rows.append("<tr>" + "".join(
            f'<td class="c-{c}" title="{html.escape(v)}">{html.escape(v)}</td>'
            for c, v in zip(cls, cells)) + "</tr>")  # fmt: skip
    table = f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"
    return f"<style>{CSS}</style>{table}"
