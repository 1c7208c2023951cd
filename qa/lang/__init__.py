"""English word data for reading questions and sentences, kept as text files beside this one.

Each file holds general English usage, not the wording of one transcript: an entry needs a
reason that holds for any transcript (docs/quality.md lists what each file is for and how
entries were checked). Formats:

* a word list (`*.txt`): words separated by spaces or lines;
* a table (`*.txt`, "base: form form ..." per line): each form meets its base;
* `spellings.tsv`: a regular expression and its replacement, tab-separated.

Lines starting with `#` are comments.
"""

from __future__ import annotations

import functools
import re
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files(__name__).joinpath(name).read_text(encoding="utf-8")
    lines = (ln.strip() for ln in text.splitlines())
    return [ln for ln in lines if ln and not ln.startswith("#")]


@functools.cache
def word_set(name: str) -> frozenset[str]:
    """The words of the list `name`."""
    return frozenset(w for ln in _lines(name) for w in ln.split())


@functools.cache
def table(name: str) -> dict[str, str]:
    """{form: base} of the table `name` ("base: form form" lines)."""
    out = {}
    for ln in _lines(name):
        base, _, forms = ln.partition(":")
        for form in forms.split():
            out[form] = base.strip()
    return out


@functools.cache
def rewrites(name: str) -> tuple[tuple[re.Pattern, str], ...]:
    """(pattern, replacement) pairs of the tab-separated file `name`."""
    out = []
    for ln in _lines(name):
        pattern, replacement = ln.split("\t")
        out.append((re.compile(pattern), replacement))
    return tuple(out)
