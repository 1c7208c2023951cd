"""Fit the weights of the sentence score on several corpora; report leave-one-corpus-out.

    .venv/bin/python eval/fit_sentences.py [--json records.json] [--records records.json]

A sentence's score is a weighted sum of a few signals (`qa.score.SENTENCE_WEIGHTS`: coverage
of the question in the sentence and its passage, the passage's fused rank and cosine, the
kind of answer asked for, a terse or procedural sentence, the header). The score orders the
top passages (`qa.rank`), picks the sentence the answer quotes and, against MIN_SCORE,
decides whether to answer at all (`qa.readers.extractive`).

One run per corpus (those of eval/calibrate.py) records, for every question, each scored
sentence's signals, whether it fits the question, its passage's missing share, and whether
it holds an expected answer. Offline, the same ordering and choice are replayed for any
weights. The weights are fitted as a ranking (scikit-learn's LogisticRegression on the
differences between a right and a wrong fitting sentence of the same question, each question
and each corpus weighing the same), scaled to the hand-set weights' size; then MIN_SCORE is
refitted on a grid for them (the mean per-corpus balanced accuracy, as in calibrate.py).

For each corpus left out: fitted on the other three, measured on it, beside the hand-set
weights and limits. "chosen right" is the share of answerable questions whose chosen sentence
holds the answer with the decision open: sentence choice alone. Prints the table; with
`--check` it also runs the real pipeline on each corpus with the weights fitted without it
(`qa eval` figures), which is what the replay approximates. Changes nothing in the package.
Needs scikit-learn (`pip install -e '.[calibrate]'`).
"""

from __future__ import annotations

import argparse
import glob
import json
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "eval"))

from calibrate import CORPORA  # noqa: E402

from qa.evaluate import gather_seeds, load_questions, run, shown, summarize  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.rank import SentenceRanker  # noqa: E402
from qa.readers import extractive  # noqa: E402
from qa.readers.order import OrderReader  # noqa: E402
from qa.score import SENTENCE_WEIGHTS  # noqa: E402

FEATURES = tuple(SENTENCE_WEIGHTS)
SCORES = [round(0.3 + 0.05 * i, 2) for i in range(19)]  # MIN_SCORE grid: 0.3 .. 1.2
HARDEST = 40  # wrong sentences per question paired with each right one (highest hand score)


def questions_of(patterns: list[str]) -> list[dict]:
    return [q for pat in patterns for f in sorted(glob.glob(str(ROOT / pat)))
            for q in load_questions(Path(f))]  # fmt: skip


def build_index(name: str, folders: list[str], work: Path, embedder) -> Path:
    from qa.index import build

    seeds = gather_seeds([ROOT / f for f in folders], work / name / "seeds")
    index = work / name / "index"
    build(seeds, index, embedder=embedder)
    return index


def record(index: Path, questions: list[dict]) -> list[dict]:
    """Per question: answerable, `order` (answered from the turns: the weights play no
    part), and the scored passages in fused order with their sentences."""
    pipeline = Pipeline(index)
    rows = []
    for q in questions:
        found = pipeline.search(q["question"], q.get("history"))
        pats = [re.compile(p, re.IGNORECASE) for p in q.get("answers", [])]
        row = {"id": q.get("id"), "answerable": q.get("answerable", True), "k": found.query.k}
        a = OrderReader().read(found.query, found.hits)
        if a is not None:
            row.update(order=True, right=any(p.search(a.text) for p in pats))
            rows.append(row)
            continue
        scored = sorted((h for h in found.hits if h.candidates), key=lambda h: -h.fused)
        row["hits"] = [
            {
                "hit": any(p.search(shown(h.passage)) for p in pats),
                "minor": h.passage.minor,
                "cands": [
                    {
                        "f": [c.features[f] for f in FEATURES],
                        "fits": c.fits,
                        "missing": c.missing_share,
                        "length": c.end - c.start,
                        "right": any(p.search(f"{h.passage.speaker or ''}: {c.text}")
                                     for p in pats),  # fmt: skip
                    }
                    for c in h.candidates
                ],
            }
            for h in scored
        ]
        rows.append(row)
    return rows


def replay(row: dict, w: list[float]):
    """The shipped ordering and choice under weights `w`: (hit at rank 1, chosen sentence or
    None). Mirrors `SentenceRanker.rank` and `ExtractiveReader.choose`."""
    hits = []
    for h in row["hits"]:
        cands = [(sum(a * b for a, b in zip(w, c["f"])), c) for c in h["cands"]]
        best = max(cands, key=lambda sc: (sc[1]["fits"], sc[0]))
        hits.append((h, cands, best))
    hits.sort(key=lambda x: (x[0]["minor"], not x[2][1]["fits"], -x[2][0]))
    top = hits[: max(extractive.TOP_PASSAGES, row["k"])]
    ranked = sorted((sc for _, cands, _ in top for sc in cands),
                    key=lambda sc: (-round(sc[0], 6), -sc[1]["length"]))  # fmt: skip
    fitting = [sc for sc in ranked if sc[1]["fits"]]
    return (bool(hits) and hits[0][0]["hit"]), (fitting[0] if fitting else None)


def measure(rows: list[dict], w: list[float], min_score: float,
            max_missing: float = extractive.MAX_MISSING) -> dict:  # fmt: skip
    ans = [r for r in rows if r["answerable"]]
    un = [r for r in rows if not r["answerable"]]
    right = chosen_right = hit1 = declined_ans = declined_un = 0
    for r in rows:
        if r.get("order"):
            said = True
            ok = r["right"]
            top_hit = ok
            picked = ok
        else:
            top_hit, best = replay(r, w)
            said = best is not None and best[0] >= min_score and best[1]["missing"] <= max_missing
            picked = best is not None and best[1]["right"]
            ok = said and picked
        if r["answerable"]:
            right += ok
            chosen_right += picked
            hit1 += top_hit
            declined_ans += not said
        else:
            declined_un += not said
    n = max(len(ans), 1)
    return {
        "chosen_right": round(chosen_right / n, 3),
        "hit@1": round(hit1 / n, 3),
        "answer_accuracy": round(right / n, 3),
        "declined": f"{declined_ans}/{len(ans)}",
        "abstention": round(declined_un / len(un), 3) if un else None,
        "balanced": round((right / n + declined_un / len(un)) / 2 if un else right / n, 3),
    }


def fit_weights(corpora: dict[str, list]) -> list[float]:
    """A ranking of fitting sentences: right above wrong within each question."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    hand = [SENTENCE_WEIGHTS[f] for f in FEATURES]
    xs, ys, ws = [], [], []
    for rows in corpora.values():
        per_q = []
        for r in rows:
            if not r["answerable"] or r.get("order"):
                continue
            cands = [c for h in r["hits"] for c in h["cands"] if c["fits"]]
            good = [c for c in cands if c["right"]]
            bad = [c for c in cands if not c["right"]]
            bad.sort(key=lambda c: -sum(a * b for a, b in zip(hand, c["f"])))
            bad = bad[:HARDEST]
            if good and bad:
                per_q.append([(g["f"], b["f"]) for g in good for b in bad])
        for pairs in per_q:
            for g, b in pairs:
                d = [x - y for x, y in zip(g, b)]
                # both directions, so the model needs no intercept and stays symmetric
                xs += [d, [-x for x in d]]
                ys += [1, 0]
                ws += [1.0 / (len(pairs) * len(per_q))] * 2
    model = LogisticRegression(C=1.0, fit_intercept=False, max_iter=2000)
    model.fit(np.array(xs), np.array(ys), sample_weight=np.array(ws) * len(ws))
    coef = [float(c) for c in model.coef_[0]]
    scale = sum(abs(h) for h in hand) / (sum(abs(c) for c in coef) or 1.0)
    return [round(c * scale, 4) for c in coef]


STEPS = (0.2, 0.1, 0.05)


def search_weights(corpora: dict[str, list]) -> list[float]:
    """The weights by coordinate search from the hand-set ones, on the measure the choice is
    judged by: the mean per-corpus share of answerable questions whose chosen sentence holds
    the answer (ties: the nearer to the hand-set weights)."""
    hand = [SENTENCE_WEIGHTS[f] for f in FEATURES]

    def value(w):
        v = sum(measure(rows, w, 0.0, 1.0)["chosen_right"] for rows in corpora.values())
        return round(v / len(corpora), 4) - 1e-4 * sum(abs(a - b) for a, b in zip(w, hand))

    best, best_v = list(hand), value(hand)
    for step in STEPS:
        improved = True
        while improved:
            improved = False
            for i in range(len(best)):
                for d in (step, -step):
                    w = list(best)
                    w[i] = round(w[i] + d, 4)
                    v = value(w)
                    if v > best_v + 1e-9:
                        best, best_v, improved = w, v, True
    return best


def fit_min_score(corpora: dict[str, list], w: list[float]) -> float:
    """MIN_SCORE for weights `w` on a grid (ties: the lower: declining needs evidence)."""

    def mean(s):
        return sum(measure(rows, w, s)["balanced"] for rows in corpora.values()) / len(corpora)

    return max(SCORES, key=lambda s: (round(mean(s), 4), -s))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", type=Path, help="also write the per-question records here")
    p.add_argument("--records", type=Path, help="read the records from here (no questions run)")
    p.add_argument("--search", action="store_true", help="fit by coordinate search on the "
                   "chosen sentence instead of a pairwise logistic ranking")  # fmt: skip
    p.add_argument("--check", action="store_true", help="run the real pipeline with each "
                   "fold's weights (qa eval figures)")  # fmt: skip
    args = p.parse_args()
    fit = search_weights if args.search else fit_weights
    hand = [SENTENCE_WEIGHTS[f] for f in FEATURES]
    with tempfile.TemporaryDirectory(prefix="qa-sentences-") as tmp:
        indexes, data = {}, {}
        if args.records and not args.check:
            data = json.loads(args.records.read_text())
        else:
            from qa.embed import Embedder

            embedder = Embedder()
            for name, (folders, patterns) in CORPORA.items():
                indexes[name] = build_index(name, folders, Path(tmp), embedder)
                if args.records:
                    continue
                data[name] = record(indexes[name], questions_of(patterns))
                print(f"recorded {name}: {len(data[name])} questions", file=sys.stderr)
            if args.records:
                data = json.loads(args.records.read_text())
        if args.json:
            args.json.write_text(json.dumps(data))
        pooled = fit(data)
        pooled_min = fit_min_score(data, pooled)
        print("features:", ", ".join(FEATURES))
        print(f"hand-set weights: {hand}, MIN_SCORE {extractive.MIN_SCORE}")
        print(f"fitted on all four: {pooled}, MIN_SCORE {pooled_min}\n")
        cols = ["chosen_right", "hit@1", "answer_accuracy", "declined", "abstention", "balanced"]
        print("| corpus (questions) | sentence weights | " + " | ".join(cols) + " |")
        print("|---|---|" + "---|" * len(cols))
        means: dict[str, list] = {}
        folds = {}
        for name, rows in data.items():
            rest = {n: r for n, r in data.items() if n != name}
            w = fit(rest)
            folds[name] = w
            hand_min = fit_min_score(rest, hand)
            for label, ww, s in (
                ("hand-set, hand-set MIN_SCORE", hand, extractive.MIN_SCORE),
                ("hand-set, MIN_SCORE refitted on the other three", hand, hand_min),
                ("fitted on the other three (and MIN_SCORE)", w, fit_min_score(rest, w)),
                ("fitted on all four", pooled, pooled_min),
            ):
                m = measure(rows, ww, s)
                cells = ["-" if m[c] is None else f"{m[c]}" for c in cols]
                head = f"| {name} ({len(rows)}) | {label} (MIN_SCORE {s}) | "
                print(head + " | ".join(cells) + " |")
                means.setdefault(label, []).append((m["chosen_right"], m["balanced"]))
        for label, xs in means.items():
            cr = sum(x[0] for x in xs) / len(xs)
            bal = sum(x[1] for x in xs) / len(xs)
            print(f"| mean of the four | {label} | {cr:.3f} | - | - | - | - | {bal:.3f} |")
        for name, w in folds.items():
            print(f"weights fitted without {name}: " +
                  ", ".join(f"{f} {x}" for f, x in zip(FEATURES, w)))  # fmt: skip
        if args.check:
            print("\nThe real pipeline, each corpus with the weights fitted without it:")
            for name, (_, patterns) in CORPORA.items():
                qs = questions_of(patterns)
                rest = {n: r for n, r in data.items() if n != name}
                w = folds[name]
                s = fit_min_score(rest, w)
                for label, weights, reader in (
                    ("hand-set", None, extractive.ExtractiveReader()),
                    ("fitted without it", dict(zip(FEATURES, w)),
                     extractive.ExtractiveReader(min_score=s)),
                ):
                    pipe = Pipeline(indexes[name], ranker=SentenceRanker(weights=weights),
                                    readers=(OrderReader(), reader))  # fmt: skip
                    m = summarize(run(qs, pipeline=pipe))
                    print(f"{name} {label}: hit@1 {m['hit@1']} hit@5 {m['hit@5']} answers "
                          f"{m['answer_accuracy']} abstention {m['abstention']} false abstention "
                          f"{m['false_abstention']}")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main() or 0)
