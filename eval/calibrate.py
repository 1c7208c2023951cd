"""Fit the extractive reader's decision to answer on several corpora; report leave-one-out.

    .venv/bin/python eval/calibrate.py [--write] [--json records.json] [--records records.json]

The reader answers when a logistic model of "this answer is right" reaches a threshold
(`qa.readers.extractive.Calibration`), from a few general signals (`evidence`). One run per
corpus with the decision open records, for every question, those signals and whether the
answer given would be right; the model is then fitted offline (scikit-learn's
LogisticRegression, each corpus weighted equally) and its threshold chosen to maximise the
mean per-corpus balanced accuracy: the mean of answer accuracy (answerable questions) and
abstention (unanswerable ones), so that answering and declining weigh the same whatever a
question set's mix. Questions about the order of
speaking are answered from the turns and take no part.

Corpora: the seeds (development questions), the town-hall transcript (with the seeds), the
nine-transcript format corpus, and the five-transcript second format set. For each corpus
left out, the model and the two limits on a grid are fitted on the other three and measured
on it, beside the hand-set limits (MIN_SCORE, MAX_MISSING) and the model fitted on all four.
`--write` saves the model fitted on all four as qa/calibration.json; the reader then uses it
instead of the limits (none ships today: no fit beat the limits on the corpus left out, see
docs/quality.md). Needs scikit-learn (`pip install -e '.[calibrate]'`).
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

from qa.evaluate import gather_seeds, load_questions  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.readers import extractive  # noqa: E402
from qa.readers.extractive import FEATURES, Calibration, ExtractiveReader, evidence  # noqa: E402
from qa.readers.order import OrderReader  # noqa: E402

CORPORA = {
    "seeds": (["seeds"], ["eval/dev_qa.jsonl", "eval/tune*_qa.jsonl"]),
    "town hall": (["seeds", "eval/corpus"], ["eval/town_hall*_qa.jsonl"]),
    "formats": (["eval/formats"], ["eval/formats_qa/*.jsonl"]),
    "formats 2": (["eval/formats_heldout"], ["eval/formats_heldout_qa/*.jsonl"]),
}
# Always answers (chance 1 >= 0), and weighs sentences that do not fit like the fitted one.
OPEN = ExtractiveReader(calibration=Calibration({}, 50.0, 0.0))
OBJECTIVE = "balanced"
THRESHOLDS = [round(0.05 * i, 2) for i in range(1, 20)]
OUTPUT = ROOT / "qa" / "calibration.json"


def record(name: str, folders: list[str], patterns: list[str], work: Path, embedder) -> list:
    """One dict per question: answerable, right (if answered), the evidence; order questions
    (answered from the turns, not gated) are marked `order`."""
    from qa.index import build

    questions = []
    for pattern in patterns:
        for f in sorted(glob.glob(str(ROOT / pattern))):
            questions += load_questions(Path(f))
    seeds = gather_seeds([ROOT / f for f in folders], work / name / "seeds")
    index = work / name / "index"
    build(seeds, index, embedder=embedder)
    pipeline = Pipeline(index)
    rows = []
    for q in questions:
        found = pipeline.search(q["question"], q.get("history"))
        pats = [re.compile(p, re.IGNORECASE) for p in q.get("answers", [])]
        row = {"id": q.get("id"), "answerable": q.get("answerable", True)}
        a = OrderReader().read(found.query, found.hits)
        if a is not None:
            row.update(order=True, right=any(p.search(a.text) for p in pats))
            rows.append(row)
            continue
        hits = found.hits[: max(OPEN.top, found.query.k)]
        chosen = OPEN.choose(found.query, hits)
        a = OPEN.read(found.query, found.hits)
        row["right"] = bool(a.found and any(p.search(a.text) for p in pats))
        row["evidence"] = evidence(chosen[0], hits) if chosen else None
        rows.append(row)
    return rows


def decide(row: dict, rule) -> bool:
    """Does the reader answer `row` under `rule` (a Calibration or (min_score, max_missing))?"""
    if row.get("order"):
        return True
    e = row["evidence"]
    if e is None:
        return False
    if isinstance(rule, Calibration):
        return rule.chance(e) >= rule.threshold
    return bool(e["fits"]) and e["score"] >= rule[0] and e["missing"] <= rule[1]


def measure(rows: list[dict], rule) -> dict:
    ans = [r for r in rows if r["answerable"]]
    un = [r for r in rows if not r["answerable"]]
    right = sum(decide(r, rule) and r["right"] for r in ans)
    declined_un = sum(not decide(r, rule) for r in un)
    return {
        "answer_accuracy": round(right / max(len(ans), 1), 3),
        "abstention": round(declined_un / len(un), 3) if un else None,
        "false_abstention": round(sum(not decide(r, rule) for r in ans) / max(len(ans), 1), 3),
        "declined": f"{sum(not decide(r, rule) for r in ans)}/{len(ans)}",
        "accuracy": round((right + declined_un) / max(len(rows), 1), 3),
        "balanced": round((right / max(len(ans), 1) + declined_un / len(un)) / 2, 3)
        if un
        else round(right / max(len(ans), 1), 3),
    }


def fit(corpora: dict[str, list]) -> Calibration:
    """Logistic regression on the gated questions of `corpora` (each corpus weighing the
    same), then the threshold with the best mean per-corpus accuracy."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    xs, ys, ws = [], [], []
    for rows in corpora.values():
        gated = [r for r in rows if not r.get("order") and r["evidence"] is not None]
        for r in gated:
            xs.append([r["evidence"][f] for f in FEATURES])
            ys.append(int(r["answerable"] and r["right"]))
            ws.append(1.0 / len(gated))
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(np.array(xs), np.array(ys), sample_weight=np.array(ws) * len(ws))
    weights = {f: round(float(w), 4) for f, w in zip(FEATURES, model.coef_[0])}
    bias = round(float(model.intercept_[0]), 4)

    def mean_balanced(t: float) -> float:
        cal = Calibration(weights, bias, t)
        return sum(measure(rows, cal)[OBJECTIVE] for rows in corpora.values()) / len(corpora)

    # subtle: on a tie the lower threshold wins: declining needs the stronger evidence.
    best = max(THRESHOLDS, key=lambda t: (round(mean_balanced(t), 4), -t))
    return Calibration(weights, bias, best)


SCORES = [round(0.4 + 0.05 * i, 2) for i in range(17)]  # 0.4 .. 1.2
MISSING = [round(0.2 + 0.04 * i, 2) for i in range(21)]  # 0.2 .. 1.0


def fit_limits(corpora: dict[str, list]) -> tuple[float, float]:
    """The two hand-set limits refitted on a grid, same objective (ties: nearest today's)."""

    def key(s: float, m: float):
        v = sum(measure(rows, (s, m))[OBJECTIVE] for rows in corpora.values()) / len(corpora)
        near = abs(s - extractive.MIN_SCORE) + abs(m - extractive.MAX_MISSING)
        return (round(v, 4), -near)

    return max(((s, m) for s in SCORES for m in MISSING), key=lambda sm: key(*sm))


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json", type=Path, help="also write the per-question records here")
    p.add_argument("--records", type=Path, help="read the records from here (no questions run)")
    p.add_argument("--write", action="store_true", help=f"save the pooled fit as {OUTPUT}")
    args = p.parse_args()
    if args.records:
        data = json.loads(args.records.read_text())
    else:
        from qa.embed import Embedder

        embedder = Embedder()
        with tempfile.TemporaryDirectory(prefix="qa-calibrate-") as tmp:
            data = {n: record(n, f, q, Path(tmp), embedder) for n, (f, q) in CORPORA.items()}
    if args.json:
        args.json.write_text(json.dumps(data))
    hand = (extractive.MIN_SCORE, extractive.MAX_MISSING)
    pooled = fit(data)
    print(f"hand-set limits: MIN_SCORE {hand[0]}, MAX_MISSING {hand[1]}")
    print(f"fitted on all four corpora: {pooled}\n")
    cols = ["answer_accuracy", "declined", "false_abstention", "abstention", "balanced"]
    print("| corpus (questions) | decision | " + " | ".join(cols) + " |")
    print("|---|---|" + "---|" * len(cols))
    means: dict[str, list[float]] = {}
    for name, rows in data.items():
        rest = {n: r for n, r in data.items() if n != name}
        for label, rule in (("hand-set limits", hand),
                            ("limits refitted on the other three", fit_limits(rest)),
                            ("logistic, fitted on the other three", fit(rest)),
                            ("logistic, fitted on all four", pooled)):  # fmt: skip
            m = measure(rows, rule)
            cells = ["-" if m[c] is None else f"{m[c]}" for c in cols]
            print(f"| {name} ({len(rows)}) | {label} | " + " | ".join(cells) + " |")
            means.setdefault(label, []).append(m["balanced"])
    for label, xs in means.items():
        print(f"| mean of the four | {label} | - | - | - | - | {sum(xs) / len(xs):.3f} |")
    if args.write:
        OUTPUT.write_text(json.dumps({"features": list(FEATURES), "weights": pooled.weights,
                                      "bias": pooled.bias, "threshold": pooled.threshold,
                                      "fitted_on": list(data)}, indent=2) + "\n")  # fmt: skip
        print(f"\nwrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
