"""Fit the keyword rankings' weight in the rank fusion on several corpora; report leave-one-out.

    .venv/bin/python eval/fit_fusion.py

The retriever fuses dense and keyword rankings by reciprocal rank, each with weight 1
(`qa.fusion`). This runs the shipped pipeline with the keyword rankings weighted
`WEIGHTS` on the four corpora of eval/calibrate.py, picks for each corpus left out the weight
with the best mean answer accuracy on the other three (ties: 1.0, today's), and prints
answer accuracy and hit@1 on it. Prints the table; changes nothing.
"""

from __future__ import annotations

import glob
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from calibrate import CORPORA  # noqa: E402

from qa.evaluate import gather_seeds, load_questions, run, summarize  # noqa: E402
from qa.pipeline import Pipeline  # noqa: E402
from qa.retrieve import Retriever  # noqa: E402

WEIGHTS = [0.5, 0.75, 1.0, 1.5, 2.0]


def main() -> int:
    from qa.embed import Embedder
    from qa.index import build

    embedder = Embedder()
    table: dict[str, dict[float, dict]] = {}
    with tempfile.TemporaryDirectory(prefix="qa-fusion-") as tmp:
        for name, (folders, patterns) in CORPORA.items():
            questions = [q for pat in patterns for f in sorted(glob.glob(str(ROOT / pat)))
                         for q in load_questions(Path(f))]  # fmt: skip
            seeds = gather_seeds([ROOT / f for f in folders], Path(tmp) / name / "seeds")
            index = Path(tmp) / name / "index"
            build(seeds, index, embedder=embedder)
            table[name] = {}
            for w in WEIGHTS:
                pipeline = Pipeline(index, retriever=Retriever(keyword_weight=w))
                table[name][w] = summarize(run(questions, pipeline=pipeline))
                print(f"{name} keyword weight {w}: answers {table[name][w]['answer_accuracy']}"
                      f", hit@1 {table[name][w]['hit@1']}", file=sys.stderr)  # fmt: skip
    print("| corpus | weight | answer_accuracy | hit@1 | hit@5 | at weight 1.0: answers / hit@1 |")
    print("|---|---|---|---|---|---|")
    for name in table:
        rest = [n for n in table if n != name]

        def mean(w, rest=rest):
            return sum(table[n][w]["answer_accuracy"] for n in rest) / len(rest)

        w = max(WEIGHTS, key=lambda w: (round(mean(w), 4), w == 1.0))
        s, one = table[name][w], table[name][1.0]
        print(f"| {name} | {w} (fitted on the other three) | {s['answer_accuracy']} | "
              f"{s['hit@1']} | {s['hit@5']} | {one['answer_accuracy']} / {one['hit@1']} |")
    for w in WEIGHTS:
        cells = ", ".join(f"{n} {table[n][w]['answer_accuracy']}/{table[n][w]['hit@1']}"
                          for n in table)  # fmt: skip
        print(f"weight {w}: answers/hit@1 {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
