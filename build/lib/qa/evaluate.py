"""Measure retrieval and answers on a question file (format: eval/README.md), and compare
the shipped pipeline with the usual baselines on the same questions.

A passage is a hit when what its citation shows (speaker, role, text) matches one of the
question's answer patterns; an answer is
correct when its text does; speaker attribution is correct when the first cited passage
that holds the answer is by the expected speaker (matched by surname). Unanswerable
questions are correct when the answer abstains (`found=False`).
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
import time
from dataclasses import dataclass, field
from pathlib import Path

from qa.errors import SeedError
from qa.pipeline import Pipeline, baseline

# (name, chunker, pipeline: a baseline of `qa.pipeline.BASELINES` or "shipped"): the
# baselines first, the shipped pipeline last.
PIPELINES = [
    ("fixed 1000/200-char chunks, dense only", "fixed", "dense"),
    ("speaker-turn passages, dense only", "turns", "dense"),
    ("speaker-turn passages, keyword only (BM25)", "turns", "keyword"),
    ("speaker-turn passages, hybrid (RRF)", "turns", "hybrid"),
    ("shipped: hybrid + speaker + rerank + follow-ups", "turns", "shipped"),
]


@dataclass
class Result:
    id: str
    question: str
    answerable: bool
    rank: int | None  # 1-based rank of the first hit among the citations, None if no hit
    correct: bool
    speaker_ok: bool | None
    found: bool
    seconds: float
    answer: str
    query: str
    score: float = 0.0
    top: list[str] = field(default_factory=list)
    short: str | None = None  # the short answer the answer led with, if any
    short_ok: bool | None = None  # does it match an expected answer (answerable questions)


def load_questions(path: Path) -> list[dict]:
    out = []
    for n, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip():
            try:
                out.append(json.loads(line))
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not a JSON object ({e.msg})") from None
    return out


def shown(p) -> str:
    """What a citation shows: who said it, then the passage ("Who moderated?" is answered by
    the speaker line of a moderator's passage)."""
    return f"{p.speaker or ''} ({p.role or ''}): {p.text}"


def run(questions: list[dict], *, k: int = 5, index_dir=None, pipeline: Pipeline | None = None):
    """Ask every question of `pipeline` (default: the shipped one over `index_dir`):
    retrieval is scored on its `retrieve`, answers on its `answer`."""
    pipeline = pipeline or Pipeline(index_dir)
    results = []
    for q in questions:
        h = q.get("history")
        passages = pipeline.retrieve(q["question"], h, k=k)
        t = time.perf_counter()
        a = pipeline.answer(q["question"], h, k=k)
        dt = time.perf_counter() - t
        pats = [re.compile(p, re.IGNORECASE) for p in q.get("answers", [])]
        matches = [bool(pats) and any(p.search(shown(c)) for p in pats) for c in passages[:k]]
        rank = matches.index(True) + 1 if any(matches) else None
        speaker_ok = None
        cited_hits = [c for c in a.citations if any(p.search(shown(c)) for p in pats)]
        if q.get("answerable", True) and q.get("speaker") and cited_hits:
            cited = cited_hits[0]
            speaker_ok = bool(cited.speaker) and (
                cited.speaker.split()[-1].lower() == q["speaker"].split()[-1].lower()
            )
        if q.get("answerable", True):
            correct = a.found and any(p.search(a.text) for p in pats)
        else:
            correct = not a.found
        results.append(
            Result(
                q["id"],
                q["question"],
                q.get("answerable", True),
                rank,
                correct,
                speaker_ok,
                a.found,
                dt,
                a.text,
                a.query,
                a.score,
                top=[f"{c.speaker or '-'}: {c.text[:80]}" for c in a.citations[:3]],
                short=a.short,
                short_ok=(
                    short_right(a.short, a.text, pats)
                    if a.short and q.get("answerable", True)
                    else None
                ),  # fmt: skip
            )
        )
    return results


def short_right(short: str, text: str, pats: list[re.Pattern]) -> bool:
    """A short answer is right when it matches an expected answer, or is part of what an
    expected answer matches in the quote ("Almaty" of "Real fighting went on in Almaty")."""
    quote = text[len(short) :]
    return any(p.search(short) or any(short in m.group(0) for m in p.finditer(quote))
               for p in pats)  # fmt: skip


def summarize(results: list[Result]) -> dict:
    ans = [r for r in results if r.answerable]
    un = [r for r in results if not r.answerable]
    spk = [r.speaker_ok for r in ans if r.speaker_ok is not None]

    def frac(xs):
        return round(sum(xs) / len(xs), 3) if xs else None

    return {
        "questions": len(results),
        "hit@1": frac([r.rank == 1 for r in ans]),
        "hit@5": frac([r.rank is not None and r.rank <= 5 for r in ans]),
        "mrr@5": frac([1 / r.rank if r.rank else 0 for r in ans]),
        "answer_accuracy": frac([r.correct for r in ans]),
        "speaker_accuracy": frac(spk),
        "abstention": frac([not r.found for r in un]),
        "false_abstention": frac([not r.found for r in ans]),
        "median_ms": round(statistics.median(r.seconds for r in results) * 1000, 1)
        if results
        else None,
        # Short answers: how often an answered question leads with one, and how often it is
        # right (it matches an expected answer).
        "short_given": frac([r.short is not None for r in ans if r.found]),
        "short_accuracy": frac([r.short_ok for r in ans if r.short_ok is not None]),
    }


def gather_seeds(folders: list[Path], into: Path) -> Path:
    """Copy the files of several seed folders into one (names must not clash)."""
    into.mkdir(parents=True, exist_ok=True)
    for folder in folders:
        if not Path(folder).is_dir():
            raise SeedError(f"seeds folder not found: {folder}")
        for f in sorted(Path(folder).iterdir()):
            if f.is_file() and not f.name.startswith("."):
                if (into / f.name).exists():
                    raise SeedError(f"two seed folders both have {f.name}")
                shutil.copy2(f, into / f.name)
    return into


def compare(questions: list[dict], seeds: Path, workdir: Path, *, k: int = 5, progress=print):
    """Each pipeline of PIPELINES on the same questions: [(name, summary, results)]."""
    from qa.index import build

    out = []
    for name, chunker, kind in PIPELINES:
        index_dir = workdir / f"index-{chunker}"
        progress(f"{name}: indexing" if not index_dir.exists() else f"{name}: asking")
        build(seeds, index_dir, chunker=chunker)
        pipeline = Pipeline(index_dir) if kind == "shipped" else baseline(kind, index_dir)
        results = run(questions, k=k, pipeline=pipeline)
        out.append((name, summarize(results), results))
    return out


COLUMNS = ["hit@1", "hit@5", "mrr@5", "answer_accuracy", "speaker_accuracy", "abstention",
           "false_abstention", "median_ms"]  # fmt: skip


def per_source(questions: list[dict], results: list[Result]) -> list[tuple[str, dict]]:
    """One summary per transcript the questions are about, named with its format."""
    from qa.errors import SeedError
    from qa.formats import sniff

    groups: dict[str, list[Result]] = {}
    for q, r in zip(questions, results):
        groups.setdefault(q.get("source") or "(several)", []).append(r)
    rows = []
    for source, rs in sorted(groups.items()):
        try:
            fmt = sniff(source, b"")
        except SeedError:
            fmt = "?"
        rows.append((f"{source} ({fmt})", {**summarize(rs), "questions": len(rs)}))
    return rows


def table(rows: list[tuple[str, dict]], first: str = "pipeline") -> str:
    """A markdown table of summaries, one row per pipeline (or per source)."""
    head = f"| {first} | " + " | ".join(COLUMNS) + " |"
    lines = [head, "|" + "---|" * (len(COLUMNS) + 1)]
    for name, summary in rows:
        cells = ["-" if summary[c] is None else f"{summary[c]:g}" for c in COLUMNS]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
